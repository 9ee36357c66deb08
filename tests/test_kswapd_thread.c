// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_kswapd_thread.c - the zones' watermarks and kswapd: the kernel's
 * default min_free_kbytes and the low/high gaps; an allocation that crosses low
 * wakes kswapd, which reclaims until high and sleeps again (anonymous pages to
 * swap; without swap, file pages, the dirty ones written back first); no
 * kswapd, no waits.
 * Every wait is sim_kswapd_wait_idle(), a condition of the machine.
 */
#include "file_harness.h"
#include "mm/internal.h"

#define MIB (1UL << 20)

static int boot_kswapd(void **state)
{
	struct sim_config cfg = {.mem_bytes = 32 * MIB,
				 .swap_bytes = 16 * MIB,
				 .kswapd = true,
				 .min_free_kbytes = 1024};

	(void)state;
	return sim_boot(&cfg);
}

static unsigned long stat_of(enum node_stat_item item)
{
	return global_node_page_state(item);
}

static struct sim_watermarks normal_zone(void)
{
	struct sim_watermarks wm;

	assert_int_equal(sim_zone_watermarks(ZONE_NORMAL, &wm), 0);
	return wm;
}

/* Take unreclaimable pages until the normal zone is below @mark; a list through ->index. */
static unsigned long hog_below(unsigned long mark)
{
	unsigned long hog = 0;
	struct page *page;

	while (normal_zone().free >= mark) {
		page = alloc_page(GFP_KERNEL);
		assert_non_null(page);
		page->index = hog;
		hog = (unsigned long)page;
	}
	return hog;
}

static void hog_free(unsigned long hog)
{
	while (hog) {
		struct page *page = (struct page *)hog;

		hog = page->index;
		page->index = 0;
		put_page(page);
	}
}

/* 1 MiB over one 32 MiB zone: min 256 pages, low and high a quarter of min apart. */
static void test_watermarks_from_min_free_kbytes(void **state)
{
	struct sim_watermarks wm = normal_zone();
	struct sim_config cfg = {.mem_bytes = 64 * MIB};

	(void)state;
	assert_int_equal(wm.min, 256);
	assert_int_equal(wm.low, 320);
	assert_int_equal(wm.high, 384);
	assert_int_equal(sim_zone_watermarks(MAX_NR_ZONES, &wm), -EINVAL);
	assert_int_equal(sim_shutdown(), 0);
	assert_int_equal(sim_zone_watermarks(ZONE_NORMAL, &wm), -ENODEV);
	/* The kernel's default: sqrt(64 MiB in KiB * 16) = 1024 KiB; no kswapd here. */
	assert_int_equal(sim_boot(&cfg), 0);
	assert_int_equal(normal_zone().min, 256);
	assert_int_equal(sim_kswapd_wait_idle(), -ENODEV);
	assert_int_equal(sim_shutdown(), 0);
}

/*
 * Anonymous memory faulted in until the zone crosses low wakes kswapd, which
 * swaps pages out until the zone is above high again. Then, with nothing
 * allocating meanwhile, the zone ends above high and kswapd sleeps: a second
 * wait returns at once and no run was added.
 */
