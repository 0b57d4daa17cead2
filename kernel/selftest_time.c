/* SPDX-License-Identifier: MIT */
/*
 * Self-tests for the time services: the calibrated TSC frequency, udelay, the
 * timeout API and the per-CPU LAPIC one-shot timer (on the BSP and on an AP).
 * Lower bounds are strict ("never early"); upper bounds leave room for QEMU
 * TCG descheduling the vCPU thread.
 */
#include "lib/types.h"

#include "arch/x86/irqflags.h"
#include "kernel/percpu.h"
#include "kernel/selftest.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"

#define TSC_KHZ_MIN	  1000ull     /* 1 MHz: Bochs's TSC counts instructions */
#define TSC_KHZ_MAX	  20000000ull /* 20 GHz */
#define DELAY_US	  10000
#define SLACK_US	  200000 /* vCPU preemption under emulation */
#define ONESHOT_US	  20000
#define ONESHOT_EARLY_PCT 99 /* timer margin covers calibration error */
#define ONESHOT_WAIT_US	  1000000
#define TIMEOUT_US	  5000
#define NS_PER_US	  1000ull

static u64 elapsed_us(u64 t0, u64 t1)
{
	return tsc_to_ns(t1 - t0) / NS_PER_US;
}

static void test_tsc(void)
{
	u64 n0 = time_ns(), n1 = time_ns();

	ST_CHECK(tsc_khz >= TSC_KHZ_MIN && tsc_khz <= TSC_KHZ_MAX, "TSC %llu kHz is plausible",
		 (unsigned long long)tsc_khz);
	ST_CHECK(n1 >= n0, "time_ns does not go backwards");
	ST_CHECK(us_to_tsc(1000) == tsc_khz, "1 ms is tsc_khz ticks");
}
SELFTEST("timer", "tsc", test_tsc);

static void test_udelay(void)
{
	u64 t0 = rdtsc_ordered(), us;

	udelay(DELAY_US);
	us = elapsed_us(t0, rdtsc_ordered());
	ST_CHECK(us >= DELAY_US && us <= DELAY_US + SLACK_US, "udelay(%d) took %llu us", DELAY_US,
		 (unsigned long long)us);
}
SELFTEST("timer", "udelay", test_udelay);

static void test_timeout(void)
{
	struct timeout t, guard, zero;
	bool at_once;
	u64 t0, us;

	timeout_start(&zero, 0);
	ST_CHECK(timeout_expired(&zero), "a zero timeout has expired at once");
	t0 = rdtsc_ordered();
	timeout_start(&t, TIMEOUT_US);
	at_once = timeout_expired(&t);
	timeout_start(&guard, TIMEOUT_US + SLACK_US);
	while (!timeout_expired(&t) && !timeout_expired(&guard))
		cpu_relax();
	us = elapsed_us(t0, rdtsc_ordered());
	ST_CHECK(!at_once, "a %d us timeout has not expired at once", TIMEOUT_US);
	ST_CHECK(timeout_expired(&t) && us >= TIMEOUT_US && us <= TIMEOUT_US + SLACK_US,
		 "the timeout expired after %llu us", (unsigned long long)us);
}
SELFTEST("timer", "timeout", test_timeout);

struct oneshot {
	u64 armed_tsc;
	u64 fired_tsc; /* 0 until the callback ran */
	u32 cpu;
};

static void oneshot_fired(void *arg)
{
	struct oneshot *o = arg;

	o->cpu = this_cpu_id();
	__atomic_store_n(&o->fired_tsc, rdtsc_ordered(), __ATOMIC_RELEASE);
}

static void oneshot_arm(void *arg)
{
	struct oneshot *o = arg;

	o->armed_tsc = rdtsc_ordered();
	timer_oneshot_us(ONESHOT_US, oneshot_fired, o);
}

/* Wait for o to fire with interrupts on (for the BSP's own timer). */
static u64 oneshot_wait(struct oneshot *o)
{
	struct timeout t;
	unsigned long flags = read_rflags();

	timeout_start(&t, ONESHOT_WAIT_US);
	irq_enable();
	while (!__atomic_load_n(&o->fired_tsc, __ATOMIC_ACQUIRE) && !timeout_expired(&t))
		cpu_relax();
	if (!(flags & RFLAGS_IF))
		irq_disable();
	return __atomic_load_n(&o->fired_tsc, __ATOMIC_ACQUIRE);
}

static void cancel_timer(void *arg)
{
	(void)arg;
	timer_cancel();
}

static void check_oneshot(struct oneshot *o, u32 cpu, const char *where)
{
	u64 fired = oneshot_wait(o), us;

	ST_CHECK(fired, "%s: one-shot timer fired", where);
	if (!fired) {
		smp_call_on(cpu, cancel_timer, NULL, true);
		return;
	}
	us = elapsed_us(o->armed_tsc, fired);
	ST_CHECK(o->cpu == cpu, "%s: callback ran on CPU %u", where, o->cpu);
	ST_CHECK(us * 100 >= (u64)ONESHOT_US * ONESHOT_EARLY_PCT && us <= ONESHOT_US + SLACK_US,
		 "%s: %d us timer fired after %llu us", where, ONESHOT_US, (unsigned long long)us);
}

static void test_oneshot(void)
{
	struct oneshot bsp = {0}, ap = {0};

	ST_CHECK(timer_oneshot_us(~0ull / 2, oneshot_fired, &bsp) == -E_RANGE,
		 "an out-of-range one-shot is refused");
	/*
	 * "Not early" is judged from the TSC read inside the callback, never by
	 * polling at half time: under a loaded emulator the vCPU can be paused
	 * across the half-way point and only the timestamps stay meaningful.
	 */
	oneshot_arm(&bsp);
	check_oneshot(&bsp, this_cpu_id(), "BSP");
	if (__atomic_load_n(&nr_cpus_online, __ATOMIC_ACQUIRE) > 1) {
		ST_CHECK(!smp_call_on(1, oneshot_arm, &ap, true), "armed a timer on CPU 1");
		check_oneshot(&ap, 1, "CPU 1");
	}
}
SELFTEST("timer", "oneshot", test_oneshot);
