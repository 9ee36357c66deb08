// SPDX-License-Identifier: GPL-2.0-only
/*
 * Physical page allocation: the memmap, zones as data, the buddy allocator,
 * compound pages and page freeing. Booting the machine lives in src/sim/machine.c.
 */
#include <sys/mman.h>
#include "mm/internal.h"
#include "mm/shrinker.h"
#include "mm/page_isolation.h"

#if defined(__SANITIZE_ADDRESS__)
#define FRAMES_POISON_FREED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FRAMES_POISON_FREED 1
#endif
#endif
#ifdef FRAMES_POISON_FREED
#include <sanitizer/asan_interface.h>
#endif

struct page *mem_map;
unsigned char *frames_base;
unsigned long max_pfn;

struct zone *const node_zones = sim.zones;

struct page *zero_page(void)
{
	return sim.zero_page;
}

struct page *gate_page(void)
{
	return pfn_to_page(GATE_PAGE_PFN);
}

unsigned long sim_free_pages(void)
{
	return global_node_page_state(NR_FREE_PAGES);
}

/*
 * Under ASan a freed frame's bytes are poisoned until it is allocated again, so
 * whoever still reads it (a lockless walker in a page table freed before its
 * grace period, say) is stopped at the read. Without ASan these do nothing.
 */
static void frames_poison(struct page *page, unsigned int order)
{
#ifdef FRAMES_POISON_FREED
	ASAN_POISON_MEMORY_REGION(page_address(page), PAGE_SIZE << order);
#else
	(void)page;
	(void)order;
#endif
}

static void frames_unpoison(struct page *page, unsigned int order)
{
#ifdef FRAMES_POISON_FREED
	ASAN_UNPOISON_MEMORY_REGION(page_address(page), PAGE_SIZE << order);
#else
	(void)page;
	(void)order;
#endif
}

/*
 * Shadow memory outlives the host mapping it describes: before the frames are
 * unmapped, lift the poison, or the next machine mapped at the same host address
 * would start with poisoned frames. Only poisoned frames are touched, so the
 * shadow of frames never used stays unallocated.
 */
void frames_unpoison_all(void)
{
#ifdef FRAMES_POISON_FREED
	for (unsigned long pfn = 0; pfn < sim.nr_pages; pfn++) {
		void *bytes = page_address(pfn_to_page(pfn));

		if (__asan_address_is_poisoned(bytes))
			ASAN_UNPOISON_MEMORY_REGION(bytes, PAGE_SIZE);
	}
#endif
}

void copy_highpage(struct page *to, struct page *from)
{
	memcpy(page_address(to), page_address(from), PAGE_SIZE);
}

/* --- buddy allocator --- */

static inline unsigned long buddy_pfn_of(unsigned long pfn, unsigned int order)
{
	return pfn ^ (1UL << order);
}

static bool page_is_free_buddy(struct zone *zone, unsigned long pfn, unsigned int order)
{
	struct page *page;

	if (pfn < zone->zone_start_pfn || pfn >= zone->zone_start_pfn + zone->spanned_pages)
		return false;
	page = pfn_to_page(pfn);
	return PageBuddy(page) && page->private_data == order;
}

