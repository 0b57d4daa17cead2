/* SPDX-License-Identifier: MIT */
/*
 * Long-running work for another CPU (such as running vCPUs). Unlike a
 * cross-CPU call, which runs inside an interrupt handler, posted work runs
 * from the target CPU's idle loop with interrupts enabled, so it can take
 * timer interrupts and IPIs while it runs.
 */
#ifndef TERN_KERNEL_WORK_H
#define TERN_KERNEL_WORK_H

#include "lib/types.h"

/* Queue fn(arg) on 'cpu' (one item at a time); -E_BUSY if one is pending. */
int cpu_post_work(u32 cpu, void (*fn)(void *), void *arg);
/*
 * Send 'cpu' the wake-up IPI (nothing if it is this CPU). A host interrupt
 * forces a VM exit on both vendors, so this kicks a vCPU out of guest mode.
 */
int cpu_kick(u32 cpu);
/* Run this CPU's posted work, if any (idle loop). */
void cpu_run_posted_work(void);
/* The idle loop of a CPU with nothing else to do. */
void cpu_idle_loop(void) __noreturn;
/* Register the wake-up vector (once, at boot). */
void work_init(void);

#endif
