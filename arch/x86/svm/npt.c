/* SPDX-License-Identifier: MIT */
/*
 * The NPT entry format for the common second-level page-table builder
 * (virt/tdp.h): bind tdp_format = &npt_tdp_format when the SVM backend is
 * chosen. The entry bits are in npt.h.
 */
#include "arch/x86/svm/npt.h"
#include "virt/tdp.h"

static u64 npt_table(paddr_t table)
{
	return npt_table_entry(table);
}

static u64 npt_leaf(paddr_t pa, bool writable, bool executable, bool large)
{
	return npt_leaf_entry(pa, writable, executable, large);
}

const struct tdp_format npt_tdp_format = {
	.name = "npt",
	.table_entry = npt_table,
	.leaf_entry = npt_leaf,
};
