/*
 * Tern guest library core (64-bit): console, checks, exit, boot information,
 * CPU identification and the hypercall wrapper.
 */
#include "guest.h"
#include "pm32.h"

/* ---- console: COM1 16550, polled ---- */
#define UART_THR	0
#define UART_IER	1
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_LSR_THRE	0x20
#define UART_LCR_DLAB	0x80
#define UART_LCR_8N1	0x03
#define UART_SPIN_LIMIT 100000 /* never hang on a UART that does not report THRE */

static void serial_init(void)
{
	outb(PORT_COM1 + UART_IER, 0);
	outb(PORT_COM1 + UART_LCR, UART_LCR_DLAB);
	outb(PORT_COM1 + 0, 1); /* divisor 1: 115200 baud */
	outb(PORT_COM1 + 1, 0);
	outb(PORT_COM1 + UART_LCR, UART_LCR_8N1);
	outb(PORT_COM1 + UART_FCR, 0x07);
	outb(PORT_COM1 + UART_MCR, 0x03);
}

void serial_putc(char c)
{
	if (c == '\n')
		serial_putc('\r');
	for (int i = 0; i < UART_SPIN_LIMIT; i++)
		if (inb(PORT_COM1 + UART_LSR) & UART_LSR_THRE)
			break;
	outb(PORT_COM1 + UART_THR, c);
}

/* ---- formatting ---- */
struct out {
	char *buf;
	size_t n, len;
};

static void out_c(struct out *o, char c)
{
	if (o->buf) {
		if (o->len + 1 < o->n)
			o->buf[o->len] = c;
	} else {
		serial_putc(c);
	}
	o->len++;
}

static void out_num(struct out *o, u64 v, int base, int width, char pad, bool neg)
{
	char tmp[24];
	int i = 0;
	do {
		tmp[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[i++] = '-';
	while (i < width)
		tmp[i++] = pad;
	while (i)
		out_c(o, tmp[--i]);
}

static int format(struct out *o, const char *fmt, __builtin_va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			out_c(o, *fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		int width = 0, lng = 0;
		if (*fmt == '0')
			pad = '0', fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l')
			lng++, fmt++;
		switch (*fmt) {
		case 'd': {
			s64 v = lng ? __builtin_va_arg(ap, s64) : __builtin_va_arg(ap, int);
			out_num(o, v < 0 ? -(u64)v : (u64)v, 10, width, pad, v < 0);
			break;
		}
		case 'u':
		case 'x': {
			u64 v = lng ? __builtin_va_arg(ap, u64) : __builtin_va_arg(ap, unsigned);
			out_num(o, v, *fmt == 'u' ? 10 : 16, width, pad, false);
			break;
		}
		case 'p':
			out_c(o, '0'), out_c(o, 'x');
			out_num(o, (u64) __builtin_va_arg(ap, void *), 16, width, pad, false);
			break;
		case 'c':
			out_c(o, (char)__builtin_va_arg(ap, int));
			break;
		case 's': {
			const char *s = __builtin_va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			int l = 0;
			for (; *s; s++, l++)
				out_c(o, *s);
			for (; l < width; l++)
				out_c(o, ' ');
			break;
		}
		case '%':
			out_c(o, '%');
			break;
		default:
			out_c(o, '%');
			out_c(o, *fmt);
			break;
		}
	}
	return o->len;
}

int vsnprintf(char *buf, size_t n, const char *fmt, __builtin_va_list ap)
{
	struct out o = {buf, n, 0};
	format(&o, fmt, ap);
	if (n)
		buf[o.len < n ? o.len : n - 1] = 0;
	return o.len;
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	int r = vsnprintf(buf, n, fmt, ap);
	__builtin_va_end(ap);
	return r;
}

int printf(const char *fmt, ...)
{
	struct out o = {NULL, 0, 0};
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	format(&o, fmt, ap);
	__builtin_va_end(ap);
	return o.len;
}

/* ---- checks and exit ---- */
u32 checks_passed, checks_failed, checks_skipped;

bool check(bool ok, const char *name)
{
	printf("%s %s\n", ok ? "PASS" : "FAIL", name);
	if (ok)
		checks_passed++;
	else
		checks_failed++;
	return ok;
}

bool checkf(bool ok, const char *fmt, ...)
{
	char name[160];
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	__builtin_va_end(ap);
	return check(ok, name);
}

void skip(const char *name, const char *reason)
{
	printf("SKIP %s (%s)\n", name, reason);
	checks_skipped++;
}

bool check_arch(bool ok, const char *fmt, ...)
{
	char name[160];
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	__builtin_va_end(ap);
	if (ok || tern_present())
		return check(ok, name);
	skip(name, "bare CPU/emulator deviates; asserted under Tern");
	return false;
}

void guest_exit(int failed)
{
	for (;;) {
		outl(PORT_EXIT, failed ? 1 : 0);
		__asm__ volatile("cli; hlt");
	}
}

void guest_finish(void)
{
	printf("summary: %u passed, %u failed, %u skipped\n", checks_passed, checks_failed,
	       checks_skipped);
	guest_exit(checks_failed != 0);
}

/* ---- strings ---- */
void *memset(void *d, int c, size_t n)
{
	u8 *p = d;
	while (n--)
		*p++ = c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	u8 *p = d;
	const u8 *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *p = a, *q = b;
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (u8)*a - (u8)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

u64 parse_u64(const char *s)
{
	u64 v = 0;
	int base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	for (;; s++) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		v = v * base + d;
	}
	return v;
}

/* ---- boot information ---- */
#define MB1_BOOT_MAGIC	  0x2BADB002u
#define MB2_BOOT_MAGIC	  0x36d76289u
#define MB1_INFO_MEM	  BIT(0)
#define MB1_INFO_CMDLINE  BIT(2)
#define MB1_INFO_MODS	  BIT(3)
#define MB1_INFO_MMAP	  BIT(6)
#define MB2_TAG_END	  0
#define MB2_TAG_CMDLINE	  1
#define MB2_TAG_MODULE	  3
#define MB2_TAG_BASIC_MEM 4
#define MB2_TAG_MMAP	  6

int boot_protocol;
struct mem_region mem_map[MEM_MAX_REGIONS];
int mem_map_count;
char boot_cmdline[512];
struct boot_module boot_modules[BOOT_MODULES_MAX];
int boot_module_count;

struct mb1_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
} __attribute__((packed));

static void add_region(u64 base, u64 len, u32 type)
{
	if (mem_map_count < MEM_MAX_REGIONS)
		mem_map[mem_map_count++] = (struct mem_region){base, len, type};
}

static void copy_cmdline(const char *s)
{
	size_t i = 0;
	for (; s[i] && i + 1 < sizeof(boot_cmdline); i++)
		boot_cmdline[i] = s[i];
	boot_cmdline[i] = 0;
}

static void add_module(u64 start, u64 end, const char *string)
{
	if (boot_module_count < BOOT_MODULES_MAX) {
		struct boot_module *m = &boot_modules[boot_module_count];
		size_t i = 0;
		m->start = start;
		m->end = end;
		for (; string && string[i] && i + 1 < sizeof(m->string); i++)
			m->string[i] = string[i];
		m->string[i] = 0;
	}
	boot_module_count++;
}

static void parse_mb1(const struct mb1_info *mi)
{
	if (mi->flags & MB1_INFO_CMDLINE)
		copy_cmdline((const char *)(u64)mi->cmdline);
	if (mi->flags & MB1_INFO_MODS) {
		const u32 *mod = (const u32 *)(u64)mi->mods_addr; /* start, end, string, 0 */
		for (u32 i = 0; i < mi->mods_count; i++, mod += 4)
			add_module(mod[0], mod[1], mod[2] ? (const char *)(u64)mod[2] : NULL);
	}
	if (mi->flags & MB1_INFO_MMAP) {
		u64 p = mi->mmap_addr, end = p + mi->mmap_length;
		while (p < end) {
			u32 size = *(u32 *)p;
			u64 base = *(u64 *)(p + 4), len = *(u64 *)(p + 12);
			u32 type = *(u32 *)(p + 20);
			add_region(base, len, type);
			p += size + 4;
		}
	} else if (mi->flags & MB1_INFO_MEM) {
		add_region(0, (u64)mi->mem_lower * 1024, MEM_AVAILABLE);
		add_region(0x100000, (u64)mi->mem_upper * 1024, MEM_AVAILABLE);
	}
}

static void parse_mb2(u64 info)
{
	u32 total = *(u32 *)info;
	u64 p = info + 8, end = info + total;
	while (p + 8 <= end) {
		u32 type = *(u32 *)p, size = *(u32 *)(p + 4);
		if (type == MB2_TAG_END)
			break;
		if (type == MB2_TAG_CMDLINE) {
			copy_cmdline((const char *)(p + 8));
		} else if (type == MB2_TAG_MODULE) {
			add_module(*(u32 *)(p + 8), *(u32 *)(p + 12), (const char *)(p + 16));
		} else if (type == MB2_TAG_MMAP) {
			u32 esize = *(u32 *)(p + 8);
			for (u64 e = p + 16; e + esize <= p + size; e += esize)
				add_region(*(u64 *)e, *(u64 *)(e + 8), *(u32 *)(e + 16));
		}
		p += (size + 7) & ~7u;
	}
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

const char *cmdline_get(const char *key, char *buf, size_t n)
{
	size_t kl = strlen(key);
	const char *s = boot_cmdline;
	while (*s) {
		while (is_space(*s))
			s++;
		if (!strncmp(s, key, kl) && s[kl] == '=') {
			s += kl + 1;
			size_t i = 0;
			while (s[i] && !is_space(s[i]) && i + 1 < n) {
				buf[i] = s[i];
				i++;
			}
			buf[i] = 0;
			return buf;
		}
		while (*s && !is_space(*s))
			s++;
	}
	return NULL;
}

u64 cmdline_u64(const char *key, u64 def)
{
	char buf[24];

	return cmdline_get(key, buf, sizeof(buf)) ? parse_u64(buf) : def;
}

u64 mem_region_end(u64 addr)
{
	for (int i = 0; i < mem_map_count && i < MEM_MAX_REGIONS; i++) {
		u64 s = mem_map[i].base, e = s + mem_map[i].len;

		if (mem_map[i].type == MEM_AVAILABLE && s <= addr && addr < e)
			return e;
	}
	return 0;
}

u64 word_mismatch(u64 addr, u64 got, u64 want, u64 *shown)
{
	u64 x = got ^ want, n = 0;

	if (!x)
		return 0;
	if ((*shown)++ < 4)
		printf("  mismatch at 0x%lx: 0x%lx != 0x%lx\n", addr, got, want);
	for (int b = 0; b < 8; b++)
		n += (x >> (8 * b)) & 0xff ? 1 : 0;
	return n;
}

bool cmdline_has(const char *key)
{
	size_t kl = strlen(key);
	const char *s = boot_cmdline;
	while (*s) {
		while (is_space(*s))
			s++;
		if (!strncmp(s, key, kl) && (s[kl] == 0 || s[kl] == '=' || is_space(s[kl])))
			return true;
		while (*s && !is_space(*s))
			s++;
	}
	return false;
}

/* ---- CPU identification, Tern detection, hypercalls ---- */
static bool vendor_is(const char *v)
{
	struct cpuid_regs r = cpuid(0, 0);
	u32 w[3] = {r.b, r.d, r.c};
	return !memcmp(w, v, 12);
}

bool cpu_is_intel(void)
{
	return vendor_is("GenuineIntel");
}
bool cpu_is_amd(void)
{
	return vendor_is("AuthenticAMD") || vendor_is("HygonGenuine");
}

bool tern_present(void)
{
	if (!(cpuid(1, 0).c & CPUID1_ECX_HYPERVISOR))
		return false;
	struct cpuid_regs r = cpuid(TERN_CPUID_LEAF, 0);
	u32 w[3] = {r.b, r.c, r.d};
	return !memcmp(w, TERN_SIGNATURE, 12);
}

s64 tern_hypercall_safe(u64 nr, u64 a1, u64 a2, u64 a3, u64 a4, u32 *vector)
{
	u64 ret;
	exc_reset();
	if (cpu_is_amd())
		__asm__ volatile(EXC_TRY("vmmcall")
				 : "=a"(ret)
				 : "0"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4)
				 : "memory");
	else
		__asm__ volatile(EXC_TRY("vmcall")
				 : "=a"(ret)
				 : "0"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4)
				 : "memory");
	if (vector)
		*vector = exc_last.vector;
	return exc_last.vector == EXC_NONE ? (s64)ret : TERN_E_UNKNOWN_CALL;
}

