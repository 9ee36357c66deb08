// SPDX-License-Identifier: GPL-2.0-only
/*
 * Simulated physical memory: the frame pool and memmap, zones as data, the buddy
 * allocator, page freeing, the page lock, and machine boot/shutdown with the leak
 * report.
 */
#include <sys/mman.h>
#include "mm/internal.h"
#include "lib/rcu.h"

struct machine sim;

#define DEFAULT_MEM_BYTES (1UL << 30)
#define MIN_ZONE_BYTES (8UL << 20)
#define ZONE_ALIGN_BYTES (PAGE_SIZE << (MAX_ORDER - 1))

/* pfn 0 stays reserved (as low memory does), then the zero page and the gate page. */
#define RESERVED_LOW_PFNS 3
#define GATE_PAGE_PFN 2

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

unsigned long sim_total_pages(void)
{
	return sim.nr_pages;
}

unsigned long sim_free_pages(void)
{
	return global_node_page_state(NR_FREE_PAGES);
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
	return PageBuddy(page) && page->private == order;
}

static void add_to_free_list(struct zone *zone, struct page *page, unsigned int order)
{
	page->private = order;
	SetPageBuddy(page);
	list_add(&page->lru, &zone->free_area[order].free_list);
	zone->free_area[order].nr_free++;
}

static void del_from_free_list(struct zone *zone, struct page *page, unsigned int order)
{
	list_del(&page->lru);
	ClearPageBuddy(page);
	page->private = 0;
	zone->free_area[order].nr_free--;
}

/* Return a block to its zone, merging with free buddies as far as they go. */
static void buddy_free(struct page *page, unsigned int order)
{
	struct zone *zone = page_zone(page);
	unsigned long pfn = page_to_pfn(page);
	unsigned long nr = 1UL << order;

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
	atomic_long_add(nr, &zone->free_pages);
	count_vm_stat(NR_FREE_PAGES, nr);
}

static struct page *buddy_alloc(struct zone *zone, unsigned int order)
{
	struct page *page = NULL;
	unsigned int cur;

	spin_lock(&zone->lock);
	for (cur = order; cur < MAX_ORDER; cur++) {
		if (zone->free_area[cur].nr_free) {
			page = list_first_entry(&zone->free_area[cur].free_list, struct page, lru);
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
	page->private = 0;
	atomic_set(&page->dbg_gup_refs, 0); /* a new owner starts with no GUP history */
	atomic_set(&page->dbg_gup_pins, 0);
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
	}
	ClearPageHead(page);
}

static struct zone *preferred_zone(gfp_t gfp, int attempt)
{
	static const enum zone_type movable_order[] = {ZONE_MOVABLE, ZONE_NORMAL};
	static const enum zone_type normal_order[] = {ZONE_NORMAL};

	if (gfp & __GFP_MOVABLE)
		return attempt < 2 ? &sim.zones[movable_order[attempt]] : NULL;
	return attempt < 1 ? &sim.zones[normal_order[attempt]] : NULL;
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = NULL;
	struct zone *zone;

