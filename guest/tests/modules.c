/*
 * modules: the multiboot modules handed to the guest (Tern: guestmod=
 * entries named by module=; bare QEMU: -initrd "file args,file args").
 * Expects exactly two, built by `make guests`:
 *   0: build/guest/mod1.txt, string "first-module cfg=1", starts with
 *      "TERN-MODULE-ONE"
 *   1: build/guest/mod2.bin, string "initrd", 8192 bytes, byte i = i & 0xff
 * (bare QEMU: -initrd "mod1.txt first-module cfg=1,mod2.bin initrd"; its
 * module strings keep the path, accepted only without Tern).
 * Both page-aligned (the multiboot header asks for it), inside available
 * RAM, not overlapping each other or the payload image. The command line
 * must hold mode=modtest.
 */
#include "guest.h"

const char guest_name[] = "modules";

#define MOD0_STRING "first-module cfg=1"
#define MOD0_MAGIC  "TERN-MODULE-ONE"
#define MOD1_STRING "initrd"
#define MOD1_SIZE   8192
#define PAGE_4K	    0x1000ull
#define NR_MODULES  2

static bool overlaps(u64 a0, u64 a1, u64 b0, u64 b1)
{
	return a0 < b1 && b0 < a1;
}

/* Tern hands the guest exactly the string after ` -- `; bare QEMU's -initrd
 * "file args" passes "file args": accept the path prefix only without Tern. */
static bool string_is(const char *got, const char *want)
{
	if (!strncmp(got, want, strlen(want) + 1))
		return true;
	if (tern_present())
		return false;
	while (*got && *got != ' ')
		got++;
	return *got == ' ' && !strncmp(got + 1, want, strlen(want) + 1);
}

static bool in_available_ram(u64 s, u64 e)
{
	for (int i = 0; i < mem_map_count; i++)
		if (mem_map[i].type == MEM_AVAILABLE && s >= mem_map[i].base &&
		    e <= mem_map[i].base + mem_map[i].len)
			return true;
	return false;
}

void guest_main(void)
{
	char buf[32];
	const char *mode = cmdline_get("mode", buf, sizeof(buf));
	checkf(mode && !strncmp(mode, "modtest", sizeof("modtest")), "cmdline mode=modtest (got %s)",
	       mode ? mode : "none");
	check(boot_protocol == BOOT_MB1, "booted by multiboot1");

	for (int i = 0; i < boot_module_count && i < BOOT_MODULES_MAX; i++)
		printf("module %d: 0x%lx-0x%lx (%lu bytes) '%s'\n", i, boot_modules[i].start,
		       boot_modules[i].end, boot_modules[i].end - boot_modules[i].start,
		       boot_modules[i].string);
	if (!checkf(boot_module_count == NR_MODULES, "module count = %d (got %d)", NR_MODULES,
		    boot_module_count))
		return;

	const struct boot_module *m0 = &boot_modules[0], *m1 = &boot_modules[1];
	u64 img_s = (u64)__image_start, img_e = (u64)__image_end;

	/* module 0 */
	checkf(string_is(m0->string, MOD0_STRING), "module 0 string '%s'",
	       MOD0_STRING);
	u64 len0 = m0->end - m0->start;
	if (checkf(m0->end > m0->start && len0 >= sizeof(MOD0_MAGIC) - 1,
		   "module 0 size plausible (%lu bytes)", len0))
		checkf(!memcmp((const void *)m0->start, MOD0_MAGIC, sizeof(MOD0_MAGIC) - 1),
		       "module 0 starts with %s", MOD0_MAGIC);

	/* module 1 */
	checkf(string_is(m1->string, MOD1_STRING), "module 1 string '%s'",
	       MOD1_STRING);
	u64 len1 = m1->end - m1->start;
	if (checkf(m1->end > m1->start && len1 == MOD1_SIZE, "module 1 size = %d (got %lu)",
		   MOD1_SIZE, len1)) {
		const volatile u8 *p = (const volatile u8 *)m1->start;
		u64 bad = 0, first = 0;
		for (u64 i = 0; i < len1; i++)
			if (p[i] != (u8)(i & 0xff) && !bad++)
				first = i;
		if (!checkf(!bad, "module 1 bytes: byte i = i & 0xff"))
			printf("  %lu bad bytes, first at offset %lu (0x%x)\n", bad, first,
			       p[first]);
	}

	/* placement */
	for (int i = 0; i < NR_MODULES; i++) {
		const struct boot_module *m = &boot_modules[i];
		checkf(!(m->start & (PAGE_4K - 1)), "module %d page-aligned (0x%lx)", i, m->start);
		checkf(!overlaps(m->start, m->end, img_s, img_e),
		       "module %d outside the image 0x%lx-0x%lx", i, img_s, img_e);
		checkf(in_available_ram(m->start, m->end), "module %d in available RAM", i);
	}
	checkf(!overlaps(m0->start, m0->end, m1->start, m1->end), "modules 0 and 1 do not overlap");
}
