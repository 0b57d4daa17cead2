/* SPDX-License-Identifier: MIT */
/*
 * Local APIC access in both modes behind lapic_read/lapic_write, IPIs through
 * the ICR, and the one-shot timer. Tern routes no device interrupt through
 * the LAPIC's LINT pins: the legacy PIC is masked and both LINTs are masked,
 * so only IPIs, the timer and spurious interrupts arrive.
 */
#include "arch/x86/lapic.h"

#include "arch/x86/cpuid.h"
#include "arch/x86/idt.h"
#include "arch/x86/io.h"
#include "arch/x86/irqflags.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "mm/phys.h"

#define PIC1_CMD		0x20
#define PIC1_DATA		0x21
#define PIC2_CMD		0xA0
#define PIC2_DATA		0xA1
#define PIC_ICW1_ICW4		0x01 /* ICW4 follows */
#define PIC_ICW1_INIT		0x10 /* start initialization */
#define PIC_ICW3_SLAVE_ON_IRQ2	BIT(2)
#define PIC_ICW3_SLAVE_ID	2
#define PIC_ICW4_8086		0x01
#define PIC_MASK_ALL		0xFF
#define PIC_LINES		16
#define PIC_SLAVE_VECTOR_OFFSET 8

#define LAPIC_MAX_LVT_THERMAL  5 /* thermal LVT exists from max LVT index 5 */
#define LAPIC_MAX_LVT_PERF     4
#define ICR_IDLE_TIMEOUT_US    10000
#define TIMER_CALIBRATE_US     10000
#define TIMER_CALIBRATE_ROUNDS 3
#define TIMER_COUNT_MAX	       0xFFFFFFFFu
#define HZ_PER_KHZ	       1000ull

bool lapic_x2apic_allowed = true;

static volatile u8 *xapic_mmio; /* (c) xAPIC register page, NULL in x2APIC mode */
static bool x2apic_mode;	/* (c) */
static bool ready;		/* (c) BSP LAPIC enabled */
static u64 timer_hz;		/* (c) timer ticks per second at LAPIC_TIMER_DIV_16 */

static u32 lapic_read(u32 reg)
{
	if (x2apic_mode)
		return (u32)rdmsr(MSR_X2APIC_BASE + (reg >> 4));
	return *(volatile u32 *)(xapic_mmio + reg);
}

static void lapic_write(u32 reg, u32 v)
{
	if (x2apic_mode)
		wrmsr(MSR_X2APIC_BASE + (reg >> 4), v);
	else
		*(volatile u32 *)(xapic_mmio + reg) = v;
}

bool lapic_ready(void)
{
	return ready;
}

bool lapic_is_x2apic(void)
{
	return x2apic_mode;
}

u32 lapic_id(void)
{
	u32 id = lapic_read(LAPIC_REG_ID);

	return x2apic_mode ? id : id >> LAPIC_XAPIC_ID_SHIFT;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_REG_EOI, 0);
}

static void mask_lvts(void)
{
	u32 max_lvt = (lapic_read(LAPIC_REG_VERSION) >> LAPIC_VERSION_MAX_LVT_SHIFT) &
		      LAPIC_VERSION_MAX_LVT_MASK;

	lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_LVT_MASKED | VECTOR_TIMER);
	lapic_write(LAPIC_REG_LVT_LINT0, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_REG_LVT_LINT1, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_REG_LVT_ERROR, LAPIC_LVT_MASKED);
	/* Absent LVTs #GP in x2APIC mode: touch only what the version reports. */
	if (max_lvt >= LAPIC_MAX_LVT_PERF)
		lapic_write(LAPIC_REG_LVT_PERF, LAPIC_LVT_MASKED);
	if (max_lvt >= LAPIC_MAX_LVT_THERMAL)
		lapic_write(LAPIC_REG_LVT_THERMAL, LAPIC_LVT_MASKED);
}

/* Enable this CPU's LAPIC in the chosen mode with every LVT masked. */
static void enable_this_cpu(void)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);

	/* xAPIC first: the SDM allows disabled -> xAPIC -> x2APIC. */
	if (!(base & APIC_BASE_GLOBAL_ENABLE)) {
		base |= APIC_BASE_GLOBAL_ENABLE;
		wrmsr(MSR_IA32_APIC_BASE, base);
	}
	if (x2apic_mode && !(base & APIC_BASE_X2APIC_ENABLE))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_X2APIC_ENABLE);

	lapic_write(LAPIC_REG_TPR, LAPIC_TPR_ACCEPT_ALL);
	mask_lvts();
	/* The ESR latches on write; two writes clear stale errors. */
	lapic_write(LAPIC_REG_ESR, 0);
	lapic_write(LAPIC_REG_ESR, 0);
	lapic_write(LAPIC_REG_TIMER_DIVIDE, LAPIC_TIMER_DIV_16);
	lapic_write(LAPIC_REG_TIMER_INIT, 0);
	lapic_write(LAPIC_REG_SVR, LAPIC_SVR_ENABLE | VECTOR_SPURIOUS);
	lapic_eoi(); /* drop anything firmware left in service */
}

