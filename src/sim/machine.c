// SPDX-License-Identifier: GPL-2.0-only
/*
 * The simulated machine: its state (struct machine sim), boot with the frame pool
 * and zones, shutdown, and the leak report shutdown prints.
 */
#include <sys/mman.h>
#include "mm/internal.h"

struct machine sim;

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
	if (*movable && (*movable < MIN_ZONE_BYTES || !IS_ALIGNED(*movable, ZONE_ALIGN_BYTES)))
		return -EINVAL;
	if (cfg && (unsigned int)cfg->vsyscall > SIM_VSYSCALL_NONE)
		return -EINVAL;
	return 0;
}

static void *host_map(size_t bytes, bool populate)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | (populate ? MAP_POPULATE : 0),
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

int sim_boot(const struct sim_config *cfg)
{
	unsigned long normal, movable, normal_pages;
	const struct mm_profile *profile;
	const char *spec;
	int ret;

	if (sim.running)
		return -EBUSY;
	ret = validate_config(cfg, &normal, &movable);
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
	sim.nr_pages = (normal + movable) >> PAGE_SHIFT;
	sim.frames_bytes = normal + movable;
	sim.frames = host_map(sim.frames_bytes, cfg && cfg->prefault);
	sim.memmap = host_map(sim.nr_pages * sizeof(struct page), true);
	mem_map = sim.memmap;
	frames_base = sim.frames;
	if (!sim.frames || !sim.memmap) {
		if (sim.frames)
			munmap(sim.frames, sim.frames_bytes);
		if (sim.memmap)
			munmap(sim.memmap, sim.nr_pages * sizeof(struct page));
		return -ENOMEM;
	}
	sim.quiet = cfg && cfg->quiet;
	sim.vsyscall = cfg ? cfg->vsyscall : SIM_VSYSCALL_XONLY;
	mm_profile = profile;
	normal_pages = normal >> PAGE_SHIFT;
	init_zone(&sim.zones[ZONE_NORMAL], "Normal", ZONE_NORMAL, 0, normal_pages);
	init_zone(&sim.zones[ZONE_MOVABLE], "Movable", ZONE_MOVABLE, normal_pages,
		  movable >> PAGE_SHIFT);
	init_zone(&sim.zones[ZONE_DEVICE], "Device", ZONE_DEVICE, sim.nr_pages, 0);
	pthread_mutex_init(&sim.tasks_lock, NULL);
	INIT_LIST_HEAD(&sim.tasks);
	sim.next_pid = 1;
	sim.running = true;
	max_pfn = sim.nr_pages;
	reserve_low_pages();
	free_pfn_range(RESERVED_LOW_PFNS, normal_pages);
	free_pfn_range(normal_pages, sim.nr_pages);
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

static void report_leaked_pages(FILE *out, unsigned long *leaked)
{
	unsigned long shown = 0;

	*leaked = 0;
	for (unsigned long pfn = 0; pfn < sim.nr_pages; pfn++) {
		struct page *page = pfn_to_page(pfn);
		int expect = PageReserved(page) ? 1 : 0;

		if (PageBuddy(page) || PageTail(page))
			continue;
		if (page_ref_count(page) == expect)
			continue;
		if (pfn >= RESERVED_LOW_PFNS && page_ref_count(page) == 0)
			continue; /* inside a free block, not its head */
		(*leaked)++;
		if (out && shown++ < 16)
			fprintf(out,
				"  leaked frame pfn %#lx: refcount %d (expected %d), mapcount %d, "
				"gup refs %d, pins %d%s\n",
				pfn, page_ref_count(page), expect, page_mapcount(page),
				sim_page_gup_refs(page), sim_page_gup_pins(page),
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
		fprintf(out, "libgup: %ld mm(s), %ld vma(s), %ld shmem object(s) never freed\n",
			mms, vmas, mappings);
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
	live = sim_live_tasks();
	if (live) {
		if (out)
			fprintf(out, "libgup: %lu task(s) still alive at shutdown\n", live);
		problems++;
		sim_reap_tasks();
	}
	pgtable_rcu_barrier();
	if (host_objects_left(out))
		problems++;
	pins = global_node_page_state(NR_FOLL_PIN_ACQUIRED) -
	       global_node_page_state(NR_FOLL_PIN_RELEASED);
	if (pins) {
		if (out)
			fprintf(out, "libgup: %lu pin(s) never released\n", pins);
		problems++;
	}
	if (!live && __sim_check(out))
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
	pin_owner_reset();
	inject_disarm_all();
	sim_point_reset();
	frames_unpoison_all();
	max_pfn = 0;
	munmap(sim.frames, sim.frames_bytes);
	munmap(sim.memmap, sim.nr_pages * sizeof(struct page));
	sim.running = false;
	mm_profile = &profile_5_11;
	return problems ? -EBUSY : 0;
}
