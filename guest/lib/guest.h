/*
 * Tern guest library, 64-bit API. A payload defines guest_name[] and
 * guest_main(); the library prints "guest <name>: start", runs it, then
 * prints "summary: N passed, N failed, N skipped" and exits through port
 * 0xf4 (0 = all passed, 1 = a failure).
 */
#ifndef GUEST_H
#define GUEST_H

#include "exc.h"
#include "tern_hypercall.h"
#include "x86.h"

extern const char guest_name[];
void guest_main(void);

/* Console (COM1, polled 16550). */
void serial_putc(char c);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t n, const char *fmt, __builtin_va_list ap);

/* Checks and exit. */
bool check(bool ok, const char *name);
bool checkf(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void skip(const char *name, const char *reason);
/* Architectural behaviour that bare QEMU TCG does not model: PASS when ok,
 * FAIL when ok is false under Tern, SKIP (with the reason) otherwise. */
bool check_arch(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void guest_finish(void) __attribute__((noreturn)); /* summary + exit */
void guest_exit(int failed) __attribute__((noreturn));
extern u32 checks_passed, checks_failed, checks_skipped;

/* Boot information (copied out of the multiboot info at start). */
#define BOOT_MB1 1
#define BOOT_MB2 2
extern int boot_protocol;
#define MEM_MAX_REGIONS 64
#define MEM_AVAILABLE	1
struct mem_region {
	u64 base, len;
	u32 type;
};
extern struct mem_region mem_map[MEM_MAX_REGIONS];
extern int mem_map_count;
/* End of the available region holding addr, or 0 if none does. */
u64 mem_region_end(u64 addr);
extern char boot_cmdline[512];
/* Boot modules (multiboot1 MODS, multiboot2 module tags): the range
 * [start, end) and the string, copied (truncated) at start. */
#define BOOT_MODULES_MAX   16
#define BOOT_MODSTRING_MAX 128
struct boot_module {
	u64 start, end;
	char string[BOOT_MODSTRING_MAX];
};
extern struct boot_module boot_modules[BOOT_MODULES_MAX];
extern int boot_module_count; /* as reported, may exceed BOOT_MODULES_MAX */
/* Value of key=value on the command line (copied into buf), or NULL. */
const char *cmdline_get(const char *key, char *buf, size_t n);
bool cmdline_has(const char *key);
/* Pseudo-random data for payloads: xorshift64 (13, 7, 17), the next value
 * of *state. */
static inline u64 xorshift64(u64 *state)
{
	u64 x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}
/* key=N on the command line, or def. */
u64 cmdline_u64(const char *key, u64 def);
/* Bytes that differ between got and want (0: none); the mismatch at addr is
 * printed while *shown < 4, which counts it. For payloads checking data. */
u64 word_mismatch(u64 addr, u64 got, u64 want, u64 *shown);
extern char __image_start[], __image_end[];

/* CPU identification and Tern detection. */
bool cpu_is_intel(void);
bool cpu_is_amd(void);
bool tern_present(void);
s64 tern_hypercall(u64 nr, u64 a1, u64 a2, u64 a3, u64 a4);
/* Same, but reports the vector if the instruction faulted (EXC_NONE if not). */
s64 tern_hypercall_safe(u64 nr, u64 a1, u64 a2, u64 a3, u64 a4, u32 *vector);

/* Exceptions: hooks run before the default EXC_TRY handling.
 * A hook returns EXC_HOOK_RETURN (iretq with the possibly edited frame) or
 * EXC_HOOK_PASS (continue with the default handling). */
struct exc_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error, rip, cs, rflags, rsp, ss;
};
#define EXC_HOOK_PASS	0
#define EXC_HOOK_RETURN 1
typedef int (*exc_hook_t)(struct exc_frame *f);
void exc_set_hook(int vec, exc_hook_t hook);
void idt_set_gate(int vec, u64 handler, int dpl, int ist);
u64 idt_stub(int vec);
void idt_load_empty(void);
void tss_set_ist(int ist, u64 stack_top);
/* Run fn at CPL3; returns the vector that ended it (VEC_USER_RETURN when fn
 * reached `int $0x81`). */
u32 run_user(void (*fn)(void));
#define SEL_CODE64 0x18
#define SEL_DATA   0x10

/* MSR access that survives #GP: returns the vector or EXC_NONE. */
u32 rdmsr_safe(u32 msr, u64 *val);
u32 wrmsr_safe(u32 msr, u64 val);

/* Paging (4-level, identity map of 0-4 GiB with 2 MiB pages at boot). */
#define PTE_P	BIT(0)
#define PTE_W	BIT(1)
#define PTE_U	BIT(2)
#define PTE_PS	BIT(7)
#define PAGE_2M 0x200000ull
u64 *pte_2m(u64 va, bool create); /* the PD entry mapping va */
u64 *pte_4k(u64 va, bool create); /* splits a 2 MiB mapping if needed */
void map_2m(u64 va, u64 pa);
static inline void invlpg(u64 va)
{
	__asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}
static inline void flush_tlb(void)
{
	write_cr3(read_cr3());
}

/* Strings. */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);
u64 parse_u64(const char *s);

#endif
