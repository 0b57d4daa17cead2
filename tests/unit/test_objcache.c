/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for mm/objcache.c over a fake page source that hands out
 * aligned_alloc'd pages and tracks them: many objects distinct and aligned,
 * slabs returned when empty, stats balanced, double frees and foreign
 * pointers refused, exhaustion, a random run against a model, and kmalloc.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mm/objcache.h"

#define FAKE_MAX_PAGES 4096

/* Must match mm/objcache.c: a free object's second word is this ^ its address. */
#define FREE_POISON 0x6b6b6b6b6b6b6b6bull

struct fake_src {
	void *pages[FAKE_MAX_PAGES];
	unsigned int n;     /* pages outstanding */
	unsigned int limit; /* refuse beyond this many */
};

static void *fake_alloc(void *ctx)
{
	struct fake_src *fs = ctx;
	void *p;

	if (fs->n >= fs->limit)
		return NULL;
	p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	assert_non_null(p);
	memset(p, 0x5a, PAGE_SIZE); /* no reliance on zeroed pages */
	fs->pages[fs->n++] = p;
	return p;
}

static void fake_free(void *ctx, void *page)
{
	struct fake_src *fs = ctx;
	unsigned int i;

	for (i = 0; i < fs->n; i++) {
		if (fs->pages[i] == page) {
			fs->pages[i] = fs->pages[--fs->n];
			free(page);
			return;
		}
	}
	fail_msg("freeing page %p the fake source never handed out", page);
}

struct fixture {
	struct fake_src fs;
	struct page_source src;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->fs.limit = FAKE_MAX_PAGES;
	f->src.alloc_page = fake_alloc;
	f->src.free_page = fake_free;
	f->src.ctx = &f->fs;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->fs.n, 0); /* every slab went back */
	free(f);
	return 0;
}

static void assert_balanced(struct objcache *c, struct fixture *f)
{
	struct objcache_stats st;

	objcache_get_stats(c, &st);
	assert_int_equal(st.in_use, st.total_allocs - st.total_frees);
	assert_int_equal(st.slabs, st.slab_allocs - st.slab_frees);
	assert_int_equal(st.slabs, f->fs.n);
}

