/* SPDX-License-Identifier: MIT */
/* Helpers shared by the TDP MMU's files; not for users of the MMU. */
#ifndef TERN_MM_TDP_TDP_INTERNAL_H
#define TERN_MM_TDP_TDP_INTERNAL_H

#include "mm/phys.h"
#include "mm/tdp/tdp_debug.h"
#include "mm/tdp/tdp_iter.h"
#include "mm/tdp/tdp_mmu.h"

#define STAT_INC(mmu, field) __atomic_fetch_add(&(mmu)->stats.field, 1, __ATOMIC_RELAXED)
#define STAT_ADD(mmu, field, n) __atomic_fetch_add(&(mmu)->stats.field, (n), __ATOMIC_RELAXED)

static inline unsigned int tdp_index(u64 gfn, int level)
{
	return (unsigned int)((gfn >> (SPTE_LEVEL_BITS * (level - 1))) & (SPTE_ENTRIES - 1));
}

/* Header of the table holding the iterator's current entry. */
static inline struct mmu_page *tdp_iter_table(const struct tdp_iter *it)
{
	return mmu_page_of(virt_to_phys(it->pt[it->level]));
}

static inline void tdp_race_point(struct tdp_mmu *mmu, u64 *sptep, int level)
{
#ifdef TERN_HOSTED
	if (tdp_test_race_hook)
		tdp_test_race_hook(mmu, sptep, level);
#else
	(void)mmu, (void)sptep, (void)level;
#endif
}

/* A new, empty table from 'c' for entries of 'level' starting at gfn; NULL at the cap. */
struct mmu_page *tdp_table_alloc(struct tdp_mmu *mmu, struct mmu_cache *c, int level, u64 gfn);
/* Undo tdp_table_alloc for a table never published (lost race). */
void tdp_table_unalloc(struct tdp_mmu *mmu, struct mmu_cache *c, struct mmu_page *sp);
/* Queue an unlinked table for freeing after a grace period. */
void tdp_table_retire(struct tdp_mmu *mmu, struct mmu_page *sp);
/* Free at once (destroy, or after the grace period). */
void tdp_table_free(struct tdp_mmu *mmu, struct mmu_page *sp);

#endif
