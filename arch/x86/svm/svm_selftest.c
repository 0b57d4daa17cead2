/* SPDX-License-Identifier: MIT */
/*
 * Self-test of the SVM backend before any common code exists (selftest=svm).
 * On a CPU with SVM it enables SVM on the boot CPU, builds a VM by hand (64
 * KiB of guest memory identity-mapped by a 4-level NPT built here, a struct
 * vm and vcpus of its own), runs guest code (svm_selftest_code.c) in real
 * mode, 32-bit protected mode and long mode through svm_ops, and checks every
 * decoded exit: kind, RIP, port/size/direction and EXITINFO2 length of I/O,
 * MSR index, #NPF address and access, GPRs in both directions, event
 * injection (hardware exception and software interrupt, checking the return
 * address the guest's handler sees), VMRUN refused with its diagnosis, and a
 * triple fault. RIP is advanced by insn_len, or by the known length when the
 * backend leaves it 0 (no NRIPS). It also times a CPUID exit round trip.
 */
#include "arch/x86/cr.h"
#include "arch/x86/idt.h"
#include "arch/x86/irqflags.h"
#include "arch/x86/lapic.h"
#include "arch/x86/msr.h"
#include "arch/x86/pgtable.h"
#include "arch/x86/svm/npt.h"
#include "arch/x86/svm/svm_internal.h"
#include "arch/x86/svm/svm_selftest.h"
#include "kernel/printk.h"
#include "kernel/selftest.h"
#include "kernel/spinlock.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/phys.h"
#include "virt/vm.h"

#define ST_NPT_PAGES		   (1u << ST_GUEST_ORDER)
#define GPA(blob_gpa, blob, label) ((u64)(blob_gpa) + (u64)(svm_st_##label - svm_st_##blob))
#define LEN(label)		   ((u32)(svm_st_##label##_end - svm_st_##label))

/* 32-bit flat segments (VMX-style access rights). */
#define AR_CODE32                                                                                  \
	(SEG_AR_G | SEG_AR_DB | SEG_AR_P | SEG_AR_S | SEG_AR_TYPE_CODE | SEG_AR_TYPE_RW |          \
	 SEG_AR_TYPE_ACCESSED)
#define AR_CODE64                                                                                  \
	(SEG_AR_G | SEG_AR_L | SEG_AR_P | SEG_AR_S | SEG_AR_TYPE_CODE | SEG_AR_TYPE_RW |           \
	 SEG_AR_TYPE_ACCESSED)
#define AR_DATA32                                                                                  \
	(SEG_AR_G | SEG_AR_DB | SEG_AR_P | SEG_AR_S | SEG_AR_TYPE_RW | SEG_AR_TYPE_ACCESSED)
#define SEL_CODE	 0x08
#define SEL_DATA	 0x10
#define GDT_CODE32	 0x00CF9B000000FFFFull
#define GDT_DATA32	 0x00CF93000000FFFFull
#define IDT_GATE32_INTR	 0x8E
#define IDT_ENTRY32_SIZE 8
#define VECTOR_ST_SOFT	 0x80
#define FLAT_LIMIT	 0xFFFFFFFFu
#define GUEST_PTE_PW	 (PTE_P | PTE_W)
#define GUEST_PTE_PW_PS	 (PTE_P | PTE_W | PTE_PS)
#define HYPERCALL_LEN	 3
#define VECTOR_ST_HOST	 0xD0
#define ST_IRQ_SPIN	 100000

struct st_ctx {
	struct vm vm;
	struct vcpu vcpu;
	struct vcpu vcpu64;
	u8 *mem; /* guest RAM, GPA 0 */
	u64 *npt[NPT_LEVELS];
};

static struct st_ctx st;

static void *gpa_ptr(u64 gpa)
{
	return st.mem + gpa;
}

static u32 rd32(u64 gpa)
{
	u32 v;

	memcpy(&v, gpa_ptr(gpa), sizeof(v));
	return v;
}

static u64 rd64(u64 gpa)
{
	u64 v;

	memcpy(&v, gpa_ptr(gpa), sizeof(v));
	return v;
}

