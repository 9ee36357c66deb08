// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reclaim: shrink_page_list() writes isolated anonymous and shmem pages to swap,
 * and page-cache pages back to their host file, and frees them; reclaim_pages() for
 * MADV_PAGEOUT, direct reclaim from the allocator's slow path and sim_reclaim()
 * on demand.
 */
#include "mm/internal.h"
#include <gup/pagemap.h>
#include <gup/sim_thread.h>

/*
 * A swap-cache page no longer anonymous (its last PTE went, or its read failed)
 * or a shmem page swapped out: nothing maps it. Written again when dirty (a
 * shmem page whose write failed; a copy whose read failed is not uptodate and
 * never dirty), then dropped unless someone else holds it (a pin).
 */
static bool reclaim_swap_cache_page(struct page *page)
{
	if (page_mapped(page))
		return false;
	if (PageDirty(page) && (!PageUptodate(page) || swap_pageout(page)))
		return false;
	return remove_swap_mapping(page);
}

/* The swap-out of one isolated, locked page. Return: true when it may be freed now. */
static bool reclaim_anon_page(struct page *page)
{
	if (!PageAnon(page) && PageSwapCache(page))
		return reclaim_swap_cache_page(page);
	if (!PageAnon(page) || !PageSwapBacked(page) || PageCompound(page) || PageMlocked(page) ||
	    PageUnevictable(page))
		return false;
	if (!PageSwapCache(page)) {
		/*
		 * "mm: don't put pinned pages into the swap cache" (v5.11-rc5, kept
		 * since): a maybe-pinned page is not unmapped behind its pin.
		 */
		if (page_maybe_dma_pinned(page))
			return false;
		if (add_to_swap(page))
			return false;
	}
	/* An rmap walk needs the anon_vma, which only a mapped page keeps for certain. */
	if (page_mapped(page) && !try_to_unmap(page, 0))
		return false;
	/* A write error keeps the data in this page, in the swap cache, for a later try. */
	if (PageDirty(page) && swap_pageout(page))
		return false;
	return remove_swap_mapping(page);
}

/*
 * __remove_mapping(): the locked, clean, unmapped page-cache @page leaves its
 * mapping when nothing but the isolation and the cache hold it. The count is
 * frozen at zero first, so a racing find_get_page() or GUP-fast cannot take it
 * while it goes; a pin (or any other reference) fails the freeze and the page
 * stays in the cache, where the next fault maps it again. Return: true, and the
 * caller's put_page() frees it.
 */
