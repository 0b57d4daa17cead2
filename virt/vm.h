/* SPDX-License-Identifier: MIT */
/*
 * A virtual machine: its memory slots, vCPUs, devices, state and statistics.
 * A VM that breaks a rule, triple-faults or runs past its timeout is stopped
 * alone (vm_stop); the others go on.
 * Field annotations: (c) constant after creation, [l] under vm->lock,
 * (a) atomic from any CPU.
 */
#ifndef TERN_VIRT_VM_H
#define TERN_VIRT_VM_H

#include "kernel/rwlock.h"
#include "kernel/spinlock.h"
#include "lib/types.h"
#include "virt/memslot.h"
#include "virt/vcpu.h"

#define VM_NAME_MAX 32
#define VM_MAX_VCPUS 8
#define MAX_VMS 8
#define VM_REASON_MAX 128

/*
 * A VM's exit status follows QEMU's isa-debug-exit: a guest writing v to port
 * 0xf4 ends with status (v << 1) | 1, so 1 (v = 0) is success. Statuses Tern
 * sets itself are above 0xff so they can never be mistaken for a guest's.
 */
#define VM_STATUS_SUCCESS 1
#define VM_STATUS_TRIPLE_FAULT 0x100
#define VM_STATUS_TIMEOUT 0x101
#define VM_STATUS_RULE_BROKEN 0x102 /* unhandled exit, bad state, Tern could not go on */
#define VM_STATUS_ENTRY_FAILED 0x103
#define VM_STATUS_LOAD_FAILED 0x104
#define VM_STATUS_HALTED 0x105       /* HLT with interrupts off: can never wake */

enum vm_state {
	VM_CREATED,
	VM_RUNNING,
	VM_STOPPED,
};

struct vm_stats {
	u64 unassigned_io_reads;
	u64 unassigned_io_writes;
	u64 unassigned_mmio_reads;
	u64 unassigned_mmio_writes;
	u64 injected_gp;
	u64 injected_ud;
};

struct vm_devices; /* virt/dev/devices.h */
struct tdp_mmu;    /* mm/tdp/tdp_mmu.h */
struct vm_reclaim; /* mm/reclaim/evict.c */

struct vm {
	u32 id;                        /* (c) */
	char name[VM_NAME_MAX];        /* (c) */
	u64 mem_bytes;                 /* (c) guest RAM at creation */
	/*
	 * [s] read under slots_lock held for read (fault path, guest memory
	 * access), changed under it held for write (virt/vm_mem.c); the
	 * generation is also read locklessly by the MMIO fast path.
	 */
	rwlock_t slots_lock;
	struct memslots slots;         /* [s] */
	u32 nr_vcpus;                  /* (c) */
	struct vcpu *vcpus[VM_MAX_VCPUS]; /* (c) */
	u64 deadline_tsc;              /* (c) 0: no timeout */
	u64 timeout_s;                 /* (c) */
	u64 tsc_offset;                /* (c) guest TSC = host TSC + offset at reset */
	spinlock_t lock;
	enum vm_state state;           /* [l] */
	int exit_status;               /* [l] valid once stopped */
	char stop_reason[VM_REASON_MAX]; /* [l] */
	u32 vcpus_running;             /* (a) */
	u32 vcpus_retired;             /* (a) vCPUs whose run loop has ended */
	struct vm_devices *devs;       /* (c) */
	struct vm_stats stats;         /* (a) */
	paddr_t tdp_root;              /* (c) EPT PML4 / NPT nCR3 */
	struct tdp_mmu *mmu;           /* (c) second-level MMU (mm/tdp) */
	u64 tdp_pages_cap;             /* (c) table pages the MMU may use */
	int tdp_max_leaf;              /* (c) largest leaf level for this VM (0: any) */
	u64 maxmem_bytes;              /* (c) resident limit (maxmem=); 0: not reclaimable */
	struct vm_reclaim *reclaim;    /* (c) overcommit state (mm/reclaim/evict.h), or NULL */
	void *arch;                    /* (c) vendor per-VM state */
};

/* Stop the VM with 'status' and a reason; the first call wins. */
void vm_stop(struct vm *vm, int status, const char *fmt, ...) __printf(3, 4);
bool vm_stopped(const struct vm *vm);

/*
 * Guest-physical memory access for loaders, devices and the emulator.
 * Return 0, or -E_NOENT when part of the range has no memory slot. Writes
 * allocate backing on demand; reads of never-written RAM give zeros. They
 * take vm->slots_lock for read: do not call them with it held.
 */
int vm_read_gpa(struct vm *vm, u64 gpa, void *buf, size_t len);
int vm_write_gpa(struct vm *vm, u64 gpa, const void *buf, size_t len);
/* Zero a range: never-populated RAM stays unpopulated (it reads as zeros). */
int vm_zero_gpa(struct vm *vm, u64 gpa, size_t len);
/*
 * Host virtual address of 'gpa' if RAM-backed and populated (valid to the end
 * of its page, and only while the caller holds vm->slots_lock).
 */
void *vm_gpa_to_hva(struct vm *vm, u64 gpa);

#endif
