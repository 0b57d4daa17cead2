/*
 * huge: 1 GiB second-level mappings. Run with mem=3G (three 1 GiB slots):
 * the aligned range [1 GiB, 2 GiB) is one whole slot the loader never
 * writes, so the first touch there can be backed by one contiguous 1 GiB
 * host block and mapped by a single 1 GiB leaf. Reads it as zeros, writes
 * and verifies a pattern (one u64 per 64 KiB), and asserts through
 * TERN_HC_STATS that at least one 1 GiB leaf was installed and that the
 * whole GiB took few second-level faults. The leaf checks are SKIPped when
 * the CPU has no 1 GiB pages (CPUID 0x80000001 EDX[26], what decides NPT
 * 1 GiB leaves); `-- need1g=0|1` overrides that.
 */
#include "guest.h"
#include "tern_mmu.h"

const char guest_name[] = "huge";

#define GIB 0x40000000ull
#define STEP 0x10000ull
#define KEY 0x9e3779b97f4a7c15ull

static struct tern_vm_stats_mmu st0, st1;

static void stats(struct tern_vm_stats_mmu *s)
{
	memset(s, 0, sizeof(*s));
	tern_hypercall(TERN_HC_STATS, (u64)s, sizeof(*s), 0, 0);
}

void guest_main(void)
{
	u64 lo = GIB, hi = 2 * GIB, nonzero = 0, bad = 0;
	bool tern = tern_present(), in_map = false;
	char buf[16];
	/* Tern maps 1 GiB NPT leaves only when the CPU has 1 GiB pages, which
	 * its CPUID leaf 0x80000001 passes through (EDX[26]). */
	bool has1g = (cpuid(0x80000001, 0).d & (1u << 26)) != 0;
	bool need1g = cmdline_get("need1g", buf, sizeof(buf)) ? parse_u64(buf) != 0 : has1g;

	for (int i = 0; i < mem_map_count; i++)
		if (mem_map[i].type == MEM_AVAILABLE && mem_map[i].base <= lo &&
		    mem_map[i].base + mem_map[i].len >= hi)
			in_map = true;
	checkf(in_map, "[1 GiB, 2 GiB) is available RAM (run with mem=3G)");
	if (!in_map)
		return;
	if (tern)
		stats(&st0);
	for (u64 a = lo; a < hi; a += STEP)
		if (*(volatile u64 *)a != 0)
			nonzero++;
	checkf(nonzero == 0, "never-written RAM reads as zeros (%lu non-zero)", nonzero);
	for (u64 a = lo; a < hi; a += STEP)
		*(volatile u64 *)(a + (a >> 16 & 0xff8)) = a * KEY;
	for (u64 a = lo; a < hi; a += STEP)
		if (*(volatile u64 *)(a + (a >> 16 & 0xff8)) != a * KEY && bad++ < 4)
			printf("  mismatch at 0x%lx\n", a);
	checkf(bad == 0, "pattern over [1 GiB, 2 GiB) verifies (%lu bad)", bad);
	if (!tern) {
		skip("1 GiB leaf", "not under Tern");
		return;
	}
	stats(&st1);
	printf("tdp faults %llu, leaves 4k/2m/1g %llu/%llu/%llu, table pages %llu\n",
	       st1.tdp_faults - st0.tdp_faults, st1.leaves_4k, st1.leaves_2m, st1.leaves_1g,
	       st1.table_pages);
	if (need1g) {
		checkf(st1.leaves_1g - st0.leaves_1g >= 1, "a 1 GiB leaf maps the GiB (%llu)",
		       st1.leaves_1g - st0.leaves_1g);
		checkf(st1.tdp_faults - st0.tdp_faults <= 8,
		       "the whole GiB took few second-level faults (%llu)",
		       st1.tdp_faults - st0.tdp_faults);
	} else {
		skip("1 GiB leaf", has1g ? "need1g=0" : "the CPU has no 1 GiB pages");
	}
}