static bool remove_mapping(struct address_space *mapping, struct page *page)
{
	int expected = 2; /* the isolation's and the page cache's */

	spin_lock(&mapping->i_pages_lock);
	if (!__atomic_compare_exchange_n(&page->_refcount.counter, &expected, 0, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		goto refused;
	if (PageDirty(page)) {
		/* Dirtied through a reference we just counted out (set_page_dirty_lock). */
		set_page_count(page, 2);
		goto refused;
	}
	__delete_from_page_cache(page);
	spin_unlock(&mapping->i_pages_lock);
	set_page_count(page, 1); /* the isolation's, which the caller's put frees */
	return true;
refused:
	spin_unlock(&mapping->i_pages_lock);
	return false;
}

/* What shrink_page_list() does with a page after looking at it. */
enum page_verdict {
	PAGE_KEEP,	    /* still locked: unlock and put back on the LRU */
	PAGE_KEEP_UNLOCKED, /* the lock went with the writeback and was not had back */
	PAGE_FREE,	    /* still locked, out of every cache: unlock and free */
};

/*
 * pageout(): write the locked, unmapped, dirty @page to its host file through
 * the mapping's writepage (synchronous here: it unlocks the page when done, as
 * the kernel's end of writeback would). Only host files can: shmem pages have no
 * writepage. Return: PAGE_FREE with the page locked again and clean, so it goes
 * in this same pass (the kernel's case of a write done by the time pageout()
 * returns); PAGE_KEEP (locked) or PAGE_KEEP_UNLOCKED otherwise.
 */
static enum page_verdict pageout(struct address_space *mapping, struct page *page)
{
	if (!mapping->a_ops || !mapping->a_ops->writepage || !mapping_accounts_dirty(mapping))
		return PAGE_KEEP;
	if (clear_page_dirty_for_io(page)) {
		/* An error: the page is dirty again and the inode has the errseq. */
		if (mapping->a_ops->writepage(page))
			return PAGE_KEEP_UNLOCKED;
		count_vm_stat(NR_VMSCAN_WRITE, 1);
		/* Someone took the lock meanwhile (a fault, truncation): leave the page to them. */
		if (!trylock_page(page))
			return PAGE_KEEP_UNLOCKED;
	}
	/* Truncated while unlocked, or dirtied again by a store through a pin. */
	if (page->mapping != mapping || PageDirty(page))
		return PAGE_KEEP;
	return PAGE_FREE;
}

/*
 * A page-cache page of a host file: unmapped from every VMA of the file
 * (try_to_unmap() through i_mmap; each PTE's dirty bit moves to the page),
 * written back when dirty, and dropped from the cache unless someone else holds
 * a reference. A maybe-pinned page is unmapped like any other, in both profiles
 * (the kernel keeps only anonymous pinned pages out of the swap cache), and then
 * stays for its pin: the next fault maps the pinned page again.
 */
static enum page_verdict reclaim_file_page(struct page *page)
{
	struct address_space *mapping = page->mapping;
	enum page_verdict verdict;

	if (!mapping || PageAnon(page) || PageSwapBacked(page) || PageCompound(page) ||
	    PageMlocked(page) || PageUnevictable(page) || PageWriteback(page))
		return PAGE_KEEP;
	if (page_mapped(page) && !try_to_unmap(page, 0))
		return PAGE_KEEP; /* a VM_LOCKED mapping keeps it */
	if (PageDirty(page)) {
		verdict = pageout(mapping, page);
		if (verdict != PAGE_FREE)
			return verdict;
	}
	return remove_mapping(mapping, page) ? PAGE_FREE : PAGE_KEEP;
}

/*
 * A shmem page in its mapping (on the anonymous lists; 5.11's shrink_page_list()
 * with shmem_writepage() as its pageout()): unmapped from every VMA first. A
 * clean one leaves its cache as a file page does (nobody wrote it: the hole it
 * leaves reads as zeroes, as it did); a dirty one moves to the swap cache, its
 * slot in the mapping holding the swap entry, and is written. Then it goes unless
 * someone else holds it. The kernel keeps only anonymous maybe-pinned pages out
 * of the swap cache (both profiles): a pinned shmem page is unmapped and moved
 * like any other, and stays in the swap cache for its pin, where the next fault
 * or read finds it again: the pin and the file see the same page.
 */
static enum page_verdict reclaim_shmem_page(struct page *page)
{
	struct address_space *mapping = page->mapping;

	if (!mapping || PageCompound(page) || PageMlocked(page) || PageUnevictable(page) ||
	    PageWriteback(page))
		return PAGE_KEEP;
	if (page_mapped(page) && !try_to_unmap(page, 0))
		return PAGE_KEEP; /* a VM_LOCKED mapping keeps it */
	if (!PageDirty(page))
		return remove_mapping(mapping, page) ? PAGE_FREE : PAGE_KEEP;
	if (shmem_writepage(page))
		return PAGE_KEEP; /* no slot (still cached, dirty), or the write failed */
	return remove_swap_mapping(page) ? PAGE_FREE : PAGE_KEEP;
}

static enum page_verdict reclaim_one_page(struct page *page)
{
	if (PageAnon(page) || PageSwapCache(page))
		return reclaim_anon_page(page) ? PAGE_FREE : PAGE_KEEP;
	if (PageSwapBacked(page))
		return reclaim_shmem_page(page);
	return reclaim_file_page(page);
}

unsigned long shrink_page_list(struct list_head *list)
{
	unsigned long freed = 0;
	struct page *page, *next;

	list_for_each_entry_safe(page, next, list, lru)
	{
		enum page_verdict verdict;

		list_del(&page->lru);
		if (!trylock_page(page)) {
			putback_lru_page(page);
			continue;
		}
		verdict = reclaim_one_page(page);
		if (verdict != PAGE_KEEP_UNLOCKED)
			unlock_page(page);
		if (verdict == PAGE_FREE) {
			put_page(page); /* the last reference: the frame is free */
			freed++;
		} else {
			putback_lru_page(page);
		}
	}
	return freed;
}

unsigned long reclaim_pages(struct list_head *list)
{
	return shrink_page_list(list);
}

/* shrink_active_list(), simplified: the oldest pages of @active move to its inactive list. */
static void age_active_list(enum lru_list active, unsigned long nr)
{
	struct page *page, *next;
	LIST_HEAD(aged);

	isolate_lru_pages(active, nr, &aged);
	list_for_each_entry_safe(page, next, &aged, lru)
	{
		list_del(&page->lru);
		ClearPageActive(page);
		putback_lru_page(page);
	}
	lru_add_drain();
}

/* Faults of this thread may reclaim (they hold no PTE or page lock when they allocate). */
static __thread int reclaim_allowed_depth;
static __thread bool in_direct_reclaim;
/* This thread is a machine's kswapd: its scans count as kswapd's (current_is_kswapd()). */
static __thread bool this_is_kswapd;

void direct_reclaim_allow(bool allow)
{
	reclaim_allowed_depth += allow ? 1 : -1;
}

bool direct_reclaim_allowed(void)
{
	return reclaim_allowed_depth > 0 && !in_direct_reclaim;
}

void current_set_kswapd(bool kswapd)
{
	this_is_kswapd = kswapd;
}

/* --- kswapd --- */

/* Balancing runs in a row that freed nothing before wakeups are ignored (kswapd_failures). */
#define MAX_KSWAPD_FAILURES 16

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wait; /* kswapd_wait: a wakeup, or stop */
	pthread_cond_t idle; /* asleep again with no wakeup pending */
	struct sim_thread *thread;
	bool pending, running, stop;
	int failures;
	unsigned long wakeups, runs;
} kswapd = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wait = PTHREAD_COND_INITIALIZER,
	.idle = PTHREAD_COND_INITIALIZER,
};

