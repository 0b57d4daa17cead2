/* SPDX-License-Identifier: MIT */
/*
 * VMCS field encodings (SDM Vol. 3C appendix B) and the VMREAD/VMWRITE,
 * VMCLEAR and VMPTRLD wrappers. An encoding's bits 14:13 give the width
 * (16-bit, 64-bit, 32-bit, natural) and bits 11:10 the class (control,
 * read-only exit information, guest state, host state). The accessors are
 * inline because the exit path uses a dozen of them per exit; a failing
 * VMREAD/VMWRITE (no current VMCS, bad encoding, read-only field) is
 * reported out of line and never silently ignored.
 */
#ifndef TERN_ARCH_X86_VMX_VMCS_H
#define TERN_ARCH_X86_VMX_VMCS_H

#include "lib/types.h"

/* ---- 16-bit fields ---- */
#define VMCS_VPID 0x0000
#define VMCS_POSTED_INTR_NV 0x0002
#define VMCS_EPTP_INDEX 0x0004
#define VMCS_GUEST_ES_SEL 0x0800
#define VMCS_GUEST_CS_SEL 0x0802
#define VMCS_GUEST_SS_SEL 0x0804
#define VMCS_GUEST_DS_SEL 0x0806
#define VMCS_GUEST_FS_SEL 0x0808
#define VMCS_GUEST_GS_SEL 0x080A
#define VMCS_GUEST_LDTR_SEL 0x080C
#define VMCS_GUEST_TR_SEL 0x080E
#define VMCS_GUEST_INTR_STATUS 0x0810
#define VMCS_GUEST_PML_INDEX 0x0812
#define VMCS_HOST_ES_SEL 0x0C00
#define VMCS_HOST_CS_SEL 0x0C02
#define VMCS_HOST_SS_SEL 0x0C04
#define VMCS_HOST_DS_SEL 0x0C06
#define VMCS_HOST_FS_SEL 0x0C08
#define VMCS_HOST_GS_SEL 0x0C0A
#define VMCS_HOST_TR_SEL 0x0C0C

/* ---- 64-bit fields ---- */
#define VMCS_IO_BITMAP_A 0x2000
#define VMCS_IO_BITMAP_B 0x2002
#define VMCS_MSR_BITMAP 0x2004
#define VMCS_EXIT_MSR_STORE_ADDR 0x2006
#define VMCS_EXIT_MSR_LOAD_ADDR 0x2008
#define VMCS_ENTRY_MSR_LOAD_ADDR 0x200A
#define VMCS_EXECUTIVE_VMCS_PTR 0x200C
#define VMCS_PML_ADDR 0x200E
#define VMCS_TSC_OFFSET 0x2010
#define VMCS_VIRTUAL_APIC_ADDR 0x2012
#define VMCS_APIC_ACCESS_ADDR 0x2014
#define VMCS_POSTED_INTR_DESC 0x2016
#define VMCS_VMFUNC_CONTROLS 0x2018
#define VMCS_EPT_POINTER 0x201A
#define VMCS_EOI_EXIT_BITMAP0 0x201C
#define VMCS_EPTP_LIST_ADDR 0x2024
#define VMCS_VMREAD_BITMAP 0x2026
#define VMCS_VMWRITE_BITMAP 0x2028
#define VMCS_XSS_EXIT_BITMAP 0x202C
#define VMCS_TSC_MULTIPLIER 0x2032
#define VMCS_GUEST_PHYS_ADDR 0x2400 /* read-only */
#define VMCS_LINK_POINTER 0x2800
#define VMCS_GUEST_DEBUGCTL 0x2802
#define VMCS_GUEST_PAT 0x2804
#define VMCS_GUEST_EFER 0x2806
#define VMCS_GUEST_PERF_GLOBAL_CTRL 0x2808
#define VMCS_GUEST_PDPTE0 0x280A /* PDPTE n at 0x280A + 2n */
#define VMCS_GUEST_BNDCFGS 0x2812
#define VMCS_HOST_PAT 0x2C00
#define VMCS_HOST_EFER 0x2C02
#define VMCS_HOST_PERF_GLOBAL_CTRL 0x2C04

