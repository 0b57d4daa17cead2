/* SPDX-License-Identifier: MIT */
/*
 * AP bring-up and cross-CPU calls. APs are started one at a time so a single
 * trampoline parameter block and a plain handshake suffice. An AP first runs
 * on small private page tables (the trampoline page identity-mapped plus the
 * kernel's upper half, shared) and switches to the kernel's own tables as
 * soon as it is in the higher half: the kernel tables never map low memory
 * executable, and no table page must be allocated late. An AP that does
 * not come online in time is sent INIT again, which parks it in
 * wait-for-SIPI so it can never run later on a stack or parameters that have
 * been handed to the next CPU. Cross-CPU calls use one mailbox per target
 * with sequence numbers, so a waiting sender knows exactly when its own call
 * (not a later one) has finished, and every wait is bounded.
 */
#include "kernel/smp.h"

#include "kernel/work.h"

#include "arch/x86/acpi.h"
#include "arch/x86/cr.h"
#include "arch/x86/irqflags.h"
#include "arch/x86/lapic.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/pgtable.h"
#include "boot/layout.h"
#include "kernel/percpu.h"
#include "kernel/power.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "lib/string.h"
#include "mm/phys.h"

#define AP_STACK_SIZE	 KiB(16)
#define TRAMPOLINE_LIMIT MiB(1) /* a SIPI vector names a page below 1 MiB */
#define CR3_32BIT_LIMIT	 GiB(4) /* the trampoline loads CR3 in 32-bit mode */
#define PML4_KERNEL_HALF 256	/* first PML4 slot of the upper half */
#define AP_TABLE_FLAGS	 (PTE_P | PTE_W)
#define AP_TRAMP_FLAGS	 PTE_P /* read + execute, not global: gone with CR3 */
#define LEVEL_PML4	 4
#define LEVEL_PDPT	 3
#define LEVEL_PD	 2
#define LEVEL_PT	 1
#define TRAMP_CODE32	 0x08 /* selectors of the GDT in boot/trampoline.asm */
#define TRAMP_CODE64	 0x18
/* CR0 bits the AP copies from the BSP; INIT's CD and NW are left clear. */
#define CR0_AP_BITS (CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG)

#define INIT_SETTLE_US	     10000 /* INIT to first SIPI (MP spec: 10 ms) */
#define SIPI_RETRY_US	     200   /* first to second SIPI */
#define AP_ONLINE_TIMEOUT_US 2000000
#define STOP_TIMEOUT_US	     200000

/* Layout of the block at smp_trampoline_params (boot/trampoline.asm). */
struct trampoline_params {
	u16 gdt_limit;
	u32 gdt_base;
	u32 pm_jump_offset; /* far pointer to the 32-bit code */
	u16 pm_jump_selector;
	u32 lm_jump_offset; /* far pointer to the 64-bit code */
	u16 lm_jump_selector;
	u32 cr3;
	u32 cr0;
	u32 efer_or;
	u64 stack;
	u64 entry;
	u64 arg;
} __packed;

extern const u8 smp_trampoline_start[], smp_trampoline_end[], smp_trampoline_params[];
extern const u8 smp_trampoline_pm_entry[], smp_trampoline_lm_entry[];
extern const u8 smp_trampoline_gdt[], smp_trampoline_gdt_end[];

/* One mailbox per target CPU. (l): written under lock while posted == taken. */
struct call_slot {
	spinlock_t lock;    /* serializes senders */
	void (*fn)(void *); /* (l) */
	void *arg;	    /* (l) */
	u64 posted;	    /* (a) number of the last call posted */
	u64 taken;	    /* (a) number of the last call the target picked up */
	u64 done;	    /* (a) number of the last call that returned */
} __aligned(64);

