/* SPDX-License-Identifier: MIT */
/*
 * Host tests for lib/format.c: vsnformat must match libc's vsnprintf byte for
 * byte (output, NUL placement, untouched bytes past size, return value) over
 * generated combinations of flags, widths, precisions, length modifiers,
 * conversions and edge values, and for truncation into small buffers.
 * Only combinations the C standard defines are compared; the few known
 * divergences are listed separately so they stay visible without failing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/types.h>
#include <cmocka.h>

#include "lib/format.h"

#define BUF    512
#define CANARY 0x5A

static const size_t sizes[] = {BUF, 0, 1, 2, 3, 5, 8, 17};

static long checks;

/* Compare one call at every buffer size; returns false (and describes the
 * first difference in diff) on mismatch. */
static bool vsame(char *diff, size_t diff_len, const char *fmt, va_list ap)
{
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char want[BUF], got[BUF];
		va_list a, b;
		int rw, rg;

		memset(want, CANARY, sizeof(want));
		memset(got, CANARY, sizeof(got));
		va_copy(a, ap);
		va_copy(b, ap);
		rw = vsnprintf(want, sizes[i], fmt, a);
		rg = vsnformat(got, sizes[i], fmt, b);
		va_end(a);
		va_end(b);
		checks++;
		if (rw != rg || memcmp(want, got, sizeof(want))) {
			snprintf(diff, diff_len,
				 "fmt \"%s\" size %zu: libc %d \"%.*s\", tern %d \"%.*s\"", fmt,
				 sizes[i], rw, sizes[i] ? (int)strnlen(want, sizes[i]) : 0, want,
				 rg, sizes[i] ? (int)strnlen(got, sizes[i]) : 0, got);
			return false;
		}
	}
	return true;
}

static int failures;

static void same_at(int line, const char *fmt, ...) __printf(2, 3);

static void same_at(int line, const char *fmt, ...)
{
	char diff[1024];
	va_list ap;

	va_start(ap, fmt);
	if (!vsame(diff, sizeof(diff), fmt, ap)) {
		print_error("line %d: %s\n", line, diff);
		failures++;
	}
	va_end(ap);
}

#define SAME(...) same_at(__LINE__, __VA_ARGS__)

static void end_check(void)
{
	int f = failures;

	failures = 0;
	assert_int_equal(f, 0);
}

/* ---- generated integer conversions ---- */

enum mod { M_HH, M_H, M_NONE, M_L, M_LL, M_Z, M_J, M_T };
static const char *const mod_text[] = {"hh", "h", "", "l", "ll", "z", "j", "t"};

static const long long values[] = {
	0,
	1,
	-1,
	7,
	8,
	9,
	10,
	42,
	-42,
	99,
	100,
	127,
	128,
	-128,
	-129,
	255,
	256,
	32767,
	-32768,
	65535,
	65536,
	INT_MAX,
	INT_MIN,
	(long long)UINT_MAX,
	LONG_MAX,
	LONG_MIN,
	0x123456789abcdefLL,
	-0x123456789abcdefLL,
	LLONG_MAX,
};

static void run_int(const char *fmt, enum mod m, bool is_signed, long long v)
{
	switch (m) {
	case M_HH:
	case M_H:
	case M_NONE:
		if (is_signed)
			SAME(fmt, (int)v);
		else
			SAME(fmt, (unsigned int)v);
		break;
	case M_L:
		if (is_signed)
			SAME(fmt, (long)v);
		else
			SAME(fmt, (unsigned long)v);
		break;
	case M_LL:
		if (is_signed)
			SAME(fmt, v);
		else
			SAME(fmt, (unsigned long long)v);
		break;
	case M_Z:
		if (is_signed)
			SAME(fmt, (ssize_t)v);
		else
			SAME(fmt, (size_t)v);
		break;
	case M_J:
		if (is_signed)
			SAME(fmt, (intmax_t)v);
		else
			SAME(fmt, (uintmax_t)v);
		break;
	case M_T:
		SAME(fmt, (ptrdiff_t)v);
		break;
	}
}

/* The value the conversion will see is zero (after hh/h/int narrowing). */
static bool truncated_zero(enum mod m, long long v)
{
	switch (m) {
	case M_HH:
		return (unsigned char)v == 0;
	case M_H:
		return (unsigned short)v == 0;
	case M_NONE:
		return (unsigned int)v == 0;
	default:
		return v == 0;
	}
}

