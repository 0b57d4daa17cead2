/* SPDX-License-Identifier: MIT */
/*
 * Host tests for boot/multiboot.c: Multiboot2 info blocks and Multiboot1
 * structures are built byte by byte in a fake physical memory, then parsed
 * through the same mapping callback interface the kernel uses. Valid blocks
 * must round-trip; every malformed one must fail with a reason, never crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_mem.h"

#include "boot/multiboot.h"

#define MEM_SIZE 0x40000u
#define MB2_BASE 0x10000u /* where the info block is placed */
#define BLOB_MAX 0x8000u

/* Multiboot2 tag types used by the builder. */
enum {
	T_END = 0,
	T_CMDLINE = 1,
	T_LOADER = 2,
	T_MODULE = 3,
	T_MEMINFO = 4,
	T_MMAP = 6,
	T_FB = 8,
	T_EFI64 = 12,
	T_ACPI_OLD = 14,
	T_ACPI_NEW = 15,
	T_EFI_MMAP = 17,
	T_UNKNOWN = 99,
};

/* ---- Multiboot2 blob builder ---- */
struct mb2 {
	u8 *b;	    /* inside mem, at MB2_BASE */
	size_t len; /* bytes written so far */
};

static void mb2_start(struct mb2 *w, struct mem *m)
{
	w->b = m->buf + MB2_BASE;
	memset(w->b, 0, BLOB_MAX);
	w->len = 8;
}

/* Append a tag with the given payload; returns its offset. */
static size_t mb2_tag(struct mb2 *w, u32 type, const void *payload, size_t plen)
{
	size_t off = w->len;

	assert_true(off + 8 + plen + 8 <= BLOB_MAX);
	put32(w->b + off, type);
	put32(w->b + off + 4, (u32)(8 + plen));
	if (plen)
		memcpy(w->b + off + 8, payload, plen);
	w->len = (off + 8 + plen + 7) & ~(size_t)7;
	return off;
}

static void mb2_finish(struct mb2 *w)
{
	mb2_tag(w, T_END, NULL, 0);
	put32(w->b, (u32)w->len);
}

static void mb2_string(struct mb2 *w, u32 type, const char *s)
{
	mb2_tag(w, type, s, strlen(s) + 1);
}

static void mb2_module(struct mb2 *w, u32 start, u32 end, const char *s)
{
	u8 p[600];
	size_t n = strlen(s) + 1;

	put32(p, start);
	put32(p + 4, end);
	memcpy(p + 8, s, n);
	mb2_tag(w, T_MODULE, p, 8 + n);
}

struct e820 {
	u64 base, len;
	u32 type;
};

static void mb2_mmap(struct mb2 *w, u32 esize, const struct e820 *e, size_t n)
{
	u8 *p = calloc(1, 8 + n * esize + 24); /* room for entries written past a too-small esize */

	put32(p, esize);
	put32(p + 4, 0);
	for (size_t i = 0; i < n; i++) {
		put64(p + 8 + i * esize, e[i].base);
		put64(p + 8 + i * esize + 8, e[i].len);
		put32(p + 8 + i * esize + 16, e[i].type);
	}
	mb2_tag(w, T_MMAP, p, 8 + n * esize);
	free(p);
}

struct efi_md {
	u32 type;
	u64 phys, pages;
};

static void mb2_efi_mmap(struct mb2 *w, const struct efi_md *d, size_t n)
{
	const u32 dsize = 48;
	u8 *p = calloc(1, 8 + n * dsize);

	put32(p, dsize);
	put32(p + 4, 1);
	for (size_t i = 0; i < n; i++) {
		put32(p + 8 + i * dsize, d[i].type);
		put64(p + 8 + i * dsize + 8, d[i].phys);
		put64(p + 8 + i * dsize + 24, d[i].pages);
	}
	mb2_tag(w, T_EFI_MMAP, p, 8 + n * dsize);
	free(p);
}

static void mb2_rsdp(struct mb2 *w, u32 type, u8 rev)
{
	u8 r[36] = "RSD PTR ";

	r[15] = rev;
	r[16] = 0x78; /* RSDT address byte, to recognise the copy */
	mb2_tag(w, type, r, type == T_ACPI_OLD ? 20 : 36);
}

