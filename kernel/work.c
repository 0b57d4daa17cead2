/* SPDX-License-Identifier: MIT */
/* Posting work to a CPU and the idle loop that runs it. */
#include "kernel/work.h"

#include "arch/x86/idt.h"
#include "arch/x86/irqflags.h"
#include "arch/x86/lapic.h"
#include "kernel/percpu.h"
#include "mm/tdp/mmu_rcu.h"

struct work_slot {
	void (*fn)(void *); /* (a) NULL when empty */
	void *arg;
};

static struct work_slot slots[MAX_CPUS];

/* The wake-up IPI needs no action: delivering it ends the target's HLT. */
static void wake_handler(struct irq_frame *f)
{
	(void)f;
	lapic_eoi();
}

void work_init(void)
{
	irq_register(VECTOR_IPI_RESCHED, wake_handler);
}

int cpu_post_work(u32 cpu, void (*fn)(void *), void *arg)
{
	if (cpu >= MAX_CPUS || !cpus[cpu].online)
		return -E_INVAL;
	/* One poster (the VM manager on the boot CPU): no race between the two stores. */
	if (__atomic_load_n(&slots[cpu].fn, __ATOMIC_ACQUIRE))
		return -E_BUSY;
	slots[cpu].arg = arg;
	__atomic_store_n(&slots[cpu].fn, fn, __ATOMIC_RELEASE);
	if (cpu != this_cpu_id())
		return lapic_send_ipi(IPI_DEST_ONE, cpus[cpu].apic_id, VECTOR_IPI_RESCHED);
	return 0;
}

int cpu_kick(u32 cpu)
{
	if (cpu >= MAX_CPUS || !cpus[cpu].online)
		return -E_INVAL;
	if (cpu == this_cpu_id())
		return 0;
	return lapic_send_ipi(IPI_DEST_ONE, cpus[cpu].apic_id, VECTOR_IPI_RESCHED);
}

void cpu_run_posted_work(void)
{
	struct work_slot *s = &slots[this_cpu_id()];
	void (*fn)(void *) = __atomic_load_n(&s->fn, __ATOMIC_ACQUIRE);

	if (!fn)
		return;
	irq_enable();
	fn(s->arg);
	__atomic_store_n(&s->fn, NULL, __ATOMIC_RELEASE);
}

void cpu_idle_loop(void)
{
	for (;;) {
		irq_disable();
		if (__atomic_load_n(&slots[this_cpu_id()].fn, __ATOMIC_ACQUIRE)) {
			cpu_run_posted_work();
			continue;
		}
		/* A quiescent point: this CPU holds no second-level table. */
		mmu_quiescent(this_cpu_id());
		/* STI's one-instruction shadow makes the check-then-sleep atomic. */
		asm volatile("sti; hlt" ::: "memory");
	}
}
