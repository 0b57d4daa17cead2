/* SPDX-License-Identifier: MIT */
/*
 * Extended page tables (SDM Vol. 3C 28.3): the entry format the common TDP
 * code builds tables with, the EPT pointer, and the INVEPT/INVVPID wrappers.
 * EPT tables are 4-level here (the 5-level walk is not used).
 */
#ifndef TERN_ARCH_X86_VMX_EPT_H
#define TERN_ARCH_X86_VMX_EPT_H

#include "lib/types.h"

/* ---- EPT paging-structure entries ---- */
#define EPT_R BIT(0)
#define EPT_W BIT(1)
#define EPT_X BIT(2)
#define EPT_RWX (EPT_R | EPT_W | EPT_X)
#define EPT_MEMTYPE_SHIFT 3 /* leaves only: bits 5:3 */
#define EPT_MEMTYPE_MASK (7ull << EPT_MEMTYPE_SHIFT)
#define EPT_MEMTYPE_UC 0
#define EPT_MEMTYPE_WB 6
#define EPT_IGNORE_PAT BIT(6) /* leaves only */
#define EPT_LARGE BIT(7)      /* 2 MiB (PDE) or 1 GiB (PDPTE) leaf */
#define EPT_ACCESSED BIT(8)   /* with A/D enabled in the EPTP */
#define EPT_DIRTY BIT(9)      /* leaves only */
#define EPT_ADDR_MASK GENMASK(51, 12)
#define EPT_LEVELS 4
#define EPT_ENTRIES 512

/* A non-leaf entry pointing at the next table: RWX, the walk filters below. */
u64 ept_table_entry(paddr_t table);
/* The format for virt/tdp.h's builder. */
struct tdp_format;
extern const struct tdp_format ept_tdp_format;
/* A leaf (4 KiB, or 2 MiB / 1 GiB when 'large'): WB memory type. */
u64 ept_leaf_entry(paddr_t pa, bool r, bool w, bool x, bool large);

/* ---- EPT pointer (24.6.11) ---- */
#define EPTP_MEMTYPE_WB 6
#define EPTP_WALK_LENGTH_SHIFT 3 /* walk length - 1 */
#define EPTP_AD_ENABLE BIT(6)
#define EPTP_RESERVED GENMASK(11, 7)

/* EPTP for a 4-level root; A/D enabled only where the CPU supports it. */
u64 ept_make_eptp(paddr_t pml4);

/* Translate a guest-physical address through 'pml4'; false when unmapped. */
bool ept_translate(paddr_t pml4, u64 gpa, paddr_t *hpa);

/* Invalidate on this CPU; fall back to the widest supported type. */
void ept_invept_context(u64 eptp);
void ept_invept_all(void);
void vpid_invvpid_context(u16 vpid);
void vpid_invvpid_all(void);

#endif
