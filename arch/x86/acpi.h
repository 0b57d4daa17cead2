/* SPDX-License-Identifier: MIT */
/*
 * ACPI discovery for the running kernel: locate the RSDP (the boot loader's
 * copy, else the BIOS areas), run the pure parser of arch/x86/acpi_tables.h
 * over the direct map, and keep what the rest of Tern needs: the CPUs and
 * IOAPICs of the MADT, and soft-off/reset data for kernel/power.c. Without a
 * usable MADT the machine is treated as having the boot CPU only.
 */
#ifndef TERN_ARCH_X86_ACPI_H
#define TERN_ARCH_X86_ACPI_H

#include "arch/x86/acpi_tables.h"
#include "kernel/percpu.h"
#include "lib/types.h"

#define ACPI_EBDA_SEG_PTR    0x40E /* BDA word: EBDA segment */
#define ACPI_EBDA_SCAN_LEN   1024  /* the RSDP lies in the EBDA's first KiB */
#define ACPI_BIOS_AREA_START 0xE0000
#define ACPI_BIOS_AREA_LEN   0x20000 /* up to 1 MiB */

struct acpi_platform {
	bool have_acpi;		/* (c) RSDP and root table valid */
	bool have_madt;		/* (c) CPU list comes from the MADT */
	u32 nr_cpus;		/* (c) usable CPUs, at most MAX_CPUS */
	u32 apic_ids[MAX_CPUS]; /* (c) their APIC IDs, MADT order */
	u32 cpus_ignored;	/* (c) enabled CPUs beyond MAX_CPUS */
	bool have_hpet;		/* (c) */
	struct hpet_info hpet;	/* (c) */
	bool have_fadt;		/* (c) */
	struct fadt_info fadt;	/* (c) */
};

extern struct acpi_platform acpi_platform;
/* The full MADT (IOAPICs, overrides, NMIs) when have_madt. (c) */
extern struct madt_info acpi_madt;

/*
 * Find and parse the tables. rsdp/rsdp_len: the RSDP copy from the boot
 * information, or NULL to scan the EBDA and 0xE0000-0xFFFFF. Always leaves a
 * usable CPU list (the boot CPU alone on failure) and returns 0 or the first
 * fatal-to-ACPI error, already reported on the console.
 */
int acpi_init(const void *rsdp, size_t rsdp_len);

#endif
