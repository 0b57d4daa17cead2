/* SPDX-License-Identifier: MIT */
/*
 * Guest page-table walker. One loop walks every paging mode; a mode is its
 * table of level shifts and entry size, and the reserved-bit rules per level.
 * Permissions accumulate down the walk (R/W and U/S must allow at every level,
 * XD at any level forbids fetch) and are checked at the leaf the way the SDM
 * (vol. 3, 4.6) orders them, so the #PF error code matches hardware.
 */
#include "virt/gwalk.h"
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"

#define PTE_P	      BIT(0)
#define PTE_RW	      BIT(1)
#define PTE_US	      BIT(2)
#define PTE_A	      BIT(5)
#define PTE_D	      BIT(6)
#define PTE_PS	      BIT(7)
#define PTE_XD	      BIT(63)
#define PTE_ADDR_MASK GENMASK(51, 12)

/* 32-bit paging: PSE-36 puts physical address bits 39:32 in PDE bits 20:13. */
#define PDE32_PSE_HI_SHIFT 13
#define PDE32_PSE_HI_BITS  8
#define PDE32_PSE_RSVD	   BIT(21)
#define PDE32_4M_MASK	   GENMASK(31, 22)
#define PSE36_MAX_PHYS	   40

/* PAE PDPTE: bits 2:1 and 8:5 are reserved, and XD. */
#define PDPTE_PAE_RSVD (GENMASK(2, 1) | GENMASK(8, 5) | PTE_XD)
#define CR3_PAE_MASK   GENMASK(31, 5)
#define CR3_32_MASK    GENMASK(31, 12)

#define RFLAGS_AC      BIT(18)
#define ARCH_MAX_PHYS  52
#define MAX_LEVELS     4
#define CANONICAL_BITS 48

enum paging_mode { PG_32, PG_PAE, PG_4LEVEL };

struct walk {
	const struct gwalk_regs *r;
	const struct gwalk_mem *m;
	enum paging_mode mode;
	u64 gva;
	u32 access;
	bool writable, user, nx; /* accumulated permissions */
	unsigned int nr;	 /* entries visited, for A/D */
	u64 entry_gpa[MAX_LEVELS];
	u64 entry[MAX_LEVELS];
	unsigned int esize;
};

static unsigned int maxphy(const struct gwalk_regs *r)
{
	return r->maxphyaddr ? MIN(r->maxphyaddr, ARCH_MAX_PHYS) : ARCH_MAX_PHYS;
}

/* Reserved bits of an 8-byte entry at 'shift' (39: PML4E ... 12: PTE). */
static u64 rsvd_bits64(const struct walk *w, unsigned int shift, u64 e, bool pdpte_pae)
{
	u64 rsvd = 0;

	if (maxphy(w->r) < ARCH_MAX_PHYS)
		rsvd |= GENMASK(ARCH_MAX_PHYS - 1, maxphy(w->r));
	if (pdpte_pae)
		return rsvd | PDPTE_PAE_RSVD;
	if (!(w->r->efer & EFER_NXE))
		rsvd |= PTE_XD;
	if (shift == 39)
		rsvd |= PTE_PS;
	else if ((shift == 30 || shift == 21) && (e & PTE_PS))
		rsvd |= GENMASK(shift - 1, 13);
	return rsvd;
}

static u64 rsvd_bits32(const struct walk *w, unsigned int shift, u64 e)
{
	unsigned int phys = MAX(MIN(maxphy(w->r), PSE36_MAX_PHYS), 32u);

	if (shift != 22 || !(e & PTE_PS) || !(w->r->cr4 & CR4_PSE))
		return 0;
	/* PDE bits above 13 + (phys - 32) up to 21 */
	return GENMASK(21, PDE32_PSE_HI_SHIFT + (phys - 32));
}

static u32 fault_code(const struct walk *w, u32 bits)
{
	u32 err = bits | (w->access & (PF_W | PF_U));
	bool nx_mode = (w->r->cr4 & CR4_PAE) && (w->r->efer & EFER_NXE);

	if ((w->access & GWALK_FETCH) && (nx_mode || (w->r->cr4 & CR4_SMEP)))
		err |= PF_I;
	return err;
}

