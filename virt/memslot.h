/* SPDX-License-Identifier: MIT */
/*
 * Guest memory slots: ranges of guest-physical pages backed by host pages.
 * A sorted array searched by binary search. Each 4 KiB guest page of a slot
 * records its host page; backing is allocated on demand (0 = not populated
 * yet), in 2 MiB blocks where the slot allows, so runs of pages are usually
 * contiguous and 2 MiB-mappable.
 *
 * Generation (KVM style): a counter bumped by every change of the
 * table, with MEMSLOT_GEN_UPDATE_IN_PROGRESS set while a change is under way.
 * MMIO SPTEs carry the generation they were made under; one made while the
 * flag is set, or under an older generation, is never trusted.
 */
#ifndef TERN_VIRT_MEMSLOT_H
#define TERN_VIRT_MEMSLOT_H

#include "kernel/spinlock.h"
#include "lib/types.h"

#define MEMSLOTS_MAX 64
#define GFN_SHIFT PAGE_SHIFT

struct memslot {
	u64 base_gfn;
	u64 npages;
	u32 id;
	u32 flags;
	paddr_t *backing; /* (a) backing[i] = host page of gfn base_gfn + i, 0 = none yet */
	u64 backing_entries; /* capacity of 'backing' (>= npages) */
};

#define MEMSLOT_READONLY BIT(0)

#define MEMSLOT_GEN_UPDATE_IN_PROGRESS BIT(63)

struct memslots {
	u32 count;
	u64 generation; /* (a) see above; written under the VM's slots lock */
	struct memslot slots[MEMSLOTS_MAX]; /* sorted by base_gfn, disjoint */
};

/* Find the slot holding 'gfn', or NULL. */
const struct memslot *memslot_find(const struct memslots *s, u64 gfn);
/* The slot with this id, or NULL. */
struct memslot *memslot_by_id(struct memslots *s, u32 id);
/* Insert a slot (no backing yet); -E_OVERLAP, -E_NOMEM (table full), -E_INVAL. */
int memslot_insert(struct memslots *s, u64 base_gfn, u64 npages, u32 id, u32 flags);
int memslot_remove(struct memslots *s, u32 id);
/*
 * Move slot 'id' to base_gfn and/or change its size to npages (its other
 * fields, backing included, are kept); -E_NOENT, -E_OVERLAP with another
 * slot, -E_INVAL. The array stays sorted.
 */
int memslot_change(struct memslots *s, u32 id, u64 base_gfn, u64 npages);

/* Generation: begin sets the in-progress flag, end clears it and counts one. */
void memslot_update_begin(struct memslots *s);
void memslot_update_end(struct memslots *s);
static inline u64 memslot_generation(const struct memslots *s)
{
	return __atomic_load_n(&s->generation, __ATOMIC_ACQUIRE);
}

#endif
