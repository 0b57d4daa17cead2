/* SPDX-License-Identifier: MIT */
/*
 * Host tests for virt/emulate.c against a fake MMIO device (one page of
 * registers with an access log) and a fake RAM: every supported instruction
 * in its forms and sizes, x86 partial-register rules, RIP advance, LOCK and
 * unsupported forms, REP strings stopping at the page end, and arithmetic
 * flags compared with the host CPU's own results over edge values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "virt/emulate.h"

#define MMIO_BASE 0xfee00000ull
#define RAM_BASE  0x10000ull
#define RAM_SIZE  0x2000
#define RIP0	  0x1000
#define MAX_LOG	  64

struct access {
	bool write;
	u64 gpa;
	u8 size;
	u64 val;
};

static u8 dev[PAGE_SIZE];
static u8 ram[RAM_SIZE];
static struct access log_[MAX_LOG];
static unsigned int nlog;
static int fail_mmio; /* error the device returns, 0 = none */
static u64 gpr[NR_GPRS], rip, rflags;
static struct emu_ctx ctx;

static int mmio_read(void *opaque, u64 gpa, u8 size, u64 *val)
{
	(void)opaque;
	assert_true(gpa >= MMIO_BASE && gpa + size <= MMIO_BASE + PAGE_SIZE);
	if (fail_mmio)
		return fail_mmio;
	*val = 0;
	memcpy(val, dev + (gpa - MMIO_BASE), size);
	assert_true(nlog < MAX_LOG);
	log_[nlog++] = (struct access){false, gpa, size, *val};
	return 0;
}

static int mmio_write(void *opaque, u64 gpa, u8 size, u64 val)
{
	(void)opaque;
	assert_true(gpa >= MMIO_BASE && gpa + size <= MMIO_BASE + PAGE_SIZE);
	if (fail_mmio)
		return fail_mmio;
	assert_true(size == 8 || val < (1ull << (size * 8)));
	memcpy(dev + (gpa - MMIO_BASE), &val, size);
	assert_true(nlog < MAX_LOG);
	log_[nlog++] = (struct access){true, gpa, size, val};
	return 0;
}

static int read_mem(void *opaque, u64 gva, void *buf, size_t len)
{
	(void)opaque;
	if (gva < RAM_BASE || gva + len > RAM_BASE + RAM_SIZE)
		return -E_NOENT;
	memcpy(buf, ram + (gva - RAM_BASE), len);
	return 0;
}

static int write_mem(void *opaque, u64 gva, const void *buf, size_t len)
{
	(void)opaque;
	if (gva < RAM_BASE || gva + len > RAM_BASE + RAM_SIZE)
		return -E_NOENT;
	memcpy(ram + (gva - RAM_BASE), buf, len);
	return 0;
}

static int translate(void *opaque, u64 gva, bool write, u64 *gpa)
{
	(void)opaque;
	(void)write;
	*gpa = gva; /* identity paging */
	return 0;
}

static const struct emu_ops ops = {
	.mmio_read = mmio_read,
	.mmio_write = mmio_write,
	.read_mem = read_mem,
	.write_mem = write_mem,
	.translate = translate,
};

static int setup(void **state)
{
	(void)state;
	memset(dev, 0, sizeof(dev));
	memset(ram, 0, sizeof(ram));
	memset(gpr, 0, sizeof(gpr));
	nlog = 0;
	fail_mmio = 0;
	rip = RIP0;
	rflags = 0x2;
	ctx = (struct emu_ctx){.ops = &ops, .gpr = gpr, .rip = &rip, .rflags = &rflags};
	return 0;
}

static void dev_put(u64 off, u64 val, u8 size)
{
	memcpy(dev + off, &val, size);
}

/* Decode 'bytes' in 'mode' and emulate with the fault at MMIO_BASE + off. */
static int emu(const char *bytes, size_t n, enum insn_mode mode, u64 off)
{
	struct insn in;
	int err = decode_insn(&in, (const u8 *)bytes, n, mode);

	assert_int_equal(err, 0);
	assert_int_equal(in.len, n);
	return emulate_mmio(&ctx, &in, MMIO_BASE + off);
}

#define EMU64(s, off) emu(s, sizeof(s) - 1, INSN_MODE_64, off)
#define EMU32(s, off) emu(s, sizeof(s) - 1, INSN_MODE_32, off)
#define EMU16(s, off) emu(s, sizeof(s) - 1, INSN_MODE_16, off)

