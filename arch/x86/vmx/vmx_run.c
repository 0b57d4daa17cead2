/* SPDX-License-Identifier: MIT */
/*
 * vcpu_run: one VM entry and exit. Before entry: make the VMCS current, take
 * the EPTP from vm->tdp_root (rebuilt whenever the root changes), do a
 * pending TLB flush, switch the lazy MSRs, write RIP/RSP/RFLAGS from the
 * vcpu, drop the STI/MOV-SS shadow if common code moved RIP past the exiting
 * instruction, inject v->event, arm the preemption timer for the slice and
 * load the guest CR2. After the exit: read RIP/RSP/RFLAGS and CR2 back and
 * decode. Interrupts are off across the entry and restored afterwards: with
 * "acknowledge interrupt on exit" clear, a host interrupt that caused the
 * exit stays pending in the local APIC and is taken by Tern's IDT as soon as
 * the caller's IF allows it.
 */
#include "arch/x86/cr.h"
#include "arch/x86/irqflags.h"
#include "arch/x86/vmx/ept.h"
#include "arch/x86/vmx/vmx_int.h"
#include "lib/format.h"
#include "lib/string.h"
#include "virt/vm.h"

#define PREEMPT_TIMER_MAX 0xFFFFFFFFull

static bool sync_eptp(struct vcpu *v, struct vmx_vcpu *x)
{
	paddr_t root = v->vm ? v->vm->tdp_root : 0;

	if (!root)
		return false;
	if (root != x->tdp_root) {
		x->tdp_root = root;
		x->eptp = ept_make_eptp(root);
		vmcs_write(VMCS_EPT_POINTER, x->eptp);
		x->flush_pending = true;
	}
	return true;
}

static void flush_if_pending(struct vmx_vcpu *x)
{
	if (!__atomic_exchange_n(&x->flush_pending, false, __ATOMIC_ACQ_REL))
		return;
	/* Single-context INVEPT drops guest-physical and combined mappings of
	 * this EPTP for every VPID; INVVPID covers linear mappings cached
	 * under the VPID before this EPTP was used. */
	ept_invept_context(x->eptp);
	if (x->vpid)
		vpid_invvpid_context(x->vpid);
}

static void write_guest_regs(struct vcpu *v, struct vmx_vcpu *x)
{
	vmcs_write(VMCS_GUEST_RIP, v->rip);
	vmcs_write(VMCS_GUEST_RSP, v->gpr[GPR_RSP]);
	vmcs_write(VMCS_GUEST_RFLAGS, v->rflags);
	if (x->launched && v->rip != x->exit_rip) {
		u32 intr = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY);

		if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
			vmcs_write(VMCS_GUEST_INTERRUPTIBILITY,
				   intr & ~(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
	}
}

static void arm_preemption_timer(u64 slice_tsc)
{
	u64 ticks = slice_tsc ? MAX(slice_tsc >> vmx_caps.preempt_shift, 1) : PREEMPT_TIMER_MAX;

	if (vmx_caps.preempt_timer)
		vmcs_write(VMCS_PREEMPTION_TIMER, MIN(ticks, PREEMPT_TIMER_MAX));
}

static void fail_before_entry(struct vcpu *v, struct vmx_vcpu *x, const char *why)
{
	memset(&v->exit, 0, sizeof(v->exit));
	v->exit.kind = VM_EXIT_ENTRY_FAILED;
	snformat(x->diag, sizeof(x->diag), "%s", why);
	v->exit.entry.why = x->diag;
}

static void vmfail(struct vcpu *v, struct vmx_vcpu *x)
{
	u32 error = vmcs_read32(VMCS_INSN_ERROR);

	memset(&v->exit, 0, sizeof(v->exit));
	v->exit.kind = VM_EXIT_ENTRY_FAILED;
	v->exit.raw_reason = ~0u;
	v->exit.entry.hw_error = error;
	vmx_diag_vmfail(x, error);
	v->exit.entry.why = x->diag;
}

void vmx_vcpu_run(struct vcpu *v, u64 slice_tsc)
{
	struct vmx_vcpu *x = to_vmx(v);
	unsigned long flags = irq_save();
	int failed;

	if (vmx_vcpu_load(x)) {
		fail_before_entry(v, x, "the VMCS could not be loaded on this CPU");
		goto out;
	}
	if (!sync_eptp(v, x)) {
		fail_before_entry(v, x, "the VM has no EPT root (vm->tdp_root is 0)");
		goto out;
	}
	flush_if_pending(x);
	vmx_lazy_msrs_switch(v);
	write_guest_regs(v, x);
	vmx_inject_event(v, x);
	arm_preemption_timer(slice_tsc);
	if (read_cr2() != x->cr2)
		write_cr2(x->cr2);
	failed = vmx_vmenter(v->gpr, x->launched);
	x->cr2 = read_cr2(); /* the run loop accounts time in the guest */
	if (failed) {
		vmfail(v, x);
		goto out;
	}
	v->rip = x->exit_rip = vmcs_read(VMCS_GUEST_RIP);
	v->gpr[GPR_RSP] = vmcs_read(VMCS_GUEST_RSP);
	v->rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	vmx_decode_exit(v, x);
out:
	irq_restore(flags);
}
