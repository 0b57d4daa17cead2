/*
 * io: port I/O. IN/OUT of each size on the UART scratch register (0x3ff),
 * INS/OUTS and REP forms, all-ones reads of unassigned ports for each size,
 * and fw_cfg (0x510 selector, 0x511 data): signature, CPU count, RAM size,
 * file directory.
 */
#include "guest.h"

const char guest_name[] = "io";

#define UART_SCR	     (PORT_COM1 + 7)
#define UART_LSR	     (PORT_COM1 + 5)
#define UNASSIGNED_PORT	     0x2f0 /* between LPT/COM2 ranges: nothing decodes it */
#define FW_CFG_SEL	     0x510
#define FW_CFG_DATA	     0x511
#define FW_CFG_SIGNATURE     0x00
#define FW_CFG_ID	     0x01
#define FW_CFG_RAM_SIZE	     0x03
#define FW_CFG_NB_CPUS	     0x05
#define FW_CFG_FILE_DIR	     0x19
#define FW_CFG_FILE_NAME_LEN 56
#define INS_LEN		     64

static void fw_cfg_read(u16 key, void *buf, u32 n)
{
	outw(FW_CFG_SEL, key);
	u8 *p = buf;
	for (u32 i = 0; i < n; i++)
		p[i] = inb(FW_CFG_DATA);
}

