/* SPDX-License-Identifier: MIT */
/*
 * Host tests for virt/guest_config.c: defaults, every option, raw-only
 * defaults, input escapes, module= lists, the guest command line, guestmod
 * entries and module resolution, and every error class (each must be
 * reported and must reject the guest).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "virt/guest_config.h"

static char msgs[4096];
static int nmsgs;

static void collect(const char *msg, void *ctx)
{
	(void)ctx;
	nmsgs++;
	strncat(msgs, msg, sizeof(msgs) - strlen(msgs) - 2);
	strcat(msgs, "\n");
}

static struct guest_config cfg;

static int parse(const char *s)
{
	msgs[0] = '\0';
	nmsgs = 0;
	return guest_config_parse(s, 3, &cfg, collect, NULL);
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse("/guests/foo.elf"), 0);
	assert_int_equal(nmsgs, 0);
	assert_string_equal(cfg.path, "/guests/foo.elf");
	assert_string_equal(cfg.name, "vm3");
	assert_int_equal(cfg.index, 3);
	assert_int_equal(cfg.mem, 64ull << 20);
	assert_int_equal(cfg.cpus, 1);
	assert_int_equal(cfg.timeout_s, 60);
	assert_int_equal(cfg.format, GUEST_FORMAT_AUTO);
	assert_int_equal(cfg.slots, 1);
	assert_int_equal(cfg.max_leaf, 3); /* 1 GiB */
	assert_int_equal(cfg.input_len, 0);
	assert_int_equal(cfg.nr_modules, 0);
	assert_string_equal(cfg.cmdline, "");
	assert_int_equal(parse(""), 0);
	assert_string_equal(cfg.path, "");
	assert_int_equal(parse(NULL), 0);
	/* no path: the first word is an option */
	assert_int_equal(parse("name=x mem=4M"), 0);
	assert_string_equal(cfg.path, "");
	assert_string_equal(cfg.name, "x");
}

static void test_all_options(void **state)
{
	(void)state;
	assert_int_equal(parse("/guests/foo.elf name=foo mem=128M cpus=4 timeout=0 format=mb2 "
			       "slots=4 input=\"ls\\n\" module=a.img,b.img module=c -- "
			       "mode=fast  \"quoted arg\"  "),
			 0);
	assert_int_equal(nmsgs, 0);
	assert_string_equal(cfg.name, "foo");
	assert_int_equal(cfg.mem, 128ull << 20);
	assert_int_equal(cfg.cpus, 4);
	assert_int_equal(cfg.timeout_s, 0);
	assert_int_equal(cfg.format, GUEST_FORMAT_MB2);
	assert_int_equal(cfg.slots, 4);
	assert_int_equal(cfg.input_len, 3);
	assert_memory_equal(cfg.input, "ls\n", 3);
	assert_int_equal(cfg.nr_modules, 3);
	assert_string_equal(cfg.modules[0], "a.img");
	assert_string_equal(cfg.modules[1], "b.img");
	assert_string_equal(cfg.modules[2], "c");
	assert_string_equal(cfg.cmdline, "mode=fast  \"quoted arg\"");
	assert_int_equal(parse("/g mem=2G format=mb1 cpus=8 timeout=3600 -- "), 0);
	assert_int_equal(cfg.mem, 2ull << 30);
	assert_int_equal(cfg.format, GUEST_FORMAT_MB1);
	assert_string_equal(cfg.cmdline, "");
	assert_int_equal(parse("/g mem=0x200000 format=auto"), 0);
	assert_int_equal(cfg.mem, 2ull << 20);
	assert_int_equal(parse("/g maxleaf=4k tdp_pages=8"), 0);
	assert_int_equal(cfg.max_leaf, 1);
	assert_int_equal(cfg.tdp_pages, 8);
	assert_int_equal(parse("/g maxleaf=2m"), 0);
	assert_int_equal(cfg.max_leaf, 2);
	assert_int_equal(parse("/g maxleaf=1g"), 0);
	assert_int_equal(cfg.max_leaf, 3);
}

