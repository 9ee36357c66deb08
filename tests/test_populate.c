// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_populate.c - populating mappings ahead of use: MAP_POPULATE and
 * MADV_POPULATE_READ/WRITE, which fault pages in through GUP.
 */
#include "harness.h"

#include <string.h>

#define NR 4

static void test_map_populate(void **state)
{
	struct task_struct *t = start_task("populate");
	unsigned long rw = map_pages(NR, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_POPULATE);
	unsigned long ro = map_pages(2, PROT_READ, MAP_PRIVATE | MAP_POPULATE);
	unsigned long none = map_pages(2, PROT_NONE, MAP_PRIVATE | MAP_POPULATE);
	unsigned long shared = map_pages(2, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE);

	(void)state;
	for (int i = 0; i < NR; i++)
		assert_int_not_equal(pfn_of(current, rw + i * PAGE_SIZE), zero_pfn());
	assert_int_equal(pfn_of(current, ro), zero_pfn());
	assert_int_equal(pfn_of(current, ro + PAGE_SIZE), zero_pfn());
	/* PROT_NONE is not populated, and the error is swallowed. */
	assert_false(addr_present(none));
	assert_true(addr_present(shared));
	assert_true(pagemap_entry(current, shared) & PM_FILE);
	task_exit(t);
}

static void test_madvise_populate(void **state)
{
	struct task_struct *t = start_task("madv");
	unsigned long rw = map_pages(NR, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned long ro = map_pages(1, PROT_READ, MAP_PRIVATE);
	unsigned long none = map_pages(1, PROT_NONE, MAP_PRIVATE);
	unsigned long hole = unmapped_address();

	(void)state;
	assert_int_equal(sys_madvise(rw, 2 * PAGE_SIZE, MADV_POPULATE_READ), 0);
	assert_int_equal(pfn_of(current, rw), zero_pfn());
	assert_int_equal(sys_madvise(rw, 2 * PAGE_SIZE, MADV_POPULATE_WRITE), 0);
	assert_int_not_equal(pfn_of(current, rw), zero_pfn());
	assert_int_not_equal(pfn_of(current, rw + PAGE_SIZE), zero_pfn());
	assert_false(addr_present(rw + 2 * PAGE_SIZE));

	assert_int_equal(sys_madvise(hole, PAGE_SIZE, MADV_POPULATE_READ), -ENOMEM);
	assert_int_equal(sys_madvise(ro, PAGE_SIZE, MADV_POPULATE_READ), 0);
	assert_int_equal(sys_madvise(ro, PAGE_SIZE, MADV_POPULATE_WRITE), -EINVAL);
	assert_int_equal(sys_madvise(none, PAGE_SIZE, MADV_POPULATE_READ), -EINVAL);

	assert_int_equal(inject_arm("fault_sigbus", 1, 1), 0);
	assert_int_equal(sys_madvise(rw + 2 * PAGE_SIZE, PAGE_SIZE, MADV_POPULATE_WRITE), -EFAULT);
	assert_int_equal(inject_arm("fault_oom", 1, 1), 0);
	assert_int_equal(sys_madvise(rw + 2 * PAGE_SIZE, PAGE_SIZE, MADV_POPULATE_WRITE), -ENOMEM);
	/* A dropped lock is not an error. */
	assert_int_equal(inject_arm("fault_retry", 1, 1), 0);
	assert_int_equal(sys_madvise(rw + 2 * PAGE_SIZE, 2 * PAGE_SIZE, MADV_POPULATE_WRITE), 0);
	assert_true(addr_present(rw + 3 * PAGE_SIZE));
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_map_populate),
		GUP_TEST(test_madvise_populate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
