/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for mm/buddy.c and mm/page_alloc.c: block layout after adding
 * ranges, exhaustion, alignment, no overlap (checked with a page bitmap),
 * coalescing back to the exact initial free counts, misuse detection, a
 * random alloc/free run against a model, and the kernel-wide instance built
 * from a memmap over a malloc'd "physical memory" arena.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mm/buddy.h"
#include "mm/memmap.h"
#include "mm/objcache.h"
#include "mm/phys.h"

u64 physmap_offset;

#define TEST_PAGES 4096 /* 16 MiB of pretend physical memory */

struct fixture {
	struct buddy b;
	struct page meta[TEST_PAGES];
	bool owned[TEST_PAGES]; /* pages handed out and not yet freed */
	u64 snap[BUDDY_NR_ORDERS];
};

static unsigned int hook_calls;
static const char *hook_what;

static void hook(const char *what, paddr_t pa, unsigned int order)
{
	(void)pa;
	(void)order;
	hook_calls++;
	hook_what = what;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || buddy_init(&f->b, f->meta, TEST_PAGES))
		return -1;
	f->b.error_hook = hook;
	hook_calls = 0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void snapshot(struct fixture *f)
{
	unsigned int o;

	for (o = 0; o < BUDDY_NR_ORDERS; o++)
		f->snap[o] = buddy_free_blocks(&f->b, o);
}

static void assert_snapshot(struct fixture *f)
{
	unsigned int o;

	for (o = 0; o < BUDDY_NR_ORDERS; o++)
		assert_int_equal(buddy_free_blocks(&f->b, o), f->snap[o]);
}

/* Mark a block as owned, failing on any overlap or misalignment. */
static void take(struct fixture *f, paddr_t pa, unsigned int order)
{
	u64 pfn = pa >> PAGE_SHIFT, i;

	assert_true(pa != 0);
	assert_true(IS_ALIGNED(pa, PAGE_SIZE << order));
	assert_true(pfn + (1ull << order) <= TEST_PAGES);
	for (i = 0; i < (1ull << order); i++) {
		assert_false(f->owned[pfn + i]);
		f->owned[pfn + i] = true;
	}
}

static void give(struct fixture *f, paddr_t pa, unsigned int order)
{
	u64 pfn = pa >> PAGE_SHIFT, i;

	for (i = 0; i < (1ull << order); i++)
		f->owned[pfn + i] = false;
	assert_int_equal(buddy_free(&f->b, pa, order), 0);
}

static void test_layout(void **state)
{
	struct fixture *f = *state;
	unsigned int o;

	assert_int_equal(buddy_free_pages(&f->b), 0);
	assert_int_equal(buddy_alloc(&f->b, 0), 0);
	/* Page 0 is skipped: pfn 1..4095 is one block of each order 0..9 + 3 of 10. */
	assert_int_equal(buddy_add_free_range(&f->b, 0, TEST_PAGES * PAGE_SIZE), TEST_PAGES - 1);
	for (o = 0; o < BUDDY_MAX_ORDER; o++)
		assert_int_equal(buddy_free_blocks(&f->b, o), 1);
	assert_int_equal(buddy_free_blocks(&f->b, BUDDY_MAX_ORDER), 3);
	assert_int_equal(buddy_free_pages(&f->b), TEST_PAGES - 1);
	assert_true(f->meta[0].flags & PG_RESERVED);

	/* Adding again, or past the array, is refused without side effects. */
	assert_int_equal(buddy_add_free_range(&f->b, MiB(1), MiB(2)), -E_EXIST);
	assert_int_equal(buddy_add_free_range(&f->b, 0, (TEST_PAGES + 1) * PAGE_SIZE), -E_RANGE);
	assert_int_equal(buddy_free_pages(&f->b), TEST_PAGES - 1);

	assert_int_equal(buddy_alloc(&f->b, BUDDY_MAX_ORDER + 1), 0);
	assert_ptr_equal(buddy_pa_to_page(&f->b, MiB(1) + 5), &f->meta[MiB(1) >> PAGE_SHIFT]);
	assert_int_equal(buddy_page_to_pa(&f->b, &f->meta[77]), 77 * PAGE_SIZE);
	assert_null(buddy_pa_to_page(&f->b, TEST_PAGES * PAGE_SIZE));
}

