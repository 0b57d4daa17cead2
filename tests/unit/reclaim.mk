# Randomized model test of memory overcommit (all of mm/reclaim/ and lib/lz4.c)
# over the real TDP MMU, fault path and slot changes (mm/tdp/, virt/tdp_vm.c,
# virt/vm_mem.c) and the real buddy allocator on a malloc'd arena: every guest page's contents are checked against a model
# through aging, eviction, refault and slot changes.
#
# The --wrap options route the allocator's block allocations and frees and the
# store's page captures and the zaps made outside mm/tdp through the test (tests/unit/test_reclaim_model.c):
# freed pages are ASan-poisoned until reallocated, and a page may not be
# freed or compressed while a simulated vCPU still caches a translation to it.
UNIT_TESTS += reclaim_model
test_reclaim_model_SRCS := tests/unit/test_reclaim_model.c $(wildcard mm/reclaim/*.c) lib/lz4.c \
	virt/tdp_vm.c virt/vm_mem.c virt/memslot.c \
	$(wildcard mm/tdp/*.c) mm/buddy.c mm/page_alloc.c mm/memmap.c mm/objcache.c \
	kernel/rwlock.c lib/err.c tests/unit/stub_printk.c
test_reclaim_model_LIBS := -Wl,--wrap=buddy_alloc,--wrap=buddy_free,--wrap=buddy_alloc_contig \
	-Wl,--wrap=buddy_free_contig,--wrap=zstore_classify,--wrap=zstore_put \
	-Wl,--wrap=tdp_mmu_zap_range_locked
