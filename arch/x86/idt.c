/* SPDX-License-Identifier: MIT */
/*
 * IDT construction and interrupt dispatch. Exceptions first consult the
 * current CPU's exception catcher (self-tests arm it to prove a fault is
 * raised and reported); anything unexpected is fatal and panics with the
 * saved state.
 */
#include "arch/x86/idt.h"

#include "arch/x86/cr.h"
#include "arch/x86/gdt.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "lib/format.h"

#define IDT_GATE_INTERRUPT 0xE
#define IDT_GATE_PRESENT BIT(7)

struct idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __packed;

_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout");

struct idt_ptr {
	u16 limit;
	u64 base;
} __packed;

extern const u64 isr_stub_table[IDT_VECTORS];

static struct idt_gate idt[IDT_VECTORS] __aligned(16);
static irq_handler_t handlers[IDT_VECTORS];
static nmi_handler_t nmi_handler;

void nmi_set_handler(nmi_handler_t fn)
{
	nmi_handler = fn;
}

static const char *const exception_names[EXCEPTION_VECTORS] = {
	[EXC_DE] = "#DE divide error",
	[EXC_DB] = "#DB debug",
	[EXC_NMI] = "NMI",
	[EXC_BP] = "#BP breakpoint",
	[EXC_OF] = "#OF overflow",
	[EXC_BR] = "#BR bound range",
	[EXC_UD] = "#UD invalid opcode",
	[EXC_NM] = "#NM device not available",
	[EXC_DF] = "#DF double fault",
	[EXC_TS] = "#TS invalid TSS",
	[EXC_NP] = "#NP segment not present",
	[EXC_SS] = "#SS stack fault",
	[EXC_GP] = "#GP general protection",
	[EXC_PF] = "#PF page fault",
	[EXC_MF] = "#MF x87 error",
	[EXC_AC] = "#AC alignment check",
	[EXC_MC] = "#MC machine check",
	[EXC_XM] = "#XM SIMD error",
	[EXC_VE] = "#VE virtualization",
	[EXC_CP] = "#CP control protection",
};

void exception_name(int vector, char *buf, size_t len)
{
	if (vector >= 0 && vector < EXCEPTION_VECTORS && exception_names[vector])
		snformat(buf, len, "%s", exception_names[vector]);
	else
		snformat(buf, len, "vector %d", vector);
}

static u8 ist_for_vector(int v)
{
	switch (v) {
	case EXC_DF:
		return IST_DOUBLE_FAULT;
	case EXC_NMI:
		return IST_NMI;
	case EXC_MC:
		return IST_MACHINE_CHECK;
	default:
		return IST_NONE;
	}
}

void idt_init(void)
{
	for (int v = 0; v < IDT_VECTORS; v++) {
		u64 addr = isr_stub_table[v];

		idt[v] = (struct idt_gate){
			.offset_lo = addr & 0xFFFF,
			.selector = GDT_KERNEL_CODE,
			.ist = ist_for_vector(v),
			.type_attr = IDT_GATE_PRESENT | IDT_GATE_INTERRUPT,
			.offset_mid = (addr >> 16) & 0xFFFF,
			.offset_hi = addr >> 32,
		};
	}
}

void idt_load(void)
{
	struct idt_ptr p = { .limit = sizeof(idt) - 1, .base = (u64)(uintptr_t)idt };

	asm volatile("lidt %0" : : "m"(p));
}

int irq_register(u8 vector, irq_handler_t fn)
{
	if (vector < EXCEPTION_VECTORS)
		return -E_INVAL;
	if (handlers[vector] && fn && handlers[vector] != fn)
		return -E_EXIST;
	handlers[vector] = fn;
	return 0;
}

void dump_frame(const struct irq_frame *f)
{
	pr_emerg("RIP=%016llx CS=%04llx RFLAGS=%016llx RSP=%016llx SS=%04llx\n",
		 (unsigned long long)f->rip, (unsigned long long)f->cs,
		 (unsigned long long)f->rflags, (unsigned long long)f->rsp,
		 (unsigned long long)f->ss);
	pr_emerg("RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n",
		 (unsigned long long)f->rax, (unsigned long long)f->rbx,
		 (unsigned long long)f->rcx, (unsigned long long)f->rdx);
	pr_emerg("RSI=%016llx RDI=%016llx RBP=%016llx R8 =%016llx\n",
		 (unsigned long long)f->rsi, (unsigned long long)f->rdi,
		 (unsigned long long)f->rbp, (unsigned long long)f->r8);
	pr_emerg("R9 =%016llx R10=%016llx R11=%016llx R12=%016llx\n",
		 (unsigned long long)f->r9, (unsigned long long)f->r10,
		 (unsigned long long)f->r11, (unsigned long long)f->r12);
	pr_emerg("R13=%016llx R14=%016llx R15=%016llx\n", (unsigned long long)f->r13,
		 (unsigned long long)f->r14, (unsigned long long)f->r15);
	pr_emerg("CR0=%016llx CR2=%016llx CR3=%016llx CR4=%016llx\n",
		 (unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
		 (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
}

static bool try_catch(struct irq_frame *f)
{
	struct exception_catch *c;

	if (!cpus_ready())
		return false;
	c = &this_cpu()->catch;
	if (c->vector != (int)f->vector)
		return false;
	c->caught = true;
	c->error_code = f->error_code;
	c->cr2 = f->vector == EXC_PF ? read_cr2() : 0;
	c->fault_rip = f->rip;
	c->vector = -1;
	f->rip = c->resume_rip;
	return true;
}

void interrupt_dispatch(struct irq_frame *f);
void interrupt_dispatch(struct irq_frame *f)
{
	char name[40];

	if (f->vector < EXCEPTION_VECTORS && f->vector != EXC_NMI) {
		if (try_catch(f))
			return;
		exception_name((int)f->vector, name, sizeof(name));
		panic_frame(f, "unexpected exception %s, error code %#llx", name,
			    (unsigned long long)f->error_code);
	}
	if (cpus_ready())
		this_cpu()->irq_count++;
	if (handlers[f->vector]) {
		handlers[f->vector](f);
		return;
	}
	if (f->vector == EXC_NMI) {
		if (nmi_handler && nmi_handler(f))
			return;
		panic_frame(f, "unexpected NMI");
	}
	if (f->vector != VECTOR_SPURIOUS)
		pr_warn("warning: interrupt on vector %llu with no handler\n",
			(unsigned long long)f->vector);
}
