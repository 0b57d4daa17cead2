/* SPDX-License-Identifier: MIT */
/*
 * Host tests for mm/reclaim/lru*.c: generation rotation and merging, young
 * pages surviving, victims only from the oldest generation, pinned pages
 * never picked, 100,000 random operations checked step by step against a
 * brute-force model (arrays of gfns per generation; LRU mode), shadows and
 * refaults, adaptive early eviction (it starts on a loop larger than memory
 * and beats LRU there without touching the hot set, it stays off for random
 * reuse, and 200,000 random operations with it on keep every invariant that
 * does not depend on the pick order), and the host-wide reclaim split (idle
 * VMs first, proportional to size, caps redistributed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mm/reclaim/lru.h"
#include "tests/unit/xorshift.h"

#define CAP 256

static struct lru_page storage[CAP];

static bool cb_old(u64 gfn, void *ctx)
{
	(void)gfn;
	(void)ctx;
	return false;
}

static bool cb_young(u64 gfn, void *ctx)
{
	(void)gfn;
	(void)ctx;
	return true;
}

static bool cb_even_young(u64 gfn, void *ctx)
{
	(void)ctx;
	return (gfn & 1) == 0;
}

/* ctx is a u64 bound: gfns >= bound are young. */
static bool cb_at_least(u64 gfn, void *ctx)
{
	return gfn >= *(u64 *)ctx;
}

static struct lru_stats stats(const struct lru *l)
{
	struct lru_stats s;

	lru_get_stats(l, &s);
	return s;
}

static void add_range(struct lru *l, u64 from, u64 to)
{
	for (u64 g = from; g < to; g++)
		assert_int_equal(lru_add(l, g), 0);
}

static bool cb_rng_young(u64 gfn, void *ctx)
{
	u64 *rng = ctx;

	(void)gfn;
	return (xorshift64(rng) & 3) == 0;
}

/*
 * lru_grow: a grown LRU behaves exactly like its twin that never moved
 * (same victims, same stats, shadows still recognised as refaults), and
 * the new room is usable.
 */
static void same_stats(const struct lru *a, const struct lru *b)
{
	struct lru_stats sa = stats(a), sb = stats(b);

	assert_memory_equal(&sa, &sb, sizeof(sa));
}

static void test_grow(void **state)
{
	static struct lru_page small[96], twin_store[512], big[512];
	struct lru a, b; /* a grows from 96 to 512 slots; its twin b had 512 all along */
	u64 ra = 7, rb = 7, out_a[8], out_b[8];

	(void)state;
	assert_int_equal(lru_init(&a, small, 96), 0);
	assert_int_equal(lru_init(&b, twin_store, 512), 0);
	for (u64 g = 0; g < 60; g++) {
		assert_int_equal(lru_add(&a, g * 977), 0);
		assert_int_equal(lru_add(&b, g * 977), 0);
	}
	for (int p = 0; p < 6; p++) { /* 24 shadows: still no slot recycled */
		lru_age(&a, cb_rng_young, &ra);
		lru_age(&b, cb_rng_young, &rb);
		assert_int_equal(lru_pick_victims(&a, out_a, 4), lru_pick_victims(&b, out_b, 4));
		assert_memory_equal(out_a, out_b, 4 * sizeof(u64));
	}
	assert_int_equal(lru_grow(&a, big, 96), -E_INVAL);
	assert_int_equal(lru_grow(&a, NULL, 512), -E_INVAL);
	assert_int_equal(lru_grow(&a, big, 512), 0);
	same_stats(&a, &b);
	for (int step = 0; step < 5000; step++) {
		u64 g = (ra % 600) * 977;
		u32 na, nb;

		xorshift64(&ra);
		rb = ra;
		if (step % 50 == 0) {
			lru_age(&a, cb_rng_young, &ra);
			lru_age(&b, cb_rng_young, &rb);
		}
		if (step % 7 == 0) {
			na = lru_pick_victims(&a, out_a, 8);
			nb = lru_pick_victims(&b, out_b, 8);
			assert_int_equal(na, nb);
			assert_memory_equal(out_a, out_b, na * sizeof(u64));
		}
		assert_int_equal(lru_contains(&a, g), lru_contains(&b, g));
		assert_int_equal(lru_add(&a, g), lru_add(&b, g));
		same_stats(&a, &b);
	}
	/* The new room is usable: far more tracked pages than 96. */
	for (u64 g = 1000000; g < 1000000 + 300; g++)
		assert_int_equal(lru_add(&a, g), 0);
	assert_true(stats(&a).pages > 300);
}

