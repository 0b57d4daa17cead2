/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the TDP MMU (mm/tdp/): SPTE formats, per-vCPU caches,
 * the iterator, faults at 4 KiB / 2 MiB / 1 GiB with simulated races, zaps
 * (nothing outside the range touched), zap-all with yields, huge-page
 * splits, MMIO generations, deferred freeing and the table-page cap. Every
 * mapping is checked with an independent software walker (tdp_walk.h).
 */
#include "tdp_env.h"
#include "tdp_walk.h"

#include "mm/tdp/tdp_debug.h"
#include "mm/tdp/tdp_iter.h"
#include "mm/tdp/tdp_mmu.h"

#define ARENA MiB(128)

static const struct spte_format *const formats[] = {
	&spte_format_ept, &spte_format_ept_noad, &spte_format_npt,
};

struct vm_fixture {
	struct tdp_mmu mmu;
	struct memslots slots;
	struct mmu_cache cache;
	u64 free_before;
};

static struct vm_fixture vm;

static bool is_npt(const struct spte_format *f)
{
	return f == &spte_format_npt;
}

static void vm_setup(const struct spte_format *fmt, u64 cap)
{
	mmu_rcu_reset();
	memset(&vm.slots, 0, sizeof(vm.slots));
	memset(&vm.cache, 0, sizeof(vm.cache));
	vm.free_before = pages_free();
	assert_int_equal(tdp_mmu_init(&vm.mmu, fmt, cap), 0);
	tdp_mmu_set_memslots(&vm.mmu, &vm.slots);
}

static struct memslot *add_slot(u64 base, u64 npages, u32 id, u32 flags)
{
	tdp_mmu_write_lock(&vm.mmu);
	assert_int_equal(memslot_insert(&vm.slots, base, npages, id, flags), 0);
	tdp_mmu_gen_changed(&vm.mmu);
	tdp_mmu_write_unlock(&vm.mmu);
	for (u32 i = 0; i < vm.slots.count; i++)
		if (vm.slots.slots[i].id == id) {
			vm.slots.slots[i].backing = calloc(npages, sizeof(paddr_t));
			return &vm.slots.slots[i];
		}
	fail();
	return NULL;
}

static void free_backing(struct memslot *s, bool real)
{
	for (u64 i = 0; real && i < s->npages; i++)
		if (s->backing[i])
			page_free(s->backing[i], 0);
	free(s->backing);
	s->backing = NULL;
}

static void vm_teardown(bool real_backing)
{
	tdp_mmu_destroy(&vm.mmu);
	mmu_cache_free(&vm.cache);
	for (u32 i = 0; i < vm.slots.count; i++)
		free_backing(&vm.slots.slots[i], real_backing);
	assert_int_equal(vm.mmu.pages, 0);
	assert_int_equal(pages_free(), vm.free_before);
}

static enum fault_result do_fault(u64 gpa, bool write, int max_level, int hint)
{
	struct tdp_fault f = { .max_level = max_level };

	tdp_fault_init(&f, &vm.slots, gpa, write, false);
	if (f.slot) {
		paddr_t pa;

		assert_int_equal(tdp_prepare_backing((struct memslot *)f.slot, f.gfn, hint, &pa), 0);
	}
	assert_int_equal(mmu_cache_topup(&vm.cache, MMU_MODE_TDP), 0);
	return tdp_mmu_fault(&vm.mmu, &vm.cache, &f);
}

static struct walk_result walk(u64 gpa)
{
	return tdp_walk(vm.mmu.root_pa, is_npt(vm.mmu.fmt), gpa);
}

/* ---- SPTE formats ---- */

