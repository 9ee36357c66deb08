// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_profile_later.c - four later-kernel rules, each asserted under both
 * profiles: follow_page(FOLL_PIN) refused (5.19), long-term pins with a lock
 * that may drop (6.3), mprotect() making exclusive pages writable (5.19), and
 * COW reuse of a PTE-mapped THP (6.15).
 */
#include "file_harness.h"
#include "thp_harness.h"

/* --- follow_page(FOLL_PIN) (5.19) --- */

/* 5.11 pins through follow_page() like any lookup; 5.19 warns and gives NULL. */
static void test_follow_page_refuses_pin(void **state)
{
	struct task_struct *t = start_task("follow");
	unsigned long addr = map_rw(1);
	unsigned long warnings, acquired = pins_acquired();
	struct page *page;

	(void)state;
	touch_page(addr);
	mmap_read_lock(t->mm);
	warnings = sim_warn_count();
	page = follow_page(vma_at(t, addr), addr, FOLL_PIN);
	assert_int_equal(sim_warn_count(), warnings + by_profile(0, 1));
	if (profile_is_6_18()) {
		assert_null(page);
		assert_int_equal(pins_acquired(), acquired);
	} else {
		assert_ptr_equal(page, page_at(t, addr));
		assert_true(page_maybe_dma_pinned(page));
		unpin_user_page(page);
	}
	/* A plain reference is still what follow_page() is for, under both. */
	page = follow_page(vma_at(t, addr), addr, FOLL_GET);
	assert_ptr_equal(page, page_at(t, addr));
	put_page(page);
	mmap_read_unlock(t->mm);
	assert_int_equal(pins_acquired(), pins_released());
	task_exit(t);
}

/* --- FOLL_LONGTERM with a droppable lock (6.3) --- */

/* pin_user_pages_unlocked() and _remote() with @locked: -EINVAL in 5.11, pins in 6.3+. */
static void test_longterm_pin_with_droppable_lock(void **state)
{
	struct task_struct *t = start_task("longterm");
	unsigned long addr = map_rw(2), warnings = sim_warn_count();
	struct page *pages[2];
	int locked = 1;
	long got;

	(void)state;
	got = pin_user_pages_unlocked(addr, 2, pages, FOLL_LONGTERM | FOLL_WRITE);
	assert_int_equal(got, by_profile(-EINVAL, 2));
	if (got == 2)
		unpin_user_pages(pages, 2);
	mmap_read_lock(t->mm);
	got = pin_user_pages_remote(t->mm, addr, 2, FOLL_LONGTERM | FOLL_WRITE, pages, NULL,
				    &locked);
	assert_int_equal(got, by_profile(-EINVAL, 2));
	assert_int_equal(locked, 1);
	mmap_read_unlock(t->mm);
	if (got == 2)
		unpin_user_pages(pages, 2);
	/* The same call without a lock to drop is fine under both. */
	mmap_read_lock(t->mm);
	assert_int_equal(pin_user_pages_remote(t->mm, addr, 2, FOLL_LONGTERM, pages, NULL, NULL),
			 2);
	mmap_read_unlock(t->mm);
	unpin_user_pages(pages, 2);
	/* 5.11 warned once (WARN_ON_ONCE); 6.18 never. */
	assert_int_equal(sim_warn_count(), warnings + by_profile(1, 0));
	assert_int_equal(pins_acquired(), pins_released());
	task_exit(t);
}

/*
 * 6.18: a movable anonymous page, then an uncached file page whose read drops
 * mmap_lock. The first walk ends with the lock dropped (*locked 0); the
 * long-term pass migrates the movable page and, before walking again, takes
 * the lock back: the caller gets both pages, outside ZONE_MOVABLE, lock held.
 */
