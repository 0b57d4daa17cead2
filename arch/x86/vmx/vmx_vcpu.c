/* SPDX-License-Identifier: MIT */
/*
 * VMCS life cycle: creating a vCPU's VMCS with its controls, bitmaps, host
 * state and the architectural reset state (SDM Vol. 3A 9.1.1: real mode at
 * F000:FFF0), loading it on a CPU and clearing it again. A VMCS is active on
 * at most one CPU: vcpu_init leaves it clear, the first vmx_vcpu_load on a
 * CPU makes it active there and writes that CPU's host state; a load on
 * another CPU is refused until vmx_vcpu_put (VMCLEAR) ran on the first.
 * VPIDs are allocated one per vCPU from a bitmap (VPID 0 is the host's).
 */
#include "arch/x86/cr.h"
#include "arch/x86/gdt.h"
#include "arch/x86/idt.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmx/vmx_int.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/objcache.h"
#include "mm/phys.h"
#include "virt/vm.h"

#define VPID_COUNT 65536
#define IO_BITMAP_ORDER 1 /* A (ports 0-0x7FFF) and B (0x8000-0xFFFF) */
#define RESET_CS_SEL 0xF000
#define RESET_CS_BASE 0xFFFF0000ull
#define RESET_RIP 0xFFF0
#define RESET_LIMIT 0xFFFF
#define RESET_CR0 (CR0_CD | CR0_NW | CR0_ET)
#define AR_CODE_RESET \
	(SEG_AR_P | SEG_AR_S | SEG_AR_TYPE_CODE | SEG_AR_TYPE_RW | SEG_AR_TYPE_ACCESSED)
#define AR_DATA_RESET (SEG_AR_P | SEG_AR_S | SEG_AR_TYPE_RW | SEG_AR_TYPE_ACCESSED)
#define AR_LDT (SEG_AR_P | 0x2)       /* system segment type 2: LDT */
#define AR_TSS_BUSY (SEG_AR_P | 0xB) /* system segment type 11: busy TSS */
#define SEL_RPL_TI_MASK 0x7

_Static_assert(sizeof(struct vmx_vcpu) <= KMALLOC_MAX_SIZE, "struct vmx_vcpu comes from kmalloc");

static u64 vpid_bitmap[VPID_COUNT / 64];
static spinlock_t vpid_lock = SPINLOCK_INIT;

static u16 vpid_alloc(void)
{
	u16 vpid = 0;

	spin_lock(&vpid_lock);
	for (u32 i = 1; i < VPID_COUNT; i++) {
		if (!(vpid_bitmap[i / 64] & BIT(i % 64))) {
			vpid_bitmap[i / 64] |= BIT(i % 64);
			vpid = (u16)i;
			break;
		}
	}
	spin_unlock(&vpid_lock);
	return vpid;
}

static void vpid_free(u16 vpid)
{
	if (!vpid)
		return;
	spin_lock(&vpid_lock);
	vpid_bitmap[vpid / 64] &= ~BIT(vpid % 64);
	spin_unlock(&vpid_lock);
}

struct dt_ptr {
	u16 limit;
	u64 base;
} __packed;

static u16 read_fs_sel(void)
{
	u16 s;

	asm volatile("mov %%fs, %0" : "=r"(s));
	return s;
}

static u16 read_gs_sel(void)
{
	u16 s;

	asm volatile("mov %%gs, %0" : "=r"(s));
	return s;
}