/* Reclaim freed something: a kswapd that had given up may be woken again. */
static void kswapd_note_progress(void)
{
	if (__atomic_load_n(&kswapd.failures, __ATOMIC_RELAXED))
		__atomic_store_n(&kswapd.failures, 0, __ATOMIC_RELAXED);
}

/* shrink_inactive_list(): up to @nr of the oldest pages of @inactive. Return: pages freed. */
static unsigned long shrink_inactive_list(enum lru_list inactive, unsigned long nr)
{
	unsigned long scanned, freed;
	LIST_HEAD(list);

	scanned = isolate_lru_pages(inactive, nr, &list);
	freed = shrink_page_list(&list);
	count_vm_stat(this_is_kswapd ? NR_PGSCAN_KSWAPD : NR_PGSCAN_DIRECT, (long)scanned);
	count_vm_stat(this_is_kswapd ? NR_PGSTEAL_KSWAPD : NR_PGSTEAL_DIRECT, (long)freed);
	return freed;
}

/*
 * shrink_lruvec(), simplified: the inactive file list first (a clean page costs
 * no I/O), then the inactive anonymous list when there is swap to write to;
 * a second pass ages the active lists first. The kernel balances the two by
 * swappiness and the lists' recent cost; this order is what it converges to
 * for a machine whose file pages are mostly clean.
 */