static int parse_mb2(struct mem *m, struct boot_info *bi, char *why)
{
	return multiboot_parse(MB2_BOOTLOADER_MAGIC, MB2_BASE, mem_map, m, bi, why, 256);
}

static void expect_fail(struct mem *m, int err, const char *needle)
{
	struct boot_info *bi = malloc(sizeof(*bi));
	char why[256];
	int rc = parse_mb2(m, bi, why);

	if (rc != err || !strstr(why, needle))
		fail_msg("expected %d with '%s', got %d: '%s'", err, needle, rc, why);
	free(bi);
}

static void build_full(struct mb2 *w, struct mem *m)
{
	static const struct e820 map[] = {
		{0, 0x9fc00, 1},
		{0x100000, 0x7ee0000, 1},
		{0xfffc0000, 0x40000, 2},
	};
	static const struct efi_md efi[] = {{7, 0, 0x9f}};
	u8 meminfo[8], fb[24] = {0}, efi64[8];

	mb2_start(w, m);
	mb2_string(w, T_CMDLINE, "loglevel=7 serial=0x3f8 -- console=ttyS0");
	mb2_string(w, T_LOADER, "GRUB 2.06-13");
	mb2_module(w, 0x200000, 0x300000, "linux root=/dev/ram0");
	mb2_module(w, 0x300000, 0x340123, "initrd");
	put32(meminfo, 639);
	put32(meminfo + 4, 129920);
	mb2_tag(w, T_MEMINFO, meminfo, sizeof(meminfo));
	mb2_mmap(w, 24, map, 3);
	put64(fb, 0xfd000000);
	put32(fb + 8, 4096);
	put32(fb + 12, 1024);
	put32(fb + 16, 768);
	fb[20] = 32;
	fb[21] = 1;
	mb2_tag(w, T_FB, fb, 24);
	put64(efi64, 0x7fe00018);
	mb2_tag(w, T_EFI64, efi64, 8);
	mb2_rsdp(w, T_ACPI_NEW, 2); /* new before old: the new one must win */
	mb2_rsdp(w, T_ACPI_OLD, 0);
	mb2_efi_mmap(w, efi, 1);
	mb2_tag(w, T_UNKNOWN, "xyz", 3);
	mb2_finish(w);
}

static void test_mb2_full(void **state)
{
	struct mem *m = mem_new_sized(MEM_SIZE);
	struct boot_info *bi = malloc(sizeof(*bi));
	struct mb2 w;
	char why[256] = "";

	(void)state;
	build_full(&w, m);
	assert_int_equal(parse_mb2(m, bi, why), 0);
	assert_int_equal(bi->proto, BOOT_PROTO_MB2);
	assert_string_equal(bi->cmdline, "loglevel=7 serial=0x3f8 -- console=ttyS0");
	assert_string_equal(bi->loader_name, "GRUB 2.06-13");
	assert_int_equal(bi->module_count, 2);
	assert_int_equal(bi->modules[0].start, 0x200000);
	assert_int_equal(bi->modules[0].end, 0x300000);
	assert_string_equal(bi->modules[0].cmdline, "linux root=/dev/ram0");
	assert_string_equal(bi->modules[1].cmdline, "initrd");
	assert_int_equal(bi->modules[1].end, 0x340123);
	assert_true(bi->has_meminfo);
	assert_int_equal(bi->mem_lower_kib, 639);
	assert_int_equal(bi->mem_upper_kib, 129920);
	assert_int_equal(bi->mmap_source, BOOT_MMAP_MULTIBOOT);
	assert_int_equal(bi->mmap_count, 3);
	assert_int_equal(bi->mmap[1].base, 0x100000);
	assert_int_equal(bi->mmap[1].len, 0x7ee0000);
	assert_int_equal(bi->mmap[2].type, BOOT_MEM_RESERVED);
	assert_true(bi->has_efi_mmap);
	assert_true(bi->fb.present);
	assert_int_equal(bi->fb.addr, 0xfd000000);
	assert_int_equal(bi->fb.pitch, 4096);
	assert_int_equal(bi->fb.width, 1024);
	assert_int_equal(bi->fb.height, 768);
	assert_int_equal(bi->fb.bpp, 32);
	assert_int_equal(bi->fb.type, 1);
	assert_true(bi->efi64);
	assert_int_equal(bi->efi64_systab, 0x7fe00018);
	assert_int_equal(bi->rsdp_version, 2);
	assert_int_equal(bi->rsdp_len, 36);
	assert_memory_equal(bi->rsdp, "RSD PTR ", 8);
	assert_int_equal(bi->rsdp[15], 2);
	assert_string_equal(bi->warn, "");
	free(bi);
	mem_free(m);
}

