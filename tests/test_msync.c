// SPDX-License-Identifier: GPL-2.0-only
/*
 * msync(2)'s rules, as Linux's mm/msync.c (the same in 5.11 and 6.18): flags and
 * alignment checked first (-EINVAL), MS_INVALIDATE over a VM_LOCKED VMA -EBUSY,
 * otherwise only a request that writes nothing; holes -ENOMEM after the rest is done.
 */
#include "file_harness.h"

#define RW (PROT_READ | PROT_WRITE)

/* A two-page shared file mapping with its first page dirtied through the mapping. */
static unsigned long dirty_shared_mapping(const char **path, int *fd)
{
	unsigned long addr;

	*path = make_pattern_file("f", 2 * PAGE_SIZE, 0600);
	*fd = open_file(*path, O_RDWR);
	addr = map_file(*fd, 2 * PAGE_SIZE, RW, MAP_SHARED, 0);
	assert_int_equal(copy_to_user(addr, "m", 1), 0);
	return addr;
}

static void test_bad_flags_and_alignment_are_einval(void **state)
{
	struct task_struct *t = start_task("einval");
	const char *path;
	int fd;
	unsigned long addr = dirty_shared_mapping(&path, &fd);

	(void)state;
	assert_int_equal(sys_msync(addr, PAGE_SIZE, MS_SYNC | MS_ASYNC), -EINVAL);
	assert_int_equal(sys_msync(addr, PAGE_SIZE, MS_SYNC | MS_ASYNC | MS_INVALIDATE), -EINVAL);
	assert_int_equal(sys_msync(addr + 1, PAGE_SIZE, MS_SYNC), -EINVAL);
	assert_int_equal(sys_msync(addr + PAGE_SIZE / 2, 0, MS_ASYNC), -EINVAL);
	assert_int_equal(sys_msync(addr, PAGE_SIZE, 8), -EINVAL);
	/* The checks come before the range: an unmapped one is still -EINVAL. */
	assert_int_equal(sys_msync(0x10000001UL, PAGE_SIZE, MS_SYNC), -EINVAL);
	assert_int_equal(host_byte(path, 0), 'A'); /* nothing written */
	/* A zero length is nothing to do, and 0 is an allowed flags value. */
	assert_int_equal(sys_msync(addr, 0, MS_SYNC), 0);
	assert_int_equal(sys_msync(addr, PAGE_SIZE, 0), 0);
	assert_int_equal(host_byte(path, 0), 'A');
	assert_int_equal(sys_msync(addr, 1, MS_SYNC), 0); /* a length rounds up to pages */
	assert_int_equal(host_byte(path, 0), 'm');
	task_exit(t);
}

/*
 * MS_INVALIDATE: on modern Linux the page cache is coherent with every mapping,
 * so it invalidates nothing and writes nothing; only a locked VMA in the range
 * makes it -EBUSY, even with MS_SYNC, and the walk stops there.
 */
static void test_ms_invalidate_ebusy_on_mlocked_range_else_nothing(void **state)
{
	struct task_struct *t = start_task("invalidate");
	const char *path;
	int fd;
	unsigned long addr = dirty_shared_mapping(&path, &fd);

	(void)state;
	assert_int_equal(sys_msync(addr, 2 * PAGE_SIZE, MS_INVALIDATE), 0);
	assert_int_equal(sys_msync(addr, 2 * PAGE_SIZE, MS_ASYNC | MS_INVALIDATE), 0);
	assert_int_equal(host_byte(path, 0), 'A');
	assert_true(user_byte(addr) == 'm'); /* the mapping keeps its bytes */
	assert_int_equal(global_node_page_state(NR_FILE_DIRTY), 1);
	/* mlock the second page: its VMA is split off and VM_LOCKED. */
	assert_int_equal(sys_mlock(addr + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(sys_msync(addr + PAGE_SIZE, PAGE_SIZE, MS_INVALIDATE), -EBUSY);
	/* The unlocked first VMA is synced before the walk reaches the locked one. */
	assert_int_equal(sys_msync(addr, 2 * PAGE_SIZE, MS_SYNC | MS_INVALIDATE), -EBUSY);
	assert_int_equal(host_byte(path, 0), 'm');
	/* Without MS_INVALIDATE a locked range syncs as any other. */
	assert_int_equal(copy_to_user(addr + PAGE_SIZE, "l", 1), 0);
	assert_int_equal(sys_msync(addr, 2 * PAGE_SIZE, MS_SYNC), 0);
	assert_int_equal(host_byte(path, PAGE_SIZE), 'l');
	/* Anonymous locked memory is as busy. */
	{
		unsigned long anon = sys_mmap(0, PAGE_SIZE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		assert_false(IS_ERR_VALUE(anon));
		assert_int_equal(sys_msync(anon, PAGE_SIZE, MS_INVALIDATE), 0);
		assert_int_equal(sys_mlock(anon, PAGE_SIZE), 0);
		assert_int_equal(sys_msync(anon, PAGE_SIZE, MS_INVALIDATE), -EBUSY);
		assert_int_equal(sys_msync(anon, PAGE_SIZE, MS_SYNC), 0);
	}
	task_exit(t);
}

/* A hole in the range: -ENOMEM, but the mapped parts around it were still synced. */
static void test_holes_are_enomem_after_the_rest_is_done(void **state)
{
	struct task_struct *t = start_task("holes");
	const char *path = make_pattern_file("f", 3 * PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long addr = map_file(fd, 3 * PAGE_SIZE, RW, MAP_SHARED, 0);

	(void)state;
	assert_int_equal(copy_to_user(addr, "a", 1), 0);
	assert_int_equal(copy_to_user(addr + 2 * PAGE_SIZE, "c", 1), 0);
	assert_int_equal(sys_munmap(addr + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(sys_msync(addr, 3 * PAGE_SIZE, MS_SYNC), -ENOMEM);
	assert_int_equal(host_byte(path, 0), 'a');
	assert_int_equal(host_byte(path, 2 * PAGE_SIZE), 'c');
	/* Wholly unmapped, or starting in the hole and ending in it. */
	assert_int_equal(sys_msync(addr + PAGE_SIZE, PAGE_SIZE, MS_SYNC), -ENOMEM);
	assert_int_equal(sys_msync(addr + PAGE_SIZE, 2 * PAGE_SIZE, MS_ASYNC), -ENOMEM);
	/* An address range that wraps: -ENOMEM. */
	assert_int_equal(sys_msync(addr, -PAGE_SIZE, MS_SYNC), -ENOMEM);
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FILE_TEST(test_bad_flags_and_alignment_are_einval),
		FILE_TEST(test_ms_invalidate_ebusy_on_mlocked_range_else_nothing),
		FILE_TEST(test_holes_are_enomem_after_the_rest_is_done),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
