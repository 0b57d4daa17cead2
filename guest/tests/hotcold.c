/*
 * hotcold: does overcommit reclaim keep the hot pages (run with e.g.
 * mem=16M maxmem=2M)? Sizes follow the resident limit L that TERN_HC_STATS
 * reports (command line: cold=PAGES hot=PAGES per=N rounds=N override them).
 *
 *   phase 1  write a cold region of 3 L pages once: per 4 pages one all-zero
 *            and three compressible, page-unique patterns. Everything past L
 *            must be evicted (zero pages dropped, the others compressed).
 *   warm-up  write a hot set of L/4 pages (compressible, never all zero, so
 *            an evicted hot page comes back as a counted refault).
 *   phase 2  `rounds` rounds (2 L / per): every hot page is read and written
 *            (a stamp word bumped each round, another word checked), then
 *            `per` (4) cold pages are touched, walking the cold region from
 *            its start (pages evicted in phase 1). The working set, hot set
 *            plus the cold pages touched since the last aging pass, fits in L,
 *            and every cold touch adds a page, so reclaim runs on a steady
 *            trickle: about 2 L evictions, whose victims must be cold.
 *
 * TERN_HC_STATS before and after each phase: phase 2 refaults minus the
 * compressible cold touches (each can refault at most once) bounds the
 * refaults of the hot set (and of this code, stack and page tables); the
 * refault counter is also read around the hot touches of every round, which
 * counts the hot-set refaults directly. Both must be at most 1% of the
 * phase 2 evictions.
 *
 * Why an access-blind policy fails this: the hot set arrives (warm-up) after
 * the phase 1 pages, so FIFO / oldest-arrival-first keeps it only until the
 * fewer than L - L/4 older pages still resident are gone, about 0.75 L into
 * the 2 L cold touches. Then it evicts hot pages like any others: each comes
 * back as a refault in the next round and goes out again about L arrivals
 * later, so the whole hot set is refaulted about twice in phase 2, some 20%
 * of its evictions instead of at most 1%. (Measured with lru_age() treating
 * every page as old, mem=16M maxmem=2M: 275 hot-set refaults, 258 during
 * the hot touches, for 1320 evictions, a FAIL on both vendors; with the LRU
 * as it is: 2, none during the hot touches, for 1023 evictions.)
 * The generational LRU instead finds every hot page young at each aging
 * pass (touched every round, and passes come only from the faults of cold
 * touches, several rounds apart) and takes victims only from older
 * generations, where the phase 1 pages and the cold pages touched once sit.
 * The check that phase 2 evicted at least L pages makes sure the pressure
 * was there for such a policy to reach the hot set, and the one on the cold
 * refaults that the touched cold pages really were out (so subtracting the
 * cold touches leaves the hot-set refaults, not less).
 *
 * Last, every byte of every cold and hot page is checked (0 corrupted).
 */
#include "guest.h"
#include "tern_mmu.h"

const char guest_name[] = "hotcold";

#define KEY   0x9e3779b97f4a7c15ull
#define HKEY  0xc2b2ae3d27d4eb4full
#define PAGE  4096ull
#define WORDS (PAGE / 8)
#define SLACK 64 /* pages over the limit tolerated in the high-water mark */

static struct tern_vm_stats_mmu st[4]; /* before phase 1, after it, after warm-up, after phase 2 */

static void stats(struct tern_vm_stats_mmu *s)
{
	memset(s, 0, sizeof(*s));
	tern_hypercall(TERN_HC_STATS, (u64)s, sizeof(*s), 0, 0);
}

static u64 evictions(const struct tern_vm_stats_mmu *s)
{
	return s->oc_evict_zero + s->oc_evict_compressed;
}

/* Word j of cold page pn: kind pn % 4 is all zero (0) or compressible. */
static u64 cold_word(u64 pn, u64 j)
{
	switch (pn % 4) {
	case 0:
		return 0;
	case 1:
		return (pn * KEY) ^ (j / 64) ^ (1ull << 56); /* 8 words, 64 times each */
	case 2:
		return (pn * KEY) + (j & 15); /* 128-byte cycle */
	default:
		return (pn * KEY) ^ (j / 8) ^ (3ull << 56); /* 64 words, 8 times each */
	}
}

static bool cold_compressible(u64 pn)
{
	return pn % 4 != 0;
}

/* Word j of hot page pn after round r: 8 distinct words (never all zero),
 * word 0 carries the round stamp. */
static u64 hot_word(u64 pn, u64 j, u64 r)
{
	return ((pn * HKEY) ^ (j / 64) ^ (0x5aull << 56)) + (j == 0 ? r : 0);
}

static u64 shown; /* mismatches printed (word_mismatch prints the first 4) */

