/* SPDX-License-Identifier: MIT */
/*
 * Time: the TSC as Tern's clock (calibrated once on the BSP from CPUID leaf
 * 0x15/0x16 or the PIT), busy-wait delays, deadlines for every bounded wait,
 * and a per-CPU one-shot callback on the LAPIC timer. Until time_init() runs,
 * conversions assume a fast TSC so early waits err on the long side.
 */
#ifndef TERN_KERNEL_TIME_H
#define TERN_KERNEL_TIME_H

#include "lib/types.h"

extern u64 tsc_khz; /* (c) TSC ticks per millisecond; 0 until calibrated */

static inline u64 rdtsc_ordered(void)
{
	u32 lo, hi;

	/* LFENCE keeps the read from running ahead of earlier instructions. */
	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((u64)hi << 32) | lo;
}

/* Calibrate the TSC and print the frequency and method (BSP, once). */
int time_init(void);

u64 time_ns(void); /* since TSC reset */
u64 tsc_to_ns(u64 ticks);
u64 us_to_tsc(u64 us);
void udelay(u64 us);

/* A deadline for bounded waits (valid across CPUs: the TSCs are in step). */
struct timeout {
	u64 deadline_tsc;
};

void timeout_start(struct timeout *t, u64 us);
bool timeout_expired(const struct timeout *t);

/*
 * Call fn(arg) from the VECTOR_TIMER interrupt on this CPU once at least us
 * microseconds have passed. One timer per CPU: arming again replaces it.
 * Needs lapic_timer_calibrate(). Returns -E_RANGE if us is too long.
 */
int timer_oneshot_us(u64 us, void (*fn)(void *), void *arg);
void timer_cancel(void);

/* Median of n values (sorts v in place). */
u64 median_u64(u64 *v, int n);

#endif
