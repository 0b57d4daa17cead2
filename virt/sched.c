/* SPDX-License-Identifier: MIT */
/* Per-CPU run queues and the vCPU run loop. */
#include "virt/sched.h"

#include "arch/x86/cr.h"
#include "arch/x86/irqflags.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "kernel/work.h"
#include "mm/reclaim/host_reclaim.h"
#include "virt/exits.h"
#include "virt/msr.h"
#include "virt/tdp.h"
#include "virt/virt_ops.h"
#include "virt/vm.h"
#include "virt/vm_mem.h"
#include "virt/xsave.h"

struct run_queue {
	struct vcpu *vcpus[SCHED_RQ_MAX]; /* (c) once the VMs are started */
	u32 count;			  /* (c) */
	bool timer_armed;		  /* (o) cleared by the timer callback */
};

static struct run_queue queues[MAX_CPUS];
static u32 queues_running; /* (a) */

int sched_assign(struct vcpu *v, u32 cpu)
{
	struct run_queue *rq = &queues[cpu];

	if (rq->count == SCHED_RQ_MAX)
		return -E_NOMEM;
	v->pcpu = cpu;
	rq->vcpus[rq->count++] = v;
	return 0;
}

static void timer_fired(void *arg)
{
	struct run_queue *rq = arg;

	rq->timer_armed = false;
}

/* Keep a timer pending while the guest runs: it bounds how long Tern is away. */
static void arm_timer(struct run_queue *rq)
{
	if (rq->timer_armed)
		return;
	rq->timer_armed = true;
	if (timer_oneshot_us(SCHED_SLICE_US, timer_fired, rq))
		rq->timer_armed = false;
}

static bool vcpu_finished(struct vcpu *v)
{
	return v->stopped || vm_stopped(v->vm);
}

static bool past_deadline(struct vcpu *v, u64 now)
{
	struct vm *vm = v->vm;

	if (!vm->deadline_tsc || now < vm->deadline_tsc)
		return false;
	vm_stop(vm, VM_STATUS_TIMEOUT, "timeout: still running after %llu s",
		(unsigned long long)vm->timeout_s);
	return true;
}

/* Run v until its slice is over, it halts or its VM stops. */
static void run_slice(struct run_queue *rq, struct vcpu *v)
{
	const u64 slice_tsc = tsc_khz * (SCHED_SLICE_US / 1000);
	u64 now = rdtsc(), slice_end = now + slice_tsc;

	/* One TSC read after each exit serves the accounting, the slice and the deadline. */
	while (!vcpu_finished(v) && !past_deadline(v, now)) {
		u64 t0, t1;

		if (v->halted)
			return; /* nothing wakes a halted vCPU yet: only its timeout */
		xsave_switch_to(v);
		msr_load_guest_state(v);
		arm_timer(rq);
		t0 = rdtsc();
		/* Alone on this CPU: a slice that is over starts the next one
		 * (the backend's slice bound must never be a wrapped negative). */
		if (t0 >= slice_end)
			slice_end = t0 + slice_tsc;
		/*
		 * Guest mode, KVM style: interrupts stay off from here to the
		 * exit, so a kick IPI sent once run_seq is odd is either taken
		 * in the guest (an exit) or left pending at entry (an exit
		 * right after it); the backend applies a requested TLB flush
		 * after the seq_cst store below (see vm_flush_tlb_kick).
		 */
		irq_disable();
		__atomic_add_fetch(&v->run_seq, 1, __ATOMIC_SEQ_CST);
		virt_ops.vcpu_run(v, slice_end - t0);
		__atomic_add_fetch(&v->run_seq, 1, __ATOMIC_RELEASE);
		irq_enable();
		t1 = rdtsc();
		xsave_after_exit(v);
		v->stats.tsc_in_guest += t1 - t0;
		if (v->exit.kind < VM_EXIT_NR_KINDS)
			v->stats.exits[v->exit.kind]++;
		handle_exit(v);
		tdp_quiescent(v->vm);
		now = rdtsc();
		v->stats.tsc_in_tern += now - t1;
		host_reclaim_tick(now); /* aging and host-pressure reclaim, when due */
		if (rq->count > 1 && now >= slice_end)
			return;
	}
}

