/* SPDX-License-Identifier: MIT */
/*
 * Kernel log: printk with levels, filtered by loglevel= for the console and
 * always kept in an in-memory ring. In the hosted test build printk writes to
 * stderr (tests/unit/stub_printk.c).
 */
#ifndef TERN_KERNEL_PRINTK_H
#define TERN_KERNEL_PRINTK_H

#include "lib/types.h"

enum log_level {
	LOG_EMERG = 0,
	LOG_ERR = 3,
	LOG_WARN = 4,
	LOG_NOTICE = 5,
	LOG_INFO = 6,
	LOG_DEBUG = 7,
};

void printk(enum log_level level, const char *fmt, ...) __printf(2, 3);

#define pr_emerg(...) printk(LOG_EMERG, __VA_ARGS__)
#define pr_err(...) printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk(LOG_WARN, __VA_ARGS__)
#define pr_notice(...) printk(LOG_NOTICE, __VA_ARGS__)
#define pr_info(...) printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

#endif
