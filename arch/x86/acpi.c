/* SPDX-License-Identifier: MIT */
/*
 * ACPI glue between the pure table parser and the kernel. Firmware tables
 * are read through the direct map; the map callback checks every page of a
 * request is actually mapped, so a wild table pointer becomes a parse error,
 * not a page fault. Each problem is reported as one "error: acpi: ..." or
 * "warning: acpi: ..." line and the boot goes on with what is known.
 */
#include "arch/x86/acpi.h"

#include "arch/x86/cpuid.h"
#include "arch/x86/paging.h"
#include "boot/layout.h"
#include "kernel/power.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/phys.h"

#define WHY_MAX		    160
#define IO_PORT_MAX	    0xFFFFu
#define EBDA_LOW	    0x80000 /* an EBDA pointer outside 512-640 KiB is bogus */
#define EBDA_HIGH	    0xA0000
#define REAL_MODE_SEG_SHIFT 4

struct acpi_platform acpi_platform;
struct madt_info acpi_madt;
static struct acpi_tables tables; /* (c) */

/* Map callback: the direct-map address if every page of the range is mapped. */
static const void *acpi_map(u64 pa, u64 len, void *ctx)
{
	u64 end = pa + len, page_size;

	(void)ctx;
	if (!len || end < pa || end > PHYSMAP_MAX_BYTES)
		return NULL;
	for (u64 p = pa; p < end; p = ALIGN_DOWN(p, page_size) + page_size)
		if (!paging_lookup((u64)(uintptr_t)phys_to_virt(p), &page_size))
			return NULL;
	return phys_to_virt(pa);
}

static void single_cpu_fallback(void)
{
	u32 id = cpuid(CPUID_LEAF_FEATURES).ebx >> CPUID_1_EBX_APIC_ID_SHIFT;

	acpi_platform.have_madt = false;
	acpi_platform.nr_cpus = 1;
	acpi_platform.apic_ids[0] = id;
	pr_warn("warning: acpi: no usable MADT; running on the boot CPU only\n");
}

static int find_rsdp(const void *copy, size_t len, struct acpi_rsdp_info *info)
{
	char why[WHY_MAX] = "";
	const u16 *ebda_seg;
	u64 rsdp_pa, ebda;

	if (copy && len) {
		if (!acpi_parse_rsdp(copy, len, info, why, sizeof(why)))
			return 0;
		pr_err("error: acpi: RSDP from the boot loader is bad (%s); scanning BIOS areas\n",
		       why);
	}
	ebda_seg = acpi_map(ACPI_EBDA_SEG_PTR, sizeof(*ebda_seg), NULL);
	ebda = ebda_seg ? (u64)*ebda_seg << REAL_MODE_SEG_SHIFT : 0;
	if (ebda >= EBDA_LOW && ebda < EBDA_HIGH &&
	    !acpi_find_rsdp(acpi_map, NULL, ebda, ACPI_EBDA_SCAN_LEN, &rsdp_pa, info, why,
			    sizeof(why)))
		return 0;
	if (!acpi_find_rsdp(acpi_map, NULL, ACPI_BIOS_AREA_START, ACPI_BIOS_AREA_LEN, &rsdp_pa,
			    info, why, sizeof(why)))
		return 0;
	pr_err("error: acpi: no valid RSDP found (%s)\n", why);
	return -E_NOENT;
}

static int load_madt(void)
{
	char why[WHY_MAX] = "";
	const void *tbl;
	u32 len;
	u64 pa;
	int err;

	err = acpi_find_table(&tables, ACPI_SIG_MADT, 0, &tbl, &len, &pa, why, sizeof(why));
	if (!err)
		err = acpi_parse_madt(tbl, len, &acpi_madt, why, sizeof(why));
	if (err) {
		pr_err("error: acpi: MADT: %s\n", err == -E_NOENT && !why[0] ? "not present" : why);
		return err;
	}
	for (u32 i = 0; i < acpi_madt.cpu_count; i++) {
		const struct madt_cpu *c = &acpi_madt.cpus[i];

		if (!c->enabled)
			continue; /* online-capable: hot-plug, which Tern does not do */
		if (acpi_platform.nr_cpus == MAX_CPUS) {
			acpi_platform.cpus_ignored++;
			continue;
		}
		acpi_platform.apic_ids[acpi_platform.nr_cpus++] = c->apic_id;
	}
	if (!acpi_platform.nr_cpus) {
		pr_err("error: acpi: MADT lists no enabled CPU\n");
		return -E_INVAL;
	}
	if (acpi_platform.cpus_ignored || acpi_madt.cpus_truncated)
		pr_warn("warning: acpi: more CPUs than MAX_CPUS=%u; %u ignored\n", MAX_CPUS,
			acpi_platform.cpus_ignored);
	acpi_platform.have_madt = true;
	return 0;
}

