/* SPDX-License-Identifier: MIT */
/*
 * Hosted stand-in for the kernel log: printk writes to stderr so unit tests
 * that exercise error paths show what the kernel would have logged.
 */
#include <stdarg.h>
#include <stdio.h>

#include "kernel/printk.h"

void printk(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "<%d> ", (int)level);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}
