/*
 * exceptions, 32-bit phase: #UD, #DE, #BP, #GP (with selector error code),
 * #PF (CR2 + error code, 32-bit paging with 4 MiB pages) and INT n, all in
 * 32-bit protected mode.
 */
#include "exc.h"
#include "pm32.h"

#define PDE_P		0x1
#define PDE_W		0x2
#define PDE_PS		0x80
#define MAPPED_4M_PAGES 256 /* 1 GiB identity mapped, the rest absent */
#define UNMAPPED_ADDR	0x80000000u
#define BAD_SELECTOR	0x1234

static u32 pd32[1024] __attribute__((aligned(4096)));

void pm32_hook(void)
{
	u32 v;

	v = EXC_VECTOR_OF("ud2");
	pm32_check(v == VEC_UD, "ud2 raises #UD", v);

	exc_reset();
	__asm__ volatile(EXC_TRY("divl %%ecx")::"a"(1), "d"(0), "c"(0) : "memory", "cc");
	pm32_check(exc_last32.vector == VEC_DE, "div by zero raises #DE", exc_last32.vector);

	v = EXC_VECTOR_OF("int3");
	pm32_check(v == VEC_BP, "int3 raises #BP", v);

	exc_reset();
	__asm__ volatile(EXC_TRY("mov %0, %%ds")::"r"(BAD_SELECTOR) : "memory");
	pm32_check(exc_last32.vector == VEC_GP, "bad DS selector raises #GP", exc_last32.vector);
	pm32_check(exc_last32.error == (BAD_SELECTOR & ~3u), "#GP error code is the selector",
		   exc_last32.error);

	u32 count = exc_last32.count;
	exc_reset();
	__asm__ volatile("int $0x80" ::: "memory");
	pm32_check(exc_last32.vector == 0x80 && exc_last32.count == count + 1,
		   "int $0x80 delivered and returned", exc_last32.vector);

	/* #PF: 32-bit paging, PSE, first GiB identity mapped. */
	if (!(cpuid(1, 0).d & CPUID1_EDX_PSE)) {
		pm32_skip("32-bit #PF", "no PSE");
		return;
	}
	for (u32 i = 0; i < MAPPED_4M_PAGES; i++)
		pd32[i] = (i << 22) | PDE_P | PDE_W | PDE_PS;
	write_cr4(read_cr4() | CR4_PSE);
	write_cr3((u32)pd32);
	write_cr0(read_cr0() | CR0_PG);
	exc_reset();
	__asm__ volatile(EXC_TRY("movl (%0), %%eax")::"r"(UNMAPPED_ADDR) : "memory", "eax");
	pm32_check(exc_last32.vector == VEC_PF, "read of unmapped page raises #PF",
		   exc_last32.vector);
	pm32_check(exc_last32.cr2 == UNMAPPED_ADDR, "#PF CR2 is the faulting address",
		   exc_last32.cr2);
	pm32_check((exc_last32.error & (PF_P | PF_W | PF_U)) == 0,
		   "#PF error code: read, not present", exc_last32.error);
	exc_reset();
	__asm__ volatile(EXC_TRY("movl $1, 4(%0)")::"r"(UNMAPPED_ADDR) : "memory");
	pm32_check(exc_last32.vector == VEC_PF && exc_last32.cr2 == UNMAPPED_ADDR + 4,
		   "write to unmapped page raises #PF at CR2", exc_last32.cr2);
	pm32_check((exc_last32.error & (PF_P | PF_W | PF_U)) == PF_W, "#PF error code: write",
		   exc_last32.error);
	write_cr0(read_cr0() & ~CR0_PG);
	write_cr4(read_cr4() & ~CR4_PSE);
}
