// SPDX-License-Identifier: GPL-2.0-only
/*
 * The simulated machine: its state (struct machine sim), boot with the frame pool
 * and zones, shutdown, and the leak report shutdown prints.
 */
#include <sys/mman.h>
#include "mm/internal.h"
#include "mm/page_isolation.h"

struct machine sim;
/* CONFIG_MEM_SOFT_DIRTY of the booted machine (pgtable_supports_soft_dirty()). */
bool pgtable_soft_dirty;

#define DEFAULT_MEM_BYTES (1UL << 30)
#define MIN_ZONE_BYTES (8UL << 20)
#define ZONE_ALIGN_BYTES (PAGE_SIZE << (MAX_ORDER - 1))

unsigned long sim_total_pages(void)
{
	return sim.nr_pages;
}

static void reserve_low_pages(void)
{
	for (unsigned long pfn = 0; pfn < RESERVED_LOW_PFNS; pfn++) {
		struct page *page = pfn_to_page(pfn);

		SetPageReserved(page);
		set_page_count(page, 1);
	}
	sim.reserved_pages = RESERVED_LOW_PFNS;
	sim.zero_page = pfn_to_page(zero_pfn());
	memset(page_address(sim.zero_page), 0, PAGE_SIZE);
	/* The vsyscall page holds x86-64's legacy entry code; any bytes will do. */
	memset(page_address(gate_page()), 0xcc, PAGE_SIZE);
	gate_vma_init(sim.vsyscall);
}

static int validate_config(const struct sim_config *cfg, unsigned long *normal,
			   unsigned long *movable)
{
	*normal = cfg && cfg->mem_bytes ? cfg->mem_bytes : DEFAULT_MEM_BYTES;
	*movable = cfg ? cfg->movable_bytes : 0;
	if (*normal < MIN_ZONE_BYTES || !IS_ALIGNED(*normal, ZONE_ALIGN_BYTES))
		return -EINVAL;
	/* CMA leaves ZONE_NORMAL at least a minimal zone of its own pageblocks. */
	if (cfg && cfg->cma_bytes &&
	    (!IS_ALIGNED(cfg->cma_bytes, ZONE_ALIGN_BYTES) ||
	     cfg->cma_bytes > *normal - MIN_ZONE_BYTES))
		return -EINVAL;
	if (*movable && (*movable < MIN_ZONE_BYTES || !IS_ALIGNED(*movable, ZONE_ALIGN_BYTES)))
		return -EINVAL;
	if (cfg && (unsigned int)cfg->vsyscall > SIM_VSYSCALL_NONE)
		return -EINVAL;
	if (cfg && (unsigned int)cfg->thp > SIM_THP_NEVER)
		return -EINVAL;
	if (cfg && !IS_ALIGNED(cfg->device_bytes, PMD_SIZE))
		return -EINVAL;
	if (cfg && cfg->fault_around_bytes > PTRS_PER_PTE * PAGE_SIZE)
		return -EINVAL;
	if (cfg && cfg->swap_bytes &&
	    (cfg->swap_bytes < 2 * PAGE_SIZE || !IS_ALIGNED(cfg->swap_bytes, PAGE_SIZE)))
		return -EINVAL;
	return 0;
}

/* The kernel's default fault-around window (fault_around_bytes). */
#define DEFAULT_FAULT_AROUND_BYTES 65536UL

/* Pages of @bytes' window, as fault_around_bytes_set() rounds it: a power of two, at least one. */
static unsigned int fault_around_pages(unsigned long bytes)
{
	if (!bytes)
		bytes = DEFAULT_FAULT_AROUND_BYTES;
	if (bytes <= PAGE_SIZE)
		return 1;
	return 1U << (63 - __builtin_clzl(bytes >> PAGE_SHIFT));
}

static void *host_map(size_t bytes, bool populate)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | (populate ? MAP_POPULATE : 0),
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * The host memory behind the machine outlives a shutdown, so that the next boot
 * of the same or a smaller size resets what the last machines touched instead of
 * mapping (and faulting in) everything afresh. dirty_frames spans every frame
 * handed out since the frames were last all zero; memmap_used is the last
 * machine's, and layout its zone sizes (its pristine struct pages fit that layout).
 */
static struct host_memory {
	unsigned char *frames;
	struct page *memmap;
	unsigned long capacity; /* pages both mappings hold */
	bool populated;		/* frames mapped with MAP_POPULATE */
	unsigned long normal_pages, movable_pages;
	struct pfn_span memmap_used;
	struct pfn_span dirty_frames;
} host;

/* Zeroing more than this costs more than dropping and faulting the frames back. */
#define MEMSET_FRAMES_MAX 256UL

