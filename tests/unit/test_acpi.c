/* SPDX-License-Identifier: MIT */
/*
 * Host tests for arch/x86/acpi_tables.c: RSDP search and checksums, RSDT/XSDT
 * selection and fallback, table validation, MADT/FADT/HPET decoding and the
 * \_S5 AML lookup, on tables built byte by byte in a fake physical memory.
 * Broken tables must fail with a reason; random ones must not crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_mem.h"

#include "arch/x86/acpi_tables.h"

#define MEM_SIZE 0x110000u
#define BIOS_LO	 0xE0000u
#define BIOS_LEN 0x20000u
#define EBDA	 0x9FC00u
#define EBDA_LEN 0x400u

#define PA_RSDT 0x20000u
#define PA_XSDT 0x21000u
#define PA_FADT 0x22000u
#define PA_MADT 0x23000u
#define PA_HPET 0x24000u
#define PA_DSDT 0x25000u
#define PA_SSDT 0x26000u
#define PA_RSDP 0xF0010u

static u8 sum(const u8 *p, size_t n)
{
	u8 s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* Header checksum byte (offset 9) so the table sums to zero. */
static void fix_sum(u8 *t)
{
	u32 len;

	memcpy(&len, t + 4, 4);
	t[9] = 0;
	t[9] = (u8)(0 - sum(t, len));
}

static void header(u8 *t, const char *sig, u32 len, u8 rev)
{
	memset(t, 0, len);
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "TERNOE", 6);
}

static void make_rsdp(u8 *r, u8 rev, u32 rsdt, u64 xsdt)
{
	memset(r, 0, 36);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "TERN  ", 6);
	r[15] = rev;
	put32(r + 16, rsdt);
	put32(r + 20, 36);
	put64(r + 24, xsdt);
	r[8] = (u8)(0 - sum(r, 20));
	r[32] = (u8)(0 - sum(r, 36));
}

/* ---- a complete, valid machine description ---- */

static const u8 dsdt_aml[] = {
	0x10, 0x05, '_',  'S',	'B',  '_',  0x00,	/* Scope(\_SB) junk */
	'_',  'S',  '5',  '_',	0x70,			/* a reference: not a package */
	0x08, '_',  'S',  '5',	'_',  0x12, 0x0A, 0x04, /* Name(_S5_, Package(4) */
	0x0A, 0x05, 0x0A, 0x06, 0x0A, 0x00, 0x0A, 0x00, /*   { 5, 6, 0, 0 }) */
	0xA3,
};

static u32 build_madt(u8 *t, int extra_cpus)
{
	u8 *e;
	u32 len;

	header(t, "APIC", 0x1000, 5);
	put32(t + 36, 0xFEE00000);
	put32(t + 40, 1); /* PCAT_COMPAT */
	e = t + 44;
	/* type 0: uid, apic id, flags */
	e[0] = 0, e[1] = 8, e[2] = 0, e[3] = 0, put32(e + 4, 1), e += 8;
	e[0] = 0, e[1] = 8, e[2] = 1, e[3] = 2, put32(e + 4, 1), e += 8;
	e[0] = 0, e[1] = 8, e[2] = 2, e[3] = 4, put32(e + 4, 0), e += 8; /* unusable */
	e[0] = 0, e[1] = 8, e[2] = 3, e[3] = 6, put32(e + 4, 2), e += 8; /* hot-plug */
	for (int i = 0; i < extra_cpus; i++) {
		e[0] = 0, e[1] = 8, e[2] = (u8)(10 + i), e[3] = (u8)(10 + i);
		put32(e + 4, 1);
		e += 8;
	}
	/* type 9: x2APIC id, flags, uid */
	e[0] = 9, e[1] = 16, put32(e + 4, 0x1000), put32(e + 8, 1), put32(e + 12, 77), e += 16;
	/* type 1: IOAPICs */
	e[0] = 1, e[1] = 12, e[2] = 8, put32(e + 4, 0xFEC00000), put32(e + 8, 0), e += 12;
	e[0] = 1, e[1] = 12, e[2] = 9, put32(e + 4, 0xFEC01000), put32(e + 8, 24), e += 12;
	/* type 2: ISA IRQ 0 -> GSI 2, IRQ 9 level/low */
	e[0] = 2, e[1] = 10, e[2] = 0, e[3] = 0, put32(e + 4, 2), put16(e + 8, 0), e += 10;
	e[0] = 2, e[1] = 10, e[2] = 0, e[3] = 9, put32(e + 4, 9), put16(e + 8, 0xF), e += 10;
	/* type 3: NMI source */
	e[0] = 3, e[1] = 8, put16(e + 2, 5), put32(e + 4, 23), e += 8;
	/* type 4: LAPIC NMI, all CPUs, LINT1 */
	e[0] = 4, e[1] = 6, e[2] = 0xFF, put16(e + 3, 5), e[5] = 1, e += 6;
	/* type 0xA: x2APIC NMI */
	e[0] = 0xA, e[1] = 12, put16(e + 2, 0), put32(e + 4, 77), e[8] = 0, e += 12;
	/* type 5: LAPIC address override */
	e[0] = 5, e[1] = 12, put64(e + 4, 0xFEE10000ull), e += 12;
	/* an unknown type is skipped */
	e[0] = 0x7F, e[1] = 4, e += 4;
	len = (u32)(e - t);
	put32(t + 4, len);
	fix_sum(t);
	return len;
}

