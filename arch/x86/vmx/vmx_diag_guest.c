/* SPDX-License-Identifier: MIT */
/*
 * The guest-state checks of VM entry (SDM Vol. 3C 26.3.1), run after an exit
 * with reason 33 (invalid guest state) to name the first broken rule: CR0/CR4
 * fixed bits (CR0.PE/PG exempt with unrestricted guest), EFER against the
 * IA-32e mode control, segment access rights of TR, LDTR, CS, SS and the data
 * segments (virtual-8086 and unrestricted-guest variants), limits against
 * granularity, bases, GDTR/IDTR, RIP, RFLAGS, activity and interruptibility
 * state, and the VMCS link pointer.
 */
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmx/vmx_diag.h"
#include "arch/x86/vmx/vmx_int.h"

#define AR_RESERVED (GENMASK(11, 8) | GENMASK(31, 17))
#define AR_TYPE(ar) ((ar) & SEG_AR_TYPE_MASK)
#define AR_DPL(ar) (((ar) & SEG_AR_DPL_MASK) >> SEG_AR_DPL_SHIFT)
#define SEL_TI BIT(2)
#define SEL_RPL(sel) ((sel) & 3u)
#define TYPE_LDT 2
#define TYPE_TSS16_BUSY 3
#define TYPE_TSS_BUSY 11
#define TYPE_DATA_RW_ACCESSED 3
#define TYPE_DATA_RW_DOWN_ACCESSED 7
#define TYPE_CODE_CONFORMING BIT(2)
#define V86_AR 0xF3u
#define V86_LIMIT 0xFFFFu
#define LIMIT_LOW_MASK 0xFFFu
#define LIMIT_HIGH_MASK 0xFFF00000u
#define DTABLE_LIMIT_MAX 0xFFFFu
#define UPPER32 GENMASK(63, 32)
#define PENDING_DBG_RESERVED (GENMASK(63, 17) | BIT(15) | BIT(13) | GENMASK(11, 4))
#define EFER_ALLOWED (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)

static const char *const seg_names[NR_SEGS] = { "ES", "CS", "SS", "DS", "FS", "GS", "LDTR", "TR" };

struct gstate {
	u64 cr0, cr4, efer, rflags, rip;
	u32 entry, proc2, intr_info;
	bool unrestricted, ia32e;
	struct segment seg[NR_SEGS];
};

static void read_state(struct gstate *g)
{
	u32 proc = vmcs_read32(VMCS_PROC_CTLS);

	g->cr0 = vmcs_read(VMCS_GUEST_CR0);
	g->cr4 = vmcs_read(VMCS_GUEST_CR4);
	g->efer = vmcs_read(VMCS_GUEST_EFER);
	g->rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	g->rip = vmcs_read(VMCS_GUEST_RIP);
	g->entry = vmcs_read32(VMCS_ENTRY_CTLS);
	g->proc2 = (proc & PROC_SECONDARY) ? vmcs_read32(VMCS_PROC_CTLS2) : 0;
	g->intr_info = vmcs_read32(VMCS_ENTRY_INTR_INFO);
	g->unrestricted = g->proc2 & PROC2_UNRESTRICTED_GUEST;
	g->ia32e = g->entry & ENTRY_IA32E_MODE;
	for (int s = 0; s < NR_SEGS; s++) {
		g->seg[s].selector = (u16)vmcs_read(VMCS_GUEST_SEL(s));
		g->seg[s].base = vmcs_read(VMCS_GUEST_BASE(s));
		g->seg[s].limit = vmcs_read32(VMCS_GUEST_LIMIT(s));
		g->seg[s].ar = vmcs_read32(VMCS_GUEST_AR(s));
	}
}

