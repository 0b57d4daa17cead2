/* SPDX-License-Identifier: MIT */
/*
 * The TDP MMU: demand-faulted second-level page tables (EPT or NPT) for one
 * VM. Replaces virt/tdp_static.c.
 *
 *   vCPU exit (EPT violation / #NPF / misconfig)
 *     |  tdp_mmu_mmio_fast()        lockless: current-generation MMIO SPTE -> emulate
 *     |  memslot lookup, tdp_prepare_backing(), mmu_cache_topup()   (no lock)
 *     v
 *   tdp_mmu_fault()        mmu_lock READ, cmpxchg installs tables and the leaf
 *   tdp_mmu_zap_range()    mmu_lock WRITE, leaves in range (+ tables left empty)
 *   tdp_mmu_zap_all()      mmu_lock WRITE, yields periodically
 *   tdp_mmu_split_range()  mmu_lock WRITE, huge leaves -> tables of smaller leaves
 *     |
 *     v  unlinked tables -> per-VM deferred list -> freed after a grace period
 *        (mmu_quiescent() on every online CPU; tdp_mmu_reclaim()).
 *
 * Locking rules for the integrator:
 *  - The memslots table (struct memslots) is changed only with mmu_lock held
 *    for WRITE (tdp_mmu_write_lock()), and its generation is bumped on every
 *    change (memslot_insert/remove do). A fault whose slot lookup was made
 *    under another generation returns FAULT_RETRY (re-look-up and retry).
 *  - Deleting or moving a slot: write lock, change the table, then
 *    tdp_mmu_zap_range_locked(old range), tdp_mmu_gen_changed(), unlock,
 *    flush TLBs on every CPU running the VM if asked; free the old backing
 *    pages only after that flush (and after any fault that may be looking at
 *    slot->backing without the lock has finished - the VM's slots lock).
 *  - Adding a slot needs no zap: the generation bump makes existing MMIO
 *    SPTEs stale. Call tdp_mmu_gen_changed() under the write lock: when the
 *    11 generation bits stored in MMIO SPTEs wrap, it zaps everything.
 *
 * Memory: table pages and headers come only from the faulting vCPU's
 * struct mmu_cache (topped up before the lock). Accounting is per VM:
 * pages = table pages allocated and not yet freed (linked + deferred),
 * capped at max_table_pages (a fault beyond it returns FAULT_CAP).
 */
#ifndef TERN_MM_TDP_TDP_MMU_H
#define TERN_MM_TDP_TDP_MMU_H

#include "kernel/rwlock.h"
#include "kernel/spinlock.h"
#include "lib/types.h"
#include "mm/tdp/mmu_cache.h"
#include "mm/tdp/mmu_page.h"
#include "mm/tdp/mmu_rcu.h"
#include "mm/tdp/spte.h"
#include "virt/memslot.h"

#define TDP_LEVEL_4K SPTE_LEVEL_4K
#define TDP_LEVEL_2M SPTE_LEVEL_2M
#define TDP_LEVEL_1G SPTE_LEVEL_1G
#define TDP_ROOT_LEVEL SPTE_ROOT_LEVEL
#define TDP_MAX_GFN (1ull << (48 - PAGE_SHIFT)) /* 4-level: 48-bit guest-physical */
#define TDP_PAGES_2M 512ull
#define TDP_PAGES_1G (512ull * 512ull)
/* zap_all drops the lock to yield after this many entries visited. */
#define TDP_ZAP_YIELD_EVERY 4096

enum fault_result {
	FAULT_FIXED,	 /* an SPTE was installed: resume the guest */
	FAULT_SPURIOUS,	 /* already mapped (another vCPU won): resume */
	FAULT_RETRY,	 /* lost a race or stale memslots: re-run the fault */
	FAULT_MMIO,	 /* no slot (MMIO SPTE installed) or write to read-only: emulate */
	FAULT_NO_MEMORY, /* backing or cache could not be allocated */
	FAULT_CAP,	 /* the VM's table-page cap is reached */
	FAULT_ERROR,	 /* malformed request (gpa beyond TDP_MAX_GFN, bad level) */
};

