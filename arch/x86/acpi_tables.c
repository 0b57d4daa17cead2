/* SPDX-License-Identifier: MIT */
/*
 * ACPI table discovery (see acpi_tables.h): find and check the RSDP, load
 * the RSDT or XSDT, validate every table it lists, and look tables up by
 * signature; the decoders of individual tables live in acpi_madt.c. Fields
 * are read with memcpy at named offsets rather than through packed structs:
 * tables come from firmware at any alignment, and every offset is checked
 * against the table's length first. The root table walk always advances by
 * a whole entry and ignores a partial trailing one.
 */
#include "arch/x86/acpi_tables.h"
#include "arch/x86/acpi_tables_priv.h"
#include "lib/bytes.h"
#include "lib/format.h"
#include "lib/string.h"

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

int acpi_fail(char *why, size_t why_len, int err, const char *fmt, ...)
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
		return acpi_fail(why, why_len, -E_INVAL, "RSDP: %zu bytes, need %u", avail,
				 ACPI_RSDP_V1_SIZE);
	if (memcmp(b, ACPI_SIG_RSDP, RSDP_SIG_LEN))
		return acpi_fail(why, why_len, -E_INVAL, "RSDP: bad signature");
	if (checksum(b, ACPI_RSDP_V1_SIZE))
		return acpi_fail(why, why_len, -E_INVAL,
				 "RSDP: bad checksum over the first %u bytes", ACPI_RSDP_V1_SIZE);
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
		return acpi_fail(why, why_len, -E_INVAL, "RSDP revision %u: %zu bytes, need %u",
				 out->revision, avail, ACPI_RSDP_V2_SIZE);
	len = rd32(b, RSDP_LENGTH);
	if (len < ACPI_RSDP_V2_SIZE || len > avail)
		return acpi_fail(why, why_len, -E_INVAL, "RSDP: length %u out of range (%u..%zu)",
				 len, ACPI_RSDP_V2_SIZE, avail);
	if (checksum(b, len))
		return acpi_fail(why, why_len, -E_INVAL,
				 "RSDP: bad extended checksum over %u bytes", len);
	out->xsdt_pa = rd64(b, RSDP_XSDT);
	return 0;
}

int acpi_find_rsdp(acpi_map_fn map, void *ctx, u64 start, u64 len, u64 *rsdp_pa,
		   struct acpi_rsdp_info *out, char *why, size_t why_len)
{
	const u8 *win = map_range(map, ctx, start, len);
	bool candidate = false;

	if (!win)
		return acpi_fail(why, why_len, -E_INVAL,
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
	return acpi_fail(why, why_len, -E_NOENT, "no RSDP in 0x%llx-0x%llx",
			 (unsigned long long)start, (unsigned long long)(start + len - 1));
}

int acpi_check_table(const void *tbl, size_t len, const char *sig, char *why, size_t why_len)
{
	const u8 *b = tbl;
	char name[ACPI_SIG_LEN + 1];
	u32 tlen;

	if (len < ACPI_HEADER_SIZE)
		return acpi_fail(why, why_len, -E_INVAL,
				 "table: %zu bytes, smaller than the header", len);
	sig_text(b, name);
	if (sig && memcmp(b, sig, ACPI_SIG_LEN))
		return acpi_fail(why, why_len, -E_INVAL, "table: signature '%s', expected '%.4s'",
				 name, sig);
	tlen = rd32(b, HDR_LENGTH);
	if (tlen < ACPI_HEADER_SIZE)
		return acpi_fail(why, why_len, -E_INVAL,
				 "%s: length %u smaller than the header (%u)", name, tlen,
				 ACPI_HEADER_SIZE);
	if (tlen > len)
		return acpi_fail(why, why_len, -E_INVAL,
				 "%s: length %u runs past the %zu bytes given", name, tlen, len);
	if (checksum(b, tlen))
		return acpi_fail(why, why_len, -E_INVAL, "%s: bad checksum", name);
	return 0;
}

static int map_table(acpi_map_fn map, void *ctx, u64 pa, const char *sig, const void **tbl,
		     u32 *len, char *why, size_t why_len)
{
	const u8 *hdr = map_range(map, ctx, pa, ACPI_HEADER_SIZE);
	u32 tlen;
	int err;

	if (!hdr)
		return acpi_fail(why, why_len, -E_INVAL, "table at 0x%llx: not accessible",
				 (unsigned long long)pa);
	tlen = rd32(hdr, HDR_LENGTH);
	if (tlen > ACPI_TABLE_MAX_LEN)
		return acpi_fail(why, why_len, -E_INVAL,
				 "table at 0x%llx: length %u is implausible",
				 (unsigned long long)pa, tlen);
	if (tlen >= ACPI_HEADER_SIZE) {
		hdr = map_range(map, ctx, pa, tlen);
		if (!hdr)
			return acpi_fail(why, why_len, -E_INVAL,
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
		return acpi_fail(why, why_len, -E_NOENT,
				 "RSDP points to neither an XSDT nor an RSDT");
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
			acpi_fail(why, why_len, err, "%.4s at 0x%llx: %s", sig,
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
	return acpi_fail(why, why_len, -E_NOENT, "no valid %.4s table (#%u)", sig, index);
}
