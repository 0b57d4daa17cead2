/*
 * exceptions: #UD, #DE, #BP, #DB, #NM, #GP, #PF (CR2 + error codes), INT n,
 * a #PF while delivering an interrupt (gate into unmapped memory), demand
 * paging (the #PF handler maps the page and the instruction restarts), and
 * deliveries that touch memory never touched before (IST stack, IDT copy):
 * under a hypervisor those can exit during delivery and need re-injection.
 * The 32-bit phase (exceptions.pm32.c) covers protected mode.
 */
#include "guest.h"

const char guest_name[] = "exceptions";

#define BAD_SELECTOR 0x1234
#define NONCANONICAL 0x8000000000000000ull
#define UNMAPPED_VA  0x8000000000ull /* PML4 slot 1: nothing mapped there */
#define RFLAGS_TF    BIT(8)
#define NESTED_VEC   0x90
#define IST_TEST     2

static u8 test_page[4096] __attribute__((aligned(4096)));
static u8 demand_page[4096] __attribute__((aligned(4096)));
static volatile int demand_faults;

static int demand_hook(struct exc_frame *f)
{
	(void)f;
	u64 cr2 = read_cr2();
	if ((cr2 & ~0xfffull) != (u64)demand_page)
		return EXC_HOOK_PASS;
	*pte_4k(cr2, false) |= PTE_P;
	invlpg(cr2);
	demand_faults++;
	return EXC_HOOK_RETURN;
}

/* Highest 4 KiB page of available RAM below 4 GiB, away from the image. */
static u64 fresh_page(u64 below)
{
	u64 best = 0;
	for (int i = 0; i < mem_map_count; i++) {
		struct mem_region *r = &mem_map[i];
		if (r->type != MEM_AVAILABLE)
			continue;
		u64 end = r->base + r->len;
		if (end > below)
			end = below;
		end &= ~0xfffull;
		if (end >= r->base + 4096 && end - 4096 >= (u64)__image_end && end - 4096 > best)
			best = end - 4096;
	}
	return best;
}

static void basic(void)
{
	u32 v = EXC_VECTOR_OF("ud2");
	check(v == VEC_UD, "ud2 raises #UD");

	exc_reset();
	__asm__ volatile(EXC_TRY("divl %%ecx")::"a"(1), "d"(0), "c"(0) : "memory", "cc");
	check(exc_last.vector == VEC_DE, "div by zero raises #DE");

	exc_reset();
	__asm__ volatile(EXC_TRY("idivq %%rcx")::"a"(0), "d"(0x8000000000000000ull), "c"(-1ll)
			 : "memory", "cc");
	check(exc_last.vector == VEC_DE, "idiv overflow raises #DE");

	v = EXC_VECTOR_OF("int3");
	check(v == VEC_BP, "int3 raises #BP");

	exc_reset();
	__asm__ volatile(EXC_TRY("pushfq; orq %0, (%%rsp); popfq; nop; nop")::"i"(RFLAGS_TF)
			 : "memory", "cc");
	check(exc_last.vector == VEC_DB, "RFLAGS.TF single-step raises #DB");

	write_cr0(read_cr0() | CR0_TS);
	v = EXC_VECTOR_OF("fninit");
	__asm__ volatile("clts");
	check(v == VEC_NM, "x87 instruction with CR0.TS raises #NM");

	exc_reset();
	__asm__ volatile(EXC_TRY("mov %0, %%ds")::"r"(BAD_SELECTOR) : "memory");
	check(exc_last.vector == VEC_GP, "bad DS selector raises #GP");
	checkf(exc_last.error == (BAD_SELECTOR & ~3u), "#GP error code is the selector (0x%lx)",
	       exc_last.error);

	exc_reset();
	/* RCX as the base: an RSP/RBP base would make it a stack access (#SS). */
	__asm__ volatile(EXC_TRY("movq (%0), %%rax")::"c"(NONCANONICAL) : "memory", "rax");
	checkf(exc_last.vector == VEC_GP, "non-canonical access raises #GP (vector 0x%lx)",
	       (unsigned long)exc_last.vector);

	u32 count = exc_last.count;
	exc_reset();
	__asm__ volatile("int $0x80" ::: "memory");
	check(exc_last.vector == 0x80 && exc_last.count == count + 1,
	      "int $0x80 delivered and returned");
	exc_reset();
	__asm__ volatile("int $0xff" ::: "memory");
	check(exc_last.vector == 0xff, "int $0xff delivered and returned");
}

