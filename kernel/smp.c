/* SPDX-License-Identifier: MIT */
/* SMP bring-up (placeholder until the SMP work lands). */
#include "kernel/smp.h"

void smp_stop_others(void)
{
}
