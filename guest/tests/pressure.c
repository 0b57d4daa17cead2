/*
 * pressure: two VMs under host memory pressure (tools/guest-tests boots them
 * together on a small host; both reclaimable: maxmem=mem). Run one with
 * `-- role=idle` and one with `-- role=busy`; ws=MiB sets the working set
 * (default 40).
 *
 *   idle  writes its working set at once, then leaves it alone until the
 *         busy VM is done (host free memory jumps: see below; at most
 *         hold_ms, default 120000), and then reads every byte back.
 *   busy  waits until host free memory has settled (the idle VM is done
 *         writing; settle_ms, default 1000, at most delay_ms, default
 *         60000), writes its working set, pushing the host below its low
 *         watermark, then keeps reading and rewriting all of it for
 *         `rounds` passes (default 6), reads every byte back, reports, and
 *         gives its working set back (TERN_MEMSLOT_RESIZE cuts it off its
 *         slot): the jump in host free memory tells the idle VM to wake.
 * The VMs share nothing but the host, so that is how they synchronise.
 *
 * Host reclaim shares what it takes by idleness, so the idle VM must give up
 * memory (at least 1/16 of its working set), the busy one keep its data (at
 * most 1/16 of its working set compressed away; tools/guest-tests also
 * checks that the idle VM gave at least 4 times as many pages as the busy
 * one lost data pages), and no byte may change in either. A policy that
 * took "the first VM, its oldest pages", or shared by size alone, fails.
 * Figures come from TERN_HC_STATS.
 */
#include "guest.h"
#include "tern_mmu.h"
#include "x86.h"

const char guest_name[] = "pressure";

#define KEY  0x9e3779b97f4a7c15ull
#define PAGE 4096ull

/* Word j of the page at gpa in pass 'gen': 1 page in 8 incompressible. */
static u64 word(u64 gpa, u64 j, u64 gen, u64 *rng)
{
	u64 pn = gpa / PAGE;

	if (pn % 8 == 7) {
		return xorshift64(rng) ^ gen;
	}
	return (pn * KEY) ^ (j / 64) ^ (gen << 48);
}

/* Write (or check) generation 'gen' over [lo, hi); returns corrupted bytes. */
static u64 pass(u64 lo, u64 hi, u64 gen, bool write)
{
	u64 bad = 0, shown = 0;

	for (u64 p = lo; p < hi; p += PAGE) {
		u64 rng = (p / PAGE) * KEY | 1;
		volatile u64 *w = (volatile u64 *)p;

		for (u64 j = 0; j < PAGE / 8; j++) {
			u64 want = word(p, j, gen, &rng);

			if (write)
				w[j] = want;
			else
				bad += word_mismatch(p + j * 8, w[j], want, &shown);
		}
	}
	return bad;
}

static void stats(struct tern_vm_stats_mmu *s)
{
	memset(s, 0, sizeof(*s));
	tern_hypercall(TERN_HC_STATS, (u64)s, sizeof(*s), 0, 0);
}

static void wait_ms(u64 tsc_khz, u64 ms)
{
	u64 end = rdtsc() + tsc_khz * ms;

	while (rdtsc() < end)
		__builtin_ia32_pause();
}

static u64 host_free(void)
{
	struct tern_vm_stats_mmu s;

	stats(&s);
	return s.host_free_pages;
}

/* Until host free memory moved by less than 1 MiB for settle_ms (max_ms at most). */
static void wait_settled(u64 khz, u64 settle_ms, u64 max_ms)
{
	u64 start = rdtsc(), mark = host_free(), since = rdtsc();

	while (rdtsc() - start < khz * max_ms && rdtsc() - since < khz * settle_ms) {
		u64 f;

		wait_ms(khz, 50);
		f = host_free();
		if (f > mark + 256 || f + 256 < mark) {
			mark = f;
			since = rdtsc();
		}
	}
}

/* Until host free memory is 4 MiB above where it was lowest (max_ms at most). */
static bool wait_released(u64 khz, u64 max_ms)
{
	u64 start = rdtsc();
	struct tern_vm_stats_mmu s;

	for (;;) {
		stats(&s);
		if (s.host_free_lowest < s.host_low_pages &&
		    s.host_free_pages > s.host_free_lowest + 1024)
			return true;
		if (rdtsc() - start >= khz * max_ms)
			return false;
		wait_ms(khz, 50);
	}
}

