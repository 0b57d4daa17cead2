/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM slots and their host backing, at creation and while the VM runs.
 *
 * Backing is allocated on demand: by the second-level fault path before it
 * takes mmu_lock, and by vm_write_gpa (loaders, devices, the emulator); an
 * unpopulated page reads as zeros. Runtime changes (add, delete, move,
 * resize) take vm->slots_lock for write, set the generation's
 * update-in-progress flag, zap only the affected gfn range, flush the guest
 * TLB on every vCPU (kicking those in guest mode, see vm_flush_tlb_kick) and
 * only then free what the range used. Readers of the slots (fault path,
 * vm_read_gpa/vm_write_gpa) hold slots_lock for read.
 */
#ifndef TERN_VIRT_VM_MEM_H
#define TERN_VIRT_VM_MEM_H

#include "lib/types.h"

struct vm;
struct memslot;
struct tern_memslot;

#define VM_SLOT_MAX_BYTES GiB(1)

/* Add a RAM slot [gpa, gpa + bytes) while the VM is built (no backing yet). */
int vm_mem_add_slot(struct vm *vm, u64 gpa, u64 bytes, u32 id);
/* Free every slot and its backing. */
void vm_mem_destroy(struct vm *vm);
/*
 * A stopped VM whose vCPUs have all left their run loops gives its guest
 * memory back at once (the slots stay, empty), so other VMs can use it
 * before every VM has ended. Returns the pages freed.
 */
u64 vm_mem_release(struct vm *vm);

/*
 * Runtime slot changes (host API; TERN_HC_MEMSLOT calls these). Return 0,
 * -E_INVAL, -E_NOENT, -E_EXIST, -E_OVERLAP or -E_NOMEM. The caller must not
 * hold vm->slots_lock.
 */
int vm_memslot_add(struct vm *vm, u32 id, u64 gpa, u64 bytes);
int vm_memslot_delete(struct vm *vm, u32 id);
int vm_memslot_move(struct vm *vm, u32 id, u64 new_gpa);
int vm_memslot_resize(struct vm *vm, u32 id, u64 new_bytes);
/* Describe up to max slots into out; returns the number of slots. */
u32 vm_memslot_list(struct vm *vm, struct tern_memslot *out, u32 max);

/*
 * Host page backing guest page 'idx' of slot m, allocating it (and, where
 * the slot allows, the rest of its 2 MiB block) if 'alloc'. 0 when not
 * populated and !alloc, or out of memory. Never call under mmu_lock.
 */
paddr_t vm_mem_backing(struct vm *vm, struct memslot *m, u64 idx, bool alloc);

#endif
