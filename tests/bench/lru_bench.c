/* SPDX-License-Identifier: MIT */
/*
 * Host benchmark of mm/reclaim/lru*.c against FIFO and the offline optimum,
 * on three access traces. Run by tools/bench (make bench); by hand:
 *   mkdir -p build/bench
 *   gcc -std=gnu11 -O2 -I. tests/bench/lru_bench.c mm/reclaim/lru*.c lib/err.c \
 *       -o build/bench/lru_bench
 *   build/bench/lru_bench [pages] [drift_intervals] [uniform_intervals] [seed]
 *                         [walk_intervals]
 *
 * A guest owns 'pages' pages (default 32768); the first 25% are the hot set.
 * Time is cut into aging intervals (defaults: 3000 for drift, 200 for
 * uniform, 2000 for walk). The resident budget is 50% of the pages. Each
 * trace is recorded once and replayed under each policy; a fault on a page
 * evicted before is a refault. The traces are made in the order drift,
 * uniform, walk from one random stream (seed 0: a fixed start), or each
 * from the seed.
 *
 * Traces (all: every hot page is touched with probability 0.95 in each
 * interval, accesses of one interval in random order):
 *   drift    the realistic case, locality in the cold part: the cold pages
 *            are visited in phases of DRIFT_PHASE intervals; a phase touches
 *            a window of pages/32 cold pages (each with probability 1/2 per
 *            interval, so repeatedly), then the window moves on by a random
 *            step in [-1/2, +1] window (working-set drift: mostly onwards,
 *            sometimes back over what was just left, wrapping around the
 *            cold region). The run is long enough for the window to pass
 *            over the cold region about 7 times, so pages do come back
 *            after they could have been evicted (in a shorter run the
 *            optimum refaults nothing and the comparison says little), and
 *            the figure is the steady state: an online policy can only see
 *            the loop once it has gone round it (the first pass ends near
 *            interval 450), so a 1000-interval run mostly measures that
 *            learning delay (tools/bench prints it too, without target). The
 *            hot set and the current window fit in the budget; what does
 *            not fit is the cold data visited a cycle ago. The optimum
 *            keeps part of it (it knows the window will come back to it);
 *            a policy ranking pages by last use evicts exactly that part
 *            first, since the data idle longest is the data the window
 *            reaches next (the classic loop case; see the lru row).
 *   uniform  the stress case, no locality in the cold part: every cold page
 *            is touched with probability 0.01 in each interval. No online
 *            policy can predict which cold page comes next: even hotfifo
 *            (below, which is told the hot set) stays far from belady.
 *   walk     locality without a loop: the same window, but every WALK_PHASE
 *            intervals it takes a step in [-1, +1] window, reflected at the
 *            ends of the cold region (a random walk, never wrapping). What
 *            was just left is the likeliest to come back: here ranking by
 *            last use is right, and early eviction (the loop remedy) would
 *            be wrong. The guard against the adaptive policy misjudging.
 *
 * Policies:
 *   mglru    this LRU, driven as mm/reclaim/evict_scan.c drives it: lru_age()
 *            with test-and-clear-young of the simulated Accessed bits at the
 *            end of every interval (the reclaim tick), victims from
 *            lru_pick_victims() when a fault finds the budget full (aging
 *            first when only the youngest generation is left, as trim()
 *            does when the LRU cannot supply the batch). One victim per
 *            fault, so every policy holds exactly the same budget. Adaptive
 *            early eviction on, as in the kernel.
 *   fifo     evict the page that arrived (faulted in) first
 *   belady   offline optimum: evict the page whose next use is farthest
 *   hotfifo  FIFO that knows the hot set and never evicts a hot page
 *   lru      exact LRU (per access; a reference, not a target): the best a
 *            policy ordering pages by last use can do. mglru only sees
 *            Accessed bits once per interval; the gap between tailonly and
 *            lru is what its generations lose, the gap between lru and
 *            belady is what knowing only the past costs.
 *   tailonly mglru with lru_set_adaptive(false): victims always least
 *            recently young first (the policy before adaptive early
 *            eviction). mglru against tailonly is what adaptation gains or
 *            costs.
 *
 * Prints one JSON line per trace and policy, one with mglru's adaptive
 * statistics, then a table per trace with hot-set refaults as % of
 * evictions (target <= 1%, every trace), refaults relative to belady
 * (target <= 1.2x on the drift trace) and to tailonly (no regression:
 * <= 1.02x on the uniform and walk traces), and "target met" or "target
 * MISSED" for each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mm/reclaim/lru.h"
#include "tests/unit/xorshift.h"

#define NEVER		 0xffffffffu
#define HOT_P		 0.95
#define UNIFORM_COLD_P	 0.01
#define DRIFT_PHASE	 4   /* intervals per cold window */
#define DRIFT_WINDOW_DIV 32  /* window = pages / this */
#define DRIFT_TOUCH_P	 0.5 /* per window page and interval */
#define WALK_PHASE	 2   /* intervals between steps of the walk */
#define TARGET_HOT_PCT	 1.0
#define TARGET_VS_BELADY 1.2
#define GUARD_VS_TAIL	 1.02 /* no regression against adaptation off */

