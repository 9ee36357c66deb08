/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/swap_harness.h - what the swap tests share: machines with a swap device
 * (one with a ZONE_MOVABLE too), the device's slot and swap-cache counts, a byte
 * read as the task, a sim-point hook that counts swap I/O, and touch_pages()' bytes
 * paged out and read back.
 */
#ifndef GUP_TESTS_SWAP_HARNESS_H
#define GUP_TESTS_SWAP_HARNESS_H

#include "harness.h"
#include "mm/internal.h"

#define MIB (1UL << 20)

/* cmocka setup: 64 MiB with a 4 MiB swap device. */
static inline int boot_with_swap(void **state)
{
	struct sim_config cfg = {.mem_bytes = 64 * MIB, .swap_bytes = 4 * MIB};

	(void)state;
	return sim_boot(&cfg);
}

/* The same with 16 MiB of ZONE_MOVABLE, where user pages land first (to migrate from). */
static inline int boot_with_swap_movable(void **state)
{
	struct sim_config cfg = {
		.mem_bytes = 64 * MIB, .movable_bytes = 16 * MIB, .swap_bytes = 4 * MIB};

	(void)state;
	return sim_boot(&cfg);
}

static inline unsigned long used_slots(void)
{
	struct sim_swap_stats stats;

	sim_swap_stats(&stats);
	return stats.used_slots;
}

static inline unsigned long cached_pages(void)
{
	struct sim_swap_stats stats;

	sim_swap_stats(&stats);
	return stats.cached_pages;
}

static inline char byte_at(unsigned long addr)
{
	char c = 0;

	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	return c;
}

/* A sim-point hook (swap_read, swap_write) counting its hits in *(unsigned long *)@arg. */
static inline void count_swap_io(enum sim_point_id id, void *ctx, void *arg)
{
	(void)id;
	(void)ctx;
	(*(unsigned long *)arg)++;
}

/*
 * Write touch_pages()' bytes into the @nr pages at @addr (none swapped yet) and
 * page them out: each is freed and takes a slot, none stays in the swap cache.
 */
static inline void write_and_page_out(unsigned long addr, unsigned long nr)
{
	unsigned long free_before;

	touch_pages(addr, nr);
	free_before = sim_free_pages();
	assert_int_equal(sys_madvise(addr, nr * PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(sim_free_pages(), free_before + nr);
	assert_int_equal(used_slots(), nr);
	assert_int_equal(cached_pages(), 0);
}

/*
 * Read back the first byte of each of @nr pages at @addr that touch_pages() wrote
 * ('a' + i), counting the swap reads that takes. Return: how many there were.
 */
static inline unsigned long read_back_pages(unsigned long addr, unsigned long nr)
{
	unsigned long reads = 0;

	assert_int_equal(sim_point_set_hook(SP_SWAP_READ, count_swap_io, &reads), 0);
	for (unsigned long i = 0; i < nr; i++)
		assert_int_equal(byte_at(addr + i * PAGE_SIZE), 'a' + (int)i);
	assert_int_equal(sim_point_set_hook(SP_SWAP_READ, NULL, NULL), 0);
	return reads;
}

#endif /* GUP_TESTS_SWAP_HARNESS_H */