static void test_init_and_errors(void **state)
{
	struct lru l;
	struct lru_page one[1];

	(void)state;
	assert_int_equal(lru_init(&l, NULL, 4), -E_INVAL);
	assert_int_equal(lru_init(&l, storage, 0), -E_INVAL);
	assert_int_equal(lru_init(&l, one, 1), 0);
	assert_int_equal(lru_add(&l, 7), 0);
	assert_int_equal(lru_add(&l, 7), -E_EXIST);
	assert_int_equal(lru_add(&l, 8), -E_NOMEM);
	assert_int_equal(lru_remove(&l, 8), -E_NOENT);
	assert_int_equal(lru_pin(&l, 8), -E_NOENT);
	assert_int_equal(lru_unpin(&l, 8), -E_NOENT);
	assert_int_equal(lru_remove(&l, 7), 0);
	assert_false(lru_contains(&l, 7));
	assert_int_equal(lru_add(&l, 8), 0);
	assert_true(lru_contains(&l, 8));
}

static void test_generations_rotate(void **state)
{
	struct lru l;
	struct lru_stats s;
	u64 out[CAP];

	(void)state;
	assert_int_equal(lru_init(&l, storage, CAP), 0);
	add_range(&l, 0, 10);
	s = stats(&l);
	assert_int_equal(s.nr_gens, 1);
	assert_int_equal(s.gen_pages[0], 10);
	assert_int_equal(lru_pick_victims(&l, out, 4), 0); /* youngest only */

	for (u32 pass = 1; pass < LRU_NR_GENS; pass++) {
		assert_int_equal(lru_age(&l, cb_old, NULL), 0);
		assert_int_equal(stats(&l).gen_pages[0], 0); /* new youngest, empty */
		add_range(&l, pass * 10, pass * 10 + 10);
		s = stats(&l);
		assert_int_equal(s.nr_gens, pass + 1);
		for (u32 a = 0; a <= pass; a++)
			assert_int_equal(s.gen_pages[a], 10);
	}
	/* All LRU_NR_GENS in use: the two oldest merge, a new one opens. */
	assert_int_equal(lru_age(&l, cb_old, NULL), 0);
	s = stats(&l);
	assert_int_equal(s.nr_gens, LRU_NR_GENS);
	assert_int_equal(s.gen_pages[0], 0);
	assert_int_equal(s.gen_pages[1], 10);
	assert_int_equal(s.gen_pages[2], 10);
	assert_int_equal(s.gen_pages[3], 20);
	assert_int_equal(s.rotations, 1);
	/* The merged generation keeps arrival order: 0..9 are older than 10..19. */
	assert_int_equal(lru_pick_victims(&l, out, 20), 20);
	for (u32 i = 0; i < 20; i++)
		assert_int_equal(out[i], i);
	/* Oldest emptied: picking rotates into the next one. */
	assert_int_equal(lru_pick_victims(&l, out, 5), 5);
	assert_int_equal(out[0], 20);
	s = stats(&l);
	assert_int_equal(s.nr_gens, 3);
	assert_int_equal(s.rotations, 2);
	/* Aging drops empty oldest generations before opening a new one. */
	assert_int_equal(lru_pick_victims(&l, out, 100), 15);
	s = stats(&l);
	assert_int_equal(s.nr_gens, 1);
	assert_int_equal(s.pages, 0);
	assert_int_equal(lru_age(&l, cb_old, NULL), 0);
	assert_int_equal(stats(&l).nr_gens, 2);
}

static void test_young_survive(void **state)
{
	struct lru l;
	u64 out[CAP];
	struct lru_stats s;

	(void)state;
	assert_int_equal(lru_init(&l, storage, CAP), 0);
	add_range(&l, 0, 100);
	assert_int_equal(lru_age(&l, cb_even_young, NULL), 50);
	s = stats(&l);
	assert_int_equal(s.gen_pages[0], 50);
	assert_int_equal(s.gen_pages[1], 50);
	assert_int_equal(s.young, 50);
	assert_int_equal(s.old, 50);
	assert_int_equal(s.scanned, 100);
	assert_int_equal(lru_evictable(&l), 50);
	/* Asking for everything yields only the old half. */
	assert_int_equal(lru_pick_victims(&l, out, CAP), 50);
	for (u32 i = 0; i < 50; i++)
		assert_int_equal(out[i] & 1, 1);
	for (u64 g = 0; g < 100; g += 2)
		assert_true(lru_contains(&l, g));
	/* Pages young at every pass are never picked. */
	for (int pass = 0; pass < 10; pass++) {
		assert_int_equal(lru_age(&l, cb_young, NULL), 50);
		assert_int_equal(lru_pick_victims(&l, out, CAP), 0);
	}
}

static void test_victims_from_oldest_only(void **state)
{
	struct lru l;
	u64 out[CAP], bound = 200;

	(void)state;
	assert_int_equal(lru_init(&l, storage, CAP), 0);
	add_range(&l, 0, 30); /* A */
	assert_int_equal(lru_age(&l, cb_old, NULL), 0);
	add_range(&l, 100, 130); /* B */
	assert_int_equal(lru_age(&l, cb_old, NULL), 0);
	add_range(&l, 200, 230); /* C, then found young */
	assert_int_equal(lru_age(&l, cb_at_least, &bound), 30);
	/* A is oldest; B next; C is youngest and never picked. */
	assert_int_equal(lru_pick_victims(&l, out, 10), 10);
	for (u32 i = 0; i < 10; i++)
		assert_true(out[i] < 30);
	assert_int_equal(lru_pick_victims(&l, out, 20), 20);
	for (u32 i = 0; i < 20; i++)
		assert_true(out[i] < 30);
	assert_int_equal(lru_pick_victims(&l, out, CAP), 30);
	for (u32 i = 0; i < 30; i++)
		assert_true(out[i] >= 100 && out[i] < 130);
	assert_int_equal(lru_evictable(&l), 0);
	assert_int_equal(stats(&l).pages, 30);
}

