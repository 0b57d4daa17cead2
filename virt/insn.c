/* SPDX-License-Identifier: MIT */
/*
 * Guest instruction fetch and decode at RIP.
 * (Being wired to the guest page walker: until then, decoding is refused
 * and the VM is stopped with a clear reason.)
 */
#include "virt/insn.h"

#include "virt/vm.h"

int guest_insn_length(struct vcpu *v, u32 *len)
{
	*len = 0;
	vm_stop(v->vm, VM_STATUS_RULE_BROKEN, "instruction decode at %#llx not available yet",
		(unsigned long long)v->rip);
	return -E_NOSUPP;
}

int guest_decode_cr_access(struct vcpu *v)
{
	u32 len;

	return guest_insn_length(v, &len);
}
