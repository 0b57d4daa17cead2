/* SPDX-License-Identifier: MIT */
/*
 * The VMCB of a vCPU: what is intercepted, the reset state, and the run
 * (inject, VMRUN, decode).
 *
 * Intercepted: CPUID, HLT, all I/O ports (IOPM), all MSRs but the
 * VMLOAD/VMSAVE-switched ones (MSRPM, svm_vm.c), writes of CR0 (which covers
 * LMSW and CLTS) and CR4 so common code validates reserved and hidden bits,
 * every SVM instruction (VMRUN is also required by VMRUN itself), VMMCALL,
 * INVLPGA, SKINIT, INVD, WBINVD, XSETBV, MONITOR/MWAIT, RDPMC, task switches,
 * shutdown (triple fault), #MC, and physical INTR/NMI/SMI so the host keeps
 * its interrupts: with V_INTR_MASKING the guest's RFLAGS.IF masks only
 * virtual interrupts, and a host interrupt exits and is then taken by Tern's
 * IDT once the caller's RFLAGS.IF allows (svm_entry.asm ends with STGI).
 * RDTSC/RDTSCP run natively with the VMCB TSC offset. CR reads run natively:
 * the VMCB holds the guest's own CR0/CR4, only EFER.SVME is added (and
 * hidden by svm_get_efer, EFER accesses being intercepted).
 *
 * Register contract of svm_vcpu_run: v->gpr[], v->rip and v->rflags are the
 * truth between runs. RAX, RSP, RIP and RFLAGS are copied into the VMCB
 * before VMRUN and back after; the other GPRs go through svm_entry.asm.
 */
#include "arch/x86/cr.h"
#include "arch/x86/idt.h"
#include "arch/x86/irqflags.h"
#include "arch/x86/msr.h"
#include "arch/x86/svm/svm_internal.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/objcache.h"
#include "mm/phys.h"
#include "virt/vm.h"

/* Reset values (APM Vol. 2, "Initial processor state"). */
#define RESET_CR0	    (CR0_CD | CR0_NW | CR0_ET)
#define RESET_RFLAGS	    0x2ull
#define RESET_RIP	    0xFFF0ull
#define RESET_CS_SELECTOR   0xF000
#define RESET_CS_BASE	    0xFFFF0000ull
#define RESET_SEG_LIMIT	    0xFFFF
#define RESET_DR6	    0xFFFF0FF0ull
#define RESET_DR7	    0x400ull
#define ATTR_DATA_RW	    (VMCB_ATTR_P | VMCB_ATTR_S | 0x3) /* read/write, accessed */
#define ATTR_CODE_RX	    (VMCB_ATTR_P | VMCB_ATTR_S | 0xB) /* exec/read, accessed */
#define ATTR_SYS_LDT	    (VMCB_ATTR_P | 0x2)
#define ATTR_SYS_TSS16_BUSY (VMCB_ATTR_P | 0x3)

#define SVM_CR_INTERCEPTS  (SVM_INTERCEPT_CR_WRITE(0) | SVM_INTERCEPT_CR_WRITE(4))
/*
 * #GP too: with the VMCB's EFER.SVME set, an SVM instruction at CPL > 0 gives
 * #GP before its intercept is checked; common code turns that into the #UD a
 * CPU without SVM (as the guest sees it) raises.
 */
#define SVM_EXC_INTERCEPTS (BIT(EXC_MC) | BIT(EXC_GP))
#define SVM_MISC1_INTERCEPTS                                                                       \
	(SVM_INTERCEPT1_INTR | SVM_INTERCEPT1_NMI | SVM_INTERCEPT1_SMI | SVM_INTERCEPT1_RDPMC |    \
	 SVM_INTERCEPT1_CPUID | SVM_INTERCEPT1_INVD | SVM_INTERCEPT1_HLT |                         \
	 SVM_INTERCEPT1_INVLPGA | SVM_INTERCEPT1_IOIO_PROT | SVM_INTERCEPT1_MSR_PROT |             \
	 SVM_INTERCEPT1_TASK_SWITCH | SVM_INTERCEPT1_SHUTDOWN)
#define SVM_MISC2_INTERCEPTS                                                                       \
	(SVM_INTERCEPT2_VMRUN | SVM_INTERCEPT2_VMMCALL | SVM_INTERCEPT2_VMLOAD |                   \
	 SVM_INTERCEPT2_VMSAVE | SVM_INTERCEPT2_STGI | SVM_INTERCEPT2_CLGI |                       \
	 SVM_INTERCEPT2_SKINIT | SVM_INTERCEPT2_WBINVD | SVM_INTERCEPT2_MONITOR |                  \
	 SVM_INTERCEPT2_MWAIT | SVM_INTERCEPT2_MWAIT_COND | SVM_INTERCEPT2_XSETBV)

static void svm_init_control(struct vcpu *v, struct vmcb_control *c)
{
	struct svm_vm *s = v->vm->arch;

	c->intercept_cr = SVM_CR_INTERCEPTS;
	c->intercept_exceptions = SVM_EXC_INTERCEPTS;
	c->intercept_misc1 = SVM_MISC1_INTERCEPTS;
	c->intercept_misc2 = SVM_MISC2_INTERCEPTS;
	c->iopm_base_pa = virt_to_phys(s->iopm);
	c->msrpm_base_pa = virt_to_phys(s->msrpm);
	c->tsc_offset = v->tsc_offset;
	c->int_ctl = SVM_INT_CTL_V_INTR_MASKING;
	c->np_control = SVM_NP_ENABLE;
	c->ncr3 = v->vm->tdp_root;
	c->tlb_control = TLB_CONTROL_DO_NOTHING;
}