/* Widen @span to take in [start, end); allocations in different zones may race. */
static void span_note(struct pfn_span *span, unsigned long start, unsigned long end)
{
	unsigned long lo = __atomic_load_n(&span->lo, __ATOMIC_RELAXED);
	unsigned long hi = __atomic_load_n(&span->hi, __ATOMIC_RELAXED);

	while (start < lo && !__atomic_compare_exchange_n(&span->lo, &lo, start, false,
							  __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	while (end > hi && !__atomic_compare_exchange_n(&span->hi, &hi, end, false,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* The free lists a block belongs on: its pageblocks' migratetype decides. */
static struct free_area *free_area_of(struct zone *zone, struct page *page)
{
	return is_migrate_cma_page(page) && !zone->is_cma ? zone->cma_free_area : zone->free_area;
}

static void add_to_free_list(struct zone *zone, struct page *page, unsigned int order)
{
	struct free_area *area = &free_area_of(zone, page)[order];

	span_note(&sim.memmap_used, page_to_pfn(page), page_to_pfn(page) + 1);
	page->private_data = order;
	SetPageBuddy(page);
	list_add(&page->lru, &area->free_list);
	area->nr_free++;
}

static void del_from_free_list(struct zone *zone, struct page *page, unsigned int order)
{
	span_note(&sim.memmap_used, page_to_pfn(page), page_to_pfn(page) + 1);
	list_del(&page->lru);
	ClearPageBuddy(page);
	page->private_data = 0;
	free_area_of(zone, page)[order].nr_free--;
}

/* Free pages of @zone's CMA pageblocks change with every block in or out of them. */
static void note_free_cma(struct zone *zone, struct page *page, long nr)
{
	if (is_migrate_cma_page(page) && !zone->is_cma)
		atomic_long_add(nr, &zone->free_cma_pages);
}

/* Return a block to its zone, merging with free buddies as far as they go. */
static void buddy_free(struct page *page, unsigned int order)
{
	struct zone *zone = page_zone(page);
	unsigned long pfn = page_to_pfn(page);
	unsigned long nr = 1UL << order;

	/* A block freed into an isolated range stays with the isolation (page_isolation.c). */
	if (unlikely(atomic_read(&nr_isolated_ranges)) && page_isolation_capture(page, order))
		return;
	spin_lock(&zone->lock);
	while (order < MAX_ORDER - 1) {
		unsigned long buddy = buddy_pfn_of(pfn, order);

		if (!page_is_free_buddy(zone, buddy, order))
			break;
		del_from_free_list(zone, pfn_to_page(buddy), order);
		pfn &= buddy;
		order++;
	}
	add_to_free_list(zone, pfn_to_page(pfn), order);
	spin_unlock(&zone->lock);
	note_free_cma(zone, page, (long)nr);
	atomic_long_add(nr, &zone->free_pages);
	count_vm_stat(NR_FREE_PAGES, nr);
}

/* A block of 2^@order from @zone's ordinary free lists, or (@cma) its CMA ones. */
static struct page *buddy_alloc(struct zone *zone, unsigned int order, bool cma)
{
	struct free_area *area = cma ? zone->cma_free_area : zone->free_area;
	struct page *page = NULL;
	unsigned int cur;

	spin_lock(&zone->lock);
	for (cur = order; cur < MAX_ORDER; cur++) {
		if (area[cur].nr_free) {
			page = list_first_entry(&area[cur].free_list, struct page, lru);
			break;
		}
	}
	if (page) {
		del_from_free_list(zone, page, cur);
		while (cur > order) { /* give back the upper halves */
			cur--;
			add_to_free_list(zone, page + (1UL << cur), cur);
		}
	}
	spin_unlock(&zone->lock);
	if (page) {
		note_free_cma(zone, page, -(long)(1UL << order));
		atomic_long_add(-(long)(1UL << order), &zone->free_pages);
		count_vm_stat(NR_FREE_PAGES, -(long)(1UL << order));
	}
	return page;
}

static void reset_page_state(struct page *page)
{
	unsigned long zone_bits = page->flags & (~0UL << ZONES_PGSHIFT);

	/*
	 * Atomic where others may look without our locks: buddy_free() tests PG_buddy
	 * of allocated neighbours, lockless GUP reads flags, mapping and compound_head
	 * (lru.next) of pages it has no reference on yet.
	 */
	WRITE_ONCE(page->flags, zone_bits);
	WRITE_ONCE(page->mapping, NULL);
	page->index = 0;
	page->private_data = 0;
	atomic_set(&page->dbg_gup_refs, 0); /* a new owner starts with no GUP history */
	atomic_set(&page->dbg_gup_pins, 0);
	pin_owner_forget(page);
	WRITE_ONCE(page->lru.next, NULL);
	WRITE_ONCE(page->lru.prev, NULL);
	atomic_set(&page->_mapcount, -1);
}

void prep_compound_page(struct page *page, unsigned int order)
{
	unsigned long nr = 1UL << order;

	SetPageHead(page);
	for (unsigned long i = 1; i < nr; i++)
		WRITE_ONCE(page[i].compound_head, (unsigned long)page + 1);
	page[1].compound_order = order;
	page[1].compound_nr = nr;
	page[1].compound_dtor = 0;
	atomic_set(&page[1].compound_mapcount, -1);
	if (order > 1)
		atomic_set(compound_pincount_ptr(page), 0);
}

static void destroy_compound_page(struct page *page, unsigned int order)
{
	for (unsigned long i = 1; i < (1UL << order); i++) {
		WRITE_ONCE(page[i].compound_head, 0);
		WRITE_ONCE(page[i].mapping, NULL);
		atomic_set(&page[i]._mapcount, -1);
		ClearPageAnonExclusive(page + i); /* the one flag a tail carries (6.x) */
	}
	ClearPageHead(page);
}

static struct page *prep_new_page(struct page *page, unsigned int order, gfp_t gfp);

/* Inside memalloc_nocma_save() on this thread. */
static __thread unsigned int memalloc_nocma_depth;

/*
 * A block from @zone for @gfp. Allocations that may be migrated later may use
 * CMA pageblocks, and take them first once they hold more than half the zone's
 * free memory, so CMA does not sit idle while the rest runs out (5.11's
 * __rmqueue); others, and any allocation under memalloc_nocma, never do.
 */
static struct page *zone_alloc(struct zone *zone, unsigned int order, gfp_t gfp)
{
	bool may_cma = (gfp & __GFP_CMA) && !memalloc_nocma_depth;
	bool cma_first =
		may_cma && zone->cma_pages &&
		atomic_long_read(&zone->free_cma_pages) > atomic_long_read(&zone->free_pages) / 2;
	struct page *page;

	if (zone->is_cma && !may_cma)
		return NULL; /* a zone made all of CMA pageblocks */
	may_cma = may_cma && zone->cma_pages;
	page = buddy_alloc(zone, order, cma_first);

	if (!page && may_cma)
		page = buddy_alloc(zone, order, !cma_first);
	return page;
}

static struct zone *preferred_zone(gfp_t gfp, int attempt)
{
	static const enum zone_type movable_order[] = {ZONE_MOVABLE, ZONE_NORMAL};
	static const enum zone_type normal_order[] = {ZONE_NORMAL};

	if (gfp & __GFP_MOVABLE)
		return attempt < 2 ? &sim.zones[movable_order[attempt]] : NULL;
	return attempt < 1 ? &sim.zones[normal_order[attempt]] : NULL;
}

/* Do the watermarks hold allocations back (sim_config.kswapd)? Else only an empty zone fails. */
static bool watermarks_enforced;

/* The kernel's default min_free_kbytes: sqrt(lowmem KiB * 16), within [128 KiB, 256 MiB]. */
static unsigned long default_min_free_kbytes(unsigned long managed_pages)
{
	unsigned long kbytes = managed_pages << (PAGE_SHIFT - 10), product = kbytes * 16, root = 0;

	while ((root + 1) * (root + 1) <= product)
		root++;
	return root < 128 ? 128 : root > 262144 ? 262144 : root;
}

void setup_per_zone_wmarks(unsigned long min_free_kbytes, bool enforce)
{
	unsigned long managed = 0, min_pages;

	for (int z = 0; z < ZONE_DEVICE; z++)
		managed += sim.zones[z].managed_pages;
	if (!min_free_kbytes)
		min_free_kbytes = default_min_free_kbytes(managed);
	min_pages = min_free_kbytes >> (PAGE_SHIFT - 10);
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &sim.zones[z];
		unsigned long share = 0, gap;

		if (z < ZONE_DEVICE && managed)
			share = min_t(unsigned long, min_pages * zone->managed_pages / managed,
				      zone->managed_pages);
		/* watermark_scale_factor 10: the gaps are 0.1% of the zone, at least min/4. */
		gap = max_t(unsigned long, share / 4, zone->managed_pages * 10 / 10000);
		zone->watermark[WMARK_MIN] = share;
		zone->watermark[WMARK_LOW] = share ? share + gap : 0;
		zone->watermark[WMARK_HIGH] = share ? share + 2 * gap : 0;
	}
	watermarks_enforced = enforce;
}

bool zone_watermark_ok(struct zone *zone, unsigned int order, enum zone_watermarks mark)
{
	long free = atomic_long_read(&zone->free_pages) - (1L << order);

	return free >= (long)zone->watermark[mark];
}

bool zones_balanced(enum zone_watermarks mark)
{
	for (int z = 0; z < ZONE_DEVICE; z++)
		if (sim.zones[z].spanned_pages && !zone_watermark_ok(&sim.zones[z], 0, mark))
			return false;
	return true;
}

/* Wake kswapd when a zone @gfp may use has fallen below its low watermark. */
static void wake_kswapd_for(gfp_t gfp)
{
	struct zone *zone;

	for (int attempt = 0; (zone = preferred_zone(gfp, attempt)); attempt++)
		if (zone->spanned_pages && !zone_watermark_ok(zone, 0, WMARK_LOW)) {
			wakeup_kswapd();
			return;
		}
}

/*
 * A free block from the zones @gfp may use, in order, each keeping @mark free
 * pages after it when the watermarks are enforced; NULL when all are short.
 */
static struct page *get_page_from_freelist(gfp_t gfp, unsigned int order, enum zone_watermarks mark)
{
	struct page *page = NULL;
	struct zone *zone;

	for (int attempt = 0; (zone = preferred_zone(gfp, attempt)); attempt++) {
		if (!zone->spanned_pages)
			continue;
		if (watermarks_enforced && !zone_watermark_ok(zone, order, mark))
			continue;
		page = zone_alloc(zone, order, gfp);
		if (page)
			break;
	}
	return page;
}

/* Reclaim rounds before an allocation fails while the shrinkers still free something. */
#define MAX_RECLAIM_RETRIES 16

/*
 * The slow path: direct reclaim of LRU pages for a fault's page, then the shrinkers
 * give back what they can and the allocation is tried again while they make progress. Not for an allocation that may not reclaim, nor
 * for one made by a shrinker (the kernel's PF_MEMALLOC).
 */
static struct page *alloc_pages_slowpath(gfp_t gfp, unsigned int order)
{
	struct page *page = NULL;

	/* Below low: kswapd wakes, and the allocation may still dip to min (ALLOC_WMARK_MIN). */
	if (watermarks_enforced) {
		wake_kswapd_for(gfp);
		page = get_page_from_freelist(gfp, order, WMARK_MIN);
		if (page)
			return page;
	}
	/* A fault's small movable page may wait once for direct reclaim of the LRU. */
	if (!order && (gfp & __GFP_MOVABLE) && direct_reclaim_allowed() &&
	    try_to_free_pages(SWAP_CLUSTER_MAX))
		page = get_page_from_freelist(gfp, order, WMARK_MIN);
	if (page || !(gfp & __GFP_DIRECT_RECLAIM) || current_in_reclaim())
		return page;
	for (int round = 0; !page && round < MAX_RECLAIM_RETRIES; round++) {
		if (!shrink_slab(gfp, ULONG_MAX))
			break;
		page = get_page_from_freelist(gfp, order, WMARK_MIN);
	}
	return page;
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	struct page *page;

	if (WARN_ON_ONCE(order >= MAX_ORDER))
		return NULL;
	gfp = current_gfp_context(gfp);
	if (sim_point(SP_PAGE_ALLOC, NULL))
		return NULL;
	page = get_page_from_freelist(gfp, order, WMARK_LOW);
	if (!page)
		page = alloc_pages_slowpath(gfp, order);
	return page ? prep_new_page(page, order, gfp) : NULL;
}

unsigned int memalloc_nocma_save(void)
{
	return memalloc_nocma_depth++;
}

void memalloc_nocma_restore(unsigned int depth)
{
	memalloc_nocma_depth = depth;
}

struct page *alloc_pages_zone(gfp_t gfp, unsigned int order, enum zone_type zone)
{
	struct page *page;

	if (WARN_ON_ONCE(order >= MAX_ORDER || zone >= MAX_NR_ZONES))
		return NULL;
	if (sim_point(SP_PAGE_ALLOC, NULL) || !sim.zones[zone].spanned_pages)
		return NULL;
	page = zone_alloc(&sim.zones[zone], order, current_gfp_context(gfp));
	return page ? prep_new_page(page, order, gfp) : NULL;
}

/* A block just taken from the buddy lists becomes an allocated page (or compound). */
static struct page *prep_new_page(struct page *page, unsigned int order, gfp_t gfp)
{
	frames_unpoison(page, order);
	span_note(&sim.memmap_used, page_to_pfn(page), page_to_pfn(page) + (1UL << order));
	span_note(&sim.frames_used, page_to_pfn(page), page_to_pfn(page) + (1UL << order));
	for (unsigned long i = 0; i < (1UL << order); i++)
		reset_page_state(page + i);
	set_page_count(page, 1);
	if ((gfp & __GFP_ZERO) && !sim.init_on_free)
		memset(page_address(page), 0, PAGE_SIZE << order);
	if ((gfp & __GFP_COMP) && order)
		prep_compound_page(page, order);
	VM_CHECK(page_is_valid(page, stderr));
	return page;
}

struct page *alloc_page(gfp_t gfp)
{
	return alloc_pages(gfp, 0);
}

/* A page must be unmapped and unowned when it is freed, or something leaked a reference. */
static bool free_page_is_sane(struct page *page)
{
	if (atomic_read(&page->_mapcount) != -1 || PageBuddy(page) || PageReserved(page) ||
	    PageTable(page) || PageLocked(page)) {
		dump_page(page, "freeing a page in a bad state");
		__gup_warn(__FILE__, __LINE__, __func__, "Bad page state");
		return false;
	}
	return true;
}

/*
 * init_on_free: every frame the buddy allocator holds is zero (boot's are), so
 * what it is given back is zeroed on the way in.
 */
static void zero_freed_frames(struct page *page, unsigned int order)
{
	if (sim.init_on_free)
		memset(page_address(page), 0, PAGE_SIZE << order);
}

void free_unref_page(struct page *page, unsigned int order)
{
	if (PageHead(page))
		destroy_compound_page(page, order);
	if (!free_page_is_sane(page))
		return; /* leak it rather than corrupt the free lists */
	reset_page_state(page);
	zero_freed_frames(page, order);
	frames_poison(page, order);
	buddy_free(page, order);
}

void __put_page(struct page *page)
{
	unsigned int order = compound_order(page);

	/* A device page's last reference: its pgmap's, not the buddy allocator's. */
	if (is_zone_device_page(page)) {
		put_devmap_page_refs(page, 0);
		return;
	}
	if (PageHuge(page)) { /* the last reference of a hugetlb page: back to its pool */
		free_huge_page(page);
		return;
	}

	if (PageMlocked(page)) {
		ClearPageMlocked(page);
		count_vm_stat(NR_MLOCK, -(long)compound_nr(page));
	}
	lru_page_freed(page);
	WRITE_ONCE(page->mapping, NULL);
	free_unref_page(page, order);
}

void __free_pages(struct page *page, unsigned int order)
{
	if (page_ref_dec_and_test(page))
		free_unref_page(page, order);
}

void init_zone(struct zone *zone, const char *name, unsigned long start_pfn, unsigned long nr_pages)
{
	zone->name = name;
	zone->zone_start_pfn = start_pfn;
	zone->spanned_pages = nr_pages;
	zone->managed_pages = nr_pages;
	atomic_long_set(&zone->free_pages, 0);
	spin_lock_init(&zone->lock);
	for (int o = 0; o < MAX_ORDER; o++) {
		INIT_LIST_HEAD(&zone->free_area[o].free_list);
		zone->free_area[o].nr_free = 0;
		INIT_LIST_HEAD(&zone->cma_free_area[o].free_list);
		zone->cma_free_area[o].nr_free = 0;
	}
	zone->cma_start_pfn = 0;
	zone->cma_pages = 0;
	zone->below_cma_pages = nr_pages;
	atomic_long_set(&zone->free_cma_pages, 0);
}

void zone_init_cma(struct zone *zone, unsigned long nr_pages)
{
	zone->cma_start_pfn = zone->zone_start_pfn + zone->spanned_pages - nr_pages;
	zone->cma_pages = nr_pages;
	zone_set_all_cma(zone, zone->is_cma);
}

void zone_set_all_cma(struct zone *zone, bool all_cma)
{
	zone->is_cma = all_cma;
	zone->below_cma_pages = all_cma ? 0 : zone->spanned_pages - zone->cma_pages;
}

void init_memmap(unsigned long start, unsigned long end)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &sim.zones[z];
		unsigned long lo = max_t(unsigned long, start, zone->zone_start_pfn);
		unsigned long hi =
			min_t(unsigned long, end, zone->zone_start_pfn + zone->spanned_pages);

		for (unsigned long pfn = lo; pfn < hi; pfn++) {
			struct page *page = pfn_to_page(pfn);

			memset(page, 0, sizeof(*page));
			page->flags = (unsigned long)z << ZONES_PGSHIFT;
			atomic_set(&page->_mapcount, -1);
		}
	}
}

/* Hand [start, end) to the buddy allocator in the largest aligned blocks. */
void free_pfn_range(unsigned long start, unsigned long end)
{
	unsigned long pfn = start;

	while (pfn < end) {
		unsigned int order = MAX_ORDER - 1;

		while (order && (!IS_ALIGNED(pfn, 1UL << order) || pfn + (1UL << order) > end))
			order--;
		init_memmap(pfn, pfn + 1); /* a head left from a machine booted before */
		buddy_free(pfn_to_page(pfn), order);
		pfn += 1UL << order;
	}
}

/* --- hugetlb's pool pages (hugetlb.c owns the pools) --- */

void page_alloc_note_used(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);

	span_note(&sim.memmap_used, pfn, pfn + (1UL << order));
	span_note(&sim.frames_used, pfn, pfn + (1UL << order));
}

void prep_gigantic_page(unsigned long pfn, unsigned int order)
{
	struct page *page = pfn_to_page(pfn);

	span_note(&sim.memmap_used, pfn, pfn + (1UL << order));
	for (unsigned long i = 0; i < (1UL << order); i++)
		reset_page_state(page + i);
	prep_compound_page(page, order);
}

void free_gigantic_page(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);

	destroy_compound_page(page, order);
	reset_page_state(page);
	zero_freed_frames(page, order);
	free_pfn_range(pfn, pfn + (1UL << order));
}

