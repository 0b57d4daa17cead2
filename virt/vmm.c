/* SPDX-License-Identifier: MIT */
/*
 * The VM manager. At boot it binds the vendor backend (VMX or SVM) and
 * enables it on every CPU; then it builds one VM per guest module, pins the
 * vCPUs round-robin onto the online CPUs, runs them until every VM has
 * stopped, and prints one line per VM: `VM <name>: <reason> status=<n>`.
 * Extra modules that belong to a guest (guestmod=NAME) are handed to it.
 */
#include "virt/vmm.h"

#include "arch/x86/svm/npt.h"
#include "arch/x86/svm/svm.h"
#include "arch/x86/vmx/ept.h"
#include "arch/x86/vmx/vmx.h"
#include "arch/x86/cpuid.h"
#include "arch/x86/msr.h"
#include "kernel/percpu.h"
#include "mm/tdp/tdp_mmu.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "mm/buddy.h"
#include "mm/phys.h"
#include "mm/reclaim/host_reclaim.h"
#include "virt/sched.h"
#include "virt/stats.h"
#include "virt/tdp.h"
#include "virt/virt_ops.h"
#include "virt/vm_create.h"
#include "virt/dev/devices.h"
#include "virt/xsave.h"

static int enable_errors;
static bool virt_enabled;

bool virt_ready(void)
{
	return virt_enabled;
}

static void enable_this_cpu(void *arg)
{
	(void)arg;
	xsave_cpu_init();
	if (virt_ops.cpu_enable()) {
		__atomic_add_fetch(&enable_errors, 1, __ATOMIC_RELAXED);
		pr_err("error: CPU %u: cannot enable %s\n", this_cpu_id(), virt_ops.name);
	}
}

int virt_init(void)
{
	if (vmx_supported()) {
		u64 ept_caps = rdmsr(MSR_VMX_EPT_VPID_CAP);

		virt_ops = vmx_ops;
		tdp_format = &ept_tdp_format;
		/* The EPTP enables A/D exactly when the CPU has them (ept_make_eptp). */
		tdp_spte_format = (ept_caps & VMX_EPT_AD) ? &spte_format_ept : &spte_format_ept_noad;
		tdp_max_level = (ept_caps & VMX_EPT_1G)	  ? TDP_LEVEL_1G
				: (ept_caps & VMX_EPT_2M) ? TDP_LEVEL_2M
							  : TDP_LEVEL_4K;
	} else if (svm_supported()) {
		virt_ops = svm_ops;
		tdp_format = &npt_tdp_format;
		tdp_spte_format = &spte_format_npt;
		/* 1 GiB NPT leaves need 1 GiB pages (CPUID 0x80000001 EDX[26]). */
		tdp_max_level = (cpuid(CPUID_LEAF_EXT_FEAT).edx & BIT(26)) ? TDP_LEVEL_1G
									    : TDP_LEVEL_2M;
	} else {
		return -E_NOSUPP;
	}
	enable_this_cpu(NULL);
	smp_call_all(enable_this_cpu, NULL, true);
	if (enable_errors)
		return -E_NOSUPP;
	virt_enabled = true;
	pr_info("virt: %s backend with %s (TDP MMU, %s SPTEs, leaves up to %s) on %u CPUs\n",
		virt_ops.name, tdp_format->name, tdp_spte_format->name,
		tdp_max_level == TDP_LEVEL_1G	? "1 GiB"
		: tdp_max_level == TDP_LEVEL_2M ? "2 MiB"
						: "4 KiB",
		nr_cpus_online);
	return 0;
}

struct vmm {
	struct vm *vms[MAX_VMS];
	struct guest_config cfgs[MAX_VMS];
	u32 count;
	u32 failed_configs;
};

static void report_config(const char *msg, void *ctx)
{
	(void)ctx;
	pr_err("error: %s\n", msg);
}

static const void *module_data(const struct boot_module *m)
{
	return phys_to_virt(m->start);
}

/* The guest's own extra modules (guestmod=NAME entries), by name; -1 if one is missing. */
static int collect_modules(const struct boot_info *bi, const struct guest_config *cfg,
			   struct guest_module *mods)
{
	const char *strs[BOOT_MODULES_MAX];
	u32 idx[GUEST_MODULES_MAX], n;

