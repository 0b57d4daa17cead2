/* SPDX-License-Identifier: MIT */
/*
 * Ending the run. The status is always printed first as a line the runners
 * parse ("Tern: exit status=N"), because Bochs cannot return a chosen exit
 * code and real hardware has no exit code at all. Then each method is tried in
 * turn; a method that is absent simply returns and the next is tried.
 */
#include "kernel/power.h"

#include "arch/x86/io.h"
#include "arch/x86/irqflags.h"
#include "kernel/console.h"
#include "kernel/printk.h"

#define QEMU_DEBUG_EXIT_PORT 0xF4
#define BOCHS_SHUTDOWN_PORT 0x8900
#define ACPI_SLP_TYP_SHIFT 10
#define ACPI_SLP_EN (1u << 13)
#define PCI_RESET_PORT 0xCF9
#define PCI_RESET_HARD 0x06 /* system reset + CPU reset */
#define KBC_COMMAND_PORT 0x64
#define KBC_PULSE_RESET 0xFE

struct acpi_power acpi_power;
static enum exit_method exit_method = EXIT_AUTO;

void power_set_method(enum exit_method m)
{
	exit_method = m;
}

void halt_forever(void)
{
	for (;;) {
		irq_disable();
		asm volatile("hlt");
	}
}

static void exit_qemu(int status)
{
	/* QEMU exits with (status << 1) | 1; nothing happens without the device. */
	outl(QEMU_DEBUG_EXIT_PORT, (u32)status);
}

static void exit_bochs(void)
{
	static const char shutdown[] = "Shutdown";

	/* The magic breakpoint drops into the runner's "continue; quit" script. */
	asm volatile("xchgw %bx, %bx");
	for (const char *p = shutdown; *p; p++)
		outb(BOCHS_SHUTDOWN_PORT, (u8)*p);
}

static void exit_acpi(void)
{
	if (!acpi_power.s5_valid || !acpi_power.pm1a_cnt)
		return;
	outw(acpi_power.pm1a_cnt, (u16)((acpi_power.slp_typa << ACPI_SLP_TYP_SHIFT) | ACPI_SLP_EN));
	if (acpi_power.pm1b_cnt)
		outw(acpi_power.pm1b_cnt,
		     (u16)((acpi_power.slp_typb << ACPI_SLP_TYP_SHIFT) | ACPI_SLP_EN));
	for (volatile int i = 0; i < 1000000; i++) /* let the chipset act */
		;
}

static void exit_reset(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed empty_idt = { 0, 0 };

	if (acpi_power.reset_valid)
		outb(acpi_power.reset_port, acpi_power.reset_value);
	outb(PCI_RESET_PORT, PCI_RESET_HARD);
	outb(KBC_COMMAND_PORT, KBC_PULSE_RESET);
	/* Last resort: a triple fault. */
	asm volatile("lidt %0; int3" : : "m"(empty_idt));
}

void machine_exit(int status)
{
	irq_disable();
	pr_emerg("Tern: exit status=%d\n", status);
	switch (exit_method) {
	case EXIT_QEMU:
		exit_qemu(status);
		break;
	case EXIT_BOCHS:
		exit_bochs();
		break;
	case EXIT_ACPI:
		exit_acpi();
		break;
	case EXIT_RESET:
		exit_reset();
		break;
	case EXIT_HALT:
		halt_forever();
	case EXIT_AUTO:
		exit_qemu(status);
		if (console_has_e9())
			exit_bochs();
		exit_acpi();
		exit_reset();
		break;
	}
	pr_emerg("Tern: exit method did not stop the machine; halting\n");
	halt_forever();
}
