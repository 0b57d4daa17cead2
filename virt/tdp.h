/* SPDX-License-Identifier: MIT */
/*
 * Second-level (two-dimensional) paging for guests: EPT on Intel, NPT on AMD.
 * Both are 4-level x86-style tables; they differ only in entry bits, so one
 * builder serves both through a small format description chosen at boot.
 * This static builder maps every memory slot up front (2 MiB pages where the
 * backing allows); the TDP MMU replaces it with demand faults.
 */
#ifndef TERN_VIRT_TDP_H
#define TERN_VIRT_TDP_H

#include "lib/types.h"

struct vm;

struct tdp_format {
	const char *name;
	u64 (*table_entry)(paddr_t table);
	u64 (*leaf_entry)(paddr_t pa, bool writable, bool executable, bool large);
};

extern const struct tdp_format *tdp_format; /* bound by virt_init() */

/* Build vm->tdp_root mapping every slot of the VM. */
int tdp_build(struct vm *vm);
/* Free every table page under vm->tdp_root. */
void tdp_destroy(struct vm *vm);
/* Look up the leaf mapping 'gpa' (for tests): host pa or 0. */
paddr_t tdp_translate(struct vm *vm, u64 gpa);

#endif
