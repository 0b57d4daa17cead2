/* SPDX-License-Identifier: MIT */
/*
 * Host tests for virt/gwalk.c: page tables are built in a fake guest memory
 * for each paging mode (none, 32-bit with 4 KiB and 4 MiB PSE/PSE-36 pages,
 * PAE, 4-level with 1 GiB/2 MiB/4 KiB pages) and translations, permission
 * faults (R/W with CR0.WP, U/S, NX, SMEP, SMAP), reserved-bit faults and the
 * resulting #PF error codes are compared with the SDM's rules. The
 * instruction fetch helper is checked across a page boundary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "virt/gwalk.h"

#define MEM_SIZE MiB(2)
#define P	 BIT(0)
#define RW	 BIT(1)
#define US	 BIT(2)
#define A	 BIT(5)
#define D	 BIT(6)
#define PS	 BIT(7)
#define XD	 BIT(63)

static u8 mem[MEM_SIZE];
static unsigned int writes;

static int fake_read(void *ctx, u64 gpa, void *buf, size_t len)
{
	(void)ctx;
	if (gpa >= MEM_SIZE || len > MEM_SIZE - gpa)
		return -E_NOENT;
	memcpy(buf, mem + gpa, len);
	return 0;
}

static int fake_write(void *ctx, u64 gpa, const void *buf, size_t len)
{
	(void)ctx;
	if (gpa >= MEM_SIZE || len > MEM_SIZE - gpa)
		return -E_NOENT;
	memcpy(mem + gpa, buf, len);
	writes++;
	return 0;
}

static const struct gwalk_mem ro_mem = {.read_gpa = fake_read};
static const struct gwalk_mem rw_mem = {.read_gpa = fake_read, .write_gpa = fake_write};

static void put32(u64 gpa, u32 v)
{
	memcpy(mem + gpa, &v, 4);
}
static void put64(u64 gpa, u64 v)
{
	memcpy(mem + gpa, &v, 8);
}
static u64 get64(u64 gpa)
{
	u64 v;
	memcpy(&v, mem + gpa, 8);
	return v;
}

static int setup(void **state)
{
	(void)state;
	memset(mem, 0, sizeof(mem));
	writes = 0;
	return 0;
}

/* Translate and expect success at 'want'. */
static void ok(const struct gwalk_regs *r, u64 gva, u32 access, u64 want)
{
	u64 gpa = 0;
	u32 pf = 0xdead;
	int err = gwalk_translate(r, &ro_mem, gva, access, &gpa, &pf);

	if (err || gpa != want)
		fail_msg("gva %#llx access %#x: err %d gpa %#llx (pf %#x), want %#llx",
			 (unsigned long long)gva, access, err, (unsigned long long)gpa, pf,
			 (unsigned long long)want);
}

/* Translate and expect a #PF with error code 'want'. */
static void pf(const struct gwalk_regs *r, u64 gva, u32 access, u32 want)
{
	u64 gpa = 0;
	u32 code = 0xdead;
	int err = gwalk_translate(r, &ro_mem, gva, access, &gpa, &code);

	if (err != -E_NOENT || code != want)
		fail_msg("gva %#llx access %#x: err %d code %#x, want #PF %#x",
			 (unsigned long long)gva, access, err, code, want);
}

static void test_no_paging(void **state)
{
	struct gwalk_regs r = {.cr0 = CR0_PE};

	(void)state;
	ok(&r, 0x12345678, GWALK_WRITE, 0x12345678);
	ok(&r, 0x100001000ull, 0, 0x1000);
}