/* --- isolated ranges' frames (page_isolation.c owns the ranges) --- */

void frame_hold(struct page *page)
{
	page_alloc_note_used(page, 0);
	SetPageReserved(page);
	set_page_count(page, 1);
}

void frame_hand_over(struct page *page)
{
	frames_unpoison(page, 0);
	reset_page_state(page);
	set_page_count(page, 1);
}

/* Take the free block at @pfn of order @order; hold its frames inside [start, end). */
static unsigned long take_block(struct zone *zone, unsigned long pfn, unsigned int order,
				unsigned long start, unsigned long end,
				void (*held)(unsigned long pfn, void *arg), void *arg)
{
	unsigned long nr = 1UL << order, nr_held = 0, piece;
	struct page *head = pfn_to_page(pfn);

	del_from_free_list(zone, head, order);
	for (unsigned long p = pfn; p < pfn + nr; p += piece) {
		unsigned int o = 0;

		if (p >= start && p < end) {
			frame_hold(pfn_to_page(p));
			held(p, arg);
			nr_held++;
			piece = 1;
			continue;
		}
		/* The largest aligned piece outside the range goes back to the lists. */
		while (o < order && IS_ALIGNED(p, 2UL << o) && p + (2UL << o) <= pfn + nr &&
		       (p + (2UL << o) <= start || p >= end))
			o++;
		add_to_free_list(zone, pfn_to_page(p), o);
		piece = 1UL << o;
	}
	return nr_held;
}

