/* SPDX-License-Identifier: MIT */
/*
 * Host benchmark of the TDP MMU (mm/tdp/) over the real buddy allocator on
 * a malloc'd arena. Each figure is printed beside a baseline measured in the
 * same run, as JSON lines (one per figure) and then a table:
 *   - a 4 KiB fault-in (backing + cache top-up + fault) vs zeroing a page
 *   - mapping 1 GiB with 2 MiB vs 4 KiB pages: faults, time, table pages
 *   - deleting one slot of 64 (zap its range) vs zap-all: time, SPTEs changed
 *     and present leaves outside the slot lost
 *   - table memory per GiB mapped vs the minimum
 *   - bytes reserved per vCPU in caches, TDP-only vs shadow mode
 *   - accessed-bit aging without mmu_lock per mapped 4 KiB page (clear young,
 *     pass over old, test only; EPT-without-A/D access tracking) vs a plain
 *     read of the same leaf SPTEs through the same iterator; the ratios with
 *     all, a quarter and none of the leaves young are checked against the
 *     target (at most 2x the read) and printed as "target met" / "target
 *     MISSED". Before timing, the aging of adjacent leaf pairs (one locked
 *     16-byte compare-and-exchange) is checked against simulated races
 *     (hardware D, another ager, a zap, access tracking): a wrong result
 *     aborts the benchmark.
 * Guest backing for the 1 GiB figures is "pretend" physical addresses (the
 * MMU never touches guest memory), so only page tables use the arena.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mm/buddy.h"
#include "mm/memmap.h"
#include "mm/phys.h"
#include "mm/tdp/tdp_age.h"
#include "mm/tdp/tdp_iter.h"
#include "mm/tdp/tdp_mmu.h"

u64 physmap_offset;

void tdp_bug(const char *expr, const char *file, int line)
{
	fprintf(stderr, "BUG %s:%d: %s\n", file, line, expr);
	abort();
}

#define ARENA	     MiB(256)
#define FAKE_BACKING GiB(64)

struct row {
	const char *name, *unit, *base_name;
	double value, baseline;
};
static struct row rows[32];
static unsigned int nrows;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void report(const char *name, double value, const char *unit, const char *base_name,
		   double baseline)
{
	rows[nrows++] = (struct row){name, unit, base_name, value, baseline};
	printf("{\"bench\":\"mmu\",\"metric\":\"%s\",\"value\":%.3f,\"unit\":\"%s\","
	       "\"baseline\":\"%s\",\"baseline_value\":%.3f}\n",
	       name, value, unit, base_name, baseline);
}

/* Aging cost targets: at most AGE_TARGET x the plain read, each case. */
#define AGE_TARGET 2.0

struct target_row {
	const char *metric, *what;
	double ratio;
};
static struct target_row targets[8];
static unsigned int ntargets;

static void target(const char *metric, const char *what, double ratio)
{
	targets[ntargets++] = (struct target_row){metric, what, ratio};
	printf("{\"bench\":\"mmu\",\"metric\":\"%s\",\"value\":%.3f,\"unit\":\"x\","
	       "\"baseline\":\"read_spte_ns_per_4k\",\"target_max\":%.1f,\"met\":%s}\n",
	       metric, ratio, AGE_TARGET, ratio <= AGE_TARGET ? "true" : "false");
}

static struct memslots slots;
static struct tdp_mmu mmu;
static struct mmu_cache cache;

static void vm_reset(void)
{
	memset(&slots, 0, sizeof(slots));
	if (tdp_mmu_init(&mmu, &spte_format_ept, 1u << 20))
		abort();
	tdp_mmu_set_memslots(&mmu, &slots);
}

static struct memslot *add_slot(u64 base, u64 npages, u32 id, paddr_t fake)
{
	struct memslot *s = NULL;

