/* SPDX-License-Identifier: MIT */
/*
 * Memory overcommit of one VM (evict.h): set-up, populate and refault,
 * freeing, statistics. Aging and eviction are in evict_scan.c.
 */
#include "mm/reclaim/evict_priv.h"

#include "kernel/printk.h"
#include "kernel/time.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/objcache.h"
#include "mm/phys.h"
#include "mm/tdp/tdp_mmu.h"
#include "virt/vm.h"

/* ---- blob memory: kmalloc buckets, whole pages above them ---- */

static void *blob_alloc(size_t bytes, u32 *allocated)
{
	if (bytes <= KMALLOC_MAX_SIZE) {
		u32 sz = KMALLOC_MIN_SIZE;

		while (sz < bytes)
			sz <<= 1;
		*allocated = sz;
		return kmalloc(bytes);
	}
	*allocated = (u32)ALIGN_UP(bytes, PAGE_SIZE);
	return kzalloc_pages(bytes);
}

static void blob_free(void *p, u32 allocated)
{
	if (allocated <= KMALLOC_MAX_SIZE)
		kfree(p);
	else
		kfree_pages(p, allocated);
}

static const struct zstore_alloc blob_ops = {.alloc = blob_alloc, .free = blob_free};

/* ---- setup ---- */

static void track_loaded_pages(struct vm *vm, struct vm_reclaim *r)
{
	read_lock(&vm->slots_lock);
	for (u32 s = 0; s < vm->slots.count; s++) {
		const struct memslot *m = &vm->slots.slots[s];

		for (u64 i = 0; i < m->npages; i++) {
			if (!__atomic_load_n(&m->backing[i], __ATOMIC_RELAXED))
				continue;
			r->resident++;
			lru_add(&r->lru, EVICT_KEY(m->id, i));
		}
	}
	read_unlock(&vm->slots_lock);
	r->resident_max = r->resident;
}

int evict_vm_init(struct vm *vm)
{
	u64 limit = vm->maxmem_bytes >> PAGE_SHIFT;
	u64 pages = vm->mem_bytes >> PAGE_SHIFT;
	struct vm_reclaim *r;

	if (!limit)
		return 0;		 /* not reclaimable */
	vm->tdp_max_leaf = TDP_LEVEL_4K; /* page-size backing and leaves only */
	r = kzalloc_pages(sizeof(*r));
	if (!r)
		return -E_NOMEM;
	r->lru_capacity = (u32)(pages + EVICT_LRU_SLACK);
	r->lru_pages = kzalloc_pages((size_t)r->lru_capacity * sizeof(struct lru_page));
	if (!r->lru_pages) {
		kfree_pages(r, sizeof(*r));
		return -E_NOMEM;
	}
	spin_lock_init(&r->lock);
	lru_init(&r->lru, r->lru_pages, r->lru_capacity);
	zstore_init(&r->zs, &blob_ops);
	keyset_init(&r->incomp, r->incomp_slots, EVICT_INCOMP_SLOTS);
	if (limit >= pages) {
		r->limit = r->low = ~0ull; /* host pressure only */
	} else {
		r->limit = limit;
		r->low = limit - MAX(limit / 16, MIN(limit / 2, 16ull));
	}
	/* What the loader populated (possibly in 2 MiB blocks, split into pages). */
	track_loaded_pages(vm, r);
	vm->reclaim = r;
	if (limit < pages)
		pr_info("VM %s: overcommit: resident limit %llu KiB of %llu KiB (4 KiB leaves)\n",
			vm->name, (unsigned long long)(limit << 2),
			(unsigned long long)(pages << 2));
	else
		pr_info("VM %s: reclaimable under host memory pressure (4 KiB leaves)\n", vm->name);
	return 0;
}

int evict_reserve(struct vm *vm, u64 pages)
{
	struct vm_reclaim *r = vm->reclaim;
	struct lru_page *store, *old;
	u64 want = pages + EVICT_LRU_SLACK;
	u32 old_cap;

	if (!r)
		return 0;
	for (u32 s = 0; s < vm->slots.count; s++)
		want += vm->slots.slots[s].npages;
	if (want <= r->lru_capacity)
		return 0;
	want = MAX(want, (u64)r->lru_capacity * 3 / 2); /* amortised growth */
	if (want > LRU_MAX_CAPACITY)
		return -E_NOMEM;
	store = kzalloc_pages(want * sizeof(struct lru_page));
	if (!store)
		return -E_NOMEM;
	spin_lock(&r->lock);
	old = r->lru_pages;
	old_cap = r->lru_capacity;
	lru_grow(&r->lru, store, (u32)want);
	r->lru_pages = store;
	r->lru_capacity = (u32)want;
	spin_unlock(&r->lock);
	kfree_pages(old, (size_t)old_cap * sizeof(struct lru_page));
	return 0;
}

void evict_vm_destroy(struct vm *vm)
{
	struct vm_reclaim *r = vm->reclaim;

	if (!r)
		return;
	vm->reclaim = NULL;
	kfree_pages(r->lru_pages, (size_t)r->lru_capacity * sizeof(struct lru_page));
	kfree_pages(r, sizeof(*r));
}

/* ---- populate and refault (slots_lock held for read) ---- */

