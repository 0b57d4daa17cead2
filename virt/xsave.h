/* SPDX-License-Identifier: MIT */
/*
 * Guest extended state: XSETBV emulation and switching XCR0 and the
 * FPU/SSE/AVX registers between vCPUs that share a physical CPU. Tern itself
 * never touches these registers (it is built with -mgeneral-regs-only), so a
 * guest's state stays loaded until another vCPU runs on the same CPU.
 */
#ifndef TERN_VIRT_XSAVE_H
#define TERN_VIRT_XSAVE_H

#include "virt/vcpu_ops.h"

#define XCR0_X87 BIT(0)
#define XCR0_SSE BIT(1)
#define XCR0_AVX BIT(2)

/* Per physical CPU: enable CR4.OSFXSR/OSXSAVE so guest state can be switched. */
void xsave_cpu_init(void);
int handle_xsetbv(struct vcpu *v);
/* Make 'v's extended state the live one on this CPU (before entry). */
void xsave_switch_to(struct vcpu *v);
/* Right after an exit of the live vCPU 'v': pick up its XCR0 from the CPU. */
void xsave_after_exit(struct vcpu *v);
int xsave_vcpu_init(struct vcpu *v);
void xsave_vcpu_free(struct vcpu *v);

#endif
