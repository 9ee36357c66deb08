// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_mseal.c - mseal (6.10): -ENOSYS under 5.11; under 6.18 sealed VMAs
 * refuse munmap, mmap over them, mprotect and discarding madvise of read-only
 * anonymous memory with -EPERM, as the host kernel (6.18) does.
 */
#include "harness.h"

static bool is_6_18(void)
{
	return sim_current_profile() == SIM_PROFILE_6_18;
}

static void test_mseal_arguments(void **state)
{
	struct task_struct *t = start_task("seal");
	unsigned long addr = map_rw(3);

	(void)state;
	if (!is_6_18()) {
		assert_int_equal(sys_mseal(addr, PAGE_SIZE, 0), -ENOSYS);
		assert_int_equal(sys_munmap(addr, PAGE_SIZE), 0);
		task_exit(t);
		return;
	}
	assert_int_equal(sys_mseal(addr, PAGE_SIZE, 1), -EINVAL);
	assert_int_equal(sys_mseal(addr + 1, PAGE_SIZE, 0), -EINVAL);
	assert_int_equal(sys_mseal(addr, 0, 0), 0);
	assert_int_equal(sys_munmap(addr + PAGE_SIZE, PAGE_SIZE), 0);
	/* A hole: -ENOMEM and nothing sealed. */
	assert_int_equal(sys_mseal(addr, 3 * PAGE_SIZE, 0), -ENOMEM);
	assert_int_equal(sys_munmap(addr, PAGE_SIZE), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

static void test_sealed_vma_refuses_change(void **state)
{
	struct task_struct *t = start_task("seal");
	unsigned long addr = map_rw(4);

	(void)state;
	if (!is_6_18()) {
		task_exit(t);
		return;
	}
	/* The seal splits the VMA: only the middle two pages are sealed. */
	assert_int_equal(sys_mseal(addr + PAGE_SIZE, 2 * PAGE_SIZE, 0), 0);
	assert_true(vma_at(t, addr + PAGE_SIZE)->vm_flags & VM_SEALED);
	assert_false(vma_at(t, addr)->vm_flags & VM_SEALED);
	assert_int_equal(vma_at(t, addr + PAGE_SIZE)->vm_end, addr + 3 * PAGE_SIZE);
	/* Sealing twice is fine. */
	assert_int_equal(sys_mseal(addr + PAGE_SIZE, PAGE_SIZE, 0), 0);

	assert_int_equal(sys_munmap(addr + PAGE_SIZE, PAGE_SIZE), -EPERM);
	/* A range that only touches a sealed VMA is refused whole. */
	assert_int_equal(sys_munmap(addr, 2 * PAGE_SIZE), -EPERM);
	assert_non_null(vma_at(t, addr));
	assert_int_equal(sys_mmap(addr + PAGE_SIZE, PAGE_SIZE, PROT_READ,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
			 (unsigned long)-EPERM);
	assert_int_equal(sys_mprotect(addr + PAGE_SIZE, PAGE_SIZE, PROT_READ), -EPERM);
	/* Even to the protection it has. */
	assert_int_equal(sys_mprotect(addr + PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_WRITE), -EPERM);
	/* Writable anonymous memory may still be discarded. */
	assert_int_equal(sys_madvise(addr + PAGE_SIZE, PAGE_SIZE, MADV_DONTNEED), 0);
	/* Unsealed neighbours change as before. */
	assert_int_equal(sys_munmap(addr, PAGE_SIZE), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

static void test_sealed_read_only_anon_is_not_discarded(void **state)
{
	struct task_struct *t = start_task("seal");
	unsigned long ro = map_pages(2, PROT_READ, MAP_PRIVATE);
	unsigned long shared = map_pages(1, PROT_READ, MAP_SHARED);
	char got[2] = "";

	(void)state;
	if (!is_6_18()) {
		task_exit(t);
		return;
	}
	assert_int_equal(copy_from_user(got, ro, 1), 0);
	assert_int_equal(sys_mseal(ro, 2 * PAGE_SIZE, 0), 0);
	assert_int_equal(sys_madvise(ro, PAGE_SIZE, MADV_DONTNEED), -EPERM);
	assert_int_equal(sys_madvise(ro, PAGE_SIZE, MADV_DONTFORK), -EPERM);
	assert_int_equal(sys_madvise(ro, PAGE_SIZE, MADV_WIPEONFORK), -EPERM);
	assert_true(addr_present(ro));
	/* Advice that discards nothing is allowed. */
	assert_int_equal(sys_madvise(ro, PAGE_SIZE, MADV_WILLNEED), 0);
	assert_int_equal(sys_madvise(ro, PAGE_SIZE, MADV_POPULATE_READ), 0);
	/* Shared memory is no anonymous private memory: discarding it is allowed. */
	assert_int_equal(sys_mseal(shared, PAGE_SIZE, 0), 0);
	assert_int_equal(sys_madvise(shared, PAGE_SIZE, MADV_DONTNEED), 0);
	/*
	 * A forced write (/proc/pid/mem, ptrace) into the sealed read-only
	 * mapping still COWs it: the host kernel (6.18) allows it.
	 */
	assert_int_equal(access_remote_vm(t->mm, ro, "w", 1, FOLL_WRITE | FOLL_FORCE), 1);
	assert_int_equal(copy_from_user(got, ro, 1), 0);
	assert_int_equal(got[0], 'w');
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_mseal_arguments),
		GUP_TEST(test_sealed_vma_refuses_change),
		GUP_TEST(test_sealed_read_only_anon_is_not_discarded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