static const char *check_crs(struct diag_buf *d, const struct gstate *g)
{
	u64 fixed0 = vmx_caps.cr0_fixed0 & ~(g->unrestricted ? CR0_PE | CR0_PG : 0);

	DIAG_RULE(d, (g->cr0 & fixed0) == fixed0, "guest CR0 %#llx lacks fixed-1 bits %#llx",
		  (unsigned long long)g->cr0, (unsigned long long)(fixed0 & ~g->cr0));
	DIAG_RULE(d, !(g->cr0 & ~vmx_caps.cr0_fixed1), "guest CR0 %#llx sets fixed-0 bits",
		  (unsigned long long)g->cr0);
	DIAG_RULE(d, !(g->cr0 & CR0_PG) || (g->cr0 & CR0_PE), "guest CR0.PG=1 needs CR0.PE=1");
	DIAG_RULE(d, (g->cr4 & vmx_caps.cr4_fixed0) == vmx_caps.cr4_fixed0,
		  "guest CR4 %#llx lacks fixed-1 bits %#llx (CR4.VMXE?)",
		  (unsigned long long)g->cr4, (unsigned long long)(vmx_caps.cr4_fixed0 & ~g->cr4));
	DIAG_RULE(d, !(g->cr4 & ~vmx_caps.cr4_fixed1), "guest CR4 %#llx sets fixed-0 bits",
		  (unsigned long long)g->cr4);
	DIAG_RULE(d, !g->ia32e || ((g->cr0 & CR0_PG) && (g->cr4 & CR4_PAE)),
		  "IA-32e mode guest needs CR0.PG=1 and CR4.PAE=1 (CR0 %#llx CR4 %#llx)",
		  (unsigned long long)g->cr0, (unsigned long long)g->cr4);
	DIAG_RULE(d, g->ia32e || !(g->cr4 & CR4_PCIDE), "CR4.PCIDE=1 outside IA-32e mode");
	DIAG_RULE(d, !(vmcs_read(VMCS_GUEST_CR3) & ~vmx_phys_addr_mask()),
		  "guest CR3 has bits beyond the physical-address width");
	DIAG_RULE(d, !(g->entry & ENTRY_LOAD_DEBUG_CTLS) || !(vmcs_read(VMCS_GUEST_DR7) & UPPER32),
		  "guest DR7 bits 63:32 must be 0");
	return NULL;
}

static const char *check_msrs(struct diag_buf *d, const struct gstate *g)
{
	if (g->entry & ENTRY_LOAD_EFER) {
		DIAG_RULE(d, !(g->efer & ~EFER_ALLOWED), "guest EFER %#llx sets reserved bits",
			  (unsigned long long)g->efer);
		DIAG_RULE(d, !!(g->efer & EFER_LMA) == g->ia32e,
			  "guest EFER.LMA (%d) must equal the IA-32e mode guest control (%d)",
			  !!(g->efer & EFER_LMA), g->ia32e);
		DIAG_RULE(d, !(g->cr0 & CR0_PG) || !!(g->efer & EFER_LMA) == !!(g->efer & EFER_LME),
			  "with CR0.PG=1 guest EFER.LMA must equal EFER.LME (EFER %#llx)",
			  (unsigned long long)g->efer);
	}
	DIAG_RULE(d, !(g->entry & ENTRY_LOAD_PAT) || vmx_pat_valid(vmcs_read(VMCS_GUEST_PAT)),
		  "guest PAT %#llx holds an invalid memory type",
		  (unsigned long long)vmcs_read(VMCS_GUEST_PAT));
	return NULL;
}

/* Rules every usable segment shares: reserved AR bits and limit vs G. */
static const char *check_common(struct diag_buf *d, int s, const struct segment *seg)
{
	DIAG_RULE(d, !(seg->ar & AR_RESERVED), "%s access rights %#x set reserved bits",
		  seg_names[s], seg->ar);
	DIAG_RULE(d, (seg->limit & LIMIT_LOW_MASK) == LIMIT_LOW_MASK || !(seg->ar & SEG_AR_G),
		  "%s limit %#x has bits 11:0 not all 1 but G=1", seg_names[s], seg->limit);
	DIAG_RULE(d, !(seg->limit & LIMIT_HIGH_MASK) || (seg->ar & SEG_AR_G),
		  "%s limit %#x is above 1 MiB but G=0", seg_names[s], seg->limit);
	return NULL;
}

