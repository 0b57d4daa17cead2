/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the guest loaders (virt/loader*.c). Guest memory is a
 * malloc'd buffer behind the guest_mem writer; ELF32/ELF64 images with
 * multiboot1/multiboot2 headers are assembled byte by byte here. Valid images
 * are checked field by field (entry state, GDT, multiboot info, memory map,
 * modules, page tables) and cross-checked with Tern's own multiboot parser;
 * malformed images must give a reason and leave guest memory untouched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "boot/multiboot.h"
#include "virt/loader.h"
#include "virt/loader_priv.h"

#define MB1_MAGIC 0x1BADB002u
#define MB2_MAGIC 0xE85250D6u
#define FILL	  0xcc
#define IMG_MAX	  0x8000
#define SEG_OFF	  0x1000 /* file offset of the first segment's data */
#define KERNEL_PA 0x100000u
#define CODE32	  0x00cf9b000000ffffull
#define CODE64	  0x00af9b000000ffffull
#define DATA32	  0x00cf93000000ffffull

/* ---- guest memory behind the writer ---- */

struct tmem {
	u8 *buf;
	u64 size;
	struct guest_mem_range ram[LOADER_RAM_RANGES_MAX];
	struct guest_mem gm;
	int fail_writes; /* nonzero: write returns this */
};

static bool in_ram(struct tmem *t, u64 gpa, size_t len)
{
	return loader_is_ram(&t->gm, gpa, len) && gpa + len <= t->size;
}

static int t_write(void *ctx, u64 gpa, const void *src, size_t len)
{
	struct tmem *t = ctx;

	if (t->fail_writes)
		return t->fail_writes;
	assert_true(in_ram(t, gpa, len));
	memcpy(t->buf + gpa, src, len);
	return 0;
}

static int t_zero(void *ctx, u64 gpa, size_t len)
{
	struct tmem *t = ctx;

	assert_true(in_ram(t, gpa, len));
	memset(t->buf + gpa, 0, len);
	return 0;
}

/* RAM from a list of (base, size) pairs; ram_size = end of the last. */
static struct tmem *tmem_new(u32 n, const u64 *pairs)
{
	struct tmem *t = calloc(1, sizeof(*t));

	for (u32 i = 0; i < n; i++)
		t->ram[i] = (struct guest_mem_range){pairs[2 * i], pairs[2 * i + 1]};
	t->size = pairs[2 * n - 2] + pairs[2 * n - 1];
	t->buf = malloc(t->size);
	memset(t->buf, FILL, t->size);
	t->gm = (struct guest_mem){.write = t_write,
				   .zero = t_zero,
				   .ram_size = t->size,
				   .ram = t->ram,
				   .nr_ram = n,
				   .ctx = t};
	return t;
}

static struct tmem *tmem_flat(u64 size)
{
	u64 r[2] = {0, size};

	return tmem_new(1, r);
}

static void tmem_free(struct tmem *t)
{
	free(t->buf);
	free(t);
}

static bool untouched(const struct tmem *t)
{
	for (u64 i = 0; i < t->size; i++)
		if (t->buf[i] != FILL)
			return false;
	return true;
}

static u32 g32(const struct tmem *t, u64 gpa)
{
	u32 v;

	memcpy(&v, t->buf + gpa, sizeof(v));
	return v;
}

static u64 g64(const struct tmem *t, u64 gpa)
{
	u64 v;

	memcpy(&v, t->buf + gpa, sizeof(v));
	return v;
}

/* ---- image builders ---- */

static void p16(u8 *b, size_t off, u16 v)
{
	memcpy(b + off, &v, sizeof(v));
}

static void p32(u8 *b, size_t off, u32 v)
{
	memcpy(b + off, &v, sizeof(v));
}

static void p64(u8 *b, size_t off, u64 v)
{
	memcpy(b + off, &v, sizeof(v));
}

struct seg {
	u32 type;
	u64 offset, vaddr, paddr, filesz, memsz;
};

struct img {
	u8 b[IMG_MAX];
	size_t size;
	bool is64;
	u32 nseg;
	struct seg seg[4];
	u64 entry;
};

/* Write the ELF header and program headers of im (data already in place). */
static void elf_finish(struct img *im)
{
	u8 *b = im->b;
	size_t ph = im->is64 ? 64 : 52, pe = im->is64 ? 56 : 32;

	memcpy(b,
	       "\x7f"
	       "ELF",
	       4);
	b[4] = im->is64 ? 2 : 1;
	b[5] = 1;
	b[6] = 1;
	p16(b, 16, 2);
	p16(b, 18, im->is64 ? 62 : 3);
	p32(b, 20, 1);
	if (im->is64) {
		p64(b, 24, im->entry);
		p64(b, 32, ph);
		p16(b, 52, 64);
		p16(b, 54, (u16)pe);
		p16(b, 56, (u16)im->nseg);
	} else {
		p32(b, 24, (u32)im->entry);
		p32(b, 28, (u32)ph);
		p16(b, 40, 52);
		p16(b, 42, (u16)pe);
		p16(b, 44, (u16)im->nseg);
	}
	for (u32 i = 0; i < im->nseg; i++) {
		const struct seg *s = &im->seg[i];
		u8 *p = b + ph + i * pe;

		p32(p, 0, s->type);
		if (im->is64) {
			p64(p + 8, 0, s->offset);
			p64(p + 16, 0, s->vaddr);
			p64(p + 24, 0, s->paddr);
			p64(p + 32, 0, s->filesz);
			p64(p + 40, 0, s->memsz);
		} else {
			p32(p + 4, 0, (u32)s->offset);
			p32(p + 8, 0, (u32)s->vaddr);
			p32(p + 12, 0, (u32)s->paddr);
			p32(p + 16, 0, (u32)s->filesz);
			p32(p + 20, 0, (u32)s->memsz);
		}
	}
}

