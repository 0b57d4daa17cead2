/* SPDX-License-Identifier: MIT */
/* EPT violations and #NPF: MMIO emulation for addresses without RAM. */
#ifndef TERN_VIRT_MMIO_H
#define TERN_VIRT_MMIO_H

#include "virt/vcpu_ops.h"

/* VM_EXIT_TDP_FAULT: demand fault, or MMIO emulation where there is no RAM. */
int handle_tdp_fault(struct vcpu *v);
/* VM_EXIT_TDP_MISCONFIG: an MMIO SPTE hit (fast path, or stale: slow path). */
int handle_tdp_misconfig(struct vcpu *v);

#endif
