/* SPDX-License-Identifier: MIT */
/*
 * ACPI table parsing (see acpi_tables.h). Fields are read with memcpy at
 * named offsets rather than through packed structs: tables come from firmware
 * at any alignment, and every offset is checked against the table's length
 * first. Variable-length walks (root table entries, MADT entries, AML
 * package lengths) always advance by at least one byte or stop with an error.
 */
#include "arch/x86/acpi_tables.h"
#include "lib/bytes.h"
#include "lib/format.h"
#include "lib/string.h"

#define ACPI_SIG_LEN 4

/* Table header. */
#define HDR_LENGTH   4
#define HDR_REVISION 8

/* RSDP. */
#define RSDP_SIG_LEN   8
#define RSDP_OEMID     9
#define RSDP_OEMID_LEN 6
#define RSDP_REVISION  15
#define RSDP_RSDT      16
#define RSDP_LENGTH    20
#define RSDP_XSDT      24
#define RSDP_REV_XSDT  2    /* revision from which the XSDT fields exist */
#define RSDP_MAX_LEN   4096 /* sanity bound on the extended length */

#define RSDT_ENTRY_SIZE 4
#define XSDT_ENTRY_SIZE 8

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

static int fail(char *why, size_t why_len, int err, const char *fmt, ...) __printf(4, 5);

static int fail(char *why, size_t why_len, int err, const char *fmt, ...)
{
	va_list ap;

	if (why && why_len) {
		va_start(ap, fmt);
		vsnformat(why, why_len, fmt, ap);
		va_end(ap);
	}
	return err;
}

static u8 checksum(const u8 *b, size_t len)
{
	u8 sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return sum;
}

/* Signatures in messages: firmware bytes may be unprintable. */
static void sig_text(const u8 *b, char out[ACPI_SIG_LEN + 1])
{
	for (int i = 0; i < ACPI_SIG_LEN; i++)
		out[i] = (b[i] >= 0x20 && b[i] < 0x7f) ? (char)b[i] : '?';
	out[ACPI_SIG_LEN] = '\0';
}

static const void *map_range(acpi_map_fn map, void *ctx, u64 pa, u64 len)
{
	if (!len || pa + len - 1 < pa)
		return NULL;
	return map(pa, len, ctx);
}

int acpi_parse_rsdp(const void *rsdp, size_t avail, struct acpi_rsdp_info *out, char *why,
		    size_t why_len)
{
	const u8 *b = rsdp;
	u32 len;

	if (avail < ACPI_RSDP_V1_SIZE)
		return fail(why, why_len, -E_INVAL, "RSDP: %zu bytes, need %u", avail,
			    ACPI_RSDP_V1_SIZE);
	if (memcmp(b, ACPI_SIG_RSDP, RSDP_SIG_LEN))
		return fail(why, why_len, -E_INVAL, "RSDP: bad signature");
	if (checksum(b, ACPI_RSDP_V1_SIZE))
		return fail(why, why_len, -E_INVAL, "RSDP: bad checksum over the first %u bytes",
			    ACPI_RSDP_V1_SIZE);
	memset(out, 0, sizeof(*out));
	out->revision = b[RSDP_REVISION];
	memcpy(out->oem_id, b + RSDP_OEMID, RSDP_OEMID_LEN);
	for (int i = 0; i < RSDP_OEMID_LEN; i++)
		if (out->oem_id[i] < 0x20 || out->oem_id[i] >= 0x7f)
			out->oem_id[i] = '?';
	out->rsdt_pa = rd32(b, RSDP_RSDT);
	if (out->revision < RSDP_REV_XSDT)
		return 0;
	if (avail < ACPI_RSDP_V2_SIZE)
		return fail(why, why_len, -E_INVAL, "RSDP revision %u: %zu bytes, need %u",
			    out->revision, avail, ACPI_RSDP_V2_SIZE);
	len = rd32(b, RSDP_LENGTH);
	if (len < ACPI_RSDP_V2_SIZE || len > avail)
		return fail(why, why_len, -E_INVAL, "RSDP: length %u out of range (%u..%zu)", len,
			    ACPI_RSDP_V2_SIZE, avail);
	if (checksum(b, len))
		return fail(why, why_len, -E_INVAL, "RSDP: bad extended checksum over %u bytes",
			    len);
	out->xsdt_pa = rd64(b, RSDP_XSDT);
	return 0;
}

