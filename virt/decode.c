/* SPDX-License-Identifier: MIT */
/*
 * x86 instruction decoder: prefixes, REX, VEX/EVEX, opcode maps, ModRM/SIB,
 * displacement and immediates, enforcing the 15-byte limit. Lengths must be
 * exact for every instruction a guest can exit on, so the rules follow the
 * SDM to the byte; semantics are left to the users (virt/emulate.c).
 * Near branches in 64-bit mode take a rel32 even with a 66 prefix (Intel
 * behaviour; AMD would take a rel16): no exit happens on those anyway.
 */
#include "virt/decode.h"
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "lib/string.h"
#include "virt/decode_tables.h"

#define OP_ESC_0F     0x0F
#define OP_ESC_0F38   0x38
#define OP_ESC_0F3A   0x3A
#define OP_VEX3	      0xC4
#define OP_VEX2	      0xC5
#define OP_EVEX	      0x62
#define OP_EMMS_VZERO 0x77 /* 0F 77: no ModRM, also under VEX */

#define REX_MIN		  0x40
#define REX_MAX		  0x4F
#define MODRM_MOD_REG	  3
#define MODRM_RM_SIB	  4
#define MODRM_RM_DISP32	  5
#define MODRM16_RM_DISP16 6
#define SIB_NO_INDEX	  4
#define SIB_BASE_DISP32	  5

#define VEX_MAP_0F   1
#define VEX_MAP_0F38 2
#define VEX_MAP_0F3A 3
#define EVEX_MAP_5   5
#define EVEX_MAP_6   6

#define RFLAGS_VM BIT(17)

struct reader {
	const u8 *buf;
	size_t avail;
	u8 pos;
};

static int next_byte(struct reader *r, u8 *b)
{
	if (r->pos >= INSN_MAX_LEN)
		return -DECODE_ETOOLONG;
	if (r->pos >= r->avail)
		return -DECODE_ETRUNC;
	*b = r->buf[r->pos++];
	return 0;
}

/* Read an n-byte little-endian value; sign-extend it if 'sign'. */
static int next_val(struct reader *r, unsigned int n, bool sign, u64 *val)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		u8 b;
		int err = next_byte(r, &b);

		if (err)
			return err;
		v |= (u64)b << (8 * i);
	}
	if (sign && n > 0 && n < 8 && (v & BIT(8 * n - 1)))
		v |= ~0ull << (8 * n);
	*val = v;
	return 0;
}

static bool is_legacy_prefix(u8 b)
{
	switch (b) {
	case PFX_OPSIZE:
	case PFX_ADDRSIZE:
	case PFX_LOCK:
	case PFX_REPNE:
	case PFX_REP:
	case PFX_ES:
	case PFX_CS:
	case PFX_SS:
	case PFX_DS:
	case PFX_FS:
	case PFX_GS:
		return true;
	}
	return false;
}

static u8 seg_of_prefix(u8 b)
{
	switch (b) {
	case PFX_ES:
		return SEG_ES;
	case PFX_CS:
		return SEG_CS;
	case PFX_SS:
		return SEG_SS;
	case PFX_DS:
		return SEG_DS;
	case PFX_FS:
		return SEG_FS;
	case PFX_GS:
		return SEG_GS;
	}
	return INSN_SEG_NONE;
}

/* Consume legacy prefixes and REX; leave the opcode byte in *op. */
static int decode_prefixes(struct reader *r, struct insn *in, u8 *op)
{
	for (;;) {
		u8 b;
		int err = next_byte(r, &b);

		if (err)
			return err;
		if (in->mode == INSN_MODE_64 && b >= REX_MIN && b <= REX_MAX) {
			in->rex = b; /* only counts if the opcode follows */
			continue;
		}
		if (!is_legacy_prefix(b)) {
			*op = b;
			return 0;
		}
		in->rex = 0;
		in->nr_prefixes++;
		if (b == PFX_OPSIZE) {
			in->opsize_prefix = true;
		} else if (b == PFX_ADDRSIZE) {
			in->addrsize_prefix = true;
		} else if (b == PFX_LOCK) {
			in->lock = true;
		} else if (b == PFX_REP || b == PFX_REPNE) {
			in->rep = b == PFX_REP;
			in->repne = b == PFX_REPNE;
		} else {
			u8 s = seg_of_prefix(b);

			/* 64-bit mode ignores ES/CS/SS/DS overrides. */
			if (in->mode != INSN_MODE_64 || s == SEG_FS || s == SEG_GS)
				in->seg_override = s;
		}
	}
}

