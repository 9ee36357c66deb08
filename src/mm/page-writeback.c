// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dirtying and writing back pages: set_page_dirty through the mapping's a_ops
 * (counted in nr_dirty for host files), the locked variant unpin needs, and the
 * writeback of a file's dirty pages to the host (msync, fsync, munmap, exit).
 */
#include "fs/internal.h"
#include <gup/pagemap.h>

int set_page_dirty(struct page *page)
{
	struct address_space *mapping;

	page = compound_head(page);
	mapping = READ_ONCE(page->mapping);
	if (mapping && !PageAnon(page) && mapping->a_ops && mapping->a_ops->set_page_dirty)
		return mapping->a_ops->set_page_dirty(page);
	return !TestSetPageDirty(page);
}

int set_page_dirty_lock(struct page *page)
{
	int ret;

	lock_page(page);
	ret = set_page_dirty(page);
	unlock_page(page);
	return ret;
}

/*
 * Every dirty transition of a page in an accounting mapping happens under
 * i_pages_lock with page->mapping checked, so that deletion from the cache (which
 * uncounts a dirty page) and dirtying never count one page twice or not at all.
 */
int __set_page_dirty_nobuffers(struct page *page)
{
	struct address_space *mapping = READ_ONCE(page->mapping);
	bool was_clean;

	if (!mapping)
		return !TestSetPageDirty(page);
	spin_lock(&mapping->i_pages_lock);
	was_clean = !TestSetPageDirty(page);
	if (was_clean && page->mapping == mapping)
		count_vm_stat(NR_FILE_DIRTY, 1);
	spin_unlock(&mapping->i_pages_lock);
	return was_clean;
}

bool clear_page_dirty_for_io(struct page *page)
{
	struct address_space *mapping = page->mapping;
	bool was_dirty;

	VM_BUG_ON_PAGE(!PageLocked(page), page);
	if (!mapping || !mapping_accounts_dirty(mapping))
		return TestClearPageDirty(page);
	/*
	 * Write-protect every shared PTE first: a store during the write faults and
	 * dirties the page again instead of landing unseen. A PTE that was dirty or
	 * writable moves its dirt to the page, written now.
	 */
	if (page_mkclean(page))
		set_page_dirty(page);
	spin_lock(&mapping->i_pages_lock);
	was_dirty = TestClearPageDirty(page);
	if (was_dirty)
		count_vm_stat(NR_FILE_DIRTY, -1);
	spin_unlock(&mapping->i_pages_lock);
	return was_dirty;
}

int write_one_page(struct page *page)
{
	struct address_space *mapping = page->mapping;

	if (!mapping || !clear_page_dirty_for_io(page)) {
		unlock_page(page);
		return 0;
	}
	return mapping->a_ops->writepage(page);
}

int filemap_write_range(struct address_space *mapping, pgoff_t start, pgoff_t end)
{
	pgoff_t index = start;
	struct page *page;
	int err = 0;

	if (!mapping_accounts_dirty(mapping))
		return 0;
	while (index <= end && (page = find_get_next_page(mapping, &index, end)) != NULL) {
		if (PageDirty(page)) {
			int ret;

			lock_page(page);
			/* Pinned pages are written like any other and stay where they are. */
			ret = page->mapping == mapping ? write_one_page(page)
						       : (unlock_page(page), 0);
			if (ret && !err)
				err = ret;
		}
		put_page(page);
		if (index++ == end)
			break;
	}
	return err;
}

static pgoff_t byte_to_index(loff_t pos)
{
	return pos < 0 ? ~0UL : (pgoff_t)(pos >> PAGE_SHIFT);
}

int filemap_write_and_wait_range(struct address_space *mapping, loff_t start, loff_t end)
{
	return filemap_write_range(mapping, byte_to_index(start), byte_to_index(end));
}
