/* SPDX-License-Identifier: MIT */
/*
 * VMCS region handling: VMCLEAR, VMPTRLD, VMPTRST, the region header, and the
 * out-of-line reports of failing VMREAD/VMWRITE. A failure there means Tern
 * used a wrong encoding or no VMCS is current: a bug, reported with the
 * VM-instruction error, rate-limited so a broken loop cannot flood the log.
 */
#include "arch/x86/vmx/vmcs.h"

#include "arch/x86/vmx/vmx.h"
#include "kernel/printk.h"

#define VMCS_REPORT_LIMIT 16
#define VMCS_ABORT_OFFSET 4

static u32 vmcs_reports;

/* The VM-instruction error, if a VMCS is current (VMfailValid). */
static u32 vmcs_last_error(void)
{
	u64 value = 0;
	bool fail;

	asm volatile("vmread %[f], %[v]"
		     : [v] "=r"(value), "=@ccbe"(fail)
		     : [f] "r"((u64)VMCS_INSN_ERROR));
	return fail ? 0 : (u32)value;
}

void vmcs_read_failed(u32 field)
{
	if (vmcs_reports++ < VMCS_REPORT_LIMIT)
		pr_err("vmx: vmread of field %#x failed (VM-instruction error %u)\n", field,
		       vmcs_last_error());
}

void vmcs_write_failed(u32 field, u64 value)
{
	if (vmcs_reports++ < VMCS_REPORT_LIMIT)
		pr_err("vmx: vmwrite of %#llx to field %#x failed (VM-instruction error %u)\n",
		       (unsigned long long)value, field, vmcs_last_error());
}

int vmcs_clear(paddr_t pa)
{
	bool fail;

	asm volatile("vmclear %[pa]" : "=@ccbe"(fail) : [pa] "m"(pa) : "memory");
	return fail ? -E_INVAL : 0;
}

int vmcs_load(paddr_t pa)
{
	bool fail;

	asm volatile("vmptrld %[pa]" : "=@ccbe"(fail) : [pa] "m"(pa) : "memory");
	return fail ? -E_INVAL : 0;
}

paddr_t vmcs_current(void)
{
	paddr_t pa;

	asm volatile("vmptrst %[pa]" : [pa] "=m"(pa) : : "memory");
	return pa;
}

void vmcs_region_init(void *va, u32 revision)
{
	u32 *words = va;

	words[0] = revision & VMCS_REVISION_MASK;
	words[VMCS_ABORT_OFFSET / sizeof(u32)] = 0;
}
