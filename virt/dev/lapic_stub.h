/* SPDX-License-Identifier: MIT */
/*
 * A placeholder local APIC so guests find one where a PC has it: the xAPIC
 * MMIO page at 0xfee00000 answers ID, version, TPR, SPIV, EOI and ICR per
 * vCPU, an ICR never reports a pending delivery and no interrupt is ever
 * delivered. Plus the IA32_APIC_BASE MSR rules: the APIC stays at its reset
 * base, enabled, in xAPIC mode (x2APIC is hidden from guests).
 */
#ifndef TERN_VIRT_DEV_LAPIC_STUB_H
#define TERN_VIRT_DEV_LAPIC_STUB_H

#include "lib/types.h"
#include "virt/vm.h"

struct vcpu;
struct vm_devices;

#define LAPIC_STUB_BASE		 0xfee00000ull
#define LAPIC_STUB_SIZE		 0x1000ull
#define LAPIC_STUB_VERSION	 0x00050014u /* version 0x14, max LVT entry 5 */
#define LAPIC_STUB_SPIV_RESET	 0xffu
#define LAPIC_STUB_SPIV_MASK	 0x3ffu /* spurious vector, APIC enable, focus check */
#define LAPIC_STUB_TPR_MASK	 0xffu
#define LAPIC_STUB_ICR_HIGH_MASK 0xff000000u /* destination, bits 31:24 */
#define LAPIC_STUB_ACCESS_SIZE	 4

/* Registers of one vCPU's APIC; only that vCPU touches them. */
struct lapic_stub_cpu {
	u32 tpr;
	u32 spiv;
	u32 icr_low;
	u32 icr_high;
};

struct lapic_stub {
	struct lapic_stub_cpu cpu[VM_MAX_VCPUS];
};

void lapic_stub_init(struct lapic_stub *l);
int lapic_stub_attach(struct lapic_stub *l, struct vm_devices *d);

/* IA32_APIC_BASE as the guest reads it. */
u64 lapic_stub_apic_base(struct vcpu *v);
/*
 * A guest WRMSR to IA32_APIC_BASE: 0 when it keeps the base, enabled, xAPIC
 * (the BSP bit is ignored); -E_INVAL for x2APIC or reserved bits, -E_NOSUPP
 * for a move or disable. The caller injects #GP on any error.
 */
int lapic_stub_set_apic_base(struct vcpu *v, u64 val);

#endif