static void test_raw(void **state)
{
	(void)state;
	assert_int_equal(parse("/boot.bin format=raw"), 0);
	assert_int_equal(cfg.format, GUEST_FORMAT_RAW);
	assert_int_equal(cfg.entry, GUEST_RAW_REAL);
	assert_int_equal(cfg.load, 0x7c00);
	assert_int_equal(cfg.entry_addr, 0x7c00);
	assert_int_equal(parse("/k.bin format=raw entry=long64"), 0);
	assert_int_equal(cfg.entry, GUEST_RAW_LONG64);
	assert_int_equal(cfg.load, 0x100000);
	assert_int_equal(cfg.entry_addr, 0x100000);
	assert_int_equal(parse("/k.bin format=raw entry=long64 load=2M entry_addr=0x200040"), 0);
	assert_int_equal(cfg.load, 2ull << 20);
	assert_int_equal(cfg.entry_addr, 0x200040);
	assert_int_equal(parse("/k.bin format=raw load=0x8000"), 0);
	assert_int_equal(cfg.entry_addr, 0x8000);

	/* guest_config_image carries everything to the loader */
	struct guest_module m = {"x", 1, "x", 1};
	struct guest_image img;
	u8 data[4];

	guest_config_image(&cfg, data, sizeof(data), &m, 1, &img);
	assert_ptr_equal(img.data, data);
	assert_int_equal(img.size, 4);
	assert_int_equal(img.format, GUEST_FORMAT_RAW);
	assert_int_equal(img.load, 0x8000);
	assert_int_equal(img.entry_addr, 0x8000);
	assert_int_equal(img.raw_entry, GUEST_RAW_REAL);
	assert_ptr_equal(img.cmdline, cfg.cmdline);
	assert_ptr_equal(img.mods, &m);
	assert_int_equal(img.nr_mods, 1);
}

static void test_input_escapes(void **state)
{
	(void)state;
	assert_int_equal(parse("/g input=\"a b\\r\\t\\\\\\x41\\x00z\""), 0);
	assert_int_equal(cfg.input_len, 9);
	assert_memory_equal(cfg.input, "a b\r\t\\A\0z", 9);
	assert_int_equal(parse("/g input=plain"), 0);
	assert_int_equal(cfg.input_len, 5);
}

struct bad {
	const char *s;
	const char *msg;
};

static const struct bad bad[] = {
	{"/g foo=1", "unknown option 'foo'"},
	{"/g mem=1M", "out of range"},
	{"/g mem=65G", "out of range"},
	{"/g mem=lots", "not a number"},
	{"/g mem=", "missing value"},
	{"/g mem=4097K", "multiple of 4 KiB"},
	{"/g cpus=0", "out of range"},
	{"/g cpus=9", "out of range"},
	{"/g cpus=2K", "not a number"},
	{"/g timeout=99999999999", "out of range"},
	{"/g timeout=-1", "not a number"},
	{"/g format=elf", "unknown value (expected auto|mb1|mb2|raw)"},
	{"/g maxleaf=512g", "unknown value (expected 4k|2m|1g)"},
	{"/g maxleaf=4k maxleaf=2m", "maxleaf"},
	{"/g format=raw entry=prot", "unknown value (expected real|long64)"},
	{"/g load=0x7c00", "only for format=raw"},
	{"/g entry=real", "only for format=raw"},
	{"/g format=mb1 entry_addr=0x100", "only for format=raw"},
	{"/g format=raw load=100G", "out of range"},
	{"/g slots=0", "out of range"},
	{"/g slots=9", "out of range"},
	{"/g mem=2M slots=4", "at least 1 MiB"},
	{"/g name=bad/name", "name 'bad/name'"},
	{"/g name=", "name ''"},
	{"/g name=abcdefghijklmnopqrstuvwxyz0123456", "too long"},
	{"/g name=a name=b", "more than once"},
	{"/g mem=4M mem=8M", "more than once"},
	{"/g input=\"\\q\"", "bad escape"},
	{"/g input=\"\\x4\"", "bad escape"},
	{"/g module=", "empty module name"},
	{"/g module=a,,b", "empty module name"},
	{"/g module=a module=a", "named twice"},
	{"/g module=a,b,c,d,e,f,g,h,i", "more than 8 modules"},
	{"/g module=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "too long"},
	{"/g name=\"unterminated", "unterminated quote"},
	{"/g \"na\"me=x", "quote in option name"},
	{"/m.img guestmod=foo", "not a guest"},
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = parse(bad[i].s);

		if (err != -E_INVAL || nmsgs < 1 || !strstr(msgs, bad[i].msg))
			fail_msg("'%s': err %d, messages:\n%s(expected '%s')", bad[i].s, err, msgs,
				 bad[i].msg);
		/* every message names the guest */
		assert_non_null(strstr(msgs, "guest 3 ("));
	}
}

static void test_long_values(void **state)
{
	static char s[3000];

	(void)state;
	strcpy(s, "/g -- ");
	memset(s + strlen(s), 'x', 1100);
	assert_int_equal(parse(s), -E_INVAL);
	assert_non_null(strstr(msgs, "guest command line too long"));
	strcpy(s, "/g input=");
	for (int i = 0; i < 130; i++)
		strcat(s, "\\x41"); /* 520 bytes before decoding: over the raw limit */
	assert_int_equal(parse(s), -E_INVAL);
	assert_non_null(strstr(msgs, "input: value too long"));
	strcpy(s, "/g input=");
	memset(s + strlen(s), 'y', 300);
	s[strlen("/g input=") + 300] = '\0';
	assert_int_equal(parse(s), -E_INVAL);
	assert_non_null(strstr(msgs, "more than 256 bytes"));
	/* several errors: all reported */
	assert_int_equal(parse("/g cpus=0 foo bar=1 slots=99"), -E_INVAL);
	assert_int_equal(nmsgs, 4);
	/* a NULL callback still rejects */
	assert_int_equal(guest_config_parse("/g cpus=0", 0, &cfg, NULL, NULL), -E_INVAL);
}

