/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU data, reached through GS.base: the first field points at the
 * structure itself so this_cpu() is one load from %gs:0.
 * Field annotations: (c) constant after bring-up, (o) touched only by the
 * owning CPU, (a) atomic access from any CPU.
 */
#ifndef TERN_KERNEL_PERCPU_H
#define TERN_KERNEL_PERCPU_H

#include "arch/x86/gdt.h"
#include "arch/x86/idt.h"
#include "lib/types.h"

#define MAX_CPUS 64

struct percpu {
	struct percpu *self;          /* (c) must stay first */
	u32 cpu;                      /* (c) logical number, 0 = BSP */
	u32 apic_id;                  /* (c) */
	bool online;                  /* (a) set once the CPU runs kernel code */
	struct cpu_tables tables;     /* (c) GDT + TSS */
	u64 ist_top[IST_COUNT];       /* (c) */
	u64 stack_top;                /* (c) kernel stack of this CPU */
	struct exception_catch catch; /* (o) self-test exception catching */
	u64 irq_count;                /* (o) interrupts taken */
	u64 ipi_calls;                /* (a) cross-CPU calls run here */
	void *arch_virt;              /* (o) vendor virtualization state */
};

extern struct percpu cpus[MAX_CPUS];
extern u32 nr_cpus_online; /* (a) */
extern u32 nr_cpus_present; /* (c) CPUs the firmware reported */

/* True once this CPU's GS.base points at its per-CPU area. */
static inline bool cpus_ready(void)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xC0000101u)); /* MSR_GS_BASE */
	return lo | hi;
}

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	asm volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

static inline u32 this_cpu_id(void)
{
	return this_cpu()->cpu;
}

/* Point GS.base at cpus[cpu] and load its GDT, TSS and the IDT. */
void percpu_setup(u32 cpu, u32 apic_id);

#endif
