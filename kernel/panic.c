/* SPDX-License-Identifier: MIT */
/*
 * Fatal errors. The first CPU to panic wins; a second panic (or a recursive
 * one) only halts. The report goes straight to the console even if another
 * CPU held the console lock when it died.
 */
#include "kernel/panic.h"

#include <stdarg.h>

#include "arch/x86/irqflags.h"
#include "boot/layout.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/power.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "lib/format.h"

#define BACKTRACE_MAX_FRAMES 32
#define PANIC_MSG_MAX 256

static int panic_owner = -1;

static bool kernel_text_addr(u64 a)
{
	return a >= (u64)(uintptr_t)__text_start && a < (u64)(uintptr_t)__text_end;
}

static void print_symbol(u64 addr)
{
	u64 off = 0;
	const char *name = ksym_lookup(addr, &off);

	if (name)
		pr_emerg("  [<%016llx>] %s+%#llx\n", (unsigned long long)addr, name,
			 (unsigned long long)off);
	else
		pr_emerg("  [<%016llx>] ?\n", (unsigned long long)addr);
}

void backtrace_print(u64 rip, u64 rbp)
{
	pr_emerg("Backtrace:\n");
	if (!rbp)
		rbp = (u64)(uintptr_t)__builtin_frame_address(0);
	if (rip)
		print_symbol(rip);
	for (int i = 0; i < BACKTRACE_MAX_FRAMES && rbp; i++) {
		const u64 *frame = (const u64 *)(uintptr_t)rbp;
		u64 ret;

		/* Frames live on kernel stacks in the image or the direct map. */
		if (rbp & 7 || rbp < PHYSMAP_BASE)
			break;
		ret = frame[1];
		if (!kernel_text_addr(ret))
			break;
		print_symbol(ret);
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
}

static int this_cpu_or_zero(void)
{
	return cpus_ready() ? (int)this_cpu_id() : 0;
}

static void panic_enter(void)
{
	int me = this_cpu_or_zero();
	int expected = -1;

	irq_disable();
	if (!__atomic_compare_exchange_n(&panic_owner, &expected, me, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		for (;;) /* another CPU is already reporting */
			halt_forever();
	}
	printk_bust_lock();
}

static __noreturn void panic_finish(void)
{
	smp_stop_others();
	pr_emerg("Tern: panic on CPU %d; stopping with failure status\n", this_cpu_or_zero());
	machine_exit(EXIT_STATUS_PANIC);
}

/* Take the panic, then print the reason line. */
static void panic_report(const char *fmt, va_list ap)
{
	char msg[PANIC_MSG_MAX];

	panic_enter();
	vsnformat(msg, sizeof(msg), fmt, ap);
	pr_emerg("\nPANIC: %s\n", msg);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_report(fmt, ap);
	va_end(ap);
	backtrace_print(0, 0);
	panic_finish();
}

void panic_frame(const struct irq_frame *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_report(fmt, ap);
	va_end(ap);
	dump_frame(f);
	backtrace_print(f->rip, f->rbp);
	panic_finish();
}
