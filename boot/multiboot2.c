/* SPDX-License-Identifier: MIT */
/*
 * Multiboot2 boot information: walks the 8-byte aligned tag list and decodes
 * the command line, loader name, modules, basic meminfo, memory map (tag 6,
 * or the EFI memory map of tag 17 converted to Multiboot types as a
 * fallback), framebuffer, EFI64 system table and ACPI RSDP copies. Tags that
 * may appear once keep their first instance; unknown tags are skipped.
 */
#include "boot/multiboot.h"
#include "boot/multiboot_parser.h"
#include "lib/bytes.h"
#include "lib/string.h"

/* ---- Layout ---- */
#define MB2_INFO_HDR_SIZE 8 /* u32 total_size, u32 reserved */
#define MB2_TAG_HDR_SIZE  8 /* u32 type, u32 size */
#define MB2_TAG_ALIGN	  8
#define MB2_INFO_MAX	  (1u << 20) /* sanity bound on total_size */

enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER_NAME = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_BASIC_MEMINFO = 4,
	MB2_TAG_BOOTDEV = 5,
	MB2_TAG_MMAP = 6,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_EFI64 = 12,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
	MB2_TAG_EFI_MMAP = 17,
};

#define MB2_MODULE_FIXED     16 /* tag header + mod_start + mod_end */
#define MB2_MEMINFO_SIZE     16 /* tag header + mem_lower + mem_upper */
#define MB2_MMAP_FIXED	     16 /* tag header + entry_size + entry_version */
#define MB2_MMAP_ENTRY_MIN   24 /* u64 base, u64 len, u32 type, u32 zero */
#define MB2_MMAP_ENTRY_ALIGN 8
#define MB2_FB_MIN	     30 /* up to and including framebuffer_type */
#define MB2_EFI64_SIZE	     16 /* tag header + u64 pointer */
#define MB2_EFI_MMAP_FIXED   16 /* tag header + desc_size + desc_version */
#define ACPI_RSDP_V1_SIZE    20
#define ACPI_RSDP_V2_SIZE    36

/* EFI memory descriptor: u32 type, u32 pad, u64 phys, u64 virt, u64 pages, u64 attr */
#define EFI_MD_MIN	 40
#define EFI_MD_TYPE_OFF	 0
#define EFI_MD_PHYS_OFF	 8
#define EFI_MD_PAGES_OFF 24
#define EFI_PAGE_SHIFT	 12

enum efi_mem_type {
	EFI_RESERVED = 0,
	EFI_LOADER_CODE = 1,
	EFI_LOADER_DATA = 2,
	EFI_BOOT_SERVICES_CODE = 3,
	EFI_BOOT_SERVICES_DATA = 4,
	EFI_RUNTIME_SERVICES_CODE = 5,
	EFI_RUNTIME_SERVICES_DATA = 6,
	EFI_CONVENTIONAL = 7,
	EFI_UNUSABLE = 8,
	EFI_ACPI_RECLAIM = 9,
	EFI_ACPI_NVS = 10,
};

/*
 * Copy a NUL-terminated string of at most max bytes (NUL included) from a
 * byte range. Returns the string length, or -1 if no NUL lies within avail
 * bytes, or -2 if it does not fit into max.
 */
static long copy_bounded(char *dst, size_t max, const u8 *src, size_t avail)
{
	size_t n = 0;

	while (n < avail && src[n])
		n++;
	if (n == avail)
		return -1;
	if (n + 1 > max)
		return -2;
	memcpy(dst, src, n + 1);
	return (long)n;
}

static void copy_loader_name(struct parser *p, const u8 *s, size_t avail)
{
	size_t n = 0, max = BOOT_LOADER_NAME_MAX - 1;

	while (n < avail && n < max && s[n])
		n++;
	memcpy(p->bi->loader_name, s, n);
	p->bi->loader_name[n] = '\0';
	if (n == max && n < avail && s[n])
		mb_warn(p, "boot loader name truncated");
}

