/* SPDX-License-Identifier: MIT */
/* Dispatch of a decoded VM exit to its common handler. */
#ifndef TERN_VIRT_EXITS_H
#define TERN_VIRT_EXITS_H

#include "virt/vcpu.h"

void handle_exit(struct vcpu *v);

#endif
