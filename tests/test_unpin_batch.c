// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_unpin_batch.c - unpin_user_pages() drops a run of consecutive
 * subpages of one compound page with one put on its head: the run must end at
 * the compound page's last subpage and at the first entry that is not the next
 * subpage, so every page gets back exactly the pins its entries name.
 */
#include "harness.h"
#include "mm/internal.h"

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define THP_BASE 0x40000000UL /* 2 MiB aligned */

static struct page *pages[HPAGE_PMD_NR];

/* User address of subpage @sub of THP number @i at THP_BASE. */
static unsigned long thp_addr(int i, unsigned long sub)
{
	return THP_BASE + (unsigned long)i * HPAGE_PMD_SIZE + sub * PAGE_SIZE;
}

#define NR_THPS 4

/* NR_THPS THPs at THP_BASE, written so each is one huge pmd; fills @heads. */
static void map_thps(struct page *heads[NR_THPS])
{
	unsigned long len = NR_THPS * HPAGE_PMD_SIZE;
	unsigned long addr = sys_mmap(THP_BASE, len, RW, ANON | MAP_FIXED, -1, 0);

	assert_int_equal(addr, THP_BASE);
	assert_int_equal(sys_madvise(addr, len, MADV_HUGEPAGE), 0);
	for (int i = 0; i < NR_THPS; i++) {
		touch_page(thp_addr(i, 0));
		assert_int_equal(pin_user_pages_fast(thp_addr(i, 0), 1, 0, &heads[i]), 1);
		unpin_user_page(heads[i]);
		assert_true(PageHead(heads[i]));
	}
}

static void finish(struct task_struct *t)
{
	assert_int_equal(pins_acquired(), pins_released());
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/*
 * The last subpages of one THP and the first of the THP right after it in the
 * memmap are consecutive struct pages: the run must still stop at the first
 * THP's end, or the second THP's pins would be dropped from the first.
 */
static void test_run_stops_at_compound_end(void **state)
{
	struct page *heads[NR_THPS];
	struct task_struct *t;
	int low = -1, high = -1;

	(void)state;
	assert_int_equal(sim_boot(NULL), 0);
	t = start_task("unpin");
	map_thps(heads);
	/* The buddy allocator splits 4 MiB blocks: some two of the THPs are neighbours. */
	for (int i = 0; i < NR_THPS; i++)
		for (int j = 0; j < NR_THPS; j++)
			if (heads[j] == heads[i] + HPAGE_PMD_NR)
				low = i, high = j;
	assert_true(low >= 0);
	assert_int_equal(
		pin_user_pages_fast(thp_addr(low, HPAGE_PMD_NR - 40), 40, FOLL_WRITE, pages), 40);
	assert_int_equal(pin_user_pages_fast(thp_addr(high, 0), 40, FOLL_WRITE, pages + 40), 40);
	assert_ptr_equal(pages[40], pages[39] + 1);
	unpin_user_pages(pages, 80);
	assert_int_equal(compound_pincount(heads[low]), 0);
	assert_int_equal(compound_pincount(heads[high]), 0);
	assert_int_equal(page_ref_count(heads[low]), 1);
	assert_int_equal(page_ref_count(heads[high]), 1);
	finish(t);
}

/*
 * A run of 64 subpages with a small page in the middle of it (inside a 32-entry
 * block that is compared at once), then a repeated entry and entries in reverse:
 * each page gets back exactly its own pins.
 */
static void test_run_stops_at_foreign_entry(void **state)
{
	struct page *heads[NR_THPS], *thp0, *thp1, *small, *displaced;
	struct task_struct *t;
	unsigned long small_addr;

	(void)state;
	assert_int_equal(sim_boot(NULL), 0);
	t = start_task("unpin");
	map_thps(heads);
	thp0 = heads[0];
	thp1 = heads[1];
	small_addr = map_rw(1);
	touch_page(small_addr);
	assert_int_equal(pin_user_pages_fast(THP_BASE, 64, FOLL_WRITE, pages), 64);
	assert_int_equal(compound_pincount(thp0), 64);
	displaced = pages[40];
	unpin_user_page(displaced);
	assert_int_equal(pin_user_pages_fast(small_addr, 1, FOLL_WRITE, &small), 1);
	assert_false(PageCompound(small));
	pages[40] = small;
	unpin_user_pages(pages, 64);
	assert_int_equal(compound_pincount(thp0), 0);
	assert_false(page_maybe_dma_pinned(small));
	assert_int_equal(page_ref_count(thp0), 1);

	/* thp1: subpage 5 twice, then 3, 2, 1 backwards: one pin each, five in all. */
	for (int i = 0; i < 5; i++) {
		static const unsigned long which[] = {5, 5, 3, 2, 1};

		assert_int_equal(
			pin_user_pages_fast(THP_BASE + HPAGE_PMD_SIZE + which[i] * PAGE_SIZE, 1,
					    FOLL_WRITE, pages + i),
			1);
	}
	assert_int_equal(compound_pincount(thp1), 5);
	unpin_user_pages(pages, 3);
	assert_int_equal(compound_pincount(thp1), 2);
	unpin_user_pages(pages + 3, 2);
	assert_int_equal(compound_pincount(thp1), 0);
	finish(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_run_stops_at_compound_end, shutdown_left_machine),
		cmocka_unit_test_teardown(test_run_stops_at_foreign_entry, shutdown_left_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