int lapic_init(void)
{
	u64 base;
	bool fw_x2apic, has_x2apic;
	paddr_t pa;

	if (!cpu_has(CPUID_LEAF_FEATURES, CPUID_EDX, CPUID_1_EDX_APIC)) {
		pr_err("error: lapic: CPUID reports no local APIC; Tern needs one\n");
		return -E_NOSUPP;
	}
	base = rdmsr(MSR_IA32_APIC_BASE);
	has_x2apic = cpu_has(CPUID_LEAF_FEATURES, CPUID_ECX, CPUID_1_ECX_X2APIC);
	fw_x2apic = (base & APIC_BASE_GLOBAL_ENABLE) && (base & APIC_BASE_X2APIC_ENABLE);
	if (fw_x2apic && !lapic_x2apic_allowed)
		pr_warn("warning: lapic: firmware left x2APIC on; keeping it despite x2apic=off\n");
	x2apic_mode = fw_x2apic || (has_x2apic && lapic_x2apic_allowed);
	if (!x2apic_mode) {
		pa = base & APIC_BASE_ADDR_MASK;
		if (!paging_lookup((u64)(uintptr_t)phys_to_virt(pa), NULL)) {
			pr_err("error: lapic: xAPIC page %#llx is not in the direct map\n",
			       (unsigned long long)pa);
			return -E_RANGE;
		}
		xapic_mmio = phys_to_virt(pa);
	}
	enable_this_cpu();
	ready = true;
	pr_info("lapic: %s mode%s, BSP APIC ID %u\n", x2apic_mode ? "x2APIC" : "xAPIC",
		has_x2apic && !x2apic_mode ? " (x2APIC off by command line)" : "", lapic_id());
	return 0;
}

void lapic_init_ap(void)
{
	enable_this_cpu();
}

static bool icr_idle(void)
{
	struct timeout t;

	timeout_start(&t, ICR_IDLE_TIMEOUT_US);
	while (lapic_read(LAPIC_REG_ICR_LOW) & ICR_DELIVERY_PENDING) {
		if (timeout_expired(&t))
			return false;
		__builtin_ia32_pause();
	}
	return true;
}

static int icr_send(u64 icr, u32 apic_id)
{
	unsigned long flags;
	int err = 0;

	/* Make the caller's stores visible before the IPI can be seen. */
	asm volatile("mfence; lfence" ::: "memory");
	if (x2apic_mode) {
		wrmsr(MSR_X2APIC_BASE + (LAPIC_REG_ICR_LOW >> 4),
		      icr | ((u64)apic_id << ICR_X2APIC_DEST_SHIFT));
		return 0;
	}
	if (apic_id > LAPIC_XAPIC_MAX_ID)
		return -E_RANGE;
	/* HIGH then LOW must not interleave with an interrupt handler's IPI. */
	flags = irq_save();
	if (!icr_idle()) {
		err = -E_TIMEOUT;
	} else {
		lapic_write(LAPIC_REG_ICR_HIGH, apic_id << (ICR_XAPIC_DEST_SHIFT - 32));
		lapic_write(LAPIC_REG_ICR_LOW, (u32)icr);
		if (!icr_idle())
			err = -E_TIMEOUT;
	}
	irq_restore(flags);
	return err;
}

static u64 shorthand(enum ipi_dest dest)
{
	switch (dest) {
	case IPI_DEST_SELF:
		return ICR_SHORTHAND_SELF;
	case IPI_DEST_OTHERS:
		return ICR_SHORTHAND_OTHERS;
	case IPI_DEST_ALL:
		return ICR_SHORTHAND_ALL;
	default:
		return 0;
	}
}

int lapic_send_ipi(enum ipi_dest dest, u32 apic_id, u8 vector)
{
	return icr_send(shorthand(dest) | ICR_DM_FIXED | ICR_LEVEL_ASSERT | vector,
			dest == IPI_DEST_ONE ? apic_id : 0);
}

