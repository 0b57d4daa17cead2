/* SPDX-License-Identifier: MIT */
/*
 * Table page <-> header binding through struct page's private word, so any
 * table SPTE (or a table's physical address) reaches its struct mmu_page in
 * O(1).
 */
#include "mm/tdp/mmu_page.h"

#include "mm/buddy.h"
#include "mm/phys.h"
#include "mm/tdp/tdp_debug.h"

struct mmu_page *mmu_page_of(paddr_t table_pa)
{
	struct page *pg = pa_to_page(table_pa);

	TDP_BUG_ON(!pg || !pg->private);
	return (struct mmu_page *)(uintptr_t)pg->private;
}

void mmu_page_link(struct mmu_page *sp, u64 *table, struct tdp_mmu *mmu, int level, u64 gfn)
{
	struct page *pg;

	*sp = (struct mmu_page){
		.table = table,
		.table_pa = virt_to_phys(table),
		.gfn = gfn,
		.mmu = mmu,
		.level = (u8)level,
	};
	pg = pa_to_page(sp->table_pa);
	TDP_BUG_ON(!pg);
	pg->flags |= PG_PAGETABLE;
	pg->private = (u64)(uintptr_t)sp;
}

void mmu_page_unlink(struct mmu_page *sp)
{
	struct page *pg = pa_to_page(sp->table_pa);

	TDP_BUG_ON(!pg || pg->private != (u64)(uintptr_t)sp);
	pg->private = 0;
	pg->flags &= (u16)~PG_PAGETABLE;
}