static void test_mb2_efi_mmap_fallback(void **state)
{
	static const struct efi_md efi[] = {
		{7, 0x0, 0x9f},	       /* conventional */
		{3, 0x100000, 0x100},  /* boot services code */
		{4, 0x200000, 0x10},   /* boot services data */
		{1, 0x210000, 0x10},   /* loader code */
		{2, 0x220000, 0x10},   /* loader data */
		{9, 0x230000, 0x4},    /* ACPI reclaim */
		{10, 0x234000, 0x4},   /* ACPI NVS */
		{5, 0x238000, 0x4},    /* runtime code: reserved */
		{11, 0xfec00000, 0x1}, /* MMIO */
		{0, 0x300000, 0x0},    /* empty: dropped */
	};
	struct mem *m = mem_new_sized(MEM_SIZE);
	struct boot_info *bi = malloc(sizeof(*bi));
	struct mb2 w;
	char why[256];

	(void)state;
	mb2_start(&w, m);
	mb2_efi_mmap(&w, efi, ARRAY_SIZE(efi));
	mb2_finish(&w);
	assert_int_equal(parse_mb2(m, bi, why), 0);
	assert_int_equal(bi->mmap_source, BOOT_MMAP_EFI);
	assert_int_equal(bi->mmap_count, 9);
	for (int i = 0; i < 5; i++)
		assert_int_equal(bi->mmap[i].type, BOOT_MEM_AVAILABLE);
	assert_int_equal(bi->mmap[1].len, 0x100000);
	assert_int_equal(bi->mmap[5].type, BOOT_MEM_ACPI);
	assert_int_equal(bi->mmap[6].type, BOOT_MEM_NVS);
	assert_int_equal(bi->mmap[7].type, BOOT_MEM_RESERVED);
	assert_int_equal(bi->mmap[8].type, BOOT_MEM_RESERVED);
	assert_int_equal(bi->rsdp_version, 0);
	free(bi);
	mem_free(m);
}

static void test_mb2_bad_header(void **state)
{
	struct mem *m = mem_new_sized(MEM_SIZE);
	struct boot_info *bi = malloc(sizeof(*bi));
	struct mb2 w;
	char why[256];

	(void)state;
	build_full(&w, m);
	assert_int_equal(multiboot_parse(0x12345678, MB2_BASE, mem_map, m, bi, why, sizeof(why)),
			 -E_INVAL);
	assert_non_null(strstr(why, "bad boot magic 0x12345678"));
	assert_int_equal(multiboot_parse(MB2_BOOTLOADER_MAGIC, MB2_BASE + 4, mem_map, m, bi, why,
					 sizeof(why)),
			 -E_INVAL);
	assert_non_null(strstr(why, "not 8-byte aligned"));
	assert_int_equal(
		multiboot_parse(MB2_BOOTLOADER_MAGIC, MEM_SIZE, mem_map, m, bi, why, sizeof(why)),
		-E_INVAL);
	assert_non_null(strstr(why, "not accessible"));
	/* A NULL why is allowed. */
	assert_int_equal(multiboot_parse(0, MB2_BASE, mem_map, m, bi, NULL, 0), -E_INVAL);

	put32(w.b, 8);
	expect_fail(m, -E_INVAL, "total_size 8 out of range");
	put32(w.b, 0x7fffffff);
	expect_fail(m, -E_INVAL, "out of range");
	/* total_size larger than the memory that holds the block */
	put32(w.b, MEM_SIZE - MB2_BASE + 8);
	expect_fail(m, -E_INVAL, "runs past accessible memory");
	free(bi);
	mem_free(m);
}

