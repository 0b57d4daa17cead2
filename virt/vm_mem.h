/* SPDX-License-Identifier: MIT */
/* Guest RAM slots and their host backing. */
#ifndef TERN_VIRT_VM_MEM_H
#define TERN_VIRT_VM_MEM_H

#include "lib/types.h"

struct vm;

#define VM_SLOT_MAX_BYTES GiB(1)

/* Add a RAM slot [gpa, gpa + bytes) backed by zeroed host pages. */
int vm_mem_add_slot(struct vm *vm, u64 gpa, u64 bytes, u32 id);
/* Free every slot and its backing. */
void vm_mem_destroy(struct vm *vm);

#endif
