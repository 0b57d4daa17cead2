/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the guest device models in virt/dev/: bus dispatch and
 * unassigned accesses, the 16550A UART, isa-debug-exit, fw_cfg and the LAPIC
 * stub, all driven through the VM's buses as a guest would. struct vm and
 * struct vcpu are plain test objects; vm_stop is a stub that records status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "virt/dev/devices.h"
#include "virt/vm.h"

/* tests/unit/stub_printk_capture.c */
extern char printk_captured[];
void printk_capture_reset(void);

#define NR_TEST_VCPUS 4
#define TEST_RAM      (256 * 1024 * 1024ull)
#define UNUSED_PORT   0x80
#define UNUSED_GPA    0x100000000ull

static struct vm vm;
static struct vcpu vcpus[NR_TEST_VCPUS];
static struct vm_devices devs;

static int stop_calls;
static int stop_status;
static char stop_reason[VM_REASON_MAX];

void vm_stop(struct vm *v, int status, const char *fmt, ...)
{
	va_list ap;

	assert_ptr_equal(v, &vm);
	stop_calls++;
	stop_status = status;
	va_start(ap, fmt);
	vsnprintf(stop_reason, sizeof(stop_reason), fmt, ap);
	va_end(ap);
}

static const char opt_data[] = "hello fw_cfg";
static const struct fw_cfg_file extra_files[] = {
	{.name = "opt/tern/test", .data = opt_data, .size = sizeof(opt_data) - 1},
};

static const struct vm_device_config config = {
	.nr_vcpus = NR_TEST_VCPUS,
	.ram_bytes = TEST_RAM,
	.cmdline = "console=ttyS0 quiet",
	.uart_input = "ab",
	.files = extra_files,
	.nr_files = 1,
};

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(vcpus, 0, sizeof(vcpus));
	strcpy(vm.name, "testvm");
	vm.nr_vcpus = NR_TEST_VCPUS;
	vm.devs = &devs;
	for (u32 i = 0; i < NR_TEST_VCPUS; i++) {
		vcpus[i].vm = &vm;
		vcpus[i].id = i;
		vm.vcpus[i] = &vcpus[i];
	}
	stop_calls = 0;
	stop_status = 0;
	stop_reason[0] = '\0';
	printk_capture_reset();
	return vm_devices_init(&vm, &config);
}

/* ---- access helpers ---- */

static u32 in(u16 port, u8 size)
{
	u32 val = 0xdeadbeef;

	assert_int_equal(io_bus_access(&devs, &vcpus[0], port, size, true, &val), 0);
	return val;
}

static void out(u16 port, u8 size, u32 val)
{
	assert_int_equal(io_bus_access(&devs, &vcpus[0], port, size, false, &val), 0);
}

static u64 mmio_rd(struct vcpu *v, u64 gpa, u8 size)
{
	u64 val = 0xdeadbeef;

	assert_int_equal(mmio_bus_access(&devs, v, gpa, size, false, &val), 0);
	return val;
}

static void mmio_wr(struct vcpu *v, u64 gpa, u8 size, u64 val)
{
	assert_int_equal(mmio_bus_access(&devs, v, gpa, size, true, &val), 0);
}

/* A test device that records the last access and reads back a pattern. */
struct recorder {
	u64 addr;
	u8 size;
	u64 val;
	int reads, writes;
};

#define PATTERN 0x8877665544332211ull

static int rec_io_read(struct vcpu *v, void *dev, u16 port, u8 size, u32 *val)
{
	struct recorder *r = dev;

	(void)v;
	r->addr = port;
	r->size = size;
	r->reads++;
	*val = (u32)(PATTERN >> ((port & 3) * 8));
	return 0;
}

static int rec_io_write(struct vcpu *v, void *dev, u16 port, u8 size, u32 val)
{
	struct recorder *r = dev;

	(void)v;
	r->addr = port;
	r->size = size;
	r->val = val;
	r->writes++;
	return 0;
}

static int rec_mmio_read(struct vcpu *v, void *dev, u64 gpa, u8 size, u64 *val)
{
	struct recorder *r = dev;

	(void)v;
	r->addr = gpa;
	r->size = size;
	r->reads++;
	*val = PATTERN >> ((gpa & 7) * 8);
	return 0;
}

