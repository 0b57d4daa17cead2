/* SPDX-License-Identifier: MIT */
/*
 * Tern's virtual memory layout. The kernel image is loaded at KERNEL_PHYS and
 * linked at KERNEL_VIRT_BASE + phys (the top 2 GiB, so -mcmodel=kernel works).
 * All RAM is mapped at PHYSMAP_BASE + phys, read-write and no-execute.
 * boot/layout.inc holds the same numbers for NASM; check-image compares them.
 */
#ifndef TERN_BOOT_LAYOUT_H
#define TERN_BOOT_LAYOUT_H

#define KERNEL_PHYS 0x200000ull
#define KERNEL_VIRT_BASE 0xFFFFFFFF80000000ull
#define PHYSMAP_BASE 0xFFFF800000000000ull
#define PHYSMAP_MAX_BYTES (1ull << 46) /* 64 TiB of direct map at most */

#define BOOT_STACK_SIZE 16384

#ifndef __ASSEMBLER__
#include "lib/types.h"

/* Linker-script symbols (virtual addresses inside the kernel image). */
extern char __kernel_start[], __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[], __data_start[], __data_end[];
extern char __ksyms_start[], __ksyms_end[], __bss_start[], __bss_end[];
extern char __kernel_end[];
extern char __boot_start_phys[], __boot_end_phys[]; /* physical */
extern char __bss_end_phys[];

static inline u64 kimage_to_phys(const void *va)
{
	return (u64)(uintptr_t)va - KERNEL_VIRT_BASE;
}
#endif

#endif
