/* SPDX-License-Identifier: MIT */
/*
 * Per physical CPU VMX operation: IA32_FEATURE_CONTROL (written only when the
 * firmware left it unlocked), CR0/CR4 forced to the IA32_VMX_CR0/CR4_FIXED
 * bits with CR4.VMXE set, and VMXON on a region of this CPU's own. The first
 * VMXON on a CPU is followed by global INVEPT/INVVPID so no translation
 * cached by earlier software survives.
 */
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmx/ept.h"
#include "arch/x86/vmx/vmx_int.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "mm/buddy.h"
#include "mm/phys.h"

static struct vmx_cpu vmx_cpus[MAX_CPUS];

struct vmx_cpu *vmx_this_cpu(void)
{
	return &vmx_cpus[this_cpu_id()];
}

static int feature_control_enable(void)
{
	u64 fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (fc & FEATURE_CONTROL_LOCKED)
		return (fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX) ? 0 : -E_NOSUPP;
	wrmsr(MSR_IA32_FEATURE_CONTROL,
	      fc | FEATURE_CONTROL_VMX_OUTSIDE_SMX | FEATURE_CONTROL_LOCKED);
	return 0;
}

static int vmxon(paddr_t pa)
{
	bool fail;

	asm volatile("vmxon %[pa]" : "=@ccbe"(fail) : [pa] "m"(pa) : "memory");
	return fail ? -E_BUSY : 0;
}

int vmx_cpu_enable(void)
{
	struct vmx_cpu *c = vmx_this_cpu();
	u64 cr4 = read_cr4();
	int err;

	if (c->on)
		return 0;
	if (!vmx_caps_probe())
		return -E_NOSUPP;
	err = feature_control_enable();
	if (err) {
		pr_err("vmx: cpu %u: VMX is locked off in IA32_FEATURE_CONTROL\n", this_cpu_id());
		return err;
	}
	if (!c->vmxon_region) {
		c->vmxon_region = page_alloc_zeroed_virt(0);
		if (!c->vmxon_region)
			return -E_NOMEM;
	}
	vmcs_region_init(c->vmxon_region, vmx_caps.revision);
	write_cr0(vmx_fix_cr0(read_cr0(), false));
	write_cr4(vmx_fix_cr4(cr4 | CR4_VMXE));
	err = vmxon(virt_to_phys(c->vmxon_region));
	if (err) {
		write_cr4(cr4);
		pr_err("vmx: cpu %u: VMXON failed (already in VMX operation?)\n", this_cpu_id());
		return err;
	}
	c->on = true;
	c->loaded = NULL;
	c->msr_owner = NULL;
	this_cpu()->arch_virt = c;
	ept_invept_all();
	if (vmx_caps.vpid)
		vpid_invvpid_all();
	return 0;
}

void vmx_cpu_disable(void)
{
	struct vmx_cpu *c = vmx_this_cpu();

	if (!c->on)
		return;
	if (c->loaded)
		vmx_vcpu_put(c->loaded);
	asm volatile("vmxoff" ::: "cc", "memory");
	write_cr4(read_cr4() & ~CR4_VMXE);
	c->on = false;
	c->msr_owner = NULL;
	this_cpu()->arch_virt = NULL;
}

void vmx_cpu_forget(struct vmx_vcpu *x)
{
	for (u32 i = 0; i < MAX_CPUS; i++) {
		struct vmx_vcpu *loaded = x;
		struct vcpu *owner = x->vcpu;

		__atomic_compare_exchange_n(&vmx_cpus[i].loaded, &loaded, NULL, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
		__atomic_compare_exchange_n(&vmx_cpus[i].msr_owner, &owner, NULL, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
	}
}