static u8 ap_stacks[MAX_CPUS][AP_STACK_SIZE] __aligned(16);
/* The APs' first page tables, in the image so they sit below 4 GiB. */
static u64 ap_pml4[PT_ENTRIES] __aligned(PAGE_SIZE);
static u64 ap_pdpt[PT_ENTRIES] __aligned(PAGE_SIZE);
static u64 ap_pd[PT_ENTRIES] __aligned(PAGE_SIZE);
static u64 ap_pt[PT_ENTRIES] __aligned(PAGE_SIZE);
static struct call_slot call_slots[MAX_CPUS];
static struct trampoline_params *tramp; /* (c) the copy's parameters, direct map */
static paddr_t tramp_pa;		/* (c) */
static u32 ap_expected_apic;		/* (a) APIC ID of the AP being started */
static bool ap_alive;			/* (a) that AP reached C code */

static u32 tramp_offset(const u8 *label)
{
	return (u32)(label - smp_trampoline_start);
}

static u64 stack_top(u32 cpu)
{
	return (u64)(uintptr_t)&ap_stacks[cpu][AP_STACK_SIZE];
}

/* Identity-map the trampoline page and share the kernel's upper half. */
static int ap_tables_build(paddr_t pa)
{
	const u64 *kernel_pml4 = phys_to_virt(paging_root());
	paddr_t root = kimage_to_phys(ap_pml4);

	if (root >= CR3_32BIT_LIMIT) {
		pr_err("error: smp: AP page tables at %#llx are above 4 GiB\n",
		       (unsigned long long)root);
		return -E_RANGE;
	}
	memset(ap_pml4, 0, sizeof(ap_pml4));
	for (int i = PML4_KERNEL_HALF; i < PT_ENTRIES; i++)
		ap_pml4[i] = kernel_pml4[i];
	ap_pml4[PT_INDEX(pa, LEVEL_PML4)] = kimage_to_phys(ap_pdpt) | AP_TABLE_FLAGS;
	ap_pdpt[PT_INDEX(pa, LEVEL_PDPT)] = kimage_to_phys(ap_pd) | AP_TABLE_FLAGS;
	ap_pd[PT_INDEX(pa, LEVEL_PD)] = kimage_to_phys(ap_pt) | AP_TABLE_FLAGS;
	ap_pt[PT_INDEX(pa, LEVEL_PT)] = pa | AP_TRAMP_FLAGS;
	tramp->cr3 = (u32)root;
	return 0;
}

static int trampoline_setup(paddr_t pa)
{
	size_t size = (size_t)(smp_trampoline_end - smp_trampoline_start);
	u8 *page;

	if (!pa || !IS_ALIGNED(pa, PAGE_SIZE) || pa + PAGE_SIZE > TRAMPOLINE_LIMIT) {
		pr_err("error: smp: trampoline page %#llx is not a page below 1 MiB\n",
		       (unsigned long long)pa);
		return -E_INVAL;
	}
	if ((size_t)(smp_trampoline_end - smp_trampoline_params) != sizeof(*tramp)) {
		pr_err("error: smp: trampoline parameter block does not match its C layout\n");
		return -E_INVAL;
	}
	page = phys_to_virt(pa);
	memcpy(page, smp_trampoline_start, size);
	tramp = (struct trampoline_params *)(page + tramp_offset(smp_trampoline_params));
	tramp->gdt_limit = (u16)(smp_trampoline_gdt_end - smp_trampoline_gdt - 1);
	tramp->gdt_base = (u32)pa + tramp_offset(smp_trampoline_gdt);
	tramp->pm_jump_offset = (u32)pa + tramp_offset(smp_trampoline_pm_entry);
	tramp->pm_jump_selector = TRAMP_CODE32;
	tramp->lm_jump_offset = (u32)pa + tramp_offset(smp_trampoline_lm_entry);
	tramp->lm_jump_selector = TRAMP_CODE64;
	tramp->cr0 = (u32)(read_cr0() & CR0_AP_BITS);
	tramp->efer_or = (u32)(EFER_LME | (rdmsr(MSR_EFER) & EFER_NXE));
	tramp_pa = pa;
	/* Paging comes on while the AP runs from this page: identity-map it. */
	return ap_tables_build(pa);
}

