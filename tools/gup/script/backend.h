/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The machine a scenario runs on, as the commands see it: boot, tasks, the
 * mapping calls, the task's loads and stores, every GUP entry point, and queries
 * of pages, VMAs and counters. Commands hold only opaque task and page handles;
 * backend_sim.c implements this on libgup's simulated machine.
 */
#ifndef GUP_SCRIPT_BACKEND_H
#define GUP_SCRIPT_BACKEND_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "gup_calls.h"

/* Opaque handles: a task (process or thread) and a page frame. */
struct bk_task;
struct bk_page;

struct bk_task_info {
	int pid, tgid;
	unsigned int mm_id;
	bool killed;
};

/* Page facts, in the order `page ADDR` prints them. */
enum page_field {
	PF_PRESENT,
	PF_PFN,
	PF_ZERO,
	PF_EXCLUSIVE,
	PF_FILE, /* pagemap PM_FILE: a file or shmem page */
	PF_ANON,
	PF_REFCOUNT,
	PF_MAPCOUNT,
	PF_PINS,
	PF_MAYBE_PINNED,
	PF_DIRTY,
	PF_MLOCKED,
	PF_WRITABLE, /* from here on: PTE bits, known only for addresses */
	PF_PTE_DIRTY,
	PF_YOUNG,
	PF_SOFT_DIRTY, /* pagemap bit 55 */
	NR_PAGE_FIELDS
};

/* A fact the back end cannot see (the host: refcounts, pins): the step is sim-only. */
#define PF_UNKNOWN LONG_MIN

struct page_facts {
	long f[NR_PAGE_FIELDS];
	bool has_pte; /* asked by address: the PTE bits are filled in */
};

struct bk_vma_info {
	unsigned long start, end, flags, pgoff;
};

/* One page-table entry, as a walk of the tables meets it (depth first, parents first). */
enum bk_pt_level { BK_PGD, BK_PUD, BK_PMD, BK_PTE, BK_NR_LEVELS };

struct bk_pt_entry {
	enum bk_pt_level level;
	unsigned long table; /* pfn of the table that holds the entry */
	unsigned long index, addr, val;
	unsigned long pfn; /* what the entry points at: the next table, or the page */
	bool leaf;	   /* maps a page: a PTE, or a huge pmd/pud */
	bool present;	   /* present or PROTNONE: pfn is meaningful */
	bool protnone;	   /* present to the mm, not to the CPU */
	bool writable, dirty;
	bool has_page; /* a leaf whose pfn has a struct page: @page is filled in */
	struct page_facts page;
};

typedef void (*bk_pt_visit_fn)(void *ctx, const struct bk_pt_entry *e);

/* How the machine boots: sizes and the boot options a script may choose. */
enum bk_vsyscall { BK_VSYSCALL_XONLY, BK_VSYSCALL_EMULATE, BK_VSYSCALL_NONE };
enum bk_thp { BK_THP_MADVISE, BK_THP_ALWAYS, BK_THP_NEVER };

struct bk_boot {
	unsigned long mem_bytes, movable_bytes;
	const char *profile; /* a semantics profile name; NULL: the back end's default */
	enum bk_vsyscall vsyscall;
	enum bk_thp thp;		      /* transparent_hugepage/enabled */
	unsigned long hugetlb_2m, hugetlb_1g; /* hugetlb pools, in pages */
	bool soft_dirty;		      /* CONFIG_MEM_SOFT_DIRTY (soft_dirty=on) */
	unsigned long cma_bytes;	      /* MIGRATE_CMA pageblocks at the top of ZONE_NORMAL */
	unsigned long swap_bytes;	      /* the swap device; 0: none */
	unsigned int lru_batch;		      /* pages per LRU-add batch (0: none held back) */
	unsigned long device_bytes;	      /* ZONE_DEVICE memory (sim_config.device_bytes) */
	bool kswapd;			      /* sim_config.kswapd (kswapd=on) */
	unsigned long min_free_kbytes;	      /* sim_config.min_free_kbytes; 0: the default */
	unsigned long fault_around_bytes;     /* sim_config.fault_around_bytes; 0: the default */
	bool init_on_free;		      /* sim_config.init_on_free (init_on_free=1) */
};

