/* SPDX-License-Identifier: MIT */
/* x86-64 4-level paging: entry bits and index helpers (SDM Vol. 3A 4.5). */
#ifndef TERN_ARCH_X86_PGTABLE_H
#define TERN_ARCH_X86_PGTABLE_H

#include "lib/types.h"

#define PTE_P BIT(0)
#define PTE_W BIT(1)
#define PTE_US BIT(2)
#define PTE_PWT BIT(3)
#define PTE_PCD BIT(4)
#define PTE_A BIT(5)
#define PTE_D BIT(6)
#define PTE_PS BIT(7) /* large page at PDPT/PD level */
#define PTE_G BIT(8)
#define PTE_NX BIT(63)
#define PTE_ADDR_MASK GENMASK(51, 12)
#define PTE_LARGE_ADDR_MASK_2M GENMASK(51, 21)
#define PTE_LARGE_ADDR_MASK_1G GENMASK(51, 30)

#define PT_ENTRIES 512
#define PT_LEVELS 4
#define PT_LEVEL_SHIFT(level) (PAGE_SHIFT + 9 * ((level) - 1)) /* level 1 = PT */
#define PT_INDEX(va, level) (((va) >> PT_LEVEL_SHIFT(level)) & (PT_ENTRIES - 1))

#define PAGE_SIZE_2M (1ull << 21)
#define PAGE_SIZE_1G (1ull << 30)

/* Permission classes for kernel mappings. */
#define PROT_RX (PTE_P | PTE_G)
#define PROT_RO (PTE_P | PTE_G | PTE_NX)
#define PROT_RW (PTE_P | PTE_W | PTE_G | PTE_NX)

#endif