/* A kernel: text segment at 1 MiB (file 0x1000-0x3000), bss segment after. */
static void elf_kernel(struct img *im, bool is64)
{
	memset(im, 0, sizeof(*im));
	im->is64 = is64;
	im->size = 0x3000;
	for (size_t i = SEG_OFF + 0x100; i < im->size; i++)
		im->b[i] = (u8)(i * 7);
	im->nseg = 2;
	im->seg[0] = (struct seg){1, SEG_OFF, 0xc0000000 + KERNEL_PA, KERNEL_PA, 0x2000, 0x2000};
	im->seg[1] =
		(struct seg){1, 0, 0xc0000000 + KERNEL_PA + 0x2000, KERNEL_PA + 0x2000, 0, 0x3000};
	im->entry = 0xc0000000 + KERNEL_PA + 0x100; /* virtual: translated by the loader */
	elf_finish(im);
}

static void mb1_header(struct img *im, size_t off, u32 flags)
{
	p32(im->b, off, MB1_MAGIC);
	p32(im->b, off + 4, flags);
	p32(im->b, off + 8, -(MB1_MAGIC + flags));
}

/* MB2 header at off with extra tags (already laid out at off+16, len bytes). */
static void mb2_header(struct img *im, size_t off, const u8 *tags, u32 len)
{
	u32 total = 16 + len + 8;

	p32(im->b, off, MB2_MAGIC);
	p32(im->b, off + 4, 0);
	p32(im->b, off + 8, total);
	p32(im->b, off + 12, -(MB2_MAGIC + total));
	memcpy(im->b + off + 16, tags, len);
	p16(im->b, off + 16 + len, 0);
	p16(im->b, off + 18 + len, 0);
	p32(im->b, off + 20 + len, 8);
}

static void mb1_kernel(struct img *im)
{
	elf_kernel(im, false);
	mb1_header(im, SEG_OFF, 0x3);
}

static void mb2_kernel(struct img *im)
{
	u8 req[24] = {0}; /* information request (size 20, padded to 24) */

	elf_kernel(im, true);
	p16(req, 0, 1);
	p32(req, 4, 20);
	p32(req, 8, 6);	 /* mmap */
	p32(req, 12, 4); /* basic meminfo */
	p32(req, 16, 1); /* cmdline */
	mb2_header(im, SEG_OFF, req, sizeof(req));
}

static char why[LOADER_WHY_MAX];
static struct guest_entry ent;

static const char mod0[] = "module zero data";
static u8 mod1[5000];
static struct guest_module mods[2] = {
	{mod0, sizeof(mod0), "initrd one", 6},
	{mod1, sizeof(mod1), "second", 6},
};

static int load(struct tmem *t, const struct img *im, enum guest_format f, const char *cmd,
		u32 nmods)
{
	struct guest_image gi = {.data = im->b,
				 .size = im->size,
				 .format = f,
				 .cmdline = cmd,
				 .mods = mods,
				 .nr_mods = nmods};

	return guest_load(&t->gm, &gi, &ent, why, sizeof(why));
}

static const void *t_map(u64 pa, u64 len, void *ctx)
{
	struct tmem *t = ctx;

	return pa + len <= t->size && pa + len >= pa ? t->buf + pa : NULL;
}

static struct boot_info bi;

/* Parse what the loader wrote with Tern's own multiboot parser. */
static void cross_check(struct tmem *t, u32 nmods)
{
	char pwhy[128];

	assert_int_equal(multiboot_parse((u32)ent.rax, ent.rbx, t_map, t, &bi, pwhy, sizeof(pwhy)),
			 0);
	assert_string_equal(bi.cmdline, "mode=fast console=ttyS0");
	assert_string_equal(bi.loader_name, "Tern");
	assert_int_equal(bi.module_count, nmods);
	if (nmods == 2) {
		assert_string_equal(bi.modules[0].cmdline, "initrd");
		assert_string_equal(bi.modules[1].cmdline, "second");
	}
	assert_int_equal(
		boot_info_check_modules(&bi, ent.image_start, ent.image_end, pwhy, sizeof(pwhy)),
		0);
}

static void check_gdt(const struct tmem *t, u64 code)
{
	assert_int_equal(ent.gdt_base, LOADER_GDT_GPA);
	assert_int_equal(ent.gdt_limit, 31);
	assert_int_equal(g64(t, LOADER_GDT_GPA), 0);
	assert_int_equal(g64(t, LOADER_GDT_GPA + 0x10), code);
	assert_int_equal(g64(t, LOADER_GDT_GPA + 0x18), DATA32);
	assert_int_equal(ent.cs, 0x10);
	assert_int_equal(ent.ds, 0x18);
}

static void check_kernel_copied(const struct tmem *t, const struct img *im)
{
	assert_memory_equal(t->buf + KERNEL_PA, im->b + SEG_OFF, 0x2000);
	for (u64 i = KERNEL_PA + 0x2000; i < KERNEL_PA + 0x5000; i++)
		assert_int_equal(t->buf[i], 0); /* bss */
	assert_int_equal(ent.image_start, KERNEL_PA);
	assert_int_equal(ent.image_end, KERNEL_PA + 0x5000);
}

/* Modules: page-aligned, no overlap with the image, the info area or each other. */
static void check_modules(const struct tmem *t, const u64 *start, const u64 *end, u32 n)
{
	for (u32 i = 0; i < n; i++) {
		assert_true(IS_ALIGNED(start[i], PAGE_SIZE));
		assert_int_equal(end[i] - start[i], mods[i].size);
		assert_true(start[i] >= ent.image_end || end[i] <= ent.image_start);
		assert_true(start[i] >= LOADER_BOOT_AREA_END);
		assert_memory_equal(t->buf + start[i], mods[i].data, mods[i].size);
		for (u32 j = 0; j < i; j++)
			assert_true(start[i] >= end[j] || end[i] <= start[j]);
	}
}

/* ---- multiboot1 ---- */