static u32 build_fadt(u8 *t, u32 len, u32 flags)
{
	header(t, "FACP", len, 6);
	put32(t + 40, PA_DSDT);
	put16(t + 46, 9);
	put32(t + 48, 0xB2);
	t[52] = 0xF1;
	put32(t + 64, 0x604);
	put32(t + 68, 0);
	t[89] = 2;
	put16(t + 109, 0x3);
	put32(t + 112, flags);
	if (len >= 129) {
		t[116] = 1; /* reset register in I/O space */
		t[117] = 8;
		put64(t + 120, 0xCF9);
		t[128] = 0x6;
	}
	if (len >= 148)
		put64(t + 140, 0); /* X_DSDT unset: DSDT wins */
	if (len >= 268) {
		t[244] = 1;
		t[245] = 8;
		put64(t + 248, 0x600);
		t[256] = 1;
		t[257] = 8;
		put64(t + 260, 0x601);
	}
	fix_sum(t);
	return len;
}

static void build_machine(struct mem *m, bool with_rsdp)
{
	u8 *b = m->buf;
	u32 n;

	memset(b, 0, MEM_SIZE);
	build_madt(b + PA_MADT, 0);
	build_fadt(b + PA_FADT, 276, BIT(10));
	header(b + PA_HPET, "HPET", 56, 1);
	put32(b + PA_HPET + 36, 0x8086A201);
	b[PA_HPET + 40] = 0; /* memory space */
	b[PA_HPET + 41] = 64;
	put64(b + PA_HPET + 44, 0xFED00000);
	b[PA_HPET + 52] = 0;
	put16(b + PA_HPET + 53, 0x80);
	fix_sum(b + PA_HPET);
	n = 36 + sizeof(dsdt_aml);
	header(b + PA_DSDT, "DSDT", n, 2);
	memcpy(b + PA_DSDT + 36, dsdt_aml, sizeof(dsdt_aml));
	fix_sum(b + PA_DSDT);
	header(b + PA_SSDT, "SSDT", 40, 2);
	fix_sum(b + PA_SSDT);

	header(b + PA_RSDT, "RSDT", 36 + 3 * 4, 1);
	put32(b + PA_RSDT + 36, PA_FADT);
	put32(b + PA_RSDT + 40, PA_MADT);
	put32(b + PA_RSDT + 44, PA_HPET);
	fix_sum(b + PA_RSDT);

	header(b + PA_XSDT, "XSDT", 36 + 5 * 8, 1);
	put64(b + PA_XSDT + 36, PA_FADT);
	put64(b + PA_XSDT + 44, PA_MADT);
	put64(b + PA_XSDT + 52, PA_HPET);
	put64(b + PA_XSDT + 60, 0); /* null entries are skipped */
	put64(b + PA_XSDT + 68, PA_SSDT);
	fix_sum(b + PA_XSDT);
	if (with_rsdp)
		make_rsdp(b + PA_RSDP, 2, PA_RSDT, PA_XSDT);
}

/* ---- RSDP ---- */

static void test_rsdp_parse(void **state)
{
	struct acpi_rsdp_info ri;
	char why[160];
	u8 r[64];

	(void)state;
	make_rsdp(r, 0, 0x1234, 0);
	assert_int_equal(acpi_parse_rsdp(r, 20, &ri, why, sizeof(why)), 0);
	assert_int_equal(ri.revision, 0);
	assert_int_equal(ri.rsdt_pa, 0x1234);
	assert_int_equal(ri.xsdt_pa, 0);
	assert_string_equal(ri.oem_id, "TERN  ");

	make_rsdp(r, 2, 0x1234, 0x123456789ull);
	assert_int_equal(acpi_parse_rsdp(r, 36, &ri, why, sizeof(why)), 0);
	assert_int_equal(ri.revision, 2);
	assert_int_equal(ri.xsdt_pa, 0x123456789ull);

	assert_int_equal(acpi_parse_rsdp(r, 19, &ri, why, sizeof(why)), -E_INVAL);
	assert_string_equal(why, "RSDP: 19 bytes, need 20");
	assert_int_equal(acpi_parse_rsdp(r, 30, &ri, why, sizeof(why)), -E_INVAL);
	assert_string_equal(why, "RSDP revision 2: 30 bytes, need 36");

	r[32]++;
	assert_int_equal(acpi_parse_rsdp(r, 36, &ri, why, sizeof(why)), -E_INVAL);
	assert_string_equal(why, "RSDP: bad extended checksum over 36 bytes");
	r[32]--;
	r[8]++;
	assert_int_equal(acpi_parse_rsdp(r, 36, &ri, why, sizeof(why)), -E_INVAL);
	assert_string_equal(why, "RSDP: bad checksum over the first 20 bytes");
	r[8]--;

	put32(r + 20, 20); /* length below 36 */
	r[32] = 0;
	r[32] = (u8)(0 - sum(r, 36));
	assert_int_equal(acpi_parse_rsdp(r, 36, &ri, why, sizeof(why)), -E_INVAL);
	assert_string_equal(why, "RSDP: length 20 out of range (36..36)");
	put32(r + 20, 0xFFFFFFFF);
	assert_int_equal(acpi_parse_rsdp(r, 64, &ri, NULL, 0), -E_INVAL);

	memcpy(r, "RSD PTX ", 8);
	assert_int_equal(acpi_parse_rsdp(r, 36, &ri, why, sizeof(why)), -E_INVAL);
	assert_string_equal(why, "RSDP: bad signature");
}