static int rec_mmio_write(struct vcpu *v, void *dev, u64 gpa, u8 size, u64 val)
{
	struct recorder *r = dev;

	(void)v;
	r->addr = gpa;
	r->size = size;
	r->val = val;
	r->writes++;
	return 0;
}

/* ---- bus ---- */

static void test_bus_unassigned_io(void **state)
{
	(void)state;
	assert_int_equal(in(UNUSED_PORT, 1), 0xff);
	assert_int_equal(in(UNUSED_PORT, 2), 0xffff);
	assert_int_equal(in(UNUSED_PORT, 4), 0xffffffffu);
	out(UNUSED_PORT, 1, 0x12);
	out(UNUSED_PORT, 4, 0x12345678);
	assert_int_equal(vm.stats.unassigned_io_reads, 3);
	assert_int_equal(vm.stats.unassigned_io_writes, 2);
	/* The top port: an access wrapping past 0xffff is still unassigned. */
	assert_int_equal(in(0xffff, 4), 0xffffffffu);
	assert_int_equal(vm.stats.unassigned_io_reads, 4);
	assert_int_equal(vm.stats.unassigned_mmio_reads, 0);
}

static void test_bus_unassigned_mmio(void **state)
{
	(void)state;
	assert_int_equal(mmio_rd(&vcpus[0], UNUSED_GPA, 1), 0xff);
	assert_int_equal(mmio_rd(&vcpus[0], UNUSED_GPA, 2), 0xffff);
	assert_int_equal(mmio_rd(&vcpus[0], UNUSED_GPA, 4), 0xffffffffu);
	assert_true(mmio_rd(&vcpus[0], UNUSED_GPA, 8) == ~0ull);
	mmio_wr(&vcpus[0], UNUSED_GPA, 8, 1);
	assert_int_equal(vm.stats.unassigned_mmio_reads, 4);
	assert_int_equal(vm.stats.unassigned_mmio_writes, 1);
	assert_int_equal(vm.stats.unassigned_io_reads, 0);
}

static void test_bus_bad_sizes(void **state)
{
	u32 v32 = 0;
	u64 v64 = 0;

	(void)state;
	assert_int_equal(io_bus_access(&devs, &vcpus[0], UNUSED_PORT, 3, true, &v32), -E_INVAL);
	assert_int_equal(io_bus_access(&devs, &vcpus[0], UNUSED_PORT, 8, false, &v32), -E_INVAL);
	assert_int_equal(io_bus_access(&devs, &vcpus[0], UNUSED_PORT, 0, true, &v32), -E_INVAL);
	assert_int_equal(mmio_bus_access(&devs, &vcpus[0], UNUSED_GPA, 3, true, &v64), -E_INVAL);
	assert_int_equal(mmio_bus_access(&devs, &vcpus[0], UNUSED_GPA, 16, false, &v64), -E_INVAL);
	assert_int_equal(vm.stats.unassigned_io_reads + vm.stats.unassigned_mmio_writes, 0);
}

static void test_bus_overlap(void **state)
{
	struct io_device io = {.name = "t", .base = UART_COM1_BASE + 4, .count = 8};
	struct mmio_device mm = {.name = "t", .base = LAPIC_STUB_BASE - 0x10, .size = 0x20};

	(void)state;
	assert_int_equal(io_bus_register(&devs, &io), -E_OVERLAP);
	io.base = UART_COM1_BASE - 1;
	io.count = 1;
	assert_int_equal(io_bus_register(&devs, &io), 0);
	io.base = UART_COM1_BASE - 2;
	io.count = 3; /* ends inside the port just added */
	assert_int_equal(io_bus_register(&devs, &io), -E_OVERLAP);
	io.count = 0;
	assert_int_equal(io_bus_register(&devs, &io), -E_INVAL);
	io.base = 0xfff0;
	io.count = 0x20; /* wraps */
	assert_int_equal(io_bus_register(&devs, &io), -E_INVAL);
	io.count = 0x10; /* reaches 0xffff exactly */
	assert_int_equal(io_bus_register(&devs, &io), 0);

	assert_int_equal(mmio_bus_register(&devs, &mm), -E_OVERLAP);
	mm.base = LAPIC_STUB_BASE + LAPIC_STUB_SIZE - 1;
	assert_int_equal(mmio_bus_register(&devs, &mm), -E_OVERLAP);
	mm.base = LAPIC_STUB_BASE + LAPIC_STUB_SIZE;
	assert_int_equal(mmio_bus_register(&devs, &mm), 0);
	mm.base = ~0ull - 0xf;
	assert_int_equal(mmio_bus_register(&devs, &mm), -E_INVAL);
}

