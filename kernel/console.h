/* SPDX-License-Identifier: MIT */
/* The console: the serial UART, mirrored to port 0xE9 when it exists (Bochs). */
#ifndef TERN_KERNEL_CONSOLE_H
#define TERN_KERNEL_CONSOLE_H

#include "lib/types.h"

void console_init_early(void);
int console_configure(u16 port, u32 baud);
void console_write(const char *s, size_t len);
bool console_has_e9(void);

#endif