/* ---- 32-bit fields ---- */
#define VMCS_PIN_CTLS 0x4000
#define VMCS_PROC_CTLS 0x4002
#define VMCS_EXCEPTION_BITMAP 0x4004
#define VMCS_PF_ERROR_MASK 0x4006
#define VMCS_PF_ERROR_MATCH 0x4008
#define VMCS_CR3_TARGET_COUNT 0x400A
#define VMCS_EXIT_CTLS 0x400C
#define VMCS_EXIT_MSR_STORE_COUNT 0x400E
#define VMCS_EXIT_MSR_LOAD_COUNT 0x4010
#define VMCS_ENTRY_CTLS 0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT 0x4014
#define VMCS_ENTRY_INTR_INFO 0x4016
#define VMCS_ENTRY_EXC_ERROR 0x4018
#define VMCS_ENTRY_INSN_LEN 0x401A
#define VMCS_TPR_THRESHOLD 0x401C
#define VMCS_PROC_CTLS2 0x401E
#define VMCS_PLE_GAP 0x4020
#define VMCS_PLE_WINDOW 0x4022
#define VMCS_INSN_ERROR 0x4400 /* read-only from here to 0x440E */
#define VMCS_EXIT_REASON 0x4402
#define VMCS_EXIT_INTR_INFO 0x4404
#define VMCS_EXIT_INTR_ERROR 0x4406
#define VMCS_IDT_VECTORING_INFO 0x4408
#define VMCS_IDT_VECTORING_ERROR 0x440A
#define VMCS_EXIT_INSN_LEN 0x440C
#define VMCS_EXIT_INSN_INFO 0x440E
#define VMCS_GUEST_ES_LIMIT 0x4800
#define VMCS_GUEST_CS_LIMIT 0x4802
#define VMCS_GUEST_SS_LIMIT 0x4804
#define VMCS_GUEST_DS_LIMIT 0x4806
#define VMCS_GUEST_FS_LIMIT 0x4808
#define VMCS_GUEST_GS_LIMIT 0x480A
#define VMCS_GUEST_LDTR_LIMIT 0x480C
#define VMCS_GUEST_TR_LIMIT 0x480E
#define VMCS_GUEST_GDTR_LIMIT 0x4810
#define VMCS_GUEST_IDTR_LIMIT 0x4812
#define VMCS_GUEST_ES_AR 0x4814
#define VMCS_GUEST_CS_AR 0x4816
#define VMCS_GUEST_SS_AR 0x4818
#define VMCS_GUEST_DS_AR 0x481A
#define VMCS_GUEST_FS_AR 0x481C
#define VMCS_GUEST_GS_AR 0x481E
#define VMCS_GUEST_LDTR_AR 0x4820
#define VMCS_GUEST_TR_AR 0x4822
#define VMCS_GUEST_INTERRUPTIBILITY 0x4824
#define VMCS_GUEST_ACTIVITY_STATE 0x4826
#define VMCS_GUEST_SMBASE 0x4828
#define VMCS_GUEST_SYSENTER_CS 0x482A
#define VMCS_PREEMPTION_TIMER 0x482E
#define VMCS_HOST_SYSENTER_CS 0x4C00

