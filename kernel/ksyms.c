/* SPDX-License-Identifier: MIT */
/*
 * Symbol lookup for backtraces. tools/gen-ksyms writes the .ksyms section
 * after the first link: a count, the sorted function addresses, offsets into
 * a name blob, and the blob.
 */
#include "kernel/panic.h"

struct ksyms_header {
	u64 count;
	u64 addrs[]; /* followed by u32 name offsets, then the names */
};

extern const struct ksyms_header ksyms_table;

const char *ksym_lookup(u64 addr, u64 *offset)
{
	const struct ksyms_header *h = &ksyms_table;
	const u32 *name_off = (const u32 *)&h->addrs[h->count];
	const char *names = (const char *)&name_off[h->count];
	u64 lo = 0, hi = h->count;

	if (!h->count || addr < h->addrs[0])
		return NULL;
	while (hi - lo > 1) { /* last address <= addr */
		u64 mid = lo + (hi - lo) / 2;

		if (h->addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (offset)
		*offset = addr - h->addrs[lo];
	return names + name_off[lo];
}
