// SPDX-License-Identifier: GPL-2.0-only
/*
 * `gup bench`: the kernel's tools/testing/selftests/vm/gup_test.c in userspace.
 * Same options, defaults and output lines, run against the simulated machine,
 * with --json and --vs-kernel (the host kernel's equivalent, timed alongside).
 */
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libgup.h>
#include "bench.h"
#include "gup_calls.h"

#define MB (1UL << 20)
#define SIM_OVERHEAD_BYTES (64UL << 20) /* page tables, zero page, slack */
#define SIM_GRANULE (4UL << 20)		/* sim_boot() sizes are multiples of this */

struct bench_worker {
	struct bench_sim *bs;
	struct task_struct *task;
	unsigned long start, end; /* this thread's slice */
	struct page **pages;
	unsigned long got;
	double get_start, get_end, put_start, put_end; /* stamped by the worker itself */
	pthread_t thread;
};

struct bench_sim {
	struct bench_config cfg;
	struct task_struct *proc;
	unsigned long region;
	pthread_barrier_t go, got, put;
	int ready_get, ready_put; /* workers that reached the phase's start line */
	bool quit;
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
static long gup_call(enum bench_cmd cmd, unsigned long addr, long nr, unsigned int flags,
		     struct page **pages)
{
	enum gup_entry entry = GUP_GET;

	if (cmd == GUP_FAST_BENCHMARK) {
		entry = GUP_GET_FAST;
	} else if (cmd == PIN_FAST_BENCHMARK) {
		entry = GUP_PIN_FAST;
	} else if (cmd == PIN_LONGTERM_BENCHMARK) {
		entry = GUP_PIN;
		flags |= FOLL_LONGTERM;
	} else if (bench_cmd_pins(cmd, flags)) {
		entry = GUP_PIN;
		flags &= ~FOLL_PIN;
	}
	return gup_call_entry(entry, current->mm, addr, nr, flags, pages, NULL, NULL);
}

/* Stops at the first short call, as gup_test does; returns the pages got. */
static unsigned long get_slice(struct bench_worker *w)
{
	const struct bench_config *cfg = &w->bs->cfg;
	unsigned long total = (w->end - w->start) / PAGE_SIZE;
	long per_call = cfg->nr_pages_per_call < 0 ? (long)total : cfg->nr_pages_per_call;
	unsigned long i = 0;

	while (i < total) {
		long nr = (long)(total - i) < per_call ? (long)(total - i) : per_call;
		long ret = gup_call(cfg->cmd, w->start + i * PAGE_SIZE, nr, cfg->gup_flags,
				    w->pages + i);

		if (ret > 0)
			i += (unsigned long)ret;
		if (ret != nr)
			break;
	}
	return i;
}

static void put_slice(struct bench_worker *w)
{
	if (bench_cmd_pins(w->bs->cfg.cmd, w->bs->cfg.gup_flags)) {
		unpin_user_pages(w->pages, w->got);
		return;
	}
	for (unsigned long i = 0; i < w->got; i++)
		put_page(w->pages[i]);
}

/* gup_test's dump: what the kernel's dump_page() would say about a few pages. */
static void dump_slice(const struct bench_worker *w)
{
	for (unsigned long i = 0; i < w->got && i < 3; i++) {
		struct page *page = w->pages[i];

		printf("page:%p pfn:%#lx refcount:%d mapcount:%d flags:%#lx%s\n", (void *)page,
		       page_to_pfn(page), page_ref_count(page), page_mapcount(page),
		       page->flags & ((1UL << __NR_PAGEFLAGS) - 1),
		       page_maybe_dma_pinned(page) ? " (dma pinned)" : "");
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

	set_current(w->task);
	for (;;) {
		pthread_barrier_wait(&bs->go);
		if (bs->quit)
			break;
		start_line(&bs->ready_get, bs->cfg.threads);
		w->get_start = now_us();
		w->got = get_slice(w);
		w->get_end = now_us();
		pthread_barrier_wait(&bs->got);
		if (bs->cfg.cmd == DUMP_USER_PAGES_TEST && w == bs->workers)
			dump_slice(w);
		start_line(&bs->ready_put, bs->cfg.threads);
		w->put_start = now_us();
		put_slice(w);
		w->put_end = now_us();
		pthread_barrier_wait(&bs->put);
	}
	task_exit(w->task);
	return NULL;
}

/* ------------------------------------------------------------------------- */
/* The simulated machine                                                     */
/* ------------------------------------------------------------------------- */

static int map_populated_region(struct bench_sim *bs)
{
	unsigned long type = bs->cfg.shared ? MAP_SHARED : MAP_PRIVATE;
	unsigned long addr =
		sys_mmap(0, bs->cfg.size, PROT_READ | PROT_WRITE, type | MAP_ANONYMOUS, -1, 0);

	if (IS_ERR_VALUE(addr))
		return (int)addr;
	bs->region = addr;
	/* gup_test touches every page from userspace first: time GUP, not faults. */
	return sys_madvise(addr, bs->cfg.size, MADV_POPULATE_WRITE);
}

static int start_bench_workers(struct bench_sim *bs)
{
	int n = bs->cfg.threads;
	unsigned long slice = bs->cfg.size / PAGE_SIZE / (unsigned long)n * PAGE_SIZE;

	pthread_barrier_init(&bs->go, NULL, (unsigned int)n + 1);
	pthread_barrier_init(&bs->got, NULL, (unsigned int)n + 1);
	pthread_barrier_init(&bs->put, NULL, (unsigned int)n + 1);
	for (int i = 0; i < n; i++) {
		struct bench_worker *w = &bs->workers[i];

		w->bs = bs;
		w->start = bs->region + (unsigned long)i * slice;
		w->end = i == n - 1 ? bs->region + bs->cfg.size : w->start + slice;
		w->pages = calloc((w->end - w->start) / PAGE_SIZE, sizeof(*w->pages));
		w->task = task_clone_thread(bs->proc);
		if (!w->pages || !w->task || pthread_create(&w->thread, NULL, bench_worker_main, w))
			return -ENOMEM;
	}
	return 0;
}

int bench_sim_open(const struct bench_config *cfg, struct bench_sim **simp)
{
	unsigned long mem = (cfg->size + SIM_OVERHEAD_BYTES + SIM_GRANULE - 1) & ~(SIM_GRANULE - 1);
	struct sim_config sc = {.mem_bytes = mem, .prefault = true};
	struct bench_sim *bs = calloc(1, sizeof(*bs));
	int ret;

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
	for (int i = 0; i < bs->cfg.threads; i++) {
		const struct bench_worker *w = &bs->workers[i];

		get_start = w->get_start < get_start ? w->get_start : get_start;
		get_end = w->get_end > get_end ? w->get_end : get_end;
		put_start = w->put_start < put_start ? w->put_start : put_start;
		put_end = w->put_end > put_end ? w->put_end : put_end;
		sample->pages += w->got;
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
		pthread_join(bs->workers[i].thread, NULL);
		free(bs->workers[i].pages);
	}
	sys_munmap(bs->region, bs->cfg.size);
	task_exit(bs->proc);
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

struct bench_cli {
	struct bench_config cfg;
	int repeats;
	bool write, json, vs_kernel;
};

static void bench_usage(FILE *out)
{
	fprintf(out,
		"usage: gup bench [-a|-L|-u|-U|-b|-c] [-m MiB] [-r N] [-n N] [-j N] [-F hex] "
		"[-w|-W]\n"
		"                 [-S] [-t|-T|-H] [--json] [--vs-kernel]\n"
		"  -a PIN_FAST_BENCHMARK   -L PIN_LONGTERM_BENCHMARK   -u GUP_FAST_BENCHMARK "
		"(default)\n"
		"  -U GUP_BASIC_TEST       -b PIN_BASIC_TEST           -c DUMP_USER_PAGES_TEST\n"
		"  -m MiB region (128)  -r repeats (1)  -n pages per call, -1 whole range (1)\n"
		"  -j threads, each on its own slice (1)  -F extra gup flags (hex)\n"
		"  -w FOLL_WRITE (default)  -W read only  -S MAP_SHARED  -t/-T/-H THP, hugetlb\n"
		"  --json  machine-readable results   --vs-kernel  time the host kernel too\n");
}

/* THP and hugetlb runs need compound pages in the machine, which come later. */
static int refuse_huge(void)
{
	fprintf(stderr,
		"gup bench: not yet supported: huge pages arrive with the huge-page issue\n");
	return GUP_EXIT_USAGE;
}

/* Returns 0, GUP_EXIT_USAGE, or -1 for "refuse huge pages". */
static int parse_bench_args(int argc, char **argv, struct bench_cli *cli)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'J'},
		{"vs-kernel", no_argument, NULL, 'K'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool huge = false;
	int c;

	optind = 0; /* glibc: start afresh */
	while ((c = getopt_long(argc, argv, "m:r:n:j:F:abcLuUwWStTH", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			cli->cfg.size = strtoul(optarg, NULL, 0) * MB;
			break;
		case 'r':
			cli->repeats = atoi(optarg);
			break;
		case 'n':
			cli->cfg.nr_pages_per_call = strtol(optarg, NULL, 0);
			break;
		case 'j':
			cli->cfg.threads = atoi(optarg);
			break;
		case 'F':
			cli->cfg.gup_flags = (unsigned int)strtoul(optarg, NULL, 16);
			break;
		case 'a':
			cli->cfg.cmd = PIN_FAST_BENCHMARK;
			break;
		case 'L':
			cli->cfg.cmd = PIN_LONGTERM_BENCHMARK;
			break;
		case 'u':
			cli->cfg.cmd = GUP_FAST_BENCHMARK;
			break;
		case 'U':
			cli->cfg.cmd = GUP_BASIC_TEST;
			break;
		case 'b':
			cli->cfg.cmd = PIN_BASIC_TEST;
			break;
		case 'c':
			cli->cfg.cmd = DUMP_USER_PAGES_TEST;
			break;
		case 'w':
			cli->write = true;
			break;
		case 'W':
			cli->write = false;
			break;
		case 'S':
			cli->cfg.shared = true;
			break;
		case 't':
		case 'T':
		case 'H':
			huge = true;
			break;
		case 'J':
			cli->json = true;
			break;
		case 'K':
			cli->vs_kernel = true;
			break;
		default:
			return GUP_EXIT_USAGE;
		}
	}
	if (optind != argc || !cli->cfg.size || cli->repeats < 1 || cli->cfg.threads < 1 ||
	    cli->cfg.nr_pages_per_call == 0 || cli->cfg.nr_pages_per_call < -1)
		return GUP_EXIT_USAGE;
	return huge ? -1 : 0;
}

static void progress(int done, int total)
{
	if (!isatty(2))
		return;
	fprintf(stderr, "\r[%-20.*s] %d/%d", done * 20 / total, "####################", done,
		total);
	if (done == total)
		fputs("\r\033[K", stderr);
}

static double ns_per_page(double us, unsigned long pages)
{
	return pages ? us * 1000.0 / (double)pages : 0;
}

/* The host measurement that matches the command: io_uring pins or a populate walk. */
static void measure_host(const struct bench_cli *cli, struct host_sample *host)
{
	bool fast_pin =
		cli->cfg.cmd == PIN_FAST_BENCHMARK || cli->cfg.cmd == PIN_LONGTERM_BENCHMARK;

	if (fast_pin)
		host_bench_pin(cli->cfg.size, cli->cfg.nr_pages_per_call, host);
	else if (cli->cfg.cmd == GUP_BASIC_TEST || cli->cfg.cmd == PIN_BASIC_TEST)
		host_bench_populate(cli->cfg.size, host);
	else
		snprintf(host->note, sizeof(host->note), "no host equivalent for %s",
			 bench_cmd_name(cli->cfg.cmd));
}

static void print_vs_kernel(const struct bench_cli *cli, const struct bench_sample *best,
			    const struct host_sample *host)
{
	unsigned long pages = cli->cfg.size / PAGE_SIZE;

	if (!host->ok) {
		printf("host kernel: skipped: %s\n", host->note);
		return;
	}
	printf("host kernel: Time: get:%.0f", host->get_us);
	if (host->put_us >= 0)
		printf(" put:%.0f", host->put_us);
	printf(" us (%s)\n", host->note);
	printf("libgup vs host: get %.1f vs %.1f ns/page (ratio %.2f)",
	       ns_per_page(best->get_us, best->pages), ns_per_page(host->get_us, pages),
	       host->get_us > 0 ? best->get_us / host->get_us : 0);
	if (host->put_us >= 0)
		printf(", put %.1f vs %.1f ns/page (ratio %.2f)",
		       ns_per_page(best->put_us, best->pages), ns_per_page(host->put_us, pages),
		       host->put_us > 0 ? best->put_us / host->put_us : 0);
	printf("\n");
}

static void print_json(const struct bench_cli *cli, const struct bench_sample *samples,
		       const struct host_sample *host)
{
	printf("{\"cmd\":\"%s\",\"size_mib\":%lu,\"nr_pages_per_call\":%ld,\"threads\":%d,"
	       "\"gup_flags\":\"%#x\",\"shared\":%s,\"samples\":[",
	       bench_cmd_name(cli->cfg.cmd), cli->cfg.size / MB, cli->cfg.nr_pages_per_call,
	       cli->cfg.threads, cli->cfg.gup_flags, cli->cfg.shared ? "true" : "false");
	for (int i = 0; i < cli->repeats; i++)
		printf("%s{\"get_us\":%.1f,\"put_us\":%.1f,\"pages\":%lu,\"get_ns_per_page\":%.2f,"
		       "\"put_ns_per_page\":%.2f}",
		       i ? "," : "", samples[i].get_us, samples[i].put_us, samples[i].pages,
		       ns_per_page(samples[i].get_us, samples[i].pages),
		       ns_per_page(samples[i].put_us, samples[i].pages));
	printf("]");
	if (cli->vs_kernel)
		printf(",\"host\":{\"ok\":%s,\"get_us\":%.1f,\"put_us\":%.1f,\"calls\":%lu,"
		       "\"note\":\"%s\"}",
		       host->ok ? "true" : "false", host->get_us, host->put_us, host->calls,
		       host->note);
	printf("}\n");
}

static void print_sample(const struct bench_cli *cli, const struct bench_sample *s)
{
	printf("%s: Time: get:%.0f put:%.0f us", bench_cmd_name(cli->cfg.cmd), s->get_us,
	       s->put_us);
	if (s->pages != cli->cfg.size / PAGE_SIZE)
		printf(", truncated (size: %lu)", s->pages * PAGE_SIZE);
	printf("\n");
}

static int run_bench(const struct bench_cli *cli)
{
	struct bench_sample *samples = calloc((size_t)cli->repeats, sizeof(*samples));
	struct host_sample host = {.put_us = -1};
	const struct bench_sample *best;
	struct bench_sim *bs;
	int leaks;

	if (!samples || bench_sim_open(&cli->cfg, &bs))
		return GUP_EXIT_USAGE;
	best = samples;
	for (int i = 0; i < cli->repeats; i++) {
		bench_sim_run(bs, &samples[i]);
		if (!cli->json)
			print_sample(cli, &samples[i]);
		if (samples[i].get_us < best->get_us)
			best = &samples[i];
		progress(i + 1, cli->repeats);
	}
	leaks = bench_sim_close(bs);
	if (cli->vs_kernel)
		measure_host(cli, &host);
	if (cli->json)
		print_json(cli, samples, &host);
	else if (cli->vs_kernel)
		print_vs_kernel(cli, best, &host);
	free(samples);
	return leaks ? GUP_EXIT_FAILED : GUP_EXIT_OK;
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

	if (ret < 0)
		return refuse_huge();
	if (ret) {
		bench_usage(stderr);
		return ret;
	}
	if (cli.write)
		cli.cfg.gup_flags |= FOLL_WRITE;
	return run_bench(&cli);
}