	tdp_mmu_write_lock(&mmu);
	if (memslot_insert(&slots, base, npages, id, 0))
		abort();
	tdp_mmu_gen_changed(&mmu);
	tdp_mmu_write_unlock(&mmu);
	for (u32 i = 0; i < slots.count; i++)
		if (slots.slots[i].id == id)
			s = &slots.slots[i];
	s->backing = calloc(npages, sizeof(paddr_t));
	for (u64 i = 0; fake && i < npages; i++)
		s->backing[i] = fake + i * PAGE_SIZE;
	return s;
}

static void vm_done(bool real_backing)
{
	tdp_mmu_destroy(&mmu);
	for (u32 i = 0; i < slots.count; i++) {
		struct memslot *s = &slots.slots[i];

		for (u64 j = 0; real_backing && j < s->npages; j++)
			if (s->backing[j])
				page_free(s->backing[j], 0);
		free(s->backing);
	}
}

static enum fault_result fault(u64 gpa, int max_level, int hint, bool prepare)
{
	struct tdp_fault f = {.max_level = max_level};
	enum fault_result r;

	tdp_fault_init(&f, &slots, gpa, true, false);
	if (prepare && f.slot) {
		paddr_t pa;

		if (tdp_prepare_backing((struct memslot *)f.slot, f.gfn, hint, &pa))
			abort();
	}
	if (mmu_cache_topup(&cache, MMU_MODE_TDP))
		abort();
	r = tdp_mmu_fault(&mmu, &cache, &f);
	if (r != FAULT_FIXED && r != FAULT_SPURIOUS)
		abort();
	return r;
}

static u64 leaves_outside(u64 lo, u64 hi, u64 space)
{
	u64 n = 0;

	for (u64 g = 0; g < space; g++)
		if ((g < lo || g >= hi) && tdp_mmu_translate(&mmu, g << PAGE_SHIFT, NULL))
			n++;
	return n;
}

static void bench_fault_vs_zero(void)
{
	const u64 n = 16384;
	double t0, t_zero, t_fault, t_fault_only;

	static void *pages[16384];

	/*
	 * The baseline is what backing a fault costs: zeroing a fresh page, so
	 * each of n distinct pages is zeroed once (allocation not timed).
	 */
	for (u64 i = 0; i < n; i++)
		pages[i] = phys_to_virt(page_alloc(0));
	t0 = now();
	for (u64 i = 0; i < n; i++)
		memset(pages[i], 0, PAGE_SIZE);
	t_zero = (now() - t0) / n * 1e9;
	for (u64 i = 0; i < n; i++)
		page_free_virt(pages[i], 0);

	vm_reset();
	add_slot(0, n, 1, 0);
	t0 = now();
	for (u64 i = 0; i < n; i++)
		fault(i << PAGE_SHIFT, 1, 1, true);
	t_fault = (now() - t0) / n * 1e9;
	tdp_mmu_zap_all(&mmu, NULL, NULL);
	t0 = now();
	for (u64 i = 0; i < n; i++)
		fault(i << PAGE_SHIFT, 1, 1, false);
	t_fault_only = (now() - t0) / n * 1e9;
	vm_done(true);
	report("fault_4k_with_backing_ns", t_fault, "ns", "zero_4k_page_ns", t_zero);
	report("fault_4k_map_only_ns", t_fault_only, "ns", "zero_4k_page_ns", t_zero);
}