static void test_crossing_low_wakes_kswapd(void **state)
{
	struct task_struct *t = start_task("t");
	struct sim_watermarks wm = normal_zone();
	unsigned long nr = wm.free - wm.low + 64, addr = map_rw(nr), hog;
	struct sim_kswapd_stats before, after;

	(void)state;
	assert_int_equal(sim_kswapd_stats(&before), 0);
	assert_int_equal(before.wakeups, 0);
	touch_pages(addr, nr);
	assert_int_equal(sim_kswapd_wait_idle(), 0);
	assert_int_equal(sim_kswapd_stats(&after), 0);
	assert_true(after.wakeups >= 1);
	assert_true(after.runs >= 1);
	assert_false(after.running);
	assert_true(stat_of(NR_PGSCAN_KSWAPD) > 0);
	assert_true(stat_of(NR_PGSTEAL_KSWAPD) > 0);
	assert_true(stat_of(NR_PAGEOUTRUN) >= 1);
	assert_true(normal_zone().free >= wm.low);
	/* Now a crossing with nothing else allocating: kswapd restores high. */
	hog = hog_below(wm.low);
	assert_int_equal(sim_kswapd_wait_idle(), 0);
	assert_true(normal_zone().free >= wm.high);
	assert_int_equal(sim_kswapd_stats(&before), 0);
	assert_int_equal(sim_kswapd_wait_idle(), 0);
	assert_int_equal(sim_kswapd_stats(&after), 0);
	assert_int_equal(after.runs, before.runs);
	hog_free(hog);
	assert_int_equal(sim_check(NULL), 0);
	for (unsigned long i = 0; i < nr; i += 97) {
		char c = 0;

		assert_int_equal(copy_from_user(&c, addr + i * PAGE_SIZE, 1), 0);
		assert_int_equal(c, (char)('a' + i));
	}
	assert_int_equal(sim_kswapd_wait_idle(), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/*
 * No swap device: dirty pages of a shared file mapping fill memory; kswapd
 * writes them back and drops them. Every page it took is in the host file.
 */
static void test_kswapd_writes_back_file_pages(void **state)
{
	struct sim_config cfg = {.mem_bytes = 32 * MIB, .kswapd = true, .min_free_kbytes = 1024};
	struct sim_watermarks wm;
	struct task_struct *t;
	unsigned long nr, addr, gone = 0;
	const char *path;
	int fd;

	(void)state;
	assert_int_equal(sim_shutdown(), 0);
	assert_int_equal(sim_boot(&cfg), 0);
	make_test_dir();
	wm = normal_zone();
	nr = wm.free - wm.low + 64;
	path = make_pattern_file("f", nr * PAGE_SIZE, 0600);
	t = start_task("t");
	fd = open_file(path, O_RDWR);
	addr = map_file(fd, nr * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	touch_pages(addr, nr);
	assert_int_equal(sim_kswapd_wait_idle(), 0);
	assert_true(stat_of(NR_PGSTEAL_KSWAPD) > 0);
	assert_true(stat_of(NR_VMSCAN_WRITE) > 0);
	assert_true(normal_zone().free >= wm.low);
	for (unsigned long i = 0; i < nr; i++) {
		if (pagemap_entry(t, addr + i * PAGE_SIZE) & PM_PRESENT)
			continue;
		gone++;
		assert_int_equal(host_byte(path, i * PAGE_SIZE), (char)('a' + i));
	}
	assert_true(gone > 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
	remove_test_dir();
}

/* Nothing to reclaim: kswapd's runs fail, and after 16 of them it is no longer woken. */
static void test_kswapd_gives_up_without_reclaimable_pages(void **state)
{
	struct sim_watermarks wm = normal_zone();
	struct sim_kswapd_stats stats;
	unsigned long hog = 0;
	struct page *page;

	(void)state;
	/* Below min the allocation fails (no direct reclaim for GFP_KERNEL without a fault). */
	while ((page = alloc_page(GFP_KERNEL))) {
		page->index = hog;
		hog = (unsigned long)page;
		assert_int_equal(sim_kswapd_wait_idle(), 0);
	}
	assert_true(normal_zone().free >= wm.min);
	assert_int_equal(sim_kswapd_stats(&stats), 0);
	assert_int_equal(stats.runs, 16);
	assert_int_equal(stat_of(NR_PGSTEAL_KSWAPD), 0);
	hog_free(hog);
	assert_int_equal(sim_shutdown(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_watermarks_from_min_free_kbytes, boot_kswapd,
						NULL),
		cmocka_unit_test_setup_teardown(test_crossing_low_wakes_kswapd, boot_kswapd, NULL),
		cmocka_unit_test_setup_teardown(test_kswapd_writes_back_file_pages, boot_kswapd,
						NULL),
		cmocka_unit_test_setup_teardown(test_kswapd_gives_up_without_reclaimable_pages,
						boot_kswapd, NULL),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