static const char *check_system_segs(struct diag_buf *d, const struct gstate *g)
{
	const struct segment *tr = &g->seg[SEG_TR], *ldtr = &g->seg[SEG_LDTR];
	u32 type = AR_TYPE(tr->ar);

	DIAG_RULE(d, !(tr->selector & SEL_TI), "TR selector %#x has TI=1", tr->selector);
	DIAG_RULE(d, !(tr->ar & SEG_AR_UNUSABLE), "TR must be usable (AR %#x)", tr->ar);
	DIAG_RULE(d, type == TYPE_TSS_BUSY || (!g->ia32e && type == TYPE_TSS16_BUSY),
		  "TR type %u must be a busy TSS (11%s)", type, g->ia32e ? "" : " or 3");
	DIAG_RULE(d, !(tr->ar & SEG_AR_S) && (tr->ar & SEG_AR_P),
		  "TR must be a present system segment (AR %#x)", tr->ar);
	DIAG_RULE(d, vmx_canonical(tr->base), "TR base %#llx is not canonical",
		  (unsigned long long)tr->base);
	if (check_common(d, SEG_TR, tr))
		return d->buf;
	if (ldtr->ar & SEG_AR_UNUSABLE)
		return NULL;
	DIAG_RULE(d, !(ldtr->selector & SEL_TI), "LDTR selector %#x has TI=1", ldtr->selector);
	DIAG_RULE(d, AR_TYPE(ldtr->ar) == TYPE_LDT && !(ldtr->ar & SEG_AR_S) &&
			     (ldtr->ar & SEG_AR_P),
		  "usable LDTR must be a present LDT system segment (AR %#x)", ldtr->ar);
	DIAG_RULE(d, vmx_canonical(ldtr->base), "LDTR base is not canonical");
	return check_common(d, SEG_LDTR, ldtr);
}

static const char *check_v86(struct diag_buf *d, const struct gstate *g)
{
	for (int s = SEG_ES; s <= SEG_GS; s++) {
		const struct segment *seg = &g->seg[s];

		DIAG_RULE(d, seg->base == (u64)seg->selector << 4 && seg->limit == V86_LIMIT &&
				     seg->ar == V86_AR,
			  "virtual-8086 mode: %s must have base = selector*16, limit 0xffff, AR 0xf3",
			  seg_names[s]);
	}
	return NULL;
}

