/* SPDX-License-Identifier: MIT */
/*
 * Accessed-bit aging of TDP leaves without mmu_lock (see tdp_age.h).
 *
 * TLB flush policy. Clearing Accessed bits is never followed by a TLB flush
 * (KVM does the same): a translation still cached in some TLB lets the guest
 * keep using the page without the hardware setting A again, so the page may
 * look old while it is in use - until the entry is evicted, the next miss
 * walks the table and sets A. Aging is a reclaim heuristic, so that loss of
 * precision is traded for not interrupting every vCPU on every pass. Access
 * tracking on EPT without A/D is different: the cleared R/W/X only takes
 * effect once cached translations are gone (otherwise the guest never exits
 * and the page stays "old" however hot it is), so the result carries
 * needs_flush and the caller does one flush of the VM's TLBs per aging pass
 * (batched, not per SPTE), as after a zap. Restoring a tracked leaf on a
 * fault needs no flush (permissions only grow).
 *
 * Concurrency. Without mmu_lock, a leaf can change between our read and our
 * write: the hardware sets A or D, a fault (mmu_lock READ) restores a
 * tracked leaf, a zap clears it, a split turns it into a table. Every change
 * here is a compare-and-exchange against the value read; on failure the
 * value seen is re-examined (so an A set in between is neither lost nor
 * miscounted), and a leaf that became a table is descended into by the
 * iterator. Only old-to-young information is ever written (A cleared, or
 * R/W/X moved to the saved bits), and only into an entry still holding
 * exactly the value read, so nothing a concurrent writer stored is undone.
 *
 * Cost. The work is dominated by the locked read-modify-writes (a locked
 * instruction costs about as much as walking several entries), so:
 *  - every entry is read first and written only when it is young: an old
 *    leaf costs a plain load;
 *  - once the walk reaches a 4 KiB leaf table, the entries of that table in
 *    range are scanned in a tight loop over the table (age_pt) instead of
 *    one iterator step each; the iterator then resumes after them;
 *  - two adjacent young 4 KiB leaves (a 16-byte aligned pair, the common
 *    case when a guest touched a whole region) are aged with one
 *    CMPXCHG16B comparing both values read: one locked instruction for two
 *    leaves, with the same guarantee as two CMPXCHGs (if either entry
 *    changed, nothing is written and each is re-examined alone). The
 *    hardware's A/D updates are locked 8-byte read-modify-writes, atomic
 *    against a locked 16-byte one on the same aligned line. Used when CPUID
 *    reports CMPXCHG16B (every CPU with VMX or SVM does), else one CMPXCHG
 *    per leaf.
 * A locked bit operation (LOCK BTR of A) per leaf was measured too: it
 * keeps a concurrent D, but it writes without comparing, so an entry that
 * became a table (split) or another leaf (zap and re-fault) in between would
 * be counted and cleared as the leaf read, and it cannot do access tracking
 * (several bits move); it also costs one locked instruction per leaf, where
 * a pair costs one for two (a tight loop over young leaves, on the machine
 * this was tuned on: ~6.5 ns per leaf with LOCK BTR, ~7 with CMPXCHG, ~5
 * with CMPXCHG16B pairs, ~1 for the plain read).
 */
#include "mm/tdp/tdp_age.h"

#include "arch/x86/cpuid.h"
#include "mm/tdp/tdp_internal.h"

#define CPUID_1_ECX_CMPXCHG16B BIT(13)

static const struct tdp_age_locked_ops *locked_ops; /* (a) */

/* Per-call totals, kept out of *out in the loops (a u64 store to an SPTE
 * would otherwise force the compiler to reload counters through 'out'). */
struct age_counts {
	u64 young, old, visited;
	bool needs_flush;
};

void tdp_age_set_locked_ops(const struct tdp_age_locked_ops *ops)
{
	__atomic_store_n(&locked_ops, ops, __ATOMIC_RELEASE);
}

/* 1: CMPXCHG16B usable, 0: not, -1: not probed yet (probing is idempotent). */
static s8 pair_cas_state = -1;

static bool pair_cas_usable(void)
{
	s8 s = __atomic_load_n(&pair_cas_state, __ATOMIC_RELAXED);

	if (unlikely(s < 0)) {
		s = cpu_has(CPUID_LEAF_FEATURES, CPUID_ECX, CPUID_1_ECX_CMPXCHG16B) ? 1 : 0;
		__atomic_store_n(&pair_cas_state, s, __ATOMIC_RELAXED);
	}
	return s;
}