int acpi_find_rsdp(acpi_map_fn map, void *ctx, u64 start, u64 len, u64 *rsdp_pa,
		   struct acpi_rsdp_info *out, char *why, size_t why_len)
{
	const u8 *win = map_range(map, ctx, start, len);
	bool candidate = false;

	if (!win)
		return fail(why, why_len, -E_INVAL,
			    "RSDP scan: window 0x%llx+0x%llx not accessible",
			    (unsigned long long)start, (unsigned long long)len);
	for (u64 off = ALIGN_UP(start, ACPI_RSDP_ALIGN) - start;
	     off < len && len - off >= ACPI_RSDP_V1_SIZE; off += ACPI_RSDP_ALIGN) {
		const u8 *b = win + off;
		size_t avail = (size_t)(len - off);
		u32 full;

		if (memcmp(b, ACPI_SIG_RSDP, RSDP_SIG_LEN))
			continue;
		candidate = true;
		/* An extended RSDP may straddle the end of the window. */
		if (b[RSDP_REVISION] >= RSDP_REV_XSDT && avail >= RSDP_LENGTH + 4) {
			full = rd32(b, RSDP_LENGTH);
			if (full > avail && full <= RSDP_MAX_LEN) {
				const u8 *whole = map_range(map, ctx, start + off, full);

				if (whole) {
					b = whole;
					avail = full;
				}
			}
		}
		if (!acpi_parse_rsdp(b, avail, out, why, why_len)) {
			*rsdp_pa = start + off;
			return 0;
		}
		/* Stale copies with bad checksums exist: keep looking. */
	}
	if (candidate)
		return -E_INVAL; /* why holds the last candidate's problem */
	return fail(why, why_len, -E_NOENT, "no RSDP in 0x%llx-0x%llx", (unsigned long long)start,
		    (unsigned long long)(start + len - 1));
}

int acpi_check_table(const void *tbl, size_t len, const char *sig, char *why, size_t why_len)
{
	const u8 *b = tbl;
	char name[ACPI_SIG_LEN + 1];
	u32 tlen;

	if (len < ACPI_HEADER_SIZE)
		return fail(why, why_len, -E_INVAL, "table: %zu bytes, smaller than the header",
			    len);
	sig_text(b, name);
	if (sig && memcmp(b, sig, ACPI_SIG_LEN))
		return fail(why, why_len, -E_INVAL, "table: signature '%s', expected '%.4s'", name,
			    sig);
	tlen = rd32(b, HDR_LENGTH);
	if (tlen < ACPI_HEADER_SIZE)
		return fail(why, why_len, -E_INVAL, "%s: length %u smaller than the header (%u)",
			    name, tlen, ACPI_HEADER_SIZE);
	if (tlen > len)
		return fail(why, why_len, -E_INVAL, "%s: length %u runs past the %zu bytes given",
			    name, tlen, len);
	if (checksum(b, tlen))
		return fail(why, why_len, -E_INVAL, "%s: bad checksum", name);
	return 0;
}

static int map_table(acpi_map_fn map, void *ctx, u64 pa, const char *sig, const void **tbl,
		     u32 *len, char *why, size_t why_len)
{
	const u8 *hdr = map_range(map, ctx, pa, ACPI_HEADER_SIZE);
	u32 tlen;
	int err;

	if (!hdr)
		return fail(why, why_len, -E_INVAL, "table at 0x%llx: not accessible",
			    (unsigned long long)pa);
	tlen = rd32(hdr, HDR_LENGTH);
	if (tlen > ACPI_TABLE_MAX_LEN)
		return fail(why, why_len, -E_INVAL, "table at 0x%llx: length %u is implausible",
			    (unsigned long long)pa, tlen);
	if (tlen >= ACPI_HEADER_SIZE) {
		hdr = map_range(map, ctx, pa, tlen);
		if (!hdr)
			return fail(why, why_len, -E_INVAL,
				    "table at 0x%llx: %u bytes not accessible",
				    (unsigned long long)pa, tlen);
	}
	err = acpi_check_table(hdr, MAX(tlen, (u32)ACPI_HEADER_SIZE), sig, why, why_len);
	if (err)
		return err;
	*tbl = hdr;
	*len = tlen;
	return 0;
}