static void expect_write(unsigned int i, u64 off, u8 size, u64 val)
{
	assert_true(i < nlog);
	assert_true(log_[i].write);
	assert_int_equal(log_[i].gpa, MMIO_BASE + off);
	assert_int_equal(log_[i].size, size);
	assert_int_equal(log_[i].val, val);
}

static void expect_read(unsigned int i, u64 off, u8 size)
{
	assert_true(i < nlog);
	assert_false(log_[i].write);
	assert_int_equal(log_[i].gpa, MMIO_BASE + off);
	assert_int_equal(log_[i].size, size);
}

static void test_mov_store(void **state)
{
	(void)state;
	gpr[GPR_RAX] = 0x1122334455667788ull;
	gpr[GPR_RSP] = 0xAABBCCDDEEFF0011ull;
	assert_int_equal(EMU64("\x89\x03", 0x10), 0); /* mov %eax,(%rbx) */
	expect_write(0, 0x10, 4, 0x55667788);
	assert_int_equal(rip, RIP0 + 2);
	assert_int_equal(EMU64("\x48\x89\x03", 0x18), 0);
	expect_write(1, 0x18, 8, 0x1122334455667788ull);
	assert_int_equal(EMU64("\x66\x89\x03", 0x20), 0);
	expect_write(2, 0x20, 2, 0x7788);
	assert_int_equal(EMU64("\x88\x23", 0x21), 0); /* mov %ah,(%rbx) */
	expect_write(3, 0x21, 1, 0x77);
	assert_int_equal(EMU64("\x40\x88\x23", 0x22), 0); /* mov %spl,(%rbx) */
	expect_write(4, 0x22, 1, 0x11);
	assert_int_equal(EMU64("\xc6\x03\x12", 0x23), 0);
	expect_write(5, 0x23, 1, 0x12);
	assert_int_equal(EMU64("\xc7\x03\x78\x56\x34\x12", 0x24), 0);
	expect_write(6, 0x24, 4, 0x12345678);
	assert_int_equal(EMU64("\x48\xc7\x03\xff\xff\xff\xff", 0x28), 0);
	expect_write(7, 0x28, 8, ~0ull);
	assert_int_equal(EMU64("\x66\xc7\x03\x34\x12", 0x30), 0);
	expect_write(8, 0x30, 2, 0x1234);
	assert_int_equal(EMU32("\xa3\xb0\x00\xe0\xfe", 0xb0), 0); /* mov %eax,0xfee000b0 */
	expect_write(9, 0xb0, 4, 0x55667788);
	assert_int_equal(EMU32("\xa2\xb0\x00\xe0\xfe", 0xb0), 0);
	expect_write(10, 0xb0, 1, 0x88);
	gpr[GPR_R9] = 0xdeadbeef;
	assert_int_equal(EMU64("\x4f\x89\x8c\xf5\x78\x56\x34\x12", 0x40), 0);
	expect_write(11, 0x40, 8, 0xdeadbeef);
	assert_int_equal(gpr[GPR_RAX], 0x1122334455667788ull); /* untouched */
}

