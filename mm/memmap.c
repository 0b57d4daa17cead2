/* SPDX-License-Identifier: MIT */
/*
 * Early physical memory map (see memmap.h). RAM ranges are kept page aligned,
 * sorted and disjoint; reserved ranges keep their exact bytes and labels so
 * overlap reports can name the culprit, and are rounded out to whole pages
 * only when free memory is computed. Free memory is never stored: it is
 * always derived as RAM minus reserved, so the order in which the firmware
 * map reports ranges cannot let an available entry hide a reserved one.
 */
#include "mm/memmap.h"

#include "kernel/printk.h"
#include "lib/string.h"

#define U64_MAX (~0ull)

void memmap_init(struct memmap *m)
{
	memset(m, 0, sizeof(*m));
}

int memmap_add_ram(struct memmap *m, u64 start, u64 len)
{
	u64 end, s, e;
	unsigned int i, j;

	if (m->sealed)
		return -E_BUSY;
	if (len == 0 || start > U64_MAX - len)
		return -E_INVAL;
	if (start >= MEMMAP_PHYS_LIMIT)
		return -E_RANGE;
	end = MIN(start + len, MEMMAP_PHYS_LIMIT);

	/* Round inward: a partial page is not usable RAM. No overflow: start < 2^52. */
	s = ALIGN_UP(start, PAGE_SIZE);
	e = ALIGN_DOWN(end, PAGE_SIZE);
	if (e <= s)
		return MEMMAP_DROPPED;

	/* Ranges [i, j) overlap or touch [s, e) and are folded into it. */
	for (i = 0; i < m->nr_ram && m->ram[i].end < s; i++)
		;
	for (j = i; j < m->nr_ram && m->ram[j].start <= e; j++) {
		s = MIN(s, m->ram[j].start);
		e = MAX(e, m->ram[j].end);
	}

	if (i == j) {
		if (m->nr_ram == MEMMAP_MAX_RANGES)
			return -E_NOMEM;
		memmove(&m->ram[i + 1], &m->ram[i], (m->nr_ram - i) * sizeof(m->ram[0]));
		m->nr_ram++;
	} else {
		memmove(&m->ram[i + 1], &m->ram[j], (m->nr_ram - j) * sizeof(m->ram[0]));
		m->nr_ram -= j - i - 1;
	}
	m->ram[i].start = s;
	m->ram[i].end = e;
	return 0;
}

