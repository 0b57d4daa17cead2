/* SPDX-License-Identifier: MIT */
/* Guest linear-memory access through the guest's page tables. */
#include "virt/guest_access.h"

#include "arch/x86/cpuid.h"
#include "virt/vcpu_ops.h"
#include "virt/virt_ops.h"
#include "virt/vm.h"

#define EXC_PF 14
#define MAXPHYADDR_MASK 0xFF

static int read_gpa(void *ctx, u64 gpa, void *buf, size_t len)
{
	return vm_read_gpa(ctx, gpa, buf, len);
}

static int write_gpa(void *ctx, u64 gpa, const void *buf, size_t len)
{
	return vm_write_gpa(ctx, gpa, buf, len);
}

void guest_walk_context(struct vcpu *v, struct gwalk_regs *r, struct gwalk_mem *m)
{
	r->cr0 = virt_ops.get_cr(v, 0);
	r->cr3 = virt_ops.get_cr(v, 3);
	r->cr4 = virt_ops.get_cr(v, 4);
	r->efer = virt_ops.get_efer(v);
	r->rflags = v->rflags;
	r->maxphyaddr = cpuid(CPUID_LEAF_ADDR_SIZES).eax & MAXPHYADDR_MASK;
	m->read_gpa = read_gpa;
	m->write_gpa = write_gpa; /* set A/D bits like the hardware walker */
	m->ctx = v->vm;
}

static int access_linear(struct vcpu *v, u64 la, void *buf, size_t len, bool write)
{
	struct gwalk_regs r;
	struct gwalk_mem m;
	u32 access = (write ? GWALK_WRITE : 0) | (virt_ops.get_cpl(v) == 3 ? GWALK_USER : 0);
	u8 *p = buf;

	guest_walk_context(v, &r, &m);
	while (len) {
		size_t chunk = MIN(len, PAGE_SIZE - (la & (PAGE_SIZE - 1)));
		u32 pf_error = 0;
		u64 gpa;
		int err = gwalk_translate(&r, &m, la, access, &gpa, &pf_error);

		if (err == -E_NOENT) {
			vcpu_inject_exception(v, EXC_PF, true, pf_error);
			virt_ops.set_cr(v, 2, la);
			return err;
		}
		if (err == -E_RANGE) {
			vcpu_inject_gp(v);
			return err;
		}
		if (err)
			return err;
		err = write ? vm_write_gpa(v->vm, gpa, p, chunk) : vm_read_gpa(v->vm, gpa, p, chunk);
		if (err)
			return err;
		la += chunk;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

int guest_linear_read(struct vcpu *v, u64 la, void *buf, size_t len)
{
	return access_linear(v, la, buf, len, false);
}

int guest_linear_write(struct vcpu *v, u64 la, const void *buf, size_t len)
{
	return access_linear(v, la, (void *)buf, len, true);
}
