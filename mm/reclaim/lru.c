/* SPDX-License-Identifier: MIT */
/*
 * Per-VM generational LRU for host reclaim; see lru.h for the model and the
 * adaptive early eviction. Lists are doubly linked through slot numbers so
 * that moving a page between generations, removing it and picking it are
 * O(1); gfn lookup is a chained hash whose bucket heads live in the same slot
 * array. Picked pages stay in the hash as shadows, on their own list (oldest
 * recycled first), until their slot is needed.
 */
#include "mm/reclaim/lru_priv.h"

#define HASH_MUL 0x9e3779b97f4a7c15ull /* 2^64 / golden ratio */

static u32 bucket_of(const struct lru *l, u64 gfn)
{
	u64 h = (gfn * HASH_MUL) >> 32;

	return (u32)((h * l->capacity) >> 32); /* range reduction, no division */
}

static void list_push_head(struct lru *l, u32 list, u32 slot)
{
	struct lru_list *ls = &l->lists[list];
	struct lru_page *p = &l->pages[slot];

	p->list = (u8)list;
	p->prev = LRU_NIL;
	p->next = ls->head;
	if (ls->head != LRU_NIL)
		l->pages[ls->head].prev = slot;
	else
		ls->tail = slot;
	ls->head = slot;
	ls->count++;
}

static void list_unlink(struct lru *l, u32 slot)
{
	struct lru_page *p = &l->pages[slot];
	struct lru_list *ls = &l->lists[p->list];

	if (slot == l->cursor)
		l->cursor = p->next; /* the next most recently young candidate */
	if (p->prev != LRU_NIL)
		l->pages[p->prev].next = p->next;
	else
		ls->head = p->next;
	if (p->next != LRU_NIL)
		l->pages[p->next].prev = p->prev;
	else
		ls->tail = p->prev;
	ls->count--;
	if (p->list == LRU_LIST_SHADOW && (p->flags & F_EARLY))
		l->early_shadows--;
}

/* Append all of list 'from' behind the tail of 'to' (they are older). */
static void list_splice_tail(struct lru *l, u32 from, u32 to)
{
	struct lru_list *src = &l->lists[from], *dst = &l->lists[to];

	if (!src->count)
		return;
	for (u32 s = src->head; s != LRU_NIL; s = l->pages[s].next)
		l->pages[s].list = (u8)to;
	if (dst->tail != LRU_NIL) {
		l->pages[dst->tail].next = src->head;
		l->pages[src->head].prev = dst->tail;
	} else {
		dst->head = src->head;
	}
	dst->tail = src->tail;
	dst->count += src->count;
	src->head = src->tail = LRU_NIL;
	src->count = 0;
}

/* Slot of gfn, tracked or shadow, or LRU_NIL; *pprev gets the previous slot
 * in its hash chain. */
static u32 find(const struct lru *l, u64 gfn, u32 *pprev)
{
	u32 prev = LRU_NIL;

	if (pprev)
		*pprev = LRU_NIL;
	for (u32 s = l->pages[bucket_of(l, gfn)].bucket; s != LRU_NIL; s = l->pages[s].hnext) {
		if (l->pages[s].gfn == gfn) {
			if (pprev)
				*pprev = prev;
			return s;
		}
		prev = s;
	}
	return LRU_NIL;
}

static u32 find_tracked(const struct lru *l, u64 gfn)
{
	u32 s = find(l, gfn, NULL);

	return s != LRU_NIL && l->pages[s].state == SLOT_TRACKED ? s : LRU_NIL;
}

/* Forget slot: out of its list, out of the hash, back on the free list. */
static void release(struct lru *l, u32 slot, u32 hprev)
{
	struct lru_page *p = &l->pages[slot];

	list_unlink(l, slot);
	if (hprev != LRU_NIL)
		l->pages[hprev].hnext = p->hnext;
	else
		l->pages[bucket_of(l, p->gfn)].bucket = p->hnext;
	p->state = SLOT_FREE;
	p->flags = 0;
	p->next = l->free_head;
	l->free_head = slot;
}

int lru_init(struct lru *l, struct lru_page *storage, u32 capacity)
{
	if (!l || !storage || !capacity || capacity > LRU_MAX_CAPACITY)
		return -E_INVAL;
	*l = (struct lru){.pages = storage, .capacity = capacity, .cursor = LRU_NIL};
	for (u32 i = 0; i < capacity; i++) {
		storage[i] = (struct lru_page){
			.prev = LRU_NIL,
			.next = i + 1 < capacity ? i + 1 : LRU_NIL,
			.hnext = LRU_NIL,
			.bucket = LRU_NIL,
		};
	}
	for (u32 i = 0; i < ARRAY_SIZE(l->lists); i++)
		l->lists[i] = (struct lru_list){.head = LRU_NIL, .tail = LRU_NIL};
	l->free_head = 0;
	return 0;
}