/* One row of the back end's table of interleaving points (sim points). */
struct bk_point_info {
	const char *name, *where, *locks;
	bool can_fail;	    /* fault injection can fail the operation there */
	bool script_thread; /* reached by the thread that made the call (not a library one) */
};

/* A hook a script put on a point: runs on the thread that reached it. */
typedef void (*bk_point_hook_fn)(int point, void *arg);

struct backend_ops {
	const char *name;

	/* The machine: 0 or -errno; shutdown returns non-zero when it found leaks. */
	int (*boot)(const struct bk_boot *cfg);
	/* Is @name a semantics profile (boot profile=)? The known names, ", "-separated. */
	bool (*profile_known)(const char *name);
	const char *(*profile_names)(void);
	/* The running machine's profile name (the default's before a boot). */
	const char *(*profile_current)(void);
	int (*shutdown)(void);
	bool (*running)(void);
	/* NULL, or why the environment (GUP_INJECT) would not configure the machine. */
	const char *(*env_error)(void);
	unsigned long (*total_pages)(void);
	unsigned long (*free_pages)(void);
	int (*check)(FILE *out); /* invariant violations, printed to @out */
	unsigned long (*warn_count)(void);
	int (*inject_arm)(const char *point, unsigned long nth, unsigned long count);
	void (*inject_off)(void);
	/* Interleaving points: an id or -ENOENT; the row of @id (false: none). */
	int (*point_lookup)(const char *name);
	bool (*point_info)(int point, struct bk_point_info *info);
	/* Run @fn(@point, @arg) at each hit of @point (NULL @fn removes it): 0 or -errno. */
	int (*point_hook)(int point, bk_point_hook_fn fn, void *arg);
	/*
	 * Charge the GUP references taken from now on to @site ("script.gup:12"). At the
	 * end, print those still held on @out by site; return how many (0: prints nothing).
	 */
	void (*set_call_site)(const char *site);
	unsigned long (*report_refs)(FILE *out);

	/* Tasks. The current task is the one memory commands act as (NULL: none). */
	struct bk_task *(*task_create)(const char *name);
	struct bk_task *(*task_fork)(struct bk_task *parent, long *err);
	struct bk_task *(*task_clone_thread)(struct bk_task *task);
	void (*task_kill)(struct bk_task *task);
	void (*task_exit)(struct bk_task *task);
	void (*set_current)(struct bk_task *task);
	void (*task_info)(struct bk_task *task, struct bk_task_info *info);

	/* The mapping calls, as the current task. */
	unsigned long (*mmap)(unsigned long addr, unsigned long len, unsigned long prot,
			      unsigned long flags);
	long (*munmap)(unsigned long addr, unsigned long len);
	long (*mprotect)(unsigned long addr, unsigned long len, unsigned long prot);
	long (*madvise)(unsigned long addr, unsigned long len, int advice);
	long (*mlock)(unsigned long addr, unsigned long len, bool onfault);
	long (*munlock)(unsigned long addr, unsigned long len);
	unsigned long (*mremap)(unsigned long addr, unsigned long old_len, unsigned long new_len,
				unsigned long flags, unsigned long new_addr);
	/* Split the THP mapped at @addr (debugfs split_huge_pages): 0 or -errno. */
	long (*split_huge_page)(unsigned long addr);
	/* Calls later kernels added (-ENOSYS where the profile lacks them). */
	long (*mseal)(unsigned long addr, unsigned long len, unsigned long flags);
	unsigned long (*mmap_secretmem)(unsigned long len, unsigned long prot);

