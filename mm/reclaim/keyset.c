/* SPDX-License-Identifier: MIT */
/* Fixed-capacity u64 key set (keyset.h). */
#include "mm/reclaim/keyset.h"

#define HASH_MUL 0x9e3779b97f4a7c15ull /* 2^64 / golden ratio */

static u32 home(const struct keyset *s, u64 key)
{
	return (u32)((key * HASH_MUL) >> 32) & s->mask;
}

int keyset_init(struct keyset *s, u64 *slots, u32 capacity)
{
	if (!slots || capacity < 4 || (capacity & (capacity - 1)))
		return -E_INVAL;
	s->slots = slots;
	s->mask = capacity - 1;
	s->count = 0;
	s->limit = capacity / 4 * 3;
	for (u32 i = 0; i < capacity; i++)
		slots[i] = KEYSET_EMPTY;
	return 0;
}

/* The slot holding key, or the empty slot ending its probe sequence. */
static u32 probe(const struct keyset *s, u64 key)
{
	u32 i = home(s, key);

	while (s->slots[i] != KEYSET_EMPTY && s->slots[i] != key)
		i = (i + 1) & s->mask;
	return i;
}

int keyset_add(struct keyset *s, u64 key)
{
	u32 i;

	if (key == KEYSET_EMPTY)
		return -E_INVAL;
	i = probe(s, key);
	if (s->slots[i] == key)
		return -E_EXIST;
	if (s->count >= s->limit)
		return -E_NOMEM;
	s->slots[i] = key;
	s->count++;
	return 0;
}

bool keyset_contains(const struct keyset *s, u64 key)
{
	return key != KEYSET_EMPTY && s->slots[probe(s, key)] == key;
}

bool keyset_remove(struct keyset *s, u64 key)
{
	u32 hole, i;

	if (key == KEYSET_EMPTY)
		return false;
	hole = probe(s, key);
	if (s->slots[hole] != key)
		return false;
	/* Backward shift: move later entries of the cluster into the hole when
	 * their home position does not lie cyclically in (hole, i]. */
	for (i = (hole + 1) & s->mask; s->slots[i] != KEYSET_EMPTY; i = (i + 1) & s->mask) {
		u32 h = home(s, s->slots[i]);

		if (((i - h) & s->mask) >= ((i - hole) & s->mask)) {
			s->slots[hole] = s->slots[i];
			hole = i;
		}
	}
	s->slots[hole] = KEYSET_EMPTY;
	s->count--;
	return true;
}
