/* SPDX-License-Identifier: MIT */
/*
 * Pure ACPI table parsing: find and validate the RSDP, walk the RSDT/XSDT,
 * check table headers, and decode what Tern needs from the MADT (CPUs,
 * IOAPICs, overrides, NMIs), the FADT (power off and reset), the HPET table
 * and the DSDT's \_S5 package. Physical memory is reached only through a
 * mapping callback, and firmware bytes are never trusted: every malformed
 * table yields a negative error and a readable reason instead of a crash or
 * an endless loop. The hosted unit tests drive it with byte buffers.
 */
#ifndef TERN_ARCH_X86_ACPI_TABLES_H
#define TERN_ARCH_X86_ACPI_TABLES_H

#include "lib/types.h"

#define ACPI_SIG_RSDP "RSD PTR "
#define ACPI_SIG_RSDT "RSDT"
#define ACPI_SIG_XSDT "XSDT"
#define ACPI_SIG_MADT "APIC"
#define ACPI_SIG_FADT "FACP"
#define ACPI_SIG_HPET "HPET"
#define ACPI_SIG_DSDT "DSDT"
#define ACPI_SIG_SSDT "SSDT"

#define ACPI_HEADER_SIZE   36
#define ACPI_RSDP_V1_SIZE  20
#define ACPI_RSDP_V2_SIZE  36
#define ACPI_RSDP_ALIGN	   16
#define ACPI_TABLE_MAX_LEN (16u << 20) /* sanity bound on a table's length */

#define ACPI_MAX_TABLES	     64
#define MADT_MAX_CPUS	     256
#define MADT_MAX_IOAPICS     16
#define MADT_MAX_OVERRIDES   32
#define MADT_MAX_NMI_SOURCES 16
#define MADT_MAX_LAPIC_NMIS  32

#define ACPI_UID_ALL_CPUS 0xFFFFFFFFu /* LAPIC NMI for every processor */

/* Returns len bytes at physical address pa, or NULL if not accessible. */
typedef const void *(*acpi_map_fn)(u64 pa, u64 len, void *ctx);

struct acpi_rsdp_info {
	u8 revision;
	char oem_id[7];
	u64 rsdt_pa;
	u64 xsdt_pa; /* 0 for revision < 2 */
};

/* Generic Address Structure. */
enum acpi_space { ACPI_SPACE_MEMORY = 0, ACPI_SPACE_IO = 1 };

struct acpi_gas {
	u8 space_id; /* enum acpi_space */
	u8 bit_width;
	u8 bit_offset;
	u8 access_size;
	u64 address; /* 0: not present */
};

/* The root table, plus the physical address of every table it lists. */
struct acpi_tables {
	acpi_map_fn map;
	void *ctx;
	u64 root_pa;
	bool xsdt;	/* root is the XSDT (8-byte entries) */
	bool fell_back; /* XSDT was broken, RSDT used instead */
	bool truncated; /* more than ACPI_MAX_TABLES entries */
	u32 count;
	u64 table_pa[ACPI_MAX_TABLES];
	u64 bad_mask;	/* bit i: table i failed header validation */
	char warn[160]; /* first problem met with a listed table */
};

struct madt_cpu {
	u32 apic_id;
	u32 uid; /* ACPI processor UID */
	bool enabled;
	bool online_capable; /* disabled now, may be hot-added */
	bool x2apic;	     /* from a type 9 entry */
};

struct madt_ioapic {
	u8 id;
	u32 address;
	u32 gsi_base;
};

struct madt_override {
	u8 bus;
	u8 source; /* ISA IRQ */
	u32 gsi;
	u16 flags; /* MPS INTI polarity/trigger */
};

struct madt_nmi_source {
	u32 gsi;
	u16 flags;
};

struct madt_lapic_nmi {
	u32 uid; /* ACPI_UID_ALL_CPUS for all */
	u16 flags;
	u8 lint; /* LINT0 or LINT1 */
};

