// SPDX-License-Identifier: GPL-2.0-only
/*
 * The LRU lists (one lruvec: one node, no memory cgroups, as 5.11's per-node
 * lruvec) and the per-thread LRU-add batches in front of them; page aging
 * (mark_page_accessed, deactivation) and isolation from the lists.
 */
#include "mm/internal.h"

struct lruvec {
	spinlock_t lru_lock;
	struct list_head lists[NR_LRU_LISTS];
	unsigned long nr_pages[NR_LRU_LISTS];
};

static struct lruvec lruvec;

/*
 * One thread's LRU-add batch, 5.11's per-CPU lru_pvecs.lru_add: the pages hold a
 * reference of the batch's. The lock lets lru_add_drain_all() drain it from
 * another thread; the kernel gets the same effect by running work on each CPU.
 */
struct lru_add_batch {
	spinlock_t lock;
	unsigned int nr;
	struct page *pages[PAGEVEC_SIZE];
	struct list_head node;
};

static __thread struct lru_add_batch *this_batch;
static LIST_HEAD(lru_batches);
static pthread_mutex_t lru_batches_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t lru_batch_key;
static pthread_once_t lru_batch_key_once = PTHREAD_ONCE_INIT;
/* Pages a batch holds before it drains itself (sim_config.lru_batch, at most PAGEVEC_SIZE). */
static unsigned int lru_batch_capacity = 1;

void lru_init(unsigned int batch)
{
	spin_lock_init(&lruvec.lru_lock);
	for (int lru = 0; lru < NR_LRU_LISTS; lru++) {
		INIT_LIST_HEAD(&lruvec.lists[lru]);
		lruvec.nr_pages[lru] = 0;
	}
	lru_batch_capacity = batch ? min_t(unsigned int, batch, PAGEVEC_SIZE) : 1;
}

enum lru_list page_lru(struct page *page)
{
	enum lru_list lru;

	if (PageUnevictable(page))
		return LRU_UNEVICTABLE;
	lru = PageSwapBacked(page) ? LRU_INACTIVE_ANON : LRU_INACTIVE_FILE;
	return PageActive(page) ? lru + 1 : lru;
}

static void add_page_to_lru_list(struct page *page)
{
	enum lru_list lru = page_lru(page);

	list_add(&page->lru, &lruvec.lists[lru]);
	lruvec.nr_pages[lru]++;
}

static void del_page_from_lru_list(struct page *page)
{
	enum lru_list lru = page_lru(page);

	list_del(&page->lru);
	lruvec.nr_pages[lru]--;
}

/* 5.11's __pagevec_lru_add_fn: mlocked pages go to the unevictable list. */
static void lru_add_page(struct page *page)
{
	if (PageMlocked(page)) {
		ClearPageActive(page);
		SetPageUnevictable(page);
	} else {
		ClearPageUnevictable(page);
	}
	SetPageLRU(page);
	add_page_to_lru_list(page);
}

/*
 * Move a batch's pages onto the lists, then drop the batch's references after
 * the LRU lock is released: a page everyone else let go of meanwhile is freed
 * here, and freeing takes it off the list again.
 */
static void batch_drain_locked(struct lru_add_batch *batch)
{
	struct page *pages[PAGEVEC_SIZE];
	unsigned int nr = batch->nr;

	if (!nr)
		return;
	memcpy(pages, batch->pages, nr * sizeof(pages[0]));
	batch->nr = 0;
	spin_lock(&lruvec.lru_lock);
	for (unsigned int i = 0; i < nr; i++)
		lru_add_page(pages[i]);
	spin_unlock(&lruvec.lru_lock);
	for (unsigned int i = 0; i < nr; i++)
		put_page(pages[i]);
}

/* A thread's batch outlives it no longer than the thread: what it holds goes to the lists. */
static void lru_batch_exit(void *arg)
{
	struct lru_add_batch *batch = arg;

	pthread_mutex_lock(&lru_batches_lock);
	list_del(&batch->node);
	pthread_mutex_unlock(&lru_batches_lock);
	spin_lock(&batch->lock);
	if (sim_running())
		batch_drain_locked(batch);
	spin_unlock(&batch->lock);
	free(batch);
}

