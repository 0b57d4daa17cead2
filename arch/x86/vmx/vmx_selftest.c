/* SPDX-License-Identifier: MIT */
/*
 * Self-tests of the VMX backend on a hand-made VM (selftest=vmx): VMXON on
 * this CPU, 16 guest pages identity-mapped at GPA 0 by a 4-level EPT built
 * here, a VMCS from vmx_ops.vcpu_init, and guest code in real mode, 32-bit
 * protected mode and long mode. Each exit is checked as common code would
 * see it (kind, port, size, instruction length, registers), RIP is advanced
 * the way the run loop will, and the CPUID round trip is timed (under Bochs
 * the TSC counts instructions, so this is the exit path's length).
 * Skipped on CPUs without usable VMX.
 */
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmx/ept.h"
#include "arch/x86/vmx/vmx_int.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/selftest.h"
#include "kernel/smp.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/objcache.h"
#include "mm/phys.h"
#include "virt/vm.h"

#define ST_PAGES 16 /* guest RAM: GPA 0 - 0xFFFF */
#define ST_CODE_GPA 0x1000
#define ST_CODE2_GPA 0x1100
#define ST_HANDLER_GPA 0x1800
#define ST_PML4_GPA 0x2000 /* guest page tables (long mode test) */
#define ST_PDPT_GPA 0x3000
#define ST_PD_GPA 0x4000
#define ST_STACK_TOP 0x8000
#define ST_UNMAPPED_GPA 0x100000
#define ST_CPUID_LOOPS 1000
#define ST_MAX_RUNS 64
#define ST_VECTOR 0x20
#define ST_SLICE 1000 /* TSC cycles */
#define ST_CPUID_EAX 0x5A5A5A5Aull
#define ST_PORT_80 0x80
#define ST_PORT_81 0x81
#define ST_PORT_COM1 0x3F8
#define ST_MSR_APIC_BASE 0x1B
#define ST_LONG_MAGIC 0x1122334455667788ull
#define ST_FLAT_LIMIT 0xFFFFFFFFu
#define ST_AR_CODE32 (SEG_AR_P | SEG_AR_S | SEG_AR_TYPE_CODE | SEG_AR_TYPE_RW | \
		      SEG_AR_TYPE_ACCESSED | SEG_AR_DB | SEG_AR_G)
#define ST_AR_CODE64 (SEG_AR_P | SEG_AR_S | SEG_AR_TYPE_CODE | SEG_AR_TYPE_RW | \
		      SEG_AR_TYPE_ACCESSED | SEG_AR_L | SEG_AR_G)
#define ST_AR_DATA32 (SEG_AR_P | SEG_AR_S | SEG_AR_TYPE_RW | SEG_AR_TYPE_ACCESSED | \
		      SEG_AR_DB | SEG_AR_G)
#define ST_SEL_CODE 0x08
#define ST_SEL_DATA 0x10
#define ST_IVT_ENTRY_SIZE 4

struct st_vm {
	struct vm *vm;
	struct vcpu *v;
	u8 *ram[ST_PAGES];
	u64 *ept[EPT_LEVELS]; /* PML4, PDPT, PD, PT */
	bool enabled_here;
};

static struct st_vm st;

_Static_assert(sizeof(struct vm) <= PAGE_SIZE && sizeof(struct vcpu) <= PAGE_SIZE,
	       "the test VM and vCPU take a page each");

static void *gpa_ptr(u64 gpa)
{
	return st.ram[gpa / PAGE_SIZE] + gpa % PAGE_SIZE;
}

static void put_code(u64 gpa, const u8 *code, size_t len)
{
	memcpy(gpa_ptr(gpa), code, len);
}

static bool build_ept(void)
{
	for (int i = 0; i < EPT_LEVELS; i++)
		if (!(st.ept[i] = page_alloc_zeroed_virt(0)))
			return false;
	for (int i = 0; i < EPT_LEVELS - 1; i++)
		st.ept[i][0] = ept_table_entry(virt_to_phys(st.ept[i + 1]));
	for (int i = 0; i < ST_PAGES; i++) {
		if (!(st.ram[i] = page_alloc_zeroed_virt(0)))
			return false;
		st.ept[EPT_LEVELS - 1][i] = ept_leaf_entry(virt_to_phys(st.ram[i]), true, true,
							   true, false);
	}
	return true;
}

