/* SPDX-License-Identifier: MIT */
/* Creating and destroying VMs. */
#ifndef TERN_VIRT_VM_CREATE_H
#define TERN_VIRT_VM_CREATE_H

#include "virt/guest_config.h"
#include "virt/vm.h"

/* Everything needed to build one VM. */
struct guest_setup {
	const struct guest_config *cfg;
	const void *image;
	size_t image_size;
	const struct guest_module *mods;
	u32 nr_mods;
};

/* Build a VM; on failure it comes back already stopped with the reason. NULL: no memory. */
struct vm *vm_create(const struct guest_setup *gs, u32 id);
void vm_destroy(struct vm *vm);

#endif
