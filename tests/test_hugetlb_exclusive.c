// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_hugetlb_exclusive.c - hugetlb pages and 6.x's PageAnonExclusive: set on
 * the head of a private page, cleared when fork shares it, kept when a maybe-pinned
 * page is copied at fork instead; R/O pins of a shared page unsharing it (6.18), so
 * the pin stays coherent with the parent's later writes, which 5.11 does not promise.
 */
#include "hugetlb_harness.h"

/* 6.18 marks the head exclusive at the fault and clears it when fork shares the page. */
static void test_fork_clears_exclusive_of_shared_page(void **state)
{
	struct task_struct *parent, *child;
	unsigned long addr;
	struct page *head;

	(void)state;
	parent = boot_pools(3, 0);
	addr = map_huge(PMD_SIZE, HUGE_PRIVATE);
	put_byte(addr, 'a');
	head = head_at(parent, addr);
	assert_int_equal(PageAnonExclusive(head), profile_is_6_18());
	child = sys_fork();
	assert_non_null(child);
	set_current(parent);
	assert_ptr_equal(head_at(child, addr), head);
	assert_false(PageAnonExclusive(head));
	/* The child's write copies; the parent's then reuses and is exclusive again. */
	set_current(child);
	put_byte(addr, 'b');
	assert_int_equal(PageAnonExclusive(head_at(child, addr)), profile_is_6_18());
	set_current(parent);
	put_byte(addr, 'c');
	assert_ptr_equal(head_at(parent, addr), head);
	assert_int_equal(PageAnonExclusive(head), profile_is_6_18());
	task_exit(child);
	set_current(parent);
	finish(parent);
}

/* A maybe-pinned page is copied for the child at fork (5.12+): the parent's stays exclusive. */
static void test_fork_copy_of_pinned_page_keeps_exclusive(void **state)
{
	struct task_struct *parent, *child;
	struct page *page;
	unsigned long addr;

	(void)state;
	parent = boot_pools(3, 0);
	addr = map_huge(PMD_SIZE, HUGE_PRIVATE);
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE, &page), 1);
	child = sys_fork();
	assert_non_null(child);
	set_current(parent);
	if (profile_is_6_18()) {
		assert_true(PageAnonExclusive(page));
		assert_ptr_not_equal(head_at(child, addr), page);
		assert_true(PageAnonExclusive(head_at(child, addr)));
	} else {
		assert_ptr_equal(head_at(child, addr), page);
		assert_false(PageAnonExclusive(page));
	}
	unpin_user_page(page);
	task_exit(child);
	set_current(parent);
	finish(parent);
}

/*
 * A R/O pin of a page fork shares: 6.18 unshares it (FAULT_FLAG_UNSHARE), the pin
 * lands on the parent's own exclusive copy, still read-only, and the parent's
 * later write reuses that copy, so the pin sees it. 5.11 pins the shared page
 * and the write COWs away from the pin. @fast takes the pin through GUP-fast,
 * which falls back to the slow path to unshare.
 */
static void ro_pin_of_shared_page(bool fast)
{
	struct task_struct *parent, *child;
	unsigned long addr;
	struct page *head, *page;
	long pinned;

	parent = boot_pools(3, 0);
	addr = map_huge(PMD_SIZE, HUGE_PRIVATE);
	put_byte(addr + PAGE_SIZE, 'a');
	head = head_at(parent, addr);
	child = sys_fork();
	assert_non_null(child);
	set_current(parent);
	if (fast) {
		pinned = pin_user_pages_fast(addr + PAGE_SIZE, 1, 0, &page);
	} else {
		mmap_read_lock(parent->mm);
		pinned = pin_user_pages(addr + PAGE_SIZE, 1, 0, &page, NULL);
		mmap_read_unlock(parent->mm);
	}
	assert_int_equal(pinned, 1);
	assert_int_equal(*(char *)page_address(page), 'a');
	if (profile_is_6_18()) {
		assert_ptr_not_equal(compound_head(page), head);
		assert_ptr_equal(head_at(parent, addr), compound_head(page));
		assert_true(PageAnonExclusive(compound_head(page)));
		assert_ptr_equal(head_at(child, addr), head); /* the child keeps the old one */
	} else {
		assert_ptr_equal(compound_head(page), head);
	}
	assert_int_equal(sim_check(NULL), 0);
	put_byte(addr + PAGE_SIZE, 'p');
	assert_int_equal(*(char *)page_address(page), by_profile('a', 'p'));
	assert_ptr_equal(head_at(parent, addr) == compound_head(page), profile_is_6_18());
	set_current(child);
	assert_int_equal(get_byte(addr + PAGE_SIZE), 'a');
	unpin_user_page(page);
	task_exit(child);
	set_current(parent);
	finish(parent);
}

static void test_ro_pin_unshares_shared_page(void **state)
{
	(void)state;
	ro_pin_of_shared_page(false);
}

static void test_ro_fast_pin_unshares_shared_page(void **state)
{
	(void)state;
	ro_pin_of_shared_page(true);
}

/* A FOLL_GET reference promises no coherence: nothing is unshared for it. */
static void test_ro_get_does_not_unshare(void **state)
{
	struct task_struct *parent, *child;
	unsigned long addr;
	struct page *head, *page;

	(void)state;
	parent = boot_pools(3, 0);
	addr = map_huge(PMD_SIZE, HUGE_PRIVATE);
	put_byte(addr, 'a');
	head = head_at(parent, addr);
	child = sys_fork();
	assert_non_null(child);
	set_current(parent);
	assert_int_equal(gup_under_lock(addr, 1, 0, &page, NULL), 1);
	assert_ptr_equal(page, head);
	put_page(page);
	task_exit(child);
	set_current(parent);
	finish(parent);
}

#define HUGETLB_TEST(fn) cmocka_unit_test_teardown(fn, shutdown_left_machine)

int main(void)
{
	const struct CMUnitTest tests[] = {
		HUGETLB_TEST(test_fork_clears_exclusive_of_shared_page),
		HUGETLB_TEST(test_fork_copy_of_pinned_page_keeps_exclusive),
		HUGETLB_TEST(test_ro_pin_unshares_shared_page),
		HUGETLB_TEST(test_ro_fast_pin_unshares_shared_page),
		HUGETLB_TEST(test_ro_get_does_not_unshare),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
