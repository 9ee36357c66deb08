/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/hugetlb_harness.h - the hugetlb tests' common steps: boot with pools,
 * an anonymous MAP_HUGETLB mapping, a byte through the task, the head page
 * mapped at an address, and the end with the invariant and leak checks.
 */
#ifndef GUP_TESTS_HUGETLB_HARNESS_H
#define GUP_TESTS_HUGETLB_HARNESS_H

#include "harness.h"
#include "mm/internal.h"

#define RW (PROT_READ | PROT_WRITE)
#define HUGE_PRIVATE (MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB)

/* Boot with @nr_2m 2 MiB and @nr_1g 1 GiB pool pages; the task "hugetlb" is current. */
static inline struct task_struct *boot_pools(unsigned long nr_2m, unsigned long nr_1g)
{
	struct sim_config cfg = {.hugetlb_2m_pages = nr_2m, .hugetlb_1g_pages = nr_1g};

	if (nr_1g)
		cfg.mem_bytes = (nr_1g + 1) << 30;
	assert_int_equal(sim_boot(&cfg), 0);
	return start_task("hugetlb");
}

/* A new mapping of @len bytes with @flags (MAP_HUGETLB among them), read-write. */
static inline unsigned long map_huge(unsigned long len, unsigned long flags)
{
	unsigned long addr = sys_mmap(0, len, RW, flags, -1, 0);

	assert_false(IS_ERR_VALUE(addr));
	return addr;
}

static inline void put_byte(unsigned long addr, char c)
{
	assert_int_equal(copy_to_user(addr, &c, 1), 0);
}

static inline char get_byte(unsigned long addr)
{
	char c = 0;

	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	return c;
}

/* The head page mapped at @addr, which must be present. */
static inline struct page *head_at(struct task_struct *t, unsigned long addr)
{
	return compound_head(pfn_to_page(pfn_of(t, addr)));
}

/* The invariants hold; @t exits and the machine shuts down without a leak. */
static inline void finish(struct task_struct *t)
{
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

#endif /* GUP_TESTS_HUGETLB_HARNESS_H */
