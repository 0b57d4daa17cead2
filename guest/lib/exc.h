/*
 * Exception expectations, usable from 64-bit code and from the 32-bit phase.
 *
 * EXC_TRY(insns) arms a recovery point, runs the instructions and disarms it.
 * If any of them faults, the handler records vector/error/IP/CR2 in exc_last
 * (exc_last32 in 32-bit code), restores every general register and the stack
 * pointer saved at arm time, and resumes right after the instructions, at CPL0.
 * exc_last.vector is EXC_NONE when nothing was raised.
 *
 *   exc_reset();
 *   __asm__ volatile(EXC_TRY("rdmsr") : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
 *   if (exc_last.vector == VEC_GP) ...
 *
 * Outputs are undefined when a fault was taken. Instructions must not use
 * numeric labels 0-9 that clash with the caller's, and must leave the stack
 * pointer as they found it.
 */
#ifndef GUEST_EXC_H
#define GUEST_EXC_H

#include "x86.h"

#define VEC_DE		0
#define VEC_DB		1
#define VEC_NMI		2
#define VEC_BP		3
#define VEC_OF		4
#define VEC_BR		5
#define VEC_UD		6
#define VEC_NM		7
#define VEC_DF		8
#define VEC_TS		10
#define VEC_NP		11
#define VEC_SS		12
#define VEC_GP		13
#define VEC_PF		14
#define VEC_MF		16
#define VEC_AC		17
#define VEC_USER_RETURN 0x81 /* ring 3 gives control back with int $0x81 */
#define EXC_NONE	0xffffffffu

/* Page-fault error code bits. */
#define PF_P BIT(0)
#define PF_W BIT(1)
#define PF_U BIT(2)
#define PF_I BIT(4)

#ifdef __x86_64__
struct exc_info {
	volatile u32 vector;
	volatile u32 count; /* exceptions taken since boot */
	volatile u64 error;
	volatile u64 ip;
	volatile u64 cr2;
	volatile u64 cs;
};
extern struct exc_info exc_last;
extern volatile u64 exc_recover, exc_recover_sp;
#define EXC_TRY(insns)                                                                             \
	"movq $.Lexc_r%=, exc_recover(%%rip)\n\tmovq %%rsp, exc_recover_sp(%%rip)\n\t" insns       \
	"\n.Lexc_r%=:\n\tmovq $0, exc_recover(%%rip)\n\t"
#define EXC_LAST exc_last
#else
struct exc_info32 {
	volatile u32 vector;
	volatile u32 count;
	volatile u32 error;
	volatile u32 ip;
	volatile u32 cr2;
	volatile u32 cs;
};
extern struct exc_info32 exc_last32;
extern volatile u32 exc_recover32, exc_recover_sp32;
#define EXC_TRY(insns)                                                                             \
	"movl $.Lexc_r%=, exc_recover32\n\tmovl %%esp, exc_recover_sp32\n\t" insns                 \
	"\n.Lexc_r%=:\n\tmovl $0, exc_recover32\n\t"
#define EXC_LAST exc_last32
#endif

static inline void exc_reset(void)
{
	EXC_LAST.vector = EXC_NONE;
	EXC_LAST.error = 0;
	EXC_LAST.cr2 = 0;
}

/* Run one instruction string with no operands; return the vector or EXC_NONE. */
#define EXC_VECTOR_OF(insns)                                                                       \
	({                                                                                         \
		exc_reset();                                                                       \
		__asm__ volatile(EXC_TRY(insns)::: "memory", "cc");                                \
		EXC_LAST.vector;                                                                   \
	})

#endif
