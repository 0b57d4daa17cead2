/* SPDX-License-Identifier: MIT */
/*
 * Multiboot1 boot information: reads the fixed multiboot_info block, mapping
 * only as much as its flags say is filled in, then follows its pointers to
 * the command line, loader name, module list and memory map. Strings are
 * given by physical address alone, so they are copied a byte at a time
 * through the mapping callback. MB1 carries no RSDP.
 */
#include "boot/multiboot.h"
#include "boot/multiboot_parser.h"
#include "lib/bytes.h"
#include "lib/format.h"

/* ---- Layout ---- */
#define MB1_INFO_SIZE 116 /* through the framebuffer colour info */
#define MB1_INFO_MIN  4	  /* flags alone */

enum mb1_flag {
	MB1_F_MEM = BIT(0),
	MB1_F_CMDLINE = BIT(2),
	MB1_F_MODS = BIT(3),
	MB1_F_MMAP = BIT(6),
	MB1_F_LOADER_NAME = BIT(9),
	MB1_F_FRAMEBUFFER = BIT(12),
};

enum mb1_offset {
	MB1_OFF_FLAGS = 0,
	MB1_OFF_MEM_LOWER = 4,
	MB1_OFF_MEM_UPPER = 8,
	MB1_OFF_CMDLINE = 16,
	MB1_OFF_MODS_COUNT = 20,
	MB1_OFF_MODS_ADDR = 24,
	MB1_OFF_MMAP_LENGTH = 44,
	MB1_OFF_MMAP_ADDR = 48,
	MB1_OFF_LOADER_NAME = 64,
	MB1_OFF_FB_ADDR = 88,
	MB1_OFF_FB_PITCH = 96,
	MB1_OFF_FB_WIDTH = 100,
	MB1_OFF_FB_HEIGHT = 104,
	MB1_OFF_FB_BPP = 108,
	MB1_OFF_FB_TYPE = 109,
};

#define MB1_MODULE_SIZE	    16	 /* mod_start, mod_end, string, reserved */
#define MB1_MODS_MAX	    4096 /* sanity bound on mods_count */
#define MB1_MMAP_SIZE_FIELD 4	 /* the u32 size that precedes each entry */
#define MB1_MMAP_ENTRY_MIN  20	 /* u64 base, u64 len, u32 type */
#define MB1_MMAP_LENGTH_MAX (1u << 20)

/*
 * Copy a string the loader gave only by physical address (MB1). Its length is
 * unknown, so map byte by byte: a mapping that ends mid-string must not be read
 * past, and this runs once at boot on short strings.
 */
static int copy_pa_string(struct parser *p, u64 pa, char *dst, size_t max, const char *what,
			  bool truncate_ok)
{
	for (size_t i = 0;; i++) {
		const u8 *c = mb_map_range(p, pa + i, 1);

		if (!c)
			return mb_fail(p, -E_INVAL,
				       "%s at 0x%llx: not NUL-terminated in mapped memory", what,
				       (unsigned long long)pa);
		if (i + 1 == max && *c) {
			if (!truncate_ok)
				return mb_fail(p, -E_RANGE, "%s at 0x%llx: longer than %zu bytes",
					       what, (unsigned long long)pa, max - 1);
			dst[i] = '\0';
			mb_warn(p, "%s truncated", what);
			return 0;
		}
		dst[i] = (char)*c;
		if (!*c)
			return 0;
	}
}

static int mb1_modules(struct parser *p, u32 count, u32 addr)
{
	const u8 *mods;

	if (count > MB1_MODS_MAX)
		return mb_fail(p, -E_INVAL, "mods_count %u is implausibly large", count);
	if (!count)
		return 0;
	mods = mb_map_range(p, addr, (u64)count * MB1_MODULE_SIZE);
	if (!mods)
		return mb_fail(p, -E_INVAL, "module list at 0x%x (%u entries) is not accessible",
			       addr, count);
	for (u32 i = 0; i < count; i++) {
		const u8 *e = mods + (size_t)i * MB1_MODULE_SIZE;
		u32 str = rd32(e, 8);
		struct boot_module *m;
		char name[24];
		int err;

		err = mb_add_module(p, rd32(e, 0), rd32(e, 4), i, &m);
		if (err)
			return err;
		if (!m || !str)
			continue; /* no string: empty command line */
		snformat(name, sizeof(name), "module %u string", i);
		err = copy_pa_string(p, str, m->cmdline, sizeof(m->cmdline), name, false);
		if (err)
			return err;
	}
	return 0;
}

