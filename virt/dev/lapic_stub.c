/* SPDX-License-Identifier: MIT */
/*
 * LAPIC stub: enough of the xAPIC register page for a guest to find its APIC,
 * read its ID and version, and program TPR, SPIV and the ICR without hanging
 * on a delivery that never completes. Each vCPU sees its own registers (the
 * page is per-CPU on real hardware), indexed by vcpu->id and touched only by
 * that vCPU, so no lock is needed. Only aligned 32-bit accesses are valid.
 */
#include "virt/dev/lapic_stub.h"

#include "arch/x86/lapic.h"
#include "arch/x86/msr.h"
#include "lib/string.h"
#include "virt/dev/devices.h"
#include "virt/vcpu.h"

void lapic_stub_init(struct lapic_stub *l)
{
	memset(l, 0, sizeof(*l));
	for (u32 i = 0; i < VM_MAX_VCPUS; i++)
		l->cpu[i].spiv = LAPIC_STUB_SPIV_RESET;
}

static struct lapic_stub_cpu *cpu_of(struct lapic_stub *l, const struct vcpu *v)
{
	return v->id < VM_MAX_VCPUS ? &l->cpu[v->id] : NULL;
}

static bool access_ok(u64 off, u8 size)
{
	return size == LAPIC_STUB_ACCESS_SIZE && IS_ALIGNED(off, LAPIC_STUB_ACCESS_SIZE);
}

static u32 reg_read(const struct vcpu *v, const struct lapic_stub_cpu *c, u64 off)
{
	switch (off) {
	case LAPIC_REG_ID:
		return v->id << LAPIC_XAPIC_ID_SHIFT;
	case LAPIC_REG_VERSION:
		return LAPIC_STUB_VERSION;
	case LAPIC_REG_TPR:
		return c->tpr;
	case LAPIC_REG_SVR:
		return c->spiv;
	case LAPIC_REG_ICR_LOW:
		return c->icr_low;
	case LAPIC_REG_ICR_HIGH:
		return c->icr_high;
	}
	return 0;
}

static void reg_write(struct lapic_stub_cpu *c, u64 off, u32 val)
{
	switch (off) {
	case LAPIC_REG_TPR:
		c->tpr = val & LAPIC_STUB_TPR_MASK;
		break;
	case LAPIC_REG_SVR:
		c->spiv = val & LAPIC_STUB_SPIV_MASK;
		break;
	case LAPIC_REG_ICR_LOW:
		/* Nothing is sent, so the delivery is never pending. */
		c->icr_low = val & ~(u32)ICR_DELIVERY_PENDING;
		break;
	case LAPIC_REG_ICR_HIGH:
		c->icr_high = val & LAPIC_STUB_ICR_HIGH_MASK;
		break;
	default: /* EOI and everything else: ignored */
		break;
	}
}

static int lapic_mmio_read(struct vcpu *v, void *dev, u64 gpa, u8 size, u64 *val)
{
	struct lapic_stub_cpu *c = cpu_of(dev, v);
	u64 off = gpa - LAPIC_STUB_BASE;

	if (!c)
		return -E_RANGE;
	if (access_ok(off, size))
		*val = reg_read(v, c, off);
	return 0; /* otherwise *val keeps the bus's all-ones */
}

static int lapic_mmio_write(struct vcpu *v, void *dev, u64 gpa, u8 size, u64 val)
{
	struct lapic_stub_cpu *c = cpu_of(dev, v);
	u64 off = gpa - LAPIC_STUB_BASE;

	if (!c)
		return -E_RANGE;
	if (access_ok(off, size))
		reg_write(c, off, (u32)val);
	return 0;
}

int lapic_stub_attach(struct lapic_stub *l, struct vm_devices *d)
{
	const struct mmio_device mmio = {
		.name = "lapic-stub",
		.base = LAPIC_STUB_BASE,
		.size = LAPIC_STUB_SIZE,
		.read = lapic_mmio_read,
		.write = lapic_mmio_write,
		.dev = l,
	};

	return mmio_bus_register(d, &mmio);
}

u64 lapic_stub_apic_base(struct vcpu *v)
{
	u64 val = LAPIC_STUB_BASE | APIC_BASE_GLOBAL_ENABLE;

	if (v->id == 0)
		val |= APIC_BASE_BSP;
	return val;
}

int lapic_stub_set_apic_base(struct vcpu *v, u64 val)
{
	(void)v;
	if (val & APIC_BASE_X2APIC_ENABLE)
		return -E_INVAL; /* x2APIC is not offered in CPUID */
	val &= ~APIC_BASE_BSP;
	if (val & ~(APIC_BASE_ADDR_MASK | APIC_BASE_GLOBAL_ENABLE))
		return -E_INVAL;
	if (val != (LAPIC_STUB_BASE | APIC_BASE_GLOBAL_ENABLE))
		return -E_NOSUPP; /* relocating or disabling the APIC */
	return 0;
}