static void test_longterm_migration_retakes_dropped_lock(void **state)
{
	struct sim_config cfg = {.mem_bytes = 16UL << 20, .movable_bytes = 16UL << 20};
	struct task_struct *t;
	struct page *pages[2];
	unsigned long addr, acquired;
	int fd, locked = 1;
	long got;

	(void)state;
	make_test_dir();
	assert_int_equal(sim_boot(&cfg), 0);
	t = start_task("retake");
	fd = open_file(make_pattern_file("data", PAGE_SIZE, 0600), O_RDONLY);
	addr = map_rw(2);
	touch_page(addr);
	assert_int_equal(
		sys_mmap(addr + PAGE_SIZE, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0),
		addr + PAGE_SIZE);
	assert_int_equal(page_zonenum(page_at(t, addr)), ZONE_MOVABLE);
	acquired = pins_acquired();
	mmap_read_lock(t->mm);
	got = pin_user_pages_remote(t->mm, addr, 2, FOLL_LONGTERM, pages, NULL, &locked);
	if (profile_is_6_18()) {
		assert_int_equal(got, 2);
		assert_int_equal(locked, 1);
		assert_int_equal(pins_acquired(), acquired + 4);
		assert_int_equal(page_zonenum(pages[0]), ZONE_NORMAL);
		assert_ptr_equal(pages[0], page_at(t, addr));
		assert_int_equal(*(char *)page_address(pages[1]), pattern_byte(0));
		unpin_user_pages(pages, 2);
	} else {
		assert_int_equal(got, -EINVAL);
	}
	if (locked)
		mmap_read_unlock(t->mm);
	assert_int_equal(pins_acquired(), pins_released());
	assert_int_equal(sys_close(fd), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
	remove_test_dir();
}

/* --- mprotect() and exclusive pages (5.19) --- */

/*
 * An exclusive anonymous page made read-only and writable again: 5.19 maps it
 * writable at once; 5.11 leaves it read-only for a write fault to reuse. A
 * page fork shares is not exclusive: read-only under both until written.
 */
static void test_mprotect_makes_exclusive_page_writable(void **state)
{
	struct task_struct *parent = start_task("mprotect"), *child;
	unsigned long addr = map_rw(2);
	unsigned long faults;

	(void)state;
	touch_pages(addr, 2);
	assert_int_equal(sys_mprotect(addr, 2 * PAGE_SIZE, PROT_READ), 0);
	assert_false(pte_writable_at(parent, addr));
	assert_int_equal(sys_mprotect(addr, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
	assert_true(pte_writable_at(parent, addr) == profile_is_6_18());
	faults = page_faults();
	write_byte(addr, 'x');
	assert_int_equal(page_faults(), faults + by_profile(1, 0));
	assert_true(pte_writable_at(parent, addr));

	child = sys_fork();
	assert_non_null(child);
	set_current(parent);
	assert_int_equal(sys_mprotect(addr, 2 * PAGE_SIZE, PROT_READ), 0);
	assert_int_equal(sys_mprotect(addr, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
	assert_false(pte_writable_at(parent, addr + PAGE_SIZE));
	assert_false(pte_writable_at(child, addr + PAGE_SIZE));
	task_exit(child);
	set_current(parent);
	task_exit(parent);
}

/* --- COW reuse of a PTE-mapped THP (6.15) --- */

/*
 * A THP split into PTEs (one subpage zapped), shared with a child by fork, the
 * child gone: the parent's write finds a non-exclusive subpage whose folio only
 * the parent maps. 6.15 reuses it in place; 5.11 (page_count is the folio's)
 * and 6.x before 6.15 copy. While the child still maps it, both copy.
 */
static void test_write_reuses_pte_mapped_thp_mapped_only_here(void **state)
{
	struct task_struct *parent, *child;
	struct page *head;
	unsigned long addr;

	(void)state;
	head = boot_parent_with_thp(&parent, &addr);
	assert_true(PageHead(head));
	/* Zapping the last subpage splits the pmd: 511 PTEs map the THP. */
	assert_int_equal(sys_madvise(addr + PMD_SIZE - PAGE_SIZE, PAGE_SIZE, MADV_DONTNEED), 0);
	assert_ptr_equal(page_at(parent, addr + PAGE_SIZE), head + 1);

	child = sys_fork();
	assert_non_null(child);
	set_current(parent);
	/* The child maps it too: a copy under both. */
	write_byte(addr + 2 * PAGE_SIZE, 'c');
	assert_ptr_not_equal(page_at(parent, addr + 2 * PAGE_SIZE), head + 2);
	assert_ptr_equal(page_at(child, addr + 2 * PAGE_SIZE), head + 2);
	task_exit(child);
	set_current(parent);

	write_byte(addr + PAGE_SIZE, 'r');
	if (profile_is_6_18()) {
		assert_ptr_equal(page_at(parent, addr + PAGE_SIZE), head + 1);
		assert_true(PageAnonExclusive(head + 1));
		assert_false(PageAnonExclusive(head + 3));
	} else {
		assert_ptr_not_equal(page_at(parent, addr + PAGE_SIZE), head + 1);
	}
	assert_true(pte_writable_at(parent, addr + PAGE_SIZE));
	assert_int_equal(sim_check(NULL), 0);
	task_exit(parent);
	assert_int_equal(sim_shutdown(), 0);
}

/* A pin is a reference no mapping accounts for: no reuse even under 6.15. */
static void test_pinned_pte_mapped_thp_is_copied(void **state)
{
	struct task_struct *parent, *child;
	struct page *head, *pinned;
	unsigned long addr;

	(void)state;
	head = boot_parent_with_thp(&parent, &addr);
	assert_int_equal(sys_madvise(addr + PMD_SIZE - PAGE_SIZE, PAGE_SIZE, MADV_DONTNEED), 0);
	child = sys_fork();
	assert_non_null(child);
	task_exit(child);
	set_current(parent);
	/* A FOLL_GET reference (no unsharing) on another subpage of the folio. */
	assert_int_equal(get_user_pages_fast(addr + 5 * PAGE_SIZE, 1, 0, &pinned), 1);
	assert_ptr_equal(pinned, head + 5);
	write_byte(addr + PAGE_SIZE, 'r');
	assert_ptr_not_equal(page_at(parent, addr + PAGE_SIZE), head + 1);
	put_page(pinned);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(parent);
	assert_int_equal(sim_shutdown(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_follow_page_refuses_pin),
		GUP_TEST(test_longterm_pin_with_droppable_lock),
		cmocka_unit_test(test_longterm_migration_retakes_dropped_lock),
		GUP_TEST(test_mprotect_makes_exclusive_page_writable),
		cmocka_unit_test(test_write_reuses_pte_mapped_thp_mapped_only_here),
		cmocka_unit_test(test_pinned_pte_mapped_thp_is_copied),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
