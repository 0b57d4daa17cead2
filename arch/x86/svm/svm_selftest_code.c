/* SPDX-License-Identifier: MIT */
/*
 * Guest code for the SVM self-test (svm_selftest.c), assembled into .rodata
 * and copied into guest memory: a real-mode part, a 32-bit protected-mode
 * part with an IDT, and a 64-bit part. A label before and after every
 * instruction that exits lets the test check RIP and advance it without
 * NRIPS. The blobs are position dependent only through the load addresses
 * below (ST_*_GPA), which the test uses.
 */
#include "arch/x86/svm/svm_selftest.h"

/* clang-format off */
#define L(name) ".globl " #name "\n" #name ":\n\t"

asm(".pushsection .rodata.svm_selftest, \"a\"\n"
    /* ---- real mode, loaded at ST_RM_GPA, CS base 0 ---- */
    ".code16\n"
    L(svm_st_rm_start)
    "movl $0x12345678, %eax\n\t"
    L(svm_st_rm_cpuid) "cpuid\n" L(svm_st_rm_cpuid_end)
    "movl %eax, 0x600\n\t"
    "movl %ebx, 0x604\n\t"
    "movl %ecx, 0x608\n\t"
    "movl %edx, 0x60c\n\t"
    "movb $0x42, %al\n\t"
    L(svm_st_rm_out80) "outb %al, $0x80\n" L(svm_st_rm_out80_end)
    "movw $0x3f8, %dx\n\t"
    "movw $0x1234, %ax\n\t"
    L(svm_st_rm_outdx) "outw %ax, %dx\n" L(svm_st_rm_outdx_end)
    L(svm_st_rm_in71) "inb $0x71, %al\n" L(svm_st_rm_in71_end)
    "movb %al, 0x610\n\t"
    "movl $0x10, %ecx\n\t"
    L(svm_st_rm_rdmsr) "rdmsr\n" L(svm_st_rm_rdmsr_end)
    "movl %eax, 0x614\n\t"
    "movl %edx, 0x618\n\t"
    "movl $0xcafebabe, %ebp\n\t"
    "movl $0x51515151, %esi\n\t"
    "movl $0xd1d1d1d1, %edi\n\t"
    L(svm_st_rm_vmmcall) "vmmcall\n" L(svm_st_rm_vmmcall_end)
    L(svm_st_rm_hlt) "hlt\n" L(svm_st_rm_hlt_end)
    "jmp svm_st_rm_hlt\n"
    L(svm_st_rm_end)

    /* ---- 32-bit protected mode, paging off, loaded at ST_PM_GPA ---- */
    ".code32\n"
    L(svm_st_pm_start)
    "movl %cr0, %eax\n\t"
    "movl %eax, 0x700\n\t"
    L(svm_st_pm_movcr0) "movl %eax, %cr0\n" L(svm_st_pm_movcr0_end)
    "xorl %eax, %eax\n\t" /* VMRUN checks rAX alignment before its intercept */
    L(svm_st_pm_vmrun) "vmrun\n" L(svm_st_pm_vmrun_end)
    L(svm_st_pm_wbinvd) "wbinvd\n" L(svm_st_pm_wbinvd_end)
    "movl $" TERN_STR(ST_PM_LOOPS) ", %esi\n"
    L(svm_st_pm_loop)
    "xorl %eax, %eax\n\t"
    L(svm_st_pm_cpuid) "cpuid\n" L(svm_st_pm_cpuid_end)
    "decl %esi\n\t"
    "jnz svm_st_pm_loop\n"
    L(svm_st_pm_npf) "movl $1, " TERN_STR(ST_UNMAPPED_GPA32) "\n" L(svm_st_pm_npf_end)
    L(svm_st_pm_ud2) "ud2\n" L(svm_st_pm_ud2_end)
    L(svm_st_pm_int80) "int $0x80\n" L(svm_st_pm_int80_end)
    L(svm_st_pm_hlt) "hlt\n" L(svm_st_pm_hlt_end)
    L(svm_st_pm_hlt2) "hlt\n\tnop\n" L(svm_st_pm_hlt2_end)
    "lidt " TERN_STR(ST_NULL_IDTR_GPA) "\n"
    L(svm_st_pm_tf) "ud2\n" L(svm_st_pm_tf_end)
    /* #UD handler: exit, then skip the 2-byte ud2 */
    L(svm_st_pm_handler_ud)
    L(svm_st_pm_hud_vmmcall) "vmmcall\n" L(svm_st_pm_hud_vmmcall_end)
    "addl $2, (%esp)\n\t"
    "iret\n"
    /* INT 0x80 handler */
    L(svm_st_pm_handler_80)
    L(svm_st_pm_h80_vmmcall) "vmmcall\n" L(svm_st_pm_h80_vmmcall_end)
    "iret\n"
    L(svm_st_pm_end)

    /* ---- 64-bit long mode, loaded at ST_LM_GPA ---- */
    ".code64\n"
    L(svm_st_lm_start)
    "movabsq $0x0808080808080808, %r8\n\t"
    "movabsq $0x0909090909090909, %r9\n\t"
    "movabsq $0x1010101010101010, %r10\n\t"
    "movabsq $0x1111111111111111, %r11\n\t"
    "movabsq $0x1212121212121212, %r12\n\t"
    "movabsq $0x1313131313131313, %r13\n\t"
    "movabsq $0x1414141414141414, %r14\n\t"
    "movabsq $0x1515151515151515, %r15\n\t"
    L(svm_st_lm_vmmcall) "vmmcall\n" L(svm_st_lm_vmmcall_end)
    "movq %r8, 0x700\n\t"
    "movq %r9, 0x708\n\t"
    "movq %r10, 0x710\n\t"
    "movq %r11, 0x718\n\t"
    "movq %r12, 0x720\n\t"
    "movq %r13, 0x728\n\t"
    "movq %r14, 0x730\n\t"
    "movq %r15, 0x738\n\t"
    "movl $0xC0000080, %ecx\n\t"
    L(svm_st_lm_rdmsr) "rdmsr\n" L(svm_st_lm_rdmsr_end)
    "movl %eax, 0x740\n\t"
    L(svm_st_lm_npf) "movq " TERN_STR(ST_UNMAPPED_GPA64) ", %rax\n" L(svm_st_lm_npf_end)
    L(svm_st_lm_hlt) "hlt\n" L(svm_st_lm_hlt_end)
    "jmp svm_st_lm_hlt\n"
    L(svm_st_lm_end)
    ".popsection\n");
/* clang-format on */
