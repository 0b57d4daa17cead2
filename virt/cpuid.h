/* SPDX-License-Identifier: MIT */
/* The guest's curated CPUID. */
#ifndef TERN_VIRT_CPUID_H
#define TERN_VIRT_CPUID_H

#include "arch/x86/cpuid.h"
#include "virt/vcpu_ops.h"

void cpuid_for_guest(struct vcpu *v, u32 leaf, u32 subleaf, struct cpuid_regs *out);
int handle_cpuid(struct vcpu *v);

#endif