static void test_spte_formats(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(formats); i++) {
		const struct spte_format *f = formats[i];
		u64 leaf = spte_make_leaf(f, MiB(6), SPTE_LEVEL_2M, true, true);
		u64 ro = spte_make_leaf(f, 0x5000, SPTE_LEVEL_4K, false, false);
		u64 tbl = spte_make_table(f, 0x7000);

		assert_true(spte_is_present(leaf) && spte_is_present(tbl));
		assert_false(spte_is_mmio(f, leaf) || spte_is_mmio(f, tbl) || spte_is_mmio(f, 0));
		assert_true(spte_is_leaf(f, leaf, 2));
		assert_false(spte_is_leaf(f, tbl, 2));
		assert_true(spte_is_leaf(f, ro, 1));
		assert_int_equal(spte_pa(f, leaf), MiB(6));
		assert_true(spte_writable(f, leaf) && spte_executable(f, leaf));
		assert_false(spte_writable(f, ro) || spte_executable(f, ro));
		for (u64 gen = 0; gen < 5000; gen += 7) {
			u64 m = spte_make_mmio(f, gen);

			assert_true(spte_is_mmio(f, m));
			assert_false(spte_is_present(m));
			assert_int_equal(spte_mmio_gen(f, m), gen & ((1u << SPTE_MMIO_GEN_BITS) - 1));
		}
	}
	/* Architectural encodings. */
	assert_int_equal(spte_make_table(&spte_format_ept, 0x7000) & EPT_RWX, EPT_RWX);
	assert_int_equal(spte_make_leaf(&spte_format_ept, 0x5000, 1, true, true) &
				 (EPT_ACCESSED | EPT_DIRTY | EPT_MEMTYPE_MASK),
			 EPT_ACCESSED | EPT_DIRTY | EPT_LEAF_MEMTYPE_WB);
	assert_int_equal(spte_make_leaf(&spte_format_ept_noad, 0x5000, 1, true, true) &
				 (EPT_ACCESSED | EPT_DIRTY), 0);
	assert_int_equal(spte_make_mmio(&spte_format_ept, 3) & EPT_RWX, EPT_W | EPT_X);
	assert_int_equal(spte_make_table(&spte_format_npt, 0x7000) & (NPT_P | NPT_W | NPT_U),
			 NPT_P | NPT_W | NPT_U);
	assert_true(spte_make_leaf(&spte_format_npt, 0x5000, 1, false, false) & NPT_NX);
	assert_true(spte_make_leaf(&spte_format_npt, 0x5000, 1, false, false) & NPT_U);
	assert_true(spte_make_leaf(&spte_format_npt, MiB(2), 2, false, true) & NPT_PS);
	assert_int_equal(spte_make_mmio(&spte_format_npt, 3) & (NPT_P | NPT_U | NPT_MMIO_RSVD_BIT),
			 NPT_P | NPT_U | NPT_MMIO_RSVD_BIT);
	assert_int_equal(spte_make_mmio(&spte_format_npt, 5), npt_mmio_entry(5));
}

/* ---- caches ---- */

static void test_cache_modes(void **state)
{
	struct mmu_cache c = { 0 };
	u64 before = pages_free();

	(void)state;
	assert_int_equal(mmu_cache_topup(&c, MMU_MODE_TDP), 0);
	assert_true(c.nr_tables >= MMU_CACHE_MIN_TABLES && c.nr_headers >= MMU_CACHE_MIN_HEADERS);
	assert_int_equal(c.nr_rmap, 0);
	assert_int_equal(mmu_cache_bytes_reserved(&c),
			 c.nr_tables * PAGE_SIZE + c.nr_headers * sizeof(struct mmu_page));
	assert_int_equal(mmu_cache_topup(&c, MMU_MODE_SHADOW), 0);
	assert_true(c.nr_rmap >= MMU_CACHE_MIN_RMAP);
	/* Above the minimum nothing more is allocated. */
	c.nr_tables--;
	page_free_virt(c.tables[c.nr_tables], 0);
	{
		u32 n = c.nr_tables;

		assert_int_equal(mmu_cache_topup(&c, MMU_MODE_TDP), 0);
		assert_int_equal(c.nr_tables, n);
	}
	mmu_cache_free(&c);
	assert_int_equal(mmu_cache_bytes_reserved(&c), 0);
	assert_int_equal(pages_free(), before);
}