static void test_rsdp_find(void **state)
{
	struct mem *m = mem_new_sized(MEM_SIZE);
	struct acpi_rsdp_info ri;
	char why[160];
	u64 pa = 0;

	(void)state;
	build_machine(m, false);
	assert_int_equal(acpi_find_rsdp(mem_map, m, BIOS_LO, BIOS_LEN, &pa, &ri, why, sizeof(why)),
			 -E_NOENT);
	assert_string_equal(why, "no RSDP in 0xe0000-0xfffff");

	/* a misaligned copy is not found */
	make_rsdp(m->buf + 0xE0008, 0, PA_RSDT, 0);
	assert_int_equal(acpi_find_rsdp(mem_map, m, BIOS_LO, BIOS_LEN, &pa, &ri, why, sizeof(why)),
			 -E_NOENT);

	/* a stale copy with a bad checksum only: an error naming the problem */
	make_rsdp(m->buf + 0xE0020, 0, PA_RSDT, 0);
	m->buf[0xE0020 + 8]++;
	assert_int_equal(acpi_find_rsdp(mem_map, m, BIOS_LO, BIOS_LEN, &pa, &ri, why, sizeof(why)),
			 -E_INVAL);
	assert_non_null(strstr(why, "checksum"));

	/* ... and the scan goes on past it to the good one */
	make_rsdp(m->buf + PA_RSDP, 2, PA_RSDT, PA_XSDT);
	assert_int_equal(acpi_find_rsdp(mem_map, m, BIOS_LO, BIOS_LEN, &pa, &ri, why, sizeof(why)),
			 0);
	assert_int_equal(pa, PA_RSDP);
	assert_int_equal(ri.xsdt_pa, PA_XSDT);

	/* the EBDA window, with an RSDP whose extended part straddles its end */
	make_rsdp(m->buf + EBDA + EBDA_LEN - 32, 2, PA_RSDT, PA_XSDT);
	assert_int_equal(acpi_find_rsdp(mem_map, m, EBDA, EBDA_LEN, &pa, &ri, why, sizeof(why)), 0);
	assert_int_equal(pa, EBDA + EBDA_LEN - 32);

	/* a window that is not mapped, or that wraps */
	assert_int_equal(
		acpi_find_rsdp(mem_map, m, MEM_SIZE - 16, 0x100, &pa, &ri, why, sizeof(why)),
		-E_INVAL);
	assert_int_equal(acpi_find_rsdp(mem_map, m, ~0ull - 8, 0x100, &pa, &ri, why, sizeof(why)),
			 -E_INVAL);
	/* a window shorter than an RSDP */
	assert_int_equal(acpi_find_rsdp(mem_map, m, PA_RSDP, 8, &pa, &ri, why, sizeof(why)),
			 -E_NOENT);
	mem_free(m);
}

/* ---- root tables ---- */

