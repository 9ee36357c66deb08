// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page aging: mark_page_accessed promotes a page from referenced to active. There
 * are no LRU lists to move it between; only the flags change.
 */
#include "mm/internal.h"

void mark_page_accessed(struct page *page)
{
	page = compound_head(page);
	if (!PageReferenced(page))
		SetPageReferenced(page);
	else if (!PageActive(page))
		SetPageActive(page);
}