	/*
	 * Files, as the current task, with the sys_*() calls' results (NULL: the
	 * back end has no files and the step is sim-only). @buf is a user address.
	 */
	unsigned long (*mmap_file)(unsigned long addr, unsigned long len, unsigned long prot,
				   unsigned long flags, int fd, unsigned long off);
	int (*file_open)(const char *path, int flags);
	int (*file_close)(int fd);
	long (*file_pread)(int fd, unsigned long buf, unsigned long count, long pos);
	long (*file_pwrite)(int fd, unsigned long buf, unsigned long count, long pos);
	int (*file_truncate)(int fd, long length);
	int (*file_fsync)(int fd);
	int (*msync)(unsigned long addr, unsigned long len, int flags);
	/* memfd_create and fcntl(F_ADD_SEALS/F_GET_SEALS) (NULL: sim-only). */
	int (*memfd_create)(const char *name, unsigned int flags);
	long (*file_fcntl)(int fd, unsigned int cmd, unsigned long arg);

	/* The current task's loads and stores: bytes NOT copied. */
	unsigned long (*copy_to_user)(unsigned long addr, const void *buf, unsigned long len);
	unsigned long (*copy_from_user)(void *buf, unsigned long addr, unsigned long len);
	/* access_remote_vm (or access_process_vm when @process) on @task. */
	long (*access_vm)(struct bk_task *task, bool process, unsigned long addr, void *buf,
			  int len, unsigned int gup_flags);
	long (*process_vm)(struct bk_task *task, bool write, unsigned long local,
			   unsigned long remote, unsigned long len);

	/* GUP: @remote is the task of the remote flavours, @locked as the entry takes it. */
	long (*gup)(enum gup_entry entry, struct bk_task *remote, unsigned long start, long nr,
		    unsigned int gup_flags, struct bk_page **pages, int *locked);
	void (*put_page)(struct bk_page *page);
	void (*unpin_page)(struct bk_page *page);
	void (*unpin_pages)(struct bk_page **pages, unsigned long nr, bool dirty);
	/* follow_page() under mmap_lock: 0 with *page (NULL if none), or -errno. */
	long (*follow_page)(unsigned long addr, unsigned int gup_flags, struct bk_page **page);
	struct bk_page *(*get_dump_page)(unsigned long addr);
	long (*populate)(unsigned long start, unsigned long len);
	/* false when [start, end) is not inside one VMA; else *ret is the call's result. */
	bool (*populate_vma)(unsigned long start, unsigned long end, long *ret);
	long (*fixup)(unsigned long addr, bool write, bool *unlocked);

	/* Queries. */
	unsigned long (*page_pfn)(struct bk_page *page);
	unsigned char *(*page_data)(struct bk_page *page); /* what a device sees */
	void (*page_query)(struct bk_page *page, struct page_facts *pf);
	int (*addr_query)(unsigned long addr, struct page_facts *pf); /* 0 or -errno */
	void (*page_dump)(unsigned long pfn, FILE *out);	      /* dump_page() */
	bool (*vma_query)(unsigned long addr, struct bk_vma_info *info);
	void (*dump_pagetable)(unsigned long start, unsigned long end, FILE *out);
	/*
	 * Call @fn for every non-empty entry of @task's page tables covering
	 * [start, end); *root is the pfn of the top table. NULL, or -EOPNOTSUPP,
	 * where the back end cannot see page tables.
	 */
	int (*walk_pagetable)(struct bk_task *task, unsigned long start, unsigned long end,
			      unsigned long *root, bk_pt_visit_fn fn, void *ctx);
	/* /proc/PID/maps (or smaps) of the current task, as the library formats it. */
	int (*show_maps)(bool smaps, FILE *out);
	/* /proc/meminfo's hugetlb lines; 0 or -errno. */
	int (*meminfo)(FILE *out);
	/* The hugetlb pool of @size-byte pages: total, free, rsvd, surp. 0 or -EINVAL. */
	int (*hugepages)(unsigned long size, unsigned long counts[4]);
	int (*nr_vmstat)(void);
	const char *(*vmstat_name)(int item);
	long (*vmstat_value)(int item); /* PF_UNKNOWN: not visible on this machine */