static void wr64(u64 gpa, u64 v)
{
	memcpy(gpa_ptr(gpa), &v, sizeof(v));
}

/* PML4 -> PDPT -> PD -> PT mapping GPA 0..64 KiB onto st.mem. */
static bool build_npt(void)
{
	for (int i = 0; i < NPT_LEVELS; i++) {
		st.npt[i] = page_alloc_zeroed_virt(0);
		if (!st.npt[i])
			return false;
	}
	st.npt[0][0] = npt_table_entry(virt_to_phys(st.npt[1]));
	st.npt[1][0] = npt_table_entry(virt_to_phys(st.npt[2]));
	st.npt[2][0] = npt_table_entry(virt_to_phys(st.npt[3]));
	for (u32 i = 0; i < ST_NPT_PAGES; i++)
		st.npt[3][i] =
			npt_leaf_entry(virt_to_phys(st.mem) + i * PAGE_SIZE, true, true, false);
	st.vm.tdp_root = virt_to_phys(st.npt[0]);
	return true;
}

static bool st_setup(void)
{
	memset(&st, 0, sizeof(st));
	st.mem = page_alloc_zeroed_virt(ST_GUEST_ORDER);
	if (!st.mem || !build_npt())
		return false;
	st.vm.nr_vcpus = 2;
	st.vcpu.vm = &st.vm;
	st.vcpu64.vm = &st.vm;
	st.vcpu64.id = 1;
	memcpy(gpa_ptr(ST_RM_GPA), svm_st_rm_start, (size_t)(svm_st_rm_end - svm_st_rm_start));
	memcpy(gpa_ptr(ST_PM_GPA), svm_st_pm_start, (size_t)(svm_st_pm_end - svm_st_pm_start));
	memcpy(gpa_ptr(ST_LM_GPA), svm_st_lm_start, (size_t)(svm_st_lm_end - svm_st_lm_start));
	return svm_ops.vm_init(&st.vm) == 0 && svm_ops.vcpu_init(&st.vcpu) == 0 &&
	       svm_ops.vcpu_init(&st.vcpu64) == 0;
}

static void st_teardown(void)
{
	svm_ops.vcpu_destroy(&st.vcpu);
	svm_ops.vcpu_destroy(&st.vcpu64);
	svm_ops.vm_destroy(&st.vm);
	for (int i = 0; i < NPT_LEVELS; i++)
		if (st.npt[i])
			page_free_virt(st.npt[i], 0);
	if (st.mem)
		page_free_virt(st.mem, ST_GUEST_ORDER);
}

/* Run once; true when the exit has 'kind' at 'rip'. */
static bool run_to(struct vcpu *v, enum vm_exit_kind kind, u64 rip)
{
	svm_ops.vcpu_run(v, 0);
	if (v->exit.kind == kind && v->rip == rip)
		return true;
	pr_err("svm selftest: want exit %d at %#llx, got %d (code %#x info1 %#llx) at %#llx%s%s\n",
	       kind, (unsigned long long)rip, v->exit.kind, v->exit.raw_reason,
	       (unsigned long long)v->exit.raw_qual, (unsigned long long)v->rip,
	       v->exit.kind == VM_EXIT_ENTRY_FAILED ? ": " : "",
	       v->exit.kind == VM_EXIT_ENTRY_FAILED ? v->exit.entry.why : "");
	return false;
}

/* Skip the exiting instruction: insn_len when known, else the test's own length. */
static bool skip(struct vcpu *v, u32 len)
{
	u32 got = v->exit.insn_len;

	v->rip += got ? got : len;
	return got == 0 || got == len;
}