/*
 * Atomically: if p[0] == *v0 && p[1] == *v1, store n0, n1 and return true;
 * else load both into *v0, *v1 and return false. p is 16-byte aligned.
 * A full barrier, like the CMPXCHG it replaces.
 */
static inline bool spte_pair_cmpxchg(u64 *p, u64 *v0, u64 *v1, u64 n0, u64 n1)
{
	bool ok;

	asm volatile("lock cmpxchg16b %1"
		     : "=@ccz"(ok), "+m"(*(u64(*)[2])p), "+a"(*v0), "+d"(*v1)
		     : "b"(n0), "c"(n1)
		     : "memory");
	return ok;
}

/* The bits that make a present leaf young: A, or (access tracking) R/W/X. */
static inline u64 young_mask(const struct spte_format *fmt)
{
	return spte_uses_acc_track(fmt) ? SPTE_ACC_TRACK_PERMS : fmt->accessed;
}

static inline u64 leaf_make_old(const struct spte_format *fmt, u64 spte)
{
	if (spte_uses_acc_track(fmt))
		return spte_acc_track_mark(spte);
	return spte & ~fmt->accessed;
}

/*
 * Age one present leaf whose value read is *spte. True when it was young.
 * When the entry changed under us into something that is not a present
 * leaf, *spte holds the new value (a table is then walked into by the
 * iterator) and the entry is not counted.
 */
static bool age_leaf(struct tdp_mmu *mmu, u64 *sptep, int level, u64 *spte, bool clear,
		     struct age_counts *c)
{
	const struct spte_format *fmt = mmu->fmt;
	u64 old = *spte;

	for (;;) {
		u64 new;

		if (!(old & young_mask(fmt))) {
			c->old++;
			return false;
		}
		if (!clear) {
			c->young++;
			return true;
		}
		new = leaf_make_old(fmt, old);
		tdp_race_point(mmu, sptep, level);
		if (__atomic_compare_exchange_n(sptep, &old, new, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			*spte = new;
			c->young++;
			if (spte_uses_acc_track(fmt))
				c->needs_flush = true;
			return true;
		}
		/* 'old' now holds what the entry became: look at it again. */
		*spte = old;
		if (!spte_is_present(old) || !spte_is_leaf(fmt, old, level))
			return false;
	}
}

/*
 * Entries first..last of the 4 KiB leaf table pt, in one pass over the
 * table. True when stop_at_young and a young leaf was found (*stopped_at is
 * then its index; else last). Old leaves and test-only answers are counted
 * in registers; only writes leave the loop.
 */
static bool age_pt(struct tdp_mmu *mmu, u64 *pt, unsigned int first, unsigned int last, bool clear,
		   bool stop_at_young, struct age_counts *c, unsigned int *stopped_at)
{
	const struct spte_format *fmt = mmu->fmt;
	const u64 ymask = young_mask(fmt);
	const bool pairs = clear && !stop_at_young && pair_cas_usable();
	u64 young = 0, old = 0;
	unsigned int i;

	for (i = first; i <= last; i++) {
		u64 v = __atomic_load_n(&pt[i], __ATOMIC_ACQUIRE), w;

		if (!spte_is_present(v))
			continue;
		if (!(v & ymask)) {
			old++;
			continue;
		}
		if (!clear) {
			young++;
			if (stop_at_young)
				break;
			continue;
		}
		if (pairs && i < last && !((uintptr_t)&pt[i] & 15)) {
			w = __atomic_load_n(&pt[i + 1], __ATOMIC_ACQUIRE);
			if (spte_is_present(w) && (w & ymask)) {
				tdp_race_point(mmu, &pt[i], TDP_LEVEL_4K);
				tdp_race_point(mmu, &pt[i + 1], TDP_LEVEL_4K);
				if (spte_pair_cmpxchg(&pt[i], &v, &w, leaf_make_old(fmt, v),
						      leaf_make_old(fmt, w))) {
					young += 2;
					if (spte_uses_acc_track(fmt))
						c->needs_flush = true;
				} else {
					/* v, w: what the entries became; each on its own. */
					if (spte_is_present(v))
						age_leaf(mmu, &pt[i], TDP_LEVEL_4K, &v, true, c);
					if (spte_is_present(w))
						age_leaf(mmu, &pt[i + 1], TDP_LEVEL_4K, &w, true,
							 c);
				}
				i++;
				continue;
			}
		}
		if (age_leaf(mmu, &pt[i], TDP_LEVEL_4K, &v, true, c) && stop_at_young)
			break;
	}
	c->young += young;
	c->old += old;
	*stopped_at = MIN(i, last);
	return i <= last;
}

/* The lockless walk; true when stop_at_young and a young leaf was found. */
static bool age_tdp(struct tdp_mmu *mmu, u64 start, u64 end, bool clear, bool stop_at_young,
		    struct age_counts *c)
{
	const struct spte_format *fmt = mmu->fmt;
	struct tdp_iter it;

