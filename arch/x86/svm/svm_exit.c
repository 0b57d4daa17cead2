/* SPDX-License-Identifier: MIT */
/*
 * SVM exit decoding: turns EXITCODE/EXITINFO1/EXITINFO2 into the neutral
 * struct vm_exit; common code handles it. Instruction lengths: IOIO exits
 * carry the next RIP in EXITINFO2; other instruction intercepts use nRIP when
 * the CPU has NRIPS, else insn_len stays 0 and common code decodes the
 * instruction. CR writes are decoded only with decode assists (EXITINFO1
 * names the GPR); without them the type is CR_ACCESS_UNKNOWN.
 */
#include "arch/x86/idt.h"
#include "arch/x86/svm/svm_internal.h"
#include "lib/string.h"

#define X86_MAX_INSN_LEN 15

/* nRIP - RIP for instruction intercepts when NRIPS exists, else 0. */
static u32 nrip_len(const struct vmcb *vmcb)
{
	u64 next = vmcb->control.next_rip, rip = vmcb->save.rip;

	if (!svm_caps.nrips || next <= rip || next - rip > X86_MAX_INSN_LEN)
		return 0;
	return (u32)(next - rip);
}

static void decode_ioio(struct vm_exit *e, const struct vmcb *vmcb)
{
	u64 info = vmcb->control.exit_info1;

	e->kind = VM_EXIT_IO;
	e->io.port = (u16)((info & SVM_IOIO_PORT_MASK) >> SVM_IOIO_PORT_SHIFT);
	e->io.size = (info & SVM_IOIO_SZ8) ? 1 : (info & SVM_IOIO_SZ16) ? 2 : 4;
	e->io.in = info & SVM_IOIO_TYPE_IN;
	e->io.string = info & SVM_IOIO_STR;
	e->io.rep = info & SVM_IOIO_REP;
	if (e->io.string)
		e->io.addr_size = (info & SVM_IOIO_A16)	  ? 2
				  : (info & SVM_IOIO_A32) ? 4
				  : (info & SVM_IOIO_A64) ? 8
							  : 0;
	/*
	 * The OUTS source segment is only reported with decode assists (same
	 * numbering as enum seg); otherwise DS, the default: an override
	 * prefix is then for common code to find. INS always writes ES.
	 */
	if (e->io.in)
		e->io.seg = SEG_ES;
	else if (svm_caps.decode_assists)
		e->io.seg = (u8)((info & SVM_IOIO_SEG_MASK) >> SVM_IOIO_SEG_SHIFT);
	else
		e->io.seg = SEG_DS;
	/* EXITINFO2 is the RIP of the next instruction, NRIPS or not. */
	if (vmcb->control.exit_info2 > vmcb->save.rip)
		e->insn_len = (u32)(vmcb->control.exit_info2 - vmcb->save.rip);
}

static void decode_cr(struct vm_exit *e, const struct vmcb *vmcb, u32 code)
{
	u64 info = vmcb->control.exit_info1;
	bool write = code >= SVM_EXIT_WRITE_CR0;

	e->kind = VM_EXIT_CR_ACCESS;
	e->cr.cr = (u8)(code - (write ? SVM_EXIT_WRITE_CR0 : SVM_EXIT_READ_CR0));
	e->cr.type = CR_ACCESS_UNKNOWN;
	if (svm_caps.decode_assists && (info & SVM_CR_INFO_MOV)) {
		e->cr.type = write ? CR_ACCESS_WRITE : CR_ACCESS_READ;
		e->cr.gpr = (u8)(info & SVM_CR_INFO_GPR_MASK);
	}
	e->insn_len = nrip_len(vmcb);
}

static bool exception_has_error(u8 vector)
{
	switch (vector) {
	case EXC_DF:
	case EXC_TS:
	case EXC_NP:
	case EXC_SS:
	case EXC_GP:
	case EXC_PF:
	case EXC_AC:
	case EXC_CP:
		return true;
	default:
		return false;
	}
}