static void span_clear(struct pfn_span *span)
{
	span->lo = ULONG_MAX;
	span->hi = 0;
}

static void span_union(struct pfn_span *into, const struct pfn_span *span)
{
	into->lo = min_t(unsigned long, into->lo, span->lo);
	into->hi = max_t(unsigned long, into->hi, span->hi);
}

static void host_unmap(void)
{
	if (host.frames)
		munmap(host.frames, host.capacity << PAGE_SHIFT);
	if (host.memmap)
		munmap(host.memmap, host.capacity * sizeof(struct page));
	host = (struct host_memory){0};
}

/* Map @nr_pages frames and struct pages afresh: all zero, nothing dirty. */
static bool host_map_fresh(unsigned long nr_pages, bool populate)
{
	host_unmap();
	host.frames = host_map(nr_pages << PAGE_SHIFT, populate);
	host.memmap = host_map(nr_pages * sizeof(struct page), true);
	if (!host.frames || !host.memmap) {
		host_unmap();
		return false;
	}
	host.capacity = nr_pages;
	host.populated = populate;
	span_clear(&host.memmap_used);
	span_clear(&host.dirty_frames);
	return true;
}

/* Zero every frame handed out since the frames were last all zero. */
static void host_zero_dirty_frames(void)
{
	struct pfn_span *d = &host.dirty_frames;

	if (d->lo >= d->hi)
		return;
	if (d->hi - d->lo <= MEMSET_FRAMES_MAX || host.populated)
		memset(host.frames + (d->lo << PAGE_SHIFT), 0, (d->hi - d->lo) << PAGE_SHIFT);
	else
		madvise(host.frames + (d->lo << PAGE_SHIFT), (d->hi - d->lo) << PAGE_SHIFT,
			MADV_DONTNEED);
	span_clear(d);
}

/*
 * Host memory for a machine of @normal + @movable pages, its frames all zero.
 * Returns whether its struct pages already hold the just-booted state of that
 * layout, except for host.memmap_used (*lazy), or must all be set up; false
 * return: out of host memory.
 */
static bool host_prepare(unsigned long normal, unsigned long movable, unsigned long device,
			 bool populate, bool *lazy)
{
	unsigned long nr_pages = normal + movable + device;

	*lazy = false;
	if (!host.frames || host.capacity < nr_pages || (populate && !host.populated)) {
		if (!host_map_fresh(nr_pages, populate))
			return false;
	} else {
		host_zero_dirty_frames();
		*lazy = host.normal_pages == normal && host.movable_pages == movable;
	}
	host.normal_pages = normal;
	host.movable_pages = movable;
	return true;
}

/* Give the struct pages the just-booted state: those the last machine touched, or all. */
static void reset_memmap(bool lazy)
{
	if (!lazy) {
		init_memmap(0, sim.nr_pages);
	} else {
		init_memmap(0, RESERVED_LOW_PFNS);
		if (host.memmap_used.lo < host.memmap_used.hi)
			init_memmap(host.memmap_used.lo, host.memmap_used.hi);
	}
	span_clear(&host.memmap_used);
}

