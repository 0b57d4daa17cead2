/* SPDX-License-Identifier: MIT */
/*
 * Self-tests of the page allocator and object caches on the real machine:
 * allocation patterns over real RAM, contents written and read back, every
 * page returned (no leaks) and buddies coalesced back to the same free
 * blocks per order.
 */
#include "kernel/selftest.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/objcache.h"
#include "mm/phys.h"

#define ALLOC_TEST_BLOCKS 256
#define CACHE_TEST_OBJECTS 2000
#define CACHE_TEST_SIZE 72

static u64 free_blocks[BUDDY_NR_ORDERS];

static void snapshot_free_blocks(void)
{
	for (unsigned int o = 0; o < BUDDY_NR_ORDERS; o++)
		free_blocks[o] = buddy_free_blocks(mm_buddy(), o);
}

static bool free_blocks_unchanged(void)
{
	for (unsigned int o = 0; o < BUDDY_NR_ORDERS; o++)
		if (buddy_free_blocks(mm_buddy(), o) != free_blocks[o])
			return false;
	return true;
}

/* A value unique to each 8-byte word of each block. */
static u64 pattern(paddr_t pa, u64 word)
{
	return (pa * 0x9E3779B97F4A7C15ull) ^ word;
}

static void test_alloc_patterns(void)
{
	static paddr_t blocks[ALLOC_TEST_BLOCKS];
	static u8 orders[ALLOC_TEST_BLOCKS];
	u64 before = pages_free(), bad_align = 0, bad_data = 0, failed = 0;

	snapshot_free_blocks();
	for (int i = 0; i < ALLOC_TEST_BLOCKS; i++) {
		orders[i] = (u8)((i * 7) % 6); /* orders 0..5 interleaved */
		blocks[i] = page_alloc(orders[i]);
		if (!blocks[i]) {
			failed++;
			continue;
		}
		if (!IS_ALIGNED(blocks[i], PAGE_SIZE << orders[i]))
			bad_align++;
		u64 *w = phys_to_virt(blocks[i]);
		for (u64 j = 0; j < (PAGE_SIZE << orders[i]) / 8; j += 61)
			w[j] = pattern(blocks[i], j);
	}
	ST_CHECK(!failed, "%d blocks of orders 0-5 allocated (%llu failed)", ALLOC_TEST_BLOCKS,
		 (unsigned long long)failed);
	ST_CHECK(!bad_align, "every block naturally aligned (%llu not)",
		 (unsigned long long)bad_align);
	for (int i = 0; i < ALLOC_TEST_BLOCKS; i++) {
		const u64 *w = phys_to_virt(blocks[i]);

		if (!blocks[i])
			continue;
		for (u64 j = 0; j < (PAGE_SIZE << orders[i]) / 8; j += 61)
			if (w[j] != pattern(blocks[i], j))
				bad_data++;
	}
	ST_CHECK(!bad_data, "no block overlaps another: patterns intact (%llu words bad)",
		 (unsigned long long)bad_data);
	/* Free in an order unlike the allocation order so merging is exercised. */
	for (int i = 1; i < ALLOC_TEST_BLOCKS; i += 2)
		if (blocks[i])
			page_free(blocks[i], orders[i]);
	for (int i = 0; i < ALLOC_TEST_BLOCKS; i += 2)
		if (blocks[i])
			page_free(blocks[i], orders[i]);
	ST_CHECK(pages_free() == before, "all pages returned (free %llu, before %llu)",
		 (unsigned long long)pages_free(), (unsigned long long)before);
	ST_CHECK(free_blocks_unchanged(), "buddies coalesced back to the same blocks per order");
	ST_CHECK(mm_buddy()->nr_errors == 0, "allocator saw no misuse");
}

static void test_alloc_exhaustion(void)
{
	u64 before = pages_free(), got = 0;
	paddr_t head = 0;

	/* Chain every free 4 MiB block through its first word, then give all back. */
	for (paddr_t pa; (pa = page_alloc(BUDDY_MAX_ORDER)); got++) {
		*(paddr_t *)phys_to_virt(pa) = head;
		head = pa;
	}
	ST_CHECK(got > 0, "took %llu blocks of 4 MiB until the allocator said no",
		 (unsigned long long)got);
	while (head) {
		paddr_t next = *(paddr_t *)phys_to_virt(head);

		page_free(head, BUDDY_MAX_ORDER);
		head = next;
	}
	ST_CHECK(pages_free() == before, "exhaustion left no leak (%llu vs %llu pages)",
		 (unsigned long long)pages_free(), (unsigned long long)before);
}

static void test_objcache(void)
{
	static void *objs[CACHE_TEST_OBJECTS];
	struct objcache cache;
	struct objcache_stats st;
	u64 before = pages_free();
	int bad = 0;

	ST_CHECK(objcache_init(&cache, "selftest", CACHE_TEST_SIZE, 8, &kernel_page_source) == 0,
		 "cache of %d-byte objects created", CACHE_TEST_SIZE);
	for (int i = 0; i < CACHE_TEST_OBJECTS; i++) {
		objs[i] = objcache_alloc(&cache);
		if (!objs[i] || ((uintptr_t)objs[i] & 7)) {
			bad++;
			continue;
		}
		memset(objs[i], (u8)i, CACHE_TEST_SIZE);
	}
	for (int i = 0; i < CACHE_TEST_OBJECTS; i++)
		if (objs[i] && ((u8 *)objs[i])[CACHE_TEST_SIZE - 1] != (u8)i)
			bad++;
	ST_CHECK(!bad, "%d objects allocated, aligned and distinct (%d bad)", CACHE_TEST_OBJECTS,
		 bad);
	objcache_get_stats(&cache, &st);
	ST_CHECK(st.in_use == CACHE_TEST_OBJECTS, "stats count %llu objects in use",
		 (unsigned long long)st.in_use);
	for (int i = 0; i < CACHE_TEST_OBJECTS; i++)
		objcache_free(&cache, objs[i]);
	ST_CHECK(objcache_free(&cache, objs[0]) < 0, "double free detected");
	objcache_get_stats(&cache, &st);
	ST_CHECK(st.in_use == 0 && st.slabs == 0, "empty slabs returned (%llu slabs left)",
		 (unsigned long long)st.slabs);
	ST_CHECK(objcache_destroy(&cache) == 0, "cache destroyed");
	ST_CHECK(pages_free() == before, "no page leaked by the cache");
}

static void test_kmalloc(void)
{
	void *p[8];
	bool ok = true;

	for (unsigned int i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = kzalloc(16u << i);
		ok = ok && p[i] && ((u8 *)p[i])[(16u << i) - 1] == 0;
	}
	ST_CHECK(ok, "kzalloc of 16..2048 bytes returns zeroed memory");
	for (unsigned int i = 0; i < ARRAY_SIZE(p); i++)
		kfree(p[i]);
}

SELFTEST("alloc", "patterns", test_alloc_patterns);
SELFTEST("alloc", "exhaustion", test_alloc_exhaustion);
SELFTEST("alloc", "objcache", test_objcache);
SELFTEST("alloc", "kmalloc", test_kmalloc);