static u32 efi_to_boot_type(u32 efi)
{
	switch (efi) {
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
	case EFI_CONVENTIONAL:
		return BOOT_MEM_AVAILABLE;
	case EFI_ACPI_RECLAIM:
		return BOOT_MEM_ACPI;
	case EFI_ACPI_NVS:
		return BOOT_MEM_NVS;
	case EFI_UNUSABLE:
		return BOOT_MEM_BAD;
	default:
		return BOOT_MEM_RESERVED;
	}
}

/* ---- Multiboot2 tags; t points at the tag header, size is its size ---- */

static int mb2_string_tag(struct parser *p, const u8 *t, u32 size, char *dst, size_t max,
			  const char *what)
{
	long n = copy_bounded(dst, max, t + MB2_TAG_HDR_SIZE, size - MB2_TAG_HDR_SIZE);

	if (n == -1)
		return mb_fail(p, -E_INVAL, "%s tag: string not NUL-terminated within the tag",
			       what);
	if (n == -2)
		return mb_fail(p, -E_RANGE, "%s tag: longer than %zu bytes", what, max - 1);
	return 0;
}

static int mb2_module(struct parser *p, const u8 *t, u32 size)
{
	u32 index = p->bi->module_count;
	struct boot_module *m;
	long n;
	int err;

	if (size < MB2_MODULE_FIXED + 1)
		return mb_fail(p, -E_INVAL, "module tag %u: size %u too small", index, size);
	err = mb_add_module(p, rd32(t, 8), rd32(t, 12), index, &m);
	if (err || !m)
		return err;
	n = copy_bounded(m->cmdline, sizeof(m->cmdline), t + MB2_MODULE_FIXED,
			 size - MB2_MODULE_FIXED);
	if (n == -1)
		return mb_fail(p, -E_INVAL, "module %u: string not NUL-terminated within the tag",
			       index);
	if (n == -2)
		return mb_fail(p, -E_RANGE, "module %u: command line longer than %u bytes", index,
			       BOOT_MODULE_CMDLINE_MAX - 1);
	return 0;
}

static int mb2_mmap(struct parser *p, const u8 *t, u32 size)
{
	u32 esize, count;

	if (size < MB2_MMAP_FIXED)
		return mb_fail(p, -E_INVAL, "mmap tag: size %u too small", size);
	esize = rd32(t, 8);
	if (esize < MB2_MMAP_ENTRY_MIN || esize % MB2_MMAP_ENTRY_ALIGN)
		return mb_fail(p, -E_INVAL,
			       "mmap tag: entry_size %u (must be >= %u and a multiple of %u)",
			       esize, MB2_MMAP_ENTRY_MIN, MB2_MMAP_ENTRY_ALIGN);
	if ((size - MB2_MMAP_FIXED) % esize)
		mb_warn(p, "mmap tag: %u trailing bytes ignored", (size - MB2_MMAP_FIXED) % esize);
	count = (size - MB2_MMAP_FIXED) / esize;
	p->bi->mmap_source = BOOT_MMAP_MULTIBOOT;
	for (u32 i = 0; i < count; i++) {
		const u8 *e = t + MB2_MMAP_FIXED + (size_t)i * esize;

		mb_add_mmap(p, rd64(e, 0), rd64(e, 8), rd32(e, 16));
	}
	return 0;
}

static int mb2_efi_mmap(struct parser *p, const u8 *t, u32 size)
{
	u32 dsize, count;

	if (size < MB2_EFI_MMAP_FIXED)
		return mb_fail(p, -E_INVAL, "EFI mmap tag: size %u too small", size);
	dsize = rd32(t, 8);
	if (dsize < EFI_MD_MIN || dsize % MB2_MMAP_ENTRY_ALIGN)
		return mb_fail(
			p, -E_INVAL,
			"EFI mmap tag: descriptor_size %u (must be >= %u and a multiple of %u)",
			dsize, EFI_MD_MIN, MB2_MMAP_ENTRY_ALIGN);
	count = (size - MB2_EFI_MMAP_FIXED) / dsize;
	p->bi->mmap_source = BOOT_MMAP_EFI;
	for (u32 i = 0; i < count; i++) {
		const u8 *d = t + MB2_EFI_MMAP_FIXED + (size_t)i * dsize;
		u64 pages = rd64(d, EFI_MD_PAGES_OFF);

		if (pages > (~0ull >> EFI_PAGE_SHIFT))
			return mb_fail(p, -E_INVAL,
				       "EFI mmap descriptor %u: page count 0x%llx too large", i,
				       (unsigned long long)pages);
		mb_add_mmap(p, rd64(d, EFI_MD_PHYS_OFF), pages << EFI_PAGE_SHIFT,
			    efi_to_boot_type(rd32(d, EFI_MD_TYPE_OFF)));
	}
	return 0;
}

