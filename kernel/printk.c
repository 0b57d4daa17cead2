/* SPDX-License-Identifier: MIT */
/*
 * printk: format a message, keep it in the in-memory log ring (every level),
 * and print it on the console when its level passes loglevel=. One lock keeps
 * lines from different CPUs whole; panic bypasses it so a CPU that died
 * holding it cannot silence the report.
 */
#include "kernel/printk.h"

#include <stdarg.h>

#include "kernel/console.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "lib/format.h"

#define PRINTK_LINE_MAX 512

static spinlock_t console_lock = SPINLOCK_INIT;
static int console_loglevel = LOG_INFO;
static bool lock_busted;

void printk_set_loglevel(int level)
{
	console_loglevel = level;
}

void printk_bust_lock(void)
{
	lock_busted = true;
}

void printk(enum log_level level, const char *fmt, ...)
{
	char line[PRINTK_LINE_MAX];
	unsigned long flags = 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnformat(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;

	if (!lock_busted)
		flags = spin_lock_irqsave(&console_lock);
	log_ring_append(level, line, (size_t)n);
	if ((int)level <= console_loglevel)
		console_write(line, (size_t)n);
	if (!lock_busted)
		spin_unlock_irqrestore(&console_lock, flags);
}
