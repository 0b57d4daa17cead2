/* SPDX-License-Identifier: MIT */
/*
 * The TDP fault path. Runs with mmu_lock held for READ, so several vCPUs
 * fault concurrently: every SPTE is installed with cmpxchg against the value
 * read. Losing the race for a table entry returns the unpublished table to
 * the vCPU's cache and re-reads the entry (someone else's table is used);
 * losing it for the leaf returns FAULT_RETRY. Nothing is allocated here:
 * table pages come from the topped-up cache, backing pages were resolved by
 * tdp_prepare_backing() before the lock. A leaf made old by access tracking
 * (EPT without A/D, tdp_age.h) is restored here with one cmpxchg.
 */
#include "mm/tdp/tdp_age.h"
#include "mm/tdp/tdp_internal.h"

/* Largest level <= max_level whose aligned gfn range lies in the slot and is
 * backed by one naturally aligned contiguous host block. */
static int goal_level(const struct memslot *s, u64 gfn, int max_level)
{
	for (int level = MIN(max_level, TDP_LEVEL_1G); level > TDP_LEVEL_4K; level--) {
		u64 n = spte_level_pages(level);
		u64 first = ALIGN_DOWN(gfn, n);
		paddr_t p0;
		u64 i;

		if (first < s->base_gfn || first + n > s->base_gfn + s->npages)
			continue;
		p0 = __atomic_load_n(&s->backing[first - s->base_gfn], __ATOMIC_ACQUIRE);
		if (!p0 || !IS_ALIGNED(p0, n * PAGE_SIZE))
			continue;
		for (i = 1; i < n; i++)
			if (__atomic_load_n(&s->backing[first - s->base_gfn + i], __ATOMIC_ACQUIRE) !=
			    p0 + i * PAGE_SIZE)
				break;
		if (i == n)
			return level;
	}
	return TDP_LEVEL_4K;
}

static bool install(struct tdp_mmu *mmu, struct tdp_iter *it, u64 new_spte)
{
	u64 old = it->old_spte;

	tdp_race_point(mmu, it->sptep, it->level);
	if (!__atomic_compare_exchange_n(it->sptep, &old, new_spte, false, __ATOMIC_RELEASE,
					 __ATOMIC_ACQUIRE)) {
		it->old_spte = old;
		STAT_INC(mmu, races_lost);
		return false;
	}
	/* Zero -> non-zero is the only transition that adds a used entry. */
	if (!it->old_spte)
		__atomic_fetch_add(&tdp_iter_table(it)->used, 1, __ATOMIC_RELAXED);
	it->old_spte = new_spte;
	return true;
}

/* Link a new empty table at the current (non-present or MMIO) entry. */
static enum fault_result link_table(struct tdp_mmu *mmu, struct mmu_cache *c, struct tdp_iter *it,
				    struct tdp_fault *f)
{
	u64 gfn = ALIGN_DOWN(it->gfn, spte_level_pages(it->level));
	struct mmu_page *sp = tdp_table_alloc(mmu, c, it->level - 1, gfn);

	if (!sp) {
		STAT_INC(mmu, cap_hits);
		return FAULT_CAP;
	}
	if (!install(mmu, it, spte_make_table(mmu->fmt, sp->table_pa))) {
		tdp_table_unalloc(mmu, c, sp); /* someone else linked one: use theirs */
		return FAULT_RETRY;
	}
	f->tables_added++;
	return FAULT_FIXED;
}

/* Walk down to 'goal' (or the lowest level if the goal is occupied by a table),
 * creating tables; leaves the iterator at the entry to fill. */
static enum fault_result walk_to_goal(struct tdp_mmu *mmu, struct mmu_cache *c,
				      struct tdp_fault *f, struct tdp_iter *it, int goal)
{
	const struct spte_format *fmt = mmu->fmt;

	tdp_iter_start(it, fmt, mmu->root->table, TDP_ROOT_LEVEL, TDP_LEVEL_4K, f->gfn,
		       f->gfn + 1);
	for (;;) {
		u64 old = it->old_spte;
		enum fault_result r;

		if (spte_is_present(old)) {
			if (spte_is_leaf(fmt, old, it->level))
				return FAULT_SPURIOUS;
			tdp_iter_step_down(it); /* a table at or above the goal: use it */
			continue;
		}
		if (it->level <= goal)
			return FAULT_FIXED;
		r = link_table(mmu, c, it, f);
		if (r == FAULT_CAP)
			return r;
		if (r == FAULT_RETRY)
			continue; /* it->old_spte holds the winner's value */
		tdp_iter_step_down(it);
	}
}

static enum fault_result finish(struct tdp_mmu *mmu, struct tdp_fault *f, enum fault_result r)
{
	f->result = r;
	switch (r) {
	case FAULT_FIXED: STAT_INC(mmu, fixed); break;
	case FAULT_SPURIOUS: STAT_INC(mmu, spurious); break;
	case FAULT_RETRY: STAT_INC(mmu, retries); break;
	case FAULT_MMIO: STAT_INC(mmu, mmio); break;
	default: break;
	}
	return r;
}

static enum fault_result map_mmio(struct tdp_mmu *mmu, struct mmu_cache *c, struct tdp_fault *f)
{
	struct tdp_iter it;
	enum fault_result r = walk_to_goal(mmu, c, f, &it, TDP_LEVEL_4K);
	u64 spte = spte_make_mmio(mmu->fmt, f->slot_gen);

	f->level = it.level;
	if (r == FAULT_SPURIOUS) /* RAM mapped here: the slot lookup is stale */
		return finish(mmu, f, FAULT_RETRY);
	if (r != FAULT_FIXED)
		return finish(mmu, f, r);
	if (it.old_spte != spte && !install(mmu, &it, spte) && it.old_spte != spte)
		return finish(mmu, f, FAULT_RETRY);
	f->spte = spte;
	return finish(mmu, f, FAULT_MMIO);
}

enum fault_result tdp_mmu_fault_locked(struct tdp_mmu *mmu, struct mmu_cache *c,
				       struct tdp_fault *f)
{
	const struct spte_format *fmt = mmu->fmt;
	const struct memslot *s = f->slot;
	struct tdp_iter it;
	enum fault_result r;
	bool writable;
	paddr_t pa;
	u64 idx;

	STAT_INC(mmu, faults);
	f->tables_added = 0;
	if (f->gfn >= TDP_MAX_GFN || f->max_level < TDP_LEVEL_4K || !mmu->slots)
		return finish(mmu, f, FAULT_ERROR);
	if (__atomic_load_n(&mmu->slots->generation, __ATOMIC_ACQUIRE) != f->slot_gen)
		return finish(mmu, f, FAULT_RETRY);
	if (!s)
		return map_mmio(mmu, c, f);
	if (f->gfn < s->base_gfn || f->gfn - s->base_gfn >= s->npages || !s->backing)
		return finish(mmu, f, FAULT_ERROR);
	writable = !(s->flags & MEMSLOT_READONLY);
	if (f->write && !writable)
		return finish(mmu, f, FAULT_MMIO); /* writes to ROM are emulated */
	idx = f->gfn - s->base_gfn;
	if (!__atomic_load_n(&s->backing[idx], __ATOMIC_ACQUIRE))
		return finish(mmu, f, FAULT_ERROR); /* tdp_prepare_backing() not called */

	f->goal_level = goal_level(s, f->gfn, f->max_level);
	r = walk_to_goal(mmu, c, f, &it, f->goal_level);
	f->level = it.level;
	if (r == FAULT_SPURIOUS && spte_is_acc_tracked(fmt, it.old_spte)) {
		/* Made old by aging (tdp_age.c): give the saved permissions back. */
		f->spte = spte_acc_track_restore(it.old_spte);
		if (!install(mmu, &it, f->spte)) {
			bool leaf = spte_is_present(it.old_spte) &&
				    spte_is_leaf(fmt, it.old_spte, it.level) &&
				    !spte_is_acc_tracked(fmt, it.old_spte);

			f->spte = it.old_spte;
			return finish(mmu, f, leaf ? FAULT_SPURIOUS : FAULT_RETRY);
		}
		return finish(mmu, f, FAULT_FIXED);
	}
	if (r == FAULT_SPURIOUS)
		f->spte = it.old_spte;
	if (r != FAULT_FIXED)
		return finish(mmu, f, r);
	/* it.level <= goal: the whole aligned range at that level is mapped alike. */
	idx = ALIGN_DOWN(f->gfn, spte_level_pages(it.level)) - s->base_gfn;
	pa = __atomic_load_n(&s->backing[idx], __ATOMIC_ACQUIRE);
	f->pfn_pa = s->backing[f->gfn - s->base_gfn];
	f->spte = spte_make_leaf(fmt, pa, it.level, writable, true);
	if (!install(mmu, &it, f->spte))
		return finish(mmu, f, spte_is_present(it.old_spte) ? FAULT_SPURIOUS : FAULT_RETRY);
	STAT_INC(mmu, leaves[it.level - 1]);
	return finish(mmu, f, FAULT_FIXED);
}

enum fault_result tdp_mmu_fault(struct tdp_mmu *mmu, struct mmu_cache *c, struct tdp_fault *f)
{
	enum fault_result r;

	tdp_mmu_reclaim(mmu);
	tdp_mmu_read_lock(mmu);
	r = tdp_mmu_fault_locked(mmu, c, f);
	tdp_mmu_read_unlock(mmu);
	return r;
}