int lapic_send_nmi(enum ipi_dest dest, u32 apic_id)
{
	return icr_send(shorthand(dest) | ICR_DM_NMI | ICR_LEVEL_ASSERT,
			dest == IPI_DEST_ONE ? apic_id : 0);
}

int lapic_send_init(u32 apic_id)
{
	int err = icr_send(ICR_DM_INIT | ICR_TRIGGER_LEVEL | ICR_LEVEL_ASSERT, apic_id);

	/*
	 * The MP spec's level de-assert; CPUs since the Pentium 4 ignore it and
	 * x2APIC has no use for it, so only xAPIC sends it.
	 */
	if (!err && !x2apic_mode) {
		udelay(200);
		err = icr_send(ICR_DM_INIT | ICR_TRIGGER_LEVEL, apic_id);
	}
	return err;
}

int lapic_send_sipi(u32 apic_id, u8 start_page)
{
	return icr_send(ICR_DM_STARTUP | start_page, apic_id);
}

static void pic_spurious(struct irq_frame *f)
{
	(void)f; /* every line is masked: only spurious IRQ 7/15 can get here */
}

void pic_mask_all(void)
{
	/* Remap first so a stray PIC interrupt cannot land on an exception vector. */
	outb(PIC1_CMD, PIC_ICW1_INIT | PIC_ICW1_ICW4);
	io_delay();
	outb(PIC2_CMD, PIC_ICW1_INIT | PIC_ICW1_ICW4);
	io_delay();
	outb(PIC1_DATA, VECTOR_PIC_BASE);
	io_delay();
	outb(PIC2_DATA, VECTOR_PIC_BASE + PIC_SLAVE_VECTOR_OFFSET);
	io_delay();
	outb(PIC1_DATA, PIC_ICW3_SLAVE_ON_IRQ2);
	io_delay();
	outb(PIC2_DATA, PIC_ICW3_SLAVE_ID);
	io_delay();
	outb(PIC1_DATA, PIC_ICW4_8086);
	io_delay();
	outb(PIC2_DATA, PIC_ICW4_8086);
	io_delay();
	outb(PIC1_DATA, PIC_MASK_ALL);
	outb(PIC2_DATA, PIC_MASK_ALL);
	for (int i = 0; i < PIC_LINES; i++)
		irq_register((u8)(VECTOR_PIC_BASE + i), pic_spurious);
}

static u64 timer_measure_hz(void)
{
	u64 t0, t1, scaled;
	u32 cur;

	lapic_write(LAPIC_REG_TIMER_INIT, TIMER_COUNT_MAX);
	t0 = rdtsc_ordered();
	udelay(TIMER_CALIBRATE_US);
	cur = lapic_read(LAPIC_REG_TIMER_CURRENT);
	t1 = rdtsc_ordered();
	lapic_write(LAPIC_REG_TIMER_INIT, 0);
	if (t1 <= t0)
		return 0;
	/* Hz = ticks * tsc_khz * 1000 / dt, in two steps to stay within 64 bits. */
	scaled = (u64)(TIMER_COUNT_MAX - cur) * tsc_khz;
	return scaled / (t1 - t0) * HZ_PER_KHZ + scaled % (t1 - t0) * HZ_PER_KHZ / (t1 - t0);
}

int lapic_timer_calibrate(void)
{
	u64 r[TIMER_CALIBRATE_ROUNDS];

	lapic_write(LAPIC_REG_TIMER_DIVIDE, LAPIC_TIMER_DIV_16);
	lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_LVT_MASKED | VECTOR_TIMER);
	for (int i = 0; i < TIMER_CALIBRATE_ROUNDS; i++)
		r[i] = timer_measure_hz();
	timer_hz = median_u64(r, TIMER_CALIBRATE_ROUNDS);
	if (!timer_hz) {
		pr_err("error: lapic: the timer did not count during calibration\n");
		return -E_NOSUPP;
	}
	pr_info("lapic: timer %llu Hz (divide by 16), calibrated against the TSC\n",
		(unsigned long long)timer_hz);
	return 0;
}

u64 lapic_timer_hz(void)
{
	return timer_hz;
}

void lapic_timer_oneshot(u32 ticks, u8 vector)
{
	lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_LVT_TIMER_ONESHOT | vector);
	lapic_write(LAPIC_REG_TIMER_INIT, ticks ? ticks : 1);
}

void lapic_timer_stop(void)
{
	lapic_write(LAPIC_REG_TIMER_INIT, 0);
	lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_LVT_MASKED | VECTOR_TIMER);
}

u32 lapic_timer_current(void)
{
	return lapic_read(LAPIC_REG_TIMER_CURRENT);
}
