/* SPDX-License-Identifier: MIT */
/*
 * The vendor-neutral VM exit. A backend (arch/x86/vmx, arch/x86/svm) decodes
 * its hardware exit into one struct vm_exit; common code (virt/exits.c)
 * switches on the kind and handles it. Only the fields of the kind's union
 * member are valid.
 */
#ifndef TERN_VIRT_EXIT_H
#define TERN_VIRT_EXIT_H

#include "lib/types.h"

#define VM_EXIT_KINDS(X)                                                         \
	X(NONE, "none")                                                          \
	X(CPUID, "cpuid")                                                        \
	X(IO, "io")                                                              \
	X(MSR_READ, "rdmsr")                                                     \
	X(MSR_WRITE, "wrmsr")                                                    \
	X(HLT, "hlt")                                                            \
	X(HYPERCALL, "hypercall")                                                \
	X(CR_ACCESS, "cr")                                                       \
	X(XSETBV, "xsetbv")                                                      \
	X(INVD, "invd")                                                          \
	X(WBINVD, "wbinvd")                                                      \
	X(RDTSC, "rdtsc")                                                        \
	X(RDTSCP, "rdtscp")                                                      \
	X(VIRT_INSN, "virt-insn")        /* VMX/SVM instruction: #UD */          \
	X(PRIV_INSN, "priv-insn")        /* other intercepted insn: #UD/#GP */   \
	X(TDP_FAULT, "tdp-fault")        /* EPT violation / #NPF */              \
	X(TDP_MISCONFIG, "tdp-misconfig") /* EPT misconfig / #NPF with RSVD */   \
	X(EXCEPTION, "exception")        /* intercepted guest exception */       \
	X(EXTINT, "extint")              /* host interrupt arrived */            \
	X(NMI, "nmi")                                                            \
	X(PREEMPT, "preempt")            /* time slice over */                   \
	X(INTR_WINDOW, "intr-window")                                            \
	X(TRIPLE_FAULT, "triple-fault")  /* or SVM shutdown */                   \
	X(TASK_SWITCH, "task-switch")                                            \
	X(ENTRY_FAILED, "entry-failed")  /* VM entry / VMRUN refused the state */\
	X(UNHANDLED, "unhandled")        /* a raw reason common code can't use */

enum vm_exit_kind {
#define X(name, str) VM_EXIT_##name,
	VM_EXIT_KINDS(X)
#undef X
	VM_EXIT_NR_KINDS
};

const char *vm_exit_name(enum vm_exit_kind k);

enum cr_access_type {
	CR_ACCESS_WRITE,  /* MOV to CRn from gpr */
	CR_ACCESS_READ,   /* MOV from CRn to gpr */
	CR_ACCESS_CLTS,
	CR_ACCESS_LMSW,
	CR_ACCESS_UNKNOWN, /* backend could not decode: common code decodes */
};

struct vm_exit {
	enum vm_exit_kind kind;
	u32 insn_len;   /* length of the exiting instruction; 0 = unknown (decode) */
	u32 raw_reason; /* vendor exit code, for messages */
	u64 raw_qual;   /* vendor qualification / EXITINFO1 */
	union {
		struct {
			u16 port;
			u8 size;  /* 1, 2 or 4 bytes */
			bool in;
			bool string;
			bool rep;
			u8 addr_size; /* string forms: 2, 4 or 8 (0: unknown, decode) */
			u8 seg;       /* string OUTS source segment (enum seg) */
		} io;
		struct {
			u32 index;
		} msr;
		struct cr_exit_info {
			u8 cr;
			u8 gpr; /* register number in x86 encoding order */
			enum cr_access_type type;
			u16 lmsw_value;
		} cr;
		struct {
			u64 gpa;
			u64 gva;
			bool gva_valid;
			bool read, write, fetch;
			bool present;   /* the translation existed (permission fault) */
		} tdp;
		struct {
			u8 vector;
			bool has_error;
			u32 error_code;
			u64 cr2; /* #PF */
		} exc;
		struct {
			u32 hw_error; /* VM-instruction error or VMEXIT_INVALID detail */
			const char *why;
		} entry;
	};
};

#endif
