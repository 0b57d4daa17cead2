/* SPDX-License-Identifier: MIT */
/*
 * mmu.kick: the TLB-flush IPI of a slot change reaches a vCPU that is in
 * guest mode on another CPU. A small VM (raw real-mode image `jmp $`, eight
 * 1 MiB slots) is built through the normal creation path, one page of each
 * slot but the first is mapped by a fault handled from here before the vCPU
 * runs, and the vCPU is pinned to CPU 1 and started there. Once it is in
 * guest mode (run_seq odd) CPU 0 deletes a mapped slot: the zap must kick
 * CPU 1 and wait until the vCPU has left guest mode (tlb_kicks counted,
 * run_seq advanced). A vCPU can leave guest mode on its own between our
 * look and the delete (slice timer), so each slot is one more try. Then
 * the VM is stopped, CPU 1's queue ends and the VM is destroyed with every
 * page returned. Needs VMX or SVM enabled and two CPUs; otherwise it
 * records a passing SKIP check with the reason.
 */
#include "lib/types.h"

#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/selftest.h"
#include "kernel/time.h"
#include "kernel/work.h"
#include "mm/buddy.h"
#include "virt/guest_config.h"
#include "virt/sched.h"
#include "virt/tdp.h"
#include "virt/vm.h"
#include "virt/vm_create.h"
#include "virt/vm_mem.h"
#include "virt/vmm.h"

#define KICK_CPU     1
#define KICK_SLOTS   8
#define KICK_WAIT_US 10000000ull /* QEMU TCG and Bochs are slow */

/*
 * sti; jmp $. With IF=0 Bochs does not turn host interrupts into VM exits
 * (external-interrupt exiting should ignore the guest's IF), so only the
 * preemption timer would end the guest there; with IF=1 the kick IPI itself
 * is what takes it out of guest mode on both vendors.
 */
static const u8 spin_image[] = {0xfb, 0xeb, 0xfe};

static void report_cfg(const char *msg, void *ctx)
{
	(void)ctx;
	pr_err("mmu.kick: guest config: %s\n", msg);
}

/* Wait until the vCPU is in guest mode; its run_seq (odd), or 0 on timeout. */
static u64 wait_guest_mode(struct vcpu *v, u64 after)
{
	struct timeout t;

	timeout_start(&t, KICK_WAIT_US);
	while (!timeout_expired(&t)) {
		u64 seq = __atomic_load_n(&v->run_seq, __ATOMIC_ACQUIRE);

		if ((seq & 1) && seq > after)
			return seq;
		if (vm_stopped(v->vm))
			return 0;
		cpu_relax();
	}
	return 0;
}

static bool wait_queues_done(void)
{
	struct timeout t;

	timeout_start(&t, KICK_WAIT_US);
	while (sched_running()) {
		if (timeout_expired(&t))
			return false;
		cpu_relax();
	}
	return true;
}

/* Virtualisation, two CPUs and idle run queues; otherwise a SKIP or failed check. */
static bool kick_can_run(void)
{
	if (!virt_ready()) {
		ST_CHECK(true, "SKIP: no VMX or SVM enabled (virt_init did not run or failed)");
		return false;
	}
	if (__atomic_load_n(&nr_cpus_online, __ATOMIC_ACQUIRE) < 2) {
		ST_CHECK(true, "SKIP: needs 2 CPUs online (%u)", nr_cpus_online);
		return false;
	}
	if (sched_running()) {
		ST_CHECK(false, "no run queue is still running");
		return false;
	}
	return true;
}

/* Parse the kick VM's config and create it; NULL when nothing needs destroying. */
static struct vm *build_kick_vm(void)
{
	static struct guest_config cfg;
	struct guest_setup gs = {
		.cfg = &cfg, .image = spin_image, .image_size = sizeof(spin_image)};
	struct vm *vm;

	if (guest_config_parse("name=kick mem=8M slots=8 format=raw entry=real timeout=60", 0, &cfg,
			       report_cfg, NULL)) {
		ST_CHECK(false, "guest_config_parse of the kick VM");
		return NULL;
	}
	vm = vm_create(&gs, 0);
	if (!vm) {
		ST_CHECK(false, "vm_create: out of memory");
		return NULL;
	}
	ST_CHECK(!vm_stopped(vm), "the kick VM is built (%s)",
		 vm_stopped(vm) ? vm->stop_reason : "ok");
	return vm;
}

