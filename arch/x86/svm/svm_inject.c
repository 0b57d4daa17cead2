/* SPDX-License-Identifier: MIT */
/*
 * Event injection through EVENTINJ, and recovering an event whose delivery
 * an exit interrupted (EXITINTINFO), for the next entry.
 *
 * SVM's EVENTINJ has no "software exception" type: INT3, INTO and ICEBP go in
 * as exceptions, INTn as type 4, and in both cases the CPU pushes the VMCB
 * RIP as the return address. So the backend moves RIP past the instruction
 * itself (v->event.insn_len) before VMRUN, as KVM does without NRIPS, and also
 * writes nRIP when NRIPS exists (CPUs with it use nRIP for the pushed RIP).
 * If an exit then interrupts that delivery, RIP is moved back and the same
 * event is queued again, so it is redelivered exactly once. A guest's own
 * INTn/INT3/INTO whose delivery was interrupted is not requeued: RIP still
 * points at the instruction, which simply runs again.
 *
 * Contract: svm_vcpu_run consumes v->event (valid cleared once written to
 * EVENTINJ) and, after the exit, sets v->event when EXITINTINFO was valid.
 */
#include "arch/x86/idt.h"
#include "arch/x86/svm/svm_internal.h"
#include "lib/string.h"

static bool event_is_soft(u8 type)
{
	return type == EVENT_SW_INT || type == EVENT_SW_EXCEPTION || type == EVENT_PRIV_SW_EXC;
}

static u64 svm_event_type(u8 type)
{
	switch (type) {
	case EVENT_EXTINT:
		return SVM_EVT_TYPE_INTR;
	case EVENT_NMI:
		return SVM_EVT_TYPE_NMI;
	case EVENT_SW_INT:
		return SVM_EVT_TYPE_SOFT_INT;
	case EVENT_HW_EXCEPTION:
	case EVENT_PRIV_SW_EXC:
	case EVENT_SW_EXCEPTION:
	default:
		return SVM_EVT_TYPE_EXCEPTION;
	}
}

/* Before VMRUN, interrupts off, after the ASID is chosen. */
void svm_inject_event(struct vcpu *v)
{
	struct svm_vcpu *sv = to_svm(v);
	struct vcpu_event *e = &v->event;
	u64 inj;

	sv->soft_event.valid = false;
	if (!e->valid)
		return;
	inj = e->vector | (svm_event_type(e->type) << SVM_EVT_TYPE_SHIFT) | SVM_EVT_VALID;
	if (e->has_error && e->type == EVENT_HW_EXCEPTION)
		inj |= SVM_EVT_EV | ((u64)e->error_code << SVM_EVT_ERROR_SHIFT);
	if (event_is_soft(e->type) && e->insn_len) {
		sv->soft_event = *e;
		v->rip += e->insn_len;
		sv->soft_next_rip = v->rip;
		if (svm_caps.nrips)
			sv->vmcb->control.next_rip = v->rip;
	}
	sv->vmcb->control.event_inj = inj;
	e->valid = false; /* common code counts injections when it queues them */
}

static void event_from_intinfo(struct vcpu_event *e, u64 info)
{
	u8 type = (info & SVM_EVT_TYPE_MASK) >> SVM_EVT_TYPE_SHIFT;

	memset(e, 0, sizeof(*e));
	e->valid = true;
	e->vector = info & SVM_EVT_VECTOR_MASK;
	e->type = type == SVM_EVT_TYPE_INTR  ? EVENT_EXTINT
		  : type == SVM_EVT_TYPE_NMI ? EVENT_NMI
					     : EVENT_HW_EXCEPTION;
	e->has_error = info & SVM_EVT_EV;
	e->error_code = (u32)(info >> SVM_EVT_ERROR_SHIFT);
}

/* Did the interrupted delivery come from the guest's own INTn/INT3/INTO? */
static bool intinfo_is_guest_soft(u64 info)
{
	u8 type = (info & SVM_EVT_TYPE_MASK) >> SVM_EVT_TYPE_SHIFT;
	u8 vector = info & SVM_EVT_VECTOR_MASK;

	return type == SVM_EVT_TYPE_SOFT_INT ||
	       (type == SVM_EVT_TYPE_EXCEPTION && (vector == EXC_BP || vector == EXC_OF));
}

static bool intinfo_matches(u64 info, const struct vcpu_event *e)
{
	return (info & SVM_EVT_VECTOR_MASK) == e->vector &&
	       (info & SVM_EVT_TYPE_MASK) >> SVM_EVT_TYPE_SHIFT == svm_event_type(e->type);
}

/* After #VMEXIT and svm_store_regs. */
void svm_complete_event(struct vcpu *v)
{
	struct svm_vcpu *sv = to_svm(v);
	struct vmcb_control *c = &sv->vmcb->control;
	u64 info = c->exit_int_info;
	bool ours = sv->soft_event.valid;

	c->event_inj = 0;
	sv->soft_event.valid = false;
	if (!(info & SVM_EVT_VALID))
		return;
	/* Our software event did not finish: undo the RIP advance, inject again. */
	if (ours && v->rip == sv->soft_next_rip) {
		v->rip -= sv->soft_event.insn_len;
		if (intinfo_matches(info, &sv->soft_event)) {
			v->event = sv->soft_event;
			return;
		}
	} else if (intinfo_is_guest_soft(info)) {
		return; /* RIP is at the guest's INTn/INT3/INTO: it runs again */
	}
	event_from_intinfo(&v->event, info);
}
