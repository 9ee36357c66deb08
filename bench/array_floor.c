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

/*
 * Four entries side by side. The AVX2 clone is picked at load time where the CPU
 * has it, as for compound_run(), so the floor is that of the code unpin runs.
 */
typedef unsigned long quad __attribute__((vector_size(32)));

#if defined(__x86_64__)
#define AVX2_CLONE __attribute__((target_clones("avx2", "default")))
#else
#define AVX2_CLONE
#endif

/*
 * The bare read: every byte of the array OR-ed together, sixteen entries a step
 * into four accumulators, so that no OR waits on the one before it and the loop
 * runs at the cache's read bandwidth: the least any reader of the array pays.
 */
AVX2_CLONE static unsigned long read_all(const unsigned long *pages, unsigned long nr)
{
	quad acc[4] = {{0}}, q;

	for (unsigned long i = 0; i < nr; i += 16)
		for (int k = 0; k < 4; k++) {
			memcpy(&q, pages + i + 4 * k, sizeof(q));
			acc[k] |= q;
		}
	acc[0] |= acc[1] | acc[2] | acc[3];
	return acc[0][0] | acc[0][1] | acc[0][2] | acc[0][3];
}

/*
 * Every entry against the address it must hold (what a correct run check reads
 * and computes), sixteen a step: four groups of four, each against its own
 * expected addresses, which advance by one add a step. No OR or add waits on
 * another group's, so the check too runs at the cache's bandwidth.
 */
AVX2_CLONE static unsigned long compare_runs(const unsigned long *pages, unsigned long nr)
{
	const unsigned long group = 4 * STRUCT_PAGE_SIZE;
	quad differ[4] = {{0}}, q;

	for (unsigned long t = 0; t < nr; t += ENTRIES_PER_THP) {
		quad want[4];

		for (int k = 0; k < 4; k++)
			want[k] = (quad){0, STRUCT_PAGE_SIZE, 2 * STRUCT_PAGE_SIZE,
					 3 * STRUCT_PAGE_SIZE} +
				  (pages[t] + k * group);
		for (unsigned long i = 0; i < ENTRIES_PER_THP; i += 16)
			for (int k = 0; k < 4; k++) {
				memcpy(&q, pages + t + i + 4 * k, sizeof(q));
				differ[k] |= q ^ want[k];
				want[k] += 4 * group;
			}
	}
	differ[0] |= differ[1] | differ[2] | differ[3];
	return differ[0][0] | differ[0][1] | differ[0][2] | differ[0][3];
}

/* Write the array as a pin call does, so each reader finds it where unpin would. */
static void fill(unsigned long *pages, unsigned long nr)
{
	for (unsigned long i = 0; i < nr; i++)
		pages[i] = 0x7f0000000000UL + i * STRUCT_PAGE_SIZE;
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
	for (int r = 0; r < repeats; r++) {
		double t[3];

		fill(pages, nr);
		t[0] = now_ns();
		sink += read_all(pages, nr);
		t[0] = now_ns() - t[0];
		fill(pages, nr);
		t[1] = now_ns();
		memcpy(copy, pages, nr * sizeof(*pages));
		sink += copy[nr - 1];
		t[1] = now_ns() - t[1];
		fill(pages, nr);
		t[2] = now_ns();
		sink += compare_runs(pages, nr);
		t[2] = now_ns() - t[2];
		for (int k = 0; k < 3; k++)
			best[k] = t[k] < best[k] ? t[k] : best[k];
	}
	printf("array floor, %lu MiB (%lu entries, %lu KiB): read %.3f, memcpy %.3f, "
	       "compare %.3f ns/page (best of %d)\n",
	       mib, nr, nr * sizeof(*pages) >> 10, best[0] / (double)nr, best[1] / (double)nr,
	       best[2] / (double)nr, repeats);
	free(pages);
	free(copy);
	return (int)(sink & 0);
}
