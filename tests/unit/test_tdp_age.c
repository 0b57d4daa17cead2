/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for accessed-bit aging of the TDP MMU (mm/tdp/tdp_age.c):
 * age / test_age on 4 KiB, 2 MiB and 1 GiB leaves for EPT and NPT (the test
 * plays the hardware and sets A bits), young/old counts and ranges,
 * fast-only mode with a registered locked source, access tracking on EPT
 * without A/D and its restore by the fault path, and races simulated at the
 * cmpxchg (hardware setting A/D, another ager, a zap or a split between the
 * read and the write). Translations are checked with the independent
 * software walker (tdp_walk.h) and tdp_mmu_translate().
 */
#include "tdp_env.h"
#include "tdp_walk.h"

#include "mm/tdp/tdp_age.h"
#include "mm/tdp/tdp_debug.h"
#include "mm/tdp/tdp_mmu.h"

#define ARENA MiB(64)
#define FAKE_1G GiB(64) /* pretend backing: the MMU never touches guest memory */
#define FAKE_LOW GiB(70)

/* The layout every test builds: 16 4 KiB leaves, one 2 MiB, one 1 GiB. */
#define NR_4K 16
#define GFN_2M 512ull
#define GFN_1G TDP_PAGES_1G
#define GFN_RO 2048ull
#define NR_LEAVES (NR_4K + 2)
#define RANGE_ALL (2 * TDP_PAGES_1G)

static const struct spte_format *const ad_formats[] = { &spte_format_ept, &spte_format_npt };

static struct {
	struct tdp_mmu mmu;
	struct memslots slots;
	struct mmu_cache cache;
	u64 free_before;
} vm;

static bool is_npt(void)
{
	return vm.mmu.fmt == &spte_format_npt;
}

static struct memslot *add_slot(u64 base, u64 npages, u32 id, u32 flags, paddr_t fake)
{
	tdp_mmu_write_lock(&vm.mmu);
	assert_int_equal(memslot_insert(&vm.slots, base, npages, id, flags), 0);
	tdp_mmu_gen_changed(&vm.mmu);
	tdp_mmu_write_unlock(&vm.mmu);
	for (u32 i = 0; i < vm.slots.count; i++)
		if (vm.slots.slots[i].id == id) {
			struct memslot *s = &vm.slots.slots[i];

			s->backing = calloc(npages, sizeof(paddr_t));
			for (u64 j = 0; j < npages; j++)
				s->backing[j] = fake + j * PAGE_SIZE;
			return s;
		}
	fail();
	return NULL;
}

static enum fault_result do_fault(u64 gfn, bool write, int max_level)
{
	struct tdp_fault f = { .max_level = max_level };

	tdp_fault_init(&f, &vm.slots, gfn << PAGE_SHIFT, write, false);
	assert_int_equal(mmu_cache_topup(&vm.cache, MMU_MODE_TDP), 0);
	return tdp_mmu_fault(&vm.mmu, &vm.cache, &f);
}

static void vm_setup(const struct spte_format *fmt)
{
	mmu_rcu_reset();
	memset(&vm.slots, 0, sizeof(vm.slots));
	memset(&vm.cache, 0, sizeof(vm.cache));
	vm.free_before = pages_free();
	assert_int_equal(tdp_mmu_init(&vm.mmu, fmt, 1000), 0);
	tdp_mmu_set_memslots(&vm.mmu, &vm.slots);
	add_slot(0, 2048, 1, 0, FAKE_LOW);
	add_slot(GFN_RO, 16, 2, MEMSLOT_READONLY, FAKE_LOW + MiB(8));
	add_slot(GFN_1G, TDP_PAGES_1G, 3, 0, FAKE_1G);
	for (u64 g = 0; g < NR_4K; g++)
		assert_int_equal(do_fault(g, g & 1, TDP_LEVEL_4K), FAULT_FIXED);
	assert_int_equal(do_fault(GFN_2M + 77, true, TDP_LEVEL_2M), FAULT_FIXED);
	assert_int_equal(do_fault(GFN_1G + 12345, true, TDP_LEVEL_1G), FAULT_FIXED);
}

static void vm_teardown(void)
{
	tdp_age_set_locked_ops(NULL);
	tdp_test_race_hook = NULL;
	tdp_mmu_destroy(&vm.mmu);
	mmu_cache_free(&vm.cache);
	for (u32 i = 0; i < vm.slots.count; i++)
		free(vm.slots.slots[i].backing);
	assert_int_equal(vm.mmu.pages, 0);
	assert_int_equal(pages_free(), vm.free_before);
	mmu_rcu_reset();
}