static void test_mov_load(void **state)
{
	(void)state;
	dev_put(0x10, 0x8899aabbccddeeffull, 8);
	gpr[GPR_RAX] = 0x1111111111111111ull;
	assert_int_equal(EMU64("\x8b\x03", 0x10), 0); /* 32-bit: zero-extends */
	assert_int_equal(gpr[GPR_RAX], 0xccddeeff);
	expect_read(0, 0x10, 4);
	gpr[GPR_RAX] = 0x1111111111111111ull;
	assert_int_equal(EMU64("\x66\x8b\x03", 0x10), 0); /* 16-bit: merges */
	assert_int_equal(gpr[GPR_RAX], 0x111111111111eeffull);
	assert_int_equal(EMU64("\x8a\x03", 0x11), 0); /* mov (%rbx),%al */
	assert_int_equal(gpr[GPR_RAX], 0x111111111111eeeeull);
	assert_int_equal(EMU64("\x8a\x2b", 0x12), 0); /* mov (%rbx),%ch */
	assert_int_equal(gpr[GPR_RCX], 0xdd00);
	assert_int_equal(EMU64("\x40\x8a\x2b", 0x12), 0); /* REX: %bpl */
	assert_int_equal(gpr[GPR_RBP], 0xdd);
	assert_int_equal(EMU64("\x4c\x8b\x03", 0x10), 0); /* mov (%rbx),%r8 */
	assert_int_equal(gpr[GPR_R8], 0x8899aabbccddeeffull);
	assert_int_equal(EMU64("\xa1\x10\x00\xe0\xfe\x00\x00\x00\x00", 0x10), 0);
	assert_int_equal(gpr[GPR_RAX], 0xccddeeff);
	assert_int_equal(rip, RIP0 + 2 + 3 + 2 + 2 + 3 + 3 + 9);

	/* MOVZX / MOVSX */
	gpr[GPR_RAX] = ~0ull;
	assert_int_equal(EMU64("\x0f\xb6\x03", 0x17), 0);
	assert_int_equal(gpr[GPR_RAX], 0x88);
	assert_int_equal(EMU64("\x48\x0f\xbf\x03", 0x16), 0);
	assert_int_equal(gpr[GPR_RAX], 0xffffffffffff8899ull);
	gpr[GPR_RAX] = 0x1234567812345678ull;
	assert_int_equal(EMU64("\x66\x0f\xbe\x03", 0x17), 0);
	assert_int_equal(gpr[GPR_RAX], 0x123456781234ff88ull);
	assert_int_equal(EMU64("\x0f\xbe\x03", 0x10), 0); /* 0xff -> -1 in 32 bits */
	assert_int_equal(gpr[GPR_RAX], 0xffffffff);
	assert_int_equal(EMU64("\x0f\xb7\x03", 0x16), 0);
	assert_int_equal(gpr[GPR_RAX], 0x8899);
	expect_read(nlog - 1, 0x16, 2);
}

static void test_xchg(void **state)
{
	(void)state;
	dev_put(0x20, 0xcafef00d, 4);
	gpr[GPR_RDX] = 0xffffffff12345678ull;
	assert_int_equal(EMU64("\x87\x13", 0x20), 0); /* xchg %edx,(%rbx) */
	expect_read(0, 0x20, 4);
	expect_write(1, 0x20, 4, 0x12345678);
	assert_int_equal(gpr[GPR_RDX], 0xcafef00d);
	assert_int_equal(EMU64("\x86\x33", 0x20), 0); /* xchg %dh,(%rbx) */
	expect_write(3, 0x20, 1, 0xf0);
	assert_int_equal(gpr[GPR_RDX], 0xcafe780d);
	assert_int_equal(nlog, 4);
}

static void test_rmw(void **state)
{
	unsigned int n;

	(void)state;
	dev_put(0x30, 0x3, 4);
	assert_int_equal(EMU64("\x83\x27\xfe", 0x30), 0); /* andl $-2,(%rdi) */
	expect_read(0, 0x30, 4);
	expect_write(1, 0x30, 4, 0x2);
	assert_int_equal(rflags & RFLAGS_ARITH, 0);
	assert_int_equal(EMU64("\xf0\x81\x0f\x00\x00\x00\x80", 0x30), 0); /* lock orl */
	expect_write(3, 0x30, 4, 0x80000002);
	assert_int_equal(rflags & RFLAGS_ARITH, RFLAGS_SF);
	gpr[GPR_RAX] = 0x80000002;
	assert_int_equal(EMU64("\x39\x07", 0x30), 0); /* cmp %eax,(%rdi): no write */
	assert_int_equal(nlog, 5);
	assert_int_equal(rflags & RFLAGS_ARITH, RFLAGS_ZF | RFLAGS_PF);
	gpr[GPR_RCX] = 0x100000003ull;
	assert_int_equal(EMU64("\x2b\x0f", 0x30), 0); /* sub (%rdi),%ecx */
	assert_int_equal(gpr[GPR_RCX], 0x80000001);
	assert_int_equal(rflags & RFLAGS_ARITH, RFLAGS_CF | RFLAGS_OF | RFLAGS_SF);
	assert_int_equal(EMU64("\x83\x17\x00", 0x30), 0); /* adcl $0: CF in */
	expect_write(nlog - 1, 0x30, 4, 0x80000003);
	assert_int_equal(EMU64("\x80\x37\xff", 0x30), 0); /* xorb $0xff */
	expect_write(nlog - 1, 0x30, 1, 0xfc);
	assert_int_equal(EMU64("\xf6\x07\x04", 0x30), 0); /* testb $4 */
	assert_int_equal(rflags & RFLAGS_ARITH, 0);
	assert_int_equal(EMU64("\x66\xf7\x07\x00\x80", 0x32), 0); /* testw $0x8000 */
	assert_int_equal(rflags & RFLAGS_ARITH, RFLAGS_SF | RFLAGS_PF);
	gpr[GPR_RSI] = 1;
	assert_int_equal(EMU64("\x85\x37", 0x30), 0); /* test %esi,(%rdi) */
	assert_int_equal(rflags & RFLAGS_ARITH, RFLAGS_ZF | RFLAGS_PF);
	n = nlog;
	assert_int_equal(EMU64("\xf7\x17", 0x30), 0); /* notl: flags kept */
	expect_write(n + 1, 0x30, 4, 0x7fffff03);
	assert_int_equal(rflags & RFLAGS_ARITH, RFLAGS_ZF | RFLAGS_PF);
	assert_int_equal(EMU64("\x48\xf7\x1f", 0x30), 0); /* negq */
	expect_write(n + 3, 0x30, 8, 0xffffffff800000fdull);
	assert_int_equal(rflags & (RFLAGS_CF | RFLAGS_SF), RFLAGS_CF | RFLAGS_SF);
	gpr[GPR_RBX] = 0x10;
	assert_int_equal(EMU64("\x00\x1f", 0x31), 0); /* add %bl,(%rdi) */
	expect_write(nlog - 1, 0x31, 1, 0x10);
	assert_int_equal(EMU64("\x02\x3f", 0x31), 0); /* add (%rdi),%bh */
	assert_int_equal(gpr[GPR_RBX], 0x1010);
}

