/* SPDX-License-Identifier: MIT */
/*
 * Opcode attribute tables of the x86 decoder (virt/decode.c): for each opcode
 * of the one-byte and 0F maps, whether a ModRM byte follows, which immediate
 * it carries and whether it is undefined in 64-bit mode. The 0F38 map always
 * has ModRM and no immediate, 0F3A always ModRM and an imm8.
 */
#ifndef TERN_VIRT_DECODE_TABLES_H
#define TERN_VIRT_DECODE_TABLES_H

#include "lib/types.h"

/* Immediate kinds, in the low bits of an attribute byte. */
enum {
	IMM_NONE,
	IMM_B,	   /* imm8 */
	IMM_W,	   /* imm16 */
	IMM_Z,	   /* imm16 or imm32 by operand size */
	IMM_V,	   /* imm16/32/64 by operand size (MOV reg, imm) */
	IMM_MOFFS, /* address-sized offset (MOV A0-A3) */
	IMM_WB,	   /* imm16 then imm8 (ENTER) */
	IMM_PTR,   /* far pointer: offset16/32 then selector16 */
	IMM_JZ,	   /* rel16/32; rel32 in 64-bit mode whatever 66 says */
	IMM_GRP3B, /* imm8 only for /0 and /1 (TEST) */
	IMM_GRP3Z, /* immz only for /0 and /1 (TEST) */
};

#define OPA_IMM_MASK 0x0F
#define OPA_MODRM    BIT(4) /* a ModRM byte follows */
#define OPA_INV64    BIT(5) /* #UD in 64-bit mode */
#define OPA_MODREG   BIT(6) /* ModRM always names registers (MOV CR/DR) */

extern const u8 decode_attr_1byte[256];
extern const u8 decode_attr_0f[256];

#endif
