/* SPDX-License-Identifier: MIT */
/* Host memory watermarks (watermark.h). */
#include "mm/reclaim/watermark.h"

int watermarks_init(struct watermarks *w, u64 managed, u64 reserve_pages)
{
	u64 cap, gap;

	if (!managed)
		return -E_INVAL;
	if (!reserve_pages)
		reserve_pages = MIN(MAX(managed / WMARK_RESERVE_DIVISOR, WMARK_RESERVE_MIN_PAGES),
				    WMARK_RESERVE_MAX_PAGES);
	cap = managed / 2;
	w->min = MIN(reserve_pages, cap);
	gap = MAX(w->min / WMARK_GAP_DIVISOR, WMARK_GAP_MIN_PAGES);
	w->low = MIN(w->min + gap, cap);
	w->high = MIN(w->low + gap, cap);
	return 0;
}

enum wmark_level watermark_level(const struct watermarks *w, u64 free)
{
	if (free < w->min)
		return WMARK_MIN;
	return free < w->low ? WMARK_LOW : WMARK_OK;
}

u64 watermark_reclaim_target(const struct watermarks *w, u64 free)
{
	return free < w->low ? w->high - free : 0;
}

bool watermark_guest_may_alloc(const struct watermarks *w, u64 free, u64 pages)
{
	return free >= pages && free - pages >= w->min;
}
