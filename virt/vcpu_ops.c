/* SPDX-License-Identifier: MIT */
/*
 * Exception injection with the architecture's double-fault rules, RIP
 * advance that respects the guest's mode, and register access by width.
 */
#include "virt/vcpu_ops.h"

#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "kernel/printk.h"
#include "virt/insn.h"
#include "virt/virt_ops.h"
#include "virt/vm.h"

#define EXC_DF_VECTOR 8
#define EXC_PF_VECTOR 14
#define RFLAGS_VM BIT(17)
#define CANONICAL_BITS 48

bool is_canonical(u64 va)
{
	return (u64)((s64)(va << (64 - CANONICAL_BITS)) >> (64 - CANONICAL_BITS)) == va;
}

enum guest_mode vcpu_mode(struct vcpu *v)
{
	struct segment cs;

	if (!(virt_ops.get_cr(v, 0) & CR0_PE))
		return GUEST_MODE_REAL;
	if (v->rflags & RFLAGS_VM)
		return GUEST_MODE_VM86;
	virt_ops.get_segment(v, SEG_CS, &cs);
	if (virt_ops.get_efer(v) & EFER_LMA)
		return (cs.ar & SEG_AR_L) ? GUEST_MODE_LONG64 : GUEST_MODE_COMPAT;
	return (cs.ar & SEG_AR_DB) ? GUEST_MODE_PROT32 : GUEST_MODE_PROT16;
}

unsigned int vcpu_code_size(struct vcpu *v)
{
	switch (vcpu_mode(v)) {
	case GUEST_MODE_LONG64:
		return 8;
	case GUEST_MODE_PROT32:
		return 4;
	case GUEST_MODE_COMPAT: {
		struct segment cs;

		virt_ops.get_segment(v, SEG_CS, &cs);
		return (cs.ar & SEG_AR_DB) ? 4 : 2;
	}
	default:
		return 2;
	}
}

/* Contributory exceptions: #DE, #TS, #NP, #SS, #GP (SDM Vol. 3A 6.15). */
static bool contributory(u8 vector)
{
	return vector == 0 || (vector >= 10 && vector <= 13);
}

void vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error_code)
{
	struct vcpu_event *e = &v->event;

	if (e->valid && e->type == EVENT_HW_EXCEPTION) {
		if (e->vector == EXC_DF_VECTOR) {
			vm_stop(v->vm, VM_STATUS_TRIPLE_FAULT,
				"triple fault: exception %u while delivering #DF", vector);
			return;
		}
		if ((contributory(e->vector) && contributory(vector)) ||
		    (e->vector == EXC_PF_VECTOR && (contributory(vector) || vector == EXC_PF_VECTOR))) {
			vector = EXC_DF_VECTOR;
			has_error = true;
			error_code = 0;
		}
	}
	*e = (struct vcpu_event){
		.valid = true,
		.vector = vector,
		.type = EVENT_HW_EXCEPTION,
		.has_error = has_error,
		.error_code = error_code,
	};
	v->stats.injected++;
}

int vcpu_skip_instruction(struct vcpu *v)
{
	u32 len = v->exit.insn_len;
	unsigned int size;
	u64 next;

	if (!len) {
		int err = guest_insn_length(v, &len);

		if (err)
			return err; /* the fetch already injected #PF or stopped the VM */
	}
	next = v->rip + len;
	/*
	 * Fast path: within one 64 KiB block below the canonical boundary the
	 * result is the same in every mode, so the mode need not be read.
	 */
	if ((next >> 16) == (v->rip >> 16) && next < BIT(CANONICAL_BITS - 1)) {
		v->rip = next;
		return 0;
	}
	size = vcpu_code_size(v);
	if (size == 8) {
		if (!is_canonical(next)) {
			vcpu_inject_gp(v); /* the next fetch would be non-canonical */
			return -E_RANGE;
		}
	} else if (size == 4) {
		next &= 0xFFFFFFFFull;
	} else {
		next = (v->rip & ~0xFFFFull) | (next & 0xFFFF);
	}
	v->rip = next;
	return 0;
}

u64 vcpu_gpr_read(struct vcpu *v, unsigned int reg, unsigned int size)
{
	u64 val = v->gpr[reg & 15];

	switch (size) {
	case 1:
		return val & 0xFF;
	case 2:
		return val & 0xFFFF;
	case 4:
		return val & 0xFFFFFFFF;
	default:
		return val;
	}
}

void vcpu_gpr_write(struct vcpu *v, unsigned int reg, unsigned int size, u64 value)
{
	u64 *r = &v->gpr[reg & 15];

	switch (size) {
	case 1:
		*r = (*r & ~0xFFull) | (value & 0xFF);
		break;
	case 2:
		*r = (*r & ~0xFFFFull) | (value & 0xFFFF);
		break;
	case 4:
		*r = value & 0xFFFFFFFF; /* 32-bit writes zero-extend */
		break;
	default:
		*r = value;
	}
}
