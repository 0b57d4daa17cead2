/* SPDX-License-Identifier: MIT */
/*
 * Randomized model test of memory overcommit: the real mm/reclaim/ code
 * (evict*.c, lru.c, zstore.c, keyset.c, lib/lz4.c) in a VM built the way
 * vm_create.c builds one - slots by vm_mem_add_slot(), a loader writing
 * through vm_write_gpa(), tdp_vm_init() (evict_vm_init() + the TDP MMU) with
 * maxmem below mem - driven by a million operations, in three VMs in turn
 * (EPT with A/D, NPT, EPT without A/D), from simulated vCPUs through the
 * real fault path (virt/tdp_vm.c tdp_handle_fault(): backing or refault,
 * SPTE, then evict_check()), the real slot changes (virt/vm_mem.c: add,
 * delete, move, resize), the device/emulator accessors (vm_read_gpa & co.),
 * direct aging (tdp_mmu_age, tdp_mmu_test_age) and host-pressure eviction.
 *
 * The model: a shadow copy of every guest page (keyed by slot id and page
 * index, which survive slot moves) plus the kind and seed of its last full
 * write: never written (zeros), zero-filled, compressible (repeated words,
 * text), incompressible (random) and mixed, poked words and device writes.
 * Every access checks the full 4 KiB it touches; every FULL_CHECK_EVERY
 * operations every page is checked where it lives (resident page, compressed
 * blob decompressed aside, or dropped as zeros), with the resident and
 * stored counts, the LRU, every second-level leaf and every cached
 * translation; after each VM's teardown every host page is back.
 *
 * The simulated hardware: a vCPU access walks the EPT/NPT tables with an
 * independent walker (tdp_walk.h), faults through tdp_handle_fault() until
 * the page is mapped, sets the leaf's Accessed (and Dirty) bit as the CPU
 * would, and caches the translation in its own small TLB; later accesses
 * use the TLB without walking (and without setting A), as hardware does.
 * vm_flush_tlb_kick() is the only thing that empties the TLBs; before it
 * does, vCPUs in guest mode may still write through what they cached -
 * most likely the pages zapped since the last flush, which the wrapped zap
 * logs - and those writes must survive. The allocator and the store are
 * wrapped too (reclaim.mk: --wrap): freeing a page, or capturing it for
 * compression, while some vCPU still caches a translation to it fails the
 * test (a lost write), and freed pages stay ASan-poisoned until they are
 * allocated again (any later access is a use-after-free report).
 *
 * RECLAIM_MODEL_SEED and RECLAIM_MODEL_OPS override the seed and the number
 * of operations; RECLAIM_MODEL_TRACE=<gfn> logs what happens to one gfn.
 */
#include <time.h>

#include <sanitizer/asan_interface.h>

#include "tdp_env.h"
#include "tdp_walk.h"

#include "kernel/time.h"
#include "mm/objcache.h"
#include "mm/reclaim/evict.h"
#include "mm/reclaim/lru.h"
#include "mm/reclaim/zstore.h"
#include "mm/tdp/tdp_age.h"
#include "mm/tdp/tdp_mmu.h"
#include "virt/sched.h"
#include "virt/tdp.h"
#include "virt/vm.h"
#include "virt/vm_mem.h"
#include "tests/unit/xorshift.h"

#define ARENA		 MiB(128)
#define DEFAULT_OPS	 1000000
#define NR_VCPUS	 4
#define TLB_SIZE	 64 /* direct-mapped, per vCPU */
#define FULL_CHECK_EVERY 20000
#define TABLE_CAP	 1024	/* far above what the test maps: never FAULT_CAP */
#define MAXMEM		 MiB(4) /* resident limit: 1024 pages of 5120 */
#define MAX_MSLOTS	 16
#define MAX_MODEL_PAGES	 12288			  /* slot adds and grows stop here */
#define RT_BASE_GFN	 (MiB(256) >> PAGE_SHIFT) /* runtime slots live here */
#define RT_SPAN_GFNS	 (MiB(128) >> PAGE_SHIFT)
#define HOT_PAGES	 48
#define WINDOW_PAGES	 600

/*
 * Regression (found by this test): evict_batch once passed one 'flush' to
 * tdp_mmu_zap_range_locked() for every victim, which overwrote it each
 * time, so a batch whose last victim had no present SPTE skipped the TLB
 * flush for all the others (vCPUs kept writing pages that were then
 * compressed or freed). tdp_mmu_zap_range_locked() now only ever sets the
 * flag; test_victim_flush reproduces the old failure.
 */

/*
 * Beyond the stable API (evict_vm_init/destroy, evict_prepare_backing,
 * evict_free_entry, evict_check, evict_get_stats), evict_reclaim (host
 * pressure) is used when linked in (weak).
 */
#pragma weak evict_reclaim

/* ---- hosted stand-ins for the kernel the linked code needs ---- */

u64 tsc_khz = 1000000; /* evict_get_stats' ns-per-page figure */

static struct vm vm;

