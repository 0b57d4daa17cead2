/* SPDX-License-Identifier: MIT */
/* Guest control-register access. */
#ifndef TERN_VIRT_CR_H
#define TERN_VIRT_CR_H

#include "virt/vcpu_ops.h"

/* Validate and apply a CR write; an error means the guest gets #GP. */
int guest_write_cr(struct vcpu *v, int cr, u64 val);
int handle_cr_access(struct vcpu *v);

#endif