static void test_pure_helpers(void)
{
	u32 ars[] = {AR_CODE32, AR_CODE64, AR_DATA32, SEG_AR_P | 0x3, SEG_AR_P | 0xB};
	bool ok = true;

	for (u32 i = 0; i < ARRAY_SIZE(ars); i++)
		ok &= svm_attrib_to_ar(svm_ar_to_attrib(ars[i])) == ars[i];
	ST_CHECK(ok, "segment access rights survive VMX->VMCB->VMX conversion");
	ST_CHECK(svm_ar_to_attrib(AR_CODE64) == (VMCB_ATTR_G | VMCB_ATTR_L | 0x9B),
		 "64-bit code attributes: %#x", svm_ar_to_attrib(AR_CODE64));
	ST_CHECK(svm_ar_to_attrib(SEG_AR_UNUSABLE | AR_DATA32) == 0 &&
			 (svm_attrib_to_ar(0) & SEG_AR_UNUSABLE),
		 "unusable <-> not present");
	ST_CHECK(!svm_msr_intercepted(&st.vm, MSR_LSTAR) &&
			 !svm_msr_intercepted(&st.vm, MSR_IA32_SYSENTER_EIP),
		 "VMLOAD-switched MSRs pass through");
	ST_CHECK(svm_msr_intercepted(&st.vm, MSR_FS_BASE) &&
			 svm_msr_intercepted(&st.vm, MSR_KERNEL_GS_BASE),
		 "segment-base MSRs are intercepted (for writes)");
	ST_CHECK(svm_msr_intercepted(&st.vm, MSR_EFER) &&
			 svm_msr_intercepted(&st.vm, MSR_IA32_PAT) &&
			 svm_msr_intercepted(&st.vm, MSR_IA32_TSC) &&
			 svm_msr_intercepted(&st.vm, MSR_VM_HSAVE_PA) &&
			 svm_msr_intercepted(&st.vm, 0x40000000),
		 "EFER, PAT, TSC, VM_HSAVE_PA and out-of-range MSRs are intercepted");
	ST_CHECK(npt_leaf_entry(0x1000, false, false, true) ==
			 (0x1000 | NPT_P | NPT_U | NPT_NX | NPT_PS),
		 "NPT leaf entry bits");
}

