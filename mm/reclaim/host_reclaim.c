/* SPDX-License-Identifier: MIT */
/* Host memory pressure: watermarks, the reclaim tick, direct reclaim (host_reclaim.h). */
#include "mm/reclaim/host_reclaim.h"

#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/reclaim/evict.h"
#include "mm/reclaim/lru.h"
#include "virt/vm.h"

u64 host_reclaim_next_tick = ~0ull; /* no tick before host_reclaim_init */

static struct watermarks wm;
static bool wm_ready;
/* Held by whoever reclaims or changes the registry: one at a time. */
static spinlock_t reclaim_lock = SPINLOCK_INIT;
static struct vm *reclaimable[MAX_VMS]; /* under reclaim_lock */
static struct host_reclaim_stats st;	/* under reclaim_lock */

void host_reclaim_init(u64 reserve_bytes)
{
	struct buddy *b = mm_buddy();

	if (watermarks_init(&wm, b->managed_pages, reserve_bytes >> PAGE_SHIFT))
		return;
	wm_ready = true;
	st.free_lowest = pages_free();
	__atomic_store_n(&host_reclaim_next_tick, 0, __ATOMIC_RELAXED);
	pr_info("mem: host reserve %llu KiB; reclaim below %llu KiB free, up to %llu KiB\n",
		(unsigned long long)(wm.min << 2), (unsigned long long)(wm.low << 2),
		(unsigned long long)(wm.high << 2));
}

void host_reclaim_register(struct vm *vm)
{
	spin_lock(&reclaim_lock);
	for (u32 i = 0; i < MAX_VMS; i++) {
		if (!reclaimable[i]) {
			reclaimable[i] = vm;
			break;
		}
	}
	spin_unlock(&reclaim_lock);
}

void host_reclaim_unregister(struct vm *vm)
{
	spin_lock(&reclaim_lock);
	for (u32 i = 0; i < MAX_VMS; i++)
		if (reclaimable[i] == vm)
			reclaimable[i] = NULL;
	spin_unlock(&reclaim_lock);
}

static void note_free(u64 free)
{
	if (free < st.free_lowest)
		st.free_lowest = free;
}

/*
 * Evict until 'goal' pages are free: share what is missing over the VMs by
 * idleness, evict the shares, and when the old generations run dry age every
 * VM once (pages untouched since the last pass become old) and go again.
 * reclaim_lock held. Returns pages evicted.
 */
static u64 reclaim_to(u64 goal)
{
	struct lru_share in[MAX_VMS];
	u64 share[MAX_VMS], evicted = 0;

	for (int pass = 0; pass < HOST_RECLAIM_PASSES; pass++) {
		u64 free = pages_free();

		note_free(free);
		if (free >= goal)
			break;
		for (u32 i = 0; i < MAX_VMS; i++) {
			in[i] = (struct lru_share){0};
			if (reclaimable[i])
				evict_share_input(reclaimable[i], &in[i]);
		}
		lru_share_reclaim(in, MAX_VMS, goal - free, share);
		for (u32 i = 0; i < MAX_VMS; i++)
			if (share[i])
				evicted += evict_reclaim(reclaimable[i], share[i]);
		if (pages_free() >= goal)
			break;
		for (u32 i = 0; i < MAX_VMS; i++)
			if (reclaimable[i])
				evict_age(reclaimable[i]);
	}
	st.freed += evicted;
	if (pages_free() < goal)
		st.failed++;
	return evicted;
}

void host_reclaim_tick_slow(u64 now_tsc)
{
	u64 next = __atomic_load_n(&host_reclaim_next_tick, __ATOMIC_RELAXED);
	u64 free;
	u32 n = 0;

	/* One CPU per tick. */
	if (now_tsc < next ||
	    !__atomic_compare_exchange_n(&host_reclaim_next_tick, &next,
					 now_tsc + tsc_khz * HOST_RECLAIM_TICK_MS, false,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return;
	if (!spin_trylock(&reclaim_lock))
		return;
	st.ticks++;
	for (u32 i = 0; i < MAX_VMS; i++)
		n += reclaimable[i] != NULL;
	for (u32 i = 0; i < MAX_VMS; i++)
		if (reclaimable[i])
			evict_tick(reclaimable[i], now_tsc, n * HOST_AGE_COST_SHARE);
	free = pages_free();
	note_free(free);
	if (watermark_level(&wm, free) != WMARK_OK) {
		st.background++;
		reclaim_to(wm.high);
	}
	spin_unlock(&reclaim_lock);
}

bool host_mem_guest_may_alloc(u64 pages)
{
	u64 free = pages_free();

	if (!wm_ready)
		return true;
	if (free < wm.low)
		__atomic_store_n(&host_reclaim_next_tick, 0, __ATOMIC_RELAXED); /* tick now */
	return watermark_guest_may_alloc(&wm, free, pages);
}

bool host_reclaim_direct(u64 pages)
{
	bool ok;

	spin_lock(&reclaim_lock);
	st.direct++;
	if (!watermark_guest_may_alloc(&wm, pages_free(), pages))
		reclaim_to(wm.high + pages);
	ok = watermark_guest_may_alloc(&wm, pages_free(), pages);
	spin_unlock(&reclaim_lock);
	return ok;
}

void host_reclaim_get_stats(struct host_reclaim_stats *out)
{
	spin_lock(&reclaim_lock);
	*out = st;
	out->wm = wm;
	out->free_now = pages_free();
	note_free(out->free_now);
	out->free_lowest = st.free_lowest;
	spin_unlock(&reclaim_lock);
}

void host_reclaim_report(void)
{
	struct host_reclaim_stats s;

	if (!wm_ready)
		return;
	host_reclaim_get_stats(&s);
	pr_info("host memory: free %llu KiB (lowest %llu KiB), reserve %llu KiB, low %llu KiB, "
		"high %llu KiB; reclaim ticks %llu, background %llu, direct %llu, pages evicted "
		"%llu, short of target %llu\n",
		(unsigned long long)(s.free_now << 2), (unsigned long long)(s.free_lowest << 2),
		(unsigned long long)(s.wm.min << 2), (unsigned long long)(s.wm.low << 2),
		(unsigned long long)(s.wm.high << 2), (unsigned long long)s.ticks,
		(unsigned long long)s.background, (unsigned long long)s.direct,
		(unsigned long long)s.freed, (unsigned long long)s.failed);
}
