/* SPDX-License-Identifier: MIT */
/*
 * Guest image loaders: multiboot1, multiboot2 (ELF or a.out-style images) and
 * raw binaries. A loader validates the image completely, copies it into guest
 * memory through the abstract writer in struct guest_mem (so the same code
 * runs in the kernel on top of vm_write_gpa and in host unit tests on top of a
 * malloc'd buffer), writes the boot information the guest expects, and
 * describes the initial CPU state in struct guest_entry. A bad image gives
 * -E_INVAL (or -E_RANGE/-E_OVERLAP/-E_NOSUPP) and a reason in 'why', never a
 * crash; the VM must then not be started.
 *
 * Guest-physical memory layout used by the loaders:
 *
 *   0x00000000 - 0x00000fff  untouched (real-mode IVT / BDA area)
 *   0x00001000 - 0x00001fff  GDT written by the loader (multiboot and long64)
 *   0x00002000 - 0x00007fff  multiboot: boot information (MBI, mmap, strings)
 *                            long64:    PML4 0x2000, PDPT 0x3000,
 *                                       four page directories 0x4000-0x7fff
 *   0x00007c00               raw real-mode default load address; real-mode
 *                            images use no boot area, so 0x1000-0x7fff is
 *                            theirs too
 *   0x000a0000 - 0x000fffff  reported reserved in the multiboot memory map
 *                            (PC VGA/BIOS window) even where RAM backs it
 *   0x00100000 -             image (multiboot: where its headers say; raw
 *                            long64 default), then the guest's extra modules,
 *                            each page-aligned, above the image
 *   0xc0000000 - 0xffffffff  hole when RAM exceeds 3 GiB (guest_ram_layout)
 *
 * Multiboot and long64 images must not overlap [LOADER_BOOT_AREA_START,
 * LOADER_BOOT_AREA_END). Multiboot images and modules must lie below 4 GiB.
 */
#ifndef TERN_VIRT_LOADER_H
#define TERN_VIRT_LOADER_H

#include "lib/types.h"

#define LOADER_BOOT_AREA_START 0x1000ull
#define LOADER_BOOT_AREA_END   0x8000ull /* exclusive */
#define LOADER_GDT_GPA	       0x1000ull
#define LOADER_INFO_GPA	       0x2000ull /* multiboot info area start */
#define LOADER_PML4_GPA	       0x2000ull /* long64 page tables */
#define LOADER_PDPT_GPA	       0x3000ull
#define LOADER_PD_GPA	       0x4000ull /* 4 pages: 4 GiB in 2 MiB pages */

#define LOADER_RAW_REAL_LOAD   0x7c00ull
#define LOADER_RAW_LONG64_LOAD 0x100000ull
#define LOADER_REAL_STACK      0x7c00ull  /* SS:SP = 0:0x7c00, as a BIOS does */
#define LOADER_LONG64_STACK    0x80000ull /* RSP of raw long64 images */
#define LOADER_REAL_BOOT_DRIVE 0x80	  /* DL of raw real-mode images */

#define LOADER_SEL_CODE 0x10 /* flat code: 32-bit (multiboot) or 64-bit (long64) */
#define LOADER_SEL_DATA 0x18 /* flat 32-bit data */

#define LOADER_RAM_RANGES_MAX 16
#define LOADER_MODULES_MAX    8
#define LOADER_WHY_MAX	      160 /* a good size for the 'why' buffer */

enum guest_format {
	GUEST_FORMAT_AUTO, /* multiboot2 header, else multiboot1 header */
	GUEST_FORMAT_MB1,
	GUEST_FORMAT_MB2,
	GUEST_FORMAT_RAW,
};

enum guest_raw_entry {
	GUEST_RAW_REAL,	  /* real mode, no boot area used */
	GUEST_RAW_LONG64, /* identity-mapped 4 GiB, 64-bit GDT */
};

/* One RAM range of the guest, page-aligned. */
struct guest_mem_range {
	u64 base;
	u64 size;
};

/*
 * The guest's memory as the loader sees it. write/zero return 0 or a negative
 * error; ram[] is sorted, disjoint and inside [0, ram_size) (the gaps are
 * holes, reported reserved to the guest).
 */
struct guest_mem {
	int (*write)(void *ctx, u64 gpa, const void *src, size_t len);
	int (*zero)(void *ctx, u64 gpa, size_t len);
	u64 ram_size; /* RAM is [0, ram_size) minus holes */
	const struct guest_mem_range *ram;
	u32 nr_ram;
	void *ctx;
};

/* An extra module handed to the guest (multiboot MODS / module tags). */
struct guest_module {
	const void *data;
	size_t size;
	const char *string; /* what the guest sees as the module's string */
	size_t string_len;
};

/* What to load and how. */
struct guest_image {
	const void *data;
	size_t size;
	enum guest_format format;
	const char *cmdline; /* NUL-terminated; NULL = empty */
	const struct guest_module *mods;
	u32 nr_mods;
	/* format == GUEST_FORMAT_RAW only */
	u64 load;
	enum guest_raw_entry raw_entry;
	u64 entry_addr;
};

enum guest_entry_mode { GUEST_ENTRY_REAL, GUEST_ENTRY_PROT32, GUEST_ENTRY_LONG64 };

/*
 * Initial vCPU state for the bootstrap processor. Segment registers: CS gets
 * 'cs', DS/ES/SS/FS/GS get 'ds'. REAL: base = selector << 4, limit 0xffff,
 * 16-bit. PROT32: flat 4 GiB 32-bit code/data from the loader's GDT. LONG64:
 * 64-bit code (L=1) and flat data. TR/LDTR/IDTR are left to the integrator's
 * reset defaults (IDT base 0, limit 0x3ff in real mode).
 */
struct guest_entry {
	enum guest_entry_mode mode;
	enum guest_format format; /* what was actually loaded (auto resolved) */
	u64 rip;
	u64 rsp;
	u64 rax, rbx, rcx, rdx, rsi, rdi;
	u64 rflags;		 /* 0x2: interrupts off */
	u64 cr0, cr3, cr4, efer; /* cr3: LONG64 page tables built by the loader */
	u64 gdt_base;
	u16 gdt_limit;
	u16 cs, ds;
	u64 image_start, image_end; /* guest-physical extent of the image */
};

/*
 * Load img into mem and fill *entry. why (may be NULL) receives a reason on
 * failure. The image is validated before its first byte is written; a later
 * failure (no room for a module, boot info too large) can leave part of it in
 * guest memory: the VM must not run after any error.
 */
int guest_load(const struct guest_mem *mem, const struct guest_image *img,
	       struct guest_entry *entry, char *why, size_t why_len);

/*
 * Tern's RAM layout for a VM of mem bytes in 'slots' memory slots: the slots
 * split RAM evenly (page-aligned, the last takes the rest) and are contiguous
 * from 0, except that RAM above 3 GiB moves to 4 GiB, leaving [3, 4) GiB for
 * devices. Fills out[] (one entry per slot, plus one when a slot straddles
 * 3 GiB), returns the count or -E_RANGE if max is too small, -E_INVAL for bad
 * sizes. *ram_size gets the end of the last range.
 */
int guest_ram_layout(u64 mem, u32 slots, struct guest_mem_range *out, u32 max, u64 *ram_size);

const char *guest_format_name(enum guest_format f);

#endif