/* The leaf SPTE mapping gfn (a test-side walk), or NULL. */
static u64 *leaf_ptr(u64 gfn, int *level)
{
	const struct spte_format *fmt = vm.mmu.fmt;
	u64 *table = vm.mmu.root->table;

	for (int l = TDP_ROOT_LEVEL; l >= 1; l--) {
		u64 *e = &table[(gfn >> (9 * (l - 1))) & 511];

		if (!spte_is_present(*e))
			return NULL;
		if (spte_is_leaf(fmt, *e, l)) {
			if (level)
				*level = l;
			return e;
		}
		table = phys_to_virt(spte_pa(fmt, *e));
	}
	return NULL;
}

static u64 leaf(u64 gfn)
{
	u64 *p = leaf_ptr(gfn, NULL);

	assert_non_null(p);
	return *p;
}

/* The hardware touches gfn: sets A (and D for a write) in its leaf. */
static void hw_access(u64 gfn, bool write)
{
	u64 *p = leaf_ptr(gfn, NULL);

	assert_non_null(p);
	__atomic_fetch_or(p, vm.mmu.fmt->accessed | (write ? vm.mmu.fmt->dirty : 0),
			  __ATOMIC_SEQ_CST);
}

/* The gfns of the layout, one per leaf. */
static u64 layout_gfn(unsigned int i)
{
	return i < NR_4K ? i : i == NR_4K ? GFN_2M + 5 : GFN_1G + 999;
}

static int layout_level(unsigned int i)
{
	return i < NR_4K ? 1 : i == NR_4K ? 2 : 3;
}

/* What the hardware walk finds for gfn: must be mapped. */
static paddr_t walk_pa(u64 gfn)
{
	struct walk_result w = tdp_walk(vm.mmu.root_pa, is_npt(), gfn << PAGE_SHIFT);

	assert_int_equal(w.kind, WALK_MAPPED);
	return w.pa;
}

static struct tdp_age_result age(u64 start, u64 end, unsigned int flags)
{
	struct tdp_age_result r;

	memset(&r, 0xa5, sizeof(r)); /* every field must be written */
	assert_int_equal(tdp_mmu_age(&vm.mmu, start, end, flags, &r), 0);
	return r;
}

struct snap {
	u64 spte[NR_LEAVES];
	paddr_t pa[NR_LEAVES];
};

static void snapshot(struct snap *s)
{
	for (unsigned int i = 0; i < NR_LEAVES; i++) {
		int level = 0;

		s->spte[i] = leaf(layout_gfn(i));
		s->pa[i] = tdp_mmu_translate(&vm.mmu, layout_gfn(i) << PAGE_SHIFT, &level);
		assert_int_equal(level, layout_level(i));
	}
}

/* Aging never changes a translation: only A (or the permission bits). */
static void assert_same_translations(const struct snap *s)
{
	for (unsigned int i = 0; i < NR_LEAVES; i++) {
		int level = 0;

		assert_int_equal(tdp_mmu_translate(&vm.mmu, layout_gfn(i) << PAGE_SHIFT, &level),
				 s->pa[i]);
		assert_int_equal(level, layout_level(i));
	}
}

/* ---- EPT and NPT with A/D bits ---- */

