# Host unit tests for the per-VM generational LRU in mm/reclaim/. Included by the Makefile.
UNIT_TESTS += lru
test_lru_SRCS := tests/unit/test_lru.c $(wildcard mm/reclaim/lru*.c) lib/err.c
