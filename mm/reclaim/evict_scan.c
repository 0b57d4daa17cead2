/* SPDX-License-Identifier: MIT */
/*
 * Aging and eviction of one reclaimable VM (evict.h): the aging pass, a batch
 * of victims (zap, flush, then drop / compress / keep / store raw), the trim
 * to the VM's own limit, the reclaim tick, and the host-pressure entry.
 */
#include "arch/x86/cr.h"
#include "kernel/time.h"
#include "mm/buddy.h"
#include "mm/phys.h"
#include "mm/reclaim/evict_priv.h"
#include "mm/tdp/tdp_age.h"
#include "mm/tdp/tdp_mmu.h"
#include "virt/sched.h"
#include "virt/vm.h"

#define NO_VICTIM (~0ull)

struct batch_result {
	u32 picked;	    /* victims taken off the LRU */
	u32 incompressible; /* of those, kept or skipped as incompressible */
	u64 freed;	    /* host pages given back */
};

/* One trim or host reclaim of a VM at a time. */
static bool reclaim_enter(struct vm_reclaim *r)
{
	return !__atomic_exchange_n(&r->running, 1, __ATOMIC_ACQUIRE);
}

static void reclaim_exit(struct vm_reclaim *r)
{
	__atomic_store_n(&r->running, 0, __ATOMIC_RELEASE);
}

/* ---- aging ---- */

/* The LRU clock: the TSC in EVICT_CLOCK_MS units, one clock for all VMs. */
static u64 lru_clock(u64 tsc)
{
	return tsc_khz ? tsc / (tsc_khz * EVICT_CLOCK_MS) : 0;
}

struct age_ctx {
	struct vm *vm;
	struct vm_reclaim *r;
	bool flush;
};

static bool test_and_clear_young(u64 key, void *arg)
{
	struct age_ctx *c = arg;
	struct memslot *m = memslot_by_id(&c->vm->slots, EVICT_KEY_ID(key));
	u64 gfn;
	struct tdp_age_result res;
	bool young;

	if (!m || EVICT_KEY_IDX(key) >= m->npages)
		return false;
	gfn = m->base_gfn + EVICT_KEY_IDX(key);
	young = tdp_mmu_test_age(c->vm->mmu, gfn, gfn + 1, TDP_AGE_FAST_ONLY | TDP_AGE_CLEAR, &res);
	c->flush |= res.needs_flush;
	/* Used since the last pass, maybe rewritten: worth compressing again. */
	if (young && c->r->incomp.count)
		keyset_remove(&c->r->incomp, key);
	return young;
}

void evict_age(struct vm *vm)
{
	struct vm_reclaim *r = vm->reclaim;
	struct age_ctx c = {.vm = vm, .r = r};
	u64 t0;

	read_lock(&vm->slots_lock);
	spin_lock(&r->lock);
	t0 = rdtsc();
	lru_set_clock(&r->lru, lru_clock(t0));
	lru_age(&r->lru, test_and_clear_young, &c);
	__atomic_store_n(&r->age_cost_tsc, rdtsc() - t0, __ATOMIC_RELAXED);
	r->age_tsc += r->age_cost_tsc;
	__atomic_store_n(&r->last_age_tsc, t0, __ATOMIC_RELAXED);
	spin_unlock(&r->lock);
	read_unlock(&vm->slots_lock);
	if (c.flush)
		vm_flush_tlb_kick(vm); /* access tracking takes effect */
}

void evict_share_input(struct vm *vm, struct lru_share *out)
{
	struct vm_reclaim *r = vm->reclaim;

	spin_lock(&r->lock);
	/* Idle times of every VM measured at (nearly) the same moment. */
	lru_set_clock(&r->lru, lru_clock(rdtsc()));
	lru_share_input(&r->lru, out);
	spin_unlock(&r->lock);
}

/* ---- one batch ---- */

