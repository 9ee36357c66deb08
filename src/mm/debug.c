// SPDX-License-Identifier: GPL-2.0-only
/*
 * dump_page: print a page descriptor's state when a check on it fails; and the
 * exact GUP counts debug builds keep per page, read through <gup/testing.h>.
 */
#include <stdio.h>
#include "mm/internal.h"

void dump_page(struct page *page, const char *reason)
{
	if (!page) {
		fprintf(stderr, "page:NULL %s\n", reason);
		return;
	}
	fprintf(stderr,
		"page:pfn=%#lx refcount:%d mapcount:%d mapping:%p index:%#lx flags:%#lx%s%s%s\n",
		page_to_pfn(page), page_ref_count(page), atomic_read(&page->_mapcount) + 1,
		(void *)page->mapping, page->index, page->flags & ((1UL << __NR_PAGEFLAGS) - 1),
		PageHead(page) ? " head" : "", PageTail(page) ? " tail" : "",
		PageTable(page) ? " pgtable" : "");
	if (reason)
		fprintf(stderr, "page dumped because: %s\n", reason);
}

int sim_page_gup_refs(struct page *page)
{
#ifdef CONFIG_DEBUG_VM
	return atomic_read(&compound_head(page)->dbg_gup_refs);
#else
	(void)page;
	return -1;
#endif
}

int sim_page_gup_pins(struct page *page)
{
#ifdef CONFIG_DEBUG_VM
	return atomic_read(&compound_head(page)->dbg_gup_pins);
#else
	(void)page;
	return -1;
#endif
}

void sim_page_fake_gup_pins(struct page *page, int delta)
{
#ifdef CONFIG_DEBUG_VM
	atomic_add(delta, &compound_head(page)->dbg_gup_pins);
#else
	(void)page;
	(void)delta;
#endif
}
