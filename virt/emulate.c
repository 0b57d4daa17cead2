/* SPDX-License-Identifier: MIT */
/*
 * MMIO access emulation on a decoded instruction. The memory operand is the
 * faulting guest-physical address, so ModRM addressing need not be evaluated
 * except for string instructions, whose second operand may be ordinary memory.
 * Register writes follow x86 merge rules; arithmetic sets CF/PF/AF/ZF/SF/OF
 * exactly. Nothing is committed before every device and memory callback of
 * the instruction has succeeded (except a REP string's finished iterations,
 * which the architecture also keeps).
 */
#include "virt/emulate.h"

#define OP_ALU_LAST	    0x3D /* 00-3D: ADD..CMP in blocks of 8 */
#define OP_ALU_FORM_MASK    0x07
#define OP_ALU_DIR_REG	    BIT(1) /* destination is the ModRM reg */
#define OP_WIDE		    BIT(0) /* not the byte form */
#define OP_GRP1_EB_IB	    0x80
#define OP_GRP1_EV_IZ	    0x81
#define OP_GRP1_EB_IB_ALIAS 0x82 /* #UD in 64-bit mode (the decoder says so) */
#define OP_GRP1_EV_IB	    0x83
#define OP_TEST_EB	    0x84
#define OP_TEST_EV	    0x85
#define OP_XCHG_EB	    0x86
#define OP_XCHG_EV	    0x87
#define OP_MOV_EB_GB	    0x88
#define OP_MOV_EV_GV	    0x89
#define OP_MOV_GB_EB	    0x8A
#define OP_MOV_GV_EV	    0x8B
#define OP_MOV_AL_MOFFS	    0xA0
#define OP_MOV_EAX_MOFFS    0xA1
#define OP_MOV_MOFFS_AL	    0xA2
#define OP_MOV_MOFFS_EAX    0xA3
#define OP_MOVSB	    0xA4
#define OP_MOVSV	    0xA5
#define OP_STOSB	    0xAA
#define OP_STOSV	    0xAB
#define OP_LODSB	    0xAC
#define OP_LODSV	    0xAD
#define OP_MOV_EB_IB	    0xC6
#define OP_MOV_EV_IZ	    0xC7
#define OP_GRP3_EB	    0xF6
#define OP_GRP3_EV	    0xF7
#define OP_MOVZX_B	    (OPMAP_0F | 0xB6)
#define OP_MOVZX_W	    (OPMAP_0F | 0xB7)
#define OP_MOVSX_B	    (OPMAP_0F | 0xBE)
#define OP_MOVSX_W	    (OPMAP_0F | 0xBF)

/* Group 3 (F6/F7) ModRM.reg values. */
#define GRP3_TEST	0
#define GRP3_TEST_ALIAS 1
#define GRP3_NOT	2
#define GRP3_NEG	3

#define HIGH_BYTE_REGS 4 /* AH CH DH BH are encodings 4-7 without REX */

static u64 size_mask(u8 size)
{
	return size >= 8 ? ~0ull : BIT(size * 8) - 1;
}

static u64 sign_extend(u64 v, u8 size)
{
	u64 sign = BIT(size * 8 - 1);

	return size >= 8 ? v : ((v & size_mask(size)) ^ sign) - sign;
}

static u64 reg_get(const struct emu_ctx *c, const struct insn *in, int reg, u8 size)
{
	if (size == 1 && !in->rex && reg >= HIGH_BYTE_REGS && reg < 8)
		return (c->gpr[reg - HIGH_BYTE_REGS] >> 8) & 0xFF;
	return c->gpr[reg] & size_mask(size);
}

/* 32-bit writes zero-extend; 8- and 16-bit writes merge. */
static void reg_set(struct emu_ctx *c, const struct insn *in, int reg, u8 size, u64 val)
{
	if (size == 1 && !in->rex && reg >= HIGH_BYTE_REGS && reg < 8) {
		u64 *r = &c->gpr[reg - HIGH_BYTE_REGS];

		*r = (*r & ~0xFF00ull) | ((val & 0xFF) << 8);
	} else if (size == 4 || size == 8) {
		c->gpr[reg] = val & size_mask(size);
	} else {
		c->gpr[reg] = (c->gpr[reg] & ~size_mask(size)) | (val & size_mask(size));
	}
}

