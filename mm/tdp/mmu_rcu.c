/* SPDX-License-Identifier: MIT */
/*
 * Epoch-based grace periods (see mmu_rcu.h). A CPU's quiescent point stores
 * the current epoch in seen[cpu]; because mmu_rcu_stamp() increments the
 * epoch before returning it, seen[cpu] >= stamp proves the CPU passed a
 * quiescent point after the object was retired. Offline CPUs never block.
 */
#include "mm/tdp/mmu_rcu.h"

#include "mm/tdp/tdp_debug.h"

static u64 epoch = 1;			 /* (a) */
static u64 seen[MMU_RCU_MAX_CPUS];	 /* (a) epoch at the CPU's last quiescent point */
static u64 online_mask;			 /* (a) */

void mmu_rcu_cpu_online(u32 cpu)
{
	TDP_BUG_ON(cpu >= MMU_RCU_MAX_CPUS);
	if (cpu >= MMU_RCU_MAX_CPUS)
		return;
	__atomic_store_n(&seen[cpu], __atomic_load_n(&epoch, __ATOMIC_SEQ_CST), __ATOMIC_SEQ_CST);
	__atomic_fetch_or(&online_mask, BIT(cpu), __ATOMIC_SEQ_CST);
}

void mmu_rcu_cpu_offline(u32 cpu)
{
	TDP_BUG_ON(cpu >= MMU_RCU_MAX_CPUS);
	__atomic_fetch_and(&online_mask, ~BIT(cpu), __ATOMIC_SEQ_CST);
}

void mmu_quiescent(u32 cpu)
{
	if (cpu >= MMU_RCU_MAX_CPUS)
		return;
	__atomic_store_n(&seen[cpu], __atomic_load_n(&epoch, __ATOMIC_SEQ_CST), __ATOMIC_SEQ_CST);
}

u64 mmu_rcu_stamp(void)
{
	return __atomic_add_fetch(&epoch, 1, __ATOMIC_SEQ_CST);
}

bool mmu_rcu_expired(u64 stamp)
{
	u64 mask = __atomic_load_n(&online_mask, __ATOMIC_SEQ_CST);

	for (u32 cpu = 0; mask; cpu++, mask >>= 1)
		if ((mask & 1) && __atomic_load_n(&seen[cpu], __ATOMIC_SEQ_CST) < stamp)
			return false;
	return true;
}

void mmu_rcu_reset(void)
{
	__atomic_store_n(&online_mask, 0, __ATOMIC_SEQ_CST);
	for (u32 cpu = 0; cpu < MMU_RCU_MAX_CPUS; cpu++)
		__atomic_store_n(&seen[cpu], 0, __ATOMIC_SEQ_CST);
}
