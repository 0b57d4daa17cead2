/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU GDT and TSS. The TSS carries the IST stacks that #DF, NMI and #MC
 * switch to, so those are handled on a known-good stack even when the current
 * one has overflowed or is corrupt.
 */
#ifndef TERN_ARCH_X86_GDT_H
#define TERN_ARCH_X86_GDT_H

#include "lib/types.h"

#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_TSS 0x18
#define GDT_ENTRIES 5 /* null, code, data, TSS (two slots) */

enum ist_index {
	IST_NONE = 0,
	IST_DOUBLE_FAULT = 1,
	IST_NMI = 2,
	IST_MACHINE_CHECK = 3,
	IST_COUNT = 3,
};

#define IST_STACK_SIZE 8192

struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

_Static_assert(sizeof(struct tss) == 104, "TSS layout");

struct cpu_tables {
	u64 gdt[GDT_ENTRIES] __aligned(16);
	struct tss tss __aligned(16);
};

/* Fill the GDT and TSS; ist_top[i] is the top of IST stack i+1. */
void cpu_tables_init(struct cpu_tables *t, const u64 ist_top[IST_COUNT]);
/* Load GDTR and TR and reload the segment registers on this CPU. */
void cpu_tables_load(struct cpu_tables *t);

#endif
