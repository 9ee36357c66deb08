// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory offlining and onlining of pfn ranges: an offline range is an isolated
 * range (page_isolation.c) whose migration succeeded, kept until it is onlined.
 */
#include "mm/internal.h"
#include "mm/page_isolation.h"
#include <gup/memory_hotplug.h>

struct offline_range {
	unsigned long start, end;
	struct isolated_range *range;
	struct offline_range *next;
};

static pthread_mutex_t hotplug_lock = PTHREAD_MUTEX_INITIALIZER; /* mem_hotplug_begin() */
static struct offline_range *offline_ranges;

static void report_failure(unsigned long start, unsigned long end, const struct range_busy *why)
{
	if (sim.quiet)
		return;
	fprintf(stderr, "libgup: memory offlining [pfn %#lx-%#lx] failed\n", start, end - 1);
	range_busy_print(stderr, "offline_range", why);
}

static int offline_locked(unsigned long start, unsigned long end, struct range_busy *why)
{
	struct offline_range *entry = calloc(1, sizeof(*entry));
	int err;

	if (!entry)
		return -ENOMEM;
	err = isolate_pfn_range(start, end, &entry->range);
	if (!err) {
		err = migrate_isolated_range(entry->range, OFFLINE_MIGRATE_PASSES,
					     MR_MEMORY_HOTPLUG, why);
		if (err)
			undo_isolate_pfn_range(entry->range);
	}
	if (err) {
		free(entry);
		return err;
	}
	entry->start = start;
	entry->end = end;
	entry->next = offline_ranges;
	offline_ranges = entry;
	return 0;
}

int offline_range(unsigned long start_pfn, unsigned long nr_pages, struct range_busy *busy)
{
	struct range_busy quiet_busy, *why = busy ? busy : &quiet_busy;
	unsigned long end = start_pfn + nr_pages;
	int err;

	memset(why, 0, sizeof(*why));
	if (!sim.running)
		return why->error = -ENODEV;
	if (!nr_pages || end < start_pfn)
		return why->error = -EINVAL;
	pthread_mutex_lock(&hotplug_lock);
	err = offline_locked(start_pfn, end, why);
	pthread_mutex_unlock(&hotplug_lock);
	why->error = err;
	if (err && !busy)
		report_failure(start_pfn, end, why);
	return err;
}

int online_range(unsigned long start_pfn, unsigned long nr_pages)
{
	struct offline_range **link, *entry = NULL;

	if (!sim.running)
		return -ENODEV;
	pthread_mutex_lock(&hotplug_lock);
	for (link = &offline_ranges; *link; link = &(*link)->next) {
		if ((*link)->start == start_pfn && (*link)->end == start_pfn + nr_pages) {
			entry = *link;
			*link = entry->next;
			break;
		}
	}
	pthread_mutex_unlock(&hotplug_lock);
	if (!entry)
		return -EINVAL;
	undo_isolate_pfn_range(entry->range);
	free(entry);
	return 0;
}

void memory_hotplug_shutdown(void)
{
	while (offline_ranges)
		online_range(offline_ranges->start, offline_ranges->end - offline_ranges->start);
}