static void decode_exception(struct vm_exit *e, const struct vmcb *vmcb, u32 code)
{
	e->kind = VM_EXIT_EXCEPTION;
	e->exc.vector = (u8)(code - SVM_EXIT_EXCP_BASE);
	e->exc.has_error = exception_has_error(e->exc.vector);
	if (e->exc.has_error)
		e->exc.error_code = (u32)vmcb->control.exit_info1;
	if (e->exc.vector == EXC_PF)
		e->exc.cr2 = vmcb->control.exit_info2;
	e->insn_len = nrip_len(vmcb); /* INT3/INTO/BOUND only */
}

static void decode_npf(struct vm_exit *e, const struct vmcb *vmcb)
{
	u64 err = vmcb->control.exit_info1;

	e->kind = (err & SVM_NPF_RSVD) ? VM_EXIT_TDP_MISCONFIG : VM_EXIT_TDP_FAULT;
	e->tdp.gpa = vmcb->control.exit_info2;
	e->tdp.gva_valid = false; /* #NPF does not report the linear address */
	e->tdp.write = err & SVM_NPF_RW;
	e->tdp.fetch = err & SVM_NPF_ID;
	e->tdp.read = !e->tdp.write && !e->tdp.fetch;
	e->tdp.present = err & SVM_NPF_P;
}

/*
 * Check the state as written before VMRUN: the VMCB's guest state may have
 * been overwritten by the failed VMRUN (QEMU stores host state there).
 */
static void decode_invalid(struct vm_exit *e, const struct svm_vcpu *sv, u32 code)
{
	struct vmcb_save s = sv->vmcb->save;
	const char *why;

	s.efer = sv->entry.efer;
	s.cr0 = sv->entry.cr0;
	s.cr3 = sv->entry.cr3;
	s.cr4 = sv->entry.cr4;
	s.dr6 = sv->entry.dr6;
	s.dr7 = sv->entry.dr7;
	s.g_pat = sv->entry.g_pat;
	s.cs.attrib = sv->entry.cs_attrib;
	why = svm_check_vmcb(&sv->vmcb->control, &s);
	e->kind = VM_EXIT_ENTRY_FAILED;
	e->entry.hw_error = code;
	e->entry.why = why ? why : "VMRUN refused the VMCB (no known consistency rule is broken)";
}

/*
 * Exits whose kind alone says it all, indexed by exit code - 0x60: events
 * and instruction intercepts (insn: nRIP gives the length with NRIPS).
 */
#define SIMPLE_BASE SVM_EXIT_INTR
#define SIMPLE_LAST SVM_EXIT_RDPRU
/* clang-format off */
#define EV(k) { VM_EXIT_##k, false }
#define IN(k) { VM_EXIT_##k, true }
/* clang-format on */
_Static_assert(VM_EXIT_NONE == 0, "an empty simple_exits slot reads as NONE");

