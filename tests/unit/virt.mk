UNIT_TESTS += virt_core
test_virt_core_SRCS := tests/unit/test_virt_core.c virt/memslot.c virt/cr.c virt/msr.c \
	virt/vcpu_ops.c virt/cpuid.c lib/err.c tests/unit/stub_printk.c
