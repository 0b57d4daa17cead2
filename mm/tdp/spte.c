/* SPDX-License-Identifier: MIT */
/*
 * The three SPTE formats the TDP MMU can build: EPT with accessed/dirty
 * bits, EPT without them, and NPT. Tables grant everything; permissions are
 * decided at the leaf. EPT leaves are write-back (the guest PAT still
 * applies); NPT leaves leave PAT/PCD/PWT clear (host PAT entry 0 = WB).
 */
#include "mm/tdp/spte.h"

const struct spte_format spte_format_ept = {
	.name = "ept",
	.readable = EPT_R,
	.writable = EPT_W,
	.exec = EPT_X,
	.large = EPT_LARGE,
	.accessed = EPT_ACCESSED,
	.dirty = EPT_DIRTY,
	.addr_mask = SPTE_ADDR_MASK,
	.leaf_memtype = EPT_LEAF_MEMTYPE_WB,
	.table_bits = EPT_RWX,
	.ad_supported = true,
	.mmio_mask = EPT_MMIO_MASK,
	.mmio_value = EPT_MMIO_VALUE,
	.mmio_gen_mask = SPTE_MMIO_GEN_MASK,
	.mmio_gen_shift = SPTE_MMIO_GEN_SHIFT,
	.mmio_gen_bits = SPTE_MMIO_GEN_BITS,
};

const struct spte_format spte_format_ept_noad = {
	.name = "ept-noad",
	.readable = EPT_R,
	.writable = EPT_W,
	.exec = EPT_X,
	.large = EPT_LARGE,
	.addr_mask = SPTE_ADDR_MASK,
	.leaf_memtype = EPT_LEAF_MEMTYPE_WB,
	.table_bits = EPT_RWX,
	.ad_supported = false,
	.mmio_mask = EPT_MMIO_MASK,
	.mmio_value = EPT_MMIO_VALUE,
	.mmio_gen_mask = SPTE_MMIO_GEN_MASK,
	.mmio_gen_shift = SPTE_MMIO_GEN_SHIFT,
	.mmio_gen_bits = SPTE_MMIO_GEN_BITS,
};

const struct spte_format spte_format_npt = {
	.name = "npt",
	.readable = NPT_P,
	.writable = NPT_W,
	.nx = NPT_NX,
	.user = NPT_U,
	.large = NPT_PS,
	.accessed = NPT_A,
	.dirty = NPT_D,
	.addr_mask = SPTE_ADDR_MASK,
	.table_bits = NPT_P | NPT_W | NPT_U,
	.ad_supported = true,
	.mmio_mask = NPT_MMIO_MASK,
	.mmio_value = NPT_MMIO_VALUE,
	.mmio_rsvd = NPT_MMIO_RSVD_BIT,
	.mmio_gen_mask = SPTE_MMIO_GEN_MASK,
	.mmio_gen_shift = SPTE_MMIO_GEN_SHIFT,
	.mmio_gen_bits = SPTE_MMIO_GEN_BITS,
};
