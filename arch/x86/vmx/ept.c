/* SPDX-License-Identifier: MIT */
/*
 * The EPT-specific pieces: entry construction for the common TDP code, the
 * EPT pointer (WB, 4-level walk, A/D enable only when IA32_VMX_EPT_VPID_CAP
 * bit 21 says so: an EPTP with bit 6 set fails VM entry on CPUs without it),
 * a software walk used to read guest memory the backend needs (PAE PDPTEs),
 * and INVEPT/INVVPID with a fall-back to the widest supported type.
 */
#include "arch/x86/vmx/ept.h"
#include "virt/tdp.h"

#include "arch/x86/vmx/vmx_int.h"
#include "mm/phys.h"

#define EPT_LEVEL_SHIFT(level) (PAGE_SHIFT + 9 * ((level) - 1)) /* level 1 = PT */
#define EPT_INDEX(gpa, level) (((gpa) >> EPT_LEVEL_SHIFT(level)) & (EPT_ENTRIES - 1))

u64 ept_table_entry(paddr_t table)
{
	return (table & EPT_ADDR_MASK) | EPT_RWX;
}

u64 ept_leaf_entry(paddr_t pa, bool r, bool w, bool x, bool large)
{
	u64 e = (pa & EPT_ADDR_MASK) | ((u64)EPT_MEMTYPE_WB << EPT_MEMTYPE_SHIFT);

	if (r)
		e |= EPT_R;
	if (w)
		e |= EPT_W;
	if (x)
		e |= EPT_X;
	if (large)
		e |= EPT_LARGE;
	return e;
}

u64 ept_make_eptp(paddr_t pml4)
{
	u64 eptp = (pml4 & EPT_ADDR_MASK) | EPTP_MEMTYPE_WB |
		   ((u64)(EPT_LEVELS - 1) << EPTP_WALK_LENGTH_SHIFT);

	if (vmx_caps.ept_ad)
		eptp |= EPTP_AD_ENABLE;
	return eptp;
}

bool ept_translate(paddr_t pml4, u64 gpa, paddr_t *hpa)
{
	paddr_t table = pml4;

	for (int level = EPT_LEVELS; level >= 1; level--) {
		const u64 *t = phys_to_virt(table);
		u64 e = t[EPT_INDEX(gpa, level)];

		if (!(e & EPT_R))
			return false;
		if (level == 1 || (e & EPT_LARGE)) {
			u64 offset_mask = BIT(EPT_LEVEL_SHIFT(level)) - 1;

			*hpa = ((e & EPT_ADDR_MASK) & ~offset_mask) | (gpa & offset_mask);
			return true;
		}
		table = e & EPT_ADDR_MASK;
	}
	return false;
}

struct inv_desc {
	u64 a, b;
};

static void invept(u64 type, u64 eptp)
{
	struct inv_desc d = { eptp, 0 };

	asm volatile("invept %[d], %[t]" : : [d] "m"(d), [t] "r"(type) : "cc", "memory");
}

static void invvpid(u64 type, u16 vpid)
{
	struct inv_desc d = { vpid, 0 };

	asm volatile("invvpid %[d], %[t]" : : [d] "m"(d), [t] "r"(type) : "cc", "memory");
}

void ept_invept_context(u64 eptp)
{
	if (vmx_caps.ept_vpid & VMX_EPT_INVEPT_SINGLE)
		invept(INVEPT_SINGLE_CONTEXT, eptp);
	else
		invept(INVEPT_ALL_CONTEXT, 0);
}

void ept_invept_all(void)
{
	/* Without the all-context type, each EPTP is flushed when first used. */
	if (vmx_caps.ept_vpid & VMX_EPT_INVEPT_ALL)
		invept(INVEPT_ALL_CONTEXT, 0);
}

void vpid_invvpid_context(u16 vpid)
{
	if (vmx_caps.ept_vpid & VMX_VPID_INVVPID_SINGLE)
		invvpid(INVVPID_SINGLE_CONTEXT, vpid);
	else
		invvpid(INVVPID_ALL_CONTEXT, 0);
}

void vpid_invvpid_all(void)
{
	if (vmx_caps.ept_vpid & VMX_VPID_INVVPID_ALL)
		invvpid(INVVPID_ALL_CONTEXT, 0);
}

static u64 ept_leaf_rwx(paddr_t pa, bool writable, bool executable, bool large)
{
	return ept_leaf_entry(pa, true, writable, executable, large);
}

/* The EPT entry format for the common second-level page-table builder. */
const struct tdp_format ept_tdp_format = {
	.name = "ept",
	.table_entry = ept_table_entry,
	.leaf_entry = ept_leaf_rwx,
};