static void test_age_ad_counts(void **state)
{
	(void)state;
	for (unsigned int fi = 0; fi < ARRAY_SIZE(ad_formats); fi++) {
		const struct spte_format *fmt = ad_formats[fi];
		struct tdp_age_result r;
		struct snap before, after;

		vm_setup(fmt);
		snapshot(&before);
		/* Faults install leaves with A set: all young; without CLEAR nothing changes. */
		r = age(0, RANGE_ALL, 0);
		assert_int_equal(r.young, NR_LEAVES);
		assert_int_equal(r.old, 0);
		assert_true(r.visited >= NR_LEAVES);
		assert_true(r.complete);
		assert_false(r.needs_flush);
		snapshot(&after);
		assert_memory_equal(&before, &after, sizeof(before));
		assert_true(tdp_mmu_test_age(&vm.mmu, 0, RANGE_ALL, 0, NULL));

		/* Test-and-clear: every leaf young once, then old; D and the rest kept. */
		r = age(0, RANGE_ALL, TDP_AGE_CLEAR);
		assert_int_equal(r.young, NR_LEAVES);
		assert_int_equal(r.old, 0);
		assert_false(r.needs_flush); /* clearing A needs no flush */
		for (unsigned int i = 0; i < NR_LEAVES; i++) {
			u64 e = leaf(layout_gfn(i));

			assert_int_equal(e, before.spte[i] & ~fmt->accessed);
			assert_int_equal(walk_pa(layout_gfn(i)), before.pa[i]);
		}
		assert_same_translations(&before);
		r = age(0, RANGE_ALL, TDP_AGE_CLEAR);
		assert_int_equal(r.young, 0);
		assert_int_equal(r.old, NR_LEAVES);
		assert_false(tdp_mmu_test_age(&vm.mmu, 0, RANGE_ALL, TDP_AGE_FAST_ONLY, NULL));

		/* The hardware touches a 4 KiB page, the 2 MiB and the 1 GiB leaf. */
		hw_access(3, false);
		hw_access(GFN_2M + 400, true);
		hw_access(GFN_1G + 200000, false);
		r = age(0, RANGE_ALL, 0);
		assert_int_equal(r.young, 3);
		assert_int_equal(r.old, NR_LEAVES - 3);
		assert_false(tdp_mmu_test_age(&vm.mmu, 0, 3, 0, NULL));
		assert_true(tdp_mmu_test_age(&vm.mmu, 3, 4, 0, NULL));
		assert_false(tdp_mmu_test_age(&vm.mmu, 4, NR_4K, 0, NULL));
		/* Part of a huge leaf answers for the whole leaf. */
		assert_true(tdp_mmu_test_age(&vm.mmu, GFN_2M + 1, GFN_2M + 2, 0, NULL));
		assert_true(tdp_mmu_test_age(&vm.mmu, GFN_1G + 7, GFN_1G + 8, 0, NULL));
		/* Only the range is aged. */
		r = age(0, 4, TDP_AGE_CLEAR);
		assert_int_equal(r.young, 1);
		assert_int_equal(r.old, 3);
		assert_true(leaf(GFN_2M) & fmt->accessed);
		assert_true(leaf(GFN_2M) & fmt->dirty);
		r = age(GFN_2M, GFN_2M + 1, TDP_AGE_CLEAR);
		assert_int_equal(r.young, 1);
		assert_false(leaf(GFN_2M) & fmt->accessed);
		assert_true(leaf(GFN_2M) & fmt->dirty);
		assert_true(leaf(GFN_1G) & fmt->accessed);
		/* Empty and out-of-range ranges. */
		r = age(5, 5, TDP_AGE_CLEAR);
		assert_true(r.young == 0 && r.old == 0 && r.visited == 0 && r.complete);
		r = age(TDP_MAX_GFN, TDP_MAX_GFN + 100, TDP_AGE_CLEAR);
		assert_true(r.young == 0 && r.old == 0 && r.visited == 0);
		r = age(3 * TDP_PAGES_1G, 4 * TDP_PAGES_1G, TDP_AGE_CLEAR);
		assert_true(r.young == 0 && r.old == 0 && r.visited > 0);
		assert_same_translations(&before);
		vm_teardown();
	}
}

static void test_age_each_level(void **state)
{
	(void)state;
	for (unsigned int fi = 0; fi < ARRAY_SIZE(ad_formats); fi++) {
		const struct spte_format *fmt = ad_formats[fi];

		vm_setup(fmt);
		age(0, RANGE_ALL, TDP_AGE_CLEAR);
		for (unsigned int i = NR_4K - 1; i < NR_LEAVES; i++) {
			u64 g = layout_gfn(i), n = spte_level_pages(layout_level(i));
			u64 first = ALIGN_DOWN(g, n);
			struct tdp_age_result r;
			int level;

			hw_access(g, true);
			assert_true(tdp_mmu_test_age(&vm.mmu, g, g + 1, TDP_AGE_FAST_ONLY, NULL));
			assert_true(tdp_mmu_test_age(&vm.mmu, first + n - 1, first + n, 0, NULL));
			r = age(first, first + n, TDP_AGE_CLEAR | TDP_AGE_FAST_ONLY);
			assert_int_equal(r.young, 1);
			assert_int_equal(r.old, 0);
			assert_true(r.complete);
			assert_non_null(leaf_ptr(g, &level));
			assert_int_equal(level, layout_level(i));
			assert_false(leaf(g) & fmt->accessed);
			assert_true(leaf(g) & fmt->dirty);
			assert_false(tdp_mmu_test_age(&vm.mmu, 0, RANGE_ALL, 0, NULL));
		}
		vm_teardown();
	}
}

