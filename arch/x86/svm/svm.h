/* SPDX-License-Identifier: MIT */
/*
 * AMD SVM architectural definitions (AMD64 APM Vol. 2, chapter 15 and
 * appendix B): the VMCB layout as packed structs with the offsets asserted,
 * intercept bits, exit codes, EXITINFO1 fields of IOIO and #NPF, EVENTINJ and
 * EXITINTINFO fields, TLB_CONTROL values and the SVM MSRs. Nothing here is
 * Tern policy; that lives in svm_vcpu.c. The two exported symbols at the end
 * are the backend's public face.
 */
#ifndef TERN_ARCH_X86_SVM_SVM_H
#define TERN_ARCH_X86_SVM_SVM_H

#include "lib/types.h"
#include "virt/virt_ops.h"

/* ---- CPUID 0x8000000A ---- */
#define SVM_CPUID_EAX_REVISION_MASK 0xFFu
#define SVM_CPUID_EDX_NP BIT(0)
#define SVM_CPUID_EDX_LBRV BIT(1)
#define SVM_CPUID_EDX_SVML BIT(2)
#define SVM_CPUID_EDX_NRIPS BIT(3)
#define SVM_CPUID_EDX_TSC_RATE BIT(4)
#define SVM_CPUID_EDX_VMCB_CLEAN BIT(5)
#define SVM_CPUID_EDX_FLUSH_BY_ASID BIT(6)
#define SVM_CPUID_EDX_DECODE_ASSISTS BIT(7)
#define SVM_CPUID_EDX_PAUSE_FILTER BIT(10)
#define SVM_CPUID_EDX_PAUSE_THRESHOLD BIT(12)
#define SVM_CPUID_EDX_AVIC BIT(13)
#define SVM_CPUID_EDX_VMSAVE_VIRT BIT(15)
#define SVM_CPUID_EDX_VGIF BIT(16)

/* ---- MSRs (msr.h has EFER, VM_CR and VM_HSAVE_PA) ---- */
#ifndef MSR_IA32_SYSENTER_CS
#endif
#ifndef MSR_IA32_DEBUGCTL
#endif
#ifndef MSR_CSTAR
#endif
#ifndef MSR_SFMASK
#endif
#define VM_CR_LOCK BIT(3)

/* ---- VMCB ---- */
#define VMCB_SIZE PAGE_SIZE

/* Segment attributes: descriptor bits 47:40 in 7:0, bits 55:52 in 11:8. */
#define VMCB_ATTR_TYPE_MASK 0xFu
#define VMCB_ATTR_S BIT(4)
#define VMCB_ATTR_DPL_SHIFT 5
#define VMCB_ATTR_DPL_MASK (3u << VMCB_ATTR_DPL_SHIFT)
#define VMCB_ATTR_P BIT(7)
#define VMCB_ATTR_AVL BIT(8)
#define VMCB_ATTR_L BIT(9)
#define VMCB_ATTR_DB BIT(10)
#define VMCB_ATTR_G BIT(11)
#define VMCB_ATTR_LOW_MASK 0xFFu   /* same place in the VMX access rights */
#define VMCB_ATTR_HIGH_MASK 0xF00u /* VMX access rights bits 15:12 */
#define VMCB_ATTR_HIGH_SHIFT 4     /* VMX position - VMCB position */

struct vmcb_seg {
	u16 selector;
	u16 attrib;
	u32 limit;
	u64 base;
} __packed;

