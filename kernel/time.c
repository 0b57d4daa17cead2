/* SPDX-License-Identifier: MIT */
/*
 * TSC calibration and the timer services built on it. CPUID leaf 0x15 (or
 * 0x16) gives the frequency without measuring, but emulators and some
 * hypervisors report a nominal value the TSC does not run at, so when the PIT
 * is there too the two are compared and a disagreement goes to the PIT.
 * The PIT is read through channel 2 (gated by port 0x61, no interrupt
 * needed) with every count read bracketed by two TSC reads, so a round spoiled
 * by a stalled port access (common under emulation) is recognized and the
 * most precise of several 20 ms rounds is kept.
 */
#include "kernel/time.h"

#include "arch/x86/cpuid.h"
#include "arch/x86/idt.h"
#include "arch/x86/io.h"
#include "arch/x86/irqflags.h"
#include "arch/x86/lapic.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "lib/format.h"

#define PIT_HZ			1193182u
#define PIT_CH2_DATA		0x42
#define PIT_MODE_PORT		0x43
#define PIT_SEL_CH2		(2u << 6)
#define PIT_ACCESS_LOHI		(3u << 4)
#define PIT_MODE_TERMINAL_COUNT (0u << 1) /* mode 0: OUT rises at zero */
#define PORT_SYS_CTRL_B		0x61
#define SYS_CTRL_B_GATE2	BIT(0)
#define SYS_CTRL_B_SPEAKER	BIT(1)
#define SYS_CTRL_B_OUT2		BIT(5)
#define SYS_CTRL_B_FLOATING	0xFF /* no chipset behind port 0x61 */

#define PIT_CMD_LATCH		(0u << 4) /* access field 0: latch the count */
#define PIT_COUNT_START		0xFFFFu	  /* 55 ms until the count wraps */
#define PIT_CAL_TICKS		23864u	  /* 20 ms of PIT clock */
#define PIT_SAMPLE_TRIES	5
#define PIT_CAL_ROUNDS_MAX	10
#define PIT_GOOD_PPM		500	      /* stop once a round is this precise */
#define PIT_WARN_PPM		20000	      /* 2%: report an imprecise calibration */
#define PIT_GUARD_TSC		2000000000ull /* >= 0.2 s at any TSC rate: no PIT */
#define PPM			1000000ull
#define HOW_MAX			48
#define CPUID_PIT_TOLERANCE_PCT 10
#define TSC_KHZ_FALLBACK	10000000ull /* 10 GHz: waits before calibration err long */
#define NS_PER_MS		1000000ull
#define US_PER_MS		1000ull
#define US_PER_S		1000000ull
#define TIMER_MARGIN_DIV	1000 /* +0.1%: LAPIC-vs-TSC calibration error */
#define NS_SHIFT		32
#define HZ_PER_KHZ		1000ull
#define KHZ_PER_MHZ		1000ull

u64 tsc_khz;
static u64 ns_mult; /* (c) ns = tsc * ns_mult >> NS_SHIFT */

struct cpu_timer {
	void (*fn)(void *); /* (o) callback of the armed timer, NULL when idle */
	void *arg;	    /* (o) */
};

static struct cpu_timer cpu_timers[MAX_CPUS];

static u64 effective_khz(void)
{
	return tsc_khz ? tsc_khz : TSC_KHZ_FALLBACK;
}

u64 us_to_tsc(u64 us)
{
	return us * effective_khz() / US_PER_MS;
}

u64 tsc_to_ns(u64 ticks)
{
	if (!ns_mult)
		return ticks * NS_PER_MS / effective_khz();
	return (u64)(((unsigned __int128)ticks * ns_mult) >> NS_SHIFT);
}

u64 time_ns(void)
{
	return tsc_to_ns(rdtsc_ordered());
}

void udelay(u64 us)
{
	struct timeout t;

	timeout_start(&t, us);
	while (!timeout_expired(&t))
		__builtin_ia32_pause();
}

void timeout_start(struct timeout *t, u64 us)
{
	t->deadline_tsc = rdtsc_ordered() + us_to_tsc(us);
}

bool timeout_expired(const struct timeout *t)
{
	return (s64)(rdtsc_ordered() - t->deadline_tsc) >= 0;
}