int acpi_map_table(const struct acpi_tables *t, u64 pa, const char *sig, const void **tbl, u32 *len,
		   char *why, size_t why_len)
{
	return map_table(t->map, t->ctx, pa, sig, tbl, len, why, why_len);
}

static int load_root(struct acpi_tables *t, u64 pa, bool xsdt, char *why, size_t why_len)
{
	size_t esize = xsdt ? XSDT_ENTRY_SIZE : RSDT_ENTRY_SIZE;
	const void *root;
	size_t n;
	u32 len;
	int err;

	t->count = 0;
	t->truncated = false;
	t->bad_mask = 0;
	t->warn[0] = '\0';
	err = map_table(t->map, t->ctx, pa, xsdt ? ACPI_SIG_XSDT : ACPI_SIG_RSDT, &root, &len, why,
			why_len);
	if (err)
		return err;
	t->root_pa = pa;
	t->xsdt = xsdt;
	/* Like Linux, ignore a partial trailing entry. */
	n = (len - ACPI_HEADER_SIZE) / esize;
	for (size_t i = 0; i < n; i++) {
		const u8 *e = (const u8 *)root + ACPI_HEADER_SIZE + i * esize;
		u64 tpa = xsdt ? rd64(e, 0) : rd32(e, 0);

		if (!tpa)
			continue;
		if (t->count >= ACPI_MAX_TABLES) {
			t->truncated = true;
			break;
		}
		t->table_pa[t->count++] = tpa;
	}
	/* Validate every listed table now, so lookups can skip broken ones. */
	for (u32 i = 0; i < t->count; i++) {
		char reason[96];
		const void *tbl;
		u32 tlen;

		if (!map_table(t->map, t->ctx, t->table_pa[i], NULL, &tbl, &tlen, reason,
			       sizeof(reason)))
			continue;
		if (!t->bad_mask)
			snformat(t->warn, sizeof(t->warn), "%s entry %u: %s",
				 xsdt ? ACPI_SIG_XSDT : ACPI_SIG_RSDT, i, reason);
		t->bad_mask |= BIT(i);
	}
	return 0;
}

int acpi_tables_init(struct acpi_tables *t, const struct acpi_rsdp_info *rsdp, acpi_map_fn map,
		     void *ctx, char *why, size_t why_len)
{
	int err;

	memset(t, 0, sizeof(*t));
	t->map = map;
	t->ctx = ctx;
	if (rsdp->revision >= RSDP_REV_XSDT && rsdp->xsdt_pa) {
		err = load_root(t, rsdp->xsdt_pa, true, why, why_len);
		if (!err || !rsdp->rsdt_pa)
			return err;
		t->fell_back = true;
	}
	if (!rsdp->rsdt_pa)
		return fail(why, why_len, -E_NOENT, "RSDP points to neither an XSDT nor an RSDT");
	return load_root(t, rsdp->rsdt_pa, false, why, why_len);
}

