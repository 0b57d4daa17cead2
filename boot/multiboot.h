/* SPDX-License-Identifier: MIT */
/*
 * Multiboot1/Multiboot2 boot information parser. The loader's info block can
 * sit anywhere, even below the kernel under UEFI, so early boot copies what it
 * needs into a self-contained struct boot_info before reusing any memory. The
 * parser only touches memory through a mapping callback and rejects malformed
 * input with an error code and a readable reason, which also lets the hosted
 * unit tests feed it plain byte buffers.
 */
#ifndef TERN_BOOT_MULTIBOOT_H
#define TERN_BOOT_MULTIBOOT_H

#include "lib/types.h"

#define MB1_BOOTLOADER_MAGIC 0x2BADB002u
#define MB2_BOOTLOADER_MAGIC 0x36d76289u

#define BOOT_CMDLINE_MAX	1024 /* bytes including the NUL */
#define BOOT_LOADER_NAME_MAX	64   /* longer names are truncated (cosmetic) */
#define BOOT_MMAP_MAX		128
#define BOOT_MODULES_MAX	16
#define BOOT_MODULE_CMDLINE_MAX 512
#define BOOT_RSDP_MAX		64 /* an ACPI 2.0+ RSDP is 36 bytes */
#define BOOT_WARN_MAX		256

/* Memory types, numbered as in the Multiboot memory map. */
enum boot_mem_type {
	BOOT_MEM_AVAILABLE = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI = 3, /* ACPI reclaimable */
	BOOT_MEM_NVS = 4,
	BOOT_MEM_BAD = 5,
};

enum boot_proto {
	BOOT_PROTO_NONE = 0,
	BOOT_PROTO_MB1 = 1,
	BOOT_PROTO_MB2 = 2,
};

/* Where boot_info.mmap came from. */
enum boot_mmap_source {
	BOOT_MMAP_NONE = 0,
	BOOT_MMAP_MULTIBOOT, /* MB1 mmap or MB2 tag 6 (E820-style) */
	BOOT_MMAP_EFI,	     /* MB2 tag 17, converted */
};

struct boot_mmap_entry {
	u64 base;
	u64 len;
	u32 type; /* enum boot_mem_type, or the loader's raw value if unknown */
};

struct boot_module {
	u64 start;
	u64 end; /* exclusive */
	char cmdline[BOOT_MODULE_CMDLINE_MAX];
};

struct boot_framebuffer {
	bool present;
	u64 addr;
	u32 pitch;
	u32 width;
	u32 height;
	u8 bpp;
	u8 type; /* 0 indexed, 1 RGB, 2 EGA text */
};

struct boot_info {
	enum boot_proto proto;
	char cmdline[BOOT_CMDLINE_MAX];
	char loader_name[BOOT_LOADER_NAME_MAX];

	bool has_meminfo;
	u32 mem_lower_kib; /* basic meminfo: KiB below 1 MiB */
	u32 mem_upper_kib; /* KiB above 1 MiB up to the first hole */

	enum boot_mmap_source mmap_source;
	u32 mmap_count;
	bool mmap_truncated; /* more entries than BOOT_MMAP_MAX: first ones kept */
	struct boot_mmap_entry mmap[BOOT_MMAP_MAX];
	bool has_efi_mmap; /* tag 17 seen (used only when tag 6 is missing) */

	u32 module_count;
	bool modules_truncated;
	struct boot_module modules[BOOT_MODULES_MAX];

	u8 rsdp_version; /* 0: none (MB1: scan BIOS areas), 1: tag 14, 2: tag 15 */
	u32 rsdp_len;
	u8 rsdp[BOOT_RSDP_MAX];

	bool efi64;	  /* tag 12 present: booted from 64-bit UEFI */
	u64 efi64_systab; /* physical address of the EFI system table */

	struct boot_framebuffer fb;

	/* Non-fatal oddities ("; "-separated), for one pr_warn by the caller. */
	char warn[BOOT_WARN_MAX];
};

/*
 * Returns a pointer to len bytes at physical address pa, or NULL when any part
 * of [pa, pa + len) cannot be accessed.
 */
typedef const void *(*boot_map_fn)(u64 pa, u64 len, void *ctx);

/*
 * Parse the boot information handed over in EAX (magic) and EBX (info_pa).
 * Returns 0, or a negative error with a reason in why (may be NULL). On error
 * bi holds whatever was parsed so far and must not be trusted.
 */
int multiboot_parse(u32 magic, u64 info_pa, boot_map_fn map, void *ctx, struct boot_info *bi,
		    char *why, size_t why_len);

/*
 * Check that no module overlaps [kernel_start, kernel_end) or another module.
 * Returns 0 or -E_OVERLAP with a message naming the module(s).
 */
int boot_info_check_modules(const struct boot_info *bi, u64 kernel_start, u64 kernel_end, char *why,
			    size_t why_len);

const char *boot_mem_type_name(u32 type);

#endif
