/* SPDX-License-Identifier: MIT */
/*
 * Fetching and decoding the guest instruction at RIP: for RIP advance when
 * the hardware gives no instruction length (SVM without NRIPS) and for MMIO
 * and I/O string emulation.
 */
#ifndef TERN_VIRT_INSN_H
#define TERN_VIRT_INSN_H

#include "lib/types.h"
#include "virt/vcpu.h"

struct insn;

/* Fetch and decode the instruction at RIP; on failure the guest got its fault. */
int guest_decode_at_rip(struct vcpu *v, struct insn *in);

/* Length of the instruction at the guest's RIP; injects #PF/#GP or stops the VM on failure. */
int guest_insn_length(struct vcpu *v, u32 *len);

/*
 * Fill v->exit.cr from the MOV CR/CLTS/LMSW instruction at RIP, for backends
 * without decode assists. Non-zero: a fault was injected or the VM stopped.
 */
int guest_decode_cr_access(struct vcpu *v);

#endif
