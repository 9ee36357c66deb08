// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench/array_floor.c - the floor under unpin_user_pages() of a THP region: the cost
 * of only reading a page array as large as gup_test's put array (8 bytes a 4 KiB
 * page): a bare read (OR of every word), memcpy, and an entry-by-entry compare with
 * the expected struct page addresses, in ns per 4 KiB page. Run it beside `gup bench -t -a --vs-kernel`
 * to see how the host's unregister compares with reading the array at all.
 * Usage: bench_array_floor [MiB (default 256)] [repeats (default 10)]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ENTRIES_PER_THP 512
#define STRUCT_PAGE_SIZE 64

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* Two entries: SSE2, which every x86-64 has, so no target flags are needed. */
typedef unsigned long quad __attribute__((vector_size(16)));

/* The bare read: every byte of the array OR-ed together, two entries a step. */
static unsigned long read_all(const unsigned long *pages, unsigned long nr)
{
	quad acc = {0}, q;

	for (unsigned long i = 0; i < nr; i += 2) {
		memcpy(&q, pages + i, sizeof(q));
		acc |= q;
	}
	return acc[0] | acc[1];
}

/*
 * Every entry against the address it must hold, as compound_run() (two a step):
 * what a correct run check reads and computes.
 */
static unsigned long compare_runs(const unsigned long *pages, unsigned long nr)
{
	const unsigned long step = 2 * STRUCT_PAGE_SIZE;
	quad differ = {0}, q;

	for (unsigned long t = 0; t < nr; t += ENTRIES_PER_THP) {
		unsigned long first = pages[t];
		quad want = {first, first + STRUCT_PAGE_SIZE};

		for (unsigned long i = t; i < t + ENTRIES_PER_THP; i += 2, want += step) {
			memcpy(&q, pages + i, sizeof(q));
			differ |= q ^ want;
		}
	}
	return differ[0] | differ[1];
}

int main(int argc, char **argv)
{
	unsigned long mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 256;
	int repeats = argc > 2 ? atoi(argv[2]) : 10;
	unsigned long nr = mib << 8; /* 4 KiB pages */
	unsigned long *pages = malloc(nr * sizeof(*pages)), *copy = malloc(nr * sizeof(*pages));
	double best[3] = {1e30, 1e30, 1e30};
	volatile unsigned long sink = 0;

	if (!mib || repeats < 1 || !pages || !copy || nr % ENTRIES_PER_THP) {
		fprintf(stderr, "usage: bench_array_floor [MiB, a multiple of 2] [repeats]\n");
		return 2;
	}
	for (unsigned long i = 0; i < nr; i++)
		pages[i] = 0x7f0000000000UL + i * STRUCT_PAGE_SIZE;
	for (int r = 0; r < repeats; r++) {
		double t0 = now_ns(), t1, t2, t3;

		sink += read_all(pages, nr);
		t1 = now_ns();
		memcpy(copy, pages, nr * sizeof(*pages));
		sink += copy[nr - 1];
		t2 = now_ns();
		sink += compare_runs(pages, nr);
		t3 = now_ns();
		best[0] = t1 - t0 < best[0] ? t1 - t0 : best[0];
		best[1] = t2 - t1 < best[1] ? t2 - t1 : best[1];
		best[2] = t3 - t2 < best[2] ? t3 - t2 : best[2];
	}
	printf("array floor, %lu MiB (%lu entries, %lu KiB): read %.3f, memcpy %.3f, "
	       "compare %.3f ns/page (best of %d)\n",
	       mib, nr, nr * sizeof(*pages) >> 10, best[0] / (double)nr, best[1] / (double)nr,
	       best[2] / (double)nr, repeats);
	free(pages);
	free(copy);
	return (int)(sink & 0);
}