static void test_real_mode(void)
{
	struct vcpu *v = &st.vcpu;
	bool ok;
	struct segment cs = {.selector = 0,
			     .base = 0,
			     .limit = 0xFFFF,
			     .ar = SEG_AR_P | SEG_AR_S | SEG_AR_TYPE_CODE | SEG_AR_TYPE_RW |
				   SEG_AR_TYPE_ACCESSED};

	svm_ops.set_segment(v, SEG_CS, &cs);
	v->rip = ST_RM_GPA;
	ST_CHECK(run_to(v, VM_EXIT_CPUID, GPA(ST_RM_GPA, rm_start, rm_cpuid)) &&
			 (u32)v->gpr[GPR_RAX] == 0x12345678,
		 "real mode: CPUID exit with guest EAX");
	v->gpr[GPR_RAX] = 0xA1;
	v->gpr[GPR_RBX] = 0xB2;
	v->gpr[GPR_RCX] = 0xC3;
	v->gpr[GPR_RDX] = 0xD4;
	skip(v, LEN(rm_cpuid));
	ok = run_to(v, VM_EXIT_IO, GPA(ST_RM_GPA, rm_start, rm_out80));
	ST_CHECK(ok && v->exit.io.port == 0x80 && v->exit.io.size == 1 && !v->exit.io.in &&
			 !v->exit.io.string && v->exit.insn_len == LEN(rm_out80) &&
			 (u8)v->gpr[GPR_RAX] == 0x42,
		 "OUT imm8, AL: port 0x80, 1 byte, out, insn_len %u from EXITINFO2",
		 v->exit.insn_len);
	skip(v, LEN(rm_out80));
	ST_CHECK(run_to(v, VM_EXIT_IO, GPA(ST_RM_GPA, rm_start, rm_outdx)) &&
			 v->exit.io.port == 0x3f8 && v->exit.io.size == 2 && !v->exit.io.in &&
			 v->exit.insn_len == 1 && (u16)v->gpr[GPR_RAX] == 0x1234,
		 "OUT DX, AX: port 0x3f8, 2 bytes, insn_len 1");
	skip(v, LEN(rm_outdx));
	ST_CHECK(run_to(v, VM_EXIT_IO, GPA(ST_RM_GPA, rm_start, rm_in71)) &&
			 v->exit.io.port == 0x71 && v->exit.io.size == 1 && v->exit.io.in &&
			 v->exit.insn_len == 2,
		 "IN AL, imm8: port 0x71, 1 byte, in, insn_len 2");
	v->gpr[GPR_RAX] = (v->gpr[GPR_RAX] & ~0xFFull) | 0x5A;
	skip(v, LEN(rm_in71));
	ST_CHECK(run_to(v, VM_EXIT_MSR_READ, GPA(ST_RM_GPA, rm_start, rm_rdmsr)) &&
			 v->exit.msr.index == 0x10,
		 "RDMSR exit, index 0x10");
	v->gpr[GPR_RAX] = 0x11111111;
	v->gpr[GPR_RDX] = 0x22222222;
	ST_CHECK(skip(v, LEN(rm_rdmsr)), "insn_len is 0 or right");
	ST_CHECK(run_to(v, VM_EXIT_HYPERCALL, GPA(ST_RM_GPA, rm_start, rm_vmmcall)) &&
			 (u32)v->gpr[GPR_RBP] == 0xcafebabe && (u32)v->gpr[GPR_RSI] == 0x51515151 &&
			 (u32)v->gpr[GPR_RDI] == 0xd1d1d1d1,
		 "VMMCALL exit; guest EBP/ESI/EDI reach vcpu->gpr");
	ST_CHECK(rd32(ST_DATA_GPA) == 0xA1 && rd32(ST_DATA_GPA + 4) == 0xB2 &&
			 rd32(ST_DATA_GPA + 8) == 0xC3 && rd32(ST_DATA_GPA + 12) == 0xD4,
		 "CPUID results written to vcpu->gpr reach the guest");
	ST_CHECK(*(u8 *)gpa_ptr(ST_DATA_GPA + 0x10) == 0x5A &&
			 rd32(ST_DATA_GPA + 0x14) == 0x11111111 &&
			 rd32(ST_DATA_GPA + 0x18) == 0x22222222,
		 "IN and RDMSR results reach the guest");
	skip(v, HYPERCALL_LEN);
	ST_CHECK(run_to(v, VM_EXIT_HLT, GPA(ST_RM_GPA, rm_start, rm_hlt)), "HLT exit");
	skip(v, LEN(rm_hlt));
	ST_CHECK(run_to(v, VM_EXIT_HLT, GPA(ST_RM_GPA, rm_start, rm_hlt)),
		 "resumes after HLT and halts again");
}

static void set_gate(u8 vector, u64 handler_gpa)
{
	u64 gate = (handler_gpa & 0xFFFF) | ((u64)SEL_CODE << 16) | ((u64)IDT_GATE32_INTR << 40) |
		   ((handler_gpa >> 16) << 48);

	wr64(ST_IDT_GPA + (u64)vector * IDT_ENTRY32_SIZE, gate);
}

static void setup_flat(struct vcpu *v, u32 code_ar)
{
	struct segment cs = {SEL_CODE, 0, FLAT_LIMIT, code_ar};
	struct segment ds = {SEL_DATA, 0, FLAT_LIMIT, AR_DATA32};
	struct dtable gdt = {ST_GDT_GPA, 3 * sizeof(u64) - 1};
	struct dtable idt = {ST_IDT_GPA, (VECTOR_ST_SOFT + 1) * IDT_ENTRY32_SIZE - 1};

	svm_ops.set_segment(v, SEG_CS, &cs);
	for (enum seg s = SEG_ES; s <= SEG_GS; s++)
		if (s != SEG_CS)
			svm_ops.set_segment(v, s, &ds);
	svm_ops.set_dtable(v, false, &gdt);
	svm_ops.set_dtable(v, true, &idt);
	v->gpr[GPR_RSP] = ST_STACK_TOP;
	v->rflags = 2;
}

#define PM(label) GPA(ST_PM_GPA, pm_start, label)

/* CR0 write, SVM instruction, WBINVD, timed CPUID loop, #NPF. */
static void test_pm_exits(struct vcpu *v)
{
	u64 t0, cycles;
	bool ok;

	ok = run_to(v, VM_EXIT_CR_ACCESS, PM(pm_movcr0));
	ST_CHECK(ok && v->exit.cr.cr == 0 &&
			 (v->exit.cr.type == CR_ACCESS_UNKNOWN ||
			  (v->exit.cr.type == CR_ACCESS_WRITE && v->exit.cr.gpr == GPR_RAX)),
		 "32-bit PM: MOV CR0 exits (type %d)", v->exit.cr.type);
	ST_CHECK(rd32(ST_LM_DATA_GPA) == (CR0_PE | CR0_ET), "guest reads its own CR0 (%#x)",
		 rd32(ST_LM_DATA_GPA));
	svm_ops.set_cr(v, 0, v->gpr[GPR_RAX]);
	skip(v, LEN(pm_movcr0));
	ST_CHECK(run_to(v, VM_EXIT_VIRT_INSN, PM(pm_vmrun)), "guest VMRUN exits as virt-insn");
	skip(v, LEN(pm_vmrun));
	ST_CHECK(run_to(v, VM_EXIT_WBINVD, PM(pm_wbinvd)), "WBINVD exits");
	skip(v, LEN(pm_wbinvd));
	t0 = rdtsc();
	ok = true;
	for (int i = 0; i < ST_PM_LOOPS && ok; i++) {
		ok = run_to(v, VM_EXIT_CPUID, PM(pm_cpuid));
		skip(v, LEN(pm_cpuid));
	}
	cycles = (rdtsc() - t0) / ST_PM_LOOPS;
	ST_CHECK(ok, "%d CPUID exits in a loop", ST_PM_LOOPS);
	pr_info("svm selftest: CPUID exit round trip %llu TSC cycles (VMRUN to VMRUN)\n",
		(unsigned long long)cycles);
	ST_CHECK(run_to(v, VM_EXIT_TDP_FAULT, PM(pm_npf)) && v->exit.tdp.gpa == ST_UNMAPPED_GPA32 &&
			 v->exit.tdp.write && !v->exit.tdp.present && !v->exit.tdp.fetch,
		 "write to unmapped GPA %#x: #NPF, write, not present", ST_UNMAPPED_GPA32);
	skip(v, LEN(pm_npf));
}

/* Native #UD and INT 0x80 through the guest IDT, then injected ones. */
static void test_pm_events(struct vcpu *v)
{
	u64 sp;
	bool ok;

	ok = run_to(v, VM_EXIT_HYPERCALL, PM(pm_hud_vmmcall));
	ST_CHECK(ok && rd32(v->gpr[GPR_RSP]) == PM(pm_ud2) && rd32(v->gpr[GPR_RSP] + 4) == SEL_CODE,
		 "guest UD2 reaches the guest #UD handler (return EIP %#x)", rd32(v->gpr[GPR_RSP]));
	skip(v, HYPERCALL_LEN);
	ST_CHECK(run_to(v, VM_EXIT_HYPERCALL, PM(pm_h80_vmmcall)) &&
			 rd32(v->gpr[GPR_RSP]) == PM(pm_int80_end),
		 "guest INT 0x80 reaches its handler");
	skip(v, HYPERCALL_LEN);
	ST_CHECK(run_to(v, VM_EXIT_HLT, PM(pm_hlt)), "HLT");
	v->event = (struct vcpu_event){.valid = true,
				       .vector = VECTOR_ST_SOFT,
				       .type = EVENT_SW_INT,
				       .insn_len = LEN(pm_hlt)};
	sp = v->gpr[GPR_RSP];
	ok = run_to(v, VM_EXIT_HYPERCALL, PM(pm_h80_vmmcall));
	ST_CHECK(ok && !v->event.valid && v->gpr[GPR_RSP] == sp - 12 &&
			 rd32(v->gpr[GPR_RSP]) == PM(pm_hlt_end),
		 "injected INT 0x80 (len %u) returns past the instruction (EIP %#x)", LEN(pm_hlt),
		 rd32(v->gpr[GPR_RSP]));
	skip(v, HYPERCALL_LEN);
	ST_CHECK(run_to(v, VM_EXIT_HLT, PM(pm_hlt2)), "IRET from the injected INTn, HLT");
	v->event = (struct vcpu_event){.valid = true, .vector = EXC_UD, .type = EVENT_HW_EXCEPTION};
	ST_CHECK(run_to(v, VM_EXIT_HYPERCALL, PM(pm_hud_vmmcall)) &&
			 rd32(v->gpr[GPR_RSP]) == PM(pm_hlt2),
		 "injected #UD returns to the faulting EIP");
	ST_CHECK(!v->event.valid, "the injected event is consumed");
	skip(v, HYPERCALL_LEN);
}

