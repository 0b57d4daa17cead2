/* SPDX-License-Identifier: MIT */
/*
 * The TDP MMU's life cycle and bookkeeping: init/destroy, mmu_lock with the
 * debug depth, per-VM accounting of table pages, the deferred-free list,
 * demand allocation of backing pages, the lockless MMIO fast path and
 * read-only walks for tests. Faults are in tdp_fault.c, zaps and splits in
 * tdp_zap.c.
 */
#include "mm/tdp/tdp_mmu.h"

#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/tdp/tdp_internal.h"

#ifdef TERN_HOSTED
void (*tdp_test_race_hook)(struct tdp_mmu *mmu, u64 *sptep, int level);
#endif

const char *fault_result_name(enum fault_result r)
{
	static const char *const names[] = {
		[FAULT_FIXED] = "fixed",     [FAULT_SPURIOUS] = "spurious",
		[FAULT_RETRY] = "retry",     [FAULT_MMIO] = "mmio",
		[FAULT_NO_MEMORY] = "nomem", [FAULT_CAP] = "cap",
		[FAULT_ERROR] = "error",
	};

	return (unsigned int)r < ARRAY_SIZE(names) ? names[r] : "?";
}

/* ---- locking ---- */

void tdp_mmu_read_lock(struct tdp_mmu *mmu)
{
	read_lock(&mmu->mmu_lock);
	MMU_LOCK_DEPTH_REF++;
}

void tdp_mmu_read_unlock(struct tdp_mmu *mmu)
{
	MMU_LOCK_DEPTH_REF--;
	read_unlock(&mmu->mmu_lock);
}

void tdp_mmu_write_lock(struct tdp_mmu *mmu)
{
	write_lock(&mmu->mmu_lock);
	MMU_LOCK_DEPTH_REF++;
}

void tdp_mmu_write_unlock(struct tdp_mmu *mmu)
{
	MMU_LOCK_DEPTH_REF--;
	write_unlock(&mmu->mmu_lock);
}

/* ---- table pages ---- */

