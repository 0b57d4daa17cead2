/* SPDX-License-Identifier: MIT */
/*
 * Opcode attribute tables of the x86 decoder: ModRM presence, immediate kind
 * and 64-bit validity for the one-byte and 0F opcode maps (Intel SDM vol. 2
 * appendix A, AMD APM vol. 3 appendix A). Prefix bytes and the VEX/EVEX
 * escapes are recognised by the decoder before these tables are consulted.
 */
#include "virt/decode_tables.h"

/* clang-format off */
#define M OPA_MODRM
#define X OPA_INV64

/* ADD/OR/ADC/SBB/AND/SUB/XOR/CMP: four r/m forms, AL,imm8 and eAX,immz. */
#define ALU_BLOCK(op) \
	[(op)...(op) + 3] = M, [(op) + 4] = IMM_B, [(op) + 5] = IMM_Z

const u8 decode_attr_1byte[256] = {
	ALU_BLOCK(0x00), ALU_BLOCK(0x08), ALU_BLOCK(0x10), ALU_BLOCK(0x18),
	ALU_BLOCK(0x20), ALU_BLOCK(0x28), ALU_BLOCK(0x30), ALU_BLOCK(0x38),
	[0x06] = X, [0x07] = X, [0x0E] = X, /* PUSH/POP ES, PUSH CS */
	[0x16] = X, [0x17] = X, [0x1E] = X, [0x1F] = X, /* PUSH/POP SS, DS */
	[0x27] = X, [0x2F] = X, [0x37] = X, [0x3F] = X, /* DAA DAS AAA AAS */
	[0x60] = X, [0x61] = X,				/* PUSHA POPA */
	[0x62] = M | X,					/* BOUND (EVEX in 64) */
	[0x63] = M,					/* ARPL / MOVSXD */
	[0x68] = IMM_Z, [0x69] = M | IMM_Z, [0x6A] = IMM_B, [0x6B] = M | IMM_B,
	[0x70 ... 0x7F] = IMM_B, /* Jcc rel8 */
	[0x80] = M | IMM_B, [0x81] = M | IMM_Z, [0x82] = M | IMM_B | X, [0x83] = M | IMM_B,
	[0x84 ... 0x8F] = M,
	[0x9A] = IMM_PTR | X, /* CALL far */
	[0xA0 ... 0xA3] = IMM_MOFFS,
	[0xA8] = IMM_B, [0xA9] = IMM_Z,
	[0xB0 ... 0xB7] = IMM_B, [0xB8 ... 0xBF] = IMM_V,
	[0xC0] = M | IMM_B, [0xC1] = M | IMM_B, [0xC2] = IMM_W,
	[0xC4] = M | X, [0xC5] = M | X, /* LES LDS (VEX in 64) */
	[0xC6] = M | IMM_B, [0xC7] = M | IMM_Z,
	[0xC8] = IMM_WB, [0xCA] = IMM_W, [0xCD] = IMM_B, [0xCE] = X,
	[0xD0 ... 0xD3] = M,
	[0xD4] = IMM_B | X, [0xD5] = IMM_B | X, [0xD6] = X, /* AAM AAD SALC */
	[0xD8 ... 0xDF] = M, /* x87 */
	[0xE0 ... 0xE7] = IMM_B, /* LOOPcc JCXZ IN OUT imm8 */
	[0xE8] = IMM_JZ, [0xE9] = IMM_JZ, [0xEA] = IMM_PTR | X, [0xEB] = IMM_B,
	[0xF6] = M | IMM_GRP3B, [0xF7] = M | IMM_GRP3Z,
	[0xFE] = M, [0xFF] = M,
};

const u8 decode_attr_0f[256] = {
	[0x00 ... 0x03] = M, /* group 6/7 (incl. VMCALL, XSETBV...), LAR LSL */
	[0x0D] = M,	     /* PREFETCH */
	[0x0F] = M | IMM_B,  /* 3DNow!: the opcode is the trailing imm8 */
	[0x10 ... 0x1F] = M, /* SSE moves, prefetch hints, NOP r/m */
	[0x20 ... 0x23] = M | OPA_MODREG, /* MOV CR/DR */
	[0x24] = M | OPA_MODREG, [0x26] = M | OPA_MODREG, /* MOV TR (386) */
	[0x28 ... 0x2F] = M,
	[0x40 ... 0x6F] = M, /* CMOVcc, SSE, MMX */
	[0x70 ... 0x73] = M | IMM_B,
	[0x74 ... 0x76] = M,
	[0x78 ... 0x7F] = M, /* VMREAD VMWRITE, MMX/SSE moves */
	[0x80 ... 0x8F] = IMM_JZ, /* Jcc rel16/32 */
	[0x90 ... 0x9F] = M,	  /* SETcc */
	[0xA3] = M, [0xA4] = M | IMM_B, [0xA5] = M,
	[0xAB] = M, [0xAC] = M | IMM_B, [0xAD ... 0xAF] = M,
	[0xB0 ... 0xB9] = M, [0xBA] = M | IMM_B, [0xBB ... 0xBF] = M,
	[0xC0] = M, [0xC1] = M, [0xC2] = M | IMM_B, [0xC3] = M,
	[0xC4 ... 0xC6] = M | IMM_B, [0xC7] = M,
	[0xD0 ... 0xFF] = M,
};
/* clang-format on */
