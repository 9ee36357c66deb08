// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page migration: isolating pages, unmapping them behind migration entries,
 * checking that nothing else holds them, copying and mapping the copy again;
 * and waiting for a migration entry before a fault or GUP looks at the PTE again.
 * Small anonymous pages and page-cache pages (host files and shmem) move; an
 * anonymous THP moves whole to an order-9 target (x86-64 has
 * ARCH_ENABLE_THP_MIGRATION), behind a pmd migration entry where a pmd maps it
 * and a PTE migration entry per subpage where PTEs do; one with no order-9 target
 * free (or, 6.10 on, one partially mapped) is split first and its subpages move
 * (try_split_thp()); hugetlb pages move whole, behind huge migration entries, to
 * pool pages (unmap_and_move_huge_page(), at the end).
 */
#include "mm/internal.h"

/* Migrations between unmap and remap: the checker allows migration entries only then. */
atomic_t migrations_in_flight;

/*
 * The entry named @page, found under @ptl: hold it, drop @ptl, sleep on the lock of
 * the page (a THP's head: a split migration pmd names subpages) the migration holds.
 */
static void wait_for_migration_locked(struct page *page, spinlock_t *ptl)
{
	page = compound_head(page);
	if (!page_ref_add_unless_zero(page, 1)) {
		spin_unlock(ptl);
		return;
	}
	spin_unlock(ptl);
	put_and_wait_on_page_locked(page); /* 5.11: a waiter's reference would fail the move */
}

void migration_entry_wait(struct mm_struct *mm, pmd_t *pmd, unsigned long address)
{
	spinlock_t *ptl;
	pte_t *ptep = pte_offset_map_lock(mm, pmd, address, &ptl);
	pte_t pte = ptep_get(ptep);

	pte_unmap(ptep);
	if (!is_swap_pte(pte) || !is_migration_entry(pte_to_swp_entry(pte))) {
		spin_unlock(ptl);
		return;
	}
	wait_for_migration_locked(migration_entry_to_page(pte_to_swp_entry(pte)), ptl);
}

void pmd_migration_entry_wait(struct mm_struct *mm, pmd_t *pmd)
{
	spinlock_t *ptl = pmd_lock(mm);
	pmd_t entry = pmdp_get(pmd);

	if (!is_pmd_migration_entry(entry)) {
		spin_unlock(ptl);
		return;
	}
	wait_for_migration_locked(migration_entry_to_page(pmd_to_swp_entry(entry)), ptl);
}