static void test_cache_bugs_under_lock(void **state)
{
	struct mmu_cache c = { 0 };

	(void)state;
	vm_setup(&spte_format_ept, 100);
	tdp_mmu_read_lock(&vm.mmu);
	expect_assert_failure(mmu_cache_topup(&c, MMU_MODE_TDP));
	expect_assert_failure(mmu_cache_take_table(&c)); /* empty cache under the lock */
	tdp_mmu_read_unlock(&vm.mmu);
	tdp_mmu_write_lock(&vm.mmu);
	{
		paddr_t pa;
		struct memslot s = { .base_gfn = 0, .npages = 1, .backing = &pa };

		pa = 0;
		expect_assert_failure(tdp_prepare_backing(&s, 0, 1, &pa));
	}
	tdp_mmu_write_unlock(&vm.mmu);
	/* A fault with an empty cache that needs a table is a BUG too. */
	add_slot(0, 16, 1, 0);
	{
		struct tdp_fault f = { 0 };
		paddr_t pa;

		tdp_fault_init(&f, &vm.slots, 0x3000, false, false);
		assert_int_equal(tdp_prepare_backing((struct memslot *)f.slot, 3, 1, &pa), 0);
		expect_assert_failure(tdp_mmu_fault(&vm.mmu, &c, &f));
		MMU_LOCK_DEPTH_REF = 0; /* the BUG left the lock behind */
		rwlock_init(&vm.mmu.mmu_lock);
	}
	vm_teardown(true);
}

/* ---- iterator ---- */

static void test_iter_preorder(void **state)
{
	struct tdp_iter it;
	u64 visited[5] = { 0 }, last_gfn = 0, leaves = 0;

	(void)state;
	vm_setup(&spte_format_npt, 100);
	add_slot(0, 4096, 1, 0);
	for (u64 g = 0; g < 4096; g += 97)
		assert_int_equal(do_fault(g << PAGE_SHIFT, true, TDP_LEVEL_4K, 1), FAULT_FIXED);
	tdp_iter_start(&it, vm.mmu.fmt, vm.mmu.root->table, 4, 1, 0, 4096);
	for (; it.valid; tdp_iter_next(&it)) {
		visited[it.level]++;
		if (spte_is_present(it.old_spte) && it.level == 1) {
			assert_true(it.gfn >= last_gfn);
			last_gfn = it.gfn;
			assert_int_equal(it.gfn % 97, 0);
			leaves++;
		}
	}
	assert_int_equal(leaves, (4096 + 96) / 97);
	assert_int_equal(visited[4], 1);
	assert_int_equal(visited[3], 1);
	assert_int_equal(visited[2], 8); /* 4096 pages = 8 PDEs */
	assert_int_equal(visited[1], 4096);
	/* A sub-range starting mid-table, and a restart from the root. */
	tdp_iter_start(&it, vm.mmu.fmt, vm.mmu.root->table, 4, 1, 1000, 1200);
	while (it.valid && it.level != 1)
		tdp_iter_next(&it);
	assert_int_equal(it.gfn, 1000);
	while (it.valid && !(it.level == 1 && it.gfn == 1050))
		tdp_iter_next(&it); /* crosses a PT boundary at 1024 */
	assert_true(it.valid);
	tdp_iter_restart(&it);
	assert_int_equal(it.level, 4);
	while (it.valid && it.level != 1)
		tdp_iter_next(&it);
	assert_int_equal(it.gfn, 1050);
	{
		u64 n = 0;

		for (; it.valid; tdp_iter_next(&it))
			n += it.level == 1;
		assert_int_equal(n, 150);
	}
	vm_teardown(true);
}

/* ---- faults ---- */

