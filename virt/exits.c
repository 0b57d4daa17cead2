/* SPDX-License-Identifier: MIT */
/*
 * Common exit handling: one handler per neutral exit kind. Handlers return
 * after updating the vCPU (registers, RIP, an event to inject) or stopping
 * the VM with a reason; nothing here knows which vendor produced the exit.
 */
#include "virt/exits.h"

#include "arch/x86/cr.h"
#include "arch/x86/irqflags.h"
#include "arch/x86/msr.h"
#include "virt/cpuid.h"
#include "virt/cr.h"
#include "virt/decode.h"
#include "virt/hypercall.h"
#include "virt/insn.h"
#include "virt/io.h"
#include "virt/mmio.h"
#include "virt/msr.h"
#include "virt/virt_ops.h"
#include "virt/vm.h"
#include "virt/xsave.h"


#define EXC_GP_VECTOR 13

typedef int (*exit_handler_t)(struct vcpu *v);

static int exit_nothing(struct vcpu *v)
{
	(void)v;
	return 0;
}

static int exit_skip(struct vcpu *v)
{
	return vcpu_skip_instruction(v);
}

static int exit_ud(struct vcpu *v)
{
	vcpu_inject_ud(v);
	return 0;
}

static int exit_rdmsr(struct vcpu *v)
{
	return handle_msr(v, false);
}

static int exit_wrmsr(struct vcpu *v)
{
	return handle_msr(v, true);
}

static int exit_hlt(struct vcpu *v)
{
	int err = vcpu_skip_instruction(v);

	if (err)
		return err;
	if (!(v->rflags & RFLAGS_IF) && !v->event.valid) {
		/* Nothing can ever wake it: say so instead of idling to the timeout. */
		vm_stop(v->vm, VM_STATUS_HALTED, "vCPU %u halted with interrupts disabled at %#llx",
			v->id, (unsigned long long)v->rip);
		return 0;
	}
	v->halted = true;
	return 0;
}

static int exit_rdtsc(struct vcpu *v, bool with_aux)
{
	u64 tsc = rdtsc() + v->tsc_offset, aux = 0;

	v->gpr[GPR_RAX] = (u32)tsc;
	v->gpr[GPR_RDX] = tsc >> 32;
	if (with_aux) {
		guest_rdmsr(v, MSR_TSC_AUX, &aux);
		v->gpr[GPR_RCX] = (u32)aux;
	}
	return vcpu_skip_instruction(v);
}

static int exit_rdtsc_plain(struct vcpu *v)
{
	return exit_rdtsc(v, false);
}

static int exit_rdtscp(struct vcpu *v)
{
	return exit_rdtsc(v, true);
}

/* 0F 01 D8..DF: VMRUN, VMMCALL, VMLOAD, VMSAVE, STGI, CLGI, SKINIT, INVLPGA. */
#define OPCODE_GRP7 (OPMAP_0F | 0x01)
#define MODRM_SVM_FIRST 0xD8
#define MODRM_SVM_LAST 0xDF

static bool is_svm_instruction(const struct insn *in)
{
	return in->opcode == OPCODE_GRP7 && in->has_modrm && in->modrm >= MODRM_SVM_FIRST &&
	       in->modrm <= MODRM_SVM_LAST;
}

/*
 * An exception the backend intercepted: give it back to the guest, except a
 * #GP from an SVM instruction, which a CPU without SVM reports as #UD.
 */
static int exit_exception(struct vcpu *v)
{
	struct insn in;

	if (v->exit.exc.vector == EXC_GP_VECTOR) {
		if (guest_decode_at_rip(v, &in))
			return 0; /* the fetch fault was injected instead */
		if (is_svm_instruction(&in)) {
			vcpu_inject_ud(v);
			return 0;
		}
	}
	vcpu_inject_exception(v, v->exit.exc.vector, v->exit.exc.has_error,
			      v->exit.exc.error_code);
	return 0;
}

static int exit_triple_fault(struct vcpu *v)
{
	vm_stop(v->vm, VM_STATUS_TRIPLE_FAULT, "triple fault (vCPU %u, RIP %#llx)", v->id,
		(unsigned long long)v->rip);
	return 0;
}

static int exit_entry_failed(struct vcpu *v)
{
	vm_stop(v->vm, VM_STATUS_ENTRY_FAILED, "VM entry failed: %s (error %u)",
		v->exit.entry.why ? v->exit.entry.why : "unknown reason", v->exit.entry.hw_error);
	return 0;
}

static int exit_unsupported(struct vcpu *v)
{
	vm_stop(v->vm, VM_STATUS_RULE_BROKEN, "%s exit Tern does not handle (reason %#x, qual %#llx, RIP %#llx)",
		vm_exit_name(v->exit.kind), v->exit.raw_reason,
		(unsigned long long)v->exit.raw_qual, (unsigned long long)v->rip);
	return 0;
}

static const exit_handler_t exit_handlers[VM_EXIT_NR_KINDS] = {
	[VM_EXIT_NONE] = exit_nothing,
	[VM_EXIT_CPUID] = handle_cpuid,
	[VM_EXIT_IO] = handle_io,
	[VM_EXIT_MSR_READ] = exit_rdmsr,
	[VM_EXIT_MSR_WRITE] = exit_wrmsr,
	[VM_EXIT_HLT] = exit_hlt,
	[VM_EXIT_HYPERCALL] = handle_hypercall,
	[VM_EXIT_CR_ACCESS] = handle_cr_access,
	[VM_EXIT_XSETBV] = handle_xsetbv,
	[VM_EXIT_INVD] = exit_skip,
	[VM_EXIT_WBINVD] = exit_skip,
	[VM_EXIT_RDTSC] = exit_rdtsc_plain,
	[VM_EXIT_RDTSCP] = exit_rdtscp,
	[VM_EXIT_VIRT_INSN] = exit_ud,
	[VM_EXIT_PRIV_INSN] = exit_ud,
	[VM_EXIT_TDP_FAULT] = handle_tdp_fault,
	[VM_EXIT_TDP_MISCONFIG] = handle_tdp_misconfig,
	[VM_EXIT_EXCEPTION] = exit_exception,
	[VM_EXIT_EXTINT] = exit_nothing,
	[VM_EXIT_NMI] = exit_nothing,
	[VM_EXIT_PREEMPT] = exit_nothing,
	[VM_EXIT_INTR_WINDOW] = exit_nothing,
	[VM_EXIT_TRIPLE_FAULT] = exit_triple_fault,
	[VM_EXIT_TASK_SWITCH] = exit_unsupported,
	[VM_EXIT_ENTRY_FAILED] = exit_entry_failed,
	[VM_EXIT_UNHANDLED] = exit_unsupported,
};

void handle_exit(struct vcpu *v)
{
	enum vm_exit_kind k = v->exit.kind;

	if (k >= VM_EXIT_NR_KINDS || !exit_handlers[k]) {
		exit_unsupported(v);
		return;
	}
	exit_handlers[k](v);
}
