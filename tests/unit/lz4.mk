# Host unit tests for lib/lz4.c, cross-checked against the reference liblz4
# (liblz4-dev). Included by the Makefile; test_lz4_LIBS is the extra library
# the link line needs ($(test_$*_LIBS) after -lcmocka).
UNIT_TESTS += lz4
test_lz4_SRCS := tests/unit/test_lz4.c lib/lz4.c lib/err.c
test_lz4_LIBS := -llz4
