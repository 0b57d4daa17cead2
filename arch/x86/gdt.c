/* SPDX-License-Identifier: MIT */
/* Building and loading a CPU's GDT and TSS. */
#include "arch/x86/gdt.h"

#include "lib/string.h"

/* Segment descriptor bits (SDM Vol. 3A 3.4.5). */
#define SEG_ACCESSED BIT(40)
#define SEG_RW BIT(41)
#define SEG_EXEC BIT(43)
#define SEG_CODE_DATA BIT(44) /* S: code/data, not system */
#define SEG_PRESENT BIT(47)
#define SEG_LONG BIT(53)
#define SEG_DB BIT(54)
#define SEG_GRAN_4K BIT(55)
#define SEG_LIMIT_MAX (0xFFFFull | (0xFull << 48))
#define SEG_TYPE_TSS_AVAIL (0x9ull << 40)

#define GDT_CODE64_DESC \
	(SEG_ACCESSED | SEG_RW | SEG_EXEC | SEG_CODE_DATA | SEG_PRESENT | SEG_LONG | \
	 SEG_GRAN_4K | SEG_LIMIT_MAX)
#define GDT_DATA_DESC \
	(SEG_ACCESSED | SEG_RW | SEG_CODE_DATA | SEG_PRESENT | SEG_DB | SEG_GRAN_4K | \
	 SEG_LIMIT_MAX)

struct gdt_ptr {
	u16 limit;
	u64 base;
} __packed;

void cpu_tables_init(struct cpu_tables *t, const u64 ist_top[IST_COUNT])
{
	u64 base = (u64)(uintptr_t)&t->tss;
	u64 limit = sizeof(t->tss) - 1;

	memset(t, 0, sizeof(*t));
	t->gdt[GDT_KERNEL_CODE / 8] = GDT_CODE64_DESC;
	t->gdt[GDT_KERNEL_DATA / 8] = GDT_DATA_DESC;
	t->gdt[GDT_TSS / 8] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | SEG_TYPE_TSS_AVAIL |
			      SEG_PRESENT | (((base >> 24) & 0xFF) << 56);
	t->gdt[GDT_TSS / 8 + 1] = base >> 32;
	for (int i = 0; i < IST_COUNT; i++)
		t->tss.ist[i] = ist_top[i];
	t->tss.iomap_base = sizeof(t->tss); /* no I/O bitmap */
}

void cpu_tables_load(struct cpu_tables *t)
{
	struct gdt_ptr p = { .limit = sizeof(t->gdt) - 1, .base = (u64)(uintptr_t)t->gdt };

	asm volatile("lgdt %0\n\t"
		     "pushq %1\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\n\t"
		     "movl %2, %%eax\n\t"
		     "movl %%eax, %%ds\n\t"
		     "movl %%eax, %%es\n\t"
		     "movl %%eax, %%ss\n\t"
		     "ltr %w3\n\t"
		     :
		     : "m"(p), "i"(GDT_KERNEL_CODE), "i"(GDT_KERNEL_DATA), "r"((u16)GDT_TSS)
		     : "rax", "memory");
}
