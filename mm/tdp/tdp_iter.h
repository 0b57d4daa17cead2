/* SPDX-License-Identifier: MIT */
/*
 * Pre-order walk over the SPTEs of a TDP page-table tree covering
 * [start, end) gfns: step down into a present table, step side to the next
 * entry of the same table, step up when a table is exhausted, and restart
 * from the root (at the gfn reached) after the lock was dropped to yield.
 * The iterator never modifies SPTEs; callers re-read *sptep into old_spte
 * (tdp_iter_refresh) after changing it.
 */
#ifndef TERN_MM_TDP_TDP_ITER_H
#define TERN_MM_TDP_TDP_ITER_H

#include "mm/tdp/spte.h"

struct tdp_iter {
	const struct spte_format *fmt;
	u64 *pt[SPTE_ROOT_LEVEL + 1]; /* pt[level]: table holding this level's entries */
	u64 *sptep;		      /* current entry */
	u64 old_spte;		      /* its value when read */
	u64 gfn;		      /* first gfn the current entry covers */
	u64 next_gfn;		      /* where a restart resumes */
	u64 start, end;
	int level;
	int root_level;
	int min_level; /* never step below this level */
	bool valid;
};

void tdp_iter_start(struct tdp_iter *it, const struct spte_format *fmt, u64 *root,
		    int root_level, int min_level, u64 start, u64 end);
/* Advance in pre-order: down if possible, else side, else up then side. */
void tdp_iter_next(struct tdp_iter *it);
/* Advance without entering the current entry's table. */
void tdp_iter_next_skip(struct tdp_iter *it);
/* Primitives: each returns false (and does not move) when impossible. */
bool tdp_iter_step_down(struct tdp_iter *it);
bool tdp_iter_step_side(struct tdp_iter *it);
bool tdp_iter_step_up(struct tdp_iter *it);
/* Walk again from the root down to next_gfn (after a yield). */
void tdp_iter_restart(struct tdp_iter *it);
/* Re-read the current entry. */
static inline void tdp_iter_refresh(struct tdp_iter *it)
{
	it->old_spte = __atomic_load_n(it->sptep, __ATOMIC_ACQUIRE);
}

#endif
