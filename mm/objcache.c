/* SPDX-License-Identifier: MIT */
/*
 * Slab-style object caches and kmalloc (see objcache.h). A slab is one page:
 * a struct slab header, then per_slab objects of stride bytes. A cache keeps
 * slabs that still have free objects on its partial list and the rest on its
 * full list; a slab whose last object is freed is returned at once, so an idle
 * cache holds no memory. The poison word in a free object is the address
 * XOR a constant, so data that merely looks like a constant cannot pass for
 * it; a match is still confirmed on the free list before reporting.
 */
#include "mm/objcache.h"

#include "kernel/printk.h"
#include "lib/string.h"

#define SLAB_MAGIC 0x42414c534e524554ull /* "TERNSLAB" */
#define FREE_POISON 0x6b6b6b6b6b6b6b6bull

#define KMALLOC_MIN_SHIFT 4
#define KMALLOC_MAX_SHIFT 11
#define KMALLOC_NR_CLASSES (KMALLOC_MAX_SHIFT - KMALLOC_MIN_SHIFT + 1)
_Static_assert(BIT(KMALLOC_MIN_SHIFT) == KMALLOC_MIN_SIZE, "kmalloc min size");
_Static_assert(BIT(KMALLOC_MAX_SHIFT) == KMALLOC_MAX_SIZE, "kmalloc max size");
_Static_assert(KMALLOC_MIN_SIZE >= OBJCACHE_MIN_SIZE, "kmalloc objects hold a free link");

struct slab {
	u64 magic;
	struct objcache *cache;
	struct slab *next; /* on cache->partial or cache->full */
	struct slab *prev;
	void *free;        /* first free object, linked through word 0 */
	u32 inuse;
};

#ifdef TERN_KERNEL
static unsigned long cache_lock(struct objcache *c)
{
	return spin_lock_irqsave(&c->lock);
}

static void cache_unlock(struct objcache *c, unsigned long flags)
{
	spin_unlock_irqrestore(&c->lock, flags);
}
#else
static unsigned long cache_lock(struct objcache *c)
{
	spin_lock(&c->lock);
	return 0;
}

static void cache_unlock(struct objcache *c, unsigned long flags)
{
	(void)flags;
	spin_unlock(&c->lock);
}
#endif

static void **obj_link(void *obj)
{
	return (void **)obj;
}

static uintptr_t *obj_poison(void *obj)
{
	return (uintptr_t *)obj + 1;
}

static uintptr_t poison_for(void *obj)
{
	return (uintptr_t)FREE_POISON ^ (uintptr_t)obj;
}

int objcache_init(struct objcache *c, const char *name, size_t size, size_t align,
		  const struct page_source *src)
{
	u64 stride, first;

	if (size == 0 || !src || !src->alloc_page || !src->free_page)
		return -E_INVAL;
	if ((align & (align - 1)) || align > OBJCACHE_SLAB_SIZE / 2)
		return -E_INVAL;
	if (align < sizeof(void *))
		align = sizeof(void *); /* the free link is a pointer */
	size = MAX(size, OBJCACHE_MIN_SIZE);
	if (size > OBJCACHE_SLAB_SIZE)
		return -E_INVAL;

	stride = ALIGN_UP(size, align);
	first = ALIGN_UP(sizeof(struct slab), align);
	if (first + stride > OBJCACHE_SLAB_SIZE)
		return -E_INVAL;

	memset(c, 0, sizeof(*c));
	spin_lock_init(&c->lock);
	c->name = name ? name : "?";
	c->stride = (u32)stride;
	c->first = (u32)first;
	c->per_slab = (u32)((OBJCACHE_SLAB_SIZE - first) / stride);
	c->src = src;
	return 0;
}

static void slab_link(struct slab **head, struct slab *s)
{
	s->prev = NULL;
	s->next = *head;
	if (*head)
		(*head)->prev = s;
	*head = s;
}

static void slab_unlink(struct slab **head, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		*head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = NULL;
	s->prev = NULL;
}

static u8 *slab_obj(struct objcache *c, struct slab *s, u32 i)
{
	return (u8 *)s + c->first + (u64)i * c->stride;
}

/* Take a page and thread every object onto its free list. Lock held. */
static struct slab *slab_new(struct objcache *c)
{
	struct slab *s = c->src->alloc_page(c->src->ctx);
	u32 i;

	if (!s)
		return NULL;
	if (!IS_ALIGNED((uintptr_t)s, OBJCACHE_SLAB_SIZE)) {
		pr_err("objcache %s: page source returned unaligned %p\n", c->name, (void *)s);
		c->src->free_page(c->src->ctx, s);
		return NULL;
	}
	s->magic = SLAB_MAGIC;
	s->cache = c;
	s->free = NULL;
	s->inuse = 0;
	/* Built backwards so objects are handed out in address order. */
	for (i = c->per_slab; i-- > 0;) {
		void *obj = slab_obj(c, s, i);

		*obj_link(obj) = s->free;
		*obj_poison(obj) = poison_for(obj);
		s->free = obj;
	}
	slab_link(&c->partial, s);
	c->stats.slabs++;
	c->stats.slab_allocs++;
	return s;
}

static void slab_release(struct objcache *c, struct slab *s)
{
	s->magic = 0;
	c->stats.slabs--;
	c->stats.slab_frees++;
	c->src->free_page(c->src->ctx, s);
}

