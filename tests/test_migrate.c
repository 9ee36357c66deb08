// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_migrate.c - migrating small anonymous pages: the data moves and the
 * PTEs of parent and child follow it; a page with a pin or a GUP reference is
 * tried on every pass and left where it is; GUP-fast racing a migration sees the
 * old page (still mapped, the migration gave up) or nothing, never a freed one.
 */
#include "harness.h"

#define MIB (1UL << 20)

static int boot_with_movable(void **state)
{
	struct sim_config cfg = {.mem_bytes = 64 * MIB, .movable_bytes = 16 * MIB};

	(void)state;
	return sim_boot(&cfg);
}

static bool in_normal(struct task_struct *t, unsigned long addr)
{
	return page_zonenum(pfn_to_page(pfn_of(t, addr))) == ZONE_NORMAL;
}

static char byte_at(unsigned long addr)
{
	char c = 0;

	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	return c;
}

static void test_migration_moves_data_in_parent_and_child(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long addr = map_rw(4), old_pfn;
	unsigned long mlocked = global_node_page_state(NR_MLOCK);

	(void)state;
	touch_pages(addr, 4);
	assert_int_equal(sys_mlock(addr + 3 * PAGE_SIZE, PAGE_SIZE), 0);
	old_pfn = pfn_of(parent, addr);
	assert_false(in_normal(parent, addr));
	child = sys_fork();
	assert_non_null(child);
	set_current(parent);
	assert_int_equal(sim_migrate_range(addr, 4 * PAGE_SIZE, ZONE_NORMAL), 0);
	assert_int_equal(sim_check(NULL), 0);
	for (unsigned long i = 0; i < 4; i++) {
		unsigned long a = addr + i * PAGE_SIZE;

		assert_true(in_normal(parent, a));
		assert_int_equal(pfn_of(child, a), pfn_of(parent, a)); /* still shared */
		assert_int_equal(byte_at(a), 'a' + (int)i);
	}
	assert_int_not_equal(pfn_of(parent, addr), old_pfn);
	/* The mlocked page stayed mlocked at its new place, and only once. */
	assert_int_equal(global_node_page_state(NR_MLOCK), mlocked + 1);
	/* Still write-protected for COW: the child's write copies, the parent keeps 'a'. */
	set_current(child);
	assert_int_equal(byte_at(addr), 'a');
	touch_page(addr);
	assert_int_equal(byte_at(addr), 'w');
	set_current(parent);
	assert_int_equal(byte_at(addr), 'a');
	/* And back where __GFP_MOVABLE put them first. */
	assert_int_equal(sim_migrate_range(addr, 4 * PAGE_SIZE, ZONE_MOVABLE), 0);
	assert_false(in_normal(parent, addr + PAGE_SIZE));
	task_exit(child);
	task_exit(parent);
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

/* A pin is a reference migration cannot account for: -EAGAIN on every pass. */
static void test_pinned_page_never_migrates(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(2), pinned_pfn;
	struct page *page;

	(void)state;
	touch_pages(addr, 2);
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE, &page), 1);
	pinned_pfn = page_to_pfn(page);
	after_unmap_hits = 0;
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, count_after_unmap, NULL), 0);
	assert_int_equal(sim_migrate_range(addr, 2 * PAGE_SIZE, ZONE_NORMAL), 1);
	/* One try for the free page, MIGRATE_PASSES for the pinned one. */
	assert_int_equal(after_unmap_hits, 1 + MIGRATE_PASSES);
	assert_int_equal(pfn_of(t, addr), pinned_pfn);
	assert_true(in_normal(t, addr + PAGE_SIZE));
	assert_int_equal(sim_check(NULL), 0);
	/* The PTE is back and the pin still sees what the task writes. */
	touch_page(addr);
	assert_int_equal(*(char *)page_address(page), 'w');
	unpin_user_page(page);
	assert_int_equal(sim_migrate_range(addr, PAGE_SIZE, ZONE_NORMAL), 0);
	assert_true(in_normal(t, addr));
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, NULL, NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/* A FOLL_GET reference blocks it the same way. */
static void test_gup_reference_blocks_migration(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1);
	struct page *page;

	(void)state;
	touch_page(addr);
	assert_int_equal(get_user_pages_fast(addr, 1, 0, &page), 1);
	assert_int_equal(sim_migrate_range(addr, PAGE_SIZE, ZONE_NORMAL), 1);
	assert_int_equal(pfn_of(t, addr), page_to_pfn(page));
	put_page(page);
	assert_int_equal(sim_migrate_range(addr, PAGE_SIZE, ZONE_NORMAL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

struct race {
	unsigned long addr;
	long migrate_ret;
	int fast_ret;
	struct page *fast_page;
};

/* At GUP-fast's speculative grab: migrate the page it is grabbing. */
static void migrate_under_grab(enum sim_point_id id, void *ctx, void *arg)
{
	struct race *r = arg;

	(void)id;
	(void)ctx;
	assert_int_equal(sim_point_set_hook(SP_GUP_FAST_AFTER_GRAB, NULL, NULL), 0);
	r->migrate_ret = sim_migrate_range(r->addr, PAGE_SIZE, ZONE_NORMAL);
}

/* Between the unmap and the copy: GUP-fast looks at the migration entry. */
static void gup_fast_under_migration(enum sim_point_id id, void *ctx, void *arg)
{
	struct race *r = arg;

	(void)id;
	(void)ctx;
	r->fast_ret = get_user_pages_fast_only(r->addr, 1, 0, &r->fast_page);
}

static void test_gup_fast_racing_migration(void **state)
{
	struct task_struct *t = start_task("t");
	struct race r = {.addr = map_rw(1)};
	unsigned long old_pfn;
	struct page *page;

	(void)state;
	touch_page(r.addr);
	old_pfn = pfn_of(t, r.addr);
	/* The grab came first: migration sees its reference and gives up. */
	assert_int_equal(sim_point_set_hook(SP_GUP_FAST_AFTER_GRAB, migrate_under_grab, &r), 0);
	assert_int_equal(get_user_pages_fast(r.addr, 1, 0, &page), 1);
	assert_int_equal(r.migrate_ret, 1);
	assert_int_equal(page_to_pfn(page), old_pfn);
	assert_int_equal(pfn_of(t, r.addr), old_pfn);
	put_page(page);
	/* The unmap came first: GUP-fast finds no page and takes nothing. */
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, gup_fast_under_migration, &r),
			 0);
	assert_int_equal(sim_migrate_range(r.addr, PAGE_SIZE, ZONE_NORMAL), 0);
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, NULL, NULL), 0);
	assert_int_equal(r.fast_ret, 0);
	assert_true(in_normal(t, r.addr));
	/* Afterwards it gets the new page. */
	assert_int_equal(get_user_pages_fast(r.addr, 1, 0, &page), 1);
	assert_int_equal(page_to_pfn(page), pfn_of(t, r.addr));
	put_page(page);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/* A page freed while it sat isolated is not migrated, just released. */
