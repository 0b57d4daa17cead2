/* SPDX-License-Identifier: MIT */
/* What hardware virtualization this CPU offers, and whether firmware allows it. */
#ifndef TERN_ARCH_X86_VIRT_DETECT_H
#define TERN_ARCH_X86_VIRT_DETECT_H

#include "lib/types.h"

enum virt_vendor {
	VIRT_NONE,
	VIRT_VMX,
	VIRT_SVM,
};

struct virt_caps {
	enum virt_vendor vendor;
	bool disabled_by_firmware; /* present but locked off */
	bool ept_or_npt;           /* second-level paging available */
	u32 svm_revision;
	u32 svm_asids;
	bool svm_nrips;
	u32 vmcs_revision;
};

/* Probe the boot CPU and print one line saying what was found. */
void virt_detect(struct virt_caps *caps);

#endif
