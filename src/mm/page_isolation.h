/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Isolated pfn ranges inside the library (mm/page_isolation.c): the allocator's
 * hooks, and the steps cma_alloc() and offline_range() are made of.
 */
#ifndef GUP_MM_PAGE_ISOLATION_H
#define GUP_MM_PAGE_ISOLATION_H

#include <libgup.h>
#include <gup/page_isolation.h>

struct isolated_range;

/* How many ranges are isolated now: buddy_free() looks only when there are some. */
extern atomic_t nr_isolated_ranges;

/*
 * buddy_free()'s hook: a block freed inside an isolated range is held by it
 * instead (frames outside it are freed as usual). Return: true when the block
 * needs nothing more from buddy_free().
 */
bool page_isolation_capture(struct page *page, unsigned int order);
/* Is @pfn inside an isolated range (the kernel's is_migrate_isolate_page())? */
bool pfn_isolated(unsigned long pfn);

/*
 * The frames the allocator hands over (page_alloc.c): frame_hold() makes one an
 * isolation's (reserved, one reference), frame_hand_over() makes a held frame
 * an ordinary allocated page, and take_free_frames() holds every free frame of
 * [start, end), splitting blocks that reach outside, telling @held_fn each one.
 * Return: how many it took.
 */
void frame_hold(struct page *page);
void frame_hand_over(struct page *page);
unsigned long take_free_frames(unsigned long start, unsigned long end,
			       void (*held_fn)(unsigned long pfn, void *arg), void *arg);

/**
 * isolate_pfn_range() - stop the allocator handing out [@start, @end).
 *
 * Its free frames are taken now, frames freed in it later are kept: the range
 * fills up as its pages migrate away. Return: 0 and *@out; -EINVAL for a range
 * outside memory or across a zone boundary; -EBUSY when it overlaps a range
 * isolated already; -ENOMEM.
 */
int isolate_pfn_range(unsigned long start, unsigned long end, struct isolated_range **out);

/**
 * migrate_isolated_range() - move every page in use in @range elsewhere.
 * @passes: rounds of isolating and migrating before giving up (the kernel's
 *          tries in __alloc_contig_migrate_range(), its offline retry loop).
 * @reason: MR_CONTIG_RANGE or MR_MEMORY_HOTPLUG, for migrate_pages(); offlining
 *          also moves in-use hugetlb pages and dissolves the free pool pages in
 *          the range, cma_alloc() as the profile's contig_range_moves_hugetlb says.
 * @busy: filled with what stayed when it fails; may be NULL.
 *
 * Return: 0 when the range holds all its frames; -EBUSY when pages stayed (pinned,
 * unmovable, or no memory elsewhere for them).
 */
int migrate_isolated_range(struct isolated_range *range, int passes, int reason,
			   struct range_busy *busy);

/* Give the range's held frames back to the allocator and end the isolation. */
void undo_isolate_pfn_range(struct isolated_range *range);

/*
 * A range migrate_isolated_range() emptied becomes its caller's: every frame an
 * allocated page with one reference. Ends the isolation; returns the first page.
 */
struct page *isolated_range_hand_over(struct isolated_range *range);

/* The checker's view of cma_alloc(): @fn(pfn, @arg) for every frame handed out. */
void cma_for_each_allocated(void (*fn)(unsigned long pfn, void *arg), void *arg);

/* Shutdown hooks (machine.c): the CMA bitmap goes, offline memory comes back. */
void cma_shutdown(void);
void memory_hotplug_shutdown(void);

#endif /* GUP_MM_PAGE_ISOLATION_H */