static void test_unaligned_range_and_holes(void **state)
{
	struct fixture *f = *state;
	paddr_t pa;

	/* Rounded inward: only [0x3000, 0x9000) and [0x20000, 0x40000) are usable. */
	assert_int_equal(buddy_add_free_range(&f->b, 0x2fff, 0x9fff), 6);
	assert_int_equal(buddy_add_free_range(&f->b, 0x20000, 0x40000), 32);
	assert_int_equal(buddy_add_free_range(&f->b, 0x50800, 0x51000), 0);
	while ((pa = buddy_alloc(&f->b, 0)) != 0) {
		assert_true((pa >= 0x3000 && pa < 0x9000) || (pa >= 0x20000 && pa < 0x40000));
		take(f, pa, 0);
	}
	assert_int_equal(buddy_free_pages(&f->b), 0);
}

static void test_exhaust_order0(void **state)
{
	struct fixture *f = *state;
	static paddr_t got[TEST_PAGES];
	unsigned int n = 0, i, o;

	buddy_add_free_range(&f->b, 0, TEST_PAGES * PAGE_SIZE);
	snapshot(f);
	while ((got[n] = buddy_alloc(&f->b, 0)) != 0) {
		take(f, got[n], 0);
		n++;
	}
	assert_int_equal(n, TEST_PAGES - 1);
	for (o = 0; o <= BUDDY_MAX_ORDER; o++) {
		assert_int_equal(buddy_alloc(&f->b, o), 0);
		assert_int_equal(buddy_free_blocks(&f->b, o), 0);
	}
	/* Free in a shuffled order: coalescing must rebuild the same blocks. */
	srand(7);
	for (i = n - 1; i > 0; i--) {
		unsigned int j = (unsigned int)rand() % (i + 1);
		paddr_t t = got[i];

		got[i] = got[j];
		got[j] = t;
	}
	for (i = 0; i < n; i++)
		give(f, got[i], 0);
	assert_snapshot(f);
	assert_int_equal(buddy_free_pages(&f->b), TEST_PAGES - 1);
	assert_int_equal(f->b.nr_errors, 0);
}

static void test_exhaust_mixed(void **state)
{
	struct fixture *f = *state;
	static paddr_t got[TEST_PAGES];
	static unsigned int ord[TEST_PAGES];
	unsigned int n = 0, i, o;

	buddy_add_free_range(&f->b, 0, TEST_PAGES * PAGE_SIZE);
	snapshot(f);
	/* Largest first, then smaller orders fill the leftovers. */
	for (o = BUDDY_MAX_ORDER + 1; o-- > 0;) {
		paddr_t pa;

		while ((pa = buddy_alloc(&f->b, o)) != 0) {
			take(f, pa, o);
			got[n] = pa;
			ord[n++] = o;
		}
	}
	assert_int_equal(buddy_free_pages(&f->b), 0);
	for (i = 1; i < TEST_PAGES; i++)
		assert_true(f->owned[i]);
	for (i = n; i-- > 0;)
		give(f, got[i], ord[i]);
	assert_snapshot(f);
}

static void test_coalesce_max_order(void **state)
{
	struct fixture *f = *state;
	paddr_t pa[1 << BUDDY_MAX_ORDER];
	unsigned int o, i;

	/* One naturally aligned 4 MiB block. */
	assert_int_equal(buddy_add_free_range(&f->b, MiB(4), MiB(8)), 1 << BUDDY_MAX_ORDER);
	assert_int_equal(buddy_free_blocks(&f->b, BUDDY_MAX_ORDER), 1);

	pa[0] = buddy_alloc(&f->b, 0);
	assert_int_equal(pa[0], MiB(4));
	/* The split leaves exactly one free block of every lower order. */
	for (o = 0; o < BUDDY_MAX_ORDER; o++)
		assert_int_equal(buddy_free_blocks(&f->b, o), 1);
	assert_int_equal(buddy_free_blocks(&f->b, BUDDY_MAX_ORDER), 0);
	assert_int_equal(buddy_free(&f->b, pa[0], 0), 0);
	assert_int_equal(buddy_free_blocks(&f->b, BUDDY_MAX_ORDER), 1);
	for (o = 0; o < BUDDY_MAX_ORDER; o++)
		assert_int_equal(buddy_free_blocks(&f->b, o), 0);

	/* Every page out, then back from the top down. */
	for (i = 0; i < ARRAY_SIZE(pa); i++) {
		pa[i] = buddy_alloc(&f->b, 0);
		take(f, pa[i], 0);
	}
	assert_int_equal(buddy_alloc(&f->b, 0), 0);
	for (i = ARRAY_SIZE(pa); i-- > 0;)
		give(f, pa[i], 0);
	assert_int_equal(buddy_free_blocks(&f->b, BUDDY_MAX_ORDER), 1);
	assert_int_equal(buddy_free_pages(&f->b), 1 << BUDDY_MAX_ORDER);
}

