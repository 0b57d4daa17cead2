/* SPDX-License-Identifier: MIT */
/*
 * 16550A UART register model. Output is immediate, so the transmitter is
 * always empty and a THR write re-arms the THRE interrupt at once (QEMU's
 * behaviour, which Linux's 8250 driver probes for). The receiver serves the
 * loopback FIFO while MCR.LOOP is set, otherwise the VM's input string; that
 * input is treated as arriving on demand, so an FCR receiver reset at guest
 * start-up does not lose it. One lock serialises all vCPUs of the VM.
 */
#include "virt/dev/uart.h"

#include "kernel/printk.h"
#include "lib/string.h"
#include "virt/dev/devices.h"

#define BITS_PER_BYTE	8
#define UART_MSR_ALWAYS (UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)

void uart_init(struct uart *u, const char *prefix, const char *input)
{
	memset(u, 0, sizeof(*u));
	spin_lock_init(&u->lock);
	u->prefix = prefix ? prefix : "";
	u->input = input;
	u->input_len = input ? strlen(input) : 0;
	u->dll = UART_DIVISOR_RESET;
}

static bool dlab(const struct uart *u)
{
	return u->lcr & UART_LCR_DLAB;
}

static bool loopback(const struct uart *u)
{
	return u->mcr & UART_MCR_LOOP;
}

/* ---- receiver ---- */

static bool rx_ready(const struct uart *u)
{
	if (loopback(u))
		return u->loop_count > 0;
	return u->input_pos < u->input_len;
}

static u8 rx_pop(struct uart *u)
{
	u8 c;

	if (loopback(u)) {
		if (!u->loop_count)
			return 0;
		c = u->loop_fifo[u->loop_head];
		u->loop_head = (u->loop_head + 1) % UART_FIFO_SIZE;
		u->loop_count--;
		return c;
	}
	if (u->input_pos >= u->input_len)
		return 0;
	return (u8)u->input[u->input_pos++];
}

static void loop_clear(struct uart *u)
{
	u->loop_head = 0;
	u->loop_count = 0;
}

/* A byte sent in loopback mode; a full receiver drops it and flags overrun. */
static void loop_push(struct uart *u, u8 c)
{
	u8 depth = u->fifo_enabled ? UART_FIFO_SIZE : 1;

	if (u->loop_count >= depth) {
		u->overrun = true;
		return;
	}
	u->loop_fifo[(u->loop_head + u->loop_count) % UART_FIFO_SIZE] = c;
	u->loop_count++;
}

/* ---- transmitter ---- */

static void line_flush(struct uart *u)
{
	pr_notice("[%s] %.*s\n", u->prefix, (int)u->line_len, u->line);
	u->line_len = 0;
}

static void line_put(struct uart *u, u8 c)
{
	if (c == '\r')
		return; /* the console adds its own at '\n' */
	if (c == '\n') {
		line_flush(u);
		return;
	}
	u->line[u->line_len++] = (char)c;
	if (u->line_len == UART_LINE_MAX)
		line_flush(u);
}

static void thr_write(struct uart *u, u8 c)
{
	if (loopback(u))
		loop_push(u, c);
	else
		line_put(u, c);
	/* Sent at once: THR is empty again, so THRE fires again. */
	u->thr_ipending = true;
}

void uart_flush(struct uart *u)
{
	spin_lock(&u->lock);
	if (u->line_len)
		line_flush(u);
	spin_unlock(&u->lock);
}

/* ---- registers ---- */

static u8 iir_read(struct uart *u)
{
	u8 iir = UART_IIR_NO_INT;

	if ((u->ier & UART_IER_RLSI) && u->overrun) {
		iir = UART_IIR_RLSI;
	} else if ((u->ier & UART_IER_RDI) && rx_ready(u)) {
		iir = UART_IIR_RDI;
	} else if ((u->ier & UART_IER_THRI) && u->thr_ipending) {
		iir = UART_IIR_THRI;
		u->thr_ipending = false; /* reading IIR acknowledges THRE */
	}
	if (u->fifo_enabled)
		iir |= UART_IIR_FIFO_ENABLED;
	return iir;
}

