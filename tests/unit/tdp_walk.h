/* SPDX-License-Identifier: MIT */
/*
 * A software EPT/NPT page walker for the TDP MMU tests, written from the
 * architectural rules, not from mm/tdp: EPT entries are present when any of
 * R/W/X is set and misconfigured when W is set without R; NPT entries are
 * present with P, need U at every level and fault with RSVD when bit 51 is
 * set. Leaves are found with the large bit at levels 2 and 3.
 */
#ifndef TERN_TESTS_TDP_WALK_H
#define TERN_TESTS_TDP_WALK_H

#include "arch/x86/svm/npt.h"
#include "arch/x86/vmx/ept.h"
#include "lib/types.h"
#include "mm/phys.h"

enum walk_kind { WALK_NOT_PRESENT, WALK_MAPPED, WALK_MISCONFIG, WALK_RSVD };

struct walk_result {
	enum walk_kind kind;
	paddr_t pa;
	int level;
	bool w, x;
	u64 spte; /* the last entry read */
};

static inline struct walk_result tdp_walk(paddr_t root, bool npt, u64 gpa)
{
	struct walk_result r = { .kind = WALK_NOT_PRESENT, .w = true, .x = true };
	u64 *table = phys_to_virt(root);

	for (int level = 4; level >= 1; level--) {
		u64 e = table[(gpa >> (12 + 9 * (level - 1))) & 511];
		bool leaf;

		r.spte = e;
		r.level = level;
		if (npt) {
			if (!(e & NPT_P))
				return r;
			if (e & NPT_MMIO_RSVD_BIT) {
				r.kind = WALK_RSVD;
				return r;
			}
			if (!(e & NPT_U))
				return r; /* a user access faults */
			r.w &= !!(e & NPT_W);
			r.x &= !(e & NPT_NX);
			leaf = level == 1 || (level <= 3 && (e & NPT_PS));
		} else {
			if (!(e & EPT_RWX))
				return r;
			if ((e & EPT_W) && !(e & EPT_R)) {
				r.kind = WALK_MISCONFIG;
				return r;
			}
			r.w &= !!(e & EPT_W);
			r.x &= !!(e & EPT_X);
			leaf = level == 1 || (level <= 3 && (e & EPT_LARGE));
		}
		if (leaf) {
			u64 size = 1ull << (12 + 9 * (level - 1));

			r.kind = WALK_MAPPED;
			r.pa = (e & GENMASK(51, 12) & ~(size - 1)) | (gpa & (size - 1));
			return r;
		}
		table = phys_to_virt(e & GENMASK(51, 12));
	}
	return r;
}

#endif