static void test_init_rejects(void **state)
{
	struct fixture *f = *state;
	struct objcache c;

	assert_int_equal(objcache_init(&c, "x", 0, 0, &f->src), -E_INVAL);
	assert_int_equal(objcache_init(&c, "x", 32, 3, &f->src), -E_INVAL);
	assert_int_equal(objcache_init(&c, "x", PAGE_SIZE, 0, &f->src), -E_INVAL);
	assert_int_equal(objcache_init(&c, "x", 16, PAGE_SIZE, &f->src), -E_INVAL);
	assert_int_equal(objcache_init(&c, "x", 16, 0, NULL), -E_INVAL);
	assert_int_equal(objcache_init(&c, "x", 1, 1, &f->src), 0);
	assert_int_equal(c.stride, OBJCACHE_MIN_SIZE);
	assert_int_equal(objcache_init(&c, "x", 2048, 2048, &f->src), 0);
	assert_int_equal(c.per_slab, 1);
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/* Fill, check, free for one size/alignment. */
static void many(struct fixture *f, size_t size, size_t align, unsigned int count)
{
	struct objcache c;
	struct objcache_stats st;
	uintptr_t *objs = calloc(count, sizeof(*objs));
	uintptr_t *sorted = calloc(count, sizeof(*sorted));
	unsigned int i;

	assert_non_null(objs);
	assert_non_null(sorted);
	assert_int_equal(objcache_init(&c, "many", size, align, &f->src), 0);
	for (i = 0; i < count; i++) {
		u8 *o = objcache_alloc(&c);

		assert_non_null(o);
		assert_true(IS_ALIGNED((uintptr_t)o, align ? align : sizeof(void *)));
		memset(o, (int)(i & 0xff), size);
		objs[i] = (uintptr_t)o;
	}
	objcache_get_stats(&c, &st);
	assert_int_equal(st.in_use, count);
	assert_int_equal(st.slabs, (count + c.per_slab - 1) / c.per_slab);
	assert_balanced(&c, f);

	/* Distinct and non-overlapping, and nobody scribbled on anybody. */
	memcpy(sorted, objs, count * sizeof(*objs));
	qsort(sorted, count, sizeof(*sorted), cmp_ptr);
	for (i = 1; i < count; i++)
		assert_true(sorted[i] - sorted[i - 1] >= size);
	for (i = 0; i < count; i++) {
		const u8 *o = (const u8 *)objs[i];
		size_t k;

		for (k = 0; k < size; k++)
			assert_int_equal(o[k], i & 0xff);
	}

	/* Free every other object first: slabs stay, then all go. */
	for (i = 0; i < count; i += 2)
		assert_int_equal(objcache_free(&c, (void *)objs[i]), 0);
	assert_balanced(&c, f);
	assert_int_equal(objcache_destroy(&c), -E_BUSY);
	for (i = 1; i < count; i += 2)
		assert_int_equal(objcache_free(&c, (void *)objs[i]), 0);
	objcache_get_stats(&c, &st);
	assert_int_equal(st.in_use, 0);
	assert_int_equal(st.slabs, 0);
	assert_int_equal(st.total_allocs, count);
	assert_int_equal(st.total_frees, count);
	assert_int_equal(st.errors, 0);
	assert_int_equal(f->fs.n, 0);
	assert_int_equal(objcache_destroy(&c), 0);
	free(objs);
	free(sorted);
}

static void test_many(void **state)
{
	struct fixture *f = *state;

	many(f, 40, 0, 10000);
	many(f, 16, 16, 5000);
	many(f, 24, 64, 3000);
	many(f, 200, 256, 1000);
	many(f, 1000, 8, 500);
	many(f, 3000, 0, 20);
}

static void test_double_free_and_foreign(void **state)
{
	struct fixture *f = *state;
	struct objcache c, d;
	struct objcache_stats st;
	u8 *a, *b, *x;

	assert_int_equal(objcache_init(&c, "c", 64, 0, &f->src), 0);
	assert_int_equal(objcache_init(&d, "d", 64, 0, &f->src), 0);
	a = objcache_alloc(&c);
	b = objcache_alloc(&c);
	x = objcache_alloc(&d);

	assert_int_equal(objcache_free(&c, a), 0);
	assert_int_equal(objcache_free(&c, a), -E_INVAL); /* double free */
	assert_int_equal(objcache_free(&c, x), -E_INVAL); /* another cache's */
	assert_int_equal(objcache_free(&c, b + 8), -E_INVAL); /* inside an object */
	objcache_get_stats(&c, &st);
	assert_int_equal(st.errors, 3);
	assert_int_equal(st.in_use, 1);

	/* Data that looks like the poison is not mistaken for a free object. */
	*(uintptr_t *)(b + sizeof(void *)) = (uintptr_t)FREE_POISON ^ (uintptr_t)b;
	assert_int_equal(objcache_free(&c, b), 0);
	assert_int_equal(objcache_free(&c, NULL), 0);
	assert_int_equal(objcache_free(&d, x), 0);
	objcache_get_stats(&c, &st);
	assert_int_equal(st.errors, 3);
	assert_int_equal(st.slabs, 0);
	assert_int_equal(objcache_destroy(&c), 0);
	assert_int_equal(objcache_destroy(&d), 0);
}

static void test_exhaustion(void **state)
{
	struct fixture *f = *state;
	struct objcache c;
	struct objcache_stats st;
	void *objs[64];
	unsigned int n = 0;
	void *o;

	f->fs.limit = 2;
	assert_int_equal(objcache_init(&c, "small", 512, 0, &f->src), 0);
	while ((o = objcache_alloc(&c)) != NULL) {
		assert_true(n < ARRAY_SIZE(objs));
		objs[n++] = o;
	}
	assert_int_equal(n, 2 * c.per_slab);
	assert_null(objcache_alloc(&c));
	objcache_get_stats(&c, &st);
	assert_int_equal(st.in_use, n);
	assert_int_equal(st.slabs, 2);
	/* One free makes room again without a new page. */
	assert_int_equal(objcache_free(&c, objs[0]), 0);
	objs[0] = objcache_alloc(&c);
	assert_non_null(objs[0]);
	while (n)
		assert_int_equal(objcache_free(&c, objs[--n]), 0);
	assert_balanced(&c, f);
	assert_int_equal(objcache_destroy(&c), 0);
}

static void test_random_model(void **state)
{
	struct fixture *f = *state;
	enum { NR_CACHES = 3, MAX_LIVE = 3000 };
	static const size_t sizes[NR_CACHES] = { 16, 72, 520 };
	struct objcache c[NR_CACHES];
	static struct {
		u8 *p;
		unsigned int cache;
		u8 tag;
	} live[MAX_LIVE];
	unsigned int n = 0, step, i;

	for (i = 0; i < NR_CACHES; i++)
		assert_int_equal(objcache_init(&c[i], "rand", sizes[i], 8, &f->src), 0);
	srand(5);
	for (step = 0; step < 60000; step++) {
		if (n && (n == MAX_LIVE || rand() % 2)) {
			unsigned int k = (unsigned int)rand() % n;
			size_t b;

			for (b = 0; b < sizes[live[k].cache]; b++)
				assert_int_equal(live[k].p[b], live[k].tag);
			assert_int_equal(objcache_free(&c[live[k].cache], live[k].p), 0);
			live[k] = live[--n];
		} else {
			unsigned int ci = (unsigned int)rand() % NR_CACHES;
			u8 *p = objcache_alloc(&c[ci]);

			assert_non_null(p);
			live[n].p = p;
			live[n].cache = ci;
			live[n].tag = (u8)step;
			memset(p, live[n].tag, sizes[ci]);
			n++;
		}
	}
	while (n) {
		n--;
		assert_int_equal(objcache_free(&c[live[n].cache], live[n].p), 0);
	}
	for (i = 0; i < NR_CACHES; i++) {
		assert_balanced(&c[i], f);
		assert_int_equal(objcache_destroy(&c[i]), 0);
	}
}

static void test_kmalloc(void **state)
{
	struct fixture *f = *state;
	static u8 *ptrs[2000];
	static size_t lens[2000];
	struct objcache other;
	unsigned int i, s;
	u8 *z, *foreign;

	assert_null(kmalloc(16)); /* before kmalloc_init */
	assert_int_equal(kmalloc_init(&f->src), 0);
	assert_null(kmalloc(0));
	assert_null(kmalloc(KMALLOC_MAX_SIZE + 1));
	assert_int_equal(kmalloc_cache(1)->stride, 16);
	assert_int_equal(kmalloc_cache(17)->stride, 32);
	assert_int_equal(kmalloc_cache(2048)->stride, 2048);
	kfree(NULL);

	srand(3);
	for (i = 0; i < ARRAY_SIZE(ptrs); i++) {
		lens[i] = (size_t)(rand() % KMALLOC_MAX_SIZE) + 1;
		ptrs[i] = kmalloc(lens[i]);
		assert_non_null(ptrs[i]);
		assert_true(IS_ALIGNED((uintptr_t)ptrs[i], KMALLOC_ALIGN));
		memset(ptrs[i], (int)i, lens[i]);
	}
	assert_int_equal(kmalloc_init(&f->src), -E_BUSY);
	for (i = 0; i < ARRAY_SIZE(ptrs); i++) {
		size_t k;

		for (k = 0; k < lens[i]; k++)
			assert_int_equal(ptrs[i][k], (u8)i);
		kfree(ptrs[i]);
	}

	z = kmalloc(100);
	memset(z, 0xff, 100);
	kfree(z);
	z = kzalloc(100);
	for (i = 0; i < 100; i++)
		assert_int_equal(z[i], 0);
	kfree(z);

	/* kfree of an object from a non-kmalloc cache is refused. */
	assert_int_equal(objcache_init(&other, "other", 64, 0, &f->src), 0);
	foreign = objcache_alloc(&other);
	kfree(foreign);
	assert_int_equal(other.stats.in_use, 1);
	assert_int_equal(objcache_free(&other, foreign), 0);

	for (s = KMALLOC_MIN_SIZE; s <= KMALLOC_MAX_SIZE; s *= 2) {
		assert_int_equal(kmalloc_cache(s)->stats.in_use, 0);
		assert_int_equal(kmalloc_cache(s)->stats.slabs, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_rejects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_double_free_and_foreign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaustion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kmalloc, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
