// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page migration: isolating pages, unmapping them behind migration entries,
 * checking that nothing else holds them, copying and mapping the copy again;
 * and waiting for a migration entry before a fault or GUP looks at the PTE again.
 * Small anonymous pages and page-cache pages (host files and shmem) move; a THP
 * is split first and its subpages move (5.11 without THP migration: -ENOSYS from
 * unmap_and_move(), then try_split_thp()); hugetlb pages stay (-EBUSY).
 */
#include "mm/internal.h"

/* Migrations between unmap and remap: the checker allows migration entries only then. */
atomic_t migrations_in_flight;

void migration_entry_wait(struct mm_struct *mm, pmd_t *pmd, unsigned long address)
{
	spinlock_t *ptl;
	pte_t *ptep = pte_offset_map_lock(mm, pmd, address, &ptl);
	pte_t pte = ptep_get(ptep);
	struct page *page;

	if (!is_swap_pte(pte) || !is_migration_entry(pte_to_swp_entry(pte))) {
		pte_unmap_unlock(ptep, ptl);
		return;
	}
	page = migration_entry_to_page(pte_to_swp_entry(pte));
	if (!page_ref_add_unless_zero(compound_head(page), 1)) {
		pte_unmap_unlock(ptep, ptl);
		return;
	}
	pte_unmap_unlock(ptep, ptl);
	wait_on_page_locked(page);
	put_page(page);
}

/* A page migration knows how to move: anonymous, a THP head, or a page-cache page. */
static bool page_is_movable(struct page *page)
{
	struct address_space *mapping = READ_ONCE(page->mapping);

	if (PageCompound(page) && !PageTransHuge(page))
		return false; /* a tail, or a hugetlb page: no move for them */
	if (PageAnon(page))
		return true;
	/* A file page still in its cache, of a mapping with an address_space_operations. */
	return mapping && mapping->a_ops && !PageTransHuge(page);
}

/* A THP is on no LRU list here: isolated by a reference and the flag alone. */
static int isolate_thp(struct page *page)
{
	if (!page_ref_add_unless_zero(page, 1))
		return -EBUSY;
	/* Checked again with the reference: it may have been freed and reused meanwhile. */
	if (!page_is_movable(page) || TestSetPageIsolated(page)) {
		put_page(page);
		return -EBUSY;
	}
	return 0;
}

/*
 * A small page leaves the LRU through isolate_lru_page(): one still in an LRU-add
 * batch is not there yet, as in 5.11.
 */
int migrate_isolate_page(struct page *page, struct list_head *list)
{
	if (!page_is_movable(page))
		return -EBUSY;
	if (PageTransHuge(page)) {
		if (isolate_thp(page))
			return -EBUSY;
	} else {
		if (isolate_lru_page(page))
			return -EBUSY;
		if (!page_is_movable(page) || TestSetPageIsolated(page)) {
			putback_lru_page(page);
			return -EBUSY;
		}
	}
	list_add_tail(&page->lru, list);
	return 0;
}

/* The page leaves migration: it is no longer isolated and drops the isolation reference. */
static void release_isolated(struct page *page)
{
	list_del(&page->lru);
	ClearPageIsolated(page);
	put_page(page);
}

/* The page stays: back on the LRU, dropping the isolation reference. */
static void putback_one(struct page *page)
{
	list_del(&page->lru);
	ClearPageIsolated(page);
	putback_lru_page(page);
}

void putback_movable_pages(struct list_head *list)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, list, lru) putback_one(page);
}

/*
 * An unmapped anonymous page outside the swap cache may hold one reference only:
 * the isolation's. Anything more is someone who could write to it or read it
 * behind the copy: a GUP reference, a pin, GUP-fast's speculative grab.
 */
static int migrate_anon_page_move_mapping(struct page *newpage, struct page *page)
{
	int expected_count = 1;

	if (page_count(page) != expected_count)
		return -EAGAIN;
	newpage->index = page->index;
	WRITE_ONCE(newpage->mapping, page->mapping);
	if (PageSwapBacked(page))
		SetPageSwapBacked(newpage);
	return 0;
}