static void set_sizes(struct insn *in)
{
	switch (in->mode) {
	case INSN_MODE_64:
		in->opsize = (in->rex & REX_W) ? 8 : in->opsize_prefix ? 2 : 4;
		in->addrsize = in->addrsize_prefix ? 4 : 8;
		break;
	case INSN_MODE_32:
		in->opsize = in->opsize_prefix ? 2 : 4;
		in->addrsize = in->addrsize_prefix ? 2 : 4;
		break;
	default:
		in->opsize = in->opsize_prefix ? 4 : 2;
		in->addrsize = in->addrsize_prefix ? 4 : 2;
		break;
	}
}

static void modrm16(struct insn *in, u8 rm, unsigned int *disp_size)
{
	static const s8 base16[8] = {GPR_RBX, GPR_RBX, GPR_RBP, GPR_RBP,
				     GPR_RSI, GPR_RDI, GPR_RBP, GPR_RBX};
	static const s8 index16[8] = {GPR_RSI,	     GPR_RDI,	    GPR_RSI,	   GPR_RDI,
				      INSN_REG_NONE, INSN_REG_NONE, INSN_REG_NONE, INSN_REG_NONE};

	in->base = base16[rm];
	in->index = index16[rm];
	if (in->mod == 0 && rm == MODRM16_RM_DISP16) {
		in->base = INSN_REG_NONE;
		*disp_size = 2;
	} else {
		*disp_size = in->mod == 1 ? 1 : in->mod == 2 ? 2 : 0;
	}
}

static int modrm32(struct reader *r, struct insn *in, u8 rm, u8 ext, unsigned int *disp_size)
{
	*disp_size = in->mod == 1 ? 1 : in->mod == 2 ? 4 : 0;
	if (rm == MODRM_RM_SIB) {
		u8 idx;
		int err = next_byte(r, &in->sib);

		if (err)
			return err;
		in->has_sib = true;
		in->scale = 1 << (in->sib >> 6);
		idx = ((in->sib >> 3) & 7) | ((ext & REX_X) ? 8 : 0);
		in->index = idx == SIB_NO_INDEX ? INSN_REG_NONE : idx;
		in->base = (in->sib & 7) | ((ext & REX_B) ? 8 : 0);
		if ((in->sib & 7) == SIB_BASE_DISP32 && in->mod == 0) {
			in->base = INSN_REG_NONE;
			*disp_size = 4;
		}
	} else if (rm == MODRM_RM_DISP32 && in->mod == 0) {
		in->rip_relative = in->mode == INSN_MODE_64;
		*disp_size = 4;
	} else {
		in->base = in->rm;
	}
	return 0;
}

static int decode_modrm(struct reader *r, struct insn *in, u8 ext, bool modreg)
{
	unsigned int disp_size;
	u64 disp;
	int err = next_byte(r, &in->modrm);

	if (err)
		return err;
	in->has_modrm = true;
	in->mod = modreg ? MODRM_MOD_REG : in->modrm >> 6;
	in->reg = ((in->modrm >> 3) & 7) | ((ext & REX_R) ? 8 : 0);
	in->rm = (in->modrm & 7) | ((ext & REX_B) ? 8 : 0);
	if (in->mod == MODRM_MOD_REG)
		return 0;
	if (in->addrsize == 2) {
		modrm16(in, in->modrm & 7, &disp_size);
	} else {
		err = modrm32(r, in, in->modrm & 7, ext, &disp_size);
		if (err)
			return err;
	}
	err = next_val(r, disp_size, true, &disp);
	if (err)
		return err;
	in->disp_size = disp_size;
	in->disp = (s64)disp;
	return 0;
}