static bool gas_io_port(const struct acpi_gas *g, u16 *port)
{
	if (g->space_id != ACPI_SPACE_IO || !g->address || g->address > IO_PORT_MAX)
		return false;
	*port = (u16)g->address;
	return true;
}

/* \_S5 lives in the DSDT, occasionally in an SSDT. */
static void load_s5(u64 dsdt_pa)
{
	char why[WHY_MAX] = "";
	const void *tbl;
	u8 a, b;
	u32 len;
	u64 pa;
	int err;

	err = acpi_map_table(&tables, dsdt_pa, ACPI_SIG_DSDT, &tbl, &len, why, sizeof(why));
	if (!err)
		err = acpi_find_s5(tbl, len, &a, &b, why, sizeof(why));
	for (u32 i = 0; err == -E_NOENT; i++) {
		if (acpi_find_table(&tables, ACPI_SIG_SSDT, i, &tbl, &len, &pa, NULL, 0))
			break;
		err = acpi_find_s5(tbl, len, &a, &b, NULL, 0);
	}
	if (err) {
		pr_warn("warning: acpi: no \\_S5 (%s): exit=acpi cannot power off\n", why);
		return;
	}
	acpi_power.slp_typa = a;
	acpi_power.slp_typb = b;
	acpi_power.s5_valid = true;
}

static void load_fadt(void)
{
	struct fadt_info *f = &acpi_platform.fadt;
	char why[WHY_MAX] = "";
	const void *tbl;
	u32 len;
	u64 pa;
	int err;

	err = acpi_find_table(&tables, ACPI_SIG_FADT, 0, &tbl, &len, &pa, why, sizeof(why));
	if (!err)
		err = acpi_parse_fadt(tbl, len, f, why, sizeof(why));
	if (err) {
		pr_err("error: acpi: FADT: %s\n", why[0] ? why : "not present");
		return;
	}
	acpi_platform.have_fadt = true;
	gas_io_port(&f->pm1a_cnt, &acpi_power.pm1a_cnt);
	gas_io_port(&f->pm1b_cnt, &acpi_power.pm1b_cnt);
	if (f->reset_supported && gas_io_port(&f->reset_reg, &acpi_power.reset_port)) {
		acpi_power.reset_value = f->reset_value;
		acpi_power.reset_valid = true;
	}
	if (f->hw_reduced && !acpi_power.pm1a_cnt)
		pr_warn("warning: acpi: hardware-reduced ACPI: soft-off through the sleep "
			"control register is not supported\n");
	if (f->dsdt_pa)
		load_s5(f->dsdt_pa);
	else
		pr_warn("warning: acpi: FADT names no DSDT\n");
}

static void load_hpet(void)
{
	const void *tbl;
	u32 len;
	u64 pa;

	if (acpi_find_table(&tables, ACPI_SIG_HPET, 0, &tbl, &len, &pa, NULL, 0))
		return;
	acpi_platform.have_hpet = !acpi_parse_hpet(tbl, len, &acpi_platform.hpet, NULL, 0);
}

int acpi_init(const void *rsdp, size_t rsdp_len)
{
	struct acpi_rsdp_info info;
	char why[WHY_MAX] = "";
	int err;

	memset(&acpi_platform, 0, sizeof(acpi_platform));
	err = find_rsdp(rsdp, rsdp_len, &info);
	if (!err) {
		err = acpi_tables_init(&tables, &info, acpi_map, NULL, why, sizeof(why));
		if (err)
			pr_err("error: acpi: root table: %s\n", why);
	}
	if (err) {
		single_cpu_fallback();
		return err;
	}
	acpi_platform.have_acpi = true;
	if (tables.fell_back)
		pr_warn("warning: acpi: XSDT unusable, using the RSDT\n");
	if (tables.warn[0])
		pr_warn("warning: acpi: %s\n", tables.warn);
	pr_info("acpi: RSDP rev %u OEM '%s', %s with %u tables\n", info.revision, info.oem_id,
		tables.xsdt ? "XSDT" : "RSDT", tables.count);
	err = load_madt();
	if (err)
		single_cpu_fallback();
	load_fadt();
	load_hpet();
	pr_info("acpi: %u CPUs, %u IOAPICs, HPET %s, soft-off %s\n", acpi_platform.nr_cpus,
		acpi_platform.have_madt ? acpi_madt.ioapic_count : 0,
		acpi_platform.have_hpet ? "yes" : "no",
		acpi_power.s5_valid && acpi_power.pm1a_cnt ? "yes" : "no");
	return err;
}