void *objcache_alloc(struct objcache *c)
{
	struct slab *s;
	void *obj;
	unsigned long flags = cache_lock(c);

	s = c->partial;
	if (!s)
		s = slab_new(c);
	if (!s) {
		cache_unlock(c, flags);
		return NULL;
	}
	obj = s->free;
	s->free = *obj_link(obj);
	*obj_link(obj) = NULL;
	*obj_poison(obj) = 0;
	s->inuse++;
	if (!s->free) {
		slab_unlink(&c->partial, s);
		slab_link(&c->full, s);
	}
	c->stats.in_use++;
	c->stats.total_allocs++;
	cache_unlock(c, flags);
	return obj;
}

static bool on_free_list(struct slab *s, void *obj)
{
	void *p;

	for (p = s->free; p; p = *obj_link(p))
		if (p == obj)
			return true;
	return false;
}

/* Why @obj cannot be freed into @c, or NULL if it can. Lock held. */
static const char *check_free(struct objcache *c, struct slab *s, void *obj)
{
	u64 off;

	if (s->magic != SLAB_MAGIC || s->cache != c)
		return "pointer not from this cache";
	off = (u64)((u8 *)obj - slab_obj(c, s, 0));
	if ((u8 *)obj < slab_obj(c, s, 0) || off % c->stride || off / c->stride >= c->per_slab)
		return "pointer not to an object";
	if (*obj_poison(obj) == poison_for(obj) && on_free_list(s, obj))
		return "double free";
	return NULL;
}

int objcache_free(struct objcache *c, void *obj)
{
	struct slab *s;
	const char *why;
	unsigned long flags;
	bool was_full;

	if (!obj)
		return 0;
	s = (struct slab *)ALIGN_DOWN((uintptr_t)obj, OBJCACHE_SLAB_SIZE);

	flags = cache_lock(c);
	why = check_free(c, s, obj);
	if (why) {
		c->stats.errors++;
		cache_unlock(c, flags);
		pr_err("objcache %s: %s: %p\n", c->name, why, obj);
		return -E_INVAL;
	}
	was_full = !s->free;
	*obj_link(obj) = s->free;
	*obj_poison(obj) = poison_for(obj);
	s->free = obj;
	s->inuse--;
	c->stats.in_use--;
	c->stats.total_frees++;
	if (s->inuse == 0) {
		slab_unlink(was_full ? &c->full : &c->partial, s);
		slab_release(c, s);
	} else if (was_full) {
		slab_unlink(&c->full, s);
		slab_link(&c->partial, s);
	}
	cache_unlock(c, flags);
	return 0;
}

int objcache_destroy(struct objcache *c)
{
	unsigned long flags = cache_lock(c);

	if (c->stats.in_use) {
		cache_unlock(c, flags);
		pr_err("objcache %s: destroy with %lu objects in use\n", c->name,
		       (unsigned long)c->stats.in_use);
		return -E_BUSY;
	}
	/* Empty slabs are released as they empty, so both lists are empty here. */
	c->partial = NULL;
	c->full = NULL;
	cache_unlock(c, flags);
	return 0;
}

void objcache_get_stats(struct objcache *c, struct objcache_stats *out)
{
	unsigned long flags = cache_lock(c);

	*out = c->stats;
	cache_unlock(c, flags);
}

/* ---- kmalloc ---- */

static struct objcache kmalloc_caches[KMALLOC_NR_CLASSES];
static bool kmalloc_ready;

static const char *const kmalloc_names[KMALLOC_NR_CLASSES] = {
	"kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-128",
	"kmalloc-256", "kmalloc-512", "kmalloc-1024", "kmalloc-2048",
};

int kmalloc_init(const struct page_source *src)
{
	unsigned int i;
	int err;

	if (kmalloc_ready)
		for (i = 0; i < KMALLOC_NR_CLASSES; i++)
			if (kmalloc_caches[i].stats.in_use)
				return -E_BUSY;
	for (i = 0; i < KMALLOC_NR_CLASSES; i++) {
		err = objcache_init(&kmalloc_caches[i], kmalloc_names[i],
				    BIT(KMALLOC_MIN_SHIFT + i), KMALLOC_ALIGN, src);
		if (err)
			return err;
	}
	kmalloc_ready = true;
	return 0;
}

struct objcache *kmalloc_cache(size_t size)
{
	unsigned int shift = KMALLOC_MIN_SHIFT;

	if (!kmalloc_ready || size == 0 || size > KMALLOC_MAX_SIZE)
		return NULL;
	while (BIT(shift) < size)
		shift++;
	return &kmalloc_caches[shift - KMALLOC_MIN_SHIFT];
}

void *kmalloc(size_t size)
{
	struct objcache *c = kmalloc_cache(size);

	return c ? objcache_alloc(c) : NULL;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *ptr)
{
	struct slab *s;
	struct objcache *c;

	if (!ptr)
		return;
	s = (struct slab *)ALIGN_DOWN((uintptr_t)ptr, OBJCACHE_SLAB_SIZE);
	c = s->magic == SLAB_MAGIC ? s->cache : NULL;
	if ((uintptr_t)c < (uintptr_t)&kmalloc_caches[0] ||
	    (uintptr_t)c >= (uintptr_t)&kmalloc_caches[KMALLOC_NR_CLASSES]) {
		pr_err("kfree: %p is not from kmalloc\n", ptr);
		return;
	}
	objcache_free(c, ptr);
}
