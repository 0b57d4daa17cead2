/* SPDX-License-Identifier: MIT */
/*
 * Host tests for mm/reclaim/zstore.c: the zero / compressed / incompressible
 * decision, round trips of many page kinds (heap blobs of exact size, so
 * ASan sees any overrun), raw blobs, counters and the compression ratio,
 * backing-entry tagging, allocation failure and corrupt blobs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mm/reclaim/zstore.h"
#include "tests/unit/xorshift.h"

static u64 live_allocs, fail_next;

static void *t_alloc(size_t bytes, u32 *allocated)
{
	if (fail_next) {
		fail_next--;
		return NULL;
	}
	*allocated = (u32)bytes;
	live_allocs++;
	return malloc(bytes);
}

static void t_free(void *p, u32 allocated)
{
	(void)allocated;
	live_allocs--;
	free(p);
}

static const struct zstore_alloc ops = {.alloc = t_alloc, .free = t_free};
static struct zstore zs;
static u8 page[ZSTORE_PAGE], out[ZSTORE_PAGE];

static u64 rng = 88172645463325252ull;
static u64 next_rand(void)
{
	return xorshift64(&rng);
}

static int setup(void **state)
{
	(void)state;
	zstore_init(&zs, &ops);
	live_allocs = 0;
	fail_next = 0;
	return 0;
}

static void test_zero_page_dropped(void **state)
{
	u32 len = 123;

	(void)state;
	memset(page, 0, sizeof(page));
	assert_true(zstore_page_is_zero(page));
	assert_int_equal(zstore_classify(&zs, page, &len), ZSTORE_ZERO);
	assert_int_equal(len, 0);
	/* One non-zero byte anywhere makes it not zero. */
	for (u32 i = 0; i < ZSTORE_PAGE; i += 509) {
		memset(page, 0, sizeof(page));
		page[i] = 1;
		assert_false(zstore_page_is_zero(page));
		assert_int_equal(zstore_classify(&zs, page, &len), ZSTORE_COMPRESSED);
	}
	page[ZSTORE_PAGE - 1] = 0x80;
	assert_false(zstore_page_is_zero(page));
}

static void test_incompressible_kept(void **state)
{
	u32 len = 7;

	(void)state;
	for (u32 i = 0; i < ZSTORE_PAGE; i += 8) {
		u64 r = next_rand();
		memcpy(page + i, &r, 8);
	}
	assert_int_equal(zstore_classify(&zs, page, &len), ZSTORE_INCOMPRESSIBLE);
	assert_int_equal(len, 0);
	/* Nothing was left to store from it. */
	assert_null(zstore_put(&zs, page, false));
	/* Half random, half zeros: about 2 KiB + overhead, below 3/4: compressed. */
	memset(page + ZSTORE_PAGE / 2, 0, ZSTORE_PAGE / 2);
	assert_int_equal(zstore_classify(&zs, page, &len), ZSTORE_COMPRESSED);
	assert_true(len < ZSTORE_MAX_LEN);
	/* 7/8 random: above the threshold. */
	for (u32 i = 0; i < ZSTORE_PAGE * 7 / 8; i += 8) {
		u64 r = next_rand();
		memcpy(page + i, &r, 8);
	}
	assert_int_equal(zstore_classify(&zs, page, &len), ZSTORE_INCOMPRESSIBLE);
}

static void fill_kind(int kind, u64 seed)
{
	for (u32 i = 0; i < ZSTORE_PAGE; i += 8) {
		u64 w;

		switch (kind) {
		case 0:
			w = seed ^ (i / 512);
			break;
		case 1:
			w = seed + ((i / 8) & 15);
			break;
		case 2:
			w = (i % 64) ? 0 : seed * i;
			break;
		default:
			/* 512 random bytes, repeated: only long matches */
			if (i < 512)
				w = next_rand() ^ seed;
			else
				memcpy(&w, page + i % 512, 8);
			break;
		}
		memcpy(page + i, &w, 8);
	}
}

