# Host unit tests for the compressed page store (mm/reclaim/zstore.c).
UNIT_TESTS += zstore
test_zstore_SRCS := tests/unit/test_zstore.c mm/reclaim/zstore.c lib/lz4.c lib/err.c
# The maxmem= guest option (virt/guest_config.c).
UNIT_TESTS += guestcfg_maxmem
test_guestcfg_maxmem_SRCS := tests/unit/test_guestcfg_maxmem.c virt/guest_config.c \
	kernel/cmdline.c lib/format.c lib/err.c
