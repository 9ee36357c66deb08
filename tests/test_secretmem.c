// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_secretmem.c - memfd_secret memory (5.14), through sys_memfd_secret()
 * and its descriptor and through the shortcut sim_mmap_secretmem(): -ENOSYS
 * under 5.11; under 6.18 the task's own accesses work while GUP, GUP-fast,
 * follow_page, access_remote_vm and process_vm_readv reach nothing.
 */
#include "harness.h"

#include <string.h>

static bool is_6_18(void)
{
	return sim_current_profile() == SIM_PROFILE_6_18;
}

static void test_secretmem_exists_only_in_6_18(void **state)
{
	struct task_struct *t = start_task("secret");
	unsigned long addr = sim_mmap_secretmem(2 * PAGE_SIZE, PROT_READ | PROT_WRITE);

	(void)state;
	if (!is_6_18()) {
		assert_int_equal((long)addr, -ENOSYS);
		task_exit(t);
		return;
	}
	assert_false(IS_ERR_VALUE(addr));
	/* Shared, locked and out of core dumps, as secretmem_mmap() leaves it. */
	assert_int_equal(vma_at(t, addr)->vm_flags & (VM_SHARED | VM_LOCKED | VM_DONTDUMP),
			 VM_SHARED | VM_LOCKED | VM_DONTDUMP);
	assert_int_equal((long)sim_mmap_secretmem(0, PROT_READ), -EINVAL);
	assert_int_equal((long)sim_mmap_secretmem(PAGE_SIZE, 0x100), -EINVAL);
	/* The owner reads and writes it like any memory. */
	assert_int_equal(copy_to_user(addr, "hidden", 6), 0);
	task_exit(t);
}

static void test_secretmem_is_out_of_gups_reach(void **state)
{
	struct task_struct *t = start_task("secret");
	unsigned long addr = sim_mmap_secretmem(2 * PAGE_SIZE, PROT_READ | PROT_WRITE);
	unsigned long buf = map_rw(1);
	struct iovec local = {.iov_base = (void *)buf, .iov_len = 6};
	struct iovec remote = {.iov_base = (void *)addr, .iov_len = 6};
	struct page *page = NULL;
	char got[8] = "";

	(void)state;
	if (!is_6_18()) {
		task_exit(t);
		return;
	}
	assert_int_equal(copy_to_user(addr, "hidden", 6), 0);
	assert_int_equal(copy_from_user(got, addr, 6), 0);
	assert_memory_equal(got, "hidden", 6);
	assert_int_equal(gup_under_lock(addr, 1, 0, &page, NULL), -EFAULT);
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE, &page), -EFAULT);
	/* GUP-fast finds the present PTE and still never grabs the page. */
	assert_int_equal(get_user_pages_fast_only(addr, 1, 0, &page), 0);
	mmap_read_lock(t->mm);
	assert_null(follow_page(find_vma(t->mm, addr), addr, FOLL_GET));
	mmap_read_unlock(t->mm);
	/* /proc/pid/mem reads nothing (the host's read(2): EIO), nor process_vm_readv. */
	assert_int_equal(access_remote_vm(t->mm, addr, got, 6, FOLL_FORCE), 0);
	assert_int_equal(sys_process_vm_readv(t, &local, 1, &remote, 1, 0), -EFAULT);
	/* MADV_POPULATE refuses the VMA, as the host does. */
	assert_int_equal(sys_madvise(addr + PAGE_SIZE, PAGE_SIZE, MADV_POPULATE_WRITE), -EINVAL);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* A child shares the secret mapping; GUP is refused there too. */
static void test_secretmem_after_fork(void **state)
{
	struct task_struct *parent = start_task("secret");
	unsigned long addr = sim_mmap_secretmem(PAGE_SIZE, PROT_READ | PROT_WRITE);
	struct task_struct *child;
	struct page *page;
	char got[2] = "";

	(void)state;
	if (!is_6_18()) {
		task_exit(parent);
		return;
	}
	assert_int_equal(copy_to_user(addr, "s", 1), 0);
	child = sys_fork();
	assert_non_null(child);
	set_current(child);
	assert_int_equal(copy_from_user(got, addr, 1), 0);
	assert_int_equal(got[0], 's');
	assert_int_equal(gup_under_lock(addr, 1, 0, &page, NULL), -EFAULT);
	task_exit(child);
	set_current(parent);
	task_exit(parent);
}

/* The call itself: a descriptor that ftruncate sizes once and mmap(MAP_SHARED) maps. */
static void test_memfd_secret_descriptor(void **state)
{
	struct task_struct *t = start_task("secret");
	int fd = sys_memfd_secret(0);
	unsigned long addr, buf;
	struct page *page;
	char got[8] = "";

	(void)state;
	if (!is_6_18()) {
		assert_int_equal(fd, -ENOSYS);
		task_exit(t);
		return;
	}
	assert_true(fd >= 0);
	assert_int_equal(sys_memfd_secret(0x1234), -EINVAL);
	assert_true(sys_memfd_secret(O_CLOEXEC) > fd);
	assert_int_equal(sys_ftruncate(fd, 2 * PAGE_SIZE), 0);
	/* As the host's 6.18: the size is set once, pread is -ESPIPE, there are no seals. */
	assert_int_equal(sys_ftruncate(fd, 4 * PAGE_SIZE), -EINVAL);
	buf = map_rw(1);
	assert_int_equal(sys_pread64(fd, buf, 1, 0), -ESPIPE);
	assert_int_equal(sys_pwrite64(fd, buf, 1, 0), -ESPIPE);
	assert_int_equal(sys_fcntl(fd, F_GET_SEALS, 0), -EINVAL);
	assert_int_equal((long)sys_mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0),
			 -EINVAL);
	addr = sys_mmap(0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_false(IS_ERR_VALUE(addr));
	assert_int_equal(vma_at(t, addr)->vm_flags & (VM_SHARED | VM_LOCKED | VM_DONTDUMP),
			 VM_SHARED | VM_LOCKED | VM_DONTDUMP);
	assert_string_equal(vma_at(t, addr)->vm_ops->name(vma_at(t, addr)), "/secretmem (deleted)");
	/* The owner reaches it, GUP does not; the mapping outlives the descriptor. */
	assert_int_equal(copy_to_user(addr, "hidden", 6), 0);
	assert_int_equal(gup_under_lock(addr, 1, 0, &page, NULL), -EFAULT);
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE, &page), -EFAULT);
	assert_int_equal(sys_close(fd), 0);
	assert_int_equal(copy_from_user(got, addr, 6), 0);
	assert_memory_equal(got, "hidden", 6);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_secretmem_exists_only_in_6_18),
		GUP_TEST(test_secretmem_is_out_of_gups_reach),
		GUP_TEST(test_secretmem_after_fork),
		GUP_TEST(test_memfd_secret_descriptor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
