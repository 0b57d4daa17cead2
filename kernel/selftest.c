/* SPDX-License-Identifier: MIT */
/* The self-test runner: selection, per-check reporting and the summary. */
#include "kernel/selftest.h"

#include <stdarg.h>

#include "kernel/printk.h"
#include "lib/format.h"
#include "lib/string.h"

#define CHECK_MSG_MAX 160

extern const struct selftest __selftests_start[], __selftests_end[];

static const char *current_test;
static int checks_passed, checks_failed, test_failed_checks;

void selftest_check(bool ok, const char *file, int line, const char *fmt, ...)
{
	char msg[CHECK_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ok) {
		checks_passed++;
		pr_info("PASS %s: %s\n", current_test, msg);
	} else {
		checks_failed++;
		test_failed_checks++;
		pr_err("FAIL %s: %s (%s:%d)\n", current_test, msg, file, line);
	}
}

/* Does the comma-separated 'selection' name this test or its group? */
static bool selected(const char *selection, const struct selftest *t)
{
	const char *p = selection;

	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		/* "all" leaves out the crash group, which panics on purpose. */
		if ((len == 3 && !strncmp(p, "all", 3) && strcmp(t->group, "crash")) ||
		    (strlen(t->group) == len && !strncmp(p, t->group, len)) ||
		    (strlen(t->name) == len && !strncmp(p, t->name, len)))
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

int selftest_run(const char *selection)
{
	int tests = 0;

	if (!selection || !*selection || !strcmp(selection, "none"))
		return 0;
	for (const struct selftest *t = __selftests_start; t < __selftests_end; t++) {
		if (!selected(selection, t))
			continue;
		current_test = t->name;
		test_failed_checks = 0;
		t->fn();
		tests++;
	}
	if (!tests)
		pr_err("error: selftest=%s selects no test\n", selection);
	pr_info("selftest: %d passed, %d failed\n", checks_passed, checks_failed);
	return checks_failed + (tests ? 0 : 1);
}
