// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_longterm.c - every branch of FOLL_LONGTERM's migration pass, under
 * both profiles: 5.11's check_and_migrate_cma_pages() and 6.18's
 * check_and_migrate_movable_pages(), and the __gup_longterm_locked() around them.
 * Each test names the branch it runs; docs/design.md lists them.
 */
#include "harness.h"
#include "mm/internal.h"

#define MIB (1UL << 20)

static int boot_with_cma(void **state)
{
	struct sim_config cfg = {.mem_bytes = 24 * MIB, .cma_bytes = 16 * MIB};

	(void)state;
	return sim_boot(&cfg);
}

static int boot_with_movable(void **state)
{
	struct sim_config cfg = {.mem_bytes = 16 * MIB, .movable_bytes = 8 * MIB};

	(void)state;
	return sim_boot(&cfg);
}

static bool in_cma(struct task_struct *t, unsigned long addr)
{
	return is_migrate_cma_page(pfn_to_page(pfn_of(t, addr)));
}

static unsigned long migrations;

static void count_migration(enum sim_point_id id, void *ctx, void *arg)
{
	(void)id;
	(void)ctx;
	(void)arg;
	migrations++;
}

static void count_migrations(void)
{
	migrations = 0;
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, count_migration, NULL), 0);
}

static void stop_counting(void)
{
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, NULL, NULL), 0);
}

static char byte_at(unsigned long addr)
{
	char c = 0;

	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	return c;
}

static void end_test(struct task_struct *t)
{
	task_exit(t);
	assert_int_equal(pins_acquired(), pins_released());
	assert_int_equal(sim_shutdown(), 0);
}

/*
 * CMA pages found: isolated, every pin dropped, migrated, the range taken again
 * (5.11: the loop back to check_again; 6.18: -EAGAIN to __gup_longterm_locked).
 * GUP-fast refused them first (FOLL_LONGTERM on an unpinnable page) and fell back.
 */
static void test_cma_pages_migrate_and_pin_again(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(2), acquired;
	struct page *pages[2];

	(void)state;
	touch_pages(addr, 2);
	assert_true(in_cma(t, addr) && in_cma(t, addr + PAGE_SIZE));
	acquired = pins_acquired();
	count_migrations();
	assert_int_equal(pin_user_pages_fast(addr, 2, FOLL_WRITE | FOLL_LONGTERM, pages), 2);
	stop_counting();
	assert_int_equal(migrations, 2);
	/* Two taken by the slow path, dropped for the migration, two taken again. */
	assert_int_equal(pins_acquired() - acquired, 4);
	for (int i = 0; i < 2; i++) {
		unsigned long a = addr + (unsigned long)i * PAGE_SIZE;

		assert_false(is_migrate_cma_page(pages[i]));
		assert_int_equal(pfn_of(t, a), page_to_pfn(pages[i]));
		assert_int_equal(byte_at(a), 'a' + i);
	}
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_pages(pages, 2);
	end_test(t);
}

/* GUP-fast alone never pins a CMA page long-term: it leaves it to the slow path. */
static void test_fast_only_refuses_cma_page(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1);
	struct page *page;

	(void)state;
	touch_page(addr);
	assert_true(in_cma(t, addr));
	if (profile_is_6_18()) /* 6.18 has no pin_user_pages_fast_only() */
		assert_warned(pin_user_pages_fast_only(addr, 1, FOLL_WRITE | FOLL_LONGTERM, &page),
			      -EINVAL, 1);
	else
		assert_int_equal(
			pin_user_pages_fast_only(addr, 1, FOLL_WRITE | FOLL_LONGTERM, &page), 0);
	assert_true(in_cma(t, addr));
	end_test(t);
}

/* No page needs to move: the pins stay as first taken, nothing migrates. */
static void test_pinnable_pages_move_nothing(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1), pfn, acquired;
	unsigned int ctx = memalloc_nocma_save();
	struct page *page;

	(void)state;
	touch_page(addr);
	memalloc_nocma_restore(ctx);
	pfn = pfn_of(t, addr);
	acquired = pins_acquired();
	count_migrations();
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE | FOLL_LONGTERM, &page), 1);
	stop_counting();
	assert_int_equal(migrations, 0);
	assert_int_equal(pins_acquired() - acquired, 1);
	assert_int_equal(page_to_pfn(page), pfn);
	unpin_user_page(page);
	end_test(t);
}

/* __gup_longterm_locked(): faults under a long-term pin allocate where a pin may stay. */
static void test_longterm_faults_allocate_outside_cma(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(2);
	struct page *pages[2];

	(void)state;
	count_migrations();
	assert_int_equal(pin_user_pages_fast(addr, 2, FOLL_WRITE | FOLL_LONGTERM, pages), 2);
	stop_counting();
	assert_int_equal(migrations, 0);
	assert_false(is_migrate_cma_page(pages[0]) || is_migrate_cma_page(pages[1]));
	/* Without FOLL_LONGTERM the same fault takes CMA (it holds most free memory). */
	addr = map_rw(1);
	touch_page(addr);
	assert_true(in_cma(t, addr));
	unpin_user_pages(pages, 2);
	end_test(t);
}