static const struct {
	u8 kind; /* enum vm_exit_kind; 0 (NONE): not a simple exit */
	bool insn;
} simple_exits[SIMPLE_LAST - SIMPLE_BASE + 1] = {
	/* clang-format off */
	[SVM_EXIT_INTR - SIMPLE_BASE] = EV(EXTINT),
	[SVM_EXIT_SMI - SIMPLE_BASE] = EV(EXTINT),
	[SVM_EXIT_INIT - SIMPLE_BASE] = EV(EXTINT),
	[SVM_EXIT_NMI - SIMPLE_BASE] = EV(NMI),
	[SVM_EXIT_VINTR - SIMPLE_BASE] = EV(INTR_WINDOW),
	[SVM_EXIT_SHUTDOWN - SIMPLE_BASE] = EV(TRIPLE_FAULT),
	[SVM_EXIT_TASK_SWITCH - SIMPLE_BASE] = EV(TASK_SWITCH),
	[SVM_EXIT_CPUID - SIMPLE_BASE] = IN(CPUID),
	[SVM_EXIT_HLT - SIMPLE_BASE] = IN(HLT),
	[SVM_EXIT_VMMCALL - SIMPLE_BASE] = IN(HYPERCALL),
	[SVM_EXIT_XSETBV - SIMPLE_BASE] = IN(XSETBV),
	[SVM_EXIT_INVD - SIMPLE_BASE] = IN(INVD),
	[SVM_EXIT_WBINVD - SIMPLE_BASE] = IN(WBINVD),
	[SVM_EXIT_RDTSC - SIMPLE_BASE] = IN(RDTSC),
	[SVM_EXIT_RDTSCP - SIMPLE_BASE] = IN(RDTSCP),
	[SVM_EXIT_VMRUN - SIMPLE_BASE] = IN(VIRT_INSN),
	[SVM_EXIT_VMLOAD - SIMPLE_BASE] = IN(VIRT_INSN),
	[SVM_EXIT_VMSAVE - SIMPLE_BASE] = IN(VIRT_INSN),
	[SVM_EXIT_STGI - SIMPLE_BASE] = IN(VIRT_INSN),
	[SVM_EXIT_CLGI - SIMPLE_BASE] = IN(VIRT_INSN),
	[SVM_EXIT_SKINIT - SIMPLE_BASE] = IN(VIRT_INSN),
	[SVM_EXIT_INVLPGA - SIMPLE_BASE] = IN(VIRT_INSN),
	[SVM_EXIT_RDPMC - SIMPLE_BASE] = IN(PRIV_INSN),
	[SVM_EXIT_MONITOR - SIMPLE_BASE] = IN(PRIV_INSN),
	[SVM_EXIT_MWAIT - SIMPLE_BASE] = IN(PRIV_INSN),
	[SVM_EXIT_MWAIT_COND - SIMPLE_BASE] = IN(PRIV_INSN),
	[SVM_EXIT_RDPRU - SIMPLE_BASE] = IN(PRIV_INSN),
	/* clang-format on */
};

static bool decode_simple(struct vm_exit *e, const struct vmcb *vmcb, u32 code)
{
	if (code < SIMPLE_BASE || code > SIMPLE_LAST || !simple_exits[code - SIMPLE_BASE].kind)
		return false;
	e->kind = simple_exits[code - SIMPLE_BASE].kind;
	if (simple_exits[code - SIMPLE_BASE].insn)
		e->insn_len = nrip_len(vmcb);
	return true;
}

/* After #VMEXIT: fill v->exit from the VMCB. */
void svm_decode_exit(struct vcpu *v)
{
	const struct vmcb *vmcb = to_svm(v)->vmcb;
	struct vm_exit *e = &v->exit;
	u32 code = (u32)(vmcb->control.exit_code & SVM_EXIT_CODE_MASK);

	memset(e, 0, sizeof(*e));
	e->raw_reason = code;
	e->raw_qual = vmcb->control.exit_info1;
	if (code == SVM_EXIT_INVALID) {
		decode_invalid(e, to_svm(v), code);
	} else if (code == SVM_EXIT_IOIO) {
		decode_ioio(e, vmcb);
	} else if (code == SVM_EXIT_MSR) {
		e->kind = vmcb->control.exit_info1 == SVM_MSR_INFO_WRITE ? VM_EXIT_MSR_WRITE
									 : VM_EXIT_MSR_READ;
		e->msr.index = (u32)v->gpr[GPR_RCX];
		e->insn_len = nrip_len(vmcb);
	} else if (code <= SVM_EXIT_CR_LAST) {
		decode_cr(e, vmcb, code);
	} else if (code >= SVM_EXIT_EXCP_BASE && code <= SVM_EXIT_EXCP_LAST) {
		decode_exception(e, vmcb, code);
	} else if (code == SVM_EXIT_NPF) {
		decode_npf(e, vmcb);
	} else if (!decode_simple(e, vmcb, code)) {
		e->kind = VM_EXIT_UNHANDLED;
	}
}