static void test_integers(void **state)
{
	/* Flag sets valid for each conversion ('#' only on o/x/X, '+'/' ' only signed). */
	static const char *const signed_flags[] = {"",	 "-",  "0",  "+",  " ",
						   "-+", "0+", "0 ", "-0", "+ "};
	static const char *const unsigned_flags[] = {"", "-", "0", "-0"};
	static const char *const alt_flags[] = {"#", "#0", "#-"};
	static const char *const widths[] = {"", "1", "5", "20"};
	static const char *const precs[] = {"", ".", ".0", ".1", ".3", ".12", ".25"};
	static const char convs[] = "diuxXo";

	(void)state;
	for (const char *c = convs; *c; c++) {
		bool is_signed = *c == 'd' || *c == 'i';
		bool alt_ok = *c == 'x' || *c == 'X' || *c == 'o';

		for (int m = M_HH; m <= M_T; m++) {
			if (m == M_T && !is_signed)
				continue; /* %tu needs an unsigned ptrdiff_t type */
			for (size_t f = 0; f < 13; f++) {
				const char *flags;

				if (is_signed) {
					if (f >= ARRAY_SIZE(signed_flags))
						continue;
					flags = signed_flags[f];
				} else if (f < ARRAY_SIZE(unsigned_flags)) {
					flags = unsigned_flags[f];
				} else if (alt_ok &&
					   f - ARRAY_SIZE(unsigned_flags) < ARRAY_SIZE(alt_flags)) {
					flags = alt_flags[f - ARRAY_SIZE(unsigned_flags)];
				} else {
					continue;
				}
				for (size_t w = 0; w < ARRAY_SIZE(widths); w++) {
					for (size_t p = 0; p < ARRAY_SIZE(precs); p++) {
						char fmt[32];

						snprintf(fmt, sizeof(fmt), "<%%%s%s%s%s%c>", flags,
							 widths[w], precs[p], mod_text[m], *c);
						for (size_t v = 0; v < ARRAY_SIZE(values); v++) {
							/* %#o/%#x of 0: listed in known_divergences
							 */
							if (strchr(flags, '#') &&
							    truncated_zero((enum mod)m, values[v]))
								continue;
							run_int(fmt, (enum mod)m, is_signed,
								values[v]);
						}
					}
				}
			}
		}
	}
	end_check();
}

static void test_star(void **state)
{
	(void)state;
	for (int w = -12; w <= 12; w += 3) {
		for (int p = -2; p <= 8; p += 2) {
			SAME("[%*d]", w, 1234);
			SAME("[%*.*d]", w, p, -56);
			SAME("[%.*x]", p, 0xbeefu);
			SAME("[%-*.*s]", w, p, "hello world");
			SAME("[%*.*s]", w, p, "hi");
			SAME("[%*c]", w, 'q');
		}
	}
	end_check();
}

static void test_strings_chars(void **state)
{
	static const char *const strs[] = {"", "a", "hello", "a much longer string, over 20"};
	static const char *const fmts[] = {"%s",    "%10s",   "%-10s", "%.0s", "%.3s",
					   "%8.3s", "%-8.3s", "%.40s", "%1s"};
	const char *volatile null_str = NULL; /* volatile: keep GCC from flagging it */

	(void)state;
	for (size_t s = 0; s < ARRAY_SIZE(strs); s++)
		for (size_t f = 0; f < ARRAY_SIZE(fmts); f++)
			SAME(fmts[f], strs[s]);
	SAME("%s", null_str); /* glibc's "(null)", which Tern copies */
	SAME("%10s|", null_str);
	SAME("%c%c%c", 'a', 'b', 'c');
	SAME("%5c|%-5c|", 'x', 'y');
	SAME("%c", 0); /* an embedded NUL still counts */
	SAME("%c", 0x1ff);
	SAME("100%%");
	SAME("no conversions at all");
	SAME("%s", "");
	SAME("%s=%d (%s)", "key", -7, "why");
	end_check();
}

static void test_pointers(void **state)
{
	int x;

	(void)state;
	SAME("%p", (void *)&x);
	SAME("%p", (void *)0x1);
	SAME("%p", (void *)0xffffffff80000000ull);
	SAME("[%20p]", (void *)0xdeadbeef);
	SAME("[%-20p]", (void *)0xdeadbeef);
	end_check();
}