static void test_tables(void **state)
{
	struct mem *m = mem_new_sized(MEM_SIZE);
	struct acpi_tables *t = malloc(sizeof(*t));
	struct acpi_rsdp_info ri = {.revision = 2, .rsdt_pa = PA_RSDT, .xsdt_pa = PA_XSDT};
	const void *tbl;
	char why[160];
	u32 len;
	u64 pa;

	(void)state;
	build_machine(m, true);
	assert_int_equal(acpi_tables_init(t, &ri, mem_map, m, why, sizeof(why)), 0);
	assert_true(t->xsdt);
	assert_false(t->fell_back);
	assert_int_equal(t->count, 4);
	assert_int_equal(t->bad_mask, 0);
	assert_int_equal(acpi_find_table(t, "APIC", 0, &tbl, &len, &pa, why, sizeof(why)), 0);
	assert_int_equal(pa, PA_MADT);
	assert_ptr_equal(tbl, m->buf + PA_MADT);
	assert_int_equal(acpi_find_table(t, "SSDT", 0, &tbl, &len, &pa, why, sizeof(why)), 0);
	assert_int_equal(len, 40);
	assert_int_equal(acpi_find_table(t, "SSDT", 1, &tbl, &len, &pa, why, sizeof(why)),
			 -E_NOENT);
	assert_string_equal(why, "no valid SSDT table (#1)");
	assert_int_equal(acpi_find_table(t, "BGRT", 0, &tbl, &len, NULL, why, sizeof(why)),
			 -E_NOENT);
	assert_int_equal(acpi_map_table(t, PA_DSDT, "DSDT", &tbl, &len, why, sizeof(why)), 0);
	assert_int_equal(acpi_map_table(t, PA_DSDT, "FACP", &tbl, &len, why, sizeof(why)),
			 -E_INVAL);
	assert_string_equal(why, "table: signature 'DSDT', expected 'FACP'");
	assert_int_equal(acpi_map_table(t, MEM_SIZE - 10, NULL, &tbl, &len, why, sizeof(why)),
			 -E_INVAL);
	assert_non_null(strstr(why, "not accessible"));

	/* revision 0: the RSDT is used even if an XSDT address is set */
	ri.revision = 0;
	assert_int_equal(acpi_tables_init(t, &ri, mem_map, m, why, sizeof(why)), 0);
	assert_false(t->xsdt);
	assert_int_equal(t->count, 3);
	assert_int_equal(t->table_pa[2], PA_HPET);

	/* a broken XSDT: fall back to the RSDT */
	ri.revision = 2;
	m->buf[PA_XSDT + 40]++;
	assert_int_equal(acpi_tables_init(t, &ri, mem_map, m, why, sizeof(why)), 0);
	assert_false(t->xsdt);
	assert_true(t->fell_back);
	/* both broken: error */
	m->buf[PA_RSDT + 40]++;
	assert_int_equal(acpi_tables_init(t, &ri, mem_map, m, why, sizeof(why)), -E_INVAL);
	assert_string_equal(why, "RSDT: bad checksum");
	/* no root at all */
	ri.rsdt_pa = 0;
	ri.xsdt_pa = 0;
	assert_int_equal(acpi_tables_init(t, &ri, mem_map, m, why, sizeof(why)), -E_NOENT);

	/* a listed table with a bad checksum is flagged and not returned */
	build_machine(m, true);
	ri = (struct acpi_rsdp_info){.revision = 2, .rsdt_pa = PA_RSDT, .xsdt_pa = PA_XSDT};
	m->buf[PA_MADT + 50] ^= 0x40;
	assert_int_equal(acpi_tables_init(t, &ri, mem_map, m, why, sizeof(why)), 0);
	assert_int_equal(t->bad_mask, BIT(1));
	assert_string_equal(t->warn, "XSDT entry 1: APIC: bad checksum");
	assert_int_equal(acpi_find_table(t, "APIC", 0, &tbl, &len, &pa, why, sizeof(why)),
			 -E_INVAL);
	assert_string_equal(why, "APIC at 0x23000: APIC: bad checksum");

	/* root length smaller than its header; partial trailing entry ignored */
	build_machine(m, true);
	put32(m->buf + PA_XSDT + 4, 20);
	fix_sum(m->buf + PA_XSDT);
	assert_int_equal(acpi_tables_init(t, &ri, mem_map, m, why, sizeof(why)), 0);
	assert_true(t->fell_back);
	put32(m->buf + PA_RSDT + 4, 36 + 3 * 4 + 2);
	fix_sum(m->buf + PA_RSDT);
	assert_int_equal(acpi_tables_init(t, &ri, mem_map, m, why, sizeof(why)), 0);
	assert_int_equal(t->count, 3);
	/* a length that runs past memory */
	put32(m->buf + PA_RSDT + 4, MEM_SIZE);
	ri.xsdt_pa = 0;
	assert_int_equal(acpi_tables_init(t, &ri, mem_map, m, why, sizeof(why)), -E_INVAL);
	assert_non_null(strstr(why, "not accessible"));
	free(t);
	mem_free(m);
}

static void test_check_table(void **state)
{
	u8 t[64];
	char why[160];

	(void)state;
	header(t, "SSDT", 40, 1);
	fix_sum(t);
	assert_int_equal(acpi_check_table(t, 40, "SSDT", why, sizeof(why)), 0);
	assert_int_equal(acpi_check_table(t, 39, "SSDT", why, sizeof(why)), -E_INVAL);
	assert_string_equal(why, "SSDT: length 40 runs past the 39 bytes given");
	assert_int_equal(acpi_check_table(t, 20, NULL, why, sizeof(why)), -E_INVAL);
	assert_string_equal(why, "table: 20 bytes, smaller than the header");
	put32(t + 4, 12);
	assert_int_equal(acpi_check_table(t, 64, NULL, why, sizeof(why)), -E_INVAL);
	assert_string_equal(why, "SSDT: length 12 smaller than the header (36)");
	t[0] = 0x01;
	assert_int_equal(acpi_check_table(t, 64, "SSDT", why, sizeof(why)), -E_INVAL);
	assert_string_equal(why, "table: signature '?SDT', expected 'SSDT'");
}

/* ---- MADT ---- */

