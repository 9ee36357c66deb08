/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The page cache: finding, adding and removing a file's pages by index
 * (mm/filemap.c), the file fault handler, writeback and truncation.
 */
#ifndef GUP_PAGEMAP_H
#define GUP_PAGEMAP_H

#include <gup/fs.h>
#include <gup/mm_types.h>
#include <gup/page.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned long pgoff_t;

/**
 * find_get_page() - the page cached at @index, with a reference; lock-free (RCU).
 *
 * Return: the page (it may be locked and !Uptodate: a read is in flight), or NULL.
 */
struct page *find_get_page(struct address_space *mapping, pgoff_t index);
/**
 * find_lock_page() - find_get_page() and lock the page, which is still in @mapping.
 *
 * Return: the page, locked, with a reference; or NULL.
 */
struct page *find_lock_page(struct address_space *mapping, pgoff_t index);
/**
 * find_get_next_page() - the first cached page at an index in [*@index, @end].
 *
 * Return: the page with a reference, *@index set to its index; or NULL.
 */
struct page *find_get_next_page(struct address_space *mapping, pgoff_t *index, pgoff_t end);
/**
 * add_to_page_cache_lru() - insert the new page @page at @index of @mapping.
 *
 * The cache takes a reference of its own; page->mapping and ->index are set and
 * the page is returned locked. Return: 0; -EEXIST when a page is already there
 * (@page is then untouched and unlocked); -ENOMEM when no tree node could be had.
 */
int add_to_page_cache_lru(struct page *page, struct address_space *mapping, pgoff_t index,
			  gfp_t gfp);
/*
 * delete_from_page_cache() - remove the locked @page from its mapping and drop
 * the cache's reference. The caller's reference keeps the page.
 */
void delete_from_page_cache(struct page *page);
/*
 * __delete_from_page_cache() - delete_from_page_cache() under the mapping's
 * i_pages_lock, which the caller holds, without dropping the cache's reference:
 * reclaim's __remove_mapping() froze the count instead.
 */
void __delete_from_page_cache(struct page *page);
/*
 * page_cache_delete() - the same, leaving @shadow (a value entry, or NULL for
 * none) in the page's slot in one store: shmem_writepage() leaves a swap entry.
 */
void page_cache_delete(struct page *page, void *shadow);

/* Done with a page we locked and referenced. */
static inline void unlock_and_put_page(struct page *page)
{
	unlock_page(page);
	put_page(page);
}

/* The host-file fault handler: page-cache lookup, reading the page in on a miss. */
vm_fault_t filemap_fault(struct vm_fault *vmf);
/**
 * filemap_map_pages() - fault-around: map the pages of [@start_pgoff, @end_pgoff]
 * of the faulting VMA's file that are cached, up to date, within the file and
 * not locked by anyone else, into the empty entries of vmf->pmd's page table
 * (read-only where a read fault maps them so). Reads nothing and never sleeps.
 *
 * Return: VM_FAULT_NOPAGE when the faulting address got its page (the fault is
 * done); 0 when the fault still needs ->fault.
 */
vm_fault_t filemap_map_pages(struct vm_fault *vmf, pgoff_t start_pgoff, pgoff_t end_pgoff);
/* A write fault on a shared file page: mark it dirty (and lock it). */
vm_fault_t filemap_page_mkwrite(struct vm_fault *vmf);

#ifndef DIV_ROUND_UP
#define DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))
#endif

/* Dirty accounting (page-writeback.c). */
/* Host files count their dirty pages (nr_dirty) and write them back; shmem does neither. */
static inline bool mapping_accounts_dirty(const struct address_space *mapping)
{
	return mapping->a_ops && mapping->a_ops->writepage;
}
/* The a_ops->set_page_dirty of host files: dirty and counted, under i_pages_lock. */
int __set_page_dirty_nobuffers(struct page *page);
/* Clear the dirty bit of the locked @page before writing it. Return: it was dirty. */
bool clear_page_dirty_for_io(struct page *page);
/* Write back the locked, dirty @page now (unlocks it). Return: 0 or -errno. */
int write_one_page(struct page *page);

/*
 * Move the dirty bits of the PTEs that map @mapping's pages [@start, @end] in
 * shared VMAs of every address space to the pages, write-protecting those PTEs
 * so the next store faults and dirties the page again (page_mkclean, done by
 * range). Takes each mm's mmap_lock for read: call with none held.
 */
void mapping_mkclean_range(struct address_space *mapping, pgoff_t start, pgoff_t end);
/*
 * Write the dirty pages of [@start, @end] back (no mkclean pass).
 * Return: 0 or the first host errno.
 */
int filemap_write_range(struct address_space *mapping, pgoff_t start, pgoff_t end);

/* Truncation (truncate.c). */
/*
 * Remove the pages of [@lstart, @lend] (bytes; @lend -1: to the end) from the
 * cache, waiting for each one's lock. Pages still mapped are unmapped first.
 */
void truncate_inode_pages_range(struct address_space *mapping, loff_t lstart, loff_t lend);
/*
 * Zap the PTEs of every VMA mapping @mapping's bytes [@holebegin, @holebegin +
 * @holelen) (@holelen 0: to the end); @even_cows also drops private COW copies.
 */
void unmap_mapping_range(struct address_space *mapping, loff_t holebegin, loff_t holelen,
			 int even_cows);

#ifdef __cplusplus
}
#endif

#endif /* GUP_PAGEMAP_H */