static u32 be32(const u8 *p)
{
	return (u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}
static u16 be16(const u8 *p)
{
	return p[0] << 8 | p[1];
}

static void uart_scratch(void)
{
	bool ok = true;
	for (u32 v = 0; v < 256; v += 0x11) {
		outb(UART_SCR, v);
		if (inb(UART_SCR) != v)
			ok = false;
	}
	check(ok, "outb/inb UART scratch register round trip");
	/* Wider accesses at 0x3ff: the low byte is the scratch register, the
	 * rest falls on 0x400.. (unassigned). Bare QEMU aborts on a word access
	 * to its 16550 (assertion in serial_ioport_write), so Tern only. */
	if (!tern_present()) {
		skip("outw/inw at 0x3ff: low byte round trips",
		     "not under Tern: QEMU's UART aborts");
		skip("outl/inl at 0x3ff: low byte round trips",
		     "not under Tern: QEMU's UART aborts");
	} else {
		outw(UART_SCR, 0xa55a);
		u16 w = inw(UART_SCR);
		checkf((w & 0xff) == 0x5a, "outw/inw at 0x3ff: low byte round trips (0x%x)", w);
		outl(UART_SCR, 0x12345678);
		u32 l = inl(UART_SCR);
		checkf((l & 0xff) == 0x78, "outl/inl at 0x3ff: low byte round trips (0x%x)", l);
		printf("upper bytes of the wide reads: 0x%x 0x%x (unassigned 0x400..: expect all "
		       "ones)\n",
		       w >> 8, l >> 8);
	}
	check(inb(UART_LSR) & 0x20, "UART LSR reports THR empty");
}

static void string_io(void)
{
	static const char msg[] = "rep outsb: hello from io.elf\r\n";
	u64 rsi = (u64)msg, rcx = sizeof(msg) - 1;
	__asm__ volatile("rep outsb" : "+S"(rsi), "+c"(rcx) : "d"(PORT_COM1) : "memory");
	check(rcx == 0 && rsi == (u64)msg + sizeof(msg) - 1,
	      "rep outsb to THR consumed the string");

	static u8 buf[INS_LEN];
	memset(buf, 0x11, sizeof(buf));
	u64 rdi = (u64)buf;
	rcx = INS_LEN;
	__asm__ volatile("rep insb" : "+D"(rdi), "+c"(rcx) : "d"(UNASSIGNED_PORT) : "memory");
	bool all = true;
	for (int i = 0; i < INS_LEN; i++)
		all &= buf[i] == 0xff;
	check(rcx == 0 && rdi == (u64)buf + INS_LEN && all,
	      "rep insb from unassigned port: all 0xff");

	static u16 wbuf[8];
	memset(wbuf, 0, sizeof(wbuf));
	rdi = (u64)wbuf;
	rcx = 8;
	__asm__ volatile("rep insw" : "+D"(rdi), "+c"(rcx) : "d"(UNASSIGNED_PORT) : "memory");
	all = true;
	for (int i = 0; i < 8; i++)
		all &= wbuf[i] == 0xffff;
	check(rcx == 0 && all, "rep insw from unassigned port: all 0xffff");

	/* Single outsb/insb on the scratch register. */
	static u8 one = 0x77, back;
	rsi = (u64)&one;
	__asm__ volatile("outsb" : "+S"(rsi) : "d"(UART_SCR) : "memory");
	rdi = (u64)&back;
	__asm__ volatile("insb" : "+D"(rdi) : "d"(UART_SCR) : "memory");
	check(back == 0x77 && rsi == (u64)&one + 1 && rdi == (u64)&back + 1,
	      "outsb/insb scratch round trip, RSI/RDI advance");

	/* DF=1: string I/O walks backwards. */
	static u8 rev[4];
	memset(rev, 0, sizeof(rev));
	rdi = (u64)&rev[3];
	rcx = 4;
	__asm__ volatile("std; rep insb; cld"
			 : "+D"(rdi), "+c"(rcx)
			 : "d"(UNASSIGNED_PORT)
			 : "memory");
	check(rdi == (u64)rev - 1 && rev[0] == 0xff && rev[3] == 0xff,
	      "rep insb with DF=1 walks down");
}

static void unassigned(void)
{
	bool ok = true;
	for (u16 p = UNASSIGNED_PORT; p < UNASSIGNED_PORT + 8; p++)
		ok &= inb(p) == 0xff;
	check(ok, "inb from unassigned ports 0x2f0-0x2f7 is 0xff");
	checkf(inw(UNASSIGNED_PORT) == 0xffff, "inw from unassigned port is 0xffff");
	checkf(inl(UNASSIGNED_PORT) == 0xffffffff, "inl from unassigned port is 0xffffffff");
	outb(UNASSIGNED_PORT, 0x12);
	outw(UNASSIGNED_PORT, 0x1234);
	outl(UNASSIGNED_PORT, 0x12345678);
	check(inb(UNASSIGNED_PORT) == 0xff, "writes to unassigned port are ignored");
}

static void fw_cfg(void)
{
	char sig[5] = {0};
	fw_cfg_read(FW_CFG_SIGNATURE, sig, 4);
	if (!check(!memcmp(sig, "QEMU", 4), "fw_cfg signature \"QEMU\""))
		return;
	u32 id;
	fw_cfg_read(FW_CFG_ID, &id, 4);
	printf("fw_cfg id 0x%x\n", id);
	u16 ncpu;
	fw_cfg_read(FW_CFG_NB_CPUS, &ncpu, 2);
	checkf(ncpu >= 1 && ncpu <= 1024, "fw_cfg CPU count sane (%u)", ncpu);

	u64 ram = 0;
	fw_cfg_read(FW_CFG_RAM_SIZE, &ram, 8);
	if (ram == 0 || ram == ~0ull) {
		skip("fw_cfg RAM size", "key 0x03 absent");
	} else {
		u64 avail = 0;
		for (int i = 0; i < mem_map_count; i++)
			if (mem_map[i].type == MEM_AVAILABLE)
				avail += mem_map[i].len;
		printf("fw_cfg RAM 0x%lx, memory map available 0x%lx\n", ram, avail);
		check(avail <= ram && avail >= ram / 2, "fw_cfg RAM size matches the memory map");
	}

	u8 cnt[4];
	fw_cfg_read(FW_CFG_FILE_DIR, cnt, 4);
	u32 n = be32(cnt);
	printf("fw_cfg file directory: %u files\n", n);
	check(n >= 1 && n < 4096, "fw_cfg file directory count sane");
	bool names_ok = true;
	for (u32 i = 0; i < n && i < 64; i++) {
		u8 e[8 + FW_CFG_FILE_NAME_LEN];
		for (u32 j = 0; j < sizeof(e); j++)
			e[j] = inb(FW_CFG_DATA);
		char *name = (char *)e + 8;
		name[FW_CFG_FILE_NAME_LEN - 1] = 0;
		if (i < 8)
			printf("  %s size %u select 0x%x\n", name, be32(e), be16(e + 4));
		names_ok &= name[0] != 0 && be16(e + 4) >= 0x20;
	}
	check(names_ok, "fw_cfg file entries have names and selectors >= 0x20");
}

void guest_main(void)
{
	uart_scratch();
	string_io();
	unassigned();
	fw_cfg();
}