static void test_madt(void **state)
{
	u8 *t = calloc(1, 0x2000);
	struct madt_info *mi = malloc(sizeof(*mi));
	char why[160];
	u32 len;

	(void)state;
	len = build_madt(t, 0);
	assert_int_equal(acpi_parse_madt(t, len, mi, why, sizeof(why)), 0);
	assert_true(mi->pcat_compat);
	assert_true(mi->lapic_override);
	assert_int_equal(mi->lapic_address, 0xFEE10000ull);
	assert_int_equal(mi->cpu_count, 4);
	assert_int_equal(mi->cpus_skipped, 1);
	assert_int_equal(mi->cpus[0].apic_id, 0);
	assert_true(mi->cpus[0].enabled);
	assert_int_equal(mi->cpus[1].apic_id, 2);
	assert_int_equal(mi->cpus[1].uid, 1);
	assert_int_equal(mi->cpus[2].apic_id, 6);
	assert_false(mi->cpus[2].enabled);
	assert_true(mi->cpus[2].online_capable);
	assert_true(mi->cpus[3].x2apic);
	assert_int_equal(mi->cpus[3].apic_id, 0x1000);
	assert_int_equal(mi->cpus[3].uid, 77);
	assert_int_equal(mi->ioapic_count, 2);
	assert_int_equal(mi->ioapics[1].id, 9);
	assert_int_equal(mi->ioapics[1].address, 0xFEC01000);
	assert_int_equal(mi->ioapics[1].gsi_base, 24);
	assert_int_equal(mi->override_count, 2);
	assert_int_equal(mi->overrides[0].source, 0);
	assert_int_equal(mi->overrides[0].gsi, 2);
	assert_int_equal(mi->overrides[1].source, 9);
	assert_int_equal(mi->overrides[1].flags, 0xF);
	assert_int_equal(mi->nmi_source_count, 1);
	assert_int_equal(mi->nmi_sources[0].gsi, 23);
	assert_int_equal(mi->nmi_sources[0].flags, 5);
	assert_int_equal(mi->lapic_nmi_count, 2);
	assert_int_equal(mi->lapic_nmis[0].uid, ACPI_UID_ALL_CPUS);
	assert_int_equal(mi->lapic_nmis[0].lint, 1);
	assert_int_equal(mi->lapic_nmis[0].flags, 5);
	assert_int_equal(mi->lapic_nmis[1].uid, 77);
	assert_false(mi->cpus_truncated);

	/* more CPUs than fit */
	len = build_madt(t, 300);
	assert_int_equal(acpi_parse_madt(t, len, mi, why, sizeof(why)), 0);
	assert_int_equal(mi->cpu_count, MADT_MAX_CPUS);
	assert_true(mi->cpus_truncated);

	free(mi);
	free(t);
}

static void expect_madt(u8 *t, u32 len, const char *msg)
{
	struct madt_info *mi = malloc(sizeof(*mi));
	char why[160];

	fix_sum(t);
	if (acpi_parse_madt(t, len, mi, why, sizeof(why)) != -E_INVAL || strcmp(why, msg))
		fail_msg("expected '%s', got '%s'", msg, why);
	free(mi);
}

static void test_madt_broken(void **state)
{
	u8 *t = calloc(1, 0x2000);
	struct madt_info *mi = malloc(sizeof(*mi));
	char why[160];
	u32 len;

	(void)state;
	/* a zero-length entry must not loop forever */
	len = build_madt(t, 0);
	t[44 + 8 + 1] = 0;
	expect_madt(t, len, "MADT: entry type 0 at offset 52 has length 0");
	len = build_madt(t, 0);
	t[44 + 1] = 1;
	expect_madt(t, len, "MADT: entry type 0 at offset 44 has length 1");
	/* an entry running past the table */
	len = build_madt(t, 0);
	t[44 + 1] = 200;
	expect_madt(t, len, "MADT: entry type 0 at offset 44 (length 200) runs past the table");
	/* a known entry too short for its fields */
	len = build_madt(t, 0);
	t[44] = 1; /* an IOAPIC needs 12 bytes, this one has 8 */
	expect_madt(t, len, "MADT: entry type 1 at offset 44: length 8, need 12");
	/* one byte left for an entry header */
	len = build_madt(t, 0);
	put32(t + 4, len + 1);
	snprintf(why, sizeof(why), "MADT: truncated entry at offset %u", len);
	expect_madt(t, len + 1, why);
	/* length below the fixed part */
	header(t, "APIC", 40, 1);
	expect_madt(t, 40, "MADT: length 40, need at least 44");
	/* bad checksum, wrong signature */
	len = build_madt(t, 0);
	t[60]++;
	assert_int_equal(acpi_parse_madt(t, len, mi, why, sizeof(why)), -E_INVAL);
	assert_string_equal(why, "APIC: bad checksum");
	len = build_madt(t, 0);
	memcpy(t, "APIX", 4);
	expect_madt(t, len, "table: signature 'APIX', expected 'APIC'");
	free(mi);
	free(t);
}

/* ---- FADT, HPET ---- */