enum trace_kind { TRACE_DRIFT, TRACE_UNIFORM, TRACE_WALK, TRACE_N };
static const char *const trace_name[TRACE_N] = {"drift", "uniform", "walk"};

struct trace {
	enum trace_kind kind;
	u32 *gfn; /* accesses in order */
	u32 *end; /* end[i]: index one past the last access of interval i */
	u32 len, cap, intervals, pages, hot;
};

struct result {
	const char *name;
	u64 faults, refaults, hot_refaults, evictions, extra_ages;
	double secs;
};

static u64 rng = 0x9e3779b97f4a7c15ull;

static u64 rnd(void)
{
	return xorshift64(&rng);
}

static bool chance(double p)
{
	return (double)(rnd() >> 11) * 0x1p-53 < p;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void trace_push(struct trace *t, u32 g)
{
	if (t->len == t->cap) {
		t->cap *= 2;
		t->gfn = realloc(t->gfn, t->cap * sizeof(u32));
		if (!t->gfn)
			exit(1);
	}
	t->gfn[t->len++] = g;
}

static void make_trace(struct trace *t, enum trace_kind kind, u32 pages, u32 intervals)
{
	u32 cold = pages - pages / 4, window = MAX(pages / DRIFT_WINDOW_DIV, 1u), pos = 0;

	*t = (struct trace){.kind = kind,
			    .pages = pages,
			    .hot = pages / 4,
			    .intervals = intervals,
			    .cap = 1u << 20};
	t->gfn = malloc(t->cap * sizeof(u32));
	t->end = malloc(intervals * sizeof(u32));
	if (!t->gfn || !t->end)
		exit(1);
	for (u32 iv = 0; iv < intervals; iv++) {
		u32 start = t->len;

		for (u32 g = 0; g < t->hot; g++)
			if (chance(HOT_P))
				trace_push(t, g);
		if (kind == TRACE_UNIFORM) {
			for (u32 g = t->hot; g < pages; g++)
				if (chance(UNIFORM_COLD_P))
					trace_push(t, g);
		} else if (kind == TRACE_WALK) {
			if (iv && iv % WALK_PHASE == 0) { /* a step, reflected */
				s64 top = (s64)cold - (s64)window;
				s64 p = (s64)pos + (s64)(rnd() % (2 * window + 1)) - (s64)window;

				if (p < 0)
					p = -p;
				if (p > top)
					p = 2 * top - p;
				pos = (u32)MAX(MIN(p, top), (s64)0);
			}
			for (u32 k = 0; k < window; k++)
				if (chance(DRIFT_TOUCH_P))
					trace_push(t, t->hot + pos + k);
		} else {
			if (iv && iv % DRIFT_PHASE == 0) /* the window moves on */
				pos = (u32)((pos + cold + (rnd() % (window + window / 2 + 1)) -
					     window / 2) %
					    cold);
			for (u32 k = 0; k < window; k++)
				if (chance(DRIFT_TOUCH_P))
					trace_push(t, t->hot + (pos + k) % cold);
		}
		for (u32 i = t->len - 1; t->len > start + 1 && i > start; i--) { /* shuffle */
			u32 j = start + (u32)(rnd() % (i - start + 1)), x = t->gfn[i];

			t->gfn[i] = t->gfn[j];
			t->gfn[j] = x;
		}
		t->end[iv] = t->len;
	}
}

/* Shared bookkeeping: residency, refault detection. */
struct sim {
	const struct trace *t;
	bool *resident, *evicted_once;
	u32 nres, budget;
	struct result r;
};

static void sim_init(struct sim *s, const struct trace *t, const char *name)
{
	s->t = t;
	s->resident = calloc(t->pages, 1);
	s->evicted_once = calloc(t->pages, 1);
	if (!s->resident || !s->evicted_once)
		exit(1);
	s->nres = 0;
	s->budget = t->pages / 2;
	memset(&s->r, 0, sizeof(s->r));
	s->r.name = name;
}

static void sim_fault(struct sim *s, u32 g)
{
	s->r.faults++;
	if (s->evicted_once[g]) {
		s->r.refaults++;
		if (g < s->t->hot)
			s->r.hot_refaults++;
	}
	s->resident[g] = true;
	s->nres++;
}

static void sim_evict(struct sim *s, u32 g)
{
	if (!s->resident[g]) {
		fprintf(stderr, "evicting non-resident page %u\n", g);
		exit(1);
	}
	s->resident[g] = false;
	s->evicted_once[g] = true;
	s->nres--;
	s->r.evictions++;
}

static void sim_done(struct sim *s)
{
	free(s->resident);
	free(s->evicted_once);
}

/* ---- mglru ---- */

static bool *accessed;

static bool test_and_clear_young(u64 gfn, void *ctx)
{
	bool y = accessed[gfn];

	(void)ctx;
	accessed[gfn] = false;
	return y;
}

static struct result run_mglru(const struct trace *t, bool adaptive, struct lru_stats *st)
{
	struct sim s;
	struct lru l;
	struct lru_page *storage = calloc(t->pages, sizeof(*storage));
	u32 i = 0;
	double t0 = now();

	sim_init(&s, t, adaptive ? "mglru" : "tailonly");
	accessed = calloc(t->pages, 1);
	if (!storage || !accessed || lru_init(&l, storage, t->pages))
		exit(1);
	lru_set_adaptive(&l, adaptive);
	for (u32 iv = 0; iv < t->intervals; iv++) {
		for (; i < t->end[iv]; i++) {
			u32 g = t->gfn[i];

			accessed[g] = true;
			if (s.resident[g])
				continue;
			if (s.nres == s.budget) {
				u64 victim;

				while (!lru_pick_victims(&l, &victim, 1)) {
					lru_age(&l, test_and_clear_young, NULL);
					s.r.extra_ages++;
				}
				sim_evict(&s, (u32)victim);
			}
			sim_fault(&s, g);
			if (lru_add(&l, g))
				exit(1);
		}
		lru_age(&l, test_and_clear_young, NULL);
	}
	s.r.secs = now() - t0;
	lru_get_stats(&l, st);
	free(storage);
	free(accessed);
	sim_done(&s);
	return s.r;
}

/* ---- fifo and hot-aware fifo ---- */

struct ring {
	u32 *v, head, n, cap;
};

static void ring_push(struct ring *q, u32 g)
{
	q->v[(q->head + q->n++) % q->cap] = g;
}

static u32 ring_pop(struct ring *q)
{
	u32 g = q->v[q->head];

	q->head = (q->head + 1) % q->cap;
	q->n--;
	return g;
}

static struct result run_fifo(const struct trace *t, bool know_hot)
{
	struct sim s;
	struct ring cold = {.cap = t->pages}, hot = {.cap = t->pages};
	double t0 = now();

	sim_init(&s, t, know_hot ? "hotfifo" : "fifo");
	cold.v = malloc(t->pages * sizeof(u32));
	hot.v = malloc(t->pages * sizeof(u32));
	if (!cold.v || !hot.v)
		exit(1);
	for (u32 i = 0; i < t->len; i++) {
		u32 g = t->gfn[i];

		if (s.resident[g])
			continue;
		if (s.nres == s.budget)
			sim_evict(&s, ring_pop(cold.n ? &cold : &hot));
		sim_fault(&s, g);
		ring_push(know_hot && g < t->hot ? &hot : &cold, g);
	}
	s.r.secs = now() - t0;
	free(cold.v);
	free(hot.v);
	sim_done(&s);
	return s.r;
}

/* ---- exact LRU: a list in order of last use ---- */

static struct result run_lru(const struct trace *t)
{
	struct sim s;
	u32 *prev = malloc(t->pages * sizeof(u32)), *next = malloc(t->pages * sizeof(u32));
	u32 head = NEVER, tail = NEVER;
	double t0 = now();

	if (!prev || !next)
		exit(1);
	sim_init(&s, t, "lru");
	for (u32 i = 0; i < t->len; i++) {
		u32 g = t->gfn[i];

		if (s.resident[g]) { /* unlink, to move it to the head */
			if (prev[g] != NEVER)
				next[prev[g]] = next[g];
			else
				head = next[g];
			if (next[g] != NEVER)
				prev[next[g]] = prev[g];
			else
				tail = prev[g];
		} else {
			if (s.nres == s.budget) { /* the least recently used goes */
				u32 v = tail;

				tail = prev[v];
				if (tail != NEVER)
					next[tail] = NEVER;
				else
					head = NEVER;
				sim_evict(&s, v);
			}
			sim_fault(&s, g);
		}
		prev[g] = NEVER;
		next[g] = head;
		if (head != NEVER)
			prev[head] = g;
		else
			tail = g;
		head = g;
	}
	s.r.secs = now() - t0;
	free(prev);
	free(next);
	sim_done(&s);
	return s.r;
}

/* ---- belady: lazy max-heap of (next use, page) ---- */

struct hent {
	u32 next, g;
};

static void heap_push(struct hent *h, u32 *n, struct hent e)
{
	u32 i = (*n)++;

	while (i && h[(i - 1) / 2].next < e.next) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = e;
}

static struct hent heap_pop(struct hent *h, u32 *n)
{
	struct hent top = h[0], last = h[--*n];
	u32 i = 0;

	for (;;) {
		u32 c = 2 * i + 1;

		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1].next > h[c].next)
			c++;
		if (h[c].next <= last.next)
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n)
		h[i] = last;
	return top;
}

