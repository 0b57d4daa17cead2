/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the vendor-neutral virtualization core: the memory-slot
 * table, control-register and MSR validation (through a fake backend that
 * keeps the guest state in plain variables), RIP advance by mode, exception
 * merging into #DF and triple faults, and the curated CPUID.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "virt/cpuid.h"
#include "virt/cr.h"
#include "virt/memslot.h"
#include "virt/msr.h"
#include "virt/virt_ops.h"
#include "virt/vm.h"

/* ---- a fake backend: guest state in variables ---- */
static u64 f_cr[9], f_efer;
static struct segment f_seg[NR_SEGS];
static int f_flushes, f_cpl;
static u64 f_msr_pat;

static u64 fake_get_cr(struct vcpu *v, int cr)
{
	(void)v;
	return f_cr[cr];
}
static void fake_set_cr(struct vcpu *v, int cr, u64 val)
{
	(void)v;
	f_cr[cr] = val;
}
static u64 fake_get_efer(struct vcpu *v)
{
	(void)v;
	return f_efer;
}
static void fake_set_efer(struct vcpu *v, u64 val)
{
	(void)v;
	f_efer = val;
}
static void fake_get_segment(struct vcpu *v, enum seg s, struct segment *out)
{
	(void)v;
	*out = f_seg[s];
}
static void fake_flush(struct vcpu *v)
{
	(void)v;
	f_flushes++;
}
static int fake_cpl(struct vcpu *v)
{
	(void)v;
	return f_cpl;
}
static bool fake_get_msr(struct vcpu *v, u32 index, u64 *val)
{
	(void)v;
	if (index != MSR_IA32_PAT)
		return false;
	*val = f_msr_pat;
	return true;
}
static bool fake_set_msr(struct vcpu *v, u32 index, u64 val)
{
	(void)v;
	if (index != MSR_IA32_PAT)
		return false;
	f_msr_pat = val;
	return true;
}
static void fake_tsc_offset(struct vcpu *v, u64 off)
{
	(void)v;
	(void)off;
}

struct virt_ops virt_ops = {
	.name = "fake", .get_cr = fake_get_cr, .set_cr = fake_set_cr,
	.get_efer = fake_get_efer, .set_efer = fake_set_efer,
	.get_segment = fake_get_segment, .flush_guest_tlb = fake_flush, .get_cpl = fake_cpl,
	.get_msr = fake_get_msr, .set_msr = fake_set_msr, .set_tsc_offset = fake_tsc_offset,
};

/* ---- what the core needs from the rest of Tern ---- */
static int stops, last_status;
void vm_stop(struct vm *vm, int status, const char *fmt, ...)
{
	(void)vm;
	(void)fmt;
	stops++;
	last_status = status;
}
int guest_insn_length(struct vcpu *v, u32 *len)
{
	(void)v;
	*len = 3; /* the tests' "decoded" instruction length */
	return 0;
}
int guest_decode_cr_access(struct vcpu *v)
{
	(void)v;
	return -1;
}
u64 lapic_stub_apic_base(struct vcpu *v)
{
	(void)v;
	return 0xFEE00900;
}
int lapic_stub_set_apic_base(struct vcpu *v, u64 val)
{
	(void)v;
	return val == 0xFEE00900 ? 0 : -E_INVAL;
}

static struct vm vm;
static struct vcpu vcpu;

#define AR_CODE (SEG_AR_TYPE_CODE | SEG_AR_S | SEG_AR_P)

