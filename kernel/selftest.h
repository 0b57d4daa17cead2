/* SPDX-License-Identifier: MIT */
/*
 * In-kernel self-tests run on the real boot, chosen with selftest= (a comma
 * list of names or groups, or "all"). Each test records checks with ST_CHECK;
 * the runner prints one machine-readable line per check and per test:
 *   PASS <test>: <check>      FAIL <test>: <check> (<file>:<line>)
 * and a summary "selftest: N passed, M failed".
 */
#ifndef TERN_KERNEL_SELFTEST_H
#define TERN_KERNEL_SELFTEST_H

#include "lib/types.h"

struct selftest {
	const char *name;  /* e.g. "alloc.coalesce" */
	const char *group; /* e.g. "alloc"; selftest=alloc runs the group */
	void (*fn)(void);
};

#define SELFTEST(grp, nm, func)                                                     \
	static const struct selftest __selftest_##func                              \
		__attribute__((used, section(".selftests"), aligned(8))) = {        \
			.name = grp "." nm, .group = grp, .fn = func }

void selftest_check(bool ok, const char *file, int line, const char *fmt, ...) __printf(4, 5);

#define ST_CHECK(cond, ...) selftest_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* Run the tests 'selection' names; returns the number of failed checks. */
int selftest_run(const char *selection);

#endif
