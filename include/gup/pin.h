/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pin arithmetic: how FOLL_PIN shows in a page's refcount (the bias), the exact
 * pincount compound pages of order > 1 carry, and page_maybe_dma_pinned().
 */
#ifndef GUP_PIN_H
#define GUP_PIN_H

#include <gup/page.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The compound pincount needs a second tail page, so only order > 1 has one.
 * Return: true when @page's compound head keeps an exact pincount.
 */
static inline bool hpage_pincount_available(struct page *page)
{
	page = compound_head(page);
	return PageCompound(page) && compound_order(page) > 1;
}

/* Return: the pincount of the compound page whose head is @page (2nd tail page). */
static inline atomic_t *compound_pincount_ptr(struct page *page)
{
	return &page[2].hpage_pinned_refcount;
}

/* Return: the FOLL_PIN pins on @page's compound page; only if hpage_pincount_available(). */
static inline int compound_pincount(struct page *page)
{
	return atomic_read(compound_pincount_ptr(compound_head(page)));
}

/* A pin adds this much to a small page's refcount; see page_maybe_dma_pinned(). */
#define GUP_PIN_COUNTING_BIAS (1U << 10)

/**
 * page_maybe_dma_pinned() - might this page be pinned by FOLL_PIN?
 * Compound pages of order > 1 answer exactly from their pincount; others answer
 * from the refcount, so 1024 ordinary references give a false positive.
 *
 * Return: true when @page is pinned, or (small pages) may be; false when it is
 * certainly not pinned.
 */
static inline bool page_maybe_dma_pinned(struct page *page)
{
	if (hpage_pincount_available(page))
		return compound_pincount(page) > 0;
	return (unsigned int)page_ref_count(compound_head(page)) >= GUP_PIN_COUNTING_BIAS;
}

#ifdef __cplusplus
}
#endif

#endif /* GUP_PIN_H */
