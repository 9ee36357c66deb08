// SPDX-License-Identifier: GPL-2.0-only
/*
 * The contiguous memory allocator: one area, the CMA pageblocks of ZONE_NORMAL,
 * with a bitmap of the frames handed out. cma_alloc() empties a window of it
 * through an isolated range (page_isolation.c); cma_release() gives it back.
 */
#include "mm/internal.h"
#include "mm/page_isolation.h"
#include <gup/cma.h>

struct cma {
	unsigned long base_pfn;
	unsigned long count;
	unsigned long *bitmap;	  /* one bit per frame claimed by a cma_alloc() */
	unsigned long *allocated; /* the claimed frames cma_alloc() returned */
	pthread_mutex_t lock;	  /* both bitmaps */
};

/* One contiguous allocation at a time, as the kernel's cma_mutex. */
static pthread_mutex_t cma_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct cma default_area = {.lock = PTHREAD_MUTEX_INITIALIZER};

#define BITS_PER_WORD (8 * sizeof(unsigned long))

/* alloc_contig_range()'s tries before a range counts as busy. */
#define CMA_MIGRATE_TRIES 5

struct cma *cma_default_area(void)
{
	struct zone *zone = &sim.zones[ZONE_NORMAL];
	struct cma *cma = &default_area;

	if (!sim.running || !zone->cma_pages)
		return NULL;
	pthread_mutex_lock(&cma->lock);
	if (!cma->bitmap) {
		size_t words = (zone->cma_pages + BITS_PER_WORD - 1) / BITS_PER_WORD;

		cma->bitmap = calloc(words, sizeof(unsigned long));
		cma->allocated = calloc(words, sizeof(unsigned long));
		if (!cma->allocated) {
			free(cma->bitmap);
			cma->bitmap = NULL;
		}
		cma->base_pfn = zone->cma_start_pfn;
		cma->count = cma->bitmap ? zone->cma_pages : 0;
	}
	pthread_mutex_unlock(&cma->lock);
	return cma->bitmap ? cma : NULL;
}

void cma_shutdown(void)
{
	pthread_mutex_lock(&default_area.lock);
	free(default_area.bitmap);
	free(default_area.allocated);
	default_area.bitmap = NULL;
	default_area.allocated = NULL;
	default_area.count = 0;
	pthread_mutex_unlock(&default_area.lock);
}

unsigned long cma_get_base_pfn(const struct cma *cma)
{
	return cma ? cma->base_pfn : 0;
}

unsigned long cma_get_count(const struct cma *cma)
{
	return cma ? cma->count : 0;
}

static bool bit_test(const unsigned long *map, unsigned long bit)
{
	return map[bit / BITS_PER_WORD] & (1UL << (bit % BITS_PER_WORD));
}

/* Are bits [@bit, @bit + @nr) of @map all @set? */
static bool bits_all(const unsigned long *map, unsigned long bit, unsigned long nr, bool set)
{
	for (unsigned long b = bit; b < bit + nr; b++)
		if (bit_test(map, b) != set)
			return false;
	return true;
}

static void bits_assign(unsigned long *map, unsigned long bit, unsigned long nr, bool set)
{
	for (unsigned long b = bit; b < bit + nr; b++) {
		if (set)
			map[b / BITS_PER_WORD] |= 1UL << (b % BITS_PER_WORD);
		else
			map[b / BITS_PER_WORD] &= ~(1UL << (b % BITS_PER_WORD));
	}
}

/*
 * The first clear run of @nr bits at or after @from whose pfn is aligned to
 * @mask + 1, marked taken; or @cma->count when there is none.
 */
static unsigned long claim_window(struct cma *cma, unsigned long from, unsigned long nr,
				  unsigned long mask)
{
	unsigned long bit = ALIGN_UP(cma->base_pfn + from, mask + 1) - cma->base_pfn;

	pthread_mutex_lock(&cma->lock);
	for (; bit + nr <= cma->count; bit += mask + 1) {
		if (bits_all(cma->bitmap, bit, nr, false)) {
			bits_assign(cma->bitmap, bit, nr, true);
			pthread_mutex_unlock(&cma->lock);
			return bit;
		}
	}
	pthread_mutex_unlock(&cma->lock);
	return cma->count;
}

