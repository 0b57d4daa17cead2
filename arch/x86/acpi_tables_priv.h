/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the ACPI table parser files: acpi_tables.c (RSDP,
 * RSDT/XSDT, table lookup and header checks) and acpi_madt.c (MADT, FADT,
 * HPET and the \_S5 AML search). Holds the common header offsets and the
 * helper that writes a failure reason. Not for other users.
 */
#ifndef TERN_ARCH_X86_ACPI_TABLES_PRIV_H
#define TERN_ARCH_X86_ACPI_TABLES_PRIV_H

#include "lib/types.h"

#define ACPI_SIG_LEN 4

/* Table header. */
#define HDR_LENGTH 4

/* Write a reason into why (if not NULL) and return err. */
int acpi_fail(char *why, size_t why_len, int err, const char *fmt, ...) __printf(4, 5);

#endif
