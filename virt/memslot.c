/* SPDX-License-Identifier: MIT */
/*
 * The memory-slot table: a sorted array of disjoint guest-physical ranges,
 * looked up by binary search. Backing pages are managed by virt/vm_mem.c.
 */
#include "virt/memslot.h"

#include "lib/string.h"

const struct memslot *memslot_find(const struct memslots *s, u64 gfn)
{
	u32 lo = 0, hi = s->count;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		const struct memslot *m = &s->slots[mid];

		if (gfn < m->base_gfn)
			hi = mid;
		else if (gfn >= m->base_gfn + m->npages)
			lo = mid + 1;
		else
			return m;
	}
	return NULL;
}

int memslot_insert(struct memslots *s, u64 base_gfn, u64 npages, u32 id, u32 flags)
{
	u32 pos = 0;

	if (!npages || base_gfn + npages < base_gfn)
		return -E_INVAL;
	if (s->count == MEMSLOTS_MAX)
		return -E_NOMEM;
	for (u32 i = 0; i < s->count; i++) {
		const struct memslot *m = &s->slots[i];

		if (m->id == id)
			return -E_EXIST;
		if (base_gfn < m->base_gfn + m->npages && m->base_gfn < base_gfn + npages)
			return -E_OVERLAP;
		if (m->base_gfn < base_gfn)
			pos = i + 1;
	}
	memmove(&s->slots[pos + 1], &s->slots[pos], (s->count - pos) * sizeof(s->slots[0]));
	s->slots[pos] = (struct memslot){
		.base_gfn = base_gfn, .npages = npages, .id = id, .flags = flags,
	};
	s->count++;
	s->generation++;
	return 0;
}

int memslot_remove(struct memslots *s, u32 id)
{
	for (u32 i = 0; i < s->count; i++) {
		if (s->slots[i].id != id)
			continue;
		memmove(&s->slots[i], &s->slots[i + 1], (s->count - i - 1) * sizeof(s->slots[0]));
		s->count--;
		s->generation++;
		return 0;
	}
	return -E_NOENT;
}

struct memslot *memslot_by_id(struct memslots *s, u32 id)
{
	for (u32 i = 0; i < s->count; i++)
		if (s->slots[i].id == id)
			return &s->slots[i];
	return NULL;
}

int memslot_change(struct memslots *s, u32 id, u64 base_gfn, u64 npages)
{
	struct memslot m, *old = memslot_by_id(s, id);
	int err;

	if (!old)
		return -E_NOENT;
	if (!npages || base_gfn + npages < base_gfn)
		return -E_INVAL;
	m = *old;
	memslot_remove(s, id);
	err = memslot_insert(s, base_gfn, npages, id, m.flags);
	if (err) {
		/* Put it back where it was: that range is free again. */
		memslot_insert(s, m.base_gfn, m.npages, id, m.flags);
		old = memslot_by_id(s, id);
		old->backing = m.backing;
		old->backing_entries = m.backing_entries;
		return err;
	}
	old = memslot_by_id(s, id);
	old->backing = m.backing;
	old->backing_entries = m.backing_entries;
	return 0;
}

void memslot_update_begin(struct memslots *s)
{
	__atomic_store_n(&s->generation, s->generation | MEMSLOT_GEN_UPDATE_IN_PROGRESS,
			 __ATOMIC_SEQ_CST);
}

void memslot_update_end(struct memslots *s)
{
	/* insert/remove counted the change itself; a failed change counts one. */
	u64 gen = (s->generation & ~MEMSLOT_GEN_UPDATE_IN_PROGRESS) + 1;

	__atomic_store_n(&s->generation, gen & ~MEMSLOT_GEN_UPDATE_IN_PROGRESS, __ATOMIC_SEQ_CST);
}