struct madt_info {
	u64 lapic_address; /* after any type 5 override */
	bool lapic_override;
	bool pcat_compat; /* dual 8259s present */
	u32 cpu_count;
	u32 cpus_skipped; /* neither enabled nor online capable */
	bool cpus_truncated;
	struct madt_cpu cpus[MADT_MAX_CPUS];
	u32 ioapic_count;
	bool ioapics_truncated;
	struct madt_ioapic ioapics[MADT_MAX_IOAPICS];
	u32 override_count;
	bool overrides_truncated;
	struct madt_override overrides[MADT_MAX_OVERRIDES];
	u32 nmi_source_count;
	struct madt_nmi_source nmi_sources[MADT_MAX_NMI_SOURCES];
	u32 lapic_nmi_count;
	struct madt_lapic_nmi lapic_nmis[MADT_MAX_LAPIC_NMIS];
	bool nmis_truncated;
};

struct fadt_info {
	u8 revision;
	u64 dsdt_pa; /* X_DSDT if set, else DSDT */
	u32 flags;
	bool hw_reduced;
	u16 sci_irq;
	u32 smi_cmd;
	u8 acpi_enable;
	struct acpi_gas pm1a_cnt; /* X_ block if set, else the legacy port */
	struct acpi_gas pm1b_cnt;
	u8 pm1_cnt_len;
	bool reset_supported;
	struct acpi_gas reset_reg;
	u8 reset_value;
	struct acpi_gas sleep_control; /* hardware-reduced only */
	struct acpi_gas sleep_status;
	u16 iapc_boot_arch;
};

struct hpet_info {
	u64 address;
	u32 block_id;
	u8 number;
	u16 min_tick;
};

/*
 * All functions return 0 or a negative error code and, on error, write a
 * reason into why (which may be NULL).
 */

/* Check an RSDP held in avail bytes (e.g. the copy from multiboot2). */
int acpi_parse_rsdp(const void *rsdp, size_t avail, struct acpi_rsdp_info *out, char *why,
		    size_t why_len);

/* Scan [start, start + len) on 16-byte boundaries for a valid RSDP. */
int acpi_find_rsdp(acpi_map_fn map, void *ctx, u64 start, u64 len, u64 *rsdp_pa,
		   struct acpi_rsdp_info *out, char *why, size_t why_len);

/* Load the XSDT (revision >= 2 and non-zero) or else the RSDT. */
int acpi_tables_init(struct acpi_tables *t, const struct acpi_rsdp_info *rsdp, acpi_map_fn map,
		     void *ctx, char *why, size_t why_len);

/*
 * Map and validate the table at pa (signature sig unless NULL, length,
 * checksum). *tbl and *len describe the whole table, header included.
 */
int acpi_map_table(const struct acpi_tables *t, u64 pa, const char *sig, const void **tbl, u32 *len,
		   char *why, size_t why_len);

/* The index-th valid table with signature sig (4 chars). -E_NOENT if none. */
int acpi_find_table(const struct acpi_tables *t, const char *sig, u32 index, const void **tbl,
		    u32 *len, u64 *pa, char *why, size_t why_len);

/* Header checks only: signature (unless NULL), length >= header and <= len, checksum. */
int acpi_check_table(const void *tbl, size_t len, const char *sig, char *why, size_t why_len);

int acpi_parse_madt(const void *tbl, size_t len, struct madt_info *mi, char *why, size_t why_len);
int acpi_parse_fadt(const void *tbl, size_t len, struct fadt_info *fi, char *why, size_t why_len);
int acpi_parse_hpet(const void *tbl, size_t len, struct hpet_info *hi, char *why, size_t why_len);

/*
 * Find \_S5 in a DSDT or SSDT (whole table, header included) and return its
 * SLP_TYPa/SLP_TYPb values. -E_NOENT if the table has no _S5_ package.
 */
int acpi_find_s5(const void *tbl, size_t len, u8 *slp_typa, u8 *slp_typb, char *why,
		 size_t why_len);

#endif
