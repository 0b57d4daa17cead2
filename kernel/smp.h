/* SPDX-License-Identifier: MIT */
/*
 * Bringing up the application processors (INIT-SIPI-SIPI through a real-mode
 * trampoline), cross-CPU function calls by IPI, and stopping the other CPUs.
 * Logical CPU numbers are dense: 0 is the BSP, APs get 1, 2, ... in MADT order
 * as they come online; a CPU that does not answer gets no number.
 */
#ifndef TERN_KERNEL_SMP_H
#define TERN_KERNEL_SMP_H

#include "lib/types.h"

#define SMP_CALL_TIMEOUT_US 5000000ull /* generous: TCG vCPUs share host cores */

/*
 * Start every CPU in acpi_platform. trampoline_pa: a free, page-aligned page
 * below 1 MiB, used only during this call. Prints "smp: N of M CPUs online".
 * Returns 0 even if some APs failed (each is reported); an error only if
 * bring-up could not be attempted at all.
 */
int smp_init(paddr_t trampoline_pa);

/*
 * Run fn(arg) on 'cpu' in interrupt context (interrupts off). wait: return
 * after fn has finished, else once the call is queued. Calls on the current
 * CPU run directly. -E_NOENT for a CPU not online, -E_BUSY/-E_TIMEOUT when
 * the target does not respond within SMP_CALL_TIMEOUT_US.
 */
int smp_call_on(u32 cpu, void (*fn)(void *), void *arg, bool wait);

/* Run fn(arg) on every online CPU, this one included; first error returned. */
int smp_call_all(void (*fn)(void *), void *arg, bool wait);

/* Stop every other CPU (fixed IPI, interrupts off, halt), for panic and exit. */
void smp_stop_others(void);

#endif
