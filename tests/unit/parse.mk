# Host unit tests for the pure parsers (multiboot, command line, ACPI) and
# for lib/format.c against libc's snprintf. Included by the Makefile.
UNIT_TESTS += multiboot cmdline acpi format
test_multiboot_SRCS := tests/unit/test_multiboot.c boot/multiboot.c boot/multiboot1.c \
	boot/multiboot2.c lib/format.c lib/err.c
test_cmdline_SRCS := tests/unit/test_cmdline.c kernel/cmdline.c lib/format.c lib/err.c
test_acpi_SRCS := tests/unit/test_acpi.c arch/x86/acpi_tables.c arch/x86/acpi_madt.c lib/format.c \
	lib/err.c
test_format_SRCS := tests/unit/test_format.c lib/format.c