static void page_faults(void)
{
	u64 va = (u64)test_page;
	u64 *pte = pte_4k(va, true);
	u64 saved = *pte;

	*pte &= ~PTE_P;
	invlpg(va);
	exc_reset();
	__asm__ volatile(EXC_TRY("movq (%0), %%rax")::"r"(va + 8) : "memory", "rax");
	check(exc_last.vector == VEC_PF, "read of not-present page raises #PF");
	checkf(exc_last.cr2 == va + 8, "#PF CR2 is the faulting address (0x%lx)", exc_last.cr2);
	checkf((exc_last.error & (PF_P | PF_W | PF_U)) == 0, "#PF error: read, not present (0x%lx)",
	       exc_last.error);

	exc_reset();
	__asm__ volatile(EXC_TRY("movq $1, (%0)")::"r"(va + 16) : "memory");
	checkf(exc_last.vector == VEC_PF && (exc_last.error & (PF_P | PF_W | PF_U)) == PF_W,
	       "#PF error: write, not present (0x%lx)", exc_last.error);

	*pte = saved & ~PTE_W;
	invlpg(va);
	write_cr0(read_cr0() | CR0_WP);
	exc_reset();
	__asm__ volatile(EXC_TRY("movq $1, (%0)")::"r"(va + 24) : "memory");
	checkf(exc_last.vector == VEC_PF &&
		       (exc_last.error & (PF_P | PF_W | PF_U)) == (PF_P | PF_W),
	       "#PF error: write to read-only page with CR0.WP (0x%lx)", exc_last.error);
	*pte = saved;
	invlpg(va);

	/* Demand paging: the handler maps the page, the load restarts. */
	u64 dva = (u64)demand_page;
	u64 *dpte = pte_4k(dva, true);
	demand_page[100] = 0x5a;
	*dpte &= ~PTE_P;
	invlpg(dva);
	exc_set_hook(VEC_PF, demand_hook);
	u8 got = *(volatile u8 *)(dva + 100);
	exc_set_hook(VEC_PF, NULL);
	check(demand_faults == 1 && got == 0x5a,
	      "demand paging: #PF handler maps page, load restarts");
}

static void nested(void)
{
	/* A gate whose handler is in unmapped memory: the delivery pushes the
	 * frame, then fetching the handler raises #PF. */
	idt_set_gate(NESTED_VEC, UNMAPPED_VA, 0, 0);
	exc_reset();
	__asm__ volatile(EXC_TRY("int %0")::"i"(NESTED_VEC) : "memory");
	check(exc_last.vector == VEC_PF, "int to a gate in unmapped memory raises #PF");
	checkf(exc_last.cr2 == UNMAPPED_VA && exc_last.ip == UNMAPPED_VA,
	       "that #PF has CR2 = RIP = handler address (0x%lx)", exc_last.cr2);
	idt_set_gate(NESTED_VEC, idt_stub(NESTED_VEC), 3, 0);

	/* Deliveries that write to memory never touched before. */
	u64 page = fresh_page(0x100000000ull);
	if (!page) {
		skip("exception delivered on a fresh IST stack page", "no free RAM page found");
		return;
	}
	printf("fresh page at 0x%lx\n", page);
	tss_set_ist(IST_TEST, page + 4096);
	idt_set_gate(VEC_BP, idt_stub(VEC_BP), 3, IST_TEST);
	u32 v = EXC_VECTOR_OF("int3");
	idt_set_gate(VEC_BP, idt_stub(VEC_BP), 3, 0);
	check(v == VEC_BP && *(u64 *)(page + 4096 - 8) == SEL_DATA,
	      "exception delivered on a fresh IST stack page (SS pushed there)");

	/* The IDT itself on a fresh page: copy it there, raise #UD, restore. */
	u64 page2 = fresh_page(page);
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) old, copy;
	__asm__ volatile("sidt %0" : "=m"(old));
	memcpy((void *)page2, (void *)old.base, 4096);
	copy.limit = old.limit;
	copy.base = page2;
	__asm__ volatile("lidt %0" ::"m"(copy));
	flush_tlb();
	v = EXC_VECTOR_OF("ud2");
	__asm__ volatile("lidt %0" ::"m"(old));
	check(v == VEC_UD, "exception delivered through an IDT on a fresh page");
}

static void user_ud(void)
{
	__asm__ volatile("ud2");
}
static void user_pf(void)
{
	__asm__ volatile("movq (%0), %%rax; int $0x81" ::"r"(0x8000000000ull) : "rax");
}

static void user_mode(void)
{
	u32 v = run_user(user_ud);
	check(v == VEC_UD, "#UD at CPL3 handled at CPL0");
	checkf((exc_last.cs & 3) == 3, "#UD frame CS has RPL 3 (0x%lx)", exc_last.cs);
	v = run_user(user_pf);
	checkf(v == VEC_PF && (exc_last.error & PF_U), "#PF at CPL3 has error U bit (0x%lx)",
	       exc_last.error);
}

void guest_main(void)
{
	basic();
	page_faults();
	nested();
	user_mode();
}