static void test_32bit(void **state)
{
	struct gwalk_regs r = {.cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000};

	(void)state;
	put32(0x1000 + 1 * 4, 0x2000 | P | RW | US);		 /* 0x00400000: PT */
	put32(0x2000 + 5 * 4, 0x7000 | P | RW | US);		 /* 0x00405000 */
	put32(0x2000 + 6 * 4, 0x8000 | P | US);			 /* read-only user */
	put32(0x2000 + 7 * 4, 0x9000 | P | RW);			 /* supervisor */
	put32(0x1000 + 2 * 4, 0x00c00000 | P | RW | PS);	 /* 4 MiB at 0x00800000 */
	put32(0x1000 + 3 * 4, 0x00c00000 | P | PS | (1u << 13)); /* PSE-36 */
	put32(0x1000 + 4 * 4, 0x00c00000 | P | PS | BIT(21));	 /* reserved */

	ok(&r, 0x00405123, GWALK_WRITE | GWALK_USER, 0x7123);
	ok(&r, 0x100405123ull, 0, 0x7123); /* linear addresses are 32-bit */
	pf(&r, 0x00408000, 0, 0);
	pf(&r, 0x00408000, GWALK_WRITE | GWALK_USER, PF_W | PF_U);
	pf(&r, 0x01000000, GWALK_FETCH, 0); /* no NX in 32-bit paging: I/D clear */
	/* read-only: supervisor writes need CR0.WP */
	ok(&r, 0x00406000, GWALK_WRITE, 0x8000);
	pf(&r, 0x00406000, GWALK_WRITE | GWALK_USER, PF_P | PF_W | PF_U);
	r.cr0 |= CR0_WP;
	pf(&r, 0x00406000, GWALK_WRITE, PF_P | PF_W);
	pf(&r, 0x00407000, GWALK_USER, PF_P | PF_U);
	ok(&r, 0x00407000, GWALK_FETCH, 0x9000);

	/* PS without CR4.PSE is a table pointer (here outside memory) */
	r.cr4 = 0;
	assert_int_equal(gwalk_translate(&r, &ro_mem, 0x00812345, 0, &(u64){0}, &(u32){0}),
			 -E_NOENT);
	r.cr4 = CR4_PSE;
	ok(&r, 0x00812345, GWALK_WRITE, 0x00c12345);
	ok(&r, 0x00c12345, 0, 0x100c12345ull);
	pf(&r, 0x01012345, 0, PF_P | PF_RSVD);
	r.maxphyaddr = 32; /* PSE-36 bits now reserved */
	pf(&r, 0x00c12345, GWALK_USER, PF_P | PF_RSVD | PF_U);
}

static void test_pae(void **state)
{
	struct gwalk_regs r = {
		.cr0 = CR0_PE | CR0_PG | CR0_WP,
		.cr3 = 0x3020,
		.cr4 = CR4_PAE,
		.efer = EFER_NXE,
	};
	const u64 base = (1ull << 30);

	(void)state;
	put64(0x3020 + 1 * 8, 0x4000 | P);
	put64(0x3020 + 2 * 8, 0x4000 | P | RW); /* RW is reserved in a PDPTE */
	put64(0x4000 + 3 * 8, 0x00600000 | P | RW | PS);
	put64(0x4000 + 4 * 8, 0x5000 | P | RW | US);
	put64(0x4000 + 5 * 8, 0x00600000 | P | PS | BIT(13)); /* reserved */
	put64(0x5000 + 5 * 8, 0x9000 | P | US | XD);
	put64(0x5000 + 6 * 8, 0x123456000ull | P | RW | US);

	ok(&r, base | (3 << 21) | 0x1234, GWALK_WRITE, 0x601234);
	ok(&r, base | (4 << 21) | (6 << 12) | 0x10, GWALK_USER | GWALK_WRITE, 0x123456010ull);
	ok(&r, base | (4 << 21) | (5 << 12), GWALK_USER, 0x9000);
	pf(&r, base | (4 << 21) | (5 << 12), GWALK_USER | GWALK_FETCH, PF_P | PF_U | PF_I);
	pf(&r, base | (4 << 21) | (5 << 12), GWALK_USER | GWALK_WRITE, PF_P | PF_U | PF_W);
	pf(&r, base | (5 << 21), 0, PF_P | PF_RSVD);
	pf(&r, 2 * base, 0, PF_P | PF_RSVD);
	pf(&r, 3 * base, GWALK_FETCH, PF_I); /* PDPTE not present */
	/* without NXE, XD is a reserved bit and I/D stays clear */
	r.efer = 0;
	pf(&r, base | (4 << 21) | (5 << 12), GWALK_USER | GWALK_FETCH, PF_P | PF_RSVD | PF_U);
}

