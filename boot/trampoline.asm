; SPDX-License-Identifier: MIT
;
; The application-processor trampoline. kernel/smp.c copies the bytes from
; smp_trampoline_start to smp_trampoline_end into a page below 1 MiB, fills
; the parameter block and sends the SIPI. The AP starts here in real mode at
; CS:0 (CS = page >> 4), switches to protected mode with a private flat GDT,
; turns on PAE paging with the kernel's own CR3 (below 4 GiB) and long mode,
; and jumps to the C entry with its own stack. The page is identity-mapped
; read+execute in the kernel tables for the instant paging comes on, so the
; code never writes to itself after that. Everything is position independent:
; EBX holds the page's physical address from the first instructions on.

%define CR0_PE          (1 << 0)
%define CR4_PAE         (1 << 5)
%define CR4_PGE         (1 << 7)
%define MSR_EFER        0xC0000080

%define TRAMP_CODE32    0x08
%define TRAMP_DATA      0x10
%define TRAMP_CODE64    0x18
%define REAL_SEG_SHIFT  4

; Offset of a label from the start of the copied page.
%define OFF(label) ((label) - smp_trampoline_start)

global smp_trampoline_start
global smp_trampoline_end
global smp_trampoline_params
global smp_trampoline_pm_entry
global smp_trampoline_lm_entry

section .rodata
align 16
bits 16
smp_trampoline_start:
	cli
	cld
	mov ax, cs
	mov ds, ax
	movzx ebx, ax
	shl ebx, REAL_SEG_SHIFT         ; EBX = physical address of this page
	o32 lgdt [OFF(gdt_desc)]
	mov eax, cr0
	or eax, CR0_PE
	mov cr0, eax
	jmp dword far [OFF(pm_jump)]    ; m16:32 patched to page + pm_entry

bits 32
smp_trampoline_pm_entry:
	mov ax, TRAMP_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov fs, ax
	mov gs, ax
	mov eax, cr4
	or eax, CR4_PAE | CR4_PGE
	mov cr4, eax
	mov eax, [ebx + OFF(p_cr3)]
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, [ebx + OFF(p_efer_or)]  ; LME, plus NXE when the BSP uses it
	wrmsr
	mov eax, [ebx + OFF(p_cr0)]     ; PE|PG|WP...: also clears INIT's CD/NW
	mov cr0, eax
	jmp far [ebx + OFF(lm_jump)]    ; patched to page + lm_entry, 64-bit code

bits 64
smp_trampoline_lm_entry:
	mov ebx, ebx                    ; upper halves are undefined after the switch
	mov ax, TRAMP_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov rsp, [rbx + OFF(p_stack)]
	mov rdi, [rbx + OFF(p_arg)]
	mov rax, [rbx + OFF(p_entry)]
	xor ebp, ebp
	push rbp                        ; fake return address: ABI alignment, ends backtraces
	jmp rax

; The Accessed bits are preset: the CPU would otherwise write them when the
; 64-bit selectors are loaded, and the page is read-only by then.
align 16
tramp_gdt:
	dq 0
	dq 0x00CF9B000000FFFF           ; 0x08: 32-bit code, flat
	dq 0x00CF93000000FFFF           ; 0x10: data, flat
	dq 0x00AF9B000000FFFF           ; 0x18: 64-bit code
tramp_gdt_end:

; Parameter block: struct trampoline_params in kernel/smp.c (packed), same order.
align 8
smp_trampoline_params:
gdt_desc:
	dw 0                            ; limit
	dd 0                            ; base: page + tramp_gdt
pm_jump:
	dd 0                            ; offset
	dw 0                            ; selector
lm_jump:
	dd 0
	dw 0
p_cr3:
	dd 0
p_cr0:
	dd 0
p_efer_or:
	dd 0
p_stack:
	dq 0
p_entry:
	dq 0
p_arg:
	dq 0
smp_trampoline_end:

global smp_trampoline_gdt
smp_trampoline_gdt equ tramp_gdt
global smp_trampoline_gdt_end
smp_trampoline_gdt_end equ tramp_gdt_end
