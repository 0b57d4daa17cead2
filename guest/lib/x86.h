/*
 * Tern guest library: types and x86 instruction wrappers.
 *
 * Shared by the 64-bit library and the 32-bit protected-mode phase (compiled
 * with -m32), so everything here is valid in both modes.
 */
#ifndef GUEST_X86_H
#define GUEST_X86_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef signed int s32;
#ifdef __x86_64__
typedef unsigned long u64; /* so %lx prints it */
typedef signed long s64;
#else
typedef unsigned long long u64;
typedef signed long long s64;
#endif
typedef unsigned long ulong; /* register width: 32 or 64 bits */
typedef __SIZE_TYPE__ size_t;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BIT(n)	      (1ull << (n))

/* Control register bits. */
#define CR0_PE	       BIT(0)
#define CR0_MP	       BIT(1)
#define CR0_EM	       BIT(2)
#define CR0_TS	       BIT(3)
#define CR0_ET	       BIT(4)
#define CR0_NE	       BIT(5)
#define CR0_WP	       BIT(16)
#define CR0_NW	       BIT(29)
#define CR0_CD	       BIT(30)
#define CR0_PG	       BIT(31)
#define CR4_TSD	       BIT(2)
#define CR4_PSE	       BIT(4)
#define CR4_PAE	       BIT(5)
#define CR4_LA57       BIT(12)
#define CR4_VMXE       BIT(13)
#define CR4_RESERVED15 BIT(15)
#define CR4_OSXSAVE    BIT(18)

/* MSRs. */
#define MSR_TSC		   0x10
#define MSR_APIC_BASE	   0x1b
#define MSR_SYSENTER_CS	   0x174
#define MSR_SYSENTER_ESP   0x175
#define MSR_SYSENTER_EIP   0x176
#define MSR_PAT		   0x277
#define MSR_VMX_BASIC	   0x480
#define MSR_EFER	   0xc0000080
#define MSR_FS_BASE	   0xc0000100
#define MSR_GS_BASE	   0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX	   0xc0000103
#define EFER_SCE	   BIT(0)
#define EFER_LME	   BIT(8)
#define EFER_LMA	   BIT(10)
#define EFER_NXE	   BIT(11)
#define EFER_SVME	   BIT(12)

/* CPUID bits. */
#define CPUID1_ECX_VMX		BIT(5)
#define CPUID1_ECX_X2APIC	BIT(21)
#define CPUID1_ECX_TSC_DEADLINE BIT(24)
#define CPUID1_ECX_XSAVE	BIT(26)
#define CPUID1_ECX_OSXSAVE	BIT(27)
#define CPUID1_ECX_HYPERVISOR	BIT(31)
#define CPUID1_EDX_TSC		BIT(4)
#define CPUID1_EDX_MSR		BIT(5)
#define CPUID1_EDX_PAE		BIT(6)
#define CPUID1_EDX_APIC		BIT(9)
#define CPUID1_EDX_PSE		BIT(3)
#define CPUID1_EDX_FPU		BIT(0)
#define CPUID7_ECX_LA57		BIT(16)
#define CPUIDX1_ECX_SVM		BIT(2)
#define CPUIDX1_EDX_LM		BIT(29)
#define CPUIDX1_EDX_RDTSCP	BIT(27)

/* Ports used by every payload. */
#define PORT_EXIT 0xf4 /* isa-debug-exit: status (v<<1)|1 */
#define PORT_COM1 0x3f8

static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}
static inline void outw(u16 port, u16 v)
{
	__asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}
static inline void outl(u16 port, u32 v)
{
	__asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}
static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline u16 inw(u16 port)
{
	u16 v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline u32 inl(u16 port)
{
	u32 v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

struct cpuid_regs {
	u32 a, b, c, d;
};

static inline struct cpuid_regs cpuid(u32 leaf, u32 sub)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid"
			 : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d)
			 : "a"(leaf), "c"(sub));
	return r;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return lo | ((u64)hi << 32);
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | ((u64)hi << 32);
}

#define DEFINE_CR(n)                                                                               \
	static inline ulong read_cr##n(void)                                                       \
	{                                                                                          \
		ulong v;                                                                           \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                  \
		return v;                                                                          \
	}                                                                                          \
	static inline void write_cr##n(ulong v)                                                    \
	{                                                                                          \
		__asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory");                           \
	}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline u64 xgetbv(u32 idx)
{
	u32 lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(idx));
	return lo | ((u64)hi << 32);
}

static inline void cli(void)
{
	__asm__ volatile("cli");
}
static inline void pause(void)
{
	__asm__ volatile("pause");
}

#endif
