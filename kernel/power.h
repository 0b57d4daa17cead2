/* SPDX-License-Identifier: MIT */
/*
 * Ending a run with a status: QEMU's isa-debug-exit, Bochs's shutdown port,
 * ACPI soft-off or a reset on real hardware, by what is present or exit=.
 */
#ifndef TERN_KERNEL_POWER_H
#define TERN_KERNEL_POWER_H

#include "lib/types.h"

enum exit_method {
	EXIT_AUTO,
	EXIT_QEMU,
	EXIT_BOCHS,
	EXIT_ACPI,
	EXIT_RESET,
	EXIT_HALT,
};

#define EXIT_STATUS_OK 0
#define EXIT_STATUS_FAIL 1
#define EXIT_STATUS_PANIC 2

/* What ACPI said about soft-off and reset (filled by the ACPI code). */
struct acpi_power {
	bool s5_valid;
	u16 pm1a_cnt, pm1b_cnt; /* I/O ports, 0 when absent */
	u16 slp_typa, slp_typb;
	bool reset_valid;
	u16 reset_port; /* reset register when it is in I/O space */
	u8 reset_value;
};

extern struct acpi_power acpi_power;

void power_set_method(enum exit_method m);
void machine_exit(int status) __noreturn;
void halt_forever(void) __noreturn;

#endif
