/*
 * demand: RAM is backed on demand. Writes an address-derived pattern over
 * every available region of the memory map above the image (all memory
 * slots: run with slots=N), verifies it, and asserts through TERN_HC_STATS
 * that Tern took second-level faults to back it (at least one per 2 MiB
 * touched) within the VM's table-page cap, and through TERN_MEMSLOT_LIST
 * that the slots now hold populated backing. `caphit=1` asserts the cap was
 * hit (run with a tiny tdp_pages= and maxleaf=4k), `maxleaf4k=1` that only
 * 4 KiB leaves were installed.
 */
#include "guest.h"
#include "tern_mmu.h"

const char guest_name[] = "demand";

#define KEY 0x9e3779b97f4a7c15ull

static struct tern_vm_stats_mmu st0, st1;
static struct tern_memslot slots[16];

static void stats(struct tern_vm_stats_mmu *s)
{
	memset(s, 0, sizeof(*s));
	tern_hypercall(TERN_HC_STATS, (u64)s, sizeof(*s), 0, 0);
}

void guest_main(void)
{
	u64 lo = ((u64)__image_end + PAGE_2M - 1) & ~(PAGE_2M - 1), total = 0, bad = 0;
	bool tern = tern_present();

	if (tern)
		stats(&st0);
	for (int i = 0; i < mem_map_count; i++) {
		u64 s = mem_map[i].base, e = s + mem_map[i].len;

		if (mem_map[i].type != MEM_AVAILABLE || e <= lo || s >= 0x100000000ull)
			continue;
		s = s < lo ? lo : s;
		for (u64 a = s; a < e; a += 8)
			*(volatile u64 *)a = a * KEY;
		total += e - s;
	}
	for (int i = 0; i < mem_map_count; i++) {
		u64 s = mem_map[i].base, e = s + mem_map[i].len;

		if (mem_map[i].type != MEM_AVAILABLE || e <= lo || s >= 0x100000000ull)
			continue;
		s = s < lo ? lo : s;
		for (u64 a = s; a < e; a += 8)
			if (*(volatile u64 *)a != a * KEY && bad++ < 4)
				printf("  mismatch at 0x%lx\n", a);
	}
	checkf(total >= 4 * PAGE_2M && bad == 0, "pattern over %lu KiB of RAM verifies (%lu bad)",
	       total >> 10, bad);
	if (!tern) {
		skip("demand faults counted", "not under Tern");
		return;
	}
	stats(&st1);
	printf("tdp faults %llu -> %llu, table pages %llu (high-water %llu, cap %llu)\n",
	       st0.tdp_faults, st1.tdp_faults, st1.table_pages, st1.table_pages_max,
	       st1.table_pages_cap);
	checkf(st1.tdp_faults - st0.tdp_faults >= total / PAGE_2M,
	       "at least one second-level fault per 2 MiB touched (%llu for %llu)",
	       st1.tdp_faults - st0.tdp_faults, (unsigned long long)(total / PAGE_2M));
	printf("leaves 4k/2m/1g %llu/%llu/%llu, cap hits %llu\n", st1.leaves_4k - st0.leaves_4k,
	       st1.leaves_2m - st0.leaves_2m, st1.leaves_1g - st0.leaves_1g,
	       st1.cap_hits - st0.cap_hits);
	char opt[16];
	if (cmdline_get("caphit", opt, sizeof(opt)) && parse_u64(opt))
		checkf(st1.cap_hits - st0.cap_hits >= 1,
		       "the table-page cap was hit and the guest went on (%llu hits)",
		       st1.cap_hits - st0.cap_hits);
	if (cmdline_get("maxleaf4k", opt, sizeof(opt)) && parse_u64(opt))
		checkf(st1.leaves_2m == 0 && st1.leaves_1g == 0 && st1.leaves_4k > 0,
		       "maxleaf=4k: only 4 KiB leaves (%llu)", st1.leaves_4k);
	checkf(st1.table_pages > 0 && st1.table_pages <= st1.table_pages_cap &&
		       st1.table_pages_max >= st1.table_pages,
	       "table pages within the cap (%llu <= %llu)", st1.table_pages, st1.table_pages_cap);
	s64 n = tern_hypercall(TERN_HC_MEMSLOT, TERN_MEMSLOT_LIST, (u64)slots, 16, 0);
	u64 populated = 0;
	for (s64 i = 0; i < n && i < 16; i++) {
		printf("slot %u: 0x%llx+0x%llx populated 0x%llx\n", slots[i].id, slots[i].gpa,
		       slots[i].size, slots[i].populated);
		populated += slots[i].populated;
	}
	char buf[16];
	u64 want = cmdline_get("slots", buf, sizeof(buf)) ? parse_u64(buf) : 1;
	checkf(n >= (s64)want, "TERN_MEMSLOT_LIST: %ld slots (at least %lu)", n, want);
	checkf(populated >= total, "populated backing covers what was written (%lu >= %lu)",
	       populated, total);
}
