/* SPDX-License-Identifier: MIT */
/*
 * Second-level page faults. VM_EXIT_TDP_FAULT goes to the TDP MMU's demand
 * fault path (virt/tdp_vm.c), which maps RAM; what it leaves - a gfn
 * without a slot, where it installed an MMIO SPTE, or a write to a
 * read-only slot - is decoded and emulated against the VM's MMIO bus
 * (devices, or all-ones reads and ignored writes where there is none).
 * VM_EXIT_TDP_MISCONFIG (EPT misconfiguration, #NPF with RSVD) is a hit on
 * an MMIO SPTE: with the current memslot generation it is emulated at once,
 * without a memslot lookup (the fast path); a stale one takes the fault
 * path, which replaces it.
 */
#include "virt/mmio.h"

#include "virt/decode.h"
#include "virt/dev/devices.h"
#include "virt/emulate.h"
#include "virt/guest_access.h"
#include "virt/insn.h"
#include "virt/tdp.h"
#include "virt/virt_ops.h"
#include "virt/vm.h"

#define EXC_PF_VECTOR 14

static int mmio_read(void *ctx, u64 gpa, u8 size, u64 *val)
{
	struct vcpu *v = ctx;

	return mmio_bus_access(v->vm->devs, v, gpa, size, false, val);
}

static int mmio_write(void *ctx, u64 gpa, u8 size, u64 val)
{
	struct vcpu *v = ctx;

	return mmio_bus_access(v->vm->devs, v, gpa, size, true, &val);
}

static int read_mem(void *ctx, u64 gva, void *buf, size_t len)
{
	return guest_linear_read(ctx, gva, buf, len);
}

static int write_mem(void *ctx, u64 gva, const void *buf, size_t len)
{
	return guest_linear_write(ctx, gva, buf, len);
}

static int translate(void *ctx, u64 gva, bool write, u64 *gpa)
{
	struct vcpu *v = ctx;
	struct gwalk_regs r;
	struct gwalk_mem m;
	u32 access = (write ? GWALK_WRITE : 0) | (virt_ops.get_cpl(v) == 3 ? GWALK_USER : 0);
	u32 pf_error = 0;
	int err;

	guest_walk_context(v, &r, &m);
	err = gwalk_translate(&r, &m, gva, access, gpa, &pf_error);
	if (err == -E_NOENT) { /* the guest's own page fault on the RAM side */
		vcpu_inject_exception(v, EXC_PF_VECTOR, true, pf_error);
		virt_ops.set_cr(v, 2, gva);
	} else if (err == -E_RANGE) {
		vcpu_inject_gp(v);
	}
	return err;
}

static const struct emu_ops mmio_emu_ops = {
	.mmio_read = mmio_read,
	.mmio_write = mmio_write,
	.read_mem = read_mem,
	.write_mem = write_mem,
	.translate = translate,
};

static int emulate_at_rip(struct vcpu *v, u64 gpa)
{
	struct emu_ctx c = {
		.ops = &mmio_emu_ops, .opaque = v, .gpr = v->gpr, .rip = &v->rip,
		.rflags = &v->rflags,
	};
	struct insn in;
	int err = guest_decode_at_rip(v, &in);

	if (err)
		return 0; /* the guest already got its fault */
	for (int s = 0; s < NR_SEGS; s++) {
		struct segment seg;

		virt_ops.get_segment(v, (enum seg)s, &seg);
		c.seg_base[s] = seg.base;
	}
	err = emulate_mmio(&c, &in, gpa);
	if (err == -E_INVAL) {
		vcpu_inject_ud(v);
	} else if (err && !v->event.valid) {
		vm_stop(v->vm, VM_STATUS_RULE_BROKEN,
			"cannot emulate the access to gpa %#llx at RIP %#llx (opcode %#x, %s)",
			(unsigned long long)gpa, (unsigned long long)v->rip, in.opcode,
			err_name(err));
	}
	return 0;
}

static int fault(struct vcpu *v, bool rsvd)
{
	const struct vm_exit *e = &v->exit;
	u64 gpa = e->tdp.gpa;

	switch (tdp_handle_fault(v, gpa, e->tdp.write, e->tdp.fetch, rsvd)) {
	case TDP_RESUME:
	case TDP_STOPPED:
		return 0;
	case TDP_EMULATE:
		break;
	}
	if (e->tdp.fetch) {
		vm_stop(v->vm, VM_STATUS_RULE_BROKEN,
			"instruction fetch from gpa %#llx, which has no memory",
			(unsigned long long)gpa);
		return 0;
	}
	return emulate_at_rip(v, gpa);
}

int handle_tdp_fault(struct vcpu *v)
{
	return fault(v, false);
}

int handle_tdp_misconfig(struct vcpu *v)
{
	if (tdp_mmio_fast(v, v->exit.tdp.gpa)) {
		v->stats.mmio_fast++;
		return emulate_at_rip(v, v->exit.tdp.gpa);
	}
	return fault(v, true);
}
