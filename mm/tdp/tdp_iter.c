/* SPDX-License-Identifier: MIT */
/*
 * The TDP iterator (see tdp_iter.h). Position = (level, gfn): the entry at
 * 'level' whose range holds gfn, inside table pt[level]. Stepping down
 * follows the current entry when it points at a table; stepping side moves
 * to the next entry of the same table; stepping up returns to the entry that
 * points at the current table. next_gfn remembers where a restart resumes.
 */
#include "mm/tdp/tdp_iter.h"

#include "mm/phys.h"

static unsigned int spte_index(u64 gfn, int level)
{
	return (unsigned int)((gfn >> (SPTE_LEVEL_BITS * (level - 1))) & (SPTE_ENTRIES - 1));
}

static void iter_load(struct tdp_iter *it)
{
	it->sptep = &it->pt[it->level][spte_index(it->gfn, it->level)];
	tdp_iter_refresh(it);
}

void tdp_iter_restart(struct tdp_iter *it)
{
	it->level = it->root_level;
	it->gfn = ALIGN_DOWN(it->next_gfn, spte_level_pages(it->level));
	it->valid = it->next_gfn < it->end && it->gfn < (1ull << (SPTE_LEVEL_BITS * it->level));
	if (it->valid)
		iter_load(it);
}

void tdp_iter_start(struct tdp_iter *it, const struct spte_format *fmt, u64 *root,
		    int root_level, int min_level, u64 start, u64 end)
{
	*it = (struct tdp_iter){
		.fmt = fmt,
		.start = start,
		.end = end,
		.next_gfn = start,
		.root_level = root_level,
		.min_level = min_level,
	};
	it->pt[root_level] = root;
	tdp_iter_restart(it);
}

bool tdp_iter_step_down(struct tdp_iter *it)
{
	u64 spte = it->old_spte;

	if (it->level <= it->min_level || !spte_is_present(spte) ||
	    spte_is_leaf(it->fmt, spte, it->level))
		return false;
	it->level--;
	it->pt[it->level] = phys_to_virt(spte_pa(it->fmt, spte));
	/* Enter at the entry holding next_gfn (the range start or the resume point). */
	if (it->next_gfn > it->gfn)
		it->gfn = ALIGN_DOWN(it->next_gfn, spte_level_pages(it->level));
	iter_load(it);
	return true;
}

bool tdp_iter_step_side(struct tdp_iter *it)
{
	u64 size = spte_level_pages(it->level);

	/* The last entry of a table: its successor lies in the parent. */
	if (spte_index(it->gfn, it->level) == SPTE_ENTRIES - 1)
		return false;
	it->gfn += size;
	it->next_gfn = it->gfn;
	iter_load(it);
	return true;
}

bool tdp_iter_step_up(struct tdp_iter *it)
{
	if (it->level == it->root_level)
		return false;
	it->level++;
	it->gfn = ALIGN_DOWN(it->gfn, spte_level_pages(it->level));
	iter_load(it);
	return true;
}

static void iter_advance_side(struct tdp_iter *it)
{
	for (;;) {
		if (tdp_iter_step_side(it))
			break;
		if (!tdp_iter_step_up(it)) {
			it->valid = false;
			return;
		}
	}
	if (it->gfn >= it->end)
		it->valid = false;
}

void tdp_iter_next(struct tdp_iter *it)
{
	if (tdp_iter_step_down(it))
		return;
	iter_advance_side(it);
}

void tdp_iter_next_skip(struct tdp_iter *it)
{
	iter_advance_side(it);
}
