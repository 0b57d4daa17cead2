/* SPDX-License-Identifier: MIT */
/*
 * Randomized model-based test of the TDP MMU: over a million mixed
 * operations - faults from several simulated vCPUs (some racing a nested
 * fault from another vCPU), range zaps, slot add/delete/move/resize with
 * generation bumps, huge-page splits, accessed-bit aging (the hardware
 * setting A bits; on EPT without A/D, access tracking restored by faults),
 * quiescent points, teardown and rebuild - checked against a reference (the
 * test's own memslots table and backing arrays) with an independent
 * software walker. Cheap checks run after every step; a full walk of every
 * table every FULL_CHECK_EVERY steps.
 */
#include <time.h>

#include "tdp_env.h"
#include "tdp_walk.h"

#include "mm/tdp/tdp_age.h"
#include "mm/tdp/tdp_debug.h"
#include "mm/tdp/tdp_mmu.h"
#include "tests/unit/xorshift.h"

#define ARENA		 MiB(192)
#define OPS		 1000000
#define NR_VCPUS	 4
#define GFN_SPACE	 16384 /* 64 MiB of guest-physical space for RAM slots */
#define HIGH_MMIO_GFN	 (1ull << 27)
#define MAX_SLOT_PAGES	 2048
#define FULL_CHECK_EVERY 512
#define TABLE_CAP	 4096

static struct tdp_mmu mmu;
static struct memslots slots;
static struct mmu_cache caches[NR_VCPUS];
static const struct spte_format *fmt;
static u64 rng = 0x9e3779b97f4a7c15ull;
static u32 next_id = 1;
static u64 free_at_start;

static u64 rnd(void)
{
	return xorshift64(&rng);
}

static u64 rnd_below(u64 n)
{
	return rnd() % n;
}

static bool is_npt(void)
{
	return fmt == &spte_format_npt;
}

static void free_slot_backing(struct memslot *s)
{
	for (u64 i = 0; i < s->npages; i++)
		if (s->backing[i])
			page_free(s->backing[i], 0);
	free(s->backing);
	s->backing = NULL;
}

static struct memslot *slot_by_id(u32 id)
{
	for (u32 i = 0; i < slots.count; i++)
		if (slots.slots[i].id == id)
			return &slots.slots[i];
	return NULL;
}

/* ---- slot changes (the integrator's protocol) ---- */

static void op_add_slot(void)
{
	u64 npages = 1 + rnd_below(MAX_SLOT_PAGES);
	u64 base = rnd_below(GFN_SPACE);
	u32 id = next_id++;
	struct memslot *s;

	if (rnd() & 1)
		base = ALIGN_DOWN(base, TDP_PAGES_2M), npages = ALIGN_UP(npages, TDP_PAGES_2M);
	if (base + npages > GFN_SPACE)
		return;
	tdp_mmu_write_lock(&mmu);
	if (memslot_insert(&slots, base, npages, id, (rnd_below(8) == 0) ? MEMSLOT_READONLY : 0)) {
		tdp_mmu_write_unlock(&mmu);
		return;
	}
	s = slot_by_id(id);
	s->backing = calloc(npages, sizeof(paddr_t));
	tdp_mmu_gen_changed(&mmu); /* adding needs no zap */
	tdp_mmu_write_unlock(&mmu);
}

static void op_delete_or_move(int kind)
{
	struct memslot old, *s;
	bool flush = false;

	if (!slots.count)
		return;
	old = slots.slots[rnd_below(slots.count)];
	tdp_mmu_write_lock(&mmu);
	memslot_remove(&slots, old.id);
	tdp_mmu_zap_range_locked(&mmu, old.base_gfn, old.base_gfn + old.npages, &flush);
	if (kind == 1) { /* move: same backing, new place */
		u64 base = rnd_below(GFN_SPACE - old.npages + 1);

		if (rnd() & 1)
			base = ALIGN_DOWN(base, TDP_PAGES_2M);
		if (!memslot_insert(&slots, base, old.npages, old.id, old.flags)) {
			slot_by_id(old.id)->backing = old.backing;
			old.backing = NULL;
		}
	} else if (kind == 2) { /* resize: same base */
		u64 npages = 1 + rnd_below(MAX_SLOT_PAGES);

		if (!memslot_insert(&slots, old.base_gfn, npages, old.id, old.flags)) {
			s = slot_by_id(old.id);
			s->backing = calloc(npages, sizeof(paddr_t));
			for (u64 i = 0; i < MIN(npages, old.npages); i++)
				s->backing[i] = old.backing[i], old.backing[i] = 0;
		}
	}
	tdp_mmu_gen_changed(&mmu);
	tdp_mmu_write_unlock(&mmu);
	/* After the (simulated) TLB flush the old pages may go. */
	if (old.backing)
		free_slot_backing(&old);
}

/* ---- faults ---- */

static struct mmu_cache race_cache;
static struct tdp_fault race_fault;
static int race_level;

static void race_hook(struct tdp_mmu *m, u64 *sptep, int level)
{
	(void)sptep;
	if (level != race_level)
		return;
	race_level = 0;
	tdp_test_race_hook = NULL;
	tdp_mmu_fault_locked(m, &race_cache, &race_fault);
}

static void check_gfn(u64 gfn)
{
	struct walk_result w = tdp_walk(mmu.root_pa, is_npt(), gfn << PAGE_SHIFT);
	const struct memslot *s = memslot_find(&slots, gfn);

	if (w.kind == WALK_MAPPED) {
		assert_non_null(s);
		assert_int_equal(w.pa, s->backing[gfn - s->base_gfn]);
		assert_int_equal(w.w, !(s->flags & MEMSLOT_READONLY));
	}
}

static void op_fault(u64 *counts)
{
	u32 v = (u32)rnd_below(NR_VCPUS);
	u64 gfn;
	struct tdp_fault f = {.max_level = 1 + (int)rnd_below(3)};
	enum fault_result r;
	bool write = rnd() & 1;

	if (slots.count && rnd_below(10) < 8) {
		const struct memslot *s = &slots.slots[rnd_below(slots.count)];

		gfn = s->base_gfn + rnd_below(s->npages);
	} else if (rnd_below(4)) {
		gfn = rnd_below(GFN_SPACE);
	} else {
		gfn = HIGH_MMIO_GFN + rnd_below(1u << 20);
	}
	tdp_fault_init(&f, &slots, gfn << PAGE_SHIFT, write, false);
	if (f.slot) {
		paddr_t pa;

		assert_int_equal(tdp_prepare_backing((struct memslot *)f.slot, gfn,
						     1 + (int)rnd_below(2), &pa),
				 0);
	}
	assert_int_equal(mmu_cache_topup(&caches[v], MMU_MODE_TDP), 0);
	if (rnd_below(20) == 0) {
		race_fault = f;
		race_fault.write = false;
		race_level = 1 + (int)rnd_below(4);
		assert_int_equal(mmu_cache_topup(&race_cache, MMU_MODE_TDP), 0);
		tdp_test_race_hook = race_hook;
	}
	r = tdp_mmu_fault(&mmu, &caches[v], &f);
	tdp_test_race_hook = NULL;
	if (r == FAULT_RETRY) { /* what a vCPU does: fault again */
		counts[r]++;
		assert_int_equal(mmu_cache_topup(&caches[v], MMU_MODE_TDP), 0);
		r = tdp_mmu_fault(&mmu, &caches[v], &f);
		assert_true(r != FAULT_RETRY);
	}
	counts[r]++;
	if (!f.slot) {
		assert_true(r == FAULT_MMIO || r == FAULT_CAP);
		if (r == FAULT_MMIO)
			assert_true(tdp_mmu_mmio_fast(&mmu, f.gpa, slots.generation));
	} else if (write && (f.slot->flags & MEMSLOT_READONLY)) {
		assert_int_equal(r, FAULT_MMIO);
	} else {
		assert_true(r == FAULT_FIXED || r == FAULT_SPURIOUS || r == FAULT_RETRY ||
			    r == FAULT_CAP);
		if (r == FAULT_FIXED || r == FAULT_SPURIOUS)
			assert_int_equal(tdp_walk(mmu.root_pa, is_npt(), f.gpa).kind, WALK_MAPPED);
	}
	check_gfn(gfn);
}

/* ---- aging ---- */

