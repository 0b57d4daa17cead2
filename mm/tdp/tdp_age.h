/* SPDX-License-Identifier: MIT */
/*
 * Accessed-bit aging of a VM's second-level mappings, for host reclaim (the
 * multi-gen LRU's look-around, idle-page tracking): "has the guest touched
 * these gfns since the last pass?", optionally clearing the answer.
 *
 *   tdp_mmu_age(mmu, start, end, flags, &r)       every present leaf in range
 *   tdp_mmu_test_age(mmu, start, end, flags, &r)  stops at the first young leaf
 *
 * Flags:
 *   TDP_AGE_CLEAR      test-and-clear: a young leaf is made old (EPT/NPT: the
 *                      Accessed bit is cleared; EPT without A/D: the leaf is
 *                      access-tracked, see below). Without it nothing changes.
 *   TDP_AGE_FAST_ONLY  do only what needs no mmu_lock. If something in the
 *                      range could only be aged under the lock (a registered
 *                      locked source, e.g. the shadow MMU's rmaps), it is
 *                      skipped and out->complete is false.
 *
 * The TDP part never takes mmu_lock: it walks the tree like the MMIO fast
 * path, protected by the grace period (mmu_rcu.h) that keeps unlinked tables
 * alive. The caller must therefore run on a CPU registered with
 * mmu_rcu_cpu_online() (or while no table can be freed, e.g. single-threaded
 * hosted tests) and must not pass mmu_quiescent() during the call. Leaves
 * are changed only with atomic compare-and-exchange against the value read,
 * so concurrent faults (mmu_lock READ), zaps and splits (WRITE) and the
 * hardware setting A/D are never overwritten; a leaf that vanished or turned
 * into a table under us is skipped or descended into.
 *
 * Huge leaves count once (young/old are leaf SPTEs, not 4 KiB pages) and are
 * aged whole even when the range covers only part of them.
 *
 * EPT without A/D bits (spte_format_ept_noad) has no Accessed bit, so "old"
 * is represented by access tracking: R/W/X are saved in software-available
 * bits 54:52 of the leaf and cleared, so the next guest access exits with an
 * EPT violation; tdp_mmu_fault() recognises the tracked leaf and puts the
 * permissions back with one cmpxchg (FAULT_FIXED, nothing allocated). A
 * tracked leaf keeps SPTE_SW_PRESENT, its address, memory type and large
 * bit, so it is still "present" to the MMU (translation, zaps, splits) while
 * the hardware sees it as not present. Tracking needs a TLB flush to take
 * effect (out->needs_flush); clearing A bits does not (see tdp_age.c).
 */
#ifndef TERN_MM_TDP_TDP_AGE_H
#define TERN_MM_TDP_TDP_AGE_H

#include "lib/types.h"
#include "mm/tdp/spte.h"
#include "mm/tdp/tdp_mmu.h"

#define TDP_AGE_FAST_ONLY BIT(0)
#define TDP_AGE_CLEAR BIT(1)
#define TDP_AGE_FLAGS (TDP_AGE_FAST_ONLY | TDP_AGE_CLEAR)

struct tdp_age_result {
	u64 young;	  /* present leaves found young (accessed / not tracked) */
	u64 old;	  /* present leaves found old */
	u64 visited;	  /* entries the walk read at every level (the work done) */
	bool complete;	  /* false: FAST_ONLY skipped something that needs mmu_lock */
	bool needs_flush; /* access tracking removed permissions: flush the VM's TLBs
			   * (once per pass) before relying on the next access faulting */
};

/*
 * Age [gfn_start, gfn_end) (clipped to TDP_MAX_GFN). Fills *out (counts are
 * for this call only). 0, or -E_INVAL (unknown flags, NULL out, destroyed MMU).
 */
int tdp_mmu_age(struct tdp_mmu *mmu, u64 gfn_start, u64 gfn_end, unsigned int flags,
		struct tdp_age_result *out);

