/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for mm/memmap.c: hostile firmware maps (zero length, wrapping,
 * unaligned, tiny, overlapping, adjacent, both available and reserved), the
 * overlap check boot code uses for modules, early allocation, and a random
 * comparison of the free ranges against a page-bitmap model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mm/memmap.h"

#define U64_MAX (~0ull)

static struct memmap *new_map(void)
{
	struct memmap *m = malloc(sizeof(*m));

	assert_non_null(m);
	memmap_init(m);
	return m;
}

/* Collected free ranges, checked to be ascending, disjoint and page aligned. */
struct free_list {
	struct mem_range r[2 * MEMMAP_MAX_RANGES + 1];
	unsigned int n;
};

static void collect(u64 start, u64 end, void *arg)
{
	struct free_list *fl = arg;

	assert_true(start < end);
	assert_true(IS_ALIGNED(start, PAGE_SIZE) && IS_ALIGNED(end, PAGE_SIZE));
	if (fl->n)
		assert_true(fl->r[fl->n - 1].end <= start);
	assert_true(fl->n < ARRAY_SIZE(fl->r));
	fl->r[fl->n].start = start;
	fl->r[fl->n].end = end;
	fl->n++;
}

static void get_free(struct memmap *m, struct free_list *fl)
{
	fl->n = 0;
	memmap_for_each_free(m, collect, fl);
}

static void test_bad_input(void **state)
{
	struct memmap *m = new_map();

	(void)state;
	assert_int_equal(memmap_add_ram(m, 0x100000, 0), -E_INVAL);
	assert_int_equal(memmap_add_ram(m, U64_MAX - 0xfff, 0x2000), -E_INVAL);
	assert_int_equal(memmap_add_ram(m, U64_MAX, 1), -E_INVAL); /* end would be 2^64 */
	assert_int_equal(memmap_add_ram(m, MEMMAP_PHYS_LIMIT, PAGE_SIZE), -E_RANGE);
	/* Less than a page once rounded inward. */
	assert_int_equal(memmap_add_ram(m, 0x1800, 0x1000), MEMMAP_DROPPED);
	assert_int_equal(memmap_add_ram(m, 0x1001, 0xfff), MEMMAP_DROPPED);
	assert_int_equal(memmap_add_ram(m, 0x5000, 0xfff), MEMMAP_DROPPED);
	assert_int_equal(m->nr_ram, 0);
	assert_int_equal(memmap_total_ram(m), 0);
	assert_int_equal(memmap_max_addr(m), 0);

	assert_int_equal(memmap_reserve(m, 0x2000, 0x2000, "empty"), -E_INVAL);
	assert_int_equal(memmap_reserve(m, 0x3000, 0x2000, "inverted"), -E_INVAL);
	assert_int_equal(m->nr_rsv, 0);
	free(m);
}

static void test_round_inward_and_clip(void **state)
{
	struct memmap *m = new_map();

	(void)state;
	assert_int_equal(memmap_add_ram(m, 0x1001, 0x3000), 0);
	assert_int_equal(m->nr_ram, 1);
	assert_int_equal(m->ram[0].start, 0x2000);
	assert_int_equal(m->ram[0].end, 0x4000);

	/* Straddling the 52-bit limit is clipped, not refused. */
	assert_int_equal(memmap_add_ram(m, MEMMAP_PHYS_LIMIT - 0x2000, 0x10000), 0);
	assert_int_equal(m->ram[1].end, MEMMAP_PHYS_LIMIT);
	assert_int_equal(memmap_max_addr(m), MEMMAP_PHYS_LIMIT);
	free(m);
}

