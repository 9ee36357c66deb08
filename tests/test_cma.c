// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_cma.c - CMA pageblocks at the top of ZONE_NORMAL: movable user
 * allocations use them as 5.11's allocator does, memalloc_nocma keeps out of
 * them, and 5.11's FOLL_LONGTERM pin migrates a CMA page out before keeping its
 * pin (check_and_migrate_cma_pages), or keeps it in CMA when migration fails.
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

static bool in_cma(struct task_struct *t, unsigned long addr)
{
	return is_migrate_cma_page(pfn_to_page(pfn_of(t, addr)));
}

static char byte_at(unsigned long addr)
{
	char c = 0;

	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	return c;
}

static void test_boot_rejects_bad_cma(void **state)
{
	struct sim_config unaligned = {.mem_bytes = 24 * MIB, .cma_bytes = 1 * MIB};
	struct sim_config too_big = {.mem_bytes = 24 * MIB, .cma_bytes = 20 * MIB};

	(void)state;
	assert_int_equal(sim_boot(&unaligned), -EINVAL);
	assert_int_equal(sim_boot(&too_big), -EINVAL);
}

static void test_allocator_uses_cma_for_movable_only(void **state)
{
	struct page *movable, *kernel, *nocma;
	unsigned int ctx;

	(void)state;
	movable = alloc_page(GFP_HIGHUSER_MOVABLE);
	kernel = alloc_page(GFP_KERNEL);
	ctx = memalloc_nocma_save();
	nocma = alloc_page(GFP_HIGHUSER_MOVABLE);
	memalloc_nocma_restore(ctx);
	assert_true(is_migrate_cma_page(movable));
	assert_false(is_migrate_cma_page(kernel));
	assert_false(is_migrate_cma_page(nocma));
	assert_int_equal(page_zonenum(movable), ZONE_NORMAL);
	put_page(movable);
	put_page(kernel);
	put_page(nocma);
	assert_int_equal(sim_shutdown(), 0);
}

/* 5.11: the long-term pin ends outside CMA, on a page with the same data. */
static void test_longterm_pin_leaves_cma(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(4);
	struct page *pages[4];

	(void)state;
	if (sim_current_profile() != SIM_PROFILE_5_11) {
		task_exit(t);
		assert_int_equal(sim_shutdown(), 0);
		skip(); /* 6.18's check_and_migrate_movable_pages is issue 13's */
	}
	touch_pages(addr, 4);
	for (int i = 0; i < 4; i++)
		assert_true(in_cma(t, addr + i * PAGE_SIZE));
	assert_int_equal(pin_user_pages_fast(addr, 4, FOLL_WRITE | FOLL_LONGTERM, pages), 4);
	for (int i = 0; i < 4; i++) {
		unsigned long a = addr + (unsigned long)i * PAGE_SIZE;

		assert_false(is_migrate_cma_page(pages[i]));
		assert_int_equal(pfn_of(t, a), page_to_pfn(pages[i]));
		assert_int_equal(*(char *)page_address(pages[i]), 'a' + i);
		assert_int_equal(byte_at(a), 'a' + i);
	}
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_pages(pages, 4);
	task_exit(t);
	assert_int_equal(pins_acquired(), pins_released());
	assert_int_equal(sim_shutdown(), 0);
}

static unsigned long after_unmap_hits;

static void count_after_unmap(enum sim_point_id id, void *ctx, void *arg)
{
	(void)id;
	(void)ctx;
	(void)arg;
	after_unmap_hits++;
}

/*
 * 5.11: a second pin keeps the page from migrating; the range is pinned again
 * without migration and the long-term pin stays in CMA.
 */
static void test_longterm_pin_stays_when_migration_fails(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1);
	struct page *first, *longterm;

	(void)state;
	if (sim_current_profile() != SIM_PROFILE_5_11) {
		task_exit(t);
		assert_int_equal(sim_shutdown(), 0);
		skip();
	}
	touch_page(addr);
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE, &first), 1);
	assert_true(is_migrate_cma_page(first));
	after_unmap_hits = 0;
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, count_after_unmap, NULL), 0);
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE | FOLL_LONGTERM, &longterm), 1);
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, NULL, NULL), 0);
	assert_int_equal(after_unmap_hits, MIGRATE_PASSES); /* one migrate_pages(), then given up */
	assert_ptr_equal(longterm, first);
	assert_true(is_migrate_cma_page(longterm));
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_page(longterm);
	unpin_user_page(first);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/* A long-term pin of pages outside CMA migrates nothing. */
static void test_longterm_pin_outside_cma_moves_nothing(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1), pfn;
	struct page *page;
	unsigned int ctx;

	(void)state;
	ctx = memalloc_nocma_save();
	touch_page(addr);
	memalloc_nocma_restore(ctx);
	pfn = pfn_of(t, addr);
	assert_false(in_cma(t, addr));
	after_unmap_hits = 0;
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, count_after_unmap, NULL), 0);
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE | FOLL_LONGTERM, &page), 1);
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, NULL, NULL), 0);
	assert_int_equal(after_unmap_hits, 0);
	assert_int_equal(page_to_pfn(page), pfn);
	unpin_user_page(page);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_rejects_bad_cma),
		cmocka_unit_test_setup(test_allocator_uses_cma_for_movable_only, boot_with_cma),
		cmocka_unit_test_setup(test_longterm_pin_leaves_cma, boot_with_cma),
		cmocka_unit_test_setup(test_longterm_pin_stays_when_migration_fails, boot_with_cma),
		cmocka_unit_test_setup(test_longterm_pin_outside_cma_moves_nothing, boot_with_cma),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