/* Leaf permission checks; returns 0 or the PF_P fault code. */
static u32 check_access(const struct walk *w)
{
	bool write = w->access & GWALK_WRITE, fetch = w->access & GWALK_FETCH;
	const struct gwalk_regs *r = w->r;

	if (w->access & GWALK_USER) {
		if (!w->user || (write && !w->writable))
			return fault_code(w, PF_P);
	} else {
		if (write && !w->writable && (r->cr0 & CR0_WP))
			return fault_code(w, PF_P);
		if (fetch && w->user && (r->cr4 & CR4_SMEP))
			return fault_code(w, PF_P);
		if (!fetch && w->user && (r->cr4 & CR4_SMAP) && !(r->rflags & RFLAGS_AC))
			return fault_code(w, PF_P);
	}
	if (fetch && w->nx)
		return fault_code(w, PF_P);
	return 0;
}

/* Set Accessed on every entry and Dirty on a written leaf, as hardware does. */
static int set_accessed_dirty(const struct walk *w)
{
	unsigned int i;

	if (!w->m->write_gpa)
		return 0;
	for (i = 0; i < w->nr; i++) {
		u64 e = w->entry[i] | PTE_A;
		int err;

		if (i == w->nr - 1 && (w->access & GWALK_WRITE))
			e |= PTE_D;
		if (e == w->entry[i])
			continue;
		err = w->m->write_gpa(w->m->ctx, w->entry_gpa[i], &e, w->esize);
		if (err)
			return err;
	}
	return 0;
}

static int read_entry(struct walk *w, u64 gpa, u64 *e)
{
	int err;

	*e = 0;
	err = w->m->read_gpa(w->m->ctx, gpa, e, w->esize); /* little-endian */
	if (err)
		return err;
	if (w->nr < MAX_LEVELS) {
		w->entry_gpa[w->nr] = gpa;
		w->entry[w->nr++] = *e;
	}
	return 0;
}

static u64 leaf_frame(const struct walk *w, u64 e, unsigned int shift)
{
	if (w->mode == PG_32 && shift == 22) {
		u64 hi = (e >> PDE32_PSE_HI_SHIFT) & GENMASK(PDE32_PSE_HI_BITS - 1, 0);

		return (e & PDE32_4M_MASK) | (hi << 32);
	}
	if (w->mode == PG_32)
		return e & CR3_32_MASK;
	return e & PTE_ADDR_MASK & ~GENMASK(shift - 1, 0);
}

static bool large_allowed(const struct walk *w, unsigned int shift)
{
	if (w->mode == PG_32)
		return shift == 22 && (w->r->cr4 & CR4_PSE);
	return shift == 30 || shift == 21;
}

/* Walk the levels listed in 'shifts' from table 'table'. */
static int walk_levels(struct walk *w, u64 table, const u8 *shifts, unsigned int n, u64 *gpa,
		       u32 *pf_error)
{
	unsigned int i, bits = w->mode == PG_32 ? 10 : 9;

	for (i = 0; i < n; i++) {
		unsigned int shift = shifts[i];
		bool pdpte_pae = w->mode == PG_PAE && shift == 30;
		unsigned int ibits = pdpte_pae ? 2 : bits;
		u64 idx = (w->gva >> shift) & GENMASK(ibits - 1, 0), e, rsvd;
		bool leaf;
		int err = read_entry(w, table + idx * w->esize, &e);

		if (err)
			return err;
		if (!(e & PTE_P)) {
			*pf_error = fault_code(w, 0);
			return -E_NOENT;
		}
		rsvd = w->mode == PG_32 ? rsvd_bits32(w, shift, e)
					: rsvd_bits64(w, shift, e, pdpte_pae);
		if (e & rsvd) {
			*pf_error = fault_code(w, PF_P | PF_RSVD);
			return -E_NOENT;
		}
		if (pdpte_pae) {
			w->nr--; /* PDPTEs are registers: no A bit, no permissions */
		} else {
			w->writable &= !!(e & PTE_RW);
			w->user &= !!(e & PTE_US);
			w->nx |= w->esize == 8 && (w->r->efer & EFER_NXE) && (e & PTE_XD);
		}
		leaf = i == n - 1 || ((e & PTE_PS) && large_allowed(w, shift));
		if (leaf) {
			*pf_error = check_access(w);
			if (*pf_error)
				return -E_NOENT;
			*gpa = leaf_frame(w, e, shift) | (w->gva & GENMASK(shift - 1, 0));
			return set_accessed_dirty(w);
		}
		table = w->mode == PG_32 ? e & CR3_32_MASK : e & PTE_ADDR_MASK;
	}
	return -E_INVAL; /* not reached: the last level is a leaf */
}

