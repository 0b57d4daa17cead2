/* SPDX-License-Identifier: MIT */
/*
 * The static second-level page-table builder: walks each memory slot and
 * installs 2 MiB leaves where 512 guest pages are backed by one aligned
 * 2 MiB host block, 4 KiB leaves elsewhere.
 */
#include "virt/tdp.h"

#include "arch/x86/pgtable.h"
#include "mm/buddy.h"
#include "mm/phys.h"
#include "virt/vm.h"

#define TDP_LEVELS 4
#define TDP_LEVEL_PD 2
#define TDP_LEVEL_PT 1
#define PAGES_PER_2M (PAGE_SIZE_2M / PAGE_SIZE)
#define TDP_PRESENT_MASK 0x7ull /* R/W/X on EPT, P/W/U on NPT: any set = present */

const struct tdp_format *tdp_format;

static u64 *table_va(u64 entry)
{
	return phys_to_virt(entry & PTE_ADDR_MASK);
}

static u64 *walk_create(struct vm *vm, u64 gpa, int target_level)
{
	u64 *table = phys_to_virt(vm->tdp_root);

	for (int level = TDP_LEVELS; level > target_level; level--) {
		u64 *e = &table[PT_INDEX(gpa, level)];

		if (!(*e & TDP_PRESENT_MASK)) {
			void *t = page_alloc_zeroed_virt(0);

			if (!t)
				return NULL;
			*e = tdp_format->table_entry(virt_to_phys(t));
		}
		table = table_va(*e);
	}
	return table;
}

static bool backing_is_2m_block(const struct memslot *m, u64 idx)
{
	paddr_t first = m->backing[idx];

	if (!first || !IS_ALIGNED(first, PAGE_SIZE_2M))
		return false;
	for (u64 j = 1; j < PAGES_PER_2M; j++)
		if (m->backing[idx + j] != first + j * PAGE_SIZE)
			return false;
	return true;
}

static int map_slot(struct vm *vm, const struct memslot *m)
{
	bool writable = !(m->flags & MEMSLOT_READONLY);
	u64 i = 0;

	while (i < m->npages) {
		u64 gpa = (m->base_gfn + i) << PAGE_SHIFT;
		bool large = IS_ALIGNED(gpa, PAGE_SIZE_2M) && m->npages - i >= PAGES_PER_2M &&
			     backing_is_2m_block(m, i);
		u64 *table = walk_create(vm, gpa, large ? TDP_LEVEL_PD : TDP_LEVEL_PT);

		if (!table)
			return -E_NOMEM;
		if (m->backing[i])
			table[PT_INDEX(gpa, large ? TDP_LEVEL_PD : TDP_LEVEL_PT)] =
				tdp_format->leaf_entry(m->backing[i], writable, true, large);
		i += large ? PAGES_PER_2M : 1;
	}
	return 0;
}

int tdp_build(struct vm *vm)
{
	void *root = page_alloc_zeroed_virt(0);

	if (!root)
		return -E_NOMEM;
	vm->tdp_root = virt_to_phys(root);
	for (u32 s = 0; s < vm->slots.count; s++) {
		int err = map_slot(vm, &vm->slots.slots[s]);

		if (err)
			return err;
	}
	return 0;
}

static void free_level(u64 *table, int level)
{
	for (int i = 0; level > TDP_LEVEL_PT && i < PT_ENTRIES; i++)
		if ((table[i] & TDP_PRESENT_MASK) && !(table[i] & PTE_PS))
			free_level(table_va(table[i]), level - 1);
	page_free_virt(table, 0);
}

void tdp_destroy(struct vm *vm)
{
	if (!vm->tdp_root)
		return;
	free_level(phys_to_virt(vm->tdp_root), TDP_LEVELS);
	vm->tdp_root = 0;
}

paddr_t tdp_translate(struct vm *vm, u64 gpa)
{
	u64 *table = phys_to_virt(vm->tdp_root);

	for (int level = TDP_LEVELS; level >= TDP_LEVEL_PT; level--) {
		u64 e = table[PT_INDEX(gpa, level)];

		if (!(e & TDP_PRESENT_MASK))
			return 0;
		if (level == TDP_LEVEL_PT)
			return (e & PTE_ADDR_MASK) | (gpa & (PAGE_SIZE - 1));
		if (e & PTE_PS)
			return (e & PTE_LARGE_ADDR_MASK_2M) | (gpa & (PAGE_SIZE_2M - 1));
		table = table_va(e);
	}
	return 0;
}
