/* SPDX-License-Identifier: MIT */
/*
 * Multiboot2 loader (Multiboot2 Specification 2.0): finds the 8-byte aligned
 * header in the first 32 KiB, walks its tags (information request honoured:
 * a required request for a tag Tern does not give is refused; address tag for
 * a.out-style loading; entry address tag), loads the image (ELF otherwise)
 * and writes the boot information: cmdline, boot loader name, modules, basic
 * meminfo, memory map, end.
 */
#include "lib/string.h"
#include "virt/loader_priv.h"

#define MB2_HEADER_MAGIC 0xE85250D6u
#define MB2_SEARCH_END	 32768
#define MB2_HEADER_ALIGN 8
#define MB2_HEADER_SIZE	 16 /* magic, architecture, header_length, checksum */
#define MB2_ARCH_I386	 0
#define MB2_HDR_ARCH	 4
#define MB2_HDR_LENGTH	 8
#define MB2_HDR_CHECKSUM 12
#define MB2_TAG_ALIGN	 8
#define MB2_TAG_HDR	 8 /* u16 type, u16 flags, u32 size */
#define MB2_TAG_OPTIONAL BIT(0)

/* Header tag types. */
#define MB2_HT_END	    0
#define MB2_HT_INFO_REQ	    1
#define MB2_HT_ADDRESS	    2
#define MB2_HT_ENTRY	    3
#define MB2_HT_CONSOLE	    4
#define MB2_HT_FRAMEBUFFER  5
#define MB2_HT_MODULE_ALIGN 6
#define MB2_HT_EFI_BS	    7
#define MB2_HT_ENTRY_EFI32  8
#define MB2_HT_ENTRY_EFI64  9
#define MB2_HT_RELOCATABLE  10
#define MB2_ADDRESS_SIZE    24 /* + header/load/load_end/bss_end addresses */
#define MB2_ENTRY_SIZE	    12 /* + entry_addr */

/* Boot information tag types Tern writes. */
#define MB2_IT_END	   0
#define MB2_IT_CMDLINE	   1
#define MB2_IT_LOADER_NAME 2
#define MB2_IT_MODULE	   3
#define MB2_IT_MEMINFO	   4
#define MB2_IT_MMAP	   6
#define MB2_INFO_HDR	   8 /* u32 total_size, u32 reserved */
#define MB2_MMAP_ENTRY_VER 0

struct mb2_header_info {
	bool has_address, has_entry;
	struct loader_aout aout;
	u32 entry;
};

struct mb2_mmap_entry {
	u64 base_addr, length;
	u32 type, reserved;
} __packed;
_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "multiboot2 mmap entry layout");

static bool mb2_header_ok(const u8 *h)
{
	return MB2_HEADER_MAGIC + loader_rd32(h + MB2_HDR_ARCH) + loader_rd32(h + MB2_HDR_LENGTH) +
		       loader_rd32(h + MB2_HDR_CHECKSUM) ==
	       0;
}

long loader_mb2_find(struct loader_ctx *c, bool quiet)
{
	const u8 *b = c->img->data;
	size_t end = MIN(c->img->size, (size_t)MB2_SEARCH_END);
	const char *bad = NULL;

	for (size_t off = 0; off + MB2_HEADER_SIZE <= end; off += MB2_HEADER_ALIGN) {
		u32 len = loader_rd32(b + off + MB2_HDR_LENGTH);

		if (loader_rd32(b + off) != MB2_HEADER_MAGIC)
			continue;
		if (!mb2_header_ok(b + off))
			bad = "has a bad checksum";
		else if (loader_rd32(b + off + MB2_HDR_ARCH) != MB2_ARCH_I386)
			bad = "is not for i386";
		else if (len < MB2_HEADER_SIZE + MB2_TAG_HDR || len > end - off)
			bad = "has a bad header_length";
		else
			return (long)off;
	}
	if (quiet)
		return -E_NOENT;
	if (bad)
		return loader_fail(c, -E_INVAL, "multiboot2 header %s", bad);
	return loader_fail(c, -E_INVAL, "no multiboot2 header in the first 32 KiB");
}

