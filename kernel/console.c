/* SPDX-License-Identifier: MIT */
/*
 * Console output. Bochs's port 0xE9 hack reads back 0xE9 and prints bytes
 * without serial pacing, so the console mirrors there when it is detected.
 * Lines end in CR LF for terminals.
 */
#include "kernel/console.h"

#include "arch/x86/io.h"
#include "arch/x86/serial.h"

#define DEBUGCON_PORT 0xE9

static bool has_e9;

void console_init_early(void)
{
	has_e9 = inb(DEBUGCON_PORT) == DEBUGCON_PORT;
	serial_init(SERIAL_COM1, SERIAL_DEFAULT_BAUD);
}

int console_configure(u16 port, u32 baud)
{
	return serial_init(port, baud);
}

bool console_has_e9(void)
{
	return has_e9;
}

static void put(char c)
{
	serial_putc(c);
	if (has_e9)
		outb(DEBUGCON_PORT, (u8)c);
}

void console_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			put('\r');
		put(s[i]);
	}
}
