// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_memory_hotplug.c - offline_range() migrates the user pages out of
 * a range and keeps its frames from the allocator until online_range(); a pin
 * makes it fail with -EBUSY and names the pin's call site.
 */
#include "harness.h"
#include "mm/internal.h"

#define MIB (1UL << 20)

static int boot_with_movable(void **state)
{
	struct sim_config cfg = {.mem_bytes = 16 * MIB, .movable_bytes = 8 * MIB};

	(void)state;
	return sim_boot(&cfg);
}

static unsigned long movable_start(void)
{
	return sim.zones[ZONE_MOVABLE].zone_start_pfn;
}

static unsigned long movable_pages(void)
{
	return sim.zones[ZONE_MOVABLE].spanned_pages;
}

static char byte_at(unsigned long addr)
{
	char c = 0;

	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	return c;
}

/* Movable user allocations fall into ZONE_MOVABLE first, as the kernel's zonelist orders them. */
static void test_user_pages_land_in_zone_movable(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(4);
	struct page *kernel = alloc_page(GFP_KERNEL);

	(void)state;
	touch_pages(addr, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(page_zonenum(pfn_to_page(pfn_of(t, addr + i * PAGE_SIZE))),
				 ZONE_MOVABLE);
	assert_int_equal(page_zonenum(kernel), ZONE_NORMAL);
	put_page(kernel);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/* The whole of ZONE_MOVABLE goes offline: its pages move to ZONE_NORMAL with their data. */
static void test_offline_movable_zone_migrates(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(8), free_before, start = movable_start(), nr = movable_pages();
	struct range_busy busy;

	(void)state;
	touch_pages(addr, 8);
	free_before = sim_free_pages();
	assert_int_equal(offline_range(start, nr, &busy), 0);
	assert_int_equal(busy.error, 0);
	for (int i = 0; i < 8; i++) {
		unsigned long a = addr + (unsigned long)i * PAGE_SIZE;

		assert_int_equal(page_zonenum(pfn_to_page(pfn_of(t, a))), ZONE_NORMAL);
		assert_int_equal(byte_at(a), 'a' + i);
	}
	/* 8 pages moved into ZONE_NORMAL; the zone's other frames went with it. */
	assert_int_equal(sim_free_pages(), free_before - (nr - 8) - 8);
	/* Offline frames are not handed out: a new fault lands in ZONE_NORMAL. */
	addr = map_rw(1);
	touch_page(addr);
	assert_int_equal(page_zonenum(pfn_to_page(pfn_of(t, addr))), ZONE_NORMAL);
	assert_int_equal(sim_check(NULL), 0);
	/* Offline already: a second offline of an overlapping range is busy. */
	assert_int_equal(offline_range(start, 1, &busy), -EBUSY);
	assert_int_equal(online_range(start, nr), 0);
	assert_int_equal(sim_free_pages(), free_before - 1); /* the page faulted in meanwhile */
	assert_int_equal(online_range(start, nr), -EINVAL);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/* A pinned page cannot move: -EBUSY, the page stays, and the pin's site is named. */
static void test_offline_under_pin_names_the_pin(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr, pfn;
	struct range_busy busy;
	struct page *pin;

	(void)state;
	pin = pin_new_movable_page("rdma.c:99", &addr);
	pfn = page_to_pfn(pin);
	assert_int_equal(offline_range(movable_start(), movable_pages(), &busy), -EBUSY);
	assert_int_equal(busy.error, -EBUSY);
	assert_int_equal(busy.nr_busy, 1);
	assert_int_equal(busy.first_busy_pfn, pfn);
	assert_int_equal(busy.nr_pinned, 1);
	assert_int_equal(busy.nr_records, 1);
	assert_int_equal(busy.records[0].pfn, pfn);
	assert_true(busy.records[0].pin);
	assert_string_equal(busy.records[0].site, "rdma.c:99");
	assert_int_equal(pfn_of(t, addr), pfn);
	/* The failed attempt gave every frame back. */
	assert_int_equal(sim_check(NULL), 0);
	addr = map_rw(1);
	touch_page(addr);
	assert_int_equal(page_zonenum(pfn_to_page(pfn_of(t, addr))), ZONE_MOVABLE);
	unpin_user_page(pin);
	assert_int_equal(offline_range(movable_start(), movable_pages(), &busy), 0);
	assert_int_equal(online_range(movable_start(), movable_pages()), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/* ZONE_NORMAL holds page tables and kernel pages: they are busy, with no pin to name. */
static void test_offline_unmovable_pages(void **state)
{
	struct page *kernel = alloc_page(GFP_KERNEL);
	unsigned long pfn = page_to_pfn(kernel);
	struct range_busy busy;

	(void)state;
	assert_int_equal(offline_range(pfn, 1, &busy), -EBUSY);
	assert_int_equal(busy.nr_busy, 1);
	assert_int_equal(busy.nr_pinned, 0);
	assert_int_equal(busy.nr_records, 0);
	put_page(kernel);
	assert_int_equal(offline_range(pfn, 1, &busy), 0);
	assert_int_equal(sim_shutdown(), 0); /* still offline: shutdown brings it back */
}

/*
 * The huge zero page cannot migrate, so it is allocated outside ZONE_MOVABLE and
 * CMA, and a read fault mapping it leaves ZONE_MOVABLE free to go offline. Found by
 * the model fuzzer (tests/fuzz/regressions/huge_zero_page_not_movable).
 */
static void test_huge_zero_page_outside_movable(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = sys_mmap(0x40000000UL, HPAGE_PMD_SIZE, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	struct page *zero;
	struct range_busy busy;

	(void)state;
	assert_int_equal(addr, 0x40000000UL); /* 2 MiB aligned */
	assert_int_equal(sys_madvise(addr, HPAGE_PMD_SIZE, MADV_HUGEPAGE), 0);
	assert_int_equal(byte_at(addr), 0); /* a read fault maps the huge zero page */
	zero = pfn_to_page(pfn_of(t, addr));
	assert_true(is_huge_zero_page(compound_head(zero)));
	assert_int_equal(page_zonenum(zero), ZONE_NORMAL);
	assert_false(is_migrate_cma_page(zero));
	assert_int_equal(offline_range(movable_start(), movable_pages(), &busy), 0);
	assert_int_equal(byte_at(addr + PAGE_SIZE), 0);
	assert_int_equal(online_range(movable_start(), movable_pages()), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

static void test_offline_bad_ranges(void **state)
{
	struct range_busy busy;

	(void)state;
	assert_int_equal(offline_range(movable_start(), 0, &busy), -EINVAL);
	assert_int_equal(offline_range(movable_start() - 1, 2, &busy), -EINVAL); /* two zones */
	assert_int_equal(offline_range(movable_start(), movable_pages() + 1, &busy), -EINVAL);
	assert_int_equal(offline_range(0, 1, &busy), -EINVAL); /* the reserved low frames */
	assert_int_equal(offline_range(~0UL, 2, &busy), -EINVAL);
	assert_int_equal(online_range(movable_start(), 1), -EINVAL);
	assert_int_equal(sim_shutdown(), 0);
	assert_int_equal(offline_range(movable_start(), 1, &busy), -ENODEV);
	assert_int_equal(online_range(movable_start(), 1), -ENODEV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_user_pages_land_in_zone_movable,
						boot_with_movable, shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_offline_movable_zone_migrates,
						boot_with_movable, shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_offline_under_pin_names_the_pin,
						boot_with_movable, shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_offline_unmovable_pages, boot_with_movable,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_offline_bad_ranges, boot_with_movable,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_huge_zero_page_outside_movable,
						boot_with_movable, shutdown_left_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
