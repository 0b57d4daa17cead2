/* SPDX-License-Identifier: MIT */
/* Guest port I/O exits. */
#ifndef TERN_VIRT_IO_H
#define TERN_VIRT_IO_H

#include "virt/vcpu_ops.h"

/* exit.io.seg when the backend does not know the OUTS segment. */
#define IO_SEG_UNKNOWN 0xFF

int handle_io(struct vcpu *v);

#endif