static void set_mode(enum guest_mode m)
{
	memset(f_cr, 0, sizeof(f_cr));
	f_efer = 0;
	f_cr[0] = CR0_ET;
	f_seg[SEG_CS].ar = AR_CODE;
	switch (m) {
	case GUEST_MODE_LONG64:
		f_cr[0] |= CR0_PE | CR0_PG;
		f_cr[4] = CR4_PAE;
		f_efer = EFER_LME | EFER_LMA;
		f_seg[SEG_CS].ar |= SEG_AR_L;
		break;
	case GUEST_MODE_PROT32:
		f_cr[0] |= CR0_PE;
		f_seg[SEG_CS].ar |= SEG_AR_DB;
		break;
	default:
		break;
	}
}

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(&vcpu, 0, sizeof(vcpu));
	vcpu.vm = &vm;
	vm.nr_vcpus = 1;
	stops = 0;
	f_flushes = 0;
	f_cpl = 0;
	set_mode(GUEST_MODE_PROT32);
	return 0;
}

static void test_memslots(void **state)
{
	struct memslots s;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(memslot_insert(&s, 100, 10, 1, 0), 0);
	assert_int_equal(memslot_insert(&s, 0, 50, 2, 0), 0);
	assert_int_equal(memslot_insert(&s, 200, 1, 3, 0), 0);
	assert_int_equal(s.count, 3);
	assert_true(s.slots[0].base_gfn < s.slots[1].base_gfn && s.slots[1].base_gfn < s.slots[2].base_gfn);
	assert_int_equal(memslot_insert(&s, 105, 10, 4, 0), -E_OVERLAP);
	assert_int_equal(memslot_insert(&s, 45, 6, 4, 0), -E_OVERLAP);
	assert_int_equal(memslot_insert(&s, 50, 50, 1, 0), -E_EXIST);
	assert_int_equal(memslot_insert(&s, 50, 0, 5, 0), -E_INVAL);
	assert_int_equal(memslot_insert(&s, ~0ull - 2, 10, 5, 0), -E_INVAL);
	assert_int_equal(memslot_insert(&s, 50, 50, 5, 0), 0); /* exactly fills the gap */
	assert_ptr_equal(memslot_find(&s, 0)->base_gfn, 0);
	assert_int_equal(memslot_find(&s, 99)->id, 5);
	assert_int_equal(memslot_find(&s, 109)->id, 1);
	assert_null(memslot_find(&s, 110));
	assert_null(memslot_find(&s, 199));
	assert_int_equal(memslot_find(&s, 200)->id, 3);
	u64 gen = s.generation;
	assert_int_equal(memslot_remove(&s, 5), 0);
	assert_true(s.generation > gen);
	assert_null(memslot_find(&s, 60));
	assert_int_equal(memslot_remove(&s, 5), -E_NOENT);
	for (u32 i = s.count; i < MEMSLOTS_MAX; i++)
		assert_int_equal(memslot_insert(&s, 1000 + i * 2, 1, 100 + i, 0), 0);
	assert_int_equal(memslot_insert(&s, 5000, 1, 999, 0), -E_NOMEM);
}

static void test_cr0_rules(void **state)
{
	(void)state;
	set_mode(GUEST_MODE_PROT32);
	assert_int_equal(guest_write_cr(&vcpu, 0, CR0_PG), -E_INVAL);           /* PG without PE */
	assert_int_equal(guest_write_cr(&vcpu, 0, CR0_PE | CR0_NW), -E_INVAL);  /* NW without CD */
	assert_int_equal(guest_write_cr(&vcpu, 0, CR0_PE | BIT(32)), -E_INVAL); /* high bits */
	/* Low reserved bits are ignored, ET reads as one. */
	assert_int_equal(guest_write_cr(&vcpu, 0, CR0_PE | BIT(8)), 0);
	assert_int_equal(f_cr[0], CR0_PE | CR0_ET);
	/* Long mode: paging with LME but no PAE is refused; with PAE it sets LMA. */
	f_efer = EFER_LME;
	assert_int_equal(guest_write_cr(&vcpu, 0, CR0_PE | CR0_PG), -E_INVAL);
	f_cr[4] = CR4_PAE;
	assert_int_equal(guest_write_cr(&vcpu, 0, CR0_PE | CR0_PG), 0);
	assert_true(f_efer & EFER_LMA);
	assert_true(f_flushes > 0);
	/* Turning paging off in 64-bit code is refused; in compatibility mode it clears LMA. */
	f_seg[SEG_CS].ar |= SEG_AR_L;
	assert_int_equal(guest_write_cr(&vcpu, 0, CR0_PE), -E_INVAL);
	f_seg[SEG_CS].ar &= ~SEG_AR_L;
	assert_int_equal(guest_write_cr(&vcpu, 0, CR0_PE), 0);
	assert_false(f_efer & EFER_LMA);
}

