/* SPDX-License-Identifier: MIT */
/*
 * The order of x86 platform bring-up, and which failures are fatal. ACPI
 * comes first because the CPU list and power data do not depend on anything
 * else; the TSC is calibrated before the LAPIC timer and the AP start-up,
 * which both measure time with it.
 */
#include "arch/x86/platform.h"

#include "arch/x86/acpi.h"
#include "arch/x86/lapic.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/time.h"

int x86_platform_init(const void *rsdp, size_t rsdp_len, paddr_t trampoline_pa)
{
	int err;

	acpi_init(rsdp, rsdp_len); /* reports its own errors; falls back to one CPU */
	err = lapic_init();
	if (err)
		return err;
	pic_mask_all();
	err = time_init();
	if (err)
		return err;
	err = lapic_timer_calibrate();
	if (err)
		return err;
	err = smp_init(trampoline_pa);
	if (err)
		pr_err("error: platform: APs not started (%s); continuing on the boot CPU\n",
		       err_name(err));
	return 0;
}
