/* SPDX-License-Identifier: MIT */
/*
 * Guest register state held in the VMCB: segments (converting between the
 * VMCB attribute format and the VMX-style access rights of struct segment),
 * descriptor tables, control registers, EFER (SVME forced on for the
 * hardware, hidden from the guest, LMA derived from LME and CR0.PG), CPL,
 * the MSRs the VMCB holds, the TSC offset and the interrupt shadow.
 * Common code validates values first; these hooks only apply them, plus the
 * side effects hardware would have had: a guest TLB flush where the
 * intercepted MOV CRn would have flushed.
 */
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "arch/x86/svm/svm_internal.h"

#define CR0_FLUSH_BITS (CR0_PG | CR0_WP | CR0_PE | CR0_CD)
#define CR4_FLUSH_BITS (CR4_PGE | CR4_PAE | CR4_PSE | CR4_PCIDE | CR4_SMEP | CR4_SMAP | CR4_LA57)
#define CR8_TPR_MASK   0xFull
#define PAT_ENTRIES    8
#define PAT_ENTRY_BITS 8
#define PAT_TYPE_MASK  0xFFull
/* Valid PAT memory types: UC, WC, WT, WP, WB, UC-. */
#define PAT_VALID_TYPES (BIT(0) | BIT(1) | BIT(4) | BIT(5) | BIT(6) | BIT(7))

u16 svm_ar_to_attrib(u32 ar)
{
	if (ar & SEG_AR_UNUSABLE)
		return 0; /* not present: SVM has no "unusable" bit */
	return (u16)((ar & VMCB_ATTR_LOW_MASK) |
		     ((ar >> VMCB_ATTR_HIGH_SHIFT) & VMCB_ATTR_HIGH_MASK));
}

u32 svm_attrib_to_ar(u16 attrib)
{
	u32 ar = (attrib & VMCB_ATTR_LOW_MASK) |
		 ((u32)(attrib & VMCB_ATTR_HIGH_MASK) << VMCB_ATTR_HIGH_SHIFT);

	if (!(attrib & VMCB_ATTR_P))
		ar |= SEG_AR_UNUSABLE;
	return ar;
}

static struct vmcb_seg *vmcb_segment(struct vmcb *vmcb, enum seg s)
{
	switch (s) {
	case SEG_ES:
		return &vmcb->save.es;
	case SEG_CS:
		return &vmcb->save.cs;
	case SEG_SS:
		return &vmcb->save.ss;
	case SEG_DS:
		return &vmcb->save.ds;
	case SEG_FS:
		return &vmcb->save.fs;
	case SEG_GS:
		return &vmcb->save.gs;
	case SEG_LDTR:
		return &vmcb->save.ldtr;
	case SEG_TR:
	default:
		return &vmcb->save.tr;
	}
}

void svm_get_segment(struct vcpu *v, enum seg s, struct segment *out)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;
	const struct vmcb_seg *vs = vmcb_segment(vmcb, s);

	out->selector = vs->selector;
	out->base = vs->base;
	out->limit = vs->limit;
	out->ar = svm_attrib_to_ar(vs->attrib);
	/* AMD keeps the CPL apart; SS.DPL is the CPL by definition. */
	if (s == SEG_SS)
		out->ar = (out->ar & ~SEG_AR_DPL_MASK) | ((u32)vmcb->save.cpl << SEG_AR_DPL_SHIFT);
}

void svm_set_segment(struct vcpu *v, enum seg s, const struct segment *in)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;
	struct vmcb_seg *vs = vmcb_segment(vmcb, s);

	vs->selector = in->selector;
	vs->base = in->base;
	vs->limit = in->limit;
	vs->attrib = svm_ar_to_attrib(in->ar);
	/* As KVM: the VMCB CPL follows SS.DPL (VMRUN forces 0 in real mode). */
	if (s == SEG_SS)
		vmcb->save.cpl = (u8)((in->ar & SEG_AR_DPL_MASK) >> SEG_AR_DPL_SHIFT);
}

void svm_get_dtable(struct vcpu *v, bool idt, struct dtable *out)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;
	const struct vmcb_seg *d = idt ? &vmcb->save.idtr : &vmcb->save.gdtr;

	out->base = d->base;
	out->limit = (u16)d->limit;
}

void svm_set_dtable(struct vcpu *v, bool idt, const struct dtable *in)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;
	struct vmcb_seg *d = idt ? &vmcb->save.idtr : &vmcb->save.gdtr;

	d->base = in->base;
	d->limit = in->limit;
}

u64 svm_get_cr(struct vcpu *v, int cr)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;

	switch (cr) {
	case 0:
		return vmcb->save.cr0;
	case 2:
		return vmcb->save.cr2;
	case 3:
		return vmcb->save.cr3;
	case 4:
		return vmcb->save.cr4;
	case 8:
		return vmcb->control.int_ctl & SVM_INT_CTL_V_TPR_MASK;
	default:
		return 0;
	}
}

