/* SPDX-License-Identifier: MIT */
/*
 * Guest MSRs on VMX. The MSR bitmap intercepts every RDMSR/WRMSR except:
 *   read+write: SYSENTER_CS/ESP/EIP (the VMCS switches them on every entry
 *               and exit), STAR, LSTAR, CSTAR, SFMASK (switched lazily, below);
 *   read only:  IA32_TSC (the CPU adds the VMCS TSC offset), FS_BASE,
 *               GS_BASE (VMCS), KERNEL_GS_BASE (lazy): their writes exit so
 *               common code can refuse non-canonical values with #GP.
 * The lazy set is not in the VMCS. Tern's host never uses SYSCALL or SWAPGS,
 * so those registers hold the guest's values for as long as the same vCPU
 * keeps running on the CPU; they are saved and reloaded only when another
 * vCPU enters on that CPU (the way KVM defers its "user return" MSRs).
 * get_msr/set_msr serve the MSRs the VMCS or the lazy set hold, and PAT,
 * DEBUGCTL and EFER; anything else returns false for common code to handle.
 */
#include "arch/x86/msr.h"
#include "arch/x86/vmx/vmx_int.h"
#include "lib/string.h"

#define MSR_BITMAP_READ_LOW 0x000
#define MSR_BITMAP_READ_HIGH 0x400
#define MSR_BITMAP_WRITE_LOW 0x800
#define MSR_BITMAP_WRITE_HIGH 0xC00
#define MSR_LOW_LAST 0x00001FFFu
#define MSR_HIGH_FIRST 0xC0000000u
#define MSR_HIGH_LAST 0xC0001FFFu
#define CANONICAL_BITS 48

const u32 vmx_lazy_msr_index[NR_LAZY_MSRS] = {
	[LAZY_STAR] = MSR_STAR,
	[LAZY_LSTAR] = MSR_LSTAR,
	[LAZY_CSTAR] = MSR_CSTAR,
	[LAZY_SFMASK] = MSR_SFMASK,
	[LAZY_KERNEL_GS_BASE] = MSR_KERNEL_GS_BASE,
};

static const u32 passthrough_rw[] = {
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	MSR_STAR,	      MSR_LSTAR,	     MSR_CSTAR,
	MSR_SFMASK,
};

/*
 * Reads only: writes of the segment-base MSRs exit so common code can
 * refuse non-canonical values with #GP whatever the CPU (or emulator) does.
 */
static const u32 passthrough_read[] = {
	MSR_IA32_TSC, MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
};

static void bitmap_allow(u8 *bitmap, u32 msr, bool write)
{
	u32 base, bit;

	if (msr <= MSR_LOW_LAST) {
		base = write ? MSR_BITMAP_WRITE_LOW : MSR_BITMAP_READ_LOW;
		bit = msr;
	} else if (msr >= MSR_HIGH_FIRST && msr <= MSR_HIGH_LAST) {
		base = write ? MSR_BITMAP_WRITE_HIGH : MSR_BITMAP_READ_HIGH;
		bit = msr - MSR_HIGH_FIRST;
	} else {
		return; /* outside the bitmap: always intercepted */
	}
	bitmap[base + bit / 8] &= (u8)~(1u << (bit % 8));
}

void vmx_msr_bitmap_init(u8 *bitmap)
{
	memset(bitmap, 0xFF, PAGE_SIZE);
	for (size_t i = 0; i < ARRAY_SIZE(passthrough_rw); i++) {
		bitmap_allow(bitmap, passthrough_rw[i], false);
		bitmap_allow(bitmap, passthrough_rw[i], true);
	}
	for (size_t i = 0; i < ARRAY_SIZE(passthrough_read); i++)
		bitmap_allow(bitmap, passthrough_read[i], false);
}

void vmx_lazy_msrs_switch(struct vcpu *v)
{
	struct vmx_cpu *c = vmx_this_cpu();
	struct vmx_vcpu *x = to_vmx(v);

	if (c->msr_owner == v)
		return;
	if (c->msr_owner) {
		struct vmx_vcpu *old = to_vmx(c->msr_owner);

		for (int i = 0; i < NR_LAZY_MSRS; i++)
			old->lazy_msr[i] = rdmsr(vmx_lazy_msr_index[i]);
	}
	for (int i = 0; i < NR_LAZY_MSRS; i++)
		wrmsr(vmx_lazy_msr_index[i], x->lazy_msr[i]);
	c->msr_owner = v;
}

static int lazy_slot(u32 index)
{
	for (int i = 0; i < NR_LAZY_MSRS; i++)
		if (vmx_lazy_msr_index[i] == index)
			return i;
	return -1;
}

static bool canonical(u64 va)
{
	s64 s = (s64)(va << (64 - CANONICAL_BITS)) >> (64 - CANONICAL_BITS);

	return (u64)s == va;
}

/* VMCS field holding 'index', or 0. */
static u32 vmcs_msr_field(u32 index)
{
	switch (index) {
	case MSR_IA32_PAT: return VMCS_GUEST_PAT;
	case MSR_IA32_DEBUGCTL: return VMCS_GUEST_DEBUGCTL;
	case MSR_IA32_SYSENTER_CS: return VMCS_GUEST_SYSENTER_CS;
	case MSR_IA32_SYSENTER_ESP: return VMCS_GUEST_SYSENTER_ESP;
	case MSR_IA32_SYSENTER_EIP: return VMCS_GUEST_SYSENTER_EIP;
	case MSR_FS_BASE: return VMCS_GUEST_FS_BASE;
	case MSR_GS_BASE: return VMCS_GUEST_GS_BASE;
	default: return 0;
	}
}

bool vmx_get_msr(struct vcpu *v, u32 index, u64 *value)
{
	struct vmx_vcpu *x = to_vmx(v);
	u32 field = vmcs_msr_field(index);
	int slot = lazy_slot(index);

	if (index == MSR_EFER) {
		*value = vmx_get_efer(v);
		return true;
	}
	if (slot >= 0) {
		*value = vmx_this_cpu()->msr_owner == v ? rdmsr(index) : x->lazy_msr[slot];
		return true;
	}
	if (!field || !vmx_access_begin(x))
		return false;
	*value = vmcs_read(field);
	vmx_access_end(x);
	return true;
}

bool vmx_set_msr(struct vcpu *v, u32 index, u64 value)
{
	struct vmx_vcpu *x = to_vmx(v);
	u32 field = vmcs_msr_field(index);
	int slot = lazy_slot(index);

	if (index == MSR_EFER) {
		vmx_set_efer(v, value);
		return true;
	}
	if (slot >= 0) {
		if (slot != LAZY_STAR && slot != LAZY_SFMASK && !canonical(value))
			return false;
		if (vmx_this_cpu()->msr_owner == v)
			wrmsr(index, value);
		else
			x->lazy_msr[slot] = value;
		return true;
	}
	if (!field)
		return false;
	if ((index == MSR_FS_BASE || index == MSR_GS_BASE || index == MSR_IA32_SYSENTER_ESP ||
	     index == MSR_IA32_SYSENTER_EIP) && !canonical(value))
		return false;
	if (!vmx_access_begin(x))
		return false;
	vmcs_write(field, value);
	vmx_access_end(x);
	return true;
}