static void test_mb1_elf32(void **state)
{
	struct tmem *t = tmem_flat(MiB(8));
	static struct img im;
	u64 info = LOADER_INFO_GPA, ms[2], me[2], mmap;

	(void)state;
	mb1_kernel(&im);
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB1, "mode=fast console=ttyS0", 2), 0);
	assert_string_equal(why, "");
	assert_int_equal(ent.format, GUEST_FORMAT_MB1);
	assert_int_equal(ent.mode, GUEST_ENTRY_PROT32);
	assert_int_equal(ent.rip, KERNEL_PA + 0x100);
	assert_int_equal(ent.rax, 0x2BADB002u);
	assert_int_equal(ent.rbx, info);
	assert_int_equal(ent.rflags, 0x2);
	assert_int_equal(ent.cr0 & (CR0_PE | CR0_PG), CR0_PE);
	assert_int_equal(ent.efer, 0);
	check_gdt(t, CODE32);
	check_kernel_copied(t, &im);

	assert_int_equal(g32(t, info), BIT(0) | BIT(2) | BIT(3) | BIT(6) | BIT(9));
	assert_int_equal(g32(t, info + 4), 640);
	assert_int_equal(g32(t, info + 8), (MiB(8) - MiB(1)) / 1024);
	assert_string_equal((char *)t->buf + g32(t, info + 16), "mode=fast console=ttyS0");
	assert_string_equal((char *)t->buf + g32(t, info + 64), "Tern");
	assert_int_equal(g32(t, info + 20), 2);
	for (u32 i = 0; i < 2; i++) {
		u64 m = g32(t, info + 24) + 16 * i;

		ms[i] = g32(t, m);
		me[i] = g32(t, m + 4);
		assert_string_equal((char *)t->buf + g32(t, m + 8), i ? "second" : "initrd");
		assert_true(g32(t, m + 8) < LOADER_BOOT_AREA_END);
	}
	check_modules(t, ms, me, 2);
	assert_true(ms[0] >= ALIGN_UP(ent.image_end, PAGE_SIZE));

	/* mmap: RAM, the legacy window reserved, RAM */
	mmap = g32(t, info + 48);
	assert_int_equal(g32(t, info + 44), 3 * 24);
	assert_int_equal(g32(t, mmap), 20);
	assert_int_equal(g64(t, mmap + 4), 0);
	assert_int_equal(g64(t, mmap + 12), 0xa0000);
	assert_int_equal(g32(t, mmap + 20), 1);
	assert_int_equal(g64(t, mmap + 24 + 4), 0xa0000);
	assert_int_equal(g64(t, mmap + 24 + 12), 0x60000);
	assert_int_equal(g32(t, mmap + 24 + 20), 2);
	assert_int_equal(g64(t, mmap + 48 + 4), MiB(1));
	assert_int_equal(g64(t, mmap + 48 + 12), MiB(7));
	assert_int_equal(g32(t, mmap + 48 + 20), 1);
	cross_check(t, 2);
	assert_int_equal(bi.mem_upper_kib, 7168);
	tmem_free(t);
}

/* RAM with a hole: mem_upper stops at the hole, the hole is reserved, a module skips it. */
static void test_mb1_holes(void **state)
{
	const u64 r[] = {0, MiB(4), MiB(6), MiB(4)};
	struct tmem *t = tmem_new(2, r);
	static struct img im;
	static u8 big[MiB(3)];
	struct guest_module save = mods[1];
	u64 info = LOADER_INFO_GPA, m, mmap;

	(void)state;
	memset(big, 0x5a, sizeof(big));
	mods[1] = (struct guest_module){big, sizeof(big), "big", 3};
	mb1_kernel(&im);
	assert_int_equal(load(t, &im, GUEST_FORMAT_AUTO, "mode=fast console=ttyS0", 2), 0);
	assert_int_equal(ent.format, GUEST_FORMAT_MB1);
	assert_int_equal(g32(t, info + 8), 3 * 1024);
	m = g32(t, info + 24);
	assert_true(g32(t, m) < MiB(4));
	assert_int_equal(g32(t, m + 16), MiB(6)); /* does not fit below the hole */
	assert_int_equal(g32(t, m + 20), MiB(9));
	assert_memory_equal(t->buf + MiB(6), big, sizeof(big));
	mmap = g32(t, info + 48);
	assert_int_equal(g32(t, info + 44), 5 * 24);
	assert_int_equal(g64(t, mmap + 72 + 4), MiB(4));
	assert_int_equal(g64(t, mmap + 72 + 12), MiB(2));
	assert_int_equal(g32(t, mmap + 72 + 20), 2);
	assert_int_equal(g64(t, mmap + 96 + 4), MiB(6));
	assert_int_equal(g32(t, mmap + 96 + 20), 1);
	mods[1] = save;
	tmem_free(t);
}

/* a.out kludge: header at file offset 0x40, file loaded from offset 0. */
static void test_mb1_aout(void **state)
{
	struct tmem *t = tmem_flat(MiB(4));
	static struct img im;

	(void)state;
	memset(&im, 0, sizeof(im));
	im.size = 0x800;
	for (size_t i = 0; i < im.size; i++)
		im.b[i] = (u8)(i ^ 0x33);
	mb1_header(&im, 0x40, BIT(16) | BIT(1));
	p32(im.b, 0x40 + 12, 0x200040); /* header_addr */
	p32(im.b, 0x40 + 16, 0x200000); /* load_addr */
	p32(im.b, 0x40 + 20, 0x200600); /* load_end_addr */
	p32(im.b, 0x40 + 24, 0x202000); /* bss_end_addr */
	p32(im.b, 0x40 + 28, 0x200080); /* entry */
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB1, "", 0), 0);
	assert_int_equal(ent.rip, 0x200080);
	assert_memory_equal(t->buf + 0x200000, im.b, 0x600);
	assert_int_equal(t->buf[0x200600], 0);
	assert_int_equal(t->buf[0x201fff], 0);
	assert_int_equal(t->buf[0x202000], FILL);
	assert_int_equal(g32(t, LOADER_INFO_GPA) & BIT(3), 0); /* no modules */

	p32(im.b, 0x40 + 20, 0x200900); /* past the end of the file */
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB1, "", 0), -E_INVAL);
	assert_non_null(strstr(why, "a.out"));
	p32(im.b, 0x40 + 20, 0);	/* to the end of the file */
	p32(im.b, 0x40 + 24, 0x200100); /* bss end below the load end */
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB1, "", 0), -E_INVAL);
	assert_non_null(strstr(why, "bss_end_addr"));
	p32(im.b, 0x40 + 24, 0);
	p32(im.b, 0x40 + 16, 0x200080); /* load_addr above header_addr */
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB1, "", 0), -E_INVAL);
	tmem_free(t);
}

