/* SPDX-License-Identifier: MIT */
/* Model-specific register indices, their bits, and RDMSR/WRMSR. */
#ifndef TERN_ARCH_X86_MSR_H
#define TERN_ARCH_X86_MSR_H

#include "lib/types.h"

#define MSR_IA32_APIC_BASE 0x0000001B
#define APIC_BASE_BSP BIT(8)
#define APIC_BASE_X2APIC_ENABLE BIT(10)
#define APIC_BASE_GLOBAL_ENABLE BIT(11)
#define APIC_BASE_ADDR_MASK GENMASK(51, 12)

#define MSR_IA32_FEATURE_CONTROL 0x0000003A
#define FEATURE_CONTROL_LOCKED BIT(0)
#define FEATURE_CONTROL_VMX_IN_SMX BIT(1)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX BIT(2)

#define MSR_IA32_TSC 0x00000010
#define MSR_PLATFORM_ID 0x00000017
#define MSR_BIOS_SIGN_ID 0x0000008B
#define MSR_MTRRCAP 0x000000FE
#define MSR_IA32_SYSENTER_CS 0x00000174
#define MSR_IA32_SYSENTER_ESP 0x00000175
#define MSR_IA32_SYSENTER_EIP 0x00000176
#define MSR_MCG_CAP 0x00000179
#define MSR_MCG_STATUS 0x0000017A
#define MSR_MISC_ENABLE 0x000001A0
#define MSR_IA32_DEBUGCTL 0x000001D9
#define MSR_MTRR_DEF_TYPE 0x000002FF
#define MSR_PLATFORM_INFO 0x000000CE
#define MSR_IA32_PAT 0x00000277
#define MSR_IA32_VMX_BASIC 0x00000480

#define MSR_EFER 0xC0000080
#define EFER_SCE BIT(0)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)
#define EFER_SVME BIT(12)

#define MSR_STAR 0xC0000081
#define MSR_LSTAR 0xC0000082
#define MSR_CSTAR 0xC0000083
#define MSR_SFMASK 0xC0000084
#define MSR_FS_BASE 0xC0000100
#define MSR_GS_BASE 0xC0000101
#define MSR_KERNEL_GS_BASE 0xC0000102
#define MSR_TSC_AUX 0xC0000103

#define MSR_VM_CR 0xC0010114
#define VM_CR_SVMDIS BIT(4)
#define MSR_VM_HSAVE_PA 0xC0010117

/* x2APIC registers live at 0x800 + (xAPIC offset >> 4). */
#define MSR_X2APIC_BASE 0x00000800

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

#endif
