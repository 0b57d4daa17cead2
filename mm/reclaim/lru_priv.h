/* SPDX-License-Identifier: MIT */
/*
 * Internals of the per-VM LRU shared by lru.c (lists, hash, generations),
 * lru_early.c (adaptive early eviction) and lru_share.c (host-wide split).
 * Users include lru.h only.
 */
#ifndef TERN_MM_RECLAIM_LRU_PRIV_H
#define TERN_MM_RECLAIM_LRU_PRIV_H

#include "mm/reclaim/lru.h"

enum { SLOT_FREE, SLOT_TRACKED, SLOT_SHADOW };

#define F_PUTBACK 1u /* tracked: came back through lru_putback() */
#define F_EARLY	  2u /* shadow: picked at the early point */

static inline u32 gen_list(u64 seq)
{
	return (u32)(seq % LRU_NR_GENS);
}

static inline u32 nr_gens(const struct lru *l)
{
	return (u32)(l->max_seq - l->min_seq + 1);
}

/* Aging passes since the page was last found young (32-bit stamps). */
static inline u32 age_of(const struct lru *l, const struct lru_page *p)
{
	return (u32)l->max_seq - p->stamp;
}

/* Half-octave bins: 0, 1, 2, 3, 4-5, 6-7, 8-11, 12-15, 16-23, 24-31, ... */
static inline u32 age_bin(u32 age)
{
	u32 j;

	if (age < 4)
		return age;
	j = 31 - (u32)__builtin_clz(age);
	return MIN(2 * j + ((age >> (j - 1)) & 1), LRU_AGE_BINS - 1);
}

/* Smallest age in bin b. */
static inline u32 bin_lo(u32 b)
{
	return b < 4 ? b : (2u + (b & 1)) << (b / 2 - 1);
}

static inline u32 bin_width(u32 b)
{
	return b < 4 ? 1 : 1u << (b / 2 - 1);
}

/* Pages in the generations (resident, not pinned). */
static inline u32 resident(const struct lru *l)
{
	u32 n = 0;

	for (u32 i = 0; i < LRU_NR_GENS; i++)
		n += l->lists[i].count;
	return n;
}

/* floor(a * b / c) for b <= c, without a 128-by-64 division (no libgcc). */
u64 lru_muldiv(u64 a, u64 b, u64 c);
/*
 * A page reused after 'age' passes idle: found young (refault false), or a
 * refault of a shadow with these flags (lru_early.c).
 */
void lru_note_reuse(struct lru *l, u32 age, bool refault, u8 flags);
/*
 * The end of an aging pass: tau, the early-mode decision, the early cursor.
 * pop[]: resident pages per age bin; early_clock: the clock LRU_EARLY_MIN
 * passes ago.
 */
void lru_early_after_age(struct lru *l, u32 *pop, u32 early_clock);
/* Early mode: the slot to take from the oldest generation, or LRU_NIL. */
u32 lru_early_victim(struct lru *l);

#endif
