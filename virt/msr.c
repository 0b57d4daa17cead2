/* SPDX-License-Identifier: MIT */
/*
 * Guest RDMSR/WRMSR. A defined set is emulated here or kept in the vendor
 * control block (through virt_ops get_msr/set_msr); every other index gives
 * the guest #GP. Base-address MSRs must hold canonical addresses.
 */
#include "virt/msr.h"

#include "arch/x86/cpuid.h"
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "kernel/percpu.h"
#include "virt/dev/lapic_stub.h"
#include "virt/virt_ops.h"
#include "virt/vm.h"


#define FEATURE_CONTROL_GUEST FEATURE_CONTROL_LOCKED /* locked, VMX off */
#define MISC_ENABLE_FAST_STRINGS BIT(0)
#define MTRR_DEF_TYPE_VALID_MASK (GENMASK(7, 0) | BIT(10) | BIT(11))
#define PAT_TYPE_MASK 0x7ull
#define EFER_GUEST_BITS (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)

/* The hardware TSC_AUX each CPU holds: RDTSCP is not intercepted. */
static u64 live_tsc_aux[MAX_CPUS];

static bool has_rdtscp(void)
{
	static int cached = -1; /* CPUID is slow: ask once */

	if (unlikely(cached < 0))
		cached = cpu_has(CPUID_LEAF_EXT_FEAT, CPUID_EDX, CPUID_EXT_EDX_RDTSCP);
	return cached;
}

void msr_load_guest_state(struct vcpu *v)
{
	u64 *live = &live_tsc_aux[this_cpu_id()];

	if (*live != v->msr_tsc_aux && has_rdtscp()) {
		wrmsr(MSR_TSC_AUX, v->msr_tsc_aux);
		*live = v->msr_tsc_aux;
	}
}

static bool canonical_msr(u32 index)
{
	switch (index) {
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_KERNEL_GS_BASE:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		return true;
	default:
		return false;
	}
}

/* Each PAT byte must name a valid memory type: UC, WC, WT, WP, WB, UC-. */
static bool pat_valid(u64 pat)
{
	for (int i = 0; i < 8; i++) {
		u64 type = (pat >> (8 * i)) & 0xFF;

		if (type > PAT_TYPE_MASK || type == 2 || type == 3)
			return false;
	}
	return true;
}

static int write_efer(struct vcpu *v, u64 val)
{
	u64 old = virt_ops.get_efer(v);
	u64 allowed = EFER_GUEST_BITS;

	if (!cpu_has(CPUID_LEAF_EXT_FEAT, CPUID_EDX, CPUID_EXT_EDX_NX))
		allowed &= ~EFER_NXE;
	if (val & ~allowed)
		return -E_INVAL;
	/* LME cannot change while paging is on; LMA follows the hardware. */
	if ((virt_ops.get_cr(v, 0) & CR0_PG) && ((val ^ old) & EFER_LME))
		return -E_INVAL;
	virt_ops.set_efer(v, (val & ~EFER_LMA) | (old & EFER_LMA));
	return 0;
}

int guest_rdmsr(struct vcpu *v, u32 index, u64 *val)
{
	switch (index) {
	case MSR_IA32_TSC:
		*val = rdtsc() + v->tsc_offset;
		return 0;
	case MSR_IA32_APIC_BASE:
		*val = lapic_stub_apic_base(v);
		return 0;
	case MSR_IA32_FEATURE_CONTROL:
		*val = FEATURE_CONTROL_GUEST;
		return 0;
	case MSR_PLATFORM_ID:
	case MSR_BIOS_SIGN_ID:
	case MSR_MTRRCAP:
	case MSR_MCG_CAP:
	case MSR_MCG_STATUS:
		*val = 0;
		return 0;
	case MSR_MTRR_DEF_TYPE:
		*val = v->msr_mtrr_def_type;
		return 0;
	case MSR_MISC_ENABLE:
		*val = v->msr_misc_enable;
		return 0;
	case MSR_EFER:
		*val = virt_ops.get_efer(v);
		return 0;
	case MSR_TSC_AUX:
		if (!has_rdtscp())
			return -E_NOENT;
		*val = v->msr_tsc_aux;
		return 0;
	}
	return virt_ops.get_msr(v, index, val) ? 0 : -E_NOENT;
}

int guest_wrmsr(struct vcpu *v, u32 index, u64 val)
{
	if (canonical_msr(index) && !is_canonical(val))
		return -E_INVAL;
	switch (index) {
	case MSR_IA32_TSC:
		v->tsc_offset = val - rdtsc();
		virt_ops.set_tsc_offset(v, v->tsc_offset);
		return 0;
	case MSR_IA32_APIC_BASE:
		return lapic_stub_set_apic_base(v, val);
	case MSR_BIOS_SIGN_ID: /* microcode update probes: ignored */
	case MSR_MCG_STATUS:
		return val ? -E_INVAL : 0;
	case MSR_MTRR_DEF_TYPE:
		if (val & ~MTRR_DEF_TYPE_VALID_MASK)
			return -E_INVAL;
		v->msr_mtrr_def_type = val;
		return 0;
	case MSR_MISC_ENABLE:
		v->msr_misc_enable = val;
		return 0;
	case MSR_EFER:
		return write_efer(v, val);
	case MSR_TSC_AUX:
		if (!has_rdtscp() || (val >> 32))
			return -E_INVAL;
		v->msr_tsc_aux = val;
		return 0;
	case MSR_IA32_PAT:
		if (!pat_valid(val))
			return -E_INVAL;
		break;
	}
	return virt_ops.set_msr(v, index, val) ? 0 : -E_NOENT;
}

int handle_msr(struct vcpu *v, bool write)
{
	u32 index = (u32)v->gpr[GPR_RCX];
	u64 val;

	if (write) {
		val = (v->gpr[GPR_RDX] << 32) | (u32)v->gpr[GPR_RAX];
		if (guest_wrmsr(v, index, val)) {
			vcpu_inject_gp(v);
			return 0;
		}
	} else {
		if (guest_rdmsr(v, index, &val)) {
			vcpu_inject_gp(v);
			return 0;
		}
		v->gpr[GPR_RAX] = (u32)val;
		v->gpr[GPR_RDX] = val >> 32;
	}
	return vcpu_skip_instruction(v);
}

void msr_vcpu_reset(struct vcpu *v)
{
	v->msr_misc_enable = MISC_ENABLE_FAST_STRINGS;
	v->msr_mtrr_def_type = 0;
}
