// SPDX-License-Identifier: GPL-2.0-only
/*
 * The huge allocations' injection points: a failed THP (thp_alloc) or huge zero
 * page (thp_zero_page_alloc) falls back to small pages with the data intact, and
 * page_alloc counts each allocation once, never the huge try that failed before it.
 */
#include "harness.h"
#include "mm/internal.h"

#define THP_BASE 0x40000000UL /* 2 MiB aligned */
#define COUNT_ONLY ULONG_MAX  /* armed so far out that it counts hits and never fires */

/* Two huge ranges at THP_BASE, advised MADV_HUGEPAGE, with @prot. */
static unsigned long map_huge_ranges(unsigned long prot)
{
	assert_int_equal(sys_mmap(THP_BASE, 2 * HPAGE_PMD_SIZE, prot,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
			 THP_BASE);
	assert_int_equal(sys_madvise(THP_BASE, 2 * HPAGE_PMD_SIZE, MADV_HUGEPAGE), 0);
	return THP_BASE;
}

static bool huge_at(unsigned long addr)
{
	pmd_t *pmd = mm_alloc_pmd(current->mm, addr);

	assert_non_null(pmd);
	return pmd_trans_huge(pmdp_get(pmd));
}

static char byte_at(unsigned long addr)
{
	char c = 0;

	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	return c;
}

static void test_thp_alloc_failure_falls_back_to_small_pages(void **state)
{
	struct task_struct *t;
	unsigned long addr;

	(void)state;
	t = start_task("thp");
	addr = map_huge_ranges(PROT_READ | PROT_WRITE);
	touch_page(addr + HPAGE_PMD_SIZE); /* the upper tables now exist */
	assert_true(huge_at(addr + HPAGE_PMD_SIZE));

	assert_int_equal(inject_arm("thp_alloc", 1, 1), 0);
	assert_int_equal(inject_arm("page_alloc", COUNT_ONLY, 1), 0);
	touch_page(addr + 5 * PAGE_SIZE);
	assert_int_equal(inject_fired(INJECT_THP_ALLOC), 1);
	assert_int_equal(inject_hits(INJECT_THP_ALLOC), 1);
	/* The PTE table and the one small page; the failed THP never reached page_alloc. */
	assert_int_equal(inject_hits(INJECT_PAGE_ALLOC), 2);
	inject_disarm_all();

	assert_false(huge_at(addr));
	assert_int_equal(byte_at(addr + 5 * PAGE_SIZE), 'w');
	assert_int_equal(byte_at(addr), 0);
	assert_int_equal(global_node_page_state(NR_ANON_THPS), 1);
	/* A fault later in the range stays small: the pmd holds a table now. */
	touch_page(addr);
	assert_false(huge_at(addr));
	assert_int_equal(global_node_page_state(NR_ANON_THPS), 1);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	set_current(NULL);
}

/* A successful huge fault: one thp_alloc hit, and page_alloc counts the THP and its deposit. */
static void test_successful_thp_counts_once_at_each_point(void **state)
{
	struct task_struct *t;
	unsigned long addr;

	(void)state;
	t = start_task("thp");
	addr = map_huge_ranges(PROT_READ | PROT_WRITE);
	touch_page(addr + HPAGE_PMD_SIZE);
	assert_int_equal(inject_arm("thp_alloc", COUNT_ONLY, 1), 0);
	assert_int_equal(inject_arm("page_alloc", COUNT_ONLY, 1), 0);
	touch_page(addr);
	assert_int_equal(inject_hits(INJECT_THP_ALLOC), 1);
	assert_int_equal(inject_hits(INJECT_PAGE_ALLOC), 2);
	inject_disarm_all();
	assert_true(huge_at(addr));
	task_exit(t);
	set_current(NULL);
}

static void test_huge_zero_page_failure_maps_small_zero_page(void **state)
{
	struct task_struct *t;
	unsigned long addr;

	(void)state;
	t = start_task("thp");
	addr = map_huge_ranges(PROT_READ);
	assert_int_equal(inject_arm("thp_zero_page_alloc", 1, 1), 0);
	assert_int_equal(byte_at(addr + 3 * PAGE_SIZE), 0);
	assert_int_equal(inject_fired(INJECT_THP_ZERO_PAGE_ALLOC), 1);
	inject_disarm_all();
	assert_false(huge_at(addr));
	assert_null(sim.huge_zero_page);
	assert_int_equal(pfn_of(t, addr + 3 * PAGE_SIZE), zero_pfn());
	/* The next huge read fault gets it. */
	assert_int_equal(byte_at(addr + HPAGE_PMD_SIZE), 0);
	assert_true(huge_at(addr + HPAGE_PMD_SIZE));
	assert_true(is_huge_zero_page(pfn_to_page(pfn_of(t, addr + HPAGE_PMD_SIZE))));
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	set_current(NULL);
}

/* A pin over a whole huge range while THPs cannot be had: 512 small pages, all pinned. */
static void test_pin_with_thp_alloc_failing_gets_small_pages(void **state)
{
	static struct page *pages[HPAGE_PMD_NR];
	struct task_struct *t;
	unsigned long addr;

	(void)state;
	t = start_task("thp");
	addr = map_huge_ranges(PROT_READ | PROT_WRITE);
	assert_int_equal(inject_arm("thp_alloc", 1, 0), 0);
	assert_int_equal(pin_user_pages_fast(addr, HPAGE_PMD_NR, FOLL_WRITE, pages), HPAGE_PMD_NR);
	assert_true(inject_fired(INJECT_THP_ALLOC) >= 1);
	inject_disarm_all();
	assert_false(huge_at(addr));
	for (int i = 0; i < HPAGE_PMD_NR; i++) {
		assert_false(PageCompound(pages[i]));
		assert_true(page_maybe_dma_pinned(pages[i]));
	}
	assert_int_equal(global_node_page_state(NR_ANON_THPS), 0);
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_pages(pages, HPAGE_PMD_NR);
	task_exit(t);
	set_current(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_thp_alloc_failure_falls_back_to_small_pages),
		GUP_TEST(test_successful_thp_counts_once_at_each_point),
		GUP_TEST(test_huge_zero_page_failure_maps_small_zero_page),
		GUP_TEST(test_pin_with_thp_alloc_failing_gets_small_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