void vm_flush_tlb_kick(struct vm *vm)
{
	u64 seen[VM_MAX_VCPUS];

	/* The request first, then the mode: pairs with run_slice's entry. */
	for (u32 i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i])
			virt_ops.flush_guest_tlb(vm->vcpus[i]);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (u32 i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		seen[i] = v ? __atomic_load_n(&v->run_seq, __ATOMIC_SEQ_CST) : 0;
		if (seen[i] & 1)
			cpu_kick(v->pcpu);
	}
	/* Return only once no vCPU can still run on the old translations. */
	for (u32 i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		if (!(seen[i] & 1))
			continue;
		while (__atomic_load_n(&v->run_seq, __ATOMIC_ACQUIRE) == seen[i])
			cpu_relax();
		__atomic_add_fetch(&v->stats.tlb_kicks, 1, __ATOMIC_RELAXED);
	}
}

/*
 * v's run loop is over. The last vCPU of a stopped VM to get here gives the
 * VM's memory back at once: the other VMs may need it before all have ended.
 */
static void retire(struct vcpu *v)
{
	struct vm *vm = v->vm;
	u64 pages;

	if (v->stopped)
		return;
	v->stopped = true;
	if (__atomic_add_fetch(&vm->vcpus_retired, 1, __ATOMIC_ACQ_REL) != vm->nr_vcpus)
		return;
	pages = vm_mem_release(vm);
	if (pages)
		pr_info("VM %s: done; %llu KiB of guest memory given back\n", vm->name,
			(unsigned long long)(pages << 2));
}

void sched_run_queue(void *unused)
{
	struct run_queue *rq = &queues[this_cpu_id()];
	unsigned long flags = read_rflags();
	u32 live;

	(void)unused;
	/* Grace periods of freed second-level tables now wait for this CPU. */
	tdp_cpu_online(true);
	/* Host interrupts (the slice timer above all) must be taken between runs. */
	irq_enable();
	do {
		live = 0;
		for (u32 i = 0; i < rq->count; i++) {
			struct vcpu *v = rq->vcpus[i];

			if (vcpu_finished(v)) {
				retire(v);
				continue;
			}
			live++;
			run_slice(rq, v);
			host_reclaim_tick(rdtsc()); /* also while every vCPU here halts */
			if (vcpu_finished(v))
				retire(v);
		}
		if (live)
			cpu_relax();
	} while (live);
	timer_cancel();
	tdp_cpu_online(false);
	irq_restore(flags);
	__atomic_sub_fetch(&queues_running, 1, __ATOMIC_ACQ_REL);
}

int sched_start_cpu(u32 cpu)
{
	int err;

	if (cpu >= MAX_CPUS || cpu == this_cpu_id())
		return -E_INVAL;
	__atomic_add_fetch(&queues_running, 1, __ATOMIC_ACQ_REL);
	err = cpu_post_work(cpu, sched_run_queue, NULL);
	if (err)
		__atomic_sub_fetch(&queues_running, 1, __ATOMIC_ACQ_REL);
	return err;
}

bool sched_running(void)
{
	return __atomic_load_n(&queues_running, __ATOMIC_ACQUIRE) != 0;
}

void sched_unassign(struct vcpu *v)
{
	struct run_queue *rq = &queues[v->pcpu];

	for (u32 i = 0; i < rq->count; i++) {
		if (rq->vcpus[i] != v)
			continue;
		rq->vcpus[i] = rq->vcpus[--rq->count];
		rq->vcpus[rq->count] = NULL;
		return;
	}
}

void sched_run_all(void)
{
	u32 me = this_cpu_id();

	for (u32 cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (!queues[cpu].count || cpu == me)
			continue;
		__atomic_add_fetch(&queues_running, 1, __ATOMIC_ACQ_REL);
		if (cpu_post_work(cpu, sched_run_queue, NULL)) {
			pr_err("error: cannot start the vCPUs of CPU %u\n", cpu);
			__atomic_sub_fetch(&queues_running, 1, __ATOMIC_ACQ_REL);
		}
	}
	if (queues[me].count) {
		__atomic_add_fetch(&queues_running, 1, __ATOMIC_ACQ_REL);
		sched_run_queue(NULL);
	}
	while (__atomic_load_n(&queues_running, __ATOMIC_ACQUIRE))
		cpu_relax();
}
