/* SPDX-License-Identifier: MIT */
/*
 * Host tests for kernel/cmdline.c: parse_u64 edge cases, every option type,
 * every error class (each must give exactly one message and keep the
 * default), quoting, the `--` split, and random strings under ASan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/cmdline.h"

/* ---- parse_u64 ---- */

static int pu(const char *s, u64 *v)
{
	return parse_u64(s, strlen(s), v);
}

static void test_parse_u64(void **state)
{
	u64 v = 0;

	(void)state;
	assert_int_equal(pu("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(pu("1234567890", &v), 0);
	assert_int_equal(v, 1234567890);
	assert_int_equal(pu("0x3f8", &v), 0);
	assert_int_equal(v, 0x3f8);
	assert_int_equal(pu("0XABCdef", &v), 0);
	assert_int_equal(v, 0xabcdef);
	assert_int_equal(pu("007", &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(pu("4K", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(pu("512m", &v), 0);
	assert_int_equal(v, 512ull << 20);
	assert_int_equal(pu("2G", &v), 0);
	assert_int_equal(v, 2ull << 30);
	assert_int_equal(pu("3T", &v), 0);
	assert_int_equal(v, 3ull << 40);
	assert_int_equal(pu("0x10M", &v), 0);
	assert_int_equal(v, 16ull << 20);
	assert_int_equal(pu("18446744073709551615", &v), 0);
	assert_int_equal(v, ~0ull);
	assert_int_equal(pu("0xffffffffffffffff", &v), 0);
	assert_int_equal(v, ~0ull);
	assert_int_equal(pu("16777215T", &v), 0);
	assert_int_equal(v, 16777215ull << 40);

	v = 99;
	assert_int_equal(pu("18446744073709551616", &v), -E_RANGE);
	assert_int_equal(pu("0x10000000000000000", &v), -E_RANGE);
	assert_int_equal(pu("99999999999999999999999", &v), -E_RANGE);
	assert_int_equal(pu("16777216T", &v), -E_RANGE);
	assert_int_equal(pu("17179869184G", &v), -E_RANGE);
	assert_int_equal(v, 99); /* untouched on error */

	assert_int_equal(pu("", &v), -E_INVAL);
	assert_int_equal(pu("K", &v), -E_INVAL);
	assert_int_equal(pu("0x", &v), -E_INVAL);
	assert_int_equal(pu("0xK", &v), -E_INVAL);
	assert_int_equal(pu("abc", &v), -E_INVAL);
	assert_int_equal(pu("12a", &v), -E_INVAL);
	assert_int_equal(pu("-1", &v), -E_INVAL);
	assert_int_equal(pu("+1", &v), -E_INVAL);
	assert_int_equal(pu("1 ", &v), -E_INVAL);
	assert_int_equal(pu("4KB", &v), -E_INVAL);
	assert_int_equal(pu("4KK", &v), -E_INVAL);
	assert_int_equal(pu("0x0x1", &v), -E_INVAL);
	assert_int_equal(pu("1.5G", &v), -E_INVAL);
	assert_int_equal(pu("0xg", &v), -E_INVAL);
	/* length bounds the parse: no NUL needed */
	assert_int_equal(parse_u64("123456", 3, &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(parse_u64("0x1", 0, &v), -E_INVAL);
}

/* ---- the option table ---- */

struct opts {
	bool serial, quiet;
	u64 loglevel, mem, addr, cpus;
	char name[16];
	u32 mode;
};

static const char *const modes[] = {"svm", "vmx", "auto", NULL};

#define NOPTS 8

static void make_opts(struct cmdline_opt *o, struct opts *v)
{
	const struct cmdline_opt t[NOPTS] = {
		{.name = "serial", .type = CMDLINE_BOOL, .store = &v->serial, .help = "serial"},
		{.name = "quiet", .type = CMDLINE_BOOL, .store = &v->quiet, .help = "quiet"},
		{.name = "loglevel",
		 .type = CMDLINE_U64,
		 .store = &v->loglevel,
		 .min = 0,
		 .max = 7,
		 .flags = CMDLINE_NODUP,
		 .help = "console log level"},
		{.name = "mem",
		 .type = CMDLINE_SIZE,
		 .store = &v->mem,
		 .min = 1 << 20,
		 .max = 1ull << 40,
		 .help = "memory"},
		{.name = "addr", .type = CMDLINE_U64, .store = &v->addr, .help = "address"},
		{.name = "name",
		 .type = CMDLINE_STRING,
		 .store = v->name,
		 .str_size = sizeof(v->name),
		 .help = "name"},
		{.name = "mode",
		 .type = CMDLINE_ENUM,
		 .store = &v->mode,
		 .names = modes,
		 .help = "virtualization"},
		{.name = "cpus",
		 .type = CMDLINE_U64,
		 .store = &v->cpus,
		 .min = 1,
		 .max = 256,
		 .help = "cpus"},
	};

	memcpy(o, t, sizeof(t));
	*v = (struct opts){.loglevel = 4,
			   .mem = 64 << 20,
			   .addr = 0x3f8,
			   .name = "dflt",
			   .mode = 2,
			   .cpus = 1};
}

struct log {
	int n;
	char msg[16][CMDLINE_MSG_MAX];
};

static void collect(const char *msg, void *ctx)
{
	struct log *l = ctx;

	if (l->n < 16)
		snprintf(l->msg[l->n], CMDLINE_MSG_MAX, "%s", msg);
	l->n++;
}

static int run(const char *s, struct opts *v, struct log *l)
{
	struct cmdline_opt o[NOPTS];
	int errors;

	make_opts(o, v);
	memset(l, 0, sizeof(*l));
	errors = cmdline_parse(s, o, NOPTS, collect, l);
	assert_int_equal(errors, l->n);
	return errors;
}

static void test_good(void **state)
{
	struct opts v;
	struct log l;

	(void)state;
	assert_int_equal(run("", &v, &l), 0);
	assert_int_equal(v.loglevel, 4);
	assert_string_equal(v.name, "dflt");

	assert_int_equal(run("  serial quiet=off loglevel=7 mem=2G addr=0x2f8 name=tern "
			     "mode=vmx cpus=0x10  ",
			     &v, &l),
			 0);
	assert_true(v.serial);
	assert_false(v.quiet);
	assert_int_equal(v.loglevel, 7);
	assert_int_equal(v.mem, 2ull << 30);
	assert_int_equal(v.addr, 0x2f8);
	assert_string_equal(v.name, "tern");
	assert_int_equal(v.mode, 1);
	assert_int_equal(v.cpus, 16);

	/* every boolean spelling, tabs and newlines as blanks */
	assert_int_equal(run("serial=yes\tquiet=1\n", &v, &l), 0);
	assert_true(v.serial && v.quiet);
	assert_int_equal(run("serial=false quiet=no", &v, &l), 0);
	assert_false(v.serial || v.quiet);
	assert_int_equal(run("serial=on quiet=true", &v, &l), 0);
	assert_true(v.serial && v.quiet);
	assert_int_equal(run("serial=0", &v, &l), 0);
	assert_false(v.serial);

	/* quoted values, empty string value, last one wins without NODUP */
	assert_int_equal(run("name=\"a b c\" mode=svm", &v, &l), 0);
	assert_string_equal(v.name, "a b c");
	assert_int_equal(v.mode, 0);
	assert_int_equal(run("name=", &v, &l), 0);
	assert_string_equal(v.name, "");
	assert_int_equal(run("name=\"\"", &v, &l), 0);
	assert_string_equal(v.name, "");
	assert_int_equal(run("cpus=2 cpus=3", &v, &l), 0);
	assert_int_equal(v.cpus, 3);
	/* exactly max - 1 characters fit */
	assert_int_equal(run("name=123456789012345", &v, &l), 0);
	assert_string_equal(v.name, "123456789012345");
	/* range ends are inclusive */
	assert_int_equal(run("loglevel=0 mem=1M cpus=256", &v, &l), 0);
	assert_int_equal(v.loglevel, 0);
	assert_int_equal(v.mem, 1 << 20);

	/* options stop at "--": the rest is the guest's */
	assert_int_equal(run("loglevel=5 -- console=ttyS0 bogus", &v, &l), 0);
	assert_int_equal(v.loglevel, 5);
	/* NULL command line, NULL report */
	assert_int_equal(cmdline_parse(NULL, NULL, 0, NULL, NULL), 0);
	assert_int_equal(cmdline_parse("x y", NULL, 0, NULL, NULL), 2);
}

/* Parse s, expect exactly one error whose text is msg, defaults untouched. */
static void one_error(const char *s, const char *msg)
{
	struct opts v, d;
	struct log l;
	struct cmdline_opt o[NOPTS];

	make_opts(o, &d);
	if (run(s, &v, &l) != 1 || strcmp(l.msg[0], msg))
		fail_msg("'%s': expected 1 error '%s', got %d: '%s'", s, msg, l.n, l.msg[0]);
	if (memcmp(&v, &d, sizeof(v)))
		fail_msg("'%s': a default changed", s);
}

static void test_errors(void **state)
{
	(void)state;
	one_error("foo", "cmdline: unknown option 'foo'");
	one_error("foo=bar", "cmdline: unknown option 'foo'");
	one_error("=bar", "cmdline: unknown option ''");
	one_error("serials", "cmdline: unknown option 'serials'");
	one_error("loglevel=abc", "cmdline: loglevel=abc: not a number (0..7)");
	one_error("loglevel=8", "cmdline: loglevel=8: out of range (0..7)");
	one_error("loglevel=-1", "cmdline: loglevel=-1: not a number (0..7)");
	one_error("loglevel=1K", "cmdline: loglevel=1K: not a number (0..7)");
	one_error("loglevel", "cmdline: loglevel: missing value");
	one_error("loglevel=", "cmdline: loglevel: missing value");
	one_error("addr=99999999999999999999",
		  "cmdline: addr=99999999999999999999: number too large (0..18446744073709551615)");
	one_error("mem=1K", "cmdline: mem=1K: out of range (1048576..1099511627776)");
	one_error("mem=2T", "cmdline: mem=2T: out of range (1048576..1099511627776)");
	one_error("mem=lots", "cmdline: mem=lots: not a number (1048576..1099511627776)");
	one_error("cpus=0", "cmdline: cpus=0: out of range (1..256)");
	one_error("mode=kvm", "cmdline: mode=kvm: unknown value (expected svm|vmx|auto)");
	one_error("mode=", "cmdline: mode: missing value");
	one_error("mode", "cmdline: mode: missing value");
	one_error("serial=maybe",
		  "cmdline: serial=maybe: not a boolean (on|off, yes|no, 1|0, true|false)");
	one_error("serial=", "cmdline: serial: missing value");
	one_error("name=1234567890123456", "cmdline: name: value too long (16 bytes, max 15)");
	one_error("name", "cmdline: name: missing value");
	one_error("name=\"abc", "cmdline: unterminated quote in 'name=\"abc'");
	one_error("name=\"a b", "cmdline: unterminated quote in 'name=\"a b'");
	one_error("name=a\"b\"c",
		  "cmdline: name: misplaced quote in the value (quote the whole value)");
	one_error("na\"me\"=x", "cmdline: quote in option name 'na\"me\"=x'");
	{
		struct opts v;
		struct log l;

		assert_int_equal(run("loglevel=3 loglevel=5", &v, &l), 1);
		assert_string_equal(
			l.msg[0], "cmdline: loglevel given more than once (the first one is kept)");
		assert_int_equal(v.loglevel, 3);
	}
}

static void test_error_mix(void **state)
{
	struct opts v;
	struct log l;

	(void)state;
	/* errors are skipped, good options around them still apply */
	assert_int_equal(run("foo loglevel=9 serial mem=8M bar=1 mode=x cpus=4 name=\"x", &v, &l),
			 5);
	assert_true(v.serial);
	assert_int_equal(v.mem, 8 << 20);
	assert_int_equal(v.cpus, 4);
	assert_int_equal(v.loglevel, 4);
	assert_int_equal(v.mode, 2);
	assert_string_equal(l.msg[0], "cmdline: unknown option 'foo'");
	assert_string_equal(l.msg[1], "cmdline: loglevel=9: out of range (0..7)");
	assert_string_equal(l.msg[4], "cmdline: unterminated quote in 'name=\"x'");

	/* a bad first NODUP occurrence does not block a good second one */
	assert_int_equal(run("loglevel=x loglevel=6", &v, &l), 1);
	assert_int_equal(v.loglevel, 6);

	/* long garbage is shown truncated, the message stays bounded */
	{
		char big[600];

		memset(big, 'z', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		assert_int_equal(run(big, &v, &l), 1);
		assert_true(strlen(l.msg[0]) < CMDLINE_MSG_MAX);
		assert_non_null(strstr(l.msg[0], "unknown option 'zzz"));
	}
}

static void test_split(void **state)
{
	size_t head;
	const char *tail;

	(void)state;
	tail = cmdline_split("loglevel=7 serial -- console=ttyS0 quiet", &head);
	assert_non_null(tail);
	assert_int_equal(head, strlen("loglevel=7 serial"));
	assert_string_equal(tail, "console=ttyS0 quiet");

	tail = cmdline_split("loglevel=7", &head);
	assert_null(tail);
	assert_int_equal(head, 10);
	tail = cmdline_split("loglevel=7   ", &head);
	assert_null(tail);
	assert_int_equal(head, 10);

	tail = cmdline_split("-- a", &head);
	assert_string_equal(tail, "a");
	assert_int_equal(head, 0);
	tail = cmdline_split("a --", &head);
	assert_string_equal(tail, "");
	assert_int_equal(head, 1);

	/* not standalone, or quoted: no split */
	assert_null(cmdline_split("a --b c-- d", &head));
	assert_null(cmdline_split("name=\"x -- y\" z", &head));
	assert_null(cmdline_split("\"--\"", &head));
	assert_null(cmdline_split("", &head));
	assert_int_equal(head, 0);

	/* only the first -- splits */
	tail = cmdline_split("a -- b -- c", &head);
	assert_string_equal(tail, "b -- c");
	assert_int_equal(head, 1);
}

static void test_fuzz(void **state)
{
	static const char alphabet[] = "serial=quiet loglevel mem name mode\"-- 0x1Kz=\t";
	struct cmdline_opt o[NOPTS];
	struct opts v;
	char s[128];
	u64 out;
	size_t head;

	(void)state;
	srand(4242);
	make_opts(o, &v);
	for (int i = 0; i < 20000; i++) {
		size_t n = (size_t)(rand() % (int)sizeof(s));

		for (size_t k = 0; k < n; k++)
			s[k] = (i & 1) ? alphabet[rand() % (int)(sizeof(alphabet) - 1)]
				       : (char)(rand() % 255 + 1);
		s[n] = '\0';
		(void)cmdline_parse(s, o, NOPTS, NULL, NULL);
		(void)cmdline_split(s, &head);
		assert_true(head <= n);
		(void)parse_u64(s, n, &out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_u64), cmocka_unit_test(test_good),
		cmocka_unit_test(test_errors),	  cmocka_unit_test(test_error_mix),
		cmocka_unit_test(test_split),	  cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
