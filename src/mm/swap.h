/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the LRU (swap.c), reclaim (vmscan.c), the swap device (swapfile.c) and the
 * swap cache (swap_state.c) share with the rest of src/mm: the kernel's mm/swap.h.
 */
#ifndef GUP_MM_SWAP_H
#define GUP_MM_SWAP_H

#include <gup/swap.h>

/* Boot: empty lists; @batch pages per LRU-add batch (0 or 1: none held back). */
void lru_init(unsigned int batch);
/* The last reference of @page went: take it off its LRU list (page_alloc.c). */
void lru_page_freed(struct page *page);
/* Reclaim: up to @nr of the oldest pages of @lru isolated onto @dst. Return: how many. */
unsigned long isolate_lru_pages(enum lru_list lru, unsigned long nr, struct list_head *dst);
/*
 * The checker's view: @visit sees every batch page (where LRU_WALK_BATCH) and every
 * list page (where: its list), under the locks; @recorded gets each list's count.
 */
#define LRU_WALK_BATCH (-1)
void lru_walk(void (*visit)(struct page *page, int where, void *arg), void *arg,
	      unsigned long recorded[NR_LRU_LISTS]);

/* The swap device (swapfile.c). */
/* Boot: a device of @bytes (0: none). Return: 0, -EINVAL, -ENOMEM, -errno of the host. */
int swap_init(unsigned long bytes);
void swap_exit(void);
bool swap_enabled(void);
/* Does @entry name a slot of the swap device (not a migration or other special entry)? */
bool is_swapfile_entry(swp_entry_t entry);
/* A free slot, marked SWAP_HAS_CACHE. Return: 0, -ENODEV (no device), -ENOSPC. */
int get_swap_page(swp_entry_t *entry);
/* Claim the cache bit of an in-use slot for a swap-in. Return: 0, -ENOENT (free), -EEXIST (cached). */
int swapcache_prepare(swp_entry_t entry);
/* The swap cache let go of @entry; the slot is freed when no count is left. */
void swapcache_free_entry(swp_entry_t entry);
/* One more PTE names @entry (fork, unmap). Return: 0, -ENOENT (freed slot), -ENOMEM. */
int swap_duplicate(swp_entry_t entry);
/* One PTE naming @entry went (swap-in mapped it). */
void swap_free(swp_entry_t entry);
/* The same at zap, also dropping a swap-cache page nobody needs any more. */
void free_swap_and_cache(swp_entry_t entry);
bool swap_slot_in_use(swp_entry_t entry);
/* Shutdown: slots still in use are a leak (reported on @out). Return: whether any is. */
bool swap_leaked(FILE *out);
/* Page I/O, the page locked. Return: 0 or -EIO (a failed or short host transfer). */
int swap_writepage(struct page *page);
int swap_readpage(struct page *page, swp_entry_t entry);
/* The checker: count one PTE naming @entry (false: no slot); compare and reset. */
bool swap_check_tally(swp_entry_t entry);
int swap_check_counts(FILE *out);

/* The swap cache (swap_state.c). */
void swap_cache_init(void);
unsigned long swap_cache_pages(void);
/* The page caching @entry, no reference taken (the checker). */
struct page *swap_cache_peek(swp_entry_t entry);
/* The page caching @entry with a reference, or NULL. */
struct page *lookup_swap_cache(swp_entry_t entry);
/* A slot for the locked anonymous @page, which joins the swap cache dirty. Return: 0 or -errno. */
int add_to_swap(struct page *page);
/*
 * The locked @page, in no swap cache, caches slot @entry (whose SWAP_HAS_CACHE
 * is set): the cache takes a reference. Return: 0 or -ENOMEM.
 */
int add_to_swap_cache(struct page *page, swp_entry_t entry);
/*
 * pageout() of a dirty swap-cache @page (locked, unmapped): clean it and write it
 * to its slot. A failed write (end_swap_bio_write()) leaves it dirty with
 * PG_error, its data in memory for a later try. Return: 0 or -EIO.
 */
int swap_pageout(struct page *page);
void delete_from_swap_cache(struct page *page);
/* Drop the locked @page from the swap cache when no PTE names its slot. Return: whether it went. */
bool try_to_free_swap(struct page *page);
/* Zap: a swap-cache page nothing maps any more leaves the cache when its lock is free. */
void free_swap_cache(struct page *page);
/*
 * Reclaim's last step for the locked, clean, isolated @page: out of the swap cache
 * when nothing but the isolation and the cache hold it. Return: true, and the
 * caller's put_page() frees it; false when someone else holds it (a pin).
 */
bool remove_swap_mapping(struct page *page);
/*
 * Read slot @entry into a new page in the swap cache. Return: 0 with *@pagep
 * locked and referenced, and not uptodate (PG_error) when the read failed;
 * -ENOENT (slot freed meanwhile), -EEXIST (another thread caches it: look
 * again), -ENOMEM.
 */
int swapin_page(swp_entry_t entry, struct page **pagep);
/*
 * Migration of a swap-cache @page (locked, unmapped, isolated): the locked
 * @newpage takes its slot, with the cache's reference, when nothing but the
 * isolation and the cache hold @page (its count frozen meanwhile, as 5.11's
 * migrate_page_move_mapping() does for swapper_space). Return: 0, or -EAGAIN
 * (someone else holds it: a pin, a GUP reference).
 */
int migrate_swap_cache_page(struct page *newpage, struct page *page);
/* Shutdown: every swap-cache page leaves the cache (the slots no PTE names are freed). */
void swap_cache_release_all(void);
int swap_cache_check(void (*visit)(struct page *page, swp_entry_t entry, void *arg), void *arg);

/* Reclaim (vmscan.c). */
/* Reclaim the isolated pages on @list; what stays goes back to the LRU. Return: pages freed. */
unsigned long shrink_page_list(struct list_head *list);
/* MADV_PAGEOUT's reclaim_pages(). Return: pages freed. */
unsigned long reclaim_pages(struct list_head *list);
/* The allocator's slow path: reclaim a batch when it failed. Return: pages freed. */
#define SWAP_CLUSTER_MAX 32UL
unsigned long try_to_free_pages(unsigned long nr);
/* handle_mm_fault() brackets the fault: its allocations may reclaim (not nested in reclaim). */
void direct_reclaim_allow(bool allow);
bool direct_reclaim_allowed(void);
/*
 * The machine's kswapd (sim_config.kswapd): kswapd_run() at boot starts the
 * thread, asleep; wakeup_kswapd() (the allocator, when a zone falls below its
 * low watermark) wakes it to reclaim until every zone is above high;
 * kswapd_stop() at shutdown. Return (kswapd_run): 0 or -errno.
 */
int kswapd_run(void);
void wakeup_kswapd(void);
void kswapd_stop(void);
/* Mark this thread as a machine's kswapd (or not): its reclaim counts as kswapd's. */
void current_set_kswapd(bool kswapd);
/* try_to_unmap_one() for an anonymous page in the swap cache: a swap entry replaces the PTE. */
bool try_to_unmap_swap_pte(struct page *page, struct vm_area_struct *vma, pte_t *pte);

#endif /* GUP_MM_SWAP_H */
