/* SPDX-License-Identifier: MIT */
/*
 * Memory bring-up: firmware map -> memmap (RAM minus everything in use) ->
 * final page tables (their pages come from the memmap) -> page allocator.
 * Bad firmware maps (overlaps, tiny or unaligned regions) are repaired by the
 * memmap and reported here; overlapping modules are reported and flagged.
 */
#include "kernel/boot_mem.h"

#include "arch/x86/paging.h"
#include "boot/layout.h"
#include "kernel/printk.h"
#include "mm/buddy.h"

#define LOW_MEM_LIMIT MiB(1)         /* real-mode reachable: AP trampoline */
#define BIOS_SCRATCH_END KiB(64)     /* firmware may scribble below this */
#define PAGE_TABLE_LIMIT GiB(4)      /* APs load CR3 while still 32-bit */
#define MIN_PHYSMAP_TOP GiB(4)       /* firmware tables and MMIO live below 4 GiB */
#define WHY_MAX 160

static paddr_t alloc_table_page(void *ctx)
{
	struct memmap *m = ctx;

	return memmap_alloc_early(m, PAGE_SIZE, PAGE_SIZE, PAGE_TABLE_LIMIT, "page tables");
}

static void add_firmware_map(struct memmap *m, const struct boot_info *bi)
{
	for (u32 i = 0; i < bi->mmap_count; i++) {
		const struct boot_mmap_entry *e = &bi->mmap[i];
		int err;

		if (e->type != BOOT_MEM_AVAILABLE) {
			memmap_reserve(m, e->base, e->base + e->len, boot_mem_type_name(e->type));
			continue;
		}
		err = memmap_add_ram(m, e->base, e->len);
		if (err < 0)
			pr_err("error: firmware memory region %#llx+%#llx is malformed (%s); ignored\n",
			       (unsigned long long)e->base, (unsigned long long)e->len,
			       err_name(err));
		else if (err == MEMMAP_DROPPED)
			pr_warn("warning: firmware memory region %#llx+%#llx is smaller than a page; ignored\n",
				(unsigned long long)e->base, (unsigned long long)e->len);
	}
	if (bi->mmap_truncated)
		pr_warn("warning: firmware memory map has more than %d entries; the rest are ignored\n",
			BOOT_MMAP_MAX);
}

static void reserve_in_use(struct boot_mem *bm, const struct boot_info *bi)
{
	u64 kstart = KERNEL_PHYS, kend = kimage_to_phys(__kernel_end);
	char why[WHY_MAX];

	memmap_reserve(&bm->map, 0, BIOS_SCRATCH_END, "BIOS scratch");
	memmap_reserve(&bm->map, kstart, kend, "kernel image");
	bm->modules_ok = boot_info_check_modules(bi, kstart, kend, why, sizeof(why)) == 0;
	if (!bm->modules_ok)
		pr_err("error: %s\n", why);
	for (u32 i = 0; i < bi->module_count; i++)
		memmap_reserve(&bm->map, bi->modules[i].start, bi->modules[i].end, "module");
}

int boot_mem_init(struct boot_mem *bm, const struct boot_info *bi)
{
	u64 top;
	int err;

	memmap_init(&bm->map);
	add_firmware_map(&bm->map, bi);
	if (!memmap_total_ram(&bm->map)) {
		pr_err("error: the boot loader reported no usable RAM\n");
		return -E_NOMEM;
	}
	reserve_in_use(bm, bi);
	bm->trampoline_pa = memmap_alloc_early(&bm->map, PAGE_SIZE, PAGE_SIZE, LOW_MEM_LIMIT,
					       "AP trampoline");
	if (!bm->trampoline_pa)
		pr_err("error: no free page below 1 MiB for the AP trampoline; APs stay offline\n");

	top = MAX(memmap_max_addr(&bm->map), MIN_PHYSMAP_TOP);
	err = paging_init(top, alloc_table_page, &bm->map);
	if (err) {
		pr_err("error: cannot build the kernel page tables: %s\n", err_name(err));
		return err;
	}
	err = mm_init_from_memmap(&bm->map);
	if (err) {
		pr_err("error: cannot start the page allocator: %s\n", err_name(err));
		return err;
	}
	paging_use_page_allocator();
	return 0;
}