static void enable_on_cpu(void *arg)
{
	int err = vmx_ops.cpu_enable();

	if (err)
		__atomic_store_n((int *)arg, err, __ATOMIC_RELAXED);
}

static void disable_on_cpu(void *arg)
{
	(void)arg;
	vmx_ops.cpu_disable();
}

static void st_free(void)
{
	if (st.v && st.v->arch)
		vmx_ops.vcpu_destroy(st.v);
	for (int i = 0; i < ST_PAGES; i++)
		if (st.ram[i])
			page_free_virt(st.ram[i], 0);
	for (int i = 0; i < EPT_LEVELS; i++)
		if (st.ept[i])
			page_free_virt(st.ept[i], 0);
	if (st.v)
		page_free_virt(st.v, 0);
	if (st.vm)
		page_free_virt(st.vm, 0);
	if (st.enabled_here)
		smp_call_all(disable_on_cpu, NULL, true);
	memset(&st, 0, sizeof(st));
}

static bool st_setup(void)
{
	bool was_on = vmx_this_cpu()->on;
	int err = 0;

	memset(&st, 0, sizeof(st));
	/* What boot code must do: VMXON on every CPU. */
	smp_call_all(enable_on_cpu, &err, true);
	ST_CHECK(err == 0, "cpu_enable (VMXON) on all %u CPUs: %s", nr_cpus_online,
		 err_name(err));
	if (err)
		return false;
	st.enabled_here = !was_on;
	st.vm = page_alloc_zeroed_virt(0);
	st.v = page_alloc_zeroed_virt(0);
	if (!st.vm || !st.v || !build_ept()) {
		ST_CHECK(false, "memory for the test VM");
		return false;
	}
	st.vm->tdp_root = virt_to_phys(st.ept[0]);
	st.v->vm = st.vm;
	st.v->pcpu = this_cpu_id();
	ST_CHECK(vmx_ops.vm_init(st.vm) == 0, "vm_init");
	err = vmx_ops.vcpu_init(st.v);
	ST_CHECK(err == 0, "vcpu_init: %s", err_name(err));
	return err == 0;
}

/* Run until an exit other than a host interrupt or time slice end. */
static enum vm_exit_kind st_run(void)
{
	for (int i = 0; i < ST_MAX_RUNS; i++) {
		vmx_ops.vcpu_run(st.v, 0);
		if (st.v->exit.kind != VM_EXIT_EXTINT && st.v->exit.kind != VM_EXIT_PREEMPT)
			break;
	}
	if (st.v->exit.kind == VM_EXIT_ENTRY_FAILED)
		pr_err("vmx selftest: entry failed: %s\n", st.v->exit.entry.why);
	return st.v->exit.kind;
}

static void skip(void)
{
	st.v->rip += st.v->exit.insn_len;
}

static void set_seg(enum seg s, u16 sel, u64 base, u32 limit, u32 ar)
{
	struct segment seg = { .selector = sel, .base = base, .limit = limit, .ar = ar };

	vmx_ops.set_segment(st.v, s, &seg);
}

static void set_real_mode_code(void)
{
	set_seg(SEG_CS, 0, 0, 0xFFFF, SEG_AR_P | SEG_AR_S | SEG_AR_TYPE_CODE | SEG_AR_TYPE_RW |
					      SEG_AR_TYPE_ACCESSED);
	st.v->rip = ST_CODE_GPA;
	st.v->gpr[GPR_RSP] = ST_STACK_TOP;
}

static bool check_io(u16 port, u8 size, bool in, u32 len)
{
	struct vm_exit *e = &st.v->exit;

	return e->kind == VM_EXIT_IO && e->io.port == port && e->io.size == size &&
	       e->io.in == in && !e->io.string && e->insn_len == len;
}

