/* SPDX-License-Identifier: MIT */
/*
 * Creation of a VM's standard device set: COM1, isa-debug-exit, fw_cfg (with
 * the VM's name, command line and configured files) and the LAPIC stub, each
 * initialised and then claimed on the VM's buses.
 */
#include "virt/dev/devices.h"

#include "lib/string.h"
#include "virt/vm.h"

static bool config_valid(const struct vm_device_config *cfg)
{
	return cfg && cfg->nr_vcpus && cfg->nr_vcpus <= VM_MAX_VCPUS &&
	       (!cfg->nr_files || cfg->files);
}

static int add_file_str(struct fw_cfg *fc, const char *name, const char *s)
{
	return fw_cfg_add_file(fc, name, s, (u32)strlen(s));
}

static int add_fw_cfg_files(struct vm_devices *d, const struct vm *vm,
			    const struct vm_device_config *cfg)
{
	int ret;

	ret = add_file_str(&d->fw_cfg, FW_CFG_FILE_VM_NAME, vm->name);
	if (ret)
		return ret;
	ret = add_file_str(&d->fw_cfg, FW_CFG_FILE_CMDLINE, cfg->cmdline ? cfg->cmdline : "");
	for (u32 i = 0; !ret && i < cfg->nr_files; i++) {
		const struct fw_cfg_file *f = &cfg->files[i];

		ret = fw_cfg_add_file(&d->fw_cfg, f->name, f->data, f->size);
	}
	return ret;
}

static int attach_all(struct vm_devices *d)
{
	int ret;

	ret = uart_attach(&d->com1, d, UART_COM1_BASE);
	if (!ret)
		ret = debug_exit_attach(&d->debug_exit, d, DEBUG_EXIT_PORT);
	if (!ret)
		ret = fw_cfg_attach(&d->fw_cfg, d);
	if (!ret)
		ret = lapic_stub_attach(&d->lapic, d);
	return ret;
}

int vm_devices_init(struct vm *vm, const struct vm_device_config *cfg)
{
	struct vm_devices *d = vm->devs;
	int ret;

	if (!d || !config_valid(cfg))
		return -E_INVAL;
	memset(d, 0, sizeof(*d));
	d->vm = vm;
	uart_init(&d->com1, vm->name, cfg->uart_input);
	debug_exit_init(&d->debug_exit, vm);
	fw_cfg_init(&d->fw_cfg, (u16)cfg->nr_vcpus, cfg->ram_bytes);
	lapic_stub_init(&d->lapic);

	ret = add_fw_cfg_files(d, vm, cfg);
	if (ret)
		return ret;
	return attach_all(d);
}

void vm_devices_fini(struct vm *vm)
{
	if (vm->devs)
		uart_flush(&vm->devs->com1);
}
