/* SPDX-License-Identifier: MIT */
/*
 * AMD nested page table entries (APM Vol. 2, 15.25). NPT tables have the
 * layout of ordinary x86-64 4-level tables, walked with the host's paging
 * mode (long mode: 4 levels, nCR3 = the PML4's physical address), and every
 * guest access counts as a user access: U/S must be 1 at every level or the
 * walk faults. Permissions are set on leaves; tables get P|W|U. Memory type
 * comes from PAT/PCD/PWT of the leaf (0 = the host PAT's entry 0, WB) combined
 * with the guest PAT.
 *
 * MMIO SPTEs (for common code): an entry with P set and bit 51 set is
 * reserved when the CPU's physical address width is below 52 bits, so an
 * access faults with #NPF error code RSVD, which the backend reports as
 * VM_EXIT_TDP_MISCONFIG. Bits 62:52 are ignored by the walk and may carry the
 * memslot generation. npt_mmio_bit_usable() says whether the trick works
 * (phys_bits from CPUID 0x80000008 EAX[7:0]); if not, do not cache MMIO.
 */
#ifndef TERN_ARCH_X86_SVM_NPT_H
#define TERN_ARCH_X86_SVM_NPT_H

#include "lib/types.h"

#define NPT_P BIT(0)
#define NPT_W BIT(1)
#define NPT_U BIT(2) /* required at every level */
#define NPT_PWT BIT(3)
#define NPT_PCD BIT(4)
#define NPT_A BIT(5)
#define NPT_D BIT(6)
#define NPT_PS BIT(7) /* 2 MiB (PD) or 1 GiB (PDPT) leaf */
#define NPT_G BIT(8)
#define NPT_NX BIT(63)
#define NPT_ADDR_MASK GENMASK(51, 12)
#define NPT_ADDR_MASK_2M GENMASK(51, 21)
#define NPT_ADDR_MASK_1G GENMASK(51, 30)
#define NPT_LEVELS 4

#define NPT_MMIO_RSVD_BIT BIT(51)
#define NPT_MMIO_GEN_SHIFT 52
#define NPT_MMIO_GEN_MASK GENMASK(62, 52)
#define NPT_MMIO_SPTE (NPT_P | NPT_U | NPT_MMIO_RSVD_BIT)
#define NPT_MMIO_MIN_PHYS_BITS 52 /* bit 51 is reserved only below this */

_Static_assert((NPT_MMIO_GEN_MASK & (NPT_ADDR_MASK | NPT_NX | NPT_MMIO_RSVD_BIT)) == 0,
	       "NPT MMIO generation bits overlap address, NX or reserved bit");
_Static_assert((NPT_ADDR_MASK & (NPT_P | NPT_W | NPT_U | NPT_A | NPT_D | NPT_PS | NPT_NX)) == 0,
	       "NPT address mask overlaps flag bits");

/* A non-leaf entry pointing at the next table: all permissions, checked at the leaf. */
static inline u64 npt_table_entry(paddr_t table)
{
	return (table & NPT_ADDR_MASK) | NPT_P | NPT_W | NPT_U;
}

/* A leaf mapping 'pa': readable always, writable and executable as asked. */
static inline u64 npt_leaf_entry(paddr_t pa, bool w, bool x, bool large)
{
	u64 e = (pa & NPT_ADDR_MASK) | NPT_P | NPT_U;

	if (w)
		e |= NPT_W;
	if (!x)
		e |= NPT_NX;
	if (large)
		e |= NPT_PS;
	return e;
}

static inline bool npt_mmio_bit_usable(u32 phys_bits)
{
	return phys_bits < NPT_MMIO_MIN_PHYS_BITS;
}

static inline u64 npt_mmio_entry(u64 generation)
{
	return NPT_MMIO_SPTE | ((generation << NPT_MMIO_GEN_SHIFT) & NPT_MMIO_GEN_MASK);
}

/* The format for virt/tdp.h's builder (npt.c). */
struct tdp_format;
extern const struct tdp_format npt_tdp_format;

#endif