/* Real mode: CPUID, OUT imm8, OUT DX (32-bit operand), VMCALL, HLT. */
static void test_real_mode(void)
{
	static const u8 code[] = {
		0x66, 0xB8, 0x00, 0x00, 0x00, 0x00, /* mov eax, 0 */
		0x0F, 0xA2,                         /* cpuid */
		0xE6, ST_PORT_80,                   /* out 0x80, al */
		0xBA, 0xF8, 0x03,                   /* mov dx, 0x3f8 */
		0x66, 0xEF,                         /* out dx, eax */
		0x0F, 0x01, 0xC1,                   /* vmcall */
		0xF4,                               /* hlt */
	};
	struct vm_exit *e = &st.v->exit;

	put_code(ST_CODE_GPA, code, sizeof(code));
	set_real_mode_code();
	st_run();
	ST_CHECK(e->kind == VM_EXIT_CPUID && e->insn_len == 2 && st.v->rip == ST_CODE_GPA + 6,
		 "real mode: CPUID exit, length 2 (kind %s, len %u, rip %#llx)",
		 vm_exit_name(e->kind), e->insn_len, (unsigned long long)st.v->rip);
	st.v->gpr[GPR_RAX] = ST_CPUID_EAX;
	skip();
	st_run();
	ST_CHECK(e->kind == VM_EXIT_IO && check_io(ST_PORT_80, 1, false, 2) &&
			 (u8)st.v->gpr[GPR_RAX] == (u8)ST_CPUID_EAX,
		 "real mode: OUT 0x80,AL exit (port %#x size %u len %u al %#x)", e->io.port,
		 e->io.size, e->insn_len, (unsigned int)(u8)st.v->gpr[GPR_RAX]);
	skip();
	st_run();
	ST_CHECK(e->kind == VM_EXIT_IO && check_io(ST_PORT_COM1, 4, false, 2) &&
			 st.v->gpr[GPR_RAX] == ST_CPUID_EAX,
		 "real mode: OUT DX,EAX exit: port 0x3f8, size 4, EAX kept (%#llx)",
		 (unsigned long long)st.v->gpr[GPR_RAX]);
	skip();
	st_run();
	ST_CHECK(e->kind == VM_EXIT_HYPERCALL && e->insn_len == 3, "real mode: VMCALL exit");
	skip();
	st_run();
	ST_CHECK(e->kind == VM_EXIT_HLT && e->insn_len == 1, "real mode: HLT exit");
	ST_CHECK(vmx_ops.get_cpl(st.v) == 0, "real mode: CPL 0");
}

/* An external interrupt waits for STI, then goes through the real-mode IVT. */
static void test_real_mode_injection(void)
{
	static const u8 code[] = { 0xFB, 0x90, 0xF4 };          /* sti; nop; hlt */
	static const u8 handler[] = { 0xE6, ST_PORT_81, 0xF4 }; /* out 0x81, al; hlt */
	u16 *ivt = gpa_ptr(ST_VECTOR * ST_IVT_ENTRY_SIZE);
	struct vm_exit *e = &st.v->exit;

	put_code(ST_CODE2_GPA, code, sizeof(code));
	put_code(ST_HANDLER_GPA, handler, sizeof(handler));
	ivt[0] = ST_HANDLER_GPA; /* offset */
	ivt[1] = 0;              /* segment */
	st.v->rip = ST_CODE2_GPA;
	st.v->rflags = RFLAGS_FIXED1; /* IF=0 */
	st.v->event = (struct vcpu_event){ .valid = true, .vector = ST_VECTOR,
					   .type = EVENT_EXTINT };
	st_run();
	ST_CHECK(e->kind == VM_EXIT_INTR_WINDOW && st.v->event.valid,
		 "IF=0: interrupt waits, window exit after STI (kind %s, rip %#llx)",
		 vm_exit_name(e->kind), (unsigned long long)st.v->rip);
	st_run();
	ST_CHECK(e->kind == VM_EXIT_IO && e->io.port == ST_PORT_81 && !st.v->event.valid,
		 "interrupt injected through the IVT (kind %s port %#x, event %s)",
		 vm_exit_name(e->kind), e->io.port, st.v->event.valid ? "pending" : "consumed");
}

static void set_protected_mode(void)
{
	for (int s = SEG_ES; s <= SEG_GS; s++)
		set_seg(s, ST_SEL_DATA, 0, ST_FLAT_LIMIT, ST_AR_DATA32);
	set_seg(SEG_CS, ST_SEL_CODE, 0, ST_FLAT_LIMIT, ST_AR_CODE32);
	vmx_ops.set_cr(st.v, 0, CR0_PE | CR0_ET);
	st.v->rip = ST_CODE_GPA;
	st.v->rflags = RFLAGS_FIXED1;
}

