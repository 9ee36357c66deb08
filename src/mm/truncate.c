// SPDX-License-Identifier: GPL-2.0-only
/*
 * Truncation: dropping a file's pages beyond a new size from its page cache and
 * from every VMA that maps them, and the walk over the address spaces mapping a
 * file that truncation and writeback's write-protect pass share.
 */
#include "fs/internal.h"
#include <gup/pagemap.h>

/*
 * Call @fn(@vma, @start, @end, @arg) for every VMA on @mapping's i_mmap that maps
 * its pages [@first, @last], with the range clipped to the VMA, under i_mmap_rwsem
 * for read (the VMAs can neither go nor move meanwhile; mmap_lock is not taken).
 */
static void for_each_vma_mapping(struct address_space *mapping, pgoff_t first, pgoff_t last,
				 void (*fn)(struct vm_area_struct *vma, unsigned long start,
					    unsigned long end, void *arg),
				 void *arg)
{
	struct vm_area_struct *vma;

	i_mmap_lock_read(mapping);
	vma_interval_tree_foreach(vma, &mapping->i_mmap, first, last)
	{
		pgoff_t vfirst = max_t(pgoff_t, vma->vm_pgoff, first);
		pgoff_t vlast = min_t(pgoff_t, vma->vm_pgoff + vma_pages(vma) - 1, last);

		fn(vma, vma->vm_start + ((vfirst - vma->vm_pgoff) << PAGE_SHIFT),
		   vma->vm_start + ((vlast + 1 - vma->vm_pgoff) << PAGE_SHIFT), arg);
	}
	i_mmap_unlock_read(mapping);
}

static void zap_vma_range(struct vm_area_struct *vma, unsigned long start, unsigned long end,
			  void *arg)
{
	(void)arg;
	zap_page_range(vma, start, end - start);
}

void unmap_mapping_range(struct address_space *mapping, loff_t holebegin, loff_t holelen,
			 int even_cows)
{
	pgoff_t first = (pgoff_t)(holebegin >> PAGE_SHIFT);
	pgoff_t last = holelen ? (pgoff_t)((holebegin + holelen - 1) >> PAGE_SHIFT) : ~0UL;

	/* Private COW copies go too: the only caller is truncation, which wants that. */
	(void)even_cows;
	for_each_vma_mapping(mapping, first, last, zap_vma_range, NULL);
}

/* Move the dirty bit of the PTE at @addr, if any, to its page and write-protect it. */
static void mkclean_one(struct vm_area_struct *vma, unsigned long addr)
{
	spinlock_t *ptl;
	pte_t *ptep;

	if (follow_pte(vma->vm_mm, addr, &ptep, &ptl))
		return; /* nothing mapped there */
	{
		pte_t entry = ptep_get(ptep);
		struct page *page = vm_normal_page(vma, addr, entry);

		if (page && pte_dirty(entry))
			set_page_dirty(page);
		if (page && (pte_dirty(entry) || pte_write(entry)))
			set_pte(ptep, pte_wrprotect(pte_mkclean(entry)));
	}
	pte_unmap_unlock(ptep, ptl);
}

static void mkclean_vma_range(struct vm_area_struct *vma, unsigned long start, unsigned long end,
			      void *arg)
{
	(void)arg;
	if (vma->vm_flags & VM_SHARED)
		for (; start < end; start += PAGE_SIZE)
			mkclean_one(vma, start);
}

void mapping_mkclean_range(struct address_space *mapping, pgoff_t start, pgoff_t end)
{
	if (mapping_accounts_dirty(mapping))
		for_each_vma_mapping(mapping, start, end, mkclean_vma_range, NULL);
}

/* Zero the part of the page at @index from byte @offset on: it is beyond the new end. */
static void truncate_partial_page(struct address_space *mapping, pgoff_t index,
				  unsigned long offset)
{
	struct page *page;

	/* A shmem page swapped out is swapped in to be zeroed (shmem_undo_range()). */
	if (shmem_mapping(mapping)) {
		if (shmem_getpage(mapping, index, SGP_READ, &page, NULL))
			return;
	} else {
		page = find_lock_page(mapping, index);
	}
	if (!page)
		return;
	if (PageUptodate(page))
		memset((char *)page_address(page) + offset, 0, PAGE_SIZE - offset);
	unlock_and_put_page(page);
}

void truncate_inode_pages_range(struct address_space *mapping, loff_t lstart, loff_t lend)
{
	pgoff_t index = (pgoff_t)DIV_ROUND_UP(lstart, PAGE_SIZE);
	pgoff_t end = lend < 0 ? ~0UL : (pgoff_t)((lend + 1) >> PAGE_SHIFT) - 1;
	struct page *page;

	if (lstart & ~PAGE_MASK)
		truncate_partial_page(mapping, (pgoff_t)(lstart >> PAGE_SHIFT),
				      (unsigned long)(lstart & ~PAGE_MASK));
	if (lend >= 0 && (pgoff_t)((lend + 1) >> PAGE_SHIFT) == 0)
		return;
	while (index <= end && (page = find_get_next_page(mapping, &index, end)) != NULL) {
		lock_page(page);
		/* A pinned page leaves the cache too; its pinner keeps the frame. */
		if (page->mapping == mapping)
			delete_from_page_cache(page);
		unlock_and_put_page(page);
		if (index++ == end)
			break;
	}
	if (shmem_mapping(mapping))
		shmem_truncate_swap(mapping, (pgoff_t)DIV_ROUND_UP(lstart, PAGE_SIZE), end);
}

int do_truncate(struct inode *inode, loff_t length)
{
	loff_t oldsize = inode->i_size, holebegin;
	int err;

	if (inode->host_fd >= 0) {
		err = host_ftruncate(inode, length);
		if (err)
			return err;
	}
	WRITE_ONCE(inode->i_size, length);
	smp_mb(); /* the size before the page lookups; page_cache_alloc_locked() pairs */
	if (length >= oldsize)
		return 0;
	/* Unmap, drop, unmap again: a fault that mapped a page meanwhile loses it too. */
	holebegin = ALIGN_UP(length, (loff_t)PAGE_SIZE);
	unmap_mapping_range(&inode->i_data, holebegin, 0, 1);
	truncate_inode_pages_range(&inode->i_data, length, -1);
	unmap_mapping_range(&inode->i_data, holebegin, 0, 1);
	return 0;
}
