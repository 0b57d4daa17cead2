/* SPDX-License-Identifier: MIT */
/*
 * Zapping and splitting, with mmu_lock held for WRITE. A zap clears leaf and
 * MMIO SPTEs in a gfn range and unlinks tables it leaves empty; unlinked
 * tables go to the deferred-free list (freed after a grace period, since a
 * lockless walker may still hold them). Hardware may set A/D bits in leaves
 * even now, so entries are exchanged atomically.
 */
#include "mm/tdp/tdp_internal.h"

struct zap_ctx {
	struct tdp_mmu *mmu;
	u64 start, end;
	u64 changed;
	bool flush;
	u32 visited;
	void (*yield_fn)(void *ctx);
	void *yield_ctx;
};

/* Clear the current entry; 'was' is what it held. */
static void clear_entry(struct zap_ctx *z, struct tdp_iter *it)
{
	u64 was = __atomic_exchange_n(it->sptep, 0, __ATOMIC_ACQ_REL);

	if (!was)
		return;
	__atomic_fetch_sub(&tdp_iter_table(it)->used, 1, __ATOMIC_RELAXED);
	if (spte_is_present(was))
		z->flush = true;
	z->changed++;
	it->old_spte = 0;
}

/* The current entry points at a table whose entries are all leaves, MMIO or
 * zero, and the range covers it whole: unlink it as one. */
static void unlink_leaf_table(struct zap_ctx *z, struct tdp_iter *it)
{
	struct mmu_page *child = mmu_page_of(spte_pa(z->mmu->fmt, it->old_spte));

	z->changed += child->used;
	STAT_ADD(z->mmu, sptes_zapped, child->used);
	clear_entry(z, it);
	tdp_table_retire(z->mmu, child);
}

/* After stepping up: the current entry points at the table just finished. */
static void free_if_empty(struct zap_ctx *z, struct tdp_iter *it)
{
	u64 spte = it->old_spte;

	if (!spte_is_present(spte) || spte_is_leaf(z->mmu->fmt, spte, it->level))
		return;
	if (mmu_page_of(spte_pa(z->mmu->fmt, spte))->used)
		return;
	unlink_leaf_table(z, it);
}

static bool covers(const struct zap_ctx *z, const struct tdp_iter *it)
{
	return it->gfn >= z->start && it->gfn + spte_level_pages(it->level) <= z->end;
}

/* Move past the current entry, freeing tables emptied on the way up.
 * false when the walk is over. */
static bool advance(struct zap_ctx *z, struct tdp_iter *it)
{
	while (!tdp_iter_step_side(it)) {
		if (!tdp_iter_step_up(it))
			return false;
		free_if_empty(z, it);
	}
	if (it->gfn < z->end)
		return true;
	/* Past the end: the tables on the path may have been emptied. */
	while (tdp_iter_step_up(it))
		free_if_empty(z, it);
	return false;
}

static void maybe_yield(struct zap_ctx *z, struct tdp_iter *it)
{
	if (!z->yield_fn || ++z->visited < TDP_ZAP_YIELD_EVERY)
		return;
	z->visited = 0;
	STAT_INC(z->mmu, zap_yields);
	tdp_mmu_write_unlock(z->mmu);
	z->yield_fn(z->yield_ctx);
	tdp_mmu_write_lock(z->mmu);
	tdp_iter_restart(it);
}

static void zap_walk(struct zap_ctx *z)
{
	const struct spte_format *fmt = z->mmu->fmt;
	struct tdp_iter it;

	if (z->start >= z->end)
		return;
	tdp_iter_start(&it, fmt, z->mmu->root->table, TDP_ROOT_LEVEL, TDP_LEVEL_4K, z->start,
		       z->end);
	while (it.valid) {
		u64 old = it.old_spte;

		if (spte_is_present(old) && !spte_is_leaf(fmt, old, it.level)) {
			if (it.level == TDP_LEVEL_2M && covers(z, &it)) {
				unlink_leaf_table(z, &it);
			} else {
				tdp_iter_step_down(&it);
				maybe_yield(z, &it);
				continue;
			}
		} else if (old) {
			clear_entry(z, &it);
			STAT_INC(z->mmu, sptes_zapped);
		}
		if (!advance(z, &it))
			break;
		maybe_yield(z, &it);
	}
}

