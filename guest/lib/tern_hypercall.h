/*
 * Tern hypercall ABI (guest side).
 *
 * Instruction: VMCALL on Intel, VMMCALL on AMD (pick by CPUID vendor).
 * In:  RAX = call number, RBX, RCX, RDX, RSI = arguments.
 * Out: RAX = result; negative values (signed 64-bit; EAX sign-extended in
 *      32-bit mode) are errors. Other registers are preserved.
 * Addresses passed to Tern are guest-physical.
 *
 * Detect Tern first: CPUID.1:ECX[31] (hypervisor present) and CPUID leaf
 * 0x40000000 returning EBX,ECX,EDX = "TernTernTern", EAX = max leaf. Without
 * Tern, VMCALL/VMMCALL raise #UD.
 */
#ifndef TERN_HYPERCALL_H
#define TERN_HYPERCALL_H

#define TERN_CPUID_LEAF	    0x40000000u
#define TERN_CPUID_MAX_LEAF 0x40000001u
#define TERN_SIGNATURE	    "TernTernTern"

#define TERN_HC_VERSION	    0 /* -> 1 */
#define TERN_HC_PUTS	    1 /* RBX = gpa of NUL-terminated string, RCX = max length */
#define TERN_HC_EXIT	    2 /* RBX = status (1 = success, as (v<<1)|1 on port 0xf4) */
#define TERN_HC_STATS	    3 /* RBX = gpa of buffer, RCX = size -> bytes written */
#define TERN_HC_MEMSLOT	    4 /* reserved */
#define TERN_HC_GET_TSC_KHZ 5 /* -> TSC frequency in kHz */

#define TERN_HC_VERSION_1   1
#define TERN_E_UNKNOWN_CALL (-1000)

#define TERN_EXIT_SUCCESS 1
#define TERN_EXIT_FAILURE 3

#define TERN_STATS_KINDS 32
struct tern_vm_stats {
	unsigned long long exits_total;
	unsigned long long exits_by_kind[TERN_STATS_KINDS];
	unsigned long long tsc_in_guest;
	unsigned long long tsc_in_tern;
};

#endif
