// SPDX-License-Identifier: GPL-2.0-only
/*
 * The swap cache: an xarray from swap slot to the page holding its data, so that
 * a page being written out, or still referenced (a pin), is found again by the
 * faults on its swap entries; add_to_swap() and the swap-in of one page.
 */
#include "mm/internal.h"
#include <gup/pagemap.h>

static struct {
	spinlock_t lock;
	struct xarray pages; /* by swap offset */
	unsigned long nr;
} swap_cache;

void swap_cache_init(void)
{
	spin_lock_init(&swap_cache.lock);
	xa_destroy(&swap_cache.pages);
	swap_cache.nr = 0;
}

unsigned long swap_cache_pages(void)
{
	return __atomic_load_n(&swap_cache.nr, __ATOMIC_RELAXED);
}

struct page *swap_cache_peek(swp_entry_t entry)
{
	return xa_load(&swap_cache.pages, swp_offset(entry));
}

int add_to_swap_cache(struct page *page, swp_entry_t entry)
{
	int err;

	VM_BUG_ON_PAGE(!PageLocked(page) || PageSwapCache(page), page);
	get_page(page);
	page->private_data = entry.val;
	SetPageSwapCache(page);
	spin_lock(&swap_cache.lock);
	err = xa_insert(&swap_cache.pages, swp_offset(entry), page);
	if (!err)
		swap_cache.nr++;
	spin_unlock(&swap_cache.lock);
	if (err) {
		ClearPageSwapCache(page);
		page->private_data = 0;
		page_ref_sub(page, 1);
	}
	return err;
}

/* Out of the cache; the caller drops the cache's reference (Return: the entry it cached). */
static swp_entry_t __delete_from_swap_cache(struct page *page)
{
	swp_entry_t entry = {page->private_data};

	spin_lock(&swap_cache.lock);
	xa_erase(&swap_cache.pages, swp_offset(entry));
	swap_cache.nr--;
	spin_unlock(&swap_cache.lock);
	ClearPageSwapCache(page);
	page->private_data = 0;
	return entry;
}

void delete_from_swap_cache(struct page *page)
{
	VM_BUG_ON_PAGE(!PageLocked(page) || !PageSwapCache(page), page);
	swapcache_free_entry(__delete_from_swap_cache(page));
	put_page(page);
}

struct page *lookup_swap_cache(swp_entry_t entry)
{
	struct page *page;

	spin_lock(&swap_cache.lock);
	page = xa_load(&swap_cache.pages, swp_offset(entry));
	if (page && !page_ref_add_unless_zero(page, 1))
		page = NULL;
	spin_unlock(&swap_cache.lock);
	return page;
}

int add_to_swap(struct page *page)
{
	swp_entry_t entry;
	int err;

	VM_BUG_ON_PAGE(!PageLocked(page) || !PageAnon(page), page);
	err = get_swap_page(&entry);
	if (err)
		return err;
	err = add_to_swap_cache(page, entry);
	if (err) {
		swapcache_free_entry(entry);
		return err;
	}
	/* Its data is on no device yet: it must be written before it may go. */
	SetPageDirty(page);
	SetPageUptodate(page); /* an anonymous page's data is its own (a fault reads it) */
	return 0;
}

bool try_to_free_swap(struct page *page)
{
	swp_entry_t entry;

	VM_BUG_ON_PAGE(!PageLocked(page), page);
	if (!PageSwapCache(page) || PageWriteback(page))
		return false;
	entry.val = page->private_data;
	if (swap_count(entry))
		return false;
	delete_from_swap_cache(page);
	/* The only copy of the data now: a later reclaim must write it again. */
	SetPageDirty(page);
	return true;
}

void free_swap_cache(struct page *page)
{
	if (!PageSwapCache(page) || page_mapped(page) || !trylock_page(page))
		return;
	try_to_free_swap(page);
	unlock_page(page);
}

bool remove_swap_mapping(struct page *page)
{
	swp_entry_t entry;
	int expected = 2; /* the isolation's and the swap cache's */

	VM_BUG_ON_PAGE(!PageLocked(page) || !PageSwapCache(page), page);
	if (PageDirty(page) ||
	    !__atomic_compare_exchange_n(&page->_refcount.counter, &expected, 0, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		return false;
	/* Frozen at zero: no lookup can take the page again while it leaves the cache. */
	entry = __delete_from_swap_cache(page);
	swapcache_free_entry(entry);
	set_page_count(page, 1); /* the isolation's, which the caller's put frees */
	return true;
}

int migrate_swap_cache_page(struct page *newpage, struct page *page)
{
	swp_entry_t entry = {page->private_data};
	int expected = 2; /* the isolation's and the swap cache's */

	spin_lock(&swap_cache.lock);
	if (xa_load(&swap_cache.pages, swp_offset(entry)) != page ||
	    !__atomic_compare_exchange_n(&page->_refcount.counter, &expected, 0, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
		spin_unlock(&swap_cache.lock);
		return -EAGAIN;
	}
	/* Frozen: no lookup takes the old page while the new one takes its slot. */
	newpage->private_data = entry.val;
	SetPageSwapBacked(newpage);
	SetPageSwapCache(newpage);
	page_ref_add(newpage, 1); /* the swap cache's */
	xa_replace(&swap_cache.pages, swp_offset(entry), newpage);
	ClearPageSwapCache(page);
	page->private_data = 0;
	__atomic_store_n(&page->_refcount.counter, 1, __ATOMIC_RELEASE); /* the isolation's */
	spin_unlock(&swap_cache.lock);
	return 0;
}

int swapin_page(swp_entry_t entry, struct page **pagep)
{
	struct page *page;
	int err;

	if (!swap_slot_in_use(entry))
		return -ENOENT;
	page = alloc_page(GFP_HIGHUSER_MOVABLE);
	if (!page)
		return -ENOMEM;
	SetPageLocked(page);
	SetPageSwapBacked(page);
	/* The slot must still be in use and cached by no page: claim its cache bit. */
	err = swapcache_prepare(entry);
	if (!err) {
		err = add_to_swap_cache(page, entry);
		if (err)
			swapcache_free_entry(entry);
	}
	if (err) {
		ClearPageLocked(page);
		ClearPageSwapBacked(page);
		put_page(page);
		return err;
	}
	lru_cache_add(page);
	/*
	 * A read error (end_swap_bio_read()): the page stays in the swap cache with
	 * PG_error and not uptodate, so this fault and every later one on the slot
	 * answer SIGBUS (do_swap_page) until reclaim drops the copy.
	 */
	if (swap_readpage(page, entry))
		SetPageError(page);
	*pagep = page; /* locked, referenced, in the swap cache; uptodate unless the read failed */
	return 0;
}

void swap_cache_release_all(void)
{
	unsigned long index;
	struct page *page;

	xa_for_each(&swap_cache.pages, index, page)
	{
		get_page(page);
		lock_page(page);
		if (PageSwapCache(page))
			delete_from_swap_cache(page);
		unlock_page(page);
		put_page(page);
	}
}

int swap_cache_check(void (*visit)(struct page *page, swp_entry_t entry, void *arg), void *arg)
{
	unsigned long index;
	struct page *page;

	spin_lock(&swap_cache.lock);
	xa_for_each(&swap_cache.pages, index, page) visit(page, swp_entry(0, index), arg);
	spin_unlock(&swap_cache.lock);
	return 0;
}
