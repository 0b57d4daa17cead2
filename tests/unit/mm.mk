# Host unit tests for the memory managers in mm/.
UNIT_TESTS += memmap buddy objcache
test_memmap_SRCS := tests/unit/test_memmap.c mm/memmap.c lib/err.c tests/unit/stub_printk.c
test_buddy_SRCS := tests/unit/test_buddy.c mm/buddy.c mm/page_alloc.c mm/memmap.c \
	mm/objcache.c lib/err.c tests/unit/stub_printk.c
test_objcache_SRCS := tests/unit/test_objcache.c mm/objcache.c lib/err.c tests/unit/stub_printk.c
