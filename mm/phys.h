/* SPDX-License-Identifier: MIT */
/*
 * Physical <-> virtual translation through the direct map ("physmap"): every
 * RAM page is mapped read-write, no-execute at phys + physmap_offset. The
 * hosted test build points physmap_offset at a malloc'd arena instead.
 */
#ifndef TERN_MM_PHYS_H
#define TERN_MM_PHYS_H

#include "lib/types.h"

extern u64 physmap_offset;

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)(pa + physmap_offset);
}

static inline paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)((uintptr_t)va - physmap_offset);
}

#endif
