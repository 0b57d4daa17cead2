/* SPDX-License-Identifier: MIT */
/*
 * zstore: evicted guest pages kept compressed in memory (LZ4 blocks).
 *
 * A page about to be evicted is classified by zstore_classify():
 *   ZSTORE_ZERO            all zero bytes: nothing is stored (the owner drops
 *                          the page; the next fault gives a fresh zero page)
 *   ZSTORE_COMPRESSED      LZ4 fits in ZSTORE_MAX_LEN (3/4 of a page); the
 *                          block is left in z->buf, zstore_put() copies it
 *                          into a blob of its own
 *   ZSTORE_INCOMPRESSIBLE  it does not: the owner keeps the page resident,
 *                          or stores it raw (zstore_put(raw = true)) when
 *                          nothing else is left to evict
 *
 * Blobs come from the allocator hooks (kmalloc-sized buckets for small
 * ones, whole pages above). A blob pointer tagged with ZSTORE_TAG (bit 0,
 * never set in a page-aligned host address) can stand in a memslot's
 * backing[] entry: "evicted, compressed here".
 *
 * Not thread-safe: the owner serialises calls on one zstore (z->buf and
 * z->scratch are shared).
 */
#ifndef TERN_MM_RECLAIM_ZSTORE_H
#define TERN_MM_RECLAIM_ZSTORE_H

#include "lib/lz4.h"
#include "lib/types.h"

#define ZSTORE_PAGE    4096u
#define ZSTORE_MAX_LEN (ZSTORE_PAGE * 3 / 4) /* compress below this or keep resident */
#define ZSTORE_TAG     1ull

enum zstore_kind {
	ZSTORE_ZERO,
	ZSTORE_COMPRESSED,
	ZSTORE_INCOMPRESSIBLE,
};

struct zstore_blob {
	u16 len; /* bytes in data[] */
	u8 raw;	 /* data[] is the page itself (ZSTORE_PAGE bytes) */
	u8 _pad;
	u32 alloc; /* bytes allocated for this blob (header included) */
	u8 data[];
};

struct zstore_alloc {
	void *(*alloc)(size_t bytes, u32 *allocated); /* *allocated: real footprint */
	void (*free)(void *p, u32 allocated);
};

struct zstore {
	const struct zstore_alloc *a;
	/* counters: live blobs and their sizes */
	u64 blobs, raw_blobs;
	u64 stored_bytes; /* compressed payload held */
	u64 alloc_bytes;  /* memory the blobs take, headers and rounding included */
	u64 put_total, get_total, get_errors;
	u16 last_len; /* of the block left in buf by zstore_classify */
	u16 scratch[LZ4_BLOCK_HASH_ENTRIES];
	u8 buf[ZSTORE_MAX_LEN];
};

void zstore_init(struct zstore *z, const struct zstore_alloc *a);
bool zstore_page_is_zero(const void *page);
/* Classify a page; for ZSTORE_COMPRESSED the block is in z->buf, *len its size. */
enum zstore_kind zstore_classify(struct zstore *z, const void *page, u32 *len);
/*
 * Store the block zstore_classify() just left in z->buf (raw = false), or
 * the page itself (raw = true). NULL when out of memory.
 */
struct zstore_blob *zstore_put(struct zstore *z, const void *page, bool raw);
/* Decompress a blob into page (ZSTORE_PAGE bytes). 0, or -E_INVAL (corrupt). */
int zstore_get(struct zstore *z, const struct zstore_blob *b, void *page);
void zstore_free(struct zstore *z, struct zstore_blob *b);

/* Backing-entry tagging. */
static inline u64 zstore_entry(const struct zstore_blob *b)
{
	return (u64)(uintptr_t)b | ZSTORE_TAG;
}

static inline bool zstore_is_entry(u64 e)
{
	return (e & ZSTORE_TAG) != 0;
}

static inline struct zstore_blob *zstore_entry_blob(u64 e)
{
	return (struct zstore_blob *)(uintptr_t)(e & ~ZSTORE_TAG);
}

/* Compression ratio of what is stored, in hundredths (e.g. 350 = 3.5:1). */
static inline u64 zstore_ratio_x100(const struct zstore *z)
{
	return z->stored_bytes ? (z->blobs * ZSTORE_PAGE * 100) / z->stored_bytes : 0;
}

#endif