/* ---- natural-width fields ---- */
#define VMCS_CR0_MASK 0x6000
#define VMCS_CR4_MASK 0x6002
#define VMCS_CR0_READ_SHADOW 0x6004
#define VMCS_CR4_READ_SHADOW 0x6006
#define VMCS_CR3_TARGET0 0x6008
#define VMCS_EXIT_QUAL 0x6400 /* read-only */
#define VMCS_IO_RCX 0x6402
#define VMCS_IO_RSI 0x6404
#define VMCS_IO_RDI 0x6406
#define VMCS_IO_RIP 0x6408
#define VMCS_GUEST_LINEAR_ADDR 0x640A
#define VMCS_GUEST_CR0 0x6800
#define VMCS_GUEST_CR3 0x6802
#define VMCS_GUEST_CR4 0x6804
#define VMCS_GUEST_ES_BASE 0x6806
#define VMCS_GUEST_CS_BASE 0x6808
#define VMCS_GUEST_SS_BASE 0x680A
#define VMCS_GUEST_DS_BASE 0x680C
#define VMCS_GUEST_FS_BASE 0x680E
#define VMCS_GUEST_GS_BASE 0x6810
#define VMCS_GUEST_LDTR_BASE 0x6812
#define VMCS_GUEST_TR_BASE 0x6814
#define VMCS_GUEST_GDTR_BASE 0x6816
#define VMCS_GUEST_IDTR_BASE 0x6818
#define VMCS_GUEST_DR7 0x681A
#define VMCS_GUEST_RSP 0x681C
#define VMCS_GUEST_RIP 0x681E
#define VMCS_GUEST_RFLAGS 0x6820
#define VMCS_GUEST_PENDING_DBG 0x6822
#define VMCS_GUEST_SYSENTER_ESP 0x6824
#define VMCS_GUEST_SYSENTER_EIP 0x6826
#define VMCS_HOST_CR0 0x6C00
#define VMCS_HOST_CR3 0x6C02
#define VMCS_HOST_CR4 0x6C04
#define VMCS_HOST_FS_BASE 0x6C06
#define VMCS_HOST_GS_BASE 0x6C08
#define VMCS_HOST_TR_BASE 0x6C0A
#define VMCS_HOST_GDTR_BASE 0x6C0C
#define VMCS_HOST_IDTR_BASE 0x6C0E
#define VMCS_HOST_SYSENTER_ESP 0x6C10
#define VMCS_HOST_SYSENTER_EIP 0x6C12
#define VMCS_HOST_RSP 0x6C14
#define VMCS_HOST_RIP 0x6C16

/*
 * Per-segment fields are laid out with a stride of 2 in the order of enum seg
 * (ES, CS, SS, DS, FS, GS, LDTR, TR), which is the VMX order.
 */
#define VMCS_SEG_STRIDE 2
#define VMCS_GUEST_SEL(s) (VMCS_GUEST_ES_SEL + (s) * VMCS_SEG_STRIDE)
#define VMCS_GUEST_LIMIT(s) (VMCS_GUEST_ES_LIMIT + (s) * VMCS_SEG_STRIDE)
#define VMCS_GUEST_AR(s) (VMCS_GUEST_ES_AR + (s) * VMCS_SEG_STRIDE)
#define VMCS_GUEST_BASE(s) (VMCS_GUEST_ES_BASE + (s) * VMCS_SEG_STRIDE)
#define VMCS_GUEST_PDPTE(n) (VMCS_GUEST_PDPTE0 + (n) * VMCS_SEG_STRIDE)

/* VMCS region header (SDM 24.2): revision in bits 30:0 of the first dword. */
#define VMCS_REVISION_MASK GENMASK(30, 0)

void vmcs_read_failed(u32 field);
void vmcs_write_failed(u32 field, u64 value);

static inline u64 vmcs_read(u32 field)
{
	u64 value;
	bool fail;

	asm volatile("vmread %[f], %[v]" : [v] "=r"(value), "=@ccbe"(fail) : [f] "r"((u64)field)
		     : "memory");
	if (unlikely(fail))
		vmcs_read_failed(field);
	return value;
}

static inline u32 vmcs_read32(u32 field)
{
	return (u32)vmcs_read(field);
}

static inline void vmcs_write(u32 field, u64 value)
{
	bool fail;

	asm volatile("vmwrite %[v], %[f]" : "=@ccbe"(fail) : [f] "r"((u64)field), [v] "r"(value)
		     : "memory");
	if (unlikely(fail))
		vmcs_write_failed(field, value);
}

static inline void vmcs_set_bits(u32 field, u64 bits)
{
	vmcs_write(field, vmcs_read(field) | bits);
}

static inline void vmcs_clear_bits(u32 field, u64 bits)
{
	vmcs_write(field, vmcs_read(field) & ~bits);
}

/* 0, or -E_INVAL when the instruction failed (VMfailInvalid / VMfailValid). */
int vmcs_clear(paddr_t pa);
int vmcs_load(paddr_t pa);
/* Physical address of the current VMCS, ~0 when there is none. */
paddr_t vmcs_current(void);
/* Fill a fresh VMCS region: revision id, abort indicator 0. */
void vmcs_region_init(void *va, u32 revision);

#endif
