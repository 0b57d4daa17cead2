/* SPDX-License-Identifier: MIT */
/*
 * Decoders for the ACPI tables Tern uses (see acpi_tables.h): the MADT's
 * CPUs, IOAPICs, interrupt overrides and NMIs, the FADT's power-off and reset
 * registers, the HPET block, and the \_S5 package found by scanning DSDT or
 * SSDT AML. Each checks the table header first, then reads fields with
 * memcpy at named offsets, only where the table's length covers them.
 * Variable-length walks (MADT entries, AML package lengths) always advance by
 * at least one byte or stop with an error.
 */
#include "arch/x86/acpi_tables.h"
#include "arch/x86/acpi_tables_priv.h"
#include "lib/bytes.h"
#include "lib/string.h"

/* Table header (HDR_LENGTH is in acpi_tables_priv.h). */
#define HDR_REVISION 8

/* MADT. */
#define MADT_LAPIC_ADDR	   36
#define MADT_FLAGS	   40
#define MADT_ENTRIES	   44
#define MADT_F_PCAT_COMPAT BIT(0)
#define MADT_ENTRY_HDR	   2

enum madt_type {
	MADT_LAPIC = 0,
	MADT_IOAPIC = 1,
	MADT_ISO = 2,
	MADT_NMI_SOURCE = 3,
	MADT_LAPIC_NMI = 4,
	MADT_LAPIC_OVERRIDE = 5,
	MADT_X2APIC = 9,
	MADT_X2APIC_NMI = 0xA,
};

/* Minimum entry lengths, indexed by type; 0: not decoded. */
static const u8 madt_min_len[] = {
	[MADT_LAPIC] = 8,      [MADT_IOAPIC] = 12,     [MADT_ISO] = 10,
	[MADT_NMI_SOURCE] = 8, [MADT_LAPIC_NMI] = 6,   [MADT_LAPIC_OVERRIDE] = 12,
	[MADT_X2APIC] = 16,    [MADT_X2APIC_NMI] = 12,
};

#define MADT_CPU_ENABLED	BIT(0)
#define MADT_CPU_ONLINE_CAPABLE BIT(1)
#define MADT_LAPIC_NMI_ALL	0xFF

/* FADT. */
#define FADT_DSDT	     40
#define FADT_SCI_INT	     46
#define FADT_SMI_CMD	     48
#define FADT_ACPI_ENABLE     52
#define FADT_PM1A_CNT_BLK    64
#define FADT_PM1B_CNT_BLK    68
#define FADT_PM1_CNT_LEN     89
#define FADT_IAPC_BOOT_ARCH  109
#define FADT_FLAGS	     112
#define FADT_V1_SIZE	     116 /* ACPI 1.0 FADT: everything up to FLAGS */
#define FADT_RESET_REG	     116
#define FADT_RESET_VALUE     128
#define FADT_X_DSDT	     140
#define FADT_X_PM1A_CNT_BLK  172
#define FADT_X_PM1B_CNT_BLK  184
#define FADT_SLEEP_CONTROL   244
#define FADT_SLEEP_STATUS    256
#define FADT_F_RESET_REG_SUP BIT(10)
#define FADT_F_HW_REDUCED    BIT(20)

#define GAS_SIZE    12
#define GAS_SPACE   0
#define GAS_WIDTH   1
#define GAS_OFFSET  2
#define GAS_ACCESS  3
#define GAS_ADDRESS 4

/* HPET. */
#define HPET_BLOCK_ID 36
#define HPET_BASE     40
#define HPET_NUMBER   52
#define HPET_MIN_TICK 53
#define HPET_SIZE     56

/* AML. */
#define AML_PACKAGE_OP	       0x12
#define AML_ZERO_OP	       0x00
#define AML_ONE_OP	       0x01
#define AML_BYTE_PREFIX	       0x0A
#define AML_WORD_PREFIX	       0x0B
#define AML_DWORD_PREFIX       0x0C
#define AML_PKGLEN_BYTES_SHIFT 6 /* lead byte bits 7:6: count of extra bytes */
#define AML_PKGLEN_SHORT_MASK  0x3F
#define AML_PKGLEN_LONG_MASK   0x0F
#define AML_S5_NAME	       "_S5_"
#define SLP_TYP_MAX	       7 /* a 3-bit field in PM1_CNT and SLEEP_CONTROL */

/* ---- MADT ---- */

