/* SPDX-License-Identifier: MIT */
/*
 * x86 platform bring-up in one call, in dependency order: ACPI (CPU list,
 * power data), the BSP's local APIC, the legacy PIC masked, the TSC and LAPIC
 * timer calibrated, then the application processors started.
 */
#ifndef TERN_ARCH_X86_PLATFORM_H
#define TERN_ARCH_X86_PLATFORM_H

#include "lib/types.h"

/*
 * Call once from kmain on the BSP after paging_init and the page allocator,
 * with interrupts off. rsdp/rsdp_len: the RSDP copy from the boot information
 * (NULL to scan the BIOS areas). trampoline_pa: a free page below 1 MiB for
 * the AP trampoline (free again on return). Returns 0, or the first error
 * that leaves the machine unusable (no LAPIC, no TSC calibration); problems
 * that only cost features (bad ACPI tables, APs that do not start) are
 * reported on the console and not returned.
 */
int x86_platform_init(const void *rsdp, size_t rsdp_len, paddr_t trampoline_pa);

#endif
