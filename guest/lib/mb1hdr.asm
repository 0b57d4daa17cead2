; Multiboot (v1) header: page-aligned modules, memory information, ELF layout.
MB1_MAGIC equ 0x1BADB002
MB1_FLAGS equ 0x00000003
section .mbhdr progbits alloc noexec nowrite align=4
	dd MB1_MAGIC
	dd MB1_FLAGS
	dd -(MB1_MAGIC + MB1_FLAGS)
