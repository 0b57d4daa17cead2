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
 *   lru_pick_victims()  takes pages off the oldest generation only; when it
 *                 runs empty the generations rotate (min_seq++) and picking
 *                 continues, but never from the youngest generation (pages
 *                 found young or faulted in since the last pass). Within the
 *                 oldest generation the least recently young page goes first
 *                 (its oldest arrival), except in early mode (below). Picked
 *                 pages are no longer tracked: the caller unmaps them, or
 *                 lru_putback()s them if it cannot.
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
 * Adaptive early eviction (EELRU-style), for cycles larger than memory.
 *
 * Why: evicting the least recently used page is the worst possible choice
 * when pages are reused in a cycle longer than what stays resident (a
 * working set drifting round a region, a sweep over a buffer larger than the
 * VM's share): the page idle longest is the one the cycle reaches next, so
 * every reuse refaults. The offline optimum keeps part of the cycle resident
 * and evicts what was just left behind. In early mode lru_pick_victims() does
 * that: it takes the most recently young page among those of the oldest
 * generation idle for at least early_k aging passes (the early point), so
 * the pages idle longer stay resident until the cycle comes back to them.
 * Pages found young at any of the last LRU_EARLY_MIN passes are never taken
 * early (early_k >= LRU_EARLY_MIN), nor while those passes span fewer than
 * LRU_EARLY_MIN clock units (aging on demand, in a burst): a hot set keeps
 * its protection. Pages that came back through lru_putback() are never taken
 * early either.
 *
 * What is measured:
 *  - each page's stamp: the aging pass that last found it young (or added
 *    it), so its age in passes is known;
 *  - shadows: a picked page's slot stays in the gfn hash with its stamp
 *    (otherwise free slots; the oldest shadow is recycled first when a slot
 *    is needed), so lru_add() of a gfn evicted earlier is a refault, with the
 *    age at which the page was reused;
 *  - every reuse (a page found young by lru_age(), or a refault) is counted
 *    as one exact LRU would have hit, in hits[] by age (half-octave bins), or
 *    missed (misses). In LRU mode that is what happened (hit: found young;
 *    miss: refault). In early mode, and for refaults of early picks, it is
 *    decided by tau: reused younger than tau, LRU would have hit it;
 *  - tau, at each pass: the age of the M-th most recently used page (M: the
 *    resident unpinned pages), from the ages of the resident pages and of
 *    the recent shadows: exact LRU keeps the pages younger than tau.
 * The statistics are halved every LRU_STAT_HALF passes.
 *
 * Decision, at each pass. Model, for each early point k in [LRU_EARLY_MIN,
 * tau / 2]: early eviction loses the LRU hits at ages >= k (all of them:
 * those pages go first) and gains f * misses, f = (M - e) / (T - e) the
 * share of the pages idle >= k it keeps resident (e: pages younger than k,
 * T: resident plus remembered). LRU mode becomes early mode at the best k
 * when the gain beats the loss by LRU_EARLY_MARGIN_PCT percent (and enough
 * misses were seen). In early mode k follows the model; it is measured too:
 * gain = pages found young at age >= tau (LRU would have lost them), loss =
 * refaults at age < tau (LRU would have kept them), also counting refaults
 * of early picks after early mode ended. LRU mode comes back when the model
 * was against early mode for LRU_EARLY_DWELL passes in a row, or when the
 * measured loss exceeds the gain and 1/16 of the early picks; it then stays
 * for at least max(tau, LRU_EARLY_DWELL) passes, and when that episode lost
 * (late refaults of its picks included) for 2, 4, 8, then 16 times as long
 * more. A loop (no reuse between the early point and tau, refaults beyond)
 * qualifies; uniformly random reuse or reuse that favours the recently used
 * (most reuses younger than tau) does not: early mode is the exception, for
 * a pattern LRU is known to handle worst, and LRU order is the default.
 *
 * All storage is the caller's: 'capacity' struct lru_page slots. Each slot
 * doubles as one bucket head of the gfn hash table, and free slots double as
 * shadows, so nothing is allocated and every operation except lru_age() is
 * O(1) expected. lru_age() is O(tracked pages), plus up to as many recent
 * shadows read while shadows of early picks exist (the walk stops after a
 * run of shadows older than tau). Memory: struct lru_page stays 32 bytes
 * (the stamp and flags fill its padding); struct lru grows by the statistics
 * (192 to 416 bytes). Not thread-safe: the caller serialises calls on one
 * struct lru (a per-VM lock).
 */
