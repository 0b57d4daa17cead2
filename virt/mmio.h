/* SPDX-License-Identifier: MIT */
/* EPT violations and #NPF: MMIO emulation for addresses without RAM. */
#ifndef TERN_VIRT_MMIO_H
#define TERN_VIRT_MMIO_H

#include "virt/vcpu_ops.h"

int handle_tdp_fault(struct vcpu *v);

#endif
