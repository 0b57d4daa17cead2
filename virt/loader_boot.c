/* SPDX-License-Identifier: MIT */
/*
 * Boot-time structures the loaders write for the guest: the flat GDT, the
 * protected-mode entry state, the bump allocator of the boot-info area, the
 * guest's extra modules (placed page-aligned above the image) and the memory
 * map and basic meminfo shared by multiboot1 and multiboot2.
 */
#include "lib/string.h"
#include "virt/loader_priv.h"

/* GDT descriptor fields (Intel SDM Vol. 3 3.4.5). */
#define DESC_LIMIT_LOW	   0xffffull	  /* limit 15:0 */
#define DESC_LIMIT_HIGH	   (0xfull << 48) /* limit 19:16 */
#define DESC_TYPE_SHIFT	   40
#define DESC_TYPE_ACCESSED 0x1ull /* preset: the CPU need not write the GDT */
#define DESC_TYPE_RW	   0x2ull /* readable code / writable data */
#define DESC_TYPE_CODE	   0x8ull
#define DESC_S		   BIT(44) /* code or data, not system */
#define DESC_P		   BIT(47)
#define DESC_L		   BIT(53) /* 64-bit code */
#define DESC_DB		   BIT(54) /* 32-bit default operand size */
#define DESC_G		   BIT(55) /* limit in 4 KiB units */

#define DESC_FLAT (DESC_LIMIT_LOW | DESC_LIMIT_HIGH | DESC_S | DESC_P | DESC_G)
#define DESC_CODE32                                                                                \
	(DESC_FLAT | DESC_DB |                                                                     \
	 ((DESC_TYPE_CODE | DESC_TYPE_RW | DESC_TYPE_ACCESSED) << DESC_TYPE_SHIFT))
#define DESC_CODE64                                                                                \
	(DESC_FLAT | DESC_L |                                                                      \
	 ((DESC_TYPE_CODE | DESC_TYPE_RW | DESC_TYPE_ACCESSED) << DESC_TYPE_SHIFT))
#define DESC_DATA32 (DESC_FLAT | DESC_DB | ((DESC_TYPE_RW | DESC_TYPE_ACCESSED) << DESC_TYPE_SHIFT))

#define GDT_ENTRIES    4 /* null, unused, code (0x10), data (0x18) */
#define SEL_INDEX(sel) ((sel) >> 3)

int loader_write_gdt(struct loader_ctx *c, bool long64)
{
	u64 gdt[GDT_ENTRIES] = {0};
	int err;

	gdt[SEL_INDEX(LOADER_SEL_CODE)] = long64 ? DESC_CODE64 : DESC_CODE32;
	gdt[SEL_INDEX(LOADER_SEL_DATA)] = DESC_DATA32;
	err = loader_write(c, LOADER_GDT_GPA, gdt, sizeof(gdt));
	if (err)
		return err;
	c->entry->gdt_base = LOADER_GDT_GPA;
	c->entry->gdt_limit = sizeof(gdt) - 1;
	c->entry->cs = LOADER_SEL_CODE;
	c->entry->ds = LOADER_SEL_DATA;
	return 0;
}

int loader_enter_prot32(struct loader_ctx *c, u64 rip, u32 magic, u64 info)
{
	struct guest_entry *e = c->entry;
	int err = loader_write_gdt(c, false);

	if (err)
		return err;
	e->mode = GUEST_ENTRY_PROT32;
	e->rip = rip;
	e->rax = magic;
	e->rbx = info;
	e->rflags = LOADER_RFLAGS_INIT;
	e->cr0 = CR0_PE | CR0_ET;
	return 0;
}

u64 loader_info_alloc(struct loader_ctx *c, size_t len, size_t align)
{
	u64 gpa = ALIGN_UP(c->info_next, align);

	if (gpa + len > LOADER_BOOT_AREA_END || gpa + len < gpa)
		return 0;
	c->info_next = gpa + len;
	return gpa;
}

u64 loader_info_string(struct loader_ctx *c, const char *s, size_t len)
{
	static const char nul;
	u64 gpa = loader_info_alloc(c, len + 1, 1);

	if (!gpa)
		return 0;
	if (loader_write(c, gpa, s, len) || loader_write(c, gpa + len, &nul, 1))
		return 0;
	return gpa;
}