struct vmcb_control {
	u32 intercept_cr;         /* 0x000: 15:0 reads, 31:16 writes */
	u32 intercept_dr;         /* 0x004 */
	u32 intercept_exceptions; /* 0x008: one bit per vector */
	u32 intercept_misc1;      /* 0x00c: SVM_INTERCEPT1_* */
	u32 intercept_misc2;      /* 0x010: SVM_INTERCEPT2_* */
	u32 intercept_misc3;      /* 0x014 */
	u8 reserved_018[0x03c - 0x018];
	u16 pause_filter_thresh;  /* 0x03c */
	u16 pause_filter_count;   /* 0x03e */
	u64 iopm_base_pa;         /* 0x040 */
	u64 msrpm_base_pa;        /* 0x048 */
	u64 tsc_offset;           /* 0x050 */
	u32 asid;                 /* 0x058 */
	u8 tlb_control;           /* 0x05c: TLB_CONTROL_* */
	u8 reserved_05d[3];
	u64 int_ctl;              /* 0x060: V_TPR, V_IRQ, V_INTR_MASKING... */
	u64 int_state;            /* 0x068: interrupt shadow */
	u64 exit_code;            /* 0x070 */
	u64 exit_info1;           /* 0x078 */
	u64 exit_info2;           /* 0x080 */
	u64 exit_int_info;        /* 0x088 */
	u64 np_control;           /* 0x090: NP_ENABLE... */
	u64 avic_apic_bar;        /* 0x098 */
	u64 ghcb_gpa;             /* 0x0a0 */
	u64 event_inj;            /* 0x0a8 */
	u64 ncr3;                 /* 0x0b0 */
	u64 virt_ext;             /* 0x0b8: LBR virtualization, VMSAVE/VMLOAD virt. */
	u32 clean;                /* 0x0c0: VMCB clean bits */
	u32 reserved_0c4;
	u64 next_rip;             /* 0x0c8: nRIP (NRIPS) */
	u8 insn_len;              /* 0x0d0: bytes fetched (decode assists) */
	u8 insn_bytes[15];        /* 0x0d1 */
	u64 avic_backing_page;    /* 0x0e0 */
	u8 reserved_0e8[8];
	u64 avic_logical_id;      /* 0x0f0 */
	u64 avic_physical_id;     /* 0x0f8 */
	u8 reserved_100[8];
	u64 vmsa_pa;              /* 0x108 */
	u8 reserved_110[0x400 - 0x110];
} __packed;

struct vmcb_save {
	struct vmcb_seg es;       /* 0x000 */
	struct vmcb_seg cs;       /* 0x010 */
	struct vmcb_seg ss;       /* 0x020 */
	struct vmcb_seg ds;       /* 0x030 */
	struct vmcb_seg fs;       /* 0x040 */
	struct vmcb_seg gs;       /* 0x050 */
	struct vmcb_seg gdtr;     /* 0x060 */
	struct vmcb_seg ldtr;     /* 0x070 */
	struct vmcb_seg idtr;     /* 0x080 */
	struct vmcb_seg tr;       /* 0x090 */
	u8 reserved_0a0[0x0cb - 0x0a0];
	u8 cpl;                   /* 0x0cb */
	u32 reserved_0cc;
	u64 efer;                 /* 0x0d0 */
	u8 reserved_0d8[0x148 - 0x0d8];
	u64 cr4;                  /* 0x148 */
	u64 cr3;                  /* 0x150 */
	u64 cr0;                  /* 0x158 */
	u64 dr7;                  /* 0x160 */
	u64 dr6;                  /* 0x168 */
	u64 rflags;               /* 0x170 */
	u64 rip;                  /* 0x178 */
	u8 reserved_180[0x1d8 - 0x180];
	u64 rsp;                  /* 0x1d8 */
	u64 s_cet;                /* 0x1e0 */
	u64 ssp;                  /* 0x1e8 */
	u64 isst_addr;            /* 0x1f0 */
	u64 rax;                  /* 0x1f8 */
	u64 star;                 /* 0x200 */
	u64 lstar;                /* 0x208 */
	u64 cstar;                /* 0x210 */
	u64 sfmask;               /* 0x218 */
	u64 kernel_gs_base;       /* 0x220 */
	u64 sysenter_cs;          /* 0x228 */
	u64 sysenter_esp;         /* 0x230 */
	u64 sysenter_eip;         /* 0x238 */
	u64 cr2;                  /* 0x240 */
	u8 reserved_248[0x268 - 0x248];
	u64 g_pat;                /* 0x268 */
	u64 dbgctl;               /* 0x270 */
	u64 br_from;              /* 0x278 */
	u64 br_to;                /* 0x280 */
	u64 last_excp_from;       /* 0x288 */
	u64 last_excp_to;         /* 0x290 */
} __packed;

#define VMCB_SAVE_OFFSET 0x400

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
	u8 reserved[VMCB_SIZE - VMCB_SAVE_OFFSET - sizeof(struct vmcb_save)];
} __packed;

