/*
 * hostile_ports (hostile): byte read then write-back of every I/O port
 * 0-0xffff. Nothing may crash or hang the VM. Skipped: 0xf4-0xf7 (exit
 * device), 0x3f8-0x3ff (console), 0x510-0x51b (fw_cfg + its DMA port);
 * on bare QEMU also PCI config 0xcf8-0xcff and the ports that reset or
 * power off the machine (0x60-0x64 keyboard controller, 0x92, PM block
 * 0x600-0x63f, 0xb2-0xb3 APM). Unassigned ports must read 0xff: the range
 * 0x2f0-0x2f7 and 0x1000-0x5fff are checked for that.
 */
#include "guest.h"

const char guest_name[] = "hostile_ports";

#define NPORTS	   0x10000
#define MAX_LISTED 48

struct range {
	u32 lo, hi; /* inclusive */
};

static const struct range skip_always[] = {
	{0xf4, 0xf7},
	{0x3f8, 0x3ff},
	{0x510, 0x51b},
};
static const struct range skip_bare[] = {
	{0x60, 0x64}, {0x92, 0x92}, {0xb2, 0xb3}, {0x600, 0x63f}, {0xcf8, 0xcff},
};
static const struct range must_be_ff[] = {
	{0x2f0, 0x2f7},
	{0x1000, 0x5fff},
};

static bool in(const struct range *r, u32 n, u32 port)
{
	for (u32 i = 0; i < n; i++)
		if (port >= r[i].lo && port <= r[i].hi)
			return true;
	return false;
}

void guest_main(void)
{
	bool tern = tern_present();
	u32 visited = 0, skipped = 0, not_ff = 0, ff_bad = 0, listed = 0;
	for (u32 port = 0; port < NPORTS; port++) {
		if (in(skip_always, ARRAY_SIZE(skip_always), port) ||
		    (!tern && in(skip_bare, ARRAY_SIZE(skip_bare), port))) {
			skipped++;
			continue;
		}
		u8 v = inb(port);
		outb(port, v);
		visited++;
		if (v != 0xff) {
			not_ff++;
			if (listed++ < MAX_LISTED)
				printf("port 0x%04x reads 0x%02x\n", port, v);
		}
		if (in(must_be_ff, ARRAY_SIZE(must_be_ff), port) && v != 0xff)
			ff_bad++;
		if ((port & 0xfff) == 0xfff)
			printf("ports up to 0x%04x done\n", port);
	}
	printf("visited %u ports, skipped %u, %u read other than 0xff\n", visited, skipped, not_ff);
	check(visited + skipped == NPORTS, "every port 0-0xffff visited or deliberately skipped");
	check(ff_bad == 0, "unassigned ranges 0x2f0-0x2f7 and 0x1000-0x5fff read 0xff");
	/* The console still works after all that. */
	outb(PORT_COM1 + 7, 0x5a);
	check(inb(PORT_COM1 + 7) == 0x5a, "UART still answers after the sweep");
}