static void test_cr4_rules(void **state)
{
	(void)state;
	set_mode(GUEST_MODE_PROT32);
	assert_int_equal(guest_write_cr(&vcpu, 4, CR4_VMXE), -E_INVAL); /* hidden VMX */
	assert_int_equal(guest_write_cr(&vcpu, 4, CR4_LA57), -E_INVAL);
	assert_int_equal(guest_write_cr(&vcpu, 4, CR4_SMXE), -E_INVAL);
	assert_int_equal(guest_write_cr(&vcpu, 4, BIT(40)), -E_INVAL);
	assert_int_equal(guest_write_cr(&vcpu, 4, CR4_PAE | CR4_PSE), 0);
	assert_int_equal(f_cr[4], CR4_PAE | CR4_PSE);
	set_mode(GUEST_MODE_LONG64);
	assert_int_equal(guest_write_cr(&vcpu, 4, 0), -E_INVAL); /* PAE off in long mode */
	assert_int_equal(guest_write_cr(&vcpu, 8, 16), -E_INVAL);
	assert_int_equal(guest_write_cr(&vcpu, 8, 15), 0);
	assert_int_equal(guest_write_cr(&vcpu, 3, BIT(60)), -E_INVAL);
}

static void test_msrs(void **state)
{
	u64 v;

	(void)state;
	assert_int_equal(guest_rdmsr(&vcpu, 0x12345678, &v), -E_NOENT);
	assert_int_equal(guest_wrmsr(&vcpu, 0xC0011234, 0), -E_NOENT);
	assert_int_equal(guest_wrmsr(&vcpu, MSR_FS_BASE, 0x0000800000000000ull), -E_INVAL);
	assert_int_equal(guest_wrmsr(&vcpu, MSR_LSTAR, 0xFFFF7FFFFFFFFFFFull), -E_INVAL);
	assert_int_equal(guest_wrmsr(&vcpu, MSR_IA32_PAT, 0x0202020202020202ull), -E_INVAL);
	assert_int_equal(guest_wrmsr(&vcpu, MSR_IA32_PAT, 0x0007040600070406ull), 0);
	assert_int_equal(f_msr_pat, 0x0007040600070406ull);
	assert_int_equal(guest_rdmsr(&vcpu, MSR_IA32_FEATURE_CONTROL, &v), 0);
	assert_int_equal(v, FEATURE_CONTROL_LOCKED); /* VMX locked off */
	assert_int_equal(guest_wrmsr(&vcpu, MSR_EFER, EFER_SVME), -E_INVAL); /* hidden SVM */
	assert_int_equal(guest_wrmsr(&vcpu, MSR_EFER, BIT(20)), -E_INVAL);
	assert_int_equal(guest_wrmsr(&vcpu, MSR_EFER, EFER_SCE | EFER_LME), 0);
	assert_int_equal(f_efer, EFER_SCE | EFER_LME);
	f_cr[0] |= CR0_PG; /* LME cannot change with paging on */
	assert_int_equal(guest_wrmsr(&vcpu, MSR_EFER, EFER_SCE), -E_INVAL);
	assert_int_equal(guest_wrmsr(&vcpu, MSR_IA32_APIC_BASE, 0xFEE00D00), -E_INVAL);
	assert_int_equal(guest_wrmsr(&vcpu, MSR_IA32_APIC_BASE, 0xFEE00900), 0);
}

