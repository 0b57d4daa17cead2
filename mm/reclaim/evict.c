/* SPDX-License-Identifier: MIT */
/* Memory overcommit of one VM: resident limit, eviction, refault (evict.h). */
#include "mm/reclaim/evict.h"

#include "arch/x86/cr.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/objcache.h"
#include "mm/phys.h"
#include "mm/reclaim/lru.h"
#include "mm/reclaim/zstore.h"
#include "mm/tdp/tdp_age.h"
#include "mm/tdp/tdp_mmu.h"
#include "virt/guest_config.h"
#include "virt/sched.h"
#include "virt/vm.h"

#define KEY(id, idx) (((u64)(id) << 32) | (idx))
#define KEY_ID(k) ((u32)((k) >> 32))
#define KEY_IDX(k) ((k) & 0xffffffffull)
#define NO_VICTIM (~0ull)

struct vm_reclaim {
	spinlock_t lock;
	u32 running; /* (a) one evict_check at a time */
	u64 limit, low; /* pages: start reclaim above limit, stop at low */
	u64 resident;	/* (a) */
	struct lru lru;
	struct lru_page *lru_pages;
	u32 lru_capacity;
	struct zstore zs;
	u64 victims[EVICT_BATCH];
	paddr_t victim_pa[EVICT_BATCH];
	/* counters */
	u64 resident_max, scans, young, old, evict_zero, evict_compressed, evict_kept;
	u64 refaults, age_tsc, age_pages, over_limit;
	bool age_flush; /* aging removed permissions (EPT without A/D): flush */
};

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

int evict_vm_init(struct vm *vm)
{
	u64 limit = vm->maxmem_bytes >> PAGE_SHIFT;
	u64 pages = vm->mem_bytes >> PAGE_SHIFT;
	struct vm_reclaim *r;

	if (!limit || limit >= pages)
		return 0;
	vm->tdp_max_leaf = TDP_LEVEL_4K; /* page-size backing and leaves only */
	r = kzalloc_pages(sizeof(*r));
	if (!r)
		return -E_NOMEM;
	r->lru_capacity = (u32)(pages + 1024); /* slack for runtime slot growth */
	r->lru_pages = kzalloc_pages((size_t)r->lru_capacity * sizeof(struct lru_page));
	if (!r->lru_pages) {
		kfree_pages(r, sizeof(*r));
		return -E_NOMEM;
	}
	spin_lock_init(&r->lock);
	lru_init(&r->lru, r->lru_pages, r->lru_capacity);
	zstore_init(&r->zs, &blob_ops);
	r->limit = limit;
	r->low = limit - MAX(limit / 16, MIN(limit / 2, 16ull));
	/* What the loader populated (possibly in 2 MiB blocks, split into pages). */
	read_lock(&vm->slots_lock);
	for (u32 s = 0; s < vm->slots.count; s++) {
		const struct memslot *m = &vm->slots.slots[s];

		for (u64 i = 0; i < m->npages; i++) {
			if (!__atomic_load_n(&m->backing[i], __ATOMIC_RELAXED))
				continue;
			r->resident++;
			lru_add(&r->lru, KEY(m->id, i));
		}
	}
	read_unlock(&vm->slots_lock);
	r->resident_max = r->resident;
	vm->reclaim = r;
	pr_info("VM %s: overcommit: resident limit %llu KiB of %llu KiB (4 KiB leaves)\n",
		vm->name, (unsigned long long)(limit << 2), (unsigned long long)(pages << 2));
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

int evict_prepare_backing(struct vm *vm, struct memslot *m, u64 idx, bool alloc, paddr_t *pa)
{
	struct vm_reclaim *r = vm->reclaim;
	paddr_t e = __atomic_load_n(&m->backing[idx], __ATOMIC_ACQUIRE);
	int err = 0;

	if (e && !zstore_is_entry(e)) {
		*pa = e;
		return 0;
	}
	if (!e && !alloc) {
		*pa = 0;
		return 0;
	}
	if (!e) {
		void *page = page_alloc_zeroed_virt(0);

		if (!page)
			return -E_NOMEM;
		if (__atomic_compare_exchange_n(&m->backing[idx], &e, virt_to_phys(page), false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			spin_lock(&r->lock);
			resident_inc(r, KEY(m->id, idx));
			spin_unlock(&r->lock);
		} else {
			page_free_virt(page, 0); /* another vCPU populated it */
		}
		if (!e || !zstore_is_entry(e)) {
			*pa = __atomic_load_n(&m->backing[idx], __ATOMIC_ACQUIRE);
			return 0;
		}
	}
	/* Evicted, compressed: only one refault at a time changes a tagged entry. */
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
			resident_inc(r, KEY(m->id, idx));
		}
	}
	spin_unlock(&r->lock);
	*pa = err ? 0 : __atomic_load_n(&m->backing[idx], __ATOMIC_ACQUIRE);
	return err;
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
	lru_remove(&r->lru, KEY(slot_id, idx));
	spin_unlock(&r->lock);
}

