/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The simulated machine's state, shared by src/sim and src/mm: frames, memmap,
 * zones, the task list and the live-object counters shutdown checks.
 */
#ifndef GUP_SIM_MACHINE_H
#define GUP_SIM_MACHINE_H

#include <libgup.h>

/* pfn 0 stays reserved (as low memory does), then the zero page and the gate page. */
#define RESERVED_LOW_PFNS 3
#define GATE_PAGE_PFN 2

/* The pfns [lo, hi) something touched since boot; lo >= hi: none. */
struct pfn_span {
	unsigned long lo, hi;
};

/* The one simulated machine of the process. */
struct machine {
	bool running;
	bool quiet;
	enum sim_vsyscall vsyscall;	 /* the gate page's mode, fixed at boot */
	enum sim_thp thp;		 /* transparent huge pages: enabled= */
	bool thp_no_zero_page;		 /* read faults map no huge zero page */
	unsigned int file_latency_us;	 /* host file I/O delay */
	unsigned int fault_around_pages; /* pages a read fault may map at once; 1: one */
	bool init_on_free;		 /* free frames are zero: __GFP_ZERO clears nothing */
	char *dax_dir;			 /* the fsdax "mount", a copy of sim_config.dax_dir */
	pthread_mutex_t inodes_lock;	 /* guards inodes */
	struct list_head inodes;	 /* host-file inodes, found by device and inode number */

	unsigned char *frames; /* host bytes of every frame */
	struct page *memmap;
	unsigned long nr_pages;
	size_t frames_bytes;
	/*
	 * What the allocator touched since boot: struct pages it wrote, frames it
	 * handed out. Everything outside is as boot left it, so the checker and the
	 * next boot's reset need only look inside (and at the reserved low pfns).
	 */
	struct pfn_span memmap_used;
	struct pfn_span frames_used;
	struct zone zones[MAX_NR_ZONES];
	struct page *zero_page;
	struct page *huge_zero_page; /* allocated at the first huge read fault */
	unsigned long reserved_pages;
	atomic_long_t vmstat[NR_VM_NODE_STAT_ITEMS];
	pthread_mutex_t tasks_lock;
	struct list_head tasks;
	int next_pid;
	unsigned int next_mm_id;
	atomic_long_t nr_mms; /* live objects, checked at shutdown */
	atomic_long_t nr_vmas;
	atomic_long_t nr_mappings; /* live inodes (host files and shmem objects) */
	bool warned_stack_growth;  /* 6.5's "GUP no longer grows the stack", once a boot */
	/* ZONE_DEVICE (memremap.c): frames [device_start_pfn, + device_pages) after RAM. */
	unsigned long device_start_pfn;
	unsigned long device_pages;
	struct dev_pagemap **device_pgmaps; /* per 2 MiB subsection; GUP-fast reads it */
	pthread_mutex_t pgmaps_lock;	    /* guards pgmaps and device_pgmaps stores */
	struct list_head pgmaps;	    /* live dev_pagemaps */
	struct dev_pagemap *fsdax_pgmap;    /* the fsdax pmem, with dax_dir and device_bytes */
};

extern struct machine sim;

#endif /* GUP_SIM_MACHINE_H */
