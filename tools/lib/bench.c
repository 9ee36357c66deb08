// SPDX-License-Identifier: GPL-2.0-only
/*
 * `gup bench`: the kernel's gup_test (tools/testing/selftests/mm) in userspace.
 * Same options, defaults and output lines, run against the simulated machine,
 * with --json and --vs-kernel (the host kernel's equivalent, timed alongside).
 */
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <libgup.h>
#include "bench.h"
#include "gup_calls.h"
#include "tool_args.h"

#define MB (1UL << 20)
#define SIM_OVERHEAD_BYTES (64UL << 20) /* page tables, zero page, slack */
#define SIM_GRANULE (4UL << 20)		/* sim_boot() sizes are multiples of this */
#define SIM_HUGE_SIZE (2UL << 20)	/* a PMD-mapped THP */

struct bench_worker {
	struct bench_sim *bs;
	struct task_struct *task;
	unsigned long start, end; /* this thread's slice */
	struct page **pages;
	unsigned long got;
	int error; /* why the last get phase stopped short, or 0 */
	double get_start, get_end, put_start, put_end; /* stamped by the worker itself */
	struct sim_thread *thread;
};

struct bench_sim {
	struct bench_config cfg;
	struct task_struct *proc;
	unsigned long region;
	unsigned long thp_bytes; /* of the region, mapped by huge pmds after populating */
	pthread_barrier_t go, got, put;
	int ready_get, ready_put; /* workers that reached the phase's start line */
	bool quit;
	struct bench_sample dump; /* the first thread's DUMP_USER_PAGES_TEST result */
	struct dev_pagemap pgmap; /* --device: the GENERIC pgmap the region maps */
	struct bench_worker *workers;
};

static const char *const bench_cmd_names[] = {
	[GUP_FAST_BENCHMARK] = "GUP_FAST_BENCHMARK",
	[PIN_FAST_BENCHMARK] = "PIN_FAST_BENCHMARK",
	[PIN_LONGTERM_BENCHMARK] = "PIN_LONGTERM_BENCHMARK",
	[GUP_BASIC_TEST] = "GUP_BASIC_TEST",
	[PIN_BASIC_TEST] = "PIN_BASIC_TEST",
	[DUMP_USER_PAGES_TEST] = "DUMP_USER_PAGES_TEST",
};

const char *bench_cmd_name(enum bench_cmd cmd)
{
	return bench_cmd_names[cmd];
}

bool bench_cmd_pins(enum bench_cmd cmd, unsigned int gup_flags)
{
	if (cmd == DUMP_USER_PAGES_TEST)
		return gup_flags & FOLL_PIN; /* as gup_test: -F 0x40000 dumps pinned pages */
	return cmd == PIN_FAST_BENCHMARK || cmd == PIN_LONGTERM_BENCHMARK || cmd == PIN_BASIC_TEST;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* ------------------------------------------------------------------------- */
/* The get and put loops, as gup_test's kernel half runs them                */
/* ------------------------------------------------------------------------- */

/*
 * gup_test's choice of entry point and flags per command. The slow-path calls
 * run under mmap_lock, which gup_call_entry() takes per call as gup_test does.
 */
static bool bench_pins(const struct bench_config *cfg);

static long gup_call(const struct bench_config *cfg, unsigned long addr, long nr,
		     struct page **pages)
{
	enum bench_cmd cmd = cfg->cmd;
	unsigned int flags = cfg->gup_flags;
	enum gup_entry entry = GUP_GET;

	if (cmd == GUP_FAST_BENCHMARK) {
		entry = GUP_GET_FAST;
	} else if (cmd == PIN_FAST_BENCHMARK) {
		entry = GUP_PIN_FAST;
	} else if (cmd == PIN_LONGTERM_BENCHMARK) {
		entry = GUP_PIN;
		flags |= FOLL_LONGTERM;
	} else if (bench_pins(cfg)) {
		entry = GUP_PIN;
		flags &= ~FOLL_PIN;
	}
	return gup_call_entry(entry, current->mm, addr, nr, flags, pages, NULL, NULL);
}

/*
 * Stops at the first short call, as gup_test does; returns the pages got and
 * leaves in @error the -errno of a failed call (0 if none failed).
 */
static unsigned long get_range(struct bench_worker *w, int *error)
{
	const struct bench_config *cfg = &w->bs->cfg;
	unsigned long total = (w->end - w->start) / PAGE_SIZE;
	long per_call = cfg->nr_pages_per_call < 0 ? (long)total : cfg->nr_pages_per_call;
	unsigned long i = 0;

	*error = 0;
	while (i < total) {
		long nr = (long)(total - i) < per_call ? (long)(total - i) : per_call;
		long ret = gup_call(cfg, w->start + i * PAGE_SIZE, nr, w->pages + i);

		if (ret > 0)
			i += (unsigned long)ret;
		if (ret < 0)
			*error = (int)ret;
		if (ret != nr)
			break;
	}
	return i;
}

static bool bench_pins(const struct bench_config *cfg)
{
	return bench_cmd_pins(cfg->cmd, cfg->gup_flags) ||
	       (cfg->cmd == DUMP_USER_PAGES_TEST && cfg->dump_use_pin);
}

static void put_range(struct bench_worker *w)
{
	if (bench_pins(&w->bs->cfg)) {
		unpin_user_pages(w->pages, w->got);
		return;
	}
	for (unsigned long i = 0; i < w->got; i++)
		put_page(w->pages[i]);
}

/* gup_test's dump: what dump_page() says about the chosen pages, while they are held. */
static void dump_range(const struct bench_worker *w, struct bench_sample *sample)
{
	const struct bench_config *cfg = &w->bs->cfg;

	sample->nr_dump = 0;
	for (int i = 0; i < cfg->nr_dump; i++) {
		unsigned long index = cfg->dump_index[i];
		struct page *page;

		if (index >= w->got)
			continue; /* gup_test skips an index past what the call got */
		page = w->pages[index];
		sample->dump[sample->nr_dump++] = (struct bench_page_dump){
			.index = index,
			.pfn = page_to_pfn(page),
			/* As 5.11's dump_page(): a subpage shows its head's flags and count. */
			.flags = compound_head(page)->flags & ((1UL << __NR_PAGEFLAGS) - 1),
			.refcount = page_count(page),
			.mapcount = page_mapcount(page),
			.dma_pinned = page_maybe_dma_pinned(page),
		};
	}
}

/*
 * Waking threads from a barrier takes longer than a phase over a small slice, so
 * workers spin until all are awake and running: the phases then truly overlap.
 */
static void start_line(int *ready, int threads)
{
	__atomic_add_fetch(ready, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(ready, __ATOMIC_ACQUIRE) < threads)
		;
}

static void *bench_worker_main(void *arg)
{
	struct bench_worker *w = arg;
	struct bench_sim *bs = w->bs;

	/* sim_thread_spawn() made w->task current. */
	for (;;) {
		pthread_barrier_wait(&bs->go);
		if (bs->quit)
			break;
		start_line(&bs->ready_get, bs->cfg.threads);
		w->get_start = now_us();
		w->got = get_range(w, &w->error);
		w->get_end = now_us();
		pthread_barrier_wait(&bs->got);
		if (bs->cfg.cmd == DUMP_USER_PAGES_TEST && w == bs->workers)
			dump_range(w, &bs->dump);
		start_line(&bs->ready_put, bs->cfg.threads);
		w->put_start = now_us();
		put_range(w);
		w->put_end = now_us();
		pthread_barrier_wait(&bs->put);
	}
	task_exit(w->task);
	return NULL;
}

/* ------------------------------------------------------------------------- */
/* The simulated machine                                                     */
/* ------------------------------------------------------------------------- */

/* @size bytes of the current task's address space, starting on a 2 MiB boundary. */
static unsigned long sim_map_aligned(unsigned long size, unsigned long prot, unsigned long type)
{
	unsigned long addr = sys_mmap(0, size + SIM_HUGE_SIZE, prot, type, -1, 0), start, lead;

	if (IS_ERR_VALUE(addr))
		return addr;
	start = (addr + SIM_HUGE_SIZE - 1) & ~(SIM_HUGE_SIZE - 1);
	lead = start - addr;
	if (lead)
		sys_munmap(addr, lead);
	sys_munmap(start + size, SIM_HUGE_SIZE - lead);
	return start;
}

/* smaps' AnonHugePages of the VMA at @addr, in bytes. */
static unsigned long sim_thp_bytes_at(unsigned long addr)
{
	unsigned long start, end, kb = 0;
	bool inside = false;
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return 0;
	show_smaps(f, current->mm);
	fclose(f);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			inside = addr >= start && addr < end;
		else if (inside && sscanf(line, "AnonHugePages: %lu kB", &kb) == 1)
			break;
	}
	free(text);
	return kb << 10;
}

/* -H: MAP_HUGETLB of the chosen size; 0 for small pages. */
static unsigned long hugetlb_map_flags(const struct bench_config *cfg)
{
	if (!cfg->hugetlb)
		return 0;
	return MAP_HUGETLB | (cfg->hugetlb == PUD_SIZE ? MAP_HUGE_1GB : MAP_HUGE_2MB);
}

/*
 * --device: all device memory one GENERIC pgmap of 2 MiB alignment, mapped as
 * device-dax maps it (devmap pmds) and populated as the other regions are.
 */
static int map_device_region(struct bench_sim *bs)
{
	uint64_t base = (uint64_t)sim_device_start_pfn() << PAGE_SHIFT;
	unsigned long addr;
	int ret;

	bs->pgmap.type = MEMORY_DEVICE_GENERIC;
	bs->pgmap.align = PMD_SIZE;
	bs->pgmap.range.start = base;
	bs->pgmap.range.end = base + bs->cfg.size - 1;
	ret = memremap_pages(&bs->pgmap);
	if (ret)
		return ret;
	addr = sim_mmap_device(&bs->pgmap, 0, bs->cfg.size, PROT_READ | PROT_WRITE);
	if (IS_ERR_VALUE(addr))
		return (int)addr;
	bs->region = addr;
	return sys_madvise(addr, bs->cfg.size, MADV_POPULATE_WRITE);
}

