/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The contiguous memory allocator (mm/cma.c): frames taken out of the CMA area
 * by migrating the movable pages that borrowed them, and given back.
 */
#ifndef GUP_CMA_H
#define GUP_CMA_H

#include <stdbool.h>
#include <gup/page_isolation.h>

#ifdef __cplusplus
extern "C" {
#endif

struct cma;

/**
 * cma_default_area() - the machine's CMA area: the MIGRATE_CMA pageblocks of
 * sim_config.cma_bytes (the kernel's dma_contiguous_default_area).
 *
 * Return: the area, or NULL with no machine or no CMA.
 */
struct cma *cma_default_area(void);

/* The area's first pfn and its size in pages (0 for NULL). */
unsigned long cma_get_base_pfn(const struct cma *cma);
unsigned long cma_get_count(const struct cma *cma);

/**
 * cma_alloc() - @count contiguous frames from @cma, aligned to 2^@align pages.
 * @busy: receives why it failed; NULL prints that on stderr instead (the
 *        kernel's pr_err without no_warn), unless the machine is quiet.
 *
 * Picks the first free window of the area's bitmap, isolates it (the allocator
 * stops handing its frames out), migrates every page in it elsewhere and takes
 * the frames (alloc_contig_range()). A window that stays busy (a pinned page,
 * one that is not movable) is given back and the next aligned window is tried,
 * as 5.11 does.
 *
 * Return: the first page, each frame an allocated page with one reference; NULL
 * for a NULL @cma or a @count of 0 (@busy->error -EINVAL), when no window of the
 * area is free (-ENOMEM), or when every free window was busy (-EBUSY: @busy names
 * the pages of the last one tried and the call sites of their pins).
 */
struct page *cma_alloc(struct cma *cma, unsigned long count, unsigned int align,
		       struct range_busy *busy);

/**
 * cma_release() - give back @count frames from cma_alloc().
 *
 * Return: true; false (nothing freed) for a NULL @cma or @pages, pages outside
 * the area, or frames cma_alloc() did not hand out (or that were given back
 * already: a warning once). Frames whose reference count is not one are still
 * freed, with a warning once (the kernel's free_contig_range()).
 */
bool cma_release(struct cma *cma, const struct page *pages, unsigned long count);

#ifdef __cplusplus
}
#endif

#endif /* GUP_CMA_H */