/* __gup_longterm_locked(): a failed walk returns its error with no migration pass. */
static void test_longterm_error_skips_the_pass(void **state)
{
	struct task_struct *t = start_task("t");
	struct page *page;

	(void)state;
	count_migrations();
	assert_int_equal(pin_user_pages_fast(unmapped_address(), 1, FOLL_LONGTERM, &page), -EFAULT);
	stop_counting();
	assert_int_equal(migrations, 0);
	end_test(t);
}

/*
 * Migration fails (fault injection: no target page). 5.11 takes the range again
 * without migrating and the pin stays in CMA; 6.18 fails the pin with -ENOMEM,
 * holding nothing.
 */
static void test_injected_migration_failure(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1), pfn;
	struct page *page = NULL;

	(void)state;
	touch_page(addr);
	pfn = pfn_of(t, addr);
	assert_int_equal(inject_arm("page_alloc", 1, 1), 0);
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE | FOLL_LONGTERM, &page),
			 by_profile(1, -ENOMEM));
	assert_int_equal(inject_fired(INJECT_PAGE_ALLOC), 1);
	inject_disarm_all();
	assert_int_equal(pfn_of(t, addr), pfn);
	assert_true(in_cma(t, addr));
	if (!profile_is_6_18()) {
		assert_int_equal(page_to_pfn(page), pfn);
		unpin_user_page(page);
	}
	assert_int_equal(sim_check(NULL), 0);
	end_test(t);
}

/* Migration fails because another pin holds the page: the same answers. */
static void test_migration_failure_by_other_pin(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1);
	struct page *other, *page = NULL;

	(void)state;
	touch_page(addr);
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE, &other), 1);
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE | FOLL_LONGTERM, &page),
			 by_profile(1, -ENOMEM));
	assert_true(in_cma(t, addr));
	assert_int_equal(pfn_of(t, addr), page_to_pfn(other));
	if (!profile_is_6_18())
		unpin_user_page(page);
	unpin_user_page(other);
	end_test(t);
}

/*
 * A CMA page that cannot be isolated (someone else has it isolated). 5.11 keeps
 * the pin in CMA with no migration; the simulated 6.18 fails with -ENOMEM (the
 * kernel unpins and retries, counting on the isolation to end).
 */
static void test_isolation_failure(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1), pfn;
	struct page *held, *page = NULL;
	LIST_HEAD(elsewhere);

	(void)state;
	touch_page(addr);
	pfn = pfn_of(t, addr);
	held = pfn_to_page(pfn);
	assert_int_equal(migrate_isolate_page(held, &elsewhere), 0);
	count_migrations();
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE | FOLL_LONGTERM, &page),
			 by_profile(1, -ENOMEM));
	stop_counting();
	assert_int_equal(migrations, 0);
	if (!profile_is_6_18()) {
		assert_ptr_equal(page, held);
		unpin_user_page(page);
	}
	putback_movable_pages(&elsewhere);
	assert_int_equal(pfn_of(t, addr), pfn);
	end_test(t);
}

/* The range taken again after the migration fails: its error is the call's, nothing held. */
static void test_regup_failure_after_migration(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1);
	struct page *page;

	(void)state;
	touch_page(addr);
	assert_int_equal(inject_arm("gup_signal", 2, 1), 0);
	count_migrations();
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE | FOLL_LONGTERM, &page), -EINTR);
	stop_counting();
	inject_disarm_all();
	assert_int_equal(migrations, 1);
	assert_false(in_cma(t, addr)); /* the page moved all the same */
	end_test(t);
}

/*
 * The zero page: 5.11 pins it long-term where it is (it is in no CMA block);
 * 6.18 unshares it first (6.2), so the pin lands on a new page outside
 * ZONE_MOVABLE, and never migrates the zero page.
 */
static void test_zero_page(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1);
	struct page *page;

	(void)state;
	assert_int_equal(byte_at(addr), 0); /* maps the zero page */
	count_migrations();
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_LONGTERM, &page), 1);
	stop_counting();
	assert_int_equal(migrations, 0);
	if (profile_is_6_18()) {
		assert_ptr_not_equal(page, zero_page());
		assert_int_equal(page_zonenum(page), ZONE_NORMAL);
	} else {
		assert_ptr_equal(page, zero_page());
	}
	unpin_user_page(page);
	end_test(t);
}

/* ZONE_MOVABLE: 5.11 pins it where it is; 6.18 migrates it to ZONE_NORMAL first. */
static void test_movable_zone(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1);
	struct page *page;

	(void)state;
	touch_page(addr);
	assert_int_equal(page_zonenum(pfn_to_page(pfn_of(t, addr))), ZONE_MOVABLE);
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE | FOLL_LONGTERM, &page), 1);
	assert_int_equal(page_zonenum(page), by_profile(ZONE_MOVABLE, ZONE_NORMAL));
	assert_int_equal(pfn_of(t, addr), page_to_pfn(page));
	assert_int_equal(byte_at(addr), 'w');
	unpin_user_page(page);
	end_test(t);
}