static void test_pinned_never_evicted(void **state)
{
	struct lru l;
	u64 out[CAP];
	struct lru_stats s;

	(void)state;
	assert_int_equal(lru_init(&l, storage, CAP), 0);
	add_range(&l, 0, 100);
	for (u64 g = 0; g < 100; g += 10)
		assert_int_equal(lru_pin(&l, g), 0);
	assert_int_equal(lru_pin(&l, 0), 0); /* idempotent */
	for (int pass = 0; pass < 6; pass++)
		assert_int_equal(lru_age(&l, cb_old, NULL), 0);
	s = stats(&l);
	assert_int_equal(s.pinned, 10);
	assert_int_equal(s.scanned, 6 * 90); /* pinned pages are not aged */
	assert_int_equal(lru_pick_victims(&l, out, CAP), 90);
	for (u32 i = 0; i < 90; i++)
		assert_int_not_equal(out[i] % 10, 0);
	assert_int_equal(lru_pick_victims(&l, out, CAP), 0);
	for (u64 g = 0; g < 100; g += 10)
		assert_true(lru_contains(&l, g));
	/* Unpinned pages re-enter the youngest generation. */
	for (u64 g = 0; g < 100; g += 10)
		assert_int_equal(lru_unpin(&l, g), 0);
	assert_int_equal(lru_pick_victims(&l, out, CAP), 0);
	assert_int_equal(lru_age(&l, cb_old, NULL), 0);
	assert_int_equal(lru_pick_victims(&l, out, CAP), 10);
	/* Pinned pages can still be removed. */
	assert_int_equal(lru_add(&l, 5), 0);
	assert_int_equal(lru_pin(&l, 5), 0);
	assert_int_equal(lru_remove(&l, 5), 0);
	assert_int_equal(stats(&l).pages, 0);
}

/* ---- brute-force model ---- */

#define UNIVERSE 600
#define MCAP	 200

struct model {
	u64 gen[LRU_NR_GENS][MCAP]; /* per generation list: [0] is picked first */
	u32 cnt[LRU_NR_GENS];
	u64 min_seq, max_seq;
	bool present[UNIVERSE], pinned[UNIVERSE];
	u32 npinned, npresent;
};

static bool accessed[UNIVERSE];
static u32 cb_calls;

static bool cb_accessed(u64 gfn, void *ctx)
{
	bool y = accessed[gfn];

	(void)ctx;
	assert_true(gfn < UNIVERSE);
	accessed[gfn] = false;
	cb_calls++;
	return y;
}

static u64 rng_state = 0x1234567887654321ull;

static u64 rnd(void)
{
	return xorshift64(&rng_state);
}

static void m_append(struct model *m, u64 seq, u64 gfn)
{
	u32 g = seq % LRU_NR_GENS;

	m->gen[g][m->cnt[g]++] = gfn;
}

/* Remove gfn from whichever generation holds it; false if none. */
static bool m_unlink(struct model *m, u64 gfn)
{
	for (u32 g = 0; g < LRU_NR_GENS; g++)
		for (u32 i = 0; i < m->cnt[g]; i++)
			if (m->gen[g][i] == gfn) {
				memmove(&m->gen[g][i], &m->gen[g][i + 1],
					(m->cnt[g] - i - 1) * sizeof(u64));
				m->cnt[g]--;
				return true;
			}
	return false;
}

static void m_trim(struct model *m)
{
	while (m->min_seq < m->max_seq && !m->cnt[m->min_seq % LRU_NR_GENS])
		m->min_seq++;
}

static void m_check(struct model *m, struct lru *l, bool full)
{
	struct lru_stats s = stats(l);

	assert_int_equal(s.nr_gens, m->max_seq - m->min_seq + 1);
	assert_int_equal(s.pages, m->npresent);
	assert_int_equal(s.pinned, m->npinned);
	for (u32 a = 0; a < s.nr_gens; a++)
		assert_int_equal(s.gen_pages[a], m->cnt[(m->max_seq - a) % LRU_NR_GENS]);
	if (full)
		for (u64 g = 0; g < UNIVERSE; g++)
			assert_int_equal(lru_contains(l, g), m->present[g]);
}