static void bench_map_1g(void)
{
	u64 faults2m = 0, faults4k = 0, tables2m, tables4k;
	double t0, t2m, t4k;

	vm_reset();
	add_slot(0, TDP_PAGES_1G, 1, FAKE_BACKING);
	t0 = now();
	for (u64 g = 0; g < TDP_PAGES_1G; g += TDP_PAGES_2M, faults2m++)
		fault(g << PAGE_SHIFT, TDP_LEVEL_2M, 2, false);
	t2m = now() - t0;
	tables2m = tdp_mmu_count_tables(&mmu);
	tdp_mmu_zap_all(&mmu, NULL, NULL);
	tdp_mmu_reclaim(&mmu);
	t0 = now();
	for (u64 g = 0; g < TDP_PAGES_1G; g++, faults4k++)
		fault(g << PAGE_SHIFT, TDP_LEVEL_4K, 1, false);
	t4k = now() - t0;
	tables4k = tdp_mmu_count_tables(&mmu);
	vm_done(false);
	report("map_1g_2m_faults", (double)faults2m, "faults", "map_1g_4k_faults",
	       (double)faults4k);
	report("map_1g_2m_ms", t2m * 1e3, "ms", "map_1g_4k_ms", t4k * 1e3);
	report("map_1g_2m_table_pages", (double)tables2m, "pages", "map_1g_4k_table_pages",
	       (double)tables4k);
	/* Minimum for 1 GiB from an empty tree: root + PDPT + PD (+ 512 PTs at 4 KiB). */
	report("table_kib_per_gib_4k", (double)tables4k * 4, "KiB", "minimum_kib_4k",
	       (3.0 + 512) * 4);
	report("table_kib_per_gib_2m", (double)tables2m * 4, "KiB", "minimum_kib_2m", 3.0 * 4);
}

static void bench_delete_slot(void)
{
	const u64 per = TDP_PAGES_1G / 64;
	u64 victim_lo = 17 * per, victim_hi = 18 * per, out_before, out_after, changed;
	double t0, t_del, t_all;
	bool flush = false;

	vm_reset();
	for (u32 i = 0; i < 64; i++)
		add_slot(i * per, per, i + 1, FAKE_BACKING + i * per * PAGE_SIZE);
	for (u64 g = 0; g < TDP_PAGES_1G; g++)
		fault(g << PAGE_SHIFT, TDP_LEVEL_4K, 1, false);
	out_before = leaves_outside(victim_lo, victim_hi, TDP_PAGES_1G);
	t0 = now();
	tdp_mmu_write_lock(&mmu);
	memslot_remove(&slots, 18);
	changed = tdp_mmu_zap_range_locked(&mmu, victim_lo, victim_hi, &flush);
	tdp_mmu_gen_changed(&mmu);
	tdp_mmu_write_unlock(&mmu);
	t_del = now() - t0;
	out_after = leaves_outside(victim_lo, victim_hi, TDP_PAGES_1G);
	report("delete_1_of_64_slots_us", t_del * 1e6, "us", "zap_all_us", 0);
	report("delete_slot_sptes_changed", (double)changed, "sptes", "slot_pages", (double)per);
	report("delete_slot_leaves_lost_outside", (double)(out_before - out_after), "sptes",
	       "leaves_outside_slot", (double)out_before);
	t0 = now();
	changed = tdp_mmu_zap_all(&mmu, NULL, NULL);
	t_all = now() - t0;
	rows[nrows - 3].baseline = t_all * 1e6;
	printf("{\"bench\":\"mmu\",\"metric\":\"zap_all_us\",\"value\":%.3f,\"unit\":\"us\"}\n",
	       t_all * 1e6);
	report("zap_all_sptes_changed", (double)changed, "sptes", "leaves_outside_slot",
	       (double)out_after);
	/* The victim's backing array was dropped from the table by memslot_remove. */
	vm_done(false);
}

static void bench_cache_bytes(void)
{
	struct mmu_cache c = {0};
	u64 tdp, shadow;

	mmu_cache_topup(&c, MMU_MODE_TDP);
	tdp = mmu_cache_bytes_reserved(&c);
	mmu_cache_topup(&c, MMU_MODE_SHADOW);
	shadow = mmu_cache_bytes_reserved(&c);
	mmu_cache_free(&c);
	report("cache_bytes_per_vcpu_tdp", (double)tdp, "bytes", "cache_bytes_per_vcpu_shadow",
	       (double)shadow);
	report("cache_rmap_bytes_tdp", (double)(tdp - tdp), "bytes", "cache_rmap_bytes_shadow",
	       (double)(shadow - tdp));
}

/* ---- aging ---- */

#define AGE_REPS 7

