; Multiboot2 header: i386 entry, no tags besides the end tag (the loader
; provides the command line and memory map tags anyway).
MB2_MAGIC equ 0xE85250D6
MB2_ARCH_I386 equ 0
section .mbhdr progbits alloc noexec nowrite align=8
mb2_header:
	dd MB2_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header
	dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	align 8
	dw 0, 0                 ; end tag: type 0, flags 0
	dd 8                    ; size 8
mb2_header_end:
