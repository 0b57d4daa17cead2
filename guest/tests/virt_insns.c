/*
 * virt_insns (hostile): every VMX and SVM instruction must raise #UD in the
 * guest (VMX/SVM are hidden; on bare TCG VMX does not exist and EFER.SVME
 * is clear). Privileged instructions at CPL0 work (or are emulated): INVD,
 * WBINVD, RDTSC, RDTSCP, INVLPG, CLTS, MOV DR7. At CPL3 privileged
 * instructions raise #GP.
 */
#include "guest.h"

const char guest_name[] = "virt_insns";

static u8 region[4096] __attribute__((aligned(4096)));
static u64 desc[2] __attribute__((aligned(16)));

struct insn {
	const char *name;
	u32 vector;
};

#define MEM "(%0)"
#define RUN_UD(text, nm)                                                                           \
	do {                                                                                       \
		exc_reset();                                                                       \
		__asm__ volatile(EXC_TRY(text)::"r"(region), "a"(region), "c"(0), "d"(desc),       \
				 "b"(0)                                                            \
				 : "memory", "cc");                                                \
		checkf(exc_last.vector == VEC_UD, "%s raises #UD (vector 0x%x)", nm,               \
		       exc_last.vector);                                                           \
	} while (0)

static void vmx_svm(void)
{
	RUN_UD("vmxon " MEM, "VMXON");
	RUN_UD("vmxoff", "VMXOFF");
	RUN_UD("vmclear " MEM, "VMCLEAR");
	RUN_UD("vmptrld " MEM, "VMPTRLD");
	RUN_UD("vmptrst " MEM, "VMPTRST");
	RUN_UD("vmread %%rax, %%rbx", "VMREAD");
	RUN_UD("vmwrite %%rbx, %%rax", "VMWRITE");
	RUN_UD("vmlaunch", "VMLAUNCH");
	RUN_UD("vmresume", "VMRESUME");
	RUN_UD("invept (%%rdx), %%rcx", "INVEPT");
	RUN_UD("invvpid (%%rdx), %%rcx", "INVVPID");
	RUN_UD("xor %%eax, %%eax; vmfunc", "VMFUNC");
	RUN_UD("vmrun %%rax", "VMRUN");
	RUN_UD("vmload %%rax", "VMLOAD");
	RUN_UD("vmsave %%rax", "VMSAVE");
	RUN_UD("stgi", "STGI");
	RUN_UD("clgi", "CLGI");
	RUN_UD("skinit %%eax", "SKINIT");
	RUN_UD("invlpga %%rax, %%ecx", "INVLPGA");
	check(!(rdmsr(MSR_EFER) & EFER_SVME), "EFER.SVME still clear");
}

static void cpl0(void)
{
	u32 v = EXC_VECTOR_OF("invd");
	check(v == EXC_NONE, "INVD at CPL0 works");
	v = EXC_VECTOR_OF("wbinvd");
	check(v == EXC_NONE, "WBINVD at CPL0 works");
	u64 a = rdtsc(), b = rdtsc();
	checkf(b > a, "RDTSC at CPL0 increases (0x%lx then 0x%lx)", (unsigned long)a, (unsigned long)b);
	if (cpuid(0x80000001, 0).d & CPUIDX1_EDX_RDTSCP) {
		wrmsr(MSR_TSC_AUX, 0x42);
		u32 lo, hi, aux;
		exc_reset();
		__asm__ volatile(EXC_TRY("rdtscp") : "=a"(lo), "=d"(hi), "=c"(aux)::"memory");
		check(exc_last.vector == EXC_NONE && aux == 0x42, "RDTSCP at CPL0 returns TSC_AUX");
	} else {
		skip("RDTSCP at CPL0", "no RDTSCP");
	}
	exc_reset();
	__asm__ volatile(EXC_TRY("invlpg (%0)")::"r"(region) : "memory");
	check(exc_last.vector == EXC_NONE, "INVLPG at CPL0 works");
	v = EXC_VECTOR_OF("clts");
	check(v == EXC_NONE, "CLTS at CPL0 works");
	u64 dr7 = 0x400;
	exc_reset();
	__asm__ volatile(EXC_TRY("mov %0, %%dr7; mov %%dr7, %0") : "+r"(dr7)::"memory");
	check(exc_last.vector == EXC_NONE && (dr7 & 0xffff) == 0x400, "MOV DR7 at CPL0 works");
	v = EXC_VECTOR_OF("xor %%ecx, %%ecx; rdpmc");
	printf("RDPMC counter 0 at CPL0: vector 0x%x\n", v);
	v = EXC_VECTOR_OF("lfence; mfence; sfence; pause");
	check(v == EXC_NONE, "fences and PAUSE work");
}

