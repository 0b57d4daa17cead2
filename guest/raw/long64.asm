; long64.bin: raw 64-bit payload (nasm -f bin) for Tern's raw long64 entry
; (format=raw entry=long64). Tern loads it at 0x100000 (the long64 default
; load= address, where it is linked) and enters it at its first byte in
; 64-bit mode: identity-mapped 4 GiB with 2 MiB pages, the loader's 64-bit
; GDT, RSP = 0x80000, interrupts off. It checks that entry state, prints on
; COM1 and exits through port 0xf4 (0 = all passed, 1 = a failure). Bare
; QEMU cannot boot it; it is meant for Tern only, so the Tern CPUID
; signature is asserted, not skipped.
;   tools/tern-run --svm --cmdline "" build/guest/long64.bin:"name=l64 format=raw entry=long64"

bits 64
org 0x100000

COM1        equ 0x3f8
EXIT_PORT   equ 0xf4
ENTRY_RSP   equ 0x80000             ; LOADER_LONG64_STACK
SIG_TERN    equ 0x6e726554          ; "Tern"
MSR_EFER    equ 0xc0000080
EFER_LME    equ 1 << 8
EFER_LMA    equ 1 << 10
CR0_PE      equ 1 << 0
CR0_PG      equ 1 << 31
CR4_PAE     equ 1 << 5
PTE_P       equ 1 << 0
PTE_PS      equ 1 << 7
ADDR_MASK   equ 0x000ffffffffff000
PATTERN     equ 0x5a3c96e1f00fba11

start:
	mov [entry_rsp], rsp            ; before anything touches the stack
	cli
	cld
	lea rsi, [rel s_start]
	call puts

	; 1. paging: CR0.PE, CR0.PG and CR4.PAE set
	mov rax, cr0
	mov ebx, CR0_PE | CR0_PG
	and eax, ebx
	cmp eax, ebx
	lea rsi, [rel n_cr0]
	call check_z
	mov rax, cr4
	test eax, CR4_PAE
	setz al
	test al, al
	lea rsi, [rel n_cr4]
	call check_z

	; 2. EFER.LME and EFER.LMA set
	mov ecx, MSR_EFER
	rdmsr
	and eax, EFER_LME | EFER_LMA
	cmp eax, EFER_LME | EFER_LMA
	lea rsi, [rel n_efer]
	call check_z

	; 3. 64-bit code segment: the CS descriptor has L=1, D=0 ...
	sgdt [gdtr]
	xor eax, eax
	mov ax, cs
	and eax, ~7
	movzx ecx, word [gdtr]
	cmp eax, ecx
	ja .cs_bad                      ; selector beyond the GDT limit
	add rax, [gdtr + 2]
	mov rax, [rax]
	shr rax, 53                     ; bit 0 = L, bit 1 = D
	and eax, 3
	cmp eax, 1
	jmp .cs_done
.cs_bad:
	or eax, 1                       ; ZF clear
.cs_done:
	lea rsi, [rel n_cs]
	call check_z
	; ... and 64-bit-only encodings work: RIP-relative addressing (in 32-bit
	; mode ModRM 00/101 is an absolute disp32), a 64-bit immediate into a
	; REX register, a 64-bit push.
	lea rax, [rel start]
	mov rbx, start
	cmp rax, rbx
	jne .insn_done
	mov r9, 0x123456789abcdef0
	mov rax, r9
	shr rax, 32
	cmp eax, 0x12345678
	jne .insn_done
	mov rdx, rsp
	push r9
	sub rdx, rsp
	pop r9
	cmp rdx, 8
.insn_done:
	lea rsi, [rel n_insn]
	call check_z

	; 4. RSP at entry = 0x80000
	mov rax, [entry_rsp]
	cmp rax, ENTRY_RSP
	lea rsi, [rel n_rsp]
	call check_z

	; 5. identity mapping: the page walk of CR3 gives PA = VA, and memory
	; written there reads back (0x200000 and 0x3ff000: the second 2 MiB page)
	mov rdi, 0x200000
	call check_map
	mov rdi, 0x3ff000
	call check_map
	mov rdi, start                  ; the image itself (first 2 MiB page)
	call walk
	cmp rax, start
	lea rsi, [rel n_walk_img]
	call check_z

	; 6. CPUID: hypervisor bit and leaf 0x40000000 = "TernTernTern"
	mov eax, 1
	xor ecx, ecx
	cpuid
	bt ecx, 31
	setnc al
	test al, al
	lea rsi, [rel n_hv]
	call check_z
	mov eax, 0x40000000
	xor ecx, ecx
	cpuid
	cmp ebx, SIG_TERN
	jne .sig_done
	cmp ecx, SIG_TERN
	jne .sig_done
	cmp edx, SIG_TERN
.sig_done:
	lea rsi, [rel n_sig]
	call check_z

	; summary and exit
	lea rsi, [rel s_sum1]
	call puts
	mov rax, [passed]
	call putdec
	lea rsi, [rel s_sum2]
	call puts
	mov rax, [failed]
	call putdec
	lea rsi, [rel s_sum3]
	call puts
	mov rax, [skipped]
	call putdec
	lea rsi, [rel s_sum4]
	call puts
	xor eax, eax
	cmp qword [failed], 0
	je .exit
	inc eax
.exit:
	mov dx, EXIT_PORT
	out dx, eax
.hang:
	hlt
	jmp .hang

