// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_gup_bench: ns per page of the GUP entry points over a populated 256 MiB
 * region of 4 KiB pages -- fast pin/unpin, fast get/put, slow pin -- at 1 and 512
 * pages per call, on 1 and 2 threads, next to the host kernel's equivalents; then
 * fast pin/unpin of the region THP-backed (gup bench -t) beside the host's pin of
 * its own THP region.
 */
#include <stdio.h>
#include <libgup.h>
#include "bench.h"

#define REGION_BYTES (256UL << 20)
#define REPEATS 5

struct bench_case {
	enum bench_cmd cmd;
	const char *get_name, *put_name;
};

static const struct bench_case cases[] = {
	{PIN_FAST_BENCHMARK, "pin_user_pages_fast", "unpin_user_pages"},
	{GUP_FAST_BENCHMARK, "get_user_pages_fast", "put_page"},
	{PIN_BASIC_TEST, "pin_user_pages (slow path)", "unpin_user_pages"},
};

static const long pages_per_call[] = {1, 512};

/* The best (lowest get time) of REPEATS runs. */
static void best_of_repeats(const struct bench_config *cfg, struct bench_sample *best)
{
	struct bench_sim *bs;

	if (bench_sim_open(cfg, &bs)) {
		*best = (struct bench_sample){0};
		return;
	}
	for (int i = 0; i < REPEATS; i++) {
		struct bench_sample s;

		bench_sim_run(bs, &s);
		if (i == 0 || s.get_us + s.put_us < best->get_us + best->put_us)
			*best = s;
	}
	bench_sim_close(bs);
}

static double per_page(double us, unsigned long pages)
{
	return pages ? us * 1000.0 / (double)pages : 0;
}

static void bench_one(const struct bench_case *c, long nr, double *one_thread_ns)
{
	for (int threads = 1; threads <= 2; threads++) {
		struct bench_config cfg = {
			.size = REGION_BYTES,
			.nr_pages_per_call = nr,
			.threads = threads,
			.split = true, /* disjoint ranges: the scaling figure */
			.cmd = c->cmd,
			.gup_flags = FOLL_WRITE,
		};
		struct bench_sample s;
		double get_ns, put_ns;

		best_of_repeats(&cfg, &s);
		get_ns = per_page(s.get_us, s.pages);
		put_ns = per_page(s.put_us, s.pages);
		printf("| %-26s | %3ld | %d | %7.2f | %-16s %7.2f |", c->get_name, nr, threads,
		       get_ns, c->put_name, put_ns);
		if (threads == 1)
			*one_thread_ns = get_ns + put_ns;
		else
			printf(" %.2fx", (*one_thread_ns) / (get_ns + put_ns));
		printf("\n");
	}
}

static void bench_host(void)
{
	struct host_sample h;
	unsigned long pages = REGION_BYTES / 4096;

	for (size_t i = 0; i < sizeof(pages_per_call) / sizeof(pages_per_call[0]); i++) {
		struct host_run run = {REGION_BYTES, pages_per_call[i], BENCH_THP_OFF, REPEATS, 0};

		host_bench_pin(&run, &h);
		if (h.ok)
			printf("| host io_uring register     | %3ld | 1 | %7.2f | %-16s %7.2f | "
			       "(%s)\n",
			       pages_per_call[i], per_page(h.get_us, pages), "unregister",
			       per_page(h.put_us, pages), h.note);
		else
			printf("host io_uring: skipped: %s\n", h.note);
	}
	host_bench_populate(&(struct host_run){REGION_BYTES, -1, BENCH_THP_OFF, REPEATS, 0}, &h);
	if (h.ok)
		printf("| host MADV_POPULATE_WRITE   |   - | 1 | %7.2f | %-16s %7s | (%s)\n",
		       per_page(h.get_us, pages), "-", "-", h.note);
	else
		printf("host MADV_POPULATE_WRITE: skipped: %s\n", h.note);
}

/* pin_user_pages_fast / unpin_user_pages at 512 pages a call over THPs, against the host's. */
static void bench_thp(void)
{
	struct bench_config cfg = {
		.size = REGION_BYTES,
		.nr_pages_per_call = 512,
		.threads = 1,
		.cmd = PIN_FAST_BENCHMARK,
		.gup_flags = FOLL_WRITE,
		.thp = BENCH_THP_ON,
	};
	struct host_run run = {REGION_BYTES, 512, BENCH_THP_ON, REPEATS, 0};
	double get_ns, put_ns, host_get_ns, host_put_ns;
	unsigned long pages = REGION_BYTES / 4096;
	struct bench_sample s;
	struct host_sample h;

	best_of_repeats(&cfg, &s);
	get_ns = per_page(s.get_us, s.pages);
	put_ns = per_page(s.put_us, s.pages);
	printf("THP-backed (MADV_HUGEPAGE), 512 pages/call, 1 thread: pin_user_pages_fast %.2f, "
	       "unpin_user_pages %.2f ns/page\n",
	       get_ns, put_ns);
	host_bench_pin(&run, &h);
	if (!h.ok) {
		printf("host io_uring (THP): skipped: %s\n", h.note);
		return;
	}
	host_get_ns = per_page(h.get_us, pages);
	host_put_ns = per_page(h.put_us, pages);
	printf("host io_uring register %.2f, unregister %.2f ns/page (%lu of %lu MiB THP; %s)\n",
	       host_get_ns, host_put_ns, h.thp_bytes >> 20, REGION_BYTES >> 20, h.note);
	printf("libgup/host: pin %.2f, unpin %.2f (target: at most 0.5 each)\n",
	       get_ns / host_get_ns, put_ns / host_put_ns);
}

int main(void)
{
	double one_thread_ns = 0;

	printf("256 MiB populated region, 4 KiB pages, best of %d; ns per page\n", REPEATS);
	printf("| get call                   | n/call | threads | get ns | put call / ns | "
	       "2-thread speed-up |\n");
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
		for (size_t n = 0; n < sizeof(pages_per_call) / sizeof(pages_per_call[0]); n++)
			bench_one(&cases[c], pages_per_call[n], &one_thread_ns);
	bench_host();
	bench_thp();
	printf("targets: pin_user_pages_fast@512 < 10 ns/page, unpin < 5, slow path < 20, "
	       "2 threads >= 1.8x\n");
	return 0;
}
