/* SPDX-License-Identifier: MIT */
/*
 * Memory overcommit of one VM: a resident limit (guest option maxmem=),
 * eviction of cold guest pages into an in-memory compressed store, and
 * refault.
 *
 * Only reclaimable VMs (maxmem= given, at most mem) have a struct vm_reclaim
 * (vm->reclaim); they use 4 KiB second-level leaves and 4 KiB backing
 * (populated one page at a time by evict_prepare_backing(), so the resident
 * count is exact). maxmem below mem is the VM's own resident limit; any
 * reclaimable VM also gives up cold pages under host memory pressure
 * (mm/reclaim/host_reclaim.h).
 *
 * A memslot backing[] entry is one of: 0 (never populated, or evicted as a
 * zero page: the next fault gives a fresh zero page), a host page address
 * (resident), or a zstore blob pointer tagged with ZSTORE_TAG (evicted,
 * compressed, or stored raw). Tagged entries exist only in reclaimable VMs
 * and only these files turn them back into pages.
 *
 * Pages are tracked by a per-VM generational LRU (mm/reclaim/lru.h) keyed by
 * (slot id << 32 | page index in the slot), which stays valid when a slot
 * moves. Locks: vm->slots_lock, then r->lock (LRU + zstore + counters),
 * never held across mmu_lock.
 *
 *   fault path (slots_lock READ): evict_prepare_backing(): tagged -> allocate,
 *       decompress, publish, free the blob (a refault); 0 -> allocate a zero
 *       page, publish with cmpxchg; either way the page joins the LRU.
 *   after the fault (no lock): evict_check(): over maxmem -> trim.
 *   reclaim tick (no lock, any CPU): evict_tick(): an aging pass when the
 *       last one is older than EVICT_AGE_INTERVAL_MS, and a trim if over
 *       the limit (a VM that stopped faulting is still brought down).
 *   host pressure (no lock, any CPU): evict_reclaim() for this VM's share.
 *
 * A trim: one aging pass (tdp_mmu_test_age FAST_ONLY|CLEAR through
 * lru_age), then batches of victims from the oldest generations: slots_lock
 * WRITE + mmu_lock WRITE zap their SPTEs, one TLB flush (vm_flush_tlb_kick),
 * then each page is dropped (all zeros), compressed (freed) or, when it does
 * not compress below 3/4 of a page, kept resident and remembered, so it is
 * neither zapped nor compressed again until aging finds it young (it may
 * have been rewritten). Only when a trim finds nothing but such pages left
 * are they stored raw, which keeps the VM's own limit (a raw copy saves the
 * host nothing, so host-pressure reclaim never does it). Tables left empty
 * are freed by tdp_mmu_reclaim in the same pass.
 */
#ifndef TERN_MM_RECLAIM_EVICT_H
#define TERN_MM_RECLAIM_EVICT_H

#include "lib/types.h"

struct vm;
struct memslot;
struct lru_share;

#define EVICT_BATCH  256 /* victims per batch (one TLB flush) */
#define EVICT_ROUNDS 8	 /* batches per evict_check */

struct evict_stats {
	u64 limit_pages;       /* maxmem in pages (0: not overcommitted) */
	u64 resident_pages;    /* host pages backing guest RAM now */
	u64 resident_max;      /* high-water mark */
	u64 scans;	       /* aging passes */
	u64 young, old;	       /* pages found young / old by the aging passes */
	u64 evict_zero;	       /* evicted all-zero pages, dropped */
	u64 evict_compressed;  /* evicted pages now compressed */
	u64 evict_kept;	       /* victims kept resident: incompressible */
	u64 evict_raw;	       /* incompressible pages stored raw (nothing else left) */
	u64 incomp_skipped;    /* victims skipped: remembered as incompressible */
	u64 host_evicted;      /* pages freed for host memory pressure */
	u64 refaults;	       /* compressed pages faulted back */
	u64 stored_pages;      /* compressed pages held now */
	u64 stored_bytes;      /* their compressed bytes */
	u64 store_alloc_bytes; /* memory the store takes */
	u64 ratio_x100;	       /* stored_pages * 4096 * 100 / stored_bytes */
	u64 age_ns_per_page;   /* mean aging time per scanned page */
	u64 over_limit;	       /* evict_check rounds that could not reach the limit */
	u64 lru_pages;	       /* pages the LRU tracks (resident ones it could evict) */
	u64 early_picks;       /* victims taken at the LRU's early point (loops) */
	u64 early_passes;      /* aging passes that ended in early mode */
	u64 early_switches;    /* changes between LRU and early mode */
};

/*
 * Set up the VM's reclaim state when it is overcommitted (vm->maxmem_bytes
 * below its RAM): every page populated so far (the loader's) is counted and
 * tracked. Call from tdp_vm_init. 0 or -E_NOMEM.
 */
int evict_vm_init(struct vm *vm);
/*
 * Slots are about to grow by 'pages' (slots_lock held for write): make sure
 * the LRU can track them. 0, or -E_NOMEM. No-op for VMs not reclaimable.
 */
int evict_reserve(struct vm *vm, u64 pages);
/* After every slot's backing was freed (vm_mem_destroy). */
void evict_vm_destroy(struct vm *vm);

/*
 * The host page backing page 'idx' of slot m (slots_lock held for read),
 * populating it (alloc) or bringing it back from the store (always). 0, or
 * -E_NOMEM / -E_INVAL (corrupt blob). For overcommitted VMs only.
 */
int evict_prepare_backing(struct vm *vm, struct memslot *m, u64 idx, bool alloc, paddr_t *pa);

/*
 * A slot's contents go away (delete, resize, destroy): free what entry e of
 * page 'idx' holds (page or blob) and stop tracking it. slots_lock held for
 * write or no vCPU running.
 */
void evict_free_entry(struct vm *vm, u32 slot_id, u64 idx, paddr_t e);

/* Over the limit? Age and evict (no lock held; vCPU context). */
void evict_check(struct vm *vm);
/*
 * The reclaim tick (no lock held, any CPU): age if the last pass is older
 * than EVICT_AGE_INTERVAL_MS and than cost_share times its duration (so
 * periodic aging takes at most 1/cost_share of a CPU), trim if over.
 */
void evict_tick(struct vm *vm, u64 now_tsc, u32 cost_share);

/* ---- host memory pressure (mm/reclaim/host_reclaim.c) ---- */

/* One aging pass now (no lock held). */
void evict_age(struct vm *vm);
/* This VM's input to lru_share_reclaim(), its idle times measured now. */
void evict_share_input(struct vm *vm, struct lru_share *out);
/*
 * Evict up to 'pages' old pages (never from the youngest generation, never
 * raw); returns how many host pages were freed. 0 when another CPU is
 * reclaiming this VM. No lock held.
 */
u64 evict_reclaim(struct vm *vm, u64 pages);
/* Tern wrote page 'idx' of slot m (device, loader): forget that it did not
 * compress. slots_lock held. */
void evict_page_written(struct vm *vm, const struct memslot *m, u64 idx);
/* Would faulting page 'idx' of slot m allocate a host page (never populated, or
 * evicted)? Any VM. slots_lock held. */
bool evict_needs_page(const struct memslot *m, u64 idx);

void evict_get_stats(struct vm *vm, struct evict_stats *out);

#endif