; check_map: RDI = address; walk (PA == VA) and write/read-back checks.
check_map:
	push rdi
	call walk
	mov rdi, [rsp]
	cmp rax, rdi
	lea rsi, [rel n_walk]
	call check_z_addr
	mov rdi, [rsp]
	mov rax, PATTERN
	xor rax, rdi
	mov [rdi], rax
	not rax
	mov [rdi + 8], rax
	mfence
	mov rbx, [rdi + 8]
	not rbx
	cmp rbx, [rdi]
	jne .bad
	xor rbx, rdi
	mov rcx, PATTERN
	cmp rbx, rcx
.bad:
	lea rsi, [rel n_rw]
	call check_z_addr
	pop rdi
	ret

; walk: RDI = virtual address; RAX = physical address, or -1 if not mapped.
; Follows CR3 (PML4 -> PDPT -> PD -> PT, with 1 GiB and 2 MiB leaves).
walk:
	mov rax, cr3
	mov rdx, ADDR_MASK
	and rax, rdx
	mov ecx, 39                     ; shift of the current level's index
.level:
	mov rbx, rdi
	shr rbx, cl
	and ebx, 0x1ff
	mov rax, [rax + rbx * 8]
	test al, PTE_P
	jz .unmapped
	cmp ecx, 12
	je .leaf                        ; a PTE
	cmp ecx, 39
	je .next                        ; PML4E has no PS bit
	test al, PTE_PS
	jnz .leaf                       ; 1 GiB or 2 MiB page
.next:
	and rax, rdx
	sub ecx, 9
	jmp .level
.leaf:
	and rax, rdx                    ; frame (low bits cleared below)
	mov rbx, 1
	shl rbx, cl
	dec rbx                         ; offset mask of this page size
	not rbx
	and rax, rbx
	not rbx
	and rbx, rdi
	or rax, rbx
	ret
.unmapped:
	mov rax, -1
	ret

; check_z: ZF set = pass. RSI = name.
check_z:
	mov qword [cur_addr], -1
	jmp check_common
; check_z_addr: same, the name is followed by " 0x<RDI>".
check_z_addr:
	mov [cur_addr], rdi
check_common:
	push rsi
	jnz .fail
	inc qword [passed]
	lea rsi, [rel s_pass]
	jmp .print
.fail:
	inc qword [failed]
	lea rsi, [rel s_fail]
.print:
	call puts
	pop rsi
	call puts
	mov rax, [cur_addr]
	cmp rax, -1
	je .nl
	lea rsi, [rel s_at]
	call puts
	mov rax, [cur_addr]
	call puthex
.nl:
	lea rsi, [rel s_nl]
	jmp puts

; puts: RSI = NUL-terminated string
puts:
	lodsb
	test al, al
	jz .done
	call putc
	jmp puts
.done:
	ret

; putc: AL (polled 16550: wait for THR empty, LSR bit 5)
putc:
	push rdx
	push rcx
	push rax
	mov dx, COM1 + 5
	mov ecx, 0x100000
.wait:
	in al, dx
	test al, 0x20
	jnz .ready
	pause
	dec ecx
	jnz .wait
.ready:
	pop rax
	mov dx, COM1
	out dx, al
	pop rcx
	pop rdx
	ret

; putdec: RAX unsigned
putdec:
	xor ecx, ecx
	mov ebx, 10
.div:
	xor edx, edx
	div rbx
	push rdx
	inc ecx
	test rax, rax
	jnz .div
.out:
	pop rax
	add al, '0'
	call putc
	loop .out
	ret

; puthex: RAX (no leading zeros)
puthex:
	mov rdx, rax
	mov ecx, 60
.skip0:
	mov rax, rdx
	shr rax, cl
	test al, 0xf
	jnz .digit
	sub ecx, 4
	jnz .skip0
.digit:
	mov rax, rdx
	shr rax, cl
	and eax, 0xf
	cmp al, 10
	jb .dec
	add al, 'a' - '0' - 10
.dec:
	add al, '0'
	call putc
	sub ecx, 4
	jns .digit
	ret

s_start: db 13, 10, "guest long64: start", 13, 10, 0
s_pass: db "PASS ", 0
s_fail: db "FAIL ", 0
s_at: db " 0x", 0
s_nl: db 13, 10, 0
n_cr0: db "long64: CR0.PE and CR0.PG set", 0
n_cr4: db "long64: CR4.PAE set", 0
n_efer: db "long64: EFER.LME and EFER.LMA set", 0
n_cs: db "long64: CS descriptor is 64-bit code (L=1, D=0)", 0
n_insn: db "long64: 64-bit-only instructions (RIP-relative, imm64, push 8 bytes)", 0
n_rsp: db "long64: RSP = 0x80000 at entry", 0
n_walk: db "long64: page walk is identity at", 0
n_rw: db "long64: write/read back at", 0
n_walk_img: db "long64: page walk is identity at the image (0x100000)", 0
n_hv: db "long64: CPUID.1:ECX hypervisor bit", 0
n_sig: db "long64: CPUID 0x40000000 = TernTernTern", 0
s_sum1: db "summary: ", 0
s_sum2: db " passed, ", 0
s_sum3: db " failed, ", 0
s_sum4: db " skipped", 13, 10, 0
align 8
passed: dq 0
failed: dq 0
skipped: dq 0
entry_rsp: dq 0
cur_addr: dq 0
gdtr: times 10 db 0
image_end:
