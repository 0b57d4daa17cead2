/* SPDX-License-Identifier: MIT */
/*
 * The VMX ops table: every hook of virt/virt_ops.h bound to its vmx_ function
 * through the same X-macro list, so a hook added there without a VMX
 * implementation fails to link rather than running as NULL.
 */
#include "arch/x86/vmx/vmx_int.h"

const struct virt_ops vmx_ops = {
	.name = "vmx",
#define OP(ret, name, args) .name = vmx_##name,
	VIRT_OPS(OP)
#undef OP
};
