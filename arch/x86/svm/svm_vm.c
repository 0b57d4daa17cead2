/* SPDX-License-Identifier: MIT */
/*
 * Per-VM SVM state: the I/O and MSR permission maps every vCPU of the VM
 * points its VMCB at.
 *
 * IOPM: every port intercepted (all 12 KiB of bits set); common code owns all
 * I/O. MSRPM: everything intercepted except the MSRs whose guest values live
 * in the VMCB and that VMLOAD/VMSAVE switch around VMRUN, so the hardware
 * already keeps the guest's and the host's apart:
 *   STAR, LSTAR, CSTAR, SFMASK, SYSENTER_CS, SYSENTER_ESP, SYSENTER_EIP,
 *   and for reads only FS_BASE, GS_BASE, KERNEL_GS_BASE (writes exit so
 *   non-canonical values get #GP even where the CPU would not check).
 * EFER and PAT stay intercepted: EFER.SVME must be hidden, and an invalid
 * guest PAT would make VMRUN fail, so common code validates both.
 */
#include "arch/x86/msr.h"
#include "arch/x86/svm/svm_internal.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/objcache.h"
#include "virt/vm.h"

/* The MSRPM holds three ranges of 8K MSRs, two bits (read, write) each. */
#define MSRPM_RANGE_MSRS   0x2000u
#define MSRPM_RANGE_BYTES  (MSRPM_RANGE_MSRS * 2 / 8)
#define MSRPM_BITS_PER_MSR 2
#define MSRPM_READ_BIT	   0
#define MSRPM_WRITE_BIT	   1
#define BITS_PER_BYTE	   8

static const u32 msrpm_range_base[] = {0x00000000, 0xC0000000, 0xC0010000};

/*
 * Read and write. The segment-base MSRs are passed through for reads only:
 * their writes exit so common code can refuse non-canonical values with #GP.
 */
static const u32 svm_passthrough_msrs[] = {
	MSR_STAR,
	MSR_LSTAR,
	MSR_CSTAR,
	MSR_SFMASK,
	MSR_IA32_SYSENTER_CS,
	MSR_IA32_SYSENTER_ESP,
	MSR_IA32_SYSENTER_EIP,
};

/* Bit offset of 'msr' in the MSRPM, or -1 when outside (always intercepted). */
static s64 msrpm_bit(u32 msr)
{
	for (u32 i = 0; i < ARRAY_SIZE(msrpm_range_base); i++) {
		u32 off = msr - msrpm_range_base[i];

		if (msr >= msrpm_range_base[i] && off < MSRPM_RANGE_MSRS)
			return (s64)i * MSRPM_RANGE_BYTES * BITS_PER_BYTE +
			       (s64)off * MSRPM_BITS_PER_MSR;
	}
	return -1;
}

static const u32 svm_passthrough_read_msrs[] = {
	MSR_FS_BASE,
	MSR_GS_BASE,
	MSR_KERNEL_GS_BASE,
};

static void msrpm_allow(u8 *msrpm, u32 msr, bool write_too)
{
	s64 bit = msrpm_bit(msr);
	u8 clear;

	if (bit < 0)
		return;
	clear = (u8)(1u << (bit % BITS_PER_BYTE + MSRPM_READ_BIT));
	if (write_too)
		clear |= (u8)(1u << (bit % BITS_PER_BYTE + MSRPM_WRITE_BIT));
	msrpm[bit / BITS_PER_BYTE] &= (u8)~clear;
}

bool svm_msr_intercepted(const struct vm *vm, u32 msr)
{
	const struct svm_vm *s = vm->arch;
	const u8 *msrpm = s->msrpm;
	s64 bit = msrpm_bit(msr);

	if (bit < 0)
		return true;
	return (msrpm[bit / BITS_PER_BYTE] >> (bit % BITS_PER_BYTE)) & 3;
}

int svm_vm_init(struct vm *vm)
{
	struct svm_vm *s = kzalloc(sizeof(*s));

	if (!s)
		return -E_NOMEM;
	s->iopm = page_alloc_zeroed_virt(SVM_IOPM_ORDER);
	s->msrpm = page_alloc_zeroed_virt(SVM_MSRPM_ORDER);
	if (!s->iopm || !s->msrpm) {
		if (s->iopm)
			page_free_virt(s->iopm, SVM_IOPM_ORDER);
		if (s->msrpm)
			page_free_virt(s->msrpm, SVM_MSRPM_ORDER);
		kfree(s);
		return -E_NOMEM;
	}
	/* The whole blocks, so the bits past the architectural sizes are set too. */
	memset(s->iopm, 0xFF, PAGE_SIZE << SVM_IOPM_ORDER);
	memset(s->msrpm, 0xFF, PAGE_SIZE << SVM_MSRPM_ORDER);
	for (u32 i = 0; i < ARRAY_SIZE(svm_passthrough_msrs); i++)
		msrpm_allow(s->msrpm, svm_passthrough_msrs[i], true);
	for (u32 i = 0; i < ARRAY_SIZE(svm_passthrough_read_msrs); i++)
		msrpm_allow(s->msrpm, svm_passthrough_read_msrs[i], false);
	vm->arch = s;
	return 0;
}

void svm_vm_destroy(struct vm *vm)
{
	struct svm_vm *s = vm->arch;

	if (!s)
		return;
	page_free_virt(s->iopm, SVM_IOPM_ORDER);
	page_free_virt(s->msrpm, SVM_MSRPM_ORDER);
	kfree(s);
	vm->arch = NULL;
}
