/*
 * 32-bit protected-mode phase runtime (compiled with -m32): the 32-bit IDT,
 * its exception dispatcher and the result log replayed later in long mode.
 */
#include "exc.h"
#include "pm32.h"

struct pm32_result pm32_results[PM32_MAX_RESULTS];
u32 pm32_nresults;

struct exc_info32 exc_last32;
volatile u32 exc_recover32, exc_recover_sp32;
u32 exc_jump32, exc_jump_sp32;

struct idt32_gate {
	u16 off_lo, sel;
	u8 zero, type;
	u16 off_hi;
} __attribute__((packed));

static struct idt32_gate idt32[256] __attribute__((aligned(16)));
static struct {
	u16 limit;
	u32 base;
} __attribute__((packed)) idt32_ptr;

#define SEL_CODE32 0x08
#define GATE_INT32 0x8e

struct frame32 {
	u32 edi, esi, ebp, esp_, ebx, edx, ecx, eax;
	u32 vector, error, eip, cs, eflags;
};

void idt32_set(int vec, u32 handler, int dpl)
{
	idt32[vec].off_lo = handler & 0xffff;
	idt32[vec].off_hi = handler >> 16;
	idt32[vec].sel = SEL_CODE32;
	idt32[vec].zero = 0;
	idt32[vec].type = GATE_INT32 | (dpl << 5);
}

void pm32_init(void)
{
	for (int i = 0; i < 256; i++)
		idt32_set(i, isr32_table[i], i == 3 || i == 4 || i >= 32 ? 3 : 0);
	idt32_ptr.limit = sizeof(idt32) - 1;
	idt32_ptr.base = (u32)idt32;
	__asm__ volatile("lidt %0" ::"m"(idt32_ptr));
}

/* Returns 1 to resume at the recovery point, 0 to iret. */
int exc_dispatch32(struct frame32 *f)
{
	exc_last32.vector = f->vector;
	exc_last32.error = f->error;
	exc_last32.ip = f->eip;
	exc_last32.cs = f->cs;
	if (f->vector == 14)
		exc_last32.cr2 = read_cr2();
	exc_last32.count++;
	if (exc_recover32) {
		exc_jump32 = exc_recover32;
		exc_jump_sp32 = exc_recover_sp32;
		exc_recover32 = 0;
		return 1;
	}
	if (f->vector >= 32)
		return 0; /* software interrupt: just return */
	/* Unexpected: report through the exit port (no console here). */
	pm32_check(false, "pm32: unexpected exception", f->vector);
	for (;;) {
		outl(PORT_EXIT, 1);
		__asm__ volatile("cli; hlt");
	}
}

void pm32_check(bool ok, const char *name, u32 value)
{
	if (pm32_nresults >= PM32_MAX_RESULTS)
		return;
	struct pm32_result *r = &pm32_results[pm32_nresults++];
	r->status = ok ? PM32_PASS : PM32_FAIL;
	r->name = (u32)name;
	r->reason = 0;
	r->value = value;
}

void pm32_skip(const char *name, const char *reason)
{
	if (pm32_nresults >= PM32_MAX_RESULTS)
		return;
	struct pm32_result *r = &pm32_results[pm32_nresults++];
	r->status = PM32_SKIP;
	r->name = (u32)name;
	r->reason = (u32)reason;
	r->value = 0;
}

__attribute__((weak)) void pm32_hook(void)
{
}