static __noreturn void ap_entry(u64 cpu)
{
	u32 apic = __atomic_load_n(&ap_expected_apic, __ATOMIC_ACQUIRE);

	/* The kernel half is the same in both tables: switch before anything. */
	write_cr3(paging_root());
	__atomic_store_n(&ap_alive, true, __ATOMIC_RELEASE);
	percpu_setup((u32)cpu, apic);
	cpus[cpu].stack_top = stack_top((u32)cpu);
	lapic_init_ap();
	if (lapic_id() != apic)
		pr_warn("warning: smp: CPU %llu has APIC ID %u, MADT said %u\n",
			(unsigned long long)cpu, lapic_id(), apic);
	__atomic_add_fetch(&nr_cpus_online, 1, __ATOMIC_ACQ_REL);
	__atomic_store_n(&cpus[cpu].online, true, __ATOMIC_RELEASE);
	/* Idle: IPIs, timers and posted work (such as vCPUs) are served from here. */
	cpu_idle_loop();
}

static int send_sipis(u32 apic_id)
{
	u8 vector = (u8)(tramp_pa >> PAGE_SHIFT);
	struct timeout t;
	int err = lapic_send_sipi(apic_id, vector);

	if (err)
		return err;
	timeout_start(&t, SIPI_RETRY_US);
	while (!timeout_expired(&t))
		if (__atomic_load_n(&ap_alive, __ATOMIC_ACQUIRE))
			return 0;
	/* A CPU already running ignores the second SIPI. */
	return lapic_send_sipi(apic_id, vector);
}

static bool start_ap(u32 cpu, u32 apic_id)
{
	struct timeout t;
	int err;

	tramp->stack = stack_top(cpu);
	tramp->entry = (u64)(uintptr_t)ap_entry;
	tramp->arg = cpu;
	__atomic_store_n(&ap_expected_apic, apic_id, __ATOMIC_RELEASE);
	__atomic_store_n(&ap_alive, false, __ATOMIC_RELEASE);
	err = lapic_send_init(apic_id);
	if (!err) {
		udelay(INIT_SETTLE_US);
		err = send_sipis(apic_id);
	}
	if (err) {
		pr_err("error: smp: APIC ID %u: IPI not delivered (%s)\n", apic_id, err_name(err));
		return false;
	}
	timeout_start(&t, AP_ONLINE_TIMEOUT_US);
	while (!__atomic_load_n(&cpus[cpu].online, __ATOMIC_ACQUIRE)) {
		if (timeout_expired(&t)) {
			pr_err("error: smp: APIC ID %u %s within %llu ms; parking it with INIT\n",
			       apic_id,
			       __atomic_load_n(&ap_alive, __ATOMIC_ACQUIRE)
				       ? "started but did not come online"
				       : "did not answer INIT-SIPI-SIPI",
			       (unsigned long long)AP_ONLINE_TIMEOUT_US / 1000);
			lapic_send_init(apic_id);
			return false;
		}
		cpu_relax();
	}
	return true;
}

static bool listed_before(u32 i)
{
	for (u32 j = 0; j < i; j++)
		if (acpi_platform.apic_ids[j] == acpi_platform.apic_ids[i])
			return true;
	return false;
}

static void start_all_aps(u32 bsp_apic)
{
	u32 next_cpu = 1;

	for (u32 i = 0; i < acpi_platform.nr_cpus && next_cpu < MAX_CPUS; i++) {
		u32 apic = acpi_platform.apic_ids[i];

		if (apic == bsp_apic)
			continue;
		if (listed_before(i)) {
			pr_warn("warning: smp: APIC ID %u listed twice in the MADT\n", apic);
			continue;
		}
		if (start_ap(next_cpu, apic))
			next_cpu++;
	}
}

static void ipi_call_irq(struct irq_frame *f);
static void ipi_stop_irq(struct irq_frame *f);

static u32 count_present(u32 bsp_apic)
{
	u32 present = 0;
	bool bsp_listed = false;

	for (u32 i = 0; i < acpi_platform.nr_cpus; i++) {
		if (acpi_platform.apic_ids[i] == bsp_apic)
			bsp_listed = true;
		if (!listed_before(i))
			present++;
	}
	if (!bsp_listed) {
		pr_warn("warning: smp: the boot CPU (APIC ID %u) is not in the MADT\n", bsp_apic);
		present++;
	}
	return MIN(present, (u32)MAX_CPUS);
}

