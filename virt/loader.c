/* SPDX-License-Identifier: MIT */
/*
 * Guest loader entry point (see loader.h): validates the RAM description,
 * resolves format=auto, dispatches to the multiboot1/multiboot2/raw loaders,
 * and holds the checked-write helpers they share. Every destination is
 * checked before the first byte is written, so a rejected image leaves guest
 * memory as it was.
 */
#include "lib/format.h"
#include "lib/string.h"
#include "virt/loader_priv.h"

#define RAM_HOLE_START (3ull << 30) /* [3, 4) GiB is left for devices */
#define RAM_HOLE_END   (4ull << 30)

int loader_fail(struct loader_ctx *c, int err, const char *fmt, ...)
{
	va_list ap;

	if (c->why && c->why_len) {
		va_start(ap, fmt);
		vsnformat(c->why, c->why_len, fmt, ap);
		va_end(ap);
	}
	return err;
}

bool loader_is_ram(const struct guest_mem *m, u64 gpa, u64 len)
{
	u64 end = gpa + len;

	if (end < gpa)
		return false;
	for (u32 i = 0; i < m->nr_ram; i++) {
		u64 rb = m->ram[i].base, re = rb + m->ram[i].size;

		if (gpa < rb || gpa > re || (gpa == re && gpa < end))
			continue;
		if (end <= re)
			return true;
		gpa = re; /* continue into an adjacent range */
	}
	return false;
}

static bool overlaps(u64 a0, u64 a1, u64 b0, u64 b1)
{
	return a0 < b1 && b0 < a1;
}

int loader_check_dest(struct loader_ctx *c, u64 gpa, u64 len, const char *what)
{
	u64 end = gpa + len;

	if (end < gpa)
		return loader_fail(c, -E_RANGE, "%s at 0x%llx size 0x%llx wraps around", what,
				   (unsigned long long)gpa, (unsigned long long)len);
	if (end > c->limit)
		return loader_fail(c, -E_RANGE, "%s [0x%llx, 0x%llx) ends above 0x%llx", what,
				   (unsigned long long)gpa, (unsigned long long)end,
				   (unsigned long long)c->limit);
	if (!loader_is_ram(c->mem, gpa, len))
		return loader_fail(c, -E_RANGE, "%s [0x%llx, 0x%llx) is not inside guest RAM", what,
				   (unsigned long long)gpa, (unsigned long long)end);
	if (c->boot_area && overlaps(gpa, end, LOADER_BOOT_AREA_START, LOADER_BOOT_AREA_END))
		return loader_fail(
			c, -E_OVERLAP,
			"%s [0x%llx, 0x%llx) overlaps the boot info area [0x%llx, 0x%llx)", what,
			(unsigned long long)gpa, (unsigned long long)end, LOADER_BOOT_AREA_START,
			LOADER_BOOT_AREA_END);
	return 0;
}

void loader_note_extent(struct loader_ctx *c, u64 gpa, u64 len)
{
	if (!len)
		return;
	if (c->image_end == 0 || gpa < c->image_start)
		c->image_start = gpa;
	if (gpa + len > c->image_end)
		c->image_end = gpa + len;
}

int loader_write(struct loader_ctx *c, u64 gpa, const void *src, size_t len)
{
	int err;

	if (!len)
		return 0;
	err = c->mem->write(c->mem->ctx, gpa, src, len);
	if (err)
		return loader_fail(c, err, "writing %zu bytes at 0x%llx failed (%s)", len,
				   (unsigned long long)gpa, err_name(err));
	return 0;
}

int loader_copy(struct loader_ctx *c, u64 gpa, const void *src, u64 filesz, u64 memsz)
{
	int err = loader_write(c, gpa, src, filesz);

	if (err || memsz <= filesz)
		return err;
	err = c->mem->zero(c->mem->ctx, gpa + filesz, memsz - filesz);
	if (err)
		return loader_fail(c, err, "zeroing 0x%llx bytes at 0x%llx failed (%s)",
				   (unsigned long long)(memsz - filesz),
				   (unsigned long long)(gpa + filesz), err_name(err));
	return 0;
}

int loader_check_entry(struct loader_ctx *c, u64 rip)
{
	if (rip < c->image_start || rip >= c->image_end)
		return loader_fail(
			c, -E_INVAL,
			"entry point 0x%llx is outside the loaded image [0x%llx, 0x%llx)",
			(unsigned long long)rip, (unsigned long long)c->image_start,
			(unsigned long long)c->image_end);
	return 0;
}

