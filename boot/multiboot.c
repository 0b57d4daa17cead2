/* SPDX-License-Identifier: MIT */
/*
 * Multiboot1/Multiboot2 boot information parser (see multiboot.h): the entry
 * point that dispatches on the boot magic, the helpers both protocol parsers
 * share (multiboot_parser.h), and the checks run on the parsed result. The
 * tag walk lives in multiboot2.c and the info block walk in multiboot1.c.
 * Every read is bounds-checked against the mapped info block and goes through
 * memcpy, as the loader gives no alignment guarantee for MB1 structures and
 * the tests feed unaligned buffers. Anything malformed stops the parse with a
 * reason; harmless oddities (truncated lists, duplicate tags) go to bi->warn.
 */
#include "boot/multiboot.h"
#include "boot/multiboot_parser.h"
#include "lib/format.h"
#include "lib/string.h"

int mb_fail(struct parser *p, int err, const char *fmt, ...)
{
	va_list ap;

	if (p->why && p->why_len) {
		va_start(ap, fmt);
		vsnformat(p->why, p->why_len, fmt, ap);
		va_end(ap);
	}
	return err;
}

void mb_warn(struct parser *p, const char *fmt, ...)
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

void mb_add_mmap(struct parser *p, u64 base, u64 len, u32 type)
{
	struct boot_info *bi = p->bi;

	if (!len)
		return; /* an empty range describes nothing */
	if (base + len < base) {
		mb_warn(p, "mmap entry at 0x%llx wraps: clamped", (unsigned long long)base);
		len = 0 - base;
	}
	if (bi->mmap_count >= BOOT_MMAP_MAX) {
		if (!bi->mmap_truncated)
			mb_warn(p, "memory map has more than %u entries: kept the first %u",
				BOOT_MMAP_MAX, BOOT_MMAP_MAX);
		bi->mmap_truncated = true;
		return;
	}
	bi->mmap[bi->mmap_count++] = (struct boot_mmap_entry){base, len, type};
}

int mb_add_module(struct parser *p, u64 start, u64 end, u32 index, struct boot_module **out)
{
	struct boot_info *bi = p->bi;

	*out = NULL;
	if (start > end)
		return mb_fail(p, -E_INVAL, "module %u: start 0x%llx is above end 0x%llx", index,
			       (unsigned long long)start, (unsigned long long)end);
	if (bi->module_count >= BOOT_MODULES_MAX) {
		if (!bi->modules_truncated)
			mb_warn(p, "more than %u modules: kept the first %u", BOOT_MODULES_MAX,
				BOOT_MODULES_MAX);
		bi->modules_truncated = true;
		return 0;
	}
	*out = &bi->modules[bi->module_count++];
	(*out)->start = start;
	(*out)->end = end;
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
		return mb_fail(
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
