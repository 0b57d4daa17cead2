/* SPDX-License-Identifier: MIT */
/* 16550A UART driver for Tern's console (polled transmit). */
#ifndef TERN_ARCH_X86_SERIAL_H
#define TERN_ARCH_X86_SERIAL_H

#include "lib/types.h"

#define SERIAL_COM1 0x3F8
#define SERIAL_DEFAULT_BAUD 115200

/* Program the UART at 'port'; returns -E_NOENT when no UART answers there. */
int serial_init(u16 port, u32 baud);
void serial_putc(char c);
bool serial_ready(void);

#endif
