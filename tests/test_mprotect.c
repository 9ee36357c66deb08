// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_mprotect.c - mprotect: VMA split and merge, errors, rewriting present PTEs,
 * and a locked private mapping turning writable.
 */
#include "harness.h"

#include <string.h>

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static void test_mprotect_middle_splits_then_merges(void **state)
{
	struct task_struct *t = start_task("mmap");
	unsigned long addr = map_bytes(3 * PAGE_SIZE, RW, ANON);
	struct vm_area_struct *mid;

	(void)state;
	assert_int_equal(copy_to_user(addr + PAGE_SIZE, "m", 1), 0);
	assert_int_equal(t->mm->map_count, 1);
	assert_int_equal(sys_mprotect(addr + PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
	assert_int_equal(t->mm->map_count, 3);
	mid = vma_at(current, addr + PAGE_SIZE);
	assert_int_equal(mid->vm_start, addr + PAGE_SIZE);
	assert_int_equal(mid->vm_end, addr + 2 * PAGE_SIZE);
	assert_false(mid->vm_flags & VM_WRITE);
	assert_true(vma_at(current, addr)->vm_flags & VM_WRITE);
	assert_int_equal(copy_to_user(addr + PAGE_SIZE, "n", 1), 1);
	assert_int_equal(sim_check(NULL), 0);

	assert_int_equal(sys_mprotect(addr + PAGE_SIZE, PAGE_SIZE, RW), 0);
	assert_int_equal(t->mm->map_count, 1);
	assert_int_equal(vma_at(current, addr)->vm_end, addr + 3 * PAGE_SIZE);
	assert_int_equal(copy_to_user(addr + PAGE_SIZE, "n", 1), 0);
	task_exit(t);
}

static void test_mprotect_errors(void **state)
{
	struct task_struct *t = start_task("mmap");
	unsigned long addr = map_bytes(3 * PAGE_SIZE, RW, ANON);
	struct vm_area_struct *vma;

	(void)state;
	assert_int_equal(sys_mprotect(addr + 1, PAGE_SIZE, PROT_READ), -EINVAL);
	assert_int_equal(sys_mprotect(addr, PAGE_SIZE, 0x80), -EINVAL);
	assert_int_equal(sys_mprotect(addr, 0, PROT_READ), 0);
	assert_int_equal(sys_mprotect(TASK_SIZE - PAGE_SIZE, 2 * PAGE_SIZE, PROT_READ), -ENOMEM);
	assert_int_equal(sys_munmap(addr + PAGE_SIZE, PAGE_SIZE), 0);
	/* A hole: the part before it is changed, then -ENOMEM, as in the kernel. */
	assert_int_equal(sys_mprotect(addr, 3 * PAGE_SIZE, PROT_READ), -ENOMEM);
	assert_false(vma_at(current, addr)->vm_flags & VM_WRITE);
	assert_true(vma_at(current, addr + 2 * PAGE_SIZE)->vm_flags & VM_WRITE);
	assert_int_equal(sys_mprotect(addr + PAGE_SIZE, PAGE_SIZE, PROT_READ), -ENOMEM);

	/* A VMA that may never be writable (as a read-only file mapping) refuses PROT_WRITE. */
	mmap_write_lock(t->mm);
	vma = find_vma(t->mm, addr + 2 * PAGE_SIZE);
	vma->vm_flags &= ~VM_MAYWRITE;
	mmap_write_unlock(t->mm);
	assert_int_equal(sys_mprotect(addr + 2 * PAGE_SIZE, PAGE_SIZE, RW), -EACCES);
	assert_int_equal(sys_mprotect(addr + 2 * PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
	task_exit(t);
}

static void test_mprotect_rewrites_present_ptes(void **state)
{
	struct task_struct *t = start_task("mmap");
	unsigned long addr = map_bytes(PAGE_SIZE, RW, ANON);
	char c = 0;

	(void)state;
	assert_int_equal(copy_to_user(addr, "p", 1), 0);
	assert_int_equal(sys_mprotect(addr, PAGE_SIZE, PROT_NONE), 0);
	assert_true(pte_protnone(ptep_get(mm_find_pte(t->mm, addr, NULL))));
	assert_int_equal(copy_from_user(&c, addr, 1), 1);
	assert_int_equal(sys_mprotect(addr, PAGE_SIZE, PROT_READ), 0);
	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	assert_int_equal(c, 'p');
	assert_int_equal(copy_to_user(addr, "q", 1), 1);
	task_exit(t);
}

/* mprotect making a private locked VMA writable breaks COW at once, as the kernel does. */
static void test_mprotect_locked_private_to_writable_populates(void **state)
{
	struct task_struct *t = start_task("mmap");
	unsigned long addr = map_bytes(2 * PAGE_SIZE, PROT_READ, ANON);
	unsigned long mlocked = global_node_page_state(NR_MLOCK);

	(void)state;
	assert_int_equal(sys_mlock(addr, 2 * PAGE_SIZE), 0);
	assert_int_equal(pfn_of(t, addr), zero_pfn()); /* read-only: the zero page */
	assert_int_equal(sys_mprotect(addr, 2 * PAGE_SIZE, RW), 0);
	for (int i = 0; i < 2; i++) {
		unsigned long pfn = pfn_of(t, addr + i * PAGE_SIZE);

		assert_int_not_equal(pfn, zero_pfn());
		assert_true(PageMlocked(pfn_to_page(pfn)));
	}
	assert_int_equal(global_node_page_state(NR_MLOCK), mlocked + 2);
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_mprotect_middle_splits_then_merges),
		GUP_TEST(test_mprotect_errors),
		GUP_TEST(test_mprotect_rewrites_present_ptes),
		GUP_TEST(test_mprotect_locked_private_to_writable_populates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