static bool mb2_info_provided(u32 type)
{
	return type == MB2_IT_END || type == MB2_IT_CMDLINE || type == MB2_IT_LOADER_NAME ||
	       type == MB2_IT_MODULE || type == MB2_IT_MEMINFO || type == MB2_IT_MMAP;
}

static int mb2_info_request(struct loader_ctx *c, const u8 *t, u32 size, bool optional)
{
	for (u32 pos = MB2_TAG_HDR; pos + sizeof(u32) <= size; pos += sizeof(u32)) {
		u32 type = loader_rd32(t + pos);

		if (!optional && !mb2_info_provided(type))
			return loader_fail(c, -E_NOSUPP,
					   "multiboot2 image requires boot information tag %u, "
					   "which Tern does not provide",
					   type);
	}
	return 0;
}

static int mb2_header_tag(struct loader_ctx *c, const u8 *t, size_t off, struct mb2_header_info *hi)
{
	u16 type = loader_rd16(t), flags = loader_rd16(t + 2);
	u32 size = loader_rd32(t + 4);
	bool optional = flags & MB2_TAG_OPTIONAL;

	switch (type) {
	case MB2_HT_INFO_REQ:
		return mb2_info_request(c, t, size, optional);
	case MB2_HT_ADDRESS:
		if (size < MB2_ADDRESS_SIZE)
			break;
		hi->has_address = true;
		hi->aout = (struct loader_aout){.hdr_off = off,
						.header_addr = loader_rd32(t + 8),
						.load_addr = loader_rd32(t + 12),
						.load_end_addr = loader_rd32(t + 16),
						.bss_end_addr = loader_rd32(t + 20)};
		return 0;
	case MB2_HT_ENTRY:
		if (size < MB2_ENTRY_SIZE)
			break;
		hi->has_entry = true;
		hi->entry = loader_rd32(t + 8);
		return 0;
	case MB2_HT_CONSOLE:	  /* no console requirement is enforced */
	case MB2_HT_FRAMEBUFFER:  /* no framebuffer: the image gets text mode */
	case MB2_HT_MODULE_ALIGN: /* modules are always page-aligned */
	case MB2_HT_EFI_BS:	  /* the guest is not booted from EFI: these do not apply */
	case MB2_HT_ENTRY_EFI32:
	case MB2_HT_ENTRY_EFI64:
	case MB2_HT_RELOCATABLE: /* loaded at its preferred address */
		return 0;
	default:
		if (optional)
			return 0;
		return loader_fail(c, -E_NOSUPP, "multiboot2 header tag %u is not supported", type);
	}
	return loader_fail(c, -E_INVAL, "multiboot2 header tag %u is too short (%u bytes)", type,
			   size);
}

static int mb2_parse_header(struct loader_ctx *c, size_t off, struct mb2_header_info *hi)
{
	const u8 *h = (const u8 *)c->img->data + off;
	u32 len = loader_rd32(h + MB2_HDR_LENGTH);
	int err;

	for (u32 pos = MB2_HEADER_SIZE; pos + MB2_TAG_HDR <= len;) {
		u16 type = loader_rd16(h + pos);
		u32 size = loader_rd32(h + pos + 4);

		if (size < MB2_TAG_HDR || size > len - pos)
			return loader_fail(c, -E_INVAL,
					   "multiboot2 header tag %u at +%u has a bad size %u",
					   type, pos, size);
		if (type == MB2_HT_END)
			return 0;
		err = mb2_header_tag(c, h + pos, off, hi);
		if (err)
			return err;
		if (ALIGN_UP((u64)size, MB2_TAG_ALIGN) > len - pos)
			break;
		pos += (u32)ALIGN_UP(size, MB2_TAG_ALIGN);
	}
	return loader_fail(c, -E_INVAL, "multiboot2 header has no end tag");
}