/*
 * check_and_migrate_cma_pages()'s put_page() branch (FOLL_GET | FOLL_LONGTERM) has
 * no caller: every get_user_pages*() refuses FOLL_LONGTERM (is_valid_gup_flags(),
 * 5.11 and 6.18 alike), and get_user_pages_fast_only() never reaches the slow path.
 */
static void test_get_longterm_is_refused(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1);
	struct page *page;

	(void)state;
	touch_page(addr);
	assert_warned(get_user_pages_fast(addr, 1, FOLL_LONGTERM, &page), -EINVAL, 1);
	assert_true(in_cma(t, addr));
	end_test(t);
}

/* hugetlb pools: 2 MiB pool pages are movable allocations, so CMA or ZONE_MOVABLE hold them. */
static void boot_hugetlb(unsigned long cma, unsigned long movable, unsigned long nr_2m)
{
	struct sim_config cfg = {.mem_bytes = 24 * MIB,
				 .cma_bytes = cma,
				 .movable_bytes = movable,
				 .hugetlb_2m_pages = nr_2m};

	assert_int_equal(sim_boot(&cfg), 0);
}

/* One private 2 MiB hugetlb page, its first byte written. */
static unsigned long map_hugetlb_page(void)
{
	unsigned long addr = sys_mmap(0, PMD_SIZE, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	char c = 'h';

	assert_false(IS_ERR_VALUE(addr));
	assert_int_equal(copy_to_user(addr, &c, 1), 0);
	return addr;
}

/*
 * A hugetlb page in CMA: the isolate_huge_page() branch of both passes. Every
 * pool page is in CMA (it is most of the zone's free memory at boot), so the
 * target is a temporary page from outside CMA; GUP-fast refused the page first.
 */
static void test_hugetlb_page_in_cma(void **state)
{
	struct task_struct *t;
	unsigned long addr, before;
	struct sim_hugepages hp;
	struct page *page;

	(void)state;
	boot_hugetlb(16 * MIB, 0, 2);
	t = start_task("t");
	addr = map_hugetlb_page();
	before = pfn_of(t, addr);
	assert_true(in_cma(t, addr));
	count_migrations();
	assert_int_equal(
		pin_user_pages_fast(addr + PAGE_SIZE, 1, FOLL_WRITE | FOLL_LONGTERM, &page), 1);
	stop_counting();
	assert_int_equal(migrations, 1);
	assert_false(is_migrate_cma_page(page));
	assert_true(PageHuge(page));
	assert_int_not_equal(pfn_of(t, addr), before);
	assert_int_equal(pfn_of(t, addr + PAGE_SIZE), page_to_pfn(page));
	assert_int_equal(byte_at(addr), 'h');
	assert_int_equal(sim_hugepages(PMD_SIZE, &hp), 0);
	assert_int_equal(hp.total, 2);
	assert_int_equal(hp.free, 1);
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_page(page);
	end_test(t);
}

/* A hugetlb page in ZONE_MOVABLE: 5.11 pins it there; 6.18 moves it to ZONE_NORMAL. */
static void test_hugetlb_page_in_movable_zone(void **state)
{
	struct task_struct *t;
	unsigned long addr;
	struct page *page;

	(void)state;
	boot_hugetlb(0, 8 * MIB, 2);
	t = start_task("t");
	addr = map_hugetlb_page();
	assert_int_equal(page_zonenum(pfn_to_page(pfn_of(t, addr))), ZONE_MOVABLE);
	assert_int_equal(pin_user_pages(addr, 1, FOLL_WRITE | FOLL_LONGTERM, &page, NULL), 1);
	assert_int_equal(page_zonenum(page), by_profile(ZONE_MOVABLE, ZONE_NORMAL));
	assert_int_equal(pfn_of(t, addr), page_to_pfn(page));
	assert_int_equal(byte_at(addr), 'h');
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_page(page);
	end_test(t);
}

#define CMA_TEST(fn) cmocka_unit_test_setup_teardown(fn, boot_with_cma, shutdown_left_machine)

int main(void)
{
	const struct CMUnitTest tests[] = {
		CMA_TEST(test_cma_pages_migrate_and_pin_again),
		CMA_TEST(test_fast_only_refuses_cma_page),
		CMA_TEST(test_pinnable_pages_move_nothing),
		CMA_TEST(test_longterm_faults_allocate_outside_cma),
		CMA_TEST(test_longterm_error_skips_the_pass),
		CMA_TEST(test_injected_migration_failure),
		CMA_TEST(test_migration_failure_by_other_pin),
		CMA_TEST(test_isolation_failure),
		CMA_TEST(test_regup_failure_after_migration),
		cmocka_unit_test_setup_teardown(test_zero_page, boot_with_movable,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_movable_zone, boot_with_movable,
						shutdown_left_machine),
		CMA_TEST(test_get_longterm_is_refused),
		cmocka_unit_test_teardown(test_hugetlb_page_in_cma, shutdown_left_machine),
		cmocka_unit_test_teardown(test_hugetlb_page_in_movable_zone, shutdown_left_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