static void test_mb2_bad_tags(void **state)
{
	struct mem *m = mem_new_sized(MEM_SIZE);
	struct mb2 w;
	size_t off;

	(void)state;
	/* tag size below the header size */
	mb2_start(&w, m);
	off = mb2_tag(&w, T_CMDLINE, "a", 2);
	mb2_finish(&w);
	put32(w.b + off + 4, 4);
	expect_fail(m, -E_INVAL, "size 4 is below 8");
	put32(w.b + off + 4, 0);
	expect_fail(m, -E_INVAL, "size 0 is below 8");

	/* oversize tag: runs past total_size */
	put32(w.b + off + 4, 0x1000);
	expect_fail(m, -E_INVAL, "runs past total_size");

	/* missing end tag: total_size stops after the last tag */
	mb2_start(&w, m);
	mb2_string(&w, T_CMDLINE, "abc");
	mb2_string(&w, T_LOADER, "x");
	put32(w.b, (u32)w.len);
	expect_fail(m, -E_INVAL, "no end tag");

	/* misaligned tags: a writer that forgot the padding */
	mb2_start(&w, m);
	put32(w.b + 8, T_CMDLINE);
	put32(w.b + 12, 13);
	memcpy(w.b + 16, "abcd", 5);
	put32(w.b + 21, T_END);
	put32(w.b + 25, 8);
	put32(w.b, 29);
	expect_fail(m, -E_INVAL, "no end tag");

	/* last tag unpadded right at the end of total_size */
	mb2_start(&w, m);
	put32(w.b + 8, T_CMDLINE);
	put32(w.b + 12, 13);
	memcpy(w.b + 16, "abcd", 5);
	put32(w.b, 21);
	expect_fail(m, -E_INVAL, "no end tag");
	mem_free(m);
}

static void test_mb2_strings(void **state)
{
	struct mem *m = mem_new_sized(MEM_SIZE);
	struct boot_info *bi = malloc(sizeof(*bi));
	char *longs = malloc(1500);
	struct mb2 w;
	char why[256];

	(void)state;
	/* unterminated command line */
	mb2_start(&w, m);
	mb2_tag(&w, T_CMDLINE, "abcdefgh", 8);
	mb2_finish(&w);
	expect_fail(m, -E_INVAL, "command line tag: string not NUL-terminated");

	/* too long command line */
	memset(longs, 'x', 1499);
	longs[1499] = '\0';
	mb2_start(&w, m);
	mb2_string(&w, T_CMDLINE, longs);
	mb2_finish(&w);
	expect_fail(m, -E_RANGE, "longer than 1023 bytes");

	/* exactly the maximum fits */
	longs[BOOT_CMDLINE_MAX - 1] = '\0';
	mb2_start(&w, m);
	mb2_string(&w, T_CMDLINE, longs);
	mb2_finish(&w);
	assert_int_equal(parse_mb2(m, bi, why), 0);
	assert_int_equal(strlen(bi->cmdline), BOOT_CMDLINE_MAX - 1);

	/* long loader name: truncated with a warning, not an error */
	mb2_start(&w, m);
	mb2_string(&w, T_LOADER, longs);
	mb2_finish(&w);
	assert_int_equal(parse_mb2(m, bi, why), 0);
	assert_int_equal(strlen(bi->loader_name), BOOT_LOADER_NAME_MAX - 1);
	assert_non_null(strstr(bi->warn, "boot loader name truncated"));

	/* duplicate command line: first kept, warned */
	mb2_start(&w, m);
	mb2_string(&w, T_CMDLINE, "first");
	mb2_string(&w, T_CMDLINE, "second");
	mb2_finish(&w);
	assert_int_equal(parse_mb2(m, bi, why), 0);
	assert_string_equal(bi->cmdline, "first");
	assert_non_null(strstr(bi->warn, "duplicate tag type 1"));
	free(longs);
	free(bi);
	mem_free(m);
}

