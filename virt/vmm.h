/* SPDX-License-Identifier: MIT */
/*
 * The VM manager: turns the GRUB modules into VMs, runs them all, and
 * reports one line per VM (`VM <name>: <reason> status=<n>`).
 */
#ifndef TERN_VIRT_VMM_H
#define TERN_VIRT_VMM_H

#include "boot/multiboot.h"

/* Bind the vendor backend and enable it on every CPU; 0 or an error. */
int virt_init(void);
/* virt_init() succeeded: the backend is bound and enabled on every CPU. */
bool virt_ready(void);
/* Create, run and report every guest; returns the number of VMs that failed. */
int vmm_run_guests(const struct boot_info *bi);

#endif
