/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Memory offlining (mm/memory_hotplug.c): a pfn range emptied by migration and
 * kept from the allocator until it comes online again.
 */
#ifndef GUP_MEMORY_HOTPLUG_H
#define GUP_MEMORY_HOTPLUG_H

#include <gup/page_isolation.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Rounds of migration before offline_range() gives up (5.11 loops until a signal). */
#define OFFLINE_MIGRATE_PASSES 5

/**
 * offline_range() - take [@start_pfn, @start_pfn + @nr_pages) out of use, as
 * 5.11's offline_pages() does: isolate it, migrate every page in it elsewhere,
 * and keep its frames from the allocator until online_range().
 * @busy: receives why it failed; NULL prints that on stderr instead (the kernel's
 *        "memory offlining failed" line), unless the machine is quiet.
 *
 * Where 5.11 loops until a signal while a page will not migrate (a pin holds it),
 * this gives up after OFFLINE_MIGRATE_PASSES rounds.
 *
 * Return: 0; -EINVAL for an empty range, one outside memory (or over the reserved
 * low frames) or across a zone boundary; -EBUSY when it overlaps an offline or
 * isolated range, or pages in it would not move (@busy names them and the call
 * sites of their pins); -ENOMEM; -ENODEV with no machine.
 */
int offline_range(unsigned long start_pfn, unsigned long nr_pages, struct range_busy *busy);

/**
 * online_range() - give a range offline_range() took back to the allocator.
 *
 * Return: 0; -EINVAL when [@start_pfn, @start_pfn + @nr_pages) is not a range
 * taken offline as a whole; -ENODEV with no machine.
 */
int online_range(unsigned long start_pfn, unsigned long nr_pages);

#ifdef __cplusplus
}
#endif

#endif /* GUP_MEMORY_HOTPLUG_H */
