/* SPDX-License-Identifier: MIT */
/* Tern's own command-line options (see README "Command line"). */
#ifndef TERN_KERNEL_OPTIONS_H
#define TERN_KERNEL_OPTIONS_H

#include "lib/types.h"

#define SELFTEST_SELECTION_MAX 256

struct kernel_options {
	u64 serial_port; /* serial=: console UART I/O port */
	u64 baud;        /* baud=: console speed */
	u64 loglevel;    /* loglevel=: console shows messages at or below this */
	char selftest[SELFTEST_SELECTION_MAX]; /* selftest=: tests to run */
	u32 exit_method; /* exit=: enum exit_method */
	bool x2apic;     /* x2apic=: use x2APIC mode when the CPU has it */
	u64 maxcpus;     /* maxcpus=: bring up at most this many CPUs */
	u64 reserve;     /* reserve=: host memory guests may not take (0: automatic) */
};

extern struct kernel_options kopts;

/* Parse the command line into kopts; returns the number of errors reported. */
int options_parse(const char *cmdline);

#endif
