/* SPDX-License-Identifier: MIT */
/*
 * VM-exit decoding: the basic exit reason, its qualification and the
 * read-only exit-information fields become one neutral struct vm_exit.
 * Nothing is handled here except what only the backend can do: re-arming the
 * event windows, the NMI-unblocking-by-IRET fix-up (SDM 27.2.3), and noting
 * an interrupted event delivery for re-injection (vmx_inject.c).
 * Instruction exits carry the VM-exit instruction length; others have 0.
 */
#include "arch/x86/idt.h"
#include "arch/x86/vmx/vmx_int.h"
#include "lib/format.h"
#include "lib/string.h"

/* Exits that need nothing but their kind (and the instruction length). */
static const u8 simple_kind[] = {
	[EXIT_CPUID] = VM_EXIT_CPUID,
	[EXIT_HLT] = VM_EXIT_HLT,
	[EXIT_VMCALL] = VM_EXIT_HYPERCALL,
	[EXIT_XSETBV] = VM_EXIT_XSETBV,
	[EXIT_INVD] = VM_EXIT_INVD,
	[EXIT_WBINVD] = VM_EXIT_WBINVD,
	[EXIT_RDTSC] = VM_EXIT_RDTSC,
	[EXIT_RDTSCP] = VM_EXIT_RDTSCP,
	[EXIT_VMCLEAR] = VM_EXIT_VIRT_INSN,
	[EXIT_VMLAUNCH] = VM_EXIT_VIRT_INSN,
	[EXIT_VMPTRLD] = VM_EXIT_VIRT_INSN,
	[EXIT_VMPTRST] = VM_EXIT_VIRT_INSN,
	[EXIT_VMREAD] = VM_EXIT_VIRT_INSN,
	[EXIT_VMRESUME] = VM_EXIT_VIRT_INSN,
	[EXIT_VMWRITE] = VM_EXIT_VIRT_INSN,
	[EXIT_VMXOFF] = VM_EXIT_VIRT_INSN,
	[EXIT_VMXON] = VM_EXIT_VIRT_INSN,
	[EXIT_INVEPT] = VM_EXIT_VIRT_INSN,
	[EXIT_INVVPID] = VM_EXIT_VIRT_INSN,
	[EXIT_VMFUNC] = VM_EXIT_VIRT_INSN,
	[EXIT_GETSEC] = VM_EXIT_PRIV_INSN,
	[EXIT_INVLPG] = VM_EXIT_PRIV_INSN,
	[EXIT_RDPMC] = VM_EXIT_PRIV_INSN,
	[EXIT_RSM] = VM_EXIT_PRIV_INSN,
	[EXIT_DR_ACCESS] = VM_EXIT_PRIV_INSN,
	[EXIT_MWAIT] = VM_EXIT_PRIV_INSN,
	[EXIT_MONITOR] = VM_EXIT_PRIV_INSN,
	[EXIT_PAUSE] = VM_EXIT_PRIV_INSN,
	[EXIT_GDTR_IDTR] = VM_EXIT_PRIV_INSN,
	[EXIT_LDTR_TR] = VM_EXIT_PRIV_INSN,
	[EXIT_RDRAND] = VM_EXIT_PRIV_INSN,
	[EXIT_RDSEED] = VM_EXIT_PRIV_INSN,
	[EXIT_INVPCID] = VM_EXIT_PRIV_INSN,
	[EXIT_ENCLS] = VM_EXIT_PRIV_INSN,
	[EXIT_XSAVES] = VM_EXIT_PRIV_INSN,
	[EXIT_XRSTORS] = VM_EXIT_PRIV_INSN,
	[EXIT_UMWAIT] = VM_EXIT_PRIV_INSN,
	[EXIT_TPAUSE] = VM_EXIT_PRIV_INSN,
	[EXIT_LOADIWKEY] = VM_EXIT_PRIV_INSN,
	/* not instructions: */
	[EXIT_EXTINT] = VM_EXIT_EXTINT,
	[EXIT_TRIPLE_FAULT] = VM_EXIT_TRIPLE_FAULT,
	[EXIT_PREEMPT_TIMER] = VM_EXIT_PREEMPT,
	[EXIT_TASK_SWITCH] = VM_EXIT_TASK_SWITCH,
};