/* The free block holding @pfn, or -1: its head's pfn in *@head_pfn. */
static int free_block_containing(struct zone *zone, unsigned long pfn, unsigned long *head_pfn)
{
	for (unsigned int o = 0; o < MAX_ORDER; o++) {
		unsigned long head = pfn & ~((1UL << o) - 1);

		if (page_is_free_buddy(zone, head, o)) {
			*head_pfn = head;
			return (int)o;
		}
	}
	return -1;
}

unsigned long take_free_frames(unsigned long start, unsigned long end,
			       void (*held_fn)(unsigned long pfn, void *arg), void *arg)
{
	unsigned long taken = 0;

	for (unsigned long pfn = start; pfn < end;) {
		struct zone *zone = page_zone(pfn_to_page(pfn));
		unsigned long zone_end =
			min_t(unsigned long, end, zone->zone_start_pfn + zone->spanned_pages);
		unsigned long held = 0, cma_held = 0;

		spin_lock(&zone->lock);
		for (; pfn < zone_end; pfn++) {
			unsigned long head;
			int order = free_block_containing(zone, pfn, &head);
			unsigned long n;

			if (order < 0)
				continue;
			n = take_block(zone, head, (unsigned int)order, start, end, held_fn, arg);
			held += n;
			if (is_migrate_cma_page(pfn_to_page(head)))
				cma_held += n;
			pfn = head + (1UL << order) - 1;
		}
		spin_unlock(&zone->lock);
		if (!zone->is_cma)
			atomic_long_add(-(long)cma_held, &zone->free_cma_pages);
		atomic_long_add(-(long)held, &zone->free_pages);
		count_vm_stat(NR_FREE_PAGES, -(long)held);
		taken += held;
	}
	return taken;
}
