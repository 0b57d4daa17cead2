/* SPDX-License-Identifier: MIT */
/* Compressed store of evicted guest pages (see zstore.h). Pure code. */
#include "mm/reclaim/zstore.h"

#include "lib/string.h"

_Static_assert(_Alignof(struct zstore_blob) >= 2, "blob pointers must leave bit 0 free");

void zstore_init(struct zstore *z, const struct zstore_alloc *a)
{
	memset(z, 0, sizeof(*z));
	z->a = a;
}

bool zstore_page_is_zero(const void *page)
{
	const u64 *p = page;

	for (u32 i = 0; i < ZSTORE_PAGE / sizeof(u64); i++)
		if (p[i])
			return false;
	return true;
}

enum zstore_kind zstore_classify(struct zstore *z, const void *page, u32 *len)
{
	int n;

	*len = 0;
	if (zstore_page_is_zero(page))
		return ZSTORE_ZERO;
	/* Strictly below the threshold: a block of exactly ZSTORE_MAX_LEN is not kept. */
	n = lz4_compress_block(page, ZSTORE_PAGE, z->buf, ZSTORE_MAX_LEN - 1, z->scratch);
	if (n <= 0)
		return ZSTORE_INCOMPRESSIBLE;
	z->last_len = (u16)n;
	*len = (u32)n;
	return ZSTORE_COMPRESSED;
}

struct zstore_blob *zstore_put(struct zstore *z, const void *page, bool raw)
{
	u32 len = raw ? ZSTORE_PAGE : z->last_len, allocated = 0;
	struct zstore_blob *b;

	if (!len)
		return NULL;
	b = z->a->alloc(sizeof(*b) + len, &allocated);
	if (!b)
		return NULL;
	b->len = (u16)len;
	b->raw = raw;
	b->alloc = allocated;
	memcpy(b->data, raw ? page : z->buf, len);
	z->blobs++;
	z->raw_blobs += raw;
	z->stored_bytes += len;
	z->alloc_bytes += allocated;
	z->put_total++;
	if (!raw)
		z->last_len = 0; /* consumed */
	return b;
}

int zstore_get(struct zstore *z, const struct zstore_blob *b, void *page)
{
	int n;

	z->get_total++;
	if (b->raw) {
		memcpy(page, b->data, ZSTORE_PAGE);
		return 0;
	}
	n = lz4_decompress_block(b->data, b->len, page, ZSTORE_PAGE);
	if (n != (int)ZSTORE_PAGE) {
		z->get_errors++;
		return -E_INVAL;
	}
	return 0;
}

void zstore_free(struct zstore *z, struct zstore_blob *b)
{
	if (!b)
		return;
	z->blobs--;
	z->raw_blobs -= b->raw;
	z->stored_bytes -= b->len;
	z->alloc_bytes -= b->alloc;
	z->a->free(b, b->alloc);
}
