/*
 * cpuid: basic leaves, leaf 1 features, extended leaves; under Tern the
 * hypervisor leaf and the features Tern hides (VMX, SVM, x2APIC,
 * TSC-deadline, PMU, LA57) and MAXPHYADDR >= 36.
 */
#include "guest.h"

const char guest_name[] = "cpuid";
extern u32 cpuid_pm32_leaf0[4], cpuid_pm32_leaf1_ecx;

static bool printable(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

void guest_main(void)
{
	bool tern = tern_present();
	printf("tern: %s\n", tern ? "present" : "absent (Tern-only checks skipped)");

	check(boot_protocol != 0, "booted by a multiboot loader (magic recognised)");
	checkf(mem_map_count > 0, "memory map has regions (%d)", mem_map_count);

	struct cpuid_regs l0 = cpuid(0, 0);
	char vendor[13];
	memcpy(vendor, &l0.b, 4);
	memcpy(vendor + 4, &l0.d, 4);
	memcpy(vendor + 8, &l0.c, 4);
	vendor[12] = 0;
	printf("vendor '%s' max basic leaf 0x%x\n", vendor, l0.a);
	check(l0.a >= 1, "max basic leaf >= 1");
	check(l0.b | l0.c | l0.d, "vendor string non-empty");
	check(printable(vendor, 12), "vendor string printable");
	struct cpuid_regs l0b = cpuid(0, 0);
	check(!memcmp(&l0, &l0b, sizeof(l0)), "leaf 0 stable across calls");
	check(!memcmp(&l0, cpuid_pm32_leaf0, sizeof(l0)), "leaf 0 same in 32-bit and 64-bit mode");

	struct cpuid_regs l1 = cpuid(1, 0);
	u32 family = (l1.a >> 8) & 0xf, model = (l1.a >> 4) & 0xf;
	if (family == 0xf)
		family += (l1.a >> 20) & 0xff;
	if (family >= 6)
		model |= ((l1.a >> 16) & 0xf) << 4;
	printf("leaf1 eax 0x%x ebx 0x%x ecx 0x%x edx 0x%x (family 0x%x model 0x%x)\n", l1.a, l1.b,
	       l1.c, l1.d, family, model);
	check(family != 0, "leaf 1 family non-zero");
	u32 need =
		CPUID1_EDX_FPU | CPUID1_EDX_PSE | CPUID1_EDX_TSC | CPUID1_EDX_MSR | CPUID1_EDX_PAE;
	check((l1.d & need) == need, "leaf 1 EDX has FPU PSE TSC MSR PAE");
	check(((l1.b >> 8) & 0xff) != 0, "leaf 1 CLFLUSH line size non-zero");
	check((l1.c & ~CPUID1_ECX_OSXSAVE) == (cpuid_pm32_leaf1_ecx & ~CPUID1_ECX_OSXSAVE),
	      "leaf 1 ECX same in 32-bit and 64-bit mode");
	check(!(l1.c & CPUID1_ECX_OSXSAVE) == !(read_cr4() & CR4_OSXSAVE),
	      "leaf 1 OSXSAVE mirrors CR4.OSXSAVE");

	if (l0.a >= 7) {
		struct cpuid_regs l7 = cpuid(7, 0);
		printf("leaf7 max subleaf %u ebx 0x%x ecx 0x%x edx 0x%x\n", l7.a, l7.b, l7.c, l7.d);
		struct cpuid_regs bad = cpuid(7, 0x7fffffff);
		check(!(bad.a | bad.b | bad.c | bad.d), "leaf 7 invalid subleaf returns zeros");
	}

	struct cpuid_regs x0 = cpuid(0x80000000, 0);
	printf("max extended leaf 0x%x\n", x0.a);
	check(x0.a >= 0x80000001 && x0.a < 0x8000ffff, "max extended leaf sane");
	struct cpuid_regs x1 = cpuid(0x80000001, 0);
	check(x1.d & CPUIDX1_EDX_LM, "0x80000001 long mode bit set");
	if (x0.a >= 0x80000004) {
		char brand[49];
		for (u32 i = 0; i < 3; i++) {
			struct cpuid_regs b = cpuid(0x80000002 + i, 0);
			memcpy(brand + 16 * i, &b, 16);
		}
		brand[48] = 0;
		printf("brand '%s'\n", brand);
	}
	u32 phys = 0;
	if (x0.a >= 0x80000008) {
		struct cpuid_regs x8 = cpuid(0x80000008, 0);
		phys = x8.a & 0xff;
		printf("MAXPHYADDR %u linear %u\n", phys, (x8.a >> 8) & 0xff);
		checkf(phys >= 36 && phys <= 52, "MAXPHYADDR %u in [36, 52]", phys);
		check(((x8.a >> 8) & 0xff) >= 48, "linear address width >= 48");
	} else {
		skip("MAXPHYADDR >= 36", "no leaf 0x80000008");
	}

	if (!tern) {
		const char *why = "not under Tern";
		skip("hypervisor bit set", why);
		skip("leaf 0x40000000 signature TernTernTern", why);
		skip("leaf 0x40000000 max leaf 0x40000001", why);
		skip("VMX hidden", why);
		skip("SVM hidden", why);
		skip("x2APIC hidden", why);
		skip("TSC-deadline hidden", why);
		skip("LA57 hidden", why);
		skip("PMU leaf 0xA hidden", why);
		return;
	}
	check(l1.c & CPUID1_ECX_HYPERVISOR, "hypervisor bit set");
	struct cpuid_regs h = cpuid(TERN_CPUID_LEAF, 0);
	u32 sig[3] = {h.b, h.c, h.d};
	check(!memcmp(sig, TERN_SIGNATURE, 12), "leaf 0x40000000 signature TernTernTern");
	checkf(h.a == TERN_CPUID_MAX_LEAF, "leaf 0x40000000 max leaf 0x40000001 (got 0x%x)", h.a);
	check(!(l1.c & CPUID1_ECX_VMX), "VMX hidden");
	check(!(x1.c & CPUIDX1_ECX_SVM), "SVM hidden");
	check(!(l1.c & CPUID1_ECX_X2APIC), "x2APIC hidden");
	check(!(l1.c & CPUID1_ECX_TSC_DEADLINE), "TSC-deadline hidden");
	if (l0.a >= 7)
		check(!(cpuid(7, 0).c & CPUID7_ECX_LA57), "LA57 hidden");
	else
		skip("LA57 hidden", "no leaf 7");
	if (l0.a >= 0xa)
		checkf((cpuid(0xa, 0).a & 0xff) == 0, "PMU leaf 0xA hidden (version 0)");
	else
		skip("PMU leaf 0xA hidden", "max leaf < 0xA: hidden");
}