/* Host state: this CPU's tables and control registers; the RIP of the exit stub. */
void vmx_write_host_state(void)
{
	struct percpu *p = this_cpu();
	struct dt_ptr idtr;

	asm volatile("sidt %0" : "=m"(idtr));
	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vmcs_write(VMCS_HOST_CR3, read_cr3());
	vmcs_write(VMCS_HOST_CR4, read_cr4());
	vmcs_write(VMCS_HOST_CS_SEL, GDT_KERNEL_CODE);
	vmcs_write(VMCS_HOST_SS_SEL, GDT_KERNEL_DATA);
	vmcs_write(VMCS_HOST_DS_SEL, GDT_KERNEL_DATA);
	vmcs_write(VMCS_HOST_ES_SEL, GDT_KERNEL_DATA);
	vmcs_write(VMCS_HOST_FS_SEL, read_fs_sel() & ~SEL_RPL_TI_MASK);
	vmcs_write(VMCS_HOST_GS_SEL, read_gs_sel() & ~SEL_RPL_TI_MASK);
	vmcs_write(VMCS_HOST_TR_SEL, GDT_TSS);
	vmcs_write(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	vmcs_write(VMCS_HOST_GS_BASE, (u64)(uintptr_t)p);
	vmcs_write(VMCS_HOST_TR_BASE, (u64)(uintptr_t)&p->tables.tss);
	vmcs_write(VMCS_HOST_GDTR_BASE, (u64)(uintptr_t)p->tables.gdt);
	vmcs_write(VMCS_HOST_IDTR_BASE, idtr.base);
	vmcs_write(VMCS_HOST_SYSENTER_CS, rdmsr(MSR_IA32_SYSENTER_CS));
	vmcs_write(VMCS_HOST_SYSENTER_ESP, rdmsr(MSR_IA32_SYSENTER_ESP));
	vmcs_write(VMCS_HOST_SYSENTER_EIP, rdmsr(MSR_IA32_SYSENTER_EIP));
	vmcs_write(VMCS_HOST_EFER, rdmsr(MSR_EFER));
	vmcs_write(VMCS_HOST_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_write(VMCS_HOST_RIP, (u64)(uintptr_t)vmx_vmexit_landing);
}

static void setup_controls(struct vmx_vcpu *x)
{
	u32 proc2 = vmx_caps.proc2_ctls;

	if (!x->vpid)
		proc2 &= ~PROC2_VPID;
	x->proc_ctls = vmx_caps.proc_ctls;
	x->entry_ctls = vmx_caps.entry_ctls;
	vmcs_write(VMCS_PIN_CTLS, vmx_caps.pin_ctls);
	vmcs_write(VMCS_PROC_CTLS, x->proc_ctls);
	vmcs_write(VMCS_PROC_CTLS2, proc2);
	vmcs_write(VMCS_EXIT_CTLS, vmx_caps.exit_ctls);
	vmcs_write(VMCS_ENTRY_CTLS, x->entry_ctls);
	vmcs_write(VMCS_EXCEPTION_BITMAP, BIT(EXC_MC));
	vmcs_write(VMCS_PF_ERROR_MASK, 0);
	vmcs_write(VMCS_PF_ERROR_MATCH, 0);
	vmcs_write(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_write(VMCS_IO_BITMAP_A, virt_to_phys(x->io_bitmap));
	vmcs_write(VMCS_IO_BITMAP_B, virt_to_phys(x->io_bitmap + PAGE_SIZE));
	vmcs_write(VMCS_MSR_BITMAP, virt_to_phys(x->msr_bitmap));
	vmcs_write(VMCS_TSC_OFFSET, 0);
	if (x->vpid)
		vmcs_write(VMCS_VPID, x->vpid);
	if (x->vapic) {
		vmcs_write(VMCS_VIRTUAL_APIC_ADDR, virt_to_phys(x->vapic));
		vmcs_write(VMCS_TPR_THRESHOLD, 0);
	}
	/* Every CR0/CR4 bit is host-owned: reads see the shadow, changes exit. */
	vmcs_write(VMCS_CR0_MASK, ~0ull);
	vmcs_write(VMCS_CR4_MASK, ~0ull);
	vmcs_write(VMCS_LINK_POINTER, VMCS_LINK_POINTER_NONE);
}

static void reset_segment(enum seg s, u16 sel, u64 base, u32 ar)
{
	vmcs_write(VMCS_GUEST_SEL(s), sel);
	vmcs_write(VMCS_GUEST_BASE(s), base);
	vmcs_write(VMCS_GUEST_LIMIT(s), RESET_LIMIT);
	vmcs_write(VMCS_GUEST_AR(s), ar);
}

/* The state after RESET/INIT (SDM Vol. 3A table 9-1). */
static void reset_guest_state(struct vcpu *v)
{
	for (int s = SEG_ES; s <= SEG_GS; s++)
		reset_segment(s, 0, 0, AR_DATA_RESET);
	reset_segment(SEG_CS, RESET_CS_SEL, RESET_CS_BASE, AR_CODE_RESET);
	reset_segment(SEG_LDTR, 0, 0, AR_LDT);
	reset_segment(SEG_TR, 0, 0, AR_TSS_BUSY);
	vmcs_write(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, RESET_LIMIT);
	vmcs_write(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, RESET_LIMIT);
	vmcs_write(VMCS_CR0_READ_SHADOW, RESET_CR0);
	vmcs_write(VMCS_GUEST_CR0, vmx_fix_cr0(RESET_CR0, true));
	vmcs_write(VMCS_CR4_READ_SHADOW, 0);
	vmcs_write(VMCS_GUEST_CR4, vmx_fix_cr4(0));
	vmcs_write(VMCS_GUEST_CR3, 0);
	vmcs_write(VMCS_GUEST_EFER, 0);
	vmcs_write(VMCS_GUEST_PAT, PAT_RESET);
	vmcs_write(VMCS_GUEST_DR7, DR7_RESET);
	vmcs_write(VMCS_GUEST_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(VMCS_GUEST_PENDING_DBG, 0);
	vmcs_write(VMCS_GUEST_RSP, 0);
	vmcs_write(VMCS_GUEST_RIP, RESET_RIP);
	vmcs_write(VMCS_GUEST_RFLAGS, RFLAGS_FIXED1);
	v->rip = RESET_RIP;
	v->rflags = RFLAGS_FIXED1;
	v->gpr[GPR_RSP] = 0;
}

int vmx_vcpu_load(struct vmx_vcpu *x)
{
	struct vmx_cpu *c = vmx_this_cpu();
	u32 cpu = this_cpu_id();

	if (c->loaded == x)
		return 0;
	if (!c->on) {
		pr_err("vmx: cpu %u is not in VMX operation (cpu_enable not called)\n", cpu);
		return -E_INVAL;
	}
	if (x->cpu != VMX_CPU_NONE && x->cpu != cpu) {
		pr_err("vmx: vcpu %u: VMCS active on cpu %u, used on cpu %u\n", x->vcpu->id,
		       x->cpu, cpu);
		return -E_BUSY;
	}
	if (vmcs_load(x->vmcs_pa))
		return -E_INVAL;
	c->loaded = x;
	if (x->cpu != cpu) {
		x->cpu = cpu;
		vmx_write_host_state();
		/* A VPID or EPTP may carry translations from a previous owner. */
		x->flush_pending = true;
	}
	return 0;
}

void vmx_vcpu_put(struct vmx_vcpu *x)
{
	struct vmx_cpu *c = vmx_this_cpu();

	if (x->cpu != this_cpu_id())
		return;
	vmcs_clear(x->vmcs_pa);
	if (c->loaded == x)
		c->loaded = NULL;
	x->cpu = VMX_CPU_NONE;
	x->launched = false;
}

static void free_vmx_vcpu(struct vmx_vcpu *x)
{
	if (x->vmcs)
		page_free_virt(x->vmcs, 0);
	if (x->msr_bitmap)
		page_free_virt(x->msr_bitmap, 0);
	if (x->io_bitmap)
		page_free_virt(x->io_bitmap, IO_BITMAP_ORDER);
	if (x->vapic)
		page_free_virt(x->vapic, 0);
	vpid_free(x->vpid);
	kfree(x);
}

static int alloc_vmx_vcpu(struct vcpu *v, struct vmx_vcpu **out)
{
	struct vmx_vcpu *x = kzalloc(sizeof(*x));

	if (!x)
		return -E_NOMEM;
	x->vcpu = v;
	x->cpu = VMX_CPU_NONE;
	x->vmcs = page_alloc_zeroed_virt(0);
	x->msr_bitmap = page_alloc_zeroed_virt(0);
	x->io_bitmap = page_alloc_zeroed_virt(IO_BITMAP_ORDER);
	if (vmx_caps.proc_ctls & PROC_TPR_SHADOW)
		x->vapic = page_alloc_zeroed_virt(0);
	if (!x->vmcs || !x->msr_bitmap || !x->io_bitmap ||
	    (!x->vapic && (vmx_caps.proc_ctls & PROC_TPR_SHADOW))) {
		free_vmx_vcpu(x);
		return -E_NOMEM;
	}
	x->vmcs_pa = virt_to_phys(x->vmcs);
	vmcs_region_init(x->vmcs, vmx_caps.revision);
	memset(x->io_bitmap, 0xFF, PAGE_SIZE << IO_BITMAP_ORDER); /* every port exits */
	vmx_msr_bitmap_init(x->msr_bitmap);
	if (vmx_caps.vpid)
		x->vpid = vpid_alloc();
	*out = x;
	return 0;
}

int vmx_vcpu_init(struct vcpu *v)
{
	struct vmx_vcpu *x;
	unsigned long flags;
	int err = alloc_vmx_vcpu(v, &x);

	if (err)
		return err;
	v->arch = x;
	flags = irq_save();
	err = vmcs_clear(x->vmcs_pa) ?: vmx_vcpu_load(x);
	if (!err) {
		setup_controls(x);
		reset_guest_state(v);
		/* Leave it clear so the vCPU's own CPU can load it. */
		vmx_vcpu_put(x);
	}
	irq_restore(flags);
	if (err) {
		v->arch = NULL;
		free_vmx_vcpu(x);
	}
	return err;
}

static void remote_put(void *arg)
{
	vmx_vcpu_put(arg);
}

void vmx_vcpu_release(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);

	if (x && x->cpu == this_cpu_id())
		vmx_vcpu_put(x);
}

void vmx_vcpu_destroy(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);

	if (!x)
		return;
	if (x->cpu == this_cpu_id())
		vmx_vcpu_put(x);
	else if (x->cpu != VMX_CPU_NONE)
		smp_call_on(x->cpu, remote_put, x, true);
	vmx_cpu_forget(x);
	v->arch = NULL;
	free_vmx_vcpu(x);
}

/* Per VM there is nothing to allocate: the EPTP is built from vm->tdp_root at run. */
int vmx_vm_init(struct vm *vm)
{
	(void)vm;
	return vmx_caps_probe() ? 0 : -E_NOSUPP;
}

void vmx_vm_destroy(struct vm *vm)
{
	(void)vm;
}