static void test_random_vs_model(void **state)
{
	static struct model m;
	struct lru l;
	u64 out[MCAP];

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_int_equal(lru_init(&l, storage, MCAP), 0);
	/* The model is LRU order. Early eviction reorders picks, and this
	 * workload can start it (re-adding picked gfns at random counts as
	 * refaults, while old pages are rarely found young): it has its own
	 * randomized test below. */
	lru_set_adaptive(&l, false);
	for (u32 op = 0; op < 100000; op++) {
		u64 gfn = rnd() % UNIVERSE;
		u32 kind = rnd() % 100;

		/* The guest touches a few pages between operations. */
		for (int t = 0; t < 4; t++)
			accessed[rnd() % UNIVERSE] = true;
		if (kind < 40) {
			int want = m.present[gfn] ? -E_EXIST : m.npresent == MCAP ? -E_NOMEM : 0;

			assert_int_equal(lru_add(&l, gfn), want);
			if (!want) {
				m.present[gfn] = true;
				m.npresent++;
				m_append(&m, m.max_seq, gfn);
			}
		} else if (kind < 60) {
			assert_int_equal(lru_remove(&l, gfn), m.present[gfn] ? 0 : -E_NOENT);
			if (m.present[gfn]) {
				if (m.pinned[gfn])
					m.npinned--;
				else
					assert_true(m_unlink(&m, gfn));
				m.present[gfn] = m.pinned[gfn] = false;
				m.npresent--;
			}
		} else if (kind < 66) {
			assert_int_equal(lru_pin(&l, gfn), m.present[gfn] ? 0 : -E_NOENT);
			if (m.present[gfn] && !m.pinned[gfn]) {
				assert_true(m_unlink(&m, gfn));
				m.pinned[gfn] = true;
				m.npinned++;
			}
		} else if (kind < 72) {
			assert_int_equal(lru_unpin(&l, gfn), m.present[gfn] ? 0 : -E_NOENT);
			if (m.pinned[gfn]) {
				m.pinned[gfn] = false;
				m.npinned--;
				m_append(&m, m.max_seq, gfn);
			}
		} else if (kind < 82) {
			static bool snap[UNIVERSE];
			u32 young = 0, youngest, before = m.npresent - m.npinned;

			memcpy(snap, accessed, sizeof(snap));
			m_trim(&m);
			if (m.max_seq - m.min_seq + 1 == LRU_NR_GENS) {
				u32 a = m.min_seq % LRU_NR_GENS, b = (m.min_seq + 1) % LRU_NR_GENS;

				memmove(&m.gen[b][m.cnt[a]], &m.gen[b][0], m.cnt[b] * sizeof(u64));
				memcpy(&m.gen[b][0], &m.gen[a][0], m.cnt[a] * sizeof(u64));
				m.cnt[b] += m.cnt[a];
				m.cnt[a] = 0;
				m.min_seq++;
			}
			m.max_seq++;
			youngest = m.max_seq % LRU_NR_GENS;
			assert_int_equal(m.cnt[youngest], 0);
			for (u64 seq = m.min_seq; seq < m.max_seq; seq++) {
				u32 g = seq % LRU_NR_GENS, keep = 0;

				for (u32 i = 0; i < m.cnt[g]; i++) {
					u64 x = m.gen[g][i];

					if (snap[x]) {
						m.gen[youngest][m.cnt[youngest]++] = x;
						young++;
					} else {
						m.gen[g][keep++] = x;
					}
				}
				m.cnt[g] = keep;
			}
			cb_calls = 0;
			assert_int_equal(lru_age(&l, cb_accessed, NULL), young);
			assert_int_equal(cb_calls, before);
		} else {
			u32 max = rnd() % 8, n = lru_pick_victims(&l, out, max), i = 0;

			for (; i < max; i++) {
				u32 g;

				m_trim(&m);
				if (m.min_seq == m.max_seq)
					break;
				g = m.min_seq % LRU_NR_GENS;
				assert_true(i < n);
				assert_int_equal(out[i], m.gen[g][0]);
				assert_true(m_unlink(&m, out[i]));
				m.present[out[i]] = false;
				m.npresent--;
			}
			assert_int_equal(n, i);
		}
		m_check(&m, &l, op % 997 == 0);
	}
	m_check(&m, &l, true);
}

/* ---- shadows, refaults and adaptive early eviction ---- */

