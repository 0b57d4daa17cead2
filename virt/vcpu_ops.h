/* SPDX-License-Identifier: MIT */
/*
 * Common operations on a vCPU used by every exit handler: injecting
 * exceptions, advancing RIP past the exiting instruction in a way that
 * respects the guest's mode, and reading the guest's operating mode.
 */
#ifndef TERN_VIRT_VCPU_OPS_H
#define TERN_VIRT_VCPU_OPS_H

#include "lib/types.h"
#include "virt/vcpu.h"

enum guest_mode {
	GUEST_MODE_REAL,   /* CR0.PE = 0 */
	GUEST_MODE_VM86,
	GUEST_MODE_PROT16, /* protected, CS.D = 0 */
	GUEST_MODE_PROT32,
	GUEST_MODE_COMPAT, /* long mode, CS.L = 0 */
	GUEST_MODE_LONG64,
};

enum guest_mode vcpu_mode(struct vcpu *v);
/* Operand/address size of the current code segment: 2, 4 or 8 bytes. */
unsigned int vcpu_code_size(struct vcpu *v);

void vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error_code);
static inline void vcpu_inject_gp(struct vcpu *v)
{
	vcpu_inject_exception(v, 13, true, 0);
}
static inline void vcpu_inject_ud(struct vcpu *v)
{
	vcpu_inject_exception(v, 6, false, 0);
}

/*
 * Skip the instruction that caused the exit: by the length the hardware
 * reported, or by decoding it. Returns 0, or an error after the VM has been
 * given the right exception (#GP for a non-canonical next RIP) or stopped.
 */
int vcpu_skip_instruction(struct vcpu *v);

/* Read/write a general register with the width rules of the guest's mode. */
u64 vcpu_gpr_read(struct vcpu *v, unsigned int reg, unsigned int size);
void vcpu_gpr_write(struct vcpu *v, unsigned int reg, unsigned int size, u64 value);

bool is_canonical(u64 va);

#endif
