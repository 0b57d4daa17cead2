/* SPDX-License-Identifier: MIT */
/* Guest hypercalls (ABI in virt/hypercall_abi.h). */
#include "virt/hypercall.h"

#include "kernel/printk.h"
#include "kernel/time.h"
#include "lib/string.h"
#include "virt/hypercall_abi.h"
#include "virt/stats.h"
#include "virt/vm.h"
#include "virt/vm_mem.h"

static u64 arg(struct vcpu *v, enum gpr r, unsigned int size)
{
	return vcpu_gpr_read(v, r, size);
}

static s64 hc_puts(struct vcpu *v, unsigned int size)
{
	char buf[TERN_HC_PUTS_MAX + 1];
	u64 gpa = arg(v, GPR_RBX, size), max = MIN(arg(v, GPR_RCX, size), TERN_HC_PUTS_MAX);
	size_t n = 0;

	/* Byte by byte: the string may end just before unmapped memory. */
	for (; n < max; n++) {
		if (vm_read_gpa(v->vm, gpa + n, &buf[n], 1))
			return TERN_HC_EFAULT;
		if (!buf[n])
			break;
	}
	buf[n] = '\0';
	pr_info("[%s] %s\n", v->vm->name, buf);
	return (s64)n;
}

static s64 hc_stats(struct vcpu *v, unsigned int size)
{
	struct tern_vm_stats st;
	u64 gpa = arg(v, GPR_RBX, size), len = arg(v, GPR_RCX, size);

	vm_stats_collect(v->vm, &st);
	len = MIN(len, sizeof(st));
	if (vm_write_gpa(v->vm, gpa, &st, len))
		return TERN_HC_EFAULT;
	return (s64)len;
}

static s64 memslot_err(int err)
{
	switch (err) {
	case 0: return TERN_HC_OK;
	case -E_NOENT: return TERN_HC_ENOENT;
	case -E_EXIST: return TERN_HC_EEXIST;
	case -E_OVERLAP: return TERN_HC_EBUSY;
	case -E_NOMEM: return TERN_HC_ENOMEM;
	default: return TERN_HC_EINVAL;
	}
}

static s64 hc_memslot_list(struct vcpu *v, u64 gpa, u64 max)
{
	struct tern_memslot buf[MEMSLOTS_MAX];
	u32 n = vm_memslot_list(v->vm, buf, MEMSLOTS_MAX);

	max = MIN(max, (u64)MIN(n, MEMSLOTS_MAX));
	if (max && vm_write_gpa(v->vm, gpa, buf, max * sizeof(buf[0])))
		return TERN_HC_EFAULT;
	return n;
}

/* TERN_HC_MEMSLOT: RBX = sub-command, RCX/RDX/RSI its arguments (hypercall_abi.h). */
static s64 hc_memslot(struct vcpu *v, unsigned int size)
{
	u64 cmd = arg(v, GPR_RBX, size), a = arg(v, GPR_RCX, size);
	u64 b = arg(v, GPR_RDX, size), c = arg(v, GPR_RSI, size);
	struct vm *vm = v->vm;

	if (a > 0xffffffffull && cmd != TERN_MEMSLOT_LIST)
		return TERN_HC_EINVAL;
	switch (cmd) {
	case TERN_MEMSLOT_LIST: return hc_memslot_list(v, a, b);
	case TERN_MEMSLOT_ADD: return memslot_err(vm_memslot_add(vm, (u32)a, b, c));
	case TERN_MEMSLOT_DELETE: return memslot_err(vm_memslot_delete(vm, (u32)a));
	case TERN_MEMSLOT_MOVE: return memslot_err(vm_memslot_move(vm, (u32)a, b));
	case TERN_MEMSLOT_RESIZE: return memslot_err(vm_memslot_resize(vm, (u32)a, b));
	default: return TERN_HC_EUNKNOWN;
	}
}

int handle_hypercall(struct vcpu *v)
{
	unsigned int size = vcpu_code_size(v) == 8 ? 8 : 4;
	u64 nr = arg(v, GPR_RAX, size);
	s64 ret;

	switch (nr) {
	case TERN_HC_VERSION:
		ret = TERN_HC_ABI_VERSION;
		break;
	case TERN_HC_PUTS:
		ret = hc_puts(v, size);
		break;
	case TERN_HC_EXIT:
		vm_stop(v->vm, (int)arg(v, GPR_RBX, size), "hypercall exit status %d",
			(int)arg(v, GPR_RBX, size));
		ret = TERN_HC_OK;
		break;
	case TERN_HC_STATS:
		ret = hc_stats(v, size);
		break;
	case TERN_HC_MEMSLOT:
		ret = hc_memslot(v, size);
		break;
	case TERN_HC_GET_TSC_KHZ:
		ret = (s64)tsc_khz;
		break;
	default:
		ret = TERN_HC_EUNKNOWN;
		break;
	}
	/* 64-bit callers get the full value; 32-bit ones its low half (EAX). */
	vcpu_gpr_write(v, GPR_RAX, size, (u64)ret);
	return vcpu_skip_instruction(v);
}