static void resident_inc(struct vm_reclaim *r, u64 key)
{
	r->resident++;
	if (r->resident > r->resident_max)
		r->resident_max = r->resident;
	lru_add(&r->lru, key); /* -E_NOMEM (full): the page stays untracked */
}

bool evict_needs_page(const struct memslot *m, u64 idx)
{
	paddr_t e = __atomic_load_n(&m->backing[idx], __ATOMIC_ACQUIRE);

	return !e || zstore_is_entry(e);
}

/* Never populated, or evicted as zeros: a fresh zero page. */
static int populate_zero(struct vm_reclaim *r, struct memslot *m, u64 idx)
{
	void *page = page_alloc_zeroed_virt(0);
	paddr_t e = 0;

	if (!page)
		return -E_NOMEM;
	if (__atomic_compare_exchange_n(&m->backing[idx], &e, virt_to_phys(page), false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		spin_lock(&r->lock);
		resident_inc(r, EVICT_KEY(m->id, idx));
		spin_unlock(&r->lock);
	} else {
		page_free_virt(page, 0); /* another vCPU populated it */
	}
	return 0;
}

/* Evicted into the store: only one refault at a time changes a tagged entry. */
static int refault(struct vm_reclaim *r, struct memslot *m, u64 idx)
{
	paddr_t e;
	int err = 0;

	spin_lock(&r->lock);
	e = __atomic_load_n(&m->backing[idx], __ATOMIC_ACQUIRE);
	if (zstore_is_entry(e)) {
		struct zstore_blob *b = zstore_entry_blob(e);
		void *page = page_alloc_zeroed_virt(0);

		if (!page) {
			err = -E_NOMEM;
		} else if (zstore_get(&r->zs, b, page)) {
			page_free_virt(page, 0);
			err = -E_INVAL;
		} else {
			__atomic_store_n(&m->backing[idx], virt_to_phys(page), __ATOMIC_RELEASE);
			zstore_free(&r->zs, b);
			r->refaults++;
			resident_inc(r, EVICT_KEY(m->id, idx));
		}
	}
	spin_unlock(&r->lock);
	return err;
}

int evict_prepare_backing(struct vm *vm, struct memslot *m, u64 idx, bool alloc, paddr_t *pa)
{
	struct vm_reclaim *r = vm->reclaim;
	paddr_t e = __atomic_load_n(&m->backing[idx], __ATOMIC_ACQUIRE);
	int err = 0;

	if (!e && alloc)
		err = populate_zero(r, m, idx);
	e = __atomic_load_n(&m->backing[idx], __ATOMIC_ACQUIRE);
	if (!err && zstore_is_entry(e))
		err = refault(r, m, idx);
	*pa = err ? 0 : __atomic_load_n(&m->backing[idx], __ATOMIC_ACQUIRE);
	return err;
}

void evict_page_written(struct vm *vm, const struct memslot *m, u64 idx)
{
	struct vm_reclaim *r = vm->reclaim;

	if (!__atomic_load_n(&r->incomp.count, __ATOMIC_RELAXED))
		return;
	spin_lock(&r->lock);
	keyset_remove(&r->incomp, EVICT_KEY(m->id, idx));
	spin_unlock(&r->lock);
}

void evict_free_entry(struct vm *vm, u32 slot_id, u64 idx, paddr_t e)
{
	struct vm_reclaim *r = vm->reclaim;

	if (!e)
		return;
	if (!r) {
		page_free(e, 0);
		return;
	}
	spin_lock(&r->lock);
	if (zstore_is_entry(e)) {
		zstore_free(&r->zs, zstore_entry_blob(e));
	} else {
		page_free(e, 0);
		r->resident--;
	}
	lru_remove(&r->lru, EVICT_KEY(slot_id, idx));
	keyset_remove(&r->incomp, EVICT_KEY(slot_id, idx));
	spin_unlock(&r->lock);
}

void evict_get_stats(struct vm *vm, struct evict_stats *out)
{
	struct vm_reclaim *r = vm->reclaim;
	struct lru_stats ls;

	memset(out, 0, sizeof(*out));
	if (!r)
		return;
	spin_lock(&r->lock);
	out->limit_pages = r->limit == ~0ull ? vm->mem_bytes >> PAGE_SHIFT : r->limit;
	out->resident_pages = r->resident;
	out->resident_max = r->resident_max;
	out->evict_zero = r->evict_zero;
	out->evict_compressed = r->evict_compressed;
	out->evict_kept = r->evict_kept;
	out->evict_raw = r->evict_raw;
	out->incomp_skipped = r->incomp_skipped;
	out->host_evicted = r->host_evicted;
	out->refaults = r->refaults;
	out->stored_pages = r->zs.blobs;
	out->stored_bytes = r->zs.stored_bytes;
	out->store_alloc_bytes = r->zs.alloc_bytes;
	out->ratio_x100 = zstore_ratio_x100(&r->zs);
	out->over_limit = r->over_limit;
	lru_get_stats(&r->lru, &ls);
	spin_unlock(&r->lock);
	out->scans = ls.age_passes;
	out->young = ls.young;
	out->old = ls.old;
	out->age_ns_per_page =
		ls.scanned && tsc_khz ? r->age_tsc * 1000000 / tsc_khz / ls.scanned : 0;
	out->early_picks = ls.early_picks;
	out->early_passes = ls.early_passes;
	out->early_switches = ls.switches;
	out->lru_pages = ls.pages;
}