/*
 * Take up to 'want' victims off the LRU. Remembered incompressible pages are
 * passed over (up to EVICT_BATCH of them, then picking stops) unless storing
 * raw, and put back afterwards, still old and still mapped. r->lock held.
 * 'raw' (store incompressible pages as they are) is only for a VM over its
 * own limit with nothing else left: a raw copy frees no host memory.
 */
static u32 pick(struct vm_reclaim *r, u32 want, bool raw, struct batch_result *b)
{
	u32 n = 0, skipped = 0;

	want = MIN(want, (u32)EVICT_BATCH);
	while (n < want && skipped < EVICT_BATCH) {
		u32 got = lru_pick_victims(&r->lru, &r->victims[n], want - n);

		if (!got)
			break;
		b->picked += got;
		for (u32 i = n, end = n + got; i < end; i++) {
			u64 key = r->victims[i];

			if (!raw && skipped < EVICT_BATCH && keyset_contains(&r->incomp, key))
				r->skipped[skipped++] = key;
			else
				r->victims[n++] = key; /* n <= i: compacts in place */
		}
	}
	for (u32 i = 0; i < skipped; i++)
		lru_putback(&r->lru, r->skipped[i]);
	r->incomp_skipped += skipped;
	b->incompressible += skipped;
	return n;
}

/* Zap the victims' SPTEs and flush; victims gone meanwhile are dropped. */
static void unmap_victims(struct vm *vm, struct vm_reclaim *r, u32 n)
{
	struct tdp_mmu *mmu = vm->mmu;
	bool flush = false;

	tdp_mmu_write_lock(mmu);
	for (u32 i = 0; i < n; i++) {
		struct memslot *m;
		u64 idx = EVICT_KEY_IDX(r->victims[i]);
		paddr_t e = 0;

		if (r->victims[i] == NO_VICTIM)
			continue;
		m = memslot_by_id(&vm->slots, EVICT_KEY_ID(r->victims[i]));
		if (m && idx < m->npages)
			e = m->backing[idx];
		if (!e || zstore_is_entry(e)) {
			r->victims[i] = NO_VICTIM; /* gone meanwhile: nothing to do */
			continue;
		}
		r->victim_pa[i] = e;
		tdp_mmu_zap_range_locked(mmu, m->base_gfn + idx, m->base_gfn + idx + 1, &flush);
	}
	tdp_mmu_write_unlock(mmu);
	/* No vCPU may still write a victim through a stale translation. */
	if (flush)
		vm_flush_tlb_kick(vm);
}

/* The new backing entry for an unmapped victim, or its own page (kept). */
static paddr_t pageout(struct vm_reclaim *r, u64 key, paddr_t pa, bool raw, struct batch_result *b)
{
	struct zstore_blob *blob = NULL;
	u32 len;

	switch (zstore_classify(&r->zs, phys_to_virt(pa), &len)) {
	case ZSTORE_ZERO:
		r->evict_zero++;
		return 0;
	case ZSTORE_COMPRESSED:
		blob = zstore_put(&r->zs, NULL, false);
		if (blob) {
			r->evict_compressed++;
			return zstore_entry(blob);
		}
		return pa; /* no memory for the blob: keep the page */
	case ZSTORE_INCOMPRESSIBLE:
	default:
		if (raw) {
			blob = zstore_put(&r->zs, phys_to_virt(pa), true);
			if (blob) {
				r->evict_raw++;
				return zstore_entry(blob);
			}
			return pa;
		}
		r->evict_kept++;
		b->incompressible++;
		keyset_add(&r->incomp, key); /* full: it is simply tried again */
		return pa;
	}
}

static struct batch_result evict_batch(struct vm *vm, struct vm_reclaim *r, u32 want, bool raw)
{
	struct batch_result b = {0};
	u32 n;