static struct result run_belady(const struct trace *t)
{
	struct sim s;
	u32 *next = malloc(t->len * sizeof(u32)), *last = malloc(t->pages * sizeof(u32));
	u32 *cur = malloc(t->pages * sizeof(u32)), hn = 0;
	struct hent *heap = malloc(t->len * sizeof(*heap));
	double t0 = now();

	if (!next || !last || !cur || !heap)
		exit(1);
	sim_init(&s, t, "belady");
	for (u32 g = 0; g < t->pages; g++)
		last[g] = NEVER;
	for (u32 i = t->len; i-- > 0;) {
		next[i] = last[t->gfn[i]];
		last[t->gfn[i]] = i;
	}
	for (u32 i = 0; i < t->len; i++) {
		u32 g = t->gfn[i];

		if (!s.resident[g]) {
			if (s.nres == s.budget) {
				for (;;) {
					struct hent e = heap_pop(heap, &hn);

					if (s.resident[e.g] && cur[e.g] == e.next) {
						sim_evict(&s, e.g);
						break;
					}
				}
			}
			sim_fault(&s, g);
		}
		cur[g] = next[i];
		heap_push(heap, &hn, (struct hent){next[i], g});
	}
	s.r.secs = now() - t0;
	free(next);
	free(last);
	free(cur);
	free(heap);
	sim_done(&s);
	return s.r;
}

