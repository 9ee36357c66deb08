// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_cma_alloc.c - cma_alloc() empties a window of the CMA area by
 * migrating the user pages that borrowed it, tries the next window when one is
 * pinned, and names the pin's call site when every window is busy.
 */
#include "harness.h"
#include "mm/internal.h"

#define MIB (1UL << 20)

/* CMA is two thirds of ZONE_NORMAL: movable allocations take it first. */
static int boot_with_cma(void **state)
{
	struct sim_config cfg = {.mem_bytes = 24 * MIB, .cma_bytes = 16 * MIB};

	(void)state;
	return sim_boot(&cfg);
}

static bool in_window(unsigned long pfn, struct page *first, unsigned long count)
{
	return pfn >= page_to_pfn(first) && pfn < page_to_pfn(first) + count;
}

static char byte_at(unsigned long addr)
{
	char c = 0;

	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	return c;
}

/* The whole area: the user pages in it move out with their data, the frames are ours. */
static void test_cma_alloc_migrates_user_pages(void **state)
{
	struct task_struct *t = start_task("t");
	struct cma *cma = cma_default_area();
	unsigned long count = cma_get_count(cma), addr = map_rw(8);
	unsigned long free_before;
	struct range_busy busy;
	struct page *first;

	(void)state;
	touch_pages(addr, 8);
	for (int i = 0; i < 8; i++)
		assert_true(is_migrate_cma_page(pfn_to_page(pfn_of(t, addr + i * PAGE_SIZE))));
	free_before = sim_free_pages();
	first = cma_alloc(cma, count, 0, &busy);
	assert_non_null(first);
	assert_int_equal(busy.error, 0);
	assert_int_equal(page_to_pfn(first), cma_get_base_pfn(cma));
	for (int i = 0; i < 8; i++) {
		unsigned long a = addr + (unsigned long)i * PAGE_SIZE;

		assert_false(in_window(pfn_of(t, a), first, count));
		assert_int_equal(byte_at(a), 'a' + i);
	}
	for (unsigned long i = 0; i < count; i++)
		assert_int_equal(page_count(first + i), 1);
	/* The pages moved took 8 frames elsewhere; the area's free frames are ours. */
	assert_int_equal(sim_free_pages(), free_before - count + 8 - 8);
	assert_int_equal(sim_check(NULL), 0);
	/* With the area taken, a new fault lands outside it. */
	touch_page(addr + 7 * PAGE_SIZE + 1);
	addr = map_rw(1);
	touch_page(addr);
	assert_false(in_window(pfn_of(t, addr), first, count));
	assert_true(cma_release(cma, first, count));
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/* A short-term pin keeps its page; the next aligned window is taken instead (5.11). */
static void test_cma_alloc_skips_pinned_window(void **state)
{
	struct task_struct *t = start_task("t");
	struct cma *cma = cma_default_area();
	unsigned long half = cma_get_count(cma) / 2, addr = map_rw(1), pinned_pfn;
	struct range_busy busy;
	struct page *pin, *first;

	(void)state;
	touch_page(addr);
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE, &pin), 1);
	pinned_pfn = page_to_pfn(pin);
	assert_true(is_migrate_cma_page(pin));
	first = cma_alloc(cma, half, 0, &busy);
	assert_non_null(first);
	assert_false(in_window(pinned_pfn, first, half));
	assert_int_equal(pfn_of(t, addr), pinned_pfn);
	assert_true(cma_release(cma, first, half));
	unpin_user_page(pin);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/* Every window busy: NULL, -EBUSY, and the pin named by its call site. */
