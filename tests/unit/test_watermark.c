/* SPDX-License-Identifier: MIT */
/*
 * Host tests for mm/reclaim/watermark.c: the automatic reserve and its
 * clamps, an explicit reserve, the ordering min <= low <= high <= managed/2,
 * the levels at each boundary, the background target and the guest
 * allocation check (never below min, no wrap-around).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mm/reclaim/watermark.h"

static void test_auto_reserve(void **state)
{
	struct watermarks w;

	(void)state;
	/* 1 GiB: 1/32 is 32 MiB = 8192 pages; gap = a quarter of it. */
	assert_int_equal(watermarks_init(&w, 262144, 0), 0);
	assert_int_equal(w.min, 8192);
	assert_int_equal(w.low, 8192 + 2048);
	assert_int_equal(w.high, 8192 + 4096);
	/* 32 MiB: 1/32 is 256 pages, clamped up to 2 MiB; gap at least 1 MiB. */
	assert_int_equal(watermarks_init(&w, 8192, 0), 0);
	assert_int_equal(w.min, WMARK_RESERVE_MIN_PAGES);
	assert_int_equal(w.low, WMARK_RESERVE_MIN_PAGES + WMARK_GAP_MIN_PAGES);
	/* 64 GiB: clamped down to 64 MiB. */
	assert_int_equal(watermarks_init(&w, 16777216, 0), 0);
	assert_int_equal(w.min, WMARK_RESERVE_MAX_PAGES);
	assert_int_equal(w.high - w.low, WMARK_RESERVE_MAX_PAGES / 4);
}

static void test_explicit_and_capped(void **state)
{
	struct watermarks w;

	(void)state;
	assert_int_equal(watermarks_init(&w, 262144, 4096), 0);
	assert_int_equal(w.min, 4096);
	assert_int_equal(w.low, 4096 + 1024);
	assert_int_equal(w.high, 4096 + 2048);
	/* A reserve larger than half of memory is capped there, marks too. */
	assert_int_equal(watermarks_init(&w, 1000, 900), 0);
	assert_int_equal(w.min, 500);
	assert_true(w.low <= 500 && w.high <= 500);
	assert_int_equal(watermarks_init(&w, 0, 0), -E_INVAL);
	/* Ordering over many sizes. */
	for (u64 m = 1; m < 5000000; m = m * 3 + 7)
		for (u64 r = 0; r < 70000; r = r * 5 + 1) {
			assert_int_equal(watermarks_init(&w, m, r), 0);
			assert_true(w.min <= w.low && w.low <= w.high && w.high <= m / 2 + 0);
		}
}

static void test_levels_and_targets(void **state)
{
	struct watermarks w;

	(void)state;
	assert_int_equal(watermarks_init(&w, 262144, 2048), 0);
	assert_int_equal(watermark_level(&w, 0), WMARK_MIN);
	assert_int_equal(watermark_level(&w, w.min - 1), WMARK_MIN);
	assert_int_equal(watermark_level(&w, w.min), WMARK_LOW);
	assert_int_equal(watermark_level(&w, w.low - 1), WMARK_LOW);
	assert_int_equal(watermark_level(&w, w.low), WMARK_OK);
	assert_int_equal(watermark_reclaim_target(&w, w.low), 0);
	assert_int_equal(watermark_reclaim_target(&w, w.low - 1), w.high - w.low + 1);
	assert_int_equal(watermark_reclaim_target(&w, 0), w.high);
	/* Guest allocations stop exactly at min. */
	assert_true(watermark_guest_may_alloc(&w, w.min + 1, 1));
	assert_false(watermark_guest_may_alloc(&w, w.min, 1));
	assert_true(watermark_guest_may_alloc(&w, w.min + 512, 512));
	assert_false(watermark_guest_may_alloc(&w, w.min + 511, 512));
	assert_false(watermark_guest_may_alloc(&w, 3, 5)); /* no wrap-around */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auto_reserve),
		cmocka_unit_test(test_explicit_and_capped),
		cmocka_unit_test(test_levels_and_targets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