static void test_fault_4k_2m(void **state)
{
	(void)state;
	for (unsigned int fi = 0; fi < ARRAY_SIZE(formats); fi++) {
		struct memslot *s;
		struct walk_result w;

		vm_setup(formats[fi], 100);
		s = add_slot(512, 2048, 1, 0); /* gfns 512..2559: 2 MiB aligned start */
		assert_int_equal(do_fault(0x200000 + 0x1234, true, TDP_LEVEL_1G, 2), FAULT_FIXED);
		w = walk(0x200000 + 0x1234);
		assert_int_equal(w.kind, WALK_MAPPED);
		assert_int_equal(w.level, 2);
		assert_int_equal(w.pa, s->backing[1] + 0x234);
		assert_true(w.w && w.x);
		/* 4 KiB: a page whose 2 MiB block is not uniformly backed. */
		assert_int_equal(do_fault(0x600000, false, TDP_LEVEL_1G, 1), FAULT_FIXED);
		w = walk(0x600000);
		assert_int_equal(w.level, 1);
		assert_int_equal(w.pa, s->backing[0x600 - 512]);
		assert_int_equal(do_fault(0x600000, false, TDP_LEVEL_1G, 1), FAULT_SPURIOUS);
		/* 4 tables: root, PDPT, PD, PT. */
		assert_int_equal(vm.mmu.pages, 4);
		assert_int_equal(tdp_mmu_count_tables(&vm.mmu), 4);
		/* Beyond the slot: MMIO. */
		assert_int_equal(do_fault(GiB(3), false, TDP_LEVEL_1G, 1), FAULT_MMIO);
		w = walk(GiB(3));
		assert_int_equal(w.kind, is_npt(formats[fi]) ? WALK_RSVD : WALK_MISCONFIG);
		vm_teardown(true);
	}
}

static void test_fault_readonly(void **state)
{
	struct walk_result w;

	(void)state;
	vm_setup(&spte_format_ept, 100);
	add_slot(0, 16, 1, MEMSLOT_READONLY);
	assert_int_equal(do_fault(0x1000, true, 1, 1), FAULT_MMIO);
	assert_int_equal(walk(0x1000).kind, WALK_NOT_PRESENT);
	assert_int_equal(do_fault(0x1000, false, 1, 1), FAULT_FIXED);
	w = walk(0x1000);
	assert_int_equal(w.kind, WALK_MAPPED);
	assert_false(w.w);
	vm_teardown(true);
}

static void test_fault_1g(void **state)
{
	struct memslot *s;
	struct walk_result w;

	(void)state;
	vm_setup(&spte_format_npt, 100);
	s = add_slot(TDP_PAGES_1G, TDP_PAGES_1G, 1, 0);
	/* Pretend backing: one aligned 1 GiB run (never touched by the MMU). */
	for (u64 i = 0; i < TDP_PAGES_1G; i++)
		s->backing[i] = GiB(64) + i * PAGE_SIZE;
	assert_int_equal(do_fault(GiB(1) + 0x12345678, true, TDP_LEVEL_1G, 1), FAULT_FIXED);
	w = walk(GiB(1) + 0x12345678);
	assert_int_equal(w.kind, WALK_MAPPED);
	assert_int_equal(w.level, 3);
	assert_int_equal(w.pa, GiB(64) + 0x12345678);
	assert_int_equal(vm.mmu.pages, 2);
	/* max_level caps it. */
	tdp_mmu_zap_all(&vm.mmu, NULL, NULL);
	assert_int_equal(do_fault(GiB(1) + 0x12345678, true, TDP_LEVEL_2M, 1), FAULT_FIXED);
	assert_int_equal(walk(GiB(1)).kind, WALK_NOT_PRESENT);
	assert_int_equal(walk(GiB(1) + 0x12345678).level, 2);
	/* Split 1 GiB -> 4 KiB keeps every translation. */
	tdp_mmu_zap_all(&vm.mmu, NULL, NULL);
	assert_int_equal(do_fault(GiB(1), true, TDP_LEVEL_1G, 1), FAULT_FIXED);
	assert_int_equal(tdp_mmu_split_range(&vm.mmu, &vm.cache, TDP_PAGES_1G, TDP_PAGES_1G + 1024,
					     TDP_LEVEL_4K),
			 1 + 2);
	w = walk(GiB(1) + 0x1000);
	assert_int_equal(w.level, 1);
	assert_int_equal(w.pa, GiB(64) + 0x1000);
	w = walk(GiB(1) + MiB(300) + 0x1000);
	assert_int_equal(w.level, 2);
	assert_int_equal(w.pa, GiB(64) + MiB(300) + 0x1000);
	assert_int_equal(tdp_mmu_count_tables(&vm.mmu), 2 + 1 + 2);
	vm_teardown(false);
}

