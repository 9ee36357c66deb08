// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_mlock.c - mlock, mlock2(MLOCK_ONFAULT) and munlock: population through GUP,
 * VM_LOCKED and PG_mlocked, holes and a dropped mmap_lock.
 */
#include "harness.h"

#include <string.h>

#define NR 4

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static void test_mlock_populates_and_mlocks(void **state)
{
	struct task_struct *t = start_task("mlock");
	unsigned long addr = map_pages(NR, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned long mlocked = global_node_page_state(NR_MLOCK);
	struct page *pages[NR];

	(void)state;
	assert_int_equal(sys_mlock(addr, NR * PAGE_SIZE), 0);
	assert_int_equal(global_node_page_state(NR_MLOCK), mlocked + NR);
	for (int i = 0; i < NR; i++)
		assert_int_not_equal(pfn_of(current, addr + i * PAGE_SIZE),
				     zero_pfn()); /* COW broken */
	assert_int_equal(gup_under_lock(addr, NR, 0, pages, NULL), NR);
	for (int i = 0; i < NR; i++)
		assert_true(PageMlocked(pages[i]));
	put_pages(pages, NR);
	assert_int_equal(sys_munlock(addr, NR * PAGE_SIZE), 0);
	assert_int_equal(global_node_page_state(NR_MLOCK), mlocked);

	/* Read-only memory is populated (with the zero page) and nothing to mlock there. */
	addr = map_pages(2, PROT_READ, MAP_PRIVATE);
	assert_int_equal(sys_mlock(addr, 2 * PAGE_SIZE), 0);
	assert_int_equal(pfn_of(current, addr), zero_pfn());
	assert_int_equal(global_node_page_state(NR_MLOCK), mlocked);

	/* Exec-only memory too: population forces the read VM_READ alone would refuse. */
	addr = map_pages(2, PROT_EXEC, MAP_PRIVATE);
	assert_int_equal(sys_mlock(addr, 2 * PAGE_SIZE), 0);
	assert_int_equal(pfn_of(current, addr + PAGE_SIZE), zero_pfn());
	task_exit(t);
}

static void test_mlock_onfault_only_locks_present_pages(void **state)
{
	struct task_struct *t = start_task("onfault");
	unsigned long addr = map_pages(NR, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned long mlocked = global_node_page_state(NR_MLOCK);

	(void)state;
	touch_pages(addr, 1);
	touch_pages(addr + 2 * PAGE_SIZE, 1);
	assert_int_equal(sys_mlock2(addr, NR * PAGE_SIZE, MLOCK_ONFAULT), 0);
	assert_true(addr_present(addr));
	assert_false(addr_present(addr + PAGE_SIZE));
	assert_true(addr_present(addr + 2 * PAGE_SIZE));
	assert_false(addr_present(addr + 3 * PAGE_SIZE));
	assert_int_equal(global_node_page_state(NR_MLOCK), mlocked + 2);
	assert_true(PageMlocked(pfn_to_page(pfn_of(current, addr))));
	task_exit(t);
}

static void test_mlock_survives_dropped_lock_and_reports_holes(void **state)
{
	struct task_struct *t = start_task("mlock2");
	unsigned long addr = map_pages(NR, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	(void)state;
	/* The second fault drops mmap_lock; population picks up where it stopped. */
	assert_int_equal(inject_arm("fault_retry", 2, 1), 0);
	assert_int_equal(sys_mlock(addr, NR * PAGE_SIZE), 0);
	assert_int_equal(inject_fired(INJECT_FAULT_RETRY), 1);
	for (int i = 0; i < NR; i++)
		assert_true(addr_present(addr + i * PAGE_SIZE));

	/* A hole in the range. */
	assert_int_equal(sys_munmap(addr + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(sys_mlock(addr, NR * PAGE_SIZE), -ENOMEM);
	task_exit(t);
}

static void test_mlock_populates_and_munlock_clears(void **state)
{
	struct task_struct *t = start_task("mmap");
	unsigned long addr = map_bytes(4 * PAGE_SIZE, RW, ANON);
	unsigned long mlocked = global_node_page_state(NR_MLOCK);

	(void)state;
	assert_int_equal(sys_mlock(addr, 4 * PAGE_SIZE), 0);
	assert_true(vma_at(current, addr)->vm_flags & VM_LOCKED);
	assert_false(vma_at(current, addr)->vm_flags & VM_LOCKONFAULT);
	assert_int_equal(t->mm->locked_vm, 4);
	for (int i = 0; i < 4; i++) {
		uint64_t pm = pagemap_entry(t, addr + i * PAGE_SIZE);

		assert_true(pm & PM_PRESENT);
		assert_true((pm & PM_PFRAME_MASK) != zero_pfn()); /* populated for write */
		assert_true(PageMlocked(pfn_to_page(pm & PM_PFRAME_MASK)));
	}
	assert_int_equal(global_node_page_state(NR_MLOCK), mlocked + 4);
	assert_int_equal(sys_munlock(addr, 4 * PAGE_SIZE), 0);
	assert_false(vma_at(current, addr)->vm_flags & (VM_LOCKED | VM_LOCKONFAULT));
	assert_int_equal(t->mm->locked_vm, 0);
	assert_int_equal(global_node_page_state(NR_MLOCK), mlocked);
	task_exit(t);
}

static void test_mlock_onfault_populates_nothing(void **state)
{
	struct task_struct *t = start_task("mmap");
	unsigned long addr = map_bytes(4 * PAGE_SIZE, RW, ANON);
	unsigned long mlocked = global_node_page_state(NR_MLOCK);

	(void)state;
	assert_int_equal(sys_mlock2(addr, 4 * PAGE_SIZE, 0x100), -EINVAL);
	assert_int_equal(sys_mlock2(addr, 4 * PAGE_SIZE, MLOCK_ONFAULT), 0);
	assert_int_equal(vma_at(current, addr)->vm_flags & (VM_LOCKED | VM_LOCKONFAULT),
			 VM_LOCKED | VM_LOCKONFAULT);
	for (int i = 0; i < 4; i++)
		assert_false(pagemap_entry(t, addr + i * PAGE_SIZE) & PM_PRESENT);
	assert_int_equal(global_node_page_state(NR_MLOCK), mlocked);
	/* A fault in a locked VMA mlocks the new page. */
	assert_int_equal(copy_to_user(addr, "l", 1), 0);
	assert_int_equal(global_node_page_state(NR_MLOCK), mlocked + 1);
	/* Plain mlock over it drops LOCKONFAULT and populates the rest. */
	assert_int_equal(sys_mlock(addr, 4 * PAGE_SIZE), 0);
	assert_false(vma_at(current, addr)->vm_flags & VM_LOCKONFAULT);
	assert_int_equal(global_node_page_state(NR_MLOCK), mlocked + 4);
	assert_int_equal(sys_mlock(addr + 8 * PAGE_SIZE, PAGE_SIZE), -ENOMEM);
	task_exit(t);
	assert_int_equal(global_node_page_state(NR_MLOCK), mlocked);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_mlock_populates_and_mlocks),
		GUP_TEST(test_mlock_onfault_only_locks_present_pages),
		GUP_TEST(test_mlock_survives_dropped_lock_and_reports_holes),
		GUP_TEST(test_mlock_populates_and_munlock_clears),
		GUP_TEST(test_mlock_onfault_populates_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
