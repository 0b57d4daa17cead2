/* SPDX-License-Identifier: MIT */
/*
 * The host-state checks of VM entry (SDM Vol. 3C 26.2.2-26.2.4), run after a
 * VMfail with error 8 to name the broken rule: fixed CR0/CR4 bits, a 64-bit
 * host (CR4.PAE, "host address-space size", EFER.LMA/LME), selector RPL/TI,
 * non-null CS and TR, canonical bases and RIP, EFER and PAT values.
 */
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmx/vmx_diag.h"
#include "arch/x86/vmx/vmx_int.h"

#define SEL_RPL_TI 0x7
#define EFER_ALLOWED (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)
#define PAT_ENTRIES 8
#define PAT_TYPE_MASK 0xFFull

bool vmx_pat_valid(u64 pat)
{
	for (int i = 0; i < PAT_ENTRIES; i++) {
		u64 t = (pat >> (i * 8)) & PAT_TYPE_MASK;

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

static const char *check_host_crs(struct diag_buf *d)
{
	u64 cr0 = vmcs_read(VMCS_HOST_CR0), cr4 = vmcs_read(VMCS_HOST_CR4);

	DIAG_RULE(d, (cr0 & vmx_caps.cr0_fixed0) == vmx_caps.cr0_fixed0,
		  "host CR0 %#llx lacks bits %#llx required by IA32_VMX_CR0_FIXED0",
		  (unsigned long long)cr0, (unsigned long long)(vmx_caps.cr0_fixed0 & ~cr0));
	DIAG_RULE(d, !(cr0 & ~vmx_caps.cr0_fixed1), "host CR0 %#llx sets bits fixed to 0",
		  (unsigned long long)cr0);
	DIAG_RULE(d, (cr4 & vmx_caps.cr4_fixed0) == vmx_caps.cr4_fixed0,
		  "host CR4 %#llx lacks bits %#llx required by IA32_VMX_CR4_FIXED0",
		  (unsigned long long)cr4, (unsigned long long)(vmx_caps.cr4_fixed0 & ~cr4));
	DIAG_RULE(d, !(cr4 & ~vmx_caps.cr4_fixed1), "host CR4 %#llx sets bits fixed to 0",
		  (unsigned long long)cr4);
	DIAG_RULE(d, cr4 & CR4_PAE, "a 64-bit host needs CR4.PAE=1");
	DIAG_RULE(d, !(vmcs_read(VMCS_HOST_CR3) & ~vmx_phys_addr_mask()),
		  "host CR3 has bits beyond the physical-address width");
	return NULL;
}

static const char *check_host_selectors(struct diag_buf *d)
{
	static const u32 sel[] = { VMCS_HOST_ES_SEL, VMCS_HOST_CS_SEL, VMCS_HOST_SS_SEL,
				   VMCS_HOST_DS_SEL, VMCS_HOST_FS_SEL, VMCS_HOST_GS_SEL,
				   VMCS_HOST_TR_SEL };

	for (size_t i = 0; i < ARRAY_SIZE(sel); i++)
		DIAG_RULE(d, !(vmcs_read(sel[i]) & SEL_RPL_TI),
			  "host selector field %#x = %#llx: RPL and TI must be 0", sel[i],
			  (unsigned long long)vmcs_read(sel[i]));
	DIAG_RULE(d, vmcs_read(VMCS_HOST_CS_SEL), "host CS selector must not be 0");
	DIAG_RULE(d, vmcs_read(VMCS_HOST_TR_SEL), "host TR selector must not be 0 (a real TSS)");
	return NULL;
}

static const char *check_host_addresses(struct diag_buf *d)
{
	static const u32 addr[] = { VMCS_HOST_FS_BASE,	    VMCS_HOST_GS_BASE,
				    VMCS_HOST_TR_BASE,	    VMCS_HOST_GDTR_BASE,
				    VMCS_HOST_IDTR_BASE,    VMCS_HOST_SYSENTER_ESP,
				    VMCS_HOST_SYSENTER_EIP, VMCS_HOST_RIP };

	for (size_t i = 0; i < ARRAY_SIZE(addr); i++)
		DIAG_RULE(d, vmx_canonical(vmcs_read(addr[i])),
			  "host field %#x = %#llx is not canonical", addr[i],
			  (unsigned long long)vmcs_read(addr[i]));
	return NULL;
}

const char *vmx_check_host_state(struct diag_buf *d)
{
	u32 exit = vmcs_read32(VMCS_EXIT_CTLS);
	const char *r;

	if ((r = check_host_crs(d)) || (r = check_host_selectors(d)) ||
	    (r = check_host_addresses(d)))
		return r;
	DIAG_RULE(d, exit & EXIT_HOST_ADDR_SPACE_64,
		  "a 64-bit host needs the host address-space size exit control");
	if (exit & EXIT_LOAD_EFER) {
		u64 efer = vmcs_read(VMCS_HOST_EFER);

		DIAG_RULE(d, !(efer & ~EFER_ALLOWED), "host EFER %#llx sets reserved bits",
			  (unsigned long long)efer);
		DIAG_RULE(d, (efer & EFER_LMA) && (efer & EFER_LME),
			  "host EFER %#llx: LMA and LME must match host address-space size (1)",
			  (unsigned long long)efer);
	}
	DIAG_RULE(d, !(exit & EXIT_LOAD_PAT) || vmx_pat_valid(vmcs_read(VMCS_HOST_PAT)),
		  "host PAT %#llx holds an invalid memory type",
		  (unsigned long long)vmcs_read(VMCS_HOST_PAT));
	return NULL;
}
