/* SPDX-License-Identifier: MIT */
/*
 * A virtual CPU: the guest's general registers (kept here in x86 encoding
 * order so decoders index them directly), RIP and RFLAGS, the last exit, the
 * event to inject, and the vendor state behind 'arch'.
 * Field annotations: (c) constant after creation, (v) only the physical CPU
 * running this vCPU touches it, (a) atomic from any CPU.
 */
#ifndef TERN_VIRT_VCPU_H
#define TERN_VIRT_VCPU_H

#include "lib/types.h"
#include "mm/tdp/mmu_cache.h"
#include "virt/event.h"
#include "virt/exit.h"

struct vm;

enum gpr {
	GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
	GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
	NR_GPRS
};

enum seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR, NR_SEGS };

/* Access rights in the VMX layout (type, S, DPL, P, AVL, L, D/B, G, unusable). */
#define SEG_AR_TYPE_MASK 0xF
#define SEG_AR_TYPE_ACCESSED BIT(0)
#define SEG_AR_TYPE_RW BIT(1) /* readable code / writable data */
#define SEG_AR_TYPE_CODE BIT(3)
#define SEG_AR_S BIT(4)
#define SEG_AR_DPL_SHIFT 5
#define SEG_AR_DPL_MASK (3u << SEG_AR_DPL_SHIFT)
#define SEG_AR_P BIT(7)
#define SEG_AR_L BIT(13)
#define SEG_AR_DB BIT(14)
#define SEG_AR_G BIT(15)
#define SEG_AR_UNUSABLE BIT(16)

struct segment {
	u16 selector;
	u64 base;
	u32 limit;
	u32 ar; /* SEG_AR_* */
};

struct dtable {
	u64 base;
	u16 limit;
};

struct vcpu_stats {
	u64 exits[VM_EXIT_NR_KINDS];
	u64 tsc_in_guest; /* host TSC cycles between entry and exit */
	u64 tsc_in_tern;  /* host TSC cycles handling exits */
	u64 injected;
	u64 tdp_faults;      /* second-level faults on RAM handled by the MMU */
	u64 tdp_fault_retry; /* of which retried (raced with a zap or another vCPU) */
	u64 mmio_fast;       /* MMIO SPTE hits emulated without a memslot lookup */
	u64 mmio_slow;       /* MMIO accesses that took the slow path */
	u64 tlb_kicks;       /* (a) kicked out of guest mode for a TLB flush */
};

struct vcpu {
	struct vm *vm;              /* (c) */
	u32 id;                     /* (c) index in the VM */
	u32 pcpu;                   /* (c) physical CPU it is pinned to */
	u64 gpr[NR_GPRS];           /* (v) RSP is synced by the backend */
	u64 rip;                    /* (v) */
	u64 rflags;                 /* (v) */
	struct vm_exit exit;        /* (v) the last exit, decoded */
	struct vcpu_event event;    /* (v) to inject at the next entry */
	bool halted;                /* (v) executed HLT with nothing pending */
	bool stopped;               /* (v) this vCPU's run loop has ended */
	struct vcpu_stats stats;    /* (v) */
	u64 tsc_offset;             /* (v) guest TSC = host TSC + offset */
	u64 xcr0;                   /* (v) guest XCR0 (loaded around entry) */
	u64 cr8;                    /* (v) task priority, when CR8 is intercepted */
	void *xsave_area;           /* (v) FPU/SSE/AVX state while not loaded */
	u64 msr_mtrr_def_type;      /* (v) emulated MSRs without hardware state */
	u64 msr_misc_enable;        /* (v) */
	u64 msr_tsc_aux;            /* (v) loaded into the CPU before entry */
	void *arch;                 /* (v) struct vmx_vcpu / struct svm_vcpu */
	/*
	 * (a) Odd while the vCPU is in guest mode (from just before VM entry,
	 * interrupts off, to just after the exit). A CPU that changed the VM's
	 * second-level tables requests a TLB flush, then kicks every vCPU whose
	 * count is odd and waits for it to change (virt/sched.c).
	 */
	u64 run_seq;
	struct mmu_cache mmu_cache; /* (v) topped up before mmu_lock */
	u32 cap_strikes;            /* (v) consecutive faults refused by the table cap */
};

#endif