/* Race simulation: before the cmpxchg, "another vCPU" runs the same fault. */
static struct mmu_cache race_cache;
static int race_arm;
static struct tdp_fault race_fault;

static void race_hook(struct tdp_mmu *mmu, u64 *sptep, int level)
{
	(void)sptep;
	if (race_arm == 0 || level != race_arm)
		return;
	race_arm = 0;
	assert_int_equal(tdp_mmu_fault_locked(mmu, &race_cache, &race_fault), FAULT_FIXED);
}

static void test_fault_races(void **state)
{
	(void)state;
	for (int lvl = 1; lvl <= 4; lvl++) {
		struct tdp_fault f = { .max_level = 1 };
		paddr_t pa;
		u64 cache_tables;
		enum fault_result r;

		vm_setup(&spte_format_ept, 100);
		add_slot(0, 1024, 1, 0);
		tdp_fault_init(&f, &vm.slots, 0x5000, true, false);
		assert_int_equal(tdp_prepare_backing((struct memslot *)f.slot, 5, 1, &pa), 0);
		race_fault = f;
		assert_int_equal(mmu_cache_topup(&vm.cache, MMU_MODE_TDP), 0);
		assert_int_equal(mmu_cache_topup(&race_cache, MMU_MODE_TDP), 0);
		cache_tables = vm.cache.nr_tables;
		race_arm = lvl;
		tdp_test_race_hook = race_hook;
		r = tdp_mmu_fault(&vm.mmu, &vm.cache, &f);
		tdp_test_race_hook = NULL;
		/* Lost the leaf: retry or spurious; lost a table: used the winner's. */
		if (lvl == 1)
			assert_true(r == FAULT_SPURIOUS || r == FAULT_RETRY);
		else
			assert_int_equal(r, FAULT_SPURIOUS);
		/* Nothing leaked: the tables in the tree came from the two caches. */
		assert_int_equal((cache_tables - vm.cache.nr_tables) +
					 (MMU_CACHE_CAP_TABLES - race_cache.nr_tables),
				 3);
		assert_int_equal(vm.mmu.pages, 4);
		assert_int_equal(tdp_mmu_count_tables(&vm.mmu), 4);
		assert_int_equal(walk(0x5000).pa, pa);
		assert_true(vm.mmu.stats.races_lost >= 1);
		mmu_cache_free(&race_cache);
		vm_teardown(true);
	}
}

static void test_fault_cap(void **state)
{
	(void)state;
	vm_setup(&spte_format_ept, 3); /* root + 2: a 4 KiB leaf needs 4 */
	add_slot(0, 16, 1, 0);
	assert_int_equal(do_fault(0x1000, false, 1, 1), FAULT_CAP);
	assert_int_equal(vm.mmu.pages, 3);
	assert_int_equal(vm.mmu.high_water, 3);
	assert_int_equal(vm.mmu.stats.cap_hits, 1);
	vm_teardown(true);
}

/* ---- zaps ---- */

