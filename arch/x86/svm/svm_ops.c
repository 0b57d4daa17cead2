/* SPDX-License-Identifier: MIT */
/*
 * The SVM backend's virt_ops table. Every hook of VIRT_OPS is bound to the
 * function named svm_<hook>, so adding a hook to the list without writing it
 * here fails the build instead of leaving a NULL pointer.
 */
#include "arch/x86/svm/svm_internal.h"

/* clang-format off */
const struct virt_ops svm_ops = {
	.name = "svm",
#define OP(ret, name, args) .name = svm_##name,
	VIRT_OPS(OP)
#undef OP
};
/* clang-format on */