static unsigned long shrink_lruvec(unsigned long nr)
{
	unsigned long freed = 0;

	lru_add_drain();
	for (int pass = 0; pass < 2 && freed < nr; pass++) {
		if (pass)
			age_active_list(LRU_ACTIVE_FILE, nr - freed);
		freed += shrink_inactive_list(LRU_INACTIVE_FILE, nr - freed);
		if (!swap_enabled() || freed >= nr)
			continue;
		if (pass)
			age_active_list(LRU_ACTIVE_ANON, nr - freed);
		freed += shrink_inactive_list(LRU_INACTIVE_ANON, nr - freed);
	}
	if (freed)
		kswapd_note_progress();
	return freed;
}

unsigned long try_to_free_pages(unsigned long nr)
{
	unsigned long freed;

	if (in_direct_reclaim)
		return 0;
	in_direct_reclaim = true;
	freed = shrink_lruvec(nr);
	/* shrink_slab() runs in the allocator's slow path after this (page_alloc.c). */
	in_direct_reclaim = false;
	return freed;
}

long sim_reclaim(unsigned long nr)
{
	SIM_ENTER(sim_entry_err);

	if (!nr)
		return -EINVAL;
	return (long)try_to_free_pages(nr);
}

bool try_to_unmap_swap_pte(struct page *page, struct vm_area_struct *vma, pte_t *ptep)
{
	swp_entry_t entry = {page->private_data};
	pte_t old;

	/*
	 * 6.x (page_try_share_anon_rmap, then folio_try_share_anon_rmap_pte): an
	 * exclusive anonymous page that may be pinned keeps its PTE, or the pin
	 * and a later swap-in would see different pages.
	 */
	if (mm_profile->unmap_keeps_pinned_exclusive && PageAnonExclusive(page) &&
	    page_maybe_dma_pinned(page))
		return false;
	if (swap_duplicate(entry))
		return false;
	old = ptep_get_and_clear(ptep);
	if (pte_dirty(old))
		SetPageDirty(page);
	/* 6.x: the exclusive marker moves from the page into the swap PTE. */
	set_pte(ptep, TestClearPageAnonExclusive(page)
			      ? pte_swp_mkexclusive(swp_entry_to_pte(entry))
			      : swp_entry_to_pte(entry));
	atomic_long_add(-1, &vma->vm_mm->rss_anon);
	page_remove_rmap(page);
	put_page(page);
	return true;
}

/*
 * balance_pgdat(), simplified: reclaim in SWAP_CLUSTER_MAX batches until every
 * zone is above its high watermark, or a batch frees nothing (then the run
 * counts as a failure; after MAX_KSWAPD_FAILURES of them wakeups are ignored
 * until some reclaim makes progress, as the kernel's kswapd_failures).
 */
static void balance_pgdat(void)
{
	unsigned long freed = 0, batch;

	count_vm_stat(NR_PAGEOUTRUN, 1);
	while (!zones_balanced(WMARK_HIGH)) {
		batch = shrink_lruvec(SWAP_CLUSTER_MAX);
		if (!batch)
			break;
		freed += batch;
	}
	if (!freed && !zones_balanced(WMARK_HIGH))
		__atomic_add_fetch(&kswapd.failures, 1, __ATOMIC_RELAXED);
}