int sim_boot(const struct sim_config *cfg)
{
	unsigned long normal, movable, normal_pages, gigantic_start;
	const struct mm_profile *profile;
	const char *spec;
	bool lazy;
	int ret;

	if (sim.running)
		return -EBUSY;
	ret = validate_config(cfg, &normal, &movable);
	if (ret)
		return ret;
	ret = hugetlb_gigantic_range(cfg ? cfg->hugetlb_1g_pages : 0, normal >> PAGE_SHIFT,
				     &gigantic_start);
	if (ret)
		return ret;
	profile = mm_profile_select(cfg ? cfg->profile : SIM_PROFILE_DEFAULT);
	if (!profile)
		return -EINVAL;
	VM_CHECK(profile_is_valid(profile, stderr));
	pagecache_init();
	pin_owner_init();
	memset(&sim, 0, sizeof(sim));
	vmstat_reset();
	if (!host_prepare(normal >> PAGE_SHIFT, movable >> PAGE_SHIFT,
			  cfg ? cfg->device_bytes >> PAGE_SHIFT : 0, cfg && cfg->prefault, &lazy))
		return -ENOMEM;
	sim.nr_pages = (normal + movable) >> PAGE_SHIFT;
	sim.frames_bytes = normal + movable;
	sim.frames = host.frames;
	sim.memmap = host.memmap;
	mem_map = sim.memmap;
	frames_base = sim.frames;
	sim.quiet = cfg && cfg->quiet;
	sim.vsyscall = cfg ? cfg->vsyscall : SIM_VSYSCALL_XONLY;
	sim.thp = cfg ? cfg->thp : SIM_THP_MADVISE;
	sim.thp_no_zero_page = cfg && cfg->thp_no_zero_page;
	__atomic_store_n(&pgtable_soft_dirty, cfg && cfg->soft_dirty, __ATOMIC_RELAXED);
	sim.file_latency_us = cfg ? cfg->file_latency_us : 0;
	sim.fault_around_pages = fault_around_pages(cfg ? cfg->fault_around_bytes : 0);
	sim.init_on_free = cfg && cfg->init_on_free; /* boot's frames are all zero already */
	sim.dax_dir = cfg && cfg->dax_dir ? realpath(cfg->dax_dir, NULL) : NULL;
	pthread_mutex_init(&sim.inodes_lock, NULL);
	INIT_LIST_HEAD(&sim.inodes);
	mm_profile = profile;
	lru_init(cfg ? cfg->lru_batch : 0);
	normal_pages = normal >> PAGE_SHIFT;
	init_zone(&sim.zones[ZONE_NORMAL], "Normal", 0, normal_pages);
	init_zone(&sim.zones[ZONE_MOVABLE], "Movable", normal_pages, movable >> PAGE_SHIFT);
	init_zone(&sim.zones[ZONE_DEVICE], "Device", sim.nr_pages, 0);
	sim.device_start_pfn = sim.nr_pages;
	sim.device_pages = cfg ? cfg->device_bytes >> PAGE_SHIFT : 0;
	pthread_mutex_init(&sim.pgmaps_lock, NULL);
	INIT_LIST_HEAD(&sim.pgmaps);
	if (cfg && cfg->cma_bytes)
		zone_init_cma(&sim.zones[ZONE_NORMAL], cfg->cma_bytes >> PAGE_SHIFT);
	reset_memmap(lazy);
	pthread_mutex_init(&sim.tasks_lock, NULL);
	INIT_LIST_HEAD(&sim.tasks);
	sim.next_pid = 1;
	sim.running = true;
	max_pfn = sim.nr_pages + sim.device_pages;
	reserve_low_pages();
	/* The 1 GiB hugetlb pages, carved from the top of ZONE_NORMAL, never reach the buddy. */
	free_pfn_range(RESERVED_LOW_PFNS, gigantic_start);
	free_pfn_range(gigantic_start + ((cfg ? cfg->hugetlb_1g_pages : 0) << HUGETLB_1G_ORDER),
		       normal_pages);
	free_pfn_range(normal_pages, sim.nr_pages);
	/* Boot's own writes are the pristine state; count from here. */
	span_clear(&sim.memmap_used);
	span_clear(&sim.frames_used);
	/* Pool pages are written like allocations, so the next boot resets them. */
	hugetlb_init_pools(cfg ? cfg->hugetlb_2m_pages : 0, gigantic_start,
			   cfg ? cfg->hugetlb_1g_pages : 0, sim.quiet);
	deferred_split_shrinker_register();
	if (sim.device_pages) {
		sim.device_pgmaps = calloc(sim.device_pages / HPAGE_PMD_NR, sizeof(void *));
		if (!sim.device_pgmaps || fsdax_pmem_init()) {
			sim.running = false;
			free(sim.device_pgmaps);
			sim.device_pgmaps = NULL;
			return -ENOMEM;
		}
	}
	ret = swap_init(cfg ? cfg->swap_bytes : 0);
	if (ret)
		fprintf(stderr, "libgup: no swap device (%s); running without swap\n",
			strerror(-ret));
	setup_per_zone_wmarks(cfg ? cfg->min_free_kbytes : 0, cfg && cfg->kswapd);
	if (cfg && cfg->kswapd && (ret = kswapd_run()))
		fprintf(stderr, "libgup: no kswapd (%s); running without it\n", strerror(-ret));
	inject_disarm_all();
	spec = getenv("GUP_INJECT");
	if (spec && *spec && inject_parse(spec))
		fprintf(stderr, "libgup: ignoring malformed GUP_INJECT=%s\n", spec);
	return 0;
}

bool sim_running(void)
{
	return sim.running;
}

/* Is the frame at @pfn held by something that should have let it go? */
static bool frame_leaked(unsigned long pfn)
{
	struct page *page = pfn_to_page(pfn);
	int expect = PageReserved(page) ? 1 : 0;

	if (PageBuddy(page) || PageTail(page) || page_ref_count(page) == expect)
		return false;
	/* Refcount 0 past the reserved frames: inside a free block, not its head. */
	return pfn < RESERVED_LOW_PFNS || page_ref_count(page) != 0;
}