static void account_add(struct tdp_mmu *mmu)
{
	u64 now = __atomic_add_fetch(&mmu->pages, 1, __ATOMIC_RELAXED);
	u64 hw = __atomic_load_n(&mmu->high_water, __ATOMIC_RELAXED);

	while (now > hw && !__atomic_compare_exchange_n(&mmu->high_water, &hw, now, false,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

struct mmu_page *tdp_table_alloc(struct tdp_mmu *mmu, struct mmu_cache *c, int level, u64 gfn)
{
	struct mmu_page *sp;

	if (__atomic_load_n(&mmu->pages, __ATOMIC_RELAXED) >= mmu->max_pages)
		return NULL;
	sp = mmu_cache_take_header(c);
	mmu_page_link(sp, mmu_cache_take_table(c), mmu, level, gfn);
	account_add(mmu);
	return sp;
}

void tdp_table_unalloc(struct tdp_mmu *mmu, struct mmu_cache *c, struct mmu_page *sp)
{
	u64 *table = sp->table;

	mmu_page_unlink(sp);
	__atomic_fetch_sub(&mmu->pages, 1, __ATOMIC_RELAXED);
	mmu_cache_return_table(c, table);
	mmu_cache_return_header(c, sp);
}

void tdp_table_free(struct tdp_mmu *mmu, struct mmu_page *sp)
{
	u64 *table = sp->table;

	mmu_page_unlink(sp);
	page_free_virt(table, 0);
	mmu_header_free(sp);
	__atomic_fetch_sub(&mmu->pages, 1, __ATOMIC_RELAXED);
}

void tdp_table_retire(struct tdp_mmu *mmu, struct mmu_page *sp)
{
	sp->flags |= MMU_PAGE_INVALID;
	sp->next = NULL;
	spin_lock(&mmu->deferred_lock);
	sp->free_epoch = mmu_rcu_stamp(); /* under the lock: the list stays in stamp order */
	if (mmu->deferred_tail)
		mmu->deferred_tail->next = sp;
	else
		mmu->deferred_head = sp;
	mmu->deferred_tail = sp;
	mmu->deferred_pages++;
	spin_unlock(&mmu->deferred_lock);
	STAT_INC(mmu, tables_unlinked);
}

static struct mmu_page *deferred_take(struct tdp_mmu *mmu, bool all)
{
	struct mmu_page *head, *last = NULL, *sp;
	u64 n = 0;

	spin_lock(&mmu->deferred_lock);
	head = mmu->deferred_head;
	for (sp = head; sp && (all || mmu_rcu_expired(sp->free_epoch)); sp = sp->next) {
		last = sp;
		n++;
	}
	if (!last) {
		spin_unlock(&mmu->deferred_lock);
		return NULL;
	}
	mmu->deferred_head = last->next;
	if (!mmu->deferred_head)
		mmu->deferred_tail = NULL;
	last->next = NULL;
	mmu->deferred_pages -= n;
	spin_unlock(&mmu->deferred_lock);
	return head;
}

static u64 free_list(struct tdp_mmu *mmu, struct mmu_page *sp)
{
	u64 n = 0;

	while (sp) {
		struct mmu_page *next = sp->next;

		tdp_table_free(mmu, sp);
		sp = next;
		n++;
	}
	return n;
}

u64 tdp_mmu_reclaim(struct tdp_mmu *mmu)
{
	if (!__atomic_load_n(&mmu->deferred_head, __ATOMIC_RELAXED))
		return 0;
	return free_list(mmu, deferred_take(mmu, false));
}

/* ---- life cycle ---- */

int tdp_mmu_init(struct tdp_mmu *mmu, const struct spte_format *fmt, u64 max_table_pages)
{
	struct mmu_page *root;
	u64 *table;

	MMU_ASSERT_NOT_LOCKED();
	if (!fmt || max_table_pages < 1)
		return -E_INVAL;
	memset(mmu, 0, sizeof(*mmu));
	rwlock_init(&mmu->mmu_lock);
	spin_lock_init(&mmu->deferred_lock);
	mmu->fmt = fmt;
	mmu->max_pages = max_table_pages;
	/* The root is allocated directly: init runs outside any vCPU. */
	{
		struct mmu_cache c = { 0 };

		if (mmu_cache_topup(&c, MMU_MODE_TDP)) {
			mmu_cache_free(&c);
			return -E_NOMEM;
		}
		root = mmu_cache_take_header(&c);
		table = mmu_cache_take_table(&c);
		mmu_cache_free(&c);
	}
	mmu_page_link(root, table, mmu, TDP_ROOT_LEVEL, 0);
	root->flags |= MMU_PAGE_ROOT;
	account_add(mmu);
	mmu->root = root;
	mmu->root_pa = root->table_pa;
	return 0;
}

void tdp_mmu_set_memslots(struct tdp_mmu *mmu, const struct memslots *slots)
{
	mmu->slots = slots;
	mmu->mmio_gen_seen = slots ? slots->generation : 0;
}

void tdp_mmu_destroy(struct tdp_mmu *mmu)
{
	if (!mmu->root)
		return;
	tdp_mmu_zap_all(mmu, NULL, NULL);
	free_list(mmu, deferred_take(mmu, true));
	tdp_table_free(mmu, mmu->root);
	mmu->root = NULL;
	mmu->root_pa = 0;
	TDP_BUG_ON(mmu->pages != 0);
}

void tdp_mmu_gen_changed(struct tdp_mmu *mmu)
{
	u64 gen = mmu->slots ? mmu->slots->generation : 0;

	if ((gen >> SPTE_MMIO_GEN_BITS) != (mmu->mmio_gen_seen >> SPTE_MMIO_GEN_BITS))
		tdp_mmu_zap_range_locked(mmu, 0, TDP_MAX_GFN, NULL);
	mmu->mmio_gen_seen = gen;
}

/* ---- demand paging ---- */

static bool publish(paddr_t *slot_entry, paddr_t pa)
{
	paddr_t expected = 0;

	return __atomic_compare_exchange_n(slot_entry, &expected, pa, false, __ATOMIC_RELEASE,
					   __ATOMIC_RELAXED);
}

static bool range_unpopulated(const struct memslot *s, u64 first, u64 n)
{
	for (u64 i = 0; i < n; i++)
		if (__atomic_load_n(&s->backing[first + i], __ATOMIC_RELAXED))
			return false;
	return true;
}

/*
 * Back the whole aligned range of 'n' pages around gfn with one zeroed block
 * of 2^order pages (order > BUDDY_MAX_ORDER: a contiguous run of max-order
 * blocks), split into single pages, when the slot covers the range and none
 * of it is populated. False when not possible (the caller falls back).
 */
static bool try_backing_block(struct memslot *s, u64 gfn, u64 n, unsigned int order)
{
	u64 first = ALIGN_DOWN(gfn, n);
	unsigned int split_order = MIN(order, (unsigned int)BUDDY_MAX_ORDER);
	paddr_t blk;

	if (first < s->base_gfn || first + n > s->base_gfn + s->npages ||
	    !range_unpopulated(s, first - s->base_gfn, n))
		return false;
	blk = page_alloc_contig(order);
	if (!blk)
		return false;
	memset(phys_to_virt(blk), 0, PAGE_SIZE * n);
	/* Single pages, so a lost race frees just its pages and owners free by 4 KiB. */
	for (u64 off = 0; off < n; off += 1ull << split_order)
		page_split(blk + off * PAGE_SIZE, split_order);
	for (u64 i = 0; i < n; i++)
		if (!publish(&s->backing[first - s->base_gfn + i], blk + i * PAGE_SIZE))
			page_free(blk + i * PAGE_SIZE, 0);
	return true;
}

int tdp_prepare_backing(struct memslot *s, u64 gfn, int level_hint, paddr_t *pa)
{
	u64 idx;
	paddr_t cur;

	MMU_ASSERT_NOT_LOCKED();
	if (gfn < s->base_gfn || gfn - s->base_gfn >= s->npages || !s->backing)
		return -E_RANGE;
	idx = gfn - s->base_gfn;
	cur = __atomic_load_n(&s->backing[idx], __ATOMIC_ACQUIRE);
	if (!cur && level_hint >= TDP_LEVEL_1G)
		try_backing_block(s, gfn, TDP_PAGES_1G, 2 * SPTE_LEVEL_BITS);
	cur = __atomic_load_n(&s->backing[idx], __ATOMIC_ACQUIRE);
	if (!cur && level_hint >= TDP_LEVEL_2M)
		try_backing_block(s, gfn, TDP_PAGES_2M, SPTE_LEVEL_BITS);
	cur = __atomic_load_n(&s->backing[idx], __ATOMIC_ACQUIRE);
	if (!cur) {
		void *page = page_alloc_zeroed_virt(0);

		if (!page)
			return -E_NOMEM;
		if (!publish(&s->backing[idx], virt_to_phys(page)))
			page_free_virt(page, 0);
		cur = __atomic_load_n(&s->backing[idx], __ATOMIC_ACQUIRE);
	}
	*pa = cur;
	return 0;
}

void tdp_fault_init(struct tdp_fault *f, const struct memslots *slots, u64 gpa, bool write,
		    bool exec)
{
	int max_level = f->max_level ? f->max_level : TDP_LEVEL_1G;

	memset(f, 0, sizeof(*f));
	f->gpa = gpa;
	f->gfn = gpa >> PAGE_SHIFT;
	f->write = write;
	f->exec = exec;
	f->read = !write && !exec;
	f->max_level = max_level;
	f->slot_gen = __atomic_load_n(&slots->generation, __ATOMIC_ACQUIRE);
	f->slot = memslot_find(slots, f->gfn);
}

/* ---- lockless and read-only walks ---- */

/* The entry mapping gfn at the lowest level reached; *level gets that level. */
static u64 walk_lockless(struct tdp_mmu *mmu, u64 gfn, int *level)
{
	const struct spte_format *fmt = mmu->fmt;
	u64 *table = mmu->root->table;

	for (int l = TDP_ROOT_LEVEL;; l--) {
		u64 spte = __atomic_load_n(&table[tdp_index(gfn, l)], __ATOMIC_ACQUIRE);

		*level = l;
		if (!spte_is_present(spte) || spte_is_leaf(fmt, spte, l))
			return spte;
		table = phys_to_virt(spte_pa(fmt, spte));
	}
}

bool tdp_mmu_mmio_fast(struct tdp_mmu *mmu, u64 gpa, u64 cur_gen)
{
	const struct spte_format *fmt = mmu->fmt;
	u64 gfn = gpa >> PAGE_SHIFT;
	int level;
	u64 spte;

	if (gfn >= TDP_MAX_GFN)
		return false;
	spte = walk_lockless(mmu, gfn, &level);
	if (!spte_is_mmio(fmt, spte) || spte_mmio_gen(fmt, spte) != spte_gen_bits(fmt, cur_gen))
		return false;
	STAT_INC(mmu, mmio_fast_hits);
	return true;
}

paddr_t tdp_mmu_translate(struct tdp_mmu *mmu, u64 gpa, int *level_out)
{
	u64 gfn = gpa >> PAGE_SHIFT;
	int level;
	u64 spte;

	if (gfn >= TDP_MAX_GFN)
		return 0;
	spte = walk_lockless(mmu, gfn, &level);
	if (!spte_is_present(spte))
		return 0;
	if (level_out)
		*level_out = level;
	return spte_pa(mmu->fmt, spte) + (gpa & (spte_level_size(level) - 1));
}

static u64 count_tables(struct tdp_mmu *mmu, u64 *table, int level)
{
	u64 n = 1;

	for (unsigned int i = 0; level > SPTE_LEVEL_4K && i < SPTE_ENTRIES; i++)
		if (spte_is_present(table[i]) && !spte_is_leaf(mmu->fmt, table[i], level))
			n += count_tables(mmu, phys_to_virt(spte_pa(mmu->fmt, table[i])), level - 1);
	return n;
}

u64 tdp_mmu_count_tables(struct tdp_mmu *mmu)
{
	return mmu->root ? count_tables(mmu, mmu->root->table, TDP_ROOT_LEVEL) : 0;
}
