// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dirtying pages: set_page_dirty through the mapping's a_ops, and the locked
 * variant that unpin_user_pages_dirty_lock needs.
 */
#include "mm/internal.h"

int set_page_dirty(struct page *page)
{
	struct address_space *mapping;

	page = compound_head(page);
	mapping = page->mapping;
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
