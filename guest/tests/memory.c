/*
 * memory: write and verify address-derived patterns over every available
 * RAM region of the memory map (all memory slots; the image itself is
 * skipped), mapping RAM above 4 GiB with 2 MiB pages; then unassigned
 * guest-physical addresses (0xE0000000 when outside the map, and 1 GiB
 * above the top of the map): reads return all ones, writes are ignored.
 */
#include "guest.h"

const char guest_name[] = "memory";

#define PATTERN_KEY  0x5a3c96e1f00fba11ull
#define FOUR_GIB     0x100000000ull
#define ONE_GIB	     0x40000000ull
#define HOLE_ADDR    0xE0000000ull
#define MAX_REPORTED 4

static const char *type_name(u32 t)
{
	switch (t) {
	case 1:
		return "available";
	case 2:
		return "reserved";
	case 3:
		return "ACPI";
	case 4:
		return "NVS";
	case 5:
		return "bad";
	default:
		return "other";
	}
}

static bool in_map(u64 a)
{
	for (int i = 0; i < mem_map_count; i++)
		if (a >= mem_map[i].base && a < mem_map[i].base + mem_map[i].len)
			return true;
	return false;
}

static void ensure_mapped(u64 base, u64 end)
{
	for (u64 a = base & ~(PAGE_2M - 1); a < end; a += PAGE_2M)
		if (a >= FOUR_GIB)
			map_2m(a, a);
}

/* Fill [s, e) with pattern(addr) ^ inv, verify; return mismatches. */
static u64 pattern_pass(u64 s, u64 e, u64 inv)
{
	u64 bad = 0;
	for (u64 a = s; a < e; a += 8)
		*(volatile u64 *)a = (a * PATTERN_KEY) ^ inv;
	for (u64 a = s; a < e; a += 8) {
		u64 want = (a * PATTERN_KEY) ^ inv, got = *(volatile u64 *)a;
		if (got != want && bad++ < MAX_REPORTED)
			printf("  mismatch at 0x%lx: 0x%lx != 0x%lx\n", a, got, want);
	}
	return bad;
}

static void test_range(u64 s, u64 e, u64 *total)
{
	s = (s + 7) & ~7ull;
	e &= ~7ull;
	if (e <= s)
		return;
	u64 bad = pattern_pass(s, e, 0) + pattern_pass(s, e, ~0ull);
	checkf(bad == 0, "RAM 0x%lx-0x%lx: pattern and inverse verify (%lu bad)", s, e, bad);
	*total += e - s;
}

static void unassigned(u64 a, const char *what)
{
	if (a >= FOUR_GIB)
		map_2m(a & ~(PAGE_2M - 1), a & ~(PAGE_2M - 1));
	volatile u64 *p = (volatile u64 *)a;
	u64 r1 = *p;
	volatile u8 *b = (volatile u8 *)(a + 0x101);
	u8 r8 = *b;
	*p = 0x0123456789abcdefull;
	*b = 0x42;
	u64 r2 = *p;
	check_arch(r1 == ~0ull && r8 == 0xff, "%s 0x%lx: reads return all ones (0x%lx, byte 0x%x)",
		   what, a, r1, r8);
	checkf(r2 == r1, "%s 0x%lx: writes are ignored (reads 0x%lx after write)", what, a, r2);
}

void guest_main(void)
{
	char buf[16];
	u64 top = 0, avail = 0, ram_top = 0;
	int navail = 0;
	for (int i = 0; i < mem_map_count; i++) {
		struct mem_region *r = &mem_map[i];
		printf("map: 0x%lx-0x%lx %s\n", r->base, r->base + r->len, type_name(r->type));
		if (r->base + r->len > top)
			top = r->base + r->len;
		if (r->type == MEM_AVAILABLE) {
			avail += r->len, navail++;
			if (r->base + r->len > ram_top)
				ram_top = r->base + r->len;
		}
	}
	printf("image 0x%lx-0x%lx, top of map 0x%lx, %d available regions, 0x%lx bytes\n",
	       (u64)__image_start, (u64)__image_end, top, navail, avail);
	check(navail >= 1, "memory map has available RAM");
	if (cmdline_get("slots", buf, sizeof(buf)))
		printf("slots=%s requested: %d available regions reported\n", buf, navail);
	if (cmdline_get("regions", buf, sizeof(buf)))
		checkf(navail >= (int)parse_u64(buf), "at least regions=%s available regions", buf);

	u64 tested = 0;
	u64 img_s = (u64)__image_start, img_e = (u64)__image_end;
	for (int i = 0; i < mem_map_count; i++) {
		struct mem_region *r = &mem_map[i];
		if (r->type != MEM_AVAILABLE)
			continue;
		u64 s = r->base, e = r->base + r->len;
		ensure_mapped(s, e);
		if (e <= img_s || s >= img_e) {
			test_range(s, e, &tested);
		} else {
			test_range(s, img_s, &tested);
			test_range(img_e, e, &tested);
		}
	}
	checkf(tested + (img_e - img_s) >= avail / 2, "tested 0x%lx of 0x%lx available bytes",
	       tested, avail);

	if (!in_map(HOLE_ADDR))
		unassigned(HOLE_ADDR, "unassigned hole");
	else
		skip("unassigned hole 0xE0000000", "inside the memory map");
	/* 1 GiB past the top of RAM (at least 4 GiB), below MAXPHYADDR and
	 * outside every map entry. */
	u64 above = ((ram_top > FOUR_GIB ? ram_top : FOUR_GIB) + ONE_GIB - 1) / ONE_GIB * ONE_GIB +
		    ONE_GIB;
	u32 phys = cpuid(0x80000000, 0).a >= 0x80000008 ? cpuid(0x80000008, 0).a & 0xff : 36;
	while (in_map(above) || in_map(above + ONE_GIB - 1))
		above += ONE_GIB;
	if (above + ONE_GIB > (1ull << phys)) {
		skip("above top of RAM", "no room below MAXPHYADDR");
		return;
	}
	unassigned(above, "above top of RAM");
	unassigned(above + ONE_GIB - PAGE_2M, "above top of RAM (last 2 MiB of the GiB)");
}
