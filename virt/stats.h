/* SPDX-License-Identifier: MIT */
/* Per-VM and per-vCPU statistics: exits by reason, time in guest and in Tern. */
#ifndef TERN_VIRT_STATS_H
#define TERN_VIRT_STATS_H

#include "virt/hypercall_abi.h"

struct vm;

/* Sum the vCPUs' counters into the hypercall ABI's layout. */
void vm_stats_collect(struct vm *vm, struct tern_vm_stats *out);
/* Print the VM's statistics on the console (when it ends). */
void vm_stats_print(struct vm *vm);

#endif