static void test_zap_range_only_range(void **state)
{
	bool flush = false;
	u64 n;

	(void)state;
	vm_setup(&spte_format_npt, 1000);
	add_slot(0, 1024, 1, 0);
	add_slot(1024, 1024, 2, 0);
	for (u64 g = 0; g < 2048; g++)
		assert_int_equal(do_fault(g << PAGE_SHIFT, false, 1, 1), FAULT_FIXED);
	assert_int_equal(do_fault(GiB(2), false, 1, 1), FAULT_MMIO);
	n = tdp_mmu_zap_range(&vm.mmu, 1024, 2048, &flush);
	assert_true(flush);
	assert_int_equal(n, 1024 + 2); /* leaves + two PT pages unlinked whole */
	for (u64 g = 0; g < 2048; g++)
		assert_int_equal(walk(g << PAGE_SHIFT).kind, g < 1024 ? WALK_MAPPED : WALK_NOT_PRESENT);
	assert_int_equal(walk(GiB(2)).kind, WALK_RSVD);
	/* Partial ranges inside a table, then the table empties and is freed. */
	n = tdp_mmu_zap_range(&vm.mmu, 10, 20, &flush);
	assert_int_equal(n, 10);
	assert_int_equal(walk(9 << PAGE_SHIFT).kind, WALK_MAPPED);
	assert_int_equal(walk(20 << PAGE_SHIFT).kind, WALK_MAPPED);
	n = tdp_mmu_zap_range(&vm.mmu, 0, 10, &flush);
	n += tdp_mmu_zap_range(&vm.mmu, 20, 512, &flush);
	assert_int_equal(n, 10 + 492 + 1); /* + the emptied PT */
	assert_int_equal(vm.mmu.pages, vm.mmu.deferred_pages + tdp_mmu_count_tables(&vm.mmu));
	/* An empty range changes nothing. */
	flush = false;
	assert_int_equal(tdp_mmu_zap_range(&vm.mmu, 4096, 8192, &flush), 0);
	assert_false(flush);
	/* A zap that needs no flush leaves a collected "flush" set. */
	flush = true;
	assert_int_equal(tdp_mmu_zap_range(&vm.mmu, 4096, 8192, &flush), 0);
	assert_true(flush);
	vm_teardown(true);
}

static unsigned int yields;

static void count_yield(void *ctx)
{
	(void)ctx;
	assert_int_equal(MMU_LOCK_DEPTH_REF, 0); /* the lock is dropped */
	yields++;
}

static void test_zap_all_yields(void **state)
{
	u64 n;

	(void)state;
	vm_setup(&spte_format_ept, 1000);
	add_slot(0, 8192, 1, 0);
	for (u64 g = 0; g < 8192; g++)
		do_fault(g << PAGE_SHIFT, true, 1, 1);
	for (u64 g = 0; g < 64; g++)
		assert_int_equal(do_fault(GiB(8) + g * GiB(1), false, 1, 1), FAULT_MMIO);
	yields = 0;
	n = tdp_mmu_zap_all(&vm.mmu, count_yield, NULL);
	assert_true(yields >= 2);
	/* SPTEs + unlinked tables: PDPT, PD, 16 PTs, 64 PDs and 64 PTs for MMIO */
	assert_int_equal(n, 8192 + 64 + 1 + 1 + 16 + 64 + 64);
	assert_int_equal(tdp_mmu_count_tables(&vm.mmu), 1);
	for (u64 g = 0; g < 8192; g += 7)
		assert_int_equal(walk(g << PAGE_SHIFT).kind, WALK_NOT_PRESENT);
	vm_teardown(true);
}

/* ---- MMIO generations ---- */

static void test_mmio_generation(void **state)
{
	u64 gpa = 0x40000;

	(void)state;
	vm_setup(&spte_format_ept, 100);
	add_slot(1024, 16, 1, 0);
	assert_false(tdp_mmu_mmio_fast(&vm.mmu, gpa, vm.slots.generation));
	assert_int_equal(do_fault(gpa, false, 1, 1), FAULT_MMIO);
	assert_true(tdp_mmu_mmio_fast(&vm.mmu, gpa, vm.slots.generation));
	/* A slot appears there: the generation bump makes the SPTE stale. */
	add_slot(gpa >> PAGE_SHIFT, 4, 2, 0);
	assert_false(tdp_mmu_mmio_fast(&vm.mmu, gpa, vm.slots.generation));
	assert_int_equal(do_fault(gpa, false, 1, 1), FAULT_FIXED);
	assert_int_equal(walk(gpa).kind, WALK_MAPPED);
	/* A fault made under an old generation retries. */
	{
		struct tdp_fault f = { 0 };

		tdp_fault_init(&f, &vm.slots, 0x900000, false, false);
		vm.slots.generation++;
		assert_int_equal(tdp_mmu_fault(&vm.mmu, &vm.cache, &f), FAULT_RETRY);
	}
	/* Wrap of the stored bits: gen_changed zaps every MMIO SPTE. */
	assert_int_equal(do_fault(0x900000, false, 1, 1), FAULT_MMIO);
	tdp_mmu_write_lock(&vm.mmu);
	vm.slots.generation += 1u << SPTE_MMIO_GEN_BITS;
	tdp_mmu_gen_changed(&vm.mmu);
	tdp_mmu_write_unlock(&vm.mmu);
	assert_int_equal(walk(0x900000).kind, WALK_NOT_PRESENT);
	assert_false(tdp_mmu_mmio_fast(&vm.mmu, 0x900000, vm.slots.generation));
	vm_teardown(true);
}