static void madt_add_cpu(struct madt_info *mi, u32 apic_id, u32 uid, u32 flags, bool x2apic)
{
	if (!(flags & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE))) {
		mi->cpus_skipped++; /* firmware often lists unused slots */
		return;
	}
	if (mi->cpu_count >= MADT_MAX_CPUS) {
		mi->cpus_truncated = true;
		return;
	}
	mi->cpus[mi->cpu_count++] = (struct madt_cpu){
		.apic_id = apic_id,
		.uid = uid,
		.enabled = flags & MADT_CPU_ENABLED,
		.online_capable = !(flags & MADT_CPU_ENABLED) && (flags & MADT_CPU_ONLINE_CAPABLE),
		.x2apic = x2apic,
	};
}

static void madt_add_lapic_nmi(struct madt_info *mi, u32 uid, u16 flags, u8 lint)
{
	if (mi->lapic_nmi_count >= MADT_MAX_LAPIC_NMIS) {
		mi->nmis_truncated = true;
		return;
	}
	mi->lapic_nmis[mi->lapic_nmi_count++] = (struct madt_lapic_nmi){uid, flags, lint};
}

static void madt_entry(struct madt_info *mi, const u8 *e)
{
	switch (e[0]) {
	case MADT_LAPIC:
		madt_add_cpu(mi, e[3], e[2], rd32(e, 4), false);
		break;
	case MADT_X2APIC:
		madt_add_cpu(mi, rd32(e, 4), rd32(e, 12), rd32(e, 8), true);
		break;
	case MADT_IOAPIC:
		if (mi->ioapic_count >= MADT_MAX_IOAPICS) {
			mi->ioapics_truncated = true;
			break;
		}
		mi->ioapics[mi->ioapic_count++] =
			(struct madt_ioapic){e[2], rd32(e, 4), rd32(e, 8)};
		break;
	case MADT_ISO:
		if (mi->override_count >= MADT_MAX_OVERRIDES) {
			mi->overrides_truncated = true;
			break;
		}
		mi->overrides[mi->override_count++] =
			(struct madt_override){e[2], e[3], rd32(e, 4), rd16(e, 8)};
		break;
	case MADT_NMI_SOURCE:
		if (mi->nmi_source_count >= MADT_MAX_NMI_SOURCES) {
			mi->nmis_truncated = true;
			break;
		}
		mi->nmi_sources[mi->nmi_source_count++] =
			(struct madt_nmi_source){rd32(e, 4), rd16(e, 2)};
		break;
	case MADT_LAPIC_NMI:
		madt_add_lapic_nmi(mi, e[2] == MADT_LAPIC_NMI_ALL ? ACPI_UID_ALL_CPUS : e[2],
				   rd16(e, 3), e[5]);
		break;
	case MADT_X2APIC_NMI:
		madt_add_lapic_nmi(mi, rd32(e, 4), rd16(e, 2), e[8]);
		break;
	case MADT_LAPIC_OVERRIDE:
		mi->lapic_address = rd64(e, 4);
		mi->lapic_override = true;
		break;
	default:
		break; /* other entry types are not used by Tern */
	}
}

int acpi_parse_madt(const void *tbl, size_t len, struct madt_info *mi, char *why, size_t why_len)
{
	const u8 *b = tbl;
	u32 tlen, off;
	int err;

	err = acpi_check_table(tbl, len, ACPI_SIG_MADT, why, why_len);
	if (err)
		return err;
	tlen = rd32(b, HDR_LENGTH);
	if (tlen < MADT_ENTRIES)
		return acpi_fail(why, why_len, -E_INVAL, "MADT: length %u, need at least %u", tlen,
				 MADT_ENTRIES);
	memset(mi, 0, sizeof(*mi));
	mi->lapic_address = rd32(b, MADT_LAPIC_ADDR);
	mi->pcat_compat = rd32(b, MADT_FLAGS) & MADT_F_PCAT_COMPAT;
	for (off = MADT_ENTRIES; off < tlen;) {
		u8 type, elen;

		if (tlen - off < MADT_ENTRY_HDR)
			return acpi_fail(why, why_len, -E_INVAL,
					 "MADT: truncated entry at offset %u", off);
		type = b[off];
		elen = b[off + 1];
		if (elen < MADT_ENTRY_HDR)
			return acpi_fail(why, why_len, -E_INVAL,
					 "MADT: entry type %u at offset %u has length %u", type,
					 off, elen);
		if (elen > tlen - off)
			return acpi_fail(
				why, why_len, -E_INVAL,
				"MADT: entry type %u at offset %u (length %u) runs past the table",
				type, off, elen);
		if (type < ARRAY_SIZE(madt_min_len) && elen < madt_min_len[type])
			return acpi_fail(why, why_len, -E_INVAL,
					 "MADT: entry type %u at offset %u: length %u, need %u",
					 type, off, elen, madt_min_len[type]);
		madt_entry(mi, b + off);
		off += elen;
	}
	return 0;
}

