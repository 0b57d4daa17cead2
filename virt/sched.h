/* SPDX-License-Identifier: MIT */
/*
 * Running vCPUs on physical CPUs. Each physical CPU has a run queue of the
 * vCPUs pinned to it; with more than one, they share the CPU in time slices
 * ended by the LAPIC timer (a host interrupt forces a VM exit on both
 * vendors). A timer is kept armed while a guest runs, so even a guest that
 * never exits returns to Tern, which enforces the VM's timeout.
 */
#ifndef TERN_VIRT_SCHED_H
#define TERN_VIRT_SCHED_H

#include "lib/types.h"
#include "virt/vcpu.h"

#define SCHED_SLICE_US 10000
#define SCHED_RQ_MAX 16

/* Pin v to physical CPU 'cpu'; -E_NOMEM when its run queue is full. */
int sched_assign(struct vcpu *v, u32 cpu);
/* Run this CPU's queue until every vCPU on it has stopped (posted work). */
void sched_run_queue(void *unused);
/*
 * After a change to vm's second-level tables: request a guest TLB flush on
 * every vCPU (applied at its next entry), kick those in guest mode with an
 * IPI and wait until each has left it. On return no vCPU of vm runs on
 * translations older than the call.
 */
struct vm;
void vm_flush_tlb_kick(struct vm *vm);
/* Start every physical CPU's queue; the calling CPU runs its own too. */
void sched_run_all(void);
/*
 * For tests that drive one queue themselves: start another CPU's queue as
 * posted work (counted like sched_run_all's), see whether any queue still
 * runs, and take a vCPU off its (stopped) queue before its VM is destroyed.
 */
int sched_start_cpu(u32 cpu);
bool sched_running(void);
void sched_unassign(struct vcpu *v);

#endif
