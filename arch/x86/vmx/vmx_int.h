/* SPDX-License-Identifier: MIT */
/*
 * The VMX backend's private state and the calls between its files: the
 * capabilities read once at boot, the per-CPU VMXON state, the per-vCPU VMCS
 * and bitmaps, and the entry/exit/inject/diagnosis helpers.
 * Field annotations: (c) constant after init, (v) only the physical CPU
 * running the vCPU touches it, (a) atomic from any CPU.
 */
#ifndef TERN_ARCH_X86_VMX_VMX_INT_H
#define TERN_ARCH_X86_VMX_VMX_INT_H

#include "arch/x86/vmx/vmcs.h"
#include "arch/x86/vmx/vmx.h"
#include "lib/types.h"
#include "virt/vcpu.h"
#include "virt/virt_ops.h"

struct vmx_ctl {
	u32 allowed0; /* bits that must be 1 */
	u32 allowed1; /* bits that may be 1 */
};

struct vmx_caps {
	bool probed;             /* (c) */
	bool usable;             /* (c) everything Tern requires is there */
	u32 revision;            /* (c) VMCS revision identifier */
	u32 region_size;         /* (c) VMXON/VMCS region size */
	bool true_ctls;          /* (c) BASIC bit 55 */
	bool inout_info;         /* (c) INS/OUTS instruction information */
	struct vmx_ctl pin, proc, proc2, exit, entry; /* (c) */
	u64 misc;                /* (c) */
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1; /* (c) */
	u64 ept_vpid;            /* (c) IA32_VMX_EPT_VPID_CAP, 0 without EPT/VPID */
	bool ept, vpid, unrestricted, preempt_timer; /* (c) */
	bool ept_ad, ept_2m, ept_1g; /* (c) */
	u32 preempt_shift;       /* (c) timer rate: TSC >> shift */
	u32 pin_ctls, proc_ctls, proc2_ctls, exit_ctls, entry_ctls; /* (c) chosen */
};

extern struct vmx_caps vmx_caps;

/* Read the capability MSRs and choose the controls; false if VMX is unusable. */
bool vmx_caps_probe(void);
/* Apply allowed-0/allowed-1: -E_NOSUPP if a 'required' bit cannot be set. */
int vmx_adjust_ctls(const struct vmx_ctl *c, u32 required, u32 optional, u32 *out);
/* CR0/CR4 with the VMX fixed bits applied (CR0.PE/PG exempt for unrestricted). */
u64 vmx_fix_cr0(u64 cr0, bool unrestricted);
u64 vmx_fix_cr4(u64 cr4);

/* Per physical CPU. */
struct vmx_cpu {
	bool on;                   /* (o) VMXON done */
	void *vmxon_region;        /* (o) */
	struct vmx_vcpu *loaded;   /* (o) whose VMCS is current here */
	struct vcpu *msr_owner;    /* (o) whose lazy MSRs are in the registers */
};

struct vmx_cpu *vmx_this_cpu(void);

/* The ops hooks, bound into vmx_ops by vmx_ops.c. */
#define OP(ret, name, args) ret vmx_##name args;
VIRT_OPS(OP)
#undef OP

/* MSRs not in the VMCS, switched lazily (Tern's host never uses them). */
enum vmx_lazy_msr {
	LAZY_STAR,
	LAZY_LSTAR,
	LAZY_CSTAR,
	LAZY_SFMASK,
	LAZY_KERNEL_GS_BASE,
	NR_LAZY_MSRS
};
extern const u32 vmx_lazy_msr_index[NR_LAZY_MSRS];

#define VMX_DIAG_MAX 192
#define VMX_CPU_NONE 0xFFFFFFFFu

struct vmx_vcpu {
	struct vcpu *vcpu;          /* (c) */
	void *vmcs;                 /* (c) VMCS region */
	paddr_t vmcs_pa;            /* (c) */
	u8 *msr_bitmap;             /* (c) one page */
	u8 *io_bitmap;              /* (c) two pages, A then B */
	u16 vpid;                   /* (c) 0 when VPID is off */
	u32 cpu;                    /* (v) CPU whose VMCS cache holds it, or NONE */
	bool launched;              /* (v) VMLAUNCH done since the last VMCLEAR */
	bool injected;              /* (v) v->event was written to the VMCS */
	struct vcpu_event stashed;  /* (v) interrupt displaced by a re-injection */
	paddr_t tdp_root;           /* (v) root the EPTP was built from */
	u64 eptp;                   /* (v) */
	bool flush_pending;         /* (a) flush_guest_tlb asked for a flush */
	u32 entry_ctls;             /* (v) cached VM-entry controls */
	u32 proc_ctls;              /* (v) cached primary controls */
	u8 *vapic;                  /* (c) virtual-APIC page (TPR shadow), or NULL */
	u64 exit_rip;               /* (v) guest RIP at the last exit */
	u64 cr2;                    /* (v) guest CR2 (not in the VMCS) */
	u64 lazy_msr[NR_LAZY_MSRS]; /* (v) guest values while not loaded */
	char diag[VMX_DIAG_MAX];    /* (v) last entry failure, named */
};

static inline struct vmx_vcpu *to_vmx(struct vcpu *v)
{
	return v->arch;
}

/* vmx_entry.asm: 0 after a VM exit, 1 when VMLAUNCH/VMRESUME failed. */
int vmx_vmenter(u64 *gprs, u32 launched);
void vmx_vmexit_landing(void);

/* vmx_vcpu.c */
int vmx_vcpu_load(struct vmx_vcpu *x);
void vmx_vcpu_put(struct vmx_vcpu *x);
/*
 * Accessors bracket VMREAD/VMWRITE with these: begin makes the VMCS current
 * here (false if it is active on another CPU); end clears it again when this
 * is not the vCPU's own CPU, so setup code may run anywhere before the first
 * run, and the run loop's own CPU pays nothing.
 */
bool vmx_access_begin(struct vmx_vcpu *x);
void vmx_access_end(struct vmx_vcpu *x);
void vmx_write_host_state(void);
void vmx_update_ia32e(struct vmx_vcpu *x);
/* Forget a vCPU being destroyed in every CPU's per-CPU state. */
void vmx_cpu_forget(struct vmx_vcpu *x);

/* vmx_exit.c */
void vmx_decode_exit(struct vcpu *v, struct vmx_vcpu *x);

/* vmx_inject.c */
void vmx_inject_event(struct vcpu *v, struct vmx_vcpu *x);
void vmx_event_delivered(struct vcpu *v, struct vmx_vcpu *x);

/* vmx_diag.c: a sentence naming the failed rule, into x->diag. */
const char *vmx_insn_error_name(u32 error);
void vmx_diag_vmfail(struct vmx_vcpu *x, u32 error);
void vmx_diag_guest_state(struct vmx_vcpu *x, u64 qual);

/* vmx_msr.c */
void vmx_msr_bitmap_init(u8 *bitmap);
void vmx_lazy_msrs_switch(struct vcpu *v);

#endif