/*
 * UD2 with an empty IDT: #UD, #GP, #DF, shutdown. #GP is intercepted (see
 * svm_vcpu.c), so this does what common code does with each intercepted #GP:
 * merged with the event whose delivery it interrupted (EXITINTINFO, back in
 * v->event) it becomes #DF, and a fault while delivering #DF is the triple
 * fault.
 */
static void test_pm_triple_fault(struct vcpu *v)
{
	bool merged_to_triple = false;
	int gp_exits = 0;

	svm_ops.vcpu_run(v, 0);
	while (v->exit.kind == VM_EXIT_EXCEPTION && v->exit.exc.vector == EXC_GP && gp_exits < 4) {
		u8 vector = EXC_GP;

		gp_exits++;
		if (v->event.valid && v->event.vector == EXC_DF) {
			merged_to_triple = true;
			break;
		}
		if (v->event.valid && v->event.vector == EXC_GP) /* #GP on #GP: contributory pair */
			vector = EXC_DF;
		v->event = (struct vcpu_event){ .valid = true, .vector = vector,
						.type = EVENT_HW_EXCEPTION, .has_error = true };
		svm_ops.vcpu_run(v, 0);
	}
	ST_CHECK(v->exit.kind == VM_EXIT_TRIPLE_FAULT || merged_to_triple,
		 "UD2 with an empty IDT: triple fault (exit %d after %d #GP exits)", v->exit.kind,
		 gp_exits);
}

static void test_protected_mode(void)
{
	struct vcpu *v = &st.vcpu;

	wr64(ST_GDT_GPA + 8, GDT_CODE32);
	wr64(ST_GDT_GPA + 16, GDT_DATA32);
	set_gate(EXC_UD, PM(pm_handler_ud));
	set_gate(VECTOR_ST_SOFT, PM(pm_handler_80));
	setup_flat(v, AR_CODE32);
	svm_ops.set_cr(v, 0, CR0_PE | CR0_ET);
	v->rip = PM(pm_start);
	test_pm_exits(v);
	test_pm_events(v);
	test_pm_triple_fault(v);
}

#define LM(label) GPA(ST_LM_GPA, lm_start, label)

/* Identity map 0..4 MiB with two 2 MiB pages; the second has no NPT backing. */
static void setup_long_mode(struct vcpu *v)
{
	wr64(ST_PML4_GPA, ST_PDPT_GPA | GUEST_PTE_PW);
	wr64(ST_PDPT_GPA, ST_PD_GPA | GUEST_PTE_PW);
	wr64(ST_PD_GPA, 0 | GUEST_PTE_PW_PS);
	wr64(ST_PD_GPA + 8, PAGE_SIZE_2M | GUEST_PTE_PW_PS);
	setup_flat(v, AR_CODE64);
	svm_ops.set_cr(v, 4, CR4_PAE);
	svm_ops.set_cr(v, 3, ST_PML4_GPA);
	svm_ops.set_efer(v, EFER_LME);
	svm_ops.set_cr(v, 0, CR0_PG | CR0_PE | CR0_ET | CR0_NE);
	v->rip = LM(lm_start);
}

