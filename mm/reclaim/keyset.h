/* SPDX-License-Identifier: MIT */
/*
 * A fixed-capacity set of u64 keys (open addressing, linear probing,
 * backward-shift deletion, so no tombstones build up). Reclaim uses it to
 * remember pages that failed to compress, so they are not zapped and tried
 * again on every pass. Storage is the caller's; nothing is allocated.
 * Not thread-safe. KEYSET_EMPTY can never be stored.
 */
#ifndef TERN_MM_RECLAIM_KEYSET_H
#define TERN_MM_RECLAIM_KEYSET_H

#include "lib/types.h"

#define KEYSET_EMPTY (~0ull)

struct keyset {
	u64 *slots;
	u32 mask; /* capacity - 1 (capacity a power of two) */
	u32 count;
	u32 limit; /* at most 3/4 full, so probes stay short */
};

/* capacity: a power of two >= 4; the slots are set to KEYSET_EMPTY. */
int keyset_init(struct keyset *s, u64 *slots, u32 capacity);
/* -E_EXIST if present, -E_NOMEM if full, -E_INVAL for KEYSET_EMPTY. */
int keyset_add(struct keyset *s, u64 key);
bool keyset_contains(const struct keyset *s, u64 key);
/* true if the key was there. */
bool keyset_remove(struct keyset *s, u64 key);

#endif
