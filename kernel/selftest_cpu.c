/* SPDX-License-Identifier: MIT */
/*
 * Self-tests of the CPU tables and of W^X: each exception is raised on
 * purpose and must be caught and reported with the right vector and error
 * code; writes to text and rodata and execution from data must fault, which
 * proves the kernel page tables are enforced, not just well formed.
 * The "crash" group is left out of selftest=all: it panics on purpose so the
 * test harness can check the panic report.
 */
#include "arch/x86/idt.h"
#include "arch/x86/paging.h"
#include "arch/x86/pgtable.h"
#include "boot/layout.h"
#include "kernel/percpu.h"
#include "kernel/selftest.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"

#define PF_ERR_PRESENT BIT(0)
#define PF_ERR_WRITE BIT(1)
#define PF_ERR_FETCH BIT(4)
#define NONCANONICAL_ADDR 0x8000000000000000ull
#define CRASH_SPIN_SETTLE_US 10000

/*
 * Arm the catcher for 'vec', run 'insn' (which must fault or trap), resume at
 * the label after it. Evaluates to true when the exception was caught.
 */
#define TRY_EXCEPTION(vec, insn, ...)                                                     \
	({                                                                                \
		struct exception_catch *c_ = &this_cpu()->catch;                         \
		c_->caught = false;                                                       \
		asm volatile("leaq 1f(%%rip), %%rax\n\t"                                  \
			     "movq %%rax, %[resume]\n\t"                                  \
			     "movl %[vector], %[armed]\n\t" insn "\n1:"                   \
			     : [resume] "=m"(c_->resume_rip), [armed] "=m"(c_->vector)   \
			     : [vector] "i"(vec), ##__VA_ARGS__                           \
			     : "rax", "rcx", "rdx", "memory");                            \
		c_->vector = -1;                                                          \
		c_->caught;                                                               \
	})

static const u8 rodata_probe[16] = { 1 };
static u8 data_probe[16] __aligned(16) = { 0x0F, 0x0B }; /* "ud2": if it runs, NX failed */

static void test_basic_exceptions(void)
{
	struct exception_catch *c = &this_cpu()->catch;

	ST_CHECK(TRY_EXCEPTION(EXC_UD, "ud2"), "#UD from ud2 caught");
	ST_CHECK(TRY_EXCEPTION(EXC_DE, "xorl %%ecx, %%ecx\n\tdivl %%ecx"), "#DE from divide by zero");
	ST_CHECK(TRY_EXCEPTION(EXC_BP, "int3"), "#BP from int3 caught");
	ST_CHECK(TRY_EXCEPTION(EXC_GP, "movq (%[a]), %%rdx", [a] "r"(NONCANONICAL_ADDR)),
		 "#GP from a non-canonical access");
	ST_CHECK(c->error_code == 0, "#GP error code is 0 (got %#llx)",
		 (unsigned long long)c->error_code);
	ST_CHECK(TRY_EXCEPTION(EXC_PF, "movq (%[a]), %%rdx", [a] "r"(0ull)),
		 "#PF from reading address 0 (unmapped)");
	ST_CHECK(c->cr2 == 0 && !(c->error_code & PF_ERR_PRESENT),
		 "#PF reports CR2=0 and not-present (cr2 %#llx err %#llx)",
		 (unsigned long long)c->cr2, (unsigned long long)c->error_code);
}

static void test_wx_enforced(void)
{
	struct exception_catch *c = &this_cpu()->catch;
	u64 text = (u64)(uintptr_t)test_wx_enforced;

	ST_CHECK(TRY_EXCEPTION(EXC_PF, "movb $0, (%[a])", [a] "r"(text)),
		 "writing kernel text faults");
	ST_CHECK(c->error_code == (PF_ERR_PRESENT | PF_ERR_WRITE) && c->cr2 == text,
		 "fault is a present-page write at the text address (err %#llx)",
		 (unsigned long long)c->error_code);
	ST_CHECK(TRY_EXCEPTION(EXC_PF, "movb $0, (%[a])", [a] "r"(rodata_probe)),
		 "writing rodata faults");
	ST_CHECK(TRY_EXCEPTION(EXC_PF, "jmp *%[a]", [a] "r"(data_probe)),
		 "executing from data faults (NX)");
	ST_CHECK(c->error_code & PF_ERR_FETCH, "the data fault is an instruction fetch (err %#llx)",
		 (unsigned long long)c->error_code);
}

static void test_wx_tables(void)
{
	struct wx_report r;
	u64 size;

	paging_check_wx(&r);
	ST_CHECK(r.leaves > 0, "page-table walk saw %llu leaf mappings",
		 (unsigned long long)r.leaves);
	ST_CHECK(r.wx_violations == 0, "no mapping is writable and executable (%llu found, first %#llx)",
		 (unsigned long long)r.wx_violations, (unsigned long long)r.first_bad_va);
	ST_CHECK(!(paging_lookup((u64)(uintptr_t)__text_start, &size) & PTE_W), "text is read-only");
	ST_CHECK(paging_lookup((u64)(uintptr_t)__data_start, &size) & PTE_NX, "data is no-execute");
	ST_CHECK(paging_lookup((u64)(uintptr_t)__rodata_start, &size) & PTE_NX, "rodata is no-execute");
	ST_CHECK(!paging_lookup(0, &size), "page 0 is not mapped");
}

static volatile u64 crash_address = 16; /* volatile: hide it from the optimizer */

/* A CPU wedged with interrupts off: only an NMI can stop it. */
static void spin_with_interrupts_off(void *arg)
{
	(void)arg;
	for (;;)
		cpu_relax();
}

static void test_crash_page_fault(void)
{
	if (nr_cpus_online > 1) {
		smp_call_on(1, spin_with_interrupts_off, NULL, false);
		udelay(CRASH_SPIN_SETTLE_US);
	}
	ST_CHECK(true, "about to fault on purpose");
	volatile u64 *unmapped = (volatile u64 *)(uintptr_t)crash_address;

	*unmapped = 1; /* unexpected #PF: must panic with a backtrace */
}

SELFTEST("cpu", "exceptions", test_basic_exceptions);
SELFTEST("wx", "enforced", test_wx_enforced);
SELFTEST("wx", "tables", test_wx_tables);
SELFTEST("crash", "pagefault", test_crash_page_fault);