static void init_seg(struct vmcb_seg *s, u16 attrib)
{
	s->selector = 0;
	s->base = 0;
	s->limit = RESET_SEG_LIMIT;
	s->attrib = attrib;
}

/* The state after RESET/INIT: real mode at F000:FFF0. */
static void svm_reset_state(struct vcpu *v, struct vmcb_save *s)
{
	init_seg(&s->es, ATTR_DATA_RW);
	init_seg(&s->ss, ATTR_DATA_RW);
	init_seg(&s->ds, ATTR_DATA_RW);
	init_seg(&s->fs, ATTR_DATA_RW);
	init_seg(&s->gs, ATTR_DATA_RW);
	init_seg(&s->cs, ATTR_CODE_RX);
	s->cs.selector = RESET_CS_SELECTOR;
	s->cs.base = RESET_CS_BASE;
	init_seg(&s->ldtr, ATTR_SYS_LDT);
	init_seg(&s->tr, ATTR_SYS_TSS16_BUSY);
	init_seg(&s->gdtr, 0);
	init_seg(&s->idtr, 0);
	s->cpl = 0;
	s->efer = EFER_SVME;
	s->cr0 = RESET_CR0;
	s->cr3 = 0;
	s->cr4 = 0;
	s->dr6 = RESET_DR6;
	s->dr7 = RESET_DR7;
	s->g_pat = SVM_GUEST_PAT_DEFAULT;
	memset(v->gpr, 0, sizeof(v->gpr));
	v->rip = RESET_RIP;
	v->rflags = RESET_RFLAGS;
}

int svm_vcpu_init(struct vcpu *v)
{
	struct svm_vcpu *sv;

	if (!v->vm || !v->vm->arch)
		return -E_INVAL; /* vm_init first */
	sv = kzalloc(sizeof(*sv));
	if (!sv)
		return -E_NOMEM;
	sv->vmcb = page_alloc_zeroed_virt(0);
	if (!sv->vmcb) {
		kfree(sv);
		return -E_NOMEM;
	}
	sv->vmcb_pa = virt_to_phys(sv->vmcb);
	sv->last_cpu = -1;
	svm_init_control(v, &sv->vmcb->control);
	svm_reset_state(v, &sv->vmcb->save);
	v->arch = sv;
	return 0;
}

/* A VMCB is plain memory: any CPU can VMRUN it next. */
void svm_vcpu_release(struct vcpu *v)
{
	(void)v;
}

void svm_vcpu_destroy(struct vcpu *v)
{
	struct svm_vcpu *sv = v->arch;

	if (!sv)
		return;
	page_free_virt(sv->vmcb, 0);
	kfree(sv);
	v->arch = NULL;
}

/* What svm_check_vmcb needs if this VMRUN fails (a few stores per entry). */
static void svm_snapshot_entry(struct svm_vcpu *sv, const struct vmcb_save *s)
{
	sv->entry.efer = s->efer;
	sv->entry.cr0 = s->cr0;
	sv->entry.cr3 = s->cr3;
	sv->entry.cr4 = s->cr4;
	sv->entry.dr6 = s->dr6;
	sv->entry.dr7 = s->dr7;
	sv->entry.g_pat = s->g_pat;
	sv->entry.cs_attrib = s->cs.attrib;
}

static void svm_load_regs(struct vcpu *v, struct vmcb *vmcb)
{
	vmcb->save.rax = v->gpr[GPR_RAX];
	vmcb->save.rsp = v->gpr[GPR_RSP];
	vmcb->save.rip = v->rip;
	vmcb->save.rflags = v->rflags;
}

static void svm_store_regs(struct vcpu *v, const struct vmcb *vmcb)
{
	v->gpr[GPR_RAX] = vmcb->save.rax;
	v->gpr[GPR_RSP] = vmcb->save.rsp;
	v->rip = vmcb->save.rip;
	v->rflags = vmcb->save.rflags;
}

static void svm_not_enabled(struct vcpu *v)
{
	memset(&v->exit, 0, sizeof(v->exit));
	v->exit.kind = VM_EXIT_ENTRY_FAILED;
	v->exit.entry.why = "SVM is not enabled on this CPU (svm_ops.cpu_enable not called)";
}

/*
 * Enter the guest until its next exit and decode it into v->exit. Consumes
 * v->event (injected now) and refills it from EXITINTINFO when the exit
 * interrupted a delivery. SVM has no preemption timer: 'slice_tsc' is not
 * used; a host timer interrupt ends a run through the INTR intercept.
 */
void svm_vcpu_run(struct vcpu *v, u64 slice_tsc)
{
	struct svm_vcpu *sv = to_svm(v);
	struct vmcb *vmcb = sv->vmcb;
	struct svm_cpu *cpu = svm_this_cpu();
	unsigned long flags;

	(void)slice_tsc;
	if (!cpu || !cpu->enabled) {
		svm_not_enabled(v);
		return;
	}
	flags = irq_save();
	if (vmcb->control.ncr3 != v->vm->tdp_root) {
		vmcb->control.ncr3 = v->vm->tdp_root;
		svm_tlb_request_flush(sv);
	}
	svm_tlb_prepare(sv, cpu);
	svm_inject_event(v); /* may move v->rip past a software INTn */
	svm_load_regs(v, vmcb);
	svm_snapshot_entry(sv, &vmcb->save);
	svm_vmrun(sv->vmcb_pa, v->gpr, cpu->host_vmcb_pa);
	svm_tlb_after_run(sv);
	svm_store_regs(v, vmcb);
	irq_restore(flags);
	svm_decode_exit(v);
	svm_complete_event(v);
}