static void test_shadows(void **state)
{
	struct lru l;
	struct lru_page three[3];
	u64 out[CAP];
	struct lru_stats s;

	(void)state;
	assert_int_equal(lru_init(&l, storage, CAP), 0);
	add_range(&l, 0, 10);
	assert_int_equal(lru_age(&l, cb_old, NULL), 0);
	assert_int_equal(lru_pick_victims(&l, out, 3), 3);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[2], 2);
	s = stats(&l);
	assert_int_equal(s.shadows, 3);
	assert_int_equal(s.pages, 7);
	assert_false(lru_contains(&l, 0));
	assert_int_equal(lru_pin(&l, 0), -E_NOENT); /* a shadow is not tracked */
	/* A picked gfn added again is a refault. */
	assert_int_equal(lru_add(&l, 0), 0);
	assert_int_equal(stats(&l).refaults, 1);
	assert_int_equal(lru_add(&l, 0), -E_EXIST);
	/* Removing a shadow forgets it: -E_NOENT, and no refault later. */
	assert_int_equal(lru_remove(&l, 1), -E_NOENT);
	assert_int_equal(lru_add(&l, 1), 0);
	assert_int_equal(stats(&l).refaults, 1);
	/* Put back: not a refault, old, picked after the rest of the oldest. */
	assert_int_equal(lru_putback(&l, 2), 0);
	assert_int_equal(stats(&l).refaults, 1);
	assert_int_equal(lru_putback(&l, 2), -E_EXIST);
	assert_int_equal(lru_pick_victims(&l, out, CAP), 8); /* 0 and 1 are young */
	for (u32 i = 0; i < 7; i++)
		assert_int_equal(out[i], 3 + i);
	assert_int_equal(out[7], 2);
	assert_int_equal(stats(&l).shadows, 8);

	/* Shadows live in free slots; the oldest is recycled first. */
	assert_int_equal(lru_init(&l, three, 3), 0);
	add_range(&l, 1, 4);
	assert_int_equal(lru_age(&l, cb_old, NULL), 0);
	assert_int_equal(lru_pick_victims(&l, out, 2), 2); /* 1, then 2 */
	assert_int_equal(lru_add(&l, 10), 0);		   /* forgets 1 */
	assert_int_equal(stats(&l).shadows, 1);
	assert_int_equal(lru_add(&l, 2), 0); /* still remembered */
	assert_int_equal(stats(&l).refaults, 1);
	assert_int_equal(lru_add(&l, 1), -E_NOMEM); /* 3 tracked, no shadow left */
	assert_int_equal(stats(&l).shadows, 0);
}

/*
 * A small machine for the policy tests: 'pages' gfns, of which the first
 * 'hot' are touched in every interval; touch() faults a page in within a
 * budget of resident pages, taking one victim per fault like evict_scan.c
 * (aging first when only the youngest generation is left); the interval ends
 * with an aging pass.
 */
#define SIM_PAGES 1024

struct sim {
	struct lru l;
	bool resident[SIM_PAGES], evicted[SIM_PAGES], accessed[SIM_PAGES];
	u32 stamp[SIM_PAGES]; /* aging pass at which last found young or added */
	u32 passes, nres, budget, hot;
	u64 refaults, hot_picks, early_picks, bad_early;
};

static struct lru_page sim_storage[2][SIM_PAGES];

static bool sim_young(u64 gfn, void *ctx)
{
	struct sim *m = ctx;
	bool y = m->accessed[gfn];

	m->accessed[gfn] = false;
	if (y)
		m->stamp[gfn] = m->passes + 1; /* the pass being made */
	return y;
}

static void sim_init(struct sim *m, u32 idx, u32 budget, u32 hot, bool adaptive)
{
	memset(m, 0, sizeof(*m));
	assert_int_equal(lru_init(&m->l, sim_storage[idx], SIM_PAGES), 0);
	lru_set_adaptive(&m->l, adaptive);
	m->budget = budget;
	m->hot = hot;
}

static void sim_touch(struct sim *m, u32 g)
{
	u64 victim, early0;

	m->accessed[g] = true;
	if (m->resident[g])
		return;
	if (m->nres == m->budget) {
		early0 = stats(&m->l).early_picks;
		while (!lru_pick_victims(&m->l, &victim, 1)) {
			lru_age(&m->l, sim_young, m);
			m->passes++;
		}
		m->resident[victim] = false;
		m->evicted[victim] = true;
		m->nres--;
		m->hot_picks += victim < m->hot;
		if (stats(&m->l).early_picks != early0) {
			m->early_picks++;
			/* Early picks: idle for at least the early point. */
			m->bad_early += m->passes - m->stamp[victim] < LRU_EARLY_MIN;
		}
	}
	m->refaults += m->evicted[g];
	m->resident[g] = true;
	m->nres++;
	m->stamp[g] = m->passes;
	assert_int_equal(lru_add(&m->l, g), 0);
}

static void sim_interval_end(struct sim *m)
{
	lru_age(&m->l, sim_young, m);
	m->passes++;
}

/*
 * A cold window sweeping round a loop larger than the memory left for it,
 * beside a hot set touched in every interval: LRU evicts exactly the pages
 * the window reaches next. Early eviction must start, keep part of the loop
 * resident (far fewer refaults than LRU), and never take a hot page.
 */
