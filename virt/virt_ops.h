/* SPDX-License-Identifier: MIT */
/*
 * The vendor backend interface, one table bound once at boot (VMX or SVM).
 * The X-macro list is the single place the hooks are named; virt_ops.c binds
 * it. Backends only decode exits and manage their control structures; every
 * policy decision lives in common code.
 */
#ifndef TERN_VIRT_VIRT_OPS_H
#define TERN_VIRT_VIRT_OPS_H

#include "lib/types.h"
#include "virt/vcpu.h"

struct vm;

/* OP(return type, name, parameter list) */
#define VIRT_OPS(OP)                                                                       \
	/* per physical CPU: VMXON / EFER.SVME + host save area */                          \
	OP(int, cpu_enable, (void))                                                         \
	OP(void, cpu_disable, (void))                                                       \
	/* per VM: second-level paging root, ASID/VPID policy */                            \
	OP(int, vm_init, (struct vm * vm))                                                  \
	OP(void, vm_destroy, (struct vm * vm))                                              \
	/* per vCPU: control block, bitmaps, reset state (real mode at reset vector) */     \
	OP(int, vcpu_init, (struct vcpu * v))                                               \
	OP(void, vcpu_destroy, (struct vcpu * v))                                           \
	/* let another CPU run v: e.g. VMCLEAR a VMCS the setup hooks made active here */   \
	OP(void, vcpu_release, (struct vcpu * v))                                           \
	/* enter the guest until the next exit; fills v->exit; injects v->event */          \
	OP(void, vcpu_run, (struct vcpu * v, u64 slice_tsc))                                \
	OP(void, get_segment, (struct vcpu * v, enum seg s, struct segment * out))          \
	OP(void, set_segment, (struct vcpu * v, enum seg s, const struct segment *in))      \
	OP(void, get_dtable, (struct vcpu * v, bool idt, struct dtable *out))               \
	OP(void, set_dtable, (struct vcpu * v, bool idt, const struct dtable *in))          \
	OP(u64, get_cr, (struct vcpu * v, int cr))                                          \
	/* apply an already-validated CR0/CR3/CR4 value (mode changes included) */          \
	OP(void, set_cr, (struct vcpu * v, int cr, u64 value))                              \
	OP(u64, get_efer, (struct vcpu * v))                                                \
	OP(void, set_efer, (struct vcpu * v, u64 efer))                                     \
	OP(int, get_cpl, (struct vcpu * v))                                                 \
	/* MSRs the control block holds (PAT, SYSENTER_*, FS/GS base, STAR...) */           \
	OP(bool, get_msr, (struct vcpu * v, u32 index, u64 * value))                        \
	OP(bool, set_msr, (struct vcpu * v, u32 index, u64 value))                          \
	OP(void, set_tsc_offset, (struct vcpu * v, u64 offset))                             \
	OP(void, flush_guest_tlb, (struct vcpu * v))                                        \
	/* interrupt shadow (STI / MOV SS) state */                                         \
	OP(bool, interrupt_shadow, (struct vcpu * v))

struct virt_ops {
	const char *name;
#define OP(ret, name, args) ret(*name) args;
	VIRT_OPS(OP)
#undef OP
};

extern struct virt_ops virt_ops; /* bound once by virt_init() */

#endif
