// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page migration: isolating pages, unmapping them behind migration entries,
 * checking that nothing else holds them, copying and mapping the copy again;
 * and waiting for a migration entry before a fault or GUP looks at the PTE again.
 * Small anonymous pages for now: huge pages and page-cache pages take the
 * -EBUSY branches of migrate_isolate_page() until their moves exist.
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

/* Off the LRU through isolate_lru_page(): a page in an LRU-add batch is not there yet. */
int migrate_isolate_page(struct page *page, struct list_head *list)
{
	if (PageCompound(page) || !PageAnon(page) || isolate_lru_page(page))
		return -EBUSY;
	SetPageIsolated(page);
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
static int migrate_page_move_mapping(struct page *newpage, struct page *page)
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
	if (!trylock_page(newpage))
		goto out_unlock;
	atomic_inc(&migrations_in_flight);
	/* The walk back to the PTEs needs the anon_vma after the last unmap. */
	if (page_mapped(page)) {
		anon_vma = page_get_anon_vma(page);
		if (anon_vma) {
			try_to_unmap(page, TTU_MIGRATION | TTU_IGNORE_MLOCK);
			page_was_mapped = true;
		}
	}
	sim_point(SP_MIGRATE_AFTER_UNMAP, page);
	if (!page_mapped(page))
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
			int rc = unmap_and_move(get_new_page, put_new_page, private_data, page,
						pass > 2 ? MIGRATE_SYNC : mode);

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

/* Isolate the small anonymous pages of [start, end) in @vma that live outside @zone. */
static void isolate_vma_range(struct vm_area_struct *vma, unsigned long start, unsigned long end,
			      enum zone_type zone, struct list_head *list)
{
	for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) {
		pte_t *ptep;
		spinlock_t *ptl;
		struct page *found;

		if (follow_pte(vma->vm_mm, addr, &ptep, &ptl))
			continue;
		found = vm_normal_page(vma, addr, ptep_get(ptep));
		if (found && page_zonenum(found) != zone)
			migrate_isolate_page(found, list);
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