/* 32-bit code after the CPUID loop: VMREAD, RDMSR x2, MOV CR0, a store to nowhere. */
static const u8 pm_code[] = {
	0xBE, ST_CPUID_LOOPS & 0xFF, ST_CPUID_LOOPS >> 8, 0, 0, /* mov esi, N */
	0x31, 0xC0,                                             /* 1: xor eax, eax */
	0x0F, 0xA2,                                             /* cpuid */
	0x4E,                                                   /* dec esi */
	0x75, 0xF9,                                             /* jnz 1b */
	0x0F, 0x78, 0xC3,                                       /* vmread ebx, eax */
	0xB9, ST_MSR_APIC_BASE, 0, 0, 0,                        /* mov ecx, 0x1b */
	0x0F, 0x32,                                             /* rdmsr */
	0xB9, 0x00, 0x01, 0x00, 0xC0,                           /* mov ecx, FS_BASE */
	0x0F, 0x32,                                             /* rdmsr: passed through */
	0x0F, 0x20, 0xC0,                                       /* mov eax, cr0 */
	0x83, 0xC8, 0x02,                                       /* or eax, CR0.MP */
	0x0F, 0x22, 0xC0,                                       /* mov cr0, eax */
	0xC7, 0x05, 0x00, 0x00, 0x10, 0x00, 1, 0, 0, 0,         /* mov [0x100000], 1 */
	0xF4,                                                   /* hlt */
};
#define PM_STORE_LEN 10

static void cpuid_loop(void)
{
	u64 t0 = 0, cycles;
	int n = 0;

	while (st_run() == VM_EXIT_CPUID) {
		if (!n)
			t0 = rdtsc();
		n++;
		skip();
	}
	cycles = rdtsc() - t0;
	ST_CHECK(n == ST_CPUID_LOOPS, "protected mode: %d CPUID exits (want %d)", n,
		 ST_CPUID_LOOPS);
	pr_info("vmx selftest: CPUID exit round trip %llu TSC cycles (%d exits)\n",
		(unsigned long long)(n > 1 ? cycles / (u64)(n - 1) : 0), n - 1);
}

static void test_protected_mode(void)
{
	struct vm_exit *e = &st.v->exit;

	put_code(ST_CODE_GPA, pm_code, sizeof(pm_code));
	set_protected_mode();
	cpuid_loop();
	ST_CHECK(e->kind == VM_EXIT_VIRT_INSN && e->insn_len == 3 &&
			 (e->raw_reason & EXIT_REASON_BASIC_MASK) == EXIT_VMREAD,
		 "VMREAD in the guest: virt-insn exit (kind %s reason %u)", vm_exit_name(e->kind),
		 e->raw_reason);
	skip();
	st_run();
	ST_CHECK(e->kind == VM_EXIT_MSR_READ && e->msr.index == ST_MSR_APIC_BASE &&
			 e->insn_len == 2,
		 "RDMSR 0x1b exits with index (got %#x)", e->msr.index);
	skip();
	st_run();
	ST_CHECK(e->kind == VM_EXIT_CR_ACCESS && e->cr.cr == 0 &&
			 e->cr.type == CR_ACCESS_WRITE && e->cr.gpr == GPR_RAX &&
			 st.v->gpr[GPR_RAX] == (CR0_PE | CR0_ET | CR0_MP),
		 "RDMSR FS_BASE passed through; MOV CR0 exits: cr %u type %u gpr %u value %#llx",
		 e->cr.cr, e->cr.type, e->cr.gpr, (unsigned long long)st.v->gpr[GPR_RAX]);
	vmx_ops.set_cr(st.v, 0, st.v->gpr[GPR_RAX]);
	ST_CHECK(vmx_ops.get_cr(st.v, 0) == (CR0_PE | CR0_ET | CR0_MP),
		 "guest sees the CR0 it wrote (%#llx)",
		 (unsigned long long)vmx_ops.get_cr(st.v, 0));
	skip();
	st_run();
	ST_CHECK(e->kind == VM_EXIT_TDP_FAULT && e->tdp.gpa == ST_UNMAPPED_GPA &&
			 e->tdp.write && !e->tdp.present,
		 "store to unmapped GPA: EPT violation gpa %#llx write %d present %d",
		 (unsigned long long)e->tdp.gpa, e->tdp.write, e->tdp.present);
	st.v->rip += PM_STORE_LEN;
	st_run();
	ST_CHECK(e->kind == VM_EXIT_HLT, "resume after the EPT violation reaches HLT");
}