static void test_early_loop(void **state)
{
	static struct sim on, off;
	struct sim *sims[2] = {&on, &off};
	const u32 hot = 64, loop = 640, step = 16;
	struct lru_stats s;

	(void)state;
	sim_init(&on, 0, 384, hot, true);
	sim_init(&off, 1, 384, hot, false);
	for (u32 iv = 0; iv < 600; iv++) {
		for (u32 i = 0; i < 2; i++) {
			for (u32 g = 0; g < hot; g++)
				sim_touch(sims[i], g);
			for (u32 c = 0; c < step; c++)
				sim_touch(sims[i], hot + (iv * step + c) % loop);
			sim_interval_end(sims[i]);
		}
	}
	s = stats(&on.l);
	assert_true(s.switches >= 1);
	assert_true(s.early_passes > 300);
	assert_true(s.early_k >= LRU_EARLY_MIN);
	assert_int_equal(on.hot_picks, 0);
	assert_int_equal(off.hot_picks, 0);
	assert_int_equal(on.bad_early, 0);
	assert_true(on.early_picks > 1000);
	/* LRU refaults every touch after the first round of the loop. */
	assert_true(off.refaults >= 600 * step - loop);
	assert_true(on.refaults * 10 < off.refaults * 8);
	assert_int_equal(stats(&off.l).early_picks, 0);

	/* With a clock that does not move, the passes are a burst: early mode
	 * may start, but nothing is idle long enough to go early. */
	sim_init(&on, 0, 384, hot, true);
	lru_set_clock(&on.l, 1000);
	for (u32 iv = 0; iv < 600; iv++) {
		for (u32 g = 0; g < hot; g++)
			sim_touch(&on, g);
		for (u32 c = 0; c < step; c++)
			sim_touch(&on, hot + (iv * step + c) % loop);
		sim_interval_end(&on);
	}
	assert_int_equal(stats(&on.l).early_picks, 0);
	assert_int_equal(on.refaults, off.refaults);
}

/*
 * Cold pages touched at random (each with the same small probability in
 * every interval): no order beats LRU, and early mode must not start, so
 * the victims are exactly those of LRU. Nor when the recently used are the
 * most likely to come back (a window wandering at random, not round a loop).
 */
static void test_early_not_for_random(void **state)
{
	static struct sim on, off;
	struct sim *sims[2] = {&on, &off};
	u32 pos = 512;

	(void)state;
	rng_state = 0x5eed5eed5eed5eedull;
	sim_init(&on, 0, 512, 64, true);
	sim_init(&off, 1, 512, 64, false);
	for (u32 iv = 0; iv < 400; iv++) {
		u64 save = rng_state;

		for (u32 i = 0; i < 2; i++) {
			rng_state = save; /* the same touches for both */
			for (u32 g = 0; g < 64; g++)
				sim_touch(sims[i], g);
			for (u32 g = 64; g < SIM_PAGES; g++)
				if (rnd() % 100 < 3)
					sim_touch(sims[i], g);
			sim_interval_end(sims[i]);
		}
	}
	assert_int_equal(stats(&on.l).switches, 0);
	assert_int_equal(on.refaults, off.refaults);
	assert_true(on.refaults > 1000);

	sim_init(&on, 0, 256, 64, true);
	sim_init(&off, 1, 256, 64, false);
	for (u32 iv = 0; iv < 2000; iv++) {
		u64 save;

		if (iv % 2 == 0) { /* a step of at most 1.5 windows, clamped */
			s64 next = (s64)pos + (s64)(rnd() % 193) - 96;

			pos = (u32)MIN(MAX(next, 64), SIM_PAGES - 64);
		}
		save = rng_state;
		for (u32 i = 0; i < 2; i++) {
			rng_state = save;
			for (u32 g = 0; g < 64; g++)
				sim_touch(sims[i], g);
			for (u32 g = pos; g < pos + 64; g++)
				if (rnd() % 2)
					sim_touch(sims[i], g);
			sim_interval_end(sims[i]);
		}
	}
	assert_int_equal(on.hot_picks, 0);
	assert_true(off.refaults > 5000);
	assert_true(on.refaults * 100 <= off.refaults * 102);
}

/*
 * Random operations with the adaptive policy on, checked against a model of
 * what must hold whatever the pick order: return codes, counts, no victim
 * from the youngest generation or pinned, early picks idle for at least
 * LRU_EARLY_MIN passes and never a page that came back through
 * lru_putback() since it was last young.
 */
