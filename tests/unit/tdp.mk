# Host unit tests for the TDP MMU (mm/tdp/): unit tests and the randomized
# model-based test, both over the real buddy allocator on a malloc'd arena.
UNIT_TESTS += tdp tdp_model
TDP_TEST_DEPS := $(wildcard mm/tdp/*.c) mm/buddy.c mm/page_alloc.c mm/memmap.c mm/objcache.c \
	virt/memslot.c kernel/rwlock.c lib/err.c tests/unit/stub_printk.c
test_tdp_SRCS := tests/unit/test_tdp.c $(TDP_TEST_DEPS)
test_tdp_model_SRCS := tests/unit/test_tdp_model.c $(TDP_TEST_DEPS)
UNIT_TESTS += tdp_age
test_tdp_age_SRCS := tests/unit/test_tdp_age.c $(TDP_TEST_DEPS)