static void test_bus_capacity(void **state)
{
	struct io_device io = {.name = "t", .count = 1};
	struct mmio_device mm = {.name = "t", .size = PAGE_SIZE};
	int ret = 0;

	(void)state;
	for (u16 port = 0x1000; !ret; port++) {
		io.base = port;
		ret = io_bus_register(&devs, &io);
	}
	assert_int_equal(ret, -E_NOMEM);
	assert_int_equal(devs.io.count, IO_BUS_MAX_DEVICES);
	ret = 0;
	for (u64 gpa = UNUSED_GPA; !ret; gpa += PAGE_SIZE) {
		mm.base = gpa;
		ret = mmio_bus_register(&devs, &mm);
	}
	assert_int_equal(ret, -E_NOMEM);
	assert_int_equal(devs.mmio.count, MMIO_BUS_MAX_DEVICES);
}

static void test_bus_io_dispatch(void **state)
{
	struct recorder r = {0};
	struct io_device io = {.name = "rec",
			       .base = 0x100,
			       .count = 4,
			       .read = rec_io_read,
			       .write = rec_io_write,
			       .dev = &r};

	(void)state;
	assert_int_equal(io_bus_register(&devs, &io), 0);
	assert_ptr_equal(io_bus_find(&devs, 0x103)->dev, &r);
	assert_null(io_bus_find(&devs, 0x104));

	assert_int_equal(in(0x100, 4), 0x44332211);
	assert_int_equal(r.size, 4);
	assert_int_equal(in(0x102, 2), 0x4433);
	assert_int_equal(r.addr, 0x102);
	out(0x101, 2, 0xabcd);
	assert_int_equal(r.addr, 0x101);
	assert_int_equal(r.size, 2);
	assert_int_equal(r.val, 0xabcd);

	/* Straddling the end: the device sees byte 0x103, 0x104 is nothing. */
	assert_int_equal(in(0x103, 2), 0xff44);
	assert_int_equal(r.addr, 0x103);
	assert_int_equal(r.size, 1);
	assert_int_equal(vm.stats.unassigned_io_reads, 1);
	/* Straddling the start: 0xfe, 0xff nothing; 0x100, 0x101 bytewise. */
	r.reads = 0;
	assert_int_equal(in(0xfe, 4), 0x2211ffff);
	assert_int_equal(r.reads, 2);
	assert_int_equal(vm.stats.unassigned_io_reads, 2);
	out(0xff, 2, 0x5aa5);
	assert_int_equal(r.addr, 0x100);
	assert_int_equal(r.size, 1);
	assert_int_equal(r.val, 0x5a);
	assert_int_equal(vm.stats.unassigned_io_writes, 1);
}

static void test_bus_mmio_dispatch(void **state)
{
	struct recorder r = {0};
	struct mmio_device mm = {.name = "rec",
				 .base = 0xd0000000,
				 .size = 0x10,
				 .read = rec_mmio_read,
				 .write = rec_mmio_write,
				 .dev = &r};

	(void)state;
	assert_int_equal(mmio_bus_register(&devs, &mm), 0);
	assert_true(mmio_rd(&vcpus[1], 0xd0000000, 8) == PATTERN);
	assert_int_equal(mmio_rd(&vcpus[1], 0xd0000004, 4), 0x88776655);
	assert_int_equal(mmio_rd(&vcpus[1], 0xd0000001, 1), 0x22);
	mmio_wr(&vcpus[1], 0xd0000008, 8, 0x0102030405060708ull);
	assert_true(r.val == 0x0102030405060708ull);
	assert_int_equal(r.size, 8);
	mmio_wr(&vcpus[1], 0xd0000008, 2, 0xffffffff);
	assert_int_equal(r.val, 0xffff); /* masked to the access size */

	/* Straddling the end: bytes 0xe, 0xf from the device, the rest all-ones. */
	assert_true(mmio_rd(&vcpus[1], 0xd000000e, 4) == 0xffff8877ull);
	assert_int_equal(r.size, 1);
	assert_int_equal(vm.stats.unassigned_mmio_reads, 1);
}

/* ---- UART ---- */

