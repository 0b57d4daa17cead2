/* SPDX-License-Identifier: MIT */
/*
 * Second-level page-table entries (SPTEs) for the TDP MMU, in one neutral
 * description that covers Intel EPT (with or without accessed/dirty bits)
 * and AMD NPT. Every bit is a named constant; the _Static_asserts below
 * prove that no two masks of one format overlap.
 *
 * Three kinds of non-zero SPTE exist:
 *  - present (table or leaf): carries SPTE_SW_PRESENT (bit 11, ignored by
 *    both walkers), so "present" never depends on permission bits;
 *  - MMIO: a value the hardware refuses in a recognisable way - EPT: W+X
 *    without R (EPT misconfiguration); NPT: P with reserved bit 51 (#NPF with
 *    RSVD) - carrying the low bits of the memslot generation in 62:52;
 *  - zero: not present.
 * Levels: 1 = 4 KiB leaf (PTE), 2 = 2 MiB (PDE), 3 = 1 GiB (PDPTE), 4 = PML4.
 */
#ifndef TERN_MM_TDP_SPTE_H
#define TERN_MM_TDP_SPTE_H

#include "arch/x86/svm/npt.h"
#include "arch/x86/vmx/ept.h"
#include "lib/types.h"

#define SPTE_LEVEL_4K 1
#define SPTE_LEVEL_2M 2
#define SPTE_LEVEL_1G 3
#define SPTE_ROOT_LEVEL 4
#define SPTE_ENTRIES 512
#define SPTE_LEVEL_BITS 9

/* Software bit, ignored by both EPT and NPT walks (EPT bit 11; NPT AVL). */
#define SPTE_SW_PRESENT BIT(11)
/* Both formats: frame bits; large leaves mask more below. */
#define SPTE_ADDR_MASK GENMASK(51, 12)
/* MMIO SPTE generation field, ignored by both walkers: bits 62:52. */
#define SPTE_MMIO_GEN_SHIFT 52
#define SPTE_MMIO_GEN_BITS 11
#define SPTE_MMIO_GEN_MASK GENMASK(62, 52)

/* EPT MMIO: W|X without R is a misconfiguration at every level. */
#define EPT_MMIO_VALUE (EPT_W | EPT_X)
#define EPT_MMIO_MASK (EPT_R | EPT_W | EPT_X | SPTE_SW_PRESENT)
/* NPT MMIO: present + user + reserved bit 51 (see arch/x86/svm/npt.h). */
#define NPT_MMIO_VALUE (NPT_P | NPT_U | NPT_MMIO_RSVD_BIT)
#define NPT_MMIO_MASK (NPT_P | NPT_U | NPT_MMIO_RSVD_BIT | SPTE_SW_PRESENT)

#define EPT_LEAF_MEMTYPE_WB ((u64)EPT_MEMTYPE_WB << EPT_MEMTYPE_SHIFT)

_Static_assert((SPTE_SW_PRESENT & (EPT_RWX | EPT_MEMTYPE_MASK | EPT_IGNORE_PAT | EPT_LARGE |
				   EPT_ACCESSED | EPT_DIRTY | SPTE_ADDR_MASK | SPTE_MMIO_GEN_MASK)) == 0,
	       "EPT: software present bit overlaps a hardware bit");
_Static_assert((SPTE_SW_PRESENT & (NPT_P | NPT_W | NPT_U | NPT_PWT | NPT_PCD | NPT_A | NPT_D |
				   NPT_PS | NPT_G | NPT_NX | SPTE_ADDR_MASK | SPTE_MMIO_GEN_MASK)) == 0,
	       "NPT: software present bit overlaps a hardware bit");
_Static_assert((SPTE_ADDR_MASK & (EPT_RWX | EPT_MEMTYPE_MASK | EPT_IGNORE_PAT | EPT_LARGE |
				  EPT_ACCESSED | EPT_DIRTY | SPTE_MMIO_GEN_MASK)) == 0,
	       "EPT: address mask overlaps flag bits");
_Static_assert((SPTE_ADDR_MASK & (NPT_P | NPT_W | NPT_U | NPT_A | NPT_D | NPT_PS | NPT_NX |
				  SPTE_MMIO_GEN_MASK)) == 0,
	       "NPT: address mask overlaps flag bits");
_Static_assert((SPTE_MMIO_GEN_MASK & (EPT_RWX | EPT_LARGE | EPT_ACCESSED | EPT_DIRTY)) == 0,
	       "EPT: MMIO generation overlaps permission bits");
_Static_assert((SPTE_MMIO_GEN_MASK & (NPT_P | NPT_U | NPT_NX | NPT_MMIO_RSVD_BIT)) == 0,
	       "NPT: MMIO generation overlaps P, U, NX or the reserved marker");
