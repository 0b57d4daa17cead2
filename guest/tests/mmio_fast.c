/*
 * mmio_fast: repeated accesses to addresses without RAM (an unassigned
 * address, 0xE0000000, and the LAPIC page 0xfee00000) are emulated through
 * Tern's MMIO fast path from the second access on: the first one installs
 * an MMIO SPTE (second-level fault, slow path), the next ones hit it
 * (EPT misconfiguration / #NPF with RSVD) and go straight to emulation.
 * Asserted with the mmio_fast counter of TERN_HC_STATS.
 */
#include "guest.h"
#include "tern_mmu.h"

const char guest_name[] = "mmio_fast";

#define ROUNDS 64

static struct tern_vm_stats_mmu st0, st1;

static void stats(struct tern_vm_stats_mmu *s)
{
	memset(s, 0, sizeof(*s));
	tern_hypercall(TERN_HC_STATS, (u64)s, sizeof(*s), 0, 0);
}

static void rounds(const char *what, u64 addr, bool write)
{
	u32 ones = 0;

	stats(&st0);
	for (int i = 0; i < ROUNDS; i++) {
		if (write)
			*(volatile u32 *)addr = 0x12345678;
		else
			ones += *(volatile u32 *)addr == 0xffffffffu;
	}
	stats(&st1);
	u64 fast = st1.mmio_fast - st0.mmio_fast, slow = st1.mmio_slow - st0.mmio_slow;
	printf("%s: mmio fast %lu slow %lu\n", what, fast, slow);
	checkf(fast >= ROUNDS - 1 && slow <= 1, "%s: %d accesses, fast path from the second on (fast %lu, slow %lu)",
	       what, ROUNDS, fast, slow);
	if (!write && addr == 0xE0000000ull)
		checkf(ones == ROUNDS, "%s: reads all ones (%u of %d)", what, ones, ROUNDS);
}

void guest_main(void)
{
	if (!tern_present()) {
		skip("MMIO fast path", "not under Tern");
		return;
	}
	rounds("unassigned 0xE0000000 reads", 0xE0000000ull, false);
	rounds("unassigned 0xE0000000 writes", 0xE0000000ull, true);
	rounds("unassigned 0xE0201000 writes then reads", 0xE0201000ull, true);
	rounds("LAPIC version register reads", 0xfee00030ull, false);
	/* Still correct after a slot change bumped the generation. */
	s64 r = tern_hypercall(TERN_HC_MEMSLOT, TERN_MEMSLOT_ADD, 77, 0x40000000ull, PAGE_2M);
	checkf(r == 0, "add a slot (generation changes) (%ld)", r);
	rounds("unassigned 0xE0000000 reads after a slot change", 0xE0000000ull, false);
}
