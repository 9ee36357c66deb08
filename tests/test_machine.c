// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_machine.c - the simulated machine: boot configuration, the frames boot hands
 * to the buddy allocator, booting twice, and the shutdown leak report.
 */
#include "harness.h"

#include <string.h>

#define RESERVED_FRAMES 3 /* pfn 0, the zero page and the vsyscall gate page */

static void test_boot_rejects_bad_sizes(void **state)
{
	struct sim_config not_multiple = {.mem_bytes = (8UL << 20) + PAGE_SIZE, .quiet = true};
	struct sim_config too_small = {.mem_bytes = 4UL << 20, .quiet = true};
	struct sim_config bad_movable = {
		.mem_bytes = 16UL << 20, .movable_bytes = 6UL << 20, .quiet = true};

	(void)state;
	assert_int_equal(sim_boot(&not_multiple), -EINVAL);
	assert_int_equal(sim_boot(&too_small), -EINVAL);
	assert_int_equal(sim_boot(&bad_movable), -EINVAL);
	assert_false(sim_running());
	assert_int_equal(sim_shutdown(), -ENODEV);
}

static void test_boot_twice_is_busy(void **state)
{
	(void)state;
	assert_true(sim_running());
	assert_int_equal(sim_boot(NULL), -EBUSY);
	assert_true(sim_running());
}

static void test_boot_hands_all_but_reserved_frames_to_buddy(void **state)
{
	(void)state;
	assert_int_equal(sim_total_pages(), (1UL << 30) >> PAGE_SHIFT);
	assert_int_equal(sim_free_pages(), sim_total_pages() - RESERVED_FRAMES);
	assert_int_equal(global_node_page_state(NR_FREE_PAGES), sim_free_pages());
}

/* No harness teardown here: the leak is the point, and shutdown must report it. */
static void test_shutdown_reports_leaked_page(void **state)
{
	struct sim_config cfg = {.quiet = true};

	(void)state;
	assert_int_equal(sim_boot(&cfg), 0);
	assert_non_null(alloc_page(GFP_KERNEL));
	assert_int_equal(sim_shutdown(), -EBUSY);
	assert_false(sim_running());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_rejects_bad_sizes),
		GUP_TEST(test_boot_twice_is_busy),
		GUP_TEST(test_boot_hands_all_but_reserved_frames_to_buddy),
		cmocka_unit_test(test_shutdown_reports_leaked_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
