/* SPDX-License-Identifier: MIT */
/*
 * The CPUID a guest sees: the host's, curated. Everything Tern does not
 * virtualize is hidden (VMX, SVM, x2APIC, TSC-deadline, the PMU, LA57,
 * MONITOR/MWAIT, speculation-control MSRs), the hypervisor bit is set and
 * leaf 0x40000000 names Tern. Topology says one thread per core.
 */
#include "virt/cpuid.h"

#include "arch/x86/cpuid.h"
#include "arch/x86/cr.h"
#include "lib/string.h"
#include "virt/virt_ops.h"
#include "virt/vm.h"

#define TERN_CPUID_SIGNATURE "TernTernTern"
#define TERN_CPUID_MAX_LEAF 0x40000001

#define CPUID_1_ECX_MONITOR BIT(3)
#define CPUID_1_ECX_DS_CPL BIT(4)
#define CPUID_1_ECX_SMX BIT(6)
#define CPUID_1_ECX_EST BIT(7)
#define CPUID_1_ECX_TM2 BIT(8)
#define CPUID_1_ECX_PDCM BIT(15)
#define CPUID_1_ECX_OSXSAVE BIT(27)
#define CPUID_1_EDX_DS BIT(21)
#define CPUID_1_EDX_ACPI BIT(22)
#define CPUID_1_EDX_TM BIT(29)
#define CPUID_1_EDX_PBE BIT(31)
#define CPUID_1_EDX_HTT BIT(28)
#define CPUID_1_EBX_LOGICAL_SHIFT 16
#define CPUID_1_EBX_LOW_MASK 0xFFFFu /* brand index, CLFLUSH size */
#define CPUID_7_ECX_LA57 BIT(16)
#define CPUID_7_ECX_WAITPKG BIT(5)
#define CPUID_7_EBX_HLE BIT(4)
#define CPUID_7_EBX_RTM BIT(11)
#define CPUID_7_EBX_INVPCID BIT(10)
#define CPUID_7_EBX_PQM BIT(12)
#define CPUID_7_EBX_PQE BIT(15)
#define CPUID_7_EBX_INTEL_PT BIT(25)
#define CPUID_7_EDX_SPEC_CTRL BIT(26)
#define CPUID_7_EDX_STIBP BIT(27)
#define CPUID_7_EDX_FLUSH_L1D BIT(28)
#define CPUID_7_EDX_ARCH_CAP BIT(29)
#define CPUID_7_EDX_CORE_CAP BIT(30)
#define CPUID_7_EDX_SSBD BIT(31)
#define CPUID_EXT_ECX_SKINIT BIT(12)
#define CPUID_EXT_ECX_WDT BIT(13)
#define CPUID_EXT_ECX_PERFCTR_CORE BIT(23)
#define CPUID_EXT_ECX_MWAITX BIT(29)
#define CPUID_EXT_EDX_PAGE1G_BIT CPUID_EXT_EDX_PAGE1G
#define CPUID_LEAF_PMU 0x0000000A
#define CPUID_LEAF_TOPOLOGY 0x0000000B
#define CPUID_LEAF_TOPOLOGY_V2 0x0000001F
#define CPUID_LEAF_MONITOR 0x00000005
#define CPUID_LEAF_THERMAL 0x00000006
#define CPUID_LEAF_BASIC_LIMIT 0x0000000D /* leaves past XSAVE are not offered */
#define CPUID_LEAF_EXT_LIMIT 0x80000008

static void tern_leaf(u32 leaf, struct cpuid_regs *r)
{
	memset(r, 0, sizeof(*r));
	if (leaf == CPUID_LEAF_HYPERVISOR) {
		r->eax = TERN_CPUID_MAX_LEAF;
		memcpy(&r->ebx, TERN_CPUID_SIGNATURE, 4);
		memcpy(&r->ecx, TERN_CPUID_SIGNATURE + 4, 4);
		memcpy(&r->edx, TERN_CPUID_SIGNATURE + 8, 4);
	}
}