/* ---- multiboot2 ---- */

struct mb2_tag_seen {
	u32 type;
	u64 gpa;
	u32 size;
};

/* Walk the MBI: 8-aligned tags inside total_size, ending with the end tag. */
static u32 mb2_walk(const struct tmem *t, struct mb2_tag_seen *out, u32 max)
{
	u64 mbi = ent.rbx, pos = mbi + 8, end = mbi + g32(t, mbi);
	u32 n = 0;

	assert_true(IS_ALIGNED(mbi, 8));
	while (pos < end) {
		assert_true(n < max);
		out[n] = (struct mb2_tag_seen){g32(t, pos), pos, g32(t, pos + 4)};
		assert_true(out[n].size >= 8 && pos + out[n].size <= end);
		if (out[n++].type == 0) {
			assert_int_equal(pos + 8, end);
			return n;
		}
		pos += ALIGN_UP(out[n - 1].size, 8);
	}
	fail_msg("no end tag");
	return 0;
}

static void test_mb2_elf64(void **state)
{
	static const u32 order[] = {1, 2, 3, 3, 4, 6, 0};
	struct tmem *t = tmem_flat(MiB(8));
	static struct img im;
	struct mb2_tag_seen tags[16];
	u64 ms[2], me[2], g;
	u32 n;

	(void)state;
	mb2_kernel(&im);
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB2, "mode=fast console=ttyS0", 2), 0);
	assert_int_equal(ent.format, GUEST_FORMAT_MB2);
	assert_int_equal(ent.mode, GUEST_ENTRY_PROT32);
	assert_int_equal(ent.rax, 0x36d76289u);
	assert_int_equal(ent.rbx, LOADER_INFO_GPA);
	assert_int_equal(ent.rip, KERNEL_PA + 0x100);
	check_gdt(t, CODE32);
	check_kernel_copied(t, &im);
	n = mb2_walk(t, tags, 16);
	assert_int_equal(n, ARRAY_SIZE(order));
	for (u32 i = 0; i < n; i++)
		assert_int_equal(tags[i].type, order[i]);
	assert_string_equal((char *)t->buf + tags[0].gpa + 8, "mode=fast console=ttyS0");
	assert_int_equal(tags[0].size, 8 + strlen("mode=fast console=ttyS0") + 1);
	assert_string_equal((char *)t->buf + tags[1].gpa + 8, "Tern");
	for (u32 i = 0; i < 2; i++) {
		g = tags[2 + i].gpa;
		ms[i] = g32(t, g + 8);
		me[i] = g32(t, g + 12);
		assert_string_equal((char *)t->buf + g + 16, i ? "second" : "initrd");
	}
	check_modules(t, ms, me, 2);
	g = tags[4].gpa;
	assert_int_equal(tags[4].size, 16);
	assert_int_equal(g32(t, g + 8), 640);
	assert_int_equal(g32(t, g + 12), 7168);
	g = tags[5].gpa;
	assert_int_equal(g32(t, g + 8), 24);
	assert_int_equal(g32(t, g + 12), 0);
	assert_int_equal(tags[5].size, 16 + 3 * 24);
	assert_int_equal(g64(t, g + 16 + 24), 0xa0000);
	assert_int_equal(g32(t, g + 16 + 24 + 16), 2);
	assert_int_equal(g64(t, g + 16 + 48 + 8), MiB(7));
	cross_check(t, 2);
	assert_true(bi.has_meminfo);
	assert_int_equal(bi.mmap_count, 3);
	tmem_free(t);
}

/* Address tag + entry tag on a flat file; and the entry tag overriding ELF. */
static void test_mb2_address_entry(void **state)
{
	struct tmem *t = tmem_flat(MiB(4));
	static struct img im;
	u8 tags[40] = {0};

	(void)state;
	memset(&im, 0, sizeof(im));
	im.size = 0x1000;
	memset(im.b, 0x90, im.size);
	p16(tags, 0, 2);
	p32(tags, 4, 24);
	p32(tags, 8, 0x300008);	 /* header_addr */
	p32(tags, 12, ~0u);	 /* load_addr -1: from the file start */
	p32(tags, 16, 0);	 /* load_end_addr: whole file */
	p32(tags, 20, 0x304000); /* bss_end_addr */
	p16(tags, 24, 3);
	p32(tags, 28, 12);
	p32(tags, 32, 0x300400);
	mb2_header(&im, 8, tags, sizeof(tags));
	assert_int_equal(load(t, &im, GUEST_FORMAT_AUTO, NULL, 1), 0);
	assert_int_equal(ent.format, GUEST_FORMAT_MB2);
	assert_int_equal(ent.rip, 0x300400);
	assert_memory_equal(t->buf + 0x300000, im.b, im.size);
	assert_int_equal(t->buf[0x303fff], 0);
	assert_int_equal(ent.image_end, 0x304000);

	/* address tag without an entry tag */
	memset(tags + 24, 0, 16);
	mb2_header(&im, 8, tags, 24);
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB2, NULL, 0), -E_INVAL);
	assert_non_null(strstr(why, "entry address tag"));

	/* ELF64 with an entry tag: the tag wins over e_entry */
	mb2_kernel(&im);
	memset(tags, 0, sizeof(tags));
	p16(tags, 0, 3);
	p32(tags, 4, 12);
	p32(tags, 8, KERNEL_PA + 0x40);
	mb2_header(&im, SEG_OFF, tags, 16);
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB2, NULL, 0), 0);
	assert_int_equal(ent.rip, KERNEL_PA + 0x40);
	tmem_free(t);
}