static void test_rip_advance(void **state)
{
	(void)state;
	set_mode(GUEST_MODE_PROT32);
	vcpu.rip = 0xFFFFFFFE;
	vcpu.exit.insn_len = 3;
	assert_int_equal(vcpu_skip_instruction(&vcpu), 0);
	assert_int_equal(vcpu.rip, 1); /* 32-bit EIP wraps */
	set_mode(GUEST_MODE_REAL);
	vcpu.rip = 0xFFFF;
	vcpu.exit.insn_len = 0; /* decoded: the fake decoder says 3 */
	assert_int_equal(vcpu_skip_instruction(&vcpu), 0);
	assert_int_equal(vcpu.rip, 2);
	set_mode(GUEST_MODE_LONG64);
	vcpu.rip = 0x00007FFFFFFFFFFEull;
	vcpu.exit.insn_len = 2; /* ends exactly at the canonical boundary */
	memset(&vcpu.event, 0, sizeof(vcpu.event));
	assert_int_equal(vcpu_skip_instruction(&vcpu), -E_RANGE);
	assert_int_equal(vcpu.rip, 0x00007FFFFFFFFFFEull);
	assert_true(vcpu.event.valid && vcpu.event.vector == 13); /* #GP, not a bad VM entry */
}

static void test_exception_merging(void **state)
{
	(void)state;
	memset(&vcpu.event, 0, sizeof(vcpu.event));
	vcpu_inject_exception(&vcpu, 14, true, 2); /* #PF */
	vcpu_inject_exception(&vcpu, 13, true, 0); /* #GP while delivering it: #DF */
	assert_int_equal(vcpu.event.vector, 8);
	assert_true(vcpu.event.has_error);
	vcpu_inject_exception(&vcpu, 13, true, 0); /* and again: triple fault */
	assert_int_equal(stops, 1);
	assert_int_equal(last_status, VM_STATUS_TRIPLE_FAULT);
	memset(&vcpu.event, 0, sizeof(vcpu.event));
	vcpu_inject_exception(&vcpu, 3, false, 0); /* #BP then #UD: benign, #UD wins */
	vcpu_inject_exception(&vcpu, 6, false, 0);
	assert_int_equal(vcpu.event.vector, 6);
}

static void test_cpuid_curated(void **state)
{
	struct cpuid_regs r;

	(void)state;
	vm.nr_vcpus = 4;
	vcpu.id = 2;
	cpuid_for_guest(&vcpu, 1, 0, &r);
	assert_false(r.ecx & CPUID_1_ECX_VMX);
	assert_false(r.ecx & CPUID_1_ECX_X2APIC);
	assert_false(r.ecx & CPUID_1_ECX_TSC_DEADLINE);
	assert_true(r.ecx & CPUID_1_ECX_HYPERVISOR);
	assert_int_equal(r.ebx >> 24, 2); /* APIC ID = vCPU id */
	cpuid_for_guest(&vcpu, 0x80000001, 0, &r);
	assert_false(r.ecx & CPUID_EXT_ECX_SVM);
	cpuid_for_guest(&vcpu, 7, 0, &r);
	assert_false(r.ecx & BIT(16)); /* LA57 */
	cpuid_for_guest(&vcpu, 0xA, 0, &r);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0); /* no PMU */
	cpuid_for_guest(&vcpu, 0x40000000, 0, &r);
	assert_int_equal(r.eax, 0x40000001);
	assert_memory_equal(&r.ebx, "Tern", 4);
	assert_memory_equal(&r.ecx, "Tern", 4);
	assert_memory_equal(&r.edx, "Tern", 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_memslots, setup),
		cmocka_unit_test_setup(test_cr0_rules, setup),
		cmocka_unit_test_setup(test_cr4_rules, setup),
		cmocka_unit_test_setup(test_msrs, setup),
		cmocka_unit_test_setup(test_rip_advance, setup),
		cmocka_unit_test_setup(test_exception_merging, setup),
		cmocka_unit_test_setup(test_cpuid_curated, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
