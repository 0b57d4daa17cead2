/* hypercall, 32-bit phase: TERN_HC_VERSION from protected mode (EAX result). */
#include "exc.h"
#include "pm32.h"
#include "tern_hypercall.h"

static bool tern32(void)
{
	if (!(cpuid(1, 0).c & CPUID1_ECX_HYPERVISOR))
		return false;
	struct cpuid_regs r = cpuid(TERN_CPUID_LEAF, 0);
	return r.b == 0x6e726554 && r.c == 0x6e726554 && r.d == 0x6e726554; /* "Tern" */
}

void pm32_hook(void)
{
	if (!tern32()) {
		pm32_skip("TERN_HC_VERSION from 32-bit mode", "not under Tern");
		return;
	}
	struct cpuid_regs v = cpuid(0, 0);
	bool amd = v.b == 0x68747541; /* "Auth" */
	u32 ret = 0, unk = 0;
	exc_reset();
	if (amd)
		__asm__ volatile(EXC_TRY("vmmcall") : "=a"(ret) : "0"(TERN_HC_VERSION) : "memory");
	else
		__asm__ volatile(EXC_TRY("vmcall") : "=a"(ret) : "0"(TERN_HC_VERSION) : "memory");
	pm32_check(exc_last32.vector == EXC_NONE && ret == TERN_HC_VERSION_1,
		   "TERN_HC_VERSION from 32-bit mode returns 1", ret);
	exc_reset();
	if (amd)
		__asm__ volatile(EXC_TRY("vmmcall") : "=a"(unk) : "0"(0x777) : "memory");
	else
		__asm__ volatile(EXC_TRY("vmcall") : "=a"(unk) : "0"(0x777) : "memory");
	pm32_check(exc_last32.vector == EXC_NONE && (s32)unk == TERN_E_UNKNOWN_CALL,
		   "unknown hypercall from 32-bit mode returns -1000 in EAX", unk);
}
