/* SPDX-License-Identifier: MIT */
/*
 * XSETBV emulation and lazy switching of guest extended state. Each physical
 * CPU remembers whose state is loaded; only when a different vCPU is about to
 * run is the old state saved and the new one restored (XSAVE when the CPU has
 * it, FXSAVE otherwise).
 */
#include "virt/xsave.h"

#include "arch/x86/cpuid.h"
#include "arch/x86/cr.h"
#include "kernel/percpu.h"
#include "mm/buddy.h"
#include "virt/virt_ops.h"

#define CPUID_LEAF_XSAVE 0x0000000D
#define XCR0_BNDREGS BIT(3)
#define XCR0_BNDCSR BIT(4)
#define XCR0_AVX512 (BIT(5) | BIT(6) | BIT(7))
#define XSAVE_AREA_ORDER 0 /* 4 KiB holds every component Tern offers */
#define FXSAVE_FCW_DEFAULT 0x37F
#define FXSAVE_MXCSR_DEFAULT 0x1F80
#define FXSAVE_MXCSR_OFFSET 24
#define XSAVE_HEADER_OFFSET 512 /* XSTATE_BV, the first word of the header */

static struct vcpu *live_vcpu[MAX_CPUS];
static bool has_xsave;
static u64 xcr0_supported;

static void xsetbv(u32 index, u64 value)
{
	asm volatile("xsetbv" : : "c"(index), "a"((u32)value), "d"((u32)(value >> 32)));
}

void xsave_cpu_init(void)
{
	struct cpuid_regs r;

	has_xsave = cpu_has(CPUID_LEAF_FEATURES, CPUID_ECX, CPUID_1_ECX_XSAVE);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT | (has_xsave ? CR4_OSXSAVE : 0));
	if (!has_xsave)
		return;
	r = cpuid_count(CPUID_LEAF_XSAVE, 0);
	xcr0_supported = ((u64)r.edx << 32) | r.eax;
	xsetbv(0, XCR0_X87);
}

static bool xcr0_valid(u64 v)
{
	if (!(v & XCR0_X87) || (v & ~xcr0_supported))
		return false;
	if ((v & XCR0_AVX) && !(v & XCR0_SSE))
		return false;
	if (!!(v & XCR0_BNDREGS) != !!(v & XCR0_BNDCSR))
		return false;
	if ((v & XCR0_AVX512) && ((v & XCR0_AVX512) != XCR0_AVX512 || !(v & XCR0_AVX)))
		return false;
	return true;
}

int handle_xsetbv(struct vcpu *v)
{
	u64 value = ((v->gpr[GPR_RDX] & 0xFFFFFFFF) << 32) | (v->gpr[GPR_RAX] & 0xFFFFFFFF);

	if (!has_xsave || !(virt_ops.get_cr(v, 4) & CR4_OSXSAVE)) {
		vcpu_inject_ud(v);
		return 0;
	}
	if (virt_ops.get_cpl(v) != 0 || (u32)v->gpr[GPR_RCX] != 0 || !xcr0_valid(value)) {
		vcpu_inject_gp(v);
		return 0;
	}
	v->xcr0 = value;
	if (live_vcpu[this_cpu_id()] == v)
		xsetbv(0, value);
	return vcpu_skip_instruction(v);
}

static void save_state(struct vcpu *v)
{
	if (has_xsave)
		asm volatile("xsave64 (%0)" : : "r"(v->xsave_area), "a"(~0u), "d"(~0u) : "memory");
	else
		asm volatile("fxsave64 (%0)" : : "r"(v->xsave_area) : "memory");
}

static void restore_state(struct vcpu *v)
{
	if (has_xsave) {
		/*
		 * XSAVE leaves XSTATE_BV bits outside the XCR0 of the moment
		 * untouched, so a guest that shrank its XCR0 since an earlier save
		 * has stale bits there, which XRSTOR refuses with #GP.
		 */
		*(u64 *)((u8 *)v->xsave_area + XSAVE_HEADER_OFFSET) &= v->xcr0;
		xsetbv(0, v->xcr0);
		asm volatile("xrstor64 (%0)" : : "r"(v->xsave_area), "a"(~0u), "d"(~0u) : "memory");
	} else {
		asm volatile("fxrstor64 (%0)" : : "r"(v->xsave_area) : "memory");
	}
}

static u64 xgetbv0(void)
{
	u32 lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((u64)hi << 32) | lo;
}

void xsave_after_exit(struct vcpu *v)
{
	/*
	 * QEMU's SVM does not implement the XSETBV intercept, so a guest's XSETBV
	 * can change XCR0 without an exit; follow the hardware so the state is
	 * saved and restored with the XCR0 it was made under.
	 */
	if (has_xsave)
		v->xcr0 = xgetbv0();
}

void xsave_switch_to(struct vcpu *v)
{
	struct vcpu **live = &live_vcpu[this_cpu_id()];

	if (*live == v)
		return;
	if (*live)
		save_state(*live);
	restore_state(v);
	*live = v;
}

int xsave_vcpu_init(struct vcpu *v)
{
	u8 *area = page_alloc_zeroed_virt(XSAVE_AREA_ORDER);

	if (!area)
		return -E_NOMEM;
	/* The reset state: x87 control word and MXCSR defaults, XSTATE_BV = 0. */
	*(u16 *)area = FXSAVE_FCW_DEFAULT;
	*(u32 *)(area + FXSAVE_MXCSR_OFFSET) = FXSAVE_MXCSR_DEFAULT;
	v->xsave_area = area;
	v->xcr0 = XCR0_X87;
	return 0;
}

void xsave_vcpu_free(struct vcpu *v)
{
	for (u32 c = 0; c < MAX_CPUS; c++) {
		struct vcpu *expected = v;

		__atomic_compare_exchange_n(&live_vcpu[c], &expected, NULL, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
	}
	page_free_virt(v->xsave_area, XSAVE_AREA_ORDER);
	v->xsave_area = NULL;
}
