/* SPDX-License-Identifier: MIT */
/* Guest hypercalls. */
#ifndef TERN_VIRT_HYPERCALL_H
#define TERN_VIRT_HYPERCALL_H

#include "virt/vcpu_ops.h"

int handle_hypercall(struct vcpu *v);

#endif
