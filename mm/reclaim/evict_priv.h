/* SPDX-License-Identifier: MIT */
/*
 * Overcommit state shared by mm/reclaim/evict.c (populate, refault, free,
 * stats) and mm/reclaim/evict_scan.c (aging and eviction). Not for other
 * users: they go through evict.h.
 */
#ifndef TERN_MM_RECLAIM_EVICT_PRIV_H
#define TERN_MM_RECLAIM_EVICT_PRIV_H

#include "kernel/spinlock.h"
#include "mm/reclaim/evict.h"
#include "mm/reclaim/keyset.h"
#include "mm/reclaim/lru.h"
#include "mm/reclaim/zstore.h"

/* LRU key of a guest page: (slot id << 32 | page index), stable across moves. */
#define EVICT_KEY(id, idx) (((u64)(id) << 32) | (idx))
#define EVICT_KEY_ID(k)	   ((u32)((k) >> 32))
#define EVICT_KEY_IDX(k)   ((k)&0xffffffffull)

#define EVICT_INCOMP_SLOTS    1024u /* remembered compression failures (3/4 usable) */
#define EVICT_LRU_SLACK	      1024u /* LRU slots beyond the VM's pages (shadows, growth) */
#define EVICT_AGE_INTERVAL_MS 100   /* the reclaim tick ages a VM at most this often */
#define EVICT_CLOCK_MS	      10    /* unit of the LRU clock: idle times, up to 160 s */

struct vm_reclaim {
	spinlock_t lock;
	u32 running;	  /* (a) one trim or host reclaim of this VM at a time */
	u64 limit, low;	  /* pages: trim above limit, down to low; no limit: ~0 */
	u64 resident;	  /* (a) */
	u64 last_age_tsc; /* (a) when the last aging pass ran */
	u64 age_cost_tsc; /* (a) how long it took */
	struct lru lru;
	struct lru_page *lru_pages;
	u32 lru_capacity;
	struct zstore zs;
	/* pages that did not compress, skipped until found young again */
	struct keyset incomp;
	u64 incomp_slots[EVICT_INCOMP_SLOTS];
	u64 victims[EVICT_BATCH];
	u64 skipped[EVICT_BATCH]; /* remembered incompressible, passed over */
	paddr_t victim_pa[EVICT_BATCH];
	/* counters (aging passes, young/old and pages scanned: the LRU's own) */
	u64 resident_max, evict_zero, evict_compressed, evict_raw, evict_kept, incomp_skipped;
	u64 host_evicted, refaults, age_tsc, over_limit;
};

#endif