static bool same_label(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static void rsv_remove(struct memmap *m, unsigned int i)
{
	memmove(&m->rsv[i], &m->rsv[i + 1], (m->nr_rsv - i - 1) * sizeof(m->rsv[0]));
	m->nr_rsv--;
}

int memmap_reserve(struct memmap *m, u64 start, u64 end, const char *why)
{
	unsigned int i;
	bool merged;

	if (end <= start)
		return -E_INVAL;
	if (!why)
		why = "?";

	/*
	 * Fold in touching ranges with the same label first, so that runs of
	 * early allocations take one slot and a full table can still grow one.
	 */
	do {
		merged = false;
		for (i = 0; i < m->nr_rsv; i++) {
			struct mem_reserved *r = &m->rsv[i];

			if (r->start <= end && start <= r->end && same_label(r->why, why)) {
				start = MIN(start, r->start);
				end = MAX(end, r->end);
				rsv_remove(m, i);
				merged = true;
				break;
			}
		}
	} while (merged);

	if (m->nr_rsv == MEMMAP_MAX_RANGES)
		return -E_NOMEM;
	for (i = 0; i < m->nr_rsv && m->rsv[i].start <= start; i++)
		;
	memmove(&m->rsv[i + 1], &m->rsv[i], (m->nr_rsv - i) * sizeof(m->rsv[0]));
	m->nr_rsv++;
	m->rsv[i].start = start;
	m->rsv[i].end = end;
	m->rsv[i].why = why;
	return 0;
}

int memmap_check_overlap(const struct memmap *m, u64 start, u64 end, const char **with)
{
	unsigned int i;

	for (i = 0; i < m->nr_rsv; i++) {
		const struct mem_reserved *r = &m->rsv[i];

		if (r->start < end && start < r->end) {
			if (with)
				*with = r->why;
			return -E_OVERLAP;
		}
	}
	return 0;
}

bool memmap_is_ram(const struct memmap *m, u64 start, u64 end)
{
	unsigned int i;

	/* RAM ranges never touch each other, so one range must cover it all. */
	for (i = 0; i < m->nr_ram; i++)
		if (m->ram[i].start <= start && end <= m->ram[i].end)
			return true;
	return false;
}

/* A reserved range widened to whole pages, saturating at the physical limit. */
static void rsv_pages(const struct mem_reserved *r, u64 *s, u64 *e)
{
	*s = ALIGN_DOWN(MIN(r->start, MEMMAP_PHYS_LIMIT), PAGE_SIZE);
	*e = ALIGN_UP(MIN(r->end, MEMMAP_PHYS_LIMIT), PAGE_SIZE);
}

void memmap_for_each_free(const struct memmap *m, void (*fn)(u64 start, u64 end, void *arg),
			  void *arg)
{
	unsigned int i, k;

	for (i = 0; i < m->nr_ram; i++) {
		u64 cur = m->ram[i].start, re = m->ram[i].end;

		/* Reserved starts are sorted, and so are their page-rounded starts. */
		for (k = 0; k < m->nr_rsv && cur < re; k++) {
			u64 a, b;

			rsv_pages(&m->rsv[k], &a, &b);
			if (b <= cur)
				continue;
			if (a >= re)
				break;
			if (a > cur)
				fn(cur, a, arg);
			cur = b;
		}
		if (cur < re)
			fn(cur, re, arg);
	}
}

struct early_fit {
	u64 size, align, limit;
	u64 best;
};

static void early_fit_one(u64 start, u64 end, void *arg)
{
	struct early_fit *f = arg;
	u64 top = MIN(end, f->limit), cand;

	if (top < f->size)
		return;
	cand = ALIGN_DOWN(top - f->size, f->align);
	/* Address 0 doubles as the failure value, so it is never handed out. */
	if (cand >= start && cand != 0 && cand > f->best)
		f->best = cand;
}

u64 memmap_alloc_early(struct memmap *m, u64 size, u64 align, u64 limit, const char *why)
{
	struct early_fit f;

	if (m->sealed || size == 0 || size > MEMMAP_PHYS_LIMIT)
		return 0;
	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	if (align & (align - 1))
		return 0;

	f.size = ALIGN_UP(size, PAGE_SIZE);
	f.align = align;
	f.limit = limit;
	f.best = 0;
	memmap_for_each_free(m, early_fit_one, &f);
	if (f.best == 0 || memmap_reserve(m, f.best, f.best + f.size, why) < 0)
		return 0;
	return f.best;
}

static void sum_one(u64 start, u64 end, void *arg)
{
	*(u64 *)arg += end - start;
}

u64 memmap_total_ram(const struct memmap *m)
{
	u64 total = 0;
	unsigned int i;

	for (i = 0; i < m->nr_ram; i++)
		total += m->ram[i].end - m->ram[i].start;
	return total;
}

u64 memmap_total_free(const struct memmap *m)
{
	u64 total = 0;

	memmap_for_each_free(m, sum_one, &total);
	return total;
}

u64 memmap_max_addr(const struct memmap *m)
{
	return m->nr_ram ? m->ram[m->nr_ram - 1].end : 0;
}

void memmap_seal(struct memmap *m)
{
	m->sealed = true;
}

void memmap_dump(const struct memmap *m)
{
	unsigned int i;

	for (i = 0; i < m->nr_ram; i++)
		pr_info("memmap: ram      [%#014lx-%#014lx)\n", (unsigned long)m->ram[i].start,
			(unsigned long)m->ram[i].end);
	for (i = 0; i < m->nr_rsv; i++)
		pr_info("memmap: reserved [%#014lx-%#014lx) %s\n", (unsigned long)m->rsv[i].start,
			(unsigned long)m->rsv[i].end, m->rsv[i].why);
	pr_info("memmap: %lu KiB RAM, %lu KiB free\n", (unsigned long)(memmap_total_ram(m) >> 10),
		(unsigned long)(memmap_total_free(m) >> 10));
}
