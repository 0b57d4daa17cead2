; realmode.bin: raw real-mode payload (nasm -f bin). Tern loads it at an
; address of its choice and enters it in real mode at its first byte; the
; code is position independent (it finds its own IP), prints on COM1 and
; exits through port 0xf4 (0 = all passed, 1 = a failure). Bare QEMU cannot
; boot a raw binary: bootsect.asm wraps it in a disk image whose boot sector
; loads it at 0x1000:0000 (build/guest/realmode-boot.img), to try it with
;   qemu-system-x86_64 -drive format=raw,file=build/guest/realmode-boot.img ...
; Requires: IP + size of this image + 1 KiB stack below 64 KiB in CS.

bits 16
COM1        equ 0x3f8
EXIT_PORT   equ 0xf4
UNASSIGNED  equ 0x2f0
STACK_BYTES equ 1024
SIG_TERN    equ 0x6e726554          ; "Tern"

start:
	cli
	cld
	call .here
.here:
	pop bp
	sub bp, .here - start           ; bp = offset of start within CS
	mov ax, cs
	mov ds, ax
	mov es, ax
	mov ss, ax
	lea sp, [bp + image_end - start + STACK_BYTES]
	mov word [bp + passed - start], 0
	mov word [bp + failed - start], 0
	mov word [bp + skipped - start], 0

	lea si, [bp + s_start - start]
	call puts

	; 1. CR0.PE is clear (we are in real mode)
	smsw ax
	test al, 1
	lea si, [bp + n_pe - start]
	call check_z

	; 2. CPUID leaf 0 reports a max leaf >= 1
	xor eax, eax
	cpuid
	cmp eax, 1
	setb al
	test al, al
	lea si, [bp + n_cpuid - start]
	call check_z

	; 3. UART scratch register round trip
	mov dx, COM1 + 7
	mov al, 0xa5
	out dx, al
	in al, dx
	cmp al, 0xa5
	lea si, [bp + n_scr - start]
	call check_z

	; 4. unassigned port reads 0xff
	mov dx, UNASSIGNED
	in al, dx
	cmp al, 0xff
	lea si, [bp + n_port - start]
	call check_z

	; 5. Tern signature (only when a hypervisor is present)
	mov eax, 1
	cpuid
	bt ecx, 31
	jnc .no_tern
	mov eax, 0x40000000
	cpuid
	cmp ebx, SIG_TERN
	jne .no_tern
	cmp ecx, SIG_TERN
	lea si, [bp + n_tern - start]
	call check_z
	jmp .summary
.no_tern:
	lea si, [bp + n_tern_skip - start]
	call puts
	inc word [bp + skipped - start]

.summary:
	lea si, [bp + s_sum1 - start]
	call puts
	mov ax, [bp + passed - start]
	call putdec
	lea si, [bp + s_sum2 - start]
	call puts
	mov ax, [bp + failed - start]
	call putdec
	lea si, [bp + s_sum3 - start]
	call puts
	mov ax, [bp + skipped - start]
	call putdec
	lea si, [bp + s_sum4 - start]
	call puts
	xor eax, eax
	cmp word [bp + failed - start], 0
	je .exit
	inc eax
.exit:
	mov dx, EXIT_PORT
	out dx, eax
.hang:
	hlt
	jmp .hang

; check_z: ZF set = pass. SI = name.
check_z:
	push si
	jnz .fail
	inc word [bp + passed - start]
	lea si, [bp + s_pass - start]
	jmp .print
.fail:
	inc word [bp + failed - start]
	lea si, [bp + s_fail - start]
.print:
	call puts
	pop si
	call puts
	lea si, [bp + s_nl - start]
	jmp puts

; puts: DS:SI NUL-terminated
puts:
	lodsb
	test al, al
	jz .done
	call putc
	jmp puts
.done:
	ret

putc:
	push dx
	push cx
	push ax
	mov dx, COM1 + 5
	mov cx, 0xffff
.wait:
	in al, dx
	test al, 0x20
	jnz .ready
	loop .wait
.ready:
	pop ax
	mov dx, COM1
	out dx, al
	pop cx
	pop dx
	ret

; putdec: AX (0..9999)
putdec:
	mov cx, 0
	mov bx, 10
.div:
	xor dx, dx
	div bx
	push dx
	inc cx
	test ax, ax
	jnz .div
.out:
	pop ax
	add al, '0'
	call putc
	loop .out
	ret

s_start: db 13, 10, "guest realmode: start", 13, 10, 0
s_pass: db "PASS ", 0
s_fail: db "FAIL ", 0
s_nl: db 13, 10, 0
n_pe: db "real mode: CR0.PE clear", 0
n_cpuid: db "real mode: CPUID max leaf >= 1", 0
n_scr: db "real mode: UART scratch round trip", 0
n_port: db "real mode: unassigned port 0x2f0 reads 0xff", 0
n_tern: db "real mode: Tern CPUID signature", 0
n_tern_skip: db "SKIP real mode: Tern CPUID signature (not under Tern)", 13, 10, 0
s_sum1: db "summary: ", 0
s_sum2: db " passed, ", 0
s_sum3: db " failed, ", 0
s_sum4: db " skipped", 13, 10, 0
align 2
passed: dw 0
failed: dw 0
skipped: dw 0
image_end:

