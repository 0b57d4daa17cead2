/* SPDX-License-Identifier: MIT */
/*
 * The table of Tern's command-line options and their defaults. Unknown or
 * malformed options are reported as error lines and keep their defaults, so
 * a typo never stops the boot.
 */
#include "kernel/options.h"

#include "arch/x86/serial.h"
#include "kernel/cmdline.h"
#include "kernel/percpu.h"
#include "kernel/power.h"
#include "kernel/printk.h"

#define SERIAL_PORT_MIN 0x100
#define SERIAL_PORT_MAX 0xFFF8
#define BAUD_MIN 50
#define BAUD_MAX 115200

struct kernel_options kopts = {
	.serial_port = SERIAL_COM1,
	.baud = SERIAL_DEFAULT_BAUD,
	.loglevel = LOG_INFO,
	.selftest = "none",
	.exit_method = EXIT_AUTO,
	.x2apic = true,
	.maxcpus = MAX_CPUS,
};

static const char *const exit_names[] = {
	[EXIT_AUTO] = "auto", [EXIT_QEMU] = "qemu",   [EXIT_BOCHS] = "bochs",
	[EXIT_ACPI] = "acpi", [EXIT_RESET] = "reset", [EXIT_HALT] = "halt",
	NULL,
};

static const struct cmdline_opt kernel_opts[] = {
	{ .name = "serial", .type = CMDLINE_U64, .store = &kopts.serial_port,
	  .min = SERIAL_PORT_MIN, .max = SERIAL_PORT_MAX, .help = "console UART port (0x3f8)" },
	{ .name = "baud", .type = CMDLINE_U64, .store = &kopts.baud, .min = BAUD_MIN,
	  .max = BAUD_MAX, .help = "console speed (115200)" },
	{ .name = "loglevel", .type = CMDLINE_U64, .store = &kopts.loglevel, .min = LOG_EMERG,
	  .max = LOG_DEBUG, .help = "console verbosity 0..7 (6)" },
	{ .name = "selftest", .type = CMDLINE_STRING, .store = kopts.selftest,
	  .str_size = sizeof(kopts.selftest), .help = "self-tests: all, none or a list" },
	{ .name = "exit", .type = CMDLINE_ENUM, .store = &kopts.exit_method, .names = exit_names,
	  .help = "how to end the run" },
	{ .name = "x2apic", .type = CMDLINE_BOOL, .store = &kopts.x2apic,
	  .help = "use x2APIC mode when present (on)" },
	{ .name = "maxcpus", .type = CMDLINE_U64, .store = &kopts.maxcpus, .min = 1,
	  .max = MAX_CPUS, .help = "bring up at most this many CPUs" },
	{ .name = "reserve", .type = CMDLINE_SIZE, .store = &kopts.reserve, .min = 0,
	  .max = GiB(64), .help = "host memory guests may not take (auto: 1/32 of RAM)" },
};

static void report(const char *msg, void *ctx)
{
	(void)ctx;
	pr_err("error: %s\n", msg);
}

int options_parse(const char *cmdline)
{
	return cmdline_parse(cmdline, kernel_opts, ARRAY_SIZE(kernel_opts), report, NULL);
}