static void test_guestmod(void **state)
{
	char vm[GUEST_NAME_MAX];
	const char *str;
	size_t len;

	(void)state;
	assert_true(guest_module_entry("/guests/initrd.img guestmod=foo -- initrd"));
	assert_true(guest_module_entry("guestmod=foo"));
	assert_false(guest_module_entry("/guests/foo.elf name=foo"));
	assert_false(guest_module_entry("/guests/foo.elf name=foo guestmod=x"));
	assert_false(guest_module_entry("/guests/foo.elf -- guestmod=x"));
	assert_false(guest_module_entry(NULL));

	assert_int_equal(guest_module_parse("/m/initrd.img guestmod=foo -- initrd  x=1 ", vm,
					    sizeof(vm), &str, &len),
			 0);
	assert_string_equal(vm, "foo");
	assert_int_equal(len, strlen("initrd  x=1"));
	assert_memory_equal(str, "initrd  x=1", len);
	assert_int_equal(
		guest_module_parse("/m/initrd.img guestmod=foo", vm, sizeof(vm), &str, &len), 0);
	assert_int_equal(len, strlen("/m/initrd.img"));
	assert_memory_equal(str, "/m/initrd.img", len);
	assert_int_equal(guest_module_parse("guestmod=foo", vm, sizeof(vm), &str, &len), 0);
	assert_int_equal(len, 0);
	assert_int_equal(guest_module_parse("/m guestmod=foo mem=3M", vm, sizeof(vm), &str, &len),
			 -E_INVAL);
	assert_int_equal(guest_module_parse("/m guestmod=", vm, sizeof(vm), &str, &len), -E_INVAL);
	assert_int_equal(guest_module_parse("/m guestmod=a/b", vm, sizeof(vm), &str, &len),
			 -E_INVAL);
	assert_int_equal(guest_module_parse("/m guestmod=foo", vm, 3, &str, &len), -E_INVAL);
	assert_int_equal(guest_module_parse("/m name=foo", vm, sizeof(vm), &str, &len), -E_INVAL);
}

static void test_find_modules(void **state)
{
	static const char *const mods[] = {
		"/guests/foo.elf name=foo module=data.bin,initrd.img",
		"/guests/initrd.img guestmod=foo -- initrd",
		"/guests/initrd.img guestmod=bar",
		"/other/data.bin guestmod=foo",
		"/guests/bar.elf name=bar module=initrd.img,/other/data.bin",
		"/x/data.bin guestmod=bar",
		"/y/data.bin guestmod=bar",
	};
	u32 idx[GUEST_MODULES_MAX];

	(void)state;
	assert_int_equal(parse(mods[0]), 0);
	assert_int_equal(guest_config_find_modules(&cfg, mods, 7, idx, collect, NULL), 0);
	assert_int_equal(idx[0], 3);
	assert_int_equal(idx[1], 1);

	/* bar: initrd.img is its own; /other/data.bin belongs to foo */
	assert_int_equal(parse(mods[4]), 0);
	assert_int_equal(guest_config_find_modules(&cfg, mods, 7, idx, collect, NULL), -E_NOENT);
	assert_int_equal(idx[0], 2);
	assert_non_null(strstr(msgs, "module '/other/data.bin' not found"));
	assert_non_null(strstr(msgs, "guestmod=bar"));

	/* two data.bin modules for bar: ambiguous by name, fine by full path */
	assert_int_equal(parse("/guests/bar.elf name=bar module=data.bin"), 0);
	assert_int_equal(guest_config_find_modules(&cfg, mods, 7, idx, collect, NULL), -E_NOENT);
	assert_non_null(strstr(msgs, "ambiguous"));
	assert_int_equal(parse("/guests/bar.elf name=bar module=/y/data.bin"), 0);
	assert_int_equal(guest_config_find_modules(&cfg, mods, 7, idx, collect, NULL), 0);
	assert_int_equal(idx[0], 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults), cmocka_unit_test(test_all_options),
		cmocka_unit_test(test_raw),	 cmocka_unit_test(test_input_escapes),
		cmocka_unit_test(test_errors),	 cmocka_unit_test(test_long_values),
		cmocka_unit_test(test_guestmod), cmocka_unit_test(test_find_modules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
