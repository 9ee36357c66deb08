/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * struct page, the simulated memmap: one 64-byte descriptor per 4 KiB frame, with
 * the kernel's refcount/mapcount rules, page flags, compound pages, zones and the
 * buddy allocator's interface (alloc_pages, __free_pages, get_page, put_page).
 */
#ifndef GUP_PAGE_H
#define GUP_PAGE_H

#include <gup/bug.h>
#include <gup/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define MAX_ORDER 11 /* orders 0..MAX_ORDER-1 */
#define HPAGE_PMD_ORDER 9
#define HPAGE_PMD_NR (1 << HPAGE_PMD_ORDER)

struct address_space;
struct mm_struct;
struct dev_pagemap;

/* Opaque to users; kept the size of liburcu's struct rcu_head. */
struct page_rcu_head {
	void *next;
	void (*func)(void *head);
};

enum pageflags {
	PG_locked,
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_active,
	PG_workingset,
	PG_waiters,
	PG_error,
	PG_slab,
	PG_owner_priv_1,
	PG_arch_1,
	PG_reserved,
	PG_private,
	PG_writeback,
	PG_head,
	PG_mappedtodisk,
	PG_reclaim,
	PG_swapbacked,
	PG_unevictable,
	PG_mlocked,
	PG_buddy,	   /* free in the buddy allocator; the kernel keeps this in page_type */
	PG_pgtable,	   /* a page-table page; the kernel keeps this in page_type */
	PG_anon_exclusive, /* reserved for the 6.x semantics profile */
	PG_isolated,	   /* taken off for migration (mm/migrate.c): on a private list */
	__NR_PAGEFLAGS,
};

/* The zone index lives in the top bits of page->flags, as in the kernel. */
#define ZONES_SHIFT 3
#define ZONES_PGSHIFT (64 - ZONES_SHIFT)

/*
 * One descriptor per frame. The unions mirror the kernel's: a page is at any time
 * a buddy/anon/file page, a tail of a compound page, or a page-table page.
 */
struct page {
	unsigned long flags;
	union {
		struct { /* anonymous, file and free (buddy) pages */
			union {
				struct list_head lru;
				struct { /* ZONE_DEVICE pages (memremap.c) */
					struct dev_pagemap *pgmap;
					void *zone_device_data;
				};
			};
			struct address_space *mapping; /* bit 0 set: anonymous */
			unsigned long index;
			unsigned long private_data; /* buddy: order of a free block */
		};
		struct {			     /* first tail page */
			unsigned long compound_head; /* bit 0 set */
			unsigned char compound_dtor;
			unsigned char compound_order;
			atomic_t compound_mapcount;
			unsigned int compound_nr;
		};
		struct { /* second tail page */
			unsigned long _compound_pad_1;
			atomic_t hpage_pinned_refcount;
		};
		struct { /* page-table pages */
			struct page_rcu_head rcu_head;
			struct mm_struct *pt_mm;
			spinlock_t ptl;
		};
	};
	atomic_t _mapcount; /* -1: not mapped */
	atomic_t _refcount;
	/* Debug accounting of references held through GUP, checked by sim_check(). */
	atomic_t dbg_gup_refs;
	atomic_t dbg_gup_pins;
};

static_assert(sizeof(struct page) == 64, "struct page must stay 64 bytes");

#define PAGE_MAPPING_ANON 0x1UL

