/* SPDX-License-Identifier: MIT */
/*
 * Binary buddy page allocator, orders 0..BUDDY_MAX_ORDER (4 KiB..4 MiB), over
 * a flat struct page array indexed by page frame number, so a physical
 * address finds its metadata in O(1). The allocator only ever touches that
 * metadata, never the pages themselves, which keeps it host-testable. Errors
 * (double free, wrong order, freeing a reserved page) are reported through
 * return codes, a counter, printk and an optional hook the kernel can point
 * at panic.
 *
 * The second half declares the kernel-wide instance (mm/page_alloc.c).
 */
#ifndef TERN_MM_BUDDY_H
#define TERN_MM_BUDDY_H

#include "kernel/spinlock.h"
#include "lib/types.h"

#define BUDDY_MAX_ORDER 10 /* 1024 pages: 4 MiB blocks */
#define BUDDY_NR_ORDERS (BUDDY_MAX_ORDER + 1)

/* Free-list links are 32-bit page frame numbers; this one means "none". */
#define PFN_NONE 0xffffffffu
#define BUDDY_MAX_PFN PFN_NONE /* 16 TiB of physical address space */

/* struct page flags. */
#define PG_RESERVED BIT(0) /* never given to the allocator (hole, firmware, kernel) */
#define PG_FREE BIT(1)     /* head page of a free block, on free_list[order] */
#define PG_ALLOC BIT(2)    /* head page of an allocated block of size 2^order */
#define PG_KERNEL BIT(3)   /* users' tags, set after allocation: */
#define PG_SLAB BIT(4)
#define PG_PAGETABLE BIT(5)
#define PG_GUEST BIT(6)

struct page {
	u32 next;     /* free list: pfn of the next free block, or PFN_NONE */
	u32 prev;     /* free list: pfn of the previous free block, or PFN_NONE */
	u16 flags;    /* PG_*; tail pages of a block have no allocator flags */
	u8 order;     /* block order, valid on a PG_FREE or PG_ALLOC head */
	u8 _pad;
	u32 refcount; /* for the owner: reference count or owner tag */
	u32 owner;    /* for the owner: e.g. the VM id */
	u64 private;  /* for the owner: e.g. a slab or page-table back pointer */
};
_Static_assert(sizeof(struct page) <= 32, "struct page must stay small");

struct buddy {
	spinlock_t lock;
	struct page *pages; /* pages[pfn] for pfn < max_pfn */
	u64 max_pfn;
	u32 free_head[BUDDY_NR_ORDERS]; /* pfn of the first free block, or PFN_NONE */
	u64 nr_free[BUDDY_NR_ORDERS];   /* free blocks per order */
	u64 free_pages;                 /* total free pages */
	u64 managed_pages;              /* pages ever added by buddy_add_free_range */
	u64 nr_errors;                  /* double frees and other misuse seen */
	void (*error_hook)(const char *what, paddr_t pa, unsigned int order);
};

/* Set up @b over @meta[0..max_pfn), every page reserved and no block free. */
int buddy_init(struct buddy *b, struct page *meta, u64 max_pfn);

/*
 * Give [start, end) (rounded inward to pages, page 0 skipped) to the
 * allocator as maximal naturally aligned blocks. Returns the number of pages
 * added, or -E_RANGE beyond max_pfn, -E_EXIST if a page was already added.
 */
s64 buddy_add_free_range(struct buddy *b, paddr_t start, paddr_t end);

/* A 2^order-page block, naturally aligned; 0 when none is left. */
paddr_t buddy_alloc(struct buddy *b, unsigned int order);

/*
 * Free a block from buddy_alloc and coalesce it with its free buddies.
 * Returns 0, or -E_INVAL for a pointer or order that is not an allocated
 * block (double free, wrong order, unaligned, never managed).
 */
int buddy_free(struct buddy *b, paddr_t pa, unsigned int order);
/*
 * Contiguous runs above the buddy's largest order: a naturally aligned block
 * of 2^order pages, order in (BUDDY_MAX_ORDER, BUDDY_CONTIG_MAX_ORDER], made
 * of 2^(order - BUDDY_MAX_ORDER) adjacent free max-order blocks taken off the
 * free list. The run is handed out as that many allocated max-order blocks
 * (each may be freed, or split, on its own); buddy_free_contig() frees them
 * all. Orders <= BUDDY_MAX_ORDER are plain buddy_alloc/buddy_free. Returns 0
 * when no aligned run is free (fragmented or too little memory). The search
 * is linear in max_pfn >> BUDDY_MAX_ORDER, under the lock.
 */
#define BUDDY_CONTIG_MAX_ORDER 20 /* 4 GiB */
paddr_t buddy_alloc_contig(struct buddy *b, unsigned int order);
int buddy_free_contig(struct buddy *b, paddr_t pa, unsigned int order);

/* Turn an allocated block of 'order' into 2^order allocated single pages. */
int buddy_split(struct buddy *b, paddr_t pa, unsigned int order);

u64 buddy_free_pages(struct buddy *b);
u64 buddy_free_blocks(struct buddy *b, unsigned int order);

/* NULL when @pa lies beyond the array. */
struct page *buddy_pa_to_page(struct buddy *b, paddr_t pa);
paddr_t buddy_page_to_pa(struct buddy *b, const struct page *pg);

/* ---- kernel-wide instance (mm/page_alloc.c) ---- */

struct memmap;

/*
 * Size struct page for memmap_max_addr(), place it with memmap_alloc_early()
 * (accessed through the physmap), hand every free range to the allocator and
 * seal @m. Call once, after every reservation is recorded and the physmap is
 * live.
 */
int mm_init_from_memmap(struct memmap *m);

struct buddy *mm_buddy(void);
struct page *pa_to_page(paddr_t pa);
paddr_t page_to_pa(const struct page *pg);

paddr_t page_alloc(unsigned int order); /* 0 on failure */
void page_free(paddr_t pa, unsigned int order);
void page_split(paddr_t pa, unsigned int order); /* block -> single pages */
/* Above BUDDY_MAX_ORDER: buddy_alloc_contig / buddy_free_contig (0 on failure). */
paddr_t page_alloc_contig(unsigned int order);
void page_free_contig(paddr_t pa, unsigned int order);
u64 pages_free(void);

/* Zeroed block mapped through the physmap; NULL on failure. */
void *page_alloc_zeroed_virt(unsigned int order);
void page_free_virt(void *va, unsigned int order);
/* Zeroed memory for objects too large for kmalloc: whole pages, freed by size. */
void *kzalloc_pages(size_t size);
void kfree_pages(void *va, size_t size);

#endif