int acpi_find_table(const struct acpi_tables *t, const char *sig, u32 index, const void **tbl,
		    u32 *len, u64 *pa, char *why, size_t why_len)
{
	bool bad_match = false;
	u32 want = index;

	for (u32 i = 0; i < t->count; i++) {
		const u8 *hdr = map_range(t->map, t->ctx, t->table_pa[i], ACPI_HEADER_SIZE);
		char reason[96];
		int err;

		if (!hdr || memcmp(hdr, sig, ACPI_SIG_LEN))
			continue;
		err = map_table(t->map, t->ctx, t->table_pa[i], sig, tbl, len, reason,
				sizeof(reason));
		if (err) {
			fail(why, why_len, err, "%.4s at 0x%llx: %s", sig,
			     (unsigned long long)t->table_pa[i], reason);
			bad_match = true;
			continue;
		}
		if (want--)
			continue;
		if (pa)
			*pa = t->table_pa[i];
		return 0;
	}
	if (bad_match)
		return -E_INVAL;
	return fail(why, why_len, -E_NOENT, "no valid %.4s table (#%u)", sig, index);
}

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
		return fail(why, why_len, -E_INVAL, "MADT: length %u, need at least %u", tlen,
			    MADT_ENTRIES);
	memset(mi, 0, sizeof(*mi));
	mi->lapic_address = rd32(b, MADT_LAPIC_ADDR);
	mi->pcat_compat = rd32(b, MADT_FLAGS) & MADT_F_PCAT_COMPAT;
	for (off = MADT_ENTRIES; off < tlen;) {
		u8 type, elen;

		if (tlen - off < MADT_ENTRY_HDR)
			return fail(why, why_len, -E_INVAL, "MADT: truncated entry at offset %u",
				    off);
		type = b[off];
		elen = b[off + 1];
		if (elen < MADT_ENTRY_HDR)
			return fail(why, why_len, -E_INVAL,
				    "MADT: entry type %u at offset %u has length %u", type, off,
				    elen);
		if (elen > tlen - off)
			return fail(
				why, why_len, -E_INVAL,
				"MADT: entry type %u at offset %u (length %u) runs past the table",
				type, off, elen);
		if (type < ARRAY_SIZE(madt_min_len) && elen < madt_min_len[type])
			return fail(why, why_len, -E_INVAL,
				    "MADT: entry type %u at offset %u: length %u, need %u", type,
				    off, elen, madt_min_len[type]);
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
		return fail(why, why_len, -E_INVAL, "FADT: length %u, need at least %u", tlen,
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
		return fail(why, why_len, -E_INVAL, "HPET: length %u, need %u", tlen, HPET_SIZE);
	base = read_gas(b, HPET_BASE);
	if (base.space_id != ACPI_SPACE_MEMORY || !base.address)
		return fail(why, why_len, -E_INVAL,
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
		return fail(why, why_len, -E_INVAL, "_S5_: truncated package length");
	lead = aml[pos];
	extra = lead >> AML_PKGLEN_BYTES_SHIFT;
	if (n - pos < 1 + extra)
		return fail(why, why_len, -E_INVAL, "_S5_: truncated package length");
	if (!extra) {
		pkglen = lead & AML_PKGLEN_SHORT_MASK;
	} else {
		pkglen = lead & AML_PKGLEN_LONG_MASK;
		for (u32 i = 0; i < extra; i++)
			pkglen |= (u32)aml[pos + 1 + i] << (4 + 8 * i);
	}
	/* PkgLength counts from its own first byte to the end of the package. */
	if (pkglen < 1 + extra + 1 || pkglen > n - start)
		return fail(why, why_len, -E_INVAL, "_S5_: package length %u out of bounds",
			    pkglen);
	end = start + pkglen;
	pos += 1 + extra;
	count = aml[pos++];
	if (!count)
		return fail(why, why_len, -E_INVAL, "_S5_: empty package");
	for (u32 i = 0; i < MIN(count, 2u); i++) {
		if (aml_integer(aml, end, &pos, &val[i]))
			return fail(why, why_len, -E_INVAL,
				    "_S5_: element %u is not an integer constant", i);
		if (val[i] > SLP_TYP_MAX)
			return fail(why, why_len, -E_INVAL,
				    "_S5_: SLP_TYP%c 0x%x does not fit 3 bits", 'a' + i, val[i]);
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
		return fail(why, why_len, -E_INVAL, "_S5_ lookup: not a DSDT or SSDT");
	n = rd32(tbl, HDR_LENGTH) - ACPI_HEADER_SIZE;
	for (u32 i = 0; n >= ACPI_SIG_LEN && i <= n - ACPI_SIG_LEN; i++) {
		if (memcmp(aml + i, AML_S5_NAME, ACPI_SIG_LEN))
			continue;
		err = s5_package(aml, n, i + ACPI_SIG_LEN, slp_typa, slp_typb, why, why_len);
		if (err != -E_NOENT)
			return err;
	}
	return fail(why, why_len, -E_NOENT, "no _S5_ package in the AML");
}
