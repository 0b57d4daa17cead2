; SPDX-License-Identifier: MIT
;
; VM entry and exit. vmx_vmenter(u64 *gprs, u32 launched) saves the host's
; callee-saved registers and the gprs pointer on the stack, writes the stack
; pointer to VMCS HOST_RSP, loads the guest's general registers from gprs[]
; (struct vcpu order, RSP skipped: the VMCS holds it) and executes VMLAUNCH
; or VMRESUME. A VM exit lands at vmx_vmexit_landing (VMCS HOST_RIP) with
; RSP = HOST_RSP, stores the guest registers back and returns 0. If the
; instruction itself fails (VMfailInvalid/VMfailValid: CF or ZF set) it falls
; through and returns 1; the caller reads the VM-instruction error.

global vmx_vmenter
global vmx_vmexit_landing

VMCS_HOST_RSP equ 0x6C14

; byte offsets in u64 gprs[] (enum gpr)
G_RAX equ 0*8
G_RCX equ 1*8
G_RDX equ 2*8
G_RBX equ 3*8
G_RBP equ 5*8
G_RSI equ 6*8
G_RDI equ 7*8
G_R8  equ 8*8
G_R9  equ 9*8
G_R10 equ 10*8
G_R11 equ 11*8
G_R12 equ 12*8
G_R13 equ 13*8
G_R14 equ 14*8
G_R15 equ 15*8

section .text

vmx_vmenter:
	push rbp
	mov rbp, rsp
	push rbx
	push r12
	push r13
	push r14
	push r15
	push rdi                        ; gprs pointer: [HOST_RSP] at exit

	mov rax, VMCS_HOST_RSP
	vmwrite rax, rsp
	jbe .fail

	test esi, esi                   ; ZF=1: not launched yet (mov keeps flags)
	mov rax, [rdi + G_RAX]
	mov rcx, [rdi + G_RCX]
	mov rdx, [rdi + G_RDX]
	mov rbx, [rdi + G_RBX]
	mov rbp, [rdi + G_RBP]
	mov rsi, [rdi + G_RSI]
	mov r8,  [rdi + G_R8]
	mov r9,  [rdi + G_R9]
	mov r10, [rdi + G_R10]
	mov r11, [rdi + G_R11]
	mov r12, [rdi + G_R12]
	mov r13, [rdi + G_R13]
	mov r14, [rdi + G_R14]
	mov r15, [rdi + G_R15]
	mov rdi, [rdi + G_RDI]
	jnz .resume
	vmlaunch
	jmp .fail
.resume:
	vmresume
.fail:
	; Still on the host stack (guest values may be in the registers).
	pop rdi
	mov eax, 1
	jmp vmx_vmenter_out

vmx_vmexit_landing:
	; RSP = HOST_RSP: [rsp] is the gprs pointer. Swap it with the guest RDI.
	xchg rdi, [rsp]
	mov [rdi + G_RAX], rax
	mov [rdi + G_RCX], rcx
	mov [rdi + G_RDX], rdx
	mov [rdi + G_RBX], rbx
	mov [rdi + G_RBP], rbp
	mov [rdi + G_RSI], rsi
	mov [rdi + G_R8],  r8
	mov [rdi + G_R9],  r9
	mov [rdi + G_R10], r10
	mov [rdi + G_R11], r11
	mov [rdi + G_R12], r12
	mov [rdi + G_R13], r13
	mov [rdi + G_R14], r14
	mov [rdi + G_R15], r15
	pop qword [rdi + G_RDI]
	xor eax, eax
vmx_vmenter_out:
	; Both paths arrive with RSP at the saved r15 (RBP may hold guest data).
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret
