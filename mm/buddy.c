/* SPDX-License-Identifier: MIT */
/*
 * Binary buddy allocator over a struct page array (see buddy.h). Free blocks
 * sit on per-order doubly linked lists threaded through the head pages by
 * pfn, so removing a buddy while coalescing is O(1). Only head pages carry
 * PG_FREE or PG_ALLOC; tail pages carry no allocator flags. That makes a free
 * self-checking: the page must be an allocated head of exactly that order, so
 * double frees, wrong orders and pointers into the middle of a block are all
 * caught before any list is touched.
 */
#include "mm/buddy.h"

#include "kernel/printk.h"
#include "lib/string.h"

#ifdef TERN_KERNEL
/* Interrupts are off while the lock is held, so an IRQ path may free pages. */
static unsigned long buddy_lock(struct buddy *b)
{
	return spin_lock_irqsave(&b->lock);
}

static void buddy_unlock(struct buddy *b, unsigned long flags)
{
	spin_unlock_irqrestore(&b->lock, flags);
}
#else
static unsigned long buddy_lock(struct buddy *b)
{
	spin_lock(&b->lock);
	return 0;
}

static void buddy_unlock(struct buddy *b, unsigned long flags)
{
	(void)flags;
	spin_unlock(&b->lock);
}
#endif

int buddy_init(struct buddy *b, struct page *meta, u64 max_pfn)
{
	u64 pfn;
	unsigned int o;

	if (!meta || max_pfn == 0 || max_pfn > BUDDY_MAX_PFN)
		return -E_INVAL;

	memset(b, 0, sizeof(*b));
	spin_lock_init(&b->lock);
	b->pages = meta;
	b->max_pfn = max_pfn;
	for (o = 0; o < BUDDY_NR_ORDERS; o++)
		b->free_head[o] = PFN_NONE;
	for (pfn = 0; pfn < max_pfn; pfn++) {
		memset(&meta[pfn], 0, sizeof(meta[pfn]));
		meta[pfn].next = PFN_NONE;
		meta[pfn].prev = PFN_NONE;
		meta[pfn].flags = PG_RESERVED;
	}
	return 0;
}

static void list_push(struct buddy *b, u32 pfn, unsigned int order)
{
	struct page *pg = &b->pages[pfn];
	u32 head = b->free_head[order];

	memset(pg, 0, sizeof(*pg));
	pg->flags = PG_FREE;
	pg->order = (u8)order;
	pg->prev = PFN_NONE;
	pg->next = head;
	if (head != PFN_NONE)
		b->pages[head].prev = pfn;
	b->free_head[order] = pfn;
	b->nr_free[order]++;
	b->free_pages += 1ull << order;
}

static void list_remove(struct buddy *b, u32 pfn, unsigned int order)
{
	struct page *pg = &b->pages[pfn];

	if (pg->prev != PFN_NONE)
		b->pages[pg->prev].next = pg->next;
	else
		b->free_head[order] = pg->next;
	if (pg->next != PFN_NONE)
		b->pages[pg->next].prev = pg->prev;
	pg->next = PFN_NONE;
	pg->prev = PFN_NONE;
	pg->flags &= (u16)~PG_FREE;
	b->nr_free[order]--;
	b->free_pages -= 1ull << order;
}

/* Put a block on the free lists, merging with free buddies. Lock held. */
static void free_block(struct buddy *b, u64 pfn, unsigned int order)
{
	while (order < BUDDY_MAX_ORDER) {
		u64 bpfn = pfn ^ (1ull << order);
		struct page *bp;

		if (bpfn >= b->max_pfn)
			break;
		bp = &b->pages[bpfn];
		if (!(bp->flags & PG_FREE) || bp->order != order)
			break;
		list_remove(b, (u32)bpfn, order);
		bp->flags = 0; /* becomes a tail page of the merged block */
		pfn = MIN(pfn, bpfn);
		order++;
	}
	list_push(b, (u32)pfn, order);
}

/* The largest order whose naturally aligned block at @pfn fits below @end. */
static unsigned int fit_order(u64 pfn, u64 end)
{
	unsigned int order = 0;

	while (order < BUDDY_MAX_ORDER && IS_ALIGNED(pfn, 1ull << (order + 1)) &&
	       pfn + (1ull << (order + 1)) <= end)
		order++;
	return order;
}

s64 buddy_add_free_range(struct buddy *b, paddr_t start, paddr_t end)
{
	u64 s, e, pfn;
	unsigned long flags;

	if (end <= start)
		return 0;
	s = ALIGN_UP(start, PAGE_SIZE) >> PAGE_SHIFT;
	e = ALIGN_DOWN(end, PAGE_SIZE) >> PAGE_SHIFT;
	if (s == 0)
		s = 1; /* page 0 would be indistinguishable from failure */
	if (e <= s)
		return 0;
	if (e > b->max_pfn)
		return -E_RANGE;

	flags = buddy_lock(b);
	/* Check first so a bad range leaves the allocator untouched. */
	for (pfn = s; pfn < e; pfn++) {
		if (!(b->pages[pfn].flags & PG_RESERVED)) {
			buddy_unlock(b, flags);
			pr_err("buddy: page %#lx added twice\n",
			       (unsigned long)(pfn << PAGE_SHIFT));
			return -E_EXIST;
		}
	}
	for (pfn = s; pfn < e; pfn++)
		b->pages[pfn].flags = 0;
	for (pfn = s; pfn < e;) {
		unsigned int order = fit_order(pfn, e);

		free_block(b, pfn, order);
		pfn += 1ull << order;
	}
	b->managed_pages += e - s;
	buddy_unlock(b, flags);
	return (s64)(e - s);
}

paddr_t buddy_alloc(struct buddy *b, unsigned int order)
{
	unsigned int o;
	u32 pfn;
	struct page *pg;
	unsigned long flags;

	/* A zeroed, never initialised instance has no free lists yet. */
	if (order > BUDDY_MAX_ORDER || !b->pages)
		return 0;

	flags = buddy_lock(b);
	for (o = order; o <= BUDDY_MAX_ORDER && b->free_head[o] == PFN_NONE; o++)
		;
	if (o > BUDDY_MAX_ORDER) {
		buddy_unlock(b, flags);
		return 0;
	}
	pfn = b->free_head[o];
	list_remove(b, pfn, o);
	/* Split: the upper halves go back on the free lists. */
	while (o > order) {
		o--;
		list_push(b, pfn + (1u << o), o);
	}
	pg = &b->pages[pfn];
	memset(pg, 0, sizeof(*pg));
	pg->next = PFN_NONE;
	pg->prev = PFN_NONE;
	pg->flags = PG_ALLOC;
	pg->order = (u8)order;
	buddy_unlock(b, flags);
	return (paddr_t)pfn << PAGE_SHIFT;
}

static int report(struct buddy *b, const char *what, paddr_t pa, unsigned int order);

/* Is the max-order block at @pfn free (a whole block, not part of one)? */
static bool max_block_free(struct buddy *b, u64 pfn)
{
	const struct page *pg = &b->pages[pfn];

	return (pg->flags & PG_FREE) && pg->order == BUDDY_MAX_ORDER;
}

paddr_t buddy_alloc_contig(struct buddy *b, unsigned int order)
{
	u64 n, blocks, run;
	unsigned long flags;

	if (order <= BUDDY_MAX_ORDER)
		return buddy_alloc(b, order);
	if (order > BUDDY_CONTIG_MAX_ORDER || !b->pages)
		return 0;
	n = 1ull << order;
	blocks = 1ull << (order - BUDDY_MAX_ORDER);
	flags = buddy_lock(b);
	if (b->nr_free[BUDDY_MAX_ORDER] < blocks) {
		buddy_unlock(b, flags);
		return 0;
	}
	/* Page 0 is never managed, so the run at pfn 0 can never be free. */
	for (run = n; run + n <= b->max_pfn; run += n) {
		u64 i;

		for (i = 0; i < blocks; i++)
			if (!max_block_free(b, run + (i << BUDDY_MAX_ORDER)))
				break;
		if (i < blocks)
			continue;
		for (i = 0; i < blocks; i++) {
			u64 pfn = run + (i << BUDDY_MAX_ORDER);
			struct page *pg = &b->pages[pfn];

			list_remove(b, (u32)pfn, BUDDY_MAX_ORDER);
			memset(pg, 0, sizeof(*pg));
			pg->next = PFN_NONE;
			pg->prev = PFN_NONE;
			pg->flags = PG_ALLOC;
			pg->order = BUDDY_MAX_ORDER;
		}
		buddy_unlock(b, flags);
		return (paddr_t)run << PAGE_SHIFT;
	}
	buddy_unlock(b, flags);
	return 0;
}

int buddy_free_contig(struct buddy *b, paddr_t pa, unsigned int order)
{
	u64 pfn = pa >> PAGE_SHIFT, blocks;
	int err = 0;

	if (order <= BUDDY_MAX_ORDER)
		return buddy_free(b, pa, order);
	if (order > BUDDY_CONTIG_MAX_ORDER)
		return report(b, "bad order", pa, order);
	if (!IS_ALIGNED(pa, PAGE_SIZE << order) || pfn == 0 ||
	    pfn + (1ull << order) > b->max_pfn)
		return report(b, "bad address", pa, order);
	blocks = 1ull << (order - BUDDY_MAX_ORDER);
	for (u64 i = 0; i < blocks; i++) {
		int e = buddy_free(b, pa + ((paddr_t)i << (BUDDY_MAX_ORDER + PAGE_SHIFT)),
				   BUDDY_MAX_ORDER);

		if (e && !err)
			err = e;
	}
	return err;
}

int buddy_split(struct buddy *b, paddr_t pa, unsigned int order)
{
	u64 pfn = pa >> PAGE_SHIFT;
	unsigned long flags;

	if (order > BUDDY_MAX_ORDER || !IS_ALIGNED(pa, PAGE_SIZE << order) ||
	    pfn + (1ull << order) > b->max_pfn)
		return report(b, "split of a bad block", pa, order);
	flags = buddy_lock(b);
	if (!(b->pages[pfn].flags & PG_ALLOC) || b->pages[pfn].order != order) {
		buddy_unlock(b, flags);
		return report(b, "split of a block not allocated at this order", pa, order);
	}
	for (u64 i = 0; i < (1ull << order); i++) {
		struct page *pg = &b->pages[pfn + i];

		pg->flags |= PG_ALLOC;
		pg->order = 0;
	}
	buddy_unlock(b, flags);
	return 0;
}

static int report(struct buddy *b, const char *what, paddr_t pa, unsigned int order)
{
	__atomic_fetch_add(&b->nr_errors, 1, __ATOMIC_RELAXED);
	pr_err("buddy: %s: pa %#lx order %u\n", what, (unsigned long)pa, order);
	if (b->error_hook)
		b->error_hook(what, pa, order);
	return -E_INVAL;
}

int buddy_free(struct buddy *b, paddr_t pa, unsigned int order)
{
	u64 pfn = pa >> PAGE_SHIFT;
	struct page *pg;
	const char *what = NULL;
	unsigned long flags;

	if (order > BUDDY_MAX_ORDER)
		return report(b, "bad order", pa, order);
	if (!IS_ALIGNED(pa, PAGE_SIZE << order) || pfn == 0 ||
	    pfn + (1ull << order) > b->max_pfn)
		return report(b, "bad address", pa, order);

	flags = buddy_lock(b);
	pg = &b->pages[pfn];
	if (pg->flags & PG_FREE)
		what = "double free";
	else if (pg->flags & PG_RESERVED)
		what = "free of reserved page";
	else if (!(pg->flags & PG_ALLOC))
		what = "free of non-head page";
	else if (pg->order != order)
		what = "free with wrong order";
	if (what) {
		buddy_unlock(b, flags);
		return report(b, what, pa, order);
	}
	pg->flags = 0;
	free_block(b, pfn, order);
	buddy_unlock(b, flags);
	return 0;
}

u64 buddy_free_pages(struct buddy *b)
{
	return __atomic_load_n(&b->free_pages, __ATOMIC_RELAXED);
}

u64 buddy_free_blocks(struct buddy *b, unsigned int order)
{
	if (order > BUDDY_MAX_ORDER)
		return 0;
	return __atomic_load_n(&b->nr_free[order], __ATOMIC_RELAXED);
}

struct page *buddy_pa_to_page(struct buddy *b, paddr_t pa)
{
	u64 pfn = pa >> PAGE_SHIFT;

	return pfn < b->max_pfn ? &b->pages[pfn] : NULL;
}

paddr_t buddy_page_to_pa(struct buddy *b, const struct page *pg)
{
	return (paddr_t)(pg - b->pages) << PAGE_SHIFT;
}
