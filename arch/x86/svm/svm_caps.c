/* SPDX-License-Identifier: MIT */
/*
 * What this CPU's SVM offers (CPUID 0x8000000A) and whether the firmware left
 * it usable (VM_CR.SVMDIS). Probed once from the boot CPU; every CPU of a
 * machine is assumed to report the same. The backend keeps both paths where a
 * feature is optional (NRIPS, decode assists, flush-by-ASID) and requires NPT:
 * there is no shadow-paging path behind this backend.
 */
#include "arch/x86/cpuid.h"
#include "arch/x86/msr.h"
#include "arch/x86/svm/svm_internal.h"
#include "kernel/printk.h"

#define ADDR_SIZES_PHYS_MASK 0xFFu
#define DEFAULT_PHYS_BITS 36

struct svm_caps svm_caps;

static void probe_leaf(struct svm_caps *c)
{
	struct cpuid_regs r = cpuid(CPUID_LEAF_SVM);

	c->revision = r.eax & SVM_CPUID_EAX_REVISION_MASK;
	c->nr_asids = r.ebx;
	c->np = r.edx & SVM_CPUID_EDX_NP;
	c->lbrv = r.edx & SVM_CPUID_EDX_LBRV;
	c->nrips = r.edx & SVM_CPUID_EDX_NRIPS;
	c->vmcb_clean = r.edx & SVM_CPUID_EDX_VMCB_CLEAN;
	c->flush_by_asid = r.edx & SVM_CPUID_EDX_FLUSH_BY_ASID;
	c->decode_assists = r.edx & SVM_CPUID_EDX_DECODE_ASSISTS;
	c->pause_filter = r.edx & SVM_CPUID_EDX_PAUSE_FILTER;
	c->vgif = r.edx & SVM_CPUID_EDX_VGIF;
}

void svm_caps_probe(void)
{
	struct svm_caps *c = &svm_caps;
	u32 ext_max;

	if (c->probed)
		return;
	c->probed = true;
	ext_max = cpuid(CPUID_LEAF_EXT_MAX).eax;
	if (ext_max < CPUID_LEAF_SVM ||
	    !cpu_has(CPUID_LEAF_EXT_FEAT, CPUID_ECX, CPUID_EXT_ECX_SVM))
		return;
	c->present = true;
	c->disabled = rdmsr(MSR_VM_CR) & VM_CR_SVMDIS;
	c->phys_bits = cpuid(CPUID_LEAF_ADDR_SIZES).eax & ADDR_SIZES_PHYS_MASK;
	if (!c->phys_bits)
		c->phys_bits = DEFAULT_PHYS_BITS;
	probe_leaf(c);
	pr_info("svm: rev %u, %u ASIDs, NP %d NRIPS %d flush-by-ASID %d decode-assists %d "
		"VMCB-clean %d VGIF %d, %u phys bits%s\n",
		c->revision, c->nr_asids, c->np, c->nrips, c->flush_by_asid, c->decode_assists,
		c->vmcb_clean, c->vgif, c->phys_bits, c->disabled ? ", DISABLED by firmware" : "");
}

bool svm_supported(void)
{
	svm_caps_probe();
	/* ASID 0 is the host's: a guest needs at least one more. */
	return svm_caps.present && !svm_caps.disabled && svm_caps.np && svm_caps.nr_asids > 1;
}