/* ---- aging ---- */

struct age_ctx {
	struct vm *vm;
	bool flush;
};

static bool test_and_clear_young(u64 key, void *arg)
{
	struct age_ctx *c = arg;
	struct memslot *m = memslot_by_id(&c->vm->slots, KEY_ID(key));
	struct tdp_age_result res;
	bool young;

	if (!m || KEY_IDX(key) >= m->npages)
		return false;
	young = tdp_mmu_test_age(c->vm->mmu, m->base_gfn + KEY_IDX(key),
				 m->base_gfn + KEY_IDX(key) + 1, TDP_AGE_FAST_ONLY | TDP_AGE_CLEAR,
				 &res);
	c->flush |= res.needs_flush;
	return young;
}

static void age(struct vm *vm, struct vm_reclaim *r)
{
	struct age_ctx c = {.vm = vm};
	u64 t0, scanned0;

	read_lock(&vm->slots_lock);
	spin_lock(&r->lock);
	scanned0 = r->lru.scanned;
	t0 = rdtsc();
	r->young += lru_age(&r->lru, test_and_clear_young, &c);
	r->age_tsc += rdtsc() - t0;
	r->age_pages += r->lru.scanned - scanned0;
	r->old = r->lru.old;
	r->scans++;
	spin_unlock(&r->lock);
	read_unlock(&vm->slots_lock);
	if (c.flush)
		vm_flush_tlb_kick(vm); /* access tracking takes effect */
}

/* ---- eviction ---- */

