# Host unit tests for the instruction decoder, the MMIO emulator and the
# guest page-table walker in virt/. Included by the Makefile.
UNIT_TESTS += decode emulate gwalk
EMU_DECODE_SRCS := virt/decode.c virt/decode_tables.c
test_decode_SRCS := tests/unit/test_decode.c $(EMU_DECODE_SRCS) lib/err.c
test_emulate_SRCS := tests/unit/test_emulate.c virt/emulate.c $(EMU_DECODE_SRCS) lib/err.c
test_gwalk_SRCS := tests/unit/test_gwalk.c virt/gwalk.c lib/err.c