static void lru_batch_make_key(void)
{
	pthread_key_create(&lru_batch_key, lru_batch_exit);
}

static struct lru_add_batch *lru_batch_get(void)
{
	struct lru_add_batch *batch = this_batch;

	if (likely(batch))
		return batch;
	batch = calloc(1, sizeof(*batch));
	BUG_ON(!batch);
	spin_lock_init(&batch->lock);
	pthread_once(&lru_batch_key_once, lru_batch_make_key);
	pthread_mutex_lock(&lru_batches_lock);
	list_add(&batch->node, &lru_batches);
	pthread_mutex_unlock(&lru_batches_lock);
	pthread_setspecific(lru_batch_key, batch);
	this_batch = batch;
	return batch;
}

void lru_cache_add(struct page *page)
{
	struct lru_add_batch *batch;

	VM_BUG_ON_PAGE(PageTail(page), page);
	/* Huge pages stay off the lists in this machine: aging works on their flags alone. */
	if (PageCompound(page))
		return;
	VM_BUG_ON_PAGE(PageLRU(page), page);
	batch = lru_batch_get();
	get_page(page);
	spin_lock(&batch->lock);
	batch->pages[batch->nr++] = page;
	if (batch->nr >= lru_batch_capacity)
		batch_drain_locked(batch);
	spin_unlock(&batch->lock);
}

void lru_add_drain(void)
{
	struct lru_add_batch *batch = this_batch;

	if (!batch)
		return;
	spin_lock(&batch->lock);
	batch_drain_locked(batch);
	spin_unlock(&batch->lock);
}

void lru_add_drain_all(void)
{
	struct lru_add_batch *batch;

	pthread_mutex_lock(&lru_batches_lock);
	list_for_each_entry(batch, &lru_batches, node)
	{
		spin_lock(&batch->lock);
		batch_drain_locked(batch);
		spin_unlock(&batch->lock);
	}
	pthread_mutex_unlock(&lru_batches_lock);
}

int isolate_lru_page(struct page *page)
{
	int ret = -EBUSY;

	VM_BUG_ON_PAGE(!page_count(page), page);
	if (PageTail(page)) {
		WARN_ON_ONCE(1); /* isolating a tail page */
		return -EBUSY;
	}
	spin_lock(&lruvec.lru_lock);
	if (PageLRU(page)) {
		del_page_from_lru_list(page);
		ClearPageLRU(page);
		get_page(page);
		ret = 0;
	}
	spin_unlock(&lruvec.lru_lock);
	return ret;
}

void putback_lru_page(struct page *page)
{
	lru_cache_add(page);
	put_page(page); /* the isolation's */
}

/* The last reference went: off the list before the frame goes back (__page_cache_release). */
void lru_page_freed(struct page *page)
{
	if (!PageLRU(page))
		return;
	spin_lock(&lruvec.lru_lock);
	if (PageLRU(page)) {
		del_page_from_lru_list(page);
		ClearPageLRU(page);
	}
	spin_unlock(&lruvec.lru_lock);
}

/*
 * Take one page off the lists for reclaim while the LRU lock is held: a page
 * whose last reference is going (count zero) is left to its free.
 * Return: true with the page isolated and referenced.
 */
static bool isolate_for_reclaim_locked(struct page *page)
{
	if (!page_ref_add_unless_zero(page, 1))
		return false;
	del_page_from_lru_list(page);
	ClearPageLRU(page);
	return true;
}

