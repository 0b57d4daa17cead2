/* SPDX-License-Identifier: MIT */
/*
 * Hosted stand-in for the kernel log that also keeps what was printed, so
 * tests can check a device's console output. Messages go to stderr as with
 * stub_printk.c and are appended (without the level) to a capture buffer the
 * test reads and resets.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kernel/printk.h"

#define CAPTURE_MAX 8192

char printk_captured[CAPTURE_MAX];
static size_t captured_len;

void printk_capture_reset(void)
{
	captured_len = 0;
	printk_captured[0] = '\0';
}

void printk(enum log_level level, const char *fmt, ...)
{
	size_t room = sizeof(printk_captured) - captured_len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(printk_captured + captured_len, room, fmt, ap);
	va_end(ap);
	fprintf(stderr, "<%d> %s", (int)level, printk_captured + captured_len);
	if (n > 0)
		captured_len += (size_t)n < room ? (size_t)n : room - 1;
}
