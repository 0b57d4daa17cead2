# Host unit tests for the guest device models in virt/dev/. Included by the Makefile.
UNIT_TESTS += devices
test_devices_SRCS := tests/unit/test_devices.c virt/dev/bus.c virt/dev/uart.c \
	virt/dev/debug_exit.c virt/dev/fw_cfg.c virt/dev/lapic_stub.c virt/dev/devices.c \
	lib/format.c lib/err.c tests/unit/stub_printk_capture.c