#define VMCB_ASSERT(s, f, off) _Static_assert(offsetof(struct s, f) == (off), #s "." #f)
VMCB_ASSERT(vmcb_control, intercept_misc2, 0x010);
VMCB_ASSERT(vmcb_control, pause_filter_thresh, 0x03c);
VMCB_ASSERT(vmcb_control, iopm_base_pa, 0x040);
VMCB_ASSERT(vmcb_control, tsc_offset, 0x050);
VMCB_ASSERT(vmcb_control, asid, 0x058);
VMCB_ASSERT(vmcb_control, tlb_control, 0x05c);
VMCB_ASSERT(vmcb_control, int_ctl, 0x060);
VMCB_ASSERT(vmcb_control, exit_code, 0x070);
VMCB_ASSERT(vmcb_control, exit_int_info, 0x088);
VMCB_ASSERT(vmcb_control, np_control, 0x090);
VMCB_ASSERT(vmcb_control, event_inj, 0x0a8);
VMCB_ASSERT(vmcb_control, ncr3, 0x0b0);
VMCB_ASSERT(vmcb_control, clean, 0x0c0);
VMCB_ASSERT(vmcb_control, next_rip, 0x0c8);
VMCB_ASSERT(vmcb_control, insn_bytes, 0x0d1);
VMCB_ASSERT(vmcb_control, avic_backing_page, 0x0e0);
VMCB_ASSERT(vmcb_control, vmsa_pa, 0x108);
VMCB_ASSERT(vmcb_save, gdtr, 0x060);
VMCB_ASSERT(vmcb_save, tr, 0x090);
VMCB_ASSERT(vmcb_save, cpl, 0x0cb);
VMCB_ASSERT(vmcb_save, efer, 0x0d0);
VMCB_ASSERT(vmcb_save, cr4, 0x148);
VMCB_ASSERT(vmcb_save, rflags, 0x170);
VMCB_ASSERT(vmcb_save, rip, 0x178);
VMCB_ASSERT(vmcb_save, rsp, 0x1d8);
VMCB_ASSERT(vmcb_save, rax, 0x1f8);
VMCB_ASSERT(vmcb_save, kernel_gs_base, 0x220);
VMCB_ASSERT(vmcb_save, cr2, 0x240);
VMCB_ASSERT(vmcb_save, g_pat, 0x268);
VMCB_ASSERT(vmcb_save, last_excp_to, 0x290);
VMCB_ASSERT(vmcb, save, VMCB_SAVE_OFFSET);
_Static_assert(sizeof(struct vmcb_control) == VMCB_SAVE_OFFSET, "VMCB control area size");
_Static_assert(sizeof(struct vmcb) == VMCB_SIZE, "VMCB is one page");

/* ---- intercepts ---- */
#define SVM_INTERCEPT_CR_READ(n) BIT(n)
#define SVM_INTERCEPT_CR_WRITE(n) BIT(16 + (n))

/* Vector 3 (VMCB 0x00c) */
#define SVM_INTERCEPT1_INTR BIT(0)
#define SVM_INTERCEPT1_NMI BIT(1)
#define SVM_INTERCEPT1_SMI BIT(2)
#define SVM_INTERCEPT1_INIT BIT(3)
#define SVM_INTERCEPT1_VINTR BIT(4)
#define SVM_INTERCEPT1_CR0_SEL_WRITE BIT(5)
#define SVM_INTERCEPT1_RDTSC BIT(14)
#define SVM_INTERCEPT1_RDPMC BIT(15)
#define SVM_INTERCEPT1_CPUID BIT(18)
#define SVM_INTERCEPT1_RSM BIT(19)
#define SVM_INTERCEPT1_IRET BIT(20)
#define SVM_INTERCEPT1_INTN BIT(21)
#define SVM_INTERCEPT1_INVD BIT(22)
#define SVM_INTERCEPT1_PAUSE BIT(23)
#define SVM_INTERCEPT1_HLT BIT(24)
#define SVM_INTERCEPT1_INVLPG BIT(25)
#define SVM_INTERCEPT1_INVLPGA BIT(26)
#define SVM_INTERCEPT1_IOIO_PROT BIT(27)
#define SVM_INTERCEPT1_MSR_PROT BIT(28)
#define SVM_INTERCEPT1_TASK_SWITCH BIT(29)
#define SVM_INTERCEPT1_FERR_FREEZE BIT(30)
#define SVM_INTERCEPT1_SHUTDOWN BIT(31)

