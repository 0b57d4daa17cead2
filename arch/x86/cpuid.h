/* SPDX-License-Identifier: MIT */
/* CPUID leaves and the feature bits Tern looks at, each a named constant. */
#ifndef TERN_ARCH_X86_CPUID_H
#define TERN_ARCH_X86_CPUID_H

#include "lib/types.h"

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid_count(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;

	asm volatile("cpuid"
		     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "a"(leaf), "c"(subleaf));
	return r;
}

static inline struct cpuid_regs cpuid(u32 leaf)
{
	return cpuid_count(leaf, 0);
}

#define CPUID_LEAF_VENDOR 0x00000000
#define CPUID_LEAF_FEATURES 0x00000001
#define CPUID_LEAF_EXT_FEATURES 0x00000007
#define CPUID_LEAF_TSC_FREQ 0x00000015
#define CPUID_LEAF_CPU_FREQ 0x00000016
#define CPUID_LEAF_HYPERVISOR 0x40000000
#define CPUID_LEAF_EXT_MAX 0x80000000
#define CPUID_LEAF_EXT_FEAT 0x80000001
#define CPUID_LEAF_BRAND0 0x80000002
#define CPUID_LEAF_POWER 0x80000007
#define CPUID_LEAF_ADDR_SIZES 0x80000008
#define CPUID_LEAF_SVM 0x8000000A

/* Leaf 1 ECX */
#define CPUID_1_ECX_VMX BIT(5)
#define CPUID_1_ECX_X2APIC BIT(21)
#define CPUID_1_ECX_TSC_DEADLINE BIT(24)
#define CPUID_1_ECX_XSAVE BIT(26)
#define CPUID_1_ECX_HYPERVISOR BIT(31)
/* Leaf 1 EDX */
#define CPUID_1_EDX_TSC BIT(4)
#define CPUID_1_EDX_MSR BIT(5)
#define CPUID_1_EDX_APIC BIT(9)
#define CPUID_1_EDX_PGE BIT(13)
/* Leaf 1 EBX: initial APIC ID in bits 31:24 */
#define CPUID_1_EBX_APIC_ID_SHIFT 24
/* Leaf 0x80000001 */
#define CPUID_EXT_ECX_SVM BIT(2)
#define CPUID_EXT_EDX_NX BIT(20)
#define CPUID_EXT_EDX_PAGE1G BIT(26)
#define CPUID_EXT_EDX_RDTSCP BIT(27)
#define CPUID_EXT_EDX_LM BIT(29)
/* Leaf 0x80000007 EDX */
#define CPUID_POWER_EDX_INVARIANT_TSC BIT(8)
/* Leaf 0x8000000A EDX */
#define CPUID_SVM_EDX_NPT BIT(0)
#define CPUID_SVM_EDX_NRIPS BIT(3)

static inline bool cpu_has(u32 leaf, int reg, u32 bit)
{
	struct cpuid_regs r = cpuid(leaf);
	u32 v = reg == 0 ? r.eax : reg == 1 ? r.ebx : reg == 2 ? r.ecx : r.edx;

	return v & bit;
}

enum { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

#endif