static void write_cold(u64 lo, u64 n)
{
	for (u64 p = lo; p < lo + n * PAGE; p += PAGE) {
		volatile u64 *w = (volatile u64 *)p;

		for (u64 j = 0; j < WORDS; j++)
			w[j] = cold_word(p / PAGE, j);
	}
}

static void write_hot(u64 lo, u64 n)
{
	for (u64 p = lo; p < lo + n * PAGE; p += PAGE) {
		volatile u64 *w = (volatile u64 *)p;

		for (u64 j = 0; j < WORDS; j++)
			w[j] = hot_word(p / PAGE, j, 0);
	}
}

/* Every byte of n pages from lo; hot pages are expected at round r. */
static u64 verify(u64 lo, u64 n, bool hot, u64 r)
{
	u64 bad = 0;

	for (u64 p = lo; p < lo + n * PAGE; p += PAGE) {
		volatile u64 *w = (volatile u64 *)p;

		for (u64 j = 0; j < WORDS; j++)
			bad += word_mismatch(
				p + j * 8, w[j],
				hot ? hot_word(p / PAGE, j, r) : cold_word(p / PAGE, j), &shown);
	}
	return bad;
}

struct phase2 {
	u64 bad;	   /* corrupted bytes seen by the touches */
	u64 cold_touches;  /* cold pages touched */
	u64 cold_compress; /* of those, compressible (each may refault once) */
	u64 hot_refaults;  /* refaults while the hot set was being touched */
	u64 cold_refaults; /* refaults while cold pages were being touched */
};

static struct tern_vm_stats_mmu now;

/* Refaults so far (0 without Tern). Reading the buffer back keeps its page
 * young: Tern's own write to it does not set the Accessed bit. */
static u64 refaults(bool tern)
{
	if (!tern)
		return 0;
	stats(&now);
	return *(volatile unsigned long long *)&now.oc_refaults;
}

static void phase2(u64 cold_lo, u64 cold_n, u64 hot_lo, u64 hot_n, u64 per, u64 rounds, bool tern,
		   struct phase2 *o)
{
	u64 cursor = 0, r0 = refaults(tern), r1;

	for (u64 r = 1; r <= rounds; r++) {
		/* Hot: check and bump the stamp, check one more word. */
		for (u64 i = 0; i < hot_n; i++) {
			u64 p = hot_lo + i * PAGE, pn = p / PAGE,
			    j = (r * 61 + i * 7) & (WORDS - 1);
			volatile u64 *w = (volatile u64 *)p;

			o->bad += word_mismatch(p, w[0], hot_word(pn, 0, r - 1), &shown);
			w[0] = hot_word(pn, 0, r);
			if (j)
				o->bad +=
					word_mismatch(p + j * 8, w[j], hot_word(pn, j, r), &shown);
		}
		r1 = refaults(tern);
		o->hot_refaults += r1 - r0;
		/* Cold: per pages, read a word and write it back unchanged. */
		for (u64 c = 0; c < per; c++, cursor++) {
			u64 p = cold_lo + (cursor % cold_n) * PAGE, pn = p / PAGE;
			u64 j = (cursor * 37) & (WORDS - 1);
			volatile u64 *w = (volatile u64 *)p;
			u64 got = w[j];

			o->bad += word_mismatch(p + j * 8, got, cold_word(pn, j), &shown);
			w[j] = got;
			o->cold_touches++;
			o->cold_compress += cold_compressible(pn);
		}
		r0 = refaults(tern);
		o->cold_refaults += r0 - r1;
	}
}