	/*
	 * Back ends that cannot play every command (the host, for gup diff). NULL
	 * plays_command: all of them. A command it does not play is skipped and its
	 * step is sim-only; take_sim_only says (once) why the last call had no
	 * equivalent, NULL when it had one. page_write: a device write through a
	 * page (NULL: into page_data()).
	 */
	bool (*plays_command)(const char *command);
	const char *(*take_sim_only)(void);
	void (*page_write)(struct bk_page *page, const void *buf, unsigned long len);
	/* /proc/PID/clear_refs of the current task: @type as written there; 0 or -errno. */
	int (*clear_refs)(int type);
	/*
	 * Fail host I/O operation @op with @fault on its @nth call, @count times (0:
	 * always); inject_off disarms it. 0 or -EINVAL; NULL: no host I/O seam.
	 */
	int (*host_io_inject)(const char *op, const char *fault, unsigned long nth,
			      unsigned long count);

	/*
	 * Contiguous allocation and offlining (sim-only: no host back end has them).
	 * cma_alloc: the first pfn, or -errno; why it failed (the pins that blocked
	 * it, by call site) is printed to @out. offline: 0 or -errno, likewise.
	 */
	long (*cma_alloc)(unsigned long count, unsigned int align, FILE *out);
	long (*cma_release)(unsigned long pfn, unsigned long count);
	long (*offline)(unsigned long pfn, unsigned long count, FILE *out);
	long (*online)(unsigned long pfn, unsigned long count);
	/* Reclaim up to @nr pages now (sim_reclaim): pages freed, or -errno. */
	long (*reclaim)(unsigned long nr);
	/* The swap device: slots total, used, and pages in the swap cache. */
	void (*swap_stats)(unsigned long counts[3]);
	/*
	 * Wait until kswapd (boot kswapd=on) is asleep with no wakeup pending: 0, or
	 * -ENODEV without one. NULL: not played (sim-only).
	 */
	int (*kswapd_wait)(void);
	/*
	 * ZONE_DEVICE (sim-only; NULL: not played). memremap: memremap_pages() of
	 * @size bytes of device memory from byte @off, of @type ("generic",
	 * "fsdax", "private" or "coherent": the back end is the driver that hands
	 * every coherent page out, and takes them back at memunmap), mapped with
	 * @align-byte entries: a pgmap id >= 0, or -errno.
	 * memunmap: memunmap_pages_try() (0 frees the id; -EBUSY while referenced).
	 * mmap_device: sim_mmap_device() as the current task. pgmap_refs: references
	 * held now; pgmap_pfn: the first pfn. Both -EINVAL for an id not in use.
	 */
	long (*memremap)(const char *type, unsigned long off, unsigned long size,
			 unsigned long align);
	long (*memunmap)(int id);
	unsigned long (*mmap_device)(int id, unsigned long off, unsigned long len,
				     unsigned long prot);
	long (*pgmap_refs)(int id);
	long (*pgmap_pfn)(
		int id); /* The memory lines of /proc/PID/status of the current task (show_status()); 0 or -errno. */
	int (*show_status)(FILE *out);
};

/* The simulated machine (backend_sim.c). */
extern const struct backend_ops sim_backend;
/* The host's real kernel, one worker process per task (backend_host.c, gup diff). */
extern const struct backend_ops host_backend;
/* NULL, or in one line why this host cannot play scenarios (not root, no io_uring). */
const char *host_backend_unavailable(void);
/* NULL, or the host failure (a worker died or timed out) that spoiled the last run. */
const char *host_backend_error(void);
/* Tests of the timeout path: the current task's worker stops answering. */
void host_backend_hang_current(void);

#endif /* GUP_SCRIPT_BACKEND_H */