/* The kswapd thread: asleep on its waitqueue until woken, then balances; stop ends it. */
static void *kswapd_main(void *arg)
{
	(void)arg;
	current_set_kswapd(true);
	pthread_mutex_lock(&kswapd.lock);
	for (;;) {
		while (!kswapd.pending && !kswapd.stop) {
			kswapd.running = false;
			pthread_cond_broadcast(&kswapd.idle);
			pthread_cond_wait(&kswapd.wait, &kswapd.lock);
		}
		if (kswapd.stop)
			break;
		/* wakeup_kswapd() peeks at it without the lock. */
		__atomic_store_n(&kswapd.pending, false, __ATOMIC_RELAXED);
		kswapd.running = true;
		pthread_mutex_unlock(&kswapd.lock);
		balance_pgdat();
		pthread_mutex_lock(&kswapd.lock);
		kswapd.runs++;
	}
	kswapd.running = false;
	pthread_cond_broadcast(&kswapd.idle);
	pthread_mutex_unlock(&kswapd.lock);
	current_set_kswapd(false);
	return NULL;
}

int kswapd_run(void)
{
	int err;

	pthread_mutex_lock(&kswapd.lock);
	__atomic_store_n(&kswapd.pending, false, __ATOMIC_RELAXED);
	kswapd.stop = false;
	kswapd.running = true; /* until it first goes to sleep */
	__atomic_store_n(&kswapd.failures, 0, __ATOMIC_RELAXED);
	kswapd.wakeups = kswapd.runs = 0;
	err = sim_thread_spawn(NULL, kswapd_main, NULL, &kswapd.thread);
	if (err)
		kswapd.running = false;
	pthread_mutex_unlock(&kswapd.lock);
	return err;
}

void wakeup_kswapd(void)
{
	/* Unlocked peeks first: allocations below low call this often. */
	if (!__atomic_load_n(&kswapd.thread, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&kswapd.pending, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&kswapd.failures, __ATOMIC_RELAXED) >= MAX_KSWAPD_FAILURES)
		return;
	pthread_mutex_lock(&kswapd.lock);
	if (kswapd.thread && !kswapd.pending && !kswapd.stop) {
		__atomic_store_n(&kswapd.pending, true, __ATOMIC_RELAXED);
		kswapd.wakeups++;
		pthread_cond_signal(&kswapd.wait);
	}
	pthread_mutex_unlock(&kswapd.lock);
}

void kswapd_stop(void)
{
	struct sim_thread *thread;

	pthread_mutex_lock(&kswapd.lock);
	thread = kswapd.thread;
	kswapd.stop = true;
	pthread_cond_signal(&kswapd.wait);
	pthread_mutex_unlock(&kswapd.lock);
	if (thread)
		sim_thread_join(thread);
	pthread_mutex_lock(&kswapd.lock);
	__atomic_store_n(&kswapd.thread, NULL, __ATOMIC_RELAXED);
	kswapd.stop = false;
	pthread_mutex_unlock(&kswapd.lock);
}

int sim_kswapd_wait_idle(void)
{
	int ret = 0;

	pthread_mutex_lock(&kswapd.lock);
	if (!kswapd.thread)
		ret = -ENODEV;
	while (kswapd.thread && (kswapd.pending || kswapd.running))
		pthread_cond_wait(&kswapd.idle, &kswapd.lock);
	pthread_mutex_unlock(&kswapd.lock);
	return ret;
}

int sim_kswapd_stats(struct sim_kswapd_stats *stats)
{
	int ret = 0;

	pthread_mutex_lock(&kswapd.lock);
	if (!kswapd.thread)
		ret = -ENODEV;
	stats->wakeups = kswapd.wakeups;
	stats->runs = kswapd.runs;
	stats->running = kswapd.running || kswapd.pending;
	pthread_mutex_unlock(&kswapd.lock);
	return ret;
}

int sim_zone_watermarks(enum zone_type zone, struct sim_watermarks *out)
{
	struct zone *z;

	if (!sim_running())
		return -ENODEV;
	if ((unsigned int)zone >= MAX_NR_ZONES)
		return -EINVAL;
	z = &sim.zones[zone];
	out->min = z->watermark[WMARK_MIN];
	out->low = z->watermark[WMARK_LOW];
	out->high = z->watermark[WMARK_HIGH];
	out->free = (unsigned long)atomic_long_read(&z->free_pages);
	return 0;
}