static bool parity_even(u64 v)
{
	return !__builtin_parity((unsigned int)(v & 0xFF));
}

/* Flags of a result: ZF, SF, PF from 'res'; CF/OF/AF passed in. */
static void set_flags(u64 *rflags, u8 size, u64 res, bool cf, bool of, bool af)
{
	u64 f = *rflags & ~RFLAGS_ARITH;

	res &= size_mask(size);
	f |= cf ? RFLAGS_CF : 0;
	f |= of ? RFLAGS_OF : 0;
	f |= af ? RFLAGS_AF : 0;
	f |= res == 0 ? RFLAGS_ZF : 0;
	f |= (res >> (size * 8 - 1)) & 1 ? RFLAGS_SF : 0;
	f |= parity_even(res) ? RFLAGS_PF : 0;
	*rflags = f;
}

u64 emu_alu(enum emu_alu op, u8 size, u64 a, u64 b, u64 *rflags)
{
	unsigned int msb = size * 8 - 1;
	u64 m = size_mask(size), carry_in = *rflags & RFLAGS_CF ? 1 : 0, r;

	a &= m;
	b &= m;
	switch (op) {
	case EMU_ALU_ADD:
	case EMU_ALU_ADC:
		r = (a + b + (op == EMU_ALU_ADC ? carry_in : 0)) & m;
		set_flags(rflags, size, r, (((a & b) | ((a | b) & ~r)) >> msb) & 1,
			  (((a ^ r) & (b ^ r)) >> msb) & 1, (a ^ b ^ r) & 0x10);
		return r;
	case EMU_ALU_NEG:
		b = a;
		a = 0;
		/* fall through */
	case EMU_ALU_SUB:
	case EMU_ALU_SBB:
	case EMU_ALU_CMP:
		r = (a - b - (op == EMU_ALU_SBB ? carry_in : 0)) & m;
		set_flags(rflags, size, r, (((~a & b) | ((~a | b) & r)) >> msb) & 1,
			  (((a ^ b) & (a ^ r)) >> msb) & 1, (a ^ b ^ r) & 0x10);
		return r;
	case EMU_ALU_OR:
		r = a | b;
		break;
	case EMU_ALU_XOR:
		r = a ^ b;
		break;
	default: /* AND, TEST */
		r = a & b;
		break;
	}
	set_flags(rflags, size, r, false, false, false); /* AF undefined: clear */
	return r;
}

static void advance_rip(struct emu_ctx *c, const struct insn *in)
{
	u64 rip = *c->rip + in->len;

	if (in->mode != INSN_MODE_64)
		rip &= size_mask(in->mode == INSN_MODE_32 ? 4 : 2);
	*c->rip = rip;
}

static u8 operand_size(const struct insn *in)
{
	return (in->opcode & OP_WIDE) ? in->opsize : 1;
}

/* MOV to memory: 88 89 C6 C7 A2 A3. */
static int emu_store(struct emu_ctx *c, const struct insn *in, u64 gpa)
{
	u8 size = operand_size(in);
	u64 val;

	switch (in->opcode) {
	case OP_MOV_EB_IB:
	case OP_MOV_EV_IZ:
		if (((in->modrm >> 3) & 7) != 0)
			return -E_NOSUPP;
		val = in->imm;
		break;
	case OP_MOV_MOFFS_AL:
	case OP_MOV_MOFFS_EAX:
		val = reg_get(c, in, GPR_RAX, size);
		break;
	default:
		val = reg_get(c, in, in->reg, size);
		break;
	}
	return c->ops->mmio_write(c->opaque, gpa, size, val & size_mask(size));
}

