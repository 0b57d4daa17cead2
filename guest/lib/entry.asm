; Tern guest entry: multiboot (v1 or v2) enters here in 32-bit protected mode
; with paging off, EAX = magic, EBX = info. We load our own GDT, zero .bss,
; run the payload's optional 32-bit phase (pm32_hook), then switch to long
; mode with an identity map of the first 4 GiB (2 MiB pages, user-accessible
; so ring-3 tests can run anywhere) and call lib_main64.

SEL_CODE32 equ 0x08
SEL_DATA   equ 0x10
SEL_CODE64 equ 0x18
SEL_CODE16 equ 0x20
SEL_DATA16 equ 0x28
SEL_UDATA  equ 0x30 | 3
SEL_UCODE64 equ 0x38 | 3
SEL_TSS    equ 0x40

PTE_P  equ 1 << 0
PTE_W  equ 1 << 1
PTE_U  equ 1 << 2
PTE_PS equ 1 << 7
CR0_PG equ 1 << 31
CR0_PE equ 1 << 0
CR4_PAE equ 1 << 5
MSR_EFER equ 0xC0000080
EFER_LME equ 1 << 8
STACK_SIZE equ 32768

global _start, mb_magic, mb_info, gdt, gdt_ptr, tss64, pml4, pdpt0, pd_low
global stack_top, enter_user
global isr64_table
extern __bss_start, __bss_end, pm32_init, pm32_hook, lib_main64, exc_dispatch64
extern exc_jump, exc_jump_sp

section .text.entry progbits alloc exec nowrite align=16
bits 32
_start:
	cli
	cld
	mov [mb_magic], eax
	mov [mb_info], ebx
	lgdt [gdt_ptr]
	jmp SEL_CODE32:.flat
.flat:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov fs, ax
	mov gs, ax
	mov edi, __bss_start
	mov ecx, __bss_end
	sub ecx, edi
	xor eax, eax
	rep stosb
	mov esp, stack_top
	call pm32_init
	call pm32_hook
	; 32-bit phase done (paging must be off again): build the long-mode map.
	mov edi, pd_low
	mov eax, PTE_P | PTE_W | PTE_U | PTE_PS
	xor edx, edx
	mov ecx, 2048
.fill_pd:
	mov [edi], eax
	mov [edi + 4], edx
	add eax, 0x200000
	adc edx, 0
	add edi, 8
	loop .fill_pd
	mov edi, pdpt0
	mov eax, pd_low + (PTE_P | PTE_W | PTE_U)
	mov ecx, 4
.fill_pdpt:
	mov [edi], eax
	mov dword [edi + 4], 0
	add eax, 4096
	add edi, 8
	loop .fill_pdpt
	mov dword [pml4], pdpt0 + (PTE_P | PTE_W | PTE_U)
	mov eax, cr4                    ; OR bits in: firmware may have set some
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, pml4
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	wrmsr
	mov eax, cr0
	or eax, CR0_PG | CR0_PE
	mov cr0, eax
	jmp SEL_CODE64:long_entry

bits 64
long_entry:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov rsp, stack_top
	; TSS descriptor base (the GDT is static; patch the base in now).
	mov rax, tss64
	mov [gdt + SEL_TSS + 2], ax
	shr rax, 16
	mov [gdt + SEL_TSS + 4], al
	mov [gdt + SEL_TSS + 7], ah
	shr rax, 16
	mov [gdt + SEL_TSS + 8], eax
	mov ax, SEL_TSS
	ltr ax
	call lib_main64
.hang:
	cli
	hlt
	jmp .hang

; Interrupt stubs: 256 vectors, each pushes a zero error code when the CPU
; does not, then its vector number.
%macro ISR64 1
isr64_%1:
%if (%1 == 8) || (%1 >= 10 && %1 <= 14) || (%1 == 17) || (%1 == 21) || (%1 == 29) || (%1 == 30)
	nop
	nop
%else
	push 0
%endif
	push %1
	jmp isr_common64
%endmacro

section .text
bits 64
align 16
%assign i 0
%rep 256
	ISR64 i
%assign i i + 1
%endrep

isr_common64:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	mov rdi, rsp
	cld
	call exc_dispatch64
	test eax, eax
	jnz .recover
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	add rsp, 16
	iretq
.recover:
	; Resume at the armed recovery point, at CPL0, on the stack saved at
	; arm time (the exception frame is dropped).
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	mov rsp, [rel exc_jump_sp]
	jmp [rel exc_jump]

; u32 enter_user(void (*fn)(void), void *user_stack_top)
; Runs fn at CPL3 (64-bit). fn ends with `int $0x81`, or faults; either way
; the handler resumes at the EXC_TRY recovery point that run_user (idt.c)
; armed around the call, on the kernel stack saved there.
enter_user:
	push SEL_UDATA                  ; ss
	push rsi                        ; rsp
	pushfq
	and qword [rsp], ~(1 << 9)      ; IF = 0 in ring 3 too
	push SEL_UCODE64                ; cs
	push rdi                        ; rip
	mov ax, SEL_UDATA
	mov ds, ax
	mov es, ax
	iretq

section .data
align 8
isr64_table:
%assign i 0
%rep 256
	dq isr64_%+i
%assign i i + 1
%endrep
mb_magic: dd 0
mb_info: dd 0
align 16
gdt:
	dq 0                            ; 0x00 null
	dq 0x00CF9A000000FFFF           ; 0x08 code32
	dq 0x00CF92000000FFFF           ; 0x10 data (flat)
	dq 0x00AF9A000000FFFF           ; 0x18 code64
	dq 0x00009A000000FFFF           ; 0x20 code16, base 0, limit 64K
	dq 0x000092000000FFFF           ; 0x28 data16, base 0, limit 64K
	dq 0x00CFF2000000FFFF           ; 0x30 user data
	dq 0x00AFFA000000FFFF           ; 0x38 user code64
	dq 0x0000890000000067           ; 0x40 TSS64 (base patched at boot)
	dq 0
gdt_end:
gdt_ptr:
	dw gdt_end - gdt - 1
	dq gdt

section .bss
align 4096
pml4: resb 4096
pdpt0: resb 4096
pd_low: resb 4 * 4096
stack: resb STACK_SIZE
stack_top:
align 16
tss64: resb 104
