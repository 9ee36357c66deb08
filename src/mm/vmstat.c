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
	[NR_ANON_THPS] = "nr_anon_transparent_hugepages",
	[NR_FILE_PAGES] = "nr_file_pages",
	[NR_FILE_DIRTY] = "nr_dirty",
	[NR_WRITEBACK] = "nr_writeback",
	[NR_PGSCAN_KSWAPD] = "pgscan_kswapd",
	[NR_PGSCAN_DIRECT] = "pgscan_direct",
	[NR_PGSTEAL_KSWAPD] = "pgsteal_kswapd",
	[NR_PGSTEAL_DIRECT] = "pgsteal_direct",
	[NR_VMSCAN_WRITE] = "nr_vmscan_write",
	[NR_PAGEOUTRUN] = "pageoutrun",
};

__thread struct vmstat_thread *vmstat_this_thread;
static struct list_head vmstat_threads = LIST_HEAD_INIT(vmstat_threads);
static pthread_mutex_t vmstat_threads_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t vmstat_exit_key;
static pthread_once_t vmstat_key_once = PTHREAD_ONCE_INIT;

/* A thread's deltas outlive it in the global counters. */
static void vmstat_fold_thread(void *arg)
{
	struct vmstat_thread *v = arg;

	pthread_mutex_lock(&vmstat_threads_lock);
	for (int i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
		atomic_long_add(v->diff[i], &sim.vmstat[i]);
	list_del(&v->node);
	pthread_mutex_unlock(&vmstat_threads_lock);
	free(v);
}

static void vmstat_make_key(void)
{
	pthread_key_create(&vmstat_exit_key, vmstat_fold_thread);
}

struct vmstat_thread *vmstat_register_thread(void)
{
	struct vmstat_thread *v = calloc(1, sizeof(*v));

	BUG_ON(!v);
	pthread_once(&vmstat_key_once, vmstat_make_key);
	pthread_mutex_lock(&vmstat_threads_lock);
	list_add(&v->node, &vmstat_threads);
	pthread_mutex_unlock(&vmstat_threads_lock);
	pthread_setspecific(vmstat_exit_key, v);
	vmstat_this_thread = v;
	return v;
}

/* Zero every counter; only at boot, with nothing running. */
void vmstat_reset(void)
{
	struct vmstat_thread *v;

	pthread_mutex_lock(&vmstat_threads_lock);
	list_for_each_entry(v, &vmstat_threads, node) for (int i = 0; i < NR_VM_NODE_STAT_ITEMS;
							   i++)
		__atomic_store_n(&v->diff[i], 0L, __ATOMIC_RELAXED);
	for (int i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
		atomic_long_set(&sim.vmstat[i], 0);
	pthread_mutex_unlock(&vmstat_threads_lock);
}

unsigned long global_node_page_state(enum node_stat_item item)
{
	struct vmstat_thread *v;
	long sum;

	if (item >= NR_VM_NODE_STAT_ITEMS)
		return 0;
	pthread_mutex_lock(&vmstat_threads_lock);
	sum = atomic_long_read(&sim.vmstat[item]);
	list_for_each_entry(v, &vmstat_threads, node) sum +=
		__atomic_load_n(&v->diff[item], __ATOMIC_RELAXED);
	pthread_mutex_unlock(&vmstat_threads_lock);
	return sum < 0 ? 0 : (unsigned long)sum;
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
