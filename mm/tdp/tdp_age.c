/* SPDX-License-Identifier: MIT */
/*
 * Accessed-bit aging of TDP leaves without mmu_lock (see tdp_age.h).
 *
 * TLB flush policy. Clearing Accessed bits is never followed by a TLB flush
 * (KVM does the same): a translation still cached in some TLB lets the guest
 * keep using the page without the hardware setting A again, so the page may
 * look old while it is in use - until the entry is evicted, the next miss
 * walks the table and sets A. Aging is a reclaim heuristic, so that loss of
 * precision is traded for not interrupting every vCPU on every pass. Access
 * tracking on EPT without A/D is different: the cleared R/W/X only takes
 * effect once cached translations are gone (otherwise the guest never exits
 * and the page stays "old" however hot it is), so the result carries
 * needs_flush and the caller does one flush of the VM's TLBs per aging pass
 * (batched, not per SPTE), as after a zap. Restoring a tracked leaf on a
 * fault needs no flush (permissions only grow).
 *
 * Concurrency. Without mmu_lock, a leaf can change between our read and our
 * write: the hardware sets A or D, a fault (mmu_lock READ) restores a
 * tracked leaf, a zap clears it, a split turns it into a table. Every change
 * here is a cmpxchg against the value read; on failure the value seen is
 * re-examined (so an A set in between is neither lost nor miscounted), and
 * a leaf that became a table is descended into by the iterator.
 */
#include "mm/tdp/tdp_age.h"

#include "mm/tdp/tdp_internal.h"

static const struct tdp_age_locked_ops *locked_ops; /* (a) */

void tdp_age_set_locked_ops(const struct tdp_age_locked_ops *ops)
{
	__atomic_store_n(&locked_ops, ops, __ATOMIC_RELEASE);
}

static inline bool leaf_young(const struct spte_format *fmt, u64 spte)
{
	if (spte_uses_acc_track(fmt))
		return !spte_is_acc_tracked(fmt, spte);
	return (spte & fmt->accessed) != 0;
}

static inline u64 leaf_make_old(const struct spte_format *fmt, u64 spte)
{
	if (spte_uses_acc_track(fmt))
		return spte_acc_track_mark(spte);
	return spte & ~fmt->accessed;
}

/*
 * Age the present leaf at the iterator. True when it was young. When the
 * entry changed under us into something that is not a present leaf,
 * it->old_spte holds the new value (a table is then walked into by
 * tdp_iter_next) and the entry is not counted.
 */
static bool age_leaf(struct tdp_mmu *mmu, struct tdp_iter *it, bool clear,
		     struct tdp_age_result *out)
{
	const struct spte_format *fmt = mmu->fmt;
	u64 old = it->old_spte;

	for (;;) {
		u64 new;

		if (!leaf_young(fmt, old)) {
			out->old++;
			return false;
		}
		if (!clear) {
			out->young++;
			return true;
		}
		new = leaf_make_old(fmt, old);
		tdp_race_point(mmu, it->sptep, it->level);
		if (__atomic_compare_exchange_n(it->sptep, &old, new, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			it->old_spte = new;
			out->young++;
			if (spte_uses_acc_track(fmt))
				out->needs_flush = true;
			return true;
		}
		/* 'old' now holds what the entry became: look at it again. */
		it->old_spte = old;
		if (!spte_is_present(old) || !spte_is_leaf(fmt, old, it->level))
			return false;
	}
}

/* The lockless walk; true when stop_at_young and a young leaf was found. */
static bool age_tdp(struct tdp_mmu *mmu, u64 start, u64 end, bool clear, bool stop_at_young,
		    struct tdp_age_result *out)
{
	const struct spte_format *fmt = mmu->fmt;
	struct tdp_iter it;

	tdp_iter_start(&it, fmt, mmu->root->table, TDP_ROOT_LEVEL, TDP_LEVEL_4K, start, end);
	for (; it.valid; tdp_iter_next(&it)) {
		u64 spte = it.old_spte;

		out->visited++;
		if (!spte_is_present(spte) || !spte_is_leaf(fmt, spte, it.level))
			continue;
		if (age_leaf(mmu, &it, clear, out) && stop_at_young)
			return true;
	}
	return false;
}

static int age_range(struct tdp_mmu *mmu, u64 start, u64 end, unsigned int flags,
		     bool stop_at_young, struct tdp_age_result *out, bool *young)
{
	const struct tdp_age_locked_ops *ops;
	bool clear = flags & TDP_AGE_CLEAR;

	*young = false;
	if (!out || !mmu || !mmu->root || (flags & ~TDP_AGE_FLAGS))
		return -E_INVAL;
	*out = (struct tdp_age_result){ .complete = true };
	end = MIN(end, TDP_MAX_GFN);
	if (start >= end)
		return 0;

	/* 1. The TDP MMU, without the lock. A young leaf answers test_age. */
	*young = age_tdp(mmu, start, end, clear, stop_at_young, out);
	if (*young)
		return 0;

	/* 2. What only mmu_lock protects: never with FAST_ONLY. */
	ops = __atomic_load_n(&locked_ops, __ATOMIC_ACQUIRE);
	if (ops && ops->pending && ops->age && ops->pending(mmu, start, end)) {
		if (flags & TDP_AGE_FAST_ONLY) {
			out->complete = false;
		} else {
			u64 young_before = out->young;

			MMU_ASSERT_NOT_LOCKED();
			tdp_mmu_write_lock(mmu);
			ops->age(mmu, start, end, flags, stop_at_young, out);
			tdp_mmu_write_unlock(mmu);
			*young = out->young != young_before;
		}
	}
	if (!stop_at_young)
		*young = out->young != 0;
	return 0;
}

int tdp_mmu_age(struct tdp_mmu *mmu, u64 gfn_start, u64 gfn_end, unsigned int flags,
		struct tdp_age_result *out)
{
	bool young;

	return age_range(mmu, gfn_start, gfn_end, flags, false, out, &young);
}

bool tdp_mmu_test_age(struct tdp_mmu *mmu, u64 gfn_start, u64 gfn_end, unsigned int flags,
		      struct tdp_age_result *out)
{
	struct tdp_age_result local;
	bool young;

	if (age_range(mmu, gfn_start, gfn_end, flags, true, out ? out : &local, &young))
		return false;
	return young;
}
