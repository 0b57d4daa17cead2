/* SPDX-License-Identifier: MIT */
/*
 * Fake physical memory for parser tests: physical addresses are offsets into
 * one heap block, so ASan catches any read past what the map callback handed
 * out; plus little-endian stores for building tables byte by byte.
 */
#ifndef TERN_TESTS_FAKE_MEM_H
#define TERN_TESTS_FAKE_MEM_H

#include <stdlib.h>
#include <string.h>

#include "lib/types.h"

struct mem {
	u8 *buf;
	u64 size;
};

/* A map callback (boot_map_fn / acpi_map_fn shape) over a struct mem. */
static inline const void *mem_map(u64 pa, u64 len, void *ctx)
{
	struct mem *m = ctx;

	if (pa > m->size || len > m->size - pa)
		return NULL;
	return m->buf + pa;
}

static inline struct mem *mem_new_sized(u64 size)
{
	struct mem *m = malloc(sizeof(*m));

	m->size = size;
	m->buf = calloc(1, size);
	return m;
}

static inline void mem_free(struct mem *m)
{
	free(m->buf);
	free(m);
}

static inline void put16(u8 *p, u16 v)
{
	memcpy(p, &v, sizeof(v));
}

static inline void put32(u8 *p, u32 v)
{
	memcpy(p, &v, sizeof(v));
}

static inline void put64(u8 *p, u64 v)
{
	memcpy(p, &v, sizeof(v));
}

#endif