static void test_fadt(void **state)
{
	u8 t[300];
	struct fadt_info fi;
	char why[160];

	(void)state;
	build_fadt(t, 276, BIT(10));
	assert_int_equal(acpi_parse_fadt(t, 276, &fi, why, sizeof(why)), 0);
	assert_int_equal(fi.revision, 6);
	assert_int_equal(fi.dsdt_pa, PA_DSDT);
	assert_false(fi.hw_reduced);
	assert_int_equal(fi.sci_irq, 9);
	assert_int_equal(fi.smi_cmd, 0xB2);
	assert_int_equal(fi.acpi_enable, 0xF1);
	assert_int_equal(fi.pm1a_cnt.space_id, ACPI_SPACE_IO);
	assert_int_equal(fi.pm1a_cnt.address, 0x604);
	assert_int_equal(fi.pm1a_cnt.bit_width, 16);
	assert_int_equal(fi.pm1b_cnt.address, 0);
	assert_true(fi.reset_supported);
	assert_int_equal(fi.reset_reg.space_id, ACPI_SPACE_IO);
	assert_int_equal(fi.reset_reg.address, 0xCF9);
	assert_int_equal(fi.reset_value, 6);
	assert_int_equal(fi.sleep_control.address, 0x600);
	assert_int_equal(fi.sleep_status.address, 0x601);
	assert_int_equal(fi.iapc_boot_arch, 3);

	/* X_ fields override the legacy ones; HW_REDUCED */
	build_fadt(t, 276, BIT(20));
	put64(t + 140, 0x7fff0000ull);
	t[172] = 1;
	t[173] = 16;
	put64(t + 176, 0x1004);
	fix_sum(t);
	assert_int_equal(acpi_parse_fadt(t, 276, &fi, why, sizeof(why)), 0);
	assert_true(fi.hw_reduced);
	assert_false(fi.reset_supported);
	assert_int_equal(fi.dsdt_pa, 0x7fff0000ull);
	assert_int_equal(fi.pm1a_cnt.address, 0x1004);

	/* ACPI 1.0 size: no reset register */
	build_fadt(t, 116, BIT(10));
	assert_int_equal(acpi_parse_fadt(t, 116, &fi, why, sizeof(why)), 0);
	assert_false(fi.reset_supported);
	assert_int_equal(fi.reset_reg.address, 0);
	assert_int_equal(fi.pm1a_cnt.address, 0x604);

	build_fadt(t, 100, 0);
	assert_int_equal(acpi_parse_fadt(t, 100, &fi, why, sizeof(why)), -E_INVAL);
	assert_string_equal(why, "FADT: length 100, need at least 116");
	build_fadt(t, 276, 0);
	t[200]++;
	assert_int_equal(acpi_parse_fadt(t, 276, &fi, why, sizeof(why)), -E_INVAL);
	assert_string_equal(why, "FACP: bad checksum");
	build_fadt(t, 276, 0);
	assert_int_equal(acpi_parse_fadt(t, 200, &fi, why, sizeof(why)), -E_INVAL);
}

static void test_hpet(void **state)
{
	struct mem *m = mem_new_sized(MEM_SIZE);
	struct hpet_info hi;
	u8 *t = m->buf + PA_HPET;
	char why[160];

	(void)state;
	build_machine(m, false);
	assert_int_equal(acpi_parse_hpet(t, 56, &hi, why, sizeof(why)), 0);
	assert_int_equal(hi.address, 0xFED00000);
	assert_int_equal(hi.block_id, 0x8086A201);
	assert_int_equal(hi.min_tick, 0x80);
	t[40] = 1; /* I/O space */
	fix_sum(t);
	assert_int_equal(acpi_parse_hpet(t, 56, &hi, why, sizeof(why)), -E_INVAL);
	assert_string_equal(why, "HPET: base address 0xfed00000 in space 1 is not usable MMIO");
	put32(t + 4, 50);
	fix_sum(t);
	assert_int_equal(acpi_parse_hpet(t, 56, &hi, why, sizeof(why)), -E_INVAL);
	assert_string_equal(why, "HPET: length 50, need 56");
	mem_free(m);
}

/* ---- \_S5 ---- */

static int s5(const u8 *aml, size_t n, const char *sig, u8 *a, u8 *b, char *why)
{
	u8 t[512];

	assert_true(n + 36 <= sizeof(t));
	header(t, sig, (u32)(36 + n), 2);
	if (n)
		memcpy(t + 36, aml, n);
	fix_sum(t);
	return acpi_find_s5(t, 36 + n, a, b, why, 160);
}

