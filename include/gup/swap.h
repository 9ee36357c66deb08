/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Page aging and reclaim (the kernel's include/linux/swap.h): the LRU lists and
 * the per-thread LRU-add batches in front of them, isolation for migration and
 * reclaim, the swap device, swap cache and swap counts, and reclaim on demand.
 */
#ifndef GUP_SWAP_H
#define GUP_SWAP_H

#include <gup/page.h>
#include <gup/pgtable.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The lists of one lruvec; anonymous before file, inactive before active, as the kernel. */
enum lru_list {
	LRU_INACTIVE_ANON,
	LRU_ACTIVE_ANON,
	LRU_INACTIVE_FILE,
	LRU_ACTIVE_FILE,
	LRU_UNEVICTABLE,
	NR_LRU_LISTS,
};

/* 5.11's PAGEVEC_SIZE: pages a thread's LRU-add batch holds before it is drained. */
#define PAGEVEC_SIZE 15

/**
 * lru_cache_add() - a new page joins the LRU through this thread's batch.
 * @page: an order-0 user page (anonymous, shmem or file) the caller holds.
 *
 * The batch takes a reference of its own until it is drained; while the page sits
 * there it is not PageLRU and isolate_lru_page() fails on it. Huge and compound
 * pages are not kept on the LRU lists here (they are left alone).
 */
void lru_cache_add(struct page *page);

/** lru_add_drain() - move this thread's batch onto the LRU lists. */
void lru_add_drain(void);

/**
 * lru_add_drain_all() - drain every thread's batch (5.11 queues work on each CPU;
 * here each batch is drained remotely under its own lock).
 */
void lru_add_drain_all(void);

/**
 * isolate_lru_page() - take @page off its LRU list for migration or reclaim.
 * @page: a page the caller holds a reference on.
 *
 * Return: 0 with PG_lru cleared and one more reference (the isolation's), which
 * putback_lru_page() or the final put drops; -EBUSY when @page is not on an LRU
 * list (in an LRU-add batch, isolated already, or never added).
 */
int isolate_lru_page(struct page *page);

/** putback_lru_page() - an isolated page goes back (through the batch) and drops the isolation reference. */
void putback_lru_page(struct page *page);

/** mark_page_accessed() - referenced, then active: moves the page to its active list. */
void mark_page_accessed(struct page *page);

/** deactivate_page() - MADV_COLD: an active page moves to the inactive list. */
void deactivate_page(struct page *page);

/** lru_page_count() - pages on list @lru now. */
unsigned long lru_page_count(enum lru_list lru);

/** lru_batch_count() - pages in LRU-add batches (every thread's) now. */
unsigned long lru_batch_count(void);

/** page_lru() - the list @page belongs on (by its flags). */
enum lru_list page_lru(struct page *page);

/** page_in_lru_batch() - whether @page sits in some thread's LRU-add batch (slow: a test helper). */
bool page_in_lru_batch(struct page *page);

/* A page in the swap cache (the kernel's PG_swapcache, an alias of PG_owner_priv_1). */
static inline bool PageSwapCache(const struct page *page)
{
	return test_bit(PG_owner_priv_1, &page->flags) && test_bit(PG_swapbacked, &page->flags);
}
static inline void SetPageSwapCache(struct page *page)
{
	set_bit(PG_owner_priv_1, &page->flags);
}
static inline void ClearPageSwapCache(struct page *page)
{
	clear_bit(PG_owner_priv_1, &page->flags);
}

/* The swap device's state, for tests and scripts. */
struct sim_swap_stats {
	unsigned long total_slots;  /* 0: no swap device */
	unsigned long used_slots;   /* slots a PTE or the swap cache still holds */
	unsigned long cached_pages; /* pages in the swap cache */
};

/** sim_swap_stats() - fill @stats (all zero without a swap device). */
void sim_swap_stats(struct sim_swap_stats *stats);

/**
 * swap_count() - how many PTEs (and fork copies) name swap slot @entry.
 * Return: the count; 0 for a free slot or an entry of no swap device.
 */
int swap_count(swp_entry_t entry);

/**
 * sim_reclaim() - direct reclaim of up to @nr pages from the inactive (then
 * active) LRU lists of the machine, as try_to_free_pages would: page-cache pages
 * of host files first (written back when dirty), then anonymous pages to swap.
 *
 * Return: the pages freed (0 when every candidate was pinned, mlocked, shmem,
 * anonymous without a swap device, or could not be written), or -EINVAL for @nr 0.
 */
long sim_reclaim(unsigned long nr);

/* kswapd's counters (sim_config.kswapd). */
struct sim_kswapd_stats {
	unsigned long wakeups; /* wakeups that found it asleep */
	unsigned long runs;    /* balancing runs done */
	bool running;	       /* awake or about to be */
};

/**
 * sim_kswapd_wait_idle() - wait until kswapd is asleep with no wakeup pending:
 * every wakeup before the call has been answered by a balancing run.
 *
 * Return: 0; -ENODEV when the machine runs no kswapd (nothing waited for).
 */
int sim_kswapd_wait_idle(void);

/**
 * sim_kswapd_stats() - fill @stats.
 *
 * Return: 0; -ENODEV when the machine runs no kswapd (@stats then holds zeros
 * or the last machine's counts).
 */
int sim_kswapd_stats(struct sim_kswapd_stats *stats);

/* A zone's watermarks and free pages, in pages. */
struct sim_watermarks {
	unsigned long min, low, high, free;
};

/**
 * sim_zone_watermarks() - the min/low/high watermarks of @zone and its free pages.
 *
 * Return: 0, -EINVAL for an unknown zone, -ENODEV when no machine runs.
 */
int sim_zone_watermarks(enum zone_type zone, struct sim_watermarks *out);

#ifdef __cplusplus
}
#endif

#endif /* GUP_SWAP_H */
