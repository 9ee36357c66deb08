// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_migrate_huge.c - migrating THPs that PTEs map (the pmd split, half
 * mremapped or munmapped, mapped in two processes after fork): 5.11 moves them
 * whole behind a migration entry per subpage; 6.18 first splits one partially
 * mapped; pins and references keep one (-EAGAIN on every pass) and, with no order-9
 * target, make the split fail (-ENOMEM). Pmd-mapped ones: test_migrate_pmd.c.
 */
#include "migrate_window.h"

#define HUGE_TEST(fn) cmocka_unit_test_setup_teardown(fn, boot_thp_movable, shutdown_checked)
#define HALF (HPAGE_PMD_NR / 2)

/* Split the huge pmd mapping @addr in current's mm: the THP is PTE-mapped from now on. */
static void split_pmd(unsigned long addr)
{
	mmap_read_lock(current->mm);
	split_huge_pmd_address(find_vma(current->mm, addr), addr);
	mmap_read_unlock(current->mm);
	assert_false(huge_at(addr));
}

/* map_thp(), its pmd split. */
static unsigned long map_pte_mapped_thp(void)
{
	unsigned long addr = map_thp();

	split_pmd(addr);
	return addr;
}

static struct page *head_at(struct task_struct *t, unsigned long addr)
{
	return compound_head(pfn_to_page(pfn_of(t, addr)));
}

/* Page @i of the THP map_thp() wrote, now mapped at @addr, still holds its byte. */
static void assert_subpage_byte(unsigned long addr, unsigned long i)
{
	char c = 0;

	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	assert_int_equal(c, 'a' + (int)(i % 26));
}

/*
 * @t maps subpages [@first, @first + @nr) of one order-9 THP other than @old at
 * @addr on: PTEs map each at its place, the data came along. Return
 * the new head.
 */
static struct page *assert_moved_whole(struct task_struct *t, unsigned long addr,
				       unsigned long first, unsigned long nr, unsigned long old)
{
	struct page *head = head_at(t, addr);

	assert_true(PageTransHuge(head));
	assert_int_equal(compound_order(head), HPAGE_PMD_ORDER);
	assert_int_not_equal(page_to_pfn(head), old);
	for (unsigned long i = 0; i < nr; i++) {
		assert_int_equal(pfn_of(t, addr + i * PAGE_SIZE), page_to_pfn(head) + first + i);
		assert_subpage_byte(addr + i * PAGE_SIZE, first + i);
	}
	return head;
}

static int subpage_mapcount(struct page *head, unsigned long i)
{
	return atomic_read(&head[i]._mapcount) + 1;
}

static int compound_mapcount(struct page *head)
{
	return atomic_read(&head[1].compound_mapcount) + 1;
}

