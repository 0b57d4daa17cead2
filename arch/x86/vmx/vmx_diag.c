/* SPDX-License-Identifier: MIT */
/*
 * VM-entry failure diagnosis that names the broken rule. VMLAUNCH/VMRESUME
 * VMfail gives only a number (SDM Vol. 3C 30.4): error 7 (invalid control
 * fields) and 8 (invalid host state) are re-checked here against the rules
 * of SDM 26.2.1 and 26.2.2 and the first one broken is reported; exit reason
 * 33 (invalid guest state) goes to the guest-state checks (vmx_diag_guest.c).
 * Every message lands in x->diag, which v->exit.entry.why points at.
 */
#include "arch/x86/cpuid.h"
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmx/ept.h"
#include "arch/x86/vmx/vmx_diag.h"
#include "arch/x86/vmx/vmx_int.h"
#include "lib/format.h"

#define EPTP_MEMTYPE_MASK 0x7ull
#define EPTP_WALK_MASK (0x7ull << EPTP_WALK_LENGTH_SHIFT)
#define EPTP_WALK_4 (3ull << EPTP_WALK_LENGTH_SHIFT)
#define TPR_THRESHOLD_RESERVED GENMASK(31, 4)
#define MSR_AREA_ALIGN 16
#define VMX_MISC_INSN_LEN_0 BIT(30)
#define ADDR_SIZE_MASK 0xFFu

static const char *const insn_errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

const char *vmx_insn_error_name(u32 error)
{
	if (error < ARRAY_SIZE(insn_errors) && insn_errors[error])
		return insn_errors[error];
	return "unknown VM-instruction error";
}

u64 vmx_phys_addr_mask(void)
{
	u32 bits = 36;

	if (cpuid(CPUID_LEAF_EXT_MAX).eax >= CPUID_LEAF_ADDR_SIZES)
		bits = cpuid(CPUID_LEAF_ADDR_SIZES).eax & ADDR_SIZE_MASK;
	return GENMASK(bits - 1, 0);
}

bool vmx_canonical(u64 va)
{
	return (u64)((s64)(va << 16) >> 16) == va;
}

static const char *check_ctl(struct diag_buf *d, const char *name, u32 val,
			     const struct vmx_ctl *c)
{
	DIAG_RULE(d, (val & c->allowed0) == c->allowed0,
		  "%s controls %#x lack required bits %#x (allowed-0 settings)", name, val,
		  c->allowed0 & ~val);
	DIAG_RULE(d, !(val & ~c->allowed1),
		  "%s controls %#x set bits %#x the CPU does not support (allowed-1)", name, val,
		  val & ~c->allowed1);
	return NULL;
}

static const char *check_ctl_words(struct diag_buf *d, u32 pin, u32 proc, u32 proc2)
{
	const char *r;

	if ((r = check_ctl(d, "pin-based", pin, &vmx_caps.pin)) ||
	    (r = check_ctl(d, "primary processor-based", proc, &vmx_caps.proc)) ||
	    ((proc & PROC_SECONDARY) &&
	     (r = check_ctl(d, "secondary processor-based", proc2, &vmx_caps.proc2))) ||
	    (r = check_ctl(d, "VM-exit", vmcs_read32(VMCS_EXIT_CTLS), &vmx_caps.exit)) ||
	    (r = check_ctl(d, "VM-entry", vmcs_read32(VMCS_ENTRY_CTLS), &vmx_caps.entry)))
		return r;
	DIAG_RULE(d, !(proc & PROC_NMI_WINDOW) || (pin & PIN_VIRTUAL_NMIS),
		  "NMI-window exiting needs virtual NMIs");
	DIAG_RULE(d, !(pin & PIN_VIRTUAL_NMIS) || (pin & PIN_NMI_EXITING),
		  "virtual NMIs need NMI exiting");
	DIAG_RULE(d, !(proc2 & PROC2_UNRESTRICTED_GUEST) || (proc2 & PROC2_EPT),
		  "unrestricted guest needs enable EPT");
	DIAG_RULE(d, !(proc2 & PROC2_VPID) || vmcs_read(VMCS_VPID) != 0,
		  "enable VPID is set but the VPID field is 0");
	DIAG_RULE(d, (vmcs_read32(VMCS_EXIT_CTLS) & EXIT_SAVE_PREEMPT_TIMER) == 0 ||
			     (pin & PIN_PREEMPT_TIMER),
		  "save VMX-preemption timer needs activate VMX-preemption timer");
	return NULL;
}