/* Append one info tag: header, fixed part, then tail (NUL-terminated if nul). */
static int mb2_tag(struct loader_ctx *c, u32 type, const void *fixed, size_t flen, const void *tail,
		   size_t tlen, bool nul)
{
	static const char zero;
	u32 hdr[2] = {type, (u32)(MB2_TAG_HDR + flen + tlen + (nul ? 1 : 0))};
	u64 gpa = loader_info_alloc(c, hdr[1], MB2_TAG_ALIGN);

	if (!gpa || loader_write(c, gpa, hdr, sizeof(hdr)) ||
	    loader_write(c, gpa + MB2_TAG_HDR, fixed, flen) ||
	    loader_write(c, gpa + MB2_TAG_HDR + flen, tail, tlen) ||
	    (nul && loader_write(c, gpa + hdr[1] - 1, &zero, 1)))
		return -E_NOMEM;
	return 0;
}

static int mb2_mmap(struct loader_ctx *c)
{
	struct loader_mmap_entry map[LOADER_MMAP_MAX];
	struct mb2_mmap_entry out[LOADER_MMAP_MAX];
	u32 n = loader_build_mmap(c->mem, map, LOADER_MMAP_MAX);
	u32 fixed[2] = {sizeof(struct mb2_mmap_entry), MB2_MMAP_ENTRY_VER};

	for (u32 i = 0; i < n; i++)
		out[i] = (struct mb2_mmap_entry){
			.base_addr = map[i].base, .length = map[i].len, .type = map[i].type};
	return mb2_tag(c, MB2_IT_MMAP, fixed, sizeof(fixed), out, n * sizeof(out[0]), false);
}

static int mb2_tags(struct loader_ctx *c)
{
	const char *cmd = c->img->cmdline ? c->img->cmdline : "";
	u32 meminfo[2] = {loader_mem_lower_kib(c->mem), loader_mem_upper_kib(c->mem)};
	int err;

	err = mb2_tag(c, MB2_IT_CMDLINE, NULL, 0, cmd, strlen(cmd), true);
	err = err
		      ?: mb2_tag(c, MB2_IT_LOADER_NAME, NULL, 0, LOADER_NAME, strlen(LOADER_NAME),
				 true);
	for (u32 i = 0; !err && i < c->img->nr_mods; i++) {
		const struct guest_module *mod = &c->img->mods[i];
		u32 range[2] = {(u32)c->mod_start[i], (u32)(c->mod_start[i] + mod->size)};

		err = mb2_tag(c, MB2_IT_MODULE, range, sizeof(range), mod->string,
			      mod->string ? mod->string_len : 0, true);
	}
	err = err ?: mb2_tag(c, MB2_IT_MEMINFO, meminfo, sizeof(meminfo), NULL, 0, false);
	err = err ?: mb2_mmap(c);
	return err ?: mb2_tag(c, MB2_IT_END, NULL, 0, NULL, 0, false);
}

static int mb2_info(struct loader_ctx *c, u64 *info_gpa)
{
	u64 gpa = loader_info_alloc(c, MB2_INFO_HDR, MB2_TAG_ALIGN);
	u32 hdr[2] = {0, 0};

	if (!gpa || mb2_tags(c))
		return loader_fail(
			c, -E_NOMEM,
			"multiboot2 information does not fit the boot area [0x%llx, 0x%llx)",
			LOADER_INFO_GPA, LOADER_BOOT_AREA_END);
	hdr[0] = (u32)(c->info_next - gpa);
	*info_gpa = gpa;
	return loader_write(c, gpa, hdr, sizeof(hdr));
}

int loader_mb2(struct loader_ctx *c, size_t off)
{
	struct mb2_header_info hi = {0};
	u64 entry = 0, info = 0;
	int err = mb2_parse_header(c, off, &hi);

	if (err)
		return err;
	c->boot_area = true;
	c->entry->format = GUEST_FORMAT_MB2;
	if (hi.has_address && !hi.has_entry)
		return loader_fail(c, -E_INVAL,
				   "multiboot2 address tag without an entry address tag");
	if (hi.has_address && hi.aout.load_addr == ~0u) /* -1: load from the file start */
		hi.aout.load_addr = hi.aout.header_addr - (u32)off;
	if (hi.has_entry)
		entry = hi.entry;
	err = hi.has_address ? loader_aout_image(c, &hi.aout, entry)
			     : loader_elf(c, &entry, hi.has_entry);
	err = err ?: loader_place_modules(c);
	err = err ?: mb2_info(c, &info);
	return err ?: loader_enter_prot32(c, entry, MB2_BOOTLOADER_MAGIC, info);
}