/* RAM ranges must be page-aligned, sorted, disjoint and below ram_size. */
static int check_ram(struct loader_ctx *c)
{
	const struct guest_mem *m = c->mem;
	u64 prev_end = 0;

	if (!m->write || !m->zero || !m->ram || !m->nr_ram || m->nr_ram > LOADER_RAM_RANGES_MAX)
		return loader_fail(c, -E_INVAL, "bad guest memory description");
	for (u32 i = 0; i < m->nr_ram; i++) {
		const struct guest_mem_range *r = &m->ram[i];

		if (!r->size || !IS_ALIGNED(r->base, PAGE_SIZE) ||
		    !IS_ALIGNED(r->size, PAGE_SIZE) || r->base + r->size < r->base ||
		    r->base < prev_end || r->base + r->size > m->ram_size)
			return loader_fail(c, -E_INVAL, "bad guest RAM range %u [0x%llx +0x%llx)",
					   i, (unsigned long long)r->base,
					   (unsigned long long)r->size);
		prev_end = r->base + r->size;
	}
	return 0;
}

static int load_auto(struct loader_ctx *c)
{
	long off = loader_mb2_find(c, true);

	if (off >= 0)
		return loader_mb2(c, (size_t)off);
	off = loader_mb1_find(c, true);
	if (off >= 0)
		return loader_mb1(c, (size_t)off);
	return loader_fail(c, -E_INVAL,
			   "no valid multiboot2 header in the first 32 KiB nor multiboot1 header "
			   "in the first 8 KiB (use format=raw for a flat binary)");
}

static int dispatch(struct loader_ctx *c)
{
	long off;

	switch (c->img->format) {
	case GUEST_FORMAT_AUTO:
		return load_auto(c);
	case GUEST_FORMAT_MB1:
		off = loader_mb1_find(c, false);
		return off < 0 ? (int)off : loader_mb1(c, (size_t)off);
	case GUEST_FORMAT_MB2:
		off = loader_mb2_find(c, false);
		return off < 0 ? (int)off : loader_mb2(c, (size_t)off);
	case GUEST_FORMAT_RAW:
		return loader_raw(c);
	}
	return loader_fail(c, -E_INVAL, "unknown image format %d", (int)c->img->format);
}

int guest_load(const struct guest_mem *mem, const struct guest_image *img,
	       struct guest_entry *entry, char *why, size_t why_len)
{
	struct loader_ctx c = {
		.mem = mem,
		.img = img,
		.entry = entry,
		.why = why,
		.why_len = why_len,
		.limit = LOADER_4G,
		.info_next = LOADER_INFO_GPA,
	};
	int err;

	if (why && why_len)
		why[0] = '\0';
	memset(entry, 0, sizeof(*entry));
	err = check_ram(&c);
	if (err)
		return err;
	if (!img->data || !img->size)
		return loader_fail(&c, -E_INVAL, "empty image");
	if (img->nr_mods > LOADER_MODULES_MAX || (img->nr_mods && !img->mods))
		return loader_fail(&c, -E_RANGE, "%u modules (at most %u)", img->nr_mods,
				   LOADER_MODULES_MAX);
	err = dispatch(&c);
	if (err)
		return err;
	entry->image_start = c.image_start;
	entry->image_end = c.image_end;
	return 0;
}

static int add_range(struct guest_mem_range *out, u32 max, u32 *n, u64 base, u64 size)
{
	if (*n >= max)
		return -E_RANGE;
	out[*n].base = base;
	out[*n].size = size;
	(*n)++;
	return 0;
}

/* Place size bytes of RAM at *gpa, skipping the device hole. */
static int layout_slot(struct guest_mem_range *out, u32 max, u32 *n, u64 *gpa, u64 size)
{
	int err;

	if (*gpa<RAM_HOLE_START && * gpa + size> RAM_HOLE_START) {
		err = add_range(out, max, n, *gpa, RAM_HOLE_START - *gpa);
		if (err)
			return err;
		size -= RAM_HOLE_START - *gpa;
		*gpa = RAM_HOLE_END;
	} else if (*gpa == RAM_HOLE_START) {
		*gpa = RAM_HOLE_END;
	}
	err = add_range(out, max, n, *gpa, size);
	*gpa += size;
	return err;
}

int guest_ram_layout(u64 mem, u32 slots, struct guest_mem_range *out, u32 max, u64 *ram_size)
{
	u64 per, gpa = 0;
	u32 n = 0;
	int err;

	if (!slots || !mem || !IS_ALIGNED(mem, PAGE_SIZE) || mem / slots < PAGE_SIZE)
		return -E_INVAL;
	per = ALIGN_DOWN(mem / slots, PAGE_SIZE);
	for (u32 i = 0; i < slots; i++) {
		err = layout_slot(out, max, &n, &gpa, i + 1 < slots ? per : mem - per * i);
		if (err)
			return err;
	}
	*ram_size = gpa;
	return (int)n;
}

const char *guest_format_name(enum guest_format f)
{
	switch (f) {
	case GUEST_FORMAT_AUTO:
		return "auto";
	case GUEST_FORMAT_MB1:
		return "multiboot1";
	case GUEST_FORMAT_MB2:
		return "multiboot2";
	case GUEST_FORMAT_RAW:
		return "raw";
	}
	return "?";
}
