/* SPDX-License-Identifier: MIT */
/*
 * Fetching and decoding the guest instruction at RIP. A fetch fault gives the
 * guest its #PF; an undecodable instruction gives #UD (#GP when longer than
 * 15 bytes), as the CPU would.
 */
#include "virt/insn.h"

#include "virt/decode.h"
#include "virt/guest_access.h"
#include "virt/vcpu_ops.h"
#include "virt/virt_ops.h"
#include "virt/vm.h"

#define EXC_PF 14
#define OPCODE_MOV_FROM_CR (OPMAP_0F | 0x20)
#define OPCODE_MOV_TO_CR (OPMAP_0F | 0x22)
#define OPCODE_CLTS (OPMAP_0F | 0x06)
#define OPCODE_GRP7 (OPMAP_0F | 0x01)
#define GRP7_LMSW 6

int guest_decode_at_rip(struct vcpu *v, struct insn *in)
{
	struct gwalk_regs r;
	struct gwalk_mem m;
	struct insn_fetch f;
	struct segment cs;
	int err;

	guest_walk_context(v, &r, &m);
	virt_ops.get_segment(v, SEG_CS, &cs);
	err = guest_fetch_insn(&r, &m, &cs, v->rip, &f);
	if (err && f.fault) {
		vcpu_inject_exception(v, EXC_PF, true, f.pf_error);
		virt_ops.set_cr(v, 2, f.cr2);
		return err;
	}
	if (err) {
		vm_stop(v->vm, VM_STATUS_RULE_BROKEN, "cannot fetch the instruction at RIP %#llx (%s)",
			(unsigned long long)v->rip, err_name(err));
		return err;
	}
	err = decode_insn(in, f.bytes, f.len, insn_mode_of(r.cr0, r.efer, v->rflags, cs.ar));
	if (err == -DECODE_ETRUNC && f.fault) {
		vcpu_inject_exception(v, EXC_PF, true, f.pf_error);
		virt_ops.set_cr(v, 2, f.cr2);
	} else if (err == -DECODE_ETRUNC || err == -DECODE_ETOOLONG) {
		/* The rest is non-canonical or not guest RAM, or > 15 bytes: #GP. */
		vcpu_inject_gp(v);
	} else if (err) {
		vcpu_inject_ud(v);
	}
	return err;
}

int guest_insn_length(struct vcpu *v, u32 *len)
{
	struct insn in;
	int err = guest_decode_at_rip(v, &in);

	*len = err ? 0 : in.len;
	return err;
}

int guest_decode_cr_access(struct vcpu *v)
{
	struct cr_exit_info *cr = &v->exit.cr;
	struct insn in;
	int err = guest_decode_at_rip(v, &in);

	if (err)
		return err;
	v->exit.insn_len = in.len;
	if ((in.opcode == OPCODE_MOV_TO_CR || in.opcode == OPCODE_MOV_FROM_CR) && in.mod == 3) {
		cr->type = in.opcode == OPCODE_MOV_TO_CR ? CR_ACCESS_WRITE : CR_ACCESS_READ;
		cr->cr = (u8)in.reg;
		cr->gpr = (u8)(in.rm & 15);
	} else if (in.opcode == OPCODE_CLTS) {
		cr->type = CR_ACCESS_CLTS;
	} else if (in.opcode == OPCODE_GRP7 && in.has_modrm && ((in.modrm >> 3) & 7) == GRP7_LMSW &&
		   in.mod == 3) {
		cr->type = CR_ACCESS_LMSW;
		cr->lmsw_value = (u16)vcpu_gpr_read(v, (unsigned int)in.rm, 2);
	} else {
		vm_stop(v->vm, VM_STATUS_RULE_BROKEN,
			"CR exit at RIP %#llx on an instruction Tern does not know (opcode %#x)",
			(unsigned long long)v->rip, in.opcode);
		return -E_INVAL;
	}
	return 0;
}