static void test_truncation(void **state)
{
	char buf[8];
	int n;

	(void)state;
	/* return value is the full length, the buffer is always terminated */
	memset(buf, CANARY, sizeof(buf));
	n = snformat(buf, 4, "%s-%d", "abcdef", 12345);
	assert_int_equal(n, 12);
	assert_string_equal(buf, "abc");
	assert_int_equal((u8)buf[4], CANARY);
	memset(buf, CANARY, sizeof(buf));
	n = snformat(buf, 0, "%d", 123);
	assert_int_equal(n, 3);
	assert_int_equal((u8)buf[0], CANARY);
	n = snformat(NULL, 0, "%s", "count me");
	assert_int_equal(n, 8);
	n = snformat(buf, 1, "xyz");
	assert_int_equal(n, 3);
	assert_string_equal(buf, "");
	for (int i = 0; i < 40; i++)
		SAME("%0*d|%s|%#*x", i, -i, "tail text", i / 2, (unsigned int)i + 1);
	end_check();
}

/* Cheap random mixes of the defined subset. */
static void test_random(void **state)
{
	static const char *const fmts[] = {
		"%d %u %x",	 "%-8d|%08u|%#10x", "%+.5d %.0u %X",
		"%hhd %hu %lx",	 "%lld %llu %llo",  "%zd %zu %zx",
		"% 7i %-7o %#o", "%jd %ju %jx",	    "%5.2d %05.3u %#.8x",
	};

	(void)state;
	srand(99);
	for (int i = 0; i < 4000; i++) {
		long long a =
			(long long)(((unsigned long long)rand() << 33) ^
				    ((unsigned long long)rand() << 2) ^ (unsigned long long)rand());
		long long b = rand() % 3 ? rand() - RAND_MAX / 2 : a;
		long long c = (long long)((unsigned long long)a * 2654435761u);
		size_t f = (size_t)rand() % ARRAY_SIZE(fmts);

		switch (f) {
		case 3:
			SAME(fmts[f], (int)a, (int)b, (unsigned long)c | 1);
			break;
		case 4:
			SAME(fmts[f], a, (unsigned long long)b, (unsigned long long)c | 1);
			break;
		case 5:
			SAME(fmts[f], (ssize_t)a, (size_t)b, (size_t)c | 1);
			break;
		case 7:
			SAME(fmts[f], (intmax_t)a, (uintmax_t)b, (uintmax_t)c | 1);
			break;
		default:
			SAME(fmts[f], (int)a, (unsigned int)b, (unsigned int)c | 1);
			break;
		}
	}
	end_check();
}

static bool vsame_wrap(char *diff, size_t diff_len, const char *fmt, ...) __printf(3, 4);

static bool vsame_wrap(char *diff, size_t diff_len, const char *fmt, ...)
{
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	ok = vsame(diff, diff_len, fmt, ap);
	va_end(ap);
	return ok;
}

/*
 * Cases where lib/format.c once differed from glibc (zero with '#', '+' and
 * ' ' on unsigned conversions, a NULL %p): kept as regressions.
 */
static void test_former_divergences(void **state)
{
	const char *unsigned_sign[] = {"%+u", "% u", "%+x"};
	char diff[1024];
	int left = 0;

	(void)state;
#define KNOWN(...)                                                                                 \
	do {                                                                                       \
		if (!vsame_wrap(diff, sizeof(diff), __VA_ARGS__)) {                                \
			print_message("divergence: %s\n", diff);                             \
			left++;                                                                    \
		}                                                                                  \
	} while (0)
	KNOWN("%#x", 0u); /* C: no 0x prefix for zero; Tern prints 0x0 */
	KNOWN("%#X", 0u);
	KNOWN("%#5x", 0u);
	KNOWN("%#o", 0u); /* C: "0"; Tern prints "00" */
	/* '+' and ' ' apply to signed conversions only (GCC flags these, hence fmt[]) */
	KNOWN(unsigned_sign[0], 5u);
	KNOWN(unsigned_sign[1], 5u);
	KNOWN(unsigned_sign[2], 5u);
	KNOWN("%p", (void *)0); /* glibc prints (nil) */
#undef KNOWN
	assert_int_equal(left, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),	  cmocka_unit_test(test_star),
		cmocka_unit_test(test_strings_chars),	  cmocka_unit_test(test_pointers),
		cmocka_unit_test(test_truncation),	  cmocka_unit_test(test_random),
		cmocka_unit_test(test_former_divergences),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	print_message("%ld format comparisons\n", checks);
	return rc;
}
