/* SPDX-License-Identifier: MIT */
/*
 * A VM's I/O-port bus and MMIO bus: fixed tables of device ranges, filled at
 * VM creation and read-only afterwards, so lookups from any vCPU need no lock
 * (each device locks its own state). An access that lies inside one range is
 * passed to that device whole; one that straddles a range boundary is split
 * into byte accesses, as the ISA bus and QEMU's memory core do. Whatever hits
 * no device reads all-ones, drops writes and is counted in vm->stats.
 */
#ifndef TERN_VIRT_DEV_BUS_H
#define TERN_VIRT_DEV_BUS_H

#include "lib/types.h"

struct vcpu;
struct vm;
struct vm_devices;

#define IO_BUS_MAX_DEVICES   16
#define MMIO_BUS_MAX_DEVICES 8

/*
 * Handlers see accesses fully inside [base, base + count) with size 1, 2 or 4
 * (MMIO: 1, 2, 4 or 8). They return 0 or a negative error the caller reports;
 * a NULL read handler reads all-ones, a NULL write handler drops the write.
 */
struct io_device {
	const char *name;
	u16 base, count;
	int (*read)(struct vcpu *v, void *dev, u16 port, u8 size, u32 *val);
	int (*write)(struct vcpu *v, void *dev, u16 port, u8 size, u32 val);
	void *dev;
};

struct mmio_device {
	const char *name;
	u64 base, size;
	int (*read)(struct vcpu *v, void *dev, u64 gpa, u8 size, u64 *val);
	int (*write)(struct vcpu *v, void *dev, u64 gpa, u8 size, u64 val);
	void *dev;
};

struct io_bus {
	u32 count;
	struct io_device devs[IO_BUS_MAX_DEVICES];
};

struct mmio_bus {
	u32 count;
	struct mmio_device devs[MMIO_BUS_MAX_DEVICES];
};

/* Add a range (copied): -E_INVAL (empty or wrapping), -E_OVERLAP, -E_NOMEM (full). */
int io_bus_register(struct vm_devices *d, const struct io_device *dev);
int mmio_bus_register(struct vm_devices *d, const struct mmio_device *dev);

/* The device whose range holds 'port' / 'gpa', or NULL. */
const struct io_device *io_bus_find(const struct vm_devices *d, u16 port);
const struct mmio_device *mmio_bus_find(const struct vm_devices *d, u64 gpa);

/*
 * One guest access. IN / MMIO reads store the size-masked value in *val;
 * writes take it from *val. Return 0, -E_INVAL for a size the instruction
 * cannot produce, or a device handler's error.
 */
int io_bus_access(struct vm_devices *d, struct vcpu *v, u16 port, u8 size, bool in, u32 *val);
int mmio_bus_access(struct vm_devices *d, struct vcpu *v, u64 gpa, u8 size, bool write, u64 *val);

#endif
