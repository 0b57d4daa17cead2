/* SPDX-License-Identifier: MIT */
/*
 * Dispatch of guest I/O-port and MMIO accesses to the VM's device ranges.
 * Ranges are registered at VM creation (disjoint, checked) and never change
 * afterwards, so vCPUs search them without a lock. An access inside one range
 * goes to its device whole; an access straddling a range edge is split into
 * bytes, each dispatched on its own, so every byte reaches whatever is there.
 * Bytes that reach nothing read as all-ones and swallow writes; each such
 * access is counted once in the VM's statistics.
 */
#include "virt/dev/bus.h"

#include "virt/dev/devices.h"
#include "virt/vm.h"

#define BITS_PER_BYTE 8

static u64 size_mask(u8 size)
{
	return size >= sizeof(u64) ? ~0ull : BIT(size * BITS_PER_BYTE) - 1;
}

static bool io_size_valid(u8 size)
{
	return size == 1 || size == 2 || size == 4;
}

static bool mmio_size_valid(u8 size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

static void count_unassigned(struct vm_devices *d, bool io, bool write)
{
	struct vm_stats *s = &d->vm->stats;
	u64 *ctr;

	if (io)
		ctr = write ? &s->unassigned_io_writes : &s->unassigned_io_reads;
	else
		ctr = write ? &s->unassigned_mmio_writes : &s->unassigned_mmio_reads;
	__atomic_fetch_add(ctr, 1, __ATOMIC_RELAXED);
}

/* Ranges are kept as [first, last] so a range may end at the top of the space. */
static bool ranges_overlap(u64 a_first, u64 a_last, u64 b_first, u64 b_last)
{
	return a_first <= b_last && b_first <= a_last;
}

/* ---- I/O ports ---- */

static u32 io_last(const struct io_device *dev)
{
	return (u32)dev->base + dev->count - 1;
}

int io_bus_register(struct vm_devices *d, const struct io_device *dev)
{
	struct io_bus *bus = &d->io;

	if (!dev->count || io_last(dev) > 0xffff)
		return -E_INVAL;
	for (u32 i = 0; i < bus->count; i++)
		if (ranges_overlap(dev->base, io_last(dev), bus->devs[i].base,
				   io_last(&bus->devs[i])))
			return -E_OVERLAP;
	if (bus->count == IO_BUS_MAX_DEVICES)
		return -E_NOMEM;
	bus->devs[bus->count++] = *dev;
	return 0;
}

const struct io_device *io_bus_find(const struct vm_devices *d, u16 port)
{
	for (u32 i = 0; i < d->io.count; i++) {
		const struct io_device *dev = &d->io.devs[i];

		if (port >= dev->base && port <= io_last(dev))
			return dev;
	}
	return NULL;
}

static int io_dev_access(const struct io_device *dev, struct vcpu *v, u16 port, u8 size, bool in,
			 u32 *val)
{
	int ret = 0;

	if (!in) {
		if (dev->write)
			ret = dev->write(v, dev->dev, port, size, *val & (u32)size_mask(size));
		return ret;
	}
	*val = ~0u;
	if (dev->read)
		ret = dev->read(v, dev->dev, port, size, val);
	*val &= (u32)size_mask(size);
	return ret;
}

/* Does any byte of [port, port + size) reach a device? */
static bool io_any_device(const struct vm_devices *d, u16 port, u8 size)
{
	for (u8 i = 0; i < size; i++)
		if (io_bus_find(d, (u16)(port + i)))
			return true;
	return false;
}

static int io_split(struct vm_devices *d, struct vcpu *v, u16 port, u8 size, bool in, u32 *val)
{
	bool missed = false;
	u32 result = 0;

	for (u8 i = 0; i < size; i++) {
		const struct io_device *dev = io_bus_find(d, (u16)(port + i));
		u32 byte = in ? 0 : (*val >> (i * BITS_PER_BYTE)) & 0xff;
		int ret = 0;

		if (dev)
			ret = io_dev_access(dev, v, (u16)(port + i), 1, in, &byte);
		else
			byte = 0xff;
		if (ret)
			return ret;
		missed |= !dev;
		result |= byte << (i * BITS_PER_BYTE);
	}
	if (missed)
		count_unassigned(d, true, !in);
	if (in)
		*val = result;
	return 0;
}

int io_bus_access(struct vm_devices *d, struct vcpu *v, u16 port, u8 size, bool in, u32 *val)
{
	const struct io_device *dev;

	if (!io_size_valid(size))
		return -E_INVAL;
	dev = io_bus_find(d, port);
	if (dev && (u32)port + size - 1 <= io_last(dev))
		return io_dev_access(dev, v, port, size, in, val);
	if (!io_any_device(d, port, size)) {
		if (in)
			*val = (u32)size_mask(size);
		count_unassigned(d, true, !in);
		return 0;
	}
	return io_split(d, v, port, size, in, val);
}

/* ---- MMIO ---- */

static u64 mmio_last(const struct mmio_device *dev)
{
	return dev->base + dev->size - 1;
}

int mmio_bus_register(struct vm_devices *d, const struct mmio_device *dev)
{
	struct mmio_bus *bus = &d->mmio;

	if (!dev->size || mmio_last(dev) < dev->base)
		return -E_INVAL;
	for (u32 i = 0; i < bus->count; i++)
		if (ranges_overlap(dev->base, mmio_last(dev), bus->devs[i].base,
				   mmio_last(&bus->devs[i])))
			return -E_OVERLAP;
	if (bus->count == MMIO_BUS_MAX_DEVICES)
		return -E_NOMEM;
	bus->devs[bus->count++] = *dev;
	return 0;
}

const struct mmio_device *mmio_bus_find(const struct vm_devices *d, u64 gpa)
{
	for (u32 i = 0; i < d->mmio.count; i++) {
		const struct mmio_device *dev = &d->mmio.devs[i];

		if (gpa >= dev->base && gpa <= mmio_last(dev))
			return dev;
	}
	return NULL;
}

static int mmio_dev_access(const struct mmio_device *dev, struct vcpu *v, u64 gpa, u8 size,
			   bool write, u64 *val)
{
	int ret = 0;

	if (write) {
		if (dev->write)
			ret = dev->write(v, dev->dev, gpa, size, *val & size_mask(size));
		return ret;
	}
	*val = ~0ull;
	if (dev->read)
		ret = dev->read(v, dev->dev, gpa, size, val);
	*val &= size_mask(size);
	return ret;
}

/* Does any byte of [gpa, gpa + size) reach a device? */
static bool mmio_any_device(const struct vm_devices *d, u64 gpa, u8 size)
{
	for (u8 i = 0; i < size; i++)
		if (mmio_bus_find(d, gpa + i))
			return true;
	return false;
}

static int mmio_split(struct vm_devices *d, struct vcpu *v, u64 gpa, u8 size, bool write, u64 *val)
{
	bool missed = false;
	u64 result = 0;

	for (u8 i = 0; i < size; i++) {
		const struct mmio_device *dev = mmio_bus_find(d, gpa + i);
		u64 byte = write ? (*val >> (i * BITS_PER_BYTE)) & 0xff : 0;
		int ret = 0;

		if (dev)
			ret = mmio_dev_access(dev, v, gpa + i, 1, write, &byte);
		else
			byte = 0xff;
		if (ret)
			return ret;
		missed |= !dev;
		result |= byte << (i * BITS_PER_BYTE);
	}
	if (missed)
		count_unassigned(d, false, write);
	if (!write)
		*val = result;
	return 0;
}

int mmio_bus_access(struct vm_devices *d, struct vcpu *v, u64 gpa, u8 size, bool write, u64 *val)
{
	const struct mmio_device *dev;

	if (!mmio_size_valid(size))
		return -E_INVAL;
	dev = mmio_bus_find(d, gpa);
	if (dev && gpa + size - 1 >= gpa && gpa + size - 1 <= mmio_last(dev))
		return mmio_dev_access(dev, v, gpa, size, write, val);
	if (!mmio_any_device(d, gpa, size)) {
		if (!write)
			*val = size_mask(size);
		count_unassigned(d, false, write);
		return 0;
	}
	return mmio_split(d, v, gpa, size, write, val);
}