/* A page migration knows how to move: anonymous, a THP head, or a page-cache page. */
static bool page_is_movable(struct page *page)
{
	struct address_space *mapping = READ_ONCE(page->mapping);

	if (PageCompound(page) && !PageTransHuge(page))
		return false; /* a tail, or a hugetlb page: no move for them */
	/* A shmem page swapped out (no mapping: it is in the swap cache alone) moves too. */
	if (PageAnon(page) || PageSwapCache(page))
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
	if (PageHuge(page))
		return isolate_huge_page(page, list) ? 0 : -EBUSY;
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

	list_for_each_entry_safe(page, next, list, lru)
	{
		if (PageHuge(page))
			putback_active_hugepage(page); /* hugetlb's own list, not the LRU */
		else
			putback_one(page);
	}
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

/*
 * A swap-cache page: an anonymous page read back or not yet freed, or a shmem
 * page swapped out that something still holds. The new page takes its slot in
 * the swap cache (nothing but the isolation and the cache may hold the old one)
 * and, if anonymous, its anon_vma and index.
 */
static int migrate_swap_cache_move_mapping(struct page *newpage, struct page *page)
{
	int rc = migrate_swap_cache_page(newpage, page);

	if (rc)
		return rc;
	newpage->index = page->index;
	WRITE_ONCE(newpage->mapping, page->mapping);
	return 0;
}

static int migrate_page_move_mapping(struct page *newpage, struct page *page)
{
	if (PageSwapCache(page))
		return migrate_swap_cache_move_mapping(newpage, page);
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
	for (unsigned long i = 0; i < compound_nr(page); i++)
		copy_highpage(newpage + i, page + i); /* a THP: its 512 subpages */
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
	/* The three phase points let a bench time unmap, move and remap apart. */
	sim_point(SP_MIGRATE_BEFORE_UNMAP, page);
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
	sim_point(SP_MIGRATE_BEFORE_REMAP, page);
	if (page_was_mapped)
		remove_migration_ptes(page, rc ? page : newpage);
	sim_point(SP_MIGRATE_AFTER_REMAP, page);
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
static int unmap_and_move_huge_page(new_page_t get_new_page, free_page_t put_new_page,
				    unsigned long private_data, struct page *hpage,
				    enum migrate_mode mode);

static int unmap_and_move(new_page_t get_new_page, free_page_t put_new_page,
			  unsigned long private_data, struct page *page, enum migrate_mode mode)
{
	struct page *newpage;
	int rc;

	if (PageHuge(page))
		return unmap_and_move_huge_page(get_new_page, put_new_page, private_data, page,
						mode);
	if (page_count(page) == 1) {
		/* Everyone else let go while it was isolated: nothing to move. */
		release_isolated(page);
		return 0;
	}
	newpage = get_new_page(page, private_data);
	if (newpage && PageTransHuge(page) && !PageTransHuge(newpage)) {
		/* A callback that gives small pages only: the THP is split instead. */
		if (put_new_page)
			put_new_page(newpage, private_data);
		else
			put_page(newpage);
		newpage = NULL;
	}
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
	int nr_failed = 0, nr_split = 0, retry = 1;
	struct page *page, *next;

	(void)reason;
	for (int pass = 0; pass < MIGRATE_PASSES && retry; pass++) {
		retry = 0;
		list_for_each_entry_safe(page, next, from, lru)
		{
			int rc;
		retry_page:
			/*
			 * The profile's partially mapped THP is split first, its pieces
			 * moving in this pass; one that cannot split (pinned) goes on
			 * to move whole.
			 */
			if (PageTransHuge(page) &&
			    mm_profile->migrate_splits_partially_mapped_thp &&
			    thp_partially_mapped(page) && !try_split_thp(page, from)) {
				nr_split++;
				next = list_entry(page->lru.next, struct page, lru);
				goto retry_page;
			}
			rc = unmap_and_move(get_new_page, put_new_page, private_data, page,
					    pass > 2 ? MIGRATE_SYNC : mode);
			if (rc == -ENOMEM && PageTransHuge(page)) {
				/*
				 * No order-9 target: split, as both kernels do. The head,
				 * small now, is tried again at once and the tails are queued
				 * behind it in this pass. A THP that cannot split (pinned)
				 * ends the migration with -ENOMEM, the rest left on @from.
				 */
				if (try_split_thp(page, from))
					return -ENOMEM;
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
	/* 6.10's split counts only when something else did not move (its list is not empty). */
	return nr_failed + retry ? nr_failed + retry + nr_split : 0;
}

/* --- range migration for tests and scripts --- */

struct page *migration_alloc_target(struct page *page, gfp_t gfp, enum zone_type zone)
{
	unsigned int order = 0;

	/* A pool page (or a temporary one) the zone, or the context, allows. */
	if (PageHuge(page))
		return alloc_hugetlb_migration_target(page, (int)zone);
	if (PageTransHuge(page)) {
		gfp |= GFP_TRANSHUGE | __GFP_NOWARN; /* none free: split, no warning */
		order = HPAGE_PMD_ORDER;
	}
	if (zone == MAX_NR_ZONES)
		return alloc_pages(gfp, order);
	return alloc_pages_zone(gfp, order, zone);
}

static struct page *alloc_in_zone(struct page *page, unsigned long zone)
{
	return migration_alloc_target(page, GFP_HIGHUSER_MOVABLE, (enum zone_type)zone);
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

/* The hugetlb pages huge entries of [start, end) of @vma map outside @zone, isolated. */
static void isolate_hugetlb_range(struct vm_area_struct *vma, unsigned long start,
				  unsigned long end, enum zone_type zone, struct list_head *list)
{
	unsigned long sz = huge_page_size(hstate_vma(vma));

	for (unsigned long addr = start & ~(sz - 1); addr < end; addr += sz) {
		unsigned long *ptep = huge_pte_offset(vma->vm_mm, addr, sz), entry;
		struct page *head = NULL;
		spinlock_t *ptl;

		if (!ptep)
			continue;
		ptl = pmd_lock(vma->vm_mm);
		entry = __atomic_load_n(ptep, __ATOMIC_ACQUIRE);
		if (entry & _PAGE_PRESENT)
			head = pfn_to_page((entry & PTE_PFN_MASK) >> PAGE_SHIFT);
		/* Under the entry's lock: the page cannot be freed before the reference. */
		if (head && page_zonenum(head) != zone)
			isolate_huge_page(head, list);
		spin_unlock(ptl);
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
		if (is_vm_hugetlb_page(vma))
			isolate_hugetlb_range(vma, pos, min_t(unsigned long, end, vma->vm_end),
					      zone, &isolated);
		else
			isolate_vma_range(vma, pos, min_t(unsigned long, end, vma->vm_end), zone,
					  &isolated);
		pos = vma->vm_end;
	}
	/*
	 * As move_pages(2): the isolated pages are held by their references, and
	 * migrate_pages() runs without mmap_lock, so the task may fork, fault,
	 * munmap and mprotect while its pages are behind migration entries.
	 */
	mmap_read_unlock(mm);
	if (!ret && !list_empty(&isolated))
		ret = migrate_pages(&isolated, alloc_in_zone, NULL, zone, MIGRATE_SYNC, MR_SYSCALL);
	putback_movable_pages(&isolated);
	return ret;
}

/* --- hugetlb pages (5.11 unmap_and_move_huge_page() and its helpers) --- */

void migration_entry_wait_huge(struct mm_struct *mm, unsigned long *ptep)
{
	spinlock_t *ptl = pmd_lock(mm);
	unsigned long entry = __atomic_load_n(ptep, __ATOMIC_ACQUIRE);

	if (!is_hugetlb_entry_migration(entry)) {
		spin_unlock(ptl);
		return;
	}
	/*
	 * As 5.11's __migration_entry_wait(), which hugetlb shares: no reference
	 * is held while asleep, so this waiter does not fail the move it waits for.
	 */
	wait_for_migration_locked(migration_entry_to_page(pte_to_swp_entry(__pte(entry))), ptl);
}

/*
 * The new page takes the old one's place in its mapping (the anon_vma, or the
 * hugetlbfs object's cache slot, with the same rules as small pages: nothing but
 * the isolation and the cache may hold it; a page its object dropped meanwhile
 * has only the isolation), then the data and flags follow.
 */
static int move_to_new_huge_page(struct page *newpage, struct page *page)
{
	/* Out of its cache already (the object went away): 5.11's migrate_page(NULL, ...). */
	int rc = PageAnon(page) || page->mapping ? migrate_page_move_mapping(newpage, page)
						 : migrate_anon_page_move_mapping(newpage, page);

	if (rc)
		return rc;
	memcpy(page_address(newpage), page_address(page), PAGE_SIZE << compound_order(page));
	migrate_page_states(newpage, page);
	if (!PageAnon(page))
		WRITE_ONCE(page->mapping, NULL);
	return 0;
}

/*
 * One hugetlb page of migrate_pages(): a target from @get_new_page (a pool page,
 * a temporary one), the old page locked and unmapped behind huge migration
 * entries, moved, and the entries pointed at whichever page holds the data.
 * Return: 0 (the old page went back to the pool or the buddy allocator);
 * -ENOMEM when there is no target (the page stays on the list); -EAGAIN, the
 * page staying on the list for the next pass, when it is held by more than its
 * isolation (and cache): a pin, a GUP reference; or when it could not be locked
 * without waiting (not MIGRATE_SYNC) or the new page was locked by someone.
 */
static int unmap_and_move_huge_page(new_page_t get_new_page, free_page_t put_new_page,
				    unsigned long private_data, struct page *hpage,
				    enum migrate_mode mode)
{
	struct anon_vma *anon_vma = NULL;
	bool page_was_mapped = false;
	struct page *new_hpage;
	int rc = -EAGAIN;

	new_hpage = get_new_page(hpage, private_data);
	if (!new_hpage)
		return -ENOMEM;
	if (!trylock_page(hpage)) {
		if (mode != MIGRATE_SYNC)
			goto out;
		lock_page(hpage);
	}
	if (PageAnon(hpage))
		anon_vma = page_get_anon_vma(hpage);
	if (!trylock_page(new_hpage))
		goto put_anon;
	atomic_inc(&migrations_in_flight);
	if (page_mapped(hpage)) {
		try_to_unmap(hpage, TTU_MIGRATION | TTU_IGNORE_MLOCK);
		page_was_mapped = true;
	}
	sim_point(SP_MIGRATE_AFTER_UNMAP, hpage);
	if (!page_mapped(hpage))
		rc = move_to_new_huge_page(new_hpage, hpage);
	if (page_was_mapped)
		remove_migration_ptes(hpage, rc ? hpage : new_hpage);
	atomic_dec(&migrations_in_flight);
	unlock_page(new_hpage);
put_anon:
	anon_vma_put(anon_vma);
	if (!rc) {
		move_hugetlb_state(hpage, new_hpage);
		put_new_page = NULL;
	}
	unlock_page(hpage);
out:
	/* A busy page stays isolated for the next pass; anything else leaves the list. */
	if (rc != -EAGAIN)
		putback_active_hugepage(hpage);
	if (put_new_page)
		put_new_page(new_hpage, private_data);
	else
		putback_active_hugepage(new_hpage);
	return rc;
}
