/* cpuid, 32-bit phase: leaf 0 and 1 from protected mode, compared in long mode. */
#include "pm32.h"

u32 cpuid_pm32_leaf0[4], cpuid_pm32_leaf1_ecx;

void pm32_hook(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	cpuid_pm32_leaf0[0] = r.a;
	cpuid_pm32_leaf0[1] = r.b;
	cpuid_pm32_leaf0[2] = r.c;
	cpuid_pm32_leaf0[3] = r.d;
	cpuid_pm32_leaf1_ecx = cpuid(1, 0).c;
	pm32_check(r.a >= 1, "cpuid leaf 0 max leaf >= 1 in 32-bit mode", r.a);
}
