; SPDX-License-Identifier: MIT
;
; Tern's entry: multiboot1 and multiboot2 headers, then the 32-bit protected
; mode entry both protocols use (paging off, EAX = magic, EBX = boot info).
; It checks for long mode, builds temporary page tables (identity 0-4 GiB and
; the kernel's top-2-GiB window, both with 2 MiB pages), enables long mode and
; jumps to kernel_entry64 in the higher half. Bits are ORed into CR4 and EFER
; because UEFI firmware may leave some of them set.

%include "boot/layout.inc"

%define MB1_MAGIC          0x1BADB002
%define MB1_FLAG_PAGE_ALIGN (1 << 0)   ; modules on page boundaries
%define MB1_FLAG_MEMINFO   (1 << 1)    ; want mem_* and mmap_*
%define MB1_FLAG_AOUT_KLUDGE (1 << 16) ; load by the address fields below
%define MB1_FLAGS (MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMINFO | MB1_FLAG_AOUT_KLUDGE)

%define MB2_MAGIC          0xE85250D6
%define MB2_ARCH_I386      0
%define MB2_TAG_END        0
%define MB2_TAG_ENTRY      3
%define MB2_TAG_MOD_ALIGN  6

%define CR0_PE    (1 << 0)
%define CR0_WP    (1 << 16)
%define CR0_PG    (1 << 31)
%define CR4_PAE   (1 << 5)
%define MSR_EFER  0xC0000080
%define EFER_LME  (1 << 8)
%define EFER_NXE  (1 << 11)
%define CPUID_EXT_MAX     0x80000000
%define CPUID_EXT_FEAT    0x80000001
%define CPUID_EXT_LM      (1 << 29)
%define CPUID_EXT_NX      (1 << 20)

%define PTE_P   (1 << 0)
%define PTE_W   (1 << 1)
%define PTE_PS  (1 << 7)
%define LARGE_PAGE_SHIFT 21
%define PAGE_SIZE 4096
%define EARLY_TABLE_PAGES 7   ; pml4, pdpt_low, pdpt_high, 4 page directories

%define GDT_CODE64 0x08
%define GDT_DATA   0x10

%define COM1 0x3F8
%define COM_LSR 5
%define COM_LSR_THRE (1 << 5)
%define BOCHS_E9 0xE9

extern kmain
extern __bss_end_phys
extern __load_end_phys
extern early_tables
extern boot_stack_top

section .multiboot progbits alloc noexec nowrite align=8
align 4
mb1_header:
	dd MB1_MAGIC
	dd MB1_FLAGS
	dd -(MB1_MAGIC + MB1_FLAGS)
	dd mb1_header               ; header_addr
	dd KERNEL_PHYS              ; load_addr
	dd __load_end_phys          ; load_end_addr
	dd __bss_end_phys           ; bss_end_addr
	dd boot_entry32             ; entry_addr

align 8
mb2_header:
	dd MB2_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header
	dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
align 8
	dw MB2_TAG_ENTRY, 0
	dd 12
	dd boot_entry32
align 8
	dw MB2_TAG_MOD_ALIGN, 0
	dd 8
align 8
	dw MB2_TAG_END, 0
	dd 8
mb2_header_end:

section .boot.text progbits alloc exec nowrite align=16
bits 32
global boot_entry32
boot_entry32:
	cli
	cld
	mov edi, eax                ; multiboot magic
	mov esi, ebx                ; boot information (physical)
	mov esp, boot_stack_top - KERNEL_VIRT_BASE

	mov eax, CPUID_EXT_MAX
	cpuid
	cmp eax, CPUID_EXT_FEAT
	jb no_long_mode
	mov eax, CPUID_EXT_FEAT
	cpuid
	test edx, CPUID_EXT_LM
	jz no_long_mode
	mov ebp, edx                ; keep the feature bits for the NX check

	; Zero the early tables: the loader may not have cleared .bss yet.
	push edi
	mov edi, early_tables - KERNEL_VIRT_BASE
	mov ecx, EARLY_TABLE_PAGES * PAGE_SIZE / 4
	xor eax, eax
	rep stosd
	pop edi

	mov ebx, early_tables - KERNEL_VIRT_BASE   ; pml4
	lea eax, [ebx + 1 * PAGE_SIZE]             ; pdpt_low
	or eax, PTE_P | PTE_W
	mov [ebx], eax
	lea eax, [ebx + 2 * PAGE_SIZE]             ; pdpt_high
	or eax, PTE_P | PTE_W
	mov [ebx + 511 * 8], eax
	; pdpt_low[0..3] -> pd0..pd3 (identity 0-4 GiB)
	xor ecx, ecx
.fill_pdpt:
	lea eax, [ebx + 3 * PAGE_SIZE]
	mov edx, ecx
	shl edx, 12
	add eax, edx
	or eax, PTE_P | PTE_W
	mov [ebx + 1 * PAGE_SIZE + ecx * 8], eax
	inc ecx
	cmp ecx, 4
	jb .fill_pdpt
	; pdpt_high[510] -> pd0: KERNEL_VIRT_BASE + x maps physical x (x < 1 GiB)
	lea eax, [ebx + 3 * PAGE_SIZE]
	or eax, PTE_P | PTE_W
	mov [ebx + 2 * PAGE_SIZE + 510 * 8], eax
	; pd0..pd3: 2048 entries of 2 MiB
	xor ecx, ecx
.fill_pd:
	mov eax, ecx
	shl eax, LARGE_PAGE_SHIFT
	or eax, PTE_P | PTE_W | PTE_PS
	mov [ebx + 3 * PAGE_SIZE + ecx * 8], eax
	mov edx, ecx
	shr edx, 32 - LARGE_PAGE_SHIFT  ; high dword of the address (entries >= 4 GiB: none)
	mov [ebx + 3 * PAGE_SIZE + ecx * 8 + 4], edx
	inc ecx
	cmp ecx, 2048
	jb .fill_pd

	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov cr3, ebx
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	test ebp, CPUID_EXT_NX
	jz .no_nx
	or eax, EFER_NXE
.no_nx:
	wrmsr
	mov eax, cr0
	or eax, CR0_PG | CR0_PE | CR0_WP
	mov cr0, eax
	lgdt [gdt64_ptr]
	jmp GDT_CODE64:long_mode_low

; Print a message on COM1 and port 0xE9 with the firmware's UART setup, then
; stop: a 32-bit-only CPU cannot run Tern.
no_long_mode:
	mov ebx, msg_no_lm
.next:
	mov al, [ebx]
	test al, al
	jz .halt
	out BOCHS_E9, al
	mov ah, al
	mov dx, COM1 + COM_LSR
.wait:
	in al, dx
	test al, COM_LSR_THRE
	jz .wait
	mov al, ah
	mov dx, COM1
	out dx, al
	inc ebx
	jmp .next
.halt:
	hlt
	jmp .halt

bits 64
long_mode_low:
	mov ax, GDT_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov rax, kernel_entry64
	jmp rax

section .boot.rodata progbits alloc noexec nowrite align=16
msg_no_lm:
	db "Tern: fatal: this CPU has no long mode (x86-64); Tern cannot run here", 13, 10, 0

align 16
gdt64:
	dq 0
	dq 0x00AF9A000000FFFF       ; 0x08: 64-bit code, DPL 0
	dq 0x00CF92000000FFFF       ; 0x10: data, DPL 0
gdt64_end:
gdt64_ptr:
	dw gdt64_end - gdt64 - 1
	dd gdt64

section .text.entry progbits alloc exec nowrite align=16
kernel_entry64:
	mov rsp, boot_stack_top
	xor ebp, ebp
	; edi = magic, esi = boot info physical address (zero-extended by the movs above)
	mov edi, edi
	mov esi, esi
	call kmain
.hang:
	cli
	hlt
	jmp .hang