static void test_test_age_stops_early(void **state)
{
	struct tdp_age_result full, r;

	(void)state;
	vm_setup(&spte_format_ept);
	age(0, RANGE_ALL, TDP_AGE_CLEAR);
	full = age(0, RANGE_ALL, 0);
	hw_access(2, false);
	hw_access(9, false);
	/* Stops at gfn 2: with CLEAR, leaves 0..2 are aged, 9 stays young. */
	assert_true(tdp_mmu_test_age(&vm.mmu, 0, RANGE_ALL, TDP_AGE_CLEAR, &r));
	assert_int_equal(r.young, 1);
	assert_int_equal(r.old, 2);
	assert_true(r.complete);
	assert_true(r.visited < full.visited);
	assert_false(leaf(2) & EPT_ACCESSED);
	assert_true(leaf(9) & EPT_ACCESSED);
	assert_true(tdp_mmu_test_age(&vm.mmu, 0, RANGE_ALL, 0, &r));
	assert_true(leaf(9) & EPT_ACCESSED); /* no CLEAR: untouched */
	assert_true(tdp_mmu_test_age(&vm.mmu, 0, RANGE_ALL, TDP_AGE_CLEAR, NULL));
	assert_false(tdp_mmu_test_age(&vm.mmu, 0, RANGE_ALL, TDP_AGE_CLEAR, &r));
	assert_int_equal(r.old, NR_LEAVES);
	vm_teardown();
}

static void test_age_bad_args(void **state)
{
	struct tdp_age_result r;

	(void)state;
	vm_setup(&spte_format_npt);
	assert_int_equal(tdp_mmu_age(&vm.mmu, 0, 10, 0x80, &r), -E_INVAL);
	assert_int_equal(tdp_mmu_age(&vm.mmu, 0, 10, 0, NULL), -E_INVAL);
	assert_false(tdp_mmu_test_age(&vm.mmu, 0, 10, 0x80, NULL));
	assert_true(tdp_mmu_test_age(&vm.mmu, 0, 10, 0, NULL));
	vm_teardown();
	assert_int_equal(tdp_mmu_age(&vm.mmu, 0, 10, 0, &r), -E_INVAL); /* destroyed */
}

/* ---- fast-only mode and a locked source ---- */

static struct {
	bool pending;
	u64 young; /* what the locked source reports */
	unsigned int pending_calls, age_calls;
} src;

static bool src_pending(struct tdp_mmu *mmu, u64 start, u64 end)
{
	(void)mmu, (void)start, (void)end;
	src.pending_calls++;
	return src.pending;
}

static void src_age(struct tdp_mmu *mmu, u64 start, u64 end, unsigned int flags,
		    bool stop_at_young, struct tdp_age_result *out)
{
	(void)start, (void)end, (void)stop_at_young;
	/* Under mmu_lock for WRITE, never in fast-only mode. */
	assert_int_equal(MMU_LOCK_DEPTH_REF, 1);
	assert_int_equal(mmu->mmu_lock.state, RWLOCK_WRITER);
	assert_false(flags & TDP_AGE_FAST_ONLY);
	src.age_calls++;
	out->visited++;
	if (src.young) {
		out->young++;
		if (flags & TDP_AGE_CLEAR)
			src.young--;
	} else {
		out->old++;
	}
}

static const struct tdp_age_locked_ops src_ops = { .pending = src_pending, .age = src_age };

static void no_lock_hook(struct tdp_mmu *mmu, u64 *sptep, int level)
{
	(void)sptep, (void)level;
	assert_int_equal(mmu->mmu_lock.state, 0); /* not even for READ */
	assert_int_equal(MMU_LOCK_DEPTH_REF, 0);
}

static void test_age_fast_only(void **state)
{
	struct tdp_age_result r;

	(void)state;
	vm_setup(&spte_format_npt);
	memset(&src, 0, sizeof(src));
	/* No locked source: fast-only is complete, and the walk takes no lock. */
	tdp_test_race_hook = no_lock_hook;
	r = age(0, RANGE_ALL, TDP_AGE_FAST_ONLY | TDP_AGE_CLEAR);
	tdp_test_race_hook = NULL;
	assert_int_equal(r.young, NR_LEAVES);
	assert_true(r.complete);

	tdp_age_set_locked_ops(&src_ops);
	/* Nothing pending there: still complete. */
	r = age(0, RANGE_ALL, TDP_AGE_FAST_ONLY);
	assert_true(r.complete);
	assert_int_equal(src.pending_calls, 1);

	src.pending = true;
	src.young = 1;
	/* Fast-only with work behind the lock: skipped, incomplete. The write
	 * lock held by "another CPU" proves the fast path never waits for it. */
	write_lock(&vm.mmu.mmu_lock);
	r = age(0, RANGE_ALL, TDP_AGE_FAST_ONLY | TDP_AGE_CLEAR);
	assert_false(tdp_mmu_test_age(&vm.mmu, 0, RANGE_ALL, TDP_AGE_FAST_ONLY, &r));
	assert_false(r.complete); /* "not young" is not a full answer */
	write_unlock(&vm.mmu.mmu_lock);
	assert_int_equal(r.old, NR_LEAVES);
	assert_int_equal(src.age_calls, 0);

	/* A young TDP leaf answers test_age without the lock, completely. */
	hw_access(7, false);
	assert_true(tdp_mmu_test_age(&vm.mmu, 0, RANGE_ALL, TDP_AGE_FAST_ONLY, &r));
	assert_true(r.complete);
	assert_true(tdp_mmu_test_age(&vm.mmu, 0, RANGE_ALL, 0, &r));
	assert_int_equal(src.age_calls, 0);

	/* Without FAST_ONLY the locked source runs, under the write lock. */
	r = age(0, RANGE_ALL, TDP_AGE_CLEAR);
	assert_true(r.complete);
	assert_int_equal(r.young, 2); /* gfn 7 + the locked source */
	assert_int_equal(r.old, NR_LEAVES - 1 + 0);
	assert_int_equal(src.age_calls, 1);
	assert_int_equal(MMU_LOCK_DEPTH_REF, 0);
	/* test_age: TDP all old, the locked source decides. */
	src.young = 1;
	assert_true(tdp_mmu_test_age(&vm.mmu, 0, RANGE_ALL, 0, &r));
	assert_true(r.complete);
	src.young = 0;
	assert_false(tdp_mmu_test_age(&vm.mmu, 0, RANGE_ALL, 0, &r));
	assert_true(r.complete);
	vm_teardown();
}