unsigned long isolate_lru_pages(enum lru_list lru, unsigned long nr, struct list_head *dst)
{
	struct list_head *list = &lruvec.lists[lru];
	unsigned long taken = 0, on_list;

	spin_lock(&lruvec.lru_lock);
	on_list = lruvec.nr_pages[lru];
	/* The list's tail holds its oldest pages; one being freed goes to the head. */
	for (unsigned long scanned = 0; scanned < on_list && taken < nr; scanned++) {
		struct page *page = list_entry(list->prev, struct page, lru);

		if (!isolate_for_reclaim_locked(page)) {
			list_move(&page->lru, list);
			continue;
		}
		list_add(&page->lru, dst);
		taken++;
	}
	spin_unlock(&lruvec.lru_lock);
	return taken;
}

/* Move an LRU page between its lists: @set_active, or back to inactive. */
static void lru_move(struct page *page, bool set_active)
{
	spin_lock(&lruvec.lru_lock);
	if (PageLRU(page) && !PageUnevictable(page) && PageActive(page) != set_active) {
		del_page_from_lru_list(page);
		if (set_active)
			SetPageActive(page);
		else
			ClearPageActive(page);
		add_page_to_lru_list(page);
	} else if (!PageLRU(page) && set_active) {
		/*
		 * In a batch, isolated, or a huge page kept off the lists: the flag
		 * decides its list when it gets there (__lru_cache_activate_page).
		 */
		SetPageActive(page);
	}
	spin_unlock(&lruvec.lru_lock);
}

void mark_page_accessed(struct page *page)
{
	page = compound_head(page);
	if (!PageReferenced(page)) {
		SetPageReferenced(page);
	} else if (!PageUnevictable(page) && !PageActive(page)) {
		lru_move(page, true);
		/* Huge pages have no list to move on: they keep the referenced flag as before. */
		if (!PageCompound(page))
			ClearPageReferenced(page);
	}
}

void deactivate_page(struct page *page)
{
	page = compound_head(page);
	if (PageCompound(page))
		return;
	lru_move(page, false);
	ClearPageReferenced(page);
}

unsigned long lru_page_count(enum lru_list lru)
{
	unsigned long nr;

	if ((unsigned int)lru >= NR_LRU_LISTS)
		return 0;
	spin_lock(&lruvec.lru_lock);
	nr = lruvec.nr_pages[lru];
	spin_unlock(&lruvec.lru_lock);
	return nr;
}

unsigned long lru_batch_count(void)
{
	struct lru_add_batch *batch;
	unsigned long nr = 0;

	pthread_mutex_lock(&lru_batches_lock);
	list_for_each_entry(batch, &lru_batches, node) nr +=
		__atomic_load_n(&batch->nr, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&lru_batches_lock);
	return nr;
}

bool page_in_lru_batch(struct page *page)
{
	struct lru_add_batch *batch;
	bool found = false;

	pthread_mutex_lock(&lru_batches_lock);
	list_for_each_entry(batch, &lru_batches, node)
	{
		spin_lock(&batch->lock);
		for (unsigned int i = 0; i < batch->nr; i++)
			found |= batch->pages[i] == page;
		spin_unlock(&batch->lock);
	}
	pthread_mutex_unlock(&lru_batches_lock);
	return found;
}

void lru_walk(void (*visit)(struct page *page, int where, void *arg), void *arg,
	      unsigned long recorded[NR_LRU_LISTS])
{
	struct lru_add_batch *batch;
	struct page *page;

	pthread_mutex_lock(&lru_batches_lock);
	list_for_each_entry(batch, &lru_batches, node)
	{
		spin_lock(&batch->lock);
		for (unsigned int i = 0; i < batch->nr; i++)
			visit(batch->pages[i], LRU_WALK_BATCH, arg);
		spin_unlock(&batch->lock);
	}
	spin_lock(&lruvec.lru_lock);
	for (int lru = 0; lru < NR_LRU_LISTS; lru++) {
		recorded[lru] = lruvec.nr_pages[lru];
		list_for_each_entry(page, &lruvec.lists[lru], lru) visit(page, lru, arg);
	}
	spin_unlock(&lruvec.lru_lock);
	pthread_mutex_unlock(&lru_batches_lock);
}