static bool nmi_stop(struct irq_frame *f);

int smp_init(paddr_t trampoline_pa)
{
	u32 bsp_apic = lapic_id();
	int err = 0;

	cpus[0].apic_id = bsp_apic;
	__atomic_store_n(&cpus[0].online, true, __ATOMIC_RELEASE);
	__atomic_store_n(&nr_cpus_online, 1, __ATOMIC_RELEASE);
	nr_cpus_present = count_present(bsp_apic);
	irq_register(VECTOR_IPI_CALL, ipi_call_irq);
	irq_register(VECTOR_IPI_STOP, ipi_stop_irq);
	nmi_set_handler(nmi_stop);
	if (nr_cpus_present > 1) {
		err = trampoline_setup(trampoline_pa);
		if (!err)
			start_all_aps(bsp_apic);
	}
	pr_info("smp: %u of %u CPUs online\n", __atomic_load_n(&nr_cpus_online, __ATOMIC_ACQUIRE),
		nr_cpus_present);
	return err;
}

/* ---- cross-CPU calls ---- */

static void ipi_call_irq(struct irq_frame *f)
{
	u32 me = this_cpu_id();
	struct call_slot *s = &call_slots[me];
	u64 seq;

	(void)f;
	lapic_eoi();
	/* A call posted after this point sends a new IPI; none is lost. */
	while ((seq = __atomic_load_n(&s->posted, __ATOMIC_ACQUIRE)) != s->taken) {
		void (*fn)(void *) = s->fn;
		void *arg = s->arg;

		__atomic_store_n(&s->taken, seq, __ATOMIC_RELEASE); /* slot free again */
		fn(arg);
		__atomic_store_n(&s->done, seq, __ATOMIC_RELEASE);
		__atomic_add_fetch(&cpus[me].ipi_calls, 1, __ATOMIC_RELAXED);
	}
}

static int post_call(u32 cpu, void (*fn)(void *), void *arg, u64 *seq)
{
	struct call_slot *s = &call_slots[cpu];
	unsigned long flags = spin_lock_irqsave(&s->lock);
	struct timeout t;

	/* The previous call must have been picked up before fn/arg change. */
	timeout_start(&t, SMP_CALL_TIMEOUT_US);
	while (__atomic_load_n(&s->taken, __ATOMIC_ACQUIRE) != s->posted) {
		if (timeout_expired(&t)) {
			spin_unlock_irqrestore(&s->lock, flags);
			return -E_BUSY;
		}
		cpu_relax();
	}
	s->fn = fn;
	s->arg = arg;
	*seq = s->posted + 1;
	__atomic_store_n(&s->posted, *seq, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&s->lock, flags);
	return lapic_send_ipi(IPI_DEST_ONE, cpus[cpu].apic_id, VECTOR_IPI_CALL);
}

static int wait_call(u32 cpu, u64 seq)
{
	struct timeout t;

	timeout_start(&t, SMP_CALL_TIMEOUT_US);
	while (__atomic_load_n(&call_slots[cpu].done, __ATOMIC_ACQUIRE) < seq) {
		if (timeout_expired(&t))
			return -E_TIMEOUT;
		cpu_relax();
	}
	return 0;
}

static void run_here(void (*fn)(void *), void *arg)
{
	unsigned long flags = irq_save();

	fn(arg); /* same context as an IPI: interrupts off */
	irq_restore(flags);
}

static bool is_online(u32 cpu)
{
	return cpu < MAX_CPUS && __atomic_load_n(&cpus[cpu].online, __ATOMIC_ACQUIRE);
}

int smp_call_on(u32 cpu, void (*fn)(void *), void *arg, bool wait)
{
	u64 seq;
	int err;

	if (cpus_ready() && cpu == this_cpu_id()) {
		run_here(fn, arg);
		return 0;
	}
	if (!is_online(cpu))
		return -E_NOENT;
	err = post_call(cpu, fn, arg, &seq);
	if (!err && wait)
		err = wait_call(cpu, seq);
	return err;
}