/* The leaf entry mapping gfn (a walk over the MMU's own tables), or NULL. */
static u64 *leaf_ptr(u64 gfn)
{
	u64 *table = mmu.root->table;

	for (int l = TDP_ROOT_LEVEL; l >= 1; l--) {
		u64 *e = &table[(gfn >> (SPTE_LEVEL_BITS * (l - 1))) & (SPTE_ENTRIES - 1)];

		if (!spte_is_present(*e))
			return NULL;
		if (spte_is_leaf(fmt, *e, l))
			return e;
		table = phys_to_virt(spte_pa(fmt, *e));
	}
	return NULL;
}

#define AGE_PROBES 8

/*
 * Age a random range with random flags. Aging never changes a translation,
 * only A (or, without A/D, moves R/W/X to the saved bits); after a clearing
 * pass nothing in the range is young; a tracked leaf is restored by a fault
 * to exactly what it was, at the same translation.
 */
static void op_age(u64 *aged, u64 *restored)
{
	u64 start = rnd_below(GFN_SPACE), len = 1 + rnd_below(2048);
	unsigned int flags = (unsigned int)rnd_below(4); /* FAST_ONLY x CLEAR */
	u64 g[AGE_PROBES], before[AGE_PROBES];
	paddr_t pa[AGE_PROBES];
	int level[AGE_PROBES];
	struct tdp_age_result r;

	/* The hardware touches a few pages (formats with A bits). */
	for (int i = 0; i < 4 && fmt->accessed; i++) {
		u64 *p = leaf_ptr(start + rnd_below(len));

		if (p)
			__atomic_fetch_or(p, fmt->accessed, __ATOMIC_SEQ_CST);
	}
	for (int i = 0; i < AGE_PROBES; i++) {
		u64 *p;

		g[i] = start + rnd_below(len);
		p = leaf_ptr(g[i]);
		before[i] = p ? *p : 0;
		level[i] = 0;
		pa[i] = tdp_mmu_translate(&mmu, g[i] << PAGE_SHIFT, &level[i]);
	}
	assert_int_equal(tdp_mmu_age(&mmu, start, start + len, flags, &r), 0);
	assert_true(r.complete); /* nothing needs mmu_lock in the TDP MMU */
	assert_true(r.young + r.old <= r.visited);
	assert_true(!r.needs_flush || (fmt->accessed == 0 && (flags & TDP_AGE_CLEAR)));
	if (flags & TDP_AGE_CLEAR)
		assert_false(tdp_mmu_test_age(&mmu, start, start + len, TDP_AGE_FAST_ONLY, NULL));
	(*aged)++;
	for (int i = 0; i < AGE_PROBES; i++) {
		u64 *p = leaf_ptr(g[i]);
		int lvl = 0;
		u64 want = before[i];

		assert_int_equal(tdp_mmu_translate(&mmu, g[i] << PAGE_SHIFT, &lvl), pa[i]);
		assert_int_equal(lvl, level[i]);
		if (!p)
			continue;
		if ((flags & TDP_AGE_CLEAR) && fmt->accessed)
			want &= ~fmt->accessed;
		else if ((flags & TDP_AGE_CLEAR) && !spte_is_acc_tracked(fmt, want))
			want = spte_acc_track_mark(want);
		assert_int_equal(*p, want);
	}
	/* The next access to a tracked leaf faults and restores it. */
	for (int i = 0; i < AGE_PROBES; i++) {
		u64 *p = leaf_ptr(g[i]);
		struct tdp_fault f = {.max_level = 1 + (int)rnd_below(3)};
		u64 tracked;
		struct walk_result w;

		if (!p || !spte_is_acc_tracked(fmt, *p))
			continue;
		tracked = *p;
		assert_int_equal(tdp_walk(mmu.root_pa, is_npt(), g[i] << PAGE_SHIFT).kind,
				 WALK_NOT_PRESENT);
		tdp_fault_init(&f, &slots, g[i] << PAGE_SHIFT, false, false);
		assert_int_equal(mmu_cache_topup(&caches[0], MMU_MODE_TDP), 0);
		assert_int_equal(tdp_mmu_fault(&mmu, &caches[0], &f), FAULT_FIXED);
		assert_int_equal(f.tables_added, 0);
		assert_int_equal(*p, spte_acc_track_restore(tracked));
		w = tdp_walk(mmu.root_pa, is_npt(), g[i] << PAGE_SHIFT);
		assert_int_equal(w.kind, WALK_MAPPED);
		assert_int_equal(w.pa, pa[i]);
		(*restored)++;
	}
}

