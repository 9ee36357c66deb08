// SPDX-License-Identifier: GPL-2.0-only
/*
 * The three rss counters of an mm, as the kernel's mm_counter() keeps them:
 * MM_FILEPAGES for page-cache pages of files, MM_ANONPAGES for anonymous ones
 * (private COW copies of file pages included), MM_SHMEMPAGES for shmem; kept by
 * faults, COW, zap (munmap, MADV_DONTNEED, truncate) and checked by sim_check().
 */
#include "file_harness.h"

#define RW (PROT_READ | PROT_WRITE)
#define HUGE_2M (2UL << 20)

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

/* The kB show_status() prints on the line @item (e.g. "RssFile"); -1 when missing. */
static long status_kb(struct mm_struct *mm, const char *item)
{
	char *text = NULL, *line;
	size_t len = 0, n = strlen(item);
	FILE *mem = open_memstream(&text, &len);
	long kb = -1;

	assert_non_null(mem);
	assert_int_equal(show_status(mem, mm), 0);
	fclose(mem);
	for (line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (!strncmp(line, item, n) && line[n] == ':')
			kb = strtol(line + n + 1, NULL, 10);
	free(text);
	return kb;
}

/* The status lines in kB: anon, file, shmem and their sum, VmRSS. */
static void assert_status(struct mm_struct *mm, long anon, long file, long shmem)
{
	long kb = PAGE_SIZE >> 10;

	assert_int_equal(status_kb(mm, "RssAnon"), anon * kb);
	assert_int_equal(status_kb(mm, "RssFile"), file * kb);
	assert_int_equal(status_kb(mm, "RssShmem"), shmem * kb);
	assert_int_equal(status_kb(mm, "VmRSS"), (anon + file + shmem) * kb);
	assert_int_equal(status_kb(mm, "HugetlbPages"), 0);
}

/*
 * /proc/PID/status's Rss lines follow the counters: a private file page read is
 * RssFile, its COW copy RssAnon; a memfd's pages and MAP_SHARED|MAP_ANONYMOUS are
 * RssShmem; truncation and munmap take them away.
 */
static void test_status_rss_lines(void **state)
{
	struct task_struct *t = start_task("status");
	const char *path = make_pattern_file("f", 4 * PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR), memfd = sys_memfd_create("m", 0);
	unsigned long priv = map_file(fd, 2 * PAGE_SIZE, RW, MAP_PRIVATE, 0);
	unsigned long shared = map_file(fd, 4 * PAGE_SIZE, RW, MAP_SHARED, 0);
	unsigned long anon = sys_mmap(0, 3 * PAGE_SIZE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long shm = sys_mmap(0, PAGE_SIZE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0), mem;

	(void)state;
	assert_true(memfd >= 0);
	assert_int_equal(sys_ftruncate(memfd, 2 * PAGE_SIZE), 0);
	mem = map_file(memfd, 2 * PAGE_SIZE, RW, MAP_SHARED, 0);
	assert_false(IS_ERR_VALUE(anon) || IS_ERR_VALUE(shm));
	assert_status(t->mm, 0, 0, 0);
	assert_int_equal(user_byte(priv), 'A');
	/* Fault-around maps page 0 beside page 3: the priv read left it cached. */
	assert_int_equal(user_byte(shared + 3 * PAGE_SIZE), 'D');
	assert_status(t->mm, 0, 3, 0);
	assert_int_equal(copy_to_user(priv, "c", 1), 0); /* COW: file to anon */
	assert_int_equal(copy_to_user(anon, "a", 1), 0);
	assert_int_equal(copy_to_user(anon + 2 * PAGE_SIZE, "a", 1), 0);
	assert_status(t->mm, 3, 2, 0);
	assert_int_equal(copy_to_user(shm, "s", 1), 0);
	assert_int_equal(copy_to_user(mem, "m", 1), 0);
	assert_int_equal(user_byte(mem + PAGE_SIZE), 0);
	assert_status(t->mm, 3, 2, 3);
	assert_int_equal(sys_ftruncate(fd, 2 * PAGE_SIZE), 0); /* the shared page 3 goes */
	assert_int_equal(sys_ftruncate(memfd, PAGE_SIZE), 0);
	assert_status(t->mm, 3, 1, 2);
	assert_int_equal(sys_munmap(anon, 3 * PAGE_SIZE), 0);
	assert_status(t->mm, 1, 1, 2);
	assert_int_equal(show_status(NULL, t->mm), -EINVAL);
	assert_int_equal(show_status(stdout, NULL), -EINVAL);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* HugetlbPages counts the hugetlb pages mapped, apart from the Rss lines. */
static void test_status_hugetlb_pages(void **state)
{
	struct sim_config cfg = {.mem_bytes = 64UL << 20, .hugetlb_2m_pages = 2};
	struct task_struct *t;
	unsigned long a, b;

	(void)state;
	assert_int_equal(sim_shutdown(), 0);
	assert_int_equal(sim_boot(&cfg), 0);
	t = start_task("status-hugetlb");
	a = sys_mmap(0, HUGE_2M, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	b = sys_mmap(0, HUGE_2M, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	assert_false(IS_ERR_VALUE(a) || IS_ERR_VALUE(b));
	assert_int_equal(status_kb(t->mm, "HugetlbPages"), 0);
	assert_int_equal(copy_to_user(a, "h", 1), 0);
	assert_int_equal(status_kb(t->mm, "HugetlbPages"), 2048);
	assert_int_equal(copy_to_user(b + PAGE_SIZE, "h", 1), 0);
	assert_int_equal(status_kb(t->mm, "HugetlbPages"), 4096);
	assert_int_equal(status_kb(t->mm, "VmRSS"), 0);
	assert_int_equal(sys_munmap(a, HUGE_2M), 0);
	assert_int_equal(status_kb(t->mm, "HugetlbPages"), 2048);
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FILE_TEST(test_file_anon_and_shmem_pages_count_apart),
		FILE_TEST(test_fork_copies_file_rss),
		FILE_TEST(test_status_rss_lines),
		FILE_TEST(test_status_hugetlb_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
