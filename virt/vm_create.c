/* SPDX-License-Identifier: MIT */
/*
 * Building a VM from a guest configuration: memory slots per the PC-like
 * layout, devices, the loaded image, second-level page tables, and vCPUs in
 * the loader's entry state. Any failure leaves a VM that is stopped with the
 * reason, never a half-built one that runs.
 */
#include "virt/vm_create.h"

#include "arch/x86/cr.h"
#include "kernel/printk.h"
#include "mm/buddy.h"
#include "kernel/time.h"
#include "lib/string.h"
#include "virt/dev/devices.h"
#include "virt/msr.h"
#include "virt/tdp.h"
#include "virt/vcpu_setup.h"
#include "virt/virt_ops.h"
#include "virt/vm_mem.h"
#include "virt/xsave.h"

#define WHY_MAX LOADER_WHY_MAX

static int mem_write(void *ctx, u64 gpa, const void *src, size_t len)
{
	return vm_write_gpa(ctx, gpa, src, len);
}

/* RAM is zero until first written: only pages already populated are cleared. */
static int mem_zero(void *ctx, u64 gpa, size_t len)
{
	return vm_zero_gpa(ctx, gpa, len);
}

/* RAM slots, each range cut into pieces of at most VM_SLOT_MAX_BYTES. */
static int add_memory(struct vm *vm, const struct guest_mem_range *r, u32 n)
{
	u32 id = 0;

	for (u32 i = 0; i < n; i++) {
		for (u64 off = 0; off < r[i].size; off += VM_SLOT_MAX_BYTES) {
			u64 len = MIN(r[i].size - off, VM_SLOT_MAX_BYTES);
			int err = vm_mem_add_slot(vm, r[i].base + off, len, id++);

			if (err)
				return err;
		}
	}
	return 0;
}

static int create_vcpus(struct vm *vm, const struct guest_entry *entry)
{
	for (u32 i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = kzalloc_pages(sizeof(*v));
		int err;

		if (!v)
			return -E_NOMEM;
		v->vm = vm;
		v->id = i;
		vm->vcpus[i] = v;
		err = xsave_vcpu_init(v);
		if (!err)
			err = virt_ops.vcpu_init(v);
		if (err)
			return err;
		msr_vcpu_reset(v);
		/* One offset for the whole VM: its TSC counts from 0 at creation. */
		v->tsc_offset = vm->tsc_offset;
		virt_ops.set_tsc_offset(v, v->tsc_offset);
		if (i == 0)
			vcpu_set_entry_state(v, entry);
		else
			v->halted = true; /* application processors wait for a SIPI */
		virt_ops.vcpu_release(v); /* it will run on the CPU it is pinned to */
	}
	return 0;
}

static int load_image(struct vm *vm, const struct guest_setup *gs, const struct guest_mem_range *r,
		      u32 nr, struct guest_entry *entry, char *why)
{
	struct guest_mem mem = {
		.write = mem_write, .zero = mem_zero, .ram = r, .nr_ram = nr, .ctx = vm,
	};
	struct guest_image img;

	for (u32 i = 0; i < nr; i++)
		mem.ram_size = MAX(mem.ram_size, r[i].base + r[i].size);
	guest_config_image(gs->cfg, gs->image, gs->image_size, gs->mods, gs->nr_mods, &img);
	return guest_load(&mem, &img, entry, why, WHY_MAX);
}

static int build(struct vm *vm, const struct guest_setup *gs, char *why)
{
	const struct guest_config *cfg = gs->cfg;
	struct guest_mem_range ranges[LOADER_RAM_RANGES_MAX];
	struct vm_device_config dc = {
		.nr_vcpus = cfg->cpus, .ram_bytes = cfg->mem, .cmdline = cfg->cmdline,
		.uart_input = cfg->input,
	};
	struct guest_entry entry;
	u64 ram_end;
	int n, err;

	n = guest_ram_layout(cfg->mem, cfg->slots, ranges, ARRAY_SIZE(ranges), &ram_end);
	if (n < 0)
		return n;
	err = add_memory(vm, ranges, (u32)n);
	if (err)
		return err;
	vm->devs = kzalloc_pages(sizeof(*vm->devs));
	if (!vm->devs)
		return -E_NOMEM;
	err = vm_devices_init(vm, &dc);
	if (err)
		return err;
	err = load_image(vm, gs, ranges, (u32)n, &entry, why);
	if (err)
		return err;
	vm->tsc_offset = (u64)0 - rdtsc();
	vm->tdp_pages_cap = cfg->tdp_pages;
	vm->tdp_max_leaf = (int)cfg->max_leaf;
	vm->maxmem_bytes = cfg->maxmem;
	err = tdp_vm_init(vm);
	if (!err)
		err = virt_ops.vm_init(vm);
	if (!err)
		err = create_vcpus(vm, &entry);
	return err;
}

struct vm *vm_create(const struct guest_setup *gs, u32 id)
{
	const struct guest_config *cfg = gs->cfg;
	struct vm *vm = kzalloc_pages(sizeof(*vm));
	char why[WHY_MAX] = "";
	int err;

	if (!vm)
		return NULL;
	vm->id = id;
	memcpy(vm->name, cfg->name, sizeof(vm->name));
	vm->name[sizeof(vm->name) - 1] = '\0';
	vm->mem_bytes = cfg->mem;
	vm->nr_vcpus = cfg->cpus;
	vm->timeout_s = cfg->timeout_s;
	spin_lock_init(&vm->lock);
	rwlock_init(&vm->slots_lock);
	err = build(vm, gs, why);
	if (err) {
		vm_stop(vm, VM_STATUS_LOAD_FAILED, "not started: %s",
			why[0] ? why : err_name(err));
		return vm;
	}
	if (cfg->timeout_s)
		vm->deadline_tsc = rdtsc() + cfg->timeout_s * tsc_khz * 1000;
	vm->state = VM_RUNNING;
	return vm;
}

void vm_destroy(struct vm *vm)
{
	for (u32 i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		if (!v)
			continue;
		if (v->arch)
			virt_ops.vcpu_destroy(v);
		if (v->xsave_area)
			xsave_vcpu_free(v);
		tdp_vcpu_destroy(v);
		kfree_pages(v, sizeof(*v));
	}
	if (vm->arch)
		virt_ops.vm_destroy(vm);
	tdp_destroy(vm);
	if (vm->devs) {
		vm_devices_fini(vm);
		kfree_pages(vm->devs, sizeof(*vm->devs));
	}
	vm_mem_destroy(vm);
	kfree_pages(vm, sizeof(*vm));
}
