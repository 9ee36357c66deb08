// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_migrate_pmd.c - whole-THP migration behind pmd migration entries, as
 * 5.11 on x86-64 (ARCH_ENABLE_THP_MIGRATION): the THP moves whole and stays
 * pmd-mapped; a pinned one stays; with no order-9 target it is split and moves in
 * pieces; while the entry stands, pagemap reports it, GUP-fast and follow_page()
 * without FOLL_MIGRATION find nothing, and a fault, a slow GUP with FOLL_MIGRATION
 * and a GUP-fast that falls back wait for the remap; a long-term pin moves a THP
 * out of CMA whole.
 */
#include <stdlib.h>
#include <string.h>

#include "migrate_window.h"

#define PMD_TEST(fn) cmocka_unit_test_setup_teardown(fn, boot_thp_movable, shutdown_checked)

static void test_pmd_mapped_thp_moves_whole(void **state)
{
	struct task_struct *t = start_task("thp");
	unsigned long addr = map_thp(), old = pfn_of(t, addr), now;
	unsigned long thps = global_node_page_state(NR_ANON_THPS);

	(void)state;
	assert_true(huge_at(addr));
	assert_int_equal(page_zonenum(pfn_to_page(old)), ZONE_MOVABLE);
	assert_int_equal(sim_migrate_range(addr, HPAGE_PMD_SIZE, ZONE_NORMAL), 0);
	assert_true(huge_at(addr));
	assert_true(pmd_write(pmd_at(addr))); /* a write entry: writable again */
	now = pfn_of(t, addr);
	assert_int_not_equal(now, old);
	assert_true(IS_ALIGNED(now, HPAGE_PMD_NR));
	assert_int_equal(page_zonenum(pfn_to_page(now)), ZONE_NORMAL);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		assert_int_equal(pfn_of(t, addr + i * PAGE_SIZE), now + i);
	assert_int_equal(global_node_page_state(NR_ANON_THPS), thps);
	assert_pattern(addr, HPAGE_PMD_NR);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* A pin keeps the THP: -EAGAIN on every pass, then one page that did not move. */
static void test_pinned_thp_does_not_move(void **state)
{
	struct task_struct *t = start_task("thp");
	unsigned long addr = map_thp(), pfn = pfn_of(t, addr);
	struct page *page;
	char c = 0;

	(void)state;
	assert_int_equal(pin_user_pages_fast(addr + 5 * PAGE_SIZE, 1, FOLL_WRITE, &page), 1);
	assert_int_equal(sim_migrate_range(addr, HPAGE_PMD_SIZE, ZONE_NORMAL), 1);
	assert_true(huge_at(addr));
	assert_int_equal(pfn_of(t, addr), pfn);
	assert_int_equal(page_to_pfn(page), pfn + 5);
	/* The pin and the mapping still see the same memory. */
	*(char *)page_address(page) = 'P';
	assert_int_equal(copy_from_user(&c, addr + 5 * PAGE_SIZE, 1), 0);
	assert_int_equal(c, 'P');
	*(char *)page_address(page) = 'a' + 5;
	unpin_user_pages(&page, 1);
	assert_pattern(addr, HPAGE_PMD_NR);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* No order-9 target (the allocation fails): 5.11 splits the THP and moves the pieces. */
static void test_thp_without_huge_target_splits(void **state)
{
	struct task_struct *t = start_task("thp");
	unsigned long addr = map_thp();

	(void)state;
	assert_int_equal(inject_arm("page_alloc", 1, 1), 0);
	assert_int_equal(sim_migrate_range(addr, HPAGE_PMD_SIZE, ZONE_NORMAL), 0);
	inject_disarm_all();
	assert_false(huge_at(addr));
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		assert_int_equal(page_zonenum(pfn_to_page(pfn_of(t, addr + i * PAGE_SIZE))),
				 ZONE_NORMAL);
	assert_pattern(addr, HPAGE_PMD_NR);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* --- inside the window: the pmd migration entry stands --- */

static void look_at_entry(struct migrate_window *w)
{
	uint64_t entry = pagemap_entry(w->task, w->addr + 3 * PAGE_SIZE);
	struct vm_area_struct *vma;
	struct page *page;

	assert_true(is_pmd_migration_entry(pmd_at(w->addr)));
	assert_true(is_write_migration_entry(pmd_to_swp_entry(pmd_at(w->addr))));
	/* pagemap: swapped, the migration type and the subpage's pfn as the offset. */
	assert_false(entry & PM_PRESENT);
	assert_true(entry & PM_SWAP);
	assert_int_equal(entry & 0x1f, SWP_MIGRATION_WRITE);
	assert_int_equal((entry & PM_PFRAME_MASK) >> 5, w->old_pfn + 3);
	/* smaps counts the THP a pmd migration entry stands for (5.6 on). */
	assert_int_equal(
		smaps_field_kb(w->task, vma_at(w->task, w->addr)->vm_start, "AnonHugePages"),
		HPAGE_PMD_SIZE >> 10);
	/* The lockless walk refuses a pmd that is not present; so does the slow walk alone. */
	assert_int_equal(get_user_pages_fast_only(w->addr, 1, 0, &page), 0);
	mmap_read_lock(current->mm);
	vma = find_vma(current->mm, w->addr);
	assert_null(follow_page(vma, w->addr, FOLL_GET));
	mmap_read_unlock(current->mm);
	assert_int_equal(sim_check(NULL), 0); /* the checker accepts the entry now */
}

static void test_pmd_migration_entry_while_it_stands(void **state)
{
	struct task_struct *t = start_task("thp");
	struct migrate_window w = {.task = t, .addr = map_thp(), .during = look_at_entry};

	(void)state;
	migrate_with_window(&w);
	assert_true(huge_at(w.addr));
	assert_int_not_equal(pfn_of(t, w.addr), w.old_pfn);
	assert_true(pagemap_entry(t, w.addr) & PM_PRESENT);
	assert_int_equal(smaps_field_kb(t, vma_at(t, w.addr)->vm_start, "AnonHugePages"),
			 HPAGE_PMD_SIZE >> 10);
	assert_pattern(w.addr, HPAGE_PMD_NR);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

static void test_fault_waits_for_pmd_migration(void **state)
{
	struct task_struct *t = start_task("thp");
	struct migrate_window w = {.task = t, .addr = map_thp()};
	struct window_waiter ww;

	(void)state;
	wait_in_window(&w, &ww, waiter_read_fault);
	assert_int_equal(ww.ret, 0);
	assert_int_equal(ww.byte, 'a' + 7);
	assert_true(huge_at(w.addr));
	assert_int_not_equal(pfn_of(t, w.addr), w.old_pfn);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

static void test_follow_page_with_foll_migration_waits(void **state)
{
	struct task_struct *t = start_task("thp");
	struct migrate_window w = {.task = t, .addr = map_thp()};
	struct window_waiter ww;

	(void)state;
	wait_in_window(&w, &ww, waiter_follow_page_migration);
	assert_non_null(ww.page);
	assert_false(IS_ERR_VALUE(ww.page));
	/* The new THP's subpage, not the old one. */
	assert_int_equal(page_to_pfn(ww.page), pfn_of(t, w.addr) + 7);
	assert_int_not_equal(page_to_pfn(ww.page), w.old_pfn + 7);
	put_page(ww.page);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* The same at the PTE level: follow_page_pte() waits on a small page's migration entry. */
static void test_follow_page_with_foll_migration_waits_on_small_page(void **state)
{
	struct task_struct *t = start_task("small");
	struct migrate_window w = {.task = t, .addr = map_patterned(0, 8) + 3 * PAGE_SIZE};
	struct window_waiter ww = {.task = t, .fn = waiter_follow_page_migration, .addr = w.addr};

	(void)state;
	assert_false(PageCompound(pfn_to_page(pfn_of(t, w.addr))));
	w.during = window_start_waiter;
	w.arg = &ww;
	migrate_with_window(&w);
	window_waiter_join(&ww);
	assert_non_null(ww.page);
	assert_false(IS_ERR_VALUE(ww.page));
	assert_int_equal(page_to_pfn(ww.page), pfn_of(t, w.addr));
	assert_int_not_equal(page_to_pfn(ww.page), w.old_pfn);
	assert_int_equal(*(char *)page_address(ww.page), 'a' + 3);
	put_page(ww.page);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

static void test_gup_fast_falls_back_and_waits(void **state)
{
	struct task_struct *t = start_task("thp");
	struct migrate_window w = {.task = t, .addr = map_thp()};
	struct window_waiter ww;

	(void)state;
	wait_in_window(&w, &ww, waiter_gup_fast);
	assert_int_equal(ww.ret, 1);
	assert_int_equal(page_to_pfn(ww.page), pfn_of(t, w.addr) + 7);
	assert_int_not_equal(page_to_pfn(ww.page), w.old_pfn + 7);
	put_page(ww.page);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* Does sim_check() report a violation whose text contains @needle? */
static bool check_reports(const char *needle)
{
	char *report = NULL;
	size_t len;
	FILE *out = open_memstream(&report, &len);
	bool found;

	assert_non_null(out);
	sim_check(out);
	fclose(out);
	found = report && strstr(report, needle);
	free(report);
	return found;
}

/* The checker's rules for a pmd migration entry, on one written by hand. */
static void test_checker_knows_pmd_migration_entries(void **state)
{
	struct task_struct *t = start_task("thp");
	unsigned long addr = map_thp();
	pmd_t *pmdp = mm_find_pmd(current->mm, addr), orig = pmdp_get(pmdp);
	struct page *head = pmd_page(orig);

	(void)state;
	set_pmd(pmdp, swp_entry_to_pmd(make_migration_entry(head, true)));
	assert_true(check_reports("left after migration finished"));
	atomic_inc(&migrations_in_flight);
	assert_true(check_reports("names unlocked pfn"));
	lock_page(head);
	assert_false(check_reports("pmd migration entry"));
	unlock_page(head);
	atomic_dec(&migrations_in_flight);
	set_pmd(pmdp, orig);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

static int boot_thp_soft_dirty(void **state)
{
	struct sim_config cfg = {.mem_bytes = 64 * MIB,
				 .movable_bytes = 16 * MIB,
				 .thp = SIM_THP_ALWAYS,
				 .soft_dirty = true};

	(void)state;
	return sim_boot(&cfg);
}

static bool soft_dirty_at(struct task_struct *t, unsigned long addr)
{
	return pagemap_entry(t, addr) & PM_SOFT_DIRTY;
}

/* In the window: the entry kept the bit, and clear_refs "4" clears it there. */
static void clear_soft_dirty_in_window(struct migrate_window *w)
{
	assert_true(is_pmd_migration_entry(pmd_at(w->addr)));
	assert_true(soft_dirty_at(w->task, w->addr));
	assert_int_equal(clear_refs_write(w->task->mm, CLEAR_REFS_SOFT_DIRTY), 0);
	assert_true(is_pmd_migration_entry(pmd_at(w->addr))); /* not split for it */
	assert_false(soft_dirty_at(w->task, w->addr));
}

static void expect_no_soft_dirty(struct migrate_window *w)
{
	assert_false(soft_dirty_at(w->task, w->addr));
}

/* Soft-dirty goes through the pmd migration entry both ways (_PAGE_SWP_SOFT_DIRTY). */
static void test_soft_dirty_survives_pmd_migration(void **state)
{
	struct task_struct *t = start_task("thp");
	struct migrate_window w = {.task = t, .addr = map_thp(), .during = expect_no_soft_dirty};
	char z = 'a';

	(void)state;
	assert_true(soft_dirty_at(t, w.addr));
	assert_int_equal(clear_refs_write(t->mm, CLEAR_REFS_SOFT_DIRTY), 0);
	migrate_with_window(&w); /* clean in, clean out */
	assert_true(huge_at(w.addr));
	assert_false(soft_dirty_at(t, w.addr));
	assert_int_equal(copy_to_user(w.addr, &z, 1), 0);
	assert_true(soft_dirty_at(t, w.addr));
	w = (struct migrate_window){
		.task = t, .addr = w.addr, .during = clear_soft_dirty_in_window};
	migrate_with_window(&w);
	assert_true(huge_at(w.addr));
	assert_false(soft_dirty_at(t, w.addr));
	assert_pattern(w.addr, HPAGE_PMD_NR);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

static int boot_thp_cma(void **state)
{
	struct sim_config cfg = {
		.mem_bytes = 64 * MIB, .cma_bytes = 32 * MIB, .thp = SIM_THP_ALWAYS};

	(void)state;
	return sim_boot(&cfg);
}

/* A long-term pin of a THP in CMA: both profiles move it out whole, still pmd-mapped. */
static void test_longterm_pin_moves_cma_thp_whole(void **state)
{
	struct task_struct *t = start_task("thp");
	unsigned long addr = map_thp(), old = pfn_of(t, addr);
	struct page *pages[2];

	(void)state;
	assert_true(is_migrate_cma_page(pfn_to_page(old))); /* CMA is taken first here */
	mmap_read_lock(current->mm);
	assert_int_equal(pin_user_pages(addr, 2, FOLL_WRITE | FOLL_LONGTERM, pages, NULL), 2);
	mmap_read_unlock(current->mm);
	assert_true(huge_at(addr));
	assert_false(is_migrate_cma_page(pages[0]));
	assert_int_not_equal(page_to_pfn(pages[0]), old);
	assert_int_equal(pfn_of(t, addr), page_to_pfn(pages[0]));
	assert_int_equal(page_to_pfn(pages[1]), page_to_pfn(pages[0]) + 1);
	unpin_user_pages(pages, 2);
	assert_pattern(addr, HPAGE_PMD_NR);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		PMD_TEST(test_pmd_mapped_thp_moves_whole),
		PMD_TEST(test_pinned_thp_does_not_move),
		PMD_TEST(test_thp_without_huge_target_splits),
		PMD_TEST(test_pmd_migration_entry_while_it_stands),
		PMD_TEST(test_fault_waits_for_pmd_migration),
		PMD_TEST(test_follow_page_with_foll_migration_waits),
		PMD_TEST(test_follow_page_with_foll_migration_waits_on_small_page),
		PMD_TEST(test_gup_fast_falls_back_and_waits),
		PMD_TEST(test_checker_knows_pmd_migration_entries),
		cmocka_unit_test_setup_teardown(test_soft_dirty_survives_pmd_migration,
						boot_thp_soft_dirty, shutdown_checked),
		cmocka_unit_test_setup_teardown(test_longterm_pin_moves_cma_thp_whole, boot_thp_cma,
						shutdown_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