const char *fault_result_name(enum fault_result r);

/* One fault travels through the whole path in this object. */
struct tdp_fault {
	/* in, from the exit */
	u64 gpa;
	u64 gfn;
	bool write, exec, read;
	bool rsvd; /* the exit was an MMIO-marker hit (EPT misconfig / NPF RSVD) */
	/* in, resolved before mmu_lock */
	const struct memslot *slot; /* NULL: no slot covers gfn (MMIO) */
	u64 slot_gen;		    /* memslots->generation the lookup was made under */
	paddr_t pfn_pa;		    /* host page backing gfn (tdp_prepare_backing) */
	int max_level;		    /* the caller's cap: TDP_LEVEL_4K..TDP_LEVEL_1G */
	/* out */
	int goal_level;		    /* largest level the slot and backing allow */
	int level;		    /* level of the leaf installed or found */
	u64 spte;		    /* the leaf (or MMIO) SPTE now in place */
	u32 tables_added;
	enum fault_result result;
};

struct tdp_mmu_stats {
	u64 faults, fixed, spurious, retries, mmio, mmio_fast_hits, cap_hits;
	u64 races_lost;	      /* cmpxchg failures (table pages returned to the cache) */
	u64 sptes_zapped;     /* leaf + MMIO SPTEs cleared by zaps */
	u64 tables_unlinked;
	u64 huge_split;
	u64 zap_yields;
	/* Leaves installed by faults, by size (index: level - 1: 4 KiB, 2 MiB, 1 GiB). */
	u64 leaves[3];
};

struct tdp_mmu {
	rwlock_t mmu_lock;
	const struct spte_format *fmt;
	struct mmu_page *root;	       /* (c) until destroy */
	paddr_t root_pa;	       /* for the EPTP / nCR3 */
	const struct memslots *slots;  /* (w) changed under mmu_lock WRITE */
	u64 mmio_gen_seen;	       /* generation bits last seen by gen_changed */
	/* accounting, (a) */
	u64 pages;		       /* table pages allocated, not yet freed */
	u64 max_pages;		       /* cap */
	u64 high_water;
	u64 deferred_pages;	       /* of pages: waiting for a grace period */
	/* deferred-free list, oldest first, under deferred_lock */
	spinlock_t deferred_lock;
	struct mmu_page *deferred_head, *deferred_tail;
	struct tdp_mmu_stats stats;    /* (a) approximate under concurrency */
};

/*
 * Set up an MMU with an empty root (allocated here: call without mmu_lock).
 * 'slots' may be NULL and set later with tdp_mmu_set_memslots().
 * 0, -E_INVAL, -E_NOMEM.
 */
int tdp_mmu_init(struct tdp_mmu *mmu, const struct spte_format *fmt, u64 max_table_pages);
void tdp_mmu_set_memslots(struct tdp_mmu *mmu, const struct memslots *slots);
/* Zap everything and free every table, the root too, at once: only when no
 * vCPU of the VM can run or walk (VM teardown). */
void tdp_mmu_destroy(struct tdp_mmu *mmu);

/* mmu_lock with the debug depth the allocation paths check. */
void tdp_mmu_read_lock(struct tdp_mmu *mmu);
void tdp_mmu_read_unlock(struct tdp_mmu *mmu);
void tdp_mmu_write_lock(struct tdp_mmu *mmu);
void tdp_mmu_write_unlock(struct tdp_mmu *mmu);

/*
 * Demand paging, before the lock: the host page backing 'gfn' of slot 's'.
 * Allocates zeroed memory when none is published yet - the largest of these
 * the hint, the slot and the allocator allow: a whole 1 GiB run
 * (page_alloc_contig) when level_hint >= TDP_LEVEL_1G, a 2 MiB block when
 * level_hint >= TDP_LEVEL_2M, each only when the slot covers the aligned
 * range and none of it is populated, else one 4 KiB page. Blocks are split
 * into single pages, so the owner frees each backing page with
 * page_free(pa, 0). Pages are published in s->backing with cmpxchg (a
 * racing populate wins; the loser's pages are freed). 0, -E_NOMEM,
 * -E_RANGE (gfn not in s).
 */