/* Size of the (first) immediate of an opcode with attribute 'kind'. */
static unsigned int imm_bytes(const struct insn *in, u8 kind)
{
	unsigned int z = in->opsize == 2 ? 2 : 4;
	bool test_form = ((in->modrm >> 3) & 7) < 2;

	switch (kind) {
	case IMM_B:
		return 1;
	case IMM_W:
	case IMM_WB:
		return 2;
	case IMM_Z:
	case IMM_PTR:
		return z;
	case IMM_V:
		return in->opsize;
	case IMM_MOFFS:
		return in->addrsize;
	case IMM_JZ:
		return in->mode == INSN_MODE_64 ? 4 : z;
	case IMM_GRP3B:
		return test_form ? 1 : 0;
	case IMM_GRP3Z:
		return test_form ? z : 0;
	}
	return 0;
}

static int decode_imm(struct reader *r, struct insn *in, u8 kind)
{
	unsigned int n = imm_bytes(in, kind);
	unsigned int n2 = kind == IMM_WB ? 1 : kind == IMM_PTR ? 2 : 0;
	u64 v2;
	int err = next_val(r, n, kind != IMM_MOFFS, &in->imm);

	if (err)
		return err;
	err = next_val(r, n2, false, &v2);
	if (err)
		return err;
	in->imm2 = (u16)v2;
	in->imm_size = n + n2;
	return 0;
}

/* Decode the rest of a VEX (C4/C5) or EVEX (62) instruction. */
static int decode_vex(struct reader *r, struct insn *in, u8 esc)
{
	u8 p[3], map, op, ext = 0, imm_kind = IMM_NONE;
	unsigned int i, n = esc == OP_VEX2 ? 1 : esc == OP_VEX3 ? 2 : 3;
	int err;

	if (in->rex || in->opsize_prefix || in->rep || in->repne || in->lock)
		return -DECODE_EINVALID;
	for (i = 0; i < n; i++) {
		err = next_byte(r, &p[i]);
		if (err)
			return err;
	}
	in->vex = true;
	in->evex = esc == OP_EVEX;
	if (!(p[0] & 0x80))
		ext |= REX_R;
	if (esc == OP_VEX2) {
		map = VEX_MAP_0F;
		in->vex_vvvv = (~p[0] >> 3) & 0xF;
		in->vex_l = (p[0] >> 2) & 1;
	} else {
		if (in->mode == INSN_MODE_64) {
			ext |= (p[0] & 0x40) ? 0 : REX_X;
			ext |= (p[0] & 0x20) ? 0 : REX_B;
		}
		map = p[0] & (in->evex ? 0x07 : 0x1F);
		in->vex_w = p[1] >> 7;
		in->vex_vvvv = (~p[1] >> 3) & 0xF;
		in->vex_l = in->evex ? (p[2] >> 5) & 3 : (p[1] >> 2) & 1;
	}
	if (in->vex_w && in->mode == INSN_MODE_64)
		in->opsize = 8; /* BMI and friends: W selects 64-bit GPRs */
	err = next_byte(r, &op);
	if (err)
		return err;
	switch (map) {
	case VEX_MAP_0F:
		in->opcode = OPMAP_0F | op;
		if ((decode_attr_0f[op] & OPA_IMM_MASK) == IMM_B)
			imm_kind = IMM_B;
		break;
	case VEX_MAP_0F38:
		in->opcode = OPMAP_0F38 | op;
		break;
	case VEX_MAP_0F3A:
		in->opcode = OPMAP_0F3A | op;
		imm_kind = IMM_B;
		break;
	case EVEX_MAP_5:
	case EVEX_MAP_6:
		if (in->evex) {
			in->opcode = (map << 8) | op;
			break;
		}
		return -DECODE_EINVALID;
	default:
		return -DECODE_EINVALID;
	}
	if (!in->evex && in->opcode == (OPMAP_0F | OP_EMMS_VZERO))
		return 0; /* VZEROUPPER / VZEROALL */
	err = decode_modrm(r, in, ext, false);
	if (err)
		return err;
	return decode_imm(r, in, imm_kind);
}