u64 tdp_mmu_zap_range_locked(struct tdp_mmu *mmu, u64 gfn_start, u64 gfn_end, bool *flush)
{
	struct zap_ctx z = { .mmu = mmu, .start = gfn_start, .end = MIN(gfn_end, TDP_MAX_GFN) };

	zap_walk(&z);
	if (flush && z.flush)
		*flush = true; /* never cleared: one flag can collect a batch of zaps */
	return z.changed;
}

u64 tdp_mmu_zap_range(struct tdp_mmu *mmu, u64 gfn_start, u64 gfn_end, bool *flush)
{
	u64 n;

	tdp_mmu_write_lock(mmu);
	n = tdp_mmu_zap_range_locked(mmu, gfn_start, gfn_end, flush);
	tdp_mmu_write_unlock(mmu);
	tdp_mmu_reclaim(mmu);
	return n;
}

u64 tdp_mmu_zap_all(struct tdp_mmu *mmu, void (*yield_fn)(void *ctx), void *ctx)
{
	struct zap_ctx z = {
		.mmu = mmu, .start = 0, .end = TDP_MAX_GFN, .yield_fn = yield_fn, .yield_ctx = ctx,
	};

	tdp_mmu_write_lock(mmu);
	zap_walk(&z);
	tdp_mmu_write_unlock(mmu);
	tdp_mmu_reclaim(mmu);
	return z.changed;
}

/* ---- splitting huge leaves ---- */

/* Replace the huge leaf at the iterator by a table of next-level leaves. */
static bool split_one(struct tdp_mmu *mmu, struct mmu_cache *c, struct tdp_iter *it)
{
	const struct spte_format *fmt = mmu->fmt;
	int child_level = it->level - 1;
	u64 old = it->old_spte;
	u64 keep = old & ~(fmt->addr_mask | fmt->large);
	u64 step = spte_level_size(child_level);
	struct mmu_page *sp = tdp_table_alloc(mmu, c, child_level, it->gfn);

	if (!sp)
		return false;
	for (unsigned int i = 0; i < SPTE_ENTRIES; i++)
		sp->table[i] = (spte_pa(fmt, old) + i * step) | keep |
			       (child_level > SPTE_LEVEL_4K ? fmt->large : 0);
	sp->used = SPTE_ENTRIES;
	/* Hardware may have set A/D since the read: retry with what it wrote. */
	tdp_race_point(mmu, it->sptep, it->level);
	while (!__atomic_compare_exchange_n(it->sptep, &old, spte_make_table(fmt, sp->table_pa),
					    false, __ATOMIC_RELEASE, __ATOMIC_ACQUIRE)) {
		keep = old & ~(fmt->addr_mask | fmt->large);
		for (unsigned int i = 0; i < SPTE_ENTRIES; i++)
			sp->table[i] = (spte_pa(fmt, old) + i * step) | keep |
				       (child_level > SPTE_LEVEL_4K ? fmt->large : 0);
	}
	tdp_iter_refresh(it);
	STAT_INC(mmu, huge_split);
	return true;
}

s64 tdp_mmu_split_range(struct tdp_mmu *mmu, struct mmu_cache *c, u64 gfn_start, u64 gfn_end,
			int target_level)
{
	const struct spte_format *fmt = mmu->fmt;
	struct tdp_iter it;
	s64 split = 0;

	if (target_level < TDP_LEVEL_4K || target_level >= TDP_LEVEL_1G)
		return -E_INVAL;
	gfn_end = MIN(gfn_end, TDP_MAX_GFN);
	if (gfn_start >= gfn_end)
		return 0;
	if (mmu_cache_topup(c, MMU_MODE_TDP))
		return -E_NOMEM;
	tdp_mmu_write_lock(mmu);
	tdp_iter_start(&it, fmt, mmu->root->table, TDP_ROOT_LEVEL, TDP_LEVEL_4K, gfn_start,
		       gfn_end);
	while (it.valid) {
		u64 old = it.old_spte;

		if (spte_is_present(old) && it.level > target_level &&
		    spte_is_leaf(fmt, old, it.level)) {
			if (!c->nr_tables || !c->nr_headers) {
				/* Never allocate under the lock: drop it, refill, resume. */
				tdp_mmu_write_unlock(mmu);
				if (mmu_cache_topup(c, MMU_MODE_TDP))
					return -E_NOMEM;
				tdp_mmu_write_lock(mmu);
				tdp_iter_restart(&it);
				continue;
			}
			if (!split_one(mmu, c, &it)) {
				tdp_mmu_write_unlock(mmu);
				return -E_BUSY;
			}
			split++;
		}
		tdp_iter_next(&it);
	}
	tdp_mmu_write_unlock(mmu);
	return split;
}
