# Host unit tests for the host-pressure pieces of mm/reclaim: watermarks and the key set.
UNIT_TESTS += watermark
test_watermark_SRCS := tests/unit/test_watermark.c mm/reclaim/watermark.c lib/err.c
UNIT_TESTS += keyset
test_keyset_SRCS := tests/unit/test_keyset.c mm/reclaim/keyset.c lib/err.c