static void test_merge_and_sort(void **state)
{
	struct memmap *m = new_map();

	(void)state;
	/* Out of order, adjacent, overlapping, contained, bridging. */
	assert_int_equal(memmap_add_ram(m, 0x10000, 0x1000), 0);
	assert_int_equal(memmap_add_ram(m, 0x2000, 0x1000), 0);
	assert_int_equal(memmap_add_ram(m, 0x30000, 0x1000), 0);
	assert_int_equal(m->nr_ram, 3);
	assert_true(m->ram[0].start < m->ram[1].start && m->ram[1].start < m->ram[2].start);

	assert_int_equal(memmap_add_ram(m, 0x3000, 0x1000), 0); /* adjacent above */
	assert_int_equal(memmap_add_ram(m, 0x1000, 0x1000), 0); /* adjacent below */
	assert_int_equal(m->nr_ram, 3);
	assert_int_equal(m->ram[0].start, 0x1000);
	assert_int_equal(m->ram[0].end, 0x4000);

	assert_int_equal(memmap_add_ram(m, 0x1800, 0x2000), 0); /* contained, unaligned */
	assert_int_equal(m->nr_ram, 3);

	assert_int_equal(memmap_add_ram(m, 0x3800, 0x2d000), 0); /* bridges all three */
	assert_int_equal(m->nr_ram, 1);
	assert_int_equal(m->ram[0].start, 0x1000);
	assert_int_equal(m->ram[0].end, 0x31000);
	assert_int_equal(memmap_total_ram(m), 0x30000);
	free(m);
}

