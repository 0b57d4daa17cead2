/* SPDX-License-Identifier: MIT */
/* Runtime memory-slot table operations: move/resize, lookup by id, generation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "virt/memslot.h"

static void test_change(void **state)
{
	static struct memslots s;
	static paddr_t backing[4];

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(memslot_insert(&s, 0, 100, 1, 0), 0);
	assert_int_equal(memslot_insert(&s, 200, 10, 2, 0), 0);
	memslot_by_id(&s, 2)->backing = backing;
	memslot_by_id(&s, 2)->backing_entries = 4;
	/* Move slot 2 below slot 1's end: overlap, unchanged. */
	assert_int_equal(memslot_change(&s, 2, 95, 10), -E_OVERLAP);
	assert_int_equal(memslot_find(&s, 205)->id, 2);
	assert_ptr_equal(memslot_find(&s, 205)->backing, backing);
	/* Move it to 1000: found there, not at the old place, backing kept, sorted. */
	assert_int_equal(memslot_change(&s, 2, 1000, 10), 0);
	assert_null(memslot_find(&s, 205));
	assert_int_equal(memslot_find(&s, 1009)->id, 2);
	assert_ptr_equal(memslot_find(&s, 1000)->backing, backing);
	assert_int_equal(s.slots[0].id, 1);
	assert_int_equal(s.slots[1].id, 2);
	/* Move below slot 1: the array is re-sorted. */
	assert_int_equal(memslot_change(&s, 1, 2000, 100), 0);
	assert_int_equal(s.slots[0].id, 2);
	assert_int_equal(s.slots[1].id, 1);
	/* Resize in place. */
	assert_int_equal(memslot_change(&s, 2, 1000, 1), 0);
	assert_null(memslot_find(&s, 1001));
	assert_int_equal(memslot_change(&s, 2, 1000, 0), -E_INVAL);
	assert_int_equal(memslot_change(&s, 9, 0, 1), -E_NOENT);
	assert_null(memslot_by_id(&s, 9));
}

static void test_generation(void **state)
{
	static struct memslots s;
	u64 g0;

	(void)state;
	memset(&s, 0, sizeof(s));
	g0 = memslot_generation(&s);
	memslot_update_begin(&s);
	assert_true(memslot_generation(&s) & MEMSLOT_GEN_UPDATE_IN_PROGRESS);
	assert_int_equal(memslot_insert(&s, 0, 1, 1, 0), 0);
	assert_true(memslot_generation(&s) & MEMSLOT_GEN_UPDATE_IN_PROGRESS);
	memslot_update_end(&s);
	assert_false(memslot_generation(&s) & MEMSLOT_GEN_UPDATE_IN_PROGRESS);
	assert_true(memslot_generation(&s) > g0);
	/* Every completed update moves it forward, even a failed change. */
	g0 = memslot_generation(&s);
	memslot_update_begin(&s);
	memslot_update_end(&s);
	assert_true(memslot_generation(&s) > g0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_change),
		cmocka_unit_test(test_generation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
