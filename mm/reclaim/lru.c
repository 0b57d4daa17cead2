/* SPDX-License-Identifier: MIT */
/*
 * Per-VM generational LRU for host reclaim; see lru.h for the model. Lists
 * are doubly linked through slot numbers so that moving a page between
 * generations, removing it and picking it are O(1); gfn lookup is a chained
 * hash whose bucket heads live in the same slot array.
 */
#include "mm/reclaim/lru.h"

#define HASH_MUL 0x9e3779b97f4a7c15ull /* 2^64 / golden ratio */

static u32 bucket_of(const struct lru *l, u64 gfn)
{
	u64 h = (gfn * HASH_MUL) >> 32;

	return (u32)((h * l->capacity) >> 32); /* range reduction, no division */
}

static u32 gen_list(u64 seq)
{
	return (u32)(seq % LRU_NR_GENS);
}

static u32 nr_gens(const struct lru *l)
{
	return (u32)(l->max_seq - l->min_seq + 1);
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

	if (p->prev != LRU_NIL)
		l->pages[p->prev].next = p->next;
	else
		ls->head = p->next;
	if (p->next != LRU_NIL)
		l->pages[p->next].prev = p->prev;
	else
		ls->tail = p->prev;
	ls->count--;
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

/* Slot of gfn or LRU_NIL; *pprev gets the previous slot in its hash chain. */
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

/* Forget slot: out of its list, out of the hash, back on the free list. */
static void release(struct lru *l, u32 slot, u32 hprev)
{
	struct lru_page *p = &l->pages[slot];

	list_unlink(l, slot);
	if (hprev != LRU_NIL)
		l->pages[hprev].hnext = p->hnext;
	else
		l->pages[bucket_of(l, p->gfn)].bucket = p->hnext;
	p->in_use = 0;
	p->next = l->free_head;
	l->free_head = slot;
}

int lru_init(struct lru *l, struct lru_page *storage, u32 capacity)
{
	if (!l || !storage || !capacity || capacity > LRU_MAX_CAPACITY)
		return -E_INVAL;
	*l = (struct lru){.pages = storage, .capacity = capacity};
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

static int track(struct lru *l, u64 gfn, u64 seq)
{
	u32 slot, b;

	if (find(l, gfn, NULL) != LRU_NIL)
		return -E_EXIST;
	slot = l->free_head;
	if (slot == LRU_NIL)
		return -E_NOMEM;
	l->free_head = l->pages[slot].next;
	b = bucket_of(l, gfn);
	l->pages[slot].gfn = gfn;
	l->pages[slot].in_use = 1;
	l->pages[slot].hnext = l->pages[b].bucket;
	l->pages[b].bucket = slot;
	list_push_head(l, gen_list(seq), slot);
	return 0;
}

int lru_add(struct lru *l, u64 gfn)
{
	return track(l, gfn, l->max_seq);
}

int lru_putback(struct lru *l, u64 gfn)
{
	return track(l, gfn, l->min_seq);
}

int lru_remove(struct lru *l, u64 gfn)
{
	u32 hprev, slot = find(l, gfn, &hprev);

	if (slot == LRU_NIL)
		return -E_NOENT;
	release(l, slot, hprev);
	return 0;
}

bool lru_contains(const struct lru *l, u64 gfn)
{
	return find(l, gfn, NULL) != LRU_NIL;
}

int lru_pin(struct lru *l, u64 gfn)
{
	u32 slot = find(l, gfn, NULL);

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
	u32 slot = find(l, gfn, NULL);

	if (slot == LRU_NIL)
		return -E_NOENT;
	if (l->pages[slot].list == LRU_LIST_PINNED) {
		list_unlink(l, slot);
		list_push_head(l, gen_list(l->max_seq), slot);
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
	u32 young = 0, youngest;

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
			l->born[to] = l->born[from] +
				      (l->born[to] - l->born[from]) * ct / (cf + ct);
		list_splice_tail(l, from, to);
		l->min_seq++;
		l->rotations++;
	}
	l->max_seq++;
	youngest = gen_list(l->max_seq);
	l->born[youngest] = l->now;
	for (u64 seq = l->min_seq; seq < l->max_seq; seq++) {
		u32 s = l->lists[gen_list(seq)].tail;

		while (s != LRU_NIL) {
			u32 prev = l->pages[s].prev;

			l->scanned++;
			if (test_and_clear_young(l->pages[s].gfn, ctx)) {
				list_unlink(l, s);
				list_push_head(l, youngest, s);
				young++;
			} else {
				l->old++;
			}
			s = prev;
		}
	}
	l->young += young;
	l->age_passes++;
	return young;
}

u32 lru_pick_victims(struct lru *l, u64 *out, u32 max)
{
	u32 n = 0;

	while (n < max) {
		struct lru_list *oldest;
		u32 slot, hprev;

		trim_oldest(l);
		if (l->min_seq == l->max_seq)
			break; /* only the youngest is left: it needs aging first */
		oldest = &l->lists[gen_list(l->min_seq)];
		slot = oldest->tail;
		out[n++] = l->pages[slot].gfn;
		find(l, l->pages[slot].gfn, &hprev);
		release(l, slot, hprev);
	}
	l->picked += n;
	return n;
}

static u32 tracked(const struct lru *l)
{
	u32 n = l->lists[LRU_LIST_PINNED].count;

	for (u32 i = 0; i < LRU_NR_GENS; i++)
		n += l->lists[i].count;
	return n;
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
	};
	for (u32 a = 0; a < out->nr_gens; a++)
		out->gen_pages[a] = l->lists[gen_list(l->max_seq - a)].count;
}

/* floor(a * b / c) for b <= c, without a 128-by-64 division (no libgcc). */
static u64 muldiv(u64 a, u64 b, u64 c)
{
	unsigned __int128 p = (unsigned __int128)a * b, rem = 0;
	u64 q = 0;

	for (int i = 127; i >= 0; i--) {
		rem = (rem << 1) | ((p >> i) & 1);
		q <<= 1; /* the quotient fits in 64 bits because b <= c */
		if (rem >= c) {
			rem -= c;
			q |= 1;
		}
	}
	return q;
}

static u64 vm_cap(const struct lru *const *vms, u32 i)
{
	return vms[i] ? lru_evictable(vms[i]) : 0;
}

static u64 vm_weight(const struct lru *const *vms, u32 i)
{
	return vms[i] ? lru_idle_weight(vms[i]) : 0;
}

void lru_share_reclaim(const struct lru *const *vms, u32 n, u64 target, u64 *per_vm_out)
{
	u64 total = 0, remaining;

	for (u32 i = 0; i < n; i++) {
		per_vm_out[i] = 0;
		total += vm_cap(vms, i);
	}
	remaining = MIN(target, total);

	/* Water-filling: VMs whose proportional share exceeds what they can
	 * give are saturated and taken out, then the rest is shared again. */
	while (remaining) {
		u64 w_sum = 0, given = 0;
		bool saturated = false;

		for (u32 i = 0; i < n; i++)
			if (per_vm_out[i] < vm_cap(vms, i))
				w_sum += vm_weight(vms, i);
		if (!w_sum)
			break; /* cannot happen: an evictable page weighs >= 1 */
		for (u32 i = 0; i < n; i++) {
			u64 cap = vm_cap(vms, i);

			if (per_vm_out[i] < cap &&
			    muldiv(remaining, vm_weight(vms, i), w_sum) >= cap - per_vm_out[i]) {
				given += cap - per_vm_out[i];
				per_vm_out[i] = cap;
				saturated = true;
			}
		}
		if (saturated) {
			remaining -= given;
			continue;
		}
		for (u32 i = 0; i < n; i++) {
			if (per_vm_out[i] < vm_cap(vms, i)) {
				u64 s = muldiv(remaining, vm_weight(vms, i), w_sum);

				per_vm_out[i] += s;
				given += s;
			}
		}
		remaining -= given;
		/* Rounding left fewer pages than VMs: one more each to the
		 * heaviest, in (weight desc, index asc) order. Every VM still
		 * has room, as its share was strictly below its cap. */
		u64 prev_w = ~0ull;
		u32 prev_i = 0;
		bool first = true;
		while (remaining) {
			u32 best = LRU_NIL;
			u64 best_w = 0;

			for (u32 i = 0; i < n; i++) {
				u64 w = vm_weight(vms, i);
				bool after_prev =
					first || w < prev_w || (w == prev_w && i > prev_i);

				if (!w || !after_prev || per_vm_out[i] >= vm_cap(vms, i))
					continue;
				if (best == LRU_NIL || w > best_w) {
					best = i;
					best_w = w;
				}
			}
			if (best == LRU_NIL)
				break;
			per_vm_out[best]++;
			remaining--;
			prev_w = best_w;
			prev_i = best;
			first = false;
		}
		break;
	}
}
