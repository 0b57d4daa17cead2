/* SPDX-License-Identifier: MIT */
/*
 * A 16550A UART (COM1 at 0x3f8) per VM. Transmission is immediate: bytes go
 * into a line buffer printed on Tern's console as "[<vm name>] <line>", so
 * THR is always empty (LSR.THRE|TEMT). Received bytes come from a per-VM input
 * string, or, in loopback mode, from the guest's own transmissions. Baud rate,
 * line control and modem lines are stored but have no effect. Interrupts are
 * modelled (uart_irq_pending) but not yet wired to an interrupt controller.
 */
#ifndef TERN_VIRT_DEV_UART_H
#define TERN_VIRT_DEV_UART_H

#include "kernel/spinlock.h"
#include "lib/types.h"

struct vm_devices;

#define UART_COM1_BASE	   0x3f8
#define UART_NR_PORTS	   8
#define UART_LINE_MAX	   200 /* output is flushed at '\n' or when this many bytes wait */
#define UART_FIFO_SIZE	   16
#define UART_DIVISOR_RESET 12 /* 9600 baud from the 1.8432 MHz clock */

/* Register offsets from the base port. */
#define UART_RBR 0 /* in: receive buffer (DLAB=0) */
#define UART_THR 0 /* out: transmit holding (DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1 /* interrupt enable (DLAB=0) */
#define UART_DLM 1 /* divisor latch high (DLAB=1) */
#define UART_IIR 2 /* in: interrupt identification */
#define UART_FCR 2 /* out: FIFO control */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */
#define UART_MSR 6 /* modem status */
#define UART_SCR 7 /* scratch */

#define UART_IER_RDI  BIT(0) /* received data available */
#define UART_IER_THRI BIT(1) /* transmit holding register empty */
#define UART_IER_RLSI BIT(2) /* receiver line status */
#define UART_IER_MSI  BIT(3) /* modem status */
#define UART_IER_MASK 0x0f

#define UART_IIR_NO_INT	      BIT(0)
#define UART_IIR_ID_MASK      0x0e
#define UART_IIR_MSI	      0x00
#define UART_IIR_THRI	      0x02
#define UART_IIR_RDI	      0x04
#define UART_IIR_RLSI	      0x06
#define UART_IIR_FIFO_ENABLED 0xc0

#define UART_FCR_ENABLE_FIFO BIT(0)
#define UART_FCR_CLEAR_RCVR  BIT(1)
#define UART_FCR_CLEAR_XMIT  BIT(2)

#define UART_LCR_DLAB BIT(7)

#define UART_MCR_DTR  BIT(0)
#define UART_MCR_RTS  BIT(1)
#define UART_MCR_OUT1 BIT(2)
#define UART_MCR_OUT2 BIT(3)
#define UART_MCR_LOOP BIT(4)
#define UART_MCR_MASK 0x1f

#define UART_LSR_DR   BIT(0) /* data ready */
#define UART_LSR_OE   BIT(1) /* overrun (loopback FIFO full) */
#define UART_LSR_THRE BIT(5) /* transmit holding register empty */
#define UART_LSR_TEMT BIT(6) /* transmitter empty */

#define UART_MSR_CTS BIT(4)
#define UART_MSR_DSR BIT(5)
#define UART_MSR_RI  BIT(6)
#define UART_MSR_DCD BIT(7)

/* All fields under 'lock': any vCPU of the VM may touch the UART. */
struct uart {
	spinlock_t lock;
	u16 base;	    /* (c) first port */
	const char *prefix; /* (c) borrowed: the VM's name */
	const char *input;  /* (c) borrowed: bytes the guest will receive */
	size_t input_len;   /* (c) */
	size_t input_pos;
	u8 ier, lcr, mcr, scr, dll, dlm;
	bool fifo_enabled;
	bool overrun;		      /* LSR.OE, cleared by reading LSR */
	bool thr_ipending;	      /* THRE interrupt latched (16550 semantics) */
	u8 loop_fifo[UART_FIFO_SIZE]; /* bytes sent in loopback mode */
	u8 loop_head, loop_count;
	char line[UART_LINE_MAX];
	u32 line_len;
};

/* Reset state; 'prefix' and 'input' (may be NULL) must outlive the VM. */
void uart_init(struct uart *u, const char *prefix, const char *input);
/* Claim UART_NR_PORTS ports at 'base' on the VM's I/O bus. */
int uart_attach(struct uart *u, struct vm_devices *d, u16 base);
/* Print a partial output line (at VM end). */
void uart_flush(struct uart *u);
/* The UART's interrupt line: RDA or THRE enabled and pending. */
bool uart_irq_pending(struct uart *u);

#endif
