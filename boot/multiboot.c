/* SPDX-License-Identifier: MIT */
/*
 * Multiboot1/Multiboot2 boot information parser (see multiboot.h). Every read
 * is bounds-checked against the mapped info block and goes through memcpy, as
 * the loader gives no alignment guarantee for MB1 structures and the tests
 * feed unaligned buffers. Anything malformed stops the parse with a reason;
 * harmless oddities (truncated lists, duplicate tags) go to bi->warn.
 */
#include "boot/multiboot.h"
#include "lib/bytes.h"
#include "lib/format.h"
#include "lib/string.h"

/* ---- Multiboot2 layout ---- */
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

/* ---- Multiboot1 layout ---- */
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

/* Parser state shared by both protocols. */
struct parser {
	boot_map_fn map;
	void *ctx;
	struct boot_info *bi;
	char *why;
	size_t why_len;
};

static int fail(struct parser *p, int err, const char *fmt, ...) __printf(3, 4);

static int fail(struct parser *p, int err, const char *fmt, ...)
{
	va_list ap;

	if (p->why && p->why_len) {
		va_start(ap, fmt);
		vsnformat(p->why, p->why_len, fmt, ap);
		va_end(ap);
	}
	return err;
}

static void warn(struct parser *p, const char *fmt, ...) __printf(2, 3);

