/* SPDX-License-Identifier: MIT */
/*
 * Shared by the VM-entry checkers (vmx_diag*.c): a message buffer and the
 * DIAG_RULE macro, which formats the broken rule and returns it.
 */
#ifndef TERN_ARCH_X86_VMX_VMX_DIAG_H
#define TERN_ARCH_X86_VMX_VMX_DIAG_H

#include "lib/format.h"
#include "lib/types.h"

struct diag_buf {
	char *buf;
	size_t len;
};

/* If 'ok' is false: write the message and return it from the checker. */
#define DIAG_RULE(d, ok, ...)                                  \
	do {                                                   \
		if (!(ok)) {                                   \
			snformat((d)->buf, (d)->len, __VA_ARGS__); \
			return (d)->buf;                       \
		}                                              \
	} while (0)

#define EXC_NMI_VECTOR 2
#define EXCEPTION_VECTORS_MAX 32

u64 vmx_phys_addr_mask(void);
bool vmx_canonical(u64 va);
bool vmx_pat_valid(u64 pat);
/* The first broken rule (written into d), or NULL. */
const char *vmx_check_host_state(struct diag_buf *d);
const char *vmx_check_guest_state(struct diag_buf *d);

#endif
