/* SPDX-License-Identifier: MIT */
/* Guest MSR emulation: the allowed set, #GP for everything else. */
#ifndef TERN_VIRT_MSR_H
#define TERN_VIRT_MSR_H

#include "virt/vcpu_ops.h"

/* 0, or an error meaning the guest gets #GP. */
int guest_rdmsr(struct vcpu *v, u32 index, u64 *val);
int guest_wrmsr(struct vcpu *v, u32 index, u64 val);
int handle_msr(struct vcpu *v, bool write);
void msr_vcpu_reset(struct vcpu *v);
/* Load what the hardware must hold while 'v' runs (TSC_AUX), if it differs. */
void msr_load_guest_state(struct vcpu *v);

#endif
