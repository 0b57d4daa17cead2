/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM: slots backed by host pages, and guest-physical access for the
 * loaders, devices and emulator. Backing is taken in the largest buddy blocks
 * available (up to 2 MiB) so most of a slot can be mapped with large pages.
 * A slot covers at most VM_SLOT_MAX_BYTES, keeping its backing array within
 * one buddy block.
 */
#include "virt/vm_mem.h"

#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/phys.h"
#include "virt/vm.h"

#define BACKING_BLOCK_ORDER 9 /* 2 MiB: a large TDP page */

static unsigned int backing_array_order(u64 npages)
{
	u64 bytes = npages * sizeof(paddr_t);
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

static void free_backing(struct memslot *m)
{
	if (!m->backing)
		return;
	for (u64 i = 0; i < m->npages; i++)
		if (m->backing[i])
			page_free(m->backing[i], 0);
	page_free_virt(m->backing, backing_array_order(m->npages));
	m->backing = NULL;
}

/* Fill the slot's backing with blocks of decreasing size, zeroed. */
static int populate(struct memslot *m)
{
	u64 i = 0;

	while (i < m->npages) {
		unsigned int order = BACKING_BLOCK_ORDER;
		paddr_t pa = 0;

		/* Only use a large block where the guest range is aligned for it. */
		while (order && (!IS_ALIGNED(m->base_gfn + i, 1ull << order) ||
				 m->npages - i < (1ull << order)))
			order--;
		for (; !(pa = page_alloc(order)) && order; order--)
			;
		if (!pa)
			return -E_NOMEM;
		/* Split the block: each 4 KiB page is freed on its own later. */
		page_split(pa, order);
		memset(phys_to_virt(pa), 0, PAGE_SIZE << order);
		for (u64 j = 0; j < (1ull << order); j++)
			m->backing[i + j] = pa + j * PAGE_SIZE;
		i += 1ull << order;
	}
	return 0;
}

int vm_mem_add_slot(struct vm *vm, u64 gpa, u64 bytes, u32 id)
{
	u64 npages = bytes >> PAGE_SHIFT;
	struct memslot *m;
	int err;

	if (!IS_ALIGNED(gpa | bytes, PAGE_SIZE) || !bytes || bytes > VM_SLOT_MAX_BYTES)
		return -E_INVAL;
	err = memslot_insert(&vm->slots, gpa >> PAGE_SHIFT, npages, id, 0);
	if (err)
		return err;
	m = (struct memslot *)memslot_find(&vm->slots, gpa >> PAGE_SHIFT);
	m->backing = page_alloc_zeroed_virt(backing_array_order(npages));
	if (!m->backing) {
		memslot_remove(&vm->slots, id);
		return -E_NOMEM;
	}
	err = populate(m);
	if (err) {
		free_backing(m);
		memslot_remove(&vm->slots, id);
	}
	return err;
}

void vm_mem_destroy(struct vm *vm)
{
	while (vm->slots.count) {
		struct memslot *m = &vm->slots.slots[0];

		free_backing(m);
		memslot_remove(&vm->slots, m->id);
	}
}

void *vm_gpa_to_hva(struct vm *vm, u64 gpa)
{
	const struct memslot *m = memslot_find(&vm->slots, gpa >> PAGE_SHIFT);
	paddr_t pa;

	if (!m)
		return NULL;
	pa = m->backing[(gpa >> PAGE_SHIFT) - m->base_gfn];
	if (!pa)
		return NULL;
	return (u8 *)phys_to_virt(pa) + (gpa & (PAGE_SIZE - 1));
}

static int copy_gpa(struct vm *vm, u64 gpa, void *buf, size_t len, bool write)
{
	u8 *p = buf;

	while (len) {
		size_t chunk = MIN(len, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
		u8 *hva = vm_gpa_to_hva(vm, gpa);

		if (!hva)
			return -E_NOENT;
		if (write)
			memcpy(hva, p, chunk);
		else
			memcpy(p, hva, chunk);
		gpa += chunk;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

int vm_read_gpa(struct vm *vm, u64 gpa, void *buf, size_t len)
{
	return copy_gpa(vm, gpa, buf, len, false);
}

int vm_write_gpa(struct vm *vm, u64 gpa, const void *buf, size_t len)
{
	return copy_gpa(vm, gpa, (void *)buf, len, true);
}
