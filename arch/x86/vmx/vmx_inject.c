/* SPDX-License-Identifier: MIT */
/*
 * Event injection through the VM-entry interruption-information, error-code
 * and instruction-length fields (SDM Vol. 3C 26.6), and the bookkeeping after
 * the exit: an injected event is consumed (v->event cleared), an event whose
 * delivery the exit interrupted (IDT-vectoring information valid) goes back
 * into v->event to be injected again.
 * External interrupts and NMIs wait for the guest to accept them: while
 * RFLAGS.IF=0, STI/MOV-SS blocking or NMI blocking holds, the event stays in
 * v->event and the interrupt-window (NMI-window) exit is armed; that exit
 * disarms it and reports VM_EXIT_INTR_WINDOW, and the next vcpu_run injects.
 */
#include "arch/x86/cr.h"
#include "arch/x86/vmx/vmx_int.h"

static bool is_soft(u8 type)
{
	return type == EVENT_SW_INT || type == EVENT_PRIV_SW_EXC || type == EVENT_SW_EXCEPTION;
}

/* The guest cannot take this external interrupt or NMI now: arm the window. */
static bool must_wait(struct vcpu *v, struct vmx_vcpu *x, u8 type)
{
	u32 intr = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY);
	u32 window;
	bool blocked;

	if (type == EVENT_EXTINT) {
		blocked = !(v->rflags & RFLAGS_IF_BIT) ||
			  (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
		window = PROC_INTR_WINDOW;
	} else if (type == EVENT_NMI) {
		blocked = intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS |
				  INTERRUPTIBILITY_NMI);
		window = (vmx_caps.pin_ctls & PIN_VIRTUAL_NMIS) ? PROC_NMI_WINDOW :
								 PROC_INTR_WINDOW;
	} else {
		return false;
	}
	if (blocked && !(x->proc_ctls & window)) {
		x->proc_ctls |= window;
		vmcs_write(VMCS_PROC_CTLS, x->proc_ctls);
	}
	return blocked;
}

void vmx_inject_event(struct vcpu *v, struct vmx_vcpu *x)
{
	struct vcpu_event *e = &v->event;
	u32 info;

	x->injected = false;
	if (!e->valid || must_wait(v, x, e->type))
		return;
	info = INTR_INFO_VALID | e->vector | ((u32)e->type << INTR_INFO_TYPE_SHIFT);
	/* Real mode (unrestricted guest, CR0.PE=0) delivers no error code. */
	if (e->has_error && (vmcs_read(VMCS_GUEST_CR0) & CR0_PE)) {
		info |= INTR_INFO_ERROR_VALID;
		vmcs_write(VMCS_ENTRY_EXC_ERROR, e->error_code);
	}
	if (is_soft(e->type))
		vmcs_write(VMCS_ENTRY_INSN_LEN, e->insn_len);
	vmcs_write(VMCS_ENTRY_INTR_INFO, info);
	x->injected = true;
}

void vmx_event_delivered(struct vcpu *v, struct vmx_vcpu *x)
{
	u32 idt = vmcs_read32(VMCS_IDT_VECTORING_INFO);
	struct vcpu_event *e = &v->event;

	if (x->injected) { /* common code counted it when it was queued */
		e->valid = false;
		x->injected = false;
	}
	if (!e->valid && x->stashed.valid) {
		*e = x->stashed;
		x->stashed.valid = false;
	}
	if (!(idt & INTR_INFO_VALID))
		return;
	if (e->valid)
		x->stashed = *e; /* a waiting interrupt yields to the interrupted delivery */
	e->valid = true;
	e->vector = idt & INTR_INFO_VECTOR_MASK;
	e->type = (idt >> INTR_INFO_TYPE_SHIFT) & INTR_INFO_TYPE_MASK;
	e->has_error = idt & INTR_INFO_ERROR_VALID;
	e->error_code = e->has_error ? vmcs_read32(VMCS_IDT_VECTORING_ERROR) : 0;
	e->insn_len = is_soft(e->type) ? vmcs_read32(VMCS_EXIT_INSN_LEN) : 0;
}
