/* SPDX-License-Identifier: MIT */
/*
 * Adaptive early eviction of the per-VM LRU (the policy is described in
 * lru.h): reuse statistics, the model deciding when to evict at an early
 * point of the oldest generation, and the early cursor.
 */
#include "mm/reclaim/lru_priv.h"

#define MIN_MISSES  32u	 /* LRU misses in the statistics before early mode */
#define LOSS_MIN    16u	 /* measured loss that can end early mode ... */
#define LOSS_SHARE  16u	 /* ... when above 1/LOSS_SHARE of the early picks */
#define BACKOFF_MAX 4u	 /* the cool-down doubles at most this many times */
#define SHADOW_RUN  256u /* shadows older than tau ending the walk in lru_age() */

/*
 * A page reused after 'age' passes idle: found young (refault false), or a
 * refault of a shadow with these flags. Counted as a reuse exact LRU would
 * have hit or missed (lru.h), and as measured gain or loss of early mode.
 */
void lru_note_reuse(struct lru *l, u32 age, bool refault, u8 flags)
{
	bool judged = l->early_k || (flags & F_EARLY);
	bool lru_hit = judged ? age < l->tau : !refault;

	if (!lru_hit)
		l->misses++;
	else if (age_bin(age) >= LRU_HIT_BIN0)
		l->hits[age_bin(age) - LRU_HIT_BIN0]++;
	if (refault && lru_hit && judged)
		l->loss++; /* early eviction cost this refault */
	else if (!refault && !lru_hit && l->early_k)
		l->gain++; /* early eviction kept this page */
}

/* The age of the m-th youngest page, pop[] the pages per age bin
 * (interpolated within its bin); 0 if m is 0. */
static u32 boundary_age(const u32 *pop, u32 m)
{
	u64 below = 0;

	if (!m)
		return 0;
	for (u32 b = 0; b < LRU_AGE_BINS; b++) {
		if (below + pop[b] >= m)
			return bin_lo(b) + (u32)((u64)(m - below) * bin_width(b) / pop[b]);
		below += pop[b];
	}
	return bin_lo(LRU_AGE_BINS - 1);
}

/*
 * The model (lru.h): the best early point (0: none), its predicted gain
 * minus loss in *adv and its loss in *loss_out. pop[]: resident pages and
 * recent shadows per age bin; m resident, t remembered (resident + shadows).
 */
static u32 best_early_point(const struct lru *l, const u32 *pop, u32 m, u64 t, s64 *adv,
			    u64 *loss_out)
{
	u64 e = 0, loss = 0; /* pages younger than k; LRU hits at ages >= k */
	u32 best = 0;

	for (u32 b = LRU_HIT_BIN0; b < LRU_AGE_BINS; b++)
		loss += l->hits[b - LRU_HIT_BIN0];
	for (u32 b = 0; b < LRU_AGE_BINS && 2 * (u64)bin_lo(b) <= l->tau && e < m; b++) {
		if (bin_lo(b) >= LRU_EARLY_MIN) {
			/* it keeps (m - e) of the (t - e) pages idle >= k */
			s64 a = (s64)lru_muldiv(l->misses, m - e, t - e) - (s64)loss;

			if (!best || a > *adv) {
				best = bin_lo(b);
				*adv = a;
				*loss_out = loss;
			}
			loss -= l->hits[b - LRU_HIT_BIN0];
		}
		e += pop[b];
	}
	return best;
}

static void start_early(struct lru *l, u32 k)
{
	l->early_k = k;
	l->against = 0;
	l->gain = l->loss = l->epicks = 0;
	l->switches++;
}

static void end_early(struct lru *l)
{
	l->early_k = 0;
	l->cursor = LRU_NIL;
	l->cool = MAX(l->tau, LRU_EARLY_DWELL);
	l->switches++;
}

