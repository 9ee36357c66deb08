/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Taking a pfn range away from the allocator and emptying it (mm/page_isolation.c):
 * what cma_alloc() and offline_range() share, and the report of the pages that
 * would not leave, named by the pin tracker's call sites.
 */
#ifndef GUP_PAGE_ISOLATION_H
#define GUP_PAGE_ISOLATION_H

#include <stdio.h>
#include <gup/page.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RANGE_BUSY_RECORDS 8

/* One pin-tracker record on a page that stayed: who holds what there. */
struct range_busy_record {
	unsigned long pfn; /* the head page holding the references */
	bool pin;	   /* FOLL_PIN pins (true) or FOLL_GET references */
	int count;	   /* outstanding from this site on this page */
	char site[96];	   /* the call site, as sim_page_pins() names it */
};

/*
 * Why a range could not be emptied: the pages still in use in it, and the pin
 * tracker's records (FOLL_PIN pins and FOLL_GET references, by call site) on them.
 */
struct range_busy {
	int error;		      /* what the operation failed with (0: it did not) */
	unsigned long nr_busy;	      /* frames in the range that are still in use */
	unsigned long first_busy_pfn; /* the lowest of them */
	unsigned long nr_pinned;      /* busy pages holding GUP references */
	int nr_records; /* records found; only the first RANGE_BUSY_RECORDS are kept */
	struct range_busy_record records[RANGE_BUSY_RECORDS];
};

/**
 * range_busy_print() - one line for the failure, then one per pin record.
 * @what: the operation ("cma_alloc", "offline_range").
 */
void range_busy_print(FILE *out, const char *what, const struct range_busy *busy);

#ifdef __cplusplus
}
#endif

#endif /* GUP_PAGE_ISOLATION_H */
