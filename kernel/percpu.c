/* SPDX-License-Identifier: MIT */
/* Per-CPU areas and the per-CPU part of CPU bring-up (tables, GS.base). */
#include "kernel/percpu.h"

#include "arch/x86/msr.h"
#include "lib/string.h"

struct percpu cpus[MAX_CPUS];
u32 nr_cpus_online;
u32 nr_cpus_present = 1;

static u8 ist_stacks[MAX_CPUS][IST_COUNT][IST_STACK_SIZE] __aligned(16);

void percpu_setup(u32 cpu, u32 apic_id)
{
	struct percpu *p = &cpus[cpu];

	p->self = p;
	p->cpu = cpu;
	p->apic_id = apic_id;
	p->catch.vector = -1;
	for (int i = 0; i < IST_COUNT; i++)
		p->ist_top[i] = (u64)(uintptr_t)&ist_stacks[cpu][i][IST_STACK_SIZE];
	cpu_tables_init(&p->tables, p->ist_top);
	cpu_tables_load(&p->tables);
	idt_load();
	wrmsr(MSR_GS_BASE, (u64)(uintptr_t)p);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}
