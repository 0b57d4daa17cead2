/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM: slots backed by host pages allocated on demand, runtime slot
 * changes, and guest-physical access for the loaders, devices and emulator.
 *
 * Backing: slot->backing[i] is the host page of the slot's i-th guest page,
 * 0 until first touched. A fault (or a write through vm_write_gpa) allocates
 * it with tdp_prepare_backing(): the whole aligned 1 GiB (faults only, a
 * contiguous run of max-order blocks) or 2 MiB range around the page when
 * the slot covers it and none of it is populated yet - split into pages so
 * each can be freed alone - else a single 4 KiB page, published with
 * cmpxchg.
 *
 * A slot covers at most VM_SLOT_MAX_BYTES, keeping its backing array within
 * one buddy block.
 */
#include "virt/vm_mem.h"

#include "mm/tdp/tdp_mmu.h"

#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/phys.h"
#include "mm/reclaim/evict.h"
#include "mm/reclaim/host_reclaim.h"
#include "virt/hypercall_abi.h"
#include "virt/sched.h"
#include "virt/tdp.h"
#include "virt/vm.h"

static unsigned int backing_array_order(u64 npages)
{
	u64 bytes = npages * sizeof(paddr_t);
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

static paddr_t *alloc_backing_array(u64 npages)
{
	return page_alloc_zeroed_virt(backing_array_order(npages));
}

static void free_backing_array(paddr_t *b, u64 entries)
{
	if (b)
		page_free_virt(b, backing_array_order(entries));
}

/* Free what backing[from, to) holds: pages, or compressed pages (overcommit). */
static void free_backing_pages(struct vm *vm, u32 id, paddr_t *b, u64 from, u64 to)
{
	for (u64 i = from; b && i < to; i++) {
		paddr_t pa = __atomic_load_n(&b[i], __ATOMIC_RELAXED);

		if (pa) {
			evict_free_entry(vm, id, i, pa);
			b[i] = 0;
		}
	}
}

paddr_t vm_mem_backing(struct vm *vm, struct memslot *m, u64 idx, bool alloc)
{
	paddr_t pa;

	if (!vm->reclaim)
		return tdp_backing(m, idx, alloc);
	/* An evicted page comes back even for a read: it is not zeros. */
	if (evict_prepare_backing(vm, m, idx, alloc, &pa))
		return 0;
	return pa;
}

static bool range_ok(u64 gpa, u64 bytes)
{
	return IS_ALIGNED(gpa | bytes, PAGE_SIZE) && bytes && bytes <= VM_SLOT_MAX_BYTES &&
	       gpa + bytes > gpa && (gpa + bytes) >> PAGE_SHIFT <= TDP_MAX_GUEST_GFN;
}

/* Insert a slot with an empty backing array (slots_lock held for write). */
static int add_locked(struct vm *vm, u64 gpa, u64 bytes, u32 id)
{
	u64 npages = bytes >> PAGE_SHIFT;
	paddr_t *b;
	struct memslot *m;
	int err;

	if (!range_ok(gpa, bytes))
		return -E_INVAL;
	if (evict_reserve(vm, npages))
		return -E_NOMEM; /* reclaim could not track the new pages */
	b = alloc_backing_array(npages);
	if (!b)
		return -E_NOMEM;
	err = memslot_insert(&vm->slots, gpa >> PAGE_SHIFT, npages, id, 0);
	if (err) {
		free_backing_array(b, npages);
		return err;
	}
	m = memslot_by_id(&vm->slots, id);
	m->backing = b;
	m->backing_entries = npages;
	return 0;
}

int vm_mem_add_slot(struct vm *vm, u64 gpa, u64 bytes, u32 id)
{
	int err;

	write_lock(&vm->slots_lock);
	err = add_locked(vm, gpa, bytes, id);
	write_unlock(&vm->slots_lock);
	return err;
}

void vm_mem_destroy(struct vm *vm)
{
	if (vm->reclaim)
		host_reclaim_unregister(vm);
	while (vm->slots.count) {
		struct memslot *m = &vm->slots.slots[0];

		free_backing_pages(vm, m->id, m->backing, 0, m->backing_entries);
		free_backing_array(m->backing, m->backing_entries);
		memslot_remove(&vm->slots, m->id);
	}
	evict_vm_destroy(vm);
}

/*
 * A change of the slot table, with slots_lock held for write: the
 * generation's in-progress flag is set and mmu_lock held for write from
 * change_begin to change_end; the ranges given to zap() lose every
 * second-level mapping. change_end then flushes every vCPU's TLB, waiting
 * for those in guest mode to leave it, when anything present was zapped:
 * afterwards nothing maps what the change took away, and it may be freed.
 */
struct change {
	struct vm *vm;
	bool flush;
};

static void change_begin(struct change *c, struct vm *vm)
{
	c->vm = vm;
	c->flush = false;
	memslot_update_begin(&vm->slots);
	tdp_update_lock(vm);
}

static void zap(struct change *c, u64 gfn, u64 npages)
{
	c->flush |= tdp_zap_gfn_range(c->vm, gfn, gfn + npages);
}

static void change_end(struct change *c)
{
	memslot_update_end(&c->vm->slots);
	c->flush |= tdp_update_unlock(c->vm);
	if (c->flush)
		vm_flush_tlb_kick(c->vm);
}

u64 vm_mem_release(struct vm *vm)
{
	struct change c;
	u64 before = pages_free(), after;

	write_lock(&vm->slots_lock);
	change_begin(&c, vm);
	for (u32 s = 0; s < vm->slots.count; s++)
		zap(&c, vm->slots.slots[s].base_gfn, vm->slots.slots[s].npages);
	change_end(&c);
	for (u32 s = 0; s < vm->slots.count; s++) {
		struct memslot *m = &vm->slots.slots[s];

		free_backing_pages(vm, m->id, m->backing, 0, m->backing_entries);
	}
	write_unlock(&vm->slots_lock);
	after = pages_free();
	return after > before ? after - before : 0;
}

int vm_memslot_add(struct vm *vm, u32 id, u64 gpa, u64 bytes)
{
	int err;

	struct change c;

	write_lock(&vm->slots_lock);
	change_begin(&c, vm);
	/* MMIO SPTEs in the new range carry an older generation: no zap. */
	err = add_locked(vm, gpa, bytes, id);
	change_end(&c);
	write_unlock(&vm->slots_lock);
	return err;
}

int vm_memslot_delete(struct vm *vm, u32 id)
{
	struct memslot *m, old;
	struct change c;

	write_lock(&vm->slots_lock);
	m = memslot_by_id(&vm->slots, id);
	if (!m) {
		write_unlock(&vm->slots_lock);
		return -E_NOENT;
	}
	old = *m;
	change_begin(&c, vm);
	memslot_remove(&vm->slots, id);
	zap(&c, old.base_gfn, old.npages);
	change_end(&c);
	/*
	 * No vCPU maps it and no reader can find it: free the contents, still
	 * under the lock, so the slot id cannot be reused (and its new pages
	 * tracked by reclaim under the same keys) before the old ones are gone.
	 */
	free_backing_pages(vm, old.id, old.backing, 0, old.backing_entries);
	write_unlock(&vm->slots_lock);
	free_backing_array(old.backing, old.backing_entries);
	return 0;
}

int vm_memslot_move(struct vm *vm, u32 id, u64 new_gpa)
{
	struct memslot *m;
	u64 old_gfn, npages;
	struct change c;
	int err;

	write_lock(&vm->slots_lock);
	m = memslot_by_id(&vm->slots, id);
	if (!m) {
		err = -E_NOENT;
		goto unlock;
	}
	old_gfn = m->base_gfn;
	npages = m->npages;
	if (!range_ok(new_gpa, npages << PAGE_SHIFT)) {
		err = -E_INVAL;
		goto unlock;
	}
	change_begin(&c, vm);
	err = memslot_change(&vm->slots, id, new_gpa >> PAGE_SHIFT, npages);
	if (!err)
		zap(&c, old_gfn, npages); /* the backing moves with the slot */
	change_end(&c);
unlock:
	write_unlock(&vm->slots_lock);
	return err;
}

/*
 * A shrink whose new end falls inside a huge leaf: split that leaf first, so
 * the zap of the cut tail leaves the kept part of the slot mapped.
 */
#define PAGES_PER_2M (1ull << 9)

static void split_at_boundary(struct vm *vm, u64 end_gfn)
{
	struct mmu_cache cache = {0};

	if (!vm->mmu || IS_ALIGNED(end_gfn, PAGES_PER_2M))
		return;
	/*
	 * Only the leaf holding the last kept page can straddle the new end.
	 * Failure (no memory, table cap) only costs refaults of the kept part.
	 */
	tdp_mmu_split_range(vm->mmu, &cache, end_gfn - 1, end_gfn, TDP_LEVEL_4K);
	mmu_cache_free(&cache);
}

int vm_memslot_resize(struct vm *vm, u32 id, u64 new_bytes)
{
	u64 npages = new_bytes >> PAGE_SHIFT, old_npages, old_entries = 0;
	paddr_t *new_b = NULL, *old_b = NULL;
	struct memslot *m;
	struct change c;
	int err;

	write_lock(&vm->slots_lock);
	m = memslot_by_id(&vm->slots, id);
	if (!m) {
		err = -E_NOENT;
		goto unlock;
	}
	if (!range_ok(m->base_gfn << PAGE_SHIFT, new_bytes)) {
		err = -E_INVAL;
		goto unlock;
	}
	old_npages = m->npages;
	if (npages > old_npages && evict_reserve(vm, npages - old_npages)) {
		err = -E_NOMEM;
		goto unlock;
	}
	if (npages > m->backing_entries) {
		new_b = alloc_backing_array(npages);
		if (!new_b) {
			err = -E_NOMEM;
			goto unlock;
		}
	}
	if (npages < old_npages)
		split_at_boundary(vm, m->base_gfn + npages);
	change_begin(&c, vm);
	err = memslot_change(&vm->slots, id, m->base_gfn, npages);
	if (err) {
		change_end(&c);
		free_backing_array(new_b, npages);
		goto unlock;
	}
	m = memslot_by_id(&vm->slots, id);
	if (npages < old_npages) {
		zap(&c, m->base_gfn + npages, old_npages - npages);
		change_end(&c);
		free_backing_pages(vm, m->id, m->backing, npages, old_npages);
	} else {
		if (new_b) {
			memcpy(new_b, m->backing, old_npages * sizeof(paddr_t));
			old_b = m->backing;
			old_entries = m->backing_entries;
			m->backing = new_b;
			m->backing_entries = npages;
		}
		change_end(&c);
	}
unlock:
	write_unlock(&vm->slots_lock);
	free_backing_array(old_b, old_entries);
	return err;
}

u32 vm_memslot_list(struct vm *vm, struct tern_memslot *out, u32 max)
{
	u32 n;

	read_lock(&vm->slots_lock);
	n = vm->slots.count;
	for (u32 i = 0; i < n && i < max; i++) {
		const struct memslot *m = &vm->slots.slots[i];
		u64 populated = 0;

		for (u64 j = 0; j < m->npages; j++)
			populated += !evict_needs_page(m, j); /* resident, not evicted */
		out[i] = (struct tern_memslot){
			.gpa = m->base_gfn << PAGE_SHIFT,
			.size = m->npages << PAGE_SHIFT,
			.id = m->id,
			.flags = m->flags,
			.populated = populated << PAGE_SHIFT,
		};
	}
	read_unlock(&vm->slots_lock);
	return n;
}

/* slots_lock held by the caller. 'modify': Tern is about to change the page. */
static u8 *gpa_to_hva(struct vm *vm, u64 gpa, bool alloc, bool modify)
{
	struct memslot *m = (struct memslot *)memslot_find(&vm->slots, gpa >> PAGE_SHIFT);
	u64 idx;
	paddr_t pa;

	if (!m)
		return NULL;
	idx = (gpa >> PAGE_SHIFT) - m->base_gfn;
	pa = vm_mem_backing(vm, m, idx, alloc);
	if (!pa)
		return NULL;
	if (modify && vm->reclaim)
		evict_page_written(vm, m, idx); /* new contents may compress now */
	return (u8 *)phys_to_virt(pa) + (gpa & (PAGE_SIZE - 1));
}

void *vm_gpa_to_hva(struct vm *vm, u64 gpa)
{
	return gpa_to_hva(vm, gpa, false, false);
}

enum copy_op { COPY_READ, COPY_WRITE, COPY_ZERO };

static int copy_gpa(struct vm *vm, u64 gpa, void *buf, size_t len, enum copy_op op)
{
	bool write = op == COPY_WRITE;
	u8 *p = buf;
	int err = 0;

	read_lock(&vm->slots_lock);
	while (len) {
		size_t chunk = MIN(len, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
		u8 *hva = gpa_to_hva(vm, gpa, write, op != COPY_READ);

		if (!hva) {
			/* Unpopulated RAM reads as zeros; no slot (or no memory) fails. */
			bool ram = memslot_find(&vm->slots, gpa >> PAGE_SHIFT);

			if (!ram || write) {
				err = ram ? -E_NOMEM : -E_NOENT;
				break;
			}
			if (op == COPY_READ)
				memset(p, 0, chunk);
		} else if (op == COPY_ZERO) {
			memset(hva, 0, chunk);
		} else if (write) {
			memcpy(hva, p, chunk);
		} else {
			memcpy(p, hva, chunk);
		}
		gpa += chunk;
		if (op != COPY_ZERO)
			p += chunk;
		len -= chunk;
	}
	read_unlock(&vm->slots_lock);
	return err;
}

int vm_read_gpa(struct vm *vm, u64 gpa, void *buf, size_t len)
{
	return copy_gpa(vm, gpa, buf, len, COPY_READ);
}

int vm_write_gpa(struct vm *vm, u64 gpa, const void *buf, size_t len)
{
	return copy_gpa(vm, gpa, (void *)buf, len, COPY_WRITE);
}

int vm_zero_gpa(struct vm *vm, u64 gpa, size_t len)
{
	return copy_gpa(vm, gpa, NULL, len, COPY_ZERO);
}