	write_lock(&vm->slots_lock);
	spin_lock(&r->lock);
	n = pick(r, want, raw, &b);
	spin_unlock(&r->lock);
	unmap_victims(vm, r, n);
	spin_lock(&r->lock);
	for (u32 i = 0; i < n; i++) {
		u64 key = r->victims[i];
		struct memslot *m;
		paddr_t e;

		if (key == NO_VICTIM)
			continue;
		m = memslot_by_id(&vm->slots, EVICT_KEY_ID(key));
		e = pageout(r, key, r->victim_pa[i], raw, &b);
		if (e == r->victim_pa[i]) {
			lru_putback(&r->lru, key); /* stays resident, and old */
			continue;
		}
		m->backing[EVICT_KEY_IDX(key)] = e;
		page_free(r->victim_pa[i], 0);
		r->resident--;
		b.freed++;
	}
	spin_unlock(&r->lock);
	write_unlock(&vm->slots_lock);
	return b;
}

/* ---- trim to the limit, the tick, host pressure ---- */

static u32 evictable(struct vm_reclaim *r)
{
	u32 n;

	spin_lock(&r->lock);
	n = lru_evictable(&r->lru);
	spin_unlock(&r->lock);
	return n;
}

/* Down to the low mark. reclaim_enter() done. */
static void trim(struct vm *vm, struct vm_reclaim *r, bool aged)
{
	bool raw = false;

	for (int round = 0; round < EVICT_ROUNDS; round++) {
		u64 res = __atomic_load_n(&r->resident, __ATOMIC_RELAXED);
		u64 want = res > r->low ? MIN(res - r->low, (u64)EVICT_BATCH) : 0;
		struct batch_result b;

		if (!want)
			break;
		/* Age when the old generations cannot supply the batch. */
		if ((round == 0 && !aged) || evictable(r) < want)
			evict_age(vm);
		b = evict_batch(vm, r, (u32)want, raw);
		if (b.freed)
			continue;
		if (!b.picked && round > 0)
			break;
		/* Only incompressible pages were left: the limit wins. */
		raw = b.incompressible != 0;
	}
	if (__atomic_load_n(&r->resident, __ATOMIC_RELAXED) > r->limit)
		r->over_limit++;
	/* Tables the zaps left empty, once their grace period is over. */
	tdp_mmu_reclaim(vm->mmu);
}

void evict_check(struct vm *vm)
{
	struct vm_reclaim *r = vm->reclaim;

	if (!r || __atomic_load_n(&r->resident, __ATOMIC_RELAXED) <= r->limit)
		return;
	if (!reclaim_enter(r))
		return; /* another CPU reclaims */
	trim(vm, r, false);
	reclaim_exit(r);
}

void evict_tick(struct vm *vm, u64 now_tsc, u32 cost_share)
{
	struct vm_reclaim *r = vm->reclaim;
	u64 interval;

	if (!r)
		return;
	/* Every EVICT_AGE_INTERVAL_MS, but never more than 1/cost_share of the time. */
	interval = MAX(tsc_khz * EVICT_AGE_INTERVAL_MS,
		       __atomic_load_n(&r->age_cost_tsc, __ATOMIC_RELAXED) * cost_share);
	if (now_tsc - __atomic_load_n(&r->last_age_tsc, __ATOMIC_RELAXED) < interval)
		return;
	if (!reclaim_enter(r))
		return;
	evict_age(vm);
	if (__atomic_load_n(&r->resident, __ATOMIC_RELAXED) > r->limit)
		trim(vm, r, true);
	reclaim_exit(r);
}

u64 evict_reclaim(struct vm *vm, u64 pages)
{
	struct vm_reclaim *r = vm->reclaim;
	u64 freed = 0;

	if (!r || !pages || !reclaim_enter(r))
		return 0;
	for (int round = 0; freed < pages && round < EVICT_ROUNDS * 4; round++) {
		struct batch_result b =
			evict_batch(vm, r, (u32)MIN(pages - freed, (u64)EVICT_BATCH), false);

		freed += b.freed;
		if (!b.freed)
			break; /* nothing left but what cannot be evicted */
	}
	spin_lock(&r->lock);
	r->host_evicted += freed;
	spin_unlock(&r->lock);
	reclaim_exit(r);
	tdp_mmu_reclaim(vm->mmu);
	return freed;
}
