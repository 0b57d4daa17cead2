/* SPDX-License-Identifier: MIT */
/*
 * Guest port I/O: IN/OUT go to the VM's I/O bus; INS/OUTS and their REP
 * forms move data between the bus and guest memory through the guest's page
 * tables. A REP is done in batches: after a batch the instruction is not
 * skipped, so the guest re-executes it for the rest (and can take events in
 * between, as on hardware).
 */
#include "virt/io.h"

#include "virt/decode.h"
#include "virt/dev/devices.h"
#include "virt/guest_access.h"
#include "virt/insn.h"
#include "virt/virt_ops.h"
#include "virt/vm.h"

#define IO_REP_BATCH 1024
#define RFLAGS_DF BIT(10)

static u64 addr_mask(unsigned int addr_size)
{
	return addr_size == 8 ? ~0ull : (1ull << (addr_size * 8)) - 1;
}

/* Fill in what the backend could not tell: the address size and OUTS segment. */
static int complete_string_info(struct vcpu *v)
{
	struct vm_exit *e = &v->exit;
	struct insn in;
	int err;

	if (e->io.addr_size && (e->io.in || e->io.seg != IO_SEG_UNKNOWN))
		return 0;
	err = guest_decode_at_rip(v, &in);
	if (err)
		return err;
	e->io.addr_size = in.addrsize;
	e->io.seg = in.seg_override == INSN_SEG_NONE ? SEG_DS : in.seg_override;
	if (!e->insn_len)
		e->insn_len = in.len;
	return 0;
}

static int string_element(struct vcpu *v, u64 la, u32 *val)
{
	struct vm_exit *e = &v->exit;
	int err;

	if (e->io.in) {
		io_bus_access(v->vm->devs, v, e->io.port, e->io.size, true, val);
		err = guest_linear_write(v, la, val, e->io.size);
	} else {
		*val = 0;
		err = guest_linear_read(v, la, val, e->io.size);
		if (!err)
			io_bus_access(v->vm->devs, v, e->io.port, e->io.size, false, val);
	}
	if (err == -E_NOENT && !v->event.valid) { /* no RAM there: unassigned memory */
		vm_stop(v->vm, VM_STATUS_RULE_BROKEN, "string I/O at linear %#llx outside guest RAM",
			(unsigned long long)la);
	}
	return err;
}

static int handle_string_io(struct vcpu *v)
{
	struct vm_exit *e = &v->exit;
	unsigned int as;
	enum gpr ptr = e->io.in ? GPR_RDI : GPR_RSI;
	struct segment seg;
	u64 count, done = 0;
	s64 step;
	int err = complete_string_info(v);

	if (err)
		return err;
	as = e->io.addr_size;
	step = (v->rflags & RFLAGS_DF) ? -(s64)e->io.size : (s64)e->io.size;
	count = e->io.rep ? vcpu_gpr_read(v, GPR_RCX, as) : 1;
	virt_ops.get_segment(v, e->io.in ? SEG_ES : (enum seg)e->io.seg, &seg);
	for (; done < count && done < IO_REP_BATCH; done++) {
		u64 off = vcpu_gpr_read(v, ptr, as);
		u64 base = (vcpu_mode(v) == GUEST_MODE_LONG64 && e->io.seg != SEG_FS &&
			    e->io.seg != SEG_GS) ? 0 : seg.base;
		u32 val;

		if (string_element(v, (base + off) & (as == 8 ? ~0ull : 0xFFFFFFFFull), &val))
			break;
		vcpu_gpr_write(v, ptr, as, (off + (u64)step) & addr_mask(as));
		if (e->io.rep)
			vcpu_gpr_write(v, GPR_RCX, as, (count - done - 1) & addr_mask(as));
	}
	if (vm_stopped(v->vm) || v->event.valid)
		return 0;
	if (done < count)
		return 0; /* re-execute for the rest */
	return vcpu_skip_instruction(v);
}

int handle_io(struct vcpu *v)
{
	struct vm_exit *e = &v->exit;
	u32 val;

	if (e->io.string)
		return handle_string_io(v);
	val = e->io.in ? 0 : (u32)vcpu_gpr_read(v, GPR_RAX, e->io.size);
	io_bus_access(v->vm->devs, v, e->io.port, e->io.size, e->io.in, &val);
	if (e->io.in)
		vcpu_gpr_write(v, GPR_RAX, e->io.size, val);
	if (vm_stopped(v->vm))
		return 0; /* e.g. the debug-exit port ended the VM */
	return vcpu_skip_instruction(v);
}
