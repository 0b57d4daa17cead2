/*
 * Tern hypercall ABI, guest side: runtime memory slots (TERN_HC_MEMSLOT)
 * and the second-level MMU counters appended to struct tern_vm_stats
 * (virt/hypercall_abi.h is the reference).
 */
#ifndef TERN_MMU_H
#define TERN_MMU_H

#include "tern_hypercall.h"

/* TERN_HC_MEMSLOT: RBX = sub-command, RCX/RDX/RSI = arguments. */
#define TERN_MEMSLOT_LIST   0 /* RCX = gpa of struct tern_memslot[RDX] -> number of slots */
#define TERN_MEMSLOT_ADD    1 /* RCX = id, RDX = gpa, RSI = size -> 0 (new RAM reads zeros) */
#define TERN_MEMSLOT_DELETE 2 /* RCX = id -> 0 (range reads all ones, contents freed) */
#define TERN_MEMSLOT_MOVE   3 /* RCX = id, RDX = new gpa -> 0 (contents move along) */
#define TERN_MEMSLOT_RESIZE 4 /* RCX = id, RDX = new size -> 0 (prefix kept, growth zeros) */

#define TERN_E_NOENT  (-2)
#define TERN_E_NOMEM  (-12)
#define TERN_E_BUSY   (-16) /* overlaps another slot */
#define TERN_E_EXIST  (-17)
#define TERN_E_INVAL  (-22)

struct tern_memslot {
	unsigned long long gpa, size;
	unsigned int id, flags;
	unsigned long long populated; /* bytes of backing allocated */
};

struct tern_vm_stats_mmu {
	struct tern_vm_stats base;
	unsigned long long tdp_faults;
	unsigned long long mmio_fast;
	unsigned long long mmio_slow;
	unsigned long long table_pages;
	unsigned long long table_pages_max;
	unsigned long long table_pages_cap;
	unsigned long long memslot_generation;
	unsigned long long tlb_kicks;
	unsigned long long cap_hits;
	unsigned long long leaves_4k, leaves_2m, leaves_1g;
	/* memory overcommit (maxmem=) */
	unsigned long long oc_limit_pages, oc_resident_pages, oc_resident_max;
	unsigned long long oc_scans, oc_young, oc_old;
	unsigned long long oc_evict_zero, oc_evict_compressed, oc_evict_kept;
	unsigned long long oc_refaults, oc_stored_pages, oc_stored_bytes;
	unsigned long long oc_ratio_x100, oc_age_ns_per_page;
	unsigned long long oc_evict_raw, oc_incomp_skipped, oc_host_evicted;
	/* host-wide, in 4 KiB pages */
	unsigned long long host_free_pages, host_free_lowest;
	unsigned long long host_reserve_pages, host_low_pages;
};

#endif