static void test_mb2_mmap_errors(void **state)
{
	static const struct e820 one[] = {{0, 0x1000, 1}, {0x1000, 0x1000, 2}};
	struct mem *m = mem_new_sized(MEM_SIZE);
	struct boot_info *bi = malloc(sizeof(*bi));
	struct e820 *many = calloc(200, sizeof(*many));
	struct mb2 w;
	char why[256];
	u8 tiny[4] = {24, 0, 0, 0};

	(void)state;
	mb2_start(&w, m);
	mb2_mmap(&w, 16, one, 2);
	mb2_finish(&w);
	expect_fail(m, -E_INVAL, "entry_size 16");

	mb2_start(&w, m);
	mb2_mmap(&w, 28, one, 2);
	mb2_finish(&w);
	expect_fail(m, -E_INVAL, "entry_size 28");

	mb2_start(&w, m);
	mb2_tag(&w, T_MMAP, tiny, sizeof(tiny));
	mb2_finish(&w);
	expect_fail(m, -E_INVAL, "mmap tag: size 12 too small");

	/* larger entries than 24 are fine: the extra bytes are skipped */
	mb2_start(&w, m);
	mb2_mmap(&w, 32, one, 2);
	mb2_finish(&w);
	assert_int_equal(parse_mb2(m, bi, why), 0);
	assert_int_equal(bi->mmap_count, 2);
	assert_int_equal(bi->mmap[1].base, 0x1000);
	assert_int_equal(bi->mmap[1].type, 2);

	/* more entries than fit: keep the first BOOT_MMAP_MAX, say so */
	for (int i = 0; i < 200; i++)
		many[i] = (struct e820){(u64)i << 20, 1 << 20, 1};
	mb2_start(&w, m);
	mb2_mmap(&w, 24, many, 200);
	mb2_finish(&w);
	assert_int_equal(parse_mb2(m, bi, why), 0);
	assert_int_equal(bi->mmap_count, BOOT_MMAP_MAX);
	assert_true(bi->mmap_truncated);
	assert_int_equal(bi->mmap[BOOT_MMAP_MAX - 1].base, (u64)(BOOT_MMAP_MAX - 1) << 20);
	assert_non_null(strstr(bi->warn, "more than 128 entries"));

	/* a wrapping entry is clamped with a warning */
	many[0] = (struct e820){0xfffffffffffff000ull, 0x2000, 2};
	mb2_start(&w, m);
	mb2_mmap(&w, 24, many, 1);
	mb2_finish(&w);
	assert_int_equal(parse_mb2(m, bi, why), 0);
	assert_int_equal(bi->mmap[0].len, 0x1000);
	assert_non_null(strstr(bi->warn, "wraps"));
	free(many);
	free(bi);
	mem_free(m);
}

static void test_mb2_modules(void **state)
{
	struct mem *m = mem_new_sized(MEM_SIZE);
	struct boot_info *bi = malloc(sizeof(*bi));
	struct mb2 w;
	char why[256], name[16];
	u8 p[12];

	(void)state;
	mb2_start(&w, m);
	mb2_module(&w, 0x400000, 0x300000, "backwards");
	mb2_finish(&w);
	expect_fail(m, -E_INVAL, "module 0: start 0x400000 is above end 0x300000");

	mb2_start(&w, m);
	put32(p, 0x1000);
	put32(p + 4, 0x2000);
	memcpy(p + 8, "abcd", 4); /* no NUL */
	mb2_tag(&w, T_MODULE, p, 12);
	mb2_finish(&w);
	expect_fail(m, -E_INVAL, "module 0: string not NUL-terminated");

	mb2_start(&w, m);
	mb2_tag(&w, T_MODULE, p, 8);
	mb2_finish(&w);
	expect_fail(m, -E_INVAL, "too small");

	/* 20 modules: the first 16 are kept */
	mb2_start(&w, m);
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "mod%d", i);
		mb2_module(&w, 0x100000u * (u32)(i + 1), 0x100000u * (u32)(i + 1) + 0x1000, name);
	}
	mb2_finish(&w);
	assert_int_equal(parse_mb2(m, bi, why), 0);
	assert_int_equal(bi->module_count, BOOT_MODULES_MAX);
	assert_true(bi->modules_truncated);
	assert_string_equal(bi->modules[15].cmdline, "mod15");
	assert_non_null(strstr(bi->warn, "more than 16 modules"));
	assert_int_equal(boot_info_check_modules(bi, 0x0, 0x100000, why, sizeof(why)), 0);
	free(bi);
	mem_free(m);
}

