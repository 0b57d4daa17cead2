/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the guest loaders (loader*.c): the per-load context,
 * checked guest-memory writes, the boot-info bump allocator, module placement
 * and the memory map every multiboot flavour reports. Not for other users.
 */
#ifndef TERN_VIRT_LOADER_PRIV_H
#define TERN_VIRT_LOADER_PRIV_H

#include "boot/multiboot.h" /* MB1/MB2_BOOTLOADER_MAGIC */
#include "lib/types.h"
#include "virt/loader.h"

#define LOADER_4G	   (1ull << 32)
#define LOADER_1M	   0x100000ull
#define LOADER_LEGACY_LO   0xa0000ull /* VGA/BIOS window, reserved in the mmap */
#define LOADER_LEGACY_HI   0x100000ull
#define LOADER_MMAP_MAX	   (2 * LOADER_RAM_RANGES_MAX + 4)
#define LOADER_RFLAGS_INIT 0x2ull /* bit 1 is reserved-one; IF = 0 */
#define LOADER_NAME	   "Tern"

/* Memory map types, numbered as in Multiboot. */
#define LOADER_MEM_AVAILABLE 1
#define LOADER_MEM_RESERVED  2

/* Control registers. */
#define CR0_PE	 BIT(0)
#define CR0_MP	 BIT(1)
#define CR0_ET	 BIT(4)
#define CR0_NE	 BIT(5)
#define CR0_WP	 BIT(16)
#define CR0_PG	 BIT(31)
#define CR4_PAE	 BIT(5)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)

struct loader_mmap_entry {
	u64 base;
	u64 len;
	u32 type;
};

struct loader_ctx {
	const struct guest_mem *mem;
	const struct guest_image *img;
	struct guest_entry *entry;
	char *why;
	size_t why_len;
	u64 limit;	 /* loaded bytes must end at or below this */
	bool boot_area;	 /* the boot area is ours: images may not use it */
	u64 image_start; /* extent of what has been placed so far */
	u64 image_end;
	u64 info_next;			   /* bump pointer in the boot-info area */
	u64 mod_start[LOADER_MODULES_MAX]; /* where the modules were placed */
};

/* Record a reason in c->why and return err (a negative code). */
int loader_fail(struct loader_ctx *c, int err, const char *fmt, ...) __printf(3, 4);

/* Is [gpa, gpa + len) entirely guest RAM? (len 0: gpa in RAM or at its end) */
bool loader_is_ram(const struct guest_mem *m, u64 gpa, u64 len);
/*
 * Check that [gpa, gpa + len) can take part of the image: no wrap-around,
 * below c->limit, RAM, outside the boot area when c->boot_area. 'what' names
 * the piece in the reason.
 */
int loader_check_dest(struct loader_ctx *c, u64 gpa, u64 len, const char *what);
/* Extend the recorded image extent by [gpa, gpa + len). */
void loader_note_extent(struct loader_ctx *c, u64 gpa, u64 len);
/* Copy filesz bytes and zero up to memsz (already checked). */
int loader_copy(struct loader_ctx *c, u64 gpa, const void *src, u64 filesz, u64 memsz);
int loader_write(struct loader_ctx *c, u64 gpa, const void *src, size_t len);

/* Boot-info area: reserve len bytes aligned to align; 0 when full. */
u64 loader_info_alloc(struct loader_ctx *c, size_t len, size_t align);
/* Allocate and write a NUL-terminated copy of s[0, len); 0 on failure. */
u64 loader_info_string(struct loader_ctx *c, const char *s, size_t len);

/* Write the flat GDT and set the 32-bit protected-mode entry state. */
int loader_enter_prot32(struct loader_ctx *c, u64 rip, u32 magic, u64 info);
/* Write the GDT for LONG64 (code64 at LOADER_SEL_CODE). */
int loader_write_gdt(struct loader_ctx *c, bool long64);

/* Place and copy the guest's modules page-aligned above the image, below 4 GiB. */
int loader_place_modules(struct loader_ctx *c);

/* The guest memory map (RAM available, gaps and the legacy window reserved). */
u32 loader_build_mmap(const struct guest_mem *m, struct loader_mmap_entry *out, u32 max);
/* KiB of RAM from 0 below 640 KiB, and from 1 MiB up to the first hole. */
u32 loader_mem_lower_kib(const struct guest_mem *m);
u32 loader_mem_upper_kib(const struct guest_mem *m);

/*
 * a.out-style loading shared by multiboot1 (flag 16) and the multiboot2
 * address tag: the header at file offset hdr_off describes where it lives
 * (header_addr) and what to load.
 */
struct loader_aout {
	u64 hdr_off;
	u32 header_addr;
	u32 load_addr;
	u32 load_end_addr; /* 0: to the end of the file */
	u32 bss_end_addr;  /* 0: no bss */
};
int loader_aout_image(struct loader_ctx *c, const struct loader_aout *a, u64 entry);

/*
 * ELF loading by physical address (p_paddr). Unless entry_given, *entry gets
 * e_entry, translated to a physical address when it falls in a segment's
 * virtual range. Both loaders check the entry point before the first write.
 */
int loader_elf(struct loader_ctx *c, u64 *entry, bool entry_given);
/* Check that the entry point lies inside the loaded image. */
int loader_check_entry(struct loader_ctx *c, u64 rip);

/* Per-format loaders. find_*: offset of a valid header, or -E_NOENT/-E_INVAL. */
long loader_mb1_find(struct loader_ctx *c, bool quiet);
long loader_mb2_find(struct loader_ctx *c, bool quiet);
int loader_mb1(struct loader_ctx *c, size_t hdr_off);
int loader_mb2(struct loader_ctx *c, size_t hdr_off);
int loader_raw(struct loader_ctx *c);

static inline u32 loader_rd32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static inline u16 loader_rd16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static inline u64 loader_rd64(const u8 *p)
{
	return (u64)loader_rd32(p) | (u64)loader_rd32(p + 4) << 32;
}

#endif
