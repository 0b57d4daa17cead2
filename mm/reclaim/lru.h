/* SPDX-License-Identifier: MIT */
/*
 * Per-VM generational LRU of guest pages (multi-gen LRU style), for host
 * memory reclaim. One struct lru per VM, tracking that VM's resident gfns.
 *
 * Why per VM: KVM's old global MMU shrinker picked "the first VM in vm_list"
 * and zapped its oldest pages, which were mostly hot upper-level tables; it
 * was removed as useless and disruptive. Here reclaim is driven by measured
 * idleness of each VM and shared out over all VMs by lru_share_reclaim().
 *
 * Generations are sequence numbers min_seq..max_seq (at most LRU_NR_GENS of
 * them alive); a page lives in list (seq % LRU_NR_GENS).
 *
 *   lru_add()     a new or refaulted page enters the youngest generation.
 *   lru_age()     one aging pass: first drop empty oldest generations, merge
 *                 the oldest into the next if all LRU_NR_GENS are in use,
 *                 then open a new youngest generation and ask the caller
 *                 "accessed since the last pass?" (the TDP MMU's
 *                 test-and-clear-young, which can be fast-only) once for
 *                 every unpinned page. Young pages move to the new youngest
 *                 generation; old ones stay where they are, so they drift
 *                 towards the oldest as new generations open above them.
 *   lru_pick_victims()  takes pages off the oldest generation only, oldest
 *                 arrival first; when it runs empty the generations rotate
 *                 (min_seq++) and picking continues, but never from the
 *                 youngest generation (pages found young or faulted in since
 *                 the last pass). Picked pages are no longer tracked: the
 *                 caller unmaps them, or lru_putback()s them if it cannot.
 *   lru_set_clock()  the caller's clock (any monotonic unit; Tern uses
 *                 10 ms units of the TSC) stamps each generation as it
 *                 opens, so every page's idle time is known: at least now
 *                 minus the birth of its generation. Merging the two
 *                 oldest generations averages their births by page count.
 *                 Without a clock, it counts aging passes.
 *   lru_pin()     a pinned page (e.g. one Tern itself needs) is kept on its
 *                 own list: never aged, never picked, and it does not stop
 *                 the generation holding it from emptying and rotating.
 *                 lru_unpin() puts it back into the youngest generation.
 *
 * All storage is the caller's: 'capacity' struct lru_page slots. Each slot
 * doubles as one bucket head of the gfn hash table, so nothing is allocated
 * and every operation except lru_age() is O(1) expected. Not thread-safe:
 * the caller serialises calls on one struct lru (a per-VM lock).
 */
#ifndef TERN_MM_RECLAIM_LRU_H
#define TERN_MM_RECLAIM_LRU_H

#include "lib/types.h"

#define LRU_NR_GENS	 4u	     /* generations alive at most */
#define LRU_NIL		 0xffffffffu /* "no slot" in a list or hash chain */
#define LRU_MAX_CAPACITY 0xfffffffeu /* LRU_NIL is never a slot number */
#define LRU_IDLE_MAX	 16384u	     /* idle times are capped here (clock units) */

/* One tracked page; opaque to callers, who only provide the array. */
struct lru_page {
	u64 gfn;
	u32 prev, next; /* generation / pinned list, or free list (next only) */
	u32 hnext;	/* next slot in this gfn's hash chain */
	u32 bucket;	/* head of hash bucket number <this slot's index> */
	u8 list;	/* generation list index, or LRU_LIST_PINNED */
	u8 in_use;
};

struct lru_list {
	u32 head, tail; /* head: most recent arrival; tail: picked first */
	u32 count;
};

#define LRU_LIST_PINNED LRU_NR_GENS

struct lru {
	struct lru_page *pages;
	u32 capacity;
	u32 free_head;
	u64 min_seq, max_seq;			/* oldest and youngest live generation */
	struct lru_list lists[LRU_NR_GENS + 1]; /* generations, then pinned */
	u64 now;		     /* the clock (lru_set_clock, or aging passes) */
	bool clocked;		     /* lru_set_clock was called */
	u64 born[LRU_NR_GENS];	     /* clock when each live generation opened */
	/* cumulative counters, reported by lru_get_stats() */
	u64 age_passes, scanned, young, old, picked, rotations;
};

struct lru_stats {
	u32 nr_gens;		    /* live generations (1..LRU_NR_GENS) */
	u32 gen_pages[LRU_NR_GENS]; /* [0] youngest ... [nr_gens-1] oldest */
	u32 pinned;
	u32 pages;	/* tracked pages, pinned included */
	u64 age_passes; /* lru_age() calls */
	u64 scanned;	/* pages tested for young by lru_age() */
	u64 young, old; /* of those, found young / old */
	u64 picked;	/* pages returned by lru_pick_victims() */
	u64 rotations;	/* min_seq increments (oldest emptied or merged) */
};

typedef bool (*lru_young_fn)(u64 gfn, void *ctx);

/* -E_INVAL for no storage, zero or too large a capacity. */
int lru_init(struct lru *l, struct lru_page *storage, u32 capacity);
/* -E_EXIST if gfn is tracked, -E_NOMEM if all slots are used. */
int lru_add(struct lru *l, u64 gfn);
/* A picked page that could not be evicted: back into the oldest generation
 * (its head, picked after the rest of it), so it keeps counting as old.
 * Errors as lru_add(). */
int lru_putback(struct lru *l, u64 gfn);
/* -E_NOENT if gfn is not tracked. Works on pinned pages too. */
int lru_remove(struct lru *l, u64 gfn);
bool lru_contains(const struct lru *l, u64 gfn);
/* -E_NOENT if not tracked; pinning a pinned page is a no-op. */
int lru_pin(struct lru *l, u64 gfn);
int lru_unpin(struct lru *l, u64 gfn);
/* Set the clock (monotonic; never goes back) before lru_age / lru_idle_weight. */
void lru_set_clock(struct lru *l, u64 now);
/* One aging pass; returns the number of pages found young. */
u32 lru_age(struct lru *l, lru_young_fn test_and_clear_young, void *ctx);
/* Up to max gfns from the oldest generation into out[]; returns how many.
 * Fewer than asked means only the youngest generation is left: age first. */
u32 lru_pick_victims(struct lru *l, u64 *out, u32 max);
/* Pages lru_pick_victims() could return right now (outside the youngest). */
u32 lru_evictable(const struct lru *l);
/* Idleness weight used by lru_share_reclaim(): every page outside the
 * youngest generation weighs i^2, i = 1 + how long (clock units, capped at
 * LRU_IDLE_MAX) its generation has been idle at the current clock. Squared,
 * so a page idle twice as long counts four times: idle VMs give first,
 * while a large busy VM still gives its truly cold pages. */
u64 lru_idle_weight(const struct lru *l);
void lru_get_stats(const struct lru *l, struct lru_stats *out);

/*
 * Host-wide: split 'target' pages to reclaim over n VMs. Each VM's share is
 * proportional to lru_idle_weight() (its size times its idleness) and capped
 * at lru_evictable(); what a capped VM cannot give is redistributed over the
 * others. The sum of per_vm_out[] is min(target, sum of evictable). A NULL
 * entry in vms[] is a VM with nothing to give.
 */
void lru_share_reclaim(const struct lru *const *vms, u32 n, u64 target, u64 *per_vm_out);

#endif