static void test_check_modules(void **state)
{
	struct boot_info *bi = calloc(1, sizeof(*bi));
	char why[256];

	(void)state;
	bi->module_count = 3;
	bi->modules[0] = (struct boot_module){0x200000, 0x300000, "linux"};
	bi->modules[1] = (struct boot_module){0x300000, 0x380000, "initrd"};
	bi->modules[2] = (struct boot_module){0x380000, 0x380000, ""}; /* empty */
	assert_int_equal(boot_info_check_modules(bi, 0x100000, 0x200000, why, sizeof(why)), 0);

	/* a module overlapping the kernel */
	assert_int_equal(boot_info_check_modules(bi, 0x100000, 0x200001, why, sizeof(why)),
			 -E_OVERLAP);
	assert_non_null(strstr(why, "module 0 'linux'"));
	assert_non_null(strstr(why, "overlaps the kernel"));

	/* two modules overlapping each other */
	bi->modules[1].start = 0x2ff000;
	assert_int_equal(boot_info_check_modules(bi, 0x100000, 0x200000, why, sizeof(why)),
			 -E_OVERLAP);
	assert_non_null(strstr(why, "module 0 'linux'"));
	assert_non_null(strstr(why, "overlaps module 1 'initrd'"));

	/* a module entirely inside another, unnamed */
	bi->modules[1] = (struct boot_module){0x250000, 0x260000, ""};
	assert_int_equal(boot_info_check_modules(bi, 0, 0, NULL, 0), -E_OVERLAP);
	assert_int_equal(boot_info_check_modules(bi, 0, 0, why, sizeof(why)), -E_OVERLAP);
	assert_non_null(strstr(why, "(no name)"));
	free(bi);
}

static void test_mb2_rsdp_short(void **state)
{
	struct mem *m = mem_new_sized(MEM_SIZE);
	struct mb2 w;

	(void)state;
	mb2_start(&w, m);
	mb2_tag(&w, T_ACPI_NEW, "RSD PTR ", 8);
	mb2_finish(&w);
	expect_fail(m, -E_INVAL, "ACPI RSDP tag 15: 8 bytes, need 36");
	mb2_start(&w, m);
	mb2_tag(&w, T_FB, "12345678", 8);
	mb2_finish(&w);
	expect_fail(m, -E_INVAL, "framebuffer tag");
	mem_free(m);
}

/* ---- Multiboot1 ---- */

#define MB1_INFO    0x1000u
#define MB1_CMDLINE 0x2000u
#define MB1_MODS    0x3000u
#define MB1_MMAP    0x4000u
#define MB1_NAMES   0x5000u

static void mb1_build(struct mem *m, u32 flags)
{
	u8 *info = m->buf + MB1_INFO, *mm = m->buf + MB1_MMAP, *mods = m->buf + MB1_MODS;

	memset(m->buf, 0, MEM_SIZE);
	put32(info, flags);
	put32(info + 4, 639);
	put32(info + 8, 65536);
	put32(info + 16, MB1_CMDLINE);
	strcpy((char *)m->buf + MB1_CMDLINE, "selftest=all");
	put32(info + 20, 2);
	put32(info + 24, MB1_MODS);
	put32(mods + 0, 0x200000);
	put32(mods + 4, 0x280000);
	put32(mods + 8, MB1_NAMES);
	put32(mods + 16, 0x280000);
	put32(mods + 20, 0x290000);
	put32(mods + 24, 0); /* no string */
	strcpy((char *)m->buf + MB1_NAMES, "guest.elf mem=64M");
	/* two entries: the second has a larger size field (28) */
	put32(mm, 20);
	put64(mm + 4, 0);
	put64(mm + 12, 0x9fc00);
	put32(mm + 20, 1);
	put32(mm + 24, 28);
	put64(mm + 28, 0x100000);
	put64(mm + 36, 0x3f00000);
	put32(mm + 44, 1);
	put32(info + 44, 24 + 32);
	put32(info + 48, MB1_MMAP);
	put32(info + 64, MB1_NAMES + 0x100);
	strcpy((char *)m->buf + MB1_NAMES + 0x100, "iPXE");
	put64(info + 88, 0xe0000000);
	put32(info + 96, 3200);
	put32(info + 100, 800);
	put32(info + 104, 600);
	info[108] = 32;
	info[109] = 1;
}

#define MB1_ALL (BIT(0) | BIT(2) | BIT(3) | BIT(6) | BIT(9) | BIT(12))

static int parse_mb1(struct mem *m, struct boot_info *bi, char *why)
{
	return multiboot_parse(MB1_BOOTLOADER_MAGIC, MB1_INFO, mem_map, m, bi, why, 256);
}