/* Once per aging pass, with the ages of the pages (pop[]) and tau known. */
static void decide(struct lru *l, const u32 *pop, u32 m)
{
	u64 t = (u64)m + l->lists[LRU_LIST_SHADOW].count, loss = 0;
	s64 adv = 0;
	u32 k;

	if (l->fixed || !l->tau) {
		if (l->early_k)
			end_early(l);
		return;
	}
	k = best_early_point(l, pop, m, t, &adv, &loss);
	if (l->early_k) {
		l->against = k && adv > 0 ? 0 : l->against + 1;
		if (l->against >= LRU_EARLY_DWELL || (l->loss >= LOSS_MIN && l->loss > l->gain &&
						      (u64)l->loss * LOSS_SHARE > l->epicks))
			end_early(l);
		else if (k && adv > 0)
			l->early_k = k;
		return;
	}
	if (l->cool) {
		l->cool--;
		return;
	}
	if (!k || adv <= 0 || l->misses < MIN_MISSES ||
	    (u64)adv * 100 <= loss * LRU_EARLY_MARGIN_PCT)
		return;
	if (l->switches && l->loss > l->gain) {
		/* The last episode lost, late refaults of its picks included:
		 * wait twice as long as last time. */
		l->fails = MIN(l->fails + 1, BACKOFF_MAX);
		l->cool = MAX(l->tau, LRU_EARLY_DWELL) << l->fails;
		l->gain = l->loss = 0;
		return;
	}
	if (l->switches)
		l->fails = 0;
	start_early(l, k);
}

/* The early candidate: the most recently young page of the oldest
 * generation idle for at least early_k passes (put back pages passed over). */
static void find_cursor(struct lru *l)
{
	l->cursor = LRU_NIL;
	l->cursor_seq = l->min_seq;
	if (!l->early_k || l->min_seq == l->max_seq)
		return;
	for (u32 s = l->lists[gen_list(l->min_seq)].tail; s != LRU_NIL; s = l->pages[s].prev) {
		const struct lru_page *p = &l->pages[s];

		if (p->flags & F_PUTBACK)
			continue;
		if (age_of(l, p) < l->early_k)
			break;
		l->cursor = s;
	}
}

void lru_early_after_age(struct lru *l, u32 *pop, u32 early_clock)
{
	u32 m;

	/* tau from the resident pages and the most recent shadows: those of
	 * early picks can be younger than resident pages. Without them, every
	 * shadow is older than what is resident and does not move tau. Shadows
	 * are in the order they were picked, so the walk stops after a run of
	 * SHADOW_RUN older than the resident pages' own boundary. */
	m = resident(l);
	l->tau = boundary_age(pop, m);
	if (l->early_shadows) {
		u32 n = 0, run = 0;

		for (u32 s = l->lists[LRU_LIST_SHADOW].head;
		     s != LRU_NIL && n < m && run < SHADOW_RUN; s = l->pages[s].next, n++) {
			u32 age = age_of(l, &l->pages[s]);

			run = age < l->tau ? 0 : run + 1;
			pop[age_bin(age)]++;
		}
		l->tau = boundary_age(pop, m);
	}
	decide(l, pop, m);
	if (l->early_k)
		l->early_passes++;
	if (l->age_passes % LRU_STAT_HALF == 0) {
		for (u32 b = 0; b < ARRAY_SIZE(l->hits); b++)
			l->hits[b] >>= 1;
		l->misses >>= 1;
		l->gain >>= 1;
		l->loss >>= 1;
		l->epicks >>= 1;
	}
	/* Passes made in a burst (aging on demand) do not make a page idle
	 * long enough to go early: LRU_EARLY_MIN clock units too. */
	if ((u32)l->now - early_clock >= LRU_EARLY_MIN)
		find_cursor(l);
	else
		l->cursor = LRU_NIL;
}

u32 lru_early_victim(struct lru *l)
{
	if (!l->early_k || l->cursor_seq != l->min_seq)
		return LRU_NIL;
	while (l->cursor != LRU_NIL && (l->pages[l->cursor].flags & F_PUTBACK))
		l->cursor = l->pages[l->cursor].next;
	return l->cursor;
}

void lru_set_adaptive(struct lru *l, bool on)
{
	l->fixed = !on;
	if (!on && l->early_k)
		end_early(l);
}
