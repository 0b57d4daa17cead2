/* SPDX-License-Identifier: MIT */
/*
 * Guest memory slots: ranges of guest-physical pages backed by host pages.
 * A sorted array searched by binary search. Each 4 KiB guest page of a slot
 * records its host page (backing is allocated in the largest buddy blocks
 * available, so runs of pages are usually contiguous and 2 MiB-mappable).
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
	paddr_t *backing; /* backing[i] = host page of gfn base_gfn + i */
};

#define MEMSLOT_READONLY BIT(0)

struct memslots {
	u32 count;
	u64 generation;
	struct memslot slots[MEMSLOTS_MAX]; /* sorted by base_gfn, disjoint */
};

/* Find the slot holding 'gfn', or NULL. */
const struct memslot *memslot_find(const struct memslots *s, u64 gfn);
/* Insert a slot (no backing yet); -E_OVERLAP, -E_NOMEM (table full), -E_INVAL. */
int memslot_insert(struct memslots *s, u64 base_gfn, u64 npages, u32 id, u32 flags);
int memslot_remove(struct memslots *s, u32 id);

#endif