static void test_page_freed_while_isolated(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1);
	unsigned long free_before;
	struct page *page;
	LIST_HEAD(pages);

	(void)state;
	touch_page(addr);
	page = pfn_to_page(pfn_of(t, addr));
	assert_int_equal(migrate_isolate_page(page, &pages), 0);
	assert_int_equal(migrate_isolate_page(page, &pages), -EBUSY);
	assert_int_equal(sys_munmap(addr, PAGE_SIZE), 0);
	free_before = sim_free_pages();
	assert_int_equal(migrate_pages(&pages, NULL, NULL, 0, MIGRATE_SYNC, MR_SYSCALL), 0);
	assert_true(list_empty(&pages));
	assert_int_equal(sim_free_pages(), free_before + 1);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

static void test_migrate_range_bad_input(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(2);

	(void)state;
	assert_int_equal(sim_migrate_range(addr + 1, PAGE_SIZE, ZONE_NORMAL), -EINVAL);
	assert_int_equal(sim_migrate_range(addr, PAGE_SIZE, ZONE_DEVICE), -EINVAL);
	assert_int_equal(sim_migrate_range(addr, PAGE_SIZE, MAX_NR_ZONES), -EINVAL);
	assert_int_equal(sim_migrate_range(-PAGE_SIZE, 2 * PAGE_SIZE, ZONE_NORMAL), -EINVAL);
	assert_int_equal(sys_munmap(addr + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(sim_migrate_range(addr, 2 * PAGE_SIZE, ZONE_NORMAL), -EFAULT);
	/* Untouched memory and the zero page have nothing to move. */
	assert_int_equal(sim_migrate_range(addr, PAGE_SIZE, ZONE_NORMAL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/*
 * Injected migration failures (`migrate_move`): each failed move leaves the page
 * where it was, mapped again with its data; a failure for a while is retried
 * (MIGRATE_PASSES) and the page moves once the failures stop.
 */
static void test_injected_migration_failure(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1), pfn;

	(void)state;
	touch_page(addr);
	pfn = pfn_of(t, addr);
	assert_false(in_normal(t, addr));
	assert_int_equal(inject_arm("migrate_move", 1, 0), 0);
	assert_int_equal(sim_migrate_range(addr, PAGE_SIZE, ZONE_NORMAL), 1);
	assert_int_equal(inject_fired(INJECT_MIGRATE_MOVE), MIGRATE_PASSES);
	assert_int_equal(pfn_of(t, addr), pfn);
	assert_int_equal(byte_at(addr), 'w');
	assert_int_equal(sim_check(NULL), 0);
	/* Two failures, then the third pass moves it. */
	assert_int_equal(inject_arm("migrate_move", 1, 2), 0);
	assert_int_equal(sim_migrate_range(addr, PAGE_SIZE, ZONE_NORMAL), 0);
	assert_int_equal(inject_fired(INJECT_MIGRATE_MOVE), 2);
	assert_true(in_normal(t, addr));
	assert_int_equal(byte_at(addr), 'w');
	inject_disarm_all();
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/*
 * A long-term pin whose migration fails (injected): 5.11 takes the pages again
 * and leaves the pin where it is, 6.18 drops every pin and fails with -ENOMEM
 * (migrate_longterm_unpinnable_folios()).
 */
static void test_longterm_pin_when_migration_fails(void **state)
{
	struct sim_config cfg = {.mem_bytes = 24 * MIB, .cma_bytes = 16 * MIB};
	struct task_struct *t;
	struct page *page;
	unsigned long addr, pfn;

	(void)state;
	assert_int_equal(sim_shutdown(), 0);
	assert_int_equal(sim_boot(&cfg), 0);
	t = start_task("t");
	addr = map_rw(1);
	touch_page(addr);
	pfn = pfn_of(t, addr);
	assert_true(is_migrate_cma_page(pfn_to_page(pfn)));
	assert_int_equal(inject_arm("migrate_move", 1, 0), 0);
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE | FOLL_LONGTERM, &page),
			 by_profile(1, -ENOMEM));
	assert_true(inject_fired(INJECT_MIGRATE_MOVE) >= 1);
	inject_disarm_all();
	if (!profile_is_6_18()) {
		assert_int_equal(page_to_pfn(page), pfn); /* pinned in CMA */
		unpin_user_page(page);
	}
	assert_int_equal(pfn_of(t, addr), pfn);
	assert_int_equal(byte_at(addr), 'w');
	assert_int_equal(pins_acquired(), pins_released());
	assert_int_equal(sim_check(NULL), 0);
	/* Without the failure the pin moves the page out of CMA. */
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE | FOLL_LONGTERM, &page), 1);
	assert_false(is_migrate_cma_page(page));
	unpin_user_page(page);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_migration_moves_data_in_parent_and_child,
				       boot_with_movable),
		cmocka_unit_test_setup(test_pinned_page_never_migrates, boot_with_movable),
		cmocka_unit_test_setup(test_gup_reference_blocks_migration, boot_with_movable),
		cmocka_unit_test_setup(test_gup_fast_racing_migration, boot_with_movable),
		cmocka_unit_test_setup(test_page_freed_while_isolated, boot_with_movable),
		cmocka_unit_test_setup(test_migrate_range_bad_input, boot_with_movable),
		cmocka_unit_test_setup(test_injected_migration_failure, boot_with_movable),
		cmocka_unit_test_setup(test_longterm_pin_when_migration_fails, boot_with_movable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