/*
 * Is anything in [gfn_start, gfn_end) young? Stops at the first young leaf
 * (with TDP_AGE_CLEAR, leaves before it and that one are aged as by
 * tdp_mmu_age). A young leaf found without the lock is a complete answer
 * even with FAST_ONLY; "not young" is complete only if nothing was skipped.
 * 'out' may be NULL; on -E_INVAL conditions the answer is false.
 */
bool tdp_mmu_test_age(struct tdp_mmu *mmu, u64 gfn_start, u64 gfn_end, unsigned int flags,
		      struct tdp_age_result *out);

/*
 * Sources of age information reachable only under mmu_lock (none in the TDP
 * MMU today; the shadow MMU's rmaps will register here). One set of ops for
 * the whole hypervisor, registered at init (NULL unregisters).
 */
struct tdp_age_locked_ops {
	/* Without the lock: might [start, end) hold anything for age()? A false
	 * "no" only costs precision; "yes" makes FAST_ONLY answers incomplete. */
	bool (*pending)(struct tdp_mmu *mmu, u64 gfn_start, u64 gfn_end);
	/* With mmu_lock held for WRITE: age like the TDP walk, add to *out
	 * (young/old/visited/needs_flush). With stop_at_young, return at the
	 * first young entry. */
	void (*age)(struct tdp_mmu *mmu, u64 gfn_start, u64 gfn_end, unsigned int flags,
		    bool stop_at_young, struct tdp_age_result *out);
};

void tdp_age_set_locked_ops(const struct tdp_age_locked_ops *ops);

/* ---- access tracking (EPT without A/D); also used by tdp_fault.c ---- */

#define SPTE_ACC_TRACK_SAVED_SHIFT 52
#define SPTE_ACC_TRACK_PERMS EPT_RWX
#define SPTE_ACC_TRACK_SAVED_MASK (SPTE_ACC_TRACK_PERMS << SPTE_ACC_TRACK_SAVED_SHIFT)

/*
 * Bits 54:52 are ignored by the EPT walk. They overlap the MMIO generation
 * field, which only MMIO SPTEs use (a tracked leaf has SPTE_SW_PRESENT, an
 * MMIO SPTE never has).
 */
_Static_assert(SPTE_ACC_TRACK_SAVED_MASK == GENMASK(54, 52), "saved permission bits");
_Static_assert((SPTE_ACC_TRACK_SAVED_MASK &
		(EPT_RWX | EPT_MEMTYPE_MASK | EPT_IGNORE_PAT | EPT_LARGE | EPT_ACCESSED |
		 EPT_DIRTY | SPTE_ADDR_MASK | SPTE_SW_PRESENT | BIT(63))) == 0,
	       "EPT: access-tracking bits overlap a hardware or MMU bit");
_Static_assert((EPT_MMIO_VALUE & SPTE_SW_PRESENT) == 0,
	       "a tracked leaf (present, RWX clear) must never look like MMIO");

/* Formats without an Accessed bit age by access tracking. */
static inline bool spte_uses_acc_track(const struct spte_format *f)
{
	return !f->ad_supported;
}

/* A present leaf whose permissions were moved to the saved bits. Every
 * present SPTE of these formats otherwise has R (leaves) or RWX (tables). */
static inline bool spte_is_acc_tracked(const struct spte_format *f, u64 spte)
{
	return spte_uses_acc_track(f) && spte_is_present(spte) &&
	       (spte & SPTE_ACC_TRACK_PERMS) == 0;
}

static inline u64 spte_acc_track_mark(u64 spte)
{
	return (spte & ~(SPTE_ACC_TRACK_PERMS | SPTE_ACC_TRACK_SAVED_MASK)) |
	       ((spte & SPTE_ACC_TRACK_PERMS) << SPTE_ACC_TRACK_SAVED_SHIFT);
}

static inline u64 spte_acc_track_restore(u64 spte)
{
	return (spte & ~SPTE_ACC_TRACK_SAVED_MASK) |
	       ((spte & SPTE_ACC_TRACK_SAVED_MASK) >> SPTE_ACC_TRACK_SAVED_SHIFT);
}

#endif
