/* SPDX-License-Identifier: MIT */
/*
 * Building Tern's page tables. The direct map uses 1 GiB pages when the CPU
 * has them, else 2 MiB; the kernel image uses 4 KiB pages so each section gets
 * exactly its permissions: text read+execute, rodata read-only, data and bss
 * read-write no-execute. Nothing is mapped writable and executable.
 */
#include "arch/x86/paging.h"

#include "arch/x86/cpuid.h"
#include "arch/x86/cr.h"
#include "arch/x86/pgtable.h"
#include "boot/layout.h"
#include "kernel/spinlock.h"
#include "mm/buddy.h"
#include "mm/phys.h"

/* Intermediate entries allow everything; leaves carry the restrictions. */
#define PT_TABLE_FLAGS (PTE_P | PTE_W)
#define LEVEL_PML4 4
#define LEVEL_PDPT 3
#define LEVEL_PD 2
#define LEVEL_PT 1

u64 physmap_offset; /* 0 (identity) until paging_init switches tables */

static paddr_t root_pa;
static pt_alloc_fn table_alloc;
static void *table_alloc_ctx;
static bool has_1g;
static spinlock_t pt_lock = SPINLOCK_INIT;

static u64 *table_virt(paddr_t pa)
{
	return phys_to_virt(pa);
}

static paddr_t new_table(void)
{
	paddr_t pa = table_alloc(table_alloc_ctx);
	u64 *t;

	if (!pa)
		return 0;
	t = table_virt(pa);
	for (int i = 0; i < PT_ENTRIES; i++)
		t[i] = 0;
	return pa;
}

/* Find or create the table at 'level' (below the root) that maps 'va'. */
static u64 *walk_create(u64 va, int target_level)
{
	u64 *table = table_virt(root_pa);

	for (int level = LEVEL_PML4; level > target_level; level--) {
		u64 *e = &table[PT_INDEX(va, level)];

		if (!(*e & PTE_P)) {
			paddr_t pa = new_table();

			if (!pa)
				return NULL;
			*e = pa | PT_TABLE_FLAGS;
		} else if (*e & PTE_PS) {
			return NULL; /* a large page is in the way */
		}
		table = table_virt(*e & PTE_ADDR_MASK);
	}
	return table;
}

static int map_one(u64 va, paddr_t pa, u64 size, u64 flags)
{
	int level = size == PAGE_SIZE_1G ? LEVEL_PDPT : size == PAGE_SIZE_2M ? LEVEL_PD : LEVEL_PT;
	u64 *table = walk_create(va, level);

	if (!table)
		return -E_NOMEM;
	table[PT_INDEX(va, level)] = pa | flags | (level > LEVEL_PT ? PTE_PS : 0);
	return 0;
}

static int map_range(u64 va, paddr_t pa, u64 size, u64 flags, bool allow_large)
{
	while (size) {
		u64 step = PAGE_SIZE;
		int err;

		if (allow_large && has_1g && IS_ALIGNED(va | pa, PAGE_SIZE_1G) && size >= PAGE_SIZE_1G)
			step = PAGE_SIZE_1G;
		else if (allow_large && IS_ALIGNED(va | pa, PAGE_SIZE_2M) && size >= PAGE_SIZE_2M)
			step = PAGE_SIZE_2M;
		err = map_one(va, pa, step, flags);
		if (err)
			return err;
		va += step;
		pa += step;
		size -= step;
	}
	return 0;
}

static int map_kernel_section(const char *start, const char *end, u64 flags)
{
	u64 va = (u64)(uintptr_t)start;

	return map_range(va, kimage_to_phys(start), (u64)(end - start), flags, false);
}