static int map_populated_region(struct bench_sim *bs)
{
	unsigned long type = (bs->cfg.shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS |
			     hugetlb_map_flags(&bs->cfg);
	unsigned long prot = PROT_READ | PROT_WRITE;
	unsigned long addr;
	int ret = 0;

	if (bs->cfg.device)
		return map_device_region(bs);
	addr = bs->cfg.thp == BENCH_THP_ON ? sim_map_aligned(bs->cfg.size, prot, type)
					   : sys_mmap(0, bs->cfg.size, prot, type, -1, 0);

	if (IS_ERR_VALUE(addr))
		return (int)addr;
	bs->region = addr;
	/* gup_test's -t / -T, before the first touch */
	if (bs->cfg.thp != BENCH_THP_UNSET)
		ret = sys_madvise(addr, bs->cfg.size,
				  bs->cfg.thp == BENCH_THP_ON ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	/* gup_test touches every page from userspace first: time GUP, not faults. */
	if (!ret)
		ret = sys_madvise(addr, bs->cfg.size, MADV_POPULATE_WRITE);
	bs->thp_bytes = sim_thp_bytes_at(addr);
	return ret;
}

unsigned long bench_sim_thp_bytes(const struct bench_sim *bs)
{
	return bs->thp_bytes;
}

/* Bytes of the region each thread gets: all of it, or a slice of it with --split. */
static unsigned long thread_range_bytes(const struct bench_config *cfg)
{
	if (!cfg->split)
		return cfg->size;
	return cfg->size / PAGE_SIZE / (unsigned long)cfg->threads * PAGE_SIZE;
}

unsigned long bench_expected_pages(const struct bench_config *cfg)
{
	return cfg->split ? cfg->size / PAGE_SIZE
			  : cfg->size / PAGE_SIZE * (unsigned long)cfg->threads;
}

static unsigned long sim_mem_bytes(const struct bench_config *cfg)
{
	/* 1 GiB hugetlb pages are carved above the first gigabyte, which holds the rest. */
	if (cfg->hugetlb == PUD_SIZE)
		return cfg->size + PUD_SIZE;
	return (cfg->size + SIM_OVERHEAD_BYTES + SIM_GRANULE - 1) & ~(SIM_GRANULE - 1);
}

unsigned long bench_sim_footprint(const struct bench_config *cfg)
{
	return sim_mem_bytes(cfg) + bench_expected_pages(cfg) * sizeof(struct page *);
}

static int start_bench_workers(struct bench_sim *bs)
{
	int n = bs->cfg.threads;
	unsigned long slice = thread_range_bytes(&bs->cfg);

	pthread_barrier_init(&bs->go, NULL, (unsigned int)n + 1);
	pthread_barrier_init(&bs->got, NULL, (unsigned int)n + 1);
	pthread_barrier_init(&bs->put, NULL, (unsigned int)n + 1);
	for (int i = 0; i < n; i++) {
		struct bench_worker *w = &bs->workers[i];

		w->bs = bs;
		w->start = bs->cfg.split ? bs->region + (unsigned long)i * slice : bs->region;
		w->end =
			!bs->cfg.split || i == n - 1 ? bs->region + bs->cfg.size : w->start + slice;
		w->pages = calloc((w->end - w->start) / PAGE_SIZE, sizeof(*w->pages));
		w->task = task_clone_thread(bs->proc);
		if (!w->pages || !w->task ||
		    sim_thread_spawn(w->task, bench_worker_main, w, &w->thread))
			return -ENOMEM;
	}
	return 0;
}

int bench_sim_open(const struct bench_config *cfg, struct bench_sim **simp)
{
	struct sim_config sc = {.mem_bytes = sim_mem_bytes(cfg), .prefault = !cfg->no_prefault};
	struct bench_sim *bs;
	int ret;

	if (cfg->device)
		sc.device_bytes = cfg->size;
	/* -H: a pool exactly the region's size, as gup_test's users set nr_hugepages. */
	if (cfg->hugetlb == PUD_SIZE)
		sc.hugetlb_1g_pages = cfg->size / PUD_SIZE;
	else if (cfg->hugetlb)
		sc.hugetlb_2m_pages = cfg->size / PMD_SIZE;
	bs = calloc(1, sizeof(*bs));

	if (!bs)
		return -ENOMEM;
	bs->cfg = *cfg;
	bs->workers = calloc((size_t)cfg->threads, sizeof(*bs->workers));
	ret = bs->workers ? sim_boot(&sc) : -ENOMEM;
	if (ret) {
		free(bs->workers);
		free(bs);
		return ret;
	}
	bs->proc = task_create("gup_test");
	set_current(bs->proc);
	ret = bs->proc ? map_populated_region(bs) : -ENOMEM;
	if (!ret)
		ret = start_bench_workers(bs);
	if (ret) {
		fprintf(stderr, "gup bench: setup failed: %s\n", strerror(-ret));
		exit(GUP_EXIT_USAGE); /* threads may be parked: no unwinding half a barrier */
	}
	*simp = bs;
	return 0;
}

/*
 * A phase lasts from the first thread's start to the last thread's end, as the
 * threads stamped them (the controller may be descheduled around barriers).
 */
void bench_sim_run(struct bench_sim *bs, struct bench_sample *sample)
{
	double get_start = 1e300, get_end = 0, put_start = 1e300, put_end = 0;

	__atomic_store_n(&bs->ready_get, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&bs->ready_put, 0, __ATOMIC_RELAXED);
	pthread_barrier_wait(&bs->go);
	pthread_barrier_wait(&bs->got);
	pthread_barrier_wait(&bs->put);
	sample->pages = 0;
	sample->error = 0;
	sample->expected = bench_expected_pages(&bs->cfg);
	sample->nr_dump = bs->dump.nr_dump;
	memcpy(sample->dump, bs->dump.dump, sizeof(sample->dump));
	for (int i = 0; i < bs->cfg.threads; i++) {
		const struct bench_worker *w = &bs->workers[i];

		get_start = w->get_start < get_start ? w->get_start : get_start;
		get_end = w->get_end > get_end ? w->get_end : get_end;
		put_start = w->put_start < put_start ? w->put_start : put_start;
		put_end = w->put_end > put_end ? w->put_end : put_end;
		sample->pages += w->got;
		if (!sample->error)
			sample->error = w->error;
	}
	sample->get_us = get_end - get_start;
	sample->put_us = put_end - put_start;
}

int bench_sim_close(struct bench_sim *bs)
{
	int ret;

	bs->quit = true;
	pthread_barrier_wait(&bs->go);
	for (int i = 0; i < bs->cfg.threads; i++) {
		sim_thread_join(bs->workers[i].thread);
		free(bs->workers[i].pages);
	}
	sys_munmap(bs->region, bs->cfg.size);
	task_exit(bs->proc);
	if (bs->cfg.device)
		memunmap_pages(&bs->pgmap);
	ret = sim_shutdown();
	pthread_barrier_destroy(&bs->go);
	pthread_barrier_destroy(&bs->got);
	pthread_barrier_destroy(&bs->put);
	free(bs->workers);
	free(bs);
	return ret;
}

/* ------------------------------------------------------------------------- */
/* The command line                                                          */
/* ------------------------------------------------------------------------- */

#define MAX_REGION_MIB (1UL << 20) /* 1 TiB: far past any host, so the memory check speaks */
#define MAX_REPEATS 1000000
#define MAX_THREADS 64
#define MAX_PAGES_PER_CALL 2147483647L /* gup_test's field is a __u32 passed as an int */

struct bench_cli {
	struct bench_config cfg;
	int repeats;
	bool write, json, vs_kernel, progress;
};

static void bench_usage(FILE *out)
{
	fprintf(out,
		"usage: gup bench [-a|-L|-u|-U|-b|-c [-p]] [-m MiB] [-r N] [-n N] [-j N "
		"[--split]]\n"
		"                 [-F FLAGS] [-w|-W] [-S] [-t|-T|--device] [--json] [--vs-kernel] "
		"[--progress]\n"
		"                 [PAGE_INDEX...]\n"
		"The kernel's gup_test (tools/testing/selftests/mm) against the simulated "
		"machine.\n"
		"  -u  GUP_FAST_BENCHMARK: get_user_pages_fast / put_page (default)\n"
		"  -a  PIN_FAST_BENCHMARK: pin_user_pages_fast / unpin_user_pages\n"
		"  -L  PIN_LONGTERM_BENCHMARK: pin_user_pages(FOLL_LONGTERM)\n"
		"  -U  GUP_BASIC_TEST: get_user_pages     -b  PIN_BASIC_TEST: pin_user_pages\n"
		"  -c  DUMP_USER_PAGES_TEST: get the pages, describe PAGE_INDEX... (0-based, at "
		"most\n"
		"      %d; default: page 0), release them. -p: pin instead of get\n"
		"  -m MiB    region size, 1..%lu (default 128); refused up front if the host\n"
		"            cannot hold it (MemAvailable, cgroup memory.max, RLIMIT_AS)\n"
		"  -r N      repeats, 1..%d (default 1)\n"
		"  -n N      pages per call, 1..%ld, or -1 for the whole range (default 1)\n"
		"  -j N      threads, 1..%d (default 1); as in gup_test every thread gets and\n"
		"            puts the whole region\n"
		"  --split   each thread takes its own disjoint slice of the region instead\n"
		"  -F FLAGS  extra FOLL_* flags, 0..0xffffffff, parsed as gup_test does: decimal,\n"
		"            0x hex or 0 octal (default 0)\n"
		"  -w / -W   FOLL_WRITE (default) / no FOLL_WRITE\n"
		"  -S        MAP_SHARED instead of MAP_PRIVATE (default private)\n"
		"  -t        THP: the region 2 MiB-aligned and MADV_HUGEPAGE before it is\n"
		"            touched, so it is populated with 2 MiB pages mapped by huge pmds\n"
		"  -T        no THP: MADV_NOHUGEPAGE (4 KiB pages; also what neither gives, as\n"
		"            the machine boots thp=madvise)\n"
		"  -H        MAP_HUGETLB with 2 MiB pages (the region is rounded up to them and\n"
		"            the machine boots with a pool that size); --hugetlb-1g: 1 GiB pages\n"
		"            (-m rounded up to GiB; the machine gets one more GiB)\n"
		"  --device  ZONE_DEVICE memory instead: the machine gets -m MiB (rounded up\n"
		"            to 2 MiB) of device memory, one MEMORY_DEVICE_GENERIC pgmap, mapped\n"
		"            as device-dax maps it (MAP_SHARED, devmap pmds of 2 MiB); compare\n"
		"            side by side with the same run over a THP region (-t) on a\n"
		"            machine of its own, the repeats in three blocks taken in turn:\n"
		"            a 'devmap/THP:' line (JSON: vs_thp) gives each one's best\n"
		"            ns/page and the ratio (above 1: devmap slower)\n"
		"  --json    one JSON object on stdout instead of the text lines\n"
		"  --vs-kernel  time the host kernel's nearest path too, and print the\n"
		"            ratio libgup/host (below 1: libgup is faster):\n"
		"            -u: vmsplice(2) into a pipe (the kernel's get_user_pages_fast)\n"
		"            -a, -L: io_uring buffer registration (pin_user_pages FOLL_LONGTERM)\n"
		"            -U, -b: MADV_POPULATE_WRITE (the kernel's GUP slow walk)\n"
		"            over a host region of the same size; with -t THP-backed too, and\n"
		"            a 'THP:' line says how much of each region huge pages back\n"
		"  --progress   a progress line on stderr even when it is not a terminal\n"
		"               (default: only on a terminal)\n"
		"  --no-prefault  boot without touching every frame first: quicker to start\n"
		"               (a smoke run), but host page faults count in the times\n"
		"  -h, --help   this text\n"
		"exit status: 0 every call got every page; 1 a call failed or fell short, or the\n"
		"machine leaked; 2 bad option, or the region does not fit\n",
		BENCH_MAX_DUMP, MAX_REGION_MIB, MAX_REPEATS, MAX_PAGES_PER_CALL, MAX_THREADS);
}

static bool parse_bench_number(char opt, long long min, long long max, const char *accepted,
			       long long *val)
{
	char name[3] = {'-', opt, 0};

	return tool_parse_ll("bench", name, optarg, min, max, accepted, val);
}

/* One option with a value; false after the message naming it. */
static bool parse_bench_value(int c, struct bench_cli *cli)
{
	long long v;

	switch (c) {
	case 'm':
		if (!parse_bench_number('m', 1, MAX_REGION_MIB, "1..1048576 MiB", &v))
			return false;
		cli->cfg.size = (unsigned long)v * MB;
		return true;
	case 'r':
		if (!parse_bench_number('r', 1, MAX_REPEATS, "1..1000000", &v))
			return false;
		cli->repeats = (int)v;
		return true;
	case 'n':
		if (!parse_bench_number('n', -1, MAX_PAGES_PER_CALL,
					"-1 (whole range) or 1..2147483647", &v) ||
		    (v == 0 && !tool_arg_rejected("bench", "-n", optarg,
						  "-1 (whole range) or 1..2147483647")))
			return false;
		cli->cfg.nr_pages_per_call = (long)v;
		return true;
	case 'j':
		if (!parse_bench_number('j', 1, MAX_THREADS, "1..64", &v))
			return false;
		cli->cfg.threads = (int)v;
		return true;
	case 'F':
		if (!parse_bench_number('F', 0, 0xffffffffLL,
					"0..0xffffffff: decimal, 0x hex or 0 octal", &v))
			return false;
		cli->cfg.gup_flags = (unsigned int)v;
		return true;
	}
	return false;
}

/* The page indices after the options: gup_test's 0-based which_pages. */
static int parse_dump_indices(int argc, char **argv, struct bench_cli *cli)
{
	struct bench_config *cfg = &cli->cfg;
	unsigned long range_pages = thread_range_bytes(cfg) / PAGE_SIZE;
	char accepted[64];

	if (optind < argc && cfg->cmd != DUMP_USER_PAGES_TEST) {
		fprintf(stderr, "gup bench: page indices ('%s') are for -c only\n", argv[optind]);
		return GUP_EXIT_USAGE;
	}
	if (argc - optind > BENCH_MAX_DUMP) {
		fprintf(stderr,
			"gup bench: -c: at most %d page indices (gup_test's limit), got %d\n",
			BENCH_MAX_DUMP, argc - optind);
		return GUP_EXIT_USAGE;
	}
	snprintf(accepted, sizeof(accepted), "page index 0..%lu of the %s", range_pages - 1,
		 cfg->split ? "first thread's slice" : "region");
	cfg->nr_dump = 0;
	for (; optind < argc; optind++) {
		long long v;

		if (!tool_parse_ll("bench", "-c", argv[optind], 0, (long long)range_pages - 1,
				   accepted, &v))
			return GUP_EXIT_USAGE;
		cfg->dump_index[cfg->nr_dump++] = (unsigned long)v;
	}
	if (cfg->cmd == DUMP_USER_PAGES_TEST && !cfg->nr_dump)
		cfg->dump_index[cfg->nr_dump++] = 0; /* gup_test -c alone: page 0 */
	return 0;
}

/* Returns 0, GUP_EXIT_USAGE, or -1 for --help. */
static int parse_bench_args(int argc, char **argv, struct bench_cli *cli)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'J'},
		{"vs-kernel", no_argument, NULL, 'K'},
		{"split", no_argument, NULL, 's'},
		{"progress", no_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{"hugetlb-1g", no_argument, NULL, 'G'},
		{"no-prefault", no_argument, NULL, 'N'},
		{"device", no_argument, NULL, 'D'},
		{NULL, 0, NULL, 0},
	};
	static const char cmd_opts[] = "aLuUbc";
	static const enum bench_cmd cmds[] = {
		PIN_FAST_BENCHMARK, PIN_LONGTERM_BENCHMARK, GUP_FAST_BENCHMARK,
		GUP_BASIC_TEST,	    PIN_BASIC_TEST,	    DUMP_USER_PAGES_TEST,
	};
	int c;

	optind = 0; /* glibc: start afresh */
	while ((c = getopt_long(argc, argv, ":m:r:n:j:F:abcpLuUwWStTHh", longopts, NULL)) != -1) {
		const char *cmd = c ? strchr(cmd_opts, c) : NULL;

		if (cmd) {
			cli->cfg.cmd = cmds[cmd - cmd_opts];
			continue;
		}
		switch (c) {
		case 'm':
		case 'r':
		case 'n':
		case 'j':
		case 'F':
			if (!parse_bench_value(c, cli))
				return GUP_EXIT_USAGE;
			break;
		case 'p':
			cli->cfg.dump_use_pin = true;
			break;
		case 'w':
		case 'W':
			cli->write = c == 'w';
			break;
		case 'S':
			cli->cfg.shared = true;
			break;
		case 't':
		case 'T':
			cli->cfg.thp = c == 't' ? BENCH_THP_ON : BENCH_THP_OFF;
			break;
		case 'H':
			cli->cfg.hugetlb = cli->cfg.hugetlb ? cli->cfg.hugetlb : PMD_SIZE;
			break;
		case 'G':
			cli->cfg.hugetlb = PUD_SIZE;
			break;
		case 'N':
			cli->cfg.no_prefault = true;
			break;
		case 'D':
			cli->cfg.device = true;
			break;
		case 's':
			cli->cfg.split = true;
			break;
		case 'J':
			cli->json = true;
			break;
		case 'K':
			cli->vs_kernel = true;
			break;
		case 'P':
			cli->progress = true;
			break;
		case 'h':
			return -1;
		default:
			tool_bad_option("bench", c, argv);
			return GUP_EXIT_USAGE;
		}
	}
	if (cli->cfg.device && (cli->cfg.hugetlb || cli->cfg.thp != BENCH_THP_UNSET)) {
		fprintf(stderr, "gup bench: --device maps device memory: no -t, -T, -H\n");
		return GUP_EXIT_USAGE;
	}
	/* Device memory comes in 2 MiB subsections, and device-dax maps whole pmds. */
	if (cli->cfg.device)
		cli->cfg.size = (cli->cfg.size + PMD_SIZE - 1) & ~(PMD_SIZE - 1);
	/* As mmap(MAP_HUGETLB) does: the region is whole huge pages. */
	if (cli->cfg.hugetlb)
		cli->cfg.size = (cli->cfg.size + cli->cfg.hugetlb - 1) & ~(cli->cfg.hugetlb - 1);
	return parse_dump_indices(argc, argv, cli);
}

