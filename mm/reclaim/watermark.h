/* SPDX-License-Identifier: MIT */
/*
 * Host memory watermarks: thresholds on the page allocator's free page count
 * that decide when guest memory is reclaimed and when it may not grow.
 *
 *   free >= low         nothing to do
 *   min <= free < low   background reclaim: the reclaim tick takes cold pages
 *                       from reclaimable VMs until free reaches high
 *   free < min          guest memory may not be allocated: the faulting vCPU
 *                       reclaims directly first, and its VM stops if that
 *                       cannot bring free back above min
 *
 * min is the host-wide reserve (reserve=): memory only Tern itself may take
 * (second-level tables, the compressed store, devices), so reclaim always
 * has room to work in. Pure arithmetic, host-testable.
 */
#ifndef TERN_MM_RECLAIM_WATERMARK_H
#define TERN_MM_RECLAIM_WATERMARK_H

#include "lib/types.h"

#define WMARK_RESERVE_MIN_PAGES 512ull	 /* 2 MiB */
#define WMARK_RESERVE_MAX_PAGES 16384ull /* 64 MiB */
#define WMARK_RESERVE_DIVISOR	32ull	 /* automatic reserve: 1/32 of RAM */
#define WMARK_GAP_MIN_PAGES	256ull	 /* low - min and high - low: 1 MiB at least */
#define WMARK_GAP_DIVISOR	4ull	 /* ... or a quarter of the reserve */

struct watermarks {
	u64 min, low, high; /* free pages */
};

enum wmark_level {
	WMARK_OK,  /* at or above low */
	WMARK_LOW, /* below low: reclaim in the background */
	WMARK_MIN, /* below min: guest memory must not grow */
};

/*
 * Set the marks for 'managed' pages under the allocator. reserve_pages is
 * min (0: automatic, 1/32 of managed clamped to [2 MiB, 64 MiB]). The marks
 * never exceed half of managed. -E_INVAL when managed is 0.
 */
int watermarks_init(struct watermarks *w, u64 managed, u64 reserve_pages);
enum wmark_level watermark_level(const struct watermarks *w, u64 free);
/* Pages background reclaim should free now: high - free below low, else 0. */
u64 watermark_reclaim_target(const struct watermarks *w, u64 free);
/* May guest memory take 'pages' more without going below min? */
bool watermark_guest_may_alloc(const struct watermarks *w, u64 free, u64 pages);

#endif