static void test_random_adaptive(void **state)
{
	static bool present[UNIVERSE], pinned[UNIVERSE], putback[UNIVERSE];
	static u32 yseq[UNIVERSE], stamp[UNIVERSE];
	static bool snap[UNIVERSE];
	struct lru l;
	u64 out[MCAP], picked = 0, early = 0;
	u32 npresent = 0, npinned = 0, passes = 0;

	(void)state;
	memset(present, 0, sizeof(present));
	memset(pinned, 0, sizeof(pinned));
	memset(putback, 0, sizeof(putback));
	rng_state = 0x1234567887654321ull;
	assert_int_equal(lru_init(&l, storage, MCAP), 0);
	for (u32 op = 0; op < 200000; op++) {
		u64 gfn = rnd() % UNIVERSE;
		u32 kind = rnd() % 100;
		struct lru_stats s;

		for (int t = 0; t < 4; t++)
			accessed[rnd() % UNIVERSE] = true;
		if (kind < 40) {
			int want = present[gfn] ? -E_EXIST : npresent == MCAP ? -E_NOMEM : 0;

			assert_int_equal(lru_add(&l, gfn), want);
			if (!want) {
				present[gfn] = true;
				putback[gfn] = false;
				npresent++;
				yseq[gfn] = stamp[gfn] = passes;
			}
		} else if (kind < 55) {
			assert_int_equal(lru_remove(&l, gfn), present[gfn] ? 0 : -E_NOENT);
			if (present[gfn]) {
				npinned -= pinned[gfn];
				present[gfn] = pinned[gfn] = false;
				npresent--;
			}
		} else if (kind < 60) {
			assert_int_equal(lru_pin(&l, gfn), present[gfn] ? 0 : -E_NOENT);
			if (present[gfn] && !pinned[gfn]) {
				pinned[gfn] = true;
				npinned++;
			}
		} else if (kind < 65) {
			assert_int_equal(lru_unpin(&l, gfn), present[gfn] ? 0 : -E_NOENT);
			if (pinned[gfn]) {
				pinned[gfn] = putback[gfn] = false;
				npinned--;
				yseq[gfn] = stamp[gfn] = passes;
			}
		} else if (kind < 75) {
			memcpy(snap, accessed, sizeof(snap));
			cb_calls = 0;
			lru_age(&l, cb_accessed, NULL);
			assert_int_equal(cb_calls, npresent - npinned);
			passes++;
			for (u32 g = 0; g < UNIVERSE; g++) {
				if (present[g] && !pinned[g] && snap[g]) {
					yseq[g] = stamp[g] = passes;
					putback[g] = false;
				}
			}
		} else {
			u32 max = rnd() % 8, n = 0;

			for (; n < max; n++) {
				u64 early0 = stats(&l).early_picks, g;

				if (!lru_pick_victims(&l, &out[n], 1)) {
					/* Fewer than asked: nothing evictable is left. */
					assert_int_equal(lru_evictable(&l), 0);
					break;
				}
				g = out[n];
				assert_true(g < UNIVERSE && present[g] && !pinned[g]);
				assert_int_not_equal(yseq[g], passes); /* not the youngest */
				if (stats(&l).early_picks != early0) {
					assert_true(passes - stamp[g] >= LRU_EARLY_MIN);
					assert_false(putback[g]);
					early++;
				}
				present[g] = false;
				npresent--;
			}
			picked += n;
			/* Sometimes the caller cannot evict and puts one back. */
			if (n && rnd() % 4 == 0) {
				u64 g = out[0];

				assert_int_equal(lru_putback(&l, g), 0);
				present[g] = putback[g] = true;
				npresent++;
				yseq[g] = stats(&l).nr_gens == 1 ? passes : passes - 1;
			}
		}
		s = stats(&l);
		assert_int_equal(s.pages, npresent);
		assert_int_equal(s.pinned, npinned);
		if (op % 97 == 0) {
			u32 evictable = 0;

			for (u64 g = 0; g < UNIVERSE; g++) {
				assert_int_equal(lru_contains(&l, g), present[g]);
				evictable += present[g] && !pinned[g] && yseq[g] != passes;
			}
			assert_int_equal(lru_evictable(&l), evictable);
		}
	}
	assert_true(picked > 10000);
	assert_true(early > 0); /* the workload does start early mode */
	assert_true(stats(&l).refaults > 0);
}

/* ---- host-wide reclaim split ---- */

static struct lru_page vm_storage[3][1024];

/* 'pages' pages of which the first 'busy' are young at every one of 'passes'. */
static void make_vm(struct lru *l, u32 idx, u32 pages, u32 busy, u32 passes)
{
	u64 bound = pages - busy;

	assert_int_equal(lru_init(l, vm_storage[idx], 1024), 0);
	/* gfns >= bound are the busy ones */
	add_range(l, 0, pages);
	for (u32 p = 0; p < passes; p++)
		lru_age(l, cb_at_least, &bound);
}

static u64 sum(const u64 *v, u32 n)
{
	u64 s = 0;

	for (u32 i = 0; i < n; i++)
		s += v[i];
	return s;
}

/* lru_share_reclaim() over LRUs (NULL: a VM with nothing to give). */
static void share_lrus(const struct lru *const *vms, u32 n, u64 target, u64 *out)
{
	struct lru_share in[8] = {0};

	assert_true(n <= 8);
	for (u32 i = 0; i < n; i++)
		if (vms[i])
			lru_share_input(vms[i], &in[i]);
	lru_share_reclaim(in, n, target, out);
}

