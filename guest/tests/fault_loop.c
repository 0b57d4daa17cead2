/*
 * fault_loop (hostile): a load from a not-present page whose #PF handler
 * returns to the faulting instruction without fixing anything: the guest
 * faults forever until Tern's timeout kills it. A progress line every
 * 2^16 faults shows it is alive. No summary line: never ends by itself.
 */
#include "guest.h"

const char guest_name[] = "fault_loop";

#define LOOP_VA	    0x8000000000ull /* not mapped */
#define REPORT_MASK 0xffff

static volatile u64 faults;

static int loop_hook(struct exc_frame *f)
{
	(void)f;
	if ((++faults & REPORT_MASK) == 0)
		printf("fault_loop: %lu page faults\n", faults);
	return EXC_HOOK_RETURN; /* back to the same instruction */
}

void guest_main(void)
{
	check(true, "entering the endless #PF loop (expect a timeout kill)");
	exc_set_hook(VEC_PF, loop_hook);
	(void)*(volatile u64 *)LOOP_VA;
	printf("FAIL the faulting load completed\n");
	guest_exit(1);
}
