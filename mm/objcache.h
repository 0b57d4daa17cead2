/* SPDX-License-Identifier: MIT */
/*
 * Object caches for small fixed-size objects, slab style. Each slab is one
 * 4 KiB page from a page source (the kernel's buddy allocator, or a fake in
 * tests) with its header at the start of the page, so an object's slab is
 * found by rounding its address down. Free objects are chained through their
 * first word; their second word holds a poison that, confirmed by a walk of
 * the slab's free list, detects double frees. Slabs that become empty go
 * straight back to the page source. kmalloc()/kfree() sit on top, with one
 * cache per power of two from 16 to 2048 bytes.
 */
#ifndef TERN_MM_OBJCACHE_H
#define TERN_MM_OBJCACHE_H

#include "kernel/spinlock.h"
#include "lib/types.h"

/* A free object holds the free-list link and the poison word. */
#define OBJCACHE_MIN_SIZE (2 * sizeof(void *))
#define OBJCACHE_SLAB_SIZE PAGE_SIZE

#define KMALLOC_MIN_SIZE 16
#define KMALLOC_MAX_SIZE 2048 /* one object per slab: prefer page_alloc for >= 1 KiB */
#define KMALLOC_ALIGN 16

/* Where slabs come from: single page-aligned 4 KiB pages. */
struct page_source {
	void *(*alloc_page)(void *ctx); /* NULL when out of memory */
	void (*free_page)(void *ctx, void *page);
	void *ctx;
};

/* The kernel's buddy allocator through the physmap (mm/page_alloc.c). */
extern const struct page_source kernel_page_source;

struct objcache_stats {
	u64 in_use;       /* objects allocated now */
	u64 slabs;        /* slabs (pages) held now */
	u64 total_allocs; /* objects ever allocated */
	u64 total_frees;  /* objects ever freed */
	u64 slab_allocs;  /* pages ever taken from the page source */
	u64 slab_frees;   /* pages ever given back */
	u64 errors;       /* double frees and foreign pointers refused */
};

struct slab;

struct objcache {
	spinlock_t lock;
	const char *name;
	u32 stride;   /* object size rounded up to the alignment */
	u32 first;    /* offset of the first object in a slab */
	u32 per_slab; /* objects per slab */
	const struct page_source *src;
	struct slab *partial; /* slabs with at least one free object; lock */
	struct slab *full;    /* slabs with none; lock */
	struct objcache_stats stats; /* lock */
};

/*
 * Set up @c for objects of @size bytes aligned to @align (a power of two; 0
 * means pointer alignment). Returns -E_INVAL when the size or alignment leave
 * no room for an object in a page. @name must outlive the cache.
 */
int objcache_init(struct objcache *c, const char *name, size_t size, size_t align,
		  const struct page_source *src);

void *objcache_alloc(struct objcache *c); /* NULL when the page source is empty */

/* Returns 0, or -E_INVAL for a double free or a pointer not from @c. */
int objcache_free(struct objcache *c, void *obj);

/* Returns -E_BUSY (and keeps the cache) while objects are still in use. */
int objcache_destroy(struct objcache *c);

void objcache_get_stats(struct objcache *c, struct objcache_stats *out);

/* ---- kmalloc: power-of-two caches over one page source ---- */

int kmalloc_init(const struct page_source *src); /* -E_BUSY if objects are live */
void *kmalloc(size_t size);                       /* NULL for 0 or > KMALLOC_MAX_SIZE */
void *kzalloc(size_t size);
void kfree(void *ptr); /* NULL is ignored; misuse is logged and counted */

/* The cache that serves @size, or NULL; for stats and tests. */
struct objcache *kmalloc_cache(size_t size);

#endif