	if (WARN_ON_ONCE(order >= MAX_ORDER))
		return NULL;
	if (inject_should_fail(INJECT_PAGE_ALLOC))
		return NULL;
	for (int attempt = 0; (zone = preferred_zone(gfp, attempt)); attempt++) {
		if (!zone->spanned_pages)
			continue;
		page = buddy_alloc(zone, order);
		if (page)
			break;
	}
	if (!page)
		return NULL;
	for (unsigned long i = 0; i < (1UL << order); i++)
		reset_page_state(page + i);
	set_page_count(page, 1);
	if (gfp & __GFP_ZERO)
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

void free_unref_page(struct page *page, unsigned int order)
{
	if (PageHead(page))
		destroy_compound_page(page, order);
	if (!free_page_is_sane(page))
		return; /* leak it rather than corrupt the free lists */
	reset_page_state(page);
	buddy_free(page, order);
}

void __put_page(struct page *page)
{
	unsigned int order = compound_order(page);

	if (PageMlocked(page)) {
		ClearPageMlocked(page);
		count_vm_stat(NR_MLOCK, -(long)compound_nr(page));
	}
	WRITE_ONCE(page->mapping, NULL);
	free_unref_page(page, order);
}

void __free_pages(struct page *page, unsigned int order)
{
	if (page_ref_dec_and_test(page))
		free_unref_page(page, order);
}

/* --- the page lock --- */

#define PAGE_WAIT_BUCKETS 64

struct page_waitqueue {
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static struct page_waitqueue page_waitqueues[PAGE_WAIT_BUCKETS];
static pthread_once_t page_waitqueues_once = PTHREAD_ONCE_INIT;

static void init_page_waitqueues(void)
{
	for (int i = 0; i < PAGE_WAIT_BUCKETS; i++) {
		pthread_mutex_init(&page_waitqueues[i].lock, NULL);
		pthread_cond_init(&page_waitqueues[i].cond, NULL);
	}
}

static struct page_waitqueue *page_waitqueue(struct page *page)
{
	return &page_waitqueues[page_to_pfn(page) % PAGE_WAIT_BUCKETS];
}

bool trylock_page(struct page *page)
{
	return !TestSetPageLocked(compound_head(page));
}

void lock_page(struct page *page)
{
	struct page_waitqueue *wq;

	page = compound_head(page);
	if (trylock_page(page))
		return;
	wq = page_waitqueue(page);
	pthread_mutex_lock(&wq->lock);
	while (TestSetPageLocked(page))
		pthread_cond_wait(&wq->cond, &wq->lock);
	pthread_mutex_unlock(&wq->lock);
}

void unlock_page(struct page *page)
{
	struct page_waitqueue *wq;

	page = compound_head(page);
	wq = page_waitqueue(page);
	pthread_mutex_lock(&wq->lock);
	ClearPageLocked(page);
	pthread_cond_broadcast(&wq->cond);
	pthread_mutex_unlock(&wq->lock);
}

void wait_on_page_locked(struct page *page)
{
	struct page_waitqueue *wq;

	page = compound_head(page);
	wq = page_waitqueue(page);
	pthread_mutex_lock(&wq->lock);
	while (PageLocked(page))
		pthread_cond_wait(&wq->cond, &wq->lock);
	pthread_mutex_unlock(&wq->lock);
}

int set_page_dirty(struct page *page)
{
	struct address_space *mapping;

	page = compound_head(page);
	mapping = page->mapping;
	if (mapping && !PageAnon(page) && mapping->a_ops && mapping->a_ops->set_page_dirty)
		return mapping->a_ops->set_page_dirty(page);
	return !TestSetPageDirty(page);
}

int set_page_dirty_lock(struct page *page)
{
	int ret;

	lock_page(page);
	ret = set_page_dirty(page);
	unlock_page(page);
	return ret;
}

void mark_page_accessed(struct page *page)
{
	page = compound_head(page);
	if (!PageReferenced(page))
		SetPageReferenced(page);
	else if (!PageActive(page))
		SetPageActive(page);
}

/* --- boot and shutdown --- */

static void init_zone(struct zone *zone, const char *name, enum zone_type id,
		      unsigned long start_pfn, unsigned long nr_pages)
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
	}
	for (unsigned long pfn = start_pfn; pfn < start_pfn + nr_pages; pfn++) {
		struct page *page = pfn_to_page(pfn);

		page->flags = (unsigned long)id << ZONES_PGSHIFT;
		atomic_set(&page->_mapcount, -1);
	}
}

/* Hand [start, end) to the buddy allocator in the largest aligned blocks. */
static void free_pfn_range(unsigned long start, unsigned long end)
{
	unsigned long pfn = start;

	while (pfn < end) {
		unsigned int order = MAX_ORDER - 1;

		while (order && (!IS_ALIGNED(pfn, 1UL << order) || pfn + (1UL << order) > end))
			order--;
		buddy_free(pfn_to_page(pfn), order);
		pfn += 1UL << order;
	}
}

static void reserve_low_pages(void)
{
	for (unsigned long pfn = 0; pfn < RESERVED_LOW_PFNS; pfn++) {
		struct page *page = pfn_to_page(pfn);

		SetPageReserved(page);
		set_page_count(page, 1);
	}
	sim.reserved_pages = RESERVED_LOW_PFNS;
	sim.zero_page = pfn_to_page(zero_pfn());
	memset(page_address(sim.zero_page), 0, PAGE_SIZE);
	/* The vsyscall page holds x86-64's legacy entry code; any bytes will do. */
	memset(page_address(gate_page()), 0xcc, PAGE_SIZE);
}

static int validate_config(const struct sim_config *cfg, unsigned long *normal,
			   unsigned long *movable)
{
	*normal = cfg && cfg->mem_bytes ? cfg->mem_bytes : DEFAULT_MEM_BYTES;
	*movable = cfg ? cfg->movable_bytes : 0;
	if (*normal < MIN_ZONE_BYTES || !IS_ALIGNED(*normal, ZONE_ALIGN_BYTES))
		return -EINVAL;
	if (*movable && (*movable < MIN_ZONE_BYTES || !IS_ALIGNED(*movable, ZONE_ALIGN_BYTES)))
		return -EINVAL;
	return 0;
}

static void *host_map(size_t bytes, bool populate)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | (populate ? MAP_POPULATE : 0),
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

int sim_boot(const struct sim_config *cfg)
{
	unsigned long normal, movable, normal_pages;
	const char *spec;
	int ret;

	if (sim.running)
		return -EBUSY;
	ret = validate_config(cfg, &normal, &movable);
	if (ret)
		return ret;
	pthread_once(&page_waitqueues_once, init_page_waitqueues);
	memset(&sim, 0, sizeof(sim));
	vmstat_reset();
	sim.nr_pages = (normal + movable) >> PAGE_SHIFT;
	sim.frames_bytes = normal + movable;
	sim.frames = host_map(sim.frames_bytes, cfg && cfg->prefault);
	sim.memmap = host_map(sim.nr_pages * sizeof(struct page), true);
	mem_map = sim.memmap;
	frames_base = sim.frames;
	if (!sim.frames || !sim.memmap) {
		if (sim.frames)
			munmap(sim.frames, sim.frames_bytes);
		if (sim.memmap)
			munmap(sim.memmap, sim.nr_pages * sizeof(struct page));
		return -ENOMEM;
	}
	sim.quiet = cfg && cfg->quiet;
	normal_pages = normal >> PAGE_SHIFT;
	init_zone(&sim.zones[ZONE_NORMAL], "Normal", ZONE_NORMAL, 0, normal_pages);
	init_zone(&sim.zones[ZONE_MOVABLE], "Movable", ZONE_MOVABLE, normal_pages,
		  movable >> PAGE_SHIFT);
	init_zone(&sim.zones[ZONE_DEVICE], "Device", ZONE_DEVICE, sim.nr_pages, 0);
	pthread_mutex_init(&sim.tasks_lock, NULL);
	INIT_LIST_HEAD(&sim.tasks);
	sim.next_pid = 1;
	sim.running = true;
	max_pfn = sim.nr_pages;
	reserve_low_pages();
	free_pfn_range(RESERVED_LOW_PFNS, normal_pages);
	free_pfn_range(normal_pages, sim.nr_pages);
	inject_disarm_all();
	spec = getenv("GUP_INJECT");
	if (spec && *spec && inject_parse(spec))
		fprintf(stderr, "libgup: ignoring malformed GUP_INJECT=%s\n", spec);
	return 0;
}

bool sim_running(void)
{
	return sim.running;
}

static void report_leaked_pages(FILE *out, unsigned long *leaked)
{
	unsigned long shown = 0;

	*leaked = 0;
	for (unsigned long pfn = 0; pfn < sim.nr_pages; pfn++) {
		struct page *page = pfn_to_page(pfn);
		int expect = PageReserved(page) ? 1 : 0;

		if (PageBuddy(page) || PageTail(page))
			continue;
		if (page_ref_count(page) == expect)
			continue;
		if (pfn >= RESERVED_LOW_PFNS && page_ref_count(page) == 0)
			continue; /* inside a free block, not its head */
		(*leaked)++;
		if (out && shown++ < 16)
			fprintf(out,
				"  leaked frame pfn %#lx: refcount %d (expected %d), mapcount %d, "
				"gup refs %d, pins %d%s\n",
				pfn, page_ref_count(page), expect, page_mapcount(page),
				atomic_read(&page->dbg_gup_refs), atomic_read(&page->dbg_gup_pins),
				PageTable(page) ? ", page table" : "");
	}
}

/* With every task gone no address space, VMA or shmem object may remain. */
static bool host_objects_left(FILE *out)
{
	long mms = atomic_long_read(&sim.nr_mms), vmas = atomic_long_read(&sim.nr_vmas);
	long mappings = atomic_long_read(&sim.nr_mappings);

	if (!mms && !vmas && !mappings)
		return false;
	if (out)
		fprintf(out, "libgup: %ld mm(s), %ld vma(s), %ld shmem object(s) never freed\n",
			mms, vmas, mappings);
	return true;
}

int sim_shutdown(void)
{
	FILE *out;
	unsigned long live, leaked, pins;
	int problems = 0;

	if (!sim.running)
		return -ENODEV;
	out = sim.quiet ? NULL : stderr;
	live = sim_live_tasks();
	if (live) {
		if (out)
			fprintf(out, "libgup: %lu task(s) still alive at shutdown\n", live);
		problems++;
		sim_reap_tasks();
	}
	pgtable_rcu_barrier();
	if (host_objects_left(out))
		problems++;
	pins = global_node_page_state(NR_FOLL_PIN_ACQUIRED) -
	       global_node_page_state(NR_FOLL_PIN_RELEASED);
	if (pins) {
		if (out)
			fprintf(out, "libgup: %lu pin(s) never released\n", pins);
		problems++;
	}
	if (!live && __sim_check(out))
		problems++;
	report_leaked_pages(out, &leaked);
	if (leaked || sim_free_pages() != sim.nr_pages - sim.reserved_pages) {
		if (out)
			fprintf(out, "libgup: %lu frame(s) leaked, %lu of %lu free\n", leaked,
				sim_free_pages(), sim.nr_pages - sim.reserved_pages);
		problems++;
	}
	if (problems && out)
		fprintf(out, "libgup: leak check failed at shutdown\n");
	inject_disarm_all();
	max_pfn = 0;
	munmap(sim.frames, sim.frames_bytes);
	munmap(sim.memmap, sim.nr_pages * sizeof(struct page));
	sim.running = false;
	return problems ? -EBUSY : 0;
}
