// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_madvise.c - madvise: MADV_DONTNEED, DONTFORK and WIPEONFORK, bad arguments,
 * length wrap-around and a split failure.
 */
#include "harness.h"

#include <string.h>

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static void test_madvise_dontneed_zeroes_private_anon(void **state)
{
	struct task_struct *t = start_task("mmap");
	unsigned long addr = map_bytes(2 * PAGE_SIZE, RW, ANON);
	unsigned long anon = global_node_page_state(NR_ANON_MAPPED);
	char buf[8];

	(void)state;
	assert_int_equal(copy_to_user(addr, "secret", 7), 0);
	assert_int_equal(copy_to_user(addr + PAGE_SIZE, "secret", 7), 0);
	assert_int_equal(global_node_page_state(NR_ANON_MAPPED), anon + 2);
	assert_int_equal(sys_madvise(addr, 2 * PAGE_SIZE, MADV_DONTNEED), 0);
	assert_int_equal(global_node_page_state(NR_ANON_MAPPED), anon);
	assert_int_equal(pagemap_entry(t, addr), 0);
	assert_int_equal(copy_from_user(buf, addr, sizeof(buf)), 0);
	assert_memory_equal(buf, "\0\0\0\0\0\0\0\0", sizeof(buf));
	assert_int_equal(pagemap_entry(t, addr) & PM_PFRAME_MASK, zero_pfn());
	task_exit(t);
}

static void test_madvise_dontfork(void **state)
{
	struct task_struct *parent = start_task("mmap"), *child;
	unsigned long addr = map_bytes(PAGE_SIZE, RW, ANON);
	char c = 0;

	(void)state;
	assert_int_equal(copy_to_user(addr, "d", 1), 0);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_DONTFORK), 0);
	assert_true(vma_at(current, addr)->vm_flags & VM_DONTCOPY);
	child = sys_fork();
	set_current(child);
	assert_null(vma_at(current, addr));
	assert_int_equal(copy_from_user(&c, addr, 1), 1);
	task_exit(child);

	set_current(parent);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_DOFORK), 0);
	assert_false(vma_at(current, addr)->vm_flags & VM_DONTCOPY);
	child = sys_fork();
	set_current(child);
	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	assert_int_equal(c, 'd');
	task_exit(child);
	task_exit(parent);
}

static void test_madvise_wipeonfork(void **state)
{
	struct task_struct *parent = start_task("mmap"), *child;
	unsigned long addr = map_bytes(PAGE_SIZE, RW, ANON);
	char c = 1;

	(void)state;
	assert_int_equal(copy_to_user(addr, "w", 1), 0);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_WIPEONFORK), 0);
	assert_true(vma_at(current, addr)->vm_flags & VM_WIPEONFORK);
	child = sys_fork();
	set_current(child);
	assert_non_null(vma_at(current, addr));
	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	assert_int_equal(c, 0);
	task_exit(child);
	set_current(parent);
	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	assert_int_equal(c, 'w');
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_KEEPONFORK), 0);
	assert_false(vma_at(current, addr)->vm_flags & VM_WIPEONFORK);
	task_exit(parent);
}

static void test_madvise_errors(void **state)
{
	struct task_struct *t = start_task("mmap");
	unsigned long addr = map_bytes(3 * PAGE_SIZE, RW, ANON);
	unsigned long shared = map_bytes(PAGE_SIZE, RW, MAP_SHARED | MAP_ANONYMOUS);

	(void)state;
	assert_int_equal(sys_madvise(addr + 1, PAGE_SIZE, MADV_DONTNEED), -EINVAL);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, 12345), -EINVAL);
	assert_int_equal(sys_madvise(addr, -PAGE_SIZE, MADV_DONTNEED), -EINVAL);
	assert_int_equal(sys_madvise(addr, 0, MADV_DONTNEED), 0);
	assert_int_equal(sys_madvise(shared, PAGE_SIZE, MADV_WIPEONFORK), -EINVAL);
	assert_int_equal(sys_mlock(addr, PAGE_SIZE), 0);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_DONTNEED), -EINVAL);
	assert_int_equal(sys_munlock(addr, PAGE_SIZE), 0);
	/* A hole: -ENOMEM, but the mapped parts are still advised. */
	assert_int_equal(sys_munmap(addr + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(sys_madvise(addr, 3 * PAGE_SIZE, MADV_DONTFORK), -ENOMEM);
	assert_true(vma_at(current, addr)->vm_flags & VM_DONTCOPY);
	assert_true(vma_at(current, addr + 2 * PAGE_SIZE)->vm_flags & VM_DONTCOPY);
	task_exit(t);
}

/* madvise: a length that rounds up to zero is invalid; a failed split is -EAGAIN. */
static void test_madvise_len_wrap_and_split_failure(void **state)
{
	struct task_struct *t = start_task("mmap");
	unsigned long addr = map_bytes(3 * PAGE_SIZE, RW, ANON);

	(void)state;
	assert_int_equal(sys_madvise(addr, (size_t)-1, MADV_DONTNEED), -EINVAL);
	assert_int_equal(sys_madvise(addr, (size_t)-1, MADV_DONTFORK), -EINVAL);
	assert_int_equal(inject_arm("vma_alloc", 1, 1), 0);
	assert_int_equal(sys_madvise(addr + PAGE_SIZE, PAGE_SIZE, MADV_DONTFORK), -EAGAIN);
	inject_disarm_all();
	assert_false(vma_at(t, addr + PAGE_SIZE)->vm_flags & VM_DONTCOPY);
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_madvise_dontneed_zeroes_private_anon),
		GUP_TEST(test_madvise_dontfork),
		GUP_TEST(test_madvise_wipeonfork),
		GUP_TEST(test_madvise_errors),
		GUP_TEST(test_madvise_len_wrap_and_split_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
