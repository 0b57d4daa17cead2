/* SPDX-License-Identifier: MIT */
/*
 * Tern's own page tables: the direct map of physical memory (read-write,
 * no-execute), the kernel image mapped per section with W^X, and an identity
 * page for the AP trampoline. paging_check_wx() walks the live tables.
 */
#ifndef TERN_ARCH_X86_PAGING_H
#define TERN_ARCH_X86_PAGING_H

#include "lib/types.h"

/* Allocator for table pages: returns a physical page below 4 GiB, or 0. */
typedef paddr_t (*pt_alloc_fn)(void *ctx);

/*
 * Build the final tables and switch to them. 'physmap_top' is the end of the
 * physical range to direct-map (at least 4 GiB so firmware tables and MMIO
 * are reachable). After this, physmap_offset is PHYSMAP_BASE.
 */
int paging_init(u64 physmap_top, pt_alloc_fn alloc, void *ctx);

/* Map one 4 KiB page; flags from arch/x86/pgtable.h. */
int paging_map_page(u64 va, paddr_t pa, u64 flags);
int paging_unmap_page(u64 va);

/* Walk the active tables; returns the leaf entry or 0 and its page size. */
u64 paging_lookup(u64 va, u64 *page_size);

struct wx_report {
	u64 leaves;        /* present leaf mappings seen */
	u64 wx_violations; /* leaves both writable and executable */
	u64 first_bad_va;
};
void paging_check_wx(struct wx_report *r);

/* Take later table pages from the page allocator (once it runs). */
void paging_use_page_allocator(void);

paddr_t paging_root(void);
bool paging_has_1g(void);

#endif
