// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reclaim: shrink_page_list() writes isolated anonymous pages to swap and frees
 * them, reclaim_pages() for MADV_PAGEOUT, direct reclaim from the allocator's
 * slow path and sim_reclaim() on demand. File pages are not reclaimed yet.
 */
#include "mm/internal.h"

/* The swap-out of one isolated, locked page. Return: true when it may be freed now. */
static bool reclaim_anon_page(struct page *page)
{
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
	if (PageDirty(page)) {
		ClearPageDirty(page);
		if (swap_writepage(page)) {
			/* A write error: the data stays in this page, in the swap cache. */
			SetPageDirty(page);
			return false;
		}
	}
	return remove_swap_mapping(page);
}

unsigned long shrink_page_list(struct list_head *list)
{
	unsigned long freed = 0;
	struct page *page, *next;

	list_for_each_entry_safe(page, next, list, lru)
	{
		bool gone;

		list_del(&page->lru);
		if (!trylock_page(page)) {
			putback_lru_page(page);
			continue;
		}
		gone = reclaim_anon_page(page);
		unlock_page(page);
		if (gone) {
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

/* shrink_active_list(), simplified: the oldest active pages move to the inactive list. */
static void age_active_anon(unsigned long nr)
{
	struct page *page, *next;
	LIST_HEAD(aged);

	isolate_lru_pages(LRU_ACTIVE_ANON, nr, &aged);
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

void direct_reclaim_allow(bool allow)
{
	reclaim_allowed_depth += allow ? 1 : -1;
}

bool direct_reclaim_allowed(void)
{
	return reclaim_allowed_depth > 0 && !in_direct_reclaim && swap_enabled();
}

unsigned long try_to_free_pages(unsigned long nr)
{
	unsigned long freed = 0;

	if (!swap_enabled() || in_direct_reclaim)
		return 0;
	in_direct_reclaim = true;
	lru_add_drain();
	for (int pass = 0; pass < 2 && freed < nr; pass++) {
		LIST_HEAD(list);

		if (pass)
			age_active_anon(nr - freed);
		isolate_lru_pages(LRU_INACTIVE_ANON, nr - freed, &list);
		freed += shrink_page_list(&list);
	}
	/* shrink_slab() hook: call the shrinker framework here once src/mm/shrinker.c exists. */
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