/* First page-aligned gpa >= *cursor where size bytes of RAM fit below 4 GiB. */
static bool find_room(const struct guest_mem *m, u64 *cursor, u64 size)
{
	for (u32 i = 0; i < m->nr_ram; i++) {
		u64 end = m->ram[i].base + m->ram[i].size;
		u64 gpa = ALIGN_UP(MAX(*cursor, m->ram[i].base), PAGE_SIZE);

		if (gpa >= end || end - gpa < size || gpa + size > LOADER_4G)
			continue;
		*cursor = gpa;
		return true;
	}
	return false;
}

int loader_place_modules(struct loader_ctx *c)
{
	const struct guest_image *img = c->img;
	u64 cursor = ALIGN_UP(MAX(c->image_end, LOADER_1M), PAGE_SIZE);
	int err;

	for (u32 i = 0; i < img->nr_mods; i++) {
		const struct guest_module *mod = &img->mods[i];

		if (mod->size && !mod->data)
			return loader_fail(c, -E_INVAL, "module %u has no data", i);
		if (!find_room(c->mem, &cursor, mod->size))
			return loader_fail(
				c, -E_NOMEM,
				"no room for module %u (%zu bytes) in guest RAM below 4 GiB "
				"above 0x%llx",
				i, mod->size, (unsigned long long)cursor);
		c->mod_start[i] = cursor;
		cursor = ALIGN_UP(cursor + mod->size, PAGE_SIZE);
	}
	for (u32 i = 0; i < img->nr_mods; i++) {
		err = loader_write(c, c->mod_start[i], img->mods[i].data, img->mods[i].size);
		if (err)
			return err;
	}
	return 0;
}

static void mmap_add(struct loader_mmap_entry *out, u32 max, u32 *n, u64 base, u64 end, u32 type)
{
	struct loader_mmap_entry *prev = *n ? &out[*n - 1] : NULL;

	if (end <= base)
		return;
	if (prev && prev->type == type && prev->base + prev->len == base) {
		prev->len += end - base;
		return;
	}
	if (*n >= max)
		return;
	out[*n] = (struct loader_mmap_entry){.base = base, .len = end - base, .type = type};
	(*n)++;
}

/* One RAM range, with the legacy window cut out as reserved. */
static void mmap_add_ram(struct loader_mmap_entry *out, u32 max, u32 *n, u64 base, u64 end)
{
	u64 lo = MIN(MAX(base, LOADER_LEGACY_LO), end);
	u64 hi = MAX(MIN(end, LOADER_LEGACY_HI), lo);

	mmap_add(out, max, n, base, lo, LOADER_MEM_AVAILABLE);
	mmap_add(out, max, n, lo, hi, LOADER_MEM_RESERVED);
	mmap_add(out, max, n, hi, end, LOADER_MEM_AVAILABLE);
}

u32 loader_build_mmap(const struct guest_mem *m, struct loader_mmap_entry *out, u32 max)
{
	u64 pos = 0;
	u32 n = 0;

	for (u32 i = 0; i < m->nr_ram; i++) {
		u64 base = m->ram[i].base, end = base + m->ram[i].size;

		mmap_add(out, max, &n, pos, base, LOADER_MEM_RESERVED);
		mmap_add_ram(out, max, &n, base, end);
		pos = end;
	}
	return n;
}

/* Bytes of RAM contiguous from gpa (across adjacent ranges). */
static u64 ram_run(const struct guest_mem *m, u64 gpa)
{
	u64 start = gpa;

	for (u32 i = 0; i < m->nr_ram; i++) {
		u64 base = m->ram[i].base, end = base + m->ram[i].size;

		if (gpa >= base && gpa < end)
			gpa = end;
	}
	return gpa - start;
}

u32 loader_mem_lower_kib(const struct guest_mem *m)
{
	return (u32)(MIN(ram_run(m, 0), LOADER_LEGACY_LO) >> 10);
}

u32 loader_mem_upper_kib(const struct guest_mem *m)
{
	return (u32)MIN(ram_run(m, LOADER_1M) >> 10, 0xffffffffull);
}
