/* SPDX-License-Identifier: MIT */
/*
 * The kernel-wide page allocator: one buddy instance over all of RAM, built
 * from the early memory map, plus the conveniences that need the physmap
 * (zeroed pages by virtual address) and the page source object caches use.
 * Everything that touches page contents lives here, not in buddy.c.
 */
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/memmap.h"
#include "mm/objcache.h"
#include "mm/phys.h"

static struct buddy kbuddy;

struct add_ctx {
	struct buddy *b;
	int err;
};

static void add_one(u64 start, u64 end, void *arg)
{
	struct add_ctx *ctx = arg;
	s64 ret = buddy_add_free_range(ctx->b, start, end);

	if (ret < 0 && ctx->err == 0)
		ctx->err = (int)ret;
}

int mm_init_from_memmap(struct memmap *m)
{
	u64 max_addr = memmap_max_addr(m);
	u64 max_pfn = max_addr >> PAGE_SHIFT;
	u64 meta_bytes;
	paddr_t meta_pa;
	struct add_ctx ctx = { &kbuddy, 0 };
	int err;

	if (max_pfn == 0)
		return -E_NOMEM;
	if (max_pfn > BUDDY_MAX_PFN)
		return -E_RANGE;

	meta_bytes = ALIGN_UP(max_pfn * sizeof(struct page), PAGE_SIZE);
	meta_pa = memmap_alloc_early(m, meta_bytes, PAGE_SIZE, max_addr, "struct page");
	if (!meta_pa) {
		pr_err("mm: no room for %lu KiB of struct page\n",
		       (unsigned long)(meta_bytes >> 10));
		return -E_NOMEM;
	}
	err = buddy_init(&kbuddy, phys_to_virt(meta_pa), max_pfn);
	if (err)
		return err;

	/* From here on the buddy allocator owns the free ranges. */
	memmap_seal(m);
	memmap_for_each_free(m, add_one, &ctx);
	if (ctx.err)
		return ctx.err;
	pr_info("mm: %lu KiB free in the page allocator, struct page at %#lx (%lu KiB)\n",
		(unsigned long)(buddy_free_pages(&kbuddy) << (PAGE_SHIFT - 10)),
		(unsigned long)meta_pa, (unsigned long)(meta_bytes >> 10));
	return 0;
}

struct buddy *mm_buddy(void)
{
	return &kbuddy;
}

struct page *pa_to_page(paddr_t pa)
{
	return buddy_pa_to_page(&kbuddy, pa);
}

paddr_t page_to_pa(const struct page *pg)
{
	return buddy_page_to_pa(&kbuddy, pg);
}

paddr_t page_alloc(unsigned int order)
{
	return buddy_alloc(&kbuddy, order);
}

void page_free(paddr_t pa, unsigned int order)
{
	buddy_free(&kbuddy, pa, order);
}

paddr_t page_alloc_contig(unsigned int order)
{
	return buddy_alloc_contig(&kbuddy, order);
}

void page_free_contig(paddr_t pa, unsigned int order)
{
	buddy_free_contig(&kbuddy, pa, order);
}

void page_split(paddr_t pa, unsigned int order)
{
	buddy_split(&kbuddy, pa, order);
}

u64 pages_free(void)
{
	return buddy_free_pages(&kbuddy);
}

void *page_alloc_zeroed_virt(unsigned int order)
{
	paddr_t pa = page_alloc(order);
	void *va;

	if (!pa)
		return NULL;
	va = phys_to_virt(pa);
	memset(va, 0, PAGE_SIZE << order);
	return va;
}

static unsigned int order_for(size_t size)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

void *kzalloc_pages(size_t size)
{
	return size ? page_alloc_zeroed_virt(order_for(size)) : NULL;
}

void kfree_pages(void *va, size_t size)
{
	page_free_virt(va, order_for(size));
}

void page_free_virt(void *va, unsigned int order)
{
	if (va)
		page_free(virt_to_phys(va), order);
}

/* Object caches take whole single pages; the tag helps when dumping memory. */
static void *kernel_slab_page_alloc(void *ctx)
{
	paddr_t pa = page_alloc(0);

	(void)ctx;
	if (!pa)
		return NULL;
	pa_to_page(pa)->flags |= PG_SLAB;
	return phys_to_virt(pa);
}

static void kernel_slab_page_free(void *ctx, void *va)
{
	paddr_t pa = virt_to_phys(va);

	(void)ctx;
	pa_to_page(pa)->flags &= (u16)~PG_SLAB;
	page_free(pa, 0);
}

const struct page_source kernel_page_source = {
	.alloc_page = kernel_slab_page_alloc,
	.free_page = kernel_slab_page_free,
	.ctx = NULL,
};