static const char *check_eptp(struct diag_buf *d, u64 eptp)
{
	u64 type = eptp & EPTP_MEMTYPE_MASK;

	DIAG_RULE(d, (type == EPTP_MEMTYPE_WB && (vmx_caps.ept_vpid & VMX_EPT_WB)) ||
			     (type == EPT_MEMTYPE_UC && (vmx_caps.ept_vpid & VMX_EPT_UC)),
		  "EPTP %#llx: memory type %llu not supported", (unsigned long long)eptp,
		  (unsigned long long)type);
	DIAG_RULE(d, (eptp & EPTP_WALK_MASK) == EPTP_WALK_4,
		  "EPTP %#llx: page-walk length must be 4 (field 3)", (unsigned long long)eptp);
	DIAG_RULE(d, !(eptp & EPTP_AD_ENABLE) || vmx_caps.ept_ad,
		  "EPTP %#llx: A/D enable (bit 6) set but this CPU has no EPT A/D bits",
		  (unsigned long long)eptp);
	DIAG_RULE(d, !(eptp & EPTP_RESERVED) && !(eptp & ~vmx_phys_addr_mask()),
		  "EPTP %#llx: reserved bits 11:7 or bits beyond the physical-address width set",
		  (unsigned long long)eptp);
	return NULL;
}

static bool page_ok(u64 pa)
{
	return IS_ALIGNED(pa, PAGE_SIZE) && !(pa & ~vmx_phys_addr_mask());
}

static const char *check_addresses(struct diag_buf *d, u32 proc, u32 proc2)
{
	u32 targets = (vmx_caps.misc >> VMX_MISC_CR3_TARGETS_SHIFT) & VMX_MISC_CR3_TARGETS_MASK;
	u32 count = vmcs_read32(VMCS_CR3_TARGET_COUNT);

	DIAG_RULE(d, count <= targets, "CR3-target count %u exceeds the %u supported", count,
		  targets);
	DIAG_RULE(d, !(proc & PROC_IO_BITMAPS) || (page_ok(vmcs_read(VMCS_IO_BITMAP_A)) &&
						   page_ok(vmcs_read(VMCS_IO_BITMAP_B))),
		  "I/O bitmap addresses must be page-aligned physical addresses");
	DIAG_RULE(d, !(proc & PROC_MSR_BITMAPS) || page_ok(vmcs_read(VMCS_MSR_BITMAP)),
		  "MSR bitmap address must be a page-aligned physical address");
	DIAG_RULE(d, !(proc & PROC_TPR_SHADOW) || page_ok(vmcs_read(VMCS_VIRTUAL_APIC_ADDR)),
		  "virtual-APIC address must be a page-aligned physical address");
	DIAG_RULE(d, !(proc & PROC_TPR_SHADOW) ||
			     !(vmcs_read32(VMCS_TPR_THRESHOLD) & TPR_THRESHOLD_RESERVED),
		  "TPR threshold bits 31:4 must be 0");
	DIAG_RULE(d, !vmcs_read32(VMCS_EXIT_MSR_STORE_COUNT) ||
			     IS_ALIGNED(vmcs_read(VMCS_EXIT_MSR_STORE_ADDR), MSR_AREA_ALIGN),
		  "VM-exit MSR-store address must be 16-byte aligned");
	DIAG_RULE(d, !vmcs_read32(VMCS_EXIT_MSR_LOAD_COUNT) ||
			     IS_ALIGNED(vmcs_read(VMCS_EXIT_MSR_LOAD_ADDR), MSR_AREA_ALIGN),
		  "VM-exit MSR-load address must be 16-byte aligned");
	DIAG_RULE(d, !vmcs_read32(VMCS_ENTRY_MSR_LOAD_COUNT) ||
			     IS_ALIGNED(vmcs_read(VMCS_ENTRY_MSR_LOAD_ADDR), MSR_AREA_ALIGN),
		  "VM-entry MSR-load address must be 16-byte aligned");
	if (proc2 & PROC2_EPT)
		return check_eptp(d, vmcs_read(VMCS_EPT_POINTER));
	return NULL;
}