static const char *check_cs_ss(struct diag_buf *d, const struct gstate *g)
{
	const struct segment *cs = &g->seg[SEG_CS], *ss = &g->seg[SEG_SS];
	u32 type = AR_TYPE(cs->ar);
	bool pe = g->cr0 & CR0_PE;

	DIAG_RULE(d, (type & (SEG_AR_TYPE_CODE | SEG_AR_TYPE_ACCESSED)) ==
				     (SEG_AR_TYPE_CODE | SEG_AR_TYPE_ACCESSED) ||
			     (g->unrestricted && type == TYPE_DATA_RW_ACCESSED),
		  "CS type %u must be accessed code (9, 11, 13, 15%s)", type,
		  g->unrestricted ? " or 3" : "");
	DIAG_RULE(d, (cs->ar & SEG_AR_S) && (cs->ar & SEG_AR_P) && !(cs->ar & SEG_AR_UNUSABLE),
		  "CS must be a present, usable code/data segment (AR %#x)", cs->ar);
	DIAG_RULE(d, type != TYPE_DATA_RW_ACCESSED || AR_DPL(cs->ar) == 0,
		  "CS type 3 needs DPL 0");
	DIAG_RULE(d, (type & TYPE_CODE_CONFORMING) || type == TYPE_DATA_RW_ACCESSED ||
			     AR_DPL(cs->ar) == AR_DPL(ss->ar),
		  "non-conforming CS DPL %u must equal SS DPL %u", AR_DPL(cs->ar), AR_DPL(ss->ar));
	DIAG_RULE(d, !(type & TYPE_CODE_CONFORMING) || AR_DPL(cs->ar) <= AR_DPL(ss->ar),
		  "conforming CS DPL %u must not exceed SS DPL %u", AR_DPL(cs->ar),
		  AR_DPL(ss->ar));
	DIAG_RULE(d, !g->ia32e || !(cs->ar & SEG_AR_L) || !(cs->ar & SEG_AR_DB),
		  "IA-32e mode: CS.L=1 needs CS.D=0");
	DIAG_RULE(d, !(cs->base & UPPER32), "CS base bits 63:32 must be 0");
	if (check_common(d, SEG_CS, cs))
		return d->buf;
	if (ss->ar & SEG_AR_UNUSABLE)
		return NULL;
	DIAG_RULE(d, AR_TYPE(ss->ar) == TYPE_DATA_RW_ACCESSED ||
			     AR_TYPE(ss->ar) == TYPE_DATA_RW_DOWN_ACCESSED,
		  "SS type %u must be read/write accessed data (3 or 7)", AR_TYPE(ss->ar));
	DIAG_RULE(d, (ss->ar & SEG_AR_S) && (ss->ar & SEG_AR_P), "SS must be present code/data");
	DIAG_RULE(d, g->unrestricted || AR_DPL(ss->ar) == SEL_RPL(ss->selector),
		  "SS DPL %u must equal its RPL %u", AR_DPL(ss->ar), SEL_RPL(ss->selector));
	DIAG_RULE(d, (pe && type != TYPE_DATA_RW_ACCESSED) || AR_DPL(ss->ar) == 0,
		  "SS DPL must be 0 in real mode or with CS type 3 (DPL %u)", AR_DPL(ss->ar));
	DIAG_RULE(d, !(ss->base & UPPER32), "SS base bits 63:32 must be 0");
	return check_common(d, SEG_SS, ss);
}

static const char *check_data_segs(struct diag_buf *d, const struct gstate *g)
{
	static const int data[] = { SEG_DS, SEG_ES, SEG_FS, SEG_GS };

	for (size_t i = 0; i < ARRAY_SIZE(data); i++) {
		int s = data[i];
		const struct segment *seg = &g->seg[s];
		u32 type = AR_TYPE(seg->ar);

		if (seg->ar & SEG_AR_UNUSABLE)
			continue;
		DIAG_RULE(d, type & SEG_AR_TYPE_ACCESSED, "%s type %u must be accessed",
			  seg_names[s], type);
		DIAG_RULE(d, !(type & SEG_AR_TYPE_CODE) || (type & SEG_AR_TYPE_RW),
			  "%s is code but not readable", seg_names[s]);
		DIAG_RULE(d, (seg->ar & SEG_AR_S) && (seg->ar & SEG_AR_P),
			  "usable %s must be a present code/data segment (AR %#x)", seg_names[s],
			  seg->ar);
		DIAG_RULE(d, (s != SEG_DS && s != SEG_ES) || !(seg->base & UPPER32),
			  "%s base bits 63:32 must be 0", seg_names[s]);
		DIAG_RULE(d, vmx_canonical(seg->base), "%s base is not canonical", seg_names[s]);
		if (check_common(d, s, seg))
			return d->buf;
	}
	return NULL;
}

