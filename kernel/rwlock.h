/* SPDX-License-Identifier: MIT */
/*
 * Reader-writer spinlock with writer preference: once a writer is waiting,
 * new readers hold back, so a steady stream of readers cannot starve writers.
 * (The reverse can happen: constant writers delay readers.) Readers share the
 * lock; a writer excludes everyone. Not recursive; a reader may not upgrade.
 * The _irqsave variants also disable interrupts on this CPU (kernel build).
 */
#ifndef TERN_KERNEL_RWLOCK_H
#define TERN_KERNEL_RWLOCK_H

#include "lib/types.h"

#define RWLOCK_WRITER	    BIT(31) /* in state: a writer holds the lock */
#define RWLOCK_READERS_MASK (RWLOCK_WRITER - 1)

typedef struct rwlock {
	u32 state;	     /* (a) RWLOCK_WRITER | number of readers inside */
	u32 writers_waiting; /* (a) writers spinning for the lock */
} rwlock_t;

#define RWLOCK_INIT                                                                                \
	{                                                                                          \
		0, 0                                                                               \
	}

void rwlock_init(rwlock_t *l);

void read_lock(rwlock_t *l);
bool read_trylock(rwlock_t *l);
void read_unlock(rwlock_t *l);

void write_lock(rwlock_t *l);
bool write_trylock(rwlock_t *l);
void write_unlock(rwlock_t *l);

#ifdef TERN_KERNEL
unsigned long read_lock_irqsave(rwlock_t *l);
void read_unlock_irqrestore(rwlock_t *l, unsigned long flags);
unsigned long write_lock_irqsave(rwlock_t *l);
void write_unlock_irqrestore(rwlock_t *l, unsigned long flags);
#endif

#endif