/* Take the count to 0 if it is @count: a speculative lookup then finds it frozen and retries. */
static bool page_ref_freeze(struct page *page, int count)
{
	return __atomic_compare_exchange_n(&page->_refcount.counter, &count, 0, false,
					   __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

static void page_ref_unfreeze(struct page *page, int count)
{
	__atomic_store_n(&page->_refcount.counter, count, __ATOMIC_RELEASE);
}

/*
 * A page-cache page: the isolation and the cache hold it, nothing else may. Under
 * i_pages_lock its count is frozen at that (find_get_page() cannot take one and
 * retries), the new page takes the cache's reference, its index, mapping and dirty
 * state (the dirty count stays: one dirty page either way), and one store puts it
 * in the xarray slot; the old page thaws with the isolation's reference alone.
 * Return: 0; -EAGAIN when someone else holds the page (a pin, a GUP reference) or
 * it left the cache (truncated meanwhile).
 */
static int migrate_file_page_move_mapping(struct page *newpage, struct page *page)
{
	struct address_space *mapping = page->mapping;
	int expected_count = 2;

	if (!mapping)
		return -EAGAIN;
	spin_lock(&mapping->i_pages_lock);
	if (xa_load(&mapping->i_pages, page->index) != page ||
	    !page_ref_freeze(page, expected_count)) {
		spin_unlock(&mapping->i_pages_lock);
		return -EAGAIN;
	}
	newpage->index = page->index;
	WRITE_ONCE(newpage->mapping, mapping);
	page_ref_add(newpage, 1); /* the cache's */
	if (PageSwapBacked(page))
		SetPageSwapBacked(newpage);
	if (TestClearPageDirty(page))
		SetPageDirty(newpage);
	xa_replace(&mapping->i_pages, page->index, newpage);
	page_ref_unfreeze(page, expected_count - 1);
	spin_unlock(&mapping->i_pages_lock);
	return 0;
}

static int migrate_page_move_mapping(struct page *newpage, struct page *page)
{
	if (PageAnon(page))
		return migrate_anon_page_move_mapping(newpage, page);
	return migrate_file_page_move_mapping(newpage, page);
}

/* The page flags that describe the data and its use, carried to the copy. */
static void migrate_page_states(struct page *newpage, struct page *page)
{
	if (PageReferenced(page))
		SetPageReferenced(newpage);
	if (PageUptodate(page))
		SetPageUptodate(newpage);
	if (TestClearPageActive(page))
		SetPageActive(newpage);
	else if (TestClearPageUnevictable(page))
		SetPageUnevictable(newpage);
	if (PageDirty(page))
		SetPageDirty(newpage);
	if (PageAnonExclusive(page))
		SetPageAnonExclusive(newpage);
}

static int move_to_new_page(struct page *newpage, struct page *page)
{
	int rc = migrate_page_move_mapping(newpage, page);

	if (rc)
		return rc;
	copy_highpage(newpage, page);
	migrate_page_states(newpage, page);
	/* An anonymous page keeps its anon_vma for the free path; a file page leaves its cache. */
	if (!PageAnon(page))
		WRITE_ONCE(page->mapping, NULL);
	return 0;
}

/*
 * Lock, unmap, move and remap one page. Both pages stay locked throughout:
 * faults and GUP that meet a migration entry wait for the old page's lock.
 */
static int __unmap_and_move(struct page *page, struct page *newpage, enum migrate_mode mode)
{
	struct anon_vma *anon_vma = NULL;
	bool page_was_mapped = false;
	int rc = -EAGAIN;

	if (!trylock_page(page)) {
		if (mode == MIGRATE_ASYNC)
			return -EAGAIN;
		lock_page(page);
	}
	/*
	 * Under writeback: 5.11 waits for it in MIGRATE_SYNC only. Writeback here
	 * finishes before the writer unlocks the page, so the page lock we hold means
	 * no write is in flight and there is nothing to wait for; a page met with
	 * the bit set (set by hand) is busy in the other modes.
	 */
	if (PageWriteback(page) && mode != MIGRATE_SYNC) {
		rc = -EBUSY;
		goto out_unlock;
	}
	if (!trylock_page(newpage))
		goto out_unlock;
	atomic_inc(&migrations_in_flight);
	/*
	 * The walk back to the PTEs needs the anon_vma after the last unmap; a file
	 * page's mapping is kept by the page lock.
	 */
	if (page_mapped(page)) {
		anon_vma = PageAnon(page) ? page_get_anon_vma(page) : NULL;
		if (anon_vma || !PageAnon(page)) {
			try_to_unmap(page, TTU_MIGRATION | TTU_IGNORE_MLOCK);
			page_was_mapped = true;
		}
	}
	sim_point(SP_MIGRATE_AFTER_UNMAP, page);
	/* An injected failure is an extra reference the move found: rc stays -EAGAIN. */
	if (!page_mapped(page) && !sim_point(SP_MIGRATE_MOVE, page))
		rc = move_to_new_page(newpage, page);
	if (page_was_mapped)
		remove_migration_ptes(page, rc ? page : newpage);
	atomic_dec(&migrations_in_flight);
	unlock_page(newpage);
	anon_vma_put(anon_vma);
out_unlock:
	unlock_page(page);
	return rc;
}

/*
 * One page of migrate_pages(): on success the old page is freed (the isolation
 * held its last reference) and the new one keeps only its mappings' references.
 */
static int unmap_and_move(new_page_t get_new_page, free_page_t put_new_page,
			  unsigned long private_data, struct page *page, enum migrate_mode mode)
{
	struct page *newpage;
	int rc;

	if (page_count(page) == 1) {
		/* Everyone else let go while it was isolated: nothing to move. */
		release_isolated(page);
		return 0;
	}
	/* No THP migration (5.11 without ARCH_ENABLE_THP_MIGRATION): the caller splits it. */
	if (PageTransHuge(page))
		return -ENOSYS;
	newpage = get_new_page(page, private_data);
	if (!newpage)
		return -ENOMEM;
	rc = __unmap_and_move(page, newpage, mode);
	if (rc) {
		if (put_new_page)
			put_new_page(newpage, private_data);
		else
			put_page(newpage);
		return rc;
	}
	release_isolated(page);
	/* The copy joins the LRU; the allocation's reference goes, the mappings hold the rest. */
	putback_lru_page(newpage);
	return 0;
}

/*
 * 5.11's try_split_thp(): split the isolated THP @page in place on @from. The head
 * stays where it is, with the isolation's reference; the tails go to the end of
 * @from, isolated, with a reference each, so this pass takes them too.
 * Return: 0, or split_huge_page_to_list()'s -EBUSY (the THP stays whole).
 */
static int try_split_thp(struct page *page, struct list_head *from)
{
	struct page *tail;
	LIST_HEAD(tails);
	int rc;

	lock_page(page);
	rc = split_huge_page_to_list(page, &tails);
	unlock_page(page);
	if (rc)
		return rc;
	while (!list_empty(&tails)) {
		tail = list_entry(tails.next, struct page, lru);
		SetPageIsolated(tail);
		list_move_tail(&tail->lru, from);
	}
	return 0;
}

int migrate_pages(struct list_head *from, new_page_t get_new_page, free_page_t put_new_page,
		  unsigned long private_data, enum migrate_mode mode, int reason)
{
	int nr_failed = 0, retry = 1;
	struct page *page, *next;

	(void)reason;
	for (int pass = 0; pass < MIGRATE_PASSES && retry; pass++) {
		retry = 0;
		list_for_each_entry_safe(page, next, from, lru)
		{
			int rc;
		retry_page:
			rc = unmap_and_move(get_new_page, put_new_page, private_data, page,
					    pass > 2 ? MIGRATE_SYNC : mode);
			if (rc == -ENOSYS) {
				/*
				 * Split: the head, small now, is tried again at once and the
				 * tails queued behind it in this pass; a THP that cannot
				 * split (pinned) fails.
				 */
				if (try_split_thp(page, from)) {
					nr_failed++;
					continue;
				}
				next = list_entry(page->lru.next, struct page, lru);
				goto retry_page;
			}
			if (rc == -ENOMEM)
				return -ENOMEM;
			if (rc == -EAGAIN)
				retry++;
			else if (rc)
				nr_failed++;
		}
	}
	return nr_failed + retry;
}

/* --- range migration for tests and scripts --- */

static struct page *alloc_in_zone(struct page *page, unsigned long zone)
{
	(void)page;
	return alloc_pages_zone(GFP_HIGHUSER_MOVABLE, 0, (enum zone_type)zone);
}

/* The THP a huge pmd maps at @addr in @mm, or NULL (not huge, or the huge zero page). */
static struct page *huge_pmd_thp(struct mm_struct *mm, unsigned long addr)
{
	pmd_t *pmd = mm_find_pmd(mm, addr);
	struct page *head = NULL;
	spinlock_t *ptl;
	pmd_t entry;

	if (!pmd || !pmd_trans_huge(pmdp_get(pmd)))
		return NULL;
	ptl = pmd_lock(mm);
	entry = pmdp_get(pmd);
	if (huge_pmd_maps_thp(entry) && !is_huge_zero_pmd(entry))
		head = pmd_page(entry);
	spin_unlock(ptl);
	return head;
}

/*
 * Isolate the pages of [start, end) in @vma that live outside @zone: small pages
 * (anonymous and page cache), and THPs by their head, whether a huge pmd or PTEs
 * map them (a THP met again at its next subpage is isolated already: -EBUSY).
 */
static void isolate_vma_range(struct vm_area_struct *vma, unsigned long start, unsigned long end,
			      enum zone_type zone, struct list_head *list)
{
	for (unsigned long addr = start, next; addr < end; addr = next) {
		struct page *head = huge_pmd_thp(vma->vm_mm, addr);
		pte_t *ptep;
		spinlock_t *ptl;
		struct page *found;

		next = addr + PAGE_SIZE;
		if (head) {
			if (page_zonenum(head) != zone)
				migrate_isolate_page(head, list);
			next = min_t(unsigned long, (addr & HPAGE_PMD_MASK) + HPAGE_PMD_SIZE, end);
			continue;
		}
		if (follow_pte(vma->vm_mm, addr, &ptep, &ptl))
			continue;
		found = vm_normal_page(vma, addr, ptep_get(ptep));
		if (found && page_zonenum(found) != zone)
			migrate_isolate_page(compound_head(found), list);
		pte_unmap_unlock(ptep, ptl);
	}
}

long sim_migrate_range(unsigned long addr, unsigned long len, enum zone_type zone)
{
	SIM_ENTER(sim_entry_err);
	struct mm_struct *mm = current->mm;
	unsigned long end = addr + ALIGN_UP(len, PAGE_SIZE), pos = addr;
	LIST_HEAD(isolated);
	struct vm_area_struct *vma;
	long ret = 0;

	bool bad_request = !IS_ALIGNED(addr, PAGE_SIZE) || end < addr || zone >= MAX_NR_ZONES ||
			   !sim.zones[zone].spanned_pages;

	if (bad_request || mmap_read_lock_killable(mm))
		return bad_request ? -EINVAL : -EINTR;
	for (vma = find_vma(mm, addr); pos < end; vma = vma->vm_next) {
		if (!vma || vma->vm_start > pos) {
			ret = -EFAULT;
			break;
		}
		isolate_vma_range(vma, pos, min_t(unsigned long, end, vma->vm_end), zone,
				  &isolated);
		pos = vma->vm_end;
	}
	if (!ret && !list_empty(&isolated))
		ret = migrate_pages(&isolated, alloc_in_zone, NULL, zone, MIGRATE_SYNC, MR_SYSCALL);
	putback_movable_pages(&isolated);
	mmap_read_unlock(mm);
	return ret;
}