/* Only the reserved frames and those handed out since boot can leak. */
static void report_leaked_pages(FILE *out, unsigned long *leaked)
{
	unsigned long spans[2][2] = {
		{0, RESERVED_LOW_PFNS},
		{sim.frames_used.lo, min_t(unsigned long, sim.frames_used.hi, sim.nr_pages)}};
	unsigned long shown = 0;

	*leaked = 0;
	for (int i = 0; i < 2; i++)
		for (unsigned long pfn = spans[i][0]; pfn < spans[i][1]; pfn++) {
			struct page *page = pfn_to_page(pfn);

			if (!frame_leaked(pfn))
				continue;
			(*leaked)++;
			if (out && shown++ < 16)
				fprintf(out,
					"  leaked frame pfn %#lx: refcount %d (expected %d), "
					"mapcount %d, gup refs %d, pins %d%s\n",
					pfn, page_ref_count(page), PageReserved(page) ? 1 : 0,
					page_mapcount(page), sim_page_gup_refs(page),
					sim_page_gup_pins(page),
					PageTable(page) ? ", page table" : "");
		}
}

/* With every task gone no address space, VMA or shmem object may remain. */
static bool host_objects_left(FILE *out)
{
	long mms = atomic_long_read(&sim.nr_mms), vmas = atomic_long_read(&sim.nr_vmas);
	long mappings = atomic_long_read(&sim.nr_mappings);

	if (!mms && !vmas && !mappings)
		return false;
	if (out)
		fprintf(out, "libgup: %ld mm(s), %ld vma(s), %ld file object(s) never freed\n", mms,
			vmas, mappings);
	return true;
}

int sim_shutdown(void)
{
	FILE *out;
	unsigned long live, leaked, pins;
	int problems = 0;

	if (!sim.running)
		return -ENODEV;
	out = sim.quiet ? NULL : stderr;
	kswapd_stop(); /* before anything it could be reclaiming goes */
	live = sim_live_tasks();
	if (live) {
		if (out)
			fprintf(out, "libgup: %lu task(s) still alive at shutdown\n", live);
		problems++;
		sim_reap_tasks();
	}
	async_reads_stop();	  /* a read in flight holds its page and file */
	lru_add_drain_all();	  /* the batches' references are no leak */
	swap_cache_release_all(); /* nor are the swap cache's, once no PTE names a slot */
	huge_zero_page_release();
	deferred_split_shrinker_unregister();
	deferred_split_queue_reset();
	if (dev_pagemaps_release_all(out))
		problems++;
	pgtable_rcu_barrier();
	hugetlb_release_pools();   /* the free ones; a page still in use is a leak */
	memory_hotplug_shutdown(); /* offline memory is no leak: it comes back */
	if (host_objects_left(out))
		problems++;
	pins = global_node_page_state(NR_FOLL_PIN_ACQUIRED) -
	       global_node_page_state(NR_FOLL_PIN_RELEASED);
	if (pins) {
		if (out)
			fprintf(out, "libgup: %lu pin(s) never released\n", pins);
		problems++;
	}
	if (!live && __sim_check(out, true))
		problems++;
	if (swap_leaked(out))
		problems++;
	report_leaked_pages(out, &leaked);
	if (leaked || sim_free_pages() != sim.nr_pages - sim.reserved_pages) {
		if (out)
			fprintf(out, "libgup: %lu frame(s) leaked, %lu of %lu free\n", leaked,
				sim_free_pages(), sim.nr_pages - sim.reserved_pages);
		problems++;
	}
	if (problems && out)
		sim_report_pins(out);
	if (problems && out)
		fprintf(out, "libgup: leak check failed at shutdown\n");
	free(sim.dax_dir);
	sim.dax_dir = NULL;
	cma_shutdown();
	free(sim.device_pgmaps);
	sim.device_pgmaps = NULL;
	sim.fsdax_pgmap = NULL;
	pin_owner_reset();
	inject_disarm_all();
	host_io_inject_off();
	sim_point_reset();
	frames_unpoison_all();
	swap_exit();
	max_pfn = 0;
	/* The host memory stays for the next boot, which resets what was touched. */
	host.memmap_used = sim.memmap_used;
	span_union(&host.dirty_frames, &sim.frames_used);
	/* Device memory keeps its bytes while the machine runs; the next one starts zeroed. */
	if (sim.device_pages)
		span_union(&host.dirty_frames,
			   &(struct pfn_span){sim.nr_pages, sim.nr_pages + sim.device_pages});
	sim.running = false;
	mm_profile = &profile_5_11;
	return problems ? -EBUSY : 0;
}