/* MOV from memory, MOVZX, MOVSX: 8A 8B A0 A1 0F B6/B7/BE/BF. */
static int emu_load(struct emu_ctx *c, const struct insn *in, u64 gpa)
{
	bool moffs = in->opcode == OP_MOV_AL_MOFFS || in->opcode == OP_MOV_EAX_MOFFS;
	bool ext = (in->opcode & OPMAP_MASK) == OPMAP_0F;
	bool sign = in->opcode == OP_MOVSX_B || in->opcode == OP_MOVSX_W;
	u8 src = ext ? ((in->opcode & OP_WIDE) ? 2 : 1) : operand_size(in);
	u8 dst = ext ? in->opsize : src;
	u64 val;
	int err = c->ops->mmio_read(c->opaque, gpa, src, &val);

	if (err)
		return err;
	val &= size_mask(src);
	if (sign)
		val = sign_extend(val, src);
	reg_set(c, in, moffs ? GPR_RAX : in->reg, dst, val);
	return 0;
}

/* XCHG r/m, reg: the device sees the read, then the write. */
static int emu_xchg(struct emu_ctx *c, const struct insn *in, u64 gpa)
{
	u8 size = operand_size(in);
	u64 old;
	int err = c->ops->mmio_read(c->opaque, gpa, size, &old);

	if (!err)
		err = c->ops->mmio_write(c->opaque, gpa, size, reg_get(c, in, in->reg, size));
	if (!err)
		reg_set(c, in, in->reg, size, old);
	return err;
}

/*
 * Arithmetic with a memory operand. 'b' is the other operand (register or
 * immediate); 'to_reg' puts the result in the ModRM reg instead of memory.
 */
static int emu_arith(struct emu_ctx *c, const struct insn *in, u64 gpa, enum emu_alu op, u64 b,
		     bool to_reg)
{
	u8 size = operand_size(in);
	bool writes = op != EMU_ALU_CMP && op != EMU_ALU_TEST;
	u64 mem, res, flags = *c->rflags;
	int err;

	if (in->lock && (to_reg || !writes))
		return -E_INVAL;
	err = c->ops->mmio_read(c->opaque, gpa, size, &mem);
	if (err)
		return err;
	if (to_reg)
		res = emu_alu(op, size, reg_get(c, in, in->reg, size), mem, &flags);
	else
		res = emu_alu(op, size, mem, b, &flags);
	if (writes && !to_reg) {
		err = c->ops->mmio_write(c->opaque, gpa, size, res);
		if (err)
			return err;
	}
	if (writes && to_reg)
		reg_set(c, in, in->reg, size, res);
	*c->rflags = flags;
	return 0;
}

/* F6/F7: TEST imm, NOT, NEG on memory; MUL/DIV are not emulated. */
static int emu_group3(struct emu_ctx *c, const struct insn *in, u64 gpa)
{
	u8 size = operand_size(in), sub = (in->modrm >> 3) & 7;
	u64 val;
	int err;

	if (sub == GRP3_TEST || sub == GRP3_TEST_ALIAS)
		return emu_arith(c, in, gpa, EMU_ALU_TEST, in->imm, false);
	if (sub == GRP3_NEG)
		return emu_arith(c, in, gpa, EMU_ALU_NEG, 0, false);
	if (sub != GRP3_NOT)
		return -E_NOSUPP;
	err = c->ops->mmio_read(c->opaque, gpa, size, &val);
	if (!err)
		err = c->ops->mmio_write(c->opaque, gpa, size, ~val & size_mask(size));
	return err; /* NOT changes no flags */
}