int tdp_prepare_backing(struct memslot *s, u64 gfn, int level_hint, paddr_t *pa);

/*
 * Fill f->slot, f->slot_gen from 'slots' (no lock) and f->gfn from f->gpa;
 * f->max_level defaults to TDP_LEVEL_1G when 0. A convenience for callers.
 */
void tdp_fault_init(struct tdp_fault *f, const struct memslots *slots, u64 gpa, bool write,
		    bool exec);

/*
 * Resolve a fault: takes mmu_lock for READ itself (tdp_mmu_fault_locked()
 * when the caller holds it). 'c' must have been topped up. Sets f->result
 * and returns it. Never allocates.
 */
enum fault_result tdp_mmu_fault(struct tdp_mmu *mmu, struct mmu_cache *c, struct tdp_fault *f);
enum fault_result tdp_mmu_fault_locked(struct tdp_mmu *mmu, struct mmu_cache *c,
				       struct tdp_fault *f);

/*
 * Lockless MMIO fast path: true when the SPTE mapping 'gpa' is an MMIO SPTE
 * of generation cur_gen (go straight to emulation); false otherwise (take the
 * slow path: tdp_mmu_fault replaces a stale one).
 */
bool tdp_mmu_mmio_fast(struct tdp_mmu *mmu, u64 gpa, u64 cur_gen);

/*
 * Zap leaf and MMIO SPTEs covering [gfn_start, gfn_end) and free tables
 * left empty (after a grace period). Returns the number of SPTEs changed
 * (leaves + MMIO + unlinked tables); *flush (may be NULL) is set to true
 * when a present SPTE was removed and TLBs must be flushed, and otherwise
 * left alone, so one flag collects a batch of zaps (initialise it). Huge leaves straddling
 * the range are zapped whole. The plain form takes mmu_lock for WRITE.
 */
u64 tdp_mmu_zap_range(struct tdp_mmu *mmu, u64 gfn_start, u64 gfn_end, bool *flush);
u64 tdp_mmu_zap_range_locked(struct tdp_mmu *mmu, u64 gfn_start, u64 gfn_end, bool *flush);

/*
 * Zap every SPTE (the root stays). Takes mmu_lock for WRITE; every
 * TDP_ZAP_YIELD_EVERY entries it drops the lock, calls yield_fn(ctx) (if not
 * NULL), retakes it and restarts from the root. Returns SPTEs changed; the
 * caller must flush TLBs when it is non-zero.
 */
u64 tdp_mmu_zap_all(struct tdp_mmu *mmu, void (*yield_fn)(void *ctx), void *ctx);

/* Under the write lock, after the memslots generation changed (see above). */
void tdp_mmu_gen_changed(struct tdp_mmu *mmu);

/*
 * Replace huge leaves intersecting [gfn_start, gfn_end) by tables of leaves
 * of 'target_level' mapping the same pages with the same permissions. Takes
 * mmu_lock for WRITE; when 'c' runs dry it drops the lock, tops 'c' up and
 * continues. Returns the number of huge leaves split, or -E_NOMEM / -E_BUSY
 * (the table-page cap was reached).
 */
s64 tdp_mmu_split_range(struct tdp_mmu *mmu, struct mmu_cache *c, u64 gfn_start, u64 gfn_end,
			int target_level);

/* Free deferred tables whose grace period has expired; returns pages freed. */
u64 tdp_mmu_reclaim(struct tdp_mmu *mmu);

/* Read-only translation for tests and debugging (takes no lock): host pa or 0;
 * *level_out (may be NULL) gets the leaf level. */
paddr_t tdp_mmu_translate(struct tdp_mmu *mmu, u64 gpa, int *level_out);

/* Table pages reachable from the root (a full walk; tests and benchmarks). */
u64 tdp_mmu_count_tables(struct tdp_mmu *mmu);

#ifdef TERN_HOSTED
/* Tests: called just before every cmpxchg that installs an SPTE, so a test
 * can play "another CPU" and change *sptep first. */
extern void (*tdp_test_race_hook)(struct tdp_mmu *mmu, u64 *sptep, int level);
#endif

#endif