#define COM1(reg) (UART_COM1_BASE + (reg))

static void test_uart_scratch_and_dlab(void **state)
{
	(void)state;
	out(COM1(UART_SCR), 1, 0x5a);
	assert_int_equal(in(COM1(UART_SCR), 1), 0x5a);

	out(COM1(UART_IER), 1, 0xff);
	assert_int_equal(in(COM1(UART_IER), 1), UART_IER_MASK);
	out(COM1(UART_IER), 1, 0);

	assert_int_equal(in(COM1(UART_LCR), 1), 0);
	out(COM1(UART_LCR), 1, UART_LCR_DLAB | 0x03);
	assert_int_equal(in(COM1(UART_DLL), 1), UART_DIVISOR_RESET);
	out(COM1(UART_DLL), 1, 0x01);
	out(COM1(UART_DLM), 1, 0x02);
	assert_int_equal(in(COM1(UART_DLL), 1), 0x01);
	assert_int_equal(in(COM1(UART_DLM), 1), 0x02);
	assert_int_equal(in(COM1(UART_LCR), 1), UART_LCR_DLAB | 0x03);
	out(COM1(UART_LCR), 1, 0x03);
	/* With DLAB clear the same ports are RBR and IER again. */
	assert_int_equal(in(COM1(UART_IER), 1), 0);
	assert_int_equal(in(COM1(UART_RBR), 1), 'a');
	assert_string_equal(printk_captured, ""); /* divisor writes are not output */

	/* A 16-bit access reaches two byte registers. */
	out(COM1(UART_LCR), 2, 0x1b | (UART_MCR_DTR << 8));
	assert_int_equal(in(COM1(UART_LCR), 2), 0x1b | (UART_MCR_DTR << 8));
}

