/* SPDX-License-Identifier: MIT */
/*
 * Tern's hypercall ABI, shared by Tern and the guest library (no kernel
 * types, only <stdint.h>). A guest executes VMCALL (Intel) or VMMCALL (AMD)
 * with RAX = call number and RBX, RCX, RDX, RSI = arguments; the result is
 * returned in RAX, negative values being errors. In 32-bit guests the
 * registers are used as their low 32 bits and the result is sign-extended.
 */
#ifndef TERN_VIRT_HYPERCALL_ABI_H
#define TERN_VIRT_HYPERCALL_ABI_H

#include <stdint.h>

enum tern_hypercall {
	TERN_HC_VERSION = 0,     /* -> TERN_HC_ABI_VERSION */
	TERN_HC_PUTS = 1,        /* RBX = gpa of a NUL-terminated string, RCX = max length */
	TERN_HC_EXIT = 2,        /* RBX = VM status (1 = success); does not return */
	TERN_HC_STATS = 3,       /* RBX = gpa of a buffer, RCX = size -> bytes written */
	TERN_HC_MEMSLOT = 4,     /* RBX = sub-command (TERN_MEMSLOT_*), below */
	TERN_HC_GET_TSC_KHZ = 5, /* -> host TSC frequency in kHz */
};

#define TERN_HC_ABI_VERSION 1
#define TERN_HC_PUTS_MAX 1024

#define TERN_HC_OK 0
#define TERN_HC_EFAULT (-14)     /* an argument address is not guest RAM */
#define TERN_HC_EINVAL (-22)     /* an argument is out of range */
#define TERN_HC_ENOENT (-2)      /* no such memory slot */
#define TERN_HC_ENOMEM (-12)     /* out of host memory or of slot table entries */
#define TERN_HC_EBUSY (-16)      /* the range overlaps another slot */
#define TERN_HC_EEXIST (-17)     /* a slot with that id exists */
#define TERN_HC_EUNKNOWN (-1000) /* no such call (or TERN_HC_MEMSLOT sub-command) */

/*
 * TERN_HC_MEMSLOT: runtime RAM slots. RBX = sub-command; addresses and sizes
 * are bytes, 4 KiB-aligned, a slot at most 1 GiB. Every change zaps only the
 * second-level mappings of the affected guest-physical range and flushes the
 * guest TLB of every vCPU before the call returns.
 *
 *   TERN_MEMSLOT_LIST   RCX = gpa of struct tern_memslot[RDX] (RDX may be 0)
 *                       -> number of slots (entries written: min(that, RDX))
 *   TERN_MEMSLOT_ADD    RCX = id, RDX = gpa, RSI = size -> 0
 *                       new RAM reads as zeros (backing is allocated on demand)
 *   TERN_MEMSLOT_DELETE RCX = id -> 0; the range becomes unassigned: reads
 *                       return all ones, writes are ignored; its contents are
 *                       freed (adding a slot there again gives zeros)
 *   TERN_MEMSLOT_MOVE   RCX = id, RDX = new gpa -> 0; the contents move with
 *                       the slot (they appear at the new gpa), the old range
 *                       becomes unassigned
 *   TERN_MEMSLOT_RESIZE RCX = id, RDX = new size -> 0; the first
 *                       min(old, new) bytes are kept, growth reads as zeros,
 *                       a cut tail becomes unassigned
 * Errors: TERN_HC_EINVAL (alignment, size 0 or > 1 GiB, wraps), TERN_HC_ENOENT,
 * TERN_HC_EEXIST, TERN_HC_EBUSY (overlap), TERN_HC_ENOMEM, TERN_HC_EFAULT
 * (LIST buffer not in RAM), TERN_HC_EUNKNOWN (sub-command).
 */
enum tern_memslot_cmd {
	TERN_MEMSLOT_LIST = 0,
	TERN_MEMSLOT_ADD = 1,
	TERN_MEMSLOT_DELETE = 2,
	TERN_MEMSLOT_MOVE = 3,
	TERN_MEMSLOT_RESIZE = 4,
};

struct tern_memslot {
	uint64_t gpa;
	uint64_t size;
	uint32_t id;
	uint32_t flags;
	uint64_t populated; /* bytes of backing allocated so far */
};

#define TERN_STATS_EXIT_KINDS 32

struct tern_vm_stats {
	uint64_t exits_total;
	uint64_t exits_by_kind[TERN_STATS_EXIT_KINDS]; /* indexed by Tern's exit kind */
	uint64_t tsc_in_guest;
	uint64_t tsc_in_tern;
	/* Second-level MMU (appended: older callers pass a shorter size). */
	uint64_t tdp_faults;       /* faults on RAM fixed by the MMU */
	uint64_t mmio_fast;        /* MMIO SPTE hits emulated without a slot lookup */
	uint64_t mmio_slow;        /* MMIO accesses through the slow path */
	uint64_t table_pages;      /* second-level table pages in use */
	uint64_t table_pages_max;  /* high-water mark */
	uint64_t table_pages_cap;  /* per-VM cap */
	uint64_t memslot_generation;
	uint64_t tlb_kicks;        /* vCPUs kicked out of guest mode to flush */
	uint64_t cap_hits;         /* faults that found the table-page cap reached */
	uint64_t leaves_4k;        /* leaves installed by faults: 4 KiB, */
	uint64_t leaves_2m;        /*   2 MiB */
	uint64_t leaves_1g;        /*   and 1 GiB */
	/* Memory overcommit (maxmem=; all 0 when not overcommitted). */
	uint64_t oc_limit_pages;       /* resident limit, 4 KiB pages */
	uint64_t oc_resident_pages;    /* host pages backing guest RAM now */
	uint64_t oc_resident_max;      /* high-water mark */
	uint64_t oc_scans;             /* aging passes */
	uint64_t oc_young, oc_old;     /* pages found young / old by aging */
	uint64_t oc_evict_zero;        /* evicted all-zero pages (dropped) */
	uint64_t oc_evict_compressed;  /* evicted pages compressed in memory */
	uint64_t oc_evict_kept;        /* victims kept resident (incompressible) */
	uint64_t oc_refaults;          /* compressed pages faulted back */
	uint64_t oc_stored_pages;      /* compressed pages held */
	uint64_t oc_stored_bytes;      /* their compressed size */
	uint64_t oc_ratio_x100;        /* compression ratio x 100 */
	uint64_t oc_age_ns_per_page;   /* mean aging time per scanned page */
	uint64_t oc_evict_raw;         /* incompressible pages stored raw (limit) */
	uint64_t oc_incomp_skipped;    /* victims skipped: remembered incompressible */
	uint64_t oc_host_evicted;      /* pages evicted for host memory pressure */
	/* Host-wide (mm/reclaim/host_reclaim.h), in 4 KiB pages. */
	uint64_t host_free_pages;      /* free now */
	uint64_t host_free_lowest;     /* lowest seen */
	uint64_t host_reserve_pages;   /* guests never take memory below this */
	uint64_t host_low_pages;       /* background reclaim starts below this */
};

#endif