static void test_table_full(void **state)
{
	struct memmap *m = new_map();
	unsigned int i;

	(void)state;
	for (i = 0; i < MEMMAP_MAX_RANGES; i++)
		assert_int_equal(memmap_add_ram(m, (u64)i * 2 * PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(m->nr_ram, MEMMAP_MAX_RANGES);
	assert_int_equal(memmap_add_ram(m, MiB(64), PAGE_SIZE), -E_NOMEM);
	/* Merging into existing ranges needs no slot and still works. */
	assert_int_equal(memmap_add_ram(m, PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(m->nr_ram, MEMMAP_MAX_RANGES - 1);

	for (i = 0; i < MEMMAP_MAX_RANGES; i++)
		assert_int_equal(memmap_reserve(m, (u64)i * 4 * PAGE_SIZE,
						(u64)i * 4 * PAGE_SIZE + 1, "x"),
				 0);
	assert_int_equal(memmap_reserve(m, MiB(64), MiB(65), "y"), -E_NOMEM);
	/* Same label and touching: merges, so it fits. */
	assert_int_equal(memmap_reserve(m, 1, 4 * PAGE_SIZE, "x"), 0);
	free(m);
}

static void test_reserved_wins(void **state)
{
	struct memmap *m = new_map();
	struct free_list fl;

	(void)state;
	/* Reserved before the RAM is even known: order must not matter. */
	assert_int_equal(memmap_reserve(m, MiB(1), MiB(2), "kernel"), 0);
	assert_int_equal(memmap_add_ram(m, 0, MiB(16)), 0);
	/* Unaligned reservation widens to whole pages. */
	assert_int_equal(memmap_reserve(m, MiB(4) + 0x800, MiB(4) + 0x1800, "bootinfo"), 0);
	/* A firmware map listing the same range as available and reserved. */
	assert_int_equal(memmap_add_ram(m, MiB(8), MiB(1)), 0);
	assert_int_equal(memmap_reserve(m, MiB(8), MiB(9), "firmware"), 0);

	get_free(m, &fl);
	assert_int_equal(fl.n, 4);
	assert_int_equal(fl.r[0].start, 0);
	assert_int_equal(fl.r[0].end, MiB(1));
	assert_int_equal(fl.r[1].start, MiB(2));
	assert_int_equal(fl.r[1].end, MiB(4));
	assert_int_equal(fl.r[2].start, MiB(4) + 2 * PAGE_SIZE);
	assert_int_equal(fl.r[2].end, MiB(8));
	assert_int_equal(fl.r[3].start, MiB(9));
	assert_int_equal(fl.r[3].end, MiB(16));
	assert_int_equal(memmap_total_ram(m), MiB(16));
	assert_int_equal(memmap_total_free(m), MiB(16) - MiB(2) - 2 * PAGE_SIZE);

	/* Overlapping reservations with different labels, and one past RAM. */
	assert_int_equal(memmap_reserve(m, MiB(10), MiB(12), "a"), 0);
	assert_int_equal(memmap_reserve(m, MiB(11), MiB(13), "b"), 0);
	assert_int_equal(memmap_reserve(m, MiB(15), GiB(1), "mmio"), 0);
	get_free(m, &fl);
	assert_int_equal(fl.r[3].end, MiB(10));
	assert_int_equal(fl.r[4].start, MiB(13));
	assert_int_equal(fl.r[4].end, MiB(15));
	assert_int_equal(fl.n, 5);
	memmap_dump(m);
	free(m);
}

static void test_check_overlap(void **state)
{
	struct memmap *m = new_map();
	const char *with = NULL;

	(void)state;
	assert_int_equal(memmap_add_ram(m, 0, MiB(64)), 0);
	assert_int_equal(memmap_reserve(m, MiB(1), MiB(3), "kernel"), 0);
	assert_int_equal(memmap_reserve(m, MiB(4), MiB(4) + 100, "module0"), 0);

	assert_int_equal(memmap_check_overlap(m, MiB(2) + 5, MiB(4) + 1, &with), -E_OVERLAP);
	assert_string_equal(with, "kernel");
	assert_int_equal(memmap_check_overlap(m, MiB(4) + 99, MiB(5), &with), -E_OVERLAP);
	assert_string_equal(with, "module0");
	/* Exact bytes: touching is not overlapping, even within one page. */
	assert_int_equal(memmap_check_overlap(m, MiB(3), MiB(4), NULL), 0);
	assert_int_equal(memmap_check_overlap(m, MiB(4) + 100, MiB(4) + 200, NULL), 0);
	assert_int_equal(memmap_check_overlap(m, 0, MiB(1), NULL), 0);

	assert_true(memmap_is_ram(m, MiB(1), MiB(2)));
	assert_false(memmap_is_ram(m, MiB(63), MiB(65)));
	free(m);
}

static void test_alloc_early_basic(void **state)
{
	struct memmap *m = new_map();
	u64 pa, before;

	(void)state;
	assert_int_equal(memmap_add_ram(m, 0, MiB(16)), 0);
	assert_int_equal(memmap_reserve(m, MiB(12), MiB(16), "top"), 0);
	before = memmap_total_free(m);

	/* Highest first, below the reserved top. */
	pa = memmap_alloc_early(m, 100, 0, U64_MAX, "a");
	assert_int_equal(pa, MiB(12) - PAGE_SIZE);
	assert_int_equal(memmap_total_free(m), before - PAGE_SIZE);
	assert_int_equal(memmap_check_overlap(m, pa, pa + 1, NULL), -E_OVERLAP);

	pa = memmap_alloc_early(m, PAGE_SIZE, MiB(2), MiB(5) + 123, "b");
	assert_int_equal(pa, MiB(4));

	pa = memmap_alloc_early(m, MiB(3), MiB(1), MiB(3), "c");
	assert_int_equal(pa, 0); /* would need address 0 */
	pa = memmap_alloc_early(m, MiB(2), MiB(1), MiB(3), "c");
	assert_int_equal(pa, MiB(1));

	assert_int_equal(memmap_alloc_early(m, PAGE_SIZE, 3 * PAGE_SIZE, U64_MAX, "d"), 0);
	assert_int_equal(memmap_alloc_early(m, 0, 0, U64_MAX, "d"), 0);
	assert_int_equal(memmap_alloc_early(m, MiB(64), 0, U64_MAX, "d"), 0);
	assert_int_equal(memmap_alloc_early(m, PAGE_SIZE, 0, PAGE_SIZE, "d"), 0);

	memmap_seal(m);
	assert_int_equal(memmap_alloc_early(m, PAGE_SIZE, 0, U64_MAX, "d"), 0);
	assert_int_equal(memmap_add_ram(m, MiB(32), MiB(1)), -E_BUSY);
	free(m);
}

static void test_alloc_early_random(void **state)
{
	struct memmap *m = new_map();
	struct mem_range got[64];
	unsigned int n = 0, i, j;

	(void)state;
	srand(1234);
	/* RAM with holes and unaligned firmware edges. */
	assert_int_equal(memmap_add_ram(m, 0x9f, MiB(1) - 0x200), 0);
	assert_int_equal(memmap_add_ram(m, MiB(2) + 7, MiB(30)), 0);
	assert_int_equal(memmap_add_ram(m, MiB(40), MiB(8) + 0x123), 0);
	assert_int_equal(memmap_reserve(m, MiB(3), MiB(3) + 0x10, "kernel"), 0);
	assert_int_equal(memmap_reserve(m, MiB(20) - 1, MiB(21) + 1, "module"), 0);

	while (n < ARRAY_SIZE(got)) {
		u64 size = ((u64)(rand() % 64) + 1) * PAGE_SIZE - (u64)(rand() % 100);
		u64 align = PAGE_SIZE << (rand() % 10);
		u64 limit = (u64)(rand() % 56) * MiB(1) + (u64)(rand() % 4096);
		u64 pa = memmap_alloc_early(m, size, align, limit, "rand");

		if (!pa)
			continue;
		assert_true(IS_ALIGNED(pa, align));
		assert_true(pa + size <= limit);
		assert_true(memmap_is_ram(m, pa, ALIGN_UP(pa + size, PAGE_SIZE)));
		assert_false(pa < MiB(3) + 0x10 && MiB(3) < pa + size);
		assert_false(pa < MiB(21) + 1 && MiB(20) - 1 < pa + size);
		for (j = 0; j < n; j++)
			assert_false(pa < got[j].end && got[j].start < pa + size);
		got[n].start = pa;
		got[n].end = ALIGN_UP(pa + size, PAGE_SIZE);
		n++;
	}
	for (i = 0; i < n; i++)
		assert_int_equal(memmap_check_overlap(m, got[i].start, got[i].end, NULL),
				 -E_OVERLAP);
	free(m);
}

/* Random maps against a bitmap model of RAM pages and reserved pages. */
#define MODEL_PAGES 1024

static void model_mark(bool *map, u64 first, u64 last)
{
	for (; first < last && first < MODEL_PAGES; first++)
		map[first] = true;
}

static void test_model(void **state)
{
	static bool ram[MODEL_PAGES], rsv[MODEL_PAGES], got[MODEL_PAGES];
	const u64 space = MODEL_PAGES * PAGE_SIZE;
	struct free_list fl;
	unsigned int round, op, p;

	(void)state;
	srand(42);
	for (round = 0; round < 200; round++) {
		struct memmap *m = new_map();
		u64 free_pages = 0, ram_pages = 0;

		memset(ram, 0, sizeof(ram));
		memset(rsv, 0, sizeof(rsv));
		memset(got, 0, sizeof(got));
		for (op = 0; op < 40; op++) {
			u64 a = (u64)rand() % space, len = (u64)rand() % (space / 8) + 1;
			u64 b = MIN(a + len, space);

			if (rand() % 2) {
				int ret = memmap_add_ram(m, a, b - a);

				assert_true(ret == 0 || ret == MEMMAP_DROPPED);
				model_mark(ram, ALIGN_UP(a, PAGE_SIZE) / PAGE_SIZE, b / PAGE_SIZE);
			} else {
				const char *why = rand() % 2 ? "p" : "q";

				assert_int_equal(memmap_reserve(m, a, b, why), 0);
				model_mark(rsv, a / PAGE_SIZE, ALIGN_UP(b, PAGE_SIZE) / PAGE_SIZE);
			}
		}
		get_free(m, &fl);
		for (p = 0; p < fl.n; p++)
			model_mark(got, fl.r[p].start / PAGE_SIZE, fl.r[p].end / PAGE_SIZE);
		for (p = 0; p < MODEL_PAGES; p++) {
			assert_int_equal(got[p], ram[p] && !rsv[p]);
			free_pages += got[p];
			ram_pages += ram[p];
		}
		assert_int_equal(memmap_total_free(m), free_pages * PAGE_SIZE);
		assert_int_equal(memmap_total_ram(m), ram_pages * PAGE_SIZE);
		for (p = 1; p < m->nr_ram; p++)
			assert_true(m->ram[p - 1].end < m->ram[p].start);
		for (p = 1; p < m->nr_rsv; p++)
			assert_true(m->rsv[p - 1].start <= m->rsv[p].start);
		free(m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_round_inward_and_clip),
		cmocka_unit_test(test_merge_and_sort),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_reserved_wins),
		cmocka_unit_test(test_check_overlap),
		cmocka_unit_test(test_alloc_early_basic),
		cmocka_unit_test(test_alloc_early_random),
		cmocka_unit_test(test_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
