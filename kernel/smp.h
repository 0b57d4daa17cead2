/* SPDX-License-Identifier: MIT */
/* Bringing up the application processors, and cross-CPU calls. */
#ifndef TERN_KERNEL_SMP_H
#define TERN_KERNEL_SMP_H

#include "lib/types.h"

/* Stop every other CPU (NMI), for panic and final exit. */
void smp_stop_others(void);

#endif