static void test_s5(void **state)
{
	static const u8 literal[] = {0x08, '_',	 'S',  '5',  '_',  0x12,
				     0x06, 0x04, 0x01, 0x00, 0x00, 0x00};
	static const u8 words[] = {'_',	 'S',  '5',  '_',  0x12, 0x0A, 0x02, 0x0B,
				   0x07, 0x00, 0x0C, 0x03, 0x00, 0x00, 0x00};
	static const u8 one_elem[] = {'_', 'S', '5', '_', 0x12, 0x04, 0x01, 0x0A, 0x07};
	static const u8 too_big[] = {'_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0A, 0x08, 0x0A, 0x00};
	static const u8 past_end[] = {'_', 'S', '5', '_', 0x12, 0x3F, 0x02, 0x0A, 0x05};
	static const u8 trunc[] = {'x', '_', 'S', '5', '_', 0x12};
	static const u8 bad_elem[] = {'_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0D, 0x41, 0x00};
	static const u8 empty[] = {'_', 'S', '5', '_', 0x12, 0x02, 0x00};
	static const u8 none[] = {0x08, '_', 'S', '4', '_', 0x12, 0x02, 0x00};
	u8 big[300], a = 0xEE, b = 0xEE;
	char why[160];
	u8 t[64];

	(void)state;
	assert_int_equal(s5(dsdt_aml, sizeof(dsdt_aml), "DSDT", &a, &b, why), 0);
	assert_int_equal(a, 5);
	assert_int_equal(b, 6);
	assert_int_equal(s5(literal, sizeof(literal), "SSDT", &a, &b, why), 0);
	assert_int_equal(a, 1);
	assert_int_equal(b, 0);
	assert_int_equal(s5(words, sizeof(words), "DSDT", &a, &b, why), 0);
	assert_int_equal(a, 7);
	assert_int_equal(b, 3);
	assert_int_equal(s5(one_elem, sizeof(one_elem), "DSDT", &a, &b, why), 0);
	assert_int_equal(a, 7);
	assert_int_equal(b, 7);

	/* a two-byte PkgLength, package deep inside a larger table */
	memset(big, 0xA3, sizeof(big));
	memcpy(big + 200, "_S5_", 4);
	big[204] = 0x12;
	big[205] = 0x40 | 0x07; /* length 0x07 | (0x00 << 4) = 7 */
	big[206] = 0x00;
	big[207] = 0x02;
	big[208] = 0x0A, big[209] = 0x02, big[210] = 0x01;
	assert_int_equal(s5(big, 211 + 10, "DSDT", &a, &b, why), 0);
	assert_int_equal(a, 2);
	assert_int_equal(b, 1);

	assert_int_equal(s5(too_big, sizeof(too_big), "DSDT", &a, &b, why), -E_INVAL);
	assert_string_equal(why, "_S5_: SLP_TYPa 0x8 does not fit 3 bits");
	assert_int_equal(s5(past_end, sizeof(past_end), "DSDT", &a, &b, why), -E_INVAL);
	assert_string_equal(why, "_S5_: package length 63 out of bounds");
	assert_int_equal(s5(trunc, sizeof(trunc), "DSDT", &a, &b, why), -E_INVAL);
	assert_string_equal(why, "_S5_: truncated package length");
	assert_int_equal(s5(bad_elem, sizeof(bad_elem), "DSDT", &a, &b, why), -E_INVAL);
	assert_string_equal(why, "_S5_: element 0 is not an integer constant");
	assert_int_equal(s5(empty, sizeof(empty), "DSDT", &a, &b, why), -E_INVAL);
	assert_string_equal(why, "_S5_: empty package");
	assert_int_equal(s5(none, sizeof(none), "DSDT", &a, &b, why), -E_NOENT);
	assert_string_equal(why, "no _S5_ package in the AML");
	assert_int_equal(s5(NULL, 0, "DSDT", &a, &b, why), -E_NOENT);
	assert_int_equal(s5(literal, sizeof(literal), "FACP", &a, &b, why), -E_INVAL);
	assert_string_equal(why, "_S5_ lookup: not a DSDT or SSDT");
	header(t, "DSDT", 40, 2);
	assert_int_equal(acpi_find_s5(t, 40, &a, &b, why, sizeof(why)), -E_INVAL);
	assert_string_equal(why, "DSDT: bad checksum");
}

/* ---- an end-to-end walk, as the kernel will do it ---- */

static void test_end_to_end(void **state)
{
	struct mem *m = mem_new_sized(MEM_SIZE);
	struct acpi_tables *t = malloc(sizeof(*t));
	struct madt_info *mi = malloc(sizeof(*mi));
	struct acpi_rsdp_info ri;
	struct fadt_info fi;
	struct hpet_info hi;
	const void *tbl;
	char why[160];
	u32 len;
	u64 pa;
	u8 a, b;

	(void)state;
	build_machine(m, true);
	assert_int_equal(acpi_find_rsdp(mem_map, m, EBDA, EBDA_LEN, &pa, &ri, why, sizeof(why)),
			 -E_NOENT);
	assert_int_equal(acpi_find_rsdp(mem_map, m, BIOS_LO, BIOS_LEN, &pa, &ri, why, sizeof(why)),
			 0);
	assert_int_equal(acpi_tables_init(t, &ri, mem_map, m, why, sizeof(why)), 0);
	assert_int_equal(acpi_find_table(t, ACPI_SIG_MADT, 0, &tbl, &len, NULL, why, sizeof(why)),
			 0);
	assert_int_equal(acpi_parse_madt(tbl, len, mi, why, sizeof(why)), 0);
	assert_int_equal(mi->cpu_count, 4);
	assert_int_equal(acpi_find_table(t, ACPI_SIG_FADT, 0, &tbl, &len, NULL, why, sizeof(why)),
			 0);
	assert_int_equal(acpi_parse_fadt(tbl, len, &fi, why, sizeof(why)), 0);
	assert_int_equal(acpi_map_table(t, fi.dsdt_pa, ACPI_SIG_DSDT, &tbl, &len, why, sizeof(why)),
			 0);
	assert_int_equal(acpi_find_s5(tbl, len, &a, &b, why, sizeof(why)), 0);
	assert_int_equal(a, 5);
	assert_int_equal(acpi_find_table(t, ACPI_SIG_HPET, 0, &tbl, &len, NULL, why, sizeof(why)),
			 0);
	assert_int_equal(acpi_parse_hpet(tbl, len, &hi, why, sizeof(why)), 0);
	assert_int_equal(hi.address, 0xFED00000);
	free(mi);
	free(t);
	mem_free(m);
}

/* ---- fuzz-ish ---- */

static void test_fuzz(void **state)
{
	struct mem *m = mem_new_sized(MEM_SIZE);
	struct acpi_tables *t = malloc(sizeof(*t));
	struct madt_info *mi = malloc(sizeof(*mi));
	struct acpi_rsdp_info ri = {.revision = 2, .rsdt_pa = PA_RSDT, .xsdt_pa = PA_XSDT};
	u8 *tb = malloc(512);
	struct fadt_info fi;
	struct hpet_info hi;
	char why[160];
	u8 a, b;
	u64 pa;

	(void)state;
	srand(777);
	for (int i = 0; i < 4000; i++) {
		u32 n = 36 + (u32)(rand() % 400);

		/* random table bodies behind valid headers */
		for (u32 k = 0; k < n; k++)
			tb[k] = (u8)rand();
		if (i & 1) { /* mostly plausible MADT entries */
			for (u32 off = 44; off + 2 <= n; off += tb[off + 1] ? tb[off + 1] : 1) {
				tb[off] = (u8)(rand() % 12);
				tb[off + 1] = (u8)(rand() % 20);
			}
		}
		header(tb, "APIC", n, 1);
		for (u32 k = 36; k < n; k++)
			tb[k] = (u8)(rand() % 3 ? rand() : 0);
		fix_sum(tb);
		(void)acpi_parse_madt(tb, n, mi, why, sizeof(why));
		memcpy(tb, "FACP", 4);
		fix_sum(tb);
		(void)acpi_parse_fadt(tb, n, &fi, why, sizeof(why));
		memcpy(tb, "HPET", 4);
		fix_sum(tb);
		(void)acpi_parse_hpet(tb, n, &hi, why, sizeof(why));
		memcpy(tb, "DSDT", 4);
		if (n > 48) {
			memcpy(tb + 40, "_S5_", 4);
			tb[44] = 0x12;
		}
		fix_sum(tb);
		(void)acpi_find_s5(tb, n, &a, &b, why, sizeof(why));
		/* lying lengths */
		put32(tb + 4, (u32)rand());
		(void)acpi_check_table(tb, n, NULL, why, sizeof(why));
		(void)acpi_parse_madt(tb, n, mi, why, sizeof(why));
	}
	/* corrupted machine: random bytes in root tables and pointers */
	for (int i = 0; i < 1500; i++) {
		build_machine(m, true);
		for (int k = rand() % 6 + 1; k > 0; k--) {
			u32 where = (u32[]){PA_RSDT, PA_XSDT, PA_RSDP, PA_MADT}[rand() % 4];

			m->buf[where + rand() % 80] = (u8)rand();
		}
		if (i & 1) { /* valid checksums over corrupted contents */
			for (u32 r = 0; r < 2; r++) {
				u8 *root = m->buf + (r ? PA_RSDT : PA_XSDT);
				u32 rlen;

				memcpy(&rlen, root + 4, 4);
				if (rlen <= 0x1000)
					fix_sum(root);
			}
		}
		if (!acpi_find_rsdp(mem_map, m, BIOS_LO, BIOS_LEN, &pa, &ri, why, sizeof(why)) &&
		    !acpi_tables_init(t, &ri, mem_map, m, why, sizeof(why))) {
			const void *tbl;
			u32 len;

			if (!acpi_find_table(t, "APIC", 0, &tbl, &len, NULL, why, sizeof(why)))
				(void)acpi_parse_madt(tbl, len, mi, why, sizeof(why));
		}
	}
	free(tb);
	free(mi);
	free(t);
	mem_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsdp_parse), cmocka_unit_test(test_rsdp_find),
		cmocka_unit_test(test_tables),	   cmocka_unit_test(test_check_table),
		cmocka_unit_test(test_madt),	   cmocka_unit_test(test_madt_broken),
		cmocka_unit_test(test_fadt),	   cmocka_unit_test(test_hpet),
		cmocka_unit_test(test_s5),	   cmocka_unit_test(test_end_to_end),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