/* Runs above BUDDY_MAX_ORDER: adjacent, aligned free max-order blocks. */
static void test_contig_alloc(void **state)
{
	struct fixture *f = *state;
	u64 free0;
	paddr_t pa;

	/* [4K, 16M): max-order blocks at 4M, 8M and 12M, smaller ones below 4M. */
	assert_int_equal(buddy_add_free_range(&f->b, 0, MiB(16)), TEST_PAGES - 1);
	assert_int_equal(buddy_free_blocks(&f->b, BUDDY_MAX_ORDER), 3);
	snapshot(f);
	free0 = buddy_free_pages(&f->b);

	/* Orders the buddy has itself fall through to it. */
	pa = buddy_alloc_contig(&f->b, BUDDY_MAX_ORDER);
	assert_true(pa && IS_ALIGNED(pa, MiB(4)));
	assert_int_equal(buddy_free_contig(&f->b, pa, BUDDY_MAX_ORDER), 0);
	assert_snapshot(f);

	/* 8 MiB: the only 8 MiB-aligned free run is [8M, 16M). */
	pa = buddy_alloc_contig(&f->b, BUDDY_MAX_ORDER + 1);
	assert_int_equal(pa, MiB(8));
	take(f, pa, BUDDY_MAX_ORDER + 1);
	assert_int_equal(buddy_free_blocks(&f->b, BUDDY_MAX_ORDER), 1);
	assert_int_equal(buddy_free_pages(&f->b), free0 - (2u << BUDDY_MAX_ORDER));
	/* Handed out as two allocated max-order heads, the tail pages flagless. */
	assert_true(f->meta[MiB(8) >> PAGE_SHIFT].flags & PG_ALLOC);
	assert_int_equal(f->meta[MiB(8) >> PAGE_SHIFT].order, BUDDY_MAX_ORDER);
	assert_true(f->meta[MiB(12) >> PAGE_SHIFT].flags & PG_ALLOC);
	assert_int_equal(f->meta[(MiB(8) >> PAGE_SHIFT) + 1].flags, 0);
	/* Nothing else that large is left; 16 MiB never fit (page 0). */
	assert_int_equal(buddy_alloc_contig(&f->b, BUDDY_MAX_ORDER + 1), 0);
	assert_int_equal(buddy_alloc_contig(&f->b, BUDDY_MAX_ORDER + 2), 0);
	assert_int_equal(buddy_alloc_contig(&f->b, BUDDY_CONTIG_MAX_ORDER + 1), 0);
	assert_int_equal(hook_calls, 0);

	/* Free restores the exact free counts. */
	for (u64 i = 0; i < (2u << BUDDY_MAX_ORDER); i++)
		f->owned[(MiB(8) >> PAGE_SHIFT) + i] = false;
	assert_int_equal(buddy_free_contig(&f->b, pa, BUDDY_MAX_ORDER + 1), 0);
	assert_snapshot(f);
	assert_int_equal(buddy_free_pages(&f->b), free0);

	/* Each max-order block of a run may also be split and freed by pages. */
	pa = buddy_alloc_contig(&f->b, BUDDY_MAX_ORDER + 1);
	assert_int_equal(pa, MiB(8));
	assert_int_equal(buddy_free(&f->b, pa, BUDDY_MAX_ORDER), 0);
	assert_int_equal(buddy_split(&f->b, pa + MiB(4), BUDDY_MAX_ORDER), 0);
	for (u64 i = 0; i < (1u << BUDDY_MAX_ORDER); i++)
		assert_int_equal(buddy_free(&f->b, pa + MiB(4) + i * PAGE_SIZE, 0), 0);
	assert_snapshot(f);
	assert_int_equal(buddy_free_pages(&f->b), free0);

	/* Misuse is reported and changes nothing. */
	assert_int_equal(buddy_free_contig(&f->b, MiB(4), BUDDY_MAX_ORDER + 1), -E_INVAL);
	assert_int_equal(buddy_free_contig(&f->b, MiB(8), BUDDY_MAX_ORDER + 1), -E_INVAL);
	assert_true(hook_calls >= 2);
	assert_snapshot(f);
}

