/*
 * exitcost: cost of exiting operations in RDTSC cycles. For each operation
 * the iteration count doubles until one measurement spans >= 2^26 cycles;
 * prints "exitcost <name> <cycles per op>". VMCALL/VMMCALL only under Tern.
 * The command line option min_log2=N (default 26) sets the span to 2^N, so a
 * functional test can run it quickly; benchmarks use the default.
 */
#include "guest.h"

const char guest_name[] = "exitcost";

#define MIN_LOG2_DEFAULT 26
#define MIN_LOG2_MAX	 40
#define MAX_ITERS	(1ull << 30)
#define UNASSIGNED_PORT 0x2f0

enum op { OP_CPUID, OP_HYPERCALL, OP_OUT, OP_IN, OP_RDMSR, OP_WRMSR, OP_NOP };

static u64 min_cycles = 1ull << MIN_LOG2_DEFAULT;
static u64 pat;
static bool amd;

static void run(enum op op, u64 n)
{
	for (u64 i = 0; i < n; i++) {
		switch (op) {
		case OP_CPUID: {
			u32 a = 0, b, c = 0, d;
			__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
			break;
		}
		case OP_HYPERCALL: {
			u64 r;
			if (amd)
				__asm__ volatile("vmmcall"
						 : "=a"(r)
						 : "0"(TERN_HC_VERSION)
						 : "memory");
			else
				__asm__ volatile("vmcall"
						 : "=a"(r)
						 : "0"(TERN_HC_VERSION)
						 : "memory");
			break;
		}
		case OP_OUT:
			outb(UNASSIGNED_PORT, 0);
			break;
		case OP_IN:
			(void)inb(UNASSIGNED_PORT);
			break;
		case OP_RDMSR:
			(void)rdmsr(MSR_APIC_BASE);
			break;
		case OP_WRMSR:
			wrmsr(MSR_PAT, pat);
			break;
		case OP_NOP:
			__asm__ volatile("nop");
			break;
		}
	}
}

static u64 measure(enum op op, const char *name)
{
	u64 n = 1, dt;
	for (;;) {
		u64 t0 = rdtsc();
		run(op, n);
		dt = rdtsc() - t0;
		if (dt >= min_cycles || n >= MAX_ITERS)
			break;
		n *= 2;
	}
	u64 per = dt / n;
	printf("exitcost %s %lu\n", name, per);
	checkf(dt > 0, "exitcost %s measured over %lu iterations", name, n);
	return per;
}

void guest_main(void)
{
	char buf[16];

	if (cmdline_get("min_log2", buf, sizeof(buf))) {
		u64 v = 0;

		for (const char *p = buf; *p >= '0' && *p <= '9'; p++)
			v = v * 10 + (u64)(*p - '0');
		if (v && v <= MIN_LOG2_MAX)
			min_cycles = 1ull << v;
	}
	amd = cpu_is_amd();
	pat = rdmsr(MSR_PAT);
	measure(OP_NOP, "nop-loop");
	measure(OP_CPUID, "cpuid");
	if (tern_present())
		measure(OP_HYPERCALL, amd ? "vmmcall" : "vmcall");
	else
		skip("exitcost vmcall", "not under Tern");
	measure(OP_OUT, "out");
	measure(OP_IN, "in");
	measure(OP_RDMSR, "rdmsr");
	measure(OP_WRMSR, "wrmsr");
}
