/* SPDX-License-Identifier: MIT */
/* Tern's C entry point: bring the machine up step by step. */
#include "arch/x86/idt.h"
#include "arch/x86/paging.h"
#include "boot/layout.h"
#include "kernel/console.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/power.h"
#include "kernel/printk.h"
#include "kernel/selftest.h"

#define BOOT_PT_POOL_PAGES 64
static u8 boot_pt_pool[BOOT_PT_POOL_PAGES][PAGE_SIZE] __aligned(PAGE_SIZE);
static int boot_pt_used;

static paddr_t boot_pt_alloc(void *ctx)
{
	(void)ctx;
	if (boot_pt_used >= BOOT_PT_POOL_PAGES)
		return 0;
	return kimage_to_phys(boot_pt_pool[boot_pt_used++]);
}

u8 boot_stack[BOOT_STACK_SIZE] __aligned(16);
u8 early_tables[7][PAGE_SIZE] __aligned(PAGE_SIZE);
extern u8 boot_stack_top[];
asm(".globl boot_stack_top\n.set boot_stack_top, boot_stack + 16384");

void kmain(u32 magic, u32 info_pa);
void kmain(u32 magic, u32 info_pa)
{
	int err;

	console_init_early();
	pr_info("Tern: booting (magic %#x, info at %#x)\n", magic, info_pa);
	idt_init();
	percpu_setup(0, 0);
	err = paging_init(GiB(4), boot_pt_alloc, NULL);
	if (err)
		panic("paging_init: %s", err_name(err));
	pr_info("Tern: paging on, %d table pages\n", boot_pt_used);
	machine_exit(selftest_run("cpu,wx") ? EXIT_STATUS_FAIL : EXIT_STATUS_OK);
}
