/*
 * triple_fault (hostile): load an empty IDT and execute ud2: #UD cannot be
 * delivered -> #GP -> #DF -> shutdown. Expected: Tern stops the VM with
 * reason "triple fault"; bare QEMU with -no-reboot exits with status 0
 * (no isa-debug-exit write). There is no summary line: reaching the line
 * after the ud2 is a failure.
 */
#include "guest.h"

const char guest_name[] = "triple_fault";

void guest_main(void)
{
	check(true, "about to triple fault (empty IDT + ud2)");
	printf("triple_fault: raising now\n");
	idt_load_empty();
	__asm__ volatile("ud2");
	/* Not reached. */
	printf("FAIL still running after the triple fault\n");
	guest_exit(1);
}
