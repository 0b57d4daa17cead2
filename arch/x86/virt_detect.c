/* SPDX-License-Identifier: MIT */
/*
 * Detecting VMX (Intel) and SVM (AMD). Firmware can lock either off:
 * IA32_FEATURE_CONTROL locked without "VMX outside SMX", or VM_CR.SVMDIS.
 * Either way the user gets one line saying what was found and why it cannot
 * be used.
 */
#include "arch/x86/virt_detect.h"

#include "arch/x86/cpuid.h"
#include "arch/x86/msr.h"
#include "kernel/printk.h"
#include "lib/string.h"

#define VMX_BASIC_REVISION_MASK GENMASK(30, 0)
#define MSR_VMX_PROCBASED_CTLS2 0x0000048B
#define VMX_PROCBASED2_EPT BIT(1)
#define MSR_VMX_PROCBASED_CTLS 0x00000482
#define VMX_PROCBASED_SECONDARY BIT(31)

static void detect_vmx(struct virt_caps *c)
{
	u64 fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	u64 basic = rdmsr(MSR_IA32_VMX_BASIC);
	u64 proc = rdmsr(MSR_VMX_PROCBASED_CTLS);

	c->vendor = VIRT_VMX;
	c->disabled_by_firmware =
		(fc & FEATURE_CONTROL_LOCKED) && !(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	c->vmcs_revision = basic & VMX_BASIC_REVISION_MASK;
	/* Allowed-1 settings are in the high half of the capability MSR. */
	if ((proc >> 32) & VMX_PROCBASED_SECONDARY)
		c->ept_or_npt = (rdmsr(MSR_VMX_PROCBASED_CTLS2) >> 32) & VMX_PROCBASED2_EPT;
}

static void detect_svm(struct virt_caps *c)
{
	struct cpuid_regs r = cpuid(CPUID_LEAF_SVM);

	c->vendor = VIRT_SVM;
	c->disabled_by_firmware = rdmsr(MSR_VM_CR) & VM_CR_SVMDIS;
	c->svm_revision = r.eax & 0xFF;
	c->svm_asids = r.ebx;
	c->ept_or_npt = r.edx & CPUID_SVM_EDX_NPT;
	c->svm_nrips = r.edx & CPUID_SVM_EDX_NRIPS;
}

void virt_detect(struct virt_caps *c)
{
	bool ext = cpuid(CPUID_LEAF_EXT_MAX).eax >= CPUID_LEAF_EXT_FEAT;

	memset(c, 0, sizeof(*c));
	if (cpu_has(CPUID_LEAF_FEATURES, CPUID_ECX, CPUID_1_ECX_VMX))
		detect_vmx(c);
	else if (ext && cpu_has(CPUID_LEAF_EXT_FEAT, CPUID_ECX, CPUID_EXT_ECX_SVM))
		detect_svm(c);

	switch (c->vendor) {
	case VIRT_NONE:
		pr_err("error: this CPU has neither VMX nor SVM: Tern cannot run guests\n");
		return;
	case VIRT_VMX:
		pr_info("virt: Intel VMX, VMCS revision %#x, EPT %s\n", c->vmcs_revision,
			c->ept_or_npt ? "yes" : "no");
		break;
	case VIRT_SVM:
		pr_info("virt: AMD SVM revision %u, %u ASIDs, NPT %s, NRIPS %s\n", c->svm_revision,
			c->svm_asids, c->ept_or_npt ? "yes" : "no", c->svm_nrips ? "yes" : "no");
		break;
	}
	if (c->disabled_by_firmware)
		pr_err("error: %s is disabled by the firmware: Tern cannot run guests\n",
		       c->vendor == VIRT_VMX ? "VMX" : "SVM");
}
