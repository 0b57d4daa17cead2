/* SPDX-License-Identifier: MIT */
/*
 * Early physical memory map, memblock style. Boot code feeds it the firmware's
 * "available" RAM ranges and every area that must not be handed out (firmware
 * reserved, kernel image, boot info, modules); reserved always wins over RAM.
 * Before the buddy allocator exists, memmap_alloc_early() carves pages from
 * what is left; mm_init_from_memmap() then hands every free range to the
 * buddy allocator and seals the map. Pure code: no locking, boot CPU only.
 */
#ifndef TERN_MM_MEMMAP_H
#define TERN_MM_MEMMAP_H

#include "lib/types.h"

#define MEMMAP_MAX_RANGES 128

/* x86-64 physical addresses are at most 52 bits wide; RAM above is ignored. */
#define MEMMAP_PHYS_LIMIT BIT(52)

/* Positive result of memmap_add_ram(): nothing of a whole page was left. */
#define MEMMAP_DROPPED 1

struct mem_range {
	u64 start; /* inclusive */
	u64 end;   /* exclusive */
};

struct mem_reserved {
	u64 start; /* exact bytes, as given; rounded out to pages when used */
	u64 end;
	const char *why;
};

struct memmap {
	struct mem_range ram[MEMMAP_MAX_RANGES]; /* page aligned, sorted, disjoint */
	unsigned int nr_ram;
	struct mem_reserved rsv[MEMMAP_MAX_RANGES]; /* sorted by start, may overlap */
	unsigned int nr_rsv;
	bool sealed; /* set once the buddy allocator owns the free ranges */
};

void memmap_init(struct memmap *m);

/*
 * Add firmware "available" RAM [start, start + len). Edges are rounded inward
 * to pages; overlapping and adjacent ranges merge. Returns 0 when added,
 * MEMMAP_DROPPED when less than a page remained (nothing added), -E_INVAL for
 * zero length or a wrapping range, -E_RANGE when entirely above
 * MEMMAP_PHYS_LIMIT (clipped otherwise), -E_NOMEM when the table is full,
 * -E_BUSY once sealed.
 */
int memmap_add_ram(struct memmap *m, u64 start, u64 len);

/*
 * Reserve [start, end) (rounded out to pages when computing free memory).
 * @why must stay valid for the map's lifetime (a string literal). Returns 0,
 * -E_INVAL for an empty or inverted range, -E_NOMEM when the table is full.
 * Adjacent or overlapping ranges with the same label merge.
 */
int memmap_reserve(struct memmap *m, u64 start, u64 end, const char *why);

/*
 * Does [start, end) overlap a reserved range (exact bytes)? Returns 0 if not,
 * else -E_OVERLAP with *with (if non-NULL) set to that range's label. Use it
 * before reserving each boot module to catch overlaps with the kernel or with
 * an earlier module.
 */
int memmap_check_overlap(const struct memmap *m, u64 start, u64 end, const char **with);

/* Is [start, end) entirely inside RAM (ignoring reservations)? */
bool memmap_is_ram(const struct memmap *m, u64 start, u64 end);

/*
 * Allocate @size bytes (rounded up to pages) aligned to @align (a power of
 * two, at least a page) ending at or below @limit, highest address first, and
 * record it as reserved with label @why. Returns the physical address, or 0
 * on failure (physical page 0 is never returned). Fails once sealed.
 */
u64 memmap_alloc_early(struct memmap *m, u64 size, u64 align, u64 limit, const char *why);

/* Call @fn for every free (RAM minus reserved) page-aligned range, ascending. */
void memmap_for_each_free(const struct memmap *m, void (*fn)(u64 start, u64 end, void *arg),
			  void *arg);

u64 memmap_total_ram(const struct memmap *m);
u64 memmap_total_free(const struct memmap *m);
u64 memmap_max_addr(const struct memmap *m); /* end of the highest RAM range */

/* Stop early allocations: the buddy allocator now owns the free ranges. */
void memmap_seal(struct memmap *m);

void memmap_dump(const struct memmap *m); /* both tables, via printk */

#endif