/* ---- report ---- */

static double hot_pct(const struct result *r)
{
	return r->evictions ? 100.0 * (double)r->hot_refaults / (double)r->evictions : 0;
}

/* Refaults relative to belady; with none there, 1 if none here either. */
static double vs_belady(const struct result *r, const struct result *b)
{
	if (!b->refaults)
		return r->refaults ? 1e9 : 1.0;
	return (double)r->refaults / (double)b->refaults;
}

static double ratio(u64 a, u64 b)
{
	if (!b)
		return a ? 1e9 : 1.0;
	return (double)a / (double)b;
}

/* Runs every policy on one trace; returns how many targets were missed. */
static int bench_trace(enum trace_kind kind, u32 pages, u32 intervals)
{
	enum { MGLRU, FIFO, BELADY, HOTFIFO, LRU, TAILONLY, NPOL };
	struct trace t;
	struct result r[NPOL];
	struct lru_stats st, st_tail;
	const struct result *mg = &r[MGLRU], *bel = &r[BELADY], *tail = &r[TAILONLY];
	bool ratio_is_target = kind == TRACE_DRIFT, guard = kind != TRACE_DRIFT;
	bool hot_ok, ratio_ok, guard_ok;

	make_trace(&t, kind, pages, intervals);
	r[MGLRU] = run_mglru(&t, true, &st);
	r[FIFO] = run_fifo(&t, false);
	r[BELADY] = run_belady(&t);
	r[HOTFIFO] = run_fifo(&t, true);
	r[LRU] = run_lru(&t);
	r[TAILONLY] = run_mglru(&t, false, &st_tail);

	for (u32 i = 0; i < NPOL; i++)
		printf("{\"bench\":\"lru\",\"trace\":\"%s\",\"policy\":\"%s\",\"pages\":%u,"
		       "\"hot\":%u,\"budget\":%u,\"intervals\":%u,\"accesses\":%u,"
		       "\"faults\":%llu,\"refaults\":%llu,\"hot_refaults\":%llu,"
		       "\"evictions\":%llu,\"hot_refault_pct_of_evictions\":%.4f,"
		       "\"refaults_vs_belady\":%.3f,\"baseline\":\"belady\","
		       "\"baseline_refaults\":%llu,\"extra_ages\":%llu,\"seconds\":%.4f}\n",
		       trace_name[kind], r[i].name, pages, t.hot, pages / 2, intervals, t.len,
		       (unsigned long long)r[i].faults, (unsigned long long)r[i].refaults,
		       (unsigned long long)r[i].hot_refaults, (unsigned long long)r[i].evictions,
		       hot_pct(&r[i]), vs_belady(&r[i], bel), (unsigned long long)bel->refaults,
		       (unsigned long long)r[i].extra_ages, r[i].secs);
	printf("{\"bench\":\"lru\",\"trace\":\"%s\",\"policy\":\"mglru\",\"age_passes\":%llu,"
	       "\"scanned\":%llu,\"young\":%llu,\"old\":%llu,\"rotations\":%llu,"
	       "\"ns_per_scanned_page\":%.2f,\"tailonly_ns_per_scanned_page\":%.2f,"
	       "\"refaults_seen\":%llu,\"shadows\":%u,\"early_picks\":%llu,"
	       "\"early_passes\":%llu,\"switches\":%llu,\"early_k\":%u,\"tau\":%u,"
	       "\"refaults_vs_tailonly\":%.3f}\n",
	       trace_name[kind], (unsigned long long)st.age_passes, (unsigned long long)st.scanned,
	       (unsigned long long)st.young, (unsigned long long)st.old,
	       (unsigned long long)st.rotations,
	       st.scanned ? mg->secs * 1e9 / (double)st.scanned : 0,
	       st_tail.scanned ? tail->secs * 1e9 / (double)st_tail.scanned : 0,
	       (unsigned long long)st.refaults, st.shadows, (unsigned long long)st.early_picks,
	       (unsigned long long)st.early_passes, (unsigned long long)st.switches, st.early_k,
	       st.tau, ratio(mg->refaults, tail->refaults));

	printf("\nlru trace %s: %u pages, hot %u, budget %u, %u intervals, %u accesses%s\n",
	       trace_name[kind], pages, t.hot, pages / 2, intervals, t.len,
	       kind == TRACE_UNIFORM ? " (stress case: cold pages at random)"
	       : kind == TRACE_WALK  ? " (random walk: no loop)"
				     : "");
	printf("%-8s %10s %10s %12s %10s %12s %11s\n", "policy", "faults", "refaults",
	       "hot_refaults", "evictions", "hot%evict", "vs_belady");
	for (u32 i = 0; i < NPOL; i++)
		printf("%-8s %10llu %10llu %12llu %10llu %11.3f%% %10.3fx\n", r[i].name,
		       (unsigned long long)r[i].faults, (unsigned long long)r[i].refaults,
		       (unsigned long long)r[i].hot_refaults, (unsigned long long)r[i].evictions,
		       hot_pct(&r[i]), vs_belady(&r[i], bel));
	printf("%s mglru: early mode %llu of %llu aging passes, %llu switches, %llu of %llu "
	       "victims taken early\n",
	       trace_name[kind], (unsigned long long)st.early_passes,
	       (unsigned long long)st.age_passes, (unsigned long long)st.switches,
	       (unsigned long long)st.early_picks, (unsigned long long)mg->evictions);
	hot_ok = hot_pct(mg) <= TARGET_HOT_PCT;
	ratio_ok = vs_belady(mg, bel) <= TARGET_VS_BELADY;
	guard_ok = ratio(mg->refaults, tail->refaults) <= GUARD_VS_TAIL;
	printf("%s mglru hot refaults %.3f%% of evictions (target <= %.0f%%): %s\n",
	       trace_name[kind], hot_pct(mg), TARGET_HOT_PCT,
	       hot_ok ? "target met" : "target MISSED");
	if (ratio_is_target)
		printf("%s mglru refaults %.3fx belady (target <= %.1fx): %s\n", trace_name[kind],
		       vs_belady(mg, bel), TARGET_VS_BELADY,
		       ratio_ok ? "target met" : "target MISSED");
	else
		printf("%s mglru refaults %.3fx belady (no target: hotfifo, which is told the "
		       "hot set, gets %.3fx)\n",
		       trace_name[kind], vs_belady(mg, bel), vs_belady(&r[HOTFIFO], bel));
	if (guard)
		printf("%s mglru refaults %.3fx tailonly (no regression, target <= %.2fx): %s\n",
		       trace_name[kind], ratio(mg->refaults, tail->refaults), GUARD_VS_TAIL,
		       guard_ok ? "target met" : "target MISSED");
	else
		printf("%s mglru refaults %.3fx tailonly (adaptation off)\n", trace_name[kind],
		       ratio(mg->refaults, tail->refaults));
	free(t.gfn);
	free(t.end);
	return !hot_ok + (ratio_is_target && !ratio_ok) + (guard && !guard_ok);
}