/* ---- access tracking: EPT without A/D ---- */

static void test_noad_tracking(void **state)
{
	const struct spte_format *fmt = &spte_format_ept_noad;
	struct tdp_age_result r;
	struct snap before;
	u64 ro_before, tables;

	(void)state;
	vm_setup(fmt);
	assert_int_equal(do_fault(GFN_RO, false, TDP_LEVEL_4K), FAULT_FIXED);
	ro_before = leaf(GFN_RO);
	assert_false(ro_before & EPT_W);
	snapshot(&before);
	assert_int_equal(fmt->accessed, 0);

	/* Nothing tracked yet: every leaf is young; counting changes nothing. */
	r = age(0, RANGE_ALL, TDP_AGE_FAST_ONLY);
	assert_int_equal(r.young, NR_LEAVES + 1);
	assert_false(r.needs_flush);
	assert_int_equal(leaf(0), before.spte[0]);

	/* Clearing = tracking: RWX saved and cleared, a flush requested. */
	r = age(0, RANGE_ALL, TDP_AGE_FAST_ONLY | TDP_AGE_CLEAR);
	assert_int_equal(r.young, NR_LEAVES + 1);
	assert_true(r.needs_flush);
	assert_true(r.complete);
	for (unsigned int i = 0; i < NR_LEAVES; i++) {
		u64 g = layout_gfn(i), e = leaf(g);
		struct walk_result w = tdp_walk(vm.mmu.root_pa, false, g << PAGE_SHIFT);

		assert_true(spte_is_acc_tracked(fmt, e));
		assert_false(spte_is_mmio(fmt, e));
		assert_int_equal(e & EPT_RWX, 0);
		assert_int_equal((e & SPTE_ACC_TRACK_SAVED_MASK) >> SPTE_ACC_TRACK_SAVED_SHIFT,
				 before.spte[i] & EPT_RWX);
		assert_int_equal(spte_acc_track_restore(e), before.spte[i]);
		assert_int_equal(w.kind, WALK_NOT_PRESENT); /* the hardware faults */
		assert_int_equal(w.level, layout_level(i));
	}
	assert_same_translations(&before); /* the MMU still knows the mapping */
	assert_false(tdp_mmu_test_age(&vm.mmu, 0, RANGE_ALL, 0, NULL));
	r = age(0, RANGE_ALL, TDP_AGE_CLEAR);
	assert_int_equal(r.young, 0);
	assert_int_equal(r.old, NR_LEAVES + 1);
	assert_false(r.needs_flush); /* nothing newly tracked */

	/* The next access faults; the fault restores with one cmpxchg, no table. */
	tables = vm.mmu.pages;
	for (unsigned int i = 0; i < NR_LEAVES; i++) {
		u64 g = layout_gfn(i);
		struct tdp_fault f = { .max_level = TDP_LEVEL_1G };
		u64 cache_tables;
		struct walk_result w;

		assert_int_equal(mmu_cache_topup(&vm.cache, MMU_MODE_TDP), 0);
		cache_tables = vm.cache.nr_tables;
		tdp_fault_init(&f, &vm.slots, g << PAGE_SHIFT, i & 1, false);
		assert_int_equal(tdp_mmu_fault(&vm.mmu, &vm.cache, &f), FAULT_FIXED);
		assert_int_equal(f.tables_added, 0);
		assert_int_equal(vm.cache.nr_tables, cache_tables);
		assert_int_equal(f.level, layout_level(i));
		assert_int_equal(f.spte, before.spte[i]);
		assert_int_equal(leaf(g), before.spte[i]);
		w = tdp_walk(vm.mmu.root_pa, false, g << PAGE_SHIFT);
		assert_int_equal(w.kind, WALK_MAPPED);
		assert_int_equal(w.pa, before.pa[i]);
		assert_true(tdp_mmu_test_age(&vm.mmu, g, g + 1, TDP_AGE_FAST_ONLY, NULL));
		/* Again: the leaf is there, nothing to do. */
		assert_int_equal(do_fault(g, false, TDP_LEVEL_1G), FAULT_SPURIOUS);
	}
	assert_int_equal(vm.mmu.pages, tables);
	/* A read-only leaf restores without W; a write to it is still emulated. */
	assert_int_equal(do_fault(GFN_RO, true, TDP_LEVEL_4K), FAULT_MMIO);
	assert_true(spte_is_acc_tracked(fmt, leaf(GFN_RO)));
	assert_int_equal(do_fault(GFN_RO, false, TDP_LEVEL_4K), FAULT_FIXED);
	assert_int_equal(leaf(GFN_RO), ro_before);
	vm_teardown();
}