/* C4/C5/62 start a VEX/EVEX prefix in 64-bit mode, elsewhere if mod == 3. */
static int is_vex_escape(struct reader *r, const struct insn *in, u8 op, bool *vex)
{
	*vex = false;
	if (op != OP_VEX2 && op != OP_VEX3 && op != OP_EVEX)
		return 0;
	if (in->mode == INSN_MODE_64) {
		*vex = true;
		return 0;
	}
	if (r->pos >= INSN_MAX_LEN)
		return -DECODE_ETOOLONG;
	if (r->pos >= r->avail)
		return -DECODE_ETRUNC;
	*vex = (r->buf[r->pos] >> 6) == MODRM_MOD_REG;
	return 0;
}

/* Read the opcode (after any 0F/0F38/0F3A escape) and return its attributes. */
static int decode_opcode(struct reader *r, struct insn *in, u8 op, u8 *attr)
{
	int err;

	if (op != OP_ESC_0F) {
		in->opcode = OPMAP_1BYTE | op;
		*attr = decode_attr_1byte[op];
		if ((*attr & OPA_INV64) && in->mode == INSN_MODE_64)
			return -DECODE_EINVALID;
		return 0;
	}
	err = next_byte(r, &op);
	if (err)
		return err;
	if (op == OP_ESC_0F38 || op == OP_ESC_0F3A) {
		u16 map = op == OP_ESC_0F38 ? OPMAP_0F38 : OPMAP_0F3A;

		err = next_byte(r, &op);
		if (err)
			return err;
		in->opcode = map | op;
		*attr = OPA_MODRM | (map == OPMAP_0F3A ? IMM_B : IMM_NONE);
		return 0;
	}
	in->opcode = OPMAP_0F | op;
	*attr = decode_attr_0f[op];
	return 0;
}

int decode_insn(struct insn *in, const u8 *buf, size_t avail, enum insn_mode mode)
{
	struct reader r = {.buf = buf, .avail = avail, .pos = 0};
	u8 op, attr;
	bool vex;
	int err;

	memset(in, 0, sizeof(*in));
	in->mode = mode;
	in->seg_override = INSN_SEG_NONE;
	in->base = in->index = in->reg = in->rm = INSN_REG_NONE;
	in->scale = 1;
	err = decode_prefixes(&r, in, &op);
	if (!err) {
		set_sizes(in);
		err = is_vex_escape(&r, in, op, &vex);
	}
	if (!err && vex) {
		err = decode_vex(&r, in, op);
	} else if (!err) {
		err = decode_opcode(&r, in, op, &attr);
		if (!err && (attr & OPA_MODRM))
			err = decode_modrm(&r, in, in->rex, attr & OPA_MODREG);
		if (!err)
			err = decode_imm(&r, in, attr & OPA_IMM_MASK);
		if (!err && !(attr & OPA_MODRM) && in->opcode < 0x100)
			in->reg = (op & 7) | ((in->rex & REX_B) ? 8 : 0);
	}
	if (err)
		return err;
	in->len = r.pos;
	return 0;
}

enum insn_mode insn_mode_of(u64 cr0, u64 efer, u64 rflags, u32 cs_ar)
{
	if ((efer & EFER_LMA) && (cs_ar & SEG_AR_L))
		return INSN_MODE_64;
	if (!(cr0 & CR0_PE) || (rflags & RFLAGS_VM))
		return INSN_MODE_16;
	return (cs_ar & SEG_AR_DB) ? INSN_MODE_32 : INSN_MODE_16;
}

enum seg insn_mem_seg(const struct insn *in)
{
	if (in->seg_override != INSN_SEG_NONE)
		return in->seg_override;
	if (!in->rip_relative && (in->base == GPR_RBP || in->base == GPR_RSP))
		return SEG_SS;
	return SEG_DS;
}
