/* SPDX-License-Identifier: MIT */
/* Collecting and printing VM statistics. */
#include "virt/stats.h"

#include "kernel/printk.h"
#include "kernel/time.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/reclaim/evict.h"
#include "mm/reclaim/host_reclaim.h"
#include "virt/tdp.h"
#include "virt/vm.h"

_Static_assert(VM_EXIT_NR_KINDS <= TERN_STATS_EXIT_KINDS, "exit kinds fit the stats ABI");

static const char *const exit_names[] = {
#define X(name, str) [VM_EXIT_##name] = str,
	VM_EXIT_KINDS(X)
#undef X
};

const char *vm_exit_name(enum vm_exit_kind k)
{
	return k < VM_EXIT_NR_KINDS ? exit_names[k] : "?";
}

void vm_stats_collect(struct vm *vm, struct tern_vm_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (u32 i = 0; i < vm->nr_vcpus; i++) {
		const struct vcpu_stats *s = &vm->vcpus[i]->stats;

		for (int k = 0; k < VM_EXIT_NR_KINDS; k++) {
			out->exits_by_kind[k] += s->exits[k];
			out->exits_total += s->exits[k];
		}
		out->tsc_in_guest += s->tsc_in_guest;
		out->tsc_in_tern += s->tsc_in_tern;
		out->tdp_faults += s->tdp_faults;
		out->mmio_fast += s->mmio_fast;
		out->mmio_slow += s->mmio_slow;
		out->tlb_kicks += __atomic_load_n(&s->tlb_kicks, __ATOMIC_RELAXED);
	}
	{
		struct tdp_vm_stats t;

		tdp_vm_stats(vm, &t);
		out->table_pages = t.table_pages;
		out->table_pages_max = t.table_pages_max;
		out->table_pages_cap = t.table_pages_cap;
		out->cap_hits = t.cap_hits;
		out->leaves_4k = t.leaves_4k;
		out->leaves_2m = t.leaves_2m;
		out->leaves_1g = t.leaves_1g;
	}
	out->memslot_generation = memslot_generation(&vm->slots);
	{
		struct evict_stats e;

		evict_get_stats(vm, &e);
		out->oc_limit_pages = e.limit_pages;
		out->oc_resident_pages = e.resident_pages;
		out->oc_resident_max = e.resident_max;
		out->oc_scans = e.scans;
		out->oc_young = e.young;
		out->oc_old = e.old;
		out->oc_evict_zero = e.evict_zero;
		out->oc_evict_compressed = e.evict_compressed;
		out->oc_evict_kept = e.evict_kept;
		out->oc_refaults = e.refaults;
		out->oc_stored_pages = e.stored_pages;
		out->oc_stored_bytes = e.stored_bytes;
		out->oc_ratio_x100 = e.ratio_x100;
		out->oc_age_ns_per_page = e.age_ns_per_page;
		out->oc_evict_raw = e.evict_raw;
		out->oc_incomp_skipped = e.incomp_skipped;
		out->oc_host_evicted = e.host_evicted;
	}
	{
		struct host_reclaim_stats h;

		host_reclaim_get_stats(&h);
		out->host_free_pages = h.free_now;
		out->host_free_lowest = h.free_lowest;
		out->host_reserve_pages = h.wm.min;
		out->host_low_pages = h.wm.low;
	}
}

static u64 tsc_to_us(u64 tsc)
{
	return tsc_khz ? tsc * 1000 / tsc_khz : 0;
}

void vm_stats_print(struct vm *vm)
{
	struct tern_vm_stats st;
	char line[256];
	size_t n = 0;

	vm_stats_collect(vm, &st);
	for (int k = 0; k < VM_EXIT_NR_KINDS && n < sizeof(line); k++)
		if (st.exits_by_kind[k])
			n += (size_t)snformat(line + n, sizeof(line) - n, " %s=%llu",
					      vm_exit_name((enum vm_exit_kind)k),
					      (unsigned long long)st.exits_by_kind[k]);
	line[MIN(n, sizeof(line) - 1)] = '\0';
	pr_info("VM %s stats: %llu exits:%s\n", vm->name, (unsigned long long)st.exits_total, line);
	pr_info("VM %s stats: %llu us in guest, %llu us in Tern, unassigned io r/w %llu/%llu mmio "
		"r/w %llu/%llu\n",
		vm->name, (unsigned long long)tsc_to_us(st.tsc_in_guest),
		(unsigned long long)tsc_to_us(st.tsc_in_tern),
		(unsigned long long)vm->stats.unassigned_io_reads,
		(unsigned long long)vm->stats.unassigned_io_writes,
		(unsigned long long)vm->stats.unassigned_mmio_reads,
		(unsigned long long)vm->stats.unassigned_mmio_writes);
	{
		struct tdp_vm_stats t;

		tdp_vm_stats(vm, &t);
		pr_info("VM %s stats: tdp faults %llu (retried %llu), mmio fast/slow %llu/%llu, "
			"table pages %llu used/%llu high-water/%llu cap (%llu deferred), vcpu "
			"caches %llu bytes, tlb kicks %llu, memslot gen %llu\n",
			vm->name, (unsigned long long)st.tdp_faults, (unsigned long long)t.retries,
			(unsigned long long)st.mmio_fast, (unsigned long long)st.mmio_slow,
			(unsigned long long)t.table_pages, (unsigned long long)t.table_pages_max,
			(unsigned long long)t.table_pages_cap, (unsigned long long)t.deferred_pages,
			(unsigned long long)t.cache_bytes, (unsigned long long)st.tlb_kicks,
			(unsigned long long)st.memslot_generation);
		pr_info("VM %s stats: leaves 4k/2m/1g %llu/%llu/%llu, cap hits %llu\n", vm->name,
			(unsigned long long)t.leaves_4k, (unsigned long long)t.leaves_2m,
			(unsigned long long)t.leaves_1g, (unsigned long long)t.cap_hits);
	}
	if (vm->reclaim) {
		struct evict_stats e;

		evict_get_stats(vm, &e);
		pr_info("VM %s stats: overcommit: resident %llu KiB (max %llu, limit %llu KiB), "
			"aging scans %llu young/old %llu/%llu (%llu ns/page), evicted zero %llu "
			"compressed %llu raw %llu (for the host %llu), kept incompressible %llu "
			"(skipped %llu), refaults %llu, stored %llu pages in %llu bytes (ratio "
			"%llu.%02llu, %llu bytes allocated), over limit %llu, early eviction %llu "
			"picks in %llu passes (%llu switches)\n",
			vm->name, (unsigned long long)(e.resident_pages << 2),
			(unsigned long long)(e.resident_max << 2),
			(unsigned long long)(e.limit_pages << 2), (unsigned long long)e.scans,
			(unsigned long long)e.young, (unsigned long long)e.old,
			(unsigned long long)e.age_ns_per_page, (unsigned long long)e.evict_zero,
			(unsigned long long)e.evict_compressed, (unsigned long long)e.evict_raw,
			(unsigned long long)e.host_evicted, (unsigned long long)e.evict_kept,
			(unsigned long long)e.incomp_skipped, (unsigned long long)e.refaults,
			(unsigned long long)e.stored_pages, (unsigned long long)e.stored_bytes,
			(unsigned long long)(e.ratio_x100 / 100),
			(unsigned long long)(e.ratio_x100 % 100),
			(unsigned long long)e.store_alloc_bytes, (unsigned long long)e.over_limit,
			(unsigned long long)e.early_picks, (unsigned long long)e.early_passes,
			(unsigned long long)e.early_switches);
	}
}