u64 median_u64(u64 *v, int n)
{
	for (int i = 1; i < n; i++) {
		u64 x = v[i];
		int j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	return n ? v[n / 2] : 0;
}

/* TSC kHz from CPUID leaf 0x15 (crystal ratio) or 0x16 (base MHz); 0 if neither. */
static u64 cpuid_tsc_khz(const char **how)
{
	u32 max = cpuid(CPUID_LEAF_VENDOR).eax;
	struct cpuid_regs r;

	if (max >= CPUID_LEAF_TSC_FREQ) {
		r = cpuid(CPUID_LEAF_TSC_FREQ);
		/* EAX/EBX: TSC/crystal ratio; ECX: crystal Hz. */
		if (r.eax && r.ebx && r.ecx) {
			*how = "CPUID leaf 0x15";
			return (u64)r.ecx * r.ebx / r.eax / HZ_PER_KHZ;
		}
	}
	if (max >= CPUID_LEAF_CPU_FREQ) {
		r = cpuid(CPUID_LEAF_CPU_FREQ);
		if (r.eax & 0xFFFF) {
			*how = "CPUID leaf 0x16";
			return (u64)(r.eax & 0xFFFF) * KHZ_PER_MHZ;
		}
	}
	return 0;
}

/* Channel 2's count, latched so the two byte reads belong together. */
static u16 pit_read_count(void)
{
	u8 lo, hi;

	outb(PIT_MODE_PORT, PIT_SEL_CH2 | PIT_CMD_LATCH);
	lo = inb(PIT_CH2_DATA);
	hi = inb(PIT_CH2_DATA);
	return (u16)(hi << 8 | lo);
}

/* A PIT count and the TSC at that moment, within +/- bracket/2 ticks. */
struct pit_sample {
	u64 tsc;
	u64 bracket;
	u16 count;
};

/* The tightest-bracketed of a few reads: a read that was stalled is dropped. */
static struct pit_sample pit_sample(void)
{
	struct pit_sample best = {.bracket = ~0ull};

	for (int i = 0; i < PIT_SAMPLE_TRIES; i++) {
		u64 a = rdtsc_ordered();
		u16 c = pit_read_count();
		u64 b = rdtsc_ordered();

		if (b - a < best.bracket)
			best = (struct pit_sample){
				.tsc = a + (b - a) / 2, .bracket = b - a, .count = c};
	}
	return best;
}

/*
 * One round: TSC ticks across PIT_CAL_TICKS of the free-running channel 2.
 * Returns kHz and the error bound in ppm, or 0 if the count never moves.
 */
static u64 pit_round(u64 *err_ppm)
{
	struct pit_sample s0, s1;
	u64 guard = rdtsc_ordered();
	u16 ticks;

	outb(PIT_MODE_PORT, PIT_SEL_CH2 | PIT_ACCESS_LOHI | PIT_MODE_TERMINAL_COUNT);
	outb(PIT_CH2_DATA, PIT_COUNT_START & 0xFF);
	outb(PIT_CH2_DATA, PIT_COUNT_START >> 8);
	/* The count is undefined until the first PIT clock after loading. */
	while (pit_read_count() >= PIT_COUNT_START - 1)
		if (rdtsc_ordered() - guard > PIT_GUARD_TSC)
			return 0;
	s0 = pit_sample();
	while ((u16)(s0.count - pit_read_count()) < PIT_CAL_TICKS)
		if (rdtsc_ordered() - guard > PIT_GUARD_TSC)
			return 0;
	s1 = pit_sample();
	ticks = (u16)(s0.count - s1.count);
	if (ticks < PIT_CAL_TICKS || s1.tsc <= s0.tsc)
		return 0;
	*err_ppm = (s0.bracket + s1.bracket) * PPM / (s1.tsc - s0.tsc);
	return (s1.tsc - s0.tsc) * PIT_HZ / ticks / HZ_PER_KHZ;
}

/*
 * Several rounds, keeping the one with the smallest error bound: under
 * emulation a port access can stall for milliseconds, and the brackets
 * show which measurements it spoiled. 0 if there is no working PIT.
 */
static u64 pit_tsc_khz(u64 *err_ppm)
{
	unsigned long flags = irq_save();
	u8 ctrl = inb(PORT_SYS_CTRL_B);
	u64 best = 0, best_err = ~0ull;

	if (ctrl == SYS_CTRL_B_FLOATING) {
		irq_restore(flags);
		return 0;
	}
	outb(PORT_SYS_CTRL_B, (u8)((ctrl & ~SYS_CTRL_B_SPEAKER) | SYS_CTRL_B_GATE2));
	for (int i = 0; i < PIT_CAL_ROUNDS_MAX && best_err > PIT_GOOD_PPM; i++) {
		u64 err = 0, khz = pit_round(&err);

		if (!khz)
			break;
		if (err < best_err) {
			best = khz;
			best_err = err;
		}
	}
	outb(PORT_SYS_CTRL_B, ctrl);
	irq_restore(flags);
	*err_ppm = best_err;
	return best;
}

static bool close_enough(u64 a, u64 b)
{
	u64 diff = a > b ? a - b : b - a;

	return diff * 100 <= b * CPUID_PIT_TOLERANCE_PCT;
}

static void timer_irq(struct irq_frame *f);

int time_init(void)
{
	const char *how = NULL;
	u64 from_cpuid, from_pit, err_ppm = 0;
	char how_buf[HOW_MAX];

	if (!cpu_has(CPUID_LEAF_FEATURES, CPUID_EDX, CPUID_1_EDX_TSC)) {
		pr_err("error: time: CPU has no TSC\n");
		return -E_NOSUPP;
	}
	from_cpuid = cpuid_tsc_khz(&how);
	from_pit = pit_tsc_khz(&err_ppm);
	if (from_pit && err_ppm > PIT_WARN_PPM)
		pr_warn("warning: time: PIT calibration uncertain by %llu ppm\n",
			(unsigned long long)err_ppm);
	if (from_cpuid && from_pit && !close_enough(from_cpuid, from_pit)) {
		pr_warn("warning: time: %s says %llu kHz but the PIT measures %llu kHz; "
			"using the PIT\n",
			how, (unsigned long long)from_cpuid, (unsigned long long)from_pit);
		from_cpuid = 0;
	}
	if (from_cpuid) {
		tsc_khz = from_cpuid;
	} else if (from_pit) {
		tsc_khz = from_pit;
		snformat(how_buf, sizeof(how_buf), "PIT channel 2, +/- %llu ppm",
			 (unsigned long long)err_ppm);
		how = how_buf;
	} else {
		pr_err("error: time: no CPUID frequency and no working PIT: TSC uncalibrated\n");
		return -E_NOSUPP;
	}
	ns_mult = (NS_PER_MS << NS_SHIFT) / tsc_khz;
	irq_register(VECTOR_TIMER, timer_irq);
	pr_info("time: TSC %llu.%03llu MHz (%s)%s\n", (unsigned long long)(tsc_khz / 1000),
		(unsigned long long)(tsc_khz % 1000), how,
		cpu_has(CPUID_LEAF_POWER, CPUID_EDX, CPUID_POWER_EDX_INVARIANT_TSC)
			? ""
			: ", not invariant");
	return 0;
}

static void timer_irq(struct irq_frame *f)
{
	struct cpu_timer *t = &cpu_timers[this_cpu_id()];
	void (*fn)(void *) = t->fn;

	(void)f;
	t->fn = NULL;
	lapic_eoi();
	if (fn)
		fn(t->arg);
}

int timer_oneshot_us(u64 us, void (*fn)(void *), void *arg)
{
	u64 hz = lapic_timer_hz();
	struct cpu_timer *t;
	unsigned long flags;
	u64 ticks;

	if (!hz)
		return -E_NOSUPP;
	if (us > (u64)UINT32_MAX * US_PER_S / hz)
		return -E_RANGE;
	/* Round up, then add the calibration margin: never fire early. */
	ticks = (us * hz + US_PER_S - 1) / US_PER_S;
	ticks += ticks / TIMER_MARGIN_DIV + 1;
	if (ticks > UINT32_MAX)
		return -E_RANGE;
	flags = irq_save();
	t = &cpu_timers[this_cpu_id()];
	t->fn = fn;
	t->arg = arg;
	lapic_timer_oneshot((u32)ticks, VECTOR_TIMER);
	irq_restore(flags);
	return 0;
}

void timer_cancel(void)
{
	unsigned long flags = irq_save();

	lapic_timer_stop();
	cpu_timers[this_cpu_id()].fn = NULL;
	irq_restore(flags);
}
