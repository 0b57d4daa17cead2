/* SPDX-License-Identifier: MIT */
/*
 * VMX capability discovery (SDM Vol. 3C appendix A), done once: the VMCS
 * revision and size, the allowed-0/allowed-1 settings of every control word
 * (from the TRUE_* MSRs when IA32_VMX_BASIC bit 55 says they exist, so
 * default-1 controls such as CR3-load exiting can be cleared), the CR0/CR4
 * fixed bits, and the EPT/VPID capabilities. It also chooses the control
 * words every VMCS starts from: Tern requires EPT with a 4-level WB walk and
 * unrestricted guest; VPID, the preemption timer, EPT A/D bits, RDTSCP and
 * INVPCID pass-through are used when present. CR8 goes to a TPR shadow (a
 * per-vCPU virtual-APIC page, no exits) or, without one, is intercepted: a
 * guest must never write the physical TPR that gates Tern's interrupts.
 */
#include "arch/x86/cpuid.h"
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmx/vmx_int.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"

struct vmx_caps vmx_caps;

#define CTL_ALLOWED1_SHIFT 32

static struct vmx_ctl read_ctl(u32 msr)
{
	u64 v = rdmsr(msr);

	return (struct vmx_ctl){ .allowed0 = (u32)v, .allowed1 = (u32)(v >> CTL_ALLOWED1_SHIFT) };
}

int vmx_adjust_ctls(const struct vmx_ctl *c, u32 required, u32 optional, u32 *out)
{
	if ((required & c->allowed1) != required)
		return -E_NOSUPP;
	*out = ((required | optional) & c->allowed1) | c->allowed0;
	return 0;
}

u64 vmx_fix_cr0(u64 cr0, bool unrestricted)
{
	u64 must_be_one = vmx_caps.cr0_fixed0;

	if (unrestricted)
		must_be_one &= ~(CR0_PE | CR0_PG);
	return (cr0 | must_be_one) & vmx_caps.cr0_fixed1;
}

