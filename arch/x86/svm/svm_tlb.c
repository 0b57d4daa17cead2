/* SPDX-License-Identifier: MIT */
/*
 * Guest TLB control. A flush request is recorded and applied at the next
 * VMRUN: with FlushByAsid, TLB_CONTROL = flush this ASID; without it the
 * vCPU simply takes a fresh ASID (as KVM does), which no translation can be
 * tagged with yet, so other guests' entries on this CPU survive. A wrap of
 * the ASID space flushes all (svm_cpu.c). TLB_CONTROL is reset after every
 * VMRUN so a flush is never repeated.
 *
 * Note: QEMU TCG flushes everything on VMRUN and ignores ASIDs, so a missing
 * flush cannot show in the self-tests; the reasoning above is the argument.
 */
#include "arch/x86/svm/svm_internal.h"

void svm_tlb_request_flush(struct svm_vcpu *sv)
{
	sv->flush_pending = true;
}

/* Interrupts off, on the CPU about to VMRUN 'sv'. */
void svm_tlb_prepare(struct svm_vcpu *sv, struct svm_cpu *cpu)
{
	if (sv->flush_pending) {
		sv->flush_pending = false;
		if (svm_caps.flush_by_asid)
			sv->vmcb->control.tlb_control = TLB_CONTROL_FLUSH_ASID;
		else
			sv->asid_generation = 0;
	}
	/* May raise TLB_CONTROL to flush-all when the ASIDs wrap. */
	svm_asid_prepare(sv, cpu);
}

void svm_tlb_after_run(struct svm_vcpu *sv)
{
	sv->vmcb->control.tlb_control = TLB_CONTROL_DO_NOTHING;
}