/* Vector 4 (VMCB 0x010) */
#define SVM_INTERCEPT2_VMRUN BIT(0)
#define SVM_INTERCEPT2_VMMCALL BIT(1)
#define SVM_INTERCEPT2_VMLOAD BIT(2)
#define SVM_INTERCEPT2_VMSAVE BIT(3)
#define SVM_INTERCEPT2_STGI BIT(4)
#define SVM_INTERCEPT2_CLGI BIT(5)
#define SVM_INTERCEPT2_SKINIT BIT(6)
#define SVM_INTERCEPT2_RDTSCP BIT(7)
#define SVM_INTERCEPT2_ICEBP BIT(8)
#define SVM_INTERCEPT2_WBINVD BIT(9)
#define SVM_INTERCEPT2_MONITOR BIT(10)
#define SVM_INTERCEPT2_MWAIT BIT(11)
#define SVM_INTERCEPT2_MWAIT_COND BIT(12)
#define SVM_INTERCEPT2_XSETBV BIT(13)
#define SVM_INTERCEPT2_RDPRU BIT(14)

/* ---- int_ctl (0x060), int_state (0x068), np_control (0x090) ---- */
#define SVM_INT_CTL_V_TPR_MASK 0xFFull
#define SVM_INT_CTL_V_IRQ BIT(8)
#define SVM_INT_CTL_V_GIF BIT(9)
#define SVM_INT_CTL_V_INTR_MASKING BIT(24)
#define SVM_INT_CTL_V_GIF_ENABLE BIT(25)
#define SVM_INT_STATE_SHADOW BIT(0)
#define SVM_NP_ENABLE BIT(0)

/* ---- TLB_CONTROL (0x05c) ---- */
#define TLB_CONTROL_DO_NOTHING 0
#define TLB_CONTROL_FLUSH_ALL 1       /* every ASID: always available */
#define TLB_CONTROL_FLUSH_ASID 3      /* this guest's ASID: FlushByAsid */
#define TLB_CONTROL_FLUSH_ASID_LOCAL 7 /* non-global entries of this ASID */

/* ---- exit codes ---- */
#define SVM_EXIT_READ_CR0 0x000
#define SVM_EXIT_WRITE_CR0 0x010
#define SVM_EXIT_WRITE_CR4 0x014
#define SVM_EXIT_WRITE_CR8 0x018
#define SVM_EXIT_CR_LAST 0x01f
#define SVM_EXIT_EXCP_BASE 0x040
#define SVM_EXIT_EXCP_LAST 0x05f
#define SVM_EXIT_INTR 0x060
#define SVM_EXIT_NMI 0x061
#define SVM_EXIT_SMI 0x062
#define SVM_EXIT_INIT 0x063
#define SVM_EXIT_VINTR 0x064
#define SVM_EXIT_CR0_SEL_WRITE 0x065
#define SVM_EXIT_RDTSC 0x06e
#define SVM_EXIT_RDPMC 0x06f
#define SVM_EXIT_CPUID 0x072
#define SVM_EXIT_RSM 0x073
#define SVM_EXIT_IRET 0x074
#define SVM_EXIT_SWINT 0x075
#define SVM_EXIT_INVD 0x076
#define SVM_EXIT_PAUSE 0x077
#define SVM_EXIT_HLT 0x078
#define SVM_EXIT_INVLPG 0x079
#define SVM_EXIT_INVLPGA 0x07a
#define SVM_EXIT_IOIO 0x07b
#define SVM_EXIT_MSR 0x07c
#define SVM_EXIT_TASK_SWITCH 0x07d
#define SVM_EXIT_FERR_FREEZE 0x07e
#define SVM_EXIT_SHUTDOWN 0x07f
#define SVM_EXIT_VMRUN 0x080
#define SVM_EXIT_VMMCALL 0x081
#define SVM_EXIT_VMLOAD 0x082
#define SVM_EXIT_VMSAVE 0x083
#define SVM_EXIT_STGI 0x084
#define SVM_EXIT_CLGI 0x085
#define SVM_EXIT_SKINIT 0x086
#define SVM_EXIT_RDTSCP 0x087
#define SVM_EXIT_ICEBP 0x088
#define SVM_EXIT_WBINVD 0x089
#define SVM_EXIT_MONITOR 0x08a
#define SVM_EXIT_MWAIT 0x08b
#define SVM_EXIT_MWAIT_COND 0x08c
#define SVM_EXIT_XSETBV 0x08d
#define SVM_EXIT_RDPRU 0x08e
#define SVM_EXIT_NPF 0x400
#define SVM_EXIT_INVALID 0xffffffffu /* compare the low 32 bits only */
#define SVM_EXIT_CODE_MASK 0xffffffffull

