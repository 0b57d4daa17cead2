/* SPDX-License-Identifier: MIT */
/*
 * Tern's C entry point. kmain brings the machine up in dependency order:
 * console and exception handling first (so everything after can report),
 * then the boot information (copied before memory is reused), options,
 * memory, the platform (ACPI, APICs, time, other CPUs), and finally the work
 * of the run, ending the machine with a status.
 */
#include "arch/x86/cpuid.h"
#include "arch/x86/idt.h"
#include "arch/x86/lapic.h"
#include "arch/x86/platform.h"
#include "arch/x86/serial.h"
#include "arch/x86/virt_detect.h"
#include "boot/layout.h"
#include "boot/multiboot.h"
#include "kernel/boot_mem.h"
#include "kernel/console.h"
#include "kernel/log.h"
#include "kernel/options.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/power.h"
#include "kernel/printk.h"
#include "kernel/selftest.h"
#include "kernel/work.h"
#include "mm/buddy.h"
#include "mm/objcache.h"
#include "mm/phys.h"
#include "mm/reclaim/host_reclaim.h"
#include "virt/vmm.h"

#define BOOT_INFO_MAP_LIMIT GiB(4) /* the early tables identity-map 0-4 GiB */
#define WHY_MAX 160

u8 boot_stack[BOOT_STACK_SIZE] __aligned(16);
u8 early_tables[7][PAGE_SIZE] __aligned(PAGE_SIZE);
asm(".globl boot_stack_top\n.set boot_stack_top, boot_stack + " TERN_STR(BOOT_STACK_SIZE));

static struct boot_info boot_info;
static struct boot_mem boot_mem;

static const void *map_identity(u64 pa, u64 len, void *ctx)
{
	(void)ctx;
	if (pa + len < pa || pa + len > BOOT_INFO_MAP_LIMIT)
		return NULL;
	return phys_to_virt(pa);
}

static u32 boot_apic_id(void)
{
	return cpuid(CPUID_LEAF_FEATURES).ebx >> CPUID_1_EBX_APIC_ID_SHIFT;
}

static void load_boot_info(u32 magic, u32 info_pa)
{
	char why[WHY_MAX];
	int err = multiboot_parse(magic, info_pa, map_identity, NULL, &boot_info, why, sizeof(why));

	if (err) {
		pr_err("error: bad boot information: %s\n", why);
		pr_err("Tern must be started by a multiboot or multiboot2 loader such as GRUB\n");
		machine_exit(EXIT_STATUS_FAIL);
	}
	if (boot_info.warn[0])
		pr_warn("warning: boot information: %s\n", boot_info.warn);
}

static void apply_options(void)
{
	int err;

	options_parse(boot_info.cmdline);
	printk_set_loglevel((int)kopts.loglevel);
	power_set_method(kopts.exit_method);
	if (kopts.serial_port != SERIAL_COM1 || kopts.baud != SERIAL_DEFAULT_BAUD) {
		err = console_configure((u16)kopts.serial_port, (u32)kopts.baud);
		if (err)
			pr_err("error: serial=%#llx baud=%llu: no usable UART (%s)\n",
			       (unsigned long long)kopts.serial_port, (unsigned long long)kopts.baud,
			       err_name(err));
	}
}

static void page_allocator_misuse(const char *what, paddr_t pa, unsigned int order)
{
	panic("page allocator misuse: %s (pa %#llx order %u)", what, (unsigned long long)pa,
	      order);
}

static void report_memory(void)
{
	pr_info("mem: %llu MiB RAM, %llu MiB free\n",
		(unsigned long long)(memmap_total_ram(&boot_mem.map) >> 20),
		(unsigned long long)((pages_free() * PAGE_SIZE) >> 20));
}

void kmain(u32 magic, u32 info_pa);
void kmain(u32 magic, u32 info_pa)
{
	struct virt_caps virt;
	int failures = 0;

	console_init_early();
	idt_init();
	percpu_setup(0, boot_apic_id());
	load_boot_info(magic, info_pa);
	pr_info("Tern: booting from %s, command line '%s'\n",
		boot_info.loader_name[0] ? boot_info.loader_name : "an unnamed loader",
		boot_info.cmdline);
	apply_options();

	if (boot_mem_init(&boot_mem, &boot_info))
		machine_exit(EXIT_STATUS_FAIL);
	mm_buddy()->error_hook = page_allocator_misuse;
	kmalloc_init(&kernel_page_source);
	report_memory();
	host_reclaim_init(kopts.reserve);

	lapic_x2apic_allowed = kopts.x2apic;
	work_init();
	if (x86_platform_init(boot_info.rsdp_version ? boot_info.rsdp : NULL, boot_info.rsdp_len,
			      boot_mem.trampoline_pa))
		machine_exit(EXIT_STATUS_FAIL);

	virt_detect(&virt);
	if (virt.vendor == VIRT_NONE || virt.disabled_by_firmware) {
		failures++;
	} else if (virt_init()) {
		pr_err("error: cannot enable hardware virtualization on every CPU\n");
		failures++;
	} else {
		failures += vmm_run_guests(&boot_info);
	}

	failures += selftest_run(kopts.selftest);
	machine_exit(failures ? EXIT_STATUS_FAIL : EXIT_STATUS_OK);
}