/* Zaps and splits treat a tracked leaf as the present mapping it is. */
static void test_noad_zap_split(void **state)
{
	const struct spte_format *fmt = &spte_format_ept_noad;
	u64 before2m;
	bool flush = false;

	(void)state;
	vm_setup(fmt);
	before2m = leaf(GFN_2M);
	age(0, RANGE_ALL, TDP_AGE_CLEAR);
	/* Split of a tracked 2 MiB leaf: 512 tracked 4 KiB leaves, same frames. */
	assert_int_equal(tdp_mmu_split_range(&vm.mmu, &vm.cache, GFN_2M, GFN_2M + 1, 1), 1);
	for (u64 j = 0; j < TDP_PAGES_2M; j += 73) {
		int level;
		u64 e = *leaf_ptr(GFN_2M + j, &level);

		assert_int_equal(level, 1);
		assert_true(spte_is_acc_tracked(fmt, e));
		assert_int_equal(tdp_mmu_translate(&vm.mmu, (GFN_2M + j) << PAGE_SHIFT, NULL),
				 FAKE_LOW + (GFN_2M + j) * PAGE_SIZE);
	}
	assert_int_equal(do_fault(GFN_2M + 73, true, TDP_LEVEL_1G), FAULT_FIXED);
	assert_int_equal(tdp_walk(vm.mmu.root_pa, false, (GFN_2M + 73) << PAGE_SHIFT).pa,
			 FAKE_LOW + (GFN_2M + 73) * PAGE_SIZE);
	assert_int_equal(leaf(GFN_2M + 73) & ~fmt->addr_mask,
			 before2m & ~(fmt->addr_mask | fmt->large));
	/* Zap of a tracked leaf: gone, and it asks for a flush like any present leaf. */
	assert_int_equal(tdp_mmu_zap_range(&vm.mmu, 3, 4, &flush), 1);
	assert_true(flush);
	assert_null(leaf_ptr(3, NULL));
	assert_int_equal(tdp_mmu_translate(&vm.mmu, 3 << PAGE_SHIFT, NULL), 0);
	/* And a fault maps it afresh. */
	assert_int_equal(do_fault(3, false, TDP_LEVEL_4K), FAULT_FIXED);
	assert_false(spte_is_acc_tracked(fmt, leaf(3)));
	vm_teardown();
}

/* ---- races at the cmpxchg ---- */

enum race_kind {
	RACE_NONE,
	RACE_HW_DIRTY,	     /* the hardware sets D (a write through the cached A=1 entry) */
	RACE_OTHER_AGER,     /* another ager clears A first */
	RACE_AGER_THEN_HW,   /* another ager clears A, then the guest touches it again (A|D) */
	RACE_ZAP,	     /* the slot's leaf is zapped (mmu_lock WRITE) */
	RACE_SPLIT,	     /* the huge leaf is split into a table */
	RACE_ZAP_TABLE,	     /* the whole table holding the leaf is unlinked */
	RACE_NOAD_TRACKED,   /* another ager tracks the leaf first */
	RACE_NOAD_RESTORE,   /* another ager tracks it, then a fault restores it */
};

static struct {
	enum race_kind kind;
	unsigned int calls, fired;
	bool nested; /* inside the hook's own MMU calls: not the ager */
	u64 *target; /* only this SPTE (NULL: any) */
} race;

