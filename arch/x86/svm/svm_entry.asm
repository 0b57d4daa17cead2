; SPDX-License-Identifier: MIT
;
; The SVM world switch, shaped like KVM's __svm_vcpu_run. With GIF clear (no
; interrupt, NMI or SMI can run host code in between), the host's
; FS/GS/TR/LDTR hidden state and KERNEL_GS_BASE/STAR/LSTAR/CSTAR/SFMASK/
; SYSENTER_* are VMSAVEd into a per-CPU host area and the guest's VMLOADed
; from its VMCB; VMRUN swaps the rest (and the guest's RAX, RSP, RIP, RFLAGS,
; CRs, EFER, PAT live in the VMCB); after #VMEXIT the guest's are VMSAVEd
; back and the host's VMLOADed, which restores GS.base (Tern's per-CPU
; pointer) before any C code runs. The guest's other general registers are
; loaded from and saved to struct vcpu->gpr (x86 encoding order).
;
; Interrupts: the caller runs this with RFLAGS.IF clear. VMRUN is issued with
; IF set and GIF clear (CLGI; STI; VMRUN; CLI), so a host interrupt arriving
; while the guest runs causes an INTR #VMEXIT (V_INTR_MASKING makes the host
; IF, not the guest's, gate physical interrupts), then stays pending through
; CLI and STGI until the caller sets IF again and Tern's IDT takes it.
;
; void svm_vmrun(paddr_t vmcb_pa, u64 *gprs, paddr_t host_vmcb_pa)

%define GPR_RCX 1
%define GPR_RDX 2
%define GPR_RBX 3
%define GPR_RBP 5
%define GPR_RSI 6
%define GPR_RDI 7
%define GPR_R8 8
%define GPR_R9 9
%define GPR_R10 10
%define GPR_R11 11
%define GPR_R12 12
%define GPR_R13 13
%define GPR_R14 14
%define GPR_R15 15
%define G(r) (GPR_ %+ r * 8)

; Stack slots once the arguments are pushed.
%define SLOT_VMCB 0
%define SLOT_GPRS 8
%define SLOT_HOST 16

global svm_vmrun

section .text

svm_vmrun:
	push rbp
	mov rbp, rsp
	push rbx
	push r12
	push r13
	push r14
	push r15
	push rdx			; host VMSAVE area
	push rsi			; guest GPR array
	push rdi			; guest VMCB

	clgi
	mov rax, rdx
	vmsave
	mov rax, rdi
	vmload

	mov rcx, [rsi + G(RCX)]
	mov rdx, [rsi + G(RDX)]
	mov rbx, [rsi + G(RBX)]
	mov rbp, [rsi + G(RBP)]
	mov rdi, [rsi + G(RDI)]
	mov r8, [rsi + G(R8)]
	mov r9, [rsi + G(R9)]
	mov r10, [rsi + G(R10)]
	mov r11, [rsi + G(R11)]
	mov r12, [rsi + G(R12)]
	mov r13, [rsi + G(R13)]
	mov r14, [rsi + G(R14)]
	mov r15, [rsi + G(R15)]
	mov rsi, [rsi + G(RSI)]

	; RAX = guest VMCB; VMRUN saves RAX/RSP/RIP/RFLAGS of the host in HSAVE.
	; With V_INTR_MASKING the saved host RFLAGS.IF (HIF) decides whether a
	; physical interrupt makes the guest exit: set it (as KVM does). GIF is
	; still clear, so no interrupt can be taken here or after the exit
	; before the CLI.
	sti
	vmrun
	cli

	; #VMEXIT: RAX and RSP are the host's again, the rest are the guest's.
	push rsi
	mov rsi, [rsp + 8 + SLOT_GPRS]
	mov [rsi + G(RCX)], rcx
	mov [rsi + G(RDX)], rdx
	mov [rsi + G(RBX)], rbx
	mov [rsi + G(RBP)], rbp
	mov [rsi + G(RDI)], rdi
	mov [rsi + G(R8)], r8
	mov [rsi + G(R9)], r9
	mov [rsi + G(R10)], r10
	mov [rsi + G(R11)], r11
	mov [rsi + G(R12)], r12
	mov [rsi + G(R13)], r13
	mov [rsi + G(R14)], r14
	mov [rsi + G(R15)], r15
	pop qword [rsi + G(RSI)]

	mov rax, [rsp + SLOT_VMCB]
	vmsave
	mov rax, [rsp + SLOT_HOST]
	vmload
	stgi

	; Leave no guest value in the caller-saved registers.
	xor ecx, ecx
	xor edx, edx
	xor esi, esi
	xor edi, edi
	xor r8d, r8d
	xor r9d, r9d
	xor r10d, r10d
	xor r11d, r11d

	add rsp, 24
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