/* Give [lo, ...) back to the host: cut it off the slot holding it. */
static bool release_from(u64 lo)
{
	struct tern_memslot slots[8];
	long n = tern_hypercall(TERN_HC_MEMSLOT, TERN_MEMSLOT_LIST, (u64)slots, 8, 0);

	for (long i = 0; i < n && i < 8; i++)
		if (slots[i].gpa <= lo && lo < slots[i].gpa + slots[i].size)
			return tern_hypercall(TERN_HC_MEMSLOT, TERN_MEMSLOT_RESIZE, slots[i].id,
					      lo - slots[i].gpa, 0) == 0;
	return false;
}

static void report(const char *role, const struct tern_vm_stats_mmu *s)
{
	printf("%s: resident %llu KiB (max %llu), host evicted %llu pages, evicted zero %llu "
	       "compressed %llu, refaults %llu, scans %llu; host free lowest %llu KiB "
	       "(reserve %llu KiB, low %llu KiB)\n",
	       role, s->oc_resident_pages * 4, s->oc_resident_max * 4, s->oc_host_evicted,
	       s->oc_evict_zero, s->oc_evict_compressed, s->oc_refaults, s->oc_scans,
	       s->host_free_lowest * 4, s->host_reserve_pages * 4, s->host_low_pages * 4);
}

void guest_main(void)
{
	u64 lo = ((u64)__image_end + PAGE_2M - 1) & ~(PAGE_2M - 1), hi = mem_region_end(lo);
	u64 ws = cmdline_u64("ws", 40), khz, pages, bad = 0;
	bool busy;
	struct tern_vm_stats_mmu st;
	char role[8] = "";

	cmdline_get("role", role, sizeof(role));
	busy = role[0] == 'b';
	if (!tern_present() || !checkf(role[0] == 'b' || role[0] == 'i', "role=%s", role))
		return;
	if (hi > lo + (ws << 20))
		hi = lo + (ws << 20);
	pages = (hi - lo) / PAGE;
	khz = (u64)tern_hypercall(TERN_HC_GET_TSC_KHZ, 0, 0, 0, 0);
	if (!checkf(hi - lo >= (8ull << 20) && khz, "working set %lu KiB, TSC %lu kHz",
		    (hi - lo) >> 10, khz))
		return;
	stats(&st);
	if (!checkf(st.oc_limit_pages > 0, "the VM is reclaimable (maxmem=)"))
		return;
	if (busy) {
		u64 rounds = cmdline_u64("rounds", 6);

		wait_settled(khz, cmdline_u64("settle_ms", 1000), cmdline_u64("delay_ms", 60000));
		pass(lo, hi, 0, true);
		for (u64 r = 1; r <= rounds; r++) {
			bad += pass(lo, hi, r - 1, false);
			pass(lo, hi, r, true);
		}
		bad += pass(lo, hi, rounds, false);
		stats(&st);
		report("busy", &st);
		checkf(st.host_free_lowest < st.host_low_pages,
		       "the host went below its low watermark (lowest %llu KiB, low %llu KiB)",
		       st.host_free_lowest * 4, st.host_low_pages * 4);
		/* Its idle zero pages (outside the working set) may go: they cost
		 * nothing to give. Its data may not. */
		checkf(st.oc_evict_compressed + st.oc_evict_raw <= pages / 16,
		       "the busy VM kept its data: %llu of %lu pages compressed away (at most "
		       "1/16), %llu refaults",
		       st.oc_evict_compressed + st.oc_evict_raw, pages, st.oc_refaults);
		checkf(release_from(lo), "working set given back to the host");
	} else {
		pass(lo, hi, 0, true);
		checkf(wait_released(khz, cmdline_u64("hold_ms", 120000)),
		       "the busy VM finished (host free memory went up)");
		stats(&st);
		report("idle", &st);
		checkf(st.oc_host_evicted >= pages / 16,
		       "the idle VM gave up memory: %llu of %lu pages (at least 1/16)",
		       st.oc_host_evicted, pages);
		bad = pass(lo, hi, 0, false);
		stats(&st);
		checkf(st.oc_refaults > 0, "its evicted pages came back (%llu refaults)",
		       st.oc_refaults);
	}
	checkf(bad == 0, "every byte reads back: %lu corrupted bytes", bad);
}
