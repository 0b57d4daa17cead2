/* SPDX-License-Identifier: MIT */
/*
 * Guest register state held in the VMCS, behind the ops accessors: segments,
 * descriptor tables, control registers, EFER, CPL, interrupt shadow, TSC
 * offset. Every CR0/CR4 bit is host-owned: the read shadow holds what the
 * guest wrote and sees, the real register adds what VMX forces (CR0.NE,
 * CR4.VMXE; CR0.PE/PG stay the guest's with unrestricted guest). EFER.LMA and
 * the "IA-32e mode guest" entry control follow EFER.LME && CR0.PG whichever
 * of CR0 and EFER is written last. Entering PAE paging (not long mode) from
 * here loads the four PDPTEs into the VMCS as a MOV to CR would.
 */
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmx/ept.h"
#include "arch/x86/vmx/vmx_int.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "mm/phys.h"
#include "virt/vm.h"

#define PDPTE_COUNT 4
#define PAE_CR3_MASK GENMASK(31, 5)
#define VAPIC_TPR 0x80 /* TPR offset in the virtual-APIC page */
#define CR8_TPR_SHIFT 4
#define SEG_AR_DPL(ar) (((ar) & SEG_AR_DPL_MASK) >> SEG_AR_DPL_SHIFT)

bool vmx_access_begin(struct vmx_vcpu *x)
{
	return vmx_vcpu_load(x) == 0;
}

void vmx_access_end(struct vmx_vcpu *x)
{
	if (x->vcpu->pcpu != this_cpu_id())
		vmx_vcpu_put(x);
}

void vmx_get_segment(struct vcpu *v, enum seg s, struct segment *out)
{
	struct vmx_vcpu *x = to_vmx(v);

	if (!vmx_access_begin(x))
		return;
	out->selector = (u16)vmcs_read(VMCS_GUEST_SEL(s));
	out->base = vmcs_read(VMCS_GUEST_BASE(s));
	out->limit = vmcs_read32(VMCS_GUEST_LIMIT(s));
	out->ar = vmcs_read32(VMCS_GUEST_AR(s));
	vmx_access_end(x);
}

void vmx_set_segment(struct vcpu *v, enum seg s, const struct segment *in)
{
	struct vmx_vcpu *x = to_vmx(v);

	if (!vmx_access_begin(x))
		return;
	vmcs_write(VMCS_GUEST_SEL(s), in->selector);
	vmcs_write(VMCS_GUEST_BASE(s), in->base);
	vmcs_write(VMCS_GUEST_LIMIT(s), in->limit);
	vmcs_write(VMCS_GUEST_AR(s), in->ar);
	vmx_access_end(x);
}

void vmx_get_dtable(struct vcpu *v, bool idt, struct dtable *out)
{
	struct vmx_vcpu *x = to_vmx(v);

	if (!vmx_access_begin(x))
		return;
	out->base = vmcs_read(idt ? VMCS_GUEST_IDTR_BASE : VMCS_GUEST_GDTR_BASE);
	out->limit = (u16)vmcs_read(idt ? VMCS_GUEST_IDTR_LIMIT : VMCS_GUEST_GDTR_LIMIT);
	vmx_access_end(x);
}

void vmx_set_dtable(struct vcpu *v, bool idt, const struct dtable *in)
{
	struct vmx_vcpu *x = to_vmx(v);

	if (!vmx_access_begin(x))
		return;
	vmcs_write(idt ? VMCS_GUEST_IDTR_BASE : VMCS_GUEST_GDTR_BASE, in->base);
	vmcs_write(idt ? VMCS_GUEST_IDTR_LIMIT : VMCS_GUEST_GDTR_LIMIT, in->limit);
	vmx_access_end(x);
}

/* Keep EFER.LMA and the IA-32e entry control equal to LME && CR0.PG. */
void vmx_update_ia32e(struct vmx_vcpu *x)
{
	u64 efer = vmcs_read(VMCS_GUEST_EFER);
	bool lma = (efer & EFER_LME) && (vmcs_read(VMCS_GUEST_CR0) & CR0_PG);

	efer = lma ? efer | EFER_LMA : efer & ~EFER_LMA;
	x->entry_ctls = lma ? x->entry_ctls | ENTRY_IA32E_MODE : x->entry_ctls & ~ENTRY_IA32E_MODE;
	vmcs_write(VMCS_GUEST_EFER, efer);
	vmcs_write(VMCS_ENTRY_CTLS, x->entry_ctls);
}

