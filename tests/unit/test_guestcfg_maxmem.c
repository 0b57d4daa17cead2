/* SPDX-License-Identifier: MIT */
/* Host tests for the maxmem= guest option (virt/guest_config.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "virt/guest_config.h"

static int nmsgs;
static void collect(const char *msg, void *ctx)
{
	(void)msg;
	(void)ctx;
	nmsgs++;
}

static struct guest_config cfg;

static int parse(const char *s)
{
	nmsgs = 0;
	return guest_config_parse(s, 0, &cfg, collect, NULL);
}

static void test_default_no_overcommit(void **state)
{
	(void)state;
	assert_int_equal(parse("mem=64M"), 0);
	assert_int_equal(cfg.maxmem, 0); /* not reclaimable */
	assert_int_equal(cfg.max_leaf, 3); /* 1g */
	/* maxmem=mem: no limit of its own, reclaimable under host pressure. */
	assert_int_equal(parse("mem=64M maxmem=64M"), 0);
	assert_int_equal(cfg.maxmem, MiB(64));
	assert_int_equal(cfg.max_leaf, 1);
	assert_int_equal(parse("mem=64M maxmem=64M maxleaf=2m"), -E_INVAL);
}

static void test_overcommit_limit(void **state)
{
	(void)state;
	assert_int_equal(parse("mem=64M maxmem=16M"), 0);
	assert_int_equal(cfg.maxmem, MiB(16));
	assert_int_equal(cfg.max_leaf, 1); /* 4k forced */
	assert_int_equal(parse("mem=64G maxmem=2M maxleaf=4k"), 0);
	assert_int_equal(cfg.maxmem, MiB(2));
	assert_int_equal(parse("mem=64G maxmem=63G"), 0);
	assert_int_equal(cfg.maxmem, GiB(63));
	assert_int_equal(cfg.max_leaf, 1);
}

static void test_errors(void **state)
{
	(void)state;
	assert_int_equal(parse("mem=64M maxmem=128M"), -E_INVAL); /* above mem */
	assert_int_equal(nmsgs, 1);
	assert_int_equal(parse("mem=64M maxmem=16M maxleaf=2m"), -E_INVAL);
	assert_int_equal(parse("mem=64M maxmem=16M maxleaf=1g"), -E_INVAL);
	assert_int_equal(parse("mem=64M maxmem=1M"), -E_INVAL);  /* below 2M */
	assert_int_equal(parse("mem=64M maxmem=5001K"), -E_INVAL); /* not 4K-aligned */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_no_overcommit),
		cmocka_unit_test(test_overcommit_limit),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
