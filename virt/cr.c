/* SPDX-License-Identifier: MIT */
/*
 * Guest control-register writes: reserved and hidden bits give #GP, mode
 * transitions follow the architecture (EFER.LMA is set when paging is enabled
 * with EFER.LME, cleared when paging is disabled) and the guest TLB is flushed
 * when a change in CR0/CR4 changes how translations are formed.
 */
#include "virt/cr.h"

#include "arch/x86/cpuid.h"
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "virt/insn.h"
#include "virt/virt_ops.h"
#include "virt/vm.h"

#define CR0_RESERVED_HIGH GENMASK(63, 32)
#define CR0_DEFINED (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | \
		     CR0_NW | CR0_CD | CR0_PG)
#define CR0_FLUSH_BITS (CR0_PG | CR0_WP | CR0_CD)
#define CR3_RESERVED_LONG GENMASK(63, 52)
#define CR4_FLUSH_BITS (CR4_PGE | CR4_PAE | CR4_PSE | CR4_SMEP | CR4_SMAP | CR4_PCIDE)
#define CR8_MAX 15

#define CPUID_7_EBX_FSGSBASE BIT(0)
#define CPUID_7_EBX_SMEP BIT(7)
#define CPUID_7_EBX_SMAP BIT(20)
#define CPUID_7_ECX_UMIP BIT(2)
#define CPUID_1_ECX_PCID BIT(17)

/* CR4 bits a guest may set: the host's, minus what Tern hides (VMXE, SMXE, LA57...). */
static u64 cr4_guest_allowed(void)
{
	struct cpuid_regs l1 = cpuid(CPUID_LEAF_FEATURES);
	struct cpuid_regs l7 = cpuid_count(CPUID_LEAF_EXT_FEATURES, 0);
	u64 allowed = CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_MCE |
		      CR4_PGE | CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT;

	if (l1.ecx & CPUID_1_ECX_XSAVE)
		allowed |= CR4_OSXSAVE;
	if (l1.ecx & CPUID_1_ECX_PCID)
		allowed |= CR4_PCIDE;
	if (l7.ebx & CPUID_7_EBX_FSGSBASE)
		allowed |= CR4_FSGSBASE;
	if (l7.ebx & CPUID_7_EBX_SMEP)
		allowed |= CR4_SMEP;
	if (l7.ebx & CPUID_7_EBX_SMAP)
		allowed |= CR4_SMAP;
	if (l7.ecx & CPUID_7_ECX_UMIP)
		allowed |= CR4_UMIP;
	return allowed;
}

static int guest_write_cr0(struct vcpu *v, u64 val)
{
	u64 old = virt_ops.get_cr(v, 0), efer = virt_ops.get_efer(v);
	u64 cr4 = virt_ops.get_cr(v, 4);

	if (val & CR0_RESERVED_HIGH)
		return -E_INVAL;
	val = (val & CR0_DEFINED) | CR0_ET; /* low reserved bits are ignored */
	if ((val & CR0_PG) && !(val & CR0_PE))
		return -E_INVAL;
	if ((val & CR0_NW) && !(val & CR0_CD))
		return -E_INVAL;
	if ((val & CR0_PG) && !(old & CR0_PG) && (efer & EFER_LME) && !(cr4 & CR4_PAE))
		return -E_INVAL;
	if (!(val & CR0_PG) && (old & CR0_PG) && vcpu_mode(v) == GUEST_MODE_LONG64)
		return -E_INVAL;

	virt_ops.set_cr(v, 0, val);
	if ((val & CR0_PG) && !(old & CR0_PG) && (efer & EFER_LME))
		virt_ops.set_efer(v, efer | EFER_LMA);
	else if (!(val & CR0_PG) && (efer & EFER_LMA))
		virt_ops.set_efer(v, efer & ~EFER_LMA);
	if ((val ^ old) & CR0_FLUSH_BITS)
		virt_ops.flush_guest_tlb(v);
	return 0;
}

static int guest_write_cr4(struct vcpu *v, u64 val)
{
	u64 old = virt_ops.get_cr(v, 4);

	if (val & ~cr4_guest_allowed())
		return -E_INVAL;
	if (!(val & CR4_PAE) && (virt_ops.get_efer(v) & EFER_LMA))
		return -E_INVAL;
	if ((val & CR4_PCIDE) && !(old & CR4_PCIDE) && (virt_ops.get_cr(v, 3) & 0xFFF))
		return -E_INVAL;
	virt_ops.set_cr(v, 4, val);
	if ((val ^ old) & CR4_FLUSH_BITS)
		virt_ops.flush_guest_tlb(v);
	return 0;
}

int guest_write_cr(struct vcpu *v, int cr, u64 val)
{
	switch (cr) {
	case 0:
		return guest_write_cr0(v, val);
	case 3:
		if ((virt_ops.get_efer(v) & EFER_LMA) && (val & CR3_RESERVED_LONG))
			return -E_INVAL;
		virt_ops.set_cr(v, 3, val);
		virt_ops.flush_guest_tlb(v);
		return 0;
	case 4:
		return guest_write_cr4(v, val);
	case 8:
		if (val > CR8_MAX)
			return -E_INVAL;
		v->cr8 = val;
		return 0;
	default:
		return -E_INVAL;
	}
}

static u64 read_cr(struct vcpu *v, int cr)
{
	return cr == 8 ? v->cr8 : virt_ops.get_cr(v, cr);
}

int handle_cr_access(struct vcpu *v)
{
	struct vm_exit *e = &v->exit;
	unsigned int size = vcpu_code_size(v) == 8 ? 8 : 4;
	u64 cr0;
	int err = 0;

	if (e->cr.type == CR_ACCESS_UNKNOWN && guest_decode_cr_access(v))
		return 0; /* the decoder injected a fault or stopped the VM */
	switch (e->cr.type) {
	case CR_ACCESS_WRITE:
		err = guest_write_cr(v, e->cr.cr, vcpu_gpr_read(v, e->cr.gpr, size));
		break;
	case CR_ACCESS_READ:
		vcpu_gpr_write(v, e->cr.gpr, size, read_cr(v, e->cr.cr));
		break;
	case CR_ACCESS_CLTS:
		err = guest_write_cr0(v, virt_ops.get_cr(v, 0) & ~CR0_TS);
		break;
	case CR_ACCESS_LMSW:
		cr0 = virt_ops.get_cr(v, 0);
		/* LMSW loads MP, EM, TS and can set but never clear PE. */
		err = guest_write_cr0(v, (cr0 & ~0xEull) | (e->cr.lmsw_value & 0xF) | (cr0 & CR0_PE));
		break;
	default:
		vm_stop(v->vm, VM_STATUS_RULE_BROKEN, "CR access exit Tern could not decode");
		return -E_INVAL;
	}
	if (err) {
		vcpu_inject_gp(v);
		return 0;
	}
	return vcpu_skip_instruction(v);
}
