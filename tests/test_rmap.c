// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_rmap.c - the reverse map of anonymous pages: fork links the child's
 * VMA to the parent's anon_vma, so a COW-shared page is found in both; a split,
 * a COW copy, an munmap and a grandchild keep the walk exact; page_referenced
 * and try_to_unmap's refusals go through it.
 */
#include "harness.h"

struct visits {
	int nr;			  /* (vma, address) pairs whose PTE maps the page */
	struct mm_struct *mms[8]; /* the address spaces they were in */
	unsigned long addrs[8];
	int walked; /* pairs visited at all */
};

static bool record_mapping(struct page *page, struct vm_area_struct *vma, unsigned long address,
			   void *arg)
{
	struct visits *v = arg;
	pte_t *pte = mm_find_pte(vma->vm_mm, address, NULL);

	v->walked++;
	if (pte && pte_present(ptep_get(pte)) && pte_pfn(ptep_get(pte)) == page_to_pfn(page) &&
	    v->nr < 8) {
		v->mms[v->nr] = vma->vm_mm;
		v->addrs[v->nr++] = address;
	}
	return true;
}

/* Walk the page mapped at @addr in @t and record which PTEs map it. */
static struct visits walk_page_at(struct task_struct *t, unsigned long addr)
{
	struct page *page = pfn_to_page(pfn_of(t, addr));
	struct visits v = {0};
	struct rmap_walk_control rwc = {.arg = &v, .rmap_one = record_mapping};

	lock_page(page);
	rmap_walk(page, &rwc);
	unlock_page(page);
	return v;
}

static bool visited(const struct visits *v, struct mm_struct *mm, unsigned long addr)
{
	for (int i = 0; i < v->nr; i++)
		if (v->mms[i] == mm && v->addrs[i] == addr)
			return true;
	return false;
}

static void test_walk_after_fork_finds_parent_and_child(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long addr = map_rw(2);
	struct visits v;

	(void)state;
	touch_pages(addr, 2);
	child = sys_fork();
	assert_non_null(child);
	set_current(parent);
	v = walk_page_at(parent, addr + PAGE_SIZE);
	assert_int_equal(v.nr, 2);
	assert_true(visited(&v, parent->mm, addr + PAGE_SIZE));
	assert_true(visited(&v, child->mm, addr + PAGE_SIZE));
	task_exit(child);
	v = walk_page_at(parent, addr + PAGE_SIZE);
	assert_int_equal(v.nr, 1);
	assert_int_equal(v.walked, 1); /* the child's link went with its VMA */
	task_exit(parent);
	assert_int_equal(sim_shutdown(), 0);
}

/* A page the child copied on write belongs to the child's own anon_vma. */
static void test_cow_copy_is_found_in_child_only(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long addr = map_rw(1);
	struct visits v;

	(void)state;
	touch_page(addr);
	child = sys_fork();
	assert_non_null(child);
	set_current(child);
	touch_page(addr); /* COW: the child gets a copy */
	assert_int_not_equal(pfn_of(child, addr), pfn_of(parent, addr));
	v = walk_page_at(child, addr);
	assert_int_equal(v.nr, 1);
	assert_true(visited(&v, child->mm, addr));
	assert_int_equal(v.walked, 1); /* the parent's VMA is not linked to the child's anon_vma */
	v = walk_page_at(parent, addr);
	assert_int_equal(v.nr, 1);
	assert_true(visited(&v, parent->mm, addr));
	task_exit(child);
	task_exit(parent);
	assert_int_equal(sim_shutdown(), 0);
}

/* A grandchild, a split VMA and an munmap: the walk follows each. */
static void test_walk_through_grandchild_split_and_munmap(void **state)
{
	struct task_struct *parent = start_task("parent"), *child, *grandchild;
	unsigned long addr = map_rw(3);
	struct visits v;

	(void)state;
	touch_pages(addr, 3);
	child = sys_fork();
	assert_non_null(child);
	set_current(child);
	grandchild = sys_fork();
	assert_non_null(grandchild);
	set_current(grandchild);
	/* Split the grandchild's VMA in three: each part keeps the chain. */
	assert_int_equal(sys_mprotect(addr + PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
	v = walk_page_at(parent, addr + 2 * PAGE_SIZE);
	assert_int_equal(v.nr, 3);
	assert_true(visited(&v, grandchild->mm, addr + 2 * PAGE_SIZE));
	v = walk_page_at(parent, addr + PAGE_SIZE);
	assert_int_equal(v.nr, 3);
	set_current(child);
	assert_int_equal(sys_munmap(addr, 3 * PAGE_SIZE), 0);
	v = walk_page_at(parent, addr);
	assert_int_equal(v.nr, 2);
	assert_false(visited(&v, child->mm, addr));
	assert_true(visited(&v, grandchild->mm, addr));
	task_exit(child);
	task_exit(grandchild);
	task_exit(parent);
	assert_int_equal(sim_shutdown(), 0);
}

/* The accessed bits of every mapping count once and are cleared on the way. */
static void test_page_referenced_counts_young_ptes(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long addr = map_rw(1), flags = 0;
	struct page *page;
	char byte;

	(void)state;
	touch_page(addr);
	child = sys_fork(); /* the child's PTE starts old */
	assert_non_null(child);
	page = pfn_to_page(pfn_of(parent, addr));
	assert_int_equal(page_referenced(page, &flags), 1);
	assert_true(flags & VM_WRITE);
	assert_int_equal(page_referenced(page, NULL), 0);
	set_current(child);
	assert_int_equal(copy_from_user(&byte, addr, 1), 0);
	set_current(parent);
	assert_int_equal(copy_from_user(&byte, addr, 1), 0);
	assert_int_equal(page_referenced(page, NULL), 2);
	assert_int_equal(page_mkclean(page), 0); /* anonymous pages have nothing to clean */
	task_exit(child);
	task_exit(parent);
	assert_int_equal(sim_shutdown(), 0);
}

/* Without swap, or under mlock without TTU_IGNORE_MLOCK, an anonymous page stays mapped. */
static void test_try_to_unmap_refusals(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1);
	struct page *page;

	(void)state;
	touch_page(addr);
	page = pfn_to_page(pfn_of(t, addr));
	lock_page(page);
	assert_false(try_to_unmap(page, 0));
	unlock_page(page);
	assert_int_equal(sys_mlock(addr, PAGE_SIZE), 0);
	lock_page(page);
	assert_false(try_to_unmap(page, TTU_MIGRATION));
	unlock_page(page);
	assert_true(page_mapped(page));
	assert_int_equal(pfn_of(t, addr), page_to_pfn(page));
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_walk_after_fork_finds_parent_and_child, sim_setup),
		cmocka_unit_test_setup(test_cow_copy_is_found_in_child_only, sim_setup),
		cmocka_unit_test_setup(test_walk_through_grandchild_split_and_munmap, sim_setup),
		cmocka_unit_test_setup(test_page_referenced_counts_young_ptes, sim_setup),
		cmocka_unit_test_setup(test_try_to_unmap_refusals, sim_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