static void expect_mb1_fail(struct mem *m, int err, const char *needle)
{
	struct boot_info *bi = malloc(sizeof(*bi));
	char why[256];
	int rc = parse_mb1(m, bi, why);

	if (rc != err || !strstr(why, needle))
		fail_msg("expected %d with '%s', got %d: '%s'", err, needle, rc, why);
	free(bi);
}

static void test_mb1_full(void **state)
{
	struct mem *m = mem_new_sized(MEM_SIZE);
	struct boot_info *bi = malloc(sizeof(*bi));
	char why[256];

	(void)state;
	mb1_build(m, MB1_ALL);
	assert_int_equal(parse_mb1(m, bi, why), 0);
	assert_int_equal(bi->proto, BOOT_PROTO_MB1);
	assert_true(bi->has_meminfo);
	assert_int_equal(bi->mem_upper_kib, 65536);
	assert_string_equal(bi->cmdline, "selftest=all");
	assert_string_equal(bi->loader_name, "iPXE");
	assert_int_equal(bi->module_count, 2);
	assert_string_equal(bi->modules[0].cmdline, "guest.elf mem=64M");
	assert_string_equal(bi->modules[1].cmdline, "");
	assert_int_equal(bi->modules[1].start, 0x280000);
	assert_int_equal(bi->mmap_count, 2);
	assert_int_equal(bi->mmap[1].base, 0x100000);
	assert_int_equal(bi->mmap[1].len, 0x3f00000);
	assert_true(bi->fb.present);
	assert_int_equal(bi->fb.addr, 0xe0000000);
	assert_int_equal(bi->fb.width, 800);
	assert_int_equal(bi->rsdp_version, 0);
	assert_int_equal(boot_info_check_modules(bi, 0x100000, 0x200000, why, sizeof(why)), 0);

	/* flags decide what is read: nothing but the flags word */
	mb1_build(m, 0);
	assert_int_equal(parse_mb1(m, bi, why), 0);
	assert_false(bi->has_meminfo);
	assert_string_equal(bi->cmdline, "");
	assert_int_equal(bi->module_count, 0);
	assert_false(bi->fb.present);
	free(bi);
	mem_free(m);
}

static void test_mb1_errors(void **state)
{
	struct mem *m = mem_new_sized(MEM_SIZE);
	struct boot_info *bi = malloc(sizeof(*bi));
	char why[256];

	(void)state;
	/* command line running into the end of memory without a NUL */
	mb1_build(m, MB1_ALL);
	put32(m->buf + MB1_INFO + 16, MEM_SIZE - 4);
	memset(m->buf + MEM_SIZE - 4, 'x', 4);
	expect_mb1_fail(m, -E_INVAL, "command line at 0x3fffc: not NUL-terminated");

	/* too long command line */
	mb1_build(m, MB1_ALL);
	memset(m->buf + MB1_CMDLINE, 'y', 2000);
	expect_mb1_fail(m, -E_RANGE, "longer than 1023 bytes");

	/* mmap entry size below 20 */
	mb1_build(m, MB1_ALL);
	put32(m->buf + MB1_MMAP + 24, 12);
	expect_mb1_fail(m, -E_INVAL, "size 12 is below 20");

	/* mmap entry running past mmap_length */
	mb1_build(m, MB1_ALL);
	put32(m->buf + MB1_MMAP + 24, 100);
	expect_mb1_fail(m, -E_INVAL, "runs past mmap_length");

	/* mmap_length leaving a partial size field */
	mb1_build(m, MB1_ALL);
	put32(m->buf + MB1_INFO + 44, 24 + 32 + 2);
	expect_mb1_fail(m, -E_INVAL, "truncated size field");

	/* huge counts */
	mb1_build(m, MB1_ALL);
	put32(m->buf + MB1_INFO + 20, 0xffffffff);
	expect_mb1_fail(m, -E_INVAL, "mods_count 4294967295");
	mb1_build(m, MB1_ALL);
	put32(m->buf + MB1_INFO + 20, 100); /* plausible, but runs past memory */
	put32(m->buf + MB1_INFO + 24, MEM_SIZE - 0x100);
	expect_mb1_fail(m, -E_INVAL, "module list at 0x3ff00 (100 entries) is not accessible");
	mb1_build(m, MB1_ALL);
	put32(m->buf + MB1_INFO + 44, 0xfffffff0);
	expect_mb1_fail(m, -E_INVAL, "mmap_length");
	mb1_build(m, MB1_ALL);
	put32(m->buf + MB1_INFO + 48, MEM_SIZE - 8);
	expect_mb1_fail(m, -E_INVAL, "memory map at");

	/* module start above end */
	mb1_build(m, MB1_ALL);
	put32(m->buf + MB1_MODS + 16, 0x300000);
	expect_mb1_fail(m, -E_INVAL, "module 1: start 0x300000 is above end 0x290000");

	/* module string pointer into nowhere */
	mb1_build(m, MB1_ALL);
	put32(m->buf + MB1_MODS + 8, 0xfffffff0);
	expect_mb1_fail(m, -E_INVAL, "module 0 string");

	/* overlapping modules are accepted by the parser, caught by the check */
	mb1_build(m, MB1_ALL);
	put32(m->buf + MB1_MODS + 16, 0x27f000);
	assert_int_equal(parse_mb1(m, bi, why), 0);
	assert_int_equal(boot_info_check_modules(bi, 0x100000, 0x200000, why, sizeof(why)),
			 -E_OVERLAP);
	assert_non_null(strstr(why, "module 0 'guest.elf mem=64M'"));

	/* info block at the very end: the framebuffer fields are out of reach */
	memset(m->buf, 0, MEM_SIZE);
	put32(m->buf + MEM_SIZE - 100, (u32)BIT(12));
	assert_int_equal(multiboot_parse(MB1_BOOTLOADER_MAGIC, MEM_SIZE - 100, mem_map, m, bi, why,
					 sizeof(why)),
			 -E_INVAL);
	assert_non_null(strstr(why, "116 bytes not accessible"));
	free(bi);
	mem_free(m);
}

