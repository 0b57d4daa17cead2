/* SPDX-License-Identifier: MIT */
/*
 * Per physical CPU SVM state: EFER.SVME, the host save area VMRUN writes
 * (MSR_VM_HSAVE_PA), a second page the world switch VMSAVEs the host's
 * FS/GS/TR/LDTR/KERNEL_GS_BASE/STAR/LSTAR/CSTAR/SFMASK/SYSENTER into (never
 * the HSAVE page itself: its format belongs to the CPU), and the ASID
 * allocator.
 *
 * ASIDs are per CPU, as in KVM: 1..nr_asids-1 are handed out in order under
 * a generation number. When they run out the generation is bumped, numbering
 * restarts at 1 and the vCPU that caused the wrap runs with TLB_CONTROL =
 * flush all ASIDs: one flush-all covers every ASID of this CPU, and each
 * ASID is then given to at most one vCPU per generation, so no vCPU can meet
 * another's translations. A vCPU whose generation differs from its CPU's (or
 * that last ran on another CPU) takes a new ASID on its next VMRUN.
 */
#include "arch/x86/msr.h"
#include "arch/x86/svm/svm_internal.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "mm/buddy.h"
#include "mm/objcache.h"
#include "mm/phys.h"

#define SVM_FIRST_ASID	     1 /* ASID 0 is the host's */
#define SVM_FIRST_GENERATION 1 /* vCPUs start at 0: always "stale" */

struct svm_cpu *svm_this_cpu(void)
{
	return this_cpu()->arch_virt;
}

static struct svm_cpu *svm_cpu_alloc(void)
{
	struct svm_cpu *c = kzalloc(sizeof(*c));
	void *hsave = page_alloc_zeroed_virt(0);
	void *host = page_alloc_zeroed_virt(0);

	if (!c || !hsave || !host) {
		kfree(c);
		if (hsave)
			page_free_virt(hsave, 0);
		if (host)
			page_free_virt(host, 0);
		return NULL;
	}
	c->hsave_pa = virt_to_phys(hsave);
	c->host_vmcb_pa = virt_to_phys(host);
	c->asid_generation = SVM_FIRST_GENERATION;
	c->max_asid = svm_caps.nr_asids - 1;
	/*
	 * Start "exhausted": the first allocation wraps and flushes every ASID,
	 * so nothing a previous owner of this CPU left in the TLB survives.
	 */
	c->next_asid = c->max_asid + 1;
	return c;
}

/*
 * Run on every CPU that will run guests, in thread context (it may allocate
 * on the first call). Idempotent.
 */
int svm_cpu_enable(void)
{
	struct percpu *p = this_cpu();
	struct svm_cpu *c = p->arch_virt;

	if (!svm_supported())
		return -E_NOSUPP;
	if (!c) {
		c = svm_cpu_alloc();
		if (!c)
			return -E_NOMEM;
		p->arch_virt = c;
	}
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, c->hsave_pa);
	c->enabled = true;
	return 0;
}

/*
 * Turn SVM off on this CPU. GIF is left set (it is set unless we are inside
 * svm_vmrun), the pages stay for a later enable.
 */
void svm_cpu_disable(void)
{
	struct svm_cpu *c = svm_this_cpu();

	if (!c || !c->enabled)
		return;
	wrmsr(MSR_VM_HSAVE_PA, 0);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) & ~EFER_SVME);
	c->enabled = false;
}

static void svm_new_asid(struct svm_vcpu *sv, struct svm_cpu *c)
{
	if (c->next_asid > c->max_asid) {
		c->asid_generation++;
		c->next_asid = SVM_FIRST_ASID;
		sv->vmcb->control.tlb_control = TLB_CONTROL_FLUSH_ALL;
	}
	sv->asid = c->next_asid++;
	sv->asid_generation = c->asid_generation;
	sv->vmcb->control.asid = sv->asid;
}

/* Interrupts off, on the CPU about to VMRUN 'sv'. */
void svm_asid_prepare(struct svm_vcpu *sv, struct svm_cpu *c)
{
	s32 cpu = (s32)this_cpu_id();

	if (sv->last_cpu != cpu) {
		sv->asid_generation = 0;
		sv->last_cpu = cpu;
	}
	if (sv->asid_generation != c->asid_generation)
		svm_new_asid(sv, c);
}