#define GPTE_P BIT(0)
#define GPTE_W BIT(1)
#define GPTE_PS BIT(7)

/* String I/O in 64-bit code: REP, address size and segment decoded. */
static void test_string_io(void)
{
	struct vm_exit *e = &st.v->exit;

	st.v->gpr[GPR_RDX] = ST_PORT_COM1;
	st.v->gpr[GPR_RCX] = 1;
	st_run();
	ST_CHECK(e->kind == VM_EXIT_IO && e->io.string && e->io.rep && !e->io.in &&
			 e->io.size == 1 && e->io.port == ST_PORT_COM1 && e->io.addr_size == 8 &&
			 e->io.seg == SEG_FS && e->insn_len == 3,
		 "REP OUTSB FS: string %d rep %d size %u addr %u seg %u len %u", e->io.string,
		 e->io.rep, e->io.size, e->io.addr_size, e->io.seg, e->insn_len);
	skip();
	st_run();
	ST_CHECK(e->kind == VM_EXIT_IO && e->io.string && e->io.in && e->io.seg == SEG_ES &&
			 e->io.addr_size == 8 && e->insn_len == 2,
		 "REP INSB: in %d seg %u addr %u len %u", e->io.in, e->io.seg, e->io.addr_size,
		 e->insn_len);
	skip();
}

/* Long mode with a 2 MiB identity page: CPUID, a 64-bit immediate, VMCALL, HLT. */
static void test_long_mode(void)
{
	static const u8 code[] = {
		0x0F, 0xA2,                                     /* cpuid */
		0x48, 0xB8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* mov rax, imm64 */
		0x0F, 0x01, 0xC1,                               /* vmcall */
		0xF3, 0x64, 0x6E,                               /* rep outsb fs:[rsi] */
		0xF3, 0x6C,                                     /* rep insb */
		0xEB, 0xFE,                                     /* jmp $ */
	};
	struct vm_exit *e = &st.v->exit;
	u64 *pml4 = gpa_ptr(ST_PML4_GPA), *pdpt = gpa_ptr(ST_PDPT_GPA), *pd = gpa_ptr(ST_PD_GPA);

	pml4[0] = ST_PDPT_GPA | GPTE_P | GPTE_W;
	pdpt[0] = ST_PD_GPA | GPTE_P | GPTE_W;
	pd[0] = GPTE_P | GPTE_W | GPTE_PS;
	put_code(ST_CODE_GPA, code, sizeof(code));
	vmx_ops.set_cr(st.v, 4, CR4_PAE);
	vmx_ops.set_efer(st.v, EFER_LME);
	vmx_ops.set_cr(st.v, 3, ST_PML4_GPA);
	vmx_ops.set_cr(st.v, 0, CR0_PG | CR0_PE | CR0_ET);
	set_seg(SEG_CS, ST_SEL_CODE, 0, ST_FLAT_LIMIT, ST_AR_CODE64);
	st.v->rip = ST_CODE_GPA;
	ST_CHECK(vmx_ops.get_efer(st.v) == (EFER_LME | EFER_LMA),
		 "EFER.LMA follows LME and CR0.PG (efer %#llx)",
		 (unsigned long long)vmx_ops.get_efer(st.v));
	ST_CHECK(vmx_ops.get_cr(st.v, 4) == CR4_PAE, "guest sees CR4 without VMXE (%#llx)",
		 (unsigned long long)vmx_ops.get_cr(st.v, 4));
	st_run();
	ST_CHECK(e->kind == VM_EXIT_CPUID, "long mode: CPUID exit (kind %s)",
		 vm_exit_name(e->kind));
	skip();
	st_run();
	ST_CHECK(e->kind == VM_EXIT_HYPERCALL && st.v->gpr[GPR_RAX] == ST_LONG_MAGIC,
		 "long mode: VMCALL with RAX=%#llx", (unsigned long long)st.v->gpr[GPR_RAX]);
	skip();
	test_string_io();
	vmx_ops.vcpu_run(st.v, ST_SLICE);
	ST_CHECK(e->kind == VM_EXIT_PREEMPT, "a spinning guest ends its slice: preempt exit (%s)",
		 vm_exit_name(e->kind));
	vmx_ops.set_cr(st.v, 0, CR0_PE | CR0_ET);
	ST_CHECK(vmx_ops.get_efer(st.v) == EFER_LME, "CR0.PG=0 clears EFER.LMA");
}