#define PAGEFLAG(uname, lname)                                                                     \
	static inline bool Page##uname(const struct page *page)                                    \
	{                                                                                          \
		return test_bit(PG_##lname, &page->flags);                                         \
	}                                                                                          \
	static inline void SetPage##uname(struct page *page)                                       \
	{                                                                                          \
		set_bit(PG_##lname, &page->flags);                                                 \
	}                                                                                          \
	static inline void ClearPage##uname(struct page *page)                                     \
	{                                                                                          \
		clear_bit(PG_##lname, &page->flags);                                               \
	}                                                                                          \
	static inline bool TestSetPage##uname(struct page *page)                                   \
	{                                                                                          \
		return test_and_set_bit(PG_##lname, &page->flags);                                 \
	}                                                                                          \
	static inline bool TestClearPage##uname(struct page *page)                                 \
	{                                                                                          \
		return test_and_clear_bit(PG_##lname, &page->flags);                               \
	}

PAGEFLAG(Locked, locked)
PAGEFLAG(Referenced, referenced)
PAGEFLAG(Uptodate, uptodate)
PAGEFLAG(Dirty, dirty)
PAGEFLAG(LRU, lru)
PAGEFLAG(Active, active)
PAGEFLAG(Reserved, reserved)
PAGEFLAG(Private, private)
PAGEFLAG(Writeback, writeback)
PAGEFLAG(Head, head)
PAGEFLAG(SwapBacked, swapbacked)
PAGEFLAG(Unevictable, unevictable)
PAGEFLAG(Mlocked, mlocked)
PAGEFLAG(Buddy, buddy)
PAGEFLAG(Table, pgtable)
PAGEFLAG(AnonExclusive, anon_exclusive)
PAGEFLAG(Isolated, isolated)
/* Someone sleeps on the page lock (set by the waiter, cleared by unlock_page()). */
PAGEFLAG(Waiters, waiters)
PAGEFLAG(Error, error)
#undef PAGEFLAG

static inline bool PageTail(const struct page *page)
{
	return READ_ONCE(page->compound_head) & 1;
}

static inline bool PageCompound(const struct page *page)
{
	return PageHead(page) || PageTail(page);
}

static inline struct page *compound_head(struct page *page)
{
	unsigned long head = READ_ONCE(page->compound_head);

	if (unlikely(head & 1))
		return (struct page *)(head - 1);
	return page;
}

/*
 * The first tail's fields are read atomically: a lockless reader (GUP-fast, or a
 * look at a huge pmd before its lock) may meet a split clearing them.
 */
static inline unsigned int compound_order(struct page *page)
{
	if (!PageHead(page))
		return 0;
	return READ_ONCE(page[1].compound_order);
}

static inline unsigned long compound_nr(struct page *page)
{
	if (!PageHead(page))
		return 1;
	return READ_ONCE(page[1].compound_nr);
}

static inline bool PageAnon(struct page *page)
{
	page = compound_head(page);
	return ((unsigned long)READ_ONCE(page->mapping) & PAGE_MAPPING_ANON) != 0;
}

/* Reference counts. */
static inline int page_ref_count(const struct page *page)
{
	return atomic_read(&page->_refcount);
}

static inline int page_count(struct page *page)
{
	return page_ref_count(compound_head(page));
}

static inline void set_page_count(struct page *page, int v)
{
	atomic_set(&page->_refcount, v);
}

static inline void page_ref_add(struct page *page, int nr)
{
	atomic_add(nr, &page->_refcount);
}

static inline void page_ref_sub(struct page *page, int nr)
{
	atomic_sub(nr, &page->_refcount);
}

static inline int page_ref_sub_return(struct page *page, int nr)
{
	return atomic_sub_return(nr, &page->_refcount);
}

static inline bool page_ref_dec_and_test(struct page *page)
{
	return atomic_dec_and_test(&page->_refcount);
}

/* Speculative reference: succeeds only if the page was not already free (count 0). */
static inline bool page_ref_add_unless_zero(struct page *page, int nr)
{
	return atomic_add_unless(&page->_refcount, nr, 0);
}

static inline bool page_cache_add_speculative(struct page *page, int count)
{
	return page_ref_add_unless_zero(page, count);
}

static inline int page_mapcount(struct page *page)
{
	int ret = atomic_read(&page->_mapcount) + 1;

	if (PageCompound(page))
		ret += atomic_read(&compound_head(page)[1].compound_mapcount) + 1;
	return ret;
}

/*
 * Is any of @page's compound page mapped, as 5.11's page_mapped() (a tail asks for
 * the whole)? A pmd, or a PTE mapping any subpage of a THP (one partly munmapped
 * still is); a hugetlb page (its compound_dtor set) is mapped whole or not at all.
 */
static inline bool page_mapped(struct page *page)
{
	struct page *head;

	if (!PageCompound(page))
		return atomic_read(&page->_mapcount) >= 0;
	head = compound_head(page);
	if (atomic_read(&head[1].compound_mapcount) >= 0)
		return true;
	if (head[1].compound_dtor)
		return false;
	for (unsigned long i = 0; i < compound_nr(head); i++)
		if (atomic_read(&head[i]._mapcount) >= 0)
			return true;
	return false;
}

void __put_page(struct page *page);
/* A device page's refcount fell to @count: memremap.c's free rules (idle, last). */
void put_devmap_page_refs(struct page *page, int count);
static inline bool is_zone_device_page(const struct page *page);

static inline void get_page(struct page *page)
{
	page = compound_head(page);
	VM_BUG_ON_PAGE(page_ref_count(page) <= 0, page);
	page_ref_add(page, 1);
}

/*
 * put_page() as called from outside libgup: the end of a FOLL_GET reference GUP
 * handed out. Debug builds check it and keep the pin-owner records in step.
 */
void pin_owner_put_page(struct page *page);

/* Always inlined, so the caller's return address is the one pin_owner_put_page() sees. */
static inline __attribute__((always_inline)) void put_page(struct page *page)
{
	page = compound_head(page);
#if defined(CONFIG_DEBUG_VM) && !defined(GUP_BUILDING_LIBGUP)
	if (atomic_read(&page->dbg_gup_refs) || atomic_read(&page->dbg_gup_pins)) {
		pin_owner_put_page(page);
		return;
	}
#endif
	if (unlikely(is_zone_device_page(page))) {
		put_devmap_page_refs(page, page_ref_sub_return(page, 1));
		return;
	}
	if (page_ref_dec_and_test(page))
		__put_page(page);
}

/* Zones are data: a table of named pfn ranges, each with its own buddy lists. */
enum zone_type {
	ZONE_NORMAL,
	ZONE_MOVABLE,
	ZONE_DEVICE,
	MAX_NR_ZONES,
};

struct free_area {
	struct list_head free_list;
	unsigned long nr_free;
};

enum zone_watermarks { WMARK_MIN, WMARK_LOW, WMARK_HIGH, NR_WMARK };

struct zone {
	const char *name;
	unsigned long zone_start_pfn;
	unsigned long spanned_pages;
	/* The pages from zone_start_pfn below the CMA area (all without one, none if is_cma). */
	unsigned long below_cma_pages;
	unsigned long managed_pages;
	atomic_long_t free_pages;
	bool is_cma; /* pageblocks of this zone are MIGRATE_CMA */
	spinlock_t lock;
	struct free_area free_area[MAX_ORDER];
	/*
	 * MIGRATE_CMA pageblocks (sim_config.cma_bytes, at the top of ZONE_NORMAL):
	 * their free blocks sit on lists of their own, which only allocations that
	 * may be migrated away (__GFP_CMA, outside memalloc_nocma) take from.
	 */
	unsigned long cma_start_pfn;
	unsigned long cma_pages;
	atomic_long_t free_cma_pages;
	struct free_area cma_free_area[MAX_ORDER];
	/*
	 * min/low/high (setup_per_zone_wmarks(), from sim_config.min_free_kbytes):
	 * with kswapd on, an allocation that would leave fewer than low free pages
	 * wakes kswapd, which reclaims until high; below min it reclaims directly.
	 */
	unsigned long watermark[NR_WMARK];
};

static inline enum zone_type page_zonenum(const struct page *page)
{
	return (enum zone_type)(READ_ONCE(page->flags) >> ZONES_PGSHIFT);
}

/* A page of device memory (memremap_pages()): its own rules for references. */
static inline bool is_zone_device_page(const struct page *page)
{
	return page_zonenum(page) == ZONE_DEVICE;
}

/* The machine's zones, indexed by enum zone_type. */
extern struct zone *const node_zones;

static inline struct zone *page_zone(const struct page *page)
{
	return &node_zones[page_zonenum(page)];
}

/*
 * Translation between frames, descriptors and the host bytes behind them: the
 * flat memmap and the one host mapping of all frames, as the kernel's mem_map and
 * direct map. max_pfn is 0 while no machine runs.
 */
extern struct page *mem_map;
extern unsigned char *frames_base;
extern unsigned long max_pfn;

static inline struct page *pfn_to_page(unsigned long pfn)
{
	return mem_map + pfn;
}

static inline unsigned long page_to_pfn(const struct page *page)
{
	return (unsigned long)(page - mem_map);
}

static inline bool pfn_valid(unsigned long pfn)
{
	return pfn < max_pfn;
}

static inline void *page_address(const struct page *page)
{
	return frames_base + (page_to_pfn(page) << PAGE_SHIFT);
}

static inline struct page *virt_to_page(const void *addr)
{
	return pfn_to_page((unsigned long)((const unsigned char *)addr - frames_base) >>
			   PAGE_SHIFT);
}

/* Is @page in a MIGRATE_CMA pageblock (or a zone that is all CMA)? */
/* Is pfn @pfn of @zone in a MIGRATE_CMA pageblock (is_migrate_cma_page(), the zone known)? */
static inline bool zone_pfn_is_cma(const struct zone *zone, unsigned long pfn)
{
	return zone->is_cma || pfn - zone->cma_start_pfn < zone->cma_pages;
}

static inline bool is_migrate_cma_page(const struct page *page)
{
	return zone_pfn_is_cma(page_zone(page), page_to_pfn(page));
}

/* GFP flags: how to allocate, and from which zone. */
typedef unsigned int gfp_t;
#define __GFP_MOVABLE 0x08u
#define __GFP_ZERO 0x100u
#define __GFP_COMP 0x4000u
#define __GFP_NOWARN 0x200u
#define __GFP_NOFAIL 0x8000u
#define __GFP_CMA 0x10000u /* may use CMA pageblocks */
#define GFP_KERNEL 0x0cc0u
#define GFP_HIGHUSER (GFP_KERNEL | 0x02u)
#define GFP_HIGHUSER_MOVABLE (GFP_HIGHUSER | __GFP_MOVABLE | __GFP_CMA)
#define GFP_TRANSHUGE (GFP_HIGHUSER_MOVABLE | __GFP_COMP)
#define __GFP_DIRECT_RECLAIM 0x400u /* may reclaim (shrink_slab) before failing; in GFP_KERNEL */

/**
 * alloc_pages() - allocate 2^@order contiguous frames.
 * @gfp: GFP flags; __GFP_MOVABLE prefers ZONE_MOVABLE, __GFP_ZERO clears the bytes,
 *       __GFP_COMP makes a compound page.
 * @order: 0 .. MAX_ORDER-1.
 *
 * Return: the first page with refcount 1, or NULL when no block is free (or the
 * "page_alloc" fault-injection point fired). An order out of range warns and fails.
 */
struct page *alloc_pages(gfp_t gfp, unsigned int order);
/* alloc_pages() of order 0: the same return rules. */
struct page *alloc_page(gfp_t gfp);

/**
 * __free_pages() - drop a reference to a block from alloc_pages().
 * @page: first page of the block.
 * @order: the order it was allocated with.
 *
 * The block returns to the buddy allocator when the count reaches zero.
 */
void __free_pages(struct page *page, unsigned int order);

/* The shared zero page, mapped read-only for reads of untouched anonymous memory. */
struct page *zero_page(void);
/* pfn 0 stays reserved, as low memory does; the zero page is the next frame. */
static inline unsigned long zero_pfn(void)
{
	return 1;
}
static inline bool is_zero_pfn(unsigned long pfn)
{
	return pfn == zero_pfn();
}
#define ZERO_PAGE(vaddr) zero_page()

/*
 * Page lock (PG_locked on the head page), sleeping on a hashed waitqueue.
 * trylock_page() returns true if it took the lock. wait_on_page_locked() waits
 * for the lock to be free without taking it (migration entries use it).
 */
void lock_page(struct page *page);
bool trylock_page(struct page *page);
void unlock_page(struct page *page);
void wait_on_page_locked(struct page *page);
/*
 * put_and_wait_on_page_locked() - drop the caller's reference on @page and sleep
 * until its lock is released (one wake-up; the caller looks again). The reference
 * goes before the sleep, so a migration waited on is not kept from moving the page.
 */
void put_and_wait_on_page_locked(struct page *page);

/**
 * set_page_dirty() - mark a page dirty, through its mapping's a_ops if it has one.
 *
 * Return: 1 if the page was clean until now, 0 if it was already dirty.
 */
int set_page_dirty(struct page *page);
/* set_page_dirty() under the page lock, as unpin_user_pages_dirty_lock() needs. */
int set_page_dirty_lock(struct page *page);
/* Referenced, then active on a second call: the LRU's notion of a recent access. */
void mark_page_accessed(struct page *page);

#ifdef __cplusplus
}
#endif

#endif /* GUP_PAGE_H */