/* One batch of at most 'want' victims; returns pages no longer resident. */
static u64 evict_batch(struct vm *vm, struct vm_reclaim *r, u32 want)
{
	struct tdp_mmu *mmu = vm->mmu;
	bool flush = false;
	u64 freed = 0;
	u32 n;

	write_lock(&vm->slots_lock);
	spin_lock(&r->lock);
	n = lru_pick_victims(&r->lru, r->victims, MIN(want, (u32)EVICT_BATCH));
	spin_unlock(&r->lock);
	tdp_mmu_write_lock(mmu);
	for (u32 i = 0; i < n; i++) {
		struct memslot *m = memslot_by_id(&vm->slots, KEY_ID(r->victims[i]));
		u64 idx = KEY_IDX(r->victims[i]);
		paddr_t e = 0;

		if (m && idx < m->npages)
			e = m->backing[idx];
		if (!e || zstore_is_entry(e)) {
			r->victims[i] = NO_VICTIM; /* gone meanwhile: nothing to do */
			continue;
		}
		r->victim_pa[i] = e;
		tdp_mmu_zap_range_locked(mmu, m->base_gfn + idx, m->base_gfn + idx + 1, &flush);
	}
	tdp_mmu_write_unlock(mmu);
	/* No vCPU may still write a victim through a stale translation. */
	if (flush)
		vm_flush_tlb_kick(vm);
	spin_lock(&r->lock);
	for (u32 i = 0; i < n; i++) {
		struct memslot *m;
		struct zstore_blob *b = NULL;
		paddr_t pa = r->victim_pa[i];
		u32 len;

		if (r->victims[i] == NO_VICTIM)
			continue;
		m = memslot_by_id(&vm->slots, KEY_ID(r->victims[i]));
		switch (zstore_classify(&r->zs, phys_to_virt(pa), &len)) {
		case ZSTORE_ZERO:
			m->backing[KEY_IDX(r->victims[i])] = 0;
			r->evict_zero++;
			break;
		case ZSTORE_COMPRESSED:
			b = zstore_put(&r->zs, NULL, false);
			if (b) {
				m->backing[KEY_IDX(r->victims[i])] = zstore_entry(b);
				r->evict_compressed++;
				break;
			}
			/* no memory for the blob: keep the page */
			__attribute__((fallthrough));
		case ZSTORE_INCOMPRESSIBLE:
		default:
			r->evict_kept++;
			lru_add(&r->lru, r->victims[i]);
			continue;
		}
		page_free(pa, 0);
		r->resident--;
		freed++;
	}
	spin_unlock(&r->lock);
	write_unlock(&vm->slots_lock);
	return freed;
}

void evict_check(struct vm *vm)
{
	struct vm_reclaim *r = vm->reclaim;

	if (!r || __atomic_load_n(&r->resident, __ATOMIC_RELAXED) <= r->limit)
		return;
	if (__atomic_exchange_n(&r->running, 1, __ATOMIC_ACQUIRE))
		return; /* another vCPU reclaims */
	for (int round = 0; round < EVICT_ROUNDS; round++) {
		u64 res = __atomic_load_n(&r->resident, __ATOMIC_RELAXED);
		u64 want = res > r->low ? res - r->low : 0;

		if (!want)
			break;
		/* Age when the old generations cannot supply the batch. */
		u32 evictable;

		spin_lock(&r->lock);
		evictable = lru_evictable(&r->lru);
		spin_unlock(&r->lock);
		if (round == 0 || evictable < MIN(want, (u64)EVICT_BATCH))
			age(vm, r);
		if (!evict_batch(vm, r, (u32)MIN(want, (u64)EVICT_BATCH)) && round > 0)
			break;
	}
	if (__atomic_load_n(&r->resident, __ATOMIC_RELAXED) > r->limit)
		r->over_limit++;
	__atomic_store_n(&r->running, 0, __ATOMIC_RELEASE);
	/* Tables the zaps left empty, once their grace period is over. */
	tdp_mmu_reclaim(vm->mmu);
}

void evict_get_stats(struct vm *vm, struct evict_stats *out)
{
	struct vm_reclaim *r = vm->reclaim;

	memset(out, 0, sizeof(*out));
	if (!r)
		return;
	spin_lock(&r->lock);
	out->limit_pages = r->limit;
	out->resident_pages = r->resident;
	out->resident_max = r->resident_max;
	out->scans = r->scans;
	out->young = r->young;
	out->old = r->old;
	out->evict_zero = r->evict_zero;
	out->evict_compressed = r->evict_compressed;
	out->evict_kept = r->evict_kept;
	out->refaults = r->refaults;
	out->stored_pages = r->zs.blobs;
	out->stored_bytes = r->zs.stored_bytes;
	out->store_alloc_bytes = r->zs.alloc_bytes;
	out->ratio_x100 = zstore_ratio_x100(&r->zs);
	out->age_ns_per_page = r->age_pages && tsc_khz
				       ? r->age_tsc * 1000000 / tsc_khz / r->age_pages
				       : 0;
	out->over_limit = r->over_limit;
	spin_unlock(&r->lock);
}