/* ------------------------------------------------------------------------- */
/* Will it fit?                                                              */
/* ------------------------------------------------------------------------- */

/* The number after @key in a /proc-style "key value" file, or 0. */
static unsigned long read_keyed_value(const char *path, const char *key)
{
	FILE *f = fopen(path, "r");
	unsigned long val = 0;
	char line[256];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) &&
		    sscanf(line + strlen(key), " %lu", &val) == 1)
			break;
	fclose(f);
	return val;
}

/* A file holding one number ("max" or missing: ULONG_MAX). */
static unsigned long read_number_file(const char *path)
{
	FILE *f = fopen(path, "r");
	unsigned long val = ULONG_MAX;

	if (f) {
		if (fscanf(f, "%lu", &val) != 1)
			val = ULONG_MAX;
		fclose(f);
	}
	return val;
}

/*
 * The most host memory this run may take, and which limit that is: the least
 * of MemAvailable, the cgroup's memory.max headroom, RLIMIT_AS and RLIMIT_DATA.
 */
static unsigned long host_memory_limit(const char **what)
{
	unsigned long avail = read_keyed_value("/proc/meminfo", "MemAvailable:") * 1024;
	unsigned long cg_max = read_number_file("/sys/fs/cgroup/memory.max");
	unsigned long cg_cur = read_number_file("/sys/fs/cgroup/memory.current");
	struct rlimit rl;

	*what = "MemAvailable in /proc/meminfo";
	if (!avail)
		avail = ULONG_MAX, *what = "no limit known";
	if (cg_max != ULONG_MAX && cg_cur != ULONG_MAX && cg_max - cg_cur < avail)
		avail = cg_max > cg_cur ? cg_max - cg_cur : 0, *what = "cgroup memory.max";
	if (!getrlimit(RLIMIT_AS, &rl) && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < avail)
		avail = rl.rlim_cur, *what = "RLIMIT_AS (ulimit -v)";
	if (!getrlimit(RLIMIT_DATA, &rl) && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < avail)
		avail = rl.rlim_cur, *what = "RLIMIT_DATA (ulimit -d)";
	return avail;
}

/* Refuse up front what the host cannot hold: the machine prefaults all of its memory. */
static int check_fits_host(const struct bench_cli *cli)
{
	const struct bench_config *cfg = &cli->cfg;
	unsigned long sim = bench_sim_footprint(cfg), need = sim;
	const char *what;
	unsigned long limit = host_memory_limit(&what);

	if (cli->vs_kernel && cfg->size > need)
		need = cfg->size; /* the host run comes after the machine is gone */
	if (need <= limit)
		return 0;
	fprintf(stderr,
		"gup bench: -m %lu: the run needs %lu MiB of host memory (a %lu MiB simulated "
		"machine and page arrays for %lu pages) but %lu MiB is available (%s); use a "
		"smaller -m\n",
		cfg->size / MB, need / MB, sim_mem_bytes(cfg) / MB, bench_expected_pages(cfg),
		limit / MB, what);
	return GUP_EXIT_USAGE;
}

/* ------------------------------------------------------------------------- */
/* Running and reporting                                                     */
/* ------------------------------------------------------------------------- */

static void progress(const struct bench_cli *cli, int done)
{
	bool tty = isatty(2);

	if (!tty && !cli->progress)
		return;
	fprintf(stderr, "%sgup bench: %s repeat %d/%d%s", tty ? "\r" : "",
		bench_cmd_name(cli->cfg.cmd), done, cli->repeats, tty ? "" : "\n");
	if (tty && done == cli->repeats)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

static double ns_per_page(double us, unsigned long pages)
{
	return pages ? us * 1000.0 / (double)pages : 0;
}

static double ratio(double libgup, double host)
{
	return host > 0 ? libgup / host : 0;
}

/* The host measurement that matches the command, over a region like the machine's. */
static void measure_host(const struct bench_cli *cli, struct host_sample *host)
{
	enum bench_cmd cmd = cli->cfg.cmd;
	struct host_run run = {.size = cli->cfg.size,
			       .pages_per_call = cli->cfg.nr_pages_per_call,
			       .thp = cli->cfg.thp,
			       .repeats = cli->repeats,
			       .hugetlb_flags = hugetlb_map_flags(&cli->cfg)};

	if (cmd == GUP_FAST_BENCHMARK)
		host_bench_gup_fast(&run, host);
	else if (cmd == PIN_FAST_BENCHMARK || cmd == PIN_LONGTERM_BENCHMARK)
		host_bench_pin(&run, host);
	else if (cmd == GUP_BASIC_TEST || cmd == PIN_BASIC_TEST)
		host_bench_populate(&run, host);
	else
		snprintf(host->note, sizeof(host->note), "no host equivalent for %s",
			 bench_cmd_name(cmd));
}

static const char *which_is_faster(double r)
{
	return r < 1 ? "libgup faster" : r > 1 ? "host faster" : "even";
}

static double mib(unsigned long bytes)
{
	return (double)bytes / (double)MB;
}

/* With -t or -T: how much of each region huge pages back, and the host's THP mode. */
static void print_thp_backing(const struct bench_cli *cli, unsigned long sim_thp_bytes,
			      const struct host_sample *host)
{
	char enabled[128];

	if (cli->cfg.thp == BENCH_THP_UNSET)
		return;
	printf("THP: libgup %.0f of %.0f MiB in huge pages (AnonHugePages)", mib(sim_thp_bytes),
	       mib(cli->cfg.size));
	if (host->ok)
		printf(", host %.0f of %.0f MiB (transparent_hugepage/enabled: %s)",
		       mib(host->thp_bytes), mib(cli->cfg.size),
		       host_thp_enabled(enabled, sizeof(enabled)));
	printf("\n");
}

static void print_vs_kernel(const struct bench_cli *cli, const struct bench_sample *best,
			    const struct host_sample *host)
{
	unsigned long pages = cli->cfg.size / PAGE_SIZE;
	double r;

	if (!host->ok) {
		printf("host kernel: skipped: %s\n", host->note);
		return;
	}
	/* The host side runs on one thread over a private mapping, whatever -j and -S say. */
	printf("host kernel (%s; 1 thread, MAP_PRIVATE): Time: get:%.0f", host->mechanism,
	       host->get_us);
	if (host->put_us >= 0)
		printf(" put:%.0f", host->put_us);
	printf(" us (%s)\n", host->note);
	r = ratio(ns_per_page(best->get_us, best->pages), ns_per_page(host->get_us, pages));
	printf("libgup/host: get %.2f/%.2f ns/page = %.2f (%s)",
	       ns_per_page(best->get_us, best->pages), ns_per_page(host->get_us, pages), r,
	       which_is_faster(r));
	if (host->put_us >= 0) {
		r = ratio(ns_per_page(best->put_us, best->pages), ns_per_page(host->put_us, pages));
		printf(", put %.2f/%.2f ns/page = %.2f (%s)",
		       ns_per_page(best->put_us, best->pages), ns_per_page(host->put_us, pages), r,
		       which_is_faster(r));
	}
	printf("\n");
}

static void print_dump_json(const struct bench_sample *s)
{
	printf(",\"dump\":[");
	for (int i = 0; i < s->nr_dump; i++) {
		const struct bench_page_dump *d = &s->dump[i];

		printf("%s{\"index\":%lu,\"pfn\":%lu,\"refcount\":%d,\"mapcount\":%d,"
		       "\"flags\":\"%#lx\",\"dma_pinned\":%s}",
		       i ? "," : "", d->index, d->pfn, d->refcount, d->mapcount, d->flags,
		       d->dma_pinned ? "true" : "false");
	}
	printf("]");
}

static void print_sample_json(const struct bench_cli *cli, const struct bench_sample *s)
{
	printf("{\"get_us\":%.1f,\"put_us\":%.1f,\"pages\":%lu,\"expected\":%lu,"
	       "\"truncated\":%s,\"error\":\"%s\",\"get_ns_per_page\":%.2f,"
	       "\"put_ns_per_page\":%.2f",
	       s->get_us, s->put_us, s->pages, s->expected,
	       s->pages != s->expected ? "true" : "false", s->error ? strerror(-s->error) : "",
	       ns_per_page(s->get_us, s->pages), ns_per_page(s->put_us, s->pages));
	if (cli->cfg.cmd == DUMP_USER_PAGES_TEST)
		print_dump_json(s);
	printf("}");
}

static void print_host_json(const struct bench_cli *cli, const struct bench_sample *best,
			    const struct host_sample *host)
{
	unsigned long pages = cli->cfg.size / PAGE_SIZE;
	double host_get = ns_per_page(host->get_us, pages);
	double host_put = host->put_us >= 0 ? ns_per_page(host->put_us, pages) : 0;

	char enabled[128];

	printf(",\"host\":{\"ok\":%s,\"mechanism\":\"%s\",\"threads\":1,\"get_us\":%.1f,\"put_us\":"
	       "%.1f,"
	       "\"calls\":%lu,\"get_ns_per_page\":%.2f,\"put_ns_per_page\":%.2f,\"note\":\"%s\","
	       "\"thp_bytes\":%lu,\"thp_enabled\":\"%s\"}",
	       host->ok ? "true" : "false", host->mechanism ? host->mechanism : "", host->get_us,
	       host->put_us, host->calls, host_get, host_put, host->note, host->thp_bytes,
	       host_thp_enabled(enabled, sizeof(enabled)));
	if (host->ok)
		printf(",\"libgup_over_host\":{\"get\":%.3f,\"put\":%.3f}",
		       ratio(ns_per_page(best->get_us, best->pages), host_get),
		       ratio(ns_per_page(best->put_us, best->pages), host_put));
}

static const char *thp_mode_name(enum bench_thp thp)
{
	return thp == BENCH_THP_ON    ? "madv_hugepage"
	       : thp == BENCH_THP_OFF ? "madv_nohugepage"
				      : "unset";
}

/* --device's THP side, measured on a machine of its own: per page and as ratios. */
static void print_vs_thp_json(const struct bench_sample *d, const struct bench_sample *t)
{
	printf(",\"vs_thp\":{\"get_ns_per_page\":%.2f,\"put_ns_per_page\":%.2f,"
	       "\"get_ratio\":%.3f,\"put_ratio\":%.3f}",
	       ns_per_page(t->get_us, t->pages), ns_per_page(t->put_us, t->pages),
	       ratio(ns_per_page(d->get_us, d->pages), ns_per_page(t->get_us, t->pages)),
	       ratio(ns_per_page(d->put_us, d->pages), ns_per_page(t->put_us, t->pages)));
}

/* @thp_best: --device's THP side (the best of its repeats), or NULL. */
static void print_json(const struct bench_cli *cli, const struct bench_sample *samples,
		       const struct bench_sample *best, const struct host_sample *host,
		       unsigned long thp_bytes, const struct bench_sample *thp_best, bool ok)
{
	const struct bench_config *cfg = &cli->cfg;

	printf("{\"cmd\":\"%s\",\"size_mib\":%lu,\"nr_pages_per_call\":%ld,\"threads\":%d,"
	       "\"split\":%s,\"thp\":%s,\"thp_mode\":\"%s\",\"thp_bytes\":%lu,"
	       "\"gup_flags\":\"%#x\",\"shared\":%s,\"repeats\":%d,\"samples\":[",
	       bench_cmd_name(cfg->cmd), cfg->size / MB, cfg->nr_pages_per_call, cfg->threads,
	       cfg->split ? "true" : "false", cfg->thp == BENCH_THP_ON ? "true" : "false",
	       thp_mode_name(cfg->thp), thp_bytes, cfg->gup_flags, cfg->shared ? "true" : "false",
	       cli->repeats);
	for (int i = 0; i < cli->repeats; i++) {
		printf("%s", i ? "," : "");
		print_sample_json(cli, &samples[i]);
	}
	printf("],\"best\":{\"get_ns_per_page\":%.2f,\"put_ns_per_page\":%.2f}",
	       ns_per_page(best->get_us, best->pages), ns_per_page(best->put_us, best->pages));
	if (cli->vs_kernel)
		print_host_json(cli, best, host);
	if (thp_best)
		print_vs_thp_json(best, thp_best);
	printf(",\"ok\":%s}\n", ok ? "true" : "false");
}

static void print_sample(const struct bench_cli *cli, const struct bench_sample *s)
{
	printf("%s: Time: get:%.0f put:%.0f us", bench_cmd_name(cli->cfg.cmd), s->get_us,
	       s->put_us);
	if (s->pages != s->expected)
		printf(", truncated (size: %lu of %lu)", s->pages * PAGE_SIZE,
		       s->expected * PAGE_SIZE);
	if (s->error)
		printf(", a call failed: %s", strerror(-s->error));
	printf("\n");
	for (int i = 0; i < s->nr_dump; i++) {
		const struct bench_page_dump *d = &s->dump[i];

		printf("page #%lu: pfn:%#lx refcount:%d mapcount:%d flags:%#lx%s\n", d->index,
		       d->pfn, d->refcount, d->mapcount, d->flags,
		       d->dma_pinned ? " (dma pinned)" : "");
	}
}

/*
 * The best of the repeats, phase by phase: the fastest get, and the fastest put
 * among the repeats that got as many pages (one slow minute of a noisy machine
 * should not decide either).
 */
static struct bench_sample best_of(const struct bench_sample *samples, int repeats)
{
	struct bench_sample best = samples[0];

	for (int i = 1; i < repeats; i++)
		if (samples[i].get_us < best.get_us)
			best = samples[i];
	for (int i = 0; i < repeats; i++)
		if (samples[i].pages == best.pages && samples[i].put_us < best.put_us)
			best.put_us = samples[i].put_us;
	return best;
}

/* The repeats of one machine running a configuration; what a bench run measures. */
struct bench_run {
	struct bench_sample *samples, best;
	unsigned long thp_bytes;
	int leaks, short_runs;
};

/*
 * Boot a machine for @cfg and run repeats [@first, @end) on it into @run's samples
 * (allocated for every repeat on the first call), printing each sample when @print.
 * Return: 0, or -1 when the machine could not be set up.
 */
static int run_repeats(const struct bench_cli *cli, const struct bench_config *cfg, bool print,
		       struct bench_run *run, int first, int end)
{
	struct bench_cli one = *cli;
	struct bench_sim *bs;

	one.cfg = *cfg;
	if (!run->samples)
		run->samples = calloc((size_t)cli->repeats, sizeof(*run->samples));
	if (!run->samples || bench_sim_open(cfg, &bs))
		return -1;
	run->thp_bytes = bench_sim_thp_bytes(bs);
	if (cfg->thp == BENCH_THP_ON && run->thp_bytes < cfg->size)
		fprintf(stderr, "gup bench: -t: huge pages back only %.0f of the %.0f MiB region\n",
			mib(run->thp_bytes), mib(cfg->size));
	for (int i = first; i < end; i++) {
		bench_sim_run(bs, &run->samples[i]);
		if (print)
			print_sample(&one, &run->samples[i]);
		run->short_runs +=
			run->samples[i].pages != run->samples[i].expected || run->samples[i].error;
		progress(cli, i + 1);
	}
	run->leaks += bench_sim_close(bs);
	return 0;
}

/* Blocks of repeats --device takes on each side in turn. */
#define DEVICE_BLOCKS 3

/*
 * --device: the same run over a THP region (-t) on a machine of its own, so the
 * devmap pmd's cost per page stands side by side with the THP pmd's. The repeats
 * go in DEVICE_BLOCKS blocks, a devmap block and a THP block in turn, so a change
 * of load during the run falls on both sides alike and the best of each compares.
 * Return: 0, or -1 when a machine could not be set up.
 */
static int run_device_and_thp(const struct bench_cli *cli, struct bench_run *run,
			      struct bench_run *thp)
{
	struct bench_config thp_cfg = cli->cfg;

	thp_cfg.device = false;
	thp_cfg.thp = BENCH_THP_ON;
	for (int b = 0; b < DEVICE_BLOCKS; b++) {
		int first = cli->repeats * b / DEVICE_BLOCKS,
		    end = cli->repeats * (b + 1) / DEVICE_BLOCKS;

		if (first == end)
			continue;
		if (run_repeats(cli, &cli->cfg, !cli->json, run, first, end) ||
		    run_repeats(cli, &thp_cfg, false, thp, first, end))
			return -1;
	}
	return 0;
}

static void print_vs_thp(const struct bench_sample *d, const struct bench_sample *t)
{
	printf("devmap/THP: get %.2f/%.2f ns/page = %.2f, put %.2f/%.2f ns/page = %.2f "
	       "(best of each)\n",
	       ns_per_page(d->get_us, d->pages), ns_per_page(t->get_us, t->pages),
	       ratio(ns_per_page(d->get_us, d->pages), ns_per_page(t->get_us, t->pages)),
	       ns_per_page(d->put_us, d->pages), ns_per_page(t->put_us, t->pages),
	       ratio(ns_per_page(d->put_us, d->pages), ns_per_page(t->put_us, t->pages)));
}

static int run_bench(const struct bench_cli *cli)
{
	struct host_sample host = {.put_us = -1};
	struct bench_run run = {0}, thp = {0};
	bool ok;

	if (cli->cfg.device ? run_device_and_thp(cli, &run, &thp)
			    : run_repeats(cli, &cli->cfg, !cli->json, &run, 0, cli->repeats)) {
		free(run.samples);
		free(thp.samples);
		return GUP_EXIT_USAGE;
	}
	run.best = best_of(run.samples, cli->repeats);
	if (cli->cfg.device)
		thp.best = best_of(thp.samples, cli->repeats);
	ok = !run.short_runs && !run.leaks && !thp.short_runs && !thp.leaks;
	if (cli->vs_kernel)
		measure_host(cli, &host);
	if (cli->json) {
		print_json(cli, run.samples, &run.best, &host, run.thp_bytes,
			   cli->cfg.device ? &thp.best : NULL, ok);
	} else {
		if (cli->cfg.device)
			print_vs_thp(&run.best, &thp.best);
		if (cli->vs_kernel) {
			print_vs_kernel(cli, &run.best, &host);
			print_thp_backing(cli, run.thp_bytes, &host);
		}
	}
	if (run.short_runs || thp.short_runs)
		fprintf(stderr, "gup bench: %d of %d repeats did not get every page\n",
			run.short_runs + thp.short_runs, cli->repeats * (cli->cfg.device ? 2 : 1));
	free(run.samples);
	free(thp.samples);
	return ok ? GUP_EXIT_OK : GUP_EXIT_FAILED;
}

int gup_bench_main(int argc, char **argv)
{
	struct bench_cli cli = {
		.cfg = {.size = 128 * MB,
			.nr_pages_per_call = 1,
			.threads = 1,
			.cmd = GUP_FAST_BENCHMARK},
		.repeats = 1,
		.write = true, /* gup_test's default */
	};
	int ret = parse_bench_args(argc, argv, &cli);

	if (ret < 0) {
		bench_usage(stdout);
		return GUP_EXIT_OK;
	}
	if (ret)
		return ret;
	if (cli.write)
		cli.cfg.gup_flags |= FOLL_WRITE;
	ret = check_fits_host(&cli);
	return ret ? ret : run_bench(&cli);
}
