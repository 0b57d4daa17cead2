; Test harness only: a boot sector that loads the raw real-mode payload
; (appended after it) at 0x1000:0000 with BIOS INT 13h and enters it there,
; so bare QEMU can run realmode.bin. Build: nasm -f bin -DRAW_BIN='"path"'.
bits 16
org 0x7c00
LOAD_SEG equ 0x1000
SECTORS  equ 4

	cli
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, 0x7c00
	sti
	mov ax, LOAD_SEG
	mov es, ax
	xor bx, bx
	mov ah, 0x02                    ; read sectors
	mov al, SECTORS
	mov ch, 0                       ; cylinder 0
	mov cl, 2                       ; from sector 2
	mov dh, 0                       ; head 0 (DL = boot drive from BIOS)
	int 0x13
	jc .fail
	jmp LOAD_SEG:0
.fail:
	mov dx, 0xf4
	mov al, 0x7f
	out dx, al
	hlt
	times 510 - ($ - $$) db 0
	dw 0xaa55
payload:
	incbin RAW_BIN
	times 512 * (SECTORS + 1) - ($ - $$) db 0
