/* SPDX-License-Identifier: MIT */
/*
 * The VM side of the TDP MMU (mm/tdp): per-VM setup with a table-page cap,
 * the demand-fault path of VM_EXIT_TDP_FAULT, the MMIO fast path of
 * VM_EXIT_TDP_MISCONFIG, zaps for slot changes, grace-period bookkeeping and
 * statistics. virt/mmio.c decides what to do with the outcome.
 */
#include "virt/tdp.h"

#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/reclaim/evict.h"
#include "mm/reclaim/host_reclaim.h"
#include "mm/phys.h"
#include "mm/tdp/tdp_mmu.h"
#include "virt/sched.h"
#include "virt/vm.h"

#define FAULT_RETRIES_MAX 64	 /* in one exit, before re-entering the guest */
#define CAP_STRIKES_MAX	  100000 /* consecutive cap hits before giving up */
#define PAGES_PER_2M	  (MiB(2) / PAGE_SIZE)

const struct tdp_format *tdp_format;
const struct spte_format *tdp_spte_format;
int tdp_max_level = TDP_LEVEL_2M;

/* The largest leaf this VM may use: the CPU's limit and its maxleaf= option. */
static int vm_max_level(const struct vm *vm)
{
	int l = tdp_max_level;

	if (vm->tdp_max_leaf >= TDP_LEVEL_4K && vm->tdp_max_leaf < l)
		l = vm->tdp_max_leaf;
	return l;
}

u64 tdp_default_cap(u64 mem_bytes)
{
	/* PT pages for all of RAM at 4 KiB, PDs, twice over, plus slack. */
	u64 pages = (mem_bytes >> 21) + (mem_bytes >> 30) + 1;

	return 2 * pages + 64;
}

int tdp_vm_init(struct vm *vm)
{
	struct tdp_mmu *mmu;
	int err;

	err = evict_vm_init(vm);
	if (err)
		return err;
	mmu = kzalloc_pages(sizeof(*mmu));
	if (!mmu)
		return -E_NOMEM;
	if (!vm->tdp_pages_cap)
		vm->tdp_pages_cap = tdp_default_cap(vm->mem_bytes);
	err = tdp_mmu_init(mmu, tdp_spte_format, vm->tdp_pages_cap);
	if (err) {
		kfree_pages(mmu, sizeof(*mmu));
		return err;
	}
	tdp_mmu_set_memslots(mmu, &vm->slots);
	vm->mmu = mmu;
	vm->tdp_root = mmu->root_pa;
	if (vm->reclaim)
		host_reclaim_register(vm);
	return 0;
}

void tdp_destroy(struct vm *vm)
{
	if (!vm->mmu)
		return;
	tdp_mmu_destroy(vm->mmu);
	kfree_pages(vm->mmu, sizeof(*vm->mmu));
	vm->mmu = NULL;
	vm->tdp_root = 0;
}

void tdp_vcpu_destroy(struct vcpu *v)
{
	mmu_cache_free(&v->mmu_cache);
}

paddr_t tdp_backing(struct memslot *m, u64 idx, bool alloc)
{
	paddr_t pa = __atomic_load_n(&m->backing[idx], __ATOMIC_ACQUIRE);

	if (pa || !alloc)
		return pa;
	if (tdp_prepare_backing(m, m->base_gfn + idx, TDP_LEVEL_2M, &pa))
		return 0;
	return pa;
}

bool tdp_mmio_fast(struct vcpu *v, u64 gpa)
{
	struct vm *vm = v->vm;
	u64 gen = memslot_generation(&vm->slots);

	/* A slot change under way: never trust an MMIO SPTE. */
	if (gen & MEMSLOT_GEN_UPDATE_IN_PROGRESS)
		return false;
	return tdp_mmu_mmio_fast(vm->mmu, gpa, gen);
}

/*
 * The cap is reached: free what waits for a grace period; if the tables in
 * use still fill the cap, zap everything (the guest faults back what it
 * uses). The caller re-enters the guest, which faults again.
 */
static enum tdp_outcome cap_reached(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct tdp_mmu *mmu = vm->mmu;

	if (++v->cap_strikes > CAP_STRIKES_MAX) {
		vm_stop(vm, VM_STATUS_RULE_BROKEN,
			"second-level table cap of %llu pages too small (in use %llu)",
			(unsigned long long)mmu->max_pages,
			(unsigned long long)__atomic_load_n(&mmu->pages, __ATOMIC_RELAXED));
		return TDP_STOPPED;
	}
	mmu_quiescent(this_cpu_id());
	tdp_mmu_reclaim(mmu);
	if (__atomic_load_n(&mmu->pages, __ATOMIC_RELAXED) -
			    __atomic_load_n(&mmu->deferred_pages, __ATOMIC_RELAXED) >=
		    mmu->max_pages / 2 &&
	    tdp_mmu_zap_all(mmu, NULL, NULL))
		vm_flush_tlb_kick(vm);
	return TDP_RESUME;
}

/*
 * Host pages a fault on f's gfn may allocate: none when its backing is
 * resident, one page in a reclaimable VM, a 2 MiB block at most otherwise
 * (a 1 GiB block is only tried when it is free, see tdp_prepare_backing).
 */
static u64 fault_alloc_pages(struct vm *vm, const struct tdp_fault *f)
{
	const struct memslot *m = f->slot;

	if (!evict_needs_page(m, f->gfn - m->base_gfn))
		return 0;
	return vm->reclaim ? 1 : PAGES_PER_2M;
}

/* One attempt: backing (or refault), cache top-up, the MMU fault. */
static enum fault_result fault_once(struct vcpu *v, u64 gpa, bool write, bool exec, bool rsvd,
				    u64 *need_pages)
{
	struct vm *vm = v->vm;
	struct tdp_fault f;
	enum fault_result r = FAULT_NO_MEMORY;

	read_lock(&vm->slots_lock);
	tdp_fault_init(&f, &vm->slots, gpa, write, exec);
	f.rsvd = rsvd;
	f.max_level = vm_max_level(vm);
	if (f.slot) {
		/* Guest memory never eats into the host reserve. */
		u64 pages = fault_alloc_pages(vm, &f);

		if (pages && !host_mem_guest_may_alloc(pages)) {
			*need_pages = pages;
			goto unlock;
		}
	}
	if (f.slot && vm->reclaim) {
		/* Reclaimable: 4 KiB backing, refault from the compressed store. */
		struct memslot *m = (struct memslot *)f.slot;

		if (evict_prepare_backing(vm, m, f.gfn - m->base_gfn, true, &f.pfn_pa))
			goto unlock;
	} else if (f.slot &&
		   tdp_prepare_backing((struct memslot *)f.slot, f.gfn, f.max_level, &f.pfn_pa)) {
		goto unlock;
	}
	if (mmu_cache_topup(&v->mmu_cache, MMU_MODE_TDP))
		goto unlock;
	r = tdp_mmu_fault(vm->mmu, &v->mmu_cache, &f);
unlock:
	read_unlock(&vm->slots_lock);
	return r;
}

enum tdp_outcome tdp_handle_fault(struct vcpu *v, u64 gpa, bool write, bool exec, bool rsvd)
{
	struct vm *vm = v->vm;
	enum fault_result r = FAULT_RETRY;

	if ((gpa >> PAGE_SHIFT) >= TDP_MAX_GFN)
		return TDP_EMULATE; /* beyond what the tables map: never RAM */
	for (int tries = 0; r == FAULT_RETRY && tries < FAULT_RETRIES_MAX; tries++) {
		u64 need_pages = 0;

		r = fault_once(v, gpa, write, exec, rsvd, &need_pages);
		/* Below the reserve: reclaim (no lock held), then try again. */
		if (need_pages && host_reclaim_direct(need_pages))
			r = FAULT_RETRY;
		if (r == FAULT_RETRY)
			v->stats.tdp_fault_retry++;
	}
	switch (r) {
	case FAULT_FIXED:
	case FAULT_SPURIOUS:
	case FAULT_RETRY: /* re-entering the guest re-runs the fault */
		v->stats.tdp_faults++;
		v->cap_strikes = 0;
		evict_check(vm); /* over the resident limit: age and evict */
		return TDP_RESUME;
	case FAULT_MMIO:
		v->stats.mmio_slow++;
		return TDP_EMULATE;
	case FAULT_CAP:
		return cap_reached(v);
	case FAULT_NO_MEMORY:
		vm_stop(vm, VM_STATUS_RULE_BROKEN, "out of host memory for gpa %#llx",
			(unsigned long long)gpa);
		return TDP_STOPPED;
	case FAULT_ERROR:
	default:
		vm_stop(vm, VM_STATUS_RULE_BROKEN, "second-level fault at gpa %#llx failed: %s",
			(unsigned long long)gpa, fault_result_name(r));
		return TDP_STOPPED;
	}
}

void tdp_update_lock(struct vm *vm)
{
	tdp_mmu_write_lock(vm->mmu);
}

bool tdp_zap_gfn_range(struct vm *vm, u64 start, u64 end)
{
	bool flush = false;

	tdp_mmu_zap_range_locked(vm->mmu, start, MIN(end, TDP_MAX_GFN), &flush);
	return flush;
}

bool tdp_update_unlock(struct vm *vm)
{
	struct tdp_mmu *mmu = vm->mmu;
	u64 zapped = __atomic_load_n(&mmu->stats.sptes_zapped, __ATOMIC_RELAXED);
	bool wrapped;

	tdp_mmu_gen_changed(mmu);
	/* A wrap of the generation bits zapped every SPTE: flush. */
	wrapped = __atomic_load_n(&mmu->stats.sptes_zapped, __ATOMIC_RELAXED) != zapped;
	tdp_mmu_write_unlock(mmu);
	return wrapped;
}

void tdp_quiescent(struct vm *vm)
{
	mmu_quiescent(this_cpu_id());
	if (vm && vm->mmu && __atomic_load_n(&vm->mmu->deferred_pages, __ATOMIC_RELAXED))
		tdp_mmu_reclaim(vm->mmu);
}

void tdp_cpu_online(bool online)
{
	if (online)
		mmu_rcu_cpu_online(this_cpu_id());
	else
		mmu_rcu_cpu_offline(this_cpu_id());
}

void tdp_vm_stats(struct vm *vm, struct tdp_vm_stats *out)
{
	struct tdp_mmu *mmu = vm->mmu;

	memset(out, 0, sizeof(*out));
	for (u32 i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i])
			out->cache_bytes += mmu_cache_bytes_reserved(&vm->vcpus[i]->mmu_cache);
	if (!mmu)
		return;
	out->table_pages = mmu->pages;
	out->table_pages_max = mmu->high_water;
	out->table_pages_cap = mmu->max_pages;
	out->deferred_pages = mmu->deferred_pages;
	out->faults = mmu->stats.faults;
	out->fixed = mmu->stats.fixed;
	out->spurious = mmu->stats.spurious;
	out->retries = mmu->stats.retries;
	out->mmio = mmu->stats.mmio;
	out->mmio_fast = mmu->stats.mmio_fast_hits;
	out->cap_hits = mmu->stats.cap_hits;
	out->zapped = mmu->stats.sptes_zapped;
	out->leaves_4k = mmu->stats.leaves[TDP_LEVEL_4K - 1];
	out->leaves_2m = mmu->stats.leaves[TDP_LEVEL_2M - 1];
	out->leaves_1g = mmu->stats.leaves[TDP_LEVEL_1G - 1];
}

paddr_t tdp_translate(struct vm *vm, u64 gpa)
{
	return vm->mmu ? tdp_mmu_translate(vm->mmu, gpa, NULL) : 0;
}