int main(int argc, char **argv)
{
	u32 pages = argc > 1 ? (u32)atoi(argv[1]) : 32768;
	u32 intervals[TRACE_N] = {
		[TRACE_DRIFT] = argc > 2 ? (u32)atoi(argv[2]) : 3000,
		[TRACE_UNIFORM] = argc > 3 ? (u32)atoi(argv[3]) : 200,
		[TRACE_WALK] = argc > 5 ? (u32)atoi(argv[5]) : 2000,
	};
	u64 seed = argc > 4 ? strtoull(argv[4], NULL, 0) : 0;
	int missed = 0;

	if (pages < 64 || !intervals[TRACE_DRIFT] || !intervals[TRACE_UNIFORM] ||
	    !intervals[TRACE_WALK]) {
		fprintf(stderr,
			"usage: %s [pages>=64] [drift_intervals>=1] [uniform_intervals>=1] "
			"[seed] [walk_intervals>=1]\n",
			argv[0]);
		return 2;
	}
	for (u32 k = 0; k < TRACE_N; k++) {
		if (seed)
			rng = seed | 1;
		if (k)
			printf("\n");
		missed += bench_trace((enum trace_kind)k, pages, intervals[k]);
	}
	/* A missed target is reported, not an error: the figures are the result. */
	printf("\nlru targets missed: %d\n", missed);
	return 0;
}