static void race_hook(struct tdp_mmu *mmu, u64 *sptep, int level)
{
	const struct spte_format *fmt = mmu->fmt;

	if (race.nested)
		return;
	race.calls++;
	assert_int_equal(mmu->mmu_lock.state, 0); /* the ager holds no lock */
	if (race.fired || (race.target && sptep != race.target))
		return;
	race.fired++;
	race.nested = true;
	switch (race.kind) {
	case RACE_HW_DIRTY:
		__atomic_fetch_or(sptep, fmt->dirty, __ATOMIC_SEQ_CST);
		break;
	case RACE_OTHER_AGER:
		__atomic_fetch_and(sptep, ~fmt->accessed, __ATOMIC_SEQ_CST);
		break;
	case RACE_AGER_THEN_HW:
		__atomic_fetch_and(sptep, ~fmt->accessed, __ATOMIC_SEQ_CST);
		__atomic_fetch_or(sptep, fmt->accessed | fmt->dirty, __ATOMIC_SEQ_CST);
		break;
	case RACE_ZAP:
		assert_int_equal(tdp_mmu_zap_range(mmu, 5, 6, NULL), 1);
		break;
	case RACE_SPLIT:
		assert_int_equal(level, 2);
		assert_int_equal(tdp_mmu_split_range(mmu, &vm.cache, GFN_2M, GFN_2M + 1, 1), 1);
		break;
	case RACE_ZAP_TABLE:
		tdp_mmu_zap_range(mmu, 0, TDP_PAGES_2M, NULL);
		break;
	case RACE_NOAD_TRACKED:
		*sptep = spte_acc_track_mark(*sptep);
		break;
	case RACE_NOAD_RESTORE:
		*sptep = spte_acc_track_mark(*sptep);
		assert_int_equal(do_fault(0, false, TDP_LEVEL_4K), FAULT_FIXED);
		break;
	default:
		break;
	}
	race.nested = false;
}

static struct tdp_age_result race_age(enum race_kind kind, u64 *target, u64 start, u64 end)
{
	struct tdp_age_result r;

	race.kind = kind;
	race.calls = race.fired = 0;
	race.target = target;
	tdp_test_race_hook = race_hook;
	r = age(start, end, TDP_AGE_CLEAR);
	tdp_test_race_hook = NULL;
	return r;
}

static void test_age_races_ad(void **state)
{
	(void)state;
	for (unsigned int fi = 0; fi < ARRAY_SIZE(ad_formats); fi++) {
		const struct spte_format *fmt = ad_formats[fi];
		struct tdp_age_result r;
		u64 *p, orig;

		vm_setup(fmt);
		/* Read A=1 D=0; the hardware writes D before our cmpxchg: retried, D kept. */
		p = leaf_ptr(0, NULL);
		*p &= ~fmt->dirty; /* writable leaves are installed dirty: start clean */
		orig = *p;
		r = race_age(RACE_HW_DIRTY, p, 0, 1);
		assert_int_equal(race.calls, 2); /* one failed cmpxchg, one retry */
		assert_int_equal(r.young, 1);
		assert_int_equal(*p, (orig | fmt->dirty) & ~fmt->accessed);

		/* Another ager won: the leaf is counted old here, not twice young. */
		hw_access(0, false);
		r = race_age(RACE_OTHER_AGER, p, 0, 1);
		assert_int_equal(race.calls, 1);
		assert_int_equal(r.young, 0);
		assert_int_equal(r.old, 1);
		assert_false(*p & fmt->accessed);

		/* Another ager cleared A and the guest set it again (with D): the new
		 * access is ours to see, and cleared; D survives. */
		hw_access(0, false);
		*p &= ~fmt->dirty;
		r = race_age(RACE_AGER_THEN_HW, p, 0, 1);
		assert_int_equal(race.calls, 2);
		assert_int_equal(r.young, 1);
		assert_int_equal(*p & (fmt->accessed | fmt->dirty), fmt->dirty);

		/* A zap between read and write: the leaf stays zapped (never resurrected). */
		hw_access(5, false);
		r = race_age(RACE_ZAP, leaf_ptr(5, NULL), 5, 6);
		assert_int_equal(r.young + r.old, 0);
		assert_null(leaf_ptr(5, NULL));
		assert_int_equal(tdp_mmu_translate(&vm.mmu, 5 << PAGE_SHIFT, NULL), 0);

		/* A split under us: the new table is walked and its 512 leaves aged. */
		hw_access(GFN_2M, true);
		r = race_age(RACE_SPLIT, NULL, GFN_2M, GFN_2M + TDP_PAGES_2M);
		assert_int_equal(r.young, TDP_PAGES_2M);
		for (u64 j = 0; j < TDP_PAGES_2M; j++) {
			int level;
			u64 e = *leaf_ptr(GFN_2M + j, &level);

			assert_int_equal(level, 1);
			assert_int_equal(e & (fmt->accessed | fmt->dirty), fmt->dirty);
			assert_int_equal(spte_pa(fmt, e), FAKE_LOW + (GFN_2M + j) * PAGE_SIZE);
		}
		assert_false(tdp_mmu_test_age(&vm.mmu, GFN_2M, GFN_2M + TDP_PAGES_2M, 0, NULL));
		vm_teardown();
	}
}

