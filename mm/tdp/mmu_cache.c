/* SPDX-License-Identifier: MIT */
/*
 * Per-vCPU prefetch caches for the TDP MMU (see mmu_cache.h). Table pages
 * come from the buddy allocator already zeroed; headers and rmap
 * descriptors from two object caches set up on first use.
 */
#include "mm/tdp/mmu_cache.h"

#include "kernel/spinlock.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/objcache.h"
#include "mm/tdp/mmu_page.h"
#include "mm/tdp/tdp_debug.h"

#ifdef TERN_KERNEL
s32 mmu_lock_held_depth[MAX_CPUS];
#else
s32 mmu_lock_held_depth_host;
#endif

static struct objcache header_cache;
static struct objcache rmap_cache;
static bool caches_ready; /* (a) */
static spinlock_t caches_init_lock = SPINLOCK_INIT;

static int caches_init(void)
{
	int err = 0;

	if (__atomic_load_n(&caches_ready, __ATOMIC_ACQUIRE))
		return 0;
	spin_lock(&caches_init_lock);
	if (!caches_ready) {
		err = objcache_init(&header_cache, "mmu_page", sizeof(struct mmu_page), 64,
				    &kernel_page_source);
		if (!err)
			err = objcache_init(&rmap_cache, "mmu_rmap", MMU_RMAP_DESC_SIZE,
					    MMU_RMAP_DESC_SIZE, &kernel_page_source);
		if (!err)
			__atomic_store_n(&caches_ready, true, __ATOMIC_RELEASE);
	}
	spin_unlock(&caches_init_lock);
	return err;
}

int mmu_cache_topup(struct mmu_cache *c, enum mmu_mode m)
{
	MMU_ASSERT_NOT_LOCKED();
	if (caches_init())
		return -E_NOMEM;
	if (c->nr_tables < MMU_CACHE_MIN_TABLES) {
		while (c->nr_tables < MMU_CACHE_CAP_TABLES) {
			void *t = page_alloc_zeroed_virt(0);

			if (!t)
				return -E_NOMEM;
			c->tables[c->nr_tables++] = t;
		}
	}
	if (c->nr_headers < MMU_CACHE_MIN_HEADERS) {
		while (c->nr_headers < MMU_CACHE_CAP_HEADERS) {
			struct mmu_page *sp = objcache_alloc(&header_cache);

			if (!sp)
				return -E_NOMEM;
			c->headers[c->nr_headers++] = sp;
		}
	}
	if (m == MMU_MODE_SHADOW && c->nr_rmap < MMU_CACHE_MIN_RMAP) {
		while (c->nr_rmap < MMU_CACHE_CAP_RMAP) {
			void *d = objcache_alloc(&rmap_cache);

			if (!d)
				return -E_NOMEM;
			c->rmap[c->nr_rmap++] = d;
		}
	}
	return 0;
}

void mmu_cache_free(struct mmu_cache *c)
{
	while (c->nr_tables)
		page_free_virt(c->tables[--c->nr_tables], 0);
	while (c->nr_headers)
		objcache_free(&header_cache, c->headers[--c->nr_headers]);
	while (c->nr_rmap)
		objcache_free(&rmap_cache, c->rmap[--c->nr_rmap]);
}

u64 mmu_cache_bytes_reserved(const struct mmu_cache *c)
{
	return (u64)c->nr_tables * PAGE_SIZE + (u64)c->nr_headers * sizeof(struct mmu_page) +
	       (u64)c->nr_rmap * MMU_RMAP_DESC_SIZE;
}

void *mmu_cache_take_table(struct mmu_cache *c)
{
	TDP_BUG_ON(c->nr_tables == 0);
	return c->tables[--c->nr_tables];
}

struct mmu_page *mmu_cache_take_header(struct mmu_cache *c)
{
	TDP_BUG_ON(c->nr_headers == 0);
	return c->headers[--c->nr_headers];
}

void *mmu_cache_take_rmap(struct mmu_cache *c)
{
	TDP_BUG_ON(c->nr_rmap == 0);
	return c->rmap[--c->nr_rmap];
}

void mmu_cache_return_table(struct mmu_cache *c, void *table)
{
	TDP_BUG_ON(c->nr_tables == MMU_CACHE_CAP_TABLES);
	c->tables[c->nr_tables++] = table;
}

void mmu_cache_return_header(struct mmu_cache *c, struct mmu_page *sp)
{
	TDP_BUG_ON(c->nr_headers == MMU_CACHE_CAP_HEADERS);
	c->headers[c->nr_headers++] = sp;
}

void mmu_header_free(struct mmu_page *sp)
{
	objcache_free(&header_cache, sp);
}
