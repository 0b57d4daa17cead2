/* SPDX-License-Identifier: MIT */
/*
 * Access to guest memory the way the guest's own instructions see it:
 * linear addresses (segment base + offset) translated through the guest's
 * page tables with the guest's CR0/CR3/CR4/EFER. Faults come back as the
 * exception the guest should receive.
 */
#ifndef TERN_VIRT_GUEST_ACCESS_H
#define TERN_VIRT_GUEST_ACCESS_H

#include "lib/types.h"
#include "virt/gwalk.h"
#include "virt/vcpu.h"

/* The guest's paging registers and a gwalk_mem reaching its RAM. */
void guest_walk_context(struct vcpu *v, struct gwalk_regs *r, struct gwalk_mem *m);

/*
 * Copy to or from guest linear memory (already segment-adjusted), page by
 * page. On a translation fault the right #PF (or #GP) is injected and an
 * error returned; a gpa without RAM gives -E_NOENT without injecting.
 */
int guest_linear_read(struct vcpu *v, u64 la, void *buf, size_t len);
int guest_linear_write(struct vcpu *v, u64 la, const void *buf, size_t len);

#endif