/* ---- full check ---- */

static u64 check_table(u64 *table, int level, u64 base_gfn, u64 *tables)
{
	struct mmu_page *sp = mmu_page_of(virt_to_phys(table));
	u64 used = 0;

	(*tables)++;
	assert_int_equal(sp->level, level);
	assert_int_equal(sp->gfn, base_gfn);
	assert_false(sp->flags & MMU_PAGE_INVALID);
	for (unsigned int i = 0; i < SPTE_ENTRIES; i++) {
		u64 e = table[i], n = spte_level_pages(level);
		u64 gfn = base_gfn + i * n;

		if (!e)
			continue;
		used++;
		if (spte_is_mmio(fmt, e)) {
			assert_int_equal(level, 1);
			/* Honoured by the fast path only when current, and then no slot. */
			if (tdp_mmu_mmio_fast(&mmu, gfn << PAGE_SHIFT, slots.generation))
				assert_null(memslot_find(&slots, gfn));
			continue;
		}
		assert_true(spte_is_present(e));
		if (!spte_is_leaf(fmt, e, level)) {
			check_table(phys_to_virt(spte_pa(fmt, e)), level - 1, gfn, tables);
			continue;
		}
		/* A leaf: every gfn it covers is in one slot and backed as mapped. */
		{
			const struct memslot *s = memslot_find(&slots, gfn);

			assert_non_null(s);
			assert_true(gfn + n <= s->base_gfn + s->npages);
			for (u64 j = 0; j < n; j += (n > 1 ? 37 : 1))
				assert_int_equal(s->backing[gfn - s->base_gfn + j],
						 spte_pa(fmt, e) + j * PAGE_SIZE);
			assert_int_equal(s->backing[gfn - s->base_gfn + n - 1],
					 spte_pa(fmt, e) + (n - 1) * PAGE_SIZE);
			/* A leaf made old by access tracking keeps its permissions saved. */
			assert_int_equal(spte_writable(fmt, spte_is_acc_tracked(fmt, e)
								    ? spte_acc_track_restore(e)
								    : e),
					 !(s->flags & MEMSLOT_READONLY));
		}
	}
	assert_int_equal(sp->used, used);
	return used;
}

static void full_check(void)
{
	u64 tables = 0;

	check_table(mmu.root->table, TDP_ROOT_LEVEL, 0, &tables);
	assert_int_equal(mmu.pages, tables + mmu.deferred_pages);
	assert_true(mmu.high_water >= mmu.pages);
	assert_true(mmu.pages <= TABLE_CAP);
}

/* ---- teardown ---- */

static void teardown_vm(bool free_slots)
{
	tdp_mmu_destroy(&mmu);
	assert_int_equal(mmu.pages, 0);
	if (!free_slots)
		return;
	while (slots.count) {
		struct memslot s = slots.slots[0];

		memslot_remove(&slots, s.id);
		free_slot_backing(&s);
	}
}

