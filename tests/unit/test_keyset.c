/* SPDX-License-Identifier: MIT */
/*
 * Host tests for mm/reclaim/keyset.c: bad arguments, fill to the limit,
 * and 1,000,000 random add/remove/contains operations on a small key space
 * (long probe clusters, wrap-around, backward-shift deletion) checked
 * against a plain array after every step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mm/reclaim/keyset.h"
#include "tests/unit/xorshift.h"

#define CAP	 64
#define KEYSPACE 200

static u64 slots[CAP];

static void test_basics(void **state)
{
	struct keyset s;

	(void)state;
	assert_int_equal(keyset_init(&s, slots, 48), -E_INVAL);
	assert_int_equal(keyset_init(&s, NULL, 64), -E_INVAL);
	assert_int_equal(keyset_init(&s, slots, CAP), 0);
	assert_int_equal(keyset_add(&s, KEYSET_EMPTY), -E_INVAL);
	assert_false(keyset_contains(&s, KEYSET_EMPTY));
	for (u64 k = 0; k < CAP / 4 * 3; k++)
		assert_int_equal(keyset_add(&s, k << 32), 0);
	assert_int_equal(keyset_add(&s, 5ull << 32), -E_EXIST);
	assert_int_equal(keyset_add(&s, 999), -E_NOMEM);
	assert_true(keyset_remove(&s, 7ull << 32));
	assert_false(keyset_remove(&s, 7ull << 32));
	assert_int_equal(keyset_add(&s, 999), 0);
	for (u64 k = 0; k < CAP / 4 * 3; k++)
		assert_int_equal(keyset_contains(&s, k << 32), k != 7);
}

static void test_random_model(void **state)
{
	static bool model[KEYSPACE];
	struct keyset s;
	u64 rng = 12345;
	u32 count = 0;

	(void)state;
	assert_int_equal(keyset_init(&s, slots, CAP), 0);
	for (int step = 0; step < 1000000; step++) {
		u64 key, op;

		xorshift64(&rng);
		key = (rng >> 8) % KEYSPACE;
		op = rng % 3;
		if (op == 0) {
			int e = keyset_add(&s, key);

			if (model[key])
				assert_int_equal(e, -E_EXIST);
			else if (count >= s.limit)
				assert_int_equal(e, -E_NOMEM);
			else {
				assert_int_equal(e, 0);
				model[key] = true;
				count++;
			}
		} else if (op == 1) {
			assert_int_equal(keyset_remove(&s, key), model[key]);
			count -= model[key];
			model[key] = false;
		} else {
			assert_int_equal(keyset_contains(&s, key), model[key]);
		}
		assert_int_equal(s.count, count);
		if (step % 4096 == 0)
			for (u64 k = 0; k < KEYSPACE; k++)
				assert_int_equal(keyset_contains(&s, k), model[k]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basics),
		cmocka_unit_test(test_random_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
