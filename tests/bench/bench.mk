# Host benchmark of the TDP MMU: make build/bench/mmu_bench && build/bench/mmu_bench
# (-O2, no sanitizers; prints JSON lines then a table). Include from the
# top Makefile or build by hand with the same command.
MMU_BENCH_SRCS := tests/bench/mmu_bench.c $(wildcard mm/tdp/*.c) mm/buddy.c mm/page_alloc.c \
	mm/memmap.c mm/objcache.c virt/memslot.c kernel/rwlock.c lib/err.c tests/unit/stub_printk.c

build/bench/mmu_bench: $(MMU_BENCH_SRCS)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-address-of-packed-member -I. \
		-DTERN_HOSTED $(MMU_BENCH_SRCS) -o $@

# Host benchmark of lib/lz4.c beside liblz4 (liblz4-dev): make -f tests/bench/bench.mk
# build/bench/lz4_bench && build/bench/lz4_bench [pages_per_class]
LZ4_BENCH_SRCS := tests/bench/lz4_bench.c lib/lz4.c lib/err.c

build/bench/lz4_bench: $(LZ4_BENCH_SRCS) lib/lz4.h
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -I. -DTERN_HOSTED $(LZ4_BENCH_SRCS) -o $@ -llz4

# Host benchmark of the reclaim LRU policy (mm/reclaim/lru.c) beside FIFO, exact
# LRU and Belady: make -f tests/bench/bench.mk build/bench/lru_bench &&
# build/bench/lru_bench [pages] [drift_intervals] [uniform_intervals] [seed]
LRU_BENCH_SRCS := tests/bench/lru_bench.c $(wildcard mm/reclaim/lru*.c) lib/err.c

build/bench/lru_bench: $(LRU_BENCH_SRCS) mm/reclaim/lru.h
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -I. -DTERN_HOSTED $(LRU_BENCH_SRCS) -o $@