/* The walker keeps using a table unlinked under it: the grace period keeps
 * it allocated until the walker's CPU passes a quiescent point. */
static void test_age_grace_period(void **state)
{
	struct tdp_age_result r;
	u64 deferred;

	(void)state;
	vm_setup(&spte_format_ept);
	mmu_rcu_cpu_online(0); /* the aging CPU */
	r = race_age(RACE_ZAP_TABLE, leaf_ptr(0, NULL), 0, NR_4K);
	assert_int_equal(race.fired, 1);
	/* Unlinking leaves the table's entries intact, so the cmpxchg succeeds
	 * and the walk goes on through the retired (not yet freed) table. */
	assert_int_equal(r.young, NR_4K);
	assert_int_equal(tdp_mmu_translate(&vm.mmu, 0, NULL), 0);
	deferred = vm.mmu.deferred_pages;
	assert_true(deferred >= 1);
	assert_int_equal(tdp_mmu_reclaim(&vm.mmu), 0); /* still protected */
	mmu_quiescent(0);
	assert_int_equal(tdp_mmu_reclaim(&vm.mmu), deferred);
	vm_teardown();
}

/* "Another vCPU" restores the tracked leaf just before this one's cmpxchg. */
static void restore_race_hook(struct tdp_mmu *mmu, u64 *sptep, int level)
{
	(void)level;
	if (race.fired++)
		return;
	assert_int_equal(mmu->mmu_lock.state, 1); /* the fault holds mmu_lock for READ */
	assert_true(spte_is_acc_tracked(mmu->fmt, *sptep));
	*sptep = spte_acc_track_restore(*sptep);
}

static void test_age_races_noad(void **state)
{
	const struct spte_format *fmt = &spte_format_ept_noad;
	struct tdp_age_result r;
	u64 *p, orig;

	(void)state;
	vm_setup(fmt);
	p = leaf_ptr(0, NULL);
	orig = *p;
	/* Another ager tracked it first: old here, tracked once (not saved twice). */
	r = race_age(RACE_NOAD_TRACKED, p, 0, 1);
	assert_int_equal(race.calls, 1);
	assert_int_equal(r.young, 0);
	assert_int_equal(r.old, 1);
	assert_false(r.needs_flush);
	assert_int_equal(*p, spte_acc_track_mark(orig));
	assert_int_equal(spte_acc_track_restore(*p), orig);
	assert_int_equal(do_fault(0, false, TDP_LEVEL_4K), FAULT_FIXED);
	assert_int_equal(*p, orig);
	/* Tracked and restored by a fault before our cmpxchg: the value is the
	 * same as we read, so our cmpxchg tracks it (ABA is harmless: it is the
	 * same leaf with the same permissions), one young, flush requested. */
	r = race_age(RACE_NOAD_RESTORE, p, 0, 1);
	assert_int_equal(r.young, 1);
	assert_true(r.needs_flush);
	assert_int_equal(*p, spte_acc_track_mark(orig));
	/* Two vCPUs fault on the tracked leaf: the one losing the restore
	 * cmpxchg finds the restored leaf and reports spurious. */
	race.fired = 0;
	tdp_test_race_hook = restore_race_hook;
	assert_int_equal(do_fault(0, false, TDP_LEVEL_4K), FAULT_SPURIOUS);
	tdp_test_race_hook = NULL;
	assert_int_equal(race.fired, 1);
	assert_int_equal(*p, orig);
	vm_teardown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_age_ad_counts),
		cmocka_unit_test(test_age_each_level),
		cmocka_unit_test(test_test_age_stops_early),
		cmocka_unit_test(test_age_bad_args),
		cmocka_unit_test(test_age_fast_only),
		cmocka_unit_test(test_noad_tracking),
		cmocka_unit_test(test_noad_zap_split),
		cmocka_unit_test(test_age_races_ad),
		cmocka_unit_test(test_age_grace_period),
		cmocka_unit_test(test_age_races_noad),
	};

	tdp_env_init(ARENA);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