static void test_cma_alloc_names_the_pin(void **state)
{
	struct task_struct *t = start_task("t");
	struct cma *cma = cma_default_area();
	unsigned long count = cma_get_count(cma), addr = map_rw(2);
	struct range_busy busy;
	struct page *pin[2];

	(void)state;
	touch_pages(addr, 2);
	sim_set_call_site("driver.c:42");
	assert_int_equal(pin_user_pages_fast(addr, 2, FOLL_WRITE, pin), 2);
	sim_set_call_site(NULL);
	assert_null(cma_alloc(cma, count, 0, &busy));
	assert_int_equal(busy.error, -EBUSY);
	assert_int_equal(busy.nr_busy, 2);
	assert_int_equal(busy.nr_pinned, 2);
	assert_int_equal(busy.nr_records, 2);
	assert_string_equal(busy.records[0].site, "driver.c:42");
	assert_true(busy.records[0].pin);
	assert_int_equal(busy.records[0].count, 1);
	assert_true(busy.records[0].pfn == page_to_pfn(pin[0]) ||
		    busy.records[0].pfn == page_to_pfn(pin[1]));
	/* Nothing was lost: the pinned pages stay mapped where they were. */
	assert_int_equal(pfn_of(t, addr), page_to_pfn(pin[0]));
	assert_int_equal(byte_at(addr + PAGE_SIZE), 'b');
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_pages(pin, 2);
	/* Once unpinned, the same request succeeds. */
	pin[0] = cma_alloc(cma, count, 0, &busy);
	assert_non_null(pin[0]);
	assert_true(cma_release(cma, pin[0], count));
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/* A FOLL_GET reference blocks too, and is reported as a reference. */
static void test_cma_alloc_names_a_get_reference(void **state)
{
	struct task_struct *t = start_task("t");
	struct cma *cma = cma_default_area();
	unsigned long addr = map_rw(1);
	struct range_busy busy;
	struct page *page;

	(void)state;
	touch_page(addr);
	sim_set_call_site("vmsplice.c:7");
	assert_int_equal(get_user_pages_fast(addr, 1, 0, &page), 1);
	sim_set_call_site(NULL);
	assert_null(cma_alloc(cma, cma_get_count(cma), 0, &busy));
	assert_int_equal(busy.error, -EBUSY);
	assert_int_equal(busy.nr_records, 1);
	assert_false(busy.records[0].pin);
	assert_string_equal(busy.records[0].site, "vmsplice.c:7");
	put_page(page);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

static void test_cma_alloc_bad_requests(void **state)
{
	struct cma *cma = cma_default_area();
	unsigned long count = cma_get_count(cma);
	struct range_busy busy;
	struct page *first, *other;

	(void)state;
	assert_null(cma_alloc(NULL, 1, 0, &busy));
	assert_int_equal(busy.error, -EINVAL);
	assert_null(cma_alloc(cma, 0, 0, &busy));
	assert_int_equal(busy.error, -EINVAL);
	assert_null(cma_alloc(cma, count + 1, 0, &busy));
	assert_int_equal(busy.error, -ENOMEM);
	/* Alignment: 2^4 pages. */
	first = cma_alloc(cma, 3, 4, &busy);
	assert_non_null(first);
	assert_true(IS_ALIGNED(page_to_pfn(first), 16));
	other = cma_alloc(cma, 3, 4, &busy);
	assert_non_null(other);
	assert_int_equal(page_to_pfn(other), page_to_pfn(first) + 16);
	assert_false(cma_release(cma, NULL, 3));
	assert_false(cma_release(NULL, first, 3));
	assert_false(cma_release(cma, pfn_to_page(cma_get_base_pfn(cma) - 1), 1));
	assert_false(cma_release(cma, other, count));
	/* More than was handed out, or frames never handed out: refused, nothing freed. */
	assert_false(cma_release(cma, first, 4));
	assert_false(cma_release(cma, first + 3, 1));
	assert_int_equal(page_ref_count(first + 2), 1);
	assert_true(cma_release(cma, first, 3));
	assert_false(cma_release(cma, first, 3)); /* given back already */
	assert_true(cma_release(cma, other, 3));
	assert_int_equal(sim_shutdown(), 0);
}

static void test_no_cma_area_without_cma(void **state)
{
	(void)state;
	assert_null(cma_default_area());
	assert_null(cma_alloc(cma_default_area(), 1, 0, NULL));
	assert_int_equal(sim_shutdown(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cma_alloc_migrates_user_pages, boot_with_cma,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_cma_alloc_skips_pinned_window, boot_with_cma,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_cma_alloc_names_the_pin, boot_with_cma,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_cma_alloc_names_a_get_reference, boot_with_cma,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_cma_alloc_bad_requests, boot_with_cma,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_no_cma_area_without_cma, sim_setup,
						shutdown_left_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