static void curate_basic(struct vcpu *v, u32 leaf, u32 subleaf, struct cpuid_regs *r)
{
	switch (leaf) {
	case CPUID_LEAF_VENDOR:
		r->eax = MIN(r->eax, CPUID_LEAF_BASIC_LIMIT);
		break;
	case CPUID_LEAF_FEATURES:
		r->ecx &= ~(CPUID_1_ECX_VMX | CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE |
			    CPUID_1_ECX_MONITOR | CPUID_1_ECX_DS_CPL | CPUID_1_ECX_SMX |
			    CPUID_1_ECX_EST | CPUID_1_ECX_TM2 | CPUID_1_ECX_PDCM);
		r->ecx |= CPUID_1_ECX_HYPERVISOR;
		/* OSXSAVE mirrors the guest's CR4, not Tern's. */
		r->ecx &= ~CPUID_1_ECX_OSXSAVE;
		if (virt_ops.get_cr(v, 4) & CR4_OSXSAVE)
			r->ecx |= CPUID_1_ECX_OSXSAVE;
		r->edx &= ~(CPUID_1_EDX_DS | CPUID_1_EDX_ACPI | CPUID_1_EDX_TM | CPUID_1_EDX_PBE);
		r->edx |= CPUID_1_EDX_HTT;
		r->ebx = (r->ebx & CPUID_1_EBX_LOW_MASK) |
			 (v->vm->nr_vcpus << CPUID_1_EBX_LOGICAL_SHIFT) |
			 (v->id << CPUID_1_EBX_APIC_ID_SHIFT);
		break;
	case CPUID_LEAF_EXT_FEATURES:
		if (subleaf == 0) { /* only subleaf 0 is offered */
			r->eax = 0;
			r->ebx &= ~(CPUID_7_EBX_HLE | CPUID_7_EBX_RTM | CPUID_7_EBX_PQM |
				    CPUID_7_EBX_PQE | CPUID_7_EBX_INTEL_PT | CPUID_7_EBX_INVPCID);
			r->ecx &= ~(CPUID_7_ECX_LA57 | CPUID_7_ECX_WAITPKG);
			r->edx &= ~(CPUID_7_EDX_SPEC_CTRL | CPUID_7_EDX_STIBP |
				    CPUID_7_EDX_FLUSH_L1D | CPUID_7_EDX_ARCH_CAP |
				    CPUID_7_EDX_CORE_CAP | CPUID_7_EDX_SSBD);
		} else {
			memset(r, 0, sizeof(*r));
		}
		break;
	case CPUID_LEAF_MONITOR:
	case CPUID_LEAF_THERMAL:
	case CPUID_LEAF_PMU:
	case CPUID_LEAF_TOPOLOGY:
		memset(r, 0, sizeof(*r));
		break;
	}
}

static void curate_extended(u32 leaf, struct cpuid_regs *r)
{
	switch (leaf) {
	case CPUID_LEAF_EXT_MAX:
		r->eax = MIN(r->eax, CPUID_LEAF_EXT_LIMIT);
		break;
	case CPUID_LEAF_EXT_FEAT:
		r->ecx &= ~(CPUID_EXT_ECX_SVM | CPUID_EXT_ECX_SKINIT | CPUID_EXT_ECX_WDT |
			    CPUID_EXT_ECX_PERFCTR_CORE | CPUID_EXT_ECX_MWAITX);
		break;
	}
}

/* The host's highest leaves, capped: read once (CPUID itself is slow). */
static u32 basic_max, ext_max;

static void read_limits(void)
{
	basic_max = MIN(cpuid(CPUID_LEAF_VENDOR).eax, CPUID_LEAF_BASIC_LIMIT);
	ext_max = MIN(cpuid(CPUID_LEAF_EXT_MAX).eax, CPUID_LEAF_EXT_LIMIT);
}

void cpuid_for_guest(struct vcpu *v, u32 leaf, u32 subleaf, struct cpuid_regs *out)
{
	if (unlikely(!basic_max))
		read_limits();

	if ((leaf & 0xF0000000u) == CPUID_LEAF_HYPERVISOR) {
		tern_leaf(leaf, out);
		return;
	}
	if ((leaf < CPUID_LEAF_EXT_MAX && leaf > basic_max) ||
	    (leaf >= CPUID_LEAF_EXT_MAX && leaf > ext_max) || leaf == CPUID_LEAF_TOPOLOGY_V2) {
		memset(out, 0, sizeof(*out));
		return;
	}
	*out = cpuid_count(leaf, subleaf);
	if (leaf < CPUID_LEAF_EXT_MAX)
		curate_basic(v, leaf, subleaf, out);
	else
		curate_extended(leaf, out);
}

int handle_cpuid(struct vcpu *v)
{
	struct cpuid_regs r;

	cpuid_for_guest(v, (u32)v->gpr[GPR_RAX], (u32)v->gpr[GPR_RCX], &r);
	v->gpr[GPR_RAX] = r.eax;
	v->gpr[GPR_RBX] = r.ebx;
	v->gpr[GPR_RCX] = r.ecx;
	v->gpr[GPR_RDX] = r.edx;
	return vcpu_skip_instruction(v);
}
