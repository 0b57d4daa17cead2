; SPDX-License-Identifier: MIT
; The empty symbol table of Tern's first link pass (see tools/gen-ksyms).
section .ksyms progbits alloc noexec nowrite align=8
global ksyms_table
ksyms_table:
	dq 0
