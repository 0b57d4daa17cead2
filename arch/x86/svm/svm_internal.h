/* SPDX-License-Identifier: MIT */
/*
 * State private to the SVM backend and the calls between its files: the
 * capabilities probed once (svm_caps.c), the per-CPU state (svm_cpu.c: host
 * save areas, ASID allocator), the per-VM permission maps and the per-vCPU
 * VMCB (svm_vcpu.c), exit decoding (svm_exit.c), event injection
 * (svm_inject.c), TLB control (svm_tlb.c) and the world switch
 * (svm_entry.asm).
 * Field annotations: (c) constant after creation, (v) only the physical CPU
 * running the vCPU, (o) only the owning physical CPU.
 */
#ifndef TERN_ARCH_X86_SVM_SVM_INTERNAL_H
#define TERN_ARCH_X86_SVM_SVM_INTERNAL_H

#include "arch/x86/svm/svm.h"
#include "lib/types.h"
#include "virt/vcpu.h"

struct vm;

struct svm_caps {
	bool probed;
	bool present;         /* CPUID 0x80000001 ECX.SVM */
	bool disabled;        /* VM_CR.SVMDIS */
	u32 revision;
	u32 nr_asids;         /* ASIDs 1..nr_asids-1 are usable */
	bool np;
	bool nrips;
	bool flush_by_asid;
	bool decode_assists;
	bool vmcb_clean;
	bool vgif;
	bool lbrv;
	bool pause_filter;
	u32 phys_bits;        /* CPUID 0x80000008 EAX[7:0] */
};

extern struct svm_caps svm_caps;
void svm_caps_probe(void);

/* Per physical CPU, in this_cpu()->arch_virt. */
struct svm_cpu {
	paddr_t hsave_pa;        /* (c) VM_HSAVE_PA: VMRUN's own host save */
	paddr_t host_vmcb_pa;    /* (c) VMSAVE/VMLOAD area for host FS/GS/TR... */
	u64 asid_generation;     /* (o) starts at 1; vCPUs start at 0 */
	u32 next_asid;           /* (o) */
	u32 max_asid;            /* (c) */
	bool enabled;            /* (o) EFER.SVME set by us */
};

struct svm_cpu *svm_this_cpu(void);
int svm_cpu_enable(void);
void svm_cpu_disable(void);

/* Per VM, in vm->arch: the permission maps every vCPU of the VM shares. */
struct svm_vm {
	void *iopm;              /* (c) SVM_IOPM_ORDER block */
	void *msrpm;             /* (c) SVM_MSRPM_ORDER block */
};

/* Per vCPU, in vcpu->arch. */
struct svm_vcpu {
	struct vmcb *vmcb;       /* (c) */
	paddr_t vmcb_pa;         /* (c) */
	u64 asid_generation;     /* (v) 0: needs a new ASID on its next run */
	u32 asid;                /* (v) */
	s32 last_cpu;            /* (v) physical CPU of the last VMRUN, -1 none */
	bool flush_pending;      /* (v) guest TLB flush requested */
	/* Soft event injected with RIP advanced by hand (no NRIPS needed). */
	struct vcpu_event soft_event; /* (v) valid while the injection is in flight */
	u64 soft_next_rip;       /* (v) RIP after the advance */
	/*
	 * The guest state VMRUN checks, as written before the last VMRUN: a
	 * failed VMRUN may overwrite the VMCB's copy (QEMU writes host state).
	 */
	struct svm_entry_state {
		u64 efer, cr0, cr3, cr4, dr6, dr7, g_pat;
		u16 cs_attrib;
	} entry;                 /* (v) */
};

static inline struct svm_vcpu *to_svm(struct vcpu *v)
{
	return v->arch;
}

/* svm_cpu.c: give the vCPU a valid ASID for this CPU before VMRUN. */
void svm_asid_prepare(struct svm_vcpu *sv, struct svm_cpu *cpu);

/* svm_tlb.c */
void svm_tlb_request_flush(struct svm_vcpu *sv);
void svm_tlb_prepare(struct svm_vcpu *sv, struct svm_cpu *cpu);
void svm_tlb_after_run(struct svm_vcpu *sv);

/* svm_inject.c */
void svm_inject_event(struct vcpu *v);
void svm_complete_event(struct vcpu *v);

/* svm_exit.c */
void svm_decode_exit(struct vcpu *v);
const char *svm_check_vmcb(const struct vmcb_control *c, const struct vmcb_save *s);

/* svm_entry.asm: CLGI; VMSAVE host; VMLOAD guest; VMRUN; VMSAVE guest; VMLOAD host; STGI. */
void svm_vmrun(paddr_t vmcb_pa, u64 *gprs, paddr_t host_vmcb_pa);

/* The virt_ops hooks, bound in svm_ops.c. */
int svm_vm_init(struct vm *vm);                                   /* svm_vm.c */
void svm_vm_destroy(struct vm *vm);
int svm_vcpu_init(struct vcpu *v);                                /* svm_vcpu.c */
void svm_vcpu_destroy(struct vcpu *v);
void svm_vcpu_release(struct vcpu *v);
void svm_vcpu_run(struct vcpu *v, u64 slice_tsc);
void svm_get_segment(struct vcpu *v, enum seg s, struct segment *out); /* svm_state.c */
void svm_set_segment(struct vcpu *v, enum seg s, const struct segment *in);
void svm_get_dtable(struct vcpu *v, bool idt, struct dtable *out);
void svm_set_dtable(struct vcpu *v, bool idt, const struct dtable *in);
u64 svm_get_cr(struct vcpu *v, int cr);
void svm_set_cr(struct vcpu *v, int cr, u64 value);
u64 svm_get_efer(struct vcpu *v);
void svm_set_efer(struct vcpu *v, u64 efer);
int svm_get_cpl(struct vcpu *v);
bool svm_get_msr(struct vcpu *v, u32 index, u64 *value);
bool svm_set_msr(struct vcpu *v, u32 index, u64 value);
void svm_set_tsc_offset(struct vcpu *v, u64 offset);
void svm_flush_guest_tlb(struct vcpu *v);
bool svm_interrupt_shadow(struct vcpu *v);

/* Is 'msr' intercepted (read or write) in this VM's MSRPM? (svm_vm.c) */
bool svm_msr_intercepted(const struct vm *vm, u32 msr);

/* Segment attribute conversions (svm_vcpu.c), exposed for the self-test. */
u16 svm_ar_to_attrib(u32 ar);
u32 svm_attrib_to_ar(u16 attrib);

#endif