static void mb2_with_tag(struct img *im, u16 type, u16 flags, u32 size, u32 val)
{
	u8 tags[24] = {0};

	mb2_kernel(im);
	p16(tags, 0, type);
	p16(tags, 2, flags);
	p32(tags, 4, size);
	p32(tags, 8, val);
	mb2_header(im, SEG_OFF, tags, size >= 8 && size <= 24 ? (u32)ALIGN_UP(size, 8) : 24);
}

static void test_mb2_tags(void **state)
{
	struct tmem *t = tmem_flat(MiB(4));
	static struct img im;

	(void)state;
	mb2_with_tag(&im, 1, 0, 12, 8); /* required framebuffer info: refused */
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB2, NULL, 0), -E_NOSUPP);
	assert_non_null(strstr(why, "tag 8"));
	assert_true(untouched(t));
	mb2_with_tag(&im, 1, 1, 12, 8); /* optional: fine */
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB2, NULL, 0), 0);
	mb2_with_tag(&im, 5, 0, 20, 0); /* framebuffer tag: tolerated */
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB2, NULL, 0), 0);
	mb2_with_tag(&im, 6, 0, 8, 0); /* module alignment: always honoured */
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB2, NULL, 0), 0);
	mb2_with_tag(&im, 42, 1, 8, 0); /* unknown optional tag */
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB2, NULL, 0), 0);
	mb2_with_tag(&im, 42, 0, 8, 0); /* unknown required tag */
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB2, NULL, 0), -E_NOSUPP);
	mb2_with_tag(&im, 3, 0, 8, 0); /* entry tag too short */
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB2, NULL, 0), -E_INVAL);
	assert_non_null(strstr(why, "too short"));
	mb2_with_tag(&im, 4, 0, 2, 0); /* tag size below 8 */
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB2, NULL, 0), -E_INVAL);
	assert_non_null(strstr(why, "bad size"));
	mb2_with_tag(&im, 4, 0, 4000, 0); /* tag past header_length */
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB2, NULL, 0), -E_INVAL);

	mb2_kernel(&im); /* no end tag: header_length stops before it */
	p32(im.b, SEG_OFF + 8, 16 + 24);
	p32(im.b, SEG_OFF + 12, -(MB2_MAGIC + 16 + 24));
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB2, NULL, 0), -E_INVAL);
	assert_non_null(strstr(why, "no end tag"));
	mb2_kernel(&im);
	p32(im.b, SEG_OFF + 12, 0x1234);
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB2, NULL, 0), -E_INVAL);
	assert_non_null(strstr(why, "checksum"));
	mb2_kernel(&im);
	p32(im.b, SEG_OFF + 4, 4); /* MIPS */
	p32(im.b, SEG_OFF + 12, -(MB2_MAGIC + 4 + 16 + 24 + 8));
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB2, NULL, 0), -E_INVAL);
	assert_non_null(strstr(why, "i386"));
	tmem_free(t);
}

/* ---- format detection ---- */

static void test_auto_detect(void **state)
{
	struct tmem *t = tmem_flat(MiB(4));
	static struct img im;

	(void)state;
	mb2_kernel(&im);
	mb1_header(&im, SEG_OFF + 0x100, 0x3); /* both: multiboot2 preferred */
	assert_int_equal(load(t, &im, GUEST_FORMAT_AUTO, NULL, 0), 0);
	assert_int_equal(ent.format, GUEST_FORMAT_MB2);
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB1, NULL, 0), 0);
	assert_int_equal(ent.format, GUEST_FORMAT_MB1);
	elf_kernel(&im, false); /* no header at all */
	assert_int_equal(load(t, &im, GUEST_FORMAT_AUTO, NULL, 0), -E_INVAL);
	assert_non_null(strstr(why, "format=raw"));
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB1, NULL, 0), -E_INVAL);
	assert_non_null(strstr(why, "no multiboot1 header"));
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB2, NULL, 0), -E_INVAL);
	assert_non_null(strstr(why, "no multiboot2 header"));
	/* a header past the search window is not found */
	memset(&im, 0, sizeof(im));
	im.size = IMG_MAX;
	mb1_header(&im, 0x2000, 0x3);
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB1, NULL, 0), -E_INVAL);
	assert_non_null(strstr(why, "first 8 KiB"));
	tmem_free(t);
}

/* ---- malformed images ---- */

struct patch {
	u32 off;
	u8 width; /* 0: unused */
	u64 val;
};

struct mutation {
	const char *name;
	bool is64;
	struct patch p[2];
	size_t size; /* 0: keep */
	int err;
	const char *msg;
};

#define S32(i, f) (52 + 32 * (i) + (f))
#define S64(i, f) (64 + 56 * (i) + (f))

