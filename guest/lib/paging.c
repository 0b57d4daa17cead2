/*
 * Long-mode page tables beyond the boot identity map: 2 MiB mappings
 * anywhere below 512 GiB, and 4 KiB splits for tests that need a single
 * not-present or re-mappable page. Tables come from a static pool.
 */
#include "guest.h"

#define PT_POOL_PAGES 64
#define ADDR_MASK     0x000ffffffffff000ull

extern u64 pml4[512];
static u64 pool[PT_POOL_PAGES][512] __attribute__((aligned(4096)));
static int pool_used;

static u64 *table_alloc(void)
{
	if (pool_used >= PT_POOL_PAGES) {
		printf("FAIL page-table pool exhausted\n");
		checks_failed++;
		guest_finish();
	}
	u64 *t = pool[pool_used++];
	memset(t, 0, 4096);
	return t;
}

static u64 *next(u64 *entry, bool create)
{
	if (!(*entry & PTE_P)) {
		if (!create)
			return NULL;
		*entry = (u64)table_alloc() | PTE_P | PTE_W | PTE_U;
	}
	return (u64 *)(*entry & ADDR_MASK);
}

u64 *pte_2m(u64 va, bool create)
{
	u64 *pdpt = next(&pml4[(va >> 39) & 511], create);
	if (!pdpt)
		return NULL;
	u64 *pd = next(&pdpt[(va >> 30) & 511], create);
	if (!pd)
		return NULL;
	return &pd[(va >> 21) & 511];
}

void map_2m(u64 va, u64 pa)
{
	u64 *e = pte_2m(va, true);
	*e = pa | PTE_P | PTE_W | PTE_U | PTE_PS;
	invlpg(va);
}

u64 *pte_4k(u64 va, bool create)
{
	u64 *pde = pte_2m(va, create);
	if (!pde)
		return NULL;
	if ((*pde & PTE_P) && (*pde & PTE_PS)) {
		/* Split the 2 MiB page into 512 4 KiB pages with the same mapping. */
		u64 base = *pde & ~(PAGE_2M - 1) & ADDR_MASK, flags = *pde & 0x7;
		u64 *pt = table_alloc();
		for (int i = 0; i < 512; i++)
			pt[i] = (base + (u64)i * 4096) | flags;
		*pde = (u64)pt | PTE_P | PTE_W | PTE_U;
		flush_tlb();
	}
	u64 *pt = next(pde, create);
	if (!pt)
		return NULL;
	return &pt[(va >> 12) & 511];
}
