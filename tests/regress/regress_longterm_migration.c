// SPDX-License-Identifier: GPL-2.0-only
/*
 * Long-term pins against migration: a long-term pin never stays in memory its
 * profile must keep free of pins (CMA under 5.11; CMA and ZONE_MOVABLE under
 * 6.18), GUP-fast never pins a page a migration has unmapped, a pinned page is
 * never migrated away from its pin, and offline_range under a pin names it.
 */
#include "harness.h"
#include "mm/internal.h"

#define MIB (1UL << 20)
#define NR 16

/* ZONE_MOVABLE fills first; CMA holds most of ZONE_NORMAL's free memory after it. */
static int boot_with_cma_and_movable(void **state)
{
	struct sim_config cfg = {
		.mem_bytes = 48 * MIB, .cma_bytes = 32 * MIB, .movable_bytes = 8 * MIB};

	(void)state;
	return sim_boot(&cfg);
}

static bool pin_may_stay(struct page *page)
{
	if (is_migrate_cma_page(page))
		return false;
	return !profile_is_6_18() || page_zonenum(page) != ZONE_MOVABLE;
}

/* Pages in ZONE_MOVABLE and in CMA, pinned through the fast and the slow path. */
static void test_longterm_pin_placement(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long movable_pages = sim.zones[ZONE_MOVABLE].spanned_pages;
	unsigned long nr = movable_pages + NR, addr = map_rw(nr);
	struct page *pages[NR];
	bool saw_cma = false, saw_movable = false;

	(void)state;
	for (unsigned long i = 0; i < nr; i++)
		touch_page(addr + i * PAGE_SIZE);
	for (unsigned long off = 0; off < nr; off += NR) {
		unsigned long a = addr + off * PAGE_SIZE;
		long got;

		for (int i = 0; i < NR; i++) {
			struct page *p = pfn_to_page(pfn_of(t, a + (unsigned long)i * PAGE_SIZE));

			saw_cma |= is_migrate_cma_page(p);
			saw_movable |= page_zonenum(p) == ZONE_MOVABLE;
		}
		if ((off / NR) % 2) {
			got = pin_user_pages_fast(a, NR, FOLL_WRITE | FOLL_LONGTERM, pages);
		} else {
			mmap_read_lock(current->mm);
			got = pin_user_pages(a, NR, FOLL_WRITE | FOLL_LONGTERM, pages, NULL);
			mmap_read_unlock(current->mm);
		}
		assert_int_equal(got, NR);
		for (int i = 0; i < NR; i++) {
			assert_true(page_zonenum(pages[i]) != ZONE_MOVABLE || !profile_is_6_18());
			assert_true(pin_may_stay(pages[i]));
			assert_int_equal(pfn_of(t, a + (unsigned long)i * PAGE_SIZE),
					 page_to_pfn(pages[i]));
		}
		unpin_user_pages(pages, NR);
	}
	assert_true(saw_cma && saw_movable);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

static unsigned long raced_addr;
static long fast_pins_during_migration;

/* Between unmap and remap: GUP-fast finds a migration entry, never the page. */
static void gup_fast_during_migration(enum sim_point_id id, void *ctx, void *arg)
{
	struct page *page;

	(void)id;
	(void)ctx;
	(void)arg;
	if (get_user_pages_fast_only(raced_addr, 1, FOLL_WRITE, &page) == 1) {
		fast_pins_during_migration++;
		put_page(page);
	}
}

static void test_gup_fast_racing_migration(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1), before;

	(void)state;
	touch_page(addr);
	before = pfn_of(t, addr);
	raced_addr = addr;
	fast_pins_during_migration = 0;
	assert_int_equal(
		sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, gup_fast_during_migration, NULL), 0);
	assert_int_equal(sim_migrate_range(addr, PAGE_SIZE, ZONE_NORMAL), 0);
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, NULL, NULL), 0);
	assert_int_equal(fast_pins_during_migration, 0);
	assert_int_not_equal(pfn_of(t, addr), before);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/* A pinned page stays where its pin is: migration and offlining both leave it. */
static void test_pinned_page_never_migrated(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr, pfn;
	struct range_busy busy;
	struct page *pin;

	(void)state;
	pin = pin_new_movable_page("regress:pin", &addr);
	pfn = page_to_pfn(pin);
	assert_int_equal(sim_migrate_range(addr, PAGE_SIZE, ZONE_NORMAL), 1);
	assert_int_equal(pfn_of(t, addr), pfn);
	assert_int_equal(offline_range(sim.zones[ZONE_MOVABLE].zone_start_pfn,
				       sim.zones[ZONE_MOVABLE].spanned_pages, &busy),
			 -EBUSY);
	assert_int_equal(busy.nr_records, 1);
	assert_string_equal(busy.records[0].site, "regress:pin");
	assert_int_equal(pfn_of(t, addr), pfn);
	/* The pin still reaches what the task writes. */
	touch_page(addr);
	assert_int_equal(*(char *)page_address(pin), 'w');
	unpin_user_page(pin);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_longterm_pin_placement,
						boot_with_cma_and_movable, shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_gup_fast_racing_migration,
						boot_with_cma_and_movable, shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_pinned_page_never_migrated,
						boot_with_cma_and_movable, shutdown_left_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