int lru_grow(struct lru *l, struct lru_page *storage, u32 capacity)
{
	u32 old = l->capacity;

	if (!storage || capacity <= old || capacity > LRU_MAX_CAPACITY)
		return -E_INVAL;
	/* Same slot numbers, so every list link stays valid; the hash is
	 * rebuilt (its buckets depend on the capacity); new slots are free. */
	for (u32 i = 0; i < capacity; i++) {
		storage[i] = i < old ? l->pages[i] : (struct lru_page){.prev = LRU_NIL};
		storage[i].bucket = LRU_NIL;
		storage[i].hnext = LRU_NIL;
	}
	for (u32 i = old; i < capacity; i++)
		storage[i].next = i + 1 < capacity ? i + 1 : l->free_head;
	l->free_head = old;
	l->pages = storage;
	l->capacity = capacity;
	for (u32 i = 0; i < old; i++) {
		struct lru_page *p = &storage[i];
		u32 b;

		if (p->state == SLOT_FREE)
			continue;
		b = bucket_of(l, p->gfn);
		p->hnext = storage[b].bucket;
		storage[b].bucket = i;
	}
	return 0;
}

/* A free slot, else the oldest shadow's (forgotten), else LRU_NIL. */
static u32 alloc_slot(struct lru *l)
{
	u32 slot = l->lists[LRU_LIST_SHADOW].tail, hprev;

	if (l->free_head == LRU_NIL && slot != LRU_NIL) {
		find(l, l->pages[slot].gfn, &hprev);
		release(l, slot, hprev);
	}
	slot = l->free_head;
	if (slot != LRU_NIL)
		l->free_head = l->pages[slot].next;
	return slot;
}

static int track(struct lru *l, u64 gfn, bool putback)
{
	u32 slot = find(l, gfn, NULL), b;
	struct lru_page *p;

	if (slot != LRU_NIL && l->pages[slot].state == SLOT_TRACKED)
		return -E_EXIST;
	if (slot != LRU_NIL) { /* a shadow: picked earlier */
		p = &l->pages[slot];
		if (!putback) {
			l->refaults++;
			lru_note_reuse(l, age_of(l, p), true, p->flags);
			p->stamp = (u32)l->max_seq;
		}
		list_unlink(l, slot); /* keeps its stamp when put back */
	} else {
		slot = alloc_slot(l);
		if (slot == LRU_NIL)
			return -E_NOMEM;
		b = bucket_of(l, gfn);
		p = &l->pages[slot];
		p->gfn = gfn;
		p->hnext = l->pages[b].bucket;
		l->pages[b].bucket = slot;
		p->stamp = (u32)(putback ? l->min_seq : l->max_seq);
	}
	p->state = SLOT_TRACKED;
	p->flags = putback ? F_PUTBACK : 0;
	list_push_head(l, gen_list(putback ? l->min_seq : l->max_seq), slot);
	return 0;
}

int lru_add(struct lru *l, u64 gfn)
{
	return track(l, gfn, false);
}

int lru_putback(struct lru *l, u64 gfn)
{
	return track(l, gfn, true);
}

int lru_remove(struct lru *l, u64 gfn)
{
	u32 hprev, slot = find(l, gfn, &hprev);
	bool tracked;

	if (slot == LRU_NIL)
		return -E_NOENT;
	tracked = l->pages[slot].state == SLOT_TRACKED;
	release(l, slot, hprev); /* a shadow is forgotten */
	return tracked ? 0 : -E_NOENT;
}

bool lru_contains(const struct lru *l, u64 gfn)
{
	return find_tracked(l, gfn) != LRU_NIL;
}

int lru_pin(struct lru *l, u64 gfn)
{
	u32 slot = find_tracked(l, gfn);

	if (slot == LRU_NIL)
		return -E_NOENT;
	if (l->pages[slot].list != LRU_LIST_PINNED) {
		list_unlink(l, slot);
		list_push_head(l, LRU_LIST_PINNED, slot);
	}
	return 0;
}

int lru_unpin(struct lru *l, u64 gfn)
{
	u32 slot = find_tracked(l, gfn);

	if (slot == LRU_NIL)
		return -E_NOENT;
	if (l->pages[slot].list == LRU_LIST_PINNED) {
		list_unlink(l, slot);
		list_push_head(l, gen_list(l->max_seq), slot);
		l->pages[slot].stamp = (u32)l->max_seq;
		l->pages[slot].flags = 0;
	}
	return 0;
}

/* Drop empty generations at the old end (never the last one left). */
static void trim_oldest(struct lru *l)
{
	while (l->min_seq < l->max_seq && !l->lists[gen_list(l->min_seq)].count) {
		l->min_seq++;
		l->rotations++;
	}
}

