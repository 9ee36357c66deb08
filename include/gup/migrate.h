/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Page migration: isolating pages, migrate_pages() with its allocation callbacks,
 * and the range migration tests and scripts drive (sim_migrate_range).
 */
#ifndef GUP_MIGRATE_H
#define GUP_MIGRATE_H

#include <gup/page.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Where migrate_pages() gets a page for @page and gives back one it did not use. */
typedef struct page *new_page_t(struct page *page, unsigned long private_data);
typedef void free_page_t(struct page *page, unsigned long private_data);

enum migrate_mode {
	MIGRATE_ASYNC,	    /* never sleep on a page lock */
	MIGRATE_SYNC_LIGHT, /* the kernel's "may block, skip writeback": the same here */
	MIGRATE_SYNC,
};

/* Why pages move; kept for the kernel's signature and the statistics. */
enum migrate_reason {
	MR_COMPACTION,
	MR_MEMORY_FAILURE,
	MR_MEMORY_HOTPLUG,
	MR_SYSCALL,
	MR_CONTIG_RANGE,
	MR_LONGTERM_PIN,
	MR_TYPES,
};

/* The kernel's passes over the list before a busy page is left where it is. */
#define MIGRATE_PASSES 10

/**
 * migrate_isolate_page() - take @page off for migration onto @list.
 *
 * Takes a reference and marks the page isolated (there are no LRU lists yet,
 * which the kernel's isolate_lru_page() would take it from).
 *
 * Return: 0; -EBUSY when the page is free, already isolated, a tail page, or
 * neither anonymous nor in a page cache (a THP is taken by its head:
 * migrate_pages() moves it whole, or splits it); a hugetlb head goes through
 * isolate_huge_page() (-EBUSY when it is free, being set up or isolated already).
 */
int migrate_isolate_page(struct page *page, struct list_head *list);

/* Give every page on @list back: clear the isolation and drop its reference. */
void putback_movable_pages(struct list_head *list);

/**
 * migrate_pages() - move the isolated pages on @from to pages from @get_new_page.
 * @put_new_page: takes back an unused new page; NULL frees it.
 * @private_data: passed to both callbacks.
 * @mode: MIGRATE_ASYNC does not wait for a page lock.
 * @reason: MR_*.
 *
 * Each page is locked, unmapped behind migration entries, checked for references
 * beyond its mappings and the isolation (a GUP reference or a pin keeps it:
 * -EAGAIN, tried again on the next of MIGRATE_PASSES passes), copied with its
 * flags, and mapped again at its new place. A page-cache page also changes
 * places in its xarray slot, its dirty state with it; one under writeback is
 * busy except in MIGRATE_SYNC. A THP moves whole to an order-9 page from
 * @get_new_page (x86-64's ARCH_ENABLE_THP_MIGRATION), behind a pmd migration
 * entry where a pmd maps it and a PTE migration entry per subpage where PTEs do;
 * a pinned one is -EAGAIN on every pass and stays. One @get_new_page has no THP
 * for (-ENOMEM), or under the 6.18 profile one partially mapped, is split
 * (try_split_thp()) and its subpages move in the same pass.
 * Migrated pages leave @from and are freed; the rest stay on it, still
 * isolated, for putback_movable_pages().
 *
 * Return: 0 when every page moved; the number that did not (a THP split counts
 * as one under 6.18 then); -ENOMEM when @get_new_page had nothing to give, or
 * a THP it had no THP for could not split (the rest stay on @from).
 */
int migrate_pages(struct list_head *from, new_page_t get_new_page, free_page_t put_new_page,
		  unsigned long private_data, enum migrate_mode mode, int reason);

/**
 * sim_migrate_range() - move the current task's anonymous pages in
 * [@addr, @addr + @len) to zone @zone, as move_pages(2) moves them between nodes.
 *
 * Anonymous and page-cache pages outside @zone are migrated, a pmd-mapped THP
 * whole (a PTE-mapped one, or one with no order-9 page free in @zone, split into
 * small pages on the way); hugetlb pages move whole, to a free pool page in @zone
 * or (2 MiB) a temporary one from it; pages already there and the zero page are
 * left alone. The pages are isolated under mmap_lock and migrated after it is
 * dropped, as move_pages(2) does.
 *
 * Return: 0 when every page that should move did; the number that stayed
 * (pinned or busy); -EINVAL for an unaligned @addr, a wrapping range or a zone
 * with no memory; -EFAULT when part of the range is not mapped; -ENOMEM when
 * @zone has no free page (for a 1 GiB page: no free gigantic pool page there);
 * -ENODEV with no machine, -ESRCH from a thread that runs
 * no task.
 */
long sim_migrate_range(unsigned long addr, unsigned long len, enum zone_type zone);

#ifdef __cplusplus
}
#endif

#endif /* GUP_MIGRATE_H */