static const struct mutation mutations[] = {
	{"bad magic", 0, {{1, 1, 'X'}}, 0, -E_INVAL, "bad magic"},
	{"bad class", 0, {{4, 1, 3}}, 0, -E_INVAL, "bad class"},
	{"big endian", 0, {{5, 1, 2}}, 0, -E_INVAL, "little-endian"},
	{"machine", 0, {{18, 2, 62}}, 0, -E_INVAL, "machine"},
	{"machine64", 1, {{18, 2, 3}}, 0, -E_INVAL, "machine"},
	{"not exec", 0, {{16, 2, 3}}, 0, -E_INVAL, "not an executable"},
	{"phentsize", 0, {{42, 2, 40}}, 0, -E_INVAL, "program header size"},
	{"phnum 0", 0, {{44, 2, 0}}, 0, -E_INVAL, "program headers (1.."},
	{"phnum huge", 0, {{44, 2, 0xffff}}, 0, -E_INVAL, "program headers (1.."},
	{"phdrs cut at EOF", 1, {{32, 8, 0x3000 - 56}}, 0, -E_INVAL, "past the end of the file"},
	{"phoff past EOF", 0, {{28, 4, 0x10000}}, 0, -E_INVAL, "past the end of the file"},
	{"phoff at EOF", 0, {{28, 4, 0x3000 - 10}}, 0, -E_INVAL, "past the end of the file"},
	{"phoff huge", 1, {{32, 8, ~0ull - 0x40}}, 0, -E_INVAL, "past the end of the file"},
	{"filesz > memsz", 0, {{S32(0, 16), 4, 0x3000}}, 0, -E_INVAL, "filesz"},
	{"data past EOF", 0, {{S32(0, 4), 4, 0x2800}}, 0, -E_INVAL, "past the end of the file"},
	{"offset huge", 1, {{S64(0, 8), 8, ~0ull}}, 0, -E_INVAL, "past the end of the file"},
	{"filesz huge",
	 1,
	 {{S64(0, 32), 8, ~0ull}, {S64(0, 40), 8, ~0ull}},
	 0,
	 -E_INVAL,
	 "past the end of the file"},
	{"truncated", 0, {{0}}, 0x1800, -E_INVAL, "past the end of the file"},
	{"outside RAM", 0, {{S32(0, 12), 4, 0x10000000}}, 0, -E_RANGE, "not inside guest RAM"},
	{"boot area", 0, {{S32(0, 12), 4, 0x7000}}, 0, -E_OVERLAP, "boot info area"},
	{"low boot area", 1, {{S64(1, 24), 8, 0x1000}}, 0, -E_OVERLAP, "boot info area"},
	{"above 4G", 0, {{S32(0, 12), 4, 0xfffff000}}, 0, -E_RANGE, "ends above"},
	{"above 4G 64", 1, {{S64(0, 24), 8, 1ull << 32}}, 0, -E_RANGE, "ends above"},
	{"wrap", 1, {{S64(0, 24), 8, ~0ull - 0xfff}}, 0, -E_RANGE, "wraps around"},
	{"segments overlap", 0, {{S32(1, 12), 4, KERNEL_PA + 0x1000}}, 0, -E_OVERLAP, "overlap"},
	{"entry outside", 0, {{24, 4, 0x500000}}, 0, -E_INVAL, "entry point"},
	{"entry outside 64",
	 1,
	 {{24, 8, 0xc0000000ull + KERNEL_PA + 0x5000}},
	 0,
	 -E_INVAL,
	 "entry point"},
	{"no PT_LOAD",
	 0,
	 {{S32(0, 0), 4, 0}, {S32(1, 0), 4, 4}},
	 0,
	 -E_INVAL,
	 "no loadable segment"},
	{"mb1 checksum", 0, {{SEG_OFF + 8, 4, 0}}, 0, -E_INVAL, "checksum"},
	{"mb1 flags",
	 0,
	 {{SEG_OFF + 4, 4, 0x23}, {SEG_OFF + 8, 4, (u32) - (MB1_MAGIC + 0x23)}},
	 0,
	 -E_NOSUPP,
	 "unsupported"},
	{"mb1 aout short",
	 0,
	 {{SEG_OFF + 4, 4, BIT(16)}, {SEG_OFF + 8, 4, (u32) - (MB1_MAGIC + BIT(16))}},
	 0x1010,
	 -E_INVAL,
	 "truncated"},
	{"mb2 checksum", 1, {{SEG_OFF + 12, 4, 0}}, 0, -E_INVAL, "checksum"},
	{"mb2 length",
	 1,
	 {{SEG_OFF + 8, 4, 0x10000}, {SEG_OFF + 12, 4, (u32) - (MB2_MAGIC + 0x10000)}},
	 0,
	 -E_INVAL,
	 "header_length"},
};

static void apply(struct img *im, const struct mutation *m)
{
	if (m->is64)
		mb2_kernel(im);
	else
		mb1_kernel(im);
	for (u32 i = 0; i < ARRAY_SIZE(m->p) && m->p[i].width; i++)
		memcpy(im->b + m->p[i].off, &m->p[i].val, m->p[i].width);
	if (m->size)
		im->size = m->size;
}

static void test_malformed(void **state)
{
	static struct img im;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(mutations); i++) {
		const struct mutation *m = &mutations[i];
		struct tmem *t = tmem_flat(MiB(8));
		int err;

		apply(&im, m);
		err = load(t, &im, m->is64 ? GUEST_FORMAT_MB2 : GUEST_FORMAT_MB1, "x", 1);
		if (err != m->err || !strstr(why, m->msg) || !untouched(t))
			fail_msg("%s: got %d (%s), expected %d with '%s'%s", m->name, err, why,
				 m->err, m->msg, untouched(t) ? "" : "; guest memory was written");
		tmem_free(t);
	}
}

/* ELF headers shorter than the header itself, through the internal ELF loader. */
static void test_elf_truncated_header(void **state)
{
	struct tmem *t = tmem_flat(MiB(4));
	static struct img im;
	struct guest_image gi = {.data = im.b};
	struct loader_ctx c = {.mem = &t->gm,
			       .img = &gi,
			       .entry = &ent,
			       .why = why,
			       .why_len = sizeof(why),
			       .limit = 1ull << 32};
	u64 entry;

	(void)state;
	mb2_kernel(&im);
	gi.size = 60;
	assert_int_equal(loader_elf(&c, &entry, false), -E_INVAL);
	assert_non_null(strstr(why, "truncated inside the ELF64 header"));
	gi.size = 20;
	assert_int_equal(loader_elf(&c, &entry, false), -E_INVAL);
	assert_non_null(strstr(why, "not an ELF file"));
	gi.size = 64; /* header complete, program headers missing */
	assert_int_equal(loader_elf(&c, &entry, false), -E_INVAL);
	assert_non_null(strstr(why, "past the end"));
	assert_true(untouched(t));
	tmem_free(t);
}

/* Random corruption of valid images must never crash (ASan/UBSan watch). */
static void test_fuzz(void **state)
{
	static struct img im;
	struct tmem *t = tmem_flat(MiB(8));
	u32 ok = 0;

	(void)state;
	srand(1234);
	for (int iter = 0; iter < 3000; iter++) {
		if (iter & 1)
			mb2_kernel(&im);
		else
			mb1_kernel(&im);
		for (int k = 0, n = 1 + rand() % 4; k < n; k++) {
			size_t off = (size_t)rand() % (iter % 3 ? 0x180 : im.size);

			im.b[off] = (u8)rand();
		}
		if (iter % 7 == 0)
			im.size = (size_t)rand() % im.size;
		if (!load(t, &im, GUEST_FORMAT_AUTO, "fuzz", 2))
			ok++;
		else
			assert_true(why[0] != '\0');
	}
	print_message("fuzz: %u of 3000 corrupted images still loaded\n", ok);
	tmem_free(t);
}

