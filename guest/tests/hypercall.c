/*
 * hypercall: every Tern hypercall (VMCALL on Intel, VMMCALL on AMD):
 * VERSION, PUTS, STATS, GET_TSC_KHZ, unknown numbers -> -1000, then ends
 * the VM with TERN_HC_EXIT (status 1 = success, 3 = failure, like the
 * (v<<1)|1 status of port 0xf4). Without Tern everything is skipped
 * (VMCALL/VMMCALL would #UD: checked) and the exit goes through port 0xf4.
 */
#include "guest.h"

const char guest_name[] = "hypercall";

#define UNKNOWN_CALL 0x777
#define PUTS_MAX     256

static struct tern_vm_stats stats __attribute__((aligned(64)));

void guest_main(void)
{
	u32 vec;
	if (!tern_present()) {
		const char *why = "not under Tern";
		tern_hypercall_safe(TERN_HC_VERSION, 0, 0, 0, 0, &vec);
		checkf(vec == VEC_UD, "%s without a hypervisor raises #UD (vector 0x%x)",
		       cpu_is_amd() ? "VMMCALL" : "VMCALL", vec);
		skip("TERN_HC_VERSION returns 1", why);
		skip("TERN_HC_PUTS", why);
		skip("TERN_HC_STATS", why);
		skip("TERN_HC_GET_TSC_KHZ", why);
		skip("unknown hypercalls return -1000", why);
		skip("TERN_HC_EXIT ends the VM", why);
		return;
	}
	printf("hypercall instruction: %s\n", cpu_is_amd() ? "vmmcall" : "vmcall");

	s64 r = tern_hypercall_safe(TERN_HC_VERSION, 0, 0, 0, 0, &vec);
	checkf(vec == EXC_NONE && r == TERN_HC_VERSION_1, "TERN_HC_VERSION returns 1 (%ld)", r);

	static const char msg[] = "hello from hypercall.elf via TERN_HC_PUTS";
	r = tern_hypercall_safe(TERN_HC_PUTS, (u64)msg, PUTS_MAX, 0, 0, &vec);
	checkf(vec == EXC_NONE && r >= 0, "TERN_HC_PUTS succeeds (%ld)", r);
	static const char longmsg[] = "truncated by max length: ONLY-THIS-PART-SHOWS|never shown";
	r = tern_hypercall_safe(TERN_HC_PUTS, (u64)longmsg, 45, 0, 0, &vec);
	checkf(vec == EXC_NONE && r >= 0,
	       "TERN_HC_PUTS with a max length shorter than the string (%ld)", r);
	r = tern_hypercall(TERN_HC_PUTS, 0xfffffffff000ull, PUTS_MAX, 0, 0);
	checkf(r < 0, "TERN_HC_PUTS with an unmapped address fails (%ld)", r);

	memset(&stats, 0xee, sizeof(stats));
	r = tern_hypercall_safe(TERN_HC_STATS, (u64)&stats, sizeof(stats), 0, 0, &vec);
	checkf(vec == EXC_NONE && r == (s64)sizeof(stats), "TERN_HC_STATS writes %u bytes (%ld)",
	       (u32)sizeof(stats), r);
	if (r > 0) {
		u64 sum = 0;
		for (int i = 0; i < TERN_STATS_KINDS; i++)
			sum += stats.exits_by_kind[i];
		printf("stats: exits %llu (by kind sum %lu) tsc guest %llu tern %llu\n",
		       stats.exits_total, sum, stats.tsc_in_guest, stats.tsc_in_tern);
		check(stats.exits_total > 0, "stats: exits_total > 0 (this call exited)");
		check(sum == stats.exits_total, "stats: exits_by_kind sums to exits_total");
		check(stats.tsc_in_guest > 0 && stats.tsc_in_tern > 0,
		      "stats: TSC counters non-zero");
		struct tern_vm_stats again;
		tern_hypercall(TERN_HC_STATS, (u64)&again, sizeof(again), 0, 0);
		check(again.exits_total > stats.exits_total, "stats: exits_total grows");
	}
	u64 small[2] = {0, 0xabcdabcdabcdabcdull};
	r = tern_hypercall(TERN_HC_STATS, (u64)small, sizeof(u64), 0, 0);
	checkf(r <= (s64)sizeof(u64) && small[1] == 0xabcdabcdabcdabcdull,
	       "TERN_HC_STATS respects a short buffer (%ld)", r);

	r = tern_hypercall_safe(TERN_HC_GET_TSC_KHZ, 0, 0, 0, 0, &vec);
	checkf(vec == EXC_NONE && r >= 1000 && r < 100000000,
	       "TERN_HC_GET_TSC_KHZ plausible (%ld kHz)", r);

	r = tern_hypercall(TERN_HC_MEMSLOT, 0, 0, 0, 0);
	printf("TERN_HC_MEMSLOT (reserved) returned %ld\n", r);
	r = tern_hypercall(UNKNOWN_CALL, 1, 2, 3, 4);
	checkf(r == TERN_E_UNKNOWN_CALL, "unknown hypercall 0x777 returns -1000 (%ld)", r);
	r = tern_hypercall(~0ull, 0, 0, 0, 0);
	checkf(r == TERN_E_UNKNOWN_CALL, "unknown hypercall ~0 returns -1000 (%ld)", r);
	r = tern_hypercall(0x100000000ull | TERN_HC_VERSION, 0, 0, 0, 0);
	checkf(r == TERN_E_UNKNOWN_CALL || r == TERN_HC_VERSION_1,
	       "call number with high bits set: -1000 or VERSION (%ld)", r);

	/* Registers other than RAX survive a hypercall. */
	u64 b = 0x1111, c = 0x2222, d = 0x3333, si = 0x4444, di = 0x5555, ret;
	if (cpu_is_amd())
		__asm__ volatile("vmmcall"
				 : "=a"(ret), "+b"(b), "+c"(c), "+d"(d), "+S"(si), "+D"(di)
				 : "0"(TERN_HC_VERSION)
				 : "memory");
	else
		__asm__ volatile("vmcall"
				 : "=a"(ret), "+b"(b), "+c"(c), "+d"(d), "+S"(si), "+D"(di)
				 : "0"(TERN_HC_VERSION)
				 : "memory");
	check(b == 0x1111 && c == 0x2222 && d == 0x3333 && si == 0x4444 && di == 0x5555,
	      "RBX RCX RDX RSI RDI preserved across a hypercall");

	/* The end: summary, then TERN_HC_EXIT (falls back to port 0xf4). */
	printf("summary: %u passed, %u failed, %u skipped\n", checks_passed, checks_failed,
	       checks_skipped);
	tern_hypercall(TERN_HC_EXIT, checks_failed ? TERN_EXIT_FAILURE : TERN_EXIT_SUCCESS, 0, 0,
		       0);
	printf("FAIL TERN_HC_EXIT returned\n");
	guest_exit(1);
}
