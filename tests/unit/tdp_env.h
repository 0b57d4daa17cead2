/* SPDX-License-Identifier: MIT */
/*
 * Shared set-up for the TDP MMU host tests: "physical memory" is a malloc'd
 * arena handed to the real buddy allocator through a memmap, and tdp_bug()
 * becomes a cmocka assertion (so expect_assert_failure() catches BUGs).
 */
#ifndef TERN_TESTS_TDP_ENV_H
#define TERN_TESTS_TDP_ENV_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mm/buddy.h"
#include "mm/memmap.h"
#include "mm/phys.h"

u64 physmap_offset;

void tdp_bug(const char *expr, const char *file, int line)
{
	mock_assert(0, expr, file, line);
}

static u8 *tdp_env_arena;

static inline void tdp_env_init(u64 arena_size)
{
	static struct memmap m;

	tdp_env_arena = aligned_alloc(MiB(4), arena_size);
	if (!tdp_env_arena)
		abort();
	physmap_offset = (u64)(uintptr_t)tdp_env_arena;
	memmap_init(&m);
	if (memmap_add_ram(&m, 0, arena_size) || memmap_reserve(&m, 0, MiB(1), "low") ||
	    mm_init_from_memmap(&m))
		abort();
}

#endif