static void test_long_mode(void)
{
	struct vcpu *v = &st.vcpu64;
	u64 efer;
	bool ok = true;

	setup_long_mode(v);
	efer = svm_ops.get_efer(v);
	ST_CHECK(efer == (EFER_LME | EFER_LMA) && (to_svm(v)->vmcb->save.efer & EFER_SVME),
		 "EFER: LMA derived from LME+PG, SVME set in the VMCB but hidden (%#llx)",
		 (unsigned long long)efer);
	ST_CHECK(run_to(v, VM_EXIT_HYPERCALL, LM(lm_vmmcall)), "64-bit: VMMCALL exit");
	for (int i = GPR_R8; i <= GPR_R15; i++) {
		u64 b = (u64)(i < GPR_R10 ? i : i - GPR_R10 + 0x10);

		ok &= v->gpr[i] == b * 0x0101010101010101ull;
		v->gpr[i] = 0xA000000000000000ull | (u64)i;
	}
	ST_CHECK(ok, "guest R8-R15 reach vcpu->gpr");
	skip(v, HYPERCALL_LEN);
	ST_CHECK(run_to(v, VM_EXIT_MSR_READ, LM(lm_rdmsr)) && v->exit.msr.index == MSR_EFER,
		 "RDMSR EFER exits");
	v->gpr[GPR_RAX] = (u32)svm_ops.get_efer(v);
	v->gpr[GPR_RDX] = svm_ops.get_efer(v) >> 32;
	skip(v, LEN(lm_rdmsr));
	ST_CHECK(run_to(v, VM_EXIT_TDP_FAULT, LM(lm_npf)) && v->exit.tdp.gpa == ST_UNMAPPED_GPA64 &&
			 v->exit.tdp.read && !v->exit.tdp.write && !v->exit.tdp.present,
		 "read of guest-mapped GPA %#x without NPT backing: #NPF read", ST_UNMAPPED_GPA64);
	skip(v, LEN(lm_npf));
	ST_CHECK(run_to(v, VM_EXIT_HLT, LM(lm_hlt)), "HLT");
	ok = true;
	for (int i = GPR_R8; i <= GPR_R15; i++)
		ok &= rd64(ST_LM_DATA_GPA + (u64)(i - GPR_R8) * 8) ==
		      (0xA000000000000000ull | (u64)i);
	ST_CHECK(ok, "R8-R15 from vcpu->gpr reach the guest");
	ST_CHECK(rd32(ST_LM_DATA_GPA + 0x40) == (EFER_LME | EFER_LMA),
		 "guest sees EFER without SVME");
}

static volatile u32 st_host_irqs;

static void st_host_irq(struct irq_frame *f)
{
	(void)f;
	st_host_irqs++;
	lapic_eoi();
}

/*
 * A host interrupt pending while the guest runs makes it exit (INTR
 * intercept) and is taken by Tern's IDT once the caller enables interrupts.
 */
static void test_host_interrupt(void)
{
	struct vcpu *v = &st.vcpu64;
	unsigned long flags;
	bool exited, held;

	if (!lapic_ready() || irq_register(VECTOR_ST_HOST, st_host_irq)) {
		ST_CHECK(true, "host interrupt test skipped: no LAPIC or vector %#x busy",
			 VECTOR_ST_HOST);
		return;
	}
	flags = irq_save();
	st_host_irqs = 0;
	lapic_send_ipi(IPI_DEST_SELF, 0, VECTOR_ST_HOST);
	skip(v, LEN(lm_hlt));
	svm_ops.vcpu_run(v, 0);
	exited = v->exit.kind == VM_EXIT_EXTINT;
	held = st_host_irqs == 0;
	irq_enable();
	for (int i = 0; i < ST_IRQ_SPIN && !st_host_irqs; i++)
		cpu_relax();
	irq_restore(flags);
	ST_CHECK(exited, "a pending host interrupt makes the guest exit (exit %d)", v->exit.kind);
	ST_CHECK(held && st_host_irqs == 1,
		 "it stays pending until the caller enables "
		 "interrupts, then Tern's handler runs once (%u)",
		 st_host_irqs);
	irq_register(VECTOR_ST_HOST, NULL);
	ST_CHECK(run_to(v, VM_EXIT_HLT, LM(lm_hlt)), "the guest resumes after the interrupt exit");
}

