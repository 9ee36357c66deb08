/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The reverse map: from a page to every (VMA, address) mapping it, and what
 * migration and reclaim do through it (try_to_unmap, remove_migration_ptes,
 * page_referenced, page_mkclean).
 */
#ifndef GUP_RMAP_H
#define GUP_RMAP_H

#include <gup/mm_types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * One rmap walk: rmap_one() runs for each (vma, address) that may map the page
 * (it checks the page table itself) and returns false to stop the walk; done(),
 * if set, is asked after each and stops it when true.
 */
struct rmap_walk_control {
	void *arg;
	bool (*rmap_one)(struct page *page, struct vm_area_struct *vma, unsigned long address,
			 void *arg);
	bool (*done)(struct page *page);
	/*
	 * A THP: visit every anonymous VMA any subpage falls in, the address being the
	 * head's (before vm_start when the VMA holds only later subpages).
	 */
	bool thp_span;
};

/**
 * rmap_walk() - run @rwc over every VMA that may map @page.
 *
 * Anonymous pages go through their anon_vma and its chain links; file pages
 * through the VMAs on their mapping's i_mmap whose vm_pgoff range covers the
 * page's index. The caller holds the page lock (it keeps a file page's mapping)
 * and keeps the anon_vma alive (the page mapped, or page_get_anon_vma()).
 */
void rmap_walk(struct page *page, struct rmap_walk_control *rwc);

/* try_to_unmap() flags (enum ttu_flags). */
#define TTU_MIGRATION 0x1u    /* leave migration entries behind */
#define TTU_IGNORE_MLOCK 0x8u /* unmap from VM_LOCKED VMAs too */

/**
 * try_to_unmap() - remove every PTE mapping the locked page @page.
 * @flags: TTU_*; without TTU_MIGRATION an anonymous page cannot go (no swap yet).
 *
 * With TTU_MIGRATION a THP head's huge pmds become pmd migration entries (the
 * PTEs of a PTE-mapped THP's subpages are left: migrate_pages() splits such a THP).
 *
 * Return: true when no PTE maps the page any more; false when a VM_LOCKED VMA
 * (without TTU_IGNORE_MLOCK) or an anonymous page with nowhere to go kept one.
 */
bool try_to_unmap(struct page *page, unsigned int flags);

/**
 * remove_migration_ptes() - turn the migration entries for @old into PTEs of @newpage.
 * @old: the page the entries name (locked).
 * @newpage: the page to map (@old itself when the migration failed); its mapping
 *       and index are @old's.
 *
 * For a THP: each pmd migration entry becomes a huge pmd of @newpage, and the PTE
 * migration entries a split of such an entry left (in any VMA a subpage falls in)
 * map the matching subpages of @newpage.
 */
void remove_migration_ptes(struct page *old, struct page *newpage);

/**
 * page_referenced() - count the PTEs that saw an access since the last call.
 * @vm_flags: gets the flags of every VMA that had one (may be NULL).
 *
 * The accessed bits are cleared on the way. Return: the number of young PTEs.
 */
int page_referenced(struct page *page, unsigned long *vm_flags);

/**
 * page_mkclean() - write-protect and clean the shared PTEs of a locked file page.
 *
 * Every PTE of a VM_SHARED VMA mapping @page that is dirty or writable is made
 * clean and read-only, so the next store faults and dirties the page again.
 *
 * Return: the number of PTEs cleaned; 0 for anonymous and unmapped pages.
 */
int page_mkclean(struct page *page);

/**
 * try_to_munlock() - keep a locked page mlocked if a VM_LOCKED VMA still maps it.
 *
 * munlock clears PG_mlocked on the pages of the range it unlocks; this walks the
 * rmap of the locked @page and sets it again (counted in NR_MLOCK) when another
 * VM_LOCKED VMA, in this mm or another, maps the page (5.11's TTU_MUNLOCK walk).
 */
void try_to_munlock(struct page *page);

/*
 * A reference on the anon_vma of @page while it is still mapped (NULL otherwise),
 * which keeps rmap walks possible after try_to_unmap(); drop with anon_vma_put().
 */
struct anon_vma *page_get_anon_vma(struct page *page);

#ifdef __cplusplus
}
#endif

#endif /* GUP_RMAP_H */