/* ---- raw binaries ---- */

static int load_raw_img(struct tmem *t, const u8 *data, size_t size, u64 at,
			enum guest_raw_entry mode, u64 entry)
{
	struct guest_image gi = {.data = data,
				 .size = size,
				 .format = GUEST_FORMAT_RAW,
				 .load = at,
				 .raw_entry = mode,
				 .entry_addr = entry};

	return guest_load(&t->gm, &gi, &ent, why, sizeof(why));
}

static void test_raw_real(void **state)
{
	struct tmem *t = tmem_flat(MiB(2));
	u8 sector[512];

	(void)state;
	for (size_t i = 0; i < sizeof(sector); i++)
		sector[i] = (u8)i;
	assert_int_equal(load_raw_img(t, sector, sizeof(sector), 0x7c00, GUEST_RAW_REAL, 0x7c00),
			 0);
	assert_int_equal(ent.format, GUEST_FORMAT_RAW);
	assert_int_equal(ent.mode, GUEST_ENTRY_REAL);
	assert_int_equal(ent.cs, 0);
	assert_int_equal(ent.rip, 0x7c00);
	assert_int_equal(ent.ds, 0);
	assert_int_equal(ent.rsp, 0x7c00);
	assert_int_equal(ent.rdx, 0x80);
	assert_int_equal(ent.rflags, 0x2);
	assert_int_equal(ent.cr0 & CR0_PE, 0);
	assert_memory_equal(t->buf + 0x7c00, sector, sizeof(sector));
	assert_int_equal(t->buf[0x1000], FILL); /* no GDT, no tables */
	assert_int_equal(t->buf[0x7bff], FILL);
	assert_int_equal(t->buf[0x7e00], FILL);

	/* above 64 KiB: segment form */
	assert_int_equal(load_raw_img(t, sector, sizeof(sector), 0x20000, GUEST_RAW_REAL, 0x20010),
			 0);
	assert_int_equal(ent.cs, 0x2001);
	assert_int_equal(ent.rip, 0);
	assert_int_equal(load_raw_img(t, sector, sizeof(sector), 0x90000, GUEST_RAW_REAL, 0x90003),
			 0);
	assert_int_equal(ent.cs, 0x9000);
	assert_int_equal(ent.rip, 3);

	/* errors */
	assert_int_equal(
		load_raw_img(t, sector, sizeof(sector), 0x100000, GUEST_RAW_REAL, 0x100000),
		-E_RANGE);
	assert_non_null(strstr(why, "below 1 MiB"));
	assert_int_equal(
		load_raw_img(t, sector, sizeof(sector), MiB(2) - 256, GUEST_RAW_REAL, MiB(2) - 256),
		-E_RANGE);
	assert_non_null(strstr(why, "not inside guest RAM"));
	assert_int_equal(load_raw_img(t, sector, sizeof(sector), 0x7c00, GUEST_RAW_REAL, 0x8000),
			 -E_INVAL);
	assert_non_null(strstr(why, "entry point"));
	assert_int_equal(
		load_raw_img(t, sector, sizeof(sector), ~0ull - 100, GUEST_RAW_REAL, ~0ull - 100),
		-E_RANGE);
	assert_non_null(strstr(why, "wraps"));
	assert_int_equal(load_raw_img(t, sector, sizeof(sector), 0x7c00, 7, 0x7c00), -E_INVAL);
	tmem_free(t);
}

/* Translate va through the guest's 4-level tables (2 MiB leaves). */
static u64 walk(const struct tmem *t, u64 cr3, u64 va)
{
	u64 e = g64(t, cr3 + ((va >> 39) & 511) * 8);

	assert_true(e & 1);
	e = g64(t, (e & GENMASK(51, 12)) + ((va >> 30) & 511) * 8);
	assert_true(e & 1);
	e = g64(t, (e & GENMASK(51, 12)) + ((va >> 21) & 511) * 8);
	assert_true((e & 0x83) == 0x83);
	return (e & GENMASK(51, 21)) | (va & GENMASK(20, 0));
}

static void test_raw_long64(void **state)
{
	struct tmem *t = tmem_flat(MiB(4));
	u8 code[300];

	(void)state;
	memset(code, 0xf4, sizeof(code));
	assert_int_equal(load_raw_img(t, code, sizeof(code), 0x100000, GUEST_RAW_LONG64, 0x100010),
			 0);
	assert_int_equal(ent.mode, GUEST_ENTRY_LONG64);
	assert_int_equal(ent.rip, 0x100010);
	assert_int_equal(ent.cr3, LOADER_PML4_GPA);
	assert_int_equal(ent.cr0 & (CR0_PE | CR0_PG), CR0_PE | CR0_PG);
	assert_true(ent.cr4 & CR4_PAE);
	assert_int_equal(ent.efer, EFER_LME | EFER_LMA);
	assert_int_equal(ent.rflags, 0x2);
	check_gdt(t, CODE64);
	assert_int_equal(g64(t, LOADER_PML4_GPA), LOADER_PDPT_GPA | 3);
	for (u32 i = 1; i < 512; i++)
		assert_int_equal(g64(t, LOADER_PML4_GPA + i * 8), 0);
	for (u32 i = 0; i < 4; i++)
		assert_int_equal(g64(t, LOADER_PDPT_GPA + i * 8), (LOADER_PD_GPA + i * 0x1000) | 3);
	assert_int_equal(g64(t, LOADER_PDPT_GPA + 4 * 8), 0);
	assert_int_equal(g64(t, LOADER_PD_GPA), 0x83);
	assert_int_equal(g64(t, LOADER_PD_GPA + 0x3ff8), (4ull << 30) - (2ull << 20) + 0x83);
	for (u64 va = 0; va < (4ull << 30); va += 0x3fe00123)
		assert_int_equal(walk(t, ent.cr3, va), va);
	assert_int_equal(walk(t, ent.cr3, 0xfee00000), 0xfee00000);
	assert_memory_equal(t->buf + 0x100000, code, sizeof(code));

	/* the image may not cover the tables; an entry above 4 GiB is refused */
	assert_int_equal(load_raw_img(t, code, sizeof(code), 0x7f00, GUEST_RAW_LONG64, 0x7f00),
			 -E_OVERLAP);
	assert_non_null(strstr(why, "boot info area"));
	tmem_free(t);
}