static void test_model(void **state)
{
	static const struct spte_format *const fmts[] = {
		&spte_format_ept,
		&spte_format_npt,
		&spte_format_ept_noad,
	};
	u64 counts[FAULT_ERROR + 1] = {0}, rebuilds = 0, zaps = 0, splits = 0, slot_ops = 0;
	u64 aged = 0, restored = 0;
	struct timespec t0, t1;
	double secs;

	(void)state;
	if (getenv("TDP_MODEL_SEED"))
		rng = strtoull(getenv("TDP_MODEL_SEED"), NULL, 0);
	free_at_start = pages_free();
	mmu_rcu_reset();
	for (u32 c = 0; c < NR_VCPUS; c++)
		mmu_rcu_cpu_online(c);
	fmt = fmts[0];
	assert_int_equal(tdp_mmu_init(&mmu, fmt, TABLE_CAP), 0);
	tdp_mmu_set_memslots(&mmu, &slots);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (u64 op = 0; op < OPS; op++) {
		u64 k = rnd_below(1000);

		if (k < 700) {
			op_fault(counts);
		} else if (k < 740) {
			u64 start = rnd_below(GFN_SPACE), len = 1 + rnd_below(2048);
			bool flush = false;

			if (rnd_below(8) == 0)
				start = HIGH_MMIO_GFN + rnd_below(1u << 20);
			/* Just outside the range: must be untouched (unless a huge leaf straddles).
			 */
			struct walk_result before[2] = {
				tdp_walk(mmu.root_pa, is_npt(), (start - 1) << PAGE_SHIFT),
				tdp_walk(mmu.root_pa, is_npt(), (start + len) << PAGE_SHIFT),
			};

			tdp_mmu_zap_range(&mmu, start, start + len, &flush);
			for (int i = 0; i < 2; i++) {
				u64 g = i ? start + len : start - 1;
				struct walk_result w =
					tdp_walk(mmu.root_pa, is_npt(), g << PAGE_SHIFT);

				/* (a huge leaf made old by access tracking too) */
				if ((before[i].kind == WALK_MAPPED ||
				     spte_is_acc_tracked(fmt, before[i].spte)) &&
				    before[i].level > 1)
					continue;
				assert_int_equal(w.kind, before[i].kind);
				assert_int_equal(w.spte, before[i].spte);
			}
			for (int i = 0; i < 4; i++) {
				u64 g = start + rnd_below(len);

				assert_int_equal(
					tdp_walk(mmu.root_pa, is_npt(), g << PAGE_SHIFT).kind,
					WALK_NOT_PRESENT);
			}
			zaps++;
		} else if (k < 760) {
			op_add_slot();
			slot_ops++;
		} else if (k < 775) {
			op_delete_or_move((int)rnd_below(3));
			slot_ops++;
		} else if (k < 790) {
			u64 start = rnd_below(GFN_SPACE);
			s64 n = tdp_mmu_split_range(&mmu, &caches[rnd_below(NR_VCPUS)], start,
						    start + 1 + rnd_below(4096), 1);

			assert_true(n >= 0);
			splits += (u64)n;
		} else if (k < 805) {
			op_age(&aged, &restored);
		} else if (k < 999) {
			mmu_quiescent((u32)rnd_below(NR_VCPUS));
			if (k < 850)
				tdp_mmu_reclaim(&mmu);
		} else if (rnd_below(20) == 0) {
			/* Tear down and rebuild, sometimes in another format. */
			teardown_vm(rnd() & 1);
			fmt = fmts[rnd_below(ARRAY_SIZE(fmts))];
			assert_int_equal(tdp_mmu_init(&mmu, fmt, TABLE_CAP), 0);
			tdp_mmu_set_memslots(&mmu, &slots);
			rebuilds++;
		}
		/* Cheap checks, every step. */
		assert_int_equal(MMU_LOCK_DEPTH_REF, 0);
		{
			u64 g = rnd_below(GFN_SPACE);

			check_gfn(g);
			if (tdp_mmu_mmio_fast(&mmu, g << PAGE_SHIFT, slots.generation))
				assert_null(memslot_find(&slots, g));
		}
		if (op % FULL_CHECK_EVERY == 0)
			full_check();
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	full_check();
	teardown_vm(true);
	for (u32 c = 0; c < NR_VCPUS; c++)
		mmu_cache_free(&caches[c]);
	mmu_cache_free(&race_cache);
	assert_int_equal(pages_free(), free_at_start);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("model: %d ops in %.2f s (%.0f ops/s); faults fixed %llu spurious %llu retry %llu "
	       "mmio %llu cap %llu; zaps %llu, slot ops %llu, huge splits %llu, rebuilds %llu, "
	       "races lost %llu; aging passes %llu, tracked leaves restored %llu\n",
	       OPS, secs, OPS / secs, (unsigned long long)counts[FAULT_FIXED],
	       (unsigned long long)counts[FAULT_SPURIOUS], (unsigned long long)counts[FAULT_RETRY],
	       (unsigned long long)counts[FAULT_MMIO], (unsigned long long)counts[FAULT_CAP],
	       (unsigned long long)zaps, (unsigned long long)slot_ops, (unsigned long long)splits,
	       (unsigned long long)rebuilds, (unsigned long long)mmu.stats.races_lost,
	       (unsigned long long)aged, (unsigned long long)restored);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
	};

	tdp_env_init(ARENA);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