static void test_contig_fragmented(void **state)
{
	struct fixture *f = *state;
	paddr_t blk[3], page;

	assert_int_equal(buddy_add_free_range(&f->b, MiB(4), MiB(16)), 3 << BUDDY_MAX_ORDER);
	snapshot(f);

	/* Adjacent free blocks that are not aligned as a run are refused. */
	for (int i = 0; i < 3; i++)
		blk[i] = buddy_alloc(&f->b, BUDDY_MAX_ORDER);
	assert_int_equal(buddy_free(&f->b, MiB(4), BUDDY_MAX_ORDER), 0);
	assert_int_equal(buddy_free(&f->b, MiB(8), BUDDY_MAX_ORDER), 0);
	assert_int_equal(buddy_free_blocks(&f->b, BUDDY_MAX_ORDER), 2);
	assert_int_equal(buddy_alloc_contig(&f->b, BUDDY_MAX_ORDER + 1), 0);
	assert_int_equal(buddy_free_blocks(&f->b, BUDDY_MAX_ORDER), 2);
	assert_int_equal(buddy_free(&f->b, MiB(12), BUDDY_MAX_ORDER), 0);
	assert_snapshot(f);
	assert_int_equal(blk[0] | blk[1] | blk[2], MiB(4) | MiB(8) | MiB(12));

	/* One busy page in the aligned run is enough to refuse it. */
	page = buddy_alloc(&f->b, 0); /* LIFO lists: from the block at 12M */
	assert_true(page >= MiB(8));
	assert_int_equal(buddy_alloc_contig(&f->b, BUDDY_MAX_ORDER + 1), 0);
	/* Freeing it coalesces back, and the run is found again. */
	assert_int_equal(buddy_free(&f->b, page, 0), 0);
	assert_snapshot(f);
	page = buddy_alloc_contig(&f->b, BUDDY_MAX_ORDER + 1);
	assert_int_equal(page, MiB(8));
	assert_int_equal(buddy_free_contig(&f->b, page, BUDDY_MAX_ORDER + 1), 0);
	assert_snapshot(f);
	assert_int_equal(hook_calls, 0);
}

static void test_misuse(void **state)
{
	struct fixture *f = *state;
	paddr_t a, b;
	u64 before;

	buddy_add_free_range(&f->b, MiB(4), MiB(8));
	a = buddy_alloc(&f->b, 2);
	b = buddy_alloc(&f->b, 0);
	assert_int_equal(buddy_free(&f->b, a, 2), 0);
	before = buddy_free_pages(&f->b);

	assert_int_equal(buddy_free(&f->b, a, 2), -E_INVAL);
	assert_string_equal(hook_what, "double free");
	assert_int_equal(buddy_free(&f->b, b, 1), -E_INVAL); /* wrong order (and unaligned) */
	a = buddy_alloc(&f->b, 2);
	assert_int_equal(buddy_free(&f->b, a, 1), -E_INVAL);
	assert_string_equal(hook_what, "free with wrong order");
	assert_int_equal(buddy_free(&f->b, a + PAGE_SIZE, 0), -E_INVAL);
	assert_string_equal(hook_what, "free of non-head page");
	assert_int_equal(buddy_free(&f->b, MiB(1), 0), -E_INVAL);
	assert_string_equal(hook_what, "free of reserved page");
	assert_int_equal(buddy_free(&f->b, 0, 0), -E_INVAL);
	assert_int_equal(buddy_free(&f->b, a + 1, 0), -E_INVAL);
	assert_int_equal(buddy_free(&f->b, MiB(64), 0), -E_INVAL);
	assert_int_equal(buddy_free(&f->b, a, BUDDY_MAX_ORDER + 1), -E_INVAL);
	assert_int_equal(hook_calls, 9);
	assert_int_equal(f->b.nr_errors, 9);
	/* None of that changed the allocator, apart from the second alloc of a. */
	assert_int_equal(buddy_free_pages(&f->b), before - 4);
	assert_int_equal(buddy_free(&f->b, a, 2), 0);
	assert_int_equal(buddy_free(&f->b, b, 0), 0);
	assert_int_equal(buddy_free_blocks(&f->b, BUDDY_MAX_ORDER), 1);
}

