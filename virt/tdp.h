/* SPDX-License-Identifier: MIT */
/*
 * Second-level (two-dimensional) paging for guests, EPT on Intel and NPT on
 * AMD: the VM-side glue around the TDP MMU (mm/tdp/tdp_mmu.h). Tables are
 * built on demand: a fault on a slot-backed gfn prepares the backing (before
 * any lock), tops up the vCPU's mmu_cache and installs the SPTE under
 * mmu_lock held for read; a fault on a gfn without a slot installs an MMIO
 * SPTE tagged with the memslot generation, so the next access comes back as
 * VM_EXIT_TDP_MISCONFIG and goes straight to device emulation.
 *
 * Locks: vm->slots_lock (read on the fault path, write for slot changes),
 * then mmu_lock. Table pages unlinked by a zap are freed after a grace
 * period: every CPU that runs vCPUs calls tdp_quiescent() between exits.
 */
#ifndef TERN_VIRT_TDP_H
#define TERN_VIRT_TDP_H

#include "lib/types.h"

struct vm;
struct vcpu;
struct memslot;
struct spte_format;

/* The arch code's entry encodings (arch/x86/{vmx/ept,svm/npt}.c), for its self-tests. */
struct tdp_format {
	const char *name;
	u64 (*table_entry)(paddr_t table);
	u64 (*leaf_entry)(paddr_t pa, bool writable, bool executable, bool large);
};

extern const struct tdp_format *tdp_format;        /* bound by virt_init() */
extern const struct spte_format *tdp_spte_format;  /* bound by virt_init() */
extern int tdp_max_level;                          /* largest leaf the CPU allows: 1G, 2M or 4K */

#define TDP_MAX_GUEST_GFN (1ull << (48 - 12)) /* 4-level tables: 48-bit gpa */

/* Default cap on a VM's table pages: enough to map all its RAM with 4 KiB
 * pages twice over (moves, MMIO SPTEs), plus slack. */
u64 tdp_default_cap(u64 mem_bytes);

/* Create the VM's MMU (empty root in vm->tdp_root), capped at vm->tdp_pages_cap. */
int tdp_vm_init(struct vm *vm);
/* Free every table page (no vCPU of the VM may run). */
void tdp_destroy(struct vm *vm);
void tdp_vcpu_destroy(struct vcpu *v);

/* What the fault path left to do. */
enum tdp_outcome {
	TDP_RESUME,  /* mapped (or retried): re-enter the guest */
	TDP_EMULATE, /* no RAM there: emulate the access against the MMIO bus */
	TDP_STOPPED, /* the VM was stopped with the reason */
};

/* VM_EXIT_TDP_FAULT and the slow path of VM_EXIT_TDP_MISCONFIG. */
enum tdp_outcome tdp_handle_fault(struct vcpu *v, u64 gpa, bool write, bool exec, bool rsvd);
/* VM_EXIT_TDP_MISCONFIG fast path: an MMIO SPTE of the current generation. */
bool tdp_mmio_fast(struct vcpu *v, u64 gpa);

/*
 * Slot changes (virt/vm_mem.c), with vm->slots_lock held for write:
 * tdp_update_lock() takes mmu_lock for write (the memslot table changes only
 * under it), tdp_zap_gfn_range() zaps [start, end) under it and says whether
 * TLBs must be flushed, tdp_update_unlock() tells the MMU the generation
 * changed (zapping all on a wrap of the MMIO SPTEs' bits) and drops the
 * lock; it returns true when TLBs must be flushed because of that.
 */
void tdp_update_lock(struct vm *vm);
bool tdp_zap_gfn_range(struct vm *vm, u64 start, u64 end);
bool tdp_update_unlock(struct vm *vm);

/* Host page backing page idx of slot m, populated on demand if 'alloc'. */
paddr_t tdp_backing(struct memslot *m, u64 idx, bool alloc);

/* A quiescent point of this CPU (run loop, idle); frees expired tables of vm. */
void tdp_quiescent(struct vm *vm);
/* This CPU runs (or stops running) vCPUs: it takes part in grace periods. */
void tdp_cpu_online(bool online);

struct tdp_vm_stats {
	u64 table_pages, table_pages_max, table_pages_cap, deferred_pages;
	u64 cache_bytes; /* reserved in the vCPUs' mmu_caches */
	u64 faults, fixed, spurious, retries, mmio, mmio_fast, cap_hits, zapped;
	u64 leaves_4k, leaves_2m, leaves_1g; /* leaves installed by faults, by size */
};
void tdp_vm_stats(struct vm *vm, struct tdp_vm_stats *out);

/* Look up the leaf mapping 'gpa' (for tests): host pa or 0. */
paddr_t tdp_translate(struct vm *vm, u64 gpa);

#endif
