/* SPDX-License-Identifier: MIT */
/*
 * 16550A UART: 8N1 at the requested speed, FIFOs on, interrupts off (Tern
 * polls). Presence is probed through the scratch register so a missing UART
 * is reported instead of hanging on a line-status bit that never sets.
 */
#include "arch/x86/serial.h"

#include "arch/x86/io.h"

#define UART_CLOCK_HZ 1843200
#define UART_BAUD_DIVISOR_BASE (UART_CLOCK_HZ / 16)

#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_DLL 0 /* divisor low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7

#define UART_LCR_8N1 0x03
#define UART_LCR_DLAB 0x80
#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_FCR_CLEAR_TX 0x04
#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT2 0x08
#define UART_LSR_THRE 0x20

/* A wedged UART must not hang the console: give up on a byte after this. */
#define UART_TX_SPIN_LIMIT 100000

static u16 uart_port;

int serial_init(u16 port, u32 baud)
{
	u32 divisor;

	if (!baud || baud > UART_BAUD_DIVISOR_BASE)
		return -E_RANGE;
	outb(port + UART_SCR, 0x5A);
	if (inb(port + UART_SCR) != 0x5A)
		return -E_NOENT;
	outb(port + UART_SCR, 0xA5);
	if (inb(port + UART_SCR) != 0xA5)
		return -E_NOENT;

	divisor = UART_BAUD_DIVISOR_BASE / baud;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, UART_LCR_DLAB);
	outb(port + UART_DLL, divisor & 0xFF);
	outb(port + UART_DLM, (divisor >> 8) & 0xFF);
	outb(port + UART_LCR, UART_LCR_8N1);
	outb(port + UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX);
	outb(port + UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	uart_port = port;
	return 0;
}

bool serial_ready(void)
{
	return uart_port != 0;
}

void serial_putc(char c)
{
	if (!uart_port)
		return;
	for (int spin = 0; spin < UART_TX_SPIN_LIMIT; spin++)
		if (inb(uart_port + UART_LSR) & UART_LSR_THRE)
			break;
	outb(uart_port + UART_THR, (u8)c);
}
