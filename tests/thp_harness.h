/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/thp_harness.h - the profile tests' view of a task's anonymous pages
 * (the page and PTE at an address, a byte stored through the task) and their
 * common start: a parent task with one THP faulted in at THP_BASE.
 */
#ifndef GUP_TESTS_THP_HARNESS_H
#define GUP_TESTS_THP_HARNESS_H

#include "harness.h"

#define THP_BASE 0x40000000UL /* 2 MiB aligned */

/* The page @t maps at @addr, which must be present. */
static inline struct page *page_at(struct task_struct *t, unsigned long addr)
{
	return pfn_to_page(pfn_of(t, addr));
}

static inline bool pte_writable_at(struct task_struct *t, unsigned long addr)
{
	return pte_write(ptep_get(mm_find_pte(t->mm, addr, NULL)));
}

static inline void write_byte(unsigned long addr, char c)
{
	assert_int_equal(copy_to_user(addr, &c, 1), 0);
}

/*
 * Boot with THPs always on and start task "parent" (current), whose first
 * write at THP_BASE faults in a whole THP. Return: the THP's head page; *@parent
 * is the task and *@addr is THP_BASE.
 */
static inline struct page *boot_parent_with_thp(struct task_struct **parent, unsigned long *addr)
{
	struct sim_config cfg = {.thp = SIM_THP_ALWAYS, .quiet = true};

	assert_int_equal(sim_boot(&cfg), 0);
	*parent = start_task("parent");
	*addr = sys_mmap(THP_BASE, PMD_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	assert_int_equal(*addr, THP_BASE);
	touch_page(*addr);
	return page_at(*parent, *addr);
}

#endif /* GUP_TESTS_THP_HARNESS_H */
