/*
 * overcommit: memory overcommit (run with e.g. mem=64M maxmem=16M
 * maxleaf=4k). Writes page-unique patterns over a working set of `ws` MiB
 * (default 48 = 3x the 16 MiB resident limit): per 8 pages, two all-zero,
 * four compressible (a word per 512-byte block), one compressible with a
 * 128-byte cycle, one pseudo-random (incompressible). Reads everything back
 * twice, counting corrupted bytes (must be 0), and asserts through
 * TERN_HC_STATS that pages were evicted (zero-dropped and compressed) and
 * refaulted, and that residency stayed near the limit.
 */
#include "guest.h"
#include "tern_mmu.h"

const char guest_name[] = "overcommit";

#define KEY  0x9e3779b97f4a7c15ull
#define PAGE 4096ull

static struct tern_vm_stats_mmu st0, st1;

static void stats(struct tern_vm_stats_mmu *s)
{
	memset(s, 0, sizeof(*s));
	tern_hypercall(TERN_HC_STATS, (u64)s, sizeof(*s), 0, 0);
}

/* The expected word j (0..511) of the page at gpa. */
static u64 word(u64 gpa, u64 j, u64 *rng)
{
	u64 pn = gpa / PAGE, kind = pn % 8;

	switch (kind) {
	case 0:
	case 1:
		return 0;
	case 6:
		return (pn * KEY) + (j & 15);
	case 7:
		return xorshift64(rng);
	default:
		return (pn * KEY) ^ (j / 64) ^ (kind << 56);
	}
}

static u64 pass(u64 lo, u64 hi, bool write)
{
	u64 bad = 0, shown = 0;

	for (u64 p = lo; p < hi; p += PAGE) {
		u64 rng = (p / PAGE) * KEY | 1;
		volatile u64 *w = (volatile u64 *)p;

		for (u64 j = 0; j < PAGE / 8; j++) {
			u64 want = word(p, j, &rng);

			if (write)
				w[j] = want;
			else
				bad += word_mismatch(p + j * 8, w[j], want, &shown);
		}
	}
	return bad;
}

void guest_main(void)
{
	u64 lo = ((u64)__image_end + PAGE_2M - 1) & ~(PAGE_2M - 1), hi = mem_region_end(lo);
	u64 ws = cmdline_u64("ws", 48);

	if (hi > lo + (ws << 20))
		hi = lo + (ws << 20);
	if (!checkf(hi - lo >= (8ull << 20), "working set 0x%lx-0x%lx (%lu KiB)", lo, hi,
		    (hi - lo) >> 10))
		return;
	bool tern = tern_present();
	if (tern)
		stats(&st0);
	pass(lo, hi, true);
	u64 bad1 = pass(lo, hi, false);
	u64 bad2 = pass(lo, hi, false);
	checkf(bad1 == 0 && bad2 == 0, "all data reads back: %lu + %lu corrupted bytes", bad1,
	       bad2);
	if (!tern) {
		skip("evictions and refaults", "not under Tern");
		return;
	}
	stats(&st1);
	printf("limit %llu KiB, resident %llu KiB (max %llu KiB), scans %llu, young/old %llu/%llu, "
	       "%llu ns/page aged\n",
	       st1.oc_limit_pages * 4, st1.oc_resident_pages * 4, st1.oc_resident_max * 4,
	       st1.oc_scans, st1.oc_young, st1.oc_old, st1.oc_age_ns_per_page);
	printf("evicted: zero %llu, compressed %llu, kept %llu; refaults %llu; stored %llu pages "
	       "in %llu bytes, ratio %llu.%02llu\n",
	       st1.oc_evict_zero, st1.oc_evict_compressed, st1.oc_evict_kept, st1.oc_refaults,
	       st1.oc_stored_pages, st1.oc_stored_bytes, st1.oc_ratio_x100 / 100,
	       st1.oc_ratio_x100 % 100);
	if (!checkf(st1.oc_limit_pages > 0, "the VM is overcommitted (limit %llu pages)",
		    st1.oc_limit_pages))
		return;
	checkf((hi - lo) / PAGE > 2 * st1.oc_limit_pages, "working set is over twice the limit");
	checkf(st1.oc_evict_zero > 0, "all-zero pages were dropped (%llu)", st1.oc_evict_zero);
	checkf(st1.oc_evict_compressed > 0, "pages were compressed (%llu)",
	       st1.oc_evict_compressed);
	checkf(st1.oc_refaults > 0, "compressed pages were faulted back (%llu)", st1.oc_refaults);
	checkf(st1.oc_evict_kept > 0, "incompressible pages were kept resident (%llu)",
	       st1.oc_evict_kept);
	checkf(st1.oc_ratio_x100 >= 200, "compression ratio %llu.%02llu >= 2",
	       st1.oc_ratio_x100 / 100, st1.oc_ratio_x100 % 100);
	checkf(st1.oc_resident_pages <= st1.oc_limit_pages &&
		       st1.oc_resident_max <= st1.oc_limit_pages + 64,
	       "residency held near the limit (now %llu, max %llu, limit %llu pages)",
	       st1.oc_resident_pages, st1.oc_resident_max, st1.oc_limit_pages);
	checkf(st1.oc_scans > 0 && st1.oc_old > 0, "aging passes ran (%llu, %llu old)",
	       st1.oc_scans, st1.oc_old);
}