/* A THP no pmd maps any more moves whole: each PTE maps the new THP's subpage. */
static void test_pte_mapped_thp_moves_whole(void **state)
{
	struct task_struct *t = start_task("thp");
	unsigned long addr = map_pte_mapped_thp(), old = pfn_of(t, addr);
	unsigned long anon = global_node_page_state(NR_ANON_MAPPED);
	unsigned long thps = global_node_page_state(NR_ANON_THPS);
	long rss = atomic_long_read(&t->mm->rss_anon);
	struct page *head;

	(void)state;
	assert_int_equal(page_zonenum(pfn_to_page(old)), ZONE_MOVABLE);
	/* One subpage asked for: the whole THP goes, as move_pages(2) takes it. */
	assert_int_equal(sim_migrate_range(addr + 3 * PAGE_SIZE, PAGE_SIZE, ZONE_NORMAL), 0);
	assert_false(huge_at(addr));
	head = assert_moved_whole(t, addr, 0, HPAGE_PMD_NR, old);
	assert_int_equal(page_zonenum(head), ZONE_NORMAL);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		assert_int_equal(subpage_mapcount(head, i), 1);
	assert_int_equal(compound_mapcount(head), 0);
	assert_int_equal(page_count(head), HPAGE_PMD_NR); /* one per PTE, nothing else */
	assert_true(pte_write(ptep_get(mm_find_pte(t->mm, addr + 9 * PAGE_SIZE, NULL))));
	assert_int_equal(global_node_page_state(NR_ANON_MAPPED), anon);
	assert_int_equal(global_node_page_state(NR_ANON_THPS), thps);
	assert_int_equal(atomic_long_read(&t->mm->rss_anon), rss);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* Parent and child both map it with PTEs (each split its pmd after fork): both follow. */
static void test_thp_pte_mapped_in_two_processes_moves_whole(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long addr = map_thp(), old = pfn_of(parent, addr);
	struct page *head;

	(void)state;
	child = sys_fork();
	assert_non_null(child);
	set_current(child);
	split_pmd(addr);
	set_current(parent);
	split_pmd(addr);
	assert_int_equal(sim_migrate_range(addr, HPAGE_PMD_SIZE, ZONE_NORMAL), 0);
	head = assert_moved_whole(parent, addr, 0, HPAGE_PMD_NR, old);
	assert_int_equal(page_zonenum(head), ZONE_NORMAL);
	set_current(child);
	assert_ptr_equal(assert_moved_whole(child, addr, 0, HPAGE_PMD_NR, old), head);
	set_current(parent);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		assert_int_equal(subpage_mapcount(head, i), 2);
	assert_int_equal(page_count(head), 2 * HPAGE_PMD_NR);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(child);
	task_exit(parent);
}

/*
 * The child munmaps the first half (its pmd split for it); the parent keeps its
 * pmd. Every subpage is still mapped, so both profiles move it whole: a pmd for the
 * parent, PTEs for the child's half.
 */
static void test_thp_pmd_mapped_and_half_pte_mapped_moves_whole(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long addr = map_thp(), old = pfn_of(parent, addr);
	struct page *head;

	(void)state;
	child = sys_fork();
	assert_non_null(child);
	set_current(child);
	assert_int_equal(sys_munmap(addr, HALF * PAGE_SIZE), 0);
	set_current(parent);
	assert_int_equal(sim_migrate_range(addr, HPAGE_PMD_SIZE, ZONE_NORMAL), 0);
	assert_true(huge_at(addr));
	head = assert_moved_whole(parent, addr, 0, HPAGE_PMD_NR, old);
	set_current(child);
	assert_false(huge_at(addr + HALF * PAGE_SIZE));
	assert_ptr_equal(assert_moved_whole(child, addr + HALF * PAGE_SIZE, HALF, HALF, old), head);
	set_current(parent);
	assert_int_equal(compound_mapcount(head), 1);
	assert_int_equal(subpage_mapcount(head, 0), 0);
	assert_int_equal(subpage_mapcount(head, HALF), 1);
	assert_int_equal(page_count(head), 1 + HALF);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(child);
	task_exit(parent);
}

/*
 * mremap moves the second half elsewhere: the THP lies in two VMAs, each mapping
 * its half by PTEs at its linear index. It moves whole and both halves follow.
 */
static void test_thp_half_mremapped_moves_whole(void **state)
{
	struct task_struct *t = start_task("thp");
	unsigned long addr = map_thp(), old = pfn_of(t, addr);
	unsigned long to = addr + 2 * HPAGE_PMD_SIZE;
	struct page *head;

	(void)state;
	assert_int_equal(sys_mremap(addr + HALF * PAGE_SIZE, HALF * PAGE_SIZE, HALF * PAGE_SIZE,
				    MREMAP_MAYMOVE | MREMAP_FIXED, to),
			 to);
	assert_int_equal(sim_migrate_range(to, PAGE_SIZE, ZONE_NORMAL), 0);
	head = assert_moved_whole(t, addr, 0, HALF, old);
	assert_int_equal(page_zonenum(head), ZONE_NORMAL);
	assert_ptr_equal(assert_moved_whole(t, to, HALF, HALF, old), head);
	assert_int_equal(page_count(head), HPAGE_PMD_NR);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/*
 * The first half munmapped: the head is mapped nowhere and the VMA starts at the
 * THP's middle. 5.11 moves it whole (the unmapped half copied too); 6.18 splits the
 * partially mapped THP first, frees the unmapped half and moves the rest as small
 * pages.
 */
static void test_partially_mapped_thp_moves_whole_or_splits(void **state)
{
	struct task_struct *t = start_task("thp");
	unsigned long addr = map_thp(), old = pfn_of(t, addr), rest = addr + HALF * PAGE_SIZE;
	unsigned long anon, free_before;

	(void)state;
	assert_int_equal(sys_munmap(addr, HALF * PAGE_SIZE), 0);
	anon = global_node_page_state(NR_ANON_MAPPED);
	free_before = global_node_page_state(NR_FREE_PAGES);
	assert_int_equal(sim_migrate_range(rest, HALF * PAGE_SIZE, ZONE_NORMAL), 0);
	if (profile_is_6_18()) {
		for (unsigned long i = 0; i < HALF; i++) {
			struct page *page = pfn_to_page(pfn_of(t, rest + i * PAGE_SIZE));

			assert_false(PageCompound(page));
			assert_int_equal(page_zonenum(page), ZONE_NORMAL);
			assert_subpage_byte(rest + i * PAGE_SIZE, HALF + i);
		}
		/* The split freed the unmapped half before anything moved. */
		assert_int_equal(global_node_page_state(NR_FREE_PAGES), free_before + HALF);
	} else {
		struct page *head = assert_moved_whole(t, rest, HALF, HALF, old);

		assert_int_equal(page_zonenum(head), ZONE_NORMAL);
		assert_int_equal(page_count(head), HALF);
		assert_int_equal(subpage_mapcount(head, 0), 0);
		assert_int_equal(global_node_page_state(NR_FREE_PAGES), free_before);
	}
	assert_int_equal(global_node_page_state(NR_ANON_MAPPED), anon);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* --- what keeps it where it is --- */

static void count_hits(enum sim_point_id id, void *ctx, void *arg)
{
	(void)id;
	(void)ctx;
	++*(int *)arg;
}

/*
 * A pin on one subpage: the move finds the extra reference after the unmap on each
 * of the MIGRATE_PASSES passes (-EAGAIN), the THP is mapped again each time, and it
 * stays whole where it was. Fully PTE-mapped, or partially mapped (6.18's split
 * fails on the pin and the whole move is tried).
 */
static void pinned_thp_stays(unsigned long unmap_pages)
{
	struct task_struct *t = start_task("thp");
	unsigned long addr = map_pte_mapped_thp(), pfn = pfn_of(t, addr);
	unsigned long at = addr + unmap_pages * PAGE_SIZE;
	struct page *page;
	int hits = 0;
	char c = 0;

	if (unmap_pages)
		assert_int_equal(sys_munmap(addr, unmap_pages * PAGE_SIZE), 0);
	assert_int_equal(pin_user_pages_fast(at + 5 * PAGE_SIZE, 1, FOLL_WRITE, &page), 1);
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, count_hits, &hits), 0);
	assert_int_equal(
		sim_migrate_range(at, HPAGE_PMD_SIZE - unmap_pages * PAGE_SIZE, ZONE_NORMAL), 1);
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, NULL, NULL), 0);
	assert_int_equal(hits, MIGRATE_PASSES);
	assert_true(PageTransHuge(pfn_to_page(pfn)));
	for (unsigned long i = unmap_pages; i < HPAGE_PMD_NR; i++)
		assert_int_equal(pfn_of(t, addr + i * PAGE_SIZE), pfn + i);
	assert_int_equal(page_to_pfn(page), pfn + unmap_pages + 5);
	*(char *)page_address(page) = 'P'; /* the pin and the mapping share the memory */
	assert_int_equal(copy_from_user(&c, at + 5 * PAGE_SIZE, 1), 0);
	assert_int_equal(c, 'P');
	unpin_user_pages(&page, 1);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