static bool has_error_code(u32 vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21;
}

static const char *check_injection(struct diag_buf *d, u32 proc2)
{
	u32 info = vmcs_read32(VMCS_ENTRY_INTR_INFO);
	u32 type = (info >> INTR_INFO_TYPE_SHIFT) & INTR_INFO_TYPE_MASK;
	u32 vector = info & INTR_INFO_VECTOR_MASK;
	bool real = !(vmcs_read(VMCS_GUEST_CR0) & CR0_PE);
	u32 len = vmcs_read32(VMCS_ENTRY_INSN_LEN);

	if (!(info & INTR_INFO_VALID))
		return NULL;
	DIAG_RULE(d, type != 1 && type != INTR_TYPE_OTHER,
		  "injected event type %u is reserved (or needs monitor trap flag)", type);
	DIAG_RULE(d, type != INTR_TYPE_NMI || vector == EXC_NMI_VECTOR,
		  "injected NMI must have vector 2 (got %u)", vector);
	DIAG_RULE(d, type != INTR_TYPE_HW_EXCEPTION || vector < EXCEPTION_VECTORS_MAX,
		  "injected hardware exception vector %u is above 31", vector);
	DIAG_RULE(d, !(info & INTR_INFO_ERROR_VALID) ||
			     (type == INTR_TYPE_HW_EXCEPTION && has_error_code(vector) &&
			      !(real && (proc2 & PROC2_UNRESTRICTED_GUEST))),
		  "deliver-error-code set for vector %u type %u%s", vector, type,
		  real ? " in real mode" : "");
	DIAG_RULE(d, !(info & INTR_INFO_RESERVED), "entry interruption info bits 30:12 set");
	DIAG_RULE(d, (type != INTR_TYPE_SW_INT && type != INTR_TYPE_PRIV_SW_EXC &&
		      type != INTR_TYPE_SW_EXCEPTION) ||
			     (len <= INSN_LEN_MAX && (len || (vmx_caps.misc & VMX_MISC_INSN_LEN_0))),
		  "software event needs an instruction length of 1-15 (got %u)", len);
	return NULL;
}

static const char *check_controls(struct diag_buf *d)
{
	u32 pin = vmcs_read32(VMCS_PIN_CTLS), proc = vmcs_read32(VMCS_PROC_CTLS);
	u32 proc2 = (proc & PROC_SECONDARY) ? vmcs_read32(VMCS_PROC_CTLS2) : 0;
	const char *r;

	if ((r = check_ctl_words(d, pin, proc, proc2)) || (r = check_addresses(d, proc, proc2)))
		return r;
	return check_injection(d, proc2);
}

void vmx_diag_vmfail(struct vmx_vcpu *x, u32 error)
{
	struct diag_buf d = { x->diag, sizeof(x->diag) };
	const char *rule = NULL;

	if (error == VMX_ERR_ENTRY_INVALID_CTLS)
		rule = check_controls(&d);
	else if (error == VMX_ERR_ENTRY_INVALID_HOST)
		rule = vmx_check_host_state(&d);
	if (rule)
		return; /* already in x->diag */
	snformat(x->diag, sizeof(x->diag), "VM-instruction error %u: %s%s", error,
		 vmx_insn_error_name(error),
		 error == VMX_ERR_ENTRY_INVALID_CTLS || error == VMX_ERR_ENTRY_INVALID_HOST ?
			 " (no rule Tern checks is broken)" : "");
}

void vmx_diag_guest_state(struct vmx_vcpu *x, u64 qual)
{
	struct diag_buf d = { x->diag, sizeof(x->diag) };

	if (qual == GUEST_STATE_QUAL_PDPTE)
		snformat(d.buf, d.len, "invalid guest state: a PAE PDPTE has reserved bits set");
	else if (qual == GUEST_STATE_QUAL_NMI_INJECTION)
		snformat(d.buf, d.len, "invalid guest state: NMI injection while NMIs are blocked");
	else if (qual == GUEST_STATE_QUAL_LINK_POINTER)
		snformat(d.buf, d.len, "invalid guest state: VMCS link pointer is not ~0");
	else if (!vmx_check_guest_state(&d))
		snformat(d.buf, d.len, "invalid guest state (no rule Tern checks is broken)");
}
