/*
 * 64-bit IDT, TSS and exception dispatch. Every vector has a stub
 * (entry.asm); dispatch records the exception in exc_last, lets a payload
 * hook handle it, else resumes at an armed EXC_TRY recovery point, else
 * reports it as a failure and exits. Vectors >= 32 without a recovery point
 * just return (software interrupts).
 */
#include "guest.h"

struct exc_info exc_last;
volatile u64 exc_recover, exc_recover_sp;
u64 exc_jump, exc_jump_sp;

struct idt64_gate {
	u16 off0, sel;
	u8 ist, type;
	u16 off1;
	u32 off2, zero;
} __attribute__((packed));

struct tss64 {
	u32 rsv0;
	u64 rsp[3];
	u64 rsv1;
	u64 ist[7];
	u64 rsv2;
	u16 rsv3, iomap;
} __attribute__((packed));

extern struct tss64 tss64;
static struct idt64_gate idt[256] __attribute__((aligned(16)));
static exc_hook_t hooks[256];
static struct {
	u16 limit;
	u64 base;
} __attribute__((packed)) idt_ptr;

#define GATE_INT64	0x8e
#define DF_STACK_SIZE	8192
#define USER_STACK_SIZE 8192
#define IST_DF		1

static u8 df_stack[DF_STACK_SIZE] __attribute__((aligned(16)));
static u8 user_stack[USER_STACK_SIZE] __attribute__((aligned(16)));
/* Ring-0 stack for exceptions taken at CPL3 (the boot stack is in use). */
static u8 rsp0_stack[DF_STACK_SIZE] __attribute__((aligned(16)));

u64 idt_stub(int vec)
{
	extern u64 isr64_table[256];
	return isr64_table[vec];
}

void idt_set_gate(int vec, u64 handler, int dpl, int ist)
{
	idt[vec].off0 = handler & 0xffff;
	idt[vec].off1 = (handler >> 16) & 0xffff;
	idt[vec].off2 = handler >> 32;
	idt[vec].sel = SEL_CODE64;
	idt[vec].ist = ist;
	idt[vec].type = GATE_INT64 | (dpl << 5);
	idt[vec].zero = 0;
}

void tss_set_ist(int ist, u64 top)
{
	tss64.ist[ist - 1] = top;
}

void idt64_init(void)
{
	for (int v = 0; v < 256; v++)
		idt_set_gate(v, idt_stub(v), (v == VEC_BP || v == VEC_OF || v >= 32) ? 3 : 0,
			     v == VEC_DF ? IST_DF : 0);
	tss64.rsp[0] = (u64)(rsp0_stack + sizeof(rsp0_stack));
	tss64.ist[IST_DF - 1] = (u64)(df_stack + DF_STACK_SIZE);
	tss64.iomap = sizeof(tss64); /* no I/O bitmap: ring 3 port access faults */
	idt_ptr.limit = sizeof(idt) - 1;
	idt_ptr.base = (u64)idt;
	__asm__ volatile("lidt %0" ::"m"(idt_ptr));
}

void idt_load_empty(void)
{
	static struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) empty = {0, 0};
	__asm__ volatile("lidt %0" ::"m"(empty));
}

void exc_set_hook(int vec, exc_hook_t hook)
{
	hooks[vec] = hook;
}

int exc_dispatch64(struct exc_frame *f)
{
	exc_last.vector = f->vector;
	exc_last.error = f->error;
	exc_last.ip = f->rip;
	exc_last.cs = f->cs;
	if (f->vector == VEC_PF)
		exc_last.cr2 = read_cr2();
	exc_last.count++;
	if (hooks[f->vector] && hooks[f->vector](f) == EXC_HOOK_RETURN)
		return 0;
	if (exc_recover) {
		exc_jump = exc_recover;
		exc_jump_sp = exc_recover_sp;
		exc_recover = 0;
		return 1;
	}
	if (f->vector >= 32)
		return 0;
	printf("FAIL unexpected exception %u error 0x%lx rip 0x%lx cs 0x%lx cr2 0x%lx\n",
	       (u32)f->vector, f->error, f->rip, f->cs, f->vector == VEC_PF ? read_cr2() : 0);
	checks_failed++;
	guest_finish();
}

u32 run_user(void (*fn)(void))
{
	exc_reset();
	__asm__ volatile(EXC_TRY("call enter_user")
			 :
			 : "D"(fn), "S"(user_stack + USER_STACK_SIZE)
			 : "memory", "cc", "rax", "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11",
			   "r12", "r13", "r14", "r15");
	__asm__ volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%ss" ::"r"(SEL_DATA));
	return exc_last.vector;
}
