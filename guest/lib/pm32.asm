; 32-bit protected-mode phase support: interrupt stubs for the 32-bit IDT
; and the protected -> real -> protected mode round trip.

SEL_CODE32 equ 0x08
SEL_DATA   equ 0x10
SEL_CODE16 equ 0x20
SEL_DATA16 equ 0x28
RM_BASE    equ 0x7000               ; trampoline copy (below 1 MiB, in RAM)
RM_STACK   equ 0x6ff0
RM_SCRATCH_SEG equ 0x0800           ; real-mode segment test: 0x0800:0x0010 = 0x8010
RM_INT_VEC equ 0x81

global isr32_table, rm_trip, rm_out_cr0, rm_out_count, rm_out_seg, rm_out_cpuid_b
global rm_out_flat
extern exc_dispatch32, exc_jump32, exc_jump_sp32

%macro ISR32 1
isr32_%1:
%if (%1 == 8) || (%1 >= 10 && %1 <= 14) || (%1 == 17) || (%1 == 21) || (%1 == 29) || (%1 == 30)
	nop
	nop
%else
	push 0
%endif
	push %1
	jmp isr_common32
%endmacro

section .text
bits 32
%assign i 0
%rep 256
	ISR32 i
%assign i i + 1
%endrep

isr_common32:
	pushad
	cld
	push esp
	call exc_dispatch32
	add esp, 4
	test eax, eax
	jnz .recover
	popad
	add esp, 8
	iretd
.recover:
	popad
	mov esp, [exc_jump_sp32]
	jmp [exc_jump32]

; void rm_trip(void): drop to real mode, run a few checks there, come back.
; Results are copied to rm_out_*. Paging must be off. The trampoline runs
; from a copy at RM_BASE since real-mode code must live below 1 MiB.
rm_trip:
	pushad
	mov [rm_saved_esp], esp
	sidt [rm_saved_idt]
	mov esi, tramp_start
	mov edi, RM_BASE
	mov ecx, tramp_end - tramp_start
	rep movsb
	jmp SEL_CODE16:(RM_BASE + (tramp16 - tramp_start))

pm_back:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov fs, ax
	mov gs, ax
	mov esp, [rm_saved_esp]
	lidt [rm_saved_idt]
	mov eax, [RM_BASE + (t_cr0 - tramp_start)]
	mov [rm_out_cr0], eax
	mov eax, [RM_BASE + (t_count - tramp_start)]
	mov [rm_out_count], eax
	mov eax, [RM_BASE + (t_seg - tramp_start)]
	mov [rm_out_seg], eax
	mov eax, [RM_BASE + (t_cpuid_b - tramp_start)]
	mov [rm_out_cpuid_b], eax
	mov eax, [RM_SCRATCH_SEG * 16 + 0x20]
	mov [rm_out_flat], eax
	popad
	ret

; ---- copied to RM_BASE; addresses below are RM_BASE-relative ----
%define T(x) (RM_BASE + ((x) - tramp_start))
tramp_start:
bits 16
tramp16:
	mov ax, SEL_DATA16
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr0
	and eax, ~1
	mov cr0, eax
	jmp 0:T(real)
real:
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov sp, RM_STACK
	lidt [T(t_ivt)]
	mov eax, cr0
	mov [T(t_cr0)], eax
	; our own IVT entry for a software interrupt
	mov word [RM_INT_VEC * 4], T(rm_isr)
	mov word [RM_INT_VEC * 4 + 2], 0
	mov dword [T(t_count)], 0
	int RM_INT_VEC
	int RM_INT_VEC
	; segment arithmetic: ES = 0x0800, offset 0x10 -> linear 0x8010
	mov ax, RM_SCRATCH_SEG
	mov es, ax
	mov dword [es:0x10], 0xBEEF1234
	mov eax, [RM_SCRATCH_SEG * 16 + 0x10]
	mov [T(t_seg)], eax
	; 32-bit operand write through a segment, read back after return
	mov dword [es:0x20], 0xC0DE5678
	xor ax, ax
	mov es, ax
	; CPUID works in real mode
	xor eax, eax
	cpuid
	mov [T(t_cpuid_b)], ebx
	cli
	mov eax, cr0
	or eax, 1
	mov cr0, eax
	jmp dword SEL_CODE32:pm_back

rm_isr:
	inc dword [cs:T(t_count)]
	iret

align 4
t_cr0: dd 0
t_count: dd 0
t_seg: dd 0
t_cpuid_b: dd 0
t_ivt:
	dw 0x3ff
	dd 0
tramp_end:

section .data
align 4
isr32_table:
%assign i 0
%rep 256
	dd isr32_%+i
%assign i i + 1
%endrep
rm_saved_esp: dd 0
rm_saved_idt: dw 0
	dd 0
rm_out_cr0: dd 0
rm_out_count: dd 0
rm_out_seg: dd 0
rm_out_cpuid_b: dd 0
rm_out_flat: dd 0
