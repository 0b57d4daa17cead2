/*
 * memslot: runtime RAM slots through TERN_HC_MEMSLOT while the guest runs.
 * A 2 MiB slot is added at 1 GiB (reads zeros), filled with a pattern,
 * deleted (the range reads all ones and ignores writes), re-added (zeros:
 * a deleted slot's contents are freed), filled again, moved to 1.25 GiB
 * (the pattern appears there; the old range reads all ones), grown to
 * 4 MiB (prefix kept, growth zeros) and shrunk to 1 MiB (the cut tail reads
 * all ones). Errors: overlap, duplicate id, unknown id, misalignment,
 * unknown sub-command. TERN_MEMSLOT_LIST reflects every step.
 */
#include "guest.h"
#include "tern_mmu.h"

const char guest_name[] = "memslot";

#define ID   42
#define GPA  0x40000000ull
#define GPA2 0x50000000ull
#define SZ   PAGE_2M
#define KEY  0xd1b54a32d192ed03ull

static struct tern_memslot list[16];
static struct tern_vm_stats_mmu st_before, st_after;

static void stats(struct tern_vm_stats_mmu *s)
{
	memset(s, 0, sizeof(*s));
	tern_hypercall(TERN_HC_STATS, (u64)s, sizeof(*s), 0, 0);
}

static s64 ms(u64 cmd, u64 a, u64 b, u64 c)
{
	return tern_hypercall(TERN_HC_MEMSLOT, cmd, a, b, c);
}

/* Every 64th qword of [a, a+len): all equal to v(addr)? */
static bool all_ones(u64 a, u64 len)
{
	for (u64 p = a; p < a + len; p += 512)
		if (*(volatile u64 *)p != ~0ull)
			return false;
	return true;
}

static bool all_zero(u64 a, u64 len)
{
	for (u64 p = a; p < a + len; p += 512)
		if (*(volatile u64 *)p != 0)
			return false;
	return true;
}

static void fill(u64 a, u64 len)
{
	for (u64 p = a; p < a + len; p += 512)
		*(volatile u64 *)p = (p - a) * KEY + 1;
}

/* Does [a, a+len) hold the pattern written at base 'a' (offset-relative)? */
static bool has_pattern(u64 a, u64 len)
{
	for (u64 p = a; p < a + len; p += 512)
		if (*(volatile u64 *)p != (p - a) * KEY + 1)
			return false;
	return true;
}

static bool listed(u64 gpa, u64 size)
{
	s64 n = ms(TERN_MEMSLOT_LIST, (u64)list, 16, 0);

	for (s64 i = 0; i < n && i < 16; i++)
		if (list[i].id == ID)
			return list[i].gpa == gpa && list[i].size == size;
	return gpa == 0 && size == 0;
}

void guest_main(void)
{
	s64 r;

	if (!tern_present()) {
		skip("runtime memory slots", "not under Tern");
		return;
	}
	s64 n0 = ms(TERN_MEMSLOT_LIST, 0, 0, 0);
	checkf(n0 >= 1, "LIST counts the boot slots (%ld)", n0);
	checkf(all_ones(GPA, SZ), "before ADD: 1 GiB reads all ones");

	r = ms(TERN_MEMSLOT_ADD, ID, GPA, SZ);
	checkf(r == 0 && listed(GPA, SZ), "ADD 2 MiB at 1 GiB (%ld)", r);
	checkf(all_zero(GPA, SZ), "new slot reads zeros");
	fill(GPA, SZ);
	checkf(has_pattern(GPA, SZ), "new slot holds a pattern");

	checkf(ms(TERN_MEMSLOT_ADD, ID + 1, GPA + PAGE_2M / 2, SZ) == TERN_E_BUSY, "ADD overlapping -> EBUSY");
	checkf(ms(TERN_MEMSLOT_ADD, ID, GPA2 + 0x10000000ull, SZ) == TERN_E_EXIST, "ADD duplicate id -> EEXIST");
	checkf(ms(TERN_MEMSLOT_ADD, ID + 2, GPA2 + 0x123, SZ) == TERN_E_INVAL, "ADD unaligned -> EINVAL");
	checkf(ms(TERN_MEMSLOT_ADD, ID + 2, GPA2, 0) == TERN_E_INVAL, "ADD size 0 -> EINVAL");
	checkf(ms(TERN_MEMSLOT_DELETE, 999, 0, 0) == TERN_E_NOENT, "DELETE unknown id -> ENOENT");
	checkf(ms(TERN_MEMSLOT_MOVE, 999, GPA2, 0) == TERN_E_NOENT, "MOVE unknown id -> ENOENT");
	checkf(ms(77, 0, 0, 0) == TERN_E_UNKNOWN_CALL, "unknown sub-command -> -1000");

	r = ms(TERN_MEMSLOT_DELETE, ID, 0, 0);
	checkf(r == 0 && listed(0, 0), "DELETE (%ld)", r);
	checkf(all_ones(GPA, SZ), "deleted: reads all ones");
	*(volatile u64 *)GPA = 0x1234;
	checkf(*(volatile u64 *)GPA == ~0ull, "deleted: writes ignored");

	r = ms(TERN_MEMSLOT_ADD, ID, GPA, SZ);
	checkf(r == 0, "re-ADD (%ld)", r);
	checkf(all_zero(GPA, SZ), "re-added slot reads zeros (contents were freed)");
	fill(GPA, SZ);

	r = ms(TERN_MEMSLOT_MOVE, ID, GPA2, 0);
	checkf(r == 0 && listed(GPA2, SZ), "MOVE to 1.25 GiB (%ld)", r);
	checkf(has_pattern(GPA2, SZ), "moved: the data appears at the new gpa");
	checkf(all_ones(GPA, SZ), "moved: the old gpa reads all ones");

	r = ms(TERN_MEMSLOT_RESIZE, ID, 2 * SZ, 0);
	checkf(r == 0 && listed(GPA2, 2 * SZ), "RESIZE to 4 MiB (%ld)", r);
	checkf(has_pattern(GPA2, SZ), "grown: the first 2 MiB are kept");
	checkf(all_zero(GPA2 + SZ, SZ), "grown: the new 2 MiB read zeros");

	stats(&st_before); /* the first 2 MiB are mapped now, as one 2 MiB leaf */
	r = ms(TERN_MEMSLOT_RESIZE, ID, SZ / 2, 0);
	checkf(r == 0 && listed(GPA2, SZ / 2), "RESIZE to 1 MiB (%ld)", r);
	checkf(has_pattern(GPA2, SZ / 2), "shrunk: the first 1 MiB is kept");
	stats(&st_after);
	/* Tern splits the leaf the new end cuts through, so the kept part stays mapped. */
	checkf(st_after.tdp_faults == st_before.tdp_faults,
	       "shrunk: the kept 1 MiB stayed mapped (%llu second-level faults)",
	       st_after.tdp_faults - st_before.tdp_faults);
	checkf(all_ones(GPA2 + SZ / 2, SZ / 2 + SZ), "shrunk: the cut tail reads all ones");

	r = ms(TERN_MEMSLOT_DELETE, ID, 0, 0);
	checkf(r == 0 && ms(TERN_MEMSLOT_LIST, 0, 0, 0) == n0, "DELETE again: back to the boot slots");
}
