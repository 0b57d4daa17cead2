/*
 * msr: allowed MSRs read and write back (APIC_BASE, TSC, PAT, SYSENTER_*,
 * EFER, FS/GS/KERNEL_GS base, TSC_AUX), #GP on unknown/denied MSRs (only
 * asserted under Tern: TCG accepts some), #GP on non-canonical segment
 * bases and on reserved EFER bits.
 */
#include "guest.h"

const char guest_name[] = "msr";

#define APIC_BASE_BSP	    BIT(8)
#define APIC_BASE_ENABLE    BIT(11)
#define PAT_DEFAULT	    0x0007040600070406ull
#define PAT_TEST	    0x0007010600070106ull /* WB/WC/UC-/UC variants: all valid types */
#define PAT_INVALID	    0x0000000000000002ull /* type 2 is reserved */
#define CANONICAL_HI	    0xffff800000001000ull
#define CANONICAL_LO	    0x00007fffdead0000ull
#define NONCANONICAL	    0x0000800000000000ull
#define EFER_RESERVED_BIT1  BIT(1)
#define EFER_RESERVED_BIT63 BIT(63)
#define TSC_WRITE_VALUE	    0x100000000ull /* 2^32: far from the current value */
#define TSC_SLACK	    (1ull << 34)

static void roundtrip(u32 msr, u64 val, const char *name)
{
	u64 old, got;
	u32 v = rdmsr_safe(msr, &old);
	if (!check(v == EXC_NONE, name))
		return;
	u32 w = wrmsr_safe(msr, val);
	u32 r = rdmsr_safe(msr, &got);
	checkf(w == EXC_NONE && r == EXC_NONE && got == val, "%s: write 0x%lx reads back (0x%lx)",
	       name, val, got);
	wrmsr_safe(msr, old);
}

static void expect_gp_read(u32 msr, bool tern)
{
	u64 val;
	u32 v = rdmsr_safe(msr, &val);
	if (v == VEC_GP)
		checkf(true, "rdmsr 0x%x raises #GP", msr);
	else if (tern)
		checkf(false, "rdmsr 0x%x raises #GP (got vector 0x%x value 0x%lx)", msr, v, val);
	else
		printf("SKIP rdmsr 0x%x raises #GP (bare CPU returned 0x%lx)\n", msr, val),
			checks_skipped++;
}

static void expect_gp_write(u32 msr, u64 val, bool tern, const char *what)
{
	u32 v = wrmsr_safe(msr, val);
	if (v == VEC_GP)
		checkf(true, "wrmsr %s raises #GP", what);
	else if (tern)
		checkf(false, "wrmsr %s raises #GP (vector 0x%x)", what, v);
	else
		printf("SKIP wrmsr %s raises #GP (accepted by the bare CPU)\n", what),
			checks_skipped++;
}

void guest_main(void)
{
	bool tern = tern_present();
	printf("tern: %s\n", tern ? "present" : "absent");
	u64 v;

	check(rdmsr_safe(MSR_APIC_BASE, &v) == EXC_NONE, "rdmsr IA32_APIC_BASE");
	printf("APIC_BASE 0x%lx\n", v);
	check((v & ~0xfffull) == 0xfee00000ull, "APIC base address is 0xfee00000");
	check(v & APIC_BASE_BSP, "APIC_BASE.BSP set on the boot CPU");

	/* TSC: read, write, read back near the written value. */
	u64 t0 = rdtsc(), t1;
	check(rdmsr_safe(MSR_TSC, &t1) == EXC_NONE, "rdmsr TSC");
	check_arch(t1 >= t0, "rdmsr TSC (0x%lx) >= earlier rdtsc (0x%lx)", t1, t0);
	check(wrmsr_safe(MSR_TSC, TSC_WRITE_VALUE) == EXC_NONE, "wrmsr TSC");
	u64 t2 = rdtsc();
	check_arch(t2 >= TSC_WRITE_VALUE && t2 - TSC_WRITE_VALUE < TSC_SLACK,
		   "rdtsc after wrmsr TSC is just past the written value (0x%lx)", t2);
	wrmsr_safe(MSR_TSC, t1 + (t2 - TSC_WRITE_VALUE));

	u64 pat;
	check(rdmsr_safe(MSR_PAT, &pat) == EXC_NONE, "rdmsr PAT");
	printf("PAT 0x%lx\n", pat);
	roundtrip(MSR_PAT, PAT_TEST, "PAT");
	check_arch(wrmsr_safe(MSR_PAT, PAT_INVALID) == VEC_GP,
		   "wrmsr PAT with reserved type raises #GP");

	roundtrip(MSR_SYSENTER_CS, 0x10, "SYSENTER_CS");
	roundtrip(MSR_SYSENTER_ESP, CANONICAL_HI, "SYSENTER_ESP");
	roundtrip(MSR_SYSENTER_EIP, CANONICAL_LO, "SYSENTER_EIP");

	u64 efer;
	check(rdmsr_safe(MSR_EFER, &efer) == EXC_NONE, "rdmsr EFER");
	printf("EFER 0x%lx\n", efer);
	check((efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA),
	      "EFER.LME and LMA set in long mode");
	check(wrmsr_safe(MSR_EFER, efer) == EXC_NONE, "wrmsr EFER with its own value");
	check(wrmsr_safe(MSR_EFER, efer | EFER_SCE) == EXC_NONE && (rdmsr(MSR_EFER) & EFER_SCE),
	      "EFER.SCE can be set");
	wrmsr(MSR_EFER, efer);
	check_arch(wrmsr_safe(MSR_EFER, efer | EFER_RESERVED_BIT1) == VEC_GP,
		   "EFER reserved bit 1 raises #GP");
	check_arch(wrmsr_safe(MSR_EFER, efer | EFER_RESERVED_BIT63) == VEC_GP,
		   "EFER reserved bit 63 raises #GP");
	check(rdmsr(MSR_EFER) == efer, "EFER unchanged after the faulting writes");
	if (tern)
		check(wrmsr_safe(MSR_EFER, efer | EFER_SVME) == VEC_GP,
		      "EFER.SVME raises #GP (SVM hidden)");
	else
		skip("EFER.SVME raises #GP (SVM hidden)", "not under Tern");
	wrmsr_safe(MSR_EFER, efer);

	static const struct {
		u32 msr;
		const char *name;
	} bases[] = {{MSR_FS_BASE, "FS_BASE"},
		     {MSR_GS_BASE, "GS_BASE"},
		     {MSR_KERNEL_GS_BASE, "KERNEL_GS_BASE"}};
	for (u32 i = 0; i < ARRAY_SIZE(bases); i++) {
		roundtrip(bases[i].msr, CANONICAL_HI, bases[i].name);
		roundtrip(bases[i].msr, CANONICAL_LO, bases[i].name);
		check_arch(wrmsr_safe(bases[i].msr, NONCANONICAL) == VEC_GP,
			   "%s non-canonical write raises #GP", bases[i].name);
		wrmsr_safe(bases[i].msr, 0);
	}
	/* The FS base is what an FS-relative load uses. */
	static u64 fs_target = 0x1122334455667788ull;
	wrmsr(MSR_FS_BASE, (u64)&fs_target);
	u64 fs_val;
	__asm__ volatile("movq %%fs:0, %0" : "=r"(fs_val));
	wrmsr(MSR_FS_BASE, 0);
	check(fs_val == fs_target, "FS-relative load uses FS_BASE");

	if (cpuid(0x80000001, 0).d & CPUIDX1_EDX_RDTSCP)
		roundtrip(MSR_TSC_AUX, 0x5, "TSC_AUX");
	else
		skip("TSC_AUX", "no RDTSCP");

	expect_gp_read(0x12345678, tern);
	expect_gp_read(0xc0011234, tern);
	expect_gp_read(0x40001234, tern);
	expect_gp_write(0x12345678, 0, tern, "0x12345678");
	expect_gp_write(0xc0011234, 0, tern, "0xc0011234");
	if (tern) {
		/* VMX is hidden: its capability MSRs do not exist for the guest. */
		u64 val;
		check(rdmsr_safe(MSR_VMX_BASIC, &val) == VEC_GP, "rdmsr IA32_VMX_BASIC raises #GP");
	} else {
		skip("rdmsr IA32_VMX_BASIC raises #GP", "not under Tern");
	}
}