/* ---- fuzz-ish: random and mutated input must never crash ---- */

static void test_fuzz(void **state)
{
	struct mem *m = mem_new_sized(MEM_SIZE);
	struct boot_info *bi = malloc(sizeof(*bi));
	struct mb2 w;
	char why[256];
	u8 *orig = malloc(BLOB_MAX);
	size_t len;

	(void)state;
	srand(12345);
	build_full(&w, m);
	len = w.len;
	memcpy(orig, w.b, BLOB_MAX);
	for (int i = 0; i < 5000; i++) {
		memcpy(w.b, orig, BLOB_MAX);
		for (int k = rand() % 8 + 1; k > 0; k--)
			w.b[rand() % len] = (u8)rand();
		if (i % 4 == 0)
			put32(w.b + (rand() % (len / 4)) * 4, (u32)rand() % 64);
		(void)parse_mb2(m, bi, why);
	}
	/* fully random tag streams */
	for (int i = 0; i < 3000; i++) {
		size_t n = 16 + (size_t)(rand() % 512);

		for (size_t k = 0; k < n; k++)
			w.b[k] = (u8)rand();
		put32(w.b, (u32)n);
		for (size_t off = 8; off + 8 <= n; off += 8)
			if (rand() % 3 == 0)
				put32(w.b + off + 4, (u32)(rand() % 64));
		(void)parse_mb2(m, bi, why);
	}
	/* multiboot1 with random flags and fields */
	for (int i = 0; i < 3000; i++) {
		u8 *info = m->buf + MB1_INFO;

		mb1_build(m, (u32)rand());
		for (int k = rand() % 6; k > 0; k--)
			put32(info + (rand() % 29) * 4, (u32)rand() % MEM_SIZE);
		for (int k = rand() % 6; k > 0; k--)
			m->buf[MB1_MMAP + rand() % 64] = (u8)rand();
		(void)parse_mb1(m, bi, why);
	}
	free(orig);
	free(bi);
	mem_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mb2_full),       cmocka_unit_test(test_mb2_efi_mmap_fallback),
		cmocka_unit_test(test_mb2_bad_header), cmocka_unit_test(test_mb2_bad_tags),
		cmocka_unit_test(test_mb2_strings),    cmocka_unit_test(test_mb2_mmap_errors),
		cmocka_unit_test(test_mb2_modules),    cmocka_unit_test(test_check_modules),
		cmocka_unit_test(test_mb2_rsdp_short), cmocka_unit_test(test_mb1_full),
		cmocka_unit_test(test_mb1_errors),     cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