int paging_init(u64 physmap_top, pt_alloc_fn alloc, void *ctx)
{
	int err;

	table_alloc = alloc;
	table_alloc_ctx = ctx;
	has_1g = cpu_has(CPUID_LEAF_EXT_FEAT, CPUID_EDX, CPUID_EXT_EDX_PAGE1G);
	root_pa = new_table();
	if (!root_pa)
		return -E_NOMEM;
	physmap_top = ALIGN_UP(physmap_top, PAGE_SIZE_2M);
	if (physmap_top > PHYSMAP_MAX_BYTES)
		return -E_RANGE;

	err = map_range(PHYSMAP_BASE, 0, physmap_top, PROT_RW, true);
	if (!err)
		err = map_kernel_section(__text_start, __text_end, PROT_RX);
	if (!err)
		err = map_kernel_section(__rodata_start, __rodata_end, PROT_RO);
	if (!err)
		err = map_kernel_section(__data_start, __data_end, PROT_RW);
	if (!err)
		err = map_kernel_section(__ksyms_start, __ksyms_end, PROT_RO);
	if (!err)
		err = map_kernel_section(__bss_start, __bss_end, PROT_RW);
	if (err)
		return err;

	write_cr4(read_cr4() | CR4_PGE);
	write_cr3(root_pa);
	physmap_offset = PHYSMAP_BASE;
	return 0;
}

static void flush_global(void)
{
	u64 cr4 = read_cr4();

	/* Toggling PGE flushes global entries too. */
	write_cr4(cr4 & ~CR4_PGE);
	write_cr4(cr4);
}

int paging_map_page(u64 va, paddr_t pa, u64 flags)
{
	int err;

	spin_lock(&pt_lock);
	err = map_one(va, pa, PAGE_SIZE, flags);
	spin_unlock(&pt_lock);
	invlpg((void *)(uintptr_t)va);
	return err;
}

int paging_unmap_page(u64 va)
{
	u64 size, *table;

	spin_lock(&pt_lock);
	if (!paging_lookup(va, &size) || size != PAGE_SIZE) {
		spin_unlock(&pt_lock);
		return -E_NOENT;
	}
	table = walk_create(va, LEVEL_PT);
	table[PT_INDEX(va, LEVEL_PT)] = 0;
	spin_unlock(&pt_lock);
	flush_global();
	return 0;
}

u64 paging_lookup(u64 va, u64 *page_size)
{
	u64 *table = table_virt(root_pa);

	for (int level = LEVEL_PML4; level >= LEVEL_PT; level--) {
		u64 e = table[PT_INDEX(va, level)];

		if (!(e & PTE_P))
			return 0;
		if (level == LEVEL_PT || (e & PTE_PS)) {
			if (page_size)
				*page_size = 1ull << PT_LEVEL_SHIFT(level);
			return e;
		}
		table = table_virt(e & PTE_ADDR_MASK);
	}
	return 0;
}

static u64 canonical(u64 va)
{
	return (u64)((s64)(va << 16) >> 16);
}

static void check_table(paddr_t pa, int level, u64 va_base, u64 inherited_w, u64 inherited_nx,
			struct wx_report *r)
{
	const u64 *t = table_virt(pa);

	for (int i = 0; i < PT_ENTRIES; i++) {
		u64 e = t[i];
		u64 va = va_base + ((u64)i << PT_LEVEL_SHIFT(level));
		u64 w = inherited_w & e & PTE_W;
		u64 nx = inherited_nx | (e & PTE_NX);

		if (!(e & PTE_P))
			continue;
		if (level == LEVEL_PT || (e & PTE_PS)) {
			r->leaves++;
			if (w && !nx) {
				if (!r->wx_violations)
					r->first_bad_va = canonical(va);
				r->wx_violations++;
			}
			continue;
		}
		check_table(e & PTE_ADDR_MASK, level - 1, va, w, nx, r);
	}
}

void paging_check_wx(struct wx_report *r)
{
	r->leaves = 0;
	r->wx_violations = 0;
	r->first_bad_va = 0;
	/* Effective rights: writable only if every level allows it; NX if any sets it. */
	check_table(read_cr3() & PTE_ADDR_MASK, LEVEL_PML4, 0, PTE_W, 0, r);
}

static paddr_t alloc_from_page_allocator(void *ctx)
{
	(void)ctx;
	return page_alloc(0);
}

void paging_use_page_allocator(void)
{
	spin_lock(&pt_lock);
	table_alloc = alloc_from_page_allocator;
	table_alloc_ctx = NULL;
	spin_unlock(&pt_lock);
}

paddr_t paging_root(void)
{
	return root_pa;
}

bool paging_has_1g(void)
{
	return has_1g;
}