static bool is_instruction_kind(enum vm_exit_kind k)
{
	return k != VM_EXIT_EXTINT && k != VM_EXIT_TRIPLE_FAULT && k != VM_EXIT_PREEMPT &&
	       k != VM_EXIT_TASK_SWITCH;
}

/* An exit in the middle of an IRET that unblocked NMIs must block them again. */
static void nmi_unblocked_by_iret(void)
{
	if ((vmx_caps.pin_ctls & PIN_VIRTUAL_NMIS) &&
	    !(vmcs_read32(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID))
		vmcs_set_bits(VMCS_GUEST_INTERRUPTIBILITY, INTERRUPTIBILITY_NMI);
}

static void decode_exception(struct vm_exit *e)
{
	u32 info = vmcs_read32(VMCS_EXIT_INTR_INFO);
	u32 type = (info >> INTR_INFO_TYPE_SHIFT) & INTR_INFO_TYPE_MASK;

	if (type == INTR_TYPE_NMI) {
		e->kind = VM_EXIT_NMI;
		return;
	}
	e->kind = VM_EXIT_EXCEPTION;
	e->exc.vector = info & INTR_INFO_VECTOR_MASK;
	e->exc.has_error = info & INTR_INFO_ERROR_VALID;
	e->exc.error_code = e->exc.has_error ? vmcs_read32(VMCS_EXIT_INTR_ERROR) : 0;
	e->exc.cr2 = e->exc.vector == EXC_PF ? e->raw_qual : 0;
	if (type == INTR_TYPE_SW_EXCEPTION || type == INTR_TYPE_PRIV_SW_EXC)
		e->insn_len = vmcs_read32(VMCS_EXIT_INSN_LEN);
	if ((info & INTR_INFO_NMI_UNBLOCKING) && e->exc.vector != EXC_DF)
		nmi_unblocked_by_iret();
}

static const u8 addr_size_bytes[] = { 2, 4, 8 };

static void decode_io(struct vm_exit *e)
{
	u64 q = e->raw_qual;

	e->kind = VM_EXIT_IO;
	e->io.size = (q & IO_QUAL_SIZE_MASK) + 1;
	e->io.in = q & IO_QUAL_IN;
	e->io.string = q & IO_QUAL_STRING;
	e->io.rep = q & IO_QUAL_REP;
	e->io.port = (q >> IO_QUAL_PORT_SHIFT) & IO_QUAL_PORT_MASK;
	e->io.addr_size = 0;
	e->io.seg = e->io.in ? SEG_ES : SEG_DS;
	if (e->io.string && vmx_caps.inout_info) {
		u32 info = vmcs_read32(VMCS_EXIT_INSN_INFO);
		u32 as = (info >> INSN_INFO_ADDR_SIZE_SHIFT) & INSN_INFO_ADDR_SIZE_MASK;

		if (as < ARRAY_SIZE(addr_size_bytes))
			e->io.addr_size = addr_size_bytes[as];
		if (!e->io.in)
			e->io.seg = (info >> INSN_INFO_SEG_SHIFT) & INSN_INFO_SEG_MASK;
	}
}

static void decode_cr(struct vm_exit *e)
{
	static const u8 types[] = {
		[CR_QUAL_TYPE_MOV_TO] = CR_ACCESS_WRITE,
		[CR_QUAL_TYPE_MOV_FROM] = CR_ACCESS_READ,
		[CR_QUAL_TYPE_CLTS] = CR_ACCESS_CLTS,
		[CR_QUAL_TYPE_LMSW] = CR_ACCESS_LMSW,
	};
	u64 q = e->raw_qual;

	e->kind = VM_EXIT_CR_ACCESS;
	e->cr.cr = q & CR_QUAL_CR_MASK;
	e->cr.type = types[(q >> CR_QUAL_TYPE_SHIFT) & CR_QUAL_TYPE_MASK];
	e->cr.gpr = (q >> CR_QUAL_GPR_SHIFT) & CR_QUAL_GPR_MASK;
	e->cr.lmsw_value = (q >> CR_QUAL_LMSW_SHIFT) & CR_QUAL_LMSW_MASK;
}

static void decode_ept_violation(struct vm_exit *e)
{
	u64 q = e->raw_qual;

	e->kind = VM_EXIT_TDP_FAULT;
	e->tdp.gpa = vmcs_read(VMCS_GUEST_PHYS_ADDR);
	e->tdp.gva_valid = q & EPT_QUAL_GLA_VALID;
	e->tdp.gva = e->tdp.gva_valid ? vmcs_read(VMCS_GUEST_LINEAR_ADDR) : 0;
	e->tdp.read = q & EPT_QUAL_READ;
	e->tdp.write = q & EPT_QUAL_WRITE;
	e->tdp.fetch = q & EPT_QUAL_FETCH;
	e->tdp.present = q & (EPT_QUAL_READABLE | EPT_QUAL_WRITABLE | EPT_QUAL_EXECUTABLE);
	if (q & EPT_QUAL_NMI_UNBLOCKING)
		nmi_unblocked_by_iret();
}

static void close_window(struct vm_exit *e, struct vmx_vcpu *x, u32 window)
{
	e->kind = VM_EXIT_INTR_WINDOW;
	x->proc_ctls &= ~window;
	vmcs_write(VMCS_PROC_CTLS, x->proc_ctls);
}

static void decode_entry_failure(struct vm_exit *e, struct vmx_vcpu *x, u32 basic)
{
	e->kind = VM_EXIT_ENTRY_FAILED;
	e->entry.hw_error = basic;
	if (basic == EXIT_INVALID_GUEST_STATE)
		vmx_diag_guest_state(x, e->raw_qual);
	else if (basic == EXIT_MSR_LOADING)
		snformat(x->diag, sizeof(x->diag), "VM entry failed loading MSR entries");
	else
		snformat(x->diag, sizeof(x->diag), "machine check during VM entry");
	e->entry.why = x->diag;
}

static void decode_reason(struct vcpu *v, struct vmx_vcpu *x, u32 basic)
{
	struct vm_exit *e = &v->exit;

	switch (basic) {
	case EXIT_EXCEPTION_NMI: decode_exception(e); return;
	case EXIT_IO: decode_io(e); break;
	case EXIT_CR_ACCESS: decode_cr(e); break;
	case EXIT_RDMSR:
	case EXIT_WRMSR:
		e->kind = basic == EXIT_RDMSR ? VM_EXIT_MSR_READ : VM_EXIT_MSR_WRITE;
		e->msr.index = (u32)v->gpr[GPR_RCX];
		break;
	case EXIT_EPT_VIOLATION: decode_ept_violation(e); return;
	case EXIT_EPT_MISCONFIG:
		e->kind = VM_EXIT_TDP_MISCONFIG;
		e->tdp.gpa = vmcs_read(VMCS_GUEST_PHYS_ADDR);
		return;
	case EXIT_INTR_WINDOW: close_window(e, x, PROC_INTR_WINDOW); return;
	case EXIT_NMI_WINDOW: close_window(e, x, PROC_NMI_WINDOW); return;
	default:
		e->kind = basic < ARRAY_SIZE(simple_kind) && simple_kind[basic] ?
				  simple_kind[basic] : VM_EXIT_UNHANDLED;
		if (e->kind == VM_EXIT_UNHANDLED || !is_instruction_kind(e->kind))
			return;
		break;
	}
	e->insn_len = vmcs_read32(VMCS_EXIT_INSN_LEN);
}

void vmx_decode_exit(struct vcpu *v, struct vmx_vcpu *x)
{
	struct vm_exit *e = &v->exit;
	u32 reason = vmcs_read32(VMCS_EXIT_REASON);
	u32 basic = reason & EXIT_REASON_BASIC_MASK;

	memset(e, 0, sizeof(*e));
	e->raw_reason = reason;
	e->raw_qual = vmcs_read(VMCS_EXIT_QUAL);
	if (reason & EXIT_REASON_ENTRY_FAILURE) {
		/* The launch state is unchanged: the next try is VMLAUNCH again if it was. */
		decode_entry_failure(e, x, basic);
		return;
	}
	x->launched = true;
	vmx_event_delivered(v, x);
	decode_reason(v, x, basic); /* the run loop counts exits by kind */
}