static void test_strings(void **state)
{
	(void)state;
	/* rep stosl, 4 dwords up */
	gpr[GPR_RAX] = 0xa5a5a5a5;
	gpr[GPR_RCX] = 4;
	gpr[GPR_RDI] = MMIO_BASE + 0x100;
	assert_int_equal(EMU64("\xf3\xab", 0x100), 0);
	assert_int_equal(nlog, 4);
	expect_write(3, 0x10c, 4, 0xa5a5a5a5);
	assert_int_equal(gpr[GPR_RCX], 0);
	assert_int_equal(gpr[GPR_RDI], MMIO_BASE + 0x110);
	assert_int_equal(rip, RIP0 + 2);
	/* stops at the page end: RIP stays for the remaining count */
	gpr[GPR_RCX] = 4;
	gpr[GPR_RDI] = MMIO_BASE + 0xff8;
	assert_int_equal(EMU64("\xf3\x48\xab", 0xff8), 0);
	assert_int_equal(gpr[GPR_RCX], 3);
	assert_int_equal(gpr[GPR_RDI], MMIO_BASE + 0x1000);
	assert_int_equal(rip, RIP0 + 2);
	/* DF=1 goes down; rep with RCX=0 does nothing */
	rflags |= RFLAGS_DF;
	gpr[GPR_RCX] = 2;
	gpr[GPR_RDI] = MMIO_BASE + 0x202;
	nlog = 0;
	assert_int_equal(EMU64("\xf3\x66\xab", 0x202), 0);
	expect_write(0, 0x202, 2, 0xa5a5);
	expect_write(1, 0x200, 2, 0xa5a5);
	assert_int_equal(gpr[GPR_RDI], MMIO_BASE + 0x1fe);
	assert_int_equal(EMU64("\xf3\x66\xab", 0x202), 0);
	assert_int_equal(nlog, 2);
	rflags &= ~RFLAGS_DF;

	/* movsl RAM -> device, device -> RAM */
	memcpy(ram + 0x10, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	gpr[GPR_RSI] = RAM_BASE + 0x10;
	gpr[GPR_RDI] = MMIO_BASE + 0x300;
	gpr[GPR_RCX] = 2;
	nlog = 0;
	assert_int_equal(EMU64("\xf3\xa5", 0x300), 0);
	expect_write(0, 0x300, 4, 0x44332211);
	expect_write(1, 0x304, 4, 0x88776655);
	assert_int_equal(gpr[GPR_RSI], RAM_BASE + 0x18);
	gpr[GPR_RSI] = MMIO_BASE + 0x300;
	gpr[GPR_RDI] = RAM_BASE + 0x100;
	assert_int_equal(EMU64("\x48\xa5", 0x300), 0);
	assert_memory_equal(ram + 0x100, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	/* lodsb */
	gpr[GPR_RSI] = MMIO_BASE + 0x301;
	gpr[GPR_RAX] = 0xffff;
	assert_int_equal(EMU64("\xac", 0x301), 0);
	assert_int_equal(gpr[GPR_RAX], 0xff22);
	assert_int_equal(gpr[GPR_RSI], MMIO_BASE + 0x302);

	/* 16-bit: DS.base + SI, SI wraps at 16 bits and merges */
	ctx.seg_base[SEG_DS] = MMIO_BASE;
	gpr[GPR_RSI] = 0xabcd0ffe;
	gpr[GPR_RDI] = 0x20;
	ctx.seg_base[SEG_ES] = RAM_BASE;
	assert_int_equal(EMU16("\xa5", 0xffe), 0);
	assert_int_equal(gpr[GPR_RSI], 0xabcd1000);
	assert_int_equal(gpr[GPR_RDI], 0x22);
	assert_memory_equal(ram + 0x20, dev + 0xffe, 2);
}

static void test_errors(void **state)
{
	(void)state;
	gpr[GPR_RAX] = 5;
	assert_int_equal(EMU64("\x89\xc3", 0), -E_INVAL);	   /* mov %eax,%ebx */
	assert_int_equal(EMU64("\x0f\xaf\x03", 0), -E_NOSUPP);	   /* imul (%rbx),%eax */
	assert_int_equal(EMU64("\xf7\x27", 0), -E_NOSUPP);	   /* mull (%rdi) */
	assert_int_equal(EMU64("\xc5\xfa\x6f\x00", 0), -E_NOSUPP); /* vmovdqu */
	assert_int_equal(EMU64("\xf0\x89\x03", 0), -E_INVAL);	   /* lock mov */
	assert_int_equal(EMU64("\xf0\x39\x07", 0), -E_INVAL);	   /* lock cmp */
	assert_int_equal(EMU64("\xf0\x03\x07", 0), -E_INVAL);	   /* lock add to reg */
	assert_int_equal(EMU64("\xff\x37", 0), -E_NOSUPP);	   /* push (%rdi) */
	assert_int_equal(EMU64("\xf4", 0), -E_NOSUPP);		   /* hlt */
	assert_int_equal(nlog, 0);
	fail_mmio = -E_BUSY;
	assert_int_equal(EMU64("\x8b\x03", 0), -E_BUSY);
	assert_int_equal(EMU64("\x87\x03", 0), -E_BUSY);
	assert_int_equal(gpr[GPR_RAX], 5);
	assert_int_equal(rip, RIP0);
	/* MOVS whose operands are both ordinary memory did not fault here */
	fail_mmio = 0;
	gpr[GPR_RSI] = RAM_BASE;
	gpr[GPR_RDI] = RAM_BASE + 8;
	assert_int_equal(EMU64("\xa4", 0), -E_INVAL);
	/* 16-bit code: IP wraps */
	rip = 0xfffe;
	assert_int_equal(EMU16("\x89\x07", 0), 0);
	assert_int_equal(rip, 0);
}

/* ---- arithmetic flags against the host CPU ---- */

#define HOST2(mn, type, a, b, fl)                                                                  \
	do {                                                                                       \
		type x_ = (type)(a), y_ = (type)(b);                                               \
		asm volatile("sub $128, %%rsp\n\tpush %[f]\n\tpopf\n\t" mn " %[y], %[x]\n\t"       \
			     "pushf\n\tpop %[f]\n\tadd $128, %%rsp"                                \
			     : [x] "+r"(x_), [f] "+r"(fl)                                          \
			     : [y] "r"(y_)                                                         \
			     : "cc", "memory");                                                    \
		(a) = x_;                                                                          \
	} while (0)

#define HOST1(mn, type, a, fl)                                                                     \
	do {                                                                                       \
		type x_ = (type)(a);                                                               \
		asm volatile("sub $128, %%rsp\n\tpush %[f]\n\tpopf\n\t" mn " %[x]\n\t"             \
			     "pushf\n\tpop %[f]\n\tadd $128, %%rsp"                                \
			     : [x] "+r"(x_), [f] "+r"(fl)                                          \
			     :                                                                     \
			     : "cc", "memory");                                                    \
		(a) = x_;                                                                          \
	} while (0)

#define HOST_SIZES(mn, a, b, size, fl)                                                             \
	do {                                                                                       \
		if (size == 1)                                                                     \
			HOST2(mn "b", u8, a, b, fl);                                               \
		else if (size == 2)                                                                \
			HOST2(mn "w", u16, a, b, fl);                                              \
		else if (size == 4)                                                                \
			HOST2(mn "l", u32, a, b, fl);                                              \
		else                                                                               \
			HOST2(mn "q", u64, a, b, fl);                                              \
	} while (0)

static u64 host_alu(enum emu_alu op, u8 size, u64 a, u64 b, u64 *flags)
{
	u64 fl = *flags, r = a;

	switch (op) {
	case EMU_ALU_ADD:
		HOST_SIZES("add", r, b, size, fl);
		break;
	case EMU_ALU_OR:
		HOST_SIZES("or", r, b, size, fl);
		break;
	case EMU_ALU_ADC:
		HOST_SIZES("adc", r, b, size, fl);
		break;
	case EMU_ALU_SBB:
		HOST_SIZES("sbb", r, b, size, fl);
		break;
	case EMU_ALU_AND:
		HOST_SIZES("and", r, b, size, fl);
		break;
	case EMU_ALU_SUB:
		HOST_SIZES("sub", r, b, size, fl);
		break;
	case EMU_ALU_XOR:
		HOST_SIZES("xor", r, b, size, fl);
		break;
	case EMU_ALU_CMP:
		HOST_SIZES("cmp", r, b, size, fl);
		break;
	case EMU_ALU_TEST:
		HOST_SIZES("test", r, b, size, fl);
		break;
	case EMU_ALU_NEG:
		if (size == 1)
			HOST1("negb", u8, r, fl);
		else if (size == 2)
			HOST1("negw", u16, r, fl);
		else if (size == 4)
			HOST1("negl", u32, r, fl);
		else
			HOST1("negq", u64, r, fl);
		break;
	}
	*flags = fl;
	return r & (size == 8 ? ~0ull : (1ull << (size * 8)) - 1);
}

static void test_flags_vs_host(void **state)
{
	static const u64 vals[] = {
		0,
		1,
		2,
		0x0f,
		0x10,
		0x7f,
		0x80,
		0x81,
		0xfe,
		0xff,
		0x100,
		0x7fff,
		0x8000,
		0xffff,
		0x10000,
		0x7fffffff,
		0x80000000,
		0xffffffff,
		0x100000000ull,
		0x7fffffffffffffffull,
		0x8000000000000000ull,
		0xfffffffffffffffeull,
		~0ull,
		0x55aa55aa55aa55aaull,
		0x123456789abcdef0ull,
	};
	static const u8 sizes[] = {1, 2, 4, 8};
	unsigned long checks = 0;

	(void)state;
	for (int op = EMU_ALU_ADD; op <= EMU_ALU_NEG; op++) {
		bool logic = op == EMU_ALU_OR || op == EMU_ALU_AND || op == EMU_ALU_XOR ||
			     op == EMU_ALU_TEST;
		bool no_result = op == EMU_ALU_CMP || op == EMU_ALU_TEST; /* host keeps a */
		u64 cmp_mask = RFLAGS_ARITH & ~(logic ? RFLAGS_AF : 0);

		for (size_t s = 0; s < ARRAY_SIZE(sizes); s++)
			for (size_t i = 0; i < ARRAY_SIZE(vals); i++)
				for (size_t j = 0; j < ARRAY_SIZE(vals); j++)
					for (u64 cf = 0; cf < 2; cf++) {
						u64 f_emu = 0x2 | cf, f_host = 0x2 | cf;
						u64 r_emu = emu_alu(op, sizes[s], vals[i], vals[j],
								    &f_emu);
						u64 r_host = host_alu(op, sizes[s], vals[i],
								      vals[j], &f_host);

						checks++;
						if ((!no_result && r_emu != r_host) ||
						    (f_emu & cmp_mask) != (f_host & cmp_mask))
							fail_msg("op %d size %u a %#llx b %#llx cf "
								 "%llu: "
								 "emu %#llx/%#llx host %#llx/%#llx",
								 op, sizes[s],
								 (unsigned long long)vals[i],
								 (unsigned long long)vals[j],
								 (unsigned long long)cf,
								 (unsigned long long)r_emu,
								 (unsigned long long)f_emu,
								 (unsigned long long)r_host,
								 (unsigned long long)f_host);
					}
	}
	assert_true(checks > 20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mov_store, setup),
		cmocka_unit_test_setup(test_mov_load, setup),
		cmocka_unit_test_setup(test_xchg, setup),
		cmocka_unit_test_setup(test_rmw, setup),
		cmocka_unit_test_setup(test_strings, setup),
		cmocka_unit_test_setup(test_errors, setup),
		cmocka_unit_test_setup(test_flags_vs_host, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
