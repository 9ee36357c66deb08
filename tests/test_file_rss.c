// SPDX-License-Identifier: GPL-2.0-only
/*
 * The three rss counters of an mm, as the kernel's mm_counter() keeps them:
 * MM_FILEPAGES for page-cache pages of files, MM_ANONPAGES for anonymous ones
 * (private COW copies of file pages included), MM_SHMEMPAGES for shmem; kept by
 * faults, COW, zap (munmap, MADV_DONTNEED, truncate) and checked by sim_check().
 */
#include "file_harness.h"

#define RW (PROT_READ | PROT_WRITE)

static long rss(atomic_long_t *counter)
{
	return atomic_long_read(counter);
}

static void assert_rss(struct mm_struct *mm, long anon, long file, long shmem)
{
	assert_int_equal(rss(&mm->rss_anon), anon);
	assert_int_equal(rss(&mm->rss_file), file);
	assert_int_equal(rss(&mm->rss_shmem), shmem);
	assert_int_equal(sim_check(NULL), 0);
}

static void test_file_anon_and_shmem_pages_count_apart(void **state)
{
	struct task_struct *t = start_task("rss");
	const char *path = make_pattern_file("f", 4 * PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long priv = map_file(fd, 2 * PAGE_SIZE, RW, MAP_PRIVATE, 0);
	unsigned long shared = map_file(fd, 4 * PAGE_SIZE, RW, MAP_SHARED, 0);
	unsigned long shm = sys_mmap(0, PAGE_SIZE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	(void)state;
	assert_false(IS_ERR_VALUE(shm));
	assert_rss(t->mm, 0, 0, 0);
	/* A read of a private file mapping maps the cache page: file. */
	assert_int_equal(user_byte(priv), 'A');
	assert_rss(t->mm, 0, 1, 0);
	/* A write COWs it into an anonymous page: file goes down, anon up. */
	assert_int_equal(copy_to_user(priv, "c", 1), 0);
	assert_rss(t->mm, 1, 0, 0);
	/* A private write fault on a page never read: do_cow_fault, anon only. */
	assert_int_equal(copy_to_user(priv + PAGE_SIZE, "d", 1), 0);
	assert_rss(t->mm, 2, 0, 0);
	/* Shared file pages are file pages, written or not. */
	assert_int_equal(user_byte(shared), 'A');
	assert_int_equal(copy_to_user(shared + PAGE_SIZE, "s", 1), 0);
	assert_int_equal(user_byte(shared + 2 * PAGE_SIZE), 'C');
	assert_int_equal(user_byte(shared + 3 * PAGE_SIZE), 'D');
	assert_rss(t->mm, 2, 4, 0);
	/* shmem (MAP_SHARED|MAP_ANONYMOUS) is its own counter. */
	assert_int_equal(copy_to_user(shm, "m", 1), 0);
	assert_rss(t->mm, 2, 4, 1);
	/* Zaps: MADV_DONTNEED, truncation, munmap. */
	assert_int_equal(sys_madvise(shared, PAGE_SIZE, MADV_DONTNEED), 0);
	assert_rss(t->mm, 2, 3, 1);
	assert_int_equal(sys_ftruncate(fd, 2 * PAGE_SIZE), 0);
	assert_rss(t->mm, 2, 1, 1);
	assert_int_equal(sys_munmap(priv, 2 * PAGE_SIZE), 0);
	assert_rss(t->mm, 0, 1, 1);
	assert_int_equal(sys_munmap(shm, PAGE_SIZE), 0);
	assert_int_equal(sys_munmap(shared, 4 * PAGE_SIZE), 0);
	assert_rss(t->mm, 0, 0, 0);
	task_exit(t);
}

/* fork copies the counts with the PTEs (a shared file mapping's pages stay file pages). */
static void test_fork_copies_file_rss(void **state)
{
	struct task_struct *t = start_task("rss-fork"), *child;
	const char *path = make_pattern_file("f", 2 * PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long shared = map_file(fd, 2 * PAGE_SIZE, RW, MAP_SHARED, 0);

	(void)state;
	assert_int_equal(copy_to_user(shared, "p", 1), 0);
	assert_int_equal(user_byte(shared + PAGE_SIZE), 'B');
	child = sys_fork();
	assert_non_null(child);
	assert_int_equal(rss(&child->mm->rss_file) + rss(&child->mm->rss_anon) +
				 rss(&child->mm->rss_shmem),
			 rss(&child->mm->rss_file));
	assert_int_equal(sim_check(NULL), 0);
	task_exit(child);
	set_current(t);
	assert_rss(t->mm, 0, 2, 0);
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FILE_TEST(test_file_anon_and_shmem_pages_count_apart),
		FILE_TEST(test_fork_copies_file_rss),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
