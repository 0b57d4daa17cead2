/* SPDX-License-Identifier: MIT */
/*
 * Multiboot1 loader (Multiboot Specification 0.6.96): finds the header in the
 * first 8 KiB, loads the a.out-kludge layout (flag 16) or the ELF program
 * headers, places the guest's modules and writes the multiboot_info (MEM,
 * CMDLINE, MODS, MMAP, BOOT_LOADER_NAME) into the boot-info area. Also holds
 * the a.out-style load shared with the multiboot2 address tag.
 */
#include "lib/string.h"
#include "virt/loader_priv.h"

#define MB1_HEADER_MAGIC 0x1BADB002u
#define MB1_SEARCH_END	 8192
#define MB1_HEADER_ALIGN 4
#define MB1_HEADER_MIN	 12 /* magic, flags, checksum */
#define MB1_HEADER_AOUT	 32 /* + header/load/load_end/bss_end/entry addresses */
#define MB1_HDR_FLAGS	 4
#define MB1_HDR_CHECKSUM 8
#define MB1_HDR_ADDR	 12
#define MB1_HDR_LOAD	 16
#define MB1_HDR_LOAD_END 20
#define MB1_HDR_BSS_END	 24
#define MB1_HDR_ENTRY	 28

/* Header flags: bits 0-15 are requirements the loader must meet or refuse. */
#define MB1_HF_PAGE_ALIGN BIT(0) /* modules page-aligned: always done */
#define MB1_HF_MEMINFO	  BIT(1) /* mem_* and mmap: always given */
#define MB1_HF_VIDEO	  BIT(2) /* video mode: not provided, tolerated */
#define MB1_HF_REQUIRED	  0xffffu
#define MB1_HF_KNOWN	  ((u32)(MB1_HF_PAGE_ALIGN | MB1_HF_MEMINFO | MB1_HF_VIDEO))
#define MB1_HF_AOUT	  BIT(16)

/* multiboot_info.flags */
#define MB1_INFO_MEM	     BIT(0)
#define MB1_INFO_CMDLINE     BIT(2)
#define MB1_INFO_MODS	     BIT(3)
#define MB1_INFO_MMAP	     BIT(6)
#define MB1_INFO_LOADER_NAME BIT(9)

struct mb1_info {
	u32 flags;
	u32 mem_lower, mem_upper;
	u32 boot_device;
	u32 cmdline;
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
	u32 drives_length, drives_addr;
	u32 config_table;
	u32 boot_loader_name;
	u32 apm_table;
	u32 vbe_control_info, vbe_mode_info;
	u16 vbe_mode, vbe_interface_seg, vbe_interface_off, vbe_interface_len;
} __packed;
_Static_assert(sizeof(struct mb1_info) == 88, "multiboot_info layout");

struct mb1_module {
	u32 mod_start, mod_end, string, reserved;
} __packed;

struct mb1_mmap_entry {
	u32 size; /* of the rest of the entry: 20 */
	u64 base_addr, length;
	u32 type;
} __packed;
_Static_assert(sizeof(struct mb1_mmap_entry) == 24, "multiboot mmap entry layout");

long loader_mb1_find(struct loader_ctx *c, bool quiet)
{
	const u8 *b = c->img->data;
	size_t end = MIN(c->img->size, (size_t)MB1_SEARCH_END);
	bool bad_sum = false;

	for (size_t off = 0; off + MB1_HEADER_MIN <= end; off += MB1_HEADER_ALIGN) {
		if (loader_rd32(b + off) != MB1_HEADER_MAGIC)
			continue;
		if (MB1_HEADER_MAGIC + loader_rd32(b + off + MB1_HDR_FLAGS) +
			    loader_rd32(b + off + MB1_HDR_CHECKSUM) ==
		    0)
			return (long)off;
		bad_sum = true;
	}
	if (quiet)
		return -E_NOENT;
	if (bad_sum)
		return loader_fail(c, -E_INVAL, "multiboot1 header has a bad checksum");
	return loader_fail(c, -E_INVAL, "no multiboot1 header in the first 8 KiB");
}

int loader_aout_image(struct loader_ctx *c, const struct loader_aout *a, u64 entry)
{
	u64 back = (u64)a->header_addr - a->load_addr, file_start, len, memsz;
	int err;

	if (a->load_addr > a->header_addr || back > a->hdr_off)
		return loader_fail(c, -E_INVAL,
				   "a.out layout: load_addr 0x%x / header_addr 0x%x put the load "
				   "start before the file",
				   a->load_addr, a->header_addr);
	file_start = a->hdr_off - back;
	if (a->load_end_addr && a->load_end_addr < a->load_addr)
		return loader_fail(c, -E_INVAL, "a.out layout: load_end_addr 0x%x < load_addr 0x%x",
				   a->load_end_addr, a->load_addr);
	len = a->load_end_addr ? a->load_end_addr - a->load_addr : c->img->size - file_start;
	if (len > c->img->size - file_start)
		return loader_fail(
			c, -E_INVAL,
			"a.out layout: 0x%llx bytes to load from offset 0x%llx, the file "
			"has %zu",
			(unsigned long long)len, (unsigned long long)file_start, c->img->size);
	if (a->bss_end_addr && a->bss_end_addr < a->load_addr + len)
		return loader_fail(c, -E_INVAL,
				   "a.out layout: bss_end_addr 0x%x below the load end",
				   a->bss_end_addr);
	memsz = a->bss_end_addr ? a->bss_end_addr - a->load_addr : len;
	if (!memsz)
		return loader_fail(c, -E_INVAL, "a.out layout: nothing to load");
	err = loader_check_dest(c, a->load_addr, memsz, "image");
	if (err)
		return err;
	loader_note_extent(c, a->load_addr, memsz);
	err = loader_check_entry(c, entry);
	return err
		       ?: loader_copy(c, a->load_addr, (const u8 *)c->img->data + file_start, len,
				      memsz);
}

