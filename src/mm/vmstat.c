// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmstat: the node counters GUP and the fault path maintain, readable with
 * global_node_page_state() and printable in /proc/vmstat style.
 */
#include "mm/internal.h"

static const char *const vmstat_names[NR_VM_NODE_STAT_ITEMS] = {
	[NR_FREE_PAGES] = "nr_free_pages",
	[NR_ANON_MAPPED] = "nr_anon_pages",
	[NR_SHMEM] = "nr_shmem",
	[NR_PAGETABLE] = "nr_page_table_pages",
	[NR_MLOCK] = "nr_mlock",
	[NR_FOLL_PIN_ACQUIRED] = "nr_foll_pin_acquired",
	[NR_FOLL_PIN_RELEASED] = "nr_foll_pin_released",
	[NR_COW_FAULTS] = "nr_cow_faults",
	[NR_COW_REUSES] = "nr_cow_reuses",
	[NR_FORK_EARLY_COW] = "nr_fork_early_cow",
	[NR_PAGE_FAULTS] = "nr_page_faults",
};

unsigned long global_node_page_state(enum node_stat_item item)
{
	long v;

	if (item >= NR_VM_NODE_STAT_ITEMS)
		return 0;
	v = atomic_long_read(&sim.vmstat[item]);
	return v < 0 ? 0 : (unsigned long)v;
}

void mod_node_page_state(enum node_stat_item item, long delta)
{
	if (item < NR_VM_NODE_STAT_ITEMS)
		count_vm_stat(item, delta);
}

const char *vmstat_name(enum node_stat_item item)
{
	return item < NR_VM_NODE_STAT_ITEMS ? vmstat_names[item] : "?";
}

void vmstat_print(FILE *out)
{
	for (int i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
		fprintf(out, "%s %lu\n", vmstat_names[i], global_node_page_state(i));
}