/* The checks on the four TERN_HC_STATS snapshots. */
static void report(u64 limit, u64 cold_n, u64 hot_n, u64 rounds, const struct phase2 *p2)
{
	const struct tern_vm_stats_mmu *a = &st[0], *b = &st[1], *c = &st[2], *d = &st[3];
	u64 ev1 = evictions(b) - evictions(a), ev2 = evictions(d) - evictions(c);
	u64 ref2 = d->oc_refaults - c->oc_refaults;
	u64 scans2 = d->oc_scans - c->oc_scans, young2 = d->oc_young - c->oc_young;
	/* Hot-set refaults, two ways: phase 2 refaults minus the cold touches
	 * that could refault, and those seen during the hot touches. */
	u64 hot_bound = ref2 > p2->cold_compress ? ref2 - p2->cold_compress : 0;
	u64 hot_worst = hot_bound > p2->hot_refaults ? hot_bound : p2->hot_refaults;

	printf("phase 1: %lu cold pages written, evicted zero %llu compressed %llu, "
	       "refaults %llu, resident %llu (max %llu) of limit %lu pages\n",
	       cold_n, b->oc_evict_zero - a->oc_evict_zero,
	       b->oc_evict_compressed - a->oc_evict_compressed, b->oc_refaults - a->oc_refaults,
	       b->oc_resident_pages, b->oc_resident_max, limit);
	printf("warm-up: %lu hot pages written, %lu evictions, resident %llu\n", hot_n,
	       evictions(c) - evictions(b), c->oc_resident_pages);
	printf("phase 2: %lu rounds, %lu cold touches (%lu compressible), evicted zero %llu "
	       "compressed %llu kept %llu, scans %lu, young %lu\n",
	       rounds, p2->cold_touches, p2->cold_compress, d->oc_evict_zero - c->oc_evict_zero,
	       d->oc_evict_compressed - c->oc_evict_compressed, d->oc_evict_kept - c->oc_evict_kept,
	       scans2, young2);
	printf("phase 2 refaults: %lu, %lu during the hot touches, %lu during the cold ones, "
	       "resident %llu\n",
	       ref2, p2->hot_refaults, p2->cold_refaults, d->oc_resident_pages);

	checkf(ev1 + limit >= cold_n && b->oc_evict_zero > a->oc_evict_zero &&
		       b->oc_evict_compressed > a->oc_evict_compressed,
	       "phase 1 evicted: %lu pages (zero and compressed) of %lu written over a "
	       "%lu-page limit",
	       ev1, cold_n, limit);
	checkf(b->oc_resident_pages <= limit && d->oc_resident_pages <= limit &&
		       d->oc_resident_max <= limit + SLACK,
	       "limit held: resident %llu after phase 1, %llu after phase 2, max %llu <= %lu + %u",
	       b->oc_resident_pages, d->oc_resident_pages, d->oc_resident_max, limit, SLACK);
	checkf(ev2 >= limit,
	       "phase 2 pressure: %lu evictions >= limit %lu (FIFO would reach the hot set)", ev2,
	       limit);
	checkf(p2->cold_refaults * 10 >= p2->cold_compress * 9,
	       "cold touches refaulted: %lu refaults for %lu compressible cold touches",
	       p2->cold_refaults, p2->cold_compress);
	checkf(scans2 > 0 && young2 >= scans2 * hot_n / 2,
	       "aging found the hot set young: %lu young in %lu passes (hot set %lu)", young2,
	       scans2, hot_n);
	checkf(hot_worst * 100 <= ev2,
	       "hot set kept: hot-set refaults %lu (%lu - %lu cold touches), %lu during hot "
	       "touches, <= 1%% of %lu evictions",
	       hot_bound, ref2, p2->cold_compress, p2->hot_refaults, ev2);
}

void guest_main(void)
{
	u64 lo = ((u64)__image_end + PAGE_2M - 1) & ~(PAGE_2M - 1), top = mem_region_end(lo);
	bool tern = tern_present();
	u64 limit = 1024; /* pages; bare QEMU has no limit to report */

	if (tern) {
		stats(&st[0]);
		if (!checkf(st[0].oc_limit_pages > 0, "the VM is overcommitted (limit %llu pages)",
			    st[0].oc_limit_pages))
			return;
		limit = st[0].oc_limit_pages;
	}
	u64 cold_n = cmdline_u64("cold", 3 * limit), hot_n = cmdline_u64("hot", limit / 4);
	u64 per = cmdline_u64("per", 4),
	    rounds = cmdline_u64("rounds", 2 * limit / (per ? per : 1));
	u64 hot_lo = lo + cold_n * PAGE;

	if (!checkf(per > 0 && hot_n > 0 && cold_n > limit && hot_lo + hot_n * PAGE <= top,
		    "layout: limit %lu, cold %lu pages at 0x%lx, hot %lu pages at 0x%lx, "
		    "%lu rounds x %lu cold touches",
		    limit, cold_n, lo, hot_n, hot_lo, rounds, per))
		return;

	struct phase2 p2 = {0};

	write_cold(lo, cold_n); /* phase 1 */
	if (tern)
		stats(&st[1]);
	write_hot(hot_lo, hot_n); /* warm-up */
	if (tern)
		stats(&st[2]);
	phase2(lo, cold_n, hot_lo, hot_n, per, rounds, tern, &p2);
	if (tern) {
		stats(&st[3]);
		report(limit, cold_n, hot_n, rounds, &p2);
	} else {
		skip("evictions, refaults and residency", "not under Tern");
	}

	u64 bad_cold = verify(lo, cold_n, false, 0), bad_hot = verify(hot_lo, hot_n, true, rounds);

	checkf(p2.bad + bad_cold + bad_hot == 0,
	       "corrupted bytes: %lu (phase 2 touches %lu, cold %lu pages %lu, hot %lu pages %lu)",
	       p2.bad + bad_cold + bad_hot, p2.bad, cold_n, bad_cold, hot_n, bad_hot);
}