/* The baseline: read every leaf SPTE of [0, end) through the TDP iterator. */
static u64 read_leaves(u64 end)
{
	const struct spte_format *fmt = mmu.fmt;
	struct tdp_iter it;
	u64 sum = 0;

	tdp_iter_start(&it, fmt, mmu.root->table, TDP_ROOT_LEVEL, TDP_LEVEL_4K, 0, end);
	for (; it.valid; tdp_iter_next(&it))
		if (spte_is_present(it.old_spte) && spte_is_leaf(fmt, it.old_spte, it.level))
			sum += it.old_spte;
	return sum;
}

/* Make every stride-th leaf young again, as guest accesses would (not timed). */
static void touch(u64 end, u64 stride)
{
	const struct spte_format *fmt = mmu.fmt;
	struct tdp_iter it;
	u64 n = 0;

	tdp_iter_start(&it, fmt, mmu.root->table, TDP_ROOT_LEVEL, TDP_LEVEL_4K, 0, end);
	for (; it.valid; tdp_iter_next(&it)) {
		if (!spte_is_present(it.old_spte) || !spte_is_leaf(fmt, it.old_spte, it.level) ||
		    n++ % stride)
			continue;
		if (spte_is_acc_tracked(fmt, it.old_spte))
			*it.sptep = spte_acc_track_restore(it.old_spte);
		else
			*it.sptep |= fmt->accessed;
		tdp_iter_refresh(&it);
	}
}

/* Best of AGE_REPS passes, ns per page; with young_stride, every
 * young_stride-th leaf is made young before each pass. */
static double time_age(u64 pages, unsigned int flags, u64 young_stride, u64 expect_young)
{
	double best = 1e30;

	for (int rep = 0; rep < AGE_REPS; rep++) {
		struct tdp_age_result r;
		double t0;

		if (young_stride)
			touch(pages, young_stride);
		t0 = now();
		if (tdp_mmu_age(&mmu, 0, pages, flags, &r) || r.young != expect_young ||
		    r.young + r.old != pages || !r.complete)
			abort();
		best = MIN(best, now() - t0);
	}
	return best / pages * 1e9;
}

static double time_read(u64 pages)
{
	static volatile u64 sink;
	double best = 1e30;

	for (int rep = 0; rep < AGE_REPS; rep++) {
		double t0 = now();

		sink += read_leaves(pages);
		best = MIN(best, now() - t0);
	}
	return best / pages * 1e9;
}

static void age_vm(const struct spte_format *fmt, u64 pages)
{
	memset(&slots, 0, sizeof(slots));
	if (tdp_mmu_init(&mmu, fmt, 1u << 20))
		abort();
	tdp_mmu_set_memslots(&mmu, &slots);
	add_slot(0, pages, 1, FAKE_BACKING);
	for (u64 g = 0; g < pages; g++)
		fault(g << PAGE_SHIFT, TDP_LEVEL_4K, 1, false);
}

/* ---- pair aging under races (a check, not timed) ---- */

static u64 *leaf_sptep(u64 gfn)
{
	struct tdp_iter it;

	tdp_iter_start(&it, mmu.fmt, mmu.root->table, TDP_ROOT_LEVEL, TDP_LEVEL_4K, gfn, gfn + 1);
	for (; it.valid; tdp_iter_next(&it))
		if (it.level == TDP_LEVEL_4K)
			return it.sptep;
	return NULL;
}

enum pair_race { PR_NONE, PR_HW_DIRTY, PR_OTHER_AGER, PR_ZAP, PR_TRACKED };

static struct {
	enum pair_race kind;
	u64 *target;
	unsigned int calls, fired;
} pr;

static void pair_race_hook(struct tdp_mmu *m, u64 *sptep, int level)
{
	(void)level;
	pr.calls++;
	if (pr.fired || sptep != pr.target)
		return;
	pr.fired++;
	switch (pr.kind) {
	case PR_HW_DIRTY:
		__atomic_fetch_or(sptep, m->fmt->dirty, __ATOMIC_SEQ_CST);
		break;
	case PR_OTHER_AGER:
		__atomic_fetch_and(sptep, ~m->fmt->accessed, __ATOMIC_SEQ_CST);
		break;
	case PR_ZAP:
		if (tdp_mmu_zap_range(m, 1, 2, NULL) != 1)
			abort();
		break;
	case PR_TRACKED:
		*sptep = spte_acc_track_mark(*sptep);
		break;
	default:
		break;
	}
}

