/* SPDX-License-Identifier: MIT */
/* Saving, disabling and restoring RFLAGS.IF on this CPU. */
#ifndef TERN_ARCH_X86_IRQFLAGS_H
#define TERN_ARCH_X86_IRQFLAGS_H

#define RFLAGS_IF (1ul << 9)

static inline unsigned long read_rflags(void)
{
	unsigned long f;

	asm volatile("pushfq; popq %0" : "=r"(f) : : "memory");
	return f;
}

static inline void irq_disable(void)
{
	asm volatile("cli" ::: "memory");
}

static inline void irq_enable(void)
{
	asm volatile("sti" ::: "memory");
}

static inline unsigned long irq_save(void)
{
	unsigned long f = read_rflags();

	irq_disable();
	return f;
}

static inline void irq_restore(unsigned long flags)
{
	if (flags & RFLAGS_IF)
		irq_enable();
}

static inline bool irqs_enabled(void)
{
	return read_rflags() & RFLAGS_IF;
}

#endif