static void test_share_idle_before_busy(void **state)
{
	struct lru a, b;
	const struct lru *vms[2] = {&b, &a}; /* busy VM first in the list */
	u64 out[2];

	(void)state;
	make_vm(&a, 0, 200, 0, 3);   /* idle: everything in the oldest generation */
	make_vm(&b, 1, 200, 180, 3); /* busy: 20 old pages */
	share_lrus(vms, 2, 100, out);
	assert_int_equal(sum(out, 2), 100);
	assert_true(out[1] > 5 * out[0]);
	assert_true(out[0] <= lru_evictable(&b));
	/* Enough demand takes the idle VM dry before the busy VM's cold pages,
	 * and never touches the busy VM's youngest generation. */
	share_lrus(vms, 2, 1000, out);
	assert_int_equal(out[1], 200);
	assert_int_equal(out[0], 20);
}

static void test_share_proportional(void **state)
{
	struct lru v[3];
	const struct lru *vms[4] = {&v[0], NULL, &v[1], &v[2]};
	u64 out[4];

	(void)state;
	make_vm(&v[0], 0, 100, 0, 2);
	make_vm(&v[1], 1, 200, 0, 2);
	make_vm(&v[2], 2, 300, 0, 2);
	share_lrus(vms, 4, 60, out);
	assert_int_equal(out[0], 10);
	assert_int_equal(out[1], 0);
	assert_int_equal(out[2], 20);
	assert_int_equal(out[3], 30);
	/* Rounding: the sum is exact, nobody gets more than one extra page. */
	share_lrus(vms, 4, 7, out);
	assert_int_equal(sum(out, 4), 7);
	assert_true(out[0] >= 1 && out[0] <= 2);
	assert_true(out[2] >= 2 && out[2] <= 3);
	assert_true(out[3] >= 3 && out[3] <= 4);
	/* Two identical VMs share evenly: never all from the first. */
	vms[2] = &v[0];
	share_lrus(vms, 3, 50, out);
	assert_int_equal(out[0], 25);
	assert_int_equal(out[2], 25);
	/* More than everything: each gives all it can. */
	vms[2] = &v[1];
	share_lrus(vms, 4, 10000, out);
	assert_int_equal(out[0], 100);
	assert_int_equal(out[2], 200);
	assert_int_equal(out[3], 300);
	share_lrus(vms, 4, 0, out);
	assert_int_equal(sum(out, 4), 0);
}

/* Pages last young at clock 'young_at', aged (found old) at every clock up to 'until'. */
static void make_clocked_vm(struct lru *l, u32 idx, u32 pages, u64 young_at, u64 until)
{
	assert_int_equal(lru_init(l, vm_storage[idx], 1024), 0);
	add_range(l, 0, pages);
	lru_set_clock(l, young_at);
	lru_age(l, cb_young, NULL);
	for (u64 t = young_at + 1; t <= until; t++) {
		lru_set_clock(l, t);
		lru_age(l, cb_old, NULL);
	}
}

static void test_share_by_idle_time(void **state)
{
	struct lru idle, busy;
	const struct lru *vms[2] = {&busy, &idle};
	u64 out[2];

	(void)state;
	/* Merges of the oldest generation keep its birth: idle 99 units + 1. */
	make_clocked_vm(&idle, 0, 100, 1, 100);
	assert_int_equal(lru_idle_weight(&idle), 100ull * 100 * 100);
	make_clocked_vm(&busy, 1, 100, 95, 100);
	assert_int_equal(lru_idle_weight(&busy), 100ull * 6 * 6);
	share_lrus(vms, 2, 100, out);
	assert_int_equal(sum(out, 2), 100);
	assert_true(out[1] >= 99);
	/* The clock never goes back; idle times are capped. */
	lru_set_clock(&busy, 50);
	assert_int_equal(lru_idle_weight(&busy), 100ull * 6 * 6);
	lru_set_clock(&idle, 1000000);
	assert_int_equal(lru_idle_weight(&idle), 100ull * LRU_IDLE_MAX * LRU_IDLE_MAX);
}

static void test_share_cap_redistributed(void **state)
{
	struct lru small_idle, big_warm;
	const struct lru *vms[2] = {&small_idle, &big_warm};
	u64 out[2];

	(void)state;
	make_vm(&small_idle, 0, 10, 0, 3); /* weight 10 * 4^2, gives <= 10 */
	make_vm(&big_warm, 1, 1000, 0, 1); /* weight 1000 * 2^2 */
	share_lrus(vms, 2, 500, out);
	assert_int_equal(out[0], 10);
	assert_int_equal(out[1], 490);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_and_errors),
		cmocka_unit_test(test_generations_rotate),
		cmocka_unit_test(test_young_survive),
		cmocka_unit_test(test_victims_from_oldest_only),
		cmocka_unit_test(test_pinned_never_evicted),
		cmocka_unit_test(test_random_vs_model),
		cmocka_unit_test(test_shadows),
		cmocka_unit_test(test_early_loop),
		cmocka_unit_test(test_early_not_for_random),
		cmocka_unit_test(test_random_adaptive),
		cmocka_unit_test(test_share_idle_before_busy),
		cmocka_unit_test(test_share_proportional),
		cmocka_unit_test(test_share_cap_redistributed),
		cmocka_unit_test(test_share_by_idle_time),
		cmocka_unit_test(test_grow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