void lru_set_clock(struct lru *l, u64 now)
{
	l->clocked = true;
	if (now > l->now)
		l->now = now;
}

u32 lru_age(struct lru *l, lru_young_fn test_and_clear_young, void *ctx)
{
	u32 young = 0, youngest, pop[LRU_AGE_BINS] = {0}, early_clock;

	if (!l->clocked)
		l->now++; /* no clock: idle times count aging passes */
	trim_oldest(l);
	if (nr_gens(l) == LRU_NR_GENS) {
		/* No room for a new generation: the two oldest become one,
		 * born at the mean of their births weighted by their pages (a
		 * few late arrivals must not make a long-idle mass look new). */
		u32 from = gen_list(l->min_seq), to = gen_list(l->min_seq + 1);
		u64 cf = l->lists[from].count, ct = l->lists[to].count;

		if (cf + ct)
			l->born[to] =
				l->born[from] + (l->born[to] - l->born[from]) * ct / (cf + ct);
		list_splice_tail(l, from, to);
		l->min_seq++;
		l->rotations++;
	}
	l->max_seq++;
	youngest = gen_list(l->max_seq);
	l->born[youngest] = l->now;
	/* The clock LRU_EARLY_MIN passes ago: the early point's idle time. */
	early_clock = l->pass_clock[l->max_seq % LRU_EARLY_MIN];
	l->pass_clock[l->max_seq % LRU_EARLY_MIN] = (u32)l->now;
	for (u64 seq = l->min_seq; seq < l->max_seq; seq++) {
		u32 s = l->lists[gen_list(seq)].tail;

		while (s != LRU_NIL) {
			struct lru_page *p = &l->pages[s];
			u32 prev = p->prev;

			l->scanned++;
			if (test_and_clear_young(p->gfn, ctx)) {
				/* idle at the passes since its stamp but this one */
				lru_note_reuse(l, age_of(l, p) - 1, false, 0);
				list_unlink(l, s);
				list_push_head(l, youngest, s);
				p->stamp = (u32)l->max_seq;
				p->flags = 0;
				young++;
			} else {
				l->old++;
			}
			pop[age_bin(age_of(l, p))]++;
			s = prev;
		}
	}
	l->young += young;
	l->age_passes++;
	lru_early_after_age(l, pop, early_clock);
	return young;
}

u32 lru_pick_victims(struct lru *l, u64 *out, u32 max)
{
	u32 n = 0;

	while (n < max) {
		struct lru_page *p;
		u32 slot;
		bool early;

		trim_oldest(l);
		if (l->min_seq == l->max_seq)
			break; /* only the youngest is left: it needs aging first */
		slot = lru_early_victim(l);
		early = slot != LRU_NIL;
		if (!early)
			slot = l->lists[gen_list(l->min_seq)].tail;
		p = &l->pages[slot];
		out[n++] = p->gfn;
		/* No longer tracked; its slot stays in the hash as a shadow. */
		list_unlink(l, slot);
		p->state = SLOT_SHADOW;
		p->flags = early ? F_EARLY : 0;
		list_push_head(l, LRU_LIST_SHADOW, slot);
		if (early) {
			l->early_shadows++;
			l->early_picks++;
			l->epicks++;
		}
	}
	l->picked += n;
	return n;
}

static u32 tracked(const struct lru *l)
{
	return resident(l) + l->lists[LRU_LIST_PINNED].count;
}

u32 lru_evictable(const struct lru *l)
{
	return tracked(l) - l->lists[LRU_LIST_PINNED].count - l->lists[gen_list(l->max_seq)].count;
}

u64 lru_idle_weight(const struct lru *l)
{
	u64 w = 0;

	for (u64 seq = l->min_seq; seq < l->max_seq; seq++) {
		u64 idle = MIN(l->now - l->born[gen_list(seq)], (u64)LRU_IDLE_MAX - 1) + 1;

		w += (u64)l->lists[gen_list(seq)].count * idle * idle;
	}
	return w;
}

void lru_get_stats(const struct lru *l, struct lru_stats *out)
{
	*out = (struct lru_stats){
		.nr_gens = nr_gens(l),
		.pinned = l->lists[LRU_LIST_PINNED].count,
		.pages = tracked(l),
		.age_passes = l->age_passes,
		.scanned = l->scanned,
		.young = l->young,
		.old = l->old,
		.picked = l->picked,
		.rotations = l->rotations,
		.shadows = l->lists[LRU_LIST_SHADOW].count,
		.early_k = l->early_k,
		.tau = l->tau,
		.refaults = l->refaults,
		.early_picks = l->early_picks,
		.early_passes = l->early_passes,
		.switches = l->switches,
	};
	for (u32 a = 0; a < out->nr_gens; a++)
		out->gen_pages[a] = l->lists[gen_list(l->max_seq - a)].count;
}
