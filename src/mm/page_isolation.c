// SPDX-License-Identifier: GPL-2.0-only
/*
 * Isolated pfn ranges: taking a range away from the allocator, migrating what
 * lives in it, and the report of what would not move (by the pin tracker's call
 * sites). cma_alloc() (cma.c) and offline_range() (memory_hotplug.c) sit on it.
 */
#include "mm/internal.h"
#include "mm/page_isolation.h"

/*
 * The kernel marks the pageblocks MIGRATE_ISOLATE and parks their free pages on
 * a list of that type. Here the range itself holds its free frames (reserved,
 * one reference each, a bit in @held) and takes every frame freed into it.
 */
struct isolated_range {
	unsigned long start, end;
	unsigned long nr_held;
	unsigned long *held;
	struct list_head node;
};

atomic_t nr_isolated_ranges;
static LIST_HEAD(isolated_ranges);
static pthread_mutex_t isolation_lock = PTHREAD_MUTEX_INITIALIZER;

#define BITS_PER_WORD (8 * sizeof(unsigned long))

static bool range_holds(const struct isolated_range *range, unsigned long pfn)
{
	unsigned long bit = pfn - range->start;

	return range->held[bit / BITS_PER_WORD] & (1UL << (bit % BITS_PER_WORD));
}

/* Called with isolation_lock held, or before the range is published. */
static void range_hold(struct isolated_range *range, unsigned long pfn)
{
	unsigned long bit = pfn - range->start;

	range->held[bit / BITS_PER_WORD] |= 1UL << (bit % BITS_PER_WORD);
	range->nr_held++;
}

static struct isolated_range *range_of(unsigned long pfn)
{
	struct isolated_range *range;

	list_for_each_entry(range, &isolated_ranges,
			    node) if (pfn >= range->start && pfn < range->end) return range;
	return NULL;
}

bool pfn_isolated(unsigned long pfn)
{
	bool isolated;

	if (!atomic_read(&nr_isolated_ranges))
		return false;
	pthread_mutex_lock(&isolation_lock);
	isolated = range_of(pfn) != NULL;
	pthread_mutex_unlock(&isolation_lock);
	return isolated;
}

bool page_isolation_capture(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page), nr = 1UL << order;
	unsigned long outside[2][2] = {{pfn, pfn}, {pfn + nr, pfn + nr}};
	struct isolated_range *range;
	bool any = false;

	pthread_mutex_lock(&isolation_lock);
	for (unsigned long p = pfn; p < pfn + nr; p++) {
		range = range_of(p);
		if (!range)
			continue;
		if (!any) /* frames before the first held one go back */
			outside[0][1] = p;
		any = true;
		frame_hold(pfn_to_page(p));
		range_hold(range, p);
		outside[1][0] = p + 1;
	}
	pthread_mutex_unlock(&isolation_lock);
	if (!any)
		return false;
	/* A block reaching out of the range: its outer frames are freed one range at a time. */
	for (int i = 0; i < 2; i++)
		if (outside[i][0] < outside[i][1])
			free_pfn_range(outside[i][0], outside[i][1]);
	return true;
}

/* take_free_frames()'s callback: the frame at @pfn, held now, is @arg's. */
static void hold_taken(unsigned long pfn, void *arg)
{
	pthread_mutex_lock(&isolation_lock);
	range_hold(arg, pfn);
	pthread_mutex_unlock(&isolation_lock);
}

int isolate_pfn_range(unsigned long start, unsigned long end, struct isolated_range **out)
{
	size_t words = (end - start + BITS_PER_WORD - 1) / BITS_PER_WORD;
	struct isolated_range *range, *other;

	if (start >= end || end > max_pfn || start < RESERVED_LOW_PFNS ||
	    page_zonenum(pfn_to_page(start)) != page_zonenum(pfn_to_page(end - 1)))
		return -EINVAL;
	range = calloc(1, sizeof(*range));
	if (range)
		range->held = calloc(words, sizeof(unsigned long));
	if (!range || !range->held) {
		free(range);
		return -ENOMEM;
	}
	range->start = start;
	range->end = end;
	pthread_mutex_lock(&isolation_lock);
	list_for_each_entry(other, &isolated_ranges, node)
	{
		if (start < other->end && other->start < end) {
			pthread_mutex_unlock(&isolation_lock);
			free(range->held);
			free(range);
			return -EBUSY;
		}
	}
	list_add(&range->node, &isolated_ranges);
	atomic_inc(&nr_isolated_ranges);
	pthread_mutex_unlock(&isolation_lock);
	/* From here frees into the range are captured; take what is free already. */
	take_free_frames(start, end, hold_taken, range);
	*out = range;
	return 0;
}

/*
 * The pages in use in @range that migration may take: onto @list; hugetlb pages
 * too when @hugetlb (their own isolation, isolate_huge_page()).
 */
static void isolate_range_pages(struct isolated_range *range, struct list_head *list, bool hugetlb)
{
	for (unsigned long pfn = range->start; pfn < range->end; pfn++) {
		struct page *head;

		if (range_holds(range, pfn))
			continue;
		head = compound_head(pfn_to_page(pfn));
		/*
		 * Reserved and table frames cannot move; migrate_isolate_page() refuses
		 * them, and free pool pages (no reference to take). In-use hugetlb
		 * pages move only when the caller says (offlining; 6.x's contiguous
		 * allocations).
		 */
		if (!PageReserved(head) && !PageIsolated(head) && (hugetlb || !PageHuge(head)))
			migrate_isolate_page(head, list);
		pfn = max_t(unsigned long, pfn, page_to_pfn(head) + compound_nr(head) - 1);
	}
}

