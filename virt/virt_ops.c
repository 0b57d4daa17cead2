/* SPDX-License-Identifier: MIT */
/* The one vendor ops table, bound at boot by virt_init(). */
#include "virt/virt_ops.h"

struct virt_ops virt_ops;