void vm_stop(struct vm *v, int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vm_stop(%s, %#x): ", v->name, status);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fail_msg("the VM was stopped");
}

/* ---- random numbers: one stream drives everything (reproducible) ---- */

#define DEFAULT_SEED 0x2545f4914f6cdd1dull
static u64 rng = DEFAULT_SEED;

static u64 rnd(void)
{
	return xorshift64(&rng);
}

static u64 rnd_below(u64 n)
{
	return rnd() % n;
}

static u64 splitmix(u64 *s)
{
	u64 z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* ---- the model ---- */

enum kind {
	K_NEVER,   /* never written: zeros */
	K_ZERO,	   /* written with zeros */
	K_PATTERN, /* a few repeated words: compresses well */
	K_TEXT,	   /* words from a small dictionary: compresses */
	K_RANDOM,  /* random bytes: incompressible */
	K_MIXED,   /* k/8 random, the rest pattern (k 1..7: either way) */
	K_POKED,   /* one word written into a page of any kind */
	K_DEVICE,  /* written or zeroed through vm_write_gpa/vm_zero_gpa */
	K_NR
};

static const char *const kind_names[K_NR] = {
	"never", "zero", "pattern", "text", "random", "mixed", "poked", "device",
};

struct mpage {
	u64 seed;
	u8 kind;
	u32 evicted; /* times seen evicted (compressed) before an access */
};

struct mslot {
	bool used;
	u32 id;
	u64 npages;
	u8 **shadow; /* per page: what the guest must read (NULL: zeros) */
	struct mpage *pg;
};

static struct mslot ms[MAX_MSLOTS];
static u32 next_slot_id;
static const struct spte_format *fmt;
static int cur_vcpu = -1;     /* the vCPU in the hypervisor now (-1: host context) */
static u64 cur_op;	      /* operation number within the run, for diagnosis */
static u64 trace_gfn = ~0ull; /* RECLAIM_MODEL_TRACE: log what happens to this gfn */
static u64 seed_counter;

static bool is_npt(void)
{
	return fmt == &spte_format_npt;
}

static struct {
	u64 ops[32];
	u64 accesses, reads, writes[K_NR], faults, tlb_hits;
	u64 refaults_checked, inflight_writes, flushes, full_checks;
	u64 classified[3]; /* what evict.c's captures found: zero, compressed, incompressible */
	u64 evict_zero, evict_compressed, evict_kept, refaults, scans, over_limit, max_stored;
	u64 freed_checked, host_freed;
} st;

/* A zap removed a present SPTE and no vm_flush_tlb_kick has run since. */
static bool zap_unflushed;
static u64 zap_unflushed_gfn;

/* gfn ranges zapped since the last flush (the wrapped zap logs them). */
#define ZAP_LOG 512
static struct {
	u64 start, end;
} zap_log[ZAP_LOG];
static u32 zap_log_n;
static bool zap_log_full;

static bool zapped_since_flush(u64 gfn)
{
	if (zap_log_full)
		return true;
	for (u32 i = 0; i < zap_log_n; i++)
		if (gfn >= zap_log[i].start && gfn < zap_log[i].end)
			return true;
	return false;
}

static struct mslot *ms_by_id(u32 id)
{
	for (int i = 0; i < MAX_MSLOTS; i++)
		if (ms[i].used && ms[i].id == id)
			return &ms[i];
	return NULL;
}

static u64 model_pages(void)
{
	u64 n = 0;

	for (int i = 0; i < MAX_MSLOTS; i++)
		if (ms[i].used)
			n += ms[i].npages;
	return n;
}

static struct mslot *ms_add(u32 id, u64 npages)
{
	for (int i = 0; i < MAX_MSLOTS; i++) {
		struct mslot *s = &ms[i];

		if (s->used)
			continue;
		s->used = true;
		s->id = id;
		s->npages = npages;
		s->shadow = calloc(npages, sizeof(*s->shadow));
		s->pg = calloc(npages, sizeof(*s->pg));
		assert_non_null(s->shadow);
		assert_non_null(s->pg);
		return s;
	}
	fail_msg("model: no free slot");
	return NULL;
}

static void ms_remove(struct mslot *s)
{
	for (u64 i = 0; i < s->npages; i++)
		free(s->shadow[i]);
	free(s->shadow);
	free(s->pg);
	memset(s, 0, sizeof(*s));
}

static struct mslot *ms_random(void)
{
	u32 n = 0, pick;

	for (int i = 0; i < MAX_MSLOTS; i++)
		n += ms[i].used;
	assert_true(n > 0);
	pick = (u32)rnd_below(n);
	for (int i = 0; i < MAX_MSLOTS; i++)
		if (ms[i].used && pick-- == 0)
			return &ms[i];
	return NULL;
}

static const u8 zero_page[PAGE_SIZE];

static const u8 *shadow_of(struct mslot *s, u64 idx)
{
	return s->shadow[idx] ? s->shadow[idx] : zero_page;
}

/* The test's own zero check (not zstore's, which is under test). */
static bool is_zero(const u8 *page)
{
	return !memcmp(page, zero_page, PAGE_SIZE);
}

static u8 *shadow_mut(struct mslot *s, u64 idx)
{
	if (!s->shadow[idx]) {
		s->shadow[idx] = calloc(1, PAGE_SIZE);
		assert_non_null(s->shadow[idx]);
	}
	return s->shadow[idx];
}

/* The model's bytes [off, off + len) of the slot into out. */
static void model_read(struct mslot *s, u64 off, u8 *out, u64 len)
{
	while (len) {
		u64 idx = off / PAGE_SIZE, o = off % PAGE_SIZE, n = MIN(len, PAGE_SIZE - o);

		memcpy(out, shadow_of(s, idx) + o, n);
		off += n;
		out += n;
		len -= n;
	}
}

/* Store 'in' (NULL: zeros) at [off, off + len) of the slot in the model. */
static void model_store(struct mslot *s, u64 off, const u8 *in, u64 len)
{
	while (len) {
		u64 idx = off / PAGE_SIZE, o = off % PAGE_SIZE, n = MIN(len, PAGE_SIZE - o);

		if (in)
			memcpy(shadow_mut(s, idx) + o, in, n);
		else if (s->shadow[idx])
			memset(s->shadow[idx] + o, 0, n);
		s->pg[idx].kind = K_DEVICE;
		off += n;
		in = in ? in + n : NULL;
		len -= n;
	}
}

static struct memslot *vm_slot(u32 id)
{
	struct memslot *m = memslot_by_id(&vm.slots, id);

	assert_non_null(m);
	return m;
}

static void gen_pattern(u8 *out, u64 *s, u32 from)
{
	u64 w[4] = {splitmix(s), splitmix(s), splitmix(s), splitmix(s)};

	for (u32 i = from / 8; i < PAGE_SIZE / 8; i++) {
		u64 v = w[i % 4] ^ (i % 64 == 0 ? i : 0);

		memcpy(out + i * 8, &v, 8);
	}
}

static void gen_random(u8 *out, u64 *s, u32 len)
{
	for (u32 i = 0; i < len / 8; i++) {
		u64 v = splitmix(s);

		memcpy(out + i * 8, &v, 8);
	}
}

static void gen_text(u8 *out, u64 *s)
{
	static const char *const words[16] = {
		"guest",      "page",  "evict", "refault", "the",   "memory", "of",   "a",
		"compressed", "store", "cold",	"hot",	   "table", "leaf",   "zero", "limit",
	};
	u32 at = 0;
	u64 bits = 0;
	int nbits = 0;

	while (at < PAGE_SIZE) {
		const char *w;
		u32 n;

		if (nbits < 5) {
			bits = splitmix(s);
			nbits = 64;
		}
		w = words[bits & 15];
		out[at++] = (bits & 16) ? '\n' : ' ';
		bits >>= 5;
		nbits -= 5;
		n = (u32)strlen(w);
		for (u32 i = 0; i < n && at < PAGE_SIZE; i++)
			out[at++] = (u8)w[i];
	}
}

/* The contents of a full-page write of 'kind' with 'seed'. */
static void gen_content(u8 *out, enum kind kind, u64 seed)
{
	u64 s = seed;

	switch (kind) {
	case K_PATTERN:
		gen_pattern(out, &s, 0);
		break;
	case K_TEXT:
		gen_text(out, &s);
		break;
	case K_RANDOM:
		gen_random(out, &s, PAGE_SIZE);
		break;
	case K_MIXED: {
		u32 k = 1 + (u32)(seed % 7);

		gen_random(out, &s, k * 512);
		gen_pattern(out, &s, k * 512);
		break;
	}
	default:
		memset(out, 0, PAGE_SIZE);
		break;
	}
}

static enum kind random_write_kind(void)
{
	u64 k = rnd_below(100);

	if (k < 12)
		return K_ZERO;
	if (k < 34)
		return K_PATTERN;
	if (k < 56)
		return K_TEXT;
	if (k < 74)
		return K_RANDOM;
	if (k < 88)
		return K_MIXED;
	return K_POKED;
}

/* Apply a write of 'kind' to the model; returns the bytes range written. */
static void model_write(struct mslot *s, u64 idx, enum kind kind, u32 *off, u32 *len)
{
	struct mpage *p = &s->pg[idx];
	u8 *sh = shadow_mut(s, idx);

	p->seed = ++seed_counter * 0x9e3779b97f4a7c15ull ^ rnd();
	if (kind == K_POKED) {
		u64 v = p->seed | 1; /* never zero: a poke into a zero page is data */

		*off = (u32)rnd_below(PAGE_SIZE / 8) * 8;
		*len = 8;
		memcpy(sh + *off, &v, 8);
	} else {
		gen_content(sh, kind, p->seed);
		*off = 0;
		*len = PAGE_SIZE;
	}
	p->kind = (u8)kind;
	st.writes[kind]++;
}

/* ---- diagnosis of a page that does not hold what the model says ---- */

static void mismatch(struct mslot *s, u64 idx, const u8 *got, const char *where)
{
	const u8 *want = shadow_of(s, idx);
	struct memslot *m = memslot_by_id(&vm.slots, s->id);
	u32 off = 0;
	bool zero = is_zero(got);

	while (off < PAGE_SIZE && got[off] == want[off])
		off++;
	fprintf(stderr,
		"reclaim model: %s: slot %u page %llu (gfn %#llx) holds the wrong data: kind %s "
		"seed %#llx, evicted %u times, first difference at byte %u (got %#x want %#x)%s\n",
		where, s->id, (unsigned long long)idx,
		m ? (unsigned long long)(m->base_gfn + idx) : 0ull, kind_names[s->pg[idx].kind],
		(unsigned long long)s->pg[idx].seed, s->pg[idx].evicted, off, got[off], want[off],
		zero ? "; it reads as zeros" : "");
	for (int i = 0; i < MAX_MSLOTS && !zero; i++)
		for (u64 j = 0; ms[i].used && j < ms[i].npages; j++)
			if (ms[i].shadow[j] && !memcmp(ms[i].shadow[j], got, PAGE_SIZE))
				fprintf(stderr,
					"reclaim model:   it holds the contents of slot %u page "
					"%llu\n",
					ms[i].id, (unsigned long long)j);
	fail_msg("guest page contents lost or mixed up (%s)", where);
}

static void check_content(struct mslot *s, u64 idx, const u8 *got, const char *where)
{
	if (memcmp(got, shadow_of(s, idx), PAGE_SIZE))
		mismatch(s, idx, got, where);
}

/* ---- the simulated vCPUs' TLBs ---- */

struct tlb_entry {
	bool valid;
	u32 slot_id;
	u64 idx, gfn;
	paddr_t pa;
	u64 filled_at; /* operation number, for diagnosis */
};

static struct tlb_entry tlb[NR_VCPUS][TLB_SIZE];
static u32 tlb_live[NR_VCPUS]; /* valid entries */
static struct vcpu *vcpus[NR_VCPUS];

static void tlb_drop(int c)
{
	memset(tlb[c], 0, sizeof(tlb[c]));
	tlb_live[c] = 0;
}

static void tlb_drop_all(void)
{
	for (int c = 0; c < NR_VCPUS; c++)
		tlb_drop(c);
}

static void live_translation(int c, const struct tlb_entry *t, const char *what)
{
	fprintf(stderr,
		"reclaim model: host page %#llx %s while vCPU %d still caches a translation to it "
		"(gfn %#llx, slot %u page %llu, cached at operation %llu, now %llu, %s)\n",
		(unsigned long long)t->pa, what, c, (unsigned long long)t->gfn, t->slot_id,
		(unsigned long long)t->idx, (unsigned long long)t->filled_at,
		(unsigned long long)cur_op, fmt->name);
	if (zap_unflushed)
		fprintf(stderr,
			"reclaim model: zaps removed present SPTEs (the last at gfn %#llx) and "
			"nothing flushed since\n",
			(unsigned long long)zap_unflushed_gfn);
	fail_msg("page %s under a live translation: no TLB flush since its mapping went away",
		 what);
}

/* Nothing may free or capture [pa, pa + len) while a vCPU can still write it. */
static void tlb_assert_unmapped(paddr_t pa, u64 len, const char *what)
{
	for (int c = 0; c < NR_VCPUS; c++) {
		for (int i = 0; i < TLB_SIZE && tlb_live[c]; i++) {
			const struct tlb_entry *t = &tlb[c][i];

			if (!t->valid || t->pa < pa || t->pa >= pa + len)
				continue;
			live_translation(c, t, what);
		}
	}
}

/*
 * A vCPU still in guest mode writes one word through a translation it
 * cached: before the flush returns this is a legitimate guest write, so the
 * model takes it and whatever happens to the page next must keep it.
 */
static void inflight_write(struct tlb_entry *t)
{
	struct mslot *s = ms_by_id(t->slot_id);
	u32 off, len;

	assert_non_null(s);
	assert_true(t->idx < s->npages);
	model_write(s, t->idx, K_POKED, &off, &len);
	memcpy((u8 *)phys_to_virt(t->pa) + off, shadow_of(s, t->idx) + off, len);
	st.inflight_writes++;
}

/*
 * The kick reaches the vCPUs in guest mode some time after the zaps: until
 * then they go on using what they cached - the pages just zapped (an
 * eviction batch's victims, a deleted slot) above all - and those writes
 * must survive. Then no cached translation is left.
 */
void vm_flush_tlb_kick(struct vm *v)
{
	assert_ptr_equal(v, &vm);
	st.flushes++;
	if (trace_gfn != ~0ull)
		fprintf(stderr, "trace: op %llu: TLB flush\n", (unsigned long long)cur_op);
	for (int c = 0; c < NR_VCPUS; c++) {
		if (c == cur_vcpu)
			continue; /* in the hypervisor, not in guest mode */
		for (int i = 0; i < TLB_SIZE && tlb_live[c]; i++) {
			struct tlb_entry *t = &tlb[c][i];

			if (t->valid && rnd_below(zapped_since_flush(t->gfn) ? 2 : 64) == 0)
				inflight_write(t);
		}
	}
	zap_log_n = 0;
	zap_log_full = false;
	tlb_drop_all();
	zap_unflushed = false;
}

/* ---- wrapped allocator, store and zap (reclaim.mk --wrap) ---- */

paddr_t __real_buddy_alloc(struct buddy *b, unsigned int order);
int __real_buddy_free(struct buddy *b, paddr_t pa, unsigned int order);
paddr_t __real_buddy_alloc_contig(struct buddy *b, unsigned int order);
int __real_buddy_free_contig(struct buddy *b, paddr_t pa, unsigned int order);
enum zstore_kind __real_zstore_classify(struct zstore *z, const void *page, u32 *len);
struct zstore_blob *__real_zstore_put(struct zstore *z, const void *page, bool raw);

paddr_t __wrap_buddy_alloc(struct buddy *b, unsigned int order);
int __wrap_buddy_free(struct buddy *b, paddr_t pa, unsigned int order);
paddr_t __wrap_buddy_alloc_contig(struct buddy *b, unsigned int order);
int __wrap_buddy_free_contig(struct buddy *b, paddr_t pa, unsigned int order);
enum zstore_kind __wrap_zstore_classify(struct zstore *z, const void *page, u32 *len);
struct zstore_blob *__wrap_zstore_put(struct zstore *z, const void *page, bool raw);
u64 __real_tdp_mmu_zap_range_locked(struct tdp_mmu *mmu, u64 start, u64 end, bool *flush);
u64 __wrap_tdp_mmu_zap_range_locked(struct tdp_mmu *mmu, u64 start, u64 end, bool *flush);

paddr_t __wrap_buddy_alloc(struct buddy *b, unsigned int order)
{
	paddr_t pa = __real_buddy_alloc(b, order);

	if (pa)
		ASAN_UNPOISON_MEMORY_REGION(phys_to_virt(pa), PAGE_SIZE << order);
	return pa;
}

int __wrap_buddy_free(struct buddy *b, paddr_t pa, unsigned int order)
{
	int err;

	tlb_assert_unmapped(pa, PAGE_SIZE << order, "freed");
	st.freed_checked++;
	err = __real_buddy_free(b, pa, order);
	if (!err)
		ASAN_POISON_MEMORY_REGION(phys_to_virt(pa), PAGE_SIZE << order);
	return err;
}

paddr_t __wrap_buddy_alloc_contig(struct buddy *b, unsigned int order)
{
	paddr_t pa = __real_buddy_alloc_contig(b, order);

	if (pa)
		ASAN_UNPOISON_MEMORY_REGION(phys_to_virt(pa), PAGE_SIZE << order);
	return pa;
}

int __wrap_buddy_free_contig(struct buddy *b, paddr_t pa, unsigned int order)
{
	int err;

	tlb_assert_unmapped(pa, PAGE_SIZE << order, "freed");
	err = __real_buddy_free_contig(b, pa, order);
	if (!err)
		ASAN_POISON_MEMORY_REGION(phys_to_virt(pa), PAGE_SIZE << order);
	return err;
}

/* evict.c captures a victim's contents here: no vCPU may still write it. */
enum zstore_kind __wrap_zstore_classify(struct zstore *z, const void *page, u32 *len)
{
	enum zstore_kind k;

	if (trace_gfn != ~0ull) {
		struct walk_result w = tdp_walk(vm.tdp_root, is_npt(), trace_gfn << PAGE_SHIFT);

		fprintf(stderr, "trace: op %llu: capture of %#llx; the traced gfn's leaf: %#llx\n",
			(unsigned long long)cur_op, (unsigned long long)virt_to_phys(page),
			(unsigned long long)w.spte);
	}
	tlb_assert_unmapped(virt_to_phys(page), PAGE_SIZE, "compressed");
	k = __real_zstore_classify(z, page, len);
	if ((unsigned int)k < ARRAY_SIZE(st.classified))
		st.classified[k]++;
	return k;
}

struct zstore_blob *__wrap_zstore_put(struct zstore *z, const void *page, bool raw)
{
	if (raw && page)
		tlb_assert_unmapped(virt_to_phys(page), PAGE_SIZE, "stored raw");
	return __real_zstore_put(z, page, raw);
}

/* Zaps from outside mm/tdp (evict_scan.c, tdp_vm.c) and the MMU's generation wrap. */
u64 __wrap_tdp_mmu_zap_range_locked(struct tdp_mmu *mmu, u64 start, u64 end, bool *flush)
{
	bool f = false;
	u64 n = __real_tdp_mmu_zap_range_locked(mmu, start, end, &f);

	if (zap_log_n < ZAP_LOG)
		zap_log[zap_log_n++] = (typeof(zap_log[0])){start, end};
	else
		zap_log_full = true;

	if (f) {
		zap_unflushed = true;
		zap_unflushed_gfn = start;
	}
	if (flush && f)
		*flush = true; /* the real function's contract: only ever set */
	return n;
}

/* ---- simulated guest accesses ---- */

/* The 4 KiB leaf entry the hardware walk ends at (the walker found it mapped). */
static u64 *hw_leaf(u64 gpa)
{
	u64 *table = phys_to_virt(vm.tdp_root);

	for (int level = 4; level > 1; level--)
		table = phys_to_virt(table[(gpa >> (12 + 9 * (level - 1))) & 511] &
				     GENMASK(51, 12));
	return &table[(gpa >> 12) & 511];
}

static void check_evict_outcome(const struct evict_stats *before)
{
	struct evict_stats a;

	evict_get_stats(&vm, &a);
	if (vm.maxmem_bytes >= vm.mem_bytes || a.resident_pages <= a.limit_pages)
		return; /* no limit of its own (host pressure only), or under it */
	/*
	 * Still over the limit after evict_check: only pages that cannot be
	 * evicted (incompressible victims, kept) may stop it, and it must know.
	 */
	if (a.over_limit == before->over_limit || a.evict_kept == before->evict_kept)
		fail_msg("resident %llu > limit %llu after evict_check, which kept no "
			 "incompressible page (over_limit %llu -> %llu, kept %llu -> %llu)",
			 (unsigned long long)a.resident_pages, (unsigned long long)a.limit_pages,
			 (unsigned long long)before->over_limit, (unsigned long long)a.over_limit,
			 (unsigned long long)before->evict_kept, (unsigned long long)a.evict_kept);
}

/* A VM exit for a second-level fault, as the backends hand it to tdp_handle_fault. */
static void vcpu_fault(int c, u64 gpa, bool write, bool rsvd)
{
	struct evict_stats before;
	enum tdp_outcome o;

	/* cap_reached() needs per-CPU data this host program has not: stay far below. */
	assert_true(vm.mmu->pages + 16 < vm.mmu->max_pages);
	evict_get_stats(&vm, &before);
	cur_vcpu = c;
	o = tdp_handle_fault(vcpus[c], gpa, write, false, rsvd);
	cur_vcpu = -1;
	assert_int_equal(o, TDP_RESUME);
	st.faults++;
	check_evict_outcome(&before);
}

/* The host page a guest access of vCPU c to (s, idx) reaches. */
static paddr_t vcpu_translate(int c, struct mslot *s, u64 idx, bool write)
{
	struct memslot *m = vm_slot(s->id);
	u64 gfn = m->base_gfn + idx, gpa = gfn << PAGE_SHIFT;
	struct tlb_entry *t = &tlb[c][gfn % TLB_SIZE];
	struct walk_result w;
	u64 *leaf;

	if (t->valid && t->gfn == gfn) {
		/* A TLB hit: no walk, no Accessed bit. It must still be right. */
		if (t->slot_id != s->id || t->idx != idx || m->backing[idx] != t->pa)
			fail_msg("vCPU %d used a stale translation of gfn %#llx to %#llx (now "
				 "slot %u page %llu backed by %#llx): changed without a flush",
				 c, (unsigned long long)gfn, (unsigned long long)t->pa, s->id,
				 (unsigned long long)idx, (unsigned long long)m->backing[idx]);
		st.tlb_hits++;
		return t->pa;
	}
	for (int tries = 0;; tries++) {
		w = tdp_walk(vm.tdp_root, is_npt(), gpa);
		if (w.kind == WALK_MAPPED && (w.w || !write))
			break;
		if (tries == 8)
			fail_msg("gfn %#llx still not mapped after %d faults",
				 (unsigned long long)gfn, tries);
		vcpu_fault(c, gpa, write, w.kind == WALK_MISCONFIG || w.kind == WALK_RSVD);
		m = vm_slot(s->id);
	}
	assert_int_equal(w.level, 1); /* overcommitted VMs use 4 KiB leaves only */
	if (w.pa != m->backing[idx])
		fail_msg("the SPTE of gfn %#llx maps %#llx, the slot's backing is %#llx",
			 (unsigned long long)gfn, (unsigned long long)w.pa,
			 (unsigned long long)m->backing[idx]);
	leaf = hw_leaf(gpa);
	assert_int_equal(*leaf, w.spte);
	__atomic_fetch_or(leaf, fmt->accessed | (write ? fmt->dirty : 0), __ATOMIC_SEQ_CST);
	tlb_live[c] += !t->valid;
	*t = (struct tlb_entry){
		.valid = true,
		.slot_id = s->id,
		.idx = idx,
		.gfn = gfn,
		.pa = w.pa,
		.filled_at = cur_op,
	};
	if (gfn == trace_gfn)
		fprintf(stderr,
			"trace: op %llu: vCPU %d caches gfn %#llx -> %#llx (slot %u page %llu)\n",
			(unsigned long long)cur_op, c, (unsigned long long)gfn,
			(unsigned long long)w.pa, s->id, (unsigned long long)idx);
	return w.pa;
}

/* One guest access: read the page (checking all of it), then maybe write. */
static void guest_access(int c, struct mslot *s, u64 idx, int wkind)
{
	paddr_t e = vm_slot(s->id)->backing[idx];
	bool was_compressed = e && zstore_is_entry(e);
	u8 *page = phys_to_virt(vcpu_translate(c, s, idx, wkind >= 0));

	st.accesses++;
	check_content(s, idx, page, was_compressed ? "refault" : "guest access");
	if (was_compressed) {
		s->pg[idx].evicted++;
		st.refaults_checked++;
	}
	if (wkind >= 0) {
		u32 off, len;

		model_write(s, idx, (enum kind)wkind, &off, &len);
		memcpy(page + off, shadow_of(s, idx) + off, len);
	} else {
		st.reads++;
	}
}

/* ---- full check ---- */

static struct zstore check_zs; /* decompresses blobs aside; never stores */
static u8 check_buf[PAGE_SIZE];

static u64 check_tables(u64 *table, int level, u64 base_gfn)
{
	u64 leaves = 0;

	for (u32 i = 0; i < SPTE_ENTRIES; i++) {
		u64 e = table[i], gfn = base_gfn + i * spte_level_pages(level);
		const struct memslot *m;

		if (!e || spte_is_mmio(fmt, e))
			continue;
		assert_true(spte_is_present(e));
		if (!spte_is_leaf(fmt, e, level)) {
			leaves += check_tables(phys_to_virt(spte_pa(fmt, e)), level - 1, gfn);
			continue;
		}
		assert_int_equal(level, 1);
		m = memslot_find(&vm.slots, gfn);
		if (!m || spte_pa(fmt, e) != m->backing[gfn - m->base_gfn])
			fail_msg("a leaf maps gfn %#llx to %#llx, which is not its backing",
				 (unsigned long long)gfn, (unsigned long long)spte_pa(fmt, e));
		leaves++;
	}
	return leaves;
}

static void full_check(void)
{
	struct evict_stats es;
	u64 resident = 0, stored = 0, slots = 0;

	st.full_checks++;
	for (u32 i = 0; i < vm.slots.count; i++) {
		struct memslot *m = &vm.slots.slots[i];
		struct mslot *s = ms_by_id(m->id);

		assert_non_null(s);
		assert_int_equal(s->npages, m->npages);
		slots++;
		for (u64 j = 0; j < m->npages; j++) {
			paddr_t e = m->backing[j];

			if (!e) {
				/* Never populated, or dropped as a zero page. */
				if (s->shadow[j] && !is_zero(s->shadow[j]))
					mismatch(s, j, zero_page, "dropped page");
			} else if (zstore_is_entry(e)) {
				const struct zstore_blob *b = zstore_entry_blob(e);

				memset(check_buf, 0xee, sizeof(check_buf));
				if (zstore_get(&check_zs, b, check_buf))
					fail_msg("slot %u page %llu: the blob does not decompress",
						 m->id, (unsigned long long)j);
				check_content(s, j, check_buf, "compressed page");
				/* Zero pages are dropped, never stored. */
				assert_false(is_zero(check_buf));
				stored++;
			} else {
				check_content(s, j, phys_to_virt(e), "resident page");
				resident++;
			}
		}
		for (u64 j = m->npages; j < m->backing_entries; j++)
			assert_int_equal(m->backing[j], 0);
	}
	for (int i = 0; i < MAX_MSLOTS; i++)
		slots -= ms[i].used;
	assert_int_equal(slots, 0); /* the model has no slot the VM lost */
	evict_get_stats(&vm, &es);
	if (es.resident_pages != resident || es.stored_pages != stored)
		fail_msg("evict stats say %llu resident, %llu stored; the slots hold %llu pages "
			 "and %llu tagged entries",
			 (unsigned long long)es.resident_pages, (unsigned long long)es.stored_pages,
			 (unsigned long long)resident, (unsigned long long)stored);
	if (stored > st.max_stored)
		st.max_stored = stored;
	/* Every resident page can be found by reclaim (the LRU is never full here). */
	if (es.lru_pages != resident)
		fail_msg("the LRU tracks %llu pages, %llu are resident",
			 (unsigned long long)es.lru_pages, (unsigned long long)resident);
	/* Every leaf maps its gfn's backing; no cached translation is stale. */
	check_tables(vm.mmu->root->table, TDP_ROOT_LEVEL, 0);
	for (int c = 0; c < NR_VCPUS; c++)
		for (int i = 0; i < TLB_SIZE; i++) {
			const struct tlb_entry *t = &tlb[c][i];
			const struct memslot *m = t->valid ? memslot_find(&vm.slots, t->gfn) : NULL;

			if (t->valid && (!m || m->id != t->slot_id || m->backing[t->idx] != t->pa))
				fail_msg("vCPU %d caches a stale translation of gfn %#llx", c,
					 (unsigned long long)t->gfn);
		}
	assert_int_equal(vm.mmu->stats.cap_hits, 0);
}

/* ---- operations ---- */

enum op {
	OP_HOT,
	OP_WARM_READ,
	OP_WARM_WRITE,
	OP_COLD_READ,
	OP_COLD_WRITE,
	OP_REFAULT,
	OP_SWEEP,
	OP_AGE,
	OP_DEVICE,
	OP_EVICT_CHECK,
	OP_TLB_DROP,
	OP_QUIESCENT,
	OP_SLOT_ADD,
	OP_SLOT_DELETE,
	OP_SLOT_MOVE,
	OP_SLOT_RESIZE,
	OP_HOT_PICK,
	OP_WINDOW,
	OP_HOST_RECLAIM,
	OP_NR
};

static const char *const op_names[OP_NR] = {
	"hot",	       "warm-read", "warm-write", "cold-read",	  "cold-write",
	"refault",     "sweep",	    "age",	  "device",	  "evict-check",
	"tlb-drop",    "quiescent", "slot-add",	  "slot-delete",  "slot-move",
	"slot-resize", "hot-pick",  "window",	  "host-reclaim",
};

/* Weights per 1000 operations. */
static const u16 op_weight[OP_NR] = {
	[OP_HOT] = 280,	      [OP_WARM_READ] = 200, [OP_WARM_WRITE] = 120, [OP_COLD_READ] = 40,
	[OP_COLD_WRITE] = 20, [OP_REFAULT] = 30,    [OP_SWEEP] = 2,	   [OP_AGE] = 15,
	[OP_DEVICE] = 25,     [OP_EVICT_CHECK] = 5, [OP_TLB_DROP] = 20,	   [OP_QUIESCENT] = 224,
	[OP_SLOT_ADD] = 3,    [OP_SLOT_DELETE] = 2, [OP_SLOT_MOVE] = 2,	   [OP_SLOT_RESIZE] = 3,
	[OP_HOT_PICK] = 2,    [OP_WINDOW] = 5,	    [OP_HOST_RECLAIM] = 2,
};

struct page_ref {
	u32 id;
	u64 idx;
};

static struct page_ref hot[HOT_PAGES];
static struct page_ref window;

static struct page_ref random_page(void)
{
	struct mslot *s = ms_random();

	return (struct page_ref){s->id, rnd_below(s->npages)};
}

/* The model slot of r, re-picking r if its slot went away or shrank. */
static struct mslot *resolve(struct page_ref *r)
{
	struct mslot *s = ms_by_id(r->id);

	if (!s || r->idx >= s->npages) {
		*r = random_page();
		s = ms_by_id(r->id);
	}
	return s;
}

static int random_vcpu(void)
{
	return (int)rnd_below(NR_VCPUS);
}

static void op_hot(void)
{
	struct page_ref *r = &hot[rnd_below(HOT_PAGES)];
	struct mslot *s = resolve(r);

	guest_access(random_vcpu(), s, r->idx, rnd_below(5) ? -1 : (int)random_write_kind());
}

static void op_warm(bool write)
{
	struct mslot *s = resolve(&window);
	u64 idx = (window.idx + rnd_below(WINDOW_PAGES)) % s->npages;

	guest_access(random_vcpu(), s, idx, write ? (int)random_write_kind() : -1);
}

static void op_cold(bool write)
{
	struct page_ref r = random_page();

	guest_access(random_vcpu(), ms_by_id(r.id), r.idx, write ? (int)random_write_kind() : -1);
}

/* Look for a compressed page and touch it: it must come back exactly. */
static void op_refault(void)
{
	struct page_ref r = random_page();

	for (int tries = 0; tries < 32; tries++) {
		struct page_ref t = random_page();
		paddr_t e = vm_slot(t.id)->backing[t.idx];

		if (e && zstore_is_entry(e)) {
			r = t;
			break;
		}
	}
	guest_access(random_vcpu(), ms_by_id(r.id), r.idx,
		     rnd_below(3) ? -1 : (int)random_write_kind());
}

/* Pressure: a vCPU streams through a run of pages, faulting most of them in. */
static void op_sweep(void)
{
	struct mslot *s = ms_random();
	u64 start = rnd_below(s->npages), n = 16 + rnd_below(176);
	int c = random_vcpu();

	for (u64 j = 0; j < n; j++)
		guest_access(c, s, (start + j) % s->npages,
			     rnd_below(5) < 2 ? -1 : (int)random_write_kind());
}

/*
 * Aging called directly (evict_check ages through lru_age too): it never
 * changes a translation, a clearing tdp_mmu_age leaves nothing young, and
 * access tracking (EPT without A/D) makes the caller flush.
 */
static void op_age(void)
{
	struct mslot *s = ms_random();
	struct memslot *m = vm_slot(s->id);
	u64 start = m->base_gfn + rnd_below(m->npages);
	u64 len = 1 + rnd_below(MIN(1024ull, m->base_gfn + m->npages - start));
	unsigned int flags = (unsigned int)rnd_below(4);
	struct tdp_age_result r;
	paddr_t pa[8];
	u64 g[8];
	bool whole = rnd() & 1;

	for (int i = 0; i < 8; i++) {
		g[i] = start + rnd_below(len);
		pa[i] = tdp_mmu_translate(vm.mmu, g[i] << PAGE_SHIFT, NULL);
	}
	memset(&r, 0, sizeof(r));
	if (whole)
		assert_int_equal(tdp_mmu_age(vm.mmu, start, start + len, flags, &r), 0);
	else
		(void)tdp_mmu_test_age(vm.mmu, start, start + len, flags, &r);
	assert_true(r.complete);
	assert_true(!r.needs_flush || (!fmt->accessed && (flags & TDP_AGE_CLEAR)));
	for (int i = 0; i < 8; i++)
		assert_int_equal(tdp_mmu_translate(vm.mmu, g[i] << PAGE_SHIFT, NULL), pa[i]);
	if (whole && (flags & TDP_AGE_CLEAR))
		assert_false(tdp_mmu_test_age(vm.mmu, start, start + len, TDP_AGE_FAST_ONLY, NULL));
	if (r.needs_flush)
		vm_flush_tlb_kick(&vm); /* the caller's duty, once per pass */
}

/* Loaders, devices and the emulator: vm_read_gpa / vm_write_gpa / vm_zero_gpa. */
static void op_device(void)
{
	static u8 buf[2 * PAGE_SIZE], want[2 * PAGE_SIZE];
	struct mslot *s = ms_random();
	struct memslot *m = vm_slot(s->id);
	u64 total = s->npages * PAGE_SIZE, off = rnd_below(total);
	u64 len = 1 + rnd_below(MIN((u64)sizeof(buf), total - off));
	u64 gpa = (m->base_gfn << PAGE_SHIFT) + off;
	u64 k = rnd_below(4);

	if (k < 2) {
		assert_int_equal(vm_read_gpa(&vm, gpa, buf, len), 0);
		model_read(s, off, want, len);
		if (memcmp(buf, want, len)) {
			u64 at = 0, idx;
			static u8 page[PAGE_SIZE];

			while (buf[at] == want[at])
				at++;
			idx = (off + at) / PAGE_SIZE;
			/* Show the page as read: the model's page with the bytes read laid over it.
			 */
			memcpy(page, shadow_of(s, idx), PAGE_SIZE);
			for (u64 b = MAX(off, idx * PAGE_SIZE);
			     b < MIN(off + len, (idx + 1) * PAGE_SIZE); b++)
				page[b - idx * PAGE_SIZE] = buf[b - off];
			mismatch(s, idx, page, "vm_read_gpa");
		}
		return;
	}
	if (k == 2) {
		u64 seed = rnd();

		if (rnd() & 1)
			gen_random(buf, &seed, (u32)ALIGN_UP(len, 8));
		else
			for (u64 i = 0; i < len; i++)
				buf[i] = (u8)("device write "[i % 13] ^ (seed & 0x20));
		assert_int_equal(vm_write_gpa(&vm, gpa, buf, len), 0);
		model_store(s, off, buf, len);
	} else {
		assert_int_equal(vm_zero_gpa(&vm, gpa, len), 0);
		model_store(s, off, NULL, len);
	}
	st.writes[K_DEVICE]++;
}

static void op_evict_check(void)
{
	struct evict_stats before;

	evict_get_stats(&vm, &before);
	cur_vcpu = random_vcpu();
	evict_check(&vm);
	cur_vcpu = -1;
	check_evict_outcome(&before);
}

static void op_slot_add(void)
{
	u64 npages = 16 + rnd_below(496);
	u64 base = RT_BASE_GFN + rnd_below(RT_SPAN_GFNS - npages);
	u32 id = next_slot_id++;
	int err;

	if (vm.slots.count >= MAX_MSLOTS - 1 || model_pages() + npages > MAX_MODEL_PAGES)
		return;
	err = vm_memslot_add(&vm, id, base << PAGE_SHIFT, npages << PAGE_SHIFT);
	if (err) {
		assert_int_equal(err, -E_OVERLAP);
		return;
	}
	ms_add(id, npages);
}

/* Deleting frees what the slot holds through evict_free_entry (pages and blobs). */
static void op_slot_delete(void)
{
	struct mslot *s = ms_random();

	if (vm.slots.count <= 2)
		return;
	assert_int_equal(vm_memslot_delete(&vm, s->id), 0);
	ms_remove(s);
}

/* A moved slot keeps its backing, compressed pages included (the LRU keys are ids). */
static void op_slot_move(void)
{
	struct mslot *s = ms_random();
	u64 base = RT_BASE_GFN + rnd_below(RT_SPAN_GFNS - s->npages);
	int err = vm_memslot_move(&vm, s->id, base << PAGE_SHIFT);

	assert_true(err == 0 || err == -E_OVERLAP);
}

static void op_slot_resize(void)
{
	struct mslot *s = ms_random();
	u64 npages = 1 + rnd_below(2 * s->npages + 16);
	u8 **shadow;
	struct mpage *pg;
	int err;

	if (npages > s->npages && model_pages() + npages - s->npages > MAX_MODEL_PAGES)
		return;
	err = vm_memslot_resize(&vm, s->id, npages << PAGE_SHIFT);
	if (err) {
		assert_int_equal(err, -E_OVERLAP);
		return;
	}
	shadow = calloc(npages, sizeof(*shadow));
	pg = calloc(npages, sizeof(*pg));
	assert_non_null(shadow);
	assert_non_null(pg);
	memcpy(shadow, s->shadow, MIN(npages, s->npages) * sizeof(*shadow));
	for (u64 i = npages; i < s->npages; i++)
		free(s->shadow[i]); /* the cut tail */
	memcpy(pg, s->pg, MIN(npages, s->npages) * sizeof(*pg));
	free(s->shadow);
	free(s->pg);
	s->shadow = shadow;
	s->pg = pg;
	s->npages = npages;
}

static void pick_hot(void)
{
	for (int i = 0; i < HOT_PAGES; i++)
		hot[i] = random_page();
}

/* ---- the VM ---- */

struct range {
	u64 gpa, bytes;
};

struct vm_layout {
	const struct range *slots;
	u32 nr_slots;
	const struct range *loaded; /* written by the "loader" before tdp_vm_init */
	u32 nr_loaded;
	u64 maxmem;
};

static const struct range model_slots[] = {
	{0, MiB(8)},
	{MiB(16), MiB(8)},
	{GiB(4), MiB(4)},
};

/* The loader's writes populate whole 2 MiB blocks: 1536 pages, over the limit at start. */
static const struct range model_loaded[] = {
	{MiB(1), 64 * PAGE_SIZE},
	{MiB(17), 16 * PAGE_SIZE},
	{GiB(4) + MiB(1), 8 * PAGE_SIZE},
};

static const struct vm_layout model_layout = {
	model_slots, ARRAY_SIZE(model_slots), model_loaded, ARRAY_SIZE(model_loaded), MAXMEM,
};

static u64 free_before_vm;

/* What a failed test left behind is forgotten (its host pages stay lost). */
static void vm_discard(void)
{
	for (int i = 0; i < MAX_MSLOTS; i++)
		if (ms[i].used)
			ms_remove(&ms[i]);
	for (int c = 0; c < NR_VCPUS; c++) {
		free(vcpus[c]);
		vcpus[c] = NULL;
	}
	cur_vcpu = -1;
}

/* Build the VM as vm_create.c does: slots, loaded image, tdp_vm_init, vCPUs. */
static void vm_build(const struct spte_format *f, u32 epoch, const struct vm_layout *l)
{
	struct evict_stats es;
	u64 mem = 0;

	vm_discard();
	free_before_vm = pages_free();
	memset(&vm, 0, sizeof(vm));
	tlb_drop_all();
	zap_unflushed = false;
	zap_log_n = 0;
	snprintf(vm.name, sizeof(vm.name), "model%u", epoch);
	vm.id = epoch;
	rwlock_init(&vm.slots_lock);
	spin_lock_init(&vm.lock);
	fmt = f;
	next_slot_id = 1;
	for (u32 i = 0; i < l->nr_slots; i++) {
		u32 id = next_slot_id++;

		assert_int_equal(vm_mem_add_slot(&vm, l->slots[i].gpa, l->slots[i].bytes, id), 0);
		ms_add(id, l->slots[i].bytes >> PAGE_SHIFT);
		mem += l->slots[i].bytes;
	}
	vm.mem_bytes = mem;
	vm.maxmem_bytes = l->maxmem;
	vm.tdp_pages_cap = TABLE_CAP;
	vm.nr_vcpus = NR_VCPUS;
	for (u32 i = 0; i < l->nr_loaded; i++) {
		for (u64 off = 0; off < l->loaded[i].bytes; off += PAGE_SIZE) {
			u64 gfn = (l->loaded[i].gpa + off) >> PAGE_SHIFT;
			const struct memslot *m = memslot_find(&vm.slots, gfn);
			struct mslot *s = ms_by_id(m->id);
			u64 idx = gfn - m->base_gfn;
			u32 o, len;

			model_write(s, idx, (off / PAGE_SIZE) % 3 ? K_TEXT : K_MIXED, &o, &len);
			assert_int_equal(
				vm_write_gpa(&vm, gfn << PAGE_SHIFT, shadow_of(s, idx), PAGE_SIZE),
				0);
		}
	}
	tdp_spte_format = f;
	tdp_max_level = TDP_LEVEL_1G;
	assert_int_equal(tdp_vm_init(&vm), 0);
	assert_non_null(vm.reclaim);
	assert_int_equal(vm.tdp_max_leaf, TDP_LEVEL_4K);
	evict_get_stats(&vm, &es);
	assert_int_equal(es.limit_pages, l->maxmem >> PAGE_SHIFT);
	for (int c = 0; c < NR_VCPUS; c++) {
		vcpus[c] = calloc(1, sizeof(struct vcpu));
		assert_non_null(vcpus[c]);
		vcpus[c]->vm = &vm;
		vcpus[c]->id = (u32)c;
		vcpus[c]->pcpu = (u32)c;
		vm.vcpus[c] = vcpus[c];
	}
	mmu_rcu_reset();
	for (u32 c = 0; c < NR_VCPUS; c++)
		mmu_rcu_cpu_online(c);
	pick_hot();
	window = random_page();
	full_check(); /* the loader's pages are all counted resident */
}

static void vm_teardown(void)
{
	struct evict_stats es;

	full_check();
	evict_get_stats(&vm, &es);
	st.evict_zero += es.evict_zero;
	st.evict_compressed += es.evict_compressed;
	st.evict_kept += es.evict_kept;
	st.refaults += es.refaults;
	st.scans += es.scans;
	st.over_limit += es.over_limit;
	/* As vm_destroy: vCPUs, then the tables, then the memory. */
	tlb_drop_all();
	for (int c = 0; c < NR_VCPUS; c++) {
		tdp_vcpu_destroy(vcpus[c]);
		free(vcpus[c]);
		vcpus[c] = NULL;
	}
	tdp_destroy(&vm);
	vm_mem_destroy(&vm);
	assert_null(vm.reclaim);
	for (int i = 0; i < MAX_MSLOTS; i++)
		if (ms[i].used)
			ms_remove(&ms[i]);
	mmu_rcu_reset();
	/* Pages, blobs, tables, backing arrays, reclaim state: all back. */
	assert_int_equal(pages_free(), free_before_vm);
}

static void run_ops(u64 ops)
{
	for (u64 op = 0; op < ops; op++) {
		u64 k = rnd_below(1000);
		enum op o = 0;

		while (k >= op_weight[o])
			k -= op_weight[o++];
		st.ops[o]++;
		cur_op++;
		if (trace_gfn != ~0ull)
			fprintf(stderr, "trace: op %llu: %s\n", (unsigned long long)cur_op,
				op_names[o]);
		switch (o) {
		case OP_HOT:
			op_hot();
			break;
		case OP_WARM_READ:
		case OP_WARM_WRITE:
			op_warm(o == OP_WARM_WRITE);
			break;
		case OP_COLD_READ:
		case OP_COLD_WRITE:
			op_cold(o == OP_COLD_WRITE);
			break;
		case OP_REFAULT:
			op_refault();
			break;
		case OP_SWEEP:
			op_sweep();
			break;
		case OP_AGE:
			op_age();
			break;
		case OP_DEVICE:
			op_device();
			break;
		case OP_EVICT_CHECK:
			op_evict_check();
			break;
		case OP_TLB_DROP: /* a vCPU's TLB loses its entries (capacity, context switch) */
			tlb_drop(random_vcpu());
			break;
		case OP_QUIESCENT: /* a CPU between exits (tdp_quiescent without per-CPU data) */
			mmu_quiescent((u32)random_vcpu());
			if (rnd_below(4) == 0)
				tdp_mmu_reclaim(vm.mmu);
			break;
		case OP_SLOT_ADD:
			op_slot_add();
			break;
		case OP_SLOT_DELETE:
			op_slot_delete();
			break;
		case OP_SLOT_MOVE:
			op_slot_move();
			break;
		case OP_SLOT_RESIZE:
			op_slot_resize();
			break;
		case OP_HOT_PICK:
			pick_hot();
			break;
		case OP_HOST_RECLAIM: /* the host is short of memory: this VM's share */
			if (evict_reclaim) {
				u64 want = 1 + rnd_below(128), freed;

				cur_vcpu = -1;
				freed = evict_reclaim(&vm, want);
				assert_true(freed <= want);
				st.host_freed += freed;
			}
			break;
		case OP_WINDOW:
			window = random_page();
			break;
		default:
			fail();
		}
		if (trace_gfn != ~0ull) {
			static u64 last_spte;
			struct walk_result w =
				tdp_walk(vm.tdp_root, is_npt(), trace_gfn << PAGE_SHIFT);

			if (w.spte != last_spte)
				fprintf(stderr,
					"trace: op %llu: traced gfn walk kind %d level %d spte "
					"%#llx\n",
					(unsigned long long)cur_op, w.kind, w.level,
					(unsigned long long)w.spte);
			last_spte = w.spte;
		}
		/* Cheap: a random page's leaf, if any, maps its backing. */
		{
			struct page_ref r = random_page();
			const struct memslot *m = vm_slot(r.id);
			struct walk_result w = tdp_walk(vm.tdp_root, is_npt(),
							(m->base_gfn + r.idx) << PAGE_SHIFT);

			if (w.kind == WALK_MAPPED && w.pa != m->backing[r.idx])
				fail_msg("the leaf of gfn %#llx maps %#llx, its backing entry is "
					 "%#llx",
					 (unsigned long long)(m->base_gfn + r.idx),
					 (unsigned long long)w.pa,
					 (unsigned long long)m->backing[r.idx]);
		}
		if ((op + 1) % FULL_CHECK_EVERY == 0)
			full_check();
	}
}

static void test_reclaim_model(void **state)
{
	static const struct {
		const struct spte_format *fmt;
		u32 share; /* percent of the operations */
	} epochs[] = {
		{&spte_format_ept, 40},
		{&spte_format_npt, 30},
		{&spte_format_ept_noad, 30},
	};
	u64 ops = DEFAULT_OPS, seed;
	struct timespec t0, t1;
	double secs;

	(void)state;
	rng = getenv("RECLAIM_MODEL_SEED") ? strtoull(getenv("RECLAIM_MODEL_SEED"), NULL, 0)
					   : DEFAULT_SEED;
	if (getenv("RECLAIM_MODEL_TRACE"))
		trace_gfn = strtoull(getenv("RECLAIM_MODEL_TRACE"), NULL, 0);
	if (getenv("RECLAIM_MODEL_OPS"))
		ops = strtoull(getenv("RECLAIM_MODEL_OPS"), NULL, 0);
	seed = rng;
	memset(&st, 0, sizeof(st));
	{
		u32 sum = 0;

		for (int o = 0; o < OP_NR; o++)
			sum += op_weight[o];
		assert_int_equal(sum, 1000);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (u32 e = 0; e < ARRAY_SIZE(epochs); e++) {
		vm_build(epochs[e].fmt, e, &model_layout);
		run_ops(ops * epochs[e].share / 100);
		vm_teardown();
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	printf("reclaim model: %llu ops in %.2f s, seed %#llx; ops:", (unsigned long long)ops, secs,
	       (unsigned long long)seed);
	for (int o = 0; o < OP_NR; o++)
		printf(" %s %llu", op_names[o], (unsigned long long)st.ops[o]);
	printf("; accesses %llu (reads %llu; writes:", (unsigned long long)st.accesses,
	       (unsigned long long)st.reads);
	for (int k = K_ZERO; k < K_NR; k++)
		printf(" %s %llu", kind_names[k], (unsigned long long)st.writes[k]);
	printf("), faults %llu, TLB hits %llu, flushes %llu with %llu in-flight writes; "
	       "evicted: zero %llu, compressed %llu, kept incompressible %llu (captures: %llu "
	       "zero, "
	       "%llu compressible, %llu incompressible); refaults %llu (contents checked %llu); "
	       "aging passes %llu, over limit %llu; most stored %llu pages; full checks %llu, "
	       "frees checked %llu; host-pressure evictions %llu\n",
	       (unsigned long long)st.faults, (unsigned long long)st.tlb_hits,
	       (unsigned long long)st.flushes, (unsigned long long)st.inflight_writes,
	       (unsigned long long)st.evict_zero, (unsigned long long)st.evict_compressed,
	       (unsigned long long)st.evict_kept, (unsigned long long)st.classified[ZSTORE_ZERO],
	       (unsigned long long)st.classified[ZSTORE_COMPRESSED],
	       (unsigned long long)st.classified[ZSTORE_INCOMPRESSIBLE],
	       (unsigned long long)st.refaults, (unsigned long long)st.refaults_checked,
	       (unsigned long long)st.scans, (unsigned long long)st.over_limit,
	       (unsigned long long)st.max_stored, (unsigned long long)st.full_checks,
	       (unsigned long long)st.freed_checked, (unsigned long long)st.host_freed);
	/* Every path was taken (a seed or weight change that starves one is a broken test). */
	if (ops >= DEFAULT_OPS / 10) {
		assert_true(st.evict_zero > 0);
		assert_true(st.evict_compressed > 0);
		assert_true(st.evict_kept > 0);
		assert_true(st.refaults > 0 && st.refaults_checked > 0);
		assert_true(st.inflight_writes > 0);
	}
}

/*
 * The batch's TLB flush must cover every victim. Page 0 is mapped, made old
 * by an aging pass (clearing A flushes nothing, so vCPU 1 still caches it);
 * pages 1..40 are populated through vm_write_gpa and never mapped. The trim
 * picks page 0 first (oldest arrival) and ends the batch on an unmapped page:
 * page 0 must not be compressed before a flush.
 */
static const struct range small_slots[] = {{0, MiB(1)}};
static const struct vm_layout small_layout = {small_slots, 1, NULL, 0, KiB(128)};

static void test_victim_flush(void **state)
{
	struct tdp_age_result r;
	struct mslot *s;
	struct memslot *m;

	(void)state;
	vm_build(&spte_format_ept, 100, &small_layout);
	s = ms_by_id(1);
	m = vm_slot(1);
	guest_access(1, s, 0, K_PATTERN);
	assert_true(tlb[1][m->base_gfn % TLB_SIZE].valid);
	assert_int_equal(tdp_mmu_age(vm.mmu, m->base_gfn, m->base_gfn + 1, TDP_AGE_CLEAR, &r), 0);
	assert_int_equal(r.young, 1);
	for (u64 i = 1; i <= 40; i++) {
		u32 off, len;

		model_write(s, i, K_TEXT, &off, &len);
		assert_int_equal(vm_write_gpa(&vm, (m->base_gfn + i) << PAGE_SHIFT, shadow_of(s, i),
					      PAGE_SIZE),
				 0);
	}
	cur_vcpu = 2;
	evict_check(&vm);
	cur_vcpu = -1;
	assert_true(zstore_is_entry(m->backing[0])); /* page 0 was a victim */
	vm_teardown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_victim_flush),
		cmocka_unit_test(test_reclaim_model),
	};

	tdp_env_init(ARENA);
	if (kmalloc_init(&kernel_page_source))
		abort();
	zstore_init(&check_zs, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