static const char *check_regs(struct diag_buf *d, const struct gstate *g)
{
	bool cs_l = g->ia32e && (g->seg[SEG_CS].ar & SEG_AR_L);

	DIAG_RULE(d, vmx_canonical(vmcs_read(VMCS_GUEST_GDTR_BASE)) &&
			     vmx_canonical(vmcs_read(VMCS_GUEST_IDTR_BASE)),
		  "GDTR/IDTR base is not canonical");
	DIAG_RULE(d, vmcs_read(VMCS_GUEST_GDTR_LIMIT) <= DTABLE_LIMIT_MAX &&
			     vmcs_read(VMCS_GUEST_IDTR_LIMIT) <= DTABLE_LIMIT_MAX,
		  "GDTR/IDTR limit above 0xffff");
	DIAG_RULE(d, cs_l ? vmx_canonical(g->rip) : !(g->rip & UPPER32),
		  "RIP %#llx: bits 63:32 must be 0 outside 64-bit code (canonical inside)",
		  (unsigned long long)g->rip);
	DIAG_RULE(d, !(g->rflags & RFLAGS_RESERVED) && (g->rflags & RFLAGS_FIXED1),
		  "RFLAGS %#llx: reserved bits set or bit 1 clear", (unsigned long long)g->rflags);
	DIAG_RULE(d, !(g->rflags & RFLAGS_VM) || (!g->ia32e && (g->cr0 & CR0_PE)),
		  "RFLAGS.VM=1 needs protected mode outside IA-32e mode");
	DIAG_RULE(d, !((g->intr_info & INTR_INFO_VALID) &&
		       ((g->intr_info >> INTR_INFO_TYPE_SHIFT) & INTR_INFO_TYPE_MASK) ==
			       INTR_TYPE_EXTINT) ||
			     (g->rflags & RFLAGS_IF_BIT),
		  "injecting an external interrupt needs RFLAGS.IF=1");
	return NULL;
}

static const char *check_nonregister(struct diag_buf *d, const struct gstate *g)
{
	u32 act = vmcs_read32(VMCS_GUEST_ACTIVITY_STATE);
	u32 intr = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY);
	bool inj = g->intr_info & INTR_INFO_VALID;
	u32 type = (g->intr_info >> INTR_INFO_TYPE_SHIFT) & INTR_INFO_TYPE_MASK;

	DIAG_RULE(d, act <= ACTIVITY_WAIT_SIPI, "activity state %u is not defined", act);
	DIAG_RULE(d, act != ACTIVITY_HLT || AR_DPL(g->seg[SEG_SS].ar) == 0,
		  "HLT activity state needs SS.DPL=0");
	DIAG_RULE(d, !(intr & INTERRUPTIBILITY_RESERVED), "interruptibility %#x: reserved bits",
		  intr);
	DIAG_RULE(d, (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)) !=
			     (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS),
		  "blocking by STI and by MOV SS both set");
	DIAG_RULE(d, !(intr & INTERRUPTIBILITY_STI) || (g->rflags & RFLAGS_IF_BIT),
		  "blocking by STI needs RFLAGS.IF=1");
	DIAG_RULE(d, !(inj && type == INTR_TYPE_EXTINT) ||
			     !(intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)),
		  "external interrupt injected inside an STI/MOV SS shadow");
	DIAG_RULE(d, !(inj && type == INTR_TYPE_NMI) || !(intr & INTERRUPTIBILITY_MOV_SS),
		  "NMI injected inside a MOV SS shadow");
	DIAG_RULE(d, !(vmcs_read(VMCS_GUEST_PENDING_DBG) & PENDING_DBG_RESERVED),
		  "pending debug exceptions: reserved bits set");
	DIAG_RULE(d, vmcs_read(VMCS_LINK_POINTER) == VMCS_LINK_POINTER_NONE,
		  "VMCS link pointer must be ~0 (no VMCS shadowing)");
	return NULL;
}

const char *vmx_check_guest_state(struct diag_buf *d)
{
	struct gstate g;
	const char *r;

	read_state(&g);
	if ((r = check_crs(d, &g)) || (r = check_msrs(d, &g)) || (r = check_system_segs(d, &g)))
		return r;
	if (g.rflags & RFLAGS_VM)
		r = check_v86(d, &g);
	else if (!(r = check_cs_ss(d, &g)))
		r = check_data_segs(d, &g);
	if (r || (r = check_regs(d, &g)) || (r = check_nonregister(d, &g)))
		return r;
	return NULL;
}