int smp_call_all(void (*fn)(void *), void *arg, bool wait)
{
	static u64 seqs[MAX_CPUS]; /* guarded by call_all_lock */
	static spinlock_t call_all_lock = SPINLOCK_INIT;
	u32 me = this_cpu_id();
	int err = 0, e;

	spin_lock(&call_all_lock);
	for (u32 cpu = 0; cpu < MAX_CPUS; cpu++) {
		seqs[cpu] = 0;
		if (cpu == me || !is_online(cpu))
			continue;
		e = post_call(cpu, fn, arg, &seqs[cpu]);
		if (e) {
			pr_err("error: smp: call to CPU %u failed (%s)\n", cpu, err_name(e));
			seqs[cpu] = 0;
			err = err ? err : e;
		}
	}
	run_here(fn, arg);
	for (u32 cpu = 0; wait && cpu < MAX_CPUS; cpu++) {
		if (!seqs[cpu])
			continue;
		e = wait_call(cpu, seqs[cpu]);
		if (e) {
			pr_err("error: smp: CPU %u did not finish a call (%s)\n", cpu, err_name(e));
			err = err ? err : e;
		}
	}
	spin_unlock(&call_all_lock);
	return err;
}

/* ---- stopping ---- */

static u32 cpus_stopped; /* (a) */
static bool stopping;     /* (a) an NMI now means "stop" */

static __noreturn void stop_this_cpu(void)
{
	__atomic_store_n(&this_cpu()->online, false, __ATOMIC_RELEASE);
	__atomic_sub_fetch(&nr_cpus_online, 1, __ATOMIC_ACQ_REL);
	__atomic_add_fetch(&cpus_stopped, 1, __ATOMIC_ACQ_REL);
	halt_forever();
}

static void ipi_stop_irq(struct irq_frame *f)
{
	(void)f;
	lapic_eoi();
	stop_this_cpu();
}

/* The fallback for a CPU spinning with interrupts off: NMIs get through. */
static bool nmi_stop(struct irq_frame *f)
{
	(void)f;
	if (!__atomic_load_n(&stopping, __ATOMIC_ACQUIRE) || !this_cpu()->online)
		return false;
	stop_this_cpu();
}

static u32 nmi_stragglers(u32 me)
{
	u32 sent = 0;

	for (u32 cpu = 0; cpu < MAX_CPUS; cpu++)
		if (cpu != me && is_online(cpu) && !lapic_send_nmi(IPI_DEST_ONE, cpus[cpu].apic_id))
			sent++;
	return sent;
}

void smp_stop_others(void)
{
	u32 me, sent = 0, start;
	bool nmi_sent = false;
	struct timeout t;

	if (!lapic_ready() || !cpus_ready())
		return;
	__atomic_store_n(&stopping, true, __ATOMIC_RELEASE);
	me = this_cpu_id();
	start = __atomic_load_n(&cpus_stopped, __ATOMIC_ACQUIRE);
	for (u32 cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (cpu == me || !is_online(cpu))
			continue;
		if (!lapic_send_ipi(IPI_DEST_ONE, cpus[cpu].apic_id, VECTOR_IPI_STOP))
			sent++;
	}
	timeout_start(&t, STOP_TIMEOUT_US);
	while (__atomic_load_n(&cpus_stopped, __ATOMIC_ACQUIRE) - start < sent) {
		if (timeout_expired(&t)) {
			if (!nmi_sent) { /* someone has interrupts off: NMI them */
				nmi_sent = nmi_stragglers(me) > 0;
				timeout_start(&t, STOP_TIMEOUT_US);
				continue;
			}
			pr_warn("warning: smp: %u of %u CPUs did not stop, even by NMI\n",
				sent - (__atomic_load_n(&cpus_stopped, __ATOMIC_ACQUIRE) - start),
				sent);
			return;
		}
		cpu_relax();
	}
	if (sent)
		pr_info("smp: stopped %u other CPU%s%s\n", sent, sent == 1 ? "" : "s",
			nmi_sent ? " (some by NMI)" : "");
}