static void test_round_trips(void **state)
{
	struct zstore_blob *blobs[64];
	static u8 copies[64][ZSTORE_PAGE];
	u64 bytes = 0;

	(void)state;
	for (int n = 0; n < 64; n++) {
		u32 len;

		fill_kind(n % 4, 0x1234567ull * (u64)(n + 1));
		memcpy(copies[n], page, ZSTORE_PAGE);
		assert_int_equal(zstore_classify(&zs, page, &len), ZSTORE_COMPRESSED);
		blobs[n] = zstore_put(&zs, page, false);
		assert_non_null(blobs[n]);
		assert_int_equal(blobs[n]->len, len);
		bytes += len;
		/* The tag never collides with the pointer. */
		assert_true(zstore_is_entry(zstore_entry(blobs[n])));
		assert_ptr_equal(zstore_entry_blob(zstore_entry(blobs[n])), blobs[n]);
		assert_false(zstore_is_entry(0x123000));
	}
	assert_int_equal(zs.blobs, 64);
	assert_int_equal(zs.stored_bytes, bytes);
	assert_int_equal(zstore_ratio_x100(&zs), 64ull * ZSTORE_PAGE * 100 / bytes);
	assert_true(zstore_ratio_x100(&zs) > 133);
	for (int n = 63; n >= 0; n--) {
		memset(out, 0xaa, sizeof(out));
		assert_int_equal(zstore_get(&zs, blobs[n], out), 0);
		assert_memory_equal(out, copies[n], ZSTORE_PAGE);
		zstore_free(&zs, blobs[n]);
	}
	assert_int_equal(zs.blobs, 0);
	assert_int_equal(zs.stored_bytes, 0);
	assert_int_equal(zs.alloc_bytes, 0);
	assert_int_equal(live_allocs, 0);
	assert_int_equal(zstore_ratio_x100(&zs), 0);
}

static void test_raw_blob(void **state)
{
	struct zstore_blob *b;

	(void)state;
	for (u32 i = 0; i < ZSTORE_PAGE; i++)
		page[i] = (u8)next_rand();
	b = zstore_put(&zs, page, true);
	assert_non_null(b);
	assert_int_equal(b->raw, 1);
	assert_int_equal(zs.raw_blobs, 1);
	assert_int_equal(zstore_get(&zs, b, out), 0);
	assert_memory_equal(out, page, ZSTORE_PAGE);
	zstore_free(&zs, b);
	assert_int_equal(zs.raw_blobs, 0);
	assert_int_equal(live_allocs, 0);
}

static void test_alloc_failure_and_corruption(void **state)
{
	struct zstore_blob *b;
	u32 len;

	(void)state;
	fill_kind(0, 42);
	assert_int_equal(zstore_classify(&zs, page, &len), ZSTORE_COMPRESSED);
	fail_next = 1;
	assert_null(zstore_put(&zs, page, false));
	assert_int_equal(zs.blobs, 0);
	/* The block is still in buf: a retry stores it. */
	b = zstore_put(&zs, page, false);
	assert_non_null(b);
	/* Consumed: a second put without classify stores nothing. */
	assert_null(zstore_put(&zs, page, false));
	/* A truncated block is refused, never decoded past its end. */
	b->len = (u16)(b->len / 2);
	assert_int_equal(zstore_get(&zs, b, out), -E_INVAL);
	assert_int_equal(zs.get_errors, 1);
	b->len = (u16)len;
	zs.stored_bytes = len; /* undo the length edit for the counters */
	assert_int_equal(zstore_get(&zs, b, out), 0);
	assert_memory_equal(out, page, ZSTORE_PAGE);
	zstore_free(&zs, b);
	assert_int_equal(live_allocs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_zero_page_dropped, setup),
		cmocka_unit_test_setup(test_incompressible_kept, setup),
		cmocka_unit_test_setup(test_round_trips, setup),
		cmocka_unit_test_setup(test_raw_blob, setup),
		cmocka_unit_test_setup(test_alloc_failure_and_corruption, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