/* ---- deferred free ---- */

static void test_deferred_free(void **state)
{
	u64 free0;

	(void)state;
	vm_setup(&spte_format_ept, 100);
	mmu_rcu_cpu_online(0);
	mmu_rcu_cpu_online(1);
	add_slot(0, 16, 1, 0);
	assert_int_equal(do_fault(0x1000, false, 1, 1), FAULT_FIXED);
	free0 = pages_free();
	tdp_mmu_zap_range(&vm.mmu, 0, 16, NULL);
	assert_int_equal(tdp_mmu_count_tables(&vm.mmu), 1);
	assert_int_equal(vm.mmu.deferred_pages, 3);
	assert_int_equal(vm.mmu.pages, 4);
	mmu_quiescent(0);
	assert_int_equal(tdp_mmu_reclaim(&vm.mmu), 0);
	assert_int_equal(pages_free(), free0);
	mmu_quiescent(1);
	assert_int_equal(tdp_mmu_reclaim(&vm.mmu), 3);
	assert_int_equal(pages_free(), free0 + 3);
	assert_int_equal(vm.mmu.pages, 1);
	/* An offline CPU does not hold grace periods back. */
	assert_int_equal(do_fault(0x1000, false, 1, 1), FAULT_FIXED);
	tdp_mmu_zap_range(&vm.mmu, 0, 16, NULL);
	mmu_rcu_cpu_offline(1);
	mmu_quiescent(0);
	assert_int_equal(tdp_mmu_reclaim(&vm.mmu), 3);
	vm_teardown(true);
	mmu_rcu_reset();
}

/* ---- prepare_backing ---- */

static void test_prepare_backing(void **state)
{
	struct memslot *s;
	paddr_t pa, pa2;

	(void)state;
	vm_setup(&spte_format_ept, 100);
	s = add_slot(256, 1024, 1, 0); /* covers 512..1023 only as an aligned 2 MiB */
	assert_int_equal(tdp_prepare_backing(s, 300, 2, &pa), 0);
	assert_false(IS_ALIGNED(pa, MiB(2)) && s->backing[257] == pa + PAGE_SIZE);
	assert_int_equal(tdp_prepare_backing(s, 600, 2, &pa), 0);
	assert_int_equal(s->backing[512 - 256], ALIGN_DOWN(pa, MiB(2)));
	assert_true(IS_ALIGNED(s->backing[512 - 256], MiB(2)));
	assert_int_equal(tdp_prepare_backing(s, 600, 2, &pa2), 0);
	assert_int_equal(pa, pa2);
	assert_int_equal(((u8 *)phys_to_virt(pa))[100], 0);
	assert_int_equal(tdp_prepare_backing(s, 5000, 1, &pa), -E_RANGE);
	assert_int_equal(do_fault(600 << PAGE_SHIFT, false, 3, 2), FAULT_FIXED);
	assert_int_equal(walk(600 << PAGE_SHIFT).level, 2);
	vm_teardown(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spte_formats),
		cmocka_unit_test(test_cache_modes),
		cmocka_unit_test(test_cache_bugs_under_lock),
		cmocka_unit_test(test_iter_preorder),
		cmocka_unit_test(test_fault_4k_2m),
		cmocka_unit_test(test_fault_readonly),
		cmocka_unit_test(test_fault_1g),
		cmocka_unit_test(test_fault_races),
		cmocka_unit_test(test_fault_cap),
		cmocka_unit_test(test_zap_range_only_range),
		cmocka_unit_test(test_zap_all_yields),
		cmocka_unit_test(test_mmio_generation),
		cmocka_unit_test(test_deferred_free),
		cmocka_unit_test(test_prepare_backing),
	};

	tdp_env_init(ARENA);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