static struct page *alloc_outside_range(struct page *page, unsigned long private_data)
{
	(void)private_data;
	/* The range's own free frames are held: the target lands elsewhere. */
	return migration_alloc_target(page, GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, MAX_NR_ZONES);
}

static void copy_record(struct range_busy_record *to, const struct sim_pin_record *from)
{
	to->pfn = page_to_pfn(from->page);
	to->pin = from->pin;
	to->count = from->count;
	snprintf(to->site, sizeof(to->site), "%s", from->site);
}

/* What holds the frames @range could not take: their pin records, by call site. */
static void report_busy(struct isolated_range *range, struct range_busy *busy)
{
	memset(busy, 0, sizeof(*busy));
	pin_owner_settle();
	for (unsigned long pfn = range->start; pfn < range->end; pfn++) {
		struct sim_pin_record recs[RANGE_BUSY_RECORDS];
		struct page *head;
		int n;

		if (range_holds(range, pfn))
			continue;
		if (!busy->nr_busy++)
			busy->first_busy_pfn = pfn;
		head = compound_head(pfn_to_page(pfn));
		if (pfn != max_t(unsigned long, range->start, page_to_pfn(head)))
			continue; /* the head's records are counted once */
		n = sim_page_pins(head, recs, RANGE_BUSY_RECORDS);
		if (n > 0)
			busy->nr_pinned++;
		for (int i = 0; i < min_t(int, n, RANGE_BUSY_RECORDS); i++)
			if (busy->nr_records++ < RANGE_BUSY_RECORDS)
				copy_record(&busy->records[busy->nr_records - 1], &recs[i]);
		busy->nr_records += max_t(int, n - RANGE_BUSY_RECORDS, 0);
	}
}

int migrate_isolated_range(struct isolated_range *range, int passes, int reason,
			   struct range_busy *busy)
{
	unsigned long want = range->end - range->start;
	/*
	 * Offlining has always moved in-use hugetlb pages (do_migrate_range()) and
	 * then dissolved the free pool pages left in the range (5.11's
	 * dissolve_free_huge_pages(), the pool shrinking). alloc_contig_range()
	 * skips them in 5.11; 5.13 on it moves the in-use ones and replaces the
	 * free ones with fresh pages outside (the pool keeping its size).
	 */
	bool offlining = reason == MR_MEMORY_HOTPLUG;
	bool hugetlb = offlining || mm_profile->contig_range_moves_hugetlb;

	for (int pass = 0; pass < passes && READ_ONCE(range->nr_held) < want; pass++) {
		LIST_HEAD(movable);
		bool any;

		isolate_range_pages(range, &movable, hugetlb);
		any = !list_empty(&movable);
		if (any) {
			migrate_pages(&movable, alloc_outside_range, NULL, 0, MIGRATE_SYNC, reason);
			putback_movable_pages(&movable);
		}
		if (hugetlb)
			any |= dissolve_free_huge_pages(range->start, range->end, !offlining) > 0;
		if (!any)
			break;
	}
	pthread_mutex_lock(&isolation_lock);
	want -= range->nr_held;
	pthread_mutex_unlock(&isolation_lock);
	if (!want)
		return 0;
	if (busy) {
		report_busy(range, busy);
		busy->error = -EBUSY;
	}
	return -EBUSY;
}

static void unlink_range(struct isolated_range *range)
{
	pthread_mutex_lock(&isolation_lock);
	list_del(&range->node);
	atomic_dec(&nr_isolated_ranges);
	pthread_mutex_unlock(&isolation_lock);
}

void undo_isolate_pfn_range(struct isolated_range *range)
{
	unlink_range(range);
	for (unsigned long pfn = range->start; pfn < range->end; pfn++) {
		struct page *page = pfn_to_page(pfn);

		if (!range_holds(range, pfn))
			continue;
		ClearPageReserved(page);
		__free_pages(page, 0);
	}
	free(range->held);
	free(range);
}

struct page *isolated_range_hand_over(struct isolated_range *range)
{
	struct page *first = pfn_to_page(range->start);

	unlink_range(range);
	for (unsigned long pfn = range->start; pfn < range->end; pfn++)
		frame_hand_over(pfn_to_page(pfn));
	free(range->held);
	free(range);
	return first;
}

void range_busy_print(FILE *out, const char *what, const struct range_busy *busy)
{
	if (!busy->nr_busy) {
		fprintf(out, "%s: %d\n", what, busy->error);
		return;
	}
	fprintf(out, "%s: %d: %lu page(s) in use from pfn %#lx, %lu with GUP references\n", what,
		busy->error, busy->nr_busy, busy->first_busy_pfn, busy->nr_pinned);
	for (int i = 0; i < min_t(int, busy->nr_records, RANGE_BUSY_RECORDS); i++) {
		const struct range_busy_record *rec = &busy->records[i];

		fprintf(out, "  pfn %#lx: %d %s by %s\n", rec->pfn, rec->count,
			rec->pin ? "pin(s)" : "reference(s)", rec->site);
	}
	if (busy->nr_records > RANGE_BUSY_RECORDS)
		fprintf(out, "  ... %d more record(s)\n", busy->nr_records - RANGE_BUSY_RECORDS);
}