_Static_assert(SPTE_MMIO_GEN_MASK == (((1ull << SPTE_MMIO_GEN_BITS) - 1) << SPTE_MMIO_GEN_SHIFT),
	       "MMIO generation field width");
_Static_assert((EPT_MMIO_VALUE & EPT_R) == 0 && (EPT_MMIO_VALUE & SPTE_SW_PRESENT) == 0,
	       "EPT MMIO value must be W+X without R and without the present bit");
_Static_assert((NPT_MMIO_VALUE & SPTE_SW_PRESENT) == 0, "NPT MMIO value must not look present");

struct spte_format {
	const char *name;
	u64 readable;	  /* EPT_R; NPT_P (reads are implied by presence) */
	u64 writable;	  /* EPT_W / NPT_W */
	u64 exec;	  /* EPT_X; 0 on NPT (execute is the absence of NX) */
	u64 nx;		  /* NPT_NX; 0 on EPT */
	u64 user;	  /* NPT_U, required at every level; 0 on EPT */
	u64 accessed;	  /* 0 when !ad_supported */
	u64 dirty;	  /* 0 when !ad_supported */
	u64 large;	  /* EPT_LARGE / NPT_PS */
	u64 addr_mask;	  /* frame bits of a 4 KiB entry */
	u64 leaf_memtype; /* constant bits of every leaf (EPT: WB) */
	u64 table_bits;	  /* permission bits of every non-leaf entry */
	bool ad_supported;
	u64 mmio_mask;	  /* spte_is_mmio(): (spte & mmio_mask) == mmio_value */
	u64 mmio_value;
	u64 mmio_rsvd;	  /* the reserved-bit marker (NPT bit 51); 0 on EPT */
	u64 mmio_gen_mask; /* where the memslot generation lives in an MMIO SPTE */
	u32 mmio_gen_shift;
	u32 mmio_gen_bits;
};

extern const struct spte_format spte_format_ept;      /* EPT, A/D enabled in the EPTP */
extern const struct spte_format spte_format_ept_noad; /* EPT without A/D */
extern const struct spte_format spte_format_npt;

static inline bool spte_is_present(u64 spte)
{
	return (spte & SPTE_SW_PRESENT) != 0;
}

static inline bool spte_is_mmio(const struct spte_format *f, u64 spte)
{
	return (spte & f->mmio_mask) == f->mmio_value;
}

/* A present SPTE at 'level' maps memory (instead of pointing at a table). */
static inline bool spte_is_leaf(const struct spte_format *f, u64 spte, int level)
{
	return level == SPTE_LEVEL_4K || (spte & f->large) != 0;
}

/* Bytes mapped by one entry at 'level'. */
static inline u64 spte_level_size(int level)
{
	return PAGE_SIZE << (SPTE_LEVEL_BITS * (level - 1));
}

static inline u64 spte_level_pages(int level)
{
	return 1ull << (SPTE_LEVEL_BITS * (level - 1));
}

/* Frame address of a table or leaf SPTE (large leaves are aligned). */
static inline paddr_t spte_pa(const struct spte_format *f, u64 spte)
{
	return spte & f->addr_mask;
}

static inline u64 spte_make_leaf(const struct spte_format *f, paddr_t pa, int level,
				 bool writable, bool exec)
{
	u64 e = (pa & f->addr_mask) | SPTE_SW_PRESENT | f->readable | f->user |
		f->leaf_memtype | f->accessed;

	if (writable)
		e |= f->writable | f->dirty;
	e |= exec ? f->exec : f->nx;
	if (level > SPTE_LEVEL_4K)
		e |= f->large;
	return e;
}

static inline u64 spte_make_table(const struct spte_format *f, paddr_t table)
{
	return (table & f->addr_mask) | SPTE_SW_PRESENT | f->table_bits;
}

/* Generation bits as stored (the low mmio_gen_bits of the memslot generation). */
static inline u64 spte_gen_bits(const struct spte_format *f, u64 gen)
{
	return gen & (f->mmio_gen_mask >> f->mmio_gen_shift);
}

static inline u64 spte_make_mmio(const struct spte_format *f, u64 gen)
{
	return f->mmio_value | (spte_gen_bits(f, gen) << f->mmio_gen_shift);
}

static inline u64 spte_mmio_gen(const struct spte_format *f, u64 spte)
{
	return (spte & f->mmio_gen_mask) >> f->mmio_gen_shift;
}

static inline bool spte_writable(const struct spte_format *f, u64 spte)
{
	return (spte & f->writable) != 0;
}

static inline bool spte_executable(const struct spte_format *f, u64 spte)
{
	return f->exec ? (spte & f->exec) != 0 : (spte & f->nx) == 0;
}

#endif