static void test_pinned_pte_mapped_thp_stays_whole(void **state)
{
	(void)state;
	pinned_thp_stays(0);
}

static void test_pinned_partially_mapped_thp_stays_whole(void **state)
{
	(void)state;
	pinned_thp_stays(HALF);
}

/* A reference held across the first pass only (a GUP that ends): the second moves it. */
static void hold_first_pass(enum sim_point_id id, void *ctx, void *arg)
{
	int *hits = arg;

	(void)id;
	if (++*hits == 1)
		get_page(ctx);
	else if (*hits == 2)
		put_page(ctx);
}

static void test_reference_dropped_between_passes_lets_it_move(void **state)
{
	struct task_struct *t = start_task("thp");
	unsigned long addr = map_pte_mapped_thp(), old = pfn_of(t, addr);
	int hits = 0;

	(void)state;
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, hold_first_pass, &hits), 0);
	assert_int_equal(sim_migrate_range(addr, HPAGE_PMD_SIZE, ZONE_NORMAL), 0);
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, NULL, NULL), 0);
	assert_int_equal(hits, 2);
	assert_moved_whole(t, addr, 0, HPAGE_PMD_NR, old);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* No order-9 target: split and moved in pieces; pinned, the split fails: -ENOMEM. */
static void test_pte_mapped_thp_without_huge_target(void **state)
{
	struct task_struct *t = start_task("thp");
	unsigned long addr = map_pte_mapped_thp(), pfn = pfn_of(t, addr);
	struct page *page;

	(void)state;
	assert_int_equal(pin_user_pages_fast(addr, 1, 0, &page), 1);
	assert_int_equal(inject_arm("page_alloc", 1, 1), 0);
	assert_int_equal(sim_migrate_range(addr, HPAGE_PMD_SIZE, ZONE_NORMAL), -ENOMEM);
	inject_disarm_all();
	assert_true(PageTransHuge(pfn_to_page(pfn)));
	assert_int_equal(pfn_of(t, addr + 100 * PAGE_SIZE), pfn + 100);
	unpin_user_pages(&page, 1);
	assert_int_equal(inject_arm("page_alloc", 1, 1), 0);
	assert_int_equal(sim_migrate_range(addr, HPAGE_PMD_SIZE, ZONE_NORMAL), 0);
	inject_disarm_all();
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		page = pfn_to_page(pfn_of(t, addr + i * PAGE_SIZE));
		assert_false(PageCompound(page));
		assert_int_equal(page_zonenum(page), ZONE_NORMAL);
	}
	assert_pattern(addr, HPAGE_PMD_NR);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* --- inside the window: a PTE migration entry per subpage --- */

