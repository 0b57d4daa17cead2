/* SPDX-License-Identifier: MIT */
/*
 * Per-vCPU MMU memory caches: fixed-capacity prefetch arrays of zeroed
 * table pages, struct mmu_page headers and (for the shadow MMU that comes
 * later) 32-byte rmap descriptors. mmu_cache_topup() refills them BEFORE the
 * fault path takes mmu_lock; code under mmu_lock only takes from them, and
 * an empty cache there is a bug (TDP_BUG_ON). Minimums follow KVM: 5 table
 * pages and 5 headers (a 4-level walk plus one), 14 rmap descriptors
 * (1 + 5 levels + 8 prefetched) - none with the TDP MMU alone.
 */
#ifndef TERN_MM_TDP_MMU_CACHE_H
#define TERN_MM_TDP_MMU_CACHE_H

#include "lib/types.h"

struct mmu_page;

enum mmu_mode {
	MMU_MODE_TDP,	 /* two-dimensional paging only: no rmap descriptors */
	MMU_MODE_SHADOW, /* shadow paging in use too */
};

#define MMU_CACHE_MIN_TABLES 5
#define MMU_CACHE_MIN_HEADERS 5
#define MMU_CACHE_MIN_RMAP 14
#define MMU_CACHE_CAP_TABLES 8
#define MMU_CACHE_CAP_HEADERS 8
#define MMU_CACHE_CAP_RMAP 40
#define MMU_RMAP_DESC_SIZE 32 /* a descriptor of 2 entries + link + count */

struct mmu_cache {
	u32 nr_tables;
	u32 nr_headers;
	u32 nr_rmap;
	u32 _pad;
	void *tables[MMU_CACHE_CAP_TABLES]; /* zeroed 4 KiB pages (virtual) */
	struct mmu_page *headers[MMU_CACHE_CAP_HEADERS];
	void *rmap[MMU_CACHE_CAP_RMAP];
};

/*
 * Refill every cache below its minimum (for mode 'm') up to its capacity.
 * Must not be called under mmu_lock. 0, or -E_NOMEM (what was allocated stays).
 */
int mmu_cache_topup(struct mmu_cache *c, enum mmu_mode m);
/* Give everything back to the allocators (vCPU teardown). */
void mmu_cache_free(struct mmu_cache *c);
/* Bytes held now (table pages + headers + rmap descriptors). */
u64 mmu_cache_bytes_reserved(const struct mmu_cache *c);

/* Under mmu_lock: take one object; BUG when empty. */
void *mmu_cache_take_table(struct mmu_cache *c);
struct mmu_page *mmu_cache_take_header(struct mmu_cache *c);
void *mmu_cache_take_rmap(struct mmu_cache *c);
/* Return an object taken but not published (lost race); tables must be zero. */
void mmu_cache_return_table(struct mmu_cache *c, void *table);
void mmu_cache_return_header(struct mmu_cache *c, struct mmu_page *sp);

/* Header objects are also freed by the deferred-free path. */
void mmu_header_free(struct mmu_page *sp);

#endif
