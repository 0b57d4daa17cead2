/*
 * The 32-bit protected-mode phase. A payload may define pm32_hook() in a file
 * compiled with -m32 (tests/<name>32.c); it runs before long mode, with
 * paging off, a flat GDT and a 32-bit IDT whose handlers honour EXC_TRY. It
 * cannot print (the console lives in the 64-bit library): it records results
 * with pm32_check()/pm32_skip(), and lib_main64 replays them as check lines
 * prefixed "pm32: " right after the start line.
 */
#ifndef GUEST_PM32_H
#define GUEST_PM32_H

#include "x86.h"

#define PM32_MAX_RESULTS 64
#define PM32_PASS	 1
#define PM32_FAIL	 0
#define PM32_SKIP	 2

struct pm32_result {
	u32 status;
	u32 name;   /* address of a NUL-terminated string (identity mapped) */
	u32 reason; /* skip reason, or 0 */
	u32 value;  /* a value worth printing on failure */
};

extern struct pm32_result pm32_results[PM32_MAX_RESULTS];
extern u32 pm32_nresults;
extern u32 mb_magic, mb_info;

#ifndef __x86_64__
void pm32_check(bool ok, const char *name, u32 value);
void pm32_skip(const char *name, const char *reason);
void idt32_set(int vec, u32 handler, int dpl);
extern u32 isr32_table[256];
void rm_trip(void);
extern u32 rm_out_cr0, rm_out_count, rm_out_seg, rm_out_cpuid_b, rm_out_flat;
#endif

#endif