static struct tdp_age_result pair_race(enum pair_race kind, u64 *target)
{
	struct tdp_age_result r;

	pr.kind = kind;
	pr.target = target;
	pr.calls = pr.fired = 0;
	tdp_test_race_hook = pair_race_hook;
	if (tdp_mmu_age(&mmu, 0, 2, TDP_AGE_FAST_ONLY | TDP_AGE_CLEAR, &r))
		abort();
	tdp_test_race_hook = NULL;
	return r;
}

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "mmu_bench: pair aging check failed: %s\n", #c);           \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static void check_pair_races(void)
{
	const struct spte_format *f;
	struct tdp_age_result r;
	u64 *p0, *p1, v0, v1;

	/* EPT with A/D: leaves 0 and 1 are one aligned pair. */
	age_vm(&spte_format_ept, 2);
	f = mmu.fmt;
	p0 = leaf_sptep(0);
	p1 = leaf_sptep(1);
	CHECK(p0 && p1 && p1 == p0 + 1 && !((uintptr_t)p0 & 15));
	/* No race: both aged by one pair exchange, D untouched. */
	*p0 &= ~f->dirty;
	v0 = *p0, v1 = *p1;
	r = pair_race(PR_NONE, NULL);
	CHECK(r.young == 2 && r.old == 0 && !r.needs_flush);
	CHECK(*p0 == (v0 & ~f->accessed) && *p1 == (v1 & ~f->accessed));
	/* The hardware sets D on the second leaf between our read and the
	 * exchange: the pair fails, each leaf is aged alone, D survives. */
	*p0 |= f->accessed;
	*p1 = (*p1 | f->accessed) & ~f->dirty;
	v0 = *p0, v1 = *p1;
	r = pair_race(PR_HW_DIRTY, p1);
	CHECK(pr.fired == 1 && r.young == 2 && r.old == 0);
	CHECK(*p0 == (v0 & ~f->accessed) && *p1 == ((v1 | f->dirty) & ~f->accessed));
	/* Another ager clears the first leaf's A first: counted old here. */
	*p0 |= f->accessed;
	*p1 |= f->accessed;
	r = pair_race(PR_OTHER_AGER, p0);
	CHECK(pr.fired == 1 && r.young == 1 && r.old == 1);
	CHECK(!(*p0 & f->accessed) && !(*p1 & f->accessed));
	/* The second leaf is zapped under us: it stays zapped, not counted. */
	*p0 |= f->accessed;
	*p1 |= f->accessed;
	r = pair_race(PR_ZAP, p1);
	CHECK(pr.fired == 1 && r.young == 1 && r.old == 0 && *p1 == 0);
	CHECK(!(*p0 & f->accessed) && tdp_mmu_translate(&mmu, 1ull << PAGE_SHIFT, NULL) == 0);
	vm_done(false);

	/* EPT without A/D: another ager tracks the second leaf first. */
	age_vm(&spte_format_ept_noad, 2);
	f = mmu.fmt;
	p0 = leaf_sptep(0);
	p1 = leaf_sptep(1);
	v0 = *p0, v1 = *p1;
	r = pair_race(PR_TRACKED, p1);
	CHECK(pr.fired == 1 && r.young == 1 && r.old == 1 && r.needs_flush);
	CHECK(*p0 == spte_acc_track_mark(v0) && *p1 == spte_acc_track_mark(v1));
	*p0 = v0, *p1 = v1;
	r = pair_race(PR_NONE, NULL);
	CHECK(r.young == 2 && r.needs_flush);
	CHECK(*p0 == spte_acc_track_mark(v0) && *p1 == spte_acc_track_mark(v1));
	vm_done(false);
}