/* ---- layout, limits and writer errors ---- */

static void test_ram_layout(void **state)
{
	struct guest_mem_range r[LOADER_RAM_RANGES_MAX];
	u64 top;

	(void)state;
	assert_int_equal(guest_ram_layout(MiB(64), 1, r, 16, &top), 1);
	assert_int_equal(r[0].base, 0);
	assert_int_equal(r[0].size, MiB(64));
	assert_int_equal(top, MiB(64));
	assert_int_equal(guest_ram_layout(MiB(64), 3, r, 16, &top), 3);
	assert_int_equal(r[1].base, r[0].size);
	assert_int_equal(r[2].base, r[1].base + r[1].size);
	assert_int_equal(r[0].size + r[1].size + r[2].size, MiB(64));
	assert_true(IS_ALIGNED(r[1].base, PAGE_SIZE) && IS_ALIGNED(r[2].base, PAGE_SIZE));
	assert_int_equal(top, MiB(64));
	assert_int_equal(guest_ram_layout(GiB(4), 2, r, 16, &top), 3);
	assert_int_equal(r[0].size, GiB(2));
	assert_int_equal(r[1].base, GiB(2));
	assert_int_equal(r[1].size, GiB(1));
	assert_int_equal(r[2].base, GiB(4));
	assert_int_equal(r[2].size, GiB(1));
	assert_int_equal(top, GiB(5));
	assert_int_equal(guest_ram_layout(GiB(6), 2, r, 16, &top), 2);
	assert_int_equal(r[0].size, GiB(3));
	assert_int_equal(r[1].base, GiB(4));
	assert_int_equal(guest_ram_layout(GiB(4), 2, r, 2, &top), -E_RANGE);
	assert_int_equal(guest_ram_layout(MiB(64) + 1, 1, r, 16, &top), -E_INVAL);
	assert_int_equal(guest_ram_layout(MiB(64), 0, r, 16, &top), -E_INVAL);
	assert_int_equal(guest_ram_layout(0, 1, r, 16, &top), -E_INVAL);
}

/* A layout above 4 GiB: the mmap reports the [3, 4) GiB hole as reserved. */
static void test_mmap_hole(void **state)
{
	struct guest_mem_range r[LOADER_RAM_RANGES_MAX];
	struct loader_mmap_entry map[LOADER_MMAP_MAX];
	struct guest_mem gm = {0};
	u64 top;
	int n = guest_ram_layout(GiB(4), 4, r, 16, &top);
	u32 m;

	(void)state;
	gm.ram = r;
	gm.nr_ram = (u32)n;
	gm.ram_size = top;
	m = loader_build_mmap(&gm, map, LOADER_MMAP_MAX);
	assert_int_equal(m, 5);
	assert_int_equal(map[2].base, MiB(1));
	assert_int_equal(map[2].len, GiB(3) - MiB(1)); /* adjacent slots merged */
	assert_int_equal(map[3].base, GiB(3));
	assert_int_equal(map[3].type, 2);
	assert_int_equal(map[4].base, GiB(4));
	assert_int_equal(map[4].len, GiB(1));
	assert_int_equal(loader_mem_upper_kib(&gm), (GiB(3) - MiB(1)) >> 10);
	assert_int_equal(loader_mem_lower_kib(&gm), 640);
}

static void test_limits(void **state)
{
	struct tmem *t = tmem_flat(MiB(4));
	static struct img im;
	static char huge[30000];
	static u8 big[MiB(3)];
	struct guest_module save = mods[1];
	struct guest_mem_range bad[2] = {{0, MiB(4)}, {MiB(2), MiB(1)}};

	(void)state;
	mb1_kernel(&im);
	memset(huge, 'a', sizeof(huge) - 1);
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB1, huge, 0), -E_NOMEM);
	assert_non_null(strstr(why, "does not fit the boot area"));
	mb2_kernel(&im);
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB2, huge, 0), -E_NOMEM);

	mods[1] = (struct guest_module){big, sizeof(big), "big", 3};
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB2, "", 2), -E_NOMEM);
	assert_non_null(strstr(why, "no room for module 1"));
	mods[1] = save;
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB2, "", LOADER_MODULES_MAX + 1), -E_RANGE);

	t->fail_writes = -E_NOENT;
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB2, "", 0), -E_NOENT);
	assert_non_null(strstr(why, "ENOENT"));
	t->fail_writes = 0;

	t->gm.ram = bad; /* overlapping RAM ranges */
	t->gm.nr_ram = 2;
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB2, "", 0), -E_INVAL);
	assert_non_null(strstr(why, "bad guest RAM range 1"));
	t->gm.ram = t->ram;
	t->gm.nr_ram = 1;
	im.size = 0;
	assert_int_equal(load(t, &im, GUEST_FORMAT_MB2, "", 0), -E_INVAL);
	assert_non_null(strstr(why, "empty image"));
	assert_string_equal(guest_format_name(GUEST_FORMAT_MB2), "multiboot2");
	tmem_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mb1_elf32),
		cmocka_unit_test(test_mb1_holes),
		cmocka_unit_test(test_mb1_aout),
		cmocka_unit_test(test_mb2_elf64),
		cmocka_unit_test(test_mb2_address_entry),
		cmocka_unit_test(test_mb2_tags),
		cmocka_unit_test(test_auto_detect),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_elf_truncated_header),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_raw_real),
		cmocka_unit_test(test_raw_long64),
		cmocka_unit_test(test_ram_layout),
		cmocka_unit_test(test_mmap_hole),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
