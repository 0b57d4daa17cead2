/*
 * modes, 32-bit phase: protected mode state, then protected -> real ->
 * protected mode round trip (pm32.asm rm_trip) with checks done in real
 * mode: CR0.PE clear, our own IVT entry for INT 0x81, segment*16+offset
 * addressing, CPUID.
 */
#include "exc.h"
#include "pm32.h"

#define MB1_BOOT_MAGIC	 0x2BADB002u
#define MB1_INFO_MEM	 0x1
#define RM_LOW_NEEDED_KB 36 /* trampoline at 0x7000 + scratch at 0x8000 */

void pm32_hook(void)
{
	u32 cr0 = read_cr0();
	pm32_check((cr0 & CR0_PE) && !(cr0 & CR0_PG), "entered with CR0.PE=1 PG=0", cr0);
	u16 cs;
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	pm32_check(cs == 0x08, "CS is our 32-bit code selector", cs);

	if (mb_magic == MB1_BOOT_MAGIC) {
		u32 *info = (u32 *)mb_info;
		if ((info[0] & MB1_INFO_MEM) && info[1] < RM_LOW_NEEDED_KB) {
			pm32_skip("real-mode round trip", "no RAM below 1 MiB at 0x7000-0x9000");
			return;
		}
	}
	u32 vendor_b = cpuid(0, 0).b;
	rm_trip();
	pm32_check(!(rm_out_cr0 & CR0_PE), "real mode: CR0.PE reads 0", rm_out_cr0);
	pm32_check(rm_out_count == 2, "real mode: INT 0x81 through our IVT ran twice",
		   rm_out_count);
	pm32_check(rm_out_seg == 0xBEEF1234, "real mode: ES=0x800:0x10 is linear 0x8010",
		   rm_out_seg);
	pm32_check(rm_out_flat == 0xC0DE5678, "real mode write visible from protected mode",
		   rm_out_flat);
	pm32_check(rm_out_cpuid_b == vendor_b, "real mode: CPUID leaf 0 matches", rm_out_cpuid_b);
	cr0 = read_cr0();
	pm32_check((cr0 & CR0_PE) && !(cr0 & CR0_PG), "back in protected mode: CR0.PE=1", cr0);
	u32 v = EXC_VECTOR_OF("ud2");
	pm32_check(v == VEC_UD, "32-bit IDT works again after the trip", v);
}
