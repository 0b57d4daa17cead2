/* SPDX-License-Identifier: MIT */
/*
 * The IDT and interrupt dispatch. Every vector enters isr_common (isr.asm),
 * which builds a struct irq_frame and calls interrupt_dispatch(). Exceptions
 * dump state and panic unless a self-test is expecting them; other vectors go
 * to a registered handler.
 */
#ifndef TERN_ARCH_X86_IDT_H
#define TERN_ARCH_X86_IDT_H

#include "lib/types.h"

#define IDT_VECTORS 256
#define EXCEPTION_VECTORS 32

enum exception_vector {
	EXC_DE = 0,
	EXC_DB = 1,
	EXC_NMI = 2,
	EXC_BP = 3,
	EXC_OF = 4,
	EXC_BR = 5,
	EXC_UD = 6,
	EXC_NM = 7,
	EXC_DF = 8,
	EXC_TS = 10,
	EXC_NP = 11,
	EXC_SS = 12,
	EXC_GP = 13,
	EXC_PF = 14,
	EXC_MF = 16,
	EXC_AC = 17,
	EXC_MC = 18,
	EXC_XM = 19,
	EXC_VE = 20,
	EXC_CP = 21,
};

/* Vectors Tern assigns (above the exceptions and the legacy PIC range). */
#define VECTOR_SPURIOUS 0xFF
#define VECTOR_IPI_CALL 0xF0
#define VECTOR_IPI_STOP 0xF1
#define VECTOR_IPI_RESCHED 0xF2
#define VECTOR_TIMER 0xE0
#define VECTOR_PIC_BASE 0x20 /* legacy PIC remapped here, then masked */

/* Saved state, in the order isr.asm pushes it (lowest address first). */
struct irq_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error_code;
	u64 rip, cs, rflags, rsp, ss;
};

typedef void (*irq_handler_t)(struct irq_frame *f);

void idt_init(void);      /* build the table once (BSP) */
void idt_load(void);      /* load it on this CPU */
int irq_register(u8 vector, irq_handler_t fn);
/* NMIs are not ordinary vectors: one hook, which says whether the NMI was its. */
typedef bool (*nmi_handler_t)(struct irq_frame *f);
void nmi_set_handler(nmi_handler_t fn);

/*
 * Exception catching for self-tests: arm it with the vector expected and the
 * address to resume at; after the faulting code runs, read what was caught.
 */
struct exception_catch {
	int vector;         /* vector expected, or -1 when disarmed */
	u64 resume_rip;
	bool caught;
	u64 error_code;
	u64 cr2;
	u64 fault_rip;
};

void exception_name(int vector, char *buf, size_t len);
void dump_frame(const struct irq_frame *f);

#endif
