/* SPDX-License-Identifier: MIT */
/*
 * Assertions for the TDP MMU that work in both builds: a BUG in the kernel
 * (panic), a call to tdp_bug() in hosted programs (the cmocka tests turn it
 * into an assertion failure; the benchmark aborts). Also the per-CPU
 * "mmu_lock held" depth that lets the allocation paths prove they never run
 * under mmu_lock.
 */
#ifndef TERN_MM_TDP_TDP_DEBUG_H
#define TERN_MM_TDP_TDP_DEBUG_H

#include "lib/types.h"

#ifdef TERN_KERNEL
#include "kernel/panic.h"
#include "kernel/percpu.h"

#define TDP_BUG_ON(cond) BUG_ON(cond)
/* Times this CPU holds an mmu_lock (any VM, read or write). */
extern s32 mmu_lock_held_depth[MAX_CPUS];
#define MMU_LOCK_DEPTH_REF (mmu_lock_held_depth[this_cpu_id()])
#else
/* Provided by the hosted program (tests: mock_assert; benchmark: abort). */
void tdp_bug(const char *expr, const char *file, int line);
#define TDP_BUG_ON(cond)                                             \
	do {                                                         \
		if (unlikely(cond))                                  \
			tdp_bug(#cond, __FILE__, __LINE__);          \
	} while (0)
/* Hosted programs drive "CPUs" from one thread: one counter. */
extern s32 mmu_lock_held_depth_host;
#define MMU_LOCK_DEPTH_REF (mmu_lock_held_depth_host)
#endif

/* Any allocation must call this first: allocating under mmu_lock is a bug. */
#define MMU_ASSERT_NOT_LOCKED() TDP_BUG_ON(MMU_LOCK_DEPTH_REF != 0)

#endif
