/* SPDX-License-Identifier: MIT */
/*
 * QEMU's fw_cfg, traditional I/O interface only (no DMA): the guest writes a
 * 16-bit item selector to port 0x510 and reads the item byte by byte from
 * 0x511. Items are the signature, interface ID, RAM size, CPU counts and a
 * file directory; files ("etc/tern/vm-name", "etc/tern/cmdline" and any the
 * VM's configuration adds) get selectors from 0x20 in directory order.
 * Multi-byte fields are little-endian except the directory, which is
 * big-endian as in QEMU.
 */
#ifndef TERN_VIRT_DEV_FW_CFG_H
#define TERN_VIRT_DEV_FW_CFG_H

#include "kernel/spinlock.h"
#include "lib/types.h"

struct vm_devices;

#define FW_CFG_PORT_SEL	 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_NR_PORTS	 2

/* Item selectors. */
#define FW_CFG_SIGNATURE  0x0000
#define FW_CFG_ID	  0x0001
#define FW_CFG_RAM_SIZE	  0x0003
#define FW_CFG_NB_CPUS	  0x0005
#define FW_CFG_MAX_CPUS	  0x000f
#define FW_CFG_FILE_DIR	  0x0019
#define FW_CFG_FILE_FIRST 0x0020

#define FW_CFG_SIGNATURE_STR  "QEMU"
#define FW_CFG_ID_TRADITIONAL BIT(0) /* bit 1 (DMA) stays clear */

#define FW_CFG_MAX_FILES      16
#define FW_CFG_FILE_NAME_MAX  56 /* including the NUL */
#define FW_CFG_DIR_COUNT_SIZE 4
#define FW_CFG_DIR_ENTRY_SIZE 64 /* be32 size, be16 select, u16 reserved, name */
#define FW_CFG_DIR_SIZE(n)    (FW_CFG_DIR_COUNT_SIZE + (n)*FW_CFG_DIR_ENTRY_SIZE)
#define FW_CFG_FIXED_ITEMS    6
#define FW_CFG_MAX_ITEMS      (FW_CFG_FIXED_ITEMS + FW_CFG_MAX_FILES)

#define FW_CFG_FILE_VM_NAME "etc/tern/vm-name"
#define FW_CFG_FILE_CMDLINE "etc/tern/cmdline"

/* A file to publish; 'data' is borrowed and must outlive the VM. */
struct fw_cfg_file {
	const char *name;
	const void *data;
	u32 size;
};

struct fw_cfg_item {
	u16 key;
	u32 size;
	const u8 *data;
};

struct fw_cfg {
	spinlock_t lock;
	u16 selector; /* under lock */
	u32 offset;   /* under lock: next byte of the item */
	u32 nr_items; /* (c) after setup */
	u32 nr_files; /* (c) after setup */
	struct fw_cfg_item items[FW_CFG_MAX_ITEMS];
	u8 signature[4];
	u8 id[4];
	u8 ram_size[8];
	u8 nb_cpus[2];
	u8 max_cpus[2];
	u8 dir[FW_CFG_DIR_SIZE(FW_CFG_MAX_FILES)];
};

void fw_cfg_init(struct fw_cfg *fc, u16 nr_cpus, u64 ram_bytes);
/* Publish a file: -E_RANGE (name too long), -E_EXIST, -E_NOMEM (directory full). */
int fw_cfg_add_file(struct fw_cfg *fc, const char *name, const void *data, u32 size);
/* Claim FW_CFG_PORT_SEL and FW_CFG_PORT_DATA on the VM's I/O bus. */
int fw_cfg_attach(struct fw_cfg *fc, struct vm_devices *d);

#endif