/* EFER.LMA is LME && CR0.PG once paging is on (the emulated MOV CR0 sets it). */
static void svm_update_lma(struct vmcb *vmcb)
{
	if ((vmcb->save.efer & EFER_LME) && (vmcb->save.cr0 & CR0_PG))
		vmcb->save.efer |= EFER_LMA;
	else
		vmcb->save.efer &= ~EFER_LMA;
}

void svm_set_cr(struct vcpu *v, int cr, u64 value)
{
	struct svm_vcpu *sv = to_svm(v);
	struct vmcb *vmcb = sv->vmcb;

	switch (cr) {
	case 0:
		if ((vmcb->save.cr0 ^ value) & CR0_FLUSH_BITS)
			svm_tlb_request_flush(sv);
		vmcb->save.cr0 = value;
		svm_update_lma(vmcb);
		break;
	case 2:
		vmcb->save.cr2 = value;
		break;
	case 3:
		vmcb->save.cr3 = value;
		svm_tlb_request_flush(sv);
		break;
	case 4:
		if ((vmcb->save.cr4 ^ value) & CR4_FLUSH_BITS)
			svm_tlb_request_flush(sv);
		vmcb->save.cr4 = value;
		break;
	case 8:
		vmcb->control.int_ctl =
			(vmcb->control.int_ctl & ~SVM_INT_CTL_V_TPR_MASK) | (value & CR8_TPR_MASK);
		break;
	default:
		break;
	}
}

u64 svm_get_efer(struct vcpu *v)
{
	return to_svm(v)->vmcb->save.efer & ~EFER_SVME;
}

void svm_set_efer(struct vcpu *v, u64 efer)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;

	if ((vmcb->save.efer ^ efer) & EFER_NXE)
		svm_tlb_request_flush(to_svm(v));
	/* VMRUN refuses a guest without SVME; the guest never sees it. */
	vmcb->save.efer = efer | EFER_SVME;
	svm_update_lma(vmcb);
}

int svm_get_cpl(struct vcpu *v)
{
	return to_svm(v)->vmcb->save.cpl;
}

static bool pat_valid(u64 pat)
{
	for (int i = 0; i < PAT_ENTRIES; i++) {
		u64 type = (pat >> (i * PAT_ENTRY_BITS)) & PAT_TYPE_MASK;

		if (type >= 64 || !(PAT_VALID_TYPES & BIT(type)))
			return false;
	}
	return true;
}

/* The VMCB field backing a guest MSR, or NULL. */
static u64 *vmcb_msr(struct vmcb *vmcb, u32 index)
{
	switch (index) {
	case MSR_STAR:
		return &vmcb->save.star;
	case MSR_LSTAR:
		return &vmcb->save.lstar;
	case MSR_CSTAR:
		return &vmcb->save.cstar;
	case MSR_SFMASK:
		return &vmcb->save.sfmask;
	case MSR_KERNEL_GS_BASE:
		return &vmcb->save.kernel_gs_base;
	case MSR_FS_BASE:
		return &vmcb->save.fs.base;
	case MSR_GS_BASE:
		return &vmcb->save.gs.base;
	case MSR_IA32_SYSENTER_CS:
		return &vmcb->save.sysenter_cs;
	case MSR_IA32_SYSENTER_ESP:
		return &vmcb->save.sysenter_esp;
	case MSR_IA32_SYSENTER_EIP:
		return &vmcb->save.sysenter_eip;
	case MSR_IA32_PAT:
		return &vmcb->save.g_pat;
	default:
		return NULL;
	}
}

bool svm_get_msr(struct vcpu *v, u32 index, u64 *value)
{
	u64 *f = vmcb_msr(to_svm(v)->vmcb, index);

	if (!f)
		return false;
	*value = *f;
	return true;
}

/* False for an MSR the VMCB does not hold, or a PAT VMRUN would refuse. */
bool svm_set_msr(struct vcpu *v, u32 index, u64 value)
{
	u64 *f = vmcb_msr(to_svm(v)->vmcb, index);

	if (!f || (index == MSR_IA32_PAT && !pat_valid(value)))
		return false;
	*f = value;
	return true;
}

void svm_set_tsc_offset(struct vcpu *v, u64 offset)
{
	v->tsc_offset = offset;
	to_svm(v)->vmcb->control.tsc_offset = offset;
}

void svm_flush_guest_tlb(struct vcpu *v)
{
	svm_tlb_request_flush(to_svm(v));
}

bool svm_interrupt_shadow(struct vcpu *v)
{
	return to_svm(v)->vmcb->control.int_state & SVM_INT_STATE_SHADOW;
}
