/* SPDX-License-Identifier: MIT */
/*
 * Grace periods for page tables unlinked by a zap. Lockless walkers (the
 * MMIO fast path, hardware on another CPU until its TLB flush) may still be
 * looking at an unlinked table, so it is freed only after every CPU
 * registered online has passed a quiescent point after the table was
 * stamped. A global epoch counter: mmu_rcu_stamp() advances it and returns
 * the new value; mmu_quiescent(cpu) records the epoch the CPU has seen; a
 * stamp has expired when every online CPU has seen an epoch >= stamp.
 * The lists of waiting tables are per VM (struct tdp_mmu, mm/tdp/tdp_mmu.c).
 */
#ifndef TERN_MM_TDP_MMU_RCU_H
#define TERN_MM_TDP_MMU_RCU_H

#include "lib/types.h"

#define MMU_RCU_MAX_CPUS 64

/* A CPU that can run vCPUs; until it goes offline it blocks grace periods. */
void mmu_rcu_cpu_online(u32 cpu);
void mmu_rcu_cpu_offline(u32 cpu);
/* Called by each CPU at a quiescent point: between VM exits, in idle. */
void mmu_quiescent(u32 cpu);
/* A stamp for an object retired now. */
u64 mmu_rcu_stamp(void);
/* Has every online CPU passed a quiescent point since 'stamp'? */
bool mmu_rcu_expired(u64 stamp);
/* Tests: forget every CPU and reset the epoch. */
void mmu_rcu_reset(void);

#endif
