/* SPDX-License-Identifier: MIT */
/*
 * The in-memory log ring: every printk message at every level, kept so a
 * panic, a debugger or a hypercall can read what was said even when the
 * console filtered it out.
 */
#ifndef TERN_KERNEL_LOG_H
#define TERN_KERNEL_LOG_H

#include "lib/types.h"

#define LOG_RING_BYTES 65536

/* Append one message (the caller serializes). */
void log_ring_append(int level, const char *msg, size_t len);
/* Copy out up to 'size' of the newest bytes; returns the count copied. */
size_t log_ring_read(char *out, size_t size);
u64 log_ring_total(void); /* bytes ever appended */

void printk_set_loglevel(int level);
void printk_bust_lock(void);

#endif
