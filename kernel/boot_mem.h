/* SPDX-License-Identifier: MIT */
/* Turning the boot information into Tern's memory map and page allocator. */
#ifndef TERN_KERNEL_BOOT_MEM_H
#define TERN_KERNEL_BOOT_MEM_H

#include "boot/multiboot.h"
#include "mm/memmap.h"

struct boot_mem {
	struct memmap map;
	paddr_t trampoline_pa; /* a page below 1 MiB for the AP trampoline */
	bool modules_ok;       /* false: some module overlapped; see the log */
};

/*
 * Build the memory map from the firmware's, reserve the kernel, the modules
 * and low memory, switch to Tern's own page tables and start the page
 * allocator. Returns 0 or an error after printing why.
 */
int boot_mem_init(struct boot_mem *bm, const struct boot_info *bi);

#endif