static int emu_alu_forms(struct emu_ctx *c, const struct insn *in, u64 gpa)
{
	u8 op = in->opcode & 0xFF;

	if (op <= OP_ALU_LAST && (op & OP_ALU_FORM_MASK) <= 3)
		return emu_arith(c, in, gpa, op >> 3, reg_get(c, in, in->reg, operand_size(in)),
				 op & OP_ALU_DIR_REG);
	switch (op) {
	case OP_GRP1_EB_IB:
	case OP_GRP1_EV_IZ:
	case OP_GRP1_EB_IB_ALIAS:
	case OP_GRP1_EV_IB:
		return emu_arith(c, in, gpa, (in->modrm >> 3) & 7, in->imm, false);
	case OP_TEST_EB:
	case OP_TEST_EV:
		return emu_arith(c, in, gpa, EMU_ALU_TEST,
				 reg_get(c, in, in->reg, operand_size(in)), false);
	case OP_GRP3_EB:
	case OP_GRP3_EV:
		return emu_group3(c, in, gpa);
	}
	return -E_NOSUPP;
}

/* Linear address of seg:off; 64-bit mode ignores all but FS/GS bases. */
static u64 linear(const struct emu_ctx *c, const struct insn *in, enum seg seg, u64 off)
{
	u64 base = c->seg_base[seg];

	if (in->mode == INSN_MODE_64)
		return (seg == SEG_FS || seg == SEG_GS ? base : 0) +
		       (off & size_mask(in->addrsize));
	return (base + (off & size_mask(in->addrsize))) & size_mask(4);
}

/* One operand of a string instruction: device or ordinary memory. */
struct str_side {
	bool mmio;
	u64 gva, gpa;
};

static int side_setup(struct emu_ctx *c, const struct insn *in, struct str_side *s, enum seg seg,
		      int reg, bool write, u64 fault_gpa, bool known_mmio)
{
	int err;

	s->gva = linear(c, in, seg, c->gpr[reg]);
	s->mmio = known_mmio;
	s->gpa = fault_gpa;
	if (known_mmio)
		return 0;
	if (!c->ops->translate)
		return -E_NOSUPP;
	err = c->ops->translate(c->opaque, s->gva, write, &s->gpa);

	s->mmio = !err && (s->gpa >> PAGE_SHIFT) == (fault_gpa >> PAGE_SHIFT);
	return err;
}

static int side_read(struct emu_ctx *c, const struct str_side *s, u8 size, u64 *val)
{
	*val = 0;
	if (s->mmio)
		return c->ops->mmio_read(c->opaque, s->gpa, size, val);
	return c->ops->read_mem(c->opaque, s->gva, val, size); /* little-endian */
}

static int side_write(struct emu_ctx *c, const struct str_side *s, u8 size, u64 val)
{
	if (s->mmio)
		return c->ops->mmio_write(c->opaque, s->gpa, size, val);
	return c->ops->write_mem(c->opaque, s->gva, &val, size);
}

/* rSI/rDI/rCX update at address size: 16-bit merges, 32-bit zero-extends. */
static void addr_reg_add(struct emu_ctx *c, const struct insn *in, int reg, s64 delta)
{
	u8 size = in->addrsize;

	c->gpr[reg] = size == 2 ? (c->gpr[reg] & ~0xFFFFull) | ((c->gpr[reg] + delta) & 0xFFFF)
				: (c->gpr[reg] + delta) & size_mask(size);
}

static bool in_page(u64 gpa, u64 page_of)
{
	return (gpa >> PAGE_SHIFT) == (page_of >> PAGE_SHIFT);
}

/* One iteration of STOS/LODS/MOVS; advances the sides and rSI/rDI. */
static int string_step(struct emu_ctx *c, const struct insn *in, struct str_side *src,
		       struct str_side *dst, s64 delta)
{
	u8 size = operand_size(in), op = in->opcode & ~OP_WIDE;
	u64 val;
	int err = 0;

	if (op == OP_STOSB)
		val = reg_get(c, in, GPR_RAX, size);
	else
		err = side_read(c, src, size, &val);
	if (!err && op != OP_LODSB)
		err = side_write(c, dst, size, val);
	if (err)
		return err;
	if (op == OP_LODSB)
		reg_set(c, in, GPR_RAX, size, val);
	if (op != OP_STOSB) {
		addr_reg_add(c, in, GPR_RSI, delta);
		src->gva += delta;
		src->gpa += delta;
	}
	if (op != OP_LODSB) {
		addr_reg_add(c, in, GPR_RDI, delta);
		dst->gva += delta;
		dst->gpa += delta;
	}
	return 0;
}

