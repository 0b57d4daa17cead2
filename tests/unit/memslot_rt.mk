# Host unit tests for the runtime memory-slot table (virt/memslot.c).
UNIT_TESTS += memslot_rt
test_memslot_rt_SRCS := tests/unit/test_memslot_rt.c virt/memslot.c lib/err.c tests/unit/stub_printk.c
