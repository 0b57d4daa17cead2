/* SPDX-License-Identifier: MIT */
/*
 * Why did VMRUN fail? VMEXIT_INVALID carries no detail, so after one the
 * backend runs the APM's VMRUN consistency checks (Vol. 2, 15.5.1
 * "Canonicalization and Consistency Checks") on the VMCB and names the first
 * rule broken. Guest state checks first, in the APM's order, then control
 * area checks.
 */
#include "arch/x86/cr.h"
#include "arch/x86/idt.h"
#include "arch/x86/msr.h"
#include "arch/x86/svm/svm_internal.h"

#define CR0_MBZ	       GENMASK(63, 32)
#define CR3_MBZ_LONG   GENMASK(63, 52)
#define CR3_MBZ_LEGACY GENMASK(63, 32)
#define CR4_MBZ	       (GENMASK(63, 32) | BIT(15))
#define DR6_MBZ	       GENMASK(63, 32)
#define DR7_MBZ	       GENMASK(63, 32)
/* EFER bits with no definition: 7:1, 9, 16, 19, 63:22. */
#define EFER_MBZ	     (GENMASK(7, 1) | BIT(9) | BIT(16) | BIT(19) | GENMASK(63, 22))
#define PAT_ENTRIES	     8
#define PAT_ENTRY_BITS	     8
#define PAT_TYPE_MASK	     0xFFull
#define PAT_VALID_TYPES	     (BIT(0) | BIT(1) | BIT(4) | BIT(5) | BIT(6) | BIT(7))
#define NMI_VECTOR	     2
#define MAX_EXCEPTION_VECTOR 31

static bool pat_bad(u64 pat)
{
	for (int i = 0; i < PAT_ENTRIES; i++) {
		u64 type = (pat >> (i * PAT_ENTRY_BITS)) & PAT_TYPE_MASK;

		if (type >= 64 || !(PAT_VALID_TYPES & BIT(type)))
			return true;
	}
	return false;
}

static const char *check_save(const struct vmcb_save *s)
{
	bool lme_pg = (s->efer & EFER_LME) && (s->cr0 & CR0_PG);

	if (!(s->efer & EFER_SVME))
		return "EFER.SVME is clear";
	if (!(s->cr0 & CR0_CD) && (s->cr0 & CR0_NW))
		return "CR0.CD is clear while CR0.NW is set";
	if (s->cr0 & CR0_MBZ)
		return "CR0[63:32] is not zero";
	if (s->cr3 & (lme_pg ? CR3_MBZ_LONG : CR3_MBZ_LEGACY))
		return "a must-be-zero bit of CR3 is set";
	if (s->cr4 & CR4_MBZ)
		return "a must-be-zero bit of CR4 is set";
	if (s->dr6 & DR6_MBZ)
		return "DR6[63:32] is not zero";
	if (s->dr7 & DR7_MBZ)
		return "DR7[63:32] is not zero";
	if (s->efer & EFER_MBZ)
		return "a must-be-zero bit of EFER is set";
	if (lme_pg && !(s->cr4 & CR4_PAE))
		return "EFER.LME and CR0.PG are set but CR4.PAE is clear";
	if (lme_pg && (s->cr4 & CR4_PAE) && !(s->cr0 & CR0_PE))
		return "EFER.LME, CR0.PG and CR4.PAE are set but CR0.PE is clear";
	if (lme_pg && (s->cr4 & CR4_PAE) && (s->cs.attrib & VMCB_ATTR_L) &&
	    (s->cs.attrib & VMCB_ATTR_DB))
		return "long mode with both CS.L and CS.D set";
	if ((s->cr0 & CR0_PG) && !(s->cr0 & CR0_PE))
		return "CR0.PG is set without CR0.PE";
	return NULL;
}

static const char *check_event_inj(u64 inj)
{
	u64 type = (inj & SVM_EVT_TYPE_MASK) >> SVM_EVT_TYPE_SHIFT;
	u64 vector = inj & SVM_EVT_VECTOR_MASK;

	if (!(inj & SVM_EVT_VALID))
		return NULL;
	if (type != SVM_EVT_TYPE_INTR && type != SVM_EVT_TYPE_NMI &&
	    type != SVM_EVT_TYPE_EXCEPTION && type != SVM_EVT_TYPE_SOFT_INT)
		return "EVENTINJ has a reserved event type";
	if (type == SVM_EVT_TYPE_EXCEPTION &&
	    (vector == NMI_VECTOR || vector > MAX_EXCEPTION_VECTOR))
		return "EVENTINJ injects an exception with vector 2 or above 31";
	return NULL;
}

static const char *check_control(const struct vmcb_control *c, const struct vmcb_save *s)
{
	u64 limit = svm_caps.phys_bits < 64 ? BIT(svm_caps.phys_bits) : ~0ull;

	if (!(c->intercept_misc2 & SVM_INTERCEPT2_VMRUN))
		return "the VMRUN intercept is clear";
	if (c->asid == 0)
		return "the guest ASID is 0";
	if (c->iopm_base_pa + SVM_IOPM_BYTES > limit)
		return "the I/O permission map extends past the physical address width";
	if (c->msrpm_base_pa + SVM_MSRPM_BYTES > limit)
		return "the MSR permission map extends past the physical address width";
	if (check_event_inj(c->event_inj))
		return check_event_inj(c->event_inj);
	if ((c->np_control & SVM_NP_ENABLE) && c->ncr3 >= limit)
		return "nCR3 has bits above the physical address width";
	if ((c->np_control & SVM_NP_ENABLE) && pat_bad(s->g_pat))
		return "nested paging with an invalid guest PAT";
	return NULL;
}

/* The first broken VMRUN rule, or NULL when none of the known ones is. */
const char *svm_check_vmcb(const struct vmcb_control *c, const struct vmcb_save *s)
{
	const char *why = check_save(s);

	return why ? why : check_control(c, s);
}