static int mb1_mmap(struct parser *p, u32 length, u32 addr)
{
	const u8 *mm;
	u32 off = 0;

	if (length > MB1_MMAP_LENGTH_MAX)
		return mb_fail(p, -E_INVAL, "mmap_length %u is implausibly large", length);
	p->bi->mmap_source = BOOT_MMAP_MULTIBOOT;
	if (!length)
		return 0;
	mm = mb_map_range(p, addr, length);
	if (!mm)
		return mb_fail(p, -E_INVAL, "memory map at 0x%x (%u bytes) is not accessible", addr,
			       length);
	while (off < length) {
		u32 size;

		if (length - off < MB1_MMAP_SIZE_FIELD)
			return mb_fail(p, -E_INVAL, "mmap entry at offset %u: truncated size field",
				       off);
		size = rd32(mm, off);
		if (size < MB1_MMAP_ENTRY_MIN)
			return mb_fail(p, -E_INVAL, "mmap entry at offset %u: size %u is below %u",
				       off, size, MB1_MMAP_ENTRY_MIN);
		if (size > length - off - MB1_MMAP_SIZE_FIELD)
			return mb_fail(p, -E_INVAL,
				       "mmap entry at offset %u: size %u runs past mmap_length %u",
				       off, size, length);
		off += MB1_MMAP_SIZE_FIELD;
		mb_add_mmap(p, rd64(mm, off), rd64(mm, off + 8), rd32(mm, off + 16));
		off += size;
	}
	return 0;
}

int mb1_parse(struct parser *p, u64 info_pa)
{
	struct boot_info *bi = p->bi;
	const u8 *info;
	u32 flags, need;
	int err;

	info = mb_map_range(p, info_pa, MB1_INFO_MIN);
	if (!info)
		return mb_fail(p, -E_INVAL, "multiboot info at 0x%llx is not accessible",
			       (unsigned long long)info_pa);
	flags = rd32(info, MB1_OFF_FLAGS);
	/* Map only as much as the flags say is filled in. */
	need = (flags & MB1_F_FRAMEBUFFER) ? MB1_INFO_SIZE : MB1_OFF_FB_ADDR;
	info = mb_map_range(p, info_pa, need);
	if (!info)
		return mb_fail(p, -E_INVAL, "multiboot info at 0x%llx: %u bytes not accessible",
			       (unsigned long long)info_pa, need);

	if (flags & MB1_F_MEM) {
		bi->has_meminfo = true;
		bi->mem_lower_kib = rd32(info, MB1_OFF_MEM_LOWER);
		bi->mem_upper_kib = rd32(info, MB1_OFF_MEM_UPPER);
	}
	if ((flags & MB1_F_CMDLINE) && rd32(info, MB1_OFF_CMDLINE)) {
		err = copy_pa_string(p, rd32(info, MB1_OFF_CMDLINE), bi->cmdline,
				     sizeof(bi->cmdline), "command line", false);
		if (err)
			return err;
	}
	if ((flags & MB1_F_LOADER_NAME) && rd32(info, MB1_OFF_LOADER_NAME)) {
		err = copy_pa_string(p, rd32(info, MB1_OFF_LOADER_NAME), bi->loader_name,
				     sizeof(bi->loader_name), "boot loader name", true);
		if (err)
			return err;
	}
	if (flags & MB1_F_MODS) {
		err = mb1_modules(p, rd32(info, MB1_OFF_MODS_COUNT), rd32(info, MB1_OFF_MODS_ADDR));
		if (err)
			return err;
	}
	if (flags & MB1_F_MMAP) {
		err = mb1_mmap(p, rd32(info, MB1_OFF_MMAP_LENGTH), rd32(info, MB1_OFF_MMAP_ADDR));
		if (err)
			return err;
	}
	if (flags & MB1_F_FRAMEBUFFER) {
		bi->fb.present = true;
		bi->fb.addr = rd64(info, MB1_OFF_FB_ADDR);
		bi->fb.pitch = rd32(info, MB1_OFF_FB_PITCH);
		bi->fb.width = rd32(info, MB1_OFF_FB_WIDTH);
		bi->fb.height = rd32(info, MB1_OFF_FB_HEIGHT);
		bi->fb.bpp = rd8(info, MB1_OFF_FB_BPP);
		bi->fb.type = rd8(info, MB1_OFF_FB_TYPE);
	}
	/* No RSDP in Multiboot1: rsdp_version stays 0 and the kernel scans the BIOS. */
	return 0;
}