static int mb2_rsdp(struct parser *p, const u8 *t, u32 size, u8 version)
{
	u32 len = size - MB2_TAG_HDR_SIZE;
	u32 min = version == 1 ? ACPI_RSDP_V1_SIZE : ACPI_RSDP_V2_SIZE;

	if (len < min)
		return mb_fail(p, -E_INVAL, "ACPI RSDP tag %u: %u bytes, need %u",
			       version == 1 ? MB2_TAG_ACPI_OLD : MB2_TAG_ACPI_NEW, len, min);
	/* The new RSDP wins over the old one whatever the tag order. */
	if (p->bi->rsdp_version > version)
		return 0;
	len = MIN(len, BOOT_RSDP_MAX);
	memcpy(p->bi->rsdp, t + MB2_TAG_HDR_SIZE, len);
	p->bi->rsdp_len = len;
	p->bi->rsdp_version = version;
	return 0;
}

static int mb2_framebuffer(struct parser *p, const u8 *t, u32 size)
{
	struct boot_framebuffer *fb = &p->bi->fb;

	if (size < MB2_FB_MIN)
		return mb_fail(p, -E_INVAL, "framebuffer tag: size %u too small", size);
	fb->present = true;
	fb->addr = rd64(t, 8);
	fb->pitch = rd32(t, 16);
	fb->width = rd32(t, 20);
	fb->height = rd32(t, 24);
	fb->bpp = rd8(t, 28);
	fb->type = rd8(t, 29);
	return 0;
}

/* Tags that may appear only once: the first one is kept. */
#define MB2_SINGLETONS                                                                             \
	(BIT(MB2_TAG_CMDLINE) | BIT(MB2_TAG_LOADER_NAME) | BIT(MB2_TAG_BASIC_MEMINFO) |            \
	 BIT(MB2_TAG_MMAP) | BIT(MB2_TAG_FRAMEBUFFER) | BIT(MB2_TAG_EFI64) |                       \
	 BIT(MB2_TAG_ACPI_OLD) | BIT(MB2_TAG_ACPI_NEW) | BIT(MB2_TAG_EFI_MMAP))

static bool mb2_duplicate(struct parser *p, u32 type, u32 *seen)
{
	if (type >= 32 || !(MB2_SINGLETONS & BIT(type)))
		return false;
	if (!(*seen & BIT(type))) {
		*seen |= (u32)BIT(type);
		return false;
	}
	mb_warn(p, "duplicate tag type %u ignored", type);
	return true;
}