static u8 lsr_read(struct uart *u)
{
	u8 lsr = UART_LSR_THRE | UART_LSR_TEMT;

	if (rx_ready(u))
		lsr |= UART_LSR_DR;
	if (u->overrun)
		lsr |= UART_LSR_OE;
	u->overrun = false;
	return lsr;
}

/* In loopback the modem inputs are wired to the modem control outputs. */
static u8 msr_read(const struct uart *u)
{
	u8 msr = 0;

	if (!loopback(u))
		return UART_MSR_ALWAYS;
	if (u->mcr & UART_MCR_RTS)
		msr |= UART_MSR_CTS;
	if (u->mcr & UART_MCR_DTR)
		msr |= UART_MSR_DSR;
	if (u->mcr & UART_MCR_OUT1)
		msr |= UART_MSR_RI;
	if (u->mcr & UART_MCR_OUT2)
		msr |= UART_MSR_DCD;
	return msr;
}

static u8 reg_read(struct uart *u, u16 reg)
{
	switch (reg) {
	case UART_RBR:
		return dlab(u) ? u->dll : rx_pop(u);
	case UART_IER:
		return dlab(u) ? u->dlm : u->ier;
	case UART_IIR:
		return iir_read(u);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return lsr_read(u);
	case UART_MSR:
		return msr_read(u);
	case UART_SCR:
		return u->scr;
	}
	return 0xff;
}

static void ier_write(struct uart *u, u8 val)
{
	u8 old = u->ier;

	u->ier = val & UART_IER_MASK;
	/* Enabling THRE with THR empty (always) raises it; disabling drops it. */
	if ((old ^ u->ier) & UART_IER_THRI)
		u->thr_ipending = u->ier & UART_IER_THRI;
}

static void fcr_write(struct uart *u, u8 val)
{
	bool enable = val & UART_FCR_ENABLE_FIFO;

	/* Switching FIFO mode resets the FIFOs, as on the 16550A. */
	if (enable != u->fifo_enabled || (val & UART_FCR_CLEAR_RCVR))
		loop_clear(u);
	u->fifo_enabled = enable;
}

static void reg_write(struct uart *u, u16 reg, u8 val)
{
	switch (reg) {
	case UART_THR:
		if (dlab(u))
			u->dll = val;
		else
			thr_write(u, val);
		break;
	case UART_IER:
		if (dlab(u))
			u->dlm = val;
		else
			ier_write(u, val);
		break;
	case UART_FCR:
		fcr_write(u, val);
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		u->mcr = val & UART_MCR_MASK;
		break;
	case UART_SCR:
		u->scr = val;
		break;
	default: /* LSR, MSR: read-only */
		break;
	}
}

/* Wider accesses reach consecutive byte registers, as on the ISA bus. */
static int uart_io_read(struct vcpu *v, void *dev, u16 port, u8 size, u32 *val)
{
	struct uart *u = dev;
	u32 result = 0;

	(void)v;
	spin_lock(&u->lock);
	for (u8 i = 0; i < size; i++)
		result |= (u32)reg_read(u, port - u->base + i) << (i * BITS_PER_BYTE);
	spin_unlock(&u->lock);
	*val = result;
	return 0;
}

static int uart_io_write(struct vcpu *v, void *dev, u16 port, u8 size, u32 val)
{
	struct uart *u = dev;

	(void)v;
	spin_lock(&u->lock);
	for (u8 i = 0; i < size; i++)
		reg_write(u, port - u->base + i, (u8)(val >> (i * BITS_PER_BYTE)));
	spin_unlock(&u->lock);
	return 0;
}

int uart_attach(struct uart *u, struct vm_devices *d, u16 base)
{
	const struct io_device io = {
		.name = "uart",
		.base = base,
		.count = UART_NR_PORTS,
		.read = uart_io_read,
		.write = uart_io_write,
		.dev = u,
	};

	u->base = base;
	return io_bus_register(d, &io);
}

bool uart_irq_pending(struct uart *u)
{
	bool pending;

	spin_lock(&u->lock);
	pending = ((u->ier & UART_IER_RLSI) && u->overrun) ||
		  ((u->ier & UART_IER_RDI) && rx_ready(u)) ||
		  ((u->ier & UART_IER_THRI) && u->thr_ipending);
	spin_unlock(&u->lock);
	return pending;
}
