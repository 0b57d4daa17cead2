/* SPDX-License-Identifier: MIT */
/* Initial vCPU state from a loader's entry description. */
#ifndef TERN_VIRT_VCPU_SETUP_H
#define TERN_VIRT_VCPU_SETUP_H

#include "virt/loader.h"
#include "virt/vcpu.h"

void vcpu_set_entry_state(struct vcpu *v, const struct guest_entry *e);

#endif
