/* SPDX-License-Identifier: MIT */
/*
 * QEMU's isa-debug-exit device: a guest writes a value to port 0xf4 and the VM
 * ends with exit status (value << 1) | 1, so that no guest-chosen value can
 * look like a clean exit (0). Guest test suites use it to report pass/fail.
 */
#ifndef TERN_VIRT_DEV_DEBUG_EXIT_H
#define TERN_VIRT_DEV_DEBUG_EXIT_H

#include "lib/types.h"

struct vm;
struct vm_devices;

#define DEBUG_EXIT_PORT	    0xf4
#define DEBUG_EXIT_NR_PORTS 4

struct debug_exit {
	struct vm *vm; /* (c) */
};

void debug_exit_init(struct debug_exit *de, struct vm *vm);
int debug_exit_attach(struct debug_exit *de, struct vm_devices *d, u16 base);
/* The VM exit status for a written value. */
int debug_exit_status(u32 value);

#endif