/* Ring-3 snippets: each ends with int $0x81 if nothing faulted. */
#define USER_FN(name, text)                                                                        \
	static void name(void)                                                                     \
	{                                                                                          \
		__asm__ volatile(text "\n\tint $0x81" ::: "memory");                               \
	}
USER_FN(u_hlt, "hlt")
USER_FN(u_cli, "cli")
USER_FN(u_sti, "sti")
USER_FN(u_rdmsr, "mov $0x10, %%ecx; rdmsr")
USER_FN(u_wrmsr, "mov $0x277, %%ecx; xor %%eax, %%eax; xor %%edx, %%edx; wrmsr")
USER_FN(u_invd, "invd")
USER_FN(u_wbinvd, "wbinvd")
USER_FN(u_movcr0, "mov %%cr0, %%rax")
USER_FN(u_movcr3w, "mov %%cr3, %%rax; mov %%rax, %%cr3")
USER_FN(u_movdr7, "mov %%dr7, %%rax")
USER_FN(u_lgdt, "lgdt (%%rsp)")
USER_FN(u_lidt, "lidt (%%rsp)")
USER_FN(u_ltr, "mov $0x40, %%ax; ltr %%ax")
USER_FN(u_invlpg, "invlpg (%%rsp)")
USER_FN(u_clts, "clts")
USER_FN(u_in, "mov $0x3f8, %%dx; inb %%dx, %%al")
USER_FN(u_out, "mov $0x80, %%dx; outb %%al, %%dx")
USER_FN(u_xsetbv, "xor %%ecx, %%ecx; mov $1, %%eax; xor %%edx, %%edx; xsetbv")
USER_FN(u_rdtsc, "rdtsc")
USER_FN(u_cpuid, "xor %%eax, %%eax; cpuid")
USER_FN(u_vmxon, "vmxon (%%rsp)")
USER_FN(u_vmrun, "mov %%rsp, %%rax; vmrun %%rax")

static void cpl3(void)
{
	static const struct {
		void (*fn)(void);
		const char *name;
		u32 want;
	} t[] = {
		{u_hlt, "HLT", VEC_GP},
		{u_cli, "CLI", VEC_GP},
		{u_sti, "STI", VEC_GP},
		{u_rdmsr, "RDMSR", VEC_GP},
		{u_wrmsr, "WRMSR", VEC_GP},
		{u_invd, "INVD", VEC_GP},
		{u_wbinvd, "WBINVD", VEC_GP},
		{u_movcr0, "MOV from CR0", VEC_GP},
		{u_movcr3w, "MOV CR3", VEC_GP},
		{u_movdr7, "MOV from DR7", VEC_GP},
		{u_lgdt, "LGDT", VEC_GP},
		{u_lidt, "LIDT", VEC_GP},
		{u_ltr, "LTR", VEC_GP},
		{u_invlpg, "INVLPG", VEC_GP},
		{u_clts, "CLTS", VEC_GP},
		{u_in, "IN (IOPL 0)", VEC_GP},
		{u_out, "OUT (IOPL 0)", VEC_GP},
		{u_xsetbv, "XSETBV (CR4.OSXSAVE=1)", VEC_GP},
		{u_rdtsc, "RDTSC (CR4.TSD=0) works", VEC_USER_RETURN},
		{u_cpuid, "CPUID works", VEC_USER_RETURN},
		{u_vmxon, "VMXON", VEC_UD},
		{u_vmrun, "VMRUN", VEC_UD},
	};
	/* XSETBV checks CR4.OSXSAVE (#UD) before CPL (#GP): enable it. */
	u64 cr4 = read_cr4();
	bool xsave = cpuid(1, 0).c & CPUID1_ECX_XSAVE;
	if (xsave)
		write_cr4(cr4 | CR4_OSXSAVE);
	for (u32 i = 0; i < ARRAY_SIZE(t); i++) {
		if (t[i].fn == u_xsetbv && !xsave) {
			skip("CPL3: XSETBV raises #GP", "no XSAVE");
			continue;
		}
		u32 v = run_user(t[i].fn);
		if (t[i].want == VEC_USER_RETURN)
			checkf(v == t[i].want, "CPL3: %s (vector 0x%x)", t[i].name, v);
		else
			checkf(v == t[i].want, "CPL3: %s raises %s (vector 0x%x)", t[i].name,
			       t[i].want == VEC_GP ? "#GP" : "#UD", v);
	}
	write_cr4(cr4);
	write_cr4(read_cr4() | CR4_TSD);
	u32 v = run_user(u_rdtsc);
	write_cr4(read_cr4() & ~CR4_TSD);
	checkf(v == VEC_GP, "CPL3: RDTSC with CR4.TSD=1 raises #GP (vector 0x%x)", v);
}

void guest_main(void)
{
	vmx_svm();
	cpl0();
	cpl3();
}
