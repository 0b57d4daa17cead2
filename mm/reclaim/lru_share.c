/* SPDX-License-Identifier: MIT */
/* Host-wide split of a reclaim target over VMs' LRUs (lru_share_reclaim, lru.h). */
#include "mm/reclaim/lru_priv.h"

/* floor(a * b / c) for b <= c, without a 128-by-64 division (no libgcc). */
u64 lru_muldiv(u64 a, u64 b, u64 c)
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

void lru_share_input(const struct lru *l, struct lru_share *out)
{
	out->weight = lru_idle_weight(l);
	out->cap = lru_evictable(l);
}

void lru_share_reclaim(const struct lru_share *vms, u32 n, u64 target, u64 *per_vm_out)
{
	u64 total = 0, remaining;

	for (u32 i = 0; i < n; i++) {
		per_vm_out[i] = 0;
		total += vms[i].cap;
	}
	remaining = MIN(target, total);

	/* Water-filling: VMs whose proportional share exceeds what they can
	 * give are saturated and taken out, then the rest is shared again. */
	while (remaining) {
		u64 w_sum = 0, given = 0;
		bool saturated = false;

		for (u32 i = 0; i < n; i++)
			if (per_vm_out[i] < vms[i].cap)
				w_sum += vms[i].weight;
		if (!w_sum)
			break; /* cannot happen: an evictable page weighs >= 1 */
		for (u32 i = 0; i < n; i++) {
			u64 cap = vms[i].cap;

			if (per_vm_out[i] < cap &&
			    lru_muldiv(remaining, vms[i].weight, w_sum) >= cap - per_vm_out[i]) {
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
			if (per_vm_out[i] < vms[i].cap) {
				u64 s = lru_muldiv(remaining, vms[i].weight, w_sum);

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
				u64 w = vms[i].weight;
				bool after_prev =
					first || w < prev_w || (w == prev_w && i > prev_i);

				if (!w || !after_prev || per_vm_out[i] >= vms[i].cap)
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