#ifndef TERN_MM_RECLAIM_LRU_H
#define TERN_MM_RECLAIM_LRU_H

#include "lib/types.h"

#define LRU_NR_GENS	 4u	     /* generations alive at most */
#define LRU_NIL		 0xffffffffu /* "no slot" in a list or hash chain */
#define LRU_MAX_CAPACITY 0xfffffffeu /* LRU_NIL is never a slot number */
#define LRU_IDLE_MAX	 16384u	     /* idle times are capped here (clock units) */

#define LRU_AGE_BINS	     30u  /* ages 0,1,2,3,4-5,6-7,8-11,..., last >= 24576 */
#define LRU_HIT_BIN0	     6u	  /* hits[] starts at the bin of age 8 */
#define LRU_STAT_HALF	     256u /* passes between halvings of the statistics */
#define LRU_EARLY_MIN	     8u	  /* smallest early point (aging passes idle) */
#define LRU_EARLY_DWELL	     32u  /* passes the model must be against early mode */
#define LRU_EARLY_MARGIN_PCT 25u  /* predicted gain over loss needed to start */

/* One tracked page or shadow; opaque to callers, who only provide the array. */
struct lru_page {
	u64 gfn;
	u32 prev, next; /* generation / pinned / shadow list; free list (next only) */
	u32 hnext;	/* next slot in this gfn's hash chain */
	u32 bucket;	/* head of hash bucket number <this slot's index> */
	u32 stamp;	/* aging pass (low 32 bits of its seq) last found young */
	u8 list;	/* generation list index, LRU_LIST_PINNED or LRU_LIST_SHADOW */
	u8 state;	/* free, tracked or shadow */
	u8 flags;	/* tracked: put back; shadow: an early pick */
};

struct lru_list {
	u32 head, tail; /* head: most recent arrival; tail: picked first */
	u32 count;
};

#define LRU_LIST_PINNED LRU_NR_GENS
#define LRU_LIST_SHADOW (LRU_NR_GENS + 1)

struct lru {
	struct lru_page *pages;
	u32 capacity;
	u32 free_head;
	u64 min_seq, max_seq;			/* oldest and youngest live generation */
	struct lru_list lists[LRU_NR_GENS + 2]; /* generations, pinned, shadows */
	u64 now;				/* the clock (lru_set_clock, or aging passes) */
	bool clocked;				/* lru_set_clock was called */
	bool fixed;				/* lru_set_adaptive(false): LRU mode only */
	u64 born[LRU_NR_GENS];			/* clock when each live generation opened */
	/* adaptive early eviction (see above) */
	u32 early_k;		       /* 0: LRU mode; else the early point (passes) */
	u32 pass_clock[LRU_EARLY_MIN]; /* low 32 bits of the clock at recent passes */
	u32 cursor;		       /* early mode: next early candidate, or LRU_NIL */
	u64 cursor_seq;		       /* the min_seq the cursor belongs to */
	u32 tau;		       /* LRU's boundary age (passes); 0: nothing resident */
	u32 against;		       /* early mode: passes in a row the model was against */
	u32 cool;		       /* LRU mode: passes before early mode may start */
	u32 fails;		       /* episodes in a row that lost */
	u32 gain, loss, epicks;	       /* early mode: measured (see above), early picks */
	u32 early_shadows;	       /* shadows of early picks */
	u32 misses;		       /* reuses exact LRU would have missed */
	u32 hits[LRU_AGE_BINS - LRU_HIT_BIN0]; /* reuses it would have hit, by age */
	/* cumulative counters, reported by lru_get_stats() */
	u64 age_passes, scanned, young, old, picked, rotations;
	u64 refaults, early_picks, early_passes, switches;
};