/*
 * STOS/LODS/MOVS, REP allowed (REPNE acts as REP on them). A REP stops
 * early when the device operand leaves the faulting page: RIP stays, and
 * the guest re-executes the instruction with the remaining count.
 */
static int emulate_string(struct emu_ctx *c, const struct insn *in, u64 fault_gpa)
{
	u8 size = operand_size(in), op = in->opcode & ~OP_WIDE;
	enum seg src_seg = in->seg_override != INSN_SEG_NONE ? in->seg_override : SEG_DS;
	bool rep = in->rep || in->repne;
	u64 count = rep ? c->gpr[GPR_RCX] & size_mask(in->addrsize) : 1;
	s64 delta = (*c->rflags & RFLAGS_DF) ? -(s64)size : size;
	struct str_side src = {0}, dst = {0};
	int err = 0;

	if (op != OP_STOSB)
		err = side_setup(c, in, &src, src_seg, GPR_RSI, false, fault_gpa, op == OP_LODSB);
	if (!err && op != OP_LODSB)
		err = side_setup(c, in, &dst, SEG_ES, GPR_RDI, true, fault_gpa, op == OP_STOSB);
	if (err)
		return err;
	if (!src.mmio && !dst.mmio)
		return -E_INVAL;
	while (count) {
		err = string_step(c, in, &src, &dst, delta);
		if (err)
			return err;
		count--;
		if (rep)
			addr_reg_add(c, in, GPR_RCX, -1);
		if ((src.mmio && !in_page(src.gpa, fault_gpa)) ||
		    (dst.mmio && !in_page(dst.gpa, fault_gpa)))
			break;
	}
	if (!count)
		advance_rip(c, in);
	return 0;
}

static bool is_string(const struct insn *in)
{
	u8 op = in->opcode & ~OP_WIDE;

	return in->opcode < OPMAP_0F && (op == OP_MOVSB || op == OP_STOSB || op == OP_LODSB);
}

/* Instructions with a ModRM memory operand. */
static int emu_modrm_forms(struct emu_ctx *c, const struct insn *in, u64 gpa)
{
	if (!insn_has_mem(in))
		return in->has_modrm ? -E_INVAL : -E_NOSUPP;
	switch (in->opcode) {
	case OP_MOV_EB_GB:
	case OP_MOV_EV_GV:
	case OP_MOV_EB_IB:
	case OP_MOV_EV_IZ:
		return in->lock ? -E_INVAL : emu_store(c, in, gpa);
	case OP_MOV_GB_EB:
	case OP_MOV_GV_EV:
	case OP_MOVZX_B:
	case OP_MOVZX_W:
	case OP_MOVSX_B:
	case OP_MOVSX_W:
		return in->lock ? -E_INVAL : emu_load(c, in, gpa);
	case OP_XCHG_EB:
	case OP_XCHG_EV:
		return emu_xchg(c, in, gpa);
	}
	return in->opcode < OPMAP_0F ? emu_alu_forms(c, in, gpa) : -E_NOSUPP;
}

int emulate_mmio(struct emu_ctx *c, const struct insn *in, u64 fault_gpa)
{
	int err;

	if (in->vex)
		return -E_NOSUPP;
	if (is_string(in))
		return in->lock ? -E_INVAL : emulate_string(c, in, fault_gpa);
	switch (in->opcode) {
	case OP_MOV_AL_MOFFS:
	case OP_MOV_EAX_MOFFS:
		err = in->lock ? -E_INVAL : emu_load(c, in, fault_gpa);
		break;
	case OP_MOV_MOFFS_AL:
	case OP_MOV_MOFFS_EAX:
		err = in->lock ? -E_INVAL : emu_store(c, in, fault_gpa);
		break;
	default:
		err = emu_modrm_forms(c, in, fault_gpa);
		break;
	}
	if (!err)
		advance_rip(c, in);
	return err;
}