u64 vmx_fix_cr4(u64 cr4)
{
	return (cr4 | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1;
}

static void read_basic(struct vmx_caps *c)
{
	u64 basic = rdmsr(MSR_VMX_BASIC);

	c->revision = basic & VMX_BASIC_REVISION;
	c->region_size = (basic >> VMX_BASIC_SIZE_SHIFT) & VMX_BASIC_SIZE_MASK;
	c->true_ctls = basic & VMX_BASIC_TRUE_CTLS;
	c->inout_info = basic & VMX_BASIC_INOUT_INFO;
	c->pin = read_ctl(c->true_ctls ? MSR_VMX_TRUE_PINBASED_CTLS : MSR_VMX_PINBASED_CTLS);
	c->proc = read_ctl(c->true_ctls ? MSR_VMX_TRUE_PROCBASED_CTLS : MSR_VMX_PROCBASED_CTLS);
	c->exit = read_ctl(c->true_ctls ? MSR_VMX_TRUE_EXIT_CTLS : MSR_VMX_EXIT_CTLS);
	c->entry = read_ctl(c->true_ctls ? MSR_VMX_TRUE_ENTRY_CTLS : MSR_VMX_ENTRY_CTLS);
	if (c->proc.allowed1 & PROC_SECONDARY)
		c->proc2 = read_ctl(MSR_VMX_PROCBASED_CTLS2);
	c->misc = rdmsr(MSR_VMX_MISC);
	c->cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	c->cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	c->cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	c->cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
	if (c->proc2.allowed1 & (PROC2_EPT | PROC2_VPID))
		c->ept_vpid = rdmsr(MSR_VMX_EPT_VPID_CAP);
}

static void read_ept(struct vmx_caps *c)
{
	u64 e = c->ept_vpid;

	c->ept = (c->proc2.allowed1 & PROC2_EPT) && (e & VMX_EPT_WALK_4) && (e & VMX_EPT_WB) &&
		 (e & VMX_EPT_INVEPT) && (e & (VMX_EPT_INVEPT_SINGLE | VMX_EPT_INVEPT_ALL));
	c->ept_ad = e & VMX_EPT_AD;
	c->ept_2m = e & VMX_EPT_2M;
	c->ept_1g = e & VMX_EPT_1G;
	c->vpid = (c->proc2.allowed1 & PROC2_VPID) && (e & VMX_VPID_INVVPID) &&
		  (e & (VMX_VPID_INVVPID_SINGLE | VMX_VPID_INVVPID_ALL));
	c->unrestricted = c->ept && (c->proc2.allowed1 & PROC2_UNRESTRICTED_GUEST);
	c->preempt_timer = c->pin.allowed1 & PIN_PREEMPT_TIMER;
	c->preempt_shift = c->misc & VMX_MISC_PREEMPT_SHIFT_MASK;
}

/* The control words every VMCS starts from; false if a required bit is missing. */
static bool choose_controls(struct vmx_caps *c)
{
	u32 proc2_opt = PROC2_RDTSCP | PROC2_INVPCID | PROC2_WBINVD_EXITING;
	u32 pin_opt = PIN_VIRTUAL_NMIS | PIN_PREEMPT_TIMER;
	int err = 0;

	if (c->vpid)
		proc2_opt |= PROC2_VPID;
	err |= vmx_adjust_ctls(&c->pin, PIN_EXTINT_EXITING | PIN_NMI_EXITING, pin_opt,
			       &c->pin_ctls);
	err |= vmx_adjust_ctls(&c->proc,
			       PROC_HLT_EXITING | PROC_IO_BITMAPS | PROC_MSR_BITMAPS |
				       PROC_SECONDARY,
			       PROC_TSC_OFFSET | PROC_MWAIT_EXITING | PROC_MONITOR_EXITING |
				       PROC_RDPMC_EXITING | PROC_TPR_SHADOW,
			       &c->proc_ctls);
	/* The guest must never reach the physical TPR: shadow it, or intercept CR8. */
	if (!(c->proc_ctls & PROC_TPR_SHADOW))
		err |= vmx_adjust_ctls(&c->proc, c->proc_ctls | PROC_CR8_LOAD_EXITING |
						       PROC_CR8_STORE_EXITING, 0, &c->proc_ctls);
	err |= vmx_adjust_ctls(&c->proc2, PROC2_EPT | PROC2_UNRESTRICTED_GUEST, proc2_opt,
			       &c->proc2_ctls);
	err |= vmx_adjust_ctls(&c->exit,
			       EXIT_HOST_ADDR_SPACE_64 | EXIT_SAVE_EFER | EXIT_LOAD_EFER |
				       EXIT_SAVE_PAT | EXIT_LOAD_PAT,
			       EXIT_SAVE_DEBUG_CTLS, &c->exit_ctls);
	err |= vmx_adjust_ctls(&c->entry, ENTRY_LOAD_EFER | ENTRY_LOAD_PAT, ENTRY_LOAD_DEBUG_CTLS,
			       &c->entry_ctls);
	/* IA-32e mode follows the guest's EFER.LMA; the VMCS starts in real mode. */
	c->entry_ctls &= ~ENTRY_IA32E_MODE;
	c->preempt_timer = c->pin_ctls & PIN_PREEMPT_TIMER;
	return err == 0;
}

static void report(const struct vmx_caps *c)
{
	pr_info("vmx: revision %#x, %u-byte regions, %s controls, EPT %s (A/D %s, 2M %s, 1G %s), "
		"VPID %s, unrestricted %s, preemption timer %s (TSC>>%u)\n",
		c->revision, c->region_size, c->true_ctls ? "TRUE" : "legacy",
		c->ept ? "yes" : "no", c->ept_ad ? "yes" : "no", c->ept_2m ? "yes" : "no",
		c->ept_1g ? "yes" : "no", c->vpid ? "yes" : "no", c->unrestricted ? "yes" : "no",
		c->preempt_timer ? "yes" : "no", c->preempt_shift);
}

/* Probed once, by whichever CPU comes first; the others wait for the result. */
bool vmx_caps_probe(void)
{
	static spinlock_t probe_lock = SPINLOCK_INIT;
	struct vmx_caps *c = &vmx_caps;

	if (__atomic_load_n(&c->probed, __ATOMIC_ACQUIRE))
		return c->usable;
	spin_lock(&probe_lock);
	if (!c->probed && cpu_has(CPUID_LEAF_FEATURES, CPUID_ECX, CPUID_1_ECX_VMX)) {
		read_basic(c);
		read_ept(c);
		c->usable = c->ept && c->unrestricted && c->region_size <= PAGE_SIZE &&
			    choose_controls(c);
		report(c);
		if (!c->usable)
			pr_err("vmx: this CPU lacks EPT, unrestricted guest or a required control\n");
	}
	__atomic_store_n(&c->probed, true, __ATOMIC_RELEASE);
	spin_unlock(&probe_lock);
	return c->usable;
}

bool vmx_supported(void)
{
	u64 fc;

	if (!vmx_caps_probe())
		return false;
	fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	return !(fc & FEATURE_CONTROL_LOCKED) || (fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX);
}