/* Map one page of every other slot now, while no vCPU runs. */
static bool prefault_slots(struct vm *vm, struct vcpu *v)
{
	for (u32 id = 1; id < KICK_SLOTS; id++) {
		u64 gpa = (u64)id * MiB(1);

		if (tdp_handle_fault(v, gpa, false, false, false) != TDP_RESUME ||
		    !tdp_translate(vm, gpa)) {
			ST_CHECK(false, "pre-fault gpa %#llx", (unsigned long long)gpa);
			return false;
		}
	}
	return true;
}

/* Pin the vCPU to KICK_CPU and start that CPU's queue; unpinned again on failure. */
static bool start_kick_vcpu(struct vcpu *v)
{
	bool started = !sched_assign(v, KICK_CPU) && !sched_start_cpu(KICK_CPU);

	ST_CHECK(started, "vCPU pinned to CPU %u and its queue started", KICK_CPU);
	if (!started)
		sched_unassign(v);
	return started;
}

/* Delete mapped slots while the vCPU is in guest mode until one delete kicks it. */
static void check_kick(struct vm *vm, struct vcpu *v)
{
	u64 seq = 1, seq_before = 0, kicks = 0; /* seq 1: its first fetch faults */
	u32 deleted = 0;

	for (u32 id = 1; id < KICK_SLOTS && !kicks; id++) {
		seq = wait_guest_mode(v, seq);
		if (!seq)
			break;
		seq_before = seq;
		ST_CHECK(vm_memslot_delete(vm, id) == 0,
			 "delete slot %u while the vCPU is in guest mode", id);
		deleted++;
		kicks = __atomic_load_n(&v->stats.tlb_kicks, __ATOMIC_RELAXED);
	}
	ST_CHECK(seq != 0, "the vCPU entered guest mode on CPU %u (run_seq %llu)", KICK_CPU,
		 (unsigned long long)seq);
	ST_CHECK(kicks >= 1, "the flush kicked the vCPU out of guest mode (%llu kicks, %u deletes)",
		 (unsigned long long)kicks, deleted);
	ST_CHECK(__atomic_load_n(&v->run_seq, __ATOMIC_ACQUIRE) > seq_before,
		 "the vCPU left guest mode before the delete returned (run_seq %llu -> %llu)",
		 (unsigned long long)seq_before,
		 (unsigned long long)__atomic_load_n(&v->run_seq, __ATOMIC_ACQUIRE));
	ST_CHECK(wait_guest_mode(v, __atomic_load_n(&v->run_seq, __ATOMIC_ACQUIRE)) != 0,
		 "the vCPU re-entered the guest after the kick");
	ST_CHECK(!vm_stopped(vm), "the VM still runs (%s)",
		 vm_stopped(vm) ? vm->stop_reason : "running");
}

/* Stop the VM and let KICK_CPU's queue end; false if it did not (the VM may still be in use). */
static bool stop_kick_vm(struct vm *vm)
{
	bool done;

	vm_stop(vm, VM_STATUS_SUCCESS, "mmu.kick: done");
	cpu_kick(KICK_CPU);
	done = wait_queues_done();
	ST_CHECK(done, "CPU %u's run queue finished after vm_stop", KICK_CPU);
	return done;
}

static void test_kick(void)
{
	struct vcpu *v;
	struct vm *vm;
	u64 free0;

	if (!kick_can_run())
		return;
	free0 = pages_free();
	vm = build_kick_vm();
	if (!vm)
		return;
	v = vm->vcpus[0];
	if (!vm_stopped(vm) && prefault_slots(vm, v) && start_kick_vcpu(v)) {
		check_kick(vm, v);
		if (!stop_kick_vm(vm))
			return; /* never free what CPU 1 may still use */
		sched_unassign(v);
	}
	vm_destroy(vm);
	ST_CHECK(pages_free() == free0, "no page leaked (free %llu, before %llu)",
		 (unsigned long long)pages_free(), (unsigned long long)free0);
}
SELFTEST("mmu", "kick", test_kick);