/* PAE paging outside long mode takes its PDPTEs from the VMCS on entry. */
static void load_pdptes(struct vcpu *v)
{
	u64 cr0 = vmcs_read(VMCS_GUEST_CR0), cr4 = vmcs_read(VMCS_GUEST_CR4);
	u64 gpa = vmcs_read(VMCS_GUEST_CR3) & PAE_CR3_MASK;
	const u64 *pdpte = NULL;
	paddr_t hpa;

	if (!(cr0 & CR0_PG) || !(cr4 & CR4_PAE) || (vmcs_read(VMCS_GUEST_EFER) & EFER_LMA))
		return;
	if (v->vm && v->vm->tdp_root && ept_translate(v->vm->tdp_root, gpa, &hpa))
		pdpte = phys_to_virt(hpa);
	else
		pr_warn("vmx: vcpu %u: PAE PDPT at %#llx is not mapped yet\n", v->id,
			(unsigned long long)gpa);
	for (int i = 0; i < PDPTE_COUNT; i++)
		vmcs_write(VMCS_GUEST_PDPTE(i), pdpte ? pdpte[i] : 0);
}

u64 vmx_get_cr(struct vcpu *v, int cr)
{
	struct vmx_vcpu *x = to_vmx(v);
	u64 value = 0;

	if (cr == 2)
		return x->cr2;
	if (cr == 8)
		return x->vapic ? x->vapic[VAPIC_TPR] >> CR8_TPR_SHIFT : 0;
	if (!vmx_access_begin(x))
		return 0;
	if (cr == 0)
		value = vmcs_read(VMCS_CR0_READ_SHADOW);
	else if (cr == 3)
		value = vmcs_read(VMCS_GUEST_CR3);
	else if (cr == 4)
		value = vmcs_read(VMCS_CR4_READ_SHADOW);
	vmx_access_end(x);
	return value;
}

void vmx_set_cr(struct vcpu *v, int cr, u64 value)
{
	struct vmx_vcpu *x = to_vmx(v);

	if (cr == 2) {
		x->cr2 = value;
		return;
	}
	if (cr == 8) {
		if (x->vapic)
			x->vapic[VAPIC_TPR] = (u8)(value << CR8_TPR_SHIFT);
		return;
	}
	if (!vmx_access_begin(x))
		return;
	if (cr == 0) {
		vmcs_write(VMCS_CR0_READ_SHADOW, value);
		vmcs_write(VMCS_GUEST_CR0, vmx_fix_cr0(value, true));
		vmx_update_ia32e(x);
	} else if (cr == 3) {
		vmcs_write(VMCS_GUEST_CR3, value);
	} else if (cr == 4) {
		vmcs_write(VMCS_CR4_READ_SHADOW, value);
		vmcs_write(VMCS_GUEST_CR4, vmx_fix_cr4(value));
	}
	load_pdptes(v);
	vmx_access_end(x);
}

u64 vmx_get_efer(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);
	u64 efer = 0;

	if (vmx_access_begin(x)) {
		efer = vmcs_read(VMCS_GUEST_EFER);
		vmx_access_end(x);
	}
	return efer;
}

void vmx_set_efer(struct vcpu *v, u64 efer)
{
	struct vmx_vcpu *x = to_vmx(v);

	if (!vmx_access_begin(x))
		return;
	vmcs_write(VMCS_GUEST_EFER, efer);
	vmx_update_ia32e(x);
	load_pdptes(v);
	vmx_access_end(x);
}

int vmx_get_cpl(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);
	int cpl = 0;

	if (!vmx_access_begin(x))
		return 0;
	/* SS.DPL is the CPL under VMX; real mode is CPL 0. */
	if (vmcs_read(VMCS_GUEST_CR0) & CR0_PE)
		cpl = (v->rflags & RFLAGS_VM) ? 3 :
			SEG_AR_DPL(vmcs_read32(VMCS_GUEST_SS_AR));
	vmx_access_end(x);
	return cpl;
}

bool vmx_interrupt_shadow(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);
	u32 intr = 0;

	if (vmx_access_begin(x)) {
		intr = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY);
		vmx_access_end(x);
	}
	return intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS);
}

void vmx_set_tsc_offset(struct vcpu *v, u64 offset)
{
	struct vmx_vcpu *x = to_vmx(v);

	v->tsc_offset = offset;
	if (!vmx_access_begin(x))
		return;
	vmcs_write(VMCS_TSC_OFFSET, offset);
	vmx_access_end(x);
}

/* Any CPU may ask; the flush happens on the vCPU's CPU at its next entry. */
void vmx_flush_guest_tlb(struct vcpu *v)
{
	__atomic_store_n(&to_vmx(v)->flush_pending, true, __ATOMIC_RELEASE);
}
