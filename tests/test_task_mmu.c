// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_task_mmu.c - /proc/PID/pagemap entries (fs/proc/task_mmu.c): present, pfn,
 * exclusive and file bits.
 */
#include "harness.h"

#include <string.h>

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static void test_pagemap_bits(void **state)
{
	struct task_struct *t = start_task("uaccess");
	unsigned long addr = map_bytes(3 * PAGE_SIZE, RW, ANON);
	uint64_t entry;

	(void)state;
	assert_int_equal(copy_to_user(addr, "p", 1), 0);
	entry = pagemap_entry(t, addr);
	assert_true(entry & PM_PRESENT);
	assert_true(entry & PM_MMAP_EXCLUSIVE);
	assert_false(entry & (PM_FILE | PM_SWAP));
	assert_true(pfn_valid(entry & PM_PFRAME_MASK));
	assert_true(PageAnon(pfn_to_page(entry & PM_PFRAME_MASK)));
	assert_int_equal(pagemap_entry(t, addr + PAGE_SIZE), 0); /* never touched */
	assert_int_equal(pagemap_entry(t, addr + 16 * PAGE_SIZE) & PM_PRESENT, 0);
	assert_int_equal(pagemap_read(t->mm, TASK_SIZE, &entry), -EINVAL);
	assert_int_equal(pagemap_read(t->mm, -1UL, &entry), -EINVAL);
	assert_int_equal(pagemap_read(t->mm, addr, NULL), -EINVAL);
	task_exit(t);
}

static void test_pagemap_exclusive_cleared_by_fork(void **state)
{
	struct task_struct *parent = start_task("uaccess"), *child;
	unsigned long addr = map_bytes(PAGE_SIZE, RW, ANON);
	uint64_t before;

	(void)state;
	assert_int_equal(copy_to_user(addr, "e", 1), 0);
	before = pagemap_entry(parent, addr);
	child = sys_fork();
	assert_false(pagemap_entry(parent, addr) & PM_MMAP_EXCLUSIVE);
	assert_false(pagemap_entry(child, addr) & PM_MMAP_EXCLUSIVE);
	assert_int_equal(pagemap_entry(child, addr) & PM_PFRAME_MASK, before & PM_PFRAME_MASK);
	task_exit(child);
	assert_true(pagemap_entry(parent, addr) & PM_MMAP_EXCLUSIVE);
	task_exit(parent);
}

static void test_pagemap_shared_anon_is_file(void **state)
{
	struct task_struct *t = start_task("uaccess");
	unsigned long addr = map_bytes(PAGE_SIZE, RW, MAP_SHARED | MAP_ANONYMOUS);
	char c = 0;

	(void)state;
	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	assert_true(pagemap_entry(t, addr) & PM_FILE);
	assert_true(pagemap_entry(t, addr) & PM_PRESENT);
	assert_true((pagemap_entry(t, addr) & PM_PFRAME_MASK) != zero_pfn());
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_pagemap_bits),
		GUP_TEST(test_pagemap_exclusive_cleared_by_fork),
		GUP_TEST(test_pagemap_shared_anon_is_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
