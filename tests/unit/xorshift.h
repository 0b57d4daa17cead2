/* SPDX-License-Identifier: MIT */
/*
 * The pseudo-random generator of the host tests and benchmarks: xorshift64
 * (shifts 13, 7, 17). Fast, and a seed reproduces a run exactly.
 */
#ifndef TERN_TESTS_XORSHIFT_H
#define TERN_TESTS_XORSHIFT_H

#include "lib/types.h"

/* The next value of *state (never 0 unless the seed was). */
static inline u64 xorshift64(u64 *state)
{
	u64 x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

#endif