static void bench_age(void)
{
	const u64 pages = TDP_PAGES_1G;
	const unsigned int fast = TDP_AGE_FAST_ONLY;
	double t_read, t_young, t_quarter, t_old, t_test, t_read_noad, t_track, t_track_old;

	check_pair_races();
	/* EPT with A/D: 1 GiB of 4 KiB leaves, all present. Young leaves cost
	 * a locked compare-and-exchange (one per adjacent young pair); an old
	 * one only the read. */
	age_vm(&spte_format_ept, pages);
	t_read = time_read(pages);
	t_young = time_age(pages, fast | TDP_AGE_CLEAR, 1, pages);
	t_old = time_age(pages, fast | TDP_AGE_CLEAR, 0, 0);
	t_quarter = time_age(pages, fast | TDP_AGE_CLEAR, 4, pages / 4);
	t_test = time_age(pages, fast, 1, pages);
	vm_done(false);
	/* EPT without A/D: clearing = access tracking (saves and clears RWX). */
	age_vm(&spte_format_ept_noad, pages);
	t_read_noad = time_read(pages);
	t_track = time_age(pages, fast | TDP_AGE_CLEAR, 1, pages);
	t_track_old = time_age(pages, fast | TDP_AGE_CLEAR, 0, 0);
	vm_done(false);
	report("age_clear_young_ns_per_4k", t_young, "ns", "read_spte_ns_per_4k", t_read);
	report("age_clear_quarter_young_ns_per_4k", t_quarter, "ns", "read_spte_ns_per_4k", t_read);
	report("age_clear_old_ns_per_4k", t_old, "ns", "read_spte_ns_per_4k", t_read);
	report("age_test_only_ns_per_4k", t_test, "ns", "read_spte_ns_per_4k", t_read);
	report("age_track_noad_ns_per_4k", t_track, "ns", "read_spte_noad_ns_per_4k", t_read_noad);
	report("age_track_noad_old_ns_per_4k", t_track_old, "ns", "read_spte_noad_ns_per_4k",
	       t_read_noad);
	target("age_clear_all_young_x_read", "all young", t_young / t_read);
	target("age_clear_quarter_young_x_read", "quarter young", t_quarter / t_read);
	target("age_clear_all_old_x_read", "all old", t_old / t_read);
}

int main(void)
{
	static struct memmap m;
	u8 *arena = aligned_alloc(MiB(4), ARENA);
	u64 free0;

	if (!arena)
		return 1;
	memset(arena, 0, ARENA); /* fault the host pages in: measure the MMU, not Linux */
	physmap_offset = (u64)(uintptr_t)arena;
	memmap_init(&m);
	if (memmap_add_ram(&m, 0, ARENA) || memmap_reserve(&m, 0, MiB(1), "low") ||
	    mm_init_from_memmap(&m))
		return 1;
	free0 = pages_free();
	bench_fault_vs_zero();
	bench_map_1g();
	bench_delete_slot();
	bench_cache_bytes();
	bench_age();
	mmu_cache_free(&cache);
	printf("\n%-34s %14s  %-32s %14s\n", "figure", "value", "baseline (same run)", "value");
	for (unsigned int i = 0; i < nrows; i++)
		printf("%-34s %14.1f  %-32s %14.1f  %s\n", rows[i].name, rows[i].value,
		       rows[i].base_name, rows[i].baseline, rows[i].unit);
	printf("\naging without mmu_lock, 1 GiB of 4 KiB leaves (FAST_ONLY|CLEAR), per page vs a "
	       "plain read of the same SPTEs through the same iterator:\n");
	for (unsigned int i = 0; i < ntargets; i++)
		printf("  %-14s %5.2fx read (target <= %.0fx): %s\n", targets[i].what,
		       targets[i].ratio, AGE_TARGET,
		       targets[i].ratio <= AGE_TARGET ? "target met" : "target MISSED");
	if (pages_free() != free0) {
		fprintf(stderr, "leak: %llu pages\n", (unsigned long long)(free0 - pages_free()));
		return 1;
	}
	return 0;
}