static int mb1_load_image(struct loader_ctx *c, size_t off, u32 flags, u64 *entry)
{
	const u8 *h = (const u8 *)c->img->data + off;
	struct loader_aout a;

	if (!(flags & MB1_HF_AOUT))
		return loader_elf(c, entry, false);
	if (off + MB1_HEADER_AOUT > c->img->size || off + MB1_HEADER_AOUT > MB1_SEARCH_END)
		return loader_fail(c, -E_INVAL,
				   "multiboot1 header truncated (a.out fields missing)");
	a = (struct loader_aout){
		.hdr_off = off,
		.header_addr = loader_rd32(h + MB1_HDR_ADDR),
		.load_addr = loader_rd32(h + MB1_HDR_LOAD),
		.load_end_addr = loader_rd32(h + MB1_HDR_LOAD_END),
		.bss_end_addr = loader_rd32(h + MB1_HDR_BSS_END),
	};
	*entry = loader_rd32(h + MB1_HDR_ENTRY);
	return loader_aout_image(c, &a, *entry);
}

static int mb1_modules(struct loader_ctx *c, struct mb1_info *info)
{
	struct mb1_module m;
	u64 arr;

	if (!c->img->nr_mods)
		return 0;
	arr = loader_info_alloc(c, sizeof(m) * c->img->nr_mods, sizeof(u32));
	if (!arr)
		return -E_NOMEM;
	for (u32 i = 0; i < c->img->nr_mods; i++) {
		const struct guest_module *mod = &c->img->mods[i];
		u64 str = loader_info_string(c, mod->string ? mod->string : "",
					     mod->string ? mod->string_len : 0);

		if (!str)
			return -E_NOMEM;
		m = (struct mb1_module){.mod_start = (u32)c->mod_start[i],
					.mod_end = (u32)(c->mod_start[i] + mod->size),
					.string = (u32)str};
		if (loader_write(c, arr + i * sizeof(m), &m, sizeof(m)))
			return -E_NOMEM;
	}
	info->flags |= MB1_INFO_MODS;
	info->mods_count = c->img->nr_mods;
	info->mods_addr = (u32)arr;
	return 0;
}

static int mb1_mmap(struct loader_ctx *c, struct mb1_info *info)
{
	struct loader_mmap_entry map[LOADER_MMAP_MAX];
	u32 n = loader_build_mmap(c->mem, map, LOADER_MMAP_MAX);
	u64 gpa = loader_info_alloc(c, n * sizeof(struct mb1_mmap_entry), sizeof(u32));

	if (!gpa)
		return -E_NOMEM;
	for (u32 i = 0; i < n; i++) {
		struct mb1_mmap_entry e = {
			.size = sizeof(e) - sizeof(e.size),
			.base_addr = map[i].base,
			.length = map[i].len,
			.type = map[i].type,
		};

		if (loader_write(c, gpa + i * sizeof(e), &e, sizeof(e)))
			return -E_NOMEM;
	}
	info->flags |= MB1_INFO_MMAP;
	info->mmap_addr = (u32)gpa;
	info->mmap_length = n * sizeof(struct mb1_mmap_entry);
	return 0;
}

static int mb1_info(struct loader_ctx *c, u64 *info_gpa)
{
	const char *cmd = c->img->cmdline ? c->img->cmdline : "";
	struct mb1_info info = {.flags = MB1_INFO_MEM};
	u64 gpa = loader_info_alloc(c, sizeof(info), sizeof(u64));

	info.mem_lower = loader_mem_lower_kib(c->mem);
	info.mem_upper = loader_mem_upper_kib(c->mem);
	info.cmdline = (u32)loader_info_string(c, cmd, strlen(cmd));
	info.boot_loader_name = (u32)loader_info_string(c, LOADER_NAME, strlen(LOADER_NAME));
	if (!gpa || !info.cmdline || !info.boot_loader_name || mb1_modules(c, &info) ||
	    mb1_mmap(c, &info))
		return loader_fail(c, -E_NOMEM,
				   "multiboot1 information does not fit the boot area "
				   "[0x%llx, 0x%llx)",
				   LOADER_INFO_GPA, LOADER_BOOT_AREA_END);
	info.flags |= MB1_INFO_CMDLINE | MB1_INFO_LOADER_NAME;
	*info_gpa = gpa;
	return loader_write(c, gpa, &info, sizeof(info));
}

int loader_mb1(struct loader_ctx *c, size_t off)
{
	u32 flags = loader_rd32((const u8 *)c->img->data + off + MB1_HDR_FLAGS);
	u64 entry = 0, info = 0;
	int err;
	u32 unknown = flags & MB1_HF_REQUIRED & ~MB1_HF_KNOWN;

	if (unknown)
		return loader_fail(c, -E_NOSUPP,
				   "multiboot1 header requires unsupported features (flags 0x%x)",
				   unknown);
	c->boot_area = true;
	c->entry->format = GUEST_FORMAT_MB1;
	err = mb1_load_image(c, off, flags, &entry);
	if (!err)
		err = loader_place_modules(c);
	if (!err)
		err = mb1_info(c, &info);
	if (err)
		return err;
	return loader_enter_prot32(c, entry, MB1_BOOTLOADER_MAGIC, info);
}