/* Two vCPUs get distinct ASIDs; flushes and wraps keep them in range. */
static void test_asids(void)
{
	struct svm_vcpu *a = to_svm(&st.vcpu), *b = to_svm(&st.vcpu64);
	struct vcpu *v = &st.vcpu64;
	u32 max = svm_caps.nr_asids - 1;
	u64 gen0 = svm_this_cpu()->asid_generation;
	bool ok = true;

	ST_CHECK(a->asid && b->asid && a->asid != b->asid && a->asid <= max && b->asid <= max,
		 "vCPUs have distinct ASIDs %u and %u in 1..%u", a->asid, b->asid, max);
	for (u32 i = 0; i < 2 * svm_caps.nr_asids && ok; i++) {
		u32 before = b->asid;

		svm_ops.flush_guest_tlb(v);
		skip(v, LEN(lm_hlt));
		ok = run_to(v, VM_EXIT_HLT, LM(lm_hlt)) && b->asid >= 1 && b->asid <= max &&
		     (svm_caps.flush_by_asid || b->asid != before);
	}
	ST_CHECK(ok, "each flush without FlushByAsid gives a new ASID; all in range");
	ST_CHECK(svm_caps.flush_by_asid || svm_this_cpu()->asid_generation > gen0,
		 "the ASID space wrapped (generation %llu -> %llu)", (unsigned long long)gen0,
		 (unsigned long long)svm_this_cpu()->asid_generation);
	ST_CHECK(b->vmcb->control.tlb_control == TLB_CONTROL_DO_NOTHING,
		 "TLB_CONTROL is reset after VMRUN");
}

/*
 * A VMCB VMRUN refuses is diagnosed. Last: QEMU overwrites the VMCB's guest
 * state after a failed VMRUN, so this vCPU is not run again.
 */
static void test_entry_failure(struct vcpu *v)
{
	const char *want = "CR0.CD is clear while CR0.NW is set";
	u64 cr0 = svm_ops.get_cr(v, 0);

	svm_ops.set_cr(v, 0, (cr0 & ~CR0_CD) | CR0_NW);
	svm_ops.vcpu_run(v, 0);
	ST_CHECK(v->exit.kind == VM_EXIT_ENTRY_FAILED && v->exit.raw_reason == SVM_EXIT_INVALID,
		 "CR0.NW without CD: VMRUN fails (exit %d)", v->exit.kind);
	ST_CHECK(v->exit.kind == VM_EXIT_ENTRY_FAILED && v->exit.entry.why &&
			 !strcmp(v->exit.entry.why, want),
		 "diagnosed as '%s'",
		 v->exit.kind == VM_EXIT_ENTRY_FAILED && v->exit.entry.why ? v->exit.entry.why
									   : "?");
}

static void test_svm(void)
{
	bool was_enabled = svm_this_cpu() && svm_this_cpu()->enabled;

	if (!svm_supported()) {
		ST_CHECK(true, "no usable SVM+NPT on this CPU: skipped");
		return;
	}
	ST_CHECK(svm_ops.cpu_enable() == 0 && (rdmsr(MSR_EFER) & EFER_SVME) &&
			 rdmsr(MSR_VM_HSAVE_PA) == svm_this_cpu()->hsave_pa,
		 "cpu_enable: EFER.SVME and VM_HSAVE_PA set");
	if (!st_setup()) {
		ST_CHECK(false, "test VM set up (memory, NPT, VMCBs)");
		st_teardown();
		return;
	}
	test_pure_helpers();
	test_real_mode();
	test_protected_mode();
	test_long_mode();
	test_host_interrupt();
	test_asids();
	test_entry_failure(&st.vcpu64);
	st_teardown();
	if (was_enabled)
		return; /* leave SVM as the boot code set it up */
	svm_ops.cpu_disable();
	ST_CHECK(!(rdmsr(MSR_EFER) & EFER_SVME), "cpu_disable clears EFER.SVME");
}
SELFTEST("svm", "guest", test_svm);
