/* SPDX-License-Identifier: MIT */
/*
 * isa-debug-exit: any write of 1, 2 or 4 bytes inside the device's ports stops
 * the VM with status (value << 1) | 1; the bus has already masked the value
 * to the access size. Reads return all-ones, as from an empty ISA slot.
 */
#include "virt/dev/debug_exit.h"

#include "virt/dev/devices.h"
#include "virt/vm.h"

#define DEBUG_EXIT_STATUS_SHIFT 1
#define DEBUG_EXIT_STATUS_SET	BIT(0)

void debug_exit_init(struct debug_exit *de, struct vm *vm)
{
	de->vm = vm;
}

int debug_exit_status(u32 value)
{
	return (int)((value << DEBUG_EXIT_STATUS_SHIFT) | DEBUG_EXIT_STATUS_SET);
}

static int debug_exit_write(struct vcpu *v, void *dev, u16 port, u8 size, u32 val)
{
	struct debug_exit *de = dev;

	(void)v;
	(void)port;
	(void)size;
	vm_stop(de->vm, debug_exit_status(val), "debug-exit value %u", val);
	return 0;
}

int debug_exit_attach(struct debug_exit *de, struct vm_devices *d, u16 base)
{
	const struct io_device io = {
		.name = "debug-exit",
		.base = base,
		.count = DEBUG_EXIT_NR_PORTS,
		.read = NULL, /* all-ones */
		.write = debug_exit_write,
		.dev = de,
	};

	return io_bus_register(d, &io);
}
