/* SPDX-License-Identifier: MIT */
/*
 * Putting a vCPU into the state a loader asked for: real mode, 32-bit
 * protected mode with paging off (multiboot), or 64-bit long mode. Segment
 * access rights are in the VMX layout (struct segment); backends convert.
 */
#include "virt/vcpu_setup.h"

#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "virt/virt_ops.h"

#define AR_CODE_RX (SEG_AR_TYPE_CODE | SEG_AR_TYPE_RW | SEG_AR_TYPE_ACCESSED | SEG_AR_S | SEG_AR_P)
#define AR_DATA_RW (SEG_AR_TYPE_RW | SEG_AR_TYPE_ACCESSED | SEG_AR_S | SEG_AR_P)
#define AR_TSS_BUSY_32 (0xB | SEG_AR_P)
#define AR_LDT (0x2 | SEG_AR_P)
#define REAL_MODE_LIMIT 0xFFFF
#define FLAT_LIMIT 0xFFFFFFFF
#define REAL_SEG_SHIFT 4
#define RFLAGS_RESERVED_ONE BIT(1)

static void set_seg(struct vcpu *v, enum seg s, u16 sel, u64 base, u32 limit, u32 ar)
{
	struct segment seg = { .selector = sel, .base = base, .limit = limit, .ar = ar };

	virt_ops.set_segment(v, s, &seg);
}

static void set_data_segs(struct vcpu *v, u16 sel, u64 base, u32 limit, u32 ar)
{
	static const enum seg data_segs[] = { SEG_DS, SEG_ES, SEG_SS, SEG_FS, SEG_GS };

	for (unsigned int i = 0; i < ARRAY_SIZE(data_segs); i++)
		set_seg(v, data_segs[i], sel, base, limit, ar);
}

static void set_system_segs(struct vcpu *v)
{
	set_seg(v, SEG_TR, 0, 0, REAL_MODE_LIMIT, AR_TSS_BUSY_32);
	set_seg(v, SEG_LDTR, 0, 0, REAL_MODE_LIMIT, AR_LDT);
}

void vcpu_set_entry_state(struct vcpu *v, const struct guest_entry *e)
{
	struct dtable gdt = { .base = e->gdt_base, .limit = e->gdt_limit };
	struct dtable idt = { .base = 0, .limit = REAL_MODE_LIMIT };

	switch (e->mode) {
	case GUEST_ENTRY_REAL:
		set_seg(v, SEG_CS, e->cs, (u64)e->cs << REAL_SEG_SHIFT, REAL_MODE_LIMIT, AR_CODE_RX);
		set_data_segs(v, e->ds, (u64)e->ds << REAL_SEG_SHIFT, REAL_MODE_LIMIT, AR_DATA_RW);
		break;
	case GUEST_ENTRY_PROT32:
		set_seg(v, SEG_CS, e->cs, 0, FLAT_LIMIT, AR_CODE_RX | SEG_AR_DB | SEG_AR_G);
		set_data_segs(v, e->ds, 0, FLAT_LIMIT, AR_DATA_RW | SEG_AR_DB | SEG_AR_G);
		break;
	case GUEST_ENTRY_LONG64:
		set_seg(v, SEG_CS, e->cs, 0, FLAT_LIMIT, AR_CODE_RX | SEG_AR_L | SEG_AR_G);
		set_data_segs(v, e->ds, 0, FLAT_LIMIT, AR_DATA_RW | SEG_AR_DB | SEG_AR_G);
		break;
	}
	set_system_segs(v);
	virt_ops.set_dtable(v, false, &gdt);
	virt_ops.set_dtable(v, true, &idt);
	/* EFER before CR0 so a paging-on CR0 finds LME and LMA already set. */
	virt_ops.set_efer(v, e->efer);
	virt_ops.set_cr(v, 4, e->cr4);
	virt_ops.set_cr(v, 3, e->cr3);
	virt_ops.set_cr(v, 0, e->cr0 | CR0_ET);
	v->rip = e->rip;
	v->rflags = e->rflags | RFLAGS_RESERVED_ONE;
	v->gpr[GPR_RAX] = e->rax;
	v->gpr[GPR_RBX] = e->rbx;
	v->gpr[GPR_RCX] = e->rcx;
	v->gpr[GPR_RDX] = e->rdx;
	v->gpr[GPR_RSI] = e->rsi;
	v->gpr[GPR_RDI] = e->rdi;
	v->gpr[GPR_RSP] = e->rsp;
}
