/* SPDX-License-Identifier: MIT */
/*
 * Host benchmark of mm/reclaim/lru.c against FIFO and the offline optimum.
 *
 * Build and run (hosted, -O2, no sanitizers):
 *   mkdir -p build/bench
 *   gcc -O2 -I. tests/bench/lru_bench.c mm/reclaim/lru.c lib/err.c -o build/bench/lru_bench
 *   build/bench/lru_bench [pages] [intervals] [hot_p] [cold_p] [seed]
 *
 * A guest owns 'pages' pages (default 32768); 25% of them are the hot set.
 * In each aging interval every hot page is touched with probability hot_p
 * (default 0.95) and every cold page with cold_p (default 0.01), in random
 * order. The resident budget is 50% of the pages. One trace is recorded and
 * replayed under each policy; a fault on a page evicted before is a refault.
 *
 *   mglru    this LRU: lru_age() at the end of every interval with the
 *            simulated Accessed bits (test-and-clear), one victim per fault
 *            from lru_pick_victims() (aging on demand if only the youngest
 *            generation is left)
 *   fifo     evict the page that arrived (faulted in) first
 *   belady   offline optimum: evict the page whose next use is farthest
 *   hotfifo  FIFO that knows the hot set and never evicts a hot page (an
 *            online policy can do no better on cold pages touched at random,
 *            so it shows how much of the gap to belady is unavoidable)
 *
 * Prints one JSON line per policy, then a table: hot-set refaults as % of
 * evictions (target <= 1%) and refaults relative to belady (target <= 1.2x).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mm/reclaim/lru.h"

#define NEVER 0xffffffffu

struct trace {
	u32 *gfn; /* accesses in order */
	u32 *end; /* end[i]: index one past the last access of interval i */
	u32 len, intervals, pages, hot;
};

struct result {
	const char *name;
	u64 faults, refaults, hot_refaults, evictions, extra_ages;
	double secs;
};

static u64 rng = 0x9e3779b97f4a7c15ull;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
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

static void make_trace(struct trace *t, u32 pages, u32 intervals, double hot_p, double cold_p)
{
	u32 cap = 1u << 20;

	t->pages = pages;
	t->hot = pages / 4;
	t->intervals = intervals;
	t->len = 0;
	t->gfn = malloc(cap * sizeof(u32));
	t->end = malloc(intervals * sizeof(u32));
	for (u32 iv = 0; iv < intervals; iv++) {
		u32 start = t->len;

		for (u32 g = 0; g < pages; g++) {
			if (!chance(g < t->hot ? hot_p : cold_p))
				continue;
			if (t->len == cap) {
				cap *= 2;
				t->gfn = realloc(t->gfn, cap * sizeof(u32));
			}
			t->gfn[t->len++] = g;
		}
		for (u32 i = t->len - 1; i > start; i--) { /* shuffle the interval */
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

static struct result run_mglru(const struct trace *t, struct lru_stats *st)
{
	struct sim s;
	struct lru l;
	struct lru_page *storage = calloc(t->pages, sizeof(*storage));
	u32 i = 0;
	double t0 = now();

	sim_init(&s, t, "mglru");
	accessed = calloc(t->pages, 1);
	lru_init(&l, storage, t->pages);
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
			lru_add(&l, g);
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

int main(int argc, char **argv)
{
	u32 pages = argc > 1 ? (u32)atoi(argv[1]) : 32768;
	u32 intervals = argc > 2 ? (u32)atoi(argv[2]) : 200;
	double hot_p = argc > 3 ? atof(argv[3]) : 0.95;
	double cold_p = argc > 4 ? atof(argv[4]) : 0.01;
	struct trace t;
	struct result r[4];
	struct lru_stats st;

	if (argc > 5)
		rng = strtoull(argv[5], NULL, 0) | 1;
	if (pages < 8 || !intervals) {
		fprintf(stderr, "usage: %s [pages>=8] [intervals>=1] [hot_p] [cold_p] [seed]\n",
			argv[0]);
		return 2;
	}
	make_trace(&t, pages, intervals, hot_p, cold_p);
	r[0] = run_mglru(&t, &st);
	r[1] = run_fifo(&t, false);
	r[2] = run_belady(&t);
	r[3] = run_fifo(&t, true);

	for (u32 i = 0; i < 4; i++) {
		double hot_pct = r[i].evictions ? 100.0 * r[i].hot_refaults / r[i].evictions : 0;
		double vs = r[2].refaults ? (double)r[i].refaults / r[2].refaults : 0;

		printf("{\"bench\":\"lru\",\"policy\":\"%s\",\"pages\":%u,\"hot\":%u,\"budget\":%u,"
		       "\"intervals\":%u,\"hot_p\":%.3f,\"cold_p\":%.4f,\"accesses\":%u,"
		       "\"faults\":%llu,\"refaults\":%llu,\"hot_refaults\":%llu,\"evictions\":%llu,"
		       "\"hot_refault_pct_of_evictions\":%.4f,\"refaults_vs_belady\":%.3f,"
		       "\"extra_ages\":%llu,\"seconds\":%.4f}\n",
		       r[i].name, pages, t.hot, pages / 2, intervals, hot_p, cold_p, t.len,
		       (unsigned long long)r[i].faults, (unsigned long long)r[i].refaults,
		       (unsigned long long)r[i].hot_refaults, (unsigned long long)r[i].evictions,
		       hot_pct, vs, (unsigned long long)r[i].extra_ages, r[i].secs);
	}
	printf("{\"bench\":\"lru\",\"policy\":\"mglru\",\"age_passes\":%llu,\"scanned\":%llu,"
	       "\"young\":%llu,\"old\":%llu,\"rotations\":%llu,\"ns_per_scanned_page\":%.2f}\n",
	       (unsigned long long)st.age_passes, (unsigned long long)st.scanned,
	       (unsigned long long)st.young, (unsigned long long)st.old,
	       (unsigned long long)st.rotations, st.scanned ? r[0].secs * 1e9 / st.scanned : 0);

	printf("\n%-8s %10s %10s %12s %10s %14s %12s\n", "policy", "faults", "refaults",
	       "hot_refaults", "evictions", "hot%evict", "vs_belady");
	for (u32 i = 0; i < 4; i++)
		printf("%-8s %10llu %10llu %12llu %10llu %13.3f%% %11.3fx\n", r[i].name,
		       (unsigned long long)r[i].faults, (unsigned long long)r[i].refaults,
		       (unsigned long long)r[i].hot_refaults, (unsigned long long)r[i].evictions,
		       r[i].evictions ? 100.0 * r[i].hot_refaults / r[i].evictions : 0,
		       r[2].refaults ? (double)r[i].refaults / r[2].refaults : 0);
	printf("targets: mglru hot%%evictions <= 1%%, refaults <= 1.2x belady\n");
	free(t.gfn);
	free(t.end);
	return 0;
}
