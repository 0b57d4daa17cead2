/* SPDX-License-Identifier: MIT */
/*
 * x86 instruction decoder for 16-, 32- and 64-bit code. Without NRIPS or
 * decode assists (QEMU TCG's SVM) Tern must find the length of every exiting
 * instruction to advance RIP, and the operands of a faulting MMIO access to
 * emulate it. The decoder knows prefixes, REX, VEX/EVEX, the one-byte, 0F,
 * 0F38 and 0F3A maps, ModRM/SIB/displacement and immediate sizes; it does
 * not know what an instruction does (virt/emulate.c does, for a few).
 */
#ifndef TERN_VIRT_DECODE_H
#define TERN_VIRT_DECODE_H

#include "lib/types.h"
#include "virt/vcpu.h"

#define INSN_MAX_LEN 15

/* Legacy prefix bytes. */
#define PFX_OPSIZE   0x66
#define PFX_ADDRSIZE 0x67
#define PFX_LOCK     0xF0
#define PFX_REPNE    0xF2
#define PFX_REP	     0xF3
#define PFX_ES	     0x26
#define PFX_CS	     0x2E
#define PFX_SS	     0x36
#define PFX_DS	     0x3E
#define PFX_FS	     0x64
#define PFX_GS	     0x65

/* REX bits (0100WRXB). */
#define REX_B BIT(0)
#define REX_X BIT(1)
#define REX_R BIT(2)
#define REX_W BIT(3)

/*
 * Opcode maps, as the high byte of insn.opcode, so 0F B6 reads 0x0FB6 and
 * 0F 38 F0 reads 0x38F0. VEX/EVEX instructions use the same numbering.
 */
#define OPMAP_1BYTE 0x0000
#define OPMAP_0F    0x0F00
#define OPMAP_0F38  0x3800
#define OPMAP_0F3A  0x3A00
#define OPMAP_MASK  0xFF00

/* Code modes: the default operand/address size of the code segment. */
enum insn_mode {
	INSN_MODE_16 = 2, /* real, virtual-8086, 16-bit protected/compat */
	INSN_MODE_32 = 4, /* 32-bit protected or compatibility */
	INSN_MODE_64 = 8, /* 64-bit (long mode, CS.L=1) */
};

#define INSN_SEG_NONE 0xFF /* seg_override when no (effective) override */
#define INSN_REG_NONE (-1) /* base/index when absent */

/* decode_insn() failures, returned negated. */
#define DECODE_ETOOLONG E_RANGE /* longer than 15 bytes: #GP(0) */
#define DECODE_EINVALID E_INVAL /* undefined in this mode: #UD */
#define DECODE_ETRUNC	E_NOENT /* the buffer ended first (fetch fault?) */

struct insn {
	u8 len;		       /* total length in bytes */
	u8 mode;	       /* enum insn_mode it was decoded in */
	u8 opsize;	       /* operand size 2/4/8 (byte forms: see the opcode) */
	u8 addrsize;	       /* address size 2/4/8 */
	u16 opcode;	       /* OPMAP_* | opcode byte */
	u8 nr_prefixes;	       /* legacy prefix bytes (REX/VEX not counted) */
	bool opsize_prefix;    /* 66 seen */
	bool addrsize_prefix;  /* 67 seen */
	bool rep, repne, lock; /* F3 / F2 (the last one wins) / F0 */
	u8 seg_override;       /* enum seg, or INSN_SEG_NONE (64-bit: FS/GS only) */
	u8 rex;		       /* the REX byte, 0 if none */
	bool vex;	       /* VEX (C4/C5) or EVEX (62) encoded */
	bool evex;
	u8 vex_vvvv; /* extra register operand (decoded, 0-15/31) */
	u8 vex_l;    /* vector length field */
	bool vex_w;
	bool has_modrm;
	u8 modrm, sib;
	bool has_sib;
	u8 mod;		   /* modrm.mod */
	int reg;	   /* modrm.reg with REX.R (or opcode low bits) */
	int rm;		   /* modrm.rm with REX.B (register when mod == 3) */
	int base, index;   /* memory operand registers, INSN_REG_NONE if absent */
	u8 scale;	   /* 1, 2, 4 or 8 */
	bool rip_relative; /* disp is relative to the next instruction */
	u8 disp_size;
	s64 disp;    /* sign-extended */
	u8 imm_size; /* bytes of immediate (all of them, e.g. ENTER: 3) */
	u64 imm;     /* sign-extended from imm_size (first immediate) */
	u16 imm2;    /* second immediate: ENTER's ib, far pointer selector */
};

/*
 * Decode the instruction at 'buf' ('avail' bytes valid) in 'mode'.
 * Returns 0 and fills *in, or -DECODE_ETOOLONG / -DECODE_EINVALID /
 * -DECODE_ETRUNC.
 */
int decode_insn(struct insn *in, const u8 *buf, size_t avail, enum insn_mode mode);

/* The code mode from guest state: CR0, EFER, RFLAGS and CS access rights. */
enum insn_mode insn_mode_of(u64 cr0, u64 efer, u64 rflags, u32 cs_ar);

/* True when the instruction has a memory operand in ModRM (mod != 3). */
static inline bool insn_has_mem(const struct insn *in)
{
	return in->has_modrm && in->mod != 3;
}

/* The segment a ModRM memory operand uses: the override or DS/SS default. */
enum seg insn_mem_seg(const struct insn *in);

#endif
