// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_migrate_huge.c - migrating transparent huge pages the machine does
 * not move whole: a PTE-mapped THP is split (try_split_thp) and its subpages move
 * in the same pass, with the data; a pinned THP cannot split and stays whole where
 * it is; a long-term pin moves a pmd-mapped THP out of ZONE_MOVABLE whole under
 * 6.18 (5.11 leaves it). Whole-THP migration itself: test_migrate_pmd.c.
 */
#include "harness.h"
#include "mm/internal.h"

#define MIB (1UL << 20)
#define THP_BASE 0x40000000UL /* 2 MiB aligned */

static int boot_thp_movable(void **state)
{
	struct sim_config cfg = {
		.mem_bytes = 64 * MIB, .movable_bytes = 16 * MIB, .thp = SIM_THP_ALWAYS};

	(void)state;
	return sim_boot(&cfg);
}

static int shutdown_checked(void **state)
{
	(void)state;
	return sim_shutdown();
}

#define HUGE_TEST(fn) cmocka_unit_test_setup_teardown(fn, boot_thp_movable, shutdown_checked)

/* One huge range at THP_BASE, every subpage written with its own byte. */
static unsigned long map_thp(void)
{
	unsigned long addr = sys_mmap(THP_BASE, HPAGE_PMD_SIZE, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	assert_int_equal(addr, THP_BASE);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		char c = (char)('a' + i % 26);

		assert_int_equal(copy_to_user(addr + i * PAGE_SIZE, &c, 1), 0);
	}
	return addr;
}

static bool huge_at(unsigned long addr)
{
	pmd_t *pmd = mm_find_pmd(current->mm, addr);

	return pmd && pmd_trans_huge(pmdp_get(pmd));
}

static enum zone_type zone_at(struct task_struct *t, unsigned long addr)
{
	return page_zonenum(pfn_to_page(pfn_of(t, addr)));
}

static void assert_data_intact(unsigned long addr)
{
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		char c = 0;

		assert_int_equal(copy_from_user(&c, addr + i * PAGE_SIZE, 1), 0);
		assert_int_equal(c, 'a' + (int)(i % 26));
	}
}

/* A THP the parent and a child map with PTEs (split pmds after fork): both follow. */
static void test_pte_mapped_thp_shared_with_child_moves(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long addr = map_thp();

	(void)state;
	child = sys_fork();
	assert_non_null(child);
	set_current(parent);
	/* mprotect of one page splits the pmd: the THP is PTE-mapped from now on. */
	assert_int_equal(sys_mprotect(addr, PAGE_SIZE, PROT_READ), 0);
	assert_false(huge_at(addr));
	assert_int_equal(sim_migrate_range(addr + PAGE_SIZE, PAGE_SIZE, ZONE_NORMAL), 0);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		unsigned long a = addr + i * PAGE_SIZE;

		assert_int_equal(zone_at(parent, a), ZONE_NORMAL);
		assert_int_equal(pfn_of(child, a), pfn_of(parent, a)); /* still COW-shared */
	}
	assert_data_intact(addr);
	set_current(child);
	assert_data_intact(addr);
	set_current(parent);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(child);
	task_exit(parent);
}

static void test_pinned_thp_stays_whole(void **state)
{
	struct task_struct *t = start_task("thp");
	unsigned long addr = map_thp(), pfn = pfn_of(t, addr);
	struct page *page;

	(void)state;
	assert_int_equal(pin_user_pages_fast(addr + 5 * PAGE_SIZE, 1, FOLL_WRITE, &page), 1);
	assert_int_equal(sim_migrate_range(addr, HPAGE_PMD_SIZE, ZONE_NORMAL), 1);
	assert_true(huge_at(addr));
	assert_int_equal(pfn_of(t, addr), pfn);
	assert_int_equal(page_to_pfn(page), pfn + 5);
	unpin_user_pages(&page, 1);
	assert_data_intact(addr);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/*
 * A long-term pin of a THP in ZONE_MOVABLE: 6.18 migrates it whole (still
 * pmd-mapped) and pins the new THP in ZONE_NORMAL; 5.11 only moves pins out of
 * CMA and pins it in place.
 */
static void test_longterm_pin_moves_thp_out_of_movable_under_6_18(void **state)
{
	struct task_struct *t = start_task("thp");
	unsigned long addr = map_thp();
	struct page *pages[2];

	(void)state;
	assert_int_equal(pin_user_pages(addr, 2, FOLL_WRITE | FOLL_LONGTERM, pages, NULL), 2);
	assert_true(huge_at(addr));
	if (profile_is_6_18()) {
		assert_int_equal(page_zonenum(pages[0]), ZONE_NORMAL);
		assert_int_equal(pfn_of(t, addr), page_to_pfn(pages[0]));
		assert_int_equal(pfn_of(t, addr + PAGE_SIZE), page_to_pfn(pages[1]));
	} else {
		assert_int_equal(page_zonenum(pages[0]), ZONE_MOVABLE);
	}
	unpin_user_pages(pages, 2);
	assert_data_intact(addr);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		HUGE_TEST(test_pte_mapped_thp_shared_with_child_moves),
		HUGE_TEST(test_pinned_thp_stays_whole),
		HUGE_TEST(test_longterm_pin_moves_thp_out_of_movable_under_6_18),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