/* MOV CRn exits with decode assists: EXITINFO1 */
#define SVM_CR_INFO_MOV BIT(63)  /* MOV CRn (clear for LMSW / CLTS) */
#define SVM_CR_INFO_GPR_MASK 0xFull

/* IOIO EXITINFO1 */
#define SVM_IOIO_TYPE_IN BIT(0)
#define SVM_IOIO_STR BIT(2)
#define SVM_IOIO_REP BIT(3)
#define SVM_IOIO_SZ8 BIT(4)
#define SVM_IOIO_SZ16 BIT(5)
#define SVM_IOIO_SZ32 BIT(6)
#define SVM_IOIO_A16 BIT(7)
#define SVM_IOIO_A32 BIT(8)
#define SVM_IOIO_A64 BIT(9)
#define SVM_IOIO_SEG_SHIFT 10 /* decode assists: 0 ES .. 5 GS */
#define SVM_IOIO_SEG_MASK (7ull << SVM_IOIO_SEG_SHIFT)
#define SVM_IOIO_PORT_SHIFT 16
#define SVM_IOIO_PORT_MASK (0xFFFFull << SVM_IOIO_PORT_SHIFT)

/* MSR EXITINFO1 */
#define SVM_MSR_INFO_WRITE 1

/* #NPF EXITINFO1 (a #PF error code plus two walk bits) */
#define SVM_NPF_P BIT(0)
#define SVM_NPF_RW BIT(1)
#define SVM_NPF_US BIT(2)
#define SVM_NPF_RSVD BIT(3)
#define SVM_NPF_ID BIT(4)
#define SVM_NPF_GUEST_FINAL BIT(32) /* fault on the final guest-physical access */
#define SVM_NPF_GUEST_TABLE BIT(33) /* fault while walking the guest's tables */

/* EVENTINJ (0x0a8) and EXITINTINFO (0x088) share one layout. */
#define SVM_EVT_VECTOR_MASK 0xFFull
#define SVM_EVT_TYPE_SHIFT 8
#define SVM_EVT_TYPE_MASK (7ull << SVM_EVT_TYPE_SHIFT)
#define SVM_EVT_TYPE_INTR 0
#define SVM_EVT_TYPE_NMI 2
#define SVM_EVT_TYPE_EXCEPTION 3
#define SVM_EVT_TYPE_SOFT_INT 4
#define SVM_EVT_EV BIT(11) /* error code valid */
#define SVM_EVT_VALID BIT(31)
#define SVM_EVT_ERROR_SHIFT 32

/* Guest PAT: WB, WT, UC-, UC, WB, WT, UC-, UC (the reset value). */
#define SVM_GUEST_PAT_DEFAULT 0x0007040600070406ull

/* I/O and MSR permission maps */
#define SVM_IOPM_BYTES (12 * KiB(1))
#define SVM_IOPM_ORDER 2 /* 16 KiB block; 12 KiB are used */
#define SVM_MSRPM_BYTES (8 * KiB(1))
#define SVM_MSRPM_ORDER 1

/* ---- the backend's public face ---- */
extern const struct virt_ops svm_ops;
/* SVM present, not disabled by firmware (VM_CR.SVMDIS), with NPT. */
bool svm_supported(void);

#endif
