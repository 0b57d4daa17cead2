# Host unit tests for the guest loaders and the guest module-string parser
# (virt/loader*.c, virt/guest_config.c). Included by the Makefile.
UNIT_TESTS += loader guestcfg
test_loader_SRCS := tests/unit/test_loader.c $(sort $(wildcard virt/loader*.c)) \
	boot/multiboot.c boot/multiboot1.c boot/multiboot2.c lib/format.c lib/err.c
test_guestcfg_SRCS := tests/unit/test_guestcfg.c virt/guest_config.c kernel/cmdline.c \
	lib/format.c lib/err.c