static void test_random_model(void **state)
{
	struct fixture *f = *state;
	static paddr_t live[TEST_PAGES];
	static unsigned int ord[TEST_PAGES];
	unsigned int n = 0, step;
	u64 live_pages = 0, managed;

	/* Two ranges with a hole and odd edges. */
	buddy_add_free_range(&f->b, PAGE_SIZE * 3, MiB(5) + PAGE_SIZE * 5);
	buddy_add_free_range(&f->b, MiB(6) + PAGE_SIZE, MiB(16) - PAGE_SIZE);
	snapshot(f);
	managed = f->b.managed_pages;

	srand(99);
	for (step = 0; step < 100000; step++) {
		if (n && (rand() % 2 || n == TEST_PAGES)) {
			unsigned int i = (unsigned int)rand() % n;

			live_pages -= 1ull << ord[i];
			give(f, live[i], ord[i]);
			live[i] = live[--n];
			ord[i] = ord[n];
		} else {
			unsigned int o = (unsigned int)(rand() % 4 ? rand() % 3 : rand() % 11);
			paddr_t pa = buddy_alloc(&f->b, o);

			if (!pa)
				continue;
			assert_false(pa >= MiB(5) + PAGE_SIZE * 5 && pa < MiB(6) + PAGE_SIZE);
			take(f, pa, o);
			live[n] = pa;
			ord[n++] = o;
			live_pages += 1ull << o;
		}
		assert_int_equal(buddy_free_pages(&f->b) + live_pages, managed);
	}
	while (n) {
		n--;
		give(f, live[n], ord[n]);
	}
	assert_snapshot(f);
	assert_int_equal(f->b.nr_errors, 0);
}

/* ---- the kernel-wide instance over an arena ---- */

#define ARENA_SIZE MiB(64)

static void test_mm_init_from_memmap(void **state)
{
	u8 *arena = aligned_alloc(PAGE_SIZE, ARENA_SIZE);
	struct memmap *m = calloc(1, sizeof(*m));
	u64 free_before, meta_pages, n = 0;
	paddr_t pa;
	u8 *z;
	unsigned int i;

	(void)state;
	assert_non_null(arena);
	assert_non_null(m);
	memset(arena, 0xaa, ARENA_SIZE);
	physmap_offset = (u64)(uintptr_t)arena;

	memmap_init(m);
	assert_int_equal(memmap_add_ram(m, 0, KiB(639)), 0);
	assert_int_equal(memmap_add_ram(m, MiB(1), MiB(63)), 0);
	assert_int_equal(memmap_reserve(m, MiB(1), MiB(3), "kernel"), 0);
	assert_int_equal(memmap_reserve(m, MiB(10) + 5, MiB(11), "module"), 0);
	free_before = memmap_total_free(m);
	meta_pages = ALIGN_UP((MiB(64) >> PAGE_SHIFT) * sizeof(struct page), PAGE_SIZE);
	meta_pages >>= PAGE_SHIFT;

	assert_int_equal(mm_init_from_memmap(m), 0);
	/* Page 0 is never handed out. */
	assert_int_equal(pages_free(), (free_before >> PAGE_SHIFT) - meta_pages - 1);
	assert_true(m->sealed);
	assert_int_equal(memmap_alloc_early(m, PAGE_SIZE, 0, ~0ull, "late"), 0);

	z = page_alloc_zeroed_virt(3);
	assert_non_null(z);
	for (i = 0; i < (PAGE_SIZE << 3); i++)
		assert_int_equal(z[i], 0);
	pa = virt_to_phys(z);
	assert_ptr_equal(pa_to_page(pa), &mm_buddy()->pages[pa >> PAGE_SHIFT]);
	assert_int_equal(page_to_pa(pa_to_page(pa)), pa);
	page_free_virt(z, 3);

	/* Objects from the kernel page source land in RAM the map left free. */
	{
		struct objcache c;
		void *obj;

		assert_int_equal(objcache_init(&c, "t", 100, 0, &kernel_page_source), 0);
		obj = objcache_alloc(&c);
		assert_non_null(obj);
		assert_true(pa_to_page(virt_to_phys(obj))->flags & PG_SLAB);
		assert_int_equal(objcache_free(&c, obj), 0);
		assert_int_equal(objcache_destroy(&c), 0);
	}

	/* Drain it: nothing reserved or outside RAM may come out. */
	while ((pa = page_alloc(0)) != 0) {
		assert_int_equal(memmap_check_overlap(m, pa, pa + PAGE_SIZE, NULL), 0);
		assert_true(memmap_is_ram(m, pa, pa + PAGE_SIZE));
		n++;
	}
	assert_int_equal(n, (free_before >> PAGE_SHIFT) - meta_pages - 1);
	assert_int_equal(pages_free(), 0);
	assert_null(page_alloc_zeroed_virt(0));

	free(m);
	free(arena);
	physmap_offset = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unaligned_range_and_holes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaust_order0, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaust_mixed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coalesce_max_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contig_alloc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contig_fragmented, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_model, setup, teardown),
		cmocka_unit_test(test_mm_init_from_memmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