static bool why_has(const char *word)
{
	const char *why = st.v->exit.entry.why;
	size_t n = strlen(word);

	for (; why && *why; why++)
		if (!strncmp(why, word, n))
			return true;
	return false;
}

/*
 * With EPT A/D bits the CPU marked the code page accessed; without them an
 * EPTP asking for A/D must fail entry with error 7, named.
 */
static void test_eptp_ad(struct vmx_vcpu *x)
{
	struct vm_exit *e = &st.v->exit;
	u64 code_leaf = st.ept[EPT_LEVELS - 1][ST_CODE_GPA / PAGE_SIZE];

	if (vmx_caps.ept_ad) {
		ST_CHECK(code_leaf & EPT_ACCESSED, "EPT A/D: code page leaf accessed (%#llx)",
			 (unsigned long long)code_leaf);
		return;
	}
	if (vmx_access_begin(x)) {
		vmcs_write(VMCS_EPT_POINTER, x->eptp | EPTP_AD_ENABLE);
		vmx_access_end(x);
	}
	st_run();
	ST_CHECK(e->kind == VM_EXIT_ENTRY_FAILED &&
			 e->entry.hw_error == VMX_ERR_ENTRY_INVALID_CTLS && why_has("A/D"),
		 "no EPT A/D: EPTP bit 6 fails entry with error 7 naming it (%u: %s)",
		 e->entry.hw_error, e->entry.why ? e->entry.why : "-");
	ST_CHECK(!(x->eptp & EPTP_AD_ENABLE), "Tern's own EPTP leaves A/D off (%#llx)",
		 (unsigned long long)x->eptp);
	if (vmx_access_begin(x)) {
		vmcs_write(VMCS_EPT_POINTER, x->eptp);
		vmx_access_end(x);
	}
}

/* Broken state must fail entry with the rule named, and recover when fixed. */
static void test_entry_failures(void)
{
	struct vmx_vcpu *x = to_vmx(st.v);
	struct segment tr;
	struct vm_exit *e = &st.v->exit;

	vmx_ops.get_segment(st.v, SEG_TR, &tr);
	set_seg(SEG_TR, tr.selector, tr.base, tr.limit, tr.ar | SEG_AR_UNUSABLE);
	st_run();
	ST_CHECK(e->kind == VM_EXIT_ENTRY_FAILED &&
			 e->entry.hw_error == EXIT_INVALID_GUEST_STATE && why_has("TR"),
		 "unusable TR: entry fails as invalid guest state naming TR (%s)",
		 e->entry.why ? e->entry.why : "-");
	vmx_ops.set_segment(st.v, SEG_TR, &tr);

	if (vmx_access_begin(x)) {
		vmcs_write(VMCS_CR3_TARGET_COUNT, 5);
		vmx_access_end(x);
	}
	st_run();
	ST_CHECK(e->kind == VM_EXIT_ENTRY_FAILED &&
			 e->entry.hw_error == VMX_ERR_ENTRY_INVALID_CTLS && why_has("CR3-target"),
		 "CR3-target count 5: VM-instruction error 7 naming it (%u: %s)",
		 e->entry.hw_error, e->entry.why ? e->entry.why : "-");
	if (vmx_access_begin(x)) {
		vmcs_write(VMCS_CR3_TARGET_COUNT, 0);
		vmx_access_end(x);
	}
	test_eptp_ad(x);
	st.v->rip = ST_CODE_GPA + sizeof(pm_code) - 1; /* the final HLT */
	st_run();
	ST_CHECK(e->kind == VM_EXIT_HLT, "entry works again once the state is fixed (kind %s)",
		 vm_exit_name(e->kind));
}

static void test_vmx_guest(void)
{
	if (!vmx_supported()) {
		pr_info("vmx selftest: skipped, no usable VMX on this CPU\n");
		return;
	}
	if (st_setup()) {
		test_real_mode();
		test_real_mode_injection();
		test_protected_mode();
		test_entry_failures();
		test_long_mode();
	}
	st_free();
}

SELFTEST("vmx", "guest", test_vmx_guest);