void cma_for_each_allocated(void (*fn)(unsigned long pfn, void *arg), void *arg)
{
	struct cma *cma = &default_area;

	pthread_mutex_lock(&cma->lock);
	for (unsigned long bit = 0; cma->bitmap && bit < cma->count; bit++)
		if (bit_test(cma->allocated, bit))
			fn(cma->base_pfn + bit, arg);
	pthread_mutex_unlock(&cma->lock);
}

static void mark_allocated(struct cma *cma, unsigned long bit, unsigned long nr)
{
	pthread_mutex_lock(&cma->lock);
	bits_assign(cma->allocated, bit, nr, true);
	pthread_mutex_unlock(&cma->lock);
}

/* Were bits [@bit, @bit + @nr) all handed out by cma_alloc()? Then they are not any more. */
static bool take_back_allocated(struct cma *cma, unsigned long bit, unsigned long nr)
{
	bool handed_out;

	pthread_mutex_lock(&cma->lock);
	handed_out = bits_all(cma->allocated, bit, nr, true);
	if (handed_out)
		bits_assign(cma->allocated, bit, nr, false);
	pthread_mutex_unlock(&cma->lock);
	return handed_out;
}

static void release_window(struct cma *cma, unsigned long bit, unsigned long nr)
{
	pthread_mutex_lock(&cma->lock);
	bits_assign(cma->bitmap, bit, nr, false);
	pthread_mutex_unlock(&cma->lock);
}

/* alloc_contig_range(): isolate [start, end), migrate what is in it, take it. */
static struct page *alloc_contig_range(unsigned long start, unsigned long end,
				       struct range_busy *busy)
{
	struct isolated_range *range;
	int err = isolate_pfn_range(start, end, &range);

	if (err) {
		busy->error = err;
		return NULL;
	}
	err = migrate_isolated_range(range, CMA_MIGRATE_TRIES, MR_CONTIG_RANGE, busy);
	if (err) {
		undo_isolate_pfn_range(range);
		return NULL;
	}
	return isolated_range_hand_over(range);
}

struct page *cma_alloc(struct cma *cma, unsigned long count, unsigned int align,
		       struct range_busy *busy)
{
	unsigned long mask = align < BITS_PER_WORD ? (1UL << align) - 1 : ~0UL;
	struct range_busy quiet_busy, *why = busy ? busy : &quiet_busy;
	struct page *page = NULL;

	memset(why, 0, sizeof(*why));
	why->error = -EINVAL;
	if (!cma || !count || !cma->bitmap || mask == ~0UL)
		return NULL;
	why->error = -ENOMEM;
	for (unsigned long from = 0;;) {
		unsigned long bit = claim_window(cma, from, count, mask);

		if (bit >= cma->count)
			break;
		pthread_mutex_lock(&cma_mutex);
		page = alloc_contig_range(cma->base_pfn + bit, cma->base_pfn + bit + count, why);
		pthread_mutex_unlock(&cma_mutex);
		if (page) {
			mark_allocated(cma, bit, count);
			break;
		}
		release_window(cma, bit, count);
		if (why->error != -EBUSY)
			break;
		from = bit + mask + 1; /* the next window along */
	}
	if (page) {
		memset(why, 0, sizeof(*why));
		return page;
	}
	if (!busy && !sim.quiet) {
		fprintf(stderr, "libgup: cma_alloc of %lu pages failed\n", count);
		range_busy_print(stderr, "cma_alloc", why);
	}
	return NULL;
}

bool cma_release(struct cma *cma, const struct page *pages, unsigned long count)
{
	unsigned long pfn, not_single = 0;

	if (!cma || !pages || !cma->bitmap)
		return false;
	pfn = page_to_pfn(pages);
	if (pfn < cma->base_pfn || pfn >= cma->base_pfn + cma->count ||
	    count > cma->base_pfn + cma->count - pfn)
		return false;
	/*
	 * The kernel trusts its callers here; a script or test that gives back more
	 * than it got would free pages others map, so that is refused (and warned of).
	 */
	if (WARN_ON_ONCE(!take_back_allocated(cma, pfn - cma->base_pfn, count)))
		return false;
	for (unsigned long i = 0; i < count; i++) {
		struct page *page = pfn_to_page(pfn + i);

		not_single += page_count(page) != 1;
		__free_pages(page, 0);
	}
	WARN_ON_ONCE(not_single); /* pages still in use */
	release_window(cma, pfn - cma->base_pfn, count);
	return true;
}