static int mb2_tag(struct parser *p, const u8 *t, u32 type, u32 size, u32 *seen,
		   const u8 **efi_mmap, u32 *efi_mmap_size)
{
	struct boot_info *bi = p->bi;

	if (mb2_duplicate(p, type, seen))
		return 0;
	switch (type) {
	case MB2_TAG_CMDLINE:
		return mb2_string_tag(p, t, size, bi->cmdline, sizeof(bi->cmdline), "command line");
	case MB2_TAG_LOADER_NAME:
		copy_loader_name(p, t + MB2_TAG_HDR_SIZE, size - MB2_TAG_HDR_SIZE);
		return 0;
	case MB2_TAG_MODULE:
		return mb2_module(p, t, size);
	case MB2_TAG_BASIC_MEMINFO:
		if (size < MB2_MEMINFO_SIZE)
			return mb_fail(p, -E_INVAL, "basic meminfo tag: size %u too small", size);
		bi->has_meminfo = true;
		bi->mem_lower_kib = rd32(t, 8);
		bi->mem_upper_kib = rd32(t, 12);
		return 0;
	case MB2_TAG_MMAP:
		return mb2_mmap(p, t, size);
	case MB2_TAG_FRAMEBUFFER:
		return mb2_framebuffer(p, t, size);
	case MB2_TAG_EFI64:
		if (size < MB2_EFI64_SIZE)
			return mb_fail(p, -E_INVAL, "EFI64 tag: size %u too small", size);
		bi->efi64 = true;
		bi->efi64_systab = rd64(t, 8);
		return 0;
	case MB2_TAG_ACPI_OLD:
		return mb2_rsdp(p, t, size, 1);
	case MB2_TAG_ACPI_NEW:
		return mb2_rsdp(p, t, size, 2);
	case MB2_TAG_EFI_MMAP:
		/* Only a fallback for tag 6, which may come later: decide at the end. */
		*efi_mmap = t;
		*efi_mmap_size = size;
		bi->has_efi_mmap = true;
		return 0;
	default:
		return 0; /* unknown or unused tags are skipped */
	}
}

int mb2_parse(struct parser *p, u64 info_pa)
{
	const u8 *info, *efi_mmap = NULL;
	u32 total, off, efi_mmap_size = 0, seen = 0;
	int err;

	if (!IS_ALIGNED(info_pa, MB2_TAG_ALIGN))
		return mb_fail(p, -E_INVAL, "multiboot2 info at 0x%llx is not 8-byte aligned",
			       (unsigned long long)info_pa);
	info = mb_map_range(p, info_pa, MB2_INFO_HDR_SIZE);
	if (!info)
		return mb_fail(p, -E_INVAL, "multiboot2 info at 0x%llx is not accessible",
			       (unsigned long long)info_pa);
	total = rd32(info, 0);
	if (total < MB2_INFO_HDR_SIZE + MB2_TAG_HDR_SIZE || total > MB2_INFO_MAX)
		return mb_fail(p, -E_INVAL, "multiboot2 total_size %u out of range (%u..%u)", total,
			       MB2_INFO_HDR_SIZE + MB2_TAG_HDR_SIZE, MB2_INFO_MAX);
	info = mb_map_range(p, info_pa, total);
	if (!info)
		return mb_fail(p, -E_INVAL, "multiboot2 total_size %u runs past accessible memory",
			       total);

	for (off = MB2_INFO_HDR_SIZE;;) {
		u32 type, size;

		if (total - off < MB2_TAG_HDR_SIZE)
			return mb_fail(p, -E_INVAL,
				       "multiboot2 info: no end tag within total_size %u", total);
		type = rd32(info, off);
		size = rd32(info, off + 4);
		if (size < MB2_TAG_HDR_SIZE)
			return mb_fail(p, -E_INVAL, "tag type %u at offset %u: size %u is below %u",
				       type, off, size, MB2_TAG_HDR_SIZE);
		if (size > total - off)
			return mb_fail(p, -E_INVAL,
				       "tag type %u at offset %u: size %u runs past total_size %u",
				       type, off, size, total);
		if (type == MB2_TAG_END)
			break;
		err = mb2_tag(p, info + off, type, size, &seen, &efi_mmap, &efi_mmap_size);
		if (err)
			return err;
		/* The last tag may end exactly at total_size without padding room. */
		if (ALIGN_UP((u64)size, MB2_TAG_ALIGN) > total - off)
			return mb_fail(p, -E_INVAL,
				       "multiboot2 info: no end tag within total_size %u", total);
		off += (u32)ALIGN_UP(size, MB2_TAG_ALIGN);
	}
	if (p->bi->mmap_source == BOOT_MMAP_NONE && efi_mmap) {
		err = mb2_efi_mmap(p, efi_mmap, efi_mmap_size);
		if (err)
			return err;
	}
	return 0;
}