/* ---- FADT ---- */

static struct acpi_gas read_gas(const u8 *b, size_t off)
{
	return (struct acpi_gas){
		.space_id = b[off + GAS_SPACE],
		.bit_width = b[off + GAS_WIDTH],
		.bit_offset = b[off + GAS_OFFSET],
		.access_size = b[off + GAS_ACCESS],
		.address = rd64(b, off + GAS_ADDRESS),
	};
}

static struct acpi_gas io_gas(u32 port, u8 bytes)
{
	return (struct acpi_gas){
		.space_id = ACPI_SPACE_IO,
		.bit_width = (u8)(bytes * 8),
		.address = port,
	};
}

int acpi_parse_fadt(const void *tbl, size_t len, struct fadt_info *fi, char *why, size_t why_len)
{
	const u8 *b = tbl;
	u32 tlen;
	int err;

	err = acpi_check_table(tbl, len, ACPI_SIG_FADT, why, why_len);
	if (err)
		return err;
	tlen = rd32(b, HDR_LENGTH);
	if (tlen < FADT_V1_SIZE)
		return acpi_fail(why, why_len, -E_INVAL, "FADT: length %u, need at least %u", tlen,
				 FADT_V1_SIZE);
	memset(fi, 0, sizeof(*fi));
	fi->revision = b[HDR_REVISION];
	fi->dsdt_pa = rd32(b, FADT_DSDT);
	fi->sci_irq = rd16(b, FADT_SCI_INT);
	fi->smi_cmd = rd32(b, FADT_SMI_CMD);
	fi->acpi_enable = b[FADT_ACPI_ENABLE];
	fi->pm1_cnt_len = b[FADT_PM1_CNT_LEN];
	fi->pm1a_cnt = io_gas(rd32(b, FADT_PM1A_CNT_BLK), fi->pm1_cnt_len);
	fi->pm1b_cnt = io_gas(rd32(b, FADT_PM1B_CNT_BLK), fi->pm1_cnt_len);
	fi->iapc_boot_arch = rd16(b, FADT_IAPC_BOOT_ARCH);
	fi->flags = rd32(b, FADT_FLAGS);
	fi->hw_reduced = fi->flags & FADT_F_HW_REDUCED;
	/* Later fields exist only if the table is long enough for them. */
	if (tlen >= FADT_RESET_VALUE + 1) {
		fi->reset_supported = fi->flags & FADT_F_RESET_REG_SUP;
		fi->reset_reg = read_gas(b, FADT_RESET_REG);
		fi->reset_value = b[FADT_RESET_VALUE];
	}
	if (tlen >= FADT_X_DSDT + 8 && rd64(b, FADT_X_DSDT))
		fi->dsdt_pa = rd64(b, FADT_X_DSDT);
	if (tlen >= FADT_X_PM1A_CNT_BLK + GAS_SIZE && rd64(b, FADT_X_PM1A_CNT_BLK + GAS_ADDRESS))
		fi->pm1a_cnt = read_gas(b, FADT_X_PM1A_CNT_BLK);
	if (tlen >= FADT_X_PM1B_CNT_BLK + GAS_SIZE && rd64(b, FADT_X_PM1B_CNT_BLK + GAS_ADDRESS))
		fi->pm1b_cnt = read_gas(b, FADT_X_PM1B_CNT_BLK);
	if (tlen >= FADT_SLEEP_CONTROL + GAS_SIZE)
		fi->sleep_control = read_gas(b, FADT_SLEEP_CONTROL);
	if (tlen >= FADT_SLEEP_STATUS + GAS_SIZE)
		fi->sleep_status = read_gas(b, FADT_SLEEP_STATUS);
	return 0;
}

/* ---- HPET ---- */

int acpi_parse_hpet(const void *tbl, size_t len, struct hpet_info *hi, char *why, size_t why_len)
{
	const u8 *b = tbl;
	struct acpi_gas base;
	u32 tlen;
	int err;

	err = acpi_check_table(tbl, len, ACPI_SIG_HPET, why, why_len);
	if (err)
		return err;
	tlen = rd32(b, HDR_LENGTH);
	if (tlen < HPET_SIZE)
		return acpi_fail(why, why_len, -E_INVAL, "HPET: length %u, need %u", tlen,
				 HPET_SIZE);
	base = read_gas(b, HPET_BASE);
	if (base.space_id != ACPI_SPACE_MEMORY || !base.address)
		return acpi_fail(why, why_len, -E_INVAL,
				 "HPET: base address 0x%llx in space %u is not usable MMIO",
				 (unsigned long long)base.address, base.space_id);
	hi->address = base.address;
	hi->block_id = rd32(b, HPET_BLOCK_ID);
	hi->number = b[HPET_NUMBER];
	hi->min_tick = rd16(b, HPET_MIN_TICK);
	return 0;
}

