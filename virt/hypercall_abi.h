/* SPDX-License-Identifier: MIT */
/*
 * Tern's hypercall ABI, shared by Tern and the guest library (no kernel
 * types, only <stdint.h>). A guest executes VMCALL (Intel) or VMMCALL (AMD)
 * with RAX = call number and RBX, RCX, RDX, RSI = arguments; the result is
 * returned in RAX, negative values being errors. In 32-bit guests the
 * registers are used as their low 32 bits and the result is sign-extended.
 */
#ifndef TERN_VIRT_HYPERCALL_ABI_H
#define TERN_VIRT_HYPERCALL_ABI_H

#include <stdint.h>

enum tern_hypercall {
	TERN_HC_VERSION = 0,     /* -> TERN_HC_ABI_VERSION */
	TERN_HC_PUTS = 1,        /* RBX = gpa of a NUL-terminated string, RCX = max length */
	TERN_HC_EXIT = 2,        /* RBX = VM status (1 = success); does not return */
	TERN_HC_STATS = 3,       /* RBX = gpa of a buffer, RCX = size -> bytes written */
	TERN_HC_MEMSLOT = 4,     /* reserved for runtime memory slots */
	TERN_HC_GET_TSC_KHZ = 5, /* -> host TSC frequency in kHz */
};

#define TERN_HC_ABI_VERSION 1
#define TERN_HC_PUTS_MAX 1024

#define TERN_HC_OK 0
#define TERN_HC_EFAULT (-14)     /* an argument address is not guest RAM */
#define TERN_HC_EINVAL (-22)     /* an argument is out of range */
#define TERN_HC_EUNKNOWN (-1000) /* no such call */

#define TERN_STATS_EXIT_KINDS 32

struct tern_vm_stats {
	uint64_t exits_total;
	uint64_t exits_by_kind[TERN_STATS_EXIT_KINDS]; /* indexed by Tern's exit kind */
	uint64_t tsc_in_guest;
	uint64_t tsc_in_tern;
};

#endif
