/* SPDX-License-Identifier: MIT */
/* Events injected into a guest: exceptions, interrupts, NMIs. */
#ifndef TERN_VIRT_EVENT_H
#define TERN_VIRT_EVENT_H

#include "lib/types.h"

/* Same numbering as the VMX interruption-information and SVM EVENTINJ type fields. */
enum event_type {
	EVENT_EXTINT = 0,
	EVENT_NMI = 2,
	EVENT_HW_EXCEPTION = 3,
	EVENT_SW_INT = 4,       /* INTn */
	EVENT_PRIV_SW_EXC = 5,  /* INT1 (ICEBP) */
	EVENT_SW_EXCEPTION = 6, /* INT3, INTO */
};

struct vcpu_event {
	bool valid;
	u8 vector;
	u8 type; /* enum event_type */
	bool has_error;
	u32 error_code;
	u32 insn_len; /* software events: length of the INTn/INT3 */
};

#endif