/* 4-level tables: PML4 0x10000, PDPT 0x11000, PD 0x12000, PT 0x13000. */
static void build_4level(void)
{
	put64(0x10000 + 0 * 8, 0x11000 | P | RW | US);
	put64(0x10000 + 256 * 8, 0x11000 | P | RW);	    /* kernel half */
	put64(0x10000 + 1 * 8, 0x11000 | P | RW | US | PS); /* PS reserved */
	put64(0x11000 + 0 * 8, 0x12000 | P | RW | US);
	put64(0x11000 + 1 * 8, 0x80000000ull | P | RW | PS);	  /* 1 GiB */
	put64(0x11000 + 2 * 8, 0x80000000ull | P | PS | BIT(20)); /* reserved */
	put64(0x12000 + 0 * 8, 0x13000 | P | RW | US);
	put64(0x12000 + 1 * 8, 0x00400000 | P | PS); /* 2 MiB, RO, sup */
	put64(0x13000 + 1 * 8, 0x5000 | P | RW | US);
	put64(0x13000 + 2 * 8, 0x6000 | P | RW);
	put64(0x13000 + 3 * 8, 0xf000000000ull | P | RW); /* bit 39 */
	put64(0x13000 + 4 * 8, 0x7000 | P | RW | US | XD);
}

static void test_4level(void **state)
{
	struct gwalk_regs r = {
		.cr0 = CR0_PE | CR0_PG | CR0_WP,
		.cr3 = 0x10000 | 0x5 /* PCID */,
		.cr4 = CR4_PAE | CR4_PCIDE,
		.efer = EFER_LME | EFER_LMA | EFER_NXE,
	};
	u64 gpa;
	u32 code;

	(void)state;
	build_4level();
	ok(&r, 0x1abc, GWALK_USER | GWALK_WRITE, 0x5abc);
	ok(&r, (1ull << 30) | 0x12345678, GWALK_WRITE, 0x80000000ull | 0x12345678);
	ok(&r, (1ull << 21) | 0x1234, 0, 0x401234);
	ok(&r, 0xffff800000001000ull, 0, 0x5000);
	pf(&r, 0xffff800000001000ull, GWALK_USER, PF_P | PF_U); /* PML4E is supervisor */
	pf(&r, (1ull << 21), GWALK_WRITE, PF_P | PF_W);
	pf(&r, 0x8000, GWALK_WRITE, PF_W);
	pf(&r, (1ull << 39), 0, PF_P | PF_RSVD);
	pf(&r, 2ull << 30, GWALK_FETCH, PF_P | PF_RSVD | PF_I);
	pf(&r, 0x4000, GWALK_FETCH, PF_P | PF_I);
	ok(&r, 0x3000, 0, 0xf000000000ull);
	r.maxphyaddr = 36;
	pf(&r, 0x3000, 0, PF_P | PF_RSVD);
	assert_int_equal(gwalk_translate(&r, &ro_mem, 0x0000800000000000ull, 0, &gpa, &code),
			 -E_RANGE);
	r.cr4 |= CR4_LA57;
	assert_int_equal(gwalk_translate(&r, &ro_mem, 0, 0, &gpa, &code), -E_NOSUPP);
}

static void test_smep_smap(void **state)
{
	struct gwalk_regs r = {
		.cr0 = CR0_PE | CR0_PG,
		.cr3 = 0x10000,
		.cr4 = CR4_PAE,
		.efer = EFER_LME | EFER_LMA,
	};

	(void)state;
	build_4level();
	ok(&r, 0x1000, GWALK_FETCH, 0x5000);
	ok(&r, 0x1000, GWALK_WRITE, 0x5000);
	r.cr4 |= CR4_SMEP | CR4_SMAP;
	pf(&r, 0x1000, GWALK_FETCH, PF_P | PF_I); /* SMEP sets I/D without NXE */
	pf(&r, 0x1000, GWALK_WRITE, PF_P | PF_W);
	ok(&r, 0x2000, GWALK_FETCH, 0x6000);
	r.rflags = BIT(18); /* AC */
	ok(&r, 0x1000, GWALK_WRITE, 0x5000);
	ok(&r, 0x1000, GWALK_USER | GWALK_FETCH, 0x5000);
}