struct lru_stats {
	u32 nr_gens;		    /* live generations (1..LRU_NR_GENS) */
	u32 gen_pages[LRU_NR_GENS]; /* [0] youngest ... [nr_gens-1] oldest */
	u32 pinned;
	u32 pages;	  /* tracked pages, pinned included */
	u64 age_passes;	  /* lru_age() calls */
	u64 scanned;	  /* pages tested for young by lru_age() */
	u64 young, old;	  /* of those, found young / old */
	u64 picked;	  /* pages returned by lru_pick_victims() */
	u64 rotations;	  /* min_seq increments (oldest emptied or merged) */
	u32 shadows;	  /* picked pages still remembered */
	u32 early_k;	  /* current early point (passes); 0: LRU mode */
	u32 tau;	  /* current LRU boundary age (passes) */
	u64 refaults;	  /* lru_add() of a remembered picked gfn */
	u64 early_picks;  /* of the picked, taken at the early point */
	u64 early_passes; /* aging passes that ended in early mode */
	u64 switches;	  /* changes between LRU and early mode */
};

typedef bool (*lru_young_fn)(u64 gfn, void *ctx);

/* -E_INVAL for no storage, zero or too large a capacity. */
int lru_init(struct lru *l, struct lru_page *storage, u32 capacity);
/*
 * Move to larger storage (capacity above the current one), keeping every
 * page, shadow and generation; the old storage is then the caller's to
 * free. -E_INVAL otherwise.
 */
int lru_grow(struct lru *l, struct lru_page *storage, u32 capacity);
/* -E_EXIST if gfn is tracked, -E_NOMEM if every slot holds a tracked page
 * (shadows are recycled, oldest first). A picked gfn still remembered comes
 * back as a refault (counted, and used by the adaptive policy). */
int lru_add(struct lru *l, u64 gfn);
/* A picked page that could not be evicted: back into the oldest generation
 * (its head, picked after the rest of it, never at the early point), so it
 * keeps counting as old. Not a refault. Errors as lru_add(). */
int lru_putback(struct lru *l, u64 gfn);
/* -E_NOENT if gfn is not tracked (a remembered picked gfn is forgotten).
 * Works on pinned pages too. */
int lru_remove(struct lru *l, u64 gfn);
bool lru_contains(const struct lru *l, u64 gfn);
/* -E_NOENT if not tracked; pinning a pinned page is a no-op. */
int lru_pin(struct lru *l, u64 gfn);
int lru_unpin(struct lru *l, u64 gfn);
/* Set the clock (monotonic; never goes back) before lru_age / lru_idle_weight. */
void lru_set_clock(struct lru *l, u64 now);
/* One aging pass; returns the number of pages found young. It also updates
 * tau and decides between LRU and early mode. */
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
/* Adaptive early eviction on (the default) or off: LRU mode only, victims
 * strictly least recently young first (switching off ends early mode). */
void lru_set_adaptive(struct lru *l, bool on);

/* What one VM brings to lru_share_reclaim(); {0, 0}: nothing to give. */
struct lru_share {
	u64 weight; /* lru_idle_weight() */
	u64 cap;    /* lru_evictable() */
};

/* The share input of one LRU, at its current clock. */
void lru_share_input(const struct lru *l, struct lru_share *out);
/*
 * Host-wide: split 'target' pages to reclaim over n VMs. Each VM's share is
 * proportional to its weight (its size times its idleness) and capped at
 * its cap; what a capped VM cannot give is redistributed over the others.
 * The sum of per_vm_out[] is min(target, sum of caps).
 */
void lru_share_reclaim(const struct lru_share *vms, u32 n, u64 target, u64 *per_vm_out);

#endif
