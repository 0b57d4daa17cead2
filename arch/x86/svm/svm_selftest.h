/* SPDX-License-Identifier: MIT */
/*
 * Shared between the SVM self-test and its guest code: the guest-physical
 * layout of the test VM and the labels inside the guest code blobs.
 */
#ifndef TERN_ARCH_X86_SVM_SVM_SELFTEST_H
#define TERN_ARCH_X86_SVM_SVM_SELFTEST_H

#include "lib/types.h"

#define ST_GUEST_ORDER 4          /* 16 pages: GPA 0..64 KiB */
#define ST_DATA_GPA 0x600         /* results the guest stores */
#define ST_LM_DATA_GPA 0x700
#define ST_NULL_IDTR_GPA 0x7f0    /* 6 zero bytes: an empty IDT */
#define ST_GDT_GPA 0x800
#define ST_IDT_GPA 0x900
#define ST_RM_GPA 0x1000
#define ST_PM_GPA 0x2000
#define ST_PML4_GPA 0x3000
#define ST_PDPT_GPA 0x4000
#define ST_PD_GPA 0x5000
#define ST_LM_GPA 0x6000
#define ST_STACK_TOP 0xF000
#define ST_UNMAPPED_GPA32 0x12345000 /* no NPT mapping */
#define ST_UNMAPPED_GPA64 0x200000   /* guest-mapped, no NPT mapping */
#define ST_PM_LOOPS 1000             /* CPUID exits timed */

#define SVM_ST_LABELS(X) \
	X(rm_start) \
	X(rm_cpuid) \
	X(rm_cpuid_end) \
	X(rm_out80) \
	X(rm_out80_end) \
	X(rm_outdx) \
	X(rm_outdx_end) \
	X(rm_in71) \
	X(rm_in71_end) \
	X(rm_rdmsr) \
	X(rm_rdmsr_end) \
	X(rm_vmmcall) \
	X(rm_vmmcall_end) \
	X(rm_hlt) \
	X(rm_hlt_end) \
	X(rm_end) \
	X(pm_start) \
	X(pm_movcr0) \
	X(pm_movcr0_end) \
	X(pm_vmrun) \
	X(pm_vmrun_end) \
	X(pm_wbinvd) \
	X(pm_wbinvd_end) \
	X(pm_loop) \
	X(pm_cpuid) \
	X(pm_cpuid_end) \
	X(pm_npf) \
	X(pm_npf_end) \
	X(pm_ud2) \
	X(pm_ud2_end) \
	X(pm_int80) \
	X(pm_int80_end) \
	X(pm_hlt) \
	X(pm_hlt_end) \
	X(pm_hlt2) \
	X(pm_hlt2_end) \
	X(pm_tf) \
	X(pm_tf_end) \
	X(pm_handler_ud) \
	X(pm_hud_vmmcall) \
	X(pm_hud_vmmcall_end) \
	X(pm_handler_80) \
	X(pm_h80_vmmcall) \
	X(pm_h80_vmmcall_end) \
	X(pm_end) \
	X(lm_start) \
	X(lm_vmmcall) \
	X(lm_vmmcall_end) \
	X(lm_rdmsr) \
	X(lm_rdmsr_end) \
	X(lm_npf) \
	X(lm_npf_end) \
	X(lm_hlt) \
	X(lm_hlt_end) \
	X(lm_end)

#define X(n) extern const u8 svm_st_##n[];
SVM_ST_LABELS(X)
#undef X

#endif
