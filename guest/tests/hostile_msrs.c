/*
 * hostile_msrs (hostile): rdmsr of every MSR in the architectural and AMD
 * ranges (0-0x1fff, 0x40000000-0x400000ff, 0xc0000000-0xc0001fff,
 * 0xc0010000-0xc0011fff) plus pseudo-random indexes; each readable MSR is
 * written back with the value read, unreadable ones are written with 0.
 * Each access must succeed or raise #GP, never hang or kill the VM.
 * MSRs whose write-back would break the test itself are only read.
 */
#include "guest.h"

const char guest_name[] = "hostile_msrs";

#define RANDOM_COUNT 4096
#define LCG_MUL	     6364136223846793005ull
#define LCG_ADD	     1442695040888963407ull

struct range {
	u32 lo, hi; /* inclusive */
	const char *name;
};

static const struct range ranges[] = {
	{0x0, 0x1fff, "0x0-0x1fff"},
	{0x40000000, 0x400000ff, "0x40000000-0x400000ff"},
	{0xc0000000, 0xc0001fff, "0xc0000000-0xc0001fff"},
	{0xc0010000, 0xc0011fff, "0xc0010000-0xc0011fff"},
};

/* Read-only here: writing even the same value back could change what this
 * payload depends on (TSC going back, x2APIC switch, SMM/VM_CR locks,
 * EFER mid-flight, the hypercall MSRs of other hypervisors). */
static bool read_only(u32 msr)
{
	switch (msr) {
	case MSR_TSC:
	case MSR_APIC_BASE:
	case MSR_EFER:
	case 0xc0010114: /* VM_CR */
	case 0xc0010117: /* VM_HSAVE_PA */
	case 0xc0010111: /* SMM_BASE */
	case 0xc0010112: /* SMM_ADDR */
	case 0xc0010113: /* SMM_MASK */
	case 0xc0010015: /* HWCR */
	case 0xc0010010: /* SYSCFG */
		return true;
	}
	if (msr >= 0x40000000 && msr <= 0x400000ff)
		return true;
	return false;
}

struct counts {
	u32 rd_ok, rd_gp, rd_other, wr_ok, wr_gp, wr_other, wr_skipped;
};

static void probe(u32 msr, struct counts *c)
{
	u64 v;
	u32 r = rdmsr_safe(msr, &v);
	if (r == EXC_NONE)
		c->rd_ok++;
	else if (r == VEC_GP)
		c->rd_gp++;
	else
		c->rd_other++, printf("rdmsr 0x%x: vector 0x%x\n", msr, r);
	if (read_only(msr)) {
		c->wr_skipped++;
		return;
	}
	u32 w = wrmsr_safe(msr, r == EXC_NONE ? v : 0);
	if (w == EXC_NONE)
		c->wr_ok++;
	else if (w == VEC_GP)
		c->wr_gp++;
	else
		c->wr_other++, printf("wrmsr 0x%x: vector 0x%x\n", msr, w);
}

static void report(const char *name, struct counts *c)
{
	printf("msrs %s: read ok %u #GP %u other %u; write ok %u #GP %u other %u skipped %u\n",
	       name, c->rd_ok, c->rd_gp, c->rd_other, c->wr_ok, c->wr_gp, c->wr_other,
	       c->wr_skipped);
	checkf(c->rd_other == 0 && c->wr_other == 0, "%s: every access succeeded or raised #GP",
	       name);
}

void guest_main(void)
{
	bool tern = tern_present();
	for (u32 i = 0; i < ARRAY_SIZE(ranges); i++) {
		struct counts c = {0};
		for (u64 m = ranges[i].lo; m <= ranges[i].hi; m++)
			probe(m, &c);
		report(ranges[i].name, &c);
		if (tern && ranges[i].lo == 0x40000000)
			check(c.rd_gp > 0, "hypervisor MSR range is not all readable under Tern");
	}
	struct counts c = {0};
	u64 x = 0x1234567;
	for (u32 i = 0; i < RANDOM_COUNT; i++) {
		x = x * LCG_MUL + LCG_ADD;
		probe((u32)(x >> 32), &c);
	}
	report("random", &c);
	u64 efer = rdmsr(MSR_EFER);
	check((efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA),
	      "still in long mode afterwards");
}