static void test_uart_lsr_and_input(void **state)
{
	(void)state;
	assert_int_equal(in(COM1(UART_LSR), 1), UART_LSR_THRE | UART_LSR_TEMT | UART_LSR_DR);
	assert_int_equal(in(COM1(UART_RBR), 1), 'a');
	assert_int_equal(in(COM1(UART_LSR), 1), UART_LSR_THRE | UART_LSR_TEMT | UART_LSR_DR);
	assert_int_equal(in(COM1(UART_RBR), 1), 'b');
	assert_int_equal(in(COM1(UART_LSR), 1), UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(in(COM1(UART_RBR), 1), 0); /* drained */
	assert_int_equal(in(COM1(UART_MSR), 1), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
}

static void test_uart_loopback(void **state)
{
	(void)state;
	out(COM1(UART_MCR), 1, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_OUT2);
	assert_int_equal(in(COM1(UART_MCR), 1), UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_OUT2);
	assert_int_equal(in(COM1(UART_MSR), 1), UART_MSR_CTS | UART_MSR_DCD);
	out(COM1(UART_MCR), 1, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT1);
	assert_int_equal(in(COM1(UART_MSR), 1), UART_MSR_DSR | UART_MSR_RI);

	/* The external input is disconnected: no DR until we send something. */
	assert_int_equal(in(COM1(UART_LSR), 1) & UART_LSR_DR, 0);
	out(COM1(UART_THR), 1, 'x');
	assert_int_equal(in(COM1(UART_LSR), 1) & UART_LSR_DR, UART_LSR_DR);
	assert_int_equal(in(COM1(UART_RBR), 1), 'x');
	assert_int_equal(in(COM1(UART_LSR), 1) & UART_LSR_DR, 0);

	/* Without FIFOs a second byte overruns; with them 16 fit. */
	out(COM1(UART_THR), 1, '1');
	out(COM1(UART_THR), 1, '2');
	assert_int_equal(in(COM1(UART_LSR), 1) & UART_LSR_OE, UART_LSR_OE);
	assert_int_equal(in(COM1(UART_LSR), 1) & UART_LSR_OE, 0); /* cleared by reading */
	assert_int_equal(in(COM1(UART_RBR), 1), '1');
	out(COM1(UART_FCR), 1, UART_FCR_ENABLE_FIFO);
	for (int i = 0; i < UART_FIFO_SIZE; i++)
		out(COM1(UART_THR), 1, 'A' + i);
	assert_int_equal(in(COM1(UART_LSR), 1) & UART_LSR_OE, 0);
	for (int i = 0; i < UART_FIFO_SIZE; i++)
		assert_int_equal(in(COM1(UART_RBR), 1), 'A' + i);
	assert_string_equal(printk_captured, "");

	/* Leaving loopback reconnects the input. */
	out(COM1(UART_MCR), 1, 0);
	assert_int_equal(in(COM1(UART_RBR), 1), 'a');
}

static void test_uart_iir(void **state)
{
	struct uart *u = &devs.com1;

	(void)state;
	assert_int_equal(in(COM1(UART_IIR), 1), UART_IIR_NO_INT);
	assert_false(uart_irq_pending(u));
	out(COM1(UART_FCR), 1, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT);
	assert_int_equal(in(COM1(UART_IIR), 1), UART_IIR_FIFO_ENABLED | UART_IIR_NO_INT);

	/* Enabling THRE with THR empty raises it; reading IIR acknowledges it. */
	out(COM1(UART_IER), 1, UART_IER_THRI);
	assert_true(uart_irq_pending(u));
	assert_int_equal(in(COM1(UART_IIR), 1), UART_IIR_FIFO_ENABLED | UART_IIR_THRI);
	assert_false(uart_irq_pending(u));
	assert_int_equal(in(COM1(UART_IIR), 1), UART_IIR_FIFO_ENABLED | UART_IIR_NO_INT);
	out(COM1(UART_THR), 1, 'z'); /* sent at once: THRE again */
	assert_true(uart_irq_pending(u));

	/* Received data outranks THRE. */
	out(COM1(UART_IER), 1, UART_IER_THRI | UART_IER_RDI);
	assert_int_equal(in(COM1(UART_IIR), 1), UART_IIR_FIFO_ENABLED | UART_IIR_RDI);
	in(COM1(UART_RBR), 1);
	in(COM1(UART_RBR), 1);
	assert_int_equal(in(COM1(UART_IIR), 1), UART_IIR_FIFO_ENABLED | UART_IIR_THRI);
	assert_false(uart_irq_pending(u));

	out(COM1(UART_FCR), 1, 0);
	assert_int_equal(in(COM1(UART_IIR), 1), UART_IIR_NO_INT);
	out(COM1(UART_IER), 1, 0);
	out(COM1(UART_THR), 1, '\n');
}

static void put_str(const char *s)
{
	while (*s)
		out(COM1(UART_THR), 1, (u8)*s++);
}

static void test_uart_output(void **state)
{
	char want[UART_LINE_MAX + 32];
	char line[UART_LINE_MAX + 1];

	(void)state;
	put_str("hello\r\n");
	assert_string_equal(printk_captured, "[testvm] hello\n");
	put_str("\n");
	assert_string_equal(printk_captured, "[testvm] hello\n[testvm] \n");

	printk_capture_reset();
	put_str("partial");
	assert_string_equal(printk_captured, "");
	vm_devices_fini(&vm);
	assert_string_equal(printk_captured, "[testvm] partial\n");
	vm_devices_fini(&vm); /* nothing left */
	assert_string_equal(printk_captured, "[testvm] partial\n");

	/* A full buffer is printed without waiting for '\n'. */
	printk_capture_reset();
	memset(line, 'x', UART_LINE_MAX);
	line[UART_LINE_MAX] = '\0';
	put_str(line);
	snprintf(want, sizeof(want), "[testvm] %s\n", line);
	assert_string_equal(printk_captured, want);
	put_str("y\n");
	snprintf(want, sizeof(want), "[testvm] %s\n[testvm] y\n", line);
	assert_string_equal(printk_captured, want);
}

/* ---- debug-exit ---- */

static void test_debug_exit(void **state)
{
	(void)state;
	assert_int_equal(in(DEBUG_EXIT_PORT, 1), 0xff);
	assert_int_equal(in(DEBUG_EXIT_PORT, 4), 0xffffffffu);
	assert_int_equal(stop_calls, 0);

	out(DEBUG_EXIT_PORT, 1, 0x01);
	assert_int_equal(stop_calls, 1);
	assert_int_equal(stop_status, 3);
	assert_string_equal(stop_reason, "debug-exit value 1");

	out(DEBUG_EXIT_PORT, 1, 0x1ff); /* the bus masks to the access size */
	assert_int_equal(stop_status, (0xff << 1) | 1);
	out(DEBUG_EXIT_PORT, 2, 0x1234);
	assert_int_equal(stop_status, (0x1234 << 1) | 1);
	out(DEBUG_EXIT_PORT, 4, 0x12345678);
	assert_int_equal(stop_status, (0x12345678 << 1) | 1);
	assert_string_equal(stop_reason, "debug-exit value 305419896");
	out(DEBUG_EXIT_PORT, 1, 0);
	assert_int_equal(stop_status, 1);
	assert_int_equal(stop_calls, 5);
	assert_int_equal(debug_exit_status(0x10), 0x21);
}

/* ---- fw_cfg ---- */

static void fw_select(u16 key)
{
	out(FW_CFG_PORT_SEL, 2, key);
}

static void fw_read(void *buf, size_t len)
{
	u8 *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = (u8)in(FW_CFG_PORT_DATA, 1);
}

static u64 fw_read_le(u16 key, size_t len)
{
	u8 b[8];
	u64 v = 0;

	fw_select(key);
	fw_read(b, len);
	for (size_t i = 0; i < len; i++)
		v |= (u64)b[i] << (8 * i);
	return v;
}

static u32 be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static u16 be16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static void test_fw_cfg_fixed_items(void **state)
{
	char sig[5] = {0};

	(void)state;
	fw_select(FW_CFG_SIGNATURE);
	fw_read(sig, 4);
	assert_string_equal(sig, "QEMU");
	assert_int_equal(in(FW_CFG_PORT_DATA, 1), 0); /* past the end */
	assert_int_equal(fw_read_le(FW_CFG_ID, 4), FW_CFG_ID_TRADITIONAL);
	assert_true(fw_read_le(FW_CFG_RAM_SIZE, 8) == TEST_RAM);
	assert_int_equal(fw_read_le(FW_CFG_NB_CPUS, 2), NR_TEST_VCPUS);
	assert_int_equal(fw_read_le(FW_CFG_MAX_CPUS, 2), NR_TEST_VCPUS);

	/* Reselecting starts over; an unknown item reads zeros. */
	fw_select(FW_CFG_SIGNATURE);
	assert_int_equal(in(FW_CFG_PORT_DATA, 1), 'Q');
	fw_select(FW_CFG_SIGNATURE);
	assert_int_equal(in(FW_CFG_PORT_DATA, 1), 'Q');
	assert_int_equal(fw_read_le(0x1234, 8), 0);

	/* The selector port reads all-ones; data-port writes change nothing. */
	assert_int_equal(in(FW_CFG_PORT_SEL, 1), 0xff);
	fw_select(FW_CFG_SIGNATURE);
	out(FW_CFG_PORT_DATA, 1, 'X');
	assert_int_equal(in(FW_CFG_PORT_DATA, 1), 'Q');
	assert_int_equal(vm.stats.unassigned_io_reads, 0);
}

/* Find 'name' in the directory: its selector and size, false if absent. */
static bool fw_find_file(const char *name, u16 *select, u32 *size)
{
	u8 count_be[4], ent[FW_CFG_DIR_ENTRY_SIZE];
	bool found = false;
	u32 count;

	fw_select(FW_CFG_FILE_DIR);
	fw_read(count_be, sizeof(count_be));
	count = be32(count_be);
	for (u32 i = 0; i < count; i++) {
		fw_read(ent, sizeof(ent));
		assert_int_equal(be16(ent + 6), 0); /* reserved */
		if (!found && !strcmp((char *)ent + 8, name)) {
			*size = be32(ent);
			*select = be16(ent + 4);
			found = true;
		}
	}
	assert_int_equal(in(FW_CFG_PORT_DATA, 1), 0); /* directory ends here */
	return found;
}

static void expect_file(const char *name, const char *contents)
{
	char buf[128] = {0};
	u16 select;
	u32 size;

	assert_true(fw_find_file(name, &select, &size));
	assert_true(select >= FW_CFG_FILE_FIRST);
	assert_int_equal(size, strlen(contents));
	fw_select(select);
	fw_read(buf, size);
	assert_string_equal(buf, contents);
	assert_int_equal(in(FW_CFG_PORT_DATA, 1), 0);
	assert_int_equal(in(FW_CFG_PORT_DATA, 1), 0);
}

static void test_fw_cfg_files(void **state)
{
	u8 count_be[4];
	u16 select;
	u32 size;

	(void)state;
	fw_select(FW_CFG_FILE_DIR);
	fw_read(count_be, sizeof(count_be));
	assert_int_equal(be32(count_be), 3);

	expect_file(FW_CFG_FILE_VM_NAME, "testvm");
	expect_file(FW_CFG_FILE_CMDLINE, "console=ttyS0 quiet");
	expect_file("opt/tern/test", "hello fw_cfg");
	assert_false(fw_find_file("opt/none", &select, &size));
	assert_true(fw_find_file(FW_CFG_FILE_VM_NAME, &select, &size));
	assert_int_equal(select, FW_CFG_FILE_FIRST);
}

static void test_fw_cfg_add_errors(void **state)
{
	struct fw_cfg *fc = &devs.fw_cfg;
	char name[FW_CFG_FILE_NAME_MAX + 1];
	int ret = 0;

	(void)state;
	memset(name, 'n', FW_CFG_FILE_NAME_MAX);
	name[FW_CFG_FILE_NAME_MAX] = '\0';
	assert_int_equal(fw_cfg_add_file(fc, name, "", 0), -E_RANGE);
	name[FW_CFG_FILE_NAME_MAX - 1] = '\0'; /* 55 chars + NUL fits */
	assert_int_equal(fw_cfg_add_file(fc, name, "", 0), 0);
	assert_int_equal(fw_cfg_add_file(fc, "", "", 0), -E_INVAL);
	assert_int_equal(fw_cfg_add_file(fc, FW_CFG_FILE_CMDLINE, "", 0), -E_EXIST);
	for (int i = 0; !ret; i++) {
		snprintf(name, sizeof(name), "opt/f%d", i);
		ret = fw_cfg_add_file(fc, name, "", 0);
	}
	assert_int_equal(ret, -E_NOMEM);
	assert_int_equal(fc->nr_files, FW_CFG_MAX_FILES);
	expect_file("opt/f0", "");
}

static void test_devices_bad_config(void **state)
{
	struct vm_device_config cfg = config;

	(void)state;
	cfg.nr_vcpus = 0;
	assert_int_equal(vm_devices_init(&vm, &cfg), -E_INVAL);
	cfg.nr_vcpus = VM_MAX_VCPUS + 1;
	assert_int_equal(vm_devices_init(&vm, &cfg), -E_INVAL);
	cfg = config;
	cfg.files = NULL;
	assert_int_equal(vm_devices_init(&vm, &cfg), -E_INVAL);
	assert_int_equal(vm_devices_init(&vm, NULL), -E_INVAL);
	cfg = config;
	vm.devs = NULL;
	assert_int_equal(vm_devices_init(&vm, &cfg), -E_INVAL);
	vm.devs = &devs;
	cfg.cmdline = NULL;
	cfg.uart_input = NULL;
	cfg.nr_files = 0;
	assert_int_equal(vm_devices_init(&vm, &cfg), 0);
	expect_file(FW_CFG_FILE_CMDLINE, "");
	assert_int_equal(in(COM1(UART_LSR), 1) & UART_LSR_DR, 0);
}

/* ---- LAPIC stub ---- */

#define APIC(reg)      (LAPIC_STUB_BASE + (reg))
#define APIC_ID	       0x20
#define APIC_VERSION   0x30
#define APIC_TPR       0x80
#define APIC_EOI       0xb0
#define APIC_SPIV      0xf0
#define APIC_ICR_LOW   0x300
#define APIC_ICR_HIGH  0x310
#define APIC_LVT_TIMER 0x320
#define ICR_BUSY       (1u << 12)

static void test_lapic_registers(void **state)
{
	(void)state;
	for (u32 i = 0; i < NR_TEST_VCPUS; i++)
		assert_int_equal(mmio_rd(&vcpus[i], APIC(APIC_ID), 4), i << 24);
	assert_int_equal(mmio_rd(&vcpus[1], APIC(APIC_VERSION), 4), 0x00050014);

	assert_int_equal(mmio_rd(&vcpus[0], APIC(APIC_SPIV), 4), 0xff);
	mmio_wr(&vcpus[0], APIC(APIC_SPIV), 4, 0x1ff);
	assert_int_equal(mmio_rd(&vcpus[0], APIC(APIC_SPIV), 4), 0x1ff);
	assert_int_equal(mmio_rd(&vcpus[1], APIC(APIC_SPIV), 4), 0xff); /* per vCPU */

	mmio_wr(&vcpus[2], APIC(APIC_TPR), 4, 0x20);
	assert_int_equal(mmio_rd(&vcpus[2], APIC(APIC_TPR), 4), 0x20);
	assert_int_equal(mmio_rd(&vcpus[3], APIC(APIC_TPR), 4), 0);

	mmio_wr(&vcpus[0], APIC(APIC_ICR_HIGH), 4, 0x01000000);
	mmio_wr(&vcpus[0], APIC(APIC_ICR_LOW), 4, 0x000c4500 | ICR_BUSY);
	assert_int_equal(mmio_rd(&vcpus[0], APIC(APIC_ICR_LOW), 4), 0x000c4500);
	assert_int_equal(mmio_rd(&vcpus[0], APIC(APIC_ICR_LOW), 4) & ICR_BUSY, 0);
	assert_int_equal(mmio_rd(&vcpus[0], APIC(APIC_ICR_HIGH), 4), 0x01000000);

	mmio_wr(&vcpus[0], APIC(APIC_EOI), 4, 0);
	mmio_wr(&vcpus[0], APIC(APIC_LVT_TIMER), 4, 0x30);
	assert_int_equal(mmio_rd(&vcpus[0], APIC(APIC_LVT_TIMER), 4), 0);
	assert_int_equal(mmio_rd(&vcpus[0], APIC(APIC_EOI), 4), 0);
	assert_int_equal(mmio_rd(&vcpus[0], APIC(0xff0), 4), 0);

	/* Only aligned dwords: others read all-ones and write nothing. */
	assert_int_equal(mmio_rd(&vcpus[0], APIC(APIC_ID), 1), 0xff);
	assert_int_equal(mmio_rd(&vcpus[0], APIC(APIC_ID), 2), 0xffff);
	assert_true(mmio_rd(&vcpus[0], APIC(APIC_ID), 8) == ~0ull);
	assert_int_equal(mmio_rd(&vcpus[0], APIC(APIC_TPR + 2), 4), 0xffffffffu);
	mmio_wr(&vcpus[2], APIC(APIC_TPR), 1, 0x40);
	assert_int_equal(mmio_rd(&vcpus[2], APIC(APIC_TPR), 4), 0x20);
	assert_int_equal(vm.stats.unassigned_mmio_reads, 0);
}

static void test_lapic_apic_base(void **state)
{
	const u64 base = 0xfee00000ull, enable = 1ull << 11, bsp = 1ull << 8;

	(void)state;
	assert_true(lapic_stub_apic_base(&vcpus[0]) == (base | enable | bsp));
	assert_true(lapic_stub_apic_base(&vcpus[1]) == (base | enable));
	assert_int_equal(lapic_stub_set_apic_base(&vcpus[0], base | enable | bsp), 0);
	assert_int_equal(lapic_stub_set_apic_base(&vcpus[1], base | enable), 0);
	assert_int_equal(lapic_stub_set_apic_base(&vcpus[1], base | enable | bsp), 0);
	assert_int_equal(lapic_stub_set_apic_base(&vcpus[0], base | enable | (1ull << 10)),
			 -E_INVAL);
	assert_int_equal(lapic_stub_set_apic_base(&vcpus[0], base | enable | 1), -E_INVAL);
	assert_int_equal(lapic_stub_set_apic_base(&vcpus[0], base | enable | (1ull << 63)),
			 -E_INVAL);
	assert_int_equal(lapic_stub_set_apic_base(&vcpus[0], base | bsp), -E_NOSUPP);
	assert_int_equal(lapic_stub_set_apic_base(&vcpus[0], 0xfec00000ull | enable), -E_NOSUPP);
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_bus_unassigned_io),  T(test_bus_unassigned_mmio),
		T(test_bus_bad_sizes),	    T(test_bus_overlap),
		T(test_bus_capacity),	    T(test_bus_io_dispatch),
		T(test_bus_mmio_dispatch),  T(test_uart_scratch_and_dlab),
		T(test_uart_lsr_and_input), T(test_uart_loopback),
		T(test_uart_iir),	    T(test_uart_output),
		T(test_debug_exit),	    T(test_fw_cfg_fixed_items),
		T(test_fw_cfg_files),	    T(test_fw_cfg_add_errors),
		T(test_devices_bad_config), T(test_lapic_registers),
		T(test_lapic_apic_base),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
