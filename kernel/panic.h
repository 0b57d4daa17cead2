/* SPDX-License-Identifier: MIT */
/*
 * panic(): print the reason, the registers and a symbolized backtrace, stop
 * the other CPUs and end the run with a failure status.
 */
#ifndef TERN_KERNEL_PANIC_H
#define TERN_KERNEL_PANIC_H

#include "arch/x86/idt.h"
#include "lib/types.h"

void panic(const char *fmt, ...) __printf(1, 2) __noreturn;
void panic_frame(const struct irq_frame *f, const char *fmt, ...) __printf(2, 3) __noreturn;

/* Print the call chain starting at frame pointer 'rbp' (0: the caller's). */
void backtrace_print(u64 rip, u64 rbp);

/* Look up the function containing 'addr'; returns NULL if none. */
const char *ksym_lookup(u64 addr, u64 *offset);

#define BUG_ON(cond)                                                              \
	do {                                                                      \
		if (unlikely(cond))                                               \
			panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond);     \
	} while (0)

#endif
