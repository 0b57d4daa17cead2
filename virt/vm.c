/* SPDX-License-Identifier: MIT */
/* VM lifetime: stopping a VM alone, with a reason and a status. */
#include "virt/vm.h"

#include <stdarg.h>

#include "kernel/printk.h"
#include "lib/format.h"

void vm_stop(struct vm *vm, int status, const char *fmt, ...)
{
	unsigned long flags = spin_lock_irqsave(&vm->lock);
	va_list ap;

	if (vm->state == VM_STOPPED) {
		spin_unlock_irqrestore(&vm->lock, flags);
		return;
	}
	va_start(ap, fmt);
	vsnformat(vm->stop_reason, sizeof(vm->stop_reason), fmt, ap);
	va_end(ap);
	vm->exit_status = status;
	__atomic_store_n(&vm->state, VM_STOPPED, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&vm->lock, flags);
	if (status != VM_STATUS_SUCCESS)
		pr_info("VM %s: stopping: %s\n", vm->name, vm->stop_reason);
}

bool vm_stopped(const struct vm *vm)
{
	return __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) == VM_STOPPED;
}
