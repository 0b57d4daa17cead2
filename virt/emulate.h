/* SPDX-License-Identifier: MIT */
/*
 * MMIO access emulation: carries out a decoded guest instruction whose memory
 * operand hit an MMIO page (EPT violation / #NPF on a page without RAM), the
 * way the CPU would have, then advances RIP. Device and memory accesses go
 * through callbacks, so the same code runs in the hypervisor and in host
 * tests. Supported: MOV (88 89 8A 8B C6 C7 A0-A3), MOVZX/MOVSX, XCHG,
 * ADD/OR/ADC/SBB/AND/SUB/XOR/CMP (all r/m and immediate forms), TEST, NOT,
 * NEG, and STOS/LODS/MOVS with or without REP.
 */
#ifndef TERN_VIRT_EMULATE_H
#define TERN_VIRT_EMULATE_H

#include "lib/types.h"
#include "virt/decode.h"
#include "virt/vcpu.h"

/* RFLAGS bits the emulator reads or writes. */
#define RFLAGS_CF    BIT(0)
#define RFLAGS_PF    BIT(2)
#define RFLAGS_AF    BIT(4)
#define RFLAGS_ZF    BIT(6)
#define RFLAGS_SF    BIT(7)
#define RFLAGS_DF    BIT(10)
#define RFLAGS_OF    BIT(11)
#define RFLAGS_ARITH (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)

/*
 * Callbacks. Each returns 0 or a negative code; a negative code aborts the
 * emulation and is returned as is, with registers and RIP unchanged (a
 * callback that wants a #PF injected queues it and returns its own code).
 */
struct emu_ops {
	/* Device access at a guest-physical address, 1/2/4/8 bytes. */
	int (*mmio_read)(void *ctx, u64 gpa, u8 size, u64 *val);
	int (*mmio_write)(void *ctx, u64 gpa, u8 size, u64 val);
	/* Ordinary guest memory by linear address (MOVS's other operand). */
	int (*read_mem)(void *ctx, u64 gva, void *buf, size_t len);
	int (*write_mem)(void *ctx, u64 gva, const void *buf, size_t len);
	/* Linear to guest-physical, so MOVS knows which side is the device. */
	int (*translate)(void *ctx, u64 gva, bool write, u64 *gpa);
};

struct emu_ctx {
	const struct emu_ops *ops;
	void *opaque; /* first argument of every callback */
	u64 *gpr;     /* NR_GPRS registers in x86 encoding order */
	u64 *rip;
	u64 *rflags;
	u64 seg_base[NR_SEGS]; /* for string operands' linear addresses */
};

/*
 * Emulate 'in', whose memory operand faulted at 'fault_gpa' (the exact
 * guest-physical address of the access). Returns 0 (RIP advanced past the
 * instruction, or left on it when a REP string stopped at a page boundary
 * with iterations left), -E_NOSUPP for an instruction the emulator does not
 * know (inject #UD or stop the VM naming the bytes), -E_INVAL for a form
 * that cannot be an MMIO access (no memory operand, misplaced LOCK: #UD),
 * or a callback's error.
 */
int emulate_mmio(struct emu_ctx *c, const struct insn *in, u64 fault_gpa);

/* x86 arithmetic used by the emulator, exposed for tests: returns the result
 * of 'op' (enum emu_alu) on size-byte operands and updates *rflags. */
enum emu_alu {
	EMU_ALU_ADD,
	EMU_ALU_OR,
	EMU_ALU_ADC,
	EMU_ALU_SBB,
	EMU_ALU_AND,
	EMU_ALU_SUB,
	EMU_ALU_XOR,
	EMU_ALU_CMP,
	EMU_ALU_TEST,
	EMU_ALU_NEG,
};
u64 emu_alu(enum emu_alu op, u8 size, u64 a, u64 b, u64 *rflags);

#endif
