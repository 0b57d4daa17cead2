/* SPDX-License-Identifier: MIT */
/*
 * The reader-writer spinlock. state counts readers and carries the writer
 * bit; a reader enters only with a compare-and-swap from a writer-free state,
 * and a writer only from 0, so the two can never overlap. writers_waiting is
 * the preference: readers that see it non-zero wait before trying, letting
 * the reader count drain to zero for the writer.
 */
#include "kernel/rwlock.h"

#include "kernel/spinlock.h"

void rwlock_init(rwlock_t *l)
{
	__atomic_store_n(&l->state, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&l->writers_waiting, 0, __ATOMIC_RELAXED);
}

bool read_trylock(rwlock_t *l)
{
	u32 old = __atomic_load_n(&l->state, __ATOMIC_RELAXED);

	if (old & RWLOCK_WRITER || (old & RWLOCK_READERS_MASK) == RWLOCK_READERS_MASK)
		return false;
	return __atomic_compare_exchange_n(&l->state, &old, old + 1, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

void read_lock(rwlock_t *l)
{
	for (;;) {
		while (__atomic_load_n(&l->writers_waiting, __ATOMIC_RELAXED) ||
		       (__atomic_load_n(&l->state, __ATOMIC_RELAXED) & RWLOCK_WRITER))
			cpu_relax();
		if (read_trylock(l))
			return;
		cpu_relax();
	}
}

void read_unlock(rwlock_t *l)
{
	__atomic_fetch_sub(&l->state, 1, __ATOMIC_RELEASE);
}

bool write_trylock(rwlock_t *l)
{
	u32 expected = 0;

	return __atomic_compare_exchange_n(&l->state, &expected, RWLOCK_WRITER, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void write_lock(rwlock_t *l)
{
	__atomic_fetch_add(&l->writers_waiting, 1, __ATOMIC_RELAXED);
	while (!write_trylock(l))
		cpu_relax();
	__atomic_fetch_sub(&l->writers_waiting, 1, __ATOMIC_RELAXED);
}

void write_unlock(rwlock_t *l)
{
	/* Only the writer bit is set while a writer holds the lock. */
	__atomic_store_n(&l->state, 0, __ATOMIC_RELEASE);
}

#ifdef TERN_KERNEL
#include "arch/x86/irqflags.h"

unsigned long read_lock_irqsave(rwlock_t *l)
{
	unsigned long flags = irq_save();

	read_lock(l);
	return flags;
}

void read_unlock_irqrestore(rwlock_t *l, unsigned long flags)
{
	read_unlock(l);
	irq_restore(flags);
}

unsigned long write_lock_irqsave(rwlock_t *l)
{
	unsigned long flags = irq_save();

	write_lock(l);
	return flags;
}

void write_unlock_irqrestore(rwlock_t *l, unsigned long flags)
{
	write_unlock(l);
	irq_restore(flags);
}
#endif