static void look_at_entries(struct migrate_window *w)
{
	struct page *page;

	assert_false(is_pmd_migration_entry(pmd_at(w->addr)));
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i += 97) {
		uint64_t entry = pagemap_entry(w->task, w->addr + i * PAGE_SIZE);

		assert_false(entry & PM_PRESENT);
		assert_true(entry & PM_SWAP);
		assert_int_equal(entry & 0x1f, SWP_MIGRATION_WRITE);
		assert_int_equal((entry & PM_PFRAME_MASK) >> 5, w->old_pfn + i);
	}
	assert_int_equal(total_mapcount(w->old), 0);
	assert_int_equal(page_count(w->old), 1); /* the isolation's alone */
	assert_int_equal(get_user_pages_fast_only(w->addr, 1, 0, &page), 0);
	assert_int_equal(sim_check(NULL), 0); /* the checker accepts the entries now */
}

static void test_pte_migration_entries_while_they_stand(void **state)
{
	struct task_struct *t = start_task("thp");
	struct migrate_window w = {
		.task = t, .addr = map_pte_mapped_thp(), .during = look_at_entries};

	(void)state;
	migrate_with_window(&w);
	assert_moved_whole(t, w.addr, 0, HPAGE_PMD_NR, w.old_pfn);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* GUP-fast meets a subpage's migration entry, falls back, waits, gets the new subpage. */
static void test_gup_fast_waits_for_pte_mapped_thp(void **state)
{
	struct task_struct *t = start_task("thp");
	struct migrate_window w = {.task = t, .addr = map_pte_mapped_thp()};
	struct window_waiter ww;

	(void)state;
	wait_in_window(&w, &ww, waiter_gup_fast);
	assert_int_equal(ww.ret, 1);
	assert_true(PageTransHuge(compound_head(ww.page)));
	assert_int_equal(page_to_pfn(ww.page), pfn_of(t, w.addr) + 7);
	assert_int_not_equal(page_to_pfn(ww.page), w.old_pfn + 7);
	put_page(ww.page);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* fork in the window: the child's copies of the entries are found and mapped too. */
static void fork_in_window(struct migrate_window *w)
{
	w->arg = sys_fork();
	assert_non_null(w->arg);
}

static void test_fork_during_pte_mapped_thp_migration(void **state)
{
	struct task_struct *t = start_task("parent"), *child;
	struct migrate_window w = {
		.task = t, .addr = map_pte_mapped_thp(), .during = fork_in_window};
	struct page *head;
	char c = 'Z';

	(void)state;
	migrate_with_window(&w);
	child = w.arg;
	head = assert_moved_whole(t, w.addr, 0, HPAGE_PMD_NR, w.old_pfn);
	set_current(child);
	assert_ptr_equal(assert_moved_whole(child, w.addr, 0, HPAGE_PMD_NR, w.old_pfn), head);
	set_current(t);
	assert_int_equal(subpage_mapcount(head, 9), 2);
	/* COW-shared: the parent's write stays the parent's. */
	assert_int_equal(copy_to_user(w.addr + 9 * PAGE_SIZE, &c, 1), 0);
	set_current(child);
	assert_subpage_byte(w.addr + 9 * PAGE_SIZE, 9);
	set_current(t);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(child);
	task_exit(t);
}

/* munmap of part in the window: the entries there go; the rest map the new THP. */
static void munmap_in_window(struct migrate_window *w)
{
	assert_int_equal(sys_munmap(w->addr, 100 * PAGE_SIZE), 0);
}

static void test_munmap_during_pte_mapped_thp_migration(void **state)
{
	struct task_struct *t = start_task("thp");
	struct migrate_window w = {
		.task = t, .addr = map_pte_mapped_thp(), .during = munmap_in_window};
	struct page *head;

	(void)state;
	migrate_with_window(&w);
	head = assert_moved_whole(t, w.addr + 100 * PAGE_SIZE, 100, HPAGE_PMD_NR - 100, w.old_pfn);
	assert_int_equal(page_count(head), HPAGE_PMD_NR - 100);
	assert_int_equal(atomic_long_read(&t->mm->rss_anon), HPAGE_PMD_NR - 100);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/*
 * A long-term pin of a THP in ZONE_MOVABLE: 6.18 migrates it whole (still
 * pmd-mapped) and pins the new THP in ZONE_NORMAL; 5.11 only moves pins out of
 * CMA and pins it in place.
 */
static void test_longterm_pin_moves_thp_out_of_movable_under_6_18(void **state)
{
	struct task_struct *t = start_task("thp");
	unsigned long addr = map_thp();
	struct page *pages[2];

	(void)state;
	assert_int_equal(pin_user_pages(addr, 2, FOLL_WRITE | FOLL_LONGTERM, pages, NULL), 2);
	assert_true(huge_at(addr));
	if (profile_is_6_18()) {
		assert_int_equal(page_zonenum(pages[0]), ZONE_NORMAL);
		assert_int_equal(pfn_of(t, addr), page_to_pfn(pages[0]));
		assert_int_equal(pfn_of(t, addr + PAGE_SIZE), page_to_pfn(pages[1]));
	} else {
		assert_int_equal(page_zonenum(pages[0]), ZONE_MOVABLE);
	}
	unpin_user_pages(pages, 2);
	assert_pattern(addr, HPAGE_PMD_NR);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		HUGE_TEST(test_pte_mapped_thp_moves_whole),
		HUGE_TEST(test_thp_pte_mapped_in_two_processes_moves_whole),
		HUGE_TEST(test_thp_pmd_mapped_and_half_pte_mapped_moves_whole),
		HUGE_TEST(test_thp_half_mremapped_moves_whole),
		HUGE_TEST(test_partially_mapped_thp_moves_whole_or_splits),
		HUGE_TEST(test_pinned_pte_mapped_thp_stays_whole),
		HUGE_TEST(test_pinned_partially_mapped_thp_stays_whole),
		HUGE_TEST(test_reference_dropped_between_passes_lets_it_move),
		HUGE_TEST(test_pte_mapped_thp_without_huge_target),
		HUGE_TEST(test_pte_migration_entries_while_they_stand),
		HUGE_TEST(test_gup_fast_waits_for_pte_mapped_thp),
		HUGE_TEST(test_fork_during_pte_mapped_thp_migration),
		HUGE_TEST(test_munmap_during_pte_mapped_thp_migration),
		HUGE_TEST(test_longterm_pin_moves_thp_out_of_movable_under_6_18),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
