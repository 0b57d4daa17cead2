/* SPDX-License-Identifier: MIT */
/*
 * printf-style formatting into a bounded buffer. Supports %d %i %u %x %X %o %c
 * %s %p %%, flags '-', '0', ' ', '+', '#', a width and precision (also '*'),
 * and the length modifiers hh h l ll z t j. Output is always NUL-terminated
 * when size > 0; the return value is the length the full output would have.
 */
#ifndef TERN_LIB_FORMAT_H
#define TERN_LIB_FORMAT_H

#include <stdarg.h>

#include "lib/types.h"

int vsnformat(char *buf, size_t size, const char *fmt, va_list ap);
int snformat(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