	tdp_iter_start(&it, fmt, mmu->root->table, TDP_ROOT_LEVEL, TDP_LEVEL_4K, start, end);
	for (; it.valid; tdp_iter_next(&it)) {
		if (it.level == TDP_LEVEL_4K) {
			/* A leaf table: the rest of it in range, in one loop. */
			u64 base = ALIGN_DOWN(it.gfn, SPTE_ENTRIES);
			unsigned int first = tdp_index(it.gfn, TDP_LEVEL_4K), at;
			unsigned int last =
				(unsigned int)(MIN(end, base + SPTE_ENTRIES) - 1 - base);
			bool found = age_pt(mmu, it.pt[TDP_LEVEL_4K], first, last, clear,
					    stop_at_young, c, &at);

			c->visited += at - first + 1;
			if (found)
				return true;
			/* Leave the iterator on the last entry scanned: the next
			 * step goes on after this table. */
			it.gfn = base + at;
			it.next_gfn = it.gfn;
			it.sptep = &it.pt[TDP_LEVEL_4K][at];
			tdp_iter_refresh(&it);
			continue;
		}
		c->visited++;
		if (!spte_is_present(it.old_spte) || !spte_is_leaf(fmt, it.old_spte, it.level))
			continue;
		if (age_leaf(mmu, it.sptep, it.level, &it.old_spte, clear, c) && stop_at_young)
			return true;
	}
	return false;
}

static int age_range(struct tdp_mmu *mmu, u64 start, u64 end, unsigned int flags,
		     bool stop_at_young, struct tdp_age_result *out, bool *young)
{
	const struct tdp_age_locked_ops *ops;
	bool clear = flags & TDP_AGE_CLEAR;
	struct age_counts c = {0};

	*young = false;
	if (!out || !mmu || !mmu->root || (flags & ~TDP_AGE_FLAGS))
		return -E_INVAL;
	*out = (struct tdp_age_result){.complete = true};
	end = MIN(end, TDP_MAX_GFN);
	if (start >= end)
		return 0;

	/* 1. The TDP MMU, without the lock. A young leaf answers test_age. */
	*young = age_tdp(mmu, start, end, clear, stop_at_young, &c);
	out->young = c.young;
	out->old = c.old;
	out->visited = c.visited;
	out->needs_flush = c.needs_flush;
	if (*young)
		return 0;

	/* 2. What only mmu_lock protects: never with FAST_ONLY. */
	ops = __atomic_load_n(&locked_ops, __ATOMIC_ACQUIRE);
	if (ops && ops->pending && ops->age && ops->pending(mmu, start, end)) {
		if (flags & TDP_AGE_FAST_ONLY) {
			out->complete = false;
		} else {
			u64 young_before = out->young;

			MMU_ASSERT_NOT_LOCKED();
			tdp_mmu_write_lock(mmu);
			ops->age(mmu, start, end, flags, stop_at_young, out);
			tdp_mmu_write_unlock(mmu);
			*young = out->young != young_before;
		}
	}
	if (!stop_at_young)
		*young = out->young != 0;
	return 0;
}

int tdp_mmu_age(struct tdp_mmu *mmu, u64 gfn_start, u64 gfn_end, unsigned int flags,
		struct tdp_age_result *out)
{
	bool young;

	return age_range(mmu, gfn_start, gfn_end, flags, false, out, &young);
}

bool tdp_mmu_test_age(struct tdp_mmu *mmu, u64 gfn_start, u64 gfn_end, unsigned int flags,
		      struct tdp_age_result *out)
{
	struct tdp_age_result local;
	bool young;

	if (age_range(mmu, gfn_start, gfn_end, flags, true, out ? out : &local, &young))
		return false;
	return young;
}