s64 tern_hypercall(u64 nr, u64 a1, u64 a2, u64 a3, u64 a4)
{
	return tern_hypercall_safe(nr, a1, a2, a3, a4, NULL);
}

u32 rdmsr_safe(u32 msr, u64 *val)
{
	u32 lo = 0, hi = 0;
	exc_reset();
	__asm__ volatile(EXC_TRY("rdmsr")
			 : "=a"(lo), "=d"(hi)
			 : "c"(msr), "0"(0), "1"(0)
			 : "memory");
	*val = lo | ((u64)hi << 32);
	return exc_last.vector;
}

u32 wrmsr_safe(u32 msr, u64 val)
{
	exc_reset();
	__asm__ volatile(EXC_TRY("wrmsr")::"c"(msr), "a"((u32)val), "d"((u32)(val >> 32))
			 : "memory");
	return exc_last.vector;
}

/* ---- start ---- */
void idt64_init(void);

static void replay_pm32(void)
{
	for (u32 i = 0; i < pm32_nresults && i < PM32_MAX_RESULTS; i++) {
		struct pm32_result *r = &pm32_results[i];
		const char *name = (const char *)(u64)r->name;
		if (r->status == PM32_SKIP)
			printf("SKIP pm32: %s (%s)\n", name, (const char *)(u64)r->reason),
				checks_skipped++;
		else if (!checkf(r->status == PM32_PASS, "pm32: %s", name))
			printf("  value 0x%x\n", r->value);
	}
}

void lib_main64(void)
{
	serial_init();
	idt64_init();
	if (mb_magic == MB1_BOOT_MAGIC) {
		boot_protocol = BOOT_MB1;
		parse_mb1((const struct mb1_info *)(u64)mb_info);
	} else if (mb_magic == MB2_BOOT_MAGIC) {
		boot_protocol = BOOT_MB2;
		parse_mb2(mb_info);
	}
	printf("guest %s%s: start\n", guest_name, boot_protocol == BOOT_MB2 ? "-mb2" : "");
	if (!boot_protocol)
		printf("note: unknown boot magic 0x%x\n", mb_magic);
	if (boot_cmdline[0])
		printf("cmdline: %s\n", boot_cmdline);
	replay_pm32();
	guest_main();
	guest_finish();
}