static bool canonical(u64 gva)
{
	s64 v = (s64)(gva << (64 - CANONICAL_BITS)) >> (64 - CANONICAL_BITS);

	return (u64)v == gva;
}

int gwalk_translate(const struct gwalk_regs *r, const struct gwalk_mem *m, u64 gva, u32 access,
		    u64 *gpa, u32 *pf_error)
{
	static const u8 shifts32[] = {22, 12};
	static const u8 shifts_pae[] = {30, 21, 12};
	static const u8 shifts64[] = {39, 30, 21, 12};
	struct walk w = {
		.r = r,
		.m = m,
		.gva = gva,
		.access = access,
		.writable = true,
		.user = true,
		.nx = false,
		.esize = 8,
	};

	*pf_error = 0;
	if (!(r->cr0 & CR0_PG)) {
		*gpa = gva & GENMASK(31, 0);
		return 0;
	}
	if (!(r->cr4 & CR4_PAE)) {
		w.mode = PG_32;
		w.esize = 4;
		w.gva = gva & GENMASK(31, 0);
		return walk_levels(&w, r->cr3 & CR3_32_MASK, shifts32, 2, gpa, pf_error);
	}
	if (!(r->efer & EFER_LMA)) {
		w.mode = PG_PAE;
		w.gva = gva & GENMASK(31, 0);
		return walk_levels(&w, r->cr3 & CR3_PAE_MASK, shifts_pae, 3, gpa, pf_error);
	}
	if (r->cr4 & CR4_LA57)
		return -E_NOSUPP;
	if (!canonical(gva))
		return -E_RANGE;
	w.mode = PG_4LEVEL;
	return walk_levels(&w, r->cr3 & PTE_ADDR_MASK, shifts64, 4, gpa, pf_error);
}

int guest_fetch_insn(const struct gwalk_regs *r, const struct gwalk_mem *m,
		     const struct segment *cs, u64 rip, struct insn_fetch *f)
{
	bool code64 = (r->efer & EFER_LMA) && (cs->ar & SEG_AR_L);
	bool user = (r->cr0 & CR0_PE) && ((cs->ar & SEG_AR_DPL_MASK) >> SEG_AR_DPL_SHIFT) == 3;
	u64 linear = code64 ? rip : cs->base + rip;
	u32 access = GWALK_FETCH | (user ? GWALK_USER : 0);

	*f = (struct insn_fetch){0};
	while (f->len < INSN_MAX_LEN) {
		u64 addr = code64 ? linear + f->len : (linear + f->len) & GENMASK(31, 0);
		size_t chunk =
			MIN((u64)(INSN_MAX_LEN - f->len), PAGE_SIZE - (addr & (PAGE_SIZE - 1)));
		u64 gpa;
		int err = gwalk_translate(r, m, addr, access, &gpa, &f->pf_error);

		if (err == -E_NOENT) {
			f->fault = true;
			f->cr2 = addr;
		}
		if (!err)
			err = m->read_gpa(m->ctx, gpa, f->bytes + f->len, chunk);
		if (err)
			return f->len ? 0 : err;
		f->len += chunk;
	}
	return 0;
}
