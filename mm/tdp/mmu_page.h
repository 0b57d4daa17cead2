/* SPDX-License-Identifier: MIT */
/*
 * struct mmu_page: the header of one TDP page-table page. One cache line:
 * role (level of the entries in the table, invalid flag), the first gfn the
 * table covers, the table's physical and virtual addresses, a list link (the
 * vCPU cache's free headers, or the VM's deferred-free list), the owning MMU
 * and a count of non-zero entries so zaps can free tables they empty.
 * A table's struct page `private` word points at its header, so a table
 * SPTE leads to the header in O(1) (mmu_page_of()).
 */
#ifndef TERN_MM_TDP_MMU_PAGE_H
#define TERN_MM_TDP_MMU_PAGE_H

#include "lib/types.h"

struct tdp_mmu;

#define MMU_PAGE_INVALID BIT(0) /* unlinked by a zap, waiting for a grace period */
#define MMU_PAGE_ROOT BIT(1)

struct mmu_page {
	struct mmu_page *next; /* cache free list / deferred-free list */
	u64 *table;	       /* the 512 SPTEs, through the physmap */
	paddr_t table_pa;
	u64 gfn;	       /* first gfn the table covers */
	u64 free_epoch;	       /* mmu_rcu stamp when unlinked */
	struct tdp_mmu *mmu;   /* owner (accounting) */
	u16 used;	       /* (a) non-zero entries: present or MMIO */
	u8 level;	       /* level of the entries in this table: 1..4 */
	u8 flags;	       /* MMU_PAGE_* */
	u32 _pad;
};
_Static_assert(sizeof(struct mmu_page) <= 64, "struct mmu_page must fit one cache line");

/* Header of the table at 'table_pa' (set by mmu_page_link()). */
struct mmu_page *mmu_page_of(paddr_t table_pa);
/* Bind a header to a zeroed table page and record it in struct page. */
void mmu_page_link(struct mmu_page *sp, u64 *table, struct tdp_mmu *mmu, int level, u64 gfn);
/* Forget the struct page back pointer (before freeing or recycling). */
void mmu_page_unlink(struct mmu_page *sp);

#endif