/* ---- \_S5 ---- */

/* One package element as an integer; *pos advances past it. */
static int aml_integer(const u8 *aml, u32 end, u32 *pos, u32 *val)
{
	u32 p = *pos;
	u32 size;

	if (p >= end)
		return -E_INVAL;
	switch (aml[p]) {
	case AML_ZERO_OP:
		*val = 0;
		size = 1;
		break;
	case AML_ONE_OP:
		*val = 1;
		size = 1;
		break;
	case AML_BYTE_PREFIX:
		size = 2;
		if (end - p < size)
			return -E_INVAL;
		*val = aml[p + 1];
		break;
	case AML_WORD_PREFIX:
		size = 3;
		if (end - p < size)
			return -E_INVAL;
		*val = rd16(aml, p + 1);
		break;
	case AML_DWORD_PREFIX:
		size = 5;
		if (end - p < size)
			return -E_INVAL;
		*val = rd32(aml, p + 1);
		break;
	default:
		return -E_INVAL;
	}
	*pos = p + size;
	return 0;
}

/* Decode the package that follows "_S5_" at aml[pos]. */
static int s5_package(const u8 *aml, u32 n, u32 pos, u8 *a, u8 *b, char *why, size_t why_len)
{
	u32 lead, extra, pkglen, end, count, val[2];
	u32 start;

	if (pos >= n || aml[pos] != AML_PACKAGE_OP)
		return -E_NOENT; /* a reference to _S5_, not its definition */
	start = ++pos;
	if (pos >= n)
		return acpi_fail(why, why_len, -E_INVAL, "_S5_: truncated package length");
	lead = aml[pos];
	extra = lead >> AML_PKGLEN_BYTES_SHIFT;
	if (n - pos < 1 + extra)
		return acpi_fail(why, why_len, -E_INVAL, "_S5_: truncated package length");
	if (!extra) {
		pkglen = lead & AML_PKGLEN_SHORT_MASK;
	} else {
		pkglen = lead & AML_PKGLEN_LONG_MASK;
		for (u32 i = 0; i < extra; i++)
			pkglen |= (u32)aml[pos + 1 + i] << (4 + 8 * i);
	}
	/* PkgLength counts from its own first byte to the end of the package. */
	if (pkglen < 1 + extra + 1 || pkglen > n - start)
		return acpi_fail(why, why_len, -E_INVAL, "_S5_: package length %u out of bounds",
				 pkglen);
	end = start + pkglen;
	pos += 1 + extra;
	count = aml[pos++];
	if (!count)
		return acpi_fail(why, why_len, -E_INVAL, "_S5_: empty package");
	for (u32 i = 0; i < MIN(count, 2u); i++) {
		if (aml_integer(aml, end, &pos, &val[i]))
			return acpi_fail(why, why_len, -E_INVAL,
					 "_S5_: element %u is not an integer constant", i);
		if (val[i] > SLP_TYP_MAX)
			return acpi_fail(why, why_len, -E_INVAL,
					 "_S5_: SLP_TYP%c 0x%x does not fit 3 bits", 'a' + i,
					 val[i]);
	}
	*a = (u8)val[0];
	*b = (u8)(count >= 2 ? val[1] : val[0]);
	return 0;
}

int acpi_find_s5(const void *tbl, size_t len, u8 *slp_typa, u8 *slp_typb, char *why, size_t why_len)
{
	const u8 *aml = (const u8 *)tbl + ACPI_HEADER_SIZE;
	u32 n;
	int err;

	err = acpi_check_table(tbl, len, NULL, why, why_len);
	if (err)
		return err;
	if (memcmp(tbl, ACPI_SIG_DSDT, ACPI_SIG_LEN) && memcmp(tbl, ACPI_SIG_SSDT, ACPI_SIG_LEN))
		return acpi_fail(why, why_len, -E_INVAL, "_S5_ lookup: not a DSDT or SSDT");
	n = rd32(tbl, HDR_LENGTH) - ACPI_HEADER_SIZE;
	for (u32 i = 0; n >= ACPI_SIG_LEN && i <= n - ACPI_SIG_LEN; i++) {
		if (memcmp(aml + i, AML_S5_NAME, ACPI_SIG_LEN))
			continue;
		err = s5_package(aml, n, i + ACPI_SIG_LEN, slp_typa, slp_typb, why, why_len);
		if (err != -E_NOENT)
			return err;
	}
	return acpi_fail(why, why_len, -E_NOENT, "no _S5_ package in the AML");
}