static void test_accessed_dirty(void **state)
{
	struct gwalk_regs r = {
		.cr0 = CR0_PE | CR0_PG,
		.cr3 = 0x10000,
		.cr4 = CR4_PAE,
		.efer = EFER_LME | EFER_LMA,
	};
	u64 gpa;
	u32 code;

	(void)state;
	build_4level();
	assert_int_equal(gwalk_translate(&r, &rw_mem, 0x1000, 0, &gpa, &code), 0);
	assert_true(get64(0x10000) & A);
	assert_true(get64(0x13000 + 8) & A);
	assert_false(get64(0x13000 + 8) & D);
	assert_int_equal(writes, 4);
	assert_int_equal(gwalk_translate(&r, &rw_mem, 0x1000, GWALK_WRITE, &gpa, &code), 0);
	assert_true(get64(0x13000 + 8) & D);
	assert_int_equal(writes, 5);
	assert_false(get64(0x12000 + 0) & D); /* D only on the leaf */
}

static void test_fetch(void **state)
{
	struct gwalk_regs r = {
		.cr0 = CR0_PE | CR0_PG,
		.cr3 = 0x10000,
		.cr4 = CR4_PAE,
		.efer = EFER_LME | EFER_LMA | EFER_NXE,
	};
	struct segment cs = {.base = 0x1234, .ar = SEG_AR_L | SEG_AR_P | (3u << SEG_AR_DPL_SHIFT)};
	struct insn_fetch f;

	(void)state;
	build_4level();
	put64(0x13000 + 2 * 8, 0x6000 | P | RW | US);
	for (unsigned int i = 0; i < 32; i++)
		mem[0x5ff0 + i] = (u8)i;
	/* 0x1ff8: 8 bytes from page 0x5000, 7 from 0x6000; CS.base ignored */
	assert_int_equal(guest_fetch_insn(&r, &ro_mem, &cs, 0x1ff8, &f), 0);
	assert_int_equal(f.len, 15);
	assert_false(f.fault);
	assert_memory_equal(f.bytes, mem + 0x5ff8, 8);
	assert_memory_equal(f.bytes + 8, mem + 0x6000, 7);
	/* second page absent: 3 bytes, #PF recorded for the user fetch */
	assert_int_equal(guest_fetch_insn(&r, &ro_mem, &cs, 0x4ffd, &f), -E_NOENT);
	put64(0x13000 + 4 * 8, 0x7000 | P | RW | US);
	assert_int_equal(guest_fetch_insn(&r, &ro_mem, &cs, 0x4ffd, &f), 0);
	assert_int_equal(f.len, 3);
	assert_true(f.fault);
	assert_int_equal(f.cr2, 0x5000);
	assert_int_equal(f.pf_error, PF_U | PF_I);

	/* real mode: CS.base + IP, no paging */
	r = (struct gwalk_regs){0};
	cs = (struct segment){.selector = 0xf000, .base = 0xf0000, .ar = SEG_AR_P};
	assert_int_equal(guest_fetch_insn(&r, &ro_mem, &cs, 0xfff0, &f), 0);
	assert_int_equal(f.len, 15);
	assert_memory_equal(f.bytes, mem + 0xffff0, 15);
	/* past the end of guest memory */
	cs.base = MEM_SIZE - 4;
	assert_int_equal(guest_fetch_insn(&r, &ro_mem, &cs, 0, &f), 0);
	assert_int_equal(f.len, 4);
	assert_false(f.fault);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_no_paging, setup),
		cmocka_unit_test_setup(test_32bit, setup),
		cmocka_unit_test_setup(test_pae, setup),
		cmocka_unit_test_setup(test_4level, setup),
		cmocka_unit_test_setup(test_smep_smap, setup),
		cmocka_unit_test_setup(test_accessed_dirty, setup),
		cmocka_unit_test_setup(test_fetch, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
