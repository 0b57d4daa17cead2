/* SPDX-License-Identifier: MIT */
/*
 * The local APIC of each CPU, in xAPIC mode (MMIO through the direct map) or
 * x2APIC mode (MSRs 0x800+), chosen once on the BSP: x2APIC when CPUID offers
 * it and the command line does not say x2apic=off, and always when firmware
 * already switched to it (leaving x2APIC needs a full APIC disable). APs then
 * use the BSP's mode. Also masks the legacy 8259 PICs, which Tern never uses.
 */
#ifndef TERN_ARCH_X86_LAPIC_H
#define TERN_ARCH_X86_LAPIC_H

#include "lib/types.h"

/* Register offsets in the xAPIC MMIO page (x2APIC MSR = 0x800 + off / 16). */
#define LAPIC_REG_ID		0x020
#define LAPIC_REG_VERSION	0x030
#define LAPIC_REG_TPR		0x080
#define LAPIC_REG_EOI		0x0B0
#define LAPIC_REG_LDR		0x0D0
#define LAPIC_REG_DFR		0x0E0
#define LAPIC_REG_SVR		0x0F0
#define LAPIC_REG_ESR		0x280
#define LAPIC_REG_ICR_LOW	0x300
#define LAPIC_REG_ICR_HIGH	0x310
#define LAPIC_REG_LVT_TIMER	0x320
#define LAPIC_REG_LVT_THERMAL	0x330
#define LAPIC_REG_LVT_PERF	0x340
#define LAPIC_REG_LVT_LINT0	0x350
#define LAPIC_REG_LVT_LINT1	0x360
#define LAPIC_REG_LVT_ERROR	0x370
#define LAPIC_REG_TIMER_INIT	0x380
#define LAPIC_REG_TIMER_CURRENT 0x390
#define LAPIC_REG_TIMER_DIVIDE	0x3E0

#define LAPIC_XAPIC_ID_SHIFT	    24 /* xAPIC ID register: ID in bits 31:24 */
#define LAPIC_VERSION_MAX_LVT_SHIFT 16
#define LAPIC_VERSION_MAX_LVT_MASK  0xFF

#define LAPIC_SVR_ENABLE     BIT(8)
#define LAPIC_DFR_FLAT	     0xFFFFFFFFu
#define LAPIC_TPR_ACCEPT_ALL 0

/* LVT entries. */
#define LAPIC_LVT_VECTOR_MASK	 0xFF
#define LAPIC_LVT_DM_NMI	 (4u << 8)
#define LAPIC_LVT_DM_EXTINT	 (7u << 8)
#define LAPIC_LVT_MASKED	 BIT(16)
#define LAPIC_LVT_TIMER_ONESHOT	 (0u << 17)
#define LAPIC_LVT_TIMER_PERIODIC (1u << 17)

/* Timer divide configuration (bits 0, 1 and 3). */
#define LAPIC_TIMER_DIV_16 0x3

/* Interrupt command register. */
#define ICR_VECTOR_MASK	      0xFFull
#define ICR_DM_FIXED	      (0ull << 8)
#define ICR_DM_NMI	      (4ull << 8)
#define ICR_DM_INIT	      (5ull << 8)
#define ICR_DM_STARTUP	      (6ull << 8)
#define ICR_DEST_LOGICAL      BIT(11)
#define ICR_DELIVERY_PENDING  BIT(12) /* xAPIC only */
#define ICR_LEVEL_ASSERT      BIT(14)
#define ICR_TRIGGER_LEVEL     BIT(15)
#define ICR_SHORTHAND_SELF    (1ull << 18)
#define ICR_SHORTHAND_ALL     (2ull << 18)
#define ICR_SHORTHAND_OTHERS  (3ull << 18)
#define ICR_XAPIC_DEST_SHIFT  56 /* ICR_HIGH bits 31:24 */
#define ICR_X2APIC_DEST_SHIFT 32

#define LAPIC_XAPIC_MAX_ID    0xFF
#define LAPIC_BROADCAST_XAPIC 0xFFu

/* Set by the integrator from the command line (x2apic=off) before lapic_init. */
extern bool lapic_x2apic_allowed;

/* Map, pick the mode and enable the BSP's LAPIC. */
int lapic_init(void);
/* Enable this (application) CPU's LAPIC in the mode the BSP chose. */
void lapic_init_ap(void);
bool lapic_ready(void);
bool lapic_is_x2apic(void);

u32 lapic_id(void);
void lapic_eoi(void);

/* ICR destinations: an APIC ID, or one of the shorthands with apic_id 0. */
enum ipi_dest { IPI_DEST_ONE, IPI_DEST_SELF, IPI_DEST_OTHERS, IPI_DEST_ALL };

int lapic_send_ipi(enum ipi_dest dest, u32 apic_id, u8 vector);
int lapic_send_nmi(enum ipi_dest dest, u32 apic_id);
int lapic_send_init(u32 apic_id);
int lapic_send_sipi(u32 apic_id, u8 start_page);

/* One-shot timer: calibrate against the TSC once (BSP), arm/stop per CPU. */
int lapic_timer_calibrate(void);
u64 lapic_timer_hz(void); /* timer ticks per second after the divider */
void lapic_timer_oneshot(u32 ticks, u8 vector);
void lapic_timer_stop(void);
u32 lapic_timer_current(void);

/* Remap the 8259 pair to VECTOR_PIC_BASE and mask every line. */
void pic_mask_all(void);

#endif
