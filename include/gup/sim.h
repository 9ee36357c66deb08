/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The simulated machine: boot and shutdown (with the leak report), the invariant
 * checker, and vmstat counters.
 */
#ifndef GUP_SIM_H
#define GUP_SIM_H

#include <stdio.h>
#include <gup/types.h>

#ifdef __cplusplus
extern "C" {
#endif
/*
 * How the x86-64 vsyscall page is mapped, as the boot option vsyscall= chooses.
 * XONLY (Linux's default since 5.3) maps it execute-only: calls into it are
 * emulated, but nothing can read it, GUP and /proc/pid/mem included. EMULATE
 * also maps it readable. NONE has no vsyscall page and no gate VMA at all.
 */
enum sim_vsyscall {
	SIM_VSYSCALL_XONLY,
	SIM_VSYSCALL_EMULATE,
	SIM_VSYSCALL_NONE,
};

/*
 * Which kernel's GUP semantics the machine follows. SIM_PROFILE_DEFAULT takes the
 * GUP_PROFILE environment variable ("5.11" or "6.18"), or 5.11 when it is unset or
 * empty. docs/profiles.md lists every decision the two profiles take differently.
 */
enum sim_profile {
	SIM_PROFILE_DEFAULT = 0,
	SIM_PROFILE_5_11, /* Linux ~v5.11, the reference */
	SIM_PROFILE_6_18, /* Linux 6.18 */
	NR_SIM_PROFILES
};

/*
 * Transparent huge pages, as /sys/kernel/mm/transparent_hugepage/enabled: MADVISE
 * (Linux's usual default) gives huge faults only in MADV_HUGEPAGE ranges, ALWAYS in
 * every anonymous VMA not marked MADV_NOHUGEPAGE, NEVER nowhere.
 */
enum sim_thp {
	SIM_THP_MADVISE,
	SIM_THP_ALWAYS,
	SIM_THP_NEVER,
};

struct sim_config {
	unsigned long mem_bytes;     /* ZONE_NORMAL size; 0 means 1 GiB */
	unsigned long movable_bytes; /* ZONE_MOVABLE size; 0 means none */
	unsigned long cma_bytes;     /* MIGRATE_CMA pageblocks at the top of ZONE_NORMAL */
	bool prefault;		     /* touch every frame at boot so faults are not host faults */
	bool quiet;		     /* no leak report on stderr */
	enum sim_vsyscall vsyscall;  /* vsyscall=; 0 is xonly, Linux's default */
	enum sim_profile profile;    /* semantics profile; 0 = GUP_PROFILE or 5.11 */
	enum sim_thp thp;	     /* THP enabled=; 0 is madvise */
	bool thp_no_zero_page; /* use_zero_page=0: read faults do not map the huge zero page */
	/*
	 * hugetlb pools, as hugepages= and hugepagesz=1G hugepages= on the kernel's
	 * command line: 2 MiB pages are taken from the buddy allocator at boot (fewer
	 * if it cannot supply them), 1 GiB pages are carved from the top aligned
	 * gigabytes of ZONE_NORMAL (boot fails if they do not fit).
	 */
	unsigned long hugetlb_2m_pages;
	unsigned long hugetlb_1g_pages;
	unsigned int file_latency_us; /* every host file read and write waits this long */
	/*
	 * /sys/kernel/debug/fault_around_bytes: a read fault on a file or shmem
	 * mapping also maps the neighbours already cached and up to date, within
	 * this aligned window (at most one page table, never outside the VMA). 0:
	 * the kernel's default, 64 KiB; up to PAGE_SIZE turns it off; larger values
	 * round down to a power of two; above 2 MiB, sim_boot() answers -EINVAL.
	 */
	unsigned long fault_around_bytes;
	const char *dax_dir; /* host files opened under this directory are fsdax; NULL: none */
	/*
	 * init_on_free=1 on the kernel's command line: a page is zeroed as it is
	 * freed, so an allocation asking for a zeroed page (__GFP_ZERO, every
	 * anonymous fault) finds it zeroed already and does not clear it again
	 * (the kernel's free_pages_prezeroed()). The zeroing moves from the fault
	 * to munmap and exit.
	 */
	bool init_on_free;
	/*
	 * CONFIG_MEM_SOFT_DIRTY: the kernel's dirtying also sets the PTE's soft-dirty
	 * bit, new VMAs are VM_SOFTDIRTY, pagemap shows bit 55 and clear_refs "4"
	 * clears it. Off, as in a kernel built without it: none of that happens.
	 */
	bool soft_dirty;

	/*
	 * Device memory (ZONE_DEVICE frames after RAM, for memremap_pages()); a
	 * multiple of 2 MiB. With dax_dir set, all of it is the fsdax "pmem".
	 */
	unsigned long device_bytes;

	/*
	 * Pages a thread's LRU-add batch holds (with a reference of its own) before
	 * they reach the LRU lists: 0 or 1 puts each page on the lists at once, 15
	 * (PAGEVEC_SIZE, the most) is 5.11's pagevec.
	 */
	unsigned int lru_batch;
	/*
	 * The swap device's size (a multiple of 4 KiB, at least two pages; the
	 * first slot is the header's): an unlinked host file in $TMPDIR or /tmp.
	 * 0: no swap, anonymous memory is never reclaimed.
	 */
	unsigned long swap_bytes;
	/*
	 * kswapd: a reclaim thread the allocator wakes when a zone falls below its
	 * low watermark, which reclaims until the zone is above high; allocations
	 * keep above min and reclaim directly below it. Off: the watermarks are
	 * computed but not enforced, and only a fault finding memory exhausted
	 * reclaims (directly).
	 */
	bool kswapd;
	/*
	 * vm.min_free_kbytes: the min watermark of all zones together, shared by
	 * their size; low and high are min plus 1/4 and 1/2 of min (at least 0.1%
	 * of the zone, watermark_scale_factor 10). 0: the kernel's default,
	 * sqrt(16 * memory in KiB) KiB within [128, 262144].
	 */
	unsigned long min_free_kbytes;
};

/**
 * sim_boot() - create the simulated machine.
 * @cfg: sizes and options; NULL means 1 GiB of ZONE_NORMAL.
 *
 * The semantics profile is @cfg->profile; left at SIM_PROFILE_DEFAULT, it is the one
 * GUP_PROFILE names, or 5.11 when GUP_PROFILE is unset or empty.
 *
 * Return: 0, -EBUSY if a machine is already running, -EINVAL for a size that is
 * not a multiple of 4 MiB or is under 8 MiB or an unknown vsyscall or thp mode, -EINVAL
 * (with a line on stderr) for hugetlb_1g_pages that ZONE_NORMAL cannot hold, -EINVAL
 * (with a line on stderr naming the known profiles) for a profile value or
 * GUP_PROFILE name that is not known, -ENOMEM if the host refused the memory.
 * On failure no machine runs.
 */
int sim_boot(const struct sim_config *cfg);

/**
 * sim_shutdown() - tear the machine down after checking nothing leaked.
 *
 * Return: 0 if every task had exited, every frame came back and every pin was
 * released; -EBUSY with a leak report on stderr otherwise (the machine is torn
 * down either way); -ENODEV if no machine was running.
 */
int sim_shutdown(void);

/* True between sim_boot() and sim_shutdown(). */
bool sim_running(void);

/**
 * sim_profile_name() - the name of a semantics profile, as GUP_PROFILE spells it.
 * @profile: a profile.
 *
 * Return: "5.11" for SIM_PROFILE_5_11; NULL for SIM_PROFILE_DEFAULT (which is no
 * profile of its own) and for values that name no profile.
 */
const char *sim_profile_name(enum sim_profile profile);

/**
 * sim_profile_from_name() - the profile a name (GUP_PROFILE, `boot profile=`) means.
 * @name: "5.11", ...
 * @profile: receives the profile on success; untouched otherwise.
 *
 * Return: 0, or -EINVAL for NULL or a name that is not a known profile.
 */
int sim_profile_from_name(const char *name, enum sim_profile *profile);

/*
 * The known profile names separated by ", " (for usage and error messages).
 * Return: a static string.
 */
const char *sim_profile_names(void);

/**
 * sim_current_profile() - the semantics profile of the running machine.
 *
 * Return: the profile sim_boot() chose (never SIM_PROFILE_DEFAULT while a machine
 * runs), or SIM_PROFILE_DEFAULT when no machine is running.
 */
enum sim_profile sim_current_profile(void);

struct page;

/**
 * sim_pin_is_counted() - does a FOLL_PIN of @page show in its counts?
 * @page: a page a pin call returned.
 *
 * Return: false for the zero page under a profile that does not pin it (6.18:
 * its refcount, pincount and the nr_foll_pin_* counters stay as they are, and
 * page_maybe_dma_pinned() stays false); true otherwise.
 */
bool sim_pin_is_counted(struct page *page);

/**
 * sim_check() - verify the invariants of every frame, page table and VMA.
 * @out: where violations are described (NULL: stderr).
 *
 * Call only while no operation is in flight. Return: the number of violations.
 */
int sim_check(FILE *out);

/* vmstat items, as the kernel's node_stat_item ones that GUP touches. */
enum node_stat_item {
	NR_FREE_PAGES,
	NR_ANON_MAPPED,
	NR_SHMEM,
	NR_PAGETABLE,
	NR_MLOCK,
	NR_FOLL_PIN_ACQUIRED,
	NR_FOLL_PIN_RELEASED,
	NR_COW_FAULTS,	   /* libgup extra: COW copies made by do_wp_page */
	NR_COW_REUSES,	   /* libgup extra: write faults that reused the page */
	NR_FORK_EARLY_COW, /* libgup extra: pinned pages copied at fork */
	NR_PAGE_FAULTS,	   /* libgup extra: calls to handle_mm_fault */
	NR_ANON_THPS,	   /* anonymous THPs mapped by a pmd, in huge pages */
	NR_FILE_PAGES,	   /* pages in page caches (shmem included, as the kernel counts) */
	NR_FILE_DIRTY,	   /* dirty host-file pages waiting for writeback */
	NR_WRITEBACK,	   /* pages being written to their host file */
	/* Reclaim (the kernel's vm events of the same names). */
	NR_PGSCAN_KSWAPD,  /* LRU pages kswapd isolated to reclaim */
	NR_PGSCAN_DIRECT,  /* and direct reclaim (faults, sim_reclaim) */
	NR_PGSTEAL_KSWAPD, /* pages kswapd freed */
	NR_PGSTEAL_DIRECT, /* pages direct reclaim freed */
	NR_VMSCAN_WRITE,   /* pages reclaim wrote out (to swap or their host file) */
	NR_PAGEOUTRUN,	   /* kswapd's balancing runs */
	NR_VM_NODE_STAT_ITEMS
};

/**
 * global_node_page_state() - the machine-wide value of a vmstat counter.
 *
 * Sums the global counter and every thread's pending delta, so the value is
 * exact when nothing is in flight.
 *
 * Return: the counter (0 for an unknown item, and never below 0).
 */
unsigned long global_node_page_state(enum node_stat_item item);
void mod_node_page_state(enum node_stat_item item, long delta);
const char *vmstat_name(enum node_stat_item item);
void vmstat_print(FILE *out);

/* The hugetlb pool of one page size, as /sys/kernel/mm/hugepages/hugepages-*kB/. */
struct sim_hugepages {
	unsigned long total, free, rsvd, surp; /* surp: no surplus pages, always 0 */
};

/**
 * sim_hugepages() - the counters of the hugetlb pool of @size bytes per page.
 * @size: 2 MiB or 1 GiB.
 * @out: receives the counters.
 *
 * Return: 0, -EINVAL for another size, -ENODEV if no machine runs.
 */
int sim_hugepages(unsigned long size, struct sim_hugepages *out);

/**
 * sim_meminfo() - /proc/meminfo's hugetlb lines: HugePages_Total/Free/Rsvd/Surp of
 * the default (2 MiB) pool, Hugepagesize, and Hugetlb (both pools, in kB).
 *
 * Return: 0, or -ENODEV if no machine runs (nothing written).
 */
int sim_meminfo(FILE *out);

/* Total and free frames of the machine. */
unsigned long sim_total_pages(void);
unsigned long sim_free_pages(void);

#ifdef __cplusplus
}
#endif

#endif /* GUP_SIM_H */