	for (u32 i = 0; i < bi->module_count; i++)
		strs[i] = bi->modules[i].cmdline;
	if (guest_config_find_modules(cfg, strs, bi->module_count, idx, report_config, NULL))
		return -1;
	n = cfg->nr_modules;
	for (u32 i = 0; i < n; i++) {
		const struct boot_module *m = &bi->modules[idx[i]];
		char vmname[GUEST_NAME_MAX];

		mods[i].data = module_data(m);
		mods[i].size = m->end - m->start;
		guest_module_parse(m->cmdline, vmname, sizeof(vmname), &mods[i].string,
				   &mods[i].string_len);
	}
	return (int)n;
}

static void create_one(struct vmm *vmm, const struct boot_info *bi, u32 mod)
{
	struct guest_config *cfg = &vmm->cfgs[vmm->count];
	struct guest_module mods[GUEST_MODULES_MAX];
	const struct boot_module *m = &bi->modules[mod];
	struct guest_setup gs = { .cfg = cfg };
	struct vm *vm;
	int nr_mods;

	if (guest_config_parse(m->cmdline, vmm->count, cfg, report_config, NULL)) {
		pr_err("VM #%u (%s): rejected: bad options\n", vmm->count, m->cmdline);
		vmm->failed_configs++;
		return;
	}
	gs.image = module_data(m);
	gs.image_size = m->end - m->start;
	gs.mods = mods;
	nr_mods = collect_modules(bi, cfg, mods);
	if (nr_mods < 0) {
		pr_err("VM %s: rejected: a module it names is missing\n", cfg->name);
		vmm->failed_configs++;
		return;
	}
	gs.nr_mods = (u32)nr_mods;
	vm = vm_create(&gs, vmm->count);
	if (!vm) {
		pr_err("VM %s: rejected: out of memory\n", cfg->name);
		vmm->failed_configs++;
		return;
	}
	vmm->vms[vmm->count++] = vm;
}

static void place_vcpus(struct vmm *vmm)
{
	u32 next = 0;

	for (u32 i = 0; i < vmm->count; i++) {
		struct vm *vm = vmm->vms[i];

		if (vm_stopped(vm))
			continue;
		for (u32 c = 0; c < vm->nr_vcpus; c++) {
			u32 cpu = next++ % nr_cpus_online;

			if (sched_assign(vm->vcpus[c], cpu))
				vm_stop(vm, VM_STATUS_RULE_BROKEN, "too many vCPUs for CPU %u", cpu);
		}
	}
}

static int report(struct vmm *vmm)
{
	int failed = (int)vmm->failed_configs;

	for (u32 i = 0; i < vmm->count; i++) {
		struct vm *vm = vmm->vms[i];

		if (!vm_stopped(vm))
			vm_stop(vm, VM_STATUS_RULE_BROKEN, "no CPU ran it");
		if (vm->devs)
			uart_flush(&vm->devs->com1); /* the guest's last line before ours */
		vm_stats_print(vm);
		pr_info("VM %s: %s status=%d\n", vm->name, vm->stop_reason, vm->exit_status);
		if (vm->exit_status != VM_STATUS_SUCCESS)
			failed++;
	}
	return failed;
}

int vmm_run_guests(const struct boot_info *bi)
{
	static struct vmm vmm;
	int failed;

	for (u32 i = 0; i < bi->module_count && vmm.count < MAX_VMS; i++)
		if (!guest_module_entry(bi->modules[i].cmdline))
			create_one(&vmm, bi, i);
	if (!vmm.count && !vmm.failed_configs)
		return 0;
	pr_info("vmm: starting %u VM%s\n", vmm.count, vmm.count == 1 ? "" : "s");
	place_vcpus(&vmm);
	sched_run_all();
	failed = report(&vmm);
	host_reclaim_report();
	for (u32 i = 0; i < vmm.count; i++) {
		/* Off the run queues first: later users (self-tests) reuse them. */
		for (u32 c = 0; c < vmm.vms[i]->nr_vcpus; c++)
			if (vmm.vms[i]->vcpus[c])
				sched_unassign(vmm.vms[i]->vcpus[c]);
		vm_destroy(vmm.vms[i]);
	}
	return failed;
}
