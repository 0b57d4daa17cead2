/* SPDX-License-Identifier: MIT */
/*
 * Guest page-table walker: translates a guest-virtual (linear) address the
 * way the guest's MMU would, for instruction fetch and emulated memory
 * operands. It handles paging off, 32-bit paging (4 MiB PSE pages), PAE and
 * 4-level paging (2 MiB / 1 GiB pages), with R/W + CR0.WP, U/S, NX + EFER.NXE,
 * SMEP/SMAP and reserved bits, and produces the #PF error code on failure.
 * Not modelled: 5-level paging, protection keys, PDPTE caching of PAE mode
 * (the PDPTEs are re-read from memory on each walk).
 */
#ifndef TERN_VIRT_GWALK_H
#define TERN_VIRT_GWALK_H

#include "lib/types.h"
#include "virt/decode.h"
#include "virt/vcpu.h"

/* #PF error code bits. The access flags below use the same positions. */
#define PF_P	BIT(0) /* the page was present (protection violation) */
#define PF_W	BIT(1) /* write access */
#define PF_U	BIT(2) /* user-mode access */
#define PF_RSVD BIT(3) /* reserved bit set in a paging entry */
#define PF_I	BIT(4) /* instruction fetch */

/* Access kinds for gwalk_translate(): OR of these (0 = supervisor read). */
#define GWALK_WRITE PF_W
#define GWALK_USER  PF_U
#define GWALK_FETCH PF_I

/* Control state the walk depends on. */
struct gwalk_regs {
	u64 cr0, cr3, cr4, efer;
	u64 rflags;    /* AC, for SMAP */
	u8 maxphyaddr; /* guest CPUID 0x80000008 EAX[7:0]; 0 means 52 */
};

/* How to reach guest-physical memory (the page tables). */
struct gwalk_mem {
	int (*read_gpa)(void *ctx, u64 gpa, void *buf, size_t len);
	/* Optional: when set, Accessed/Dirty bits are set like hardware does. */
	int (*write_gpa)(void *ctx, u64 gpa, const void *buf, size_t len);
	void *ctx;
};

/*
 * Translate 'gva' for 'access' (GWALK_*). Returns 0 with *gpa, or
 * -E_NOENT with *pf_error set (inject #PF with CR2 = gva), -E_RANGE for a
 * non-canonical address (#GP/#SS), -E_NOSUPP for 5-level paging, or the
 * read_gpa error when a paging structure is not in guest memory.
 */
int gwalk_translate(const struct gwalk_regs *r, const struct gwalk_mem *m, u64 gva, u32 access,
		    u64 *gpa, u32 *pf_error);

/* The bytes of the instruction at CS:RIP, as far as they can be fetched. */
struct insn_fetch {
	u8 bytes[INSN_MAX_LEN];
	u8 len;	    /* bytes fetched (up to 15, fewer if a page faulted) */
	bool fault; /* fetching byte 'len' faulted: #PF below */
	u32 pf_error;
	u64 cr2;
};

/*
 * Fetch up to 15 instruction bytes at linear CS.base + RIP (CS.base is 0 in
 * 64-bit mode), translating each page separately. A fault on a later page
 * only shortens f->len and records the #PF: inject it if the decoder then
 * reports -DECODE_ETRUNC. Returns 0 when at least one byte was fetched,
 * -E_NOENT when the first byte faults (f->fault, inject #PF), or another
 * gwalk_translate()/read_gpa error.
 */
int guest_fetch_insn(const struct gwalk_regs *r, const struct gwalk_mem *m,
		     const struct segment *cs, u64 rip, struct insn_fetch *f);

#endif