static void warn(struct parser *p, const char *fmt, ...)
{
	char *w = p->bi->warn;
	size_t used = strlen(w);
	va_list ap;

	if (used + 3 >= BOOT_WARN_MAX)
		return;
	if (used) {
		memcpy(w + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnformat(w + used, BOOT_WARN_MAX - used, fmt, ap);
	va_end(ap);
}

static const u8 *map_range(struct parser *p, u64 pa, u64 len)
{
	if (len && pa + len - 1 < pa)
		return NULL; /* wraps around the address space */
	return p->map(pa, len, p->ctx);
}

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

/*
 * Copy a string the loader gave only by physical address (MB1). Its length is
 * unknown, so map byte by byte: a mapping that ends mid-string must not be read
 * past, and this runs once at boot on short strings.
 */
static int copy_pa_string(struct parser *p, u64 pa, char *dst, size_t max, const char *what,
			  bool truncate_ok)
{
	for (size_t i = 0;; i++) {
		const u8 *c = map_range(p, pa + i, 1);

		if (!c)
			return fail(p, -E_INVAL,
				    "%s at 0x%llx: not NUL-terminated in mapped memory", what,
				    (unsigned long long)pa);
		if (i + 1 == max && *c) {
			if (!truncate_ok)
				return fail(p, -E_RANGE, "%s at 0x%llx: longer than %zu bytes",
					    what, (unsigned long long)pa, max - 1);
			dst[i] = '\0';
			warn(p, "%s truncated", what);
			return 0;
		}
		dst[i] = (char)*c;
		if (!*c)
			return 0;
	}
}

static void copy_loader_name(struct parser *p, const u8 *s, size_t avail)
{
	size_t n = 0, max = BOOT_LOADER_NAME_MAX - 1;

	while (n < avail && n < max && s[n])
		n++;
	memcpy(p->bi->loader_name, s, n);
	p->bi->loader_name[n] = '\0';
	if (n == max && n < avail && s[n])
		warn(p, "boot loader name truncated");
}

static void add_mmap(struct parser *p, u64 base, u64 len, u32 type)
{
	struct boot_info *bi = p->bi;

	if (!len)
		return; /* an empty range describes nothing */
	if (base + len < base) {
		warn(p, "mmap entry at 0x%llx wraps: clamped", (unsigned long long)base);
		len = 0 - base;
	}
	if (bi->mmap_count >= BOOT_MMAP_MAX) {
		if (!bi->mmap_truncated)
			warn(p, "memory map has more than %u entries: kept the first %u",
			     BOOT_MMAP_MAX, BOOT_MMAP_MAX);
		bi->mmap_truncated = true;
		return;
	}
	bi->mmap[bi->mmap_count++] = (struct boot_mmap_entry){base, len, type};
}

/* *out is NULL when the module was dropped because the table is full. */
static int add_module(struct parser *p, u64 start, u64 end, u32 index, struct boot_module **out)
{
	struct boot_info *bi = p->bi;

	*out = NULL;
	if (start > end)
		return fail(p, -E_INVAL, "module %u: start 0x%llx is above end 0x%llx", index,
			    (unsigned long long)start, (unsigned long long)end);
	if (bi->module_count >= BOOT_MODULES_MAX) {
		if (!bi->modules_truncated)
			warn(p, "more than %u modules: kept the first %u", BOOT_MODULES_MAX,
			     BOOT_MODULES_MAX);
		bi->modules_truncated = true;
		return 0;
	}
	*out = &bi->modules[bi->module_count++];
	(*out)->start = start;
	(*out)->end = end;
	return 0;
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
		return fail(p, -E_INVAL, "%s tag: string not NUL-terminated within the tag", what);
	if (n == -2)
		return fail(p, -E_RANGE, "%s tag: longer than %zu bytes", what, max - 1);
	return 0;
}

static int mb2_module(struct parser *p, const u8 *t, u32 size)
{
	u32 index = p->bi->module_count;
	struct boot_module *m;
	long n;
	int err;

	if (size < MB2_MODULE_FIXED + 1)
		return fail(p, -E_INVAL, "module tag %u: size %u too small", index, size);
	err = add_module(p, rd32(t, 8), rd32(t, 12), index, &m);
	if (err || !m)
		return err;
	n = copy_bounded(m->cmdline, sizeof(m->cmdline), t + MB2_MODULE_FIXED,
			 size - MB2_MODULE_FIXED);
	if (n == -1)
		return fail(p, -E_INVAL, "module %u: string not NUL-terminated within the tag",
			    index);
	if (n == -2)
		return fail(p, -E_RANGE, "module %u: command line longer than %u bytes", index,
			    BOOT_MODULE_CMDLINE_MAX - 1);
	return 0;
}

static int mb2_mmap(struct parser *p, const u8 *t, u32 size)
{
	u32 esize, count;

	if (size < MB2_MMAP_FIXED)
		return fail(p, -E_INVAL, "mmap tag: size %u too small", size);
	esize = rd32(t, 8);
	if (esize < MB2_MMAP_ENTRY_MIN || esize % MB2_MMAP_ENTRY_ALIGN)
		return fail(p, -E_INVAL,
			    "mmap tag: entry_size %u (must be >= %u and a multiple of %u)", esize,
			    MB2_MMAP_ENTRY_MIN, MB2_MMAP_ENTRY_ALIGN);
	if ((size - MB2_MMAP_FIXED) % esize)
		warn(p, "mmap tag: %u trailing bytes ignored", (size - MB2_MMAP_FIXED) % esize);
	count = (size - MB2_MMAP_FIXED) / esize;
	p->bi->mmap_source = BOOT_MMAP_MULTIBOOT;
	for (u32 i = 0; i < count; i++) {
		const u8 *e = t + MB2_MMAP_FIXED + (size_t)i * esize;

		add_mmap(p, rd64(e, 0), rd64(e, 8), rd32(e, 16));
	}
	return 0;
}

static int mb2_efi_mmap(struct parser *p, const u8 *t, u32 size)
{
	u32 dsize, count;

	if (size < MB2_EFI_MMAP_FIXED)
		return fail(p, -E_INVAL, "EFI mmap tag: size %u too small", size);
	dsize = rd32(t, 8);
	if (dsize < EFI_MD_MIN || dsize % MB2_MMAP_ENTRY_ALIGN)
		return fail(p, -E_INVAL,
			    "EFI mmap tag: descriptor_size %u (must be >= %u and a multiple of %u)",
			    dsize, EFI_MD_MIN, MB2_MMAP_ENTRY_ALIGN);
	count = (size - MB2_EFI_MMAP_FIXED) / dsize;
	p->bi->mmap_source = BOOT_MMAP_EFI;
	for (u32 i = 0; i < count; i++) {
		const u8 *d = t + MB2_EFI_MMAP_FIXED + (size_t)i * dsize;
		u64 pages = rd64(d, EFI_MD_PAGES_OFF);

		if (pages > (~0ull >> EFI_PAGE_SHIFT))
			return fail(p, -E_INVAL,
				    "EFI mmap descriptor %u: page count 0x%llx too large", i,
				    (unsigned long long)pages);
		add_mmap(p, rd64(d, EFI_MD_PHYS_OFF), pages << EFI_PAGE_SHIFT,
			 efi_to_boot_type(rd32(d, EFI_MD_TYPE_OFF)));
	}
	return 0;
}

static int mb2_rsdp(struct parser *p, const u8 *t, u32 size, u8 version)
{
	u32 len = size - MB2_TAG_HDR_SIZE;
	u32 min = version == 1 ? ACPI_RSDP_V1_SIZE : ACPI_RSDP_V2_SIZE;

	if (len < min)
		return fail(p, -E_INVAL, "ACPI RSDP tag %u: %u bytes, need %u",
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
		return fail(p, -E_INVAL, "framebuffer tag: size %u too small", size);
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
	warn(p, "duplicate tag type %u ignored", type);
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
			return fail(p, -E_INVAL, "basic meminfo tag: size %u too small", size);
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
			return fail(p, -E_INVAL, "EFI64 tag: size %u too small", size);
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

static int mb2_parse(struct parser *p, u64 info_pa)
{
	const u8 *info, *efi_mmap = NULL;
	u32 total, off, efi_mmap_size = 0, seen = 0;
	int err;

	if (!IS_ALIGNED(info_pa, MB2_TAG_ALIGN))
		return fail(p, -E_INVAL, "multiboot2 info at 0x%llx is not 8-byte aligned",
			    (unsigned long long)info_pa);
	info = map_range(p, info_pa, MB2_INFO_HDR_SIZE);
	if (!info)
		return fail(p, -E_INVAL, "multiboot2 info at 0x%llx is not accessible",
			    (unsigned long long)info_pa);
	total = rd32(info, 0);
	if (total < MB2_INFO_HDR_SIZE + MB2_TAG_HDR_SIZE || total > MB2_INFO_MAX)
		return fail(p, -E_INVAL, "multiboot2 total_size %u out of range (%u..%u)", total,
			    MB2_INFO_HDR_SIZE + MB2_TAG_HDR_SIZE, MB2_INFO_MAX);
	info = map_range(p, info_pa, total);
	if (!info)
		return fail(p, -E_INVAL, "multiboot2 total_size %u runs past accessible memory",
			    total);

	for (off = MB2_INFO_HDR_SIZE;;) {
		u32 type, size;

		if (total - off < MB2_TAG_HDR_SIZE)
			return fail(p, -E_INVAL, "multiboot2 info: no end tag within total_size %u",
				    total);
		type = rd32(info, off);
		size = rd32(info, off + 4);
		if (size < MB2_TAG_HDR_SIZE)
			return fail(p, -E_INVAL, "tag type %u at offset %u: size %u is below %u",
				    type, off, size, MB2_TAG_HDR_SIZE);
		if (size > total - off)
			return fail(p, -E_INVAL,
				    "tag type %u at offset %u: size %u runs past total_size %u",
				    type, off, size, total);
		if (type == MB2_TAG_END)
			break;
		err = mb2_tag(p, info + off, type, size, &seen, &efi_mmap, &efi_mmap_size);
		if (err)
			return err;
		/* The last tag may end exactly at total_size without padding room. */
		if (ALIGN_UP((u64)size, MB2_TAG_ALIGN) > total - off)
			return fail(p, -E_INVAL, "multiboot2 info: no end tag within total_size %u",
				    total);
		off += (u32)ALIGN_UP(size, MB2_TAG_ALIGN);
	}
	if (p->bi->mmap_source == BOOT_MMAP_NONE && efi_mmap) {
		err = mb2_efi_mmap(p, efi_mmap, efi_mmap_size);
		if (err)
			return err;
	}
	return 0;
}

/* ---- Multiboot1 ---- */

static int mb1_modules(struct parser *p, u32 count, u32 addr)
{
	const u8 *mods;

	if (count > MB1_MODS_MAX)
		return fail(p, -E_INVAL, "mods_count %u is implausibly large", count);
	if (!count)
		return 0;
	mods = map_range(p, addr, (u64)count * MB1_MODULE_SIZE);
	if (!mods)
		return fail(p, -E_INVAL, "module list at 0x%x (%u entries) is not accessible", addr,
			    count);
	for (u32 i = 0; i < count; i++) {
		const u8 *e = mods + (size_t)i * MB1_MODULE_SIZE;
		u32 str = rd32(e, 8);
		struct boot_module *m;
		char name[24];
		int err;

		err = add_module(p, rd32(e, 0), rd32(e, 4), i, &m);
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
		return fail(p, -E_INVAL, "mmap_length %u is implausibly large", length);
	p->bi->mmap_source = BOOT_MMAP_MULTIBOOT;
	if (!length)
		return 0;
	mm = map_range(p, addr, length);
	if (!mm)
		return fail(p, -E_INVAL, "memory map at 0x%x (%u bytes) is not accessible", addr,
			    length);
	while (off < length) {
		u32 size;

		if (length - off < MB1_MMAP_SIZE_FIELD)
			return fail(p, -E_INVAL, "mmap entry at offset %u: truncated size field",
				    off);
		size = rd32(mm, off);
		if (size < MB1_MMAP_ENTRY_MIN)
			return fail(p, -E_INVAL, "mmap entry at offset %u: size %u is below %u",
				    off, size, MB1_MMAP_ENTRY_MIN);
		if (size > length - off - MB1_MMAP_SIZE_FIELD)
			return fail(p, -E_INVAL,
				    "mmap entry at offset %u: size %u runs past mmap_length %u",
				    off, size, length);
		off += MB1_MMAP_SIZE_FIELD;
		add_mmap(p, rd64(mm, off), rd64(mm, off + 8), rd32(mm, off + 16));
		off += size;
	}
	return 0;
}

static int mb1_parse(struct parser *p, u64 info_pa)
{
	struct boot_info *bi = p->bi;
	const u8 *info;
	u32 flags, need;
	int err;

	info = map_range(p, info_pa, MB1_INFO_MIN);
	if (!info)
		return fail(p, -E_INVAL, "multiboot info at 0x%llx is not accessible",
			    (unsigned long long)info_pa);
	flags = rd32(info, MB1_OFF_FLAGS);
	/* Map only as much as the flags say is filled in. */
	need = (flags & MB1_F_FRAMEBUFFER) ? MB1_INFO_SIZE : MB1_OFF_FB_ADDR;
	info = map_range(p, info_pa, need);
	if (!info)
		return fail(p, -E_INVAL, "multiboot info at 0x%llx: %u bytes not accessible",
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

int multiboot_parse(u32 magic, u64 info_pa, boot_map_fn map, void *ctx, struct boot_info *bi,
		    char *why, size_t why_len)
{
	struct parser p = {.map = map, .ctx = ctx, .bi = bi, .why = why, .why_len = why_len};

	memset(bi, 0, sizeof(*bi));
	if (why && why_len)
		why[0] = '\0';
	switch (magic) {
	case MB2_BOOTLOADER_MAGIC:
		bi->proto = BOOT_PROTO_MB2;
		return mb2_parse(&p, info_pa);
	case MB1_BOOTLOADER_MAGIC:
		bi->proto = BOOT_PROTO_MB1;
		return mb1_parse(&p, info_pa);
	default:
		return fail(
			&p, -E_INVAL,
			"bad boot magic 0x%08x (expected multiboot2 0x%08x or multiboot 0x%08x)",
			magic, MB2_BOOTLOADER_MAGIC, MB1_BOOTLOADER_MAGIC);
	}
}

static bool ranges_overlap(u64 a0, u64 a1, u64 b0, u64 b1)
{
	/* Empty ranges hold no byte and overlap nothing. */
	return a0 < a1 && b0 < b1 && a0 < b1 && b0 < a1;
}

static const char *module_label(const struct boot_module *m)
{
	return m->cmdline[0] ? m->cmdline : "(no name)";
}

int boot_info_check_modules(const struct boot_info *bi, u64 kernel_start, u64 kernel_end, char *why,
			    size_t why_len)
{
	u32 n = MIN(bi->module_count, (u32)BOOT_MODULES_MAX);

	for (u32 i = 0; i < n; i++) {
		const struct boot_module *a = &bi->modules[i];

		if (ranges_overlap(a->start, a->end, kernel_start, kernel_end)) {
			if (why && why_len)
				snformat(why, why_len,
					 "module %u '%.64s' [0x%llx-0x%llx) overlaps the kernel "
					 "[0x%llx-0x%llx)",
					 i, module_label(a), (unsigned long long)a->start,
					 (unsigned long long)a->end,
					 (unsigned long long)kernel_start,
					 (unsigned long long)kernel_end);
			return -E_OVERLAP;
		}
		for (u32 j = i + 1; j < n; j++) {
			const struct boot_module *b = &bi->modules[j];

			if (!ranges_overlap(a->start, a->end, b->start, b->end))
				continue;
			if (why && why_len)
				snformat(why, why_len,
					 "module %u '%.64s' [0x%llx-0x%llx) overlaps module %u "
					 "'%.64s' [0x%llx-0x%llx)",
					 i, module_label(a), (unsigned long long)a->start,
					 (unsigned long long)a->end, j, module_label(b),
					 (unsigned long long)b->start, (unsigned long long)b->end);
			return -E_OVERLAP;
		}
	}
	return 0;
}

const char *boot_mem_type_name(u32 type)
{
	switch (type) {
	case BOOT_MEM_AVAILABLE:
		return "available";
	case BOOT_MEM_RESERVED:
		return "reserved";
	case BOOT_MEM_ACPI:
		return "ACPI";
	case BOOT_MEM_NVS:
		return "ACPI NVS";
	case BOOT_MEM_BAD:
		return "bad";
	default:
		return "unknown";
	}
}
