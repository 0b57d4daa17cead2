/* SPDX-License-Identifier: MIT */
/*
 * The devices of one VM: its I/O-port and MMIO buses and the standard PC set
 * every guest gets (COM1 UART, isa-debug-exit, fw_cfg, a LAPIC stub), built
 * from a small configuration at VM creation.
 */
#ifndef TERN_VIRT_DEV_DEVICES_H
#define TERN_VIRT_DEV_DEVICES_H

#include "lib/types.h"
#include "virt/dev/bus.h"
#include "virt/dev/debug_exit.h"
#include "virt/dev/fw_cfg.h"
#include "virt/dev/lapic_stub.h"
#include "virt/dev/uart.h"

struct vm;

/* Everything here is borrowed and must outlive the VM. */
struct vm_device_config {
	u32 nr_vcpus;
	u64 ram_bytes;
	const char *cmdline;		 /* the guest's command line (NULL: empty) */
	const char *uart_input;		 /* bytes COM1 receives (NULL: none) */
	const struct fw_cfg_file *files; /* extra fw_cfg files */
	u32 nr_files;
};

struct vm_devices {
	struct vm *vm;	      /* (c) */
	struct io_bus io;     /* (c) after vm_devices_init */
	struct mmio_bus mmio; /* (c) after vm_devices_init */
	struct uart com1;
	struct debug_exit debug_exit;
	struct fw_cfg fw_cfg;
	struct lapic_stub lapic;
};

/*
 * Build the standard set into vm->devs, which the caller points at storage
 * (any contents) that lives as long as the VM. -E_INVAL without storage or
 * with a bad config; the fw_cfg and bus errors otherwise.
 */
int vm_devices_init(struct vm *vm, const struct vm_device_config *cfg);
/* At VM end: print what the guest left in the UART's line buffer. */
void vm_devices_fini(struct vm *vm);

#endif
