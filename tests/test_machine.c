// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_machine.c - the simulated machine: boot configuration, the frames boot hands
 * to the buddy allocator, booting twice, rebooting into an identical machine on the
 * kept host memory, and the shutdown leak report.
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

/* What a test sees of a machine it boots, uses a little and shuts down. */
struct boot_view {
	unsigned long total, free, zero_pfn;
	unsigned long mapped_pfns[8]; /* pages a task wrote, in fault order */
	unsigned long raw_pfns[4];    /* then pages straight from the allocator */
	bool raw_frames_zero;	      /* ... which held only zeroes when handed out */
};

static bool frame_is_zero(struct page *page)
{
	const unsigned char *bytes = page_address(page);

	for (unsigned long i = 0; i < PAGE_SIZE; i++)
		if (bytes[i])
			return false;
	return true;
}

/*
 * Boot @cfg, note what a fresh machine shows, dirty what it hands out (user
 * pages and raw frames written with a pattern), and shut down cleanly.
 */
static void boot_use_shutdown(const struct sim_config *cfg, struct boot_view *v)
{
	struct page *raw[ARRAY_SIZE(v->raw_pfns)];
	struct task_struct *t;
	unsigned long addr;

	*v = (struct boot_view){.raw_frames_zero = true};
	assert_int_equal(sim_boot(cfg), 0);
	assert_int_equal(sim_check(NULL), 0); /* every frame, also those no one will touch */
	v->total = sim_total_pages();
	v->free = sim_free_pages();
	v->zero_pfn = page_to_pfn(zero_page());
	t = start_task("reboot");
	addr = map_rw(ARRAY_SIZE(v->mapped_pfns));
	touch_pages(addr, ARRAY_SIZE(v->mapped_pfns));
	for (size_t i = 0; i < ARRAY_SIZE(v->mapped_pfns); i++)
		v->mapped_pfns[i] = pfn_of(t, addr + i * PAGE_SIZE);
	for (size_t i = 0; i < ARRAY_SIZE(raw); i++) {
		raw[i] = alloc_page(GFP_KERNEL);
		assert_non_null(raw[i]);
		v->raw_pfns[i] = page_to_pfn(raw[i]);
		v->raw_frames_zero &= frame_is_zero(raw[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(raw); i++) {
		memset(page_address(raw[i]), 0xa5, PAGE_SIZE);
		__free_pages(raw[i], 0);
	}
	task_exit(t);
	set_current(NULL);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sim_shutdown(), 0);
}

static void assert_same_machine(const struct boot_view *a, const struct boot_view *b)
{
	assert_int_equal(a->total, b->total);
	assert_int_equal(a->free, b->free);
	assert_int_equal(a->free, a->total - RESERVED_FRAMES);
	assert_int_equal(a->zero_pfn, b->zero_pfn);
	assert_memory_equal(a->mapped_pfns, b->mapped_pfns, sizeof(a->mapped_pfns));
	assert_memory_equal(a->raw_pfns, b->raw_pfns, sizeof(a->raw_pfns));
	assert_true(a->raw_frames_zero);
	assert_true(b->raw_frames_zero);
}

/*
 * The second boot reuses the first's host memory; it must still be a fresh
 * machine: same counts, same pfns in the same order, and the frames the first
 * machine wrote read back as zero.
 */
static void test_reboot_is_identical(void **state)
{
	struct sim_config cfg = {.mem_bytes = 16UL << 20, .quiet = true};
	struct boot_view first, second;

	(void)state;
	boot_use_shutdown(&cfg, &first);
	boot_use_shutdown(&cfg, &second);
	assert_same_machine(&first, &second);
}

/*
 * A machine shut down with frames still held (a leak, a dirty mapped page, a
 * page table) leaves their struct pages behind; the next boot must not see them.
 */
static void test_reboot_after_leaks_is_identical(void **state)
{
	struct sim_config cfg = {.mem_bytes = 16UL << 20, .quiet = true};
	struct boot_view clean, after;
	struct page *leaked;

	(void)state;
	boot_use_shutdown(&cfg, &clean);
	assert_int_equal(sim_boot(&cfg), 0);
	start_task("leaker");
	touch_pages(map_rw(4), 4);
	leaked = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);
	assert_non_null(leaked);
	SetPageDirty(leaked);
	/* The task is never exited: its mm, VMAs and tables leak with it. */
	assert_int_equal(sim_shutdown(), -EBUSY);
	set_current(NULL);
	boot_use_shutdown(&cfg, &after);
	assert_same_machine(&clean, &after);
}

/* Smaller then larger (past what is mapped) then smaller again, with a movable zone. */
static void test_reboot_smaller_then_larger(void **state)
{
	struct sim_config big = {
		.mem_bytes = 32UL << 20, .movable_bytes = 16UL << 20, .quiet = true};
	struct sim_config small = {.mem_bytes = 8UL << 20, .quiet = true};
	struct sim_config bigger = {
		.mem_bytes = 64UL << 20, .movable_bytes = 16UL << 20, .quiet = true};
	struct boot_view v[6];

	(void)state;
	boot_use_shutdown(&big, &v[0]);
	boot_use_shutdown(&small, &v[1]);
	boot_use_shutdown(&big, &v[2]);
	boot_use_shutdown(&bigger, &v[3]);
	boot_use_shutdown(&small, &v[4]);
	boot_use_shutdown(&big, &v[5]);
	assert_same_machine(&v[0], &v[2]);
	assert_same_machine(&v[2], &v[5]);
	assert_same_machine(&v[1], &v[4]);
	assert_int_equal(v[3].total, (80UL << 20) >> PAGE_SHIFT);
	assert_int_equal(v[3].free, v[3].total - RESERVED_FRAMES);
	assert_true(v[3].raw_frames_zero);
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
		cmocka_unit_test(test_reboot_is_identical),
		cmocka_unit_test(test_reboot_after_leaks_is_identical),
		cmocka_unit_test(test_reboot_smaller_then_larger),
		GUP_TEST(test_boot_twice_is_busy),
		GUP_TEST(test_boot_hands_all_but_reserved_frames_to_buddy),
		cmocka_unit_test(test_shutdown_reports_leaked_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
