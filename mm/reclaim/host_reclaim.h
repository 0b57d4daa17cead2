/* SPDX-License-Identifier: MIT */
/*
 * Host memory pressure: when the page allocator's free count falls below the
 * low watermark (mm/reclaim/watermark.h), cold guest pages are taken from the
 * reclaimable VMs (maxmem= given) until it is back at high.
 *
 * Who gives how much: every reclaimable VM is aged (Accessed bits, lockless)
 * at most EVICT_AGE_INTERVAL_MS apart by the reclaim tick, so its LRU says
 * how idle its pages are. The target is split with lru_share_reclaim(): in
 * proportion to each VM's idle weight (pages times 2^age - 1), capped by
 * what it can give outside its youngest generation. An idle VM therefore
 * gives up memory before a busy one, and a VM whose pages are all young
 * gives nothing until it is aged again. Nothing here is "the first VM, its
 * oldest page", and page-table pages are never victims: only guest pages
 * are evicted, and tables are freed only once eviction left them empty.
 *
 * Where it runs: the reclaim tick (host_reclaim_tick, from every CPU's run
 * loop, one CPU per tick) does background reclaim; a vCPU that faults while
 * free is below min reclaims directly (host_reclaim_direct) and its VM stops
 * only if that cannot help. One host reclaim runs at a time.
 */
#ifndef TERN_MM_RECLAIM_HOST_RECLAIM_H
#define TERN_MM_RECLAIM_HOST_RECLAIM_H

#include "lib/types.h"
#include "mm/reclaim/watermark.h"

#define HOST_RECLAIM_TICK_MS 20 /* the reclaim tick runs at most this often */
#define HOST_RECLAIM_PASSES  3	/* share-and-evict passes per reclaim */
#define HOST_AGE_COST_SHARE  10 /* periodic aging of all VMs: <= 1/10 of a CPU */

struct vm;

struct host_reclaim_stats {
	struct watermarks wm;
	u64 free_now, free_lowest; /* pages */
	u64 ticks;		   /* reclaim ticks run */
	u64 background, direct;	   /* reclaims started by the tick / a fault */
	u64 freed;		   /* guest pages evicted for host pressure */
	u64 failed;		   /* reclaims that could not reach their target */
};

/* Set the watermarks (reserve_bytes 0: automatic). Call after mm init. */
void host_reclaim_init(u64 reserve_bytes);
void host_reclaim_register(struct vm *vm);   /* vm->reclaim set */
void host_reclaim_unregister(struct vm *vm); /* before evict_vm_destroy */

/* From the run loops, with the TSC just read: cheap unless a tick is due. */
void host_reclaim_tick_slow(u64 now_tsc);
extern u64 host_reclaim_next_tick; /* (a) TSC of the next tick */
static inline void host_reclaim_tick(u64 now_tsc)
{
	if (now_tsc >= __atomic_load_n(&host_reclaim_next_tick, __ATOMIC_RELAXED))
		host_reclaim_tick_slow(now_tsc);
}

/* May a guest fault take 'pages' more host pages? Below low this also
 * brings the next tick forward. No lock held. */
bool host_mem_guest_may_alloc(u64 pages);
/* Free memory for a faulting guest (no lock held); true if it may now
 * allocate 'pages'. */
bool host_reclaim_direct(u64 pages);

void host_reclaim_get_stats(struct host_reclaim_stats *out);
void host_reclaim_report(void);

#endif
