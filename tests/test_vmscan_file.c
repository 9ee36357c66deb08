// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_vmscan_file.c - reclaim of page-cache pages: a clean page leaves
 * the cache and every mapping and is read back from the host file; a dirty one
 * is written to the host file first; a pinned one is unmapped but stays for its
 * pin; a write error keeps the page dirty; mlocked and shmem pages stay.
 */
#include "file_harness.h"
#include "mm/internal.h"

#define RW (PROT_READ | PROT_WRITE)

/* What the page cache holds at @index of @fd's file, without a reference (nothing runs). */
static struct page *cache_entry(int fd, pgoff_t index)
{
	return xa_load(&current->files->fd[fd]->f_mapping->i_pages, index);
}

static bool present(struct task_struct *t, unsigned long addr)
{
	return pagemap_entry(t, addr) & PM_PRESENT;
}

static unsigned long stat_of(enum node_stat_item item)
{
	return global_node_page_state(item);
}

static void write_user_byte(unsigned long addr, char c)
{
	assert_int_equal(copy_to_user(addr, &c, 1), 0);
}

/* The current task reads the pattern file's bytes in the first @nr pages at @addr. */
static void assert_reads_pattern(unsigned long addr, unsigned long nr)
{
	for (unsigned long i = 0; i < nr; i++)
		assert_int_equal(user_byte(addr + i * PAGE_SIZE), pattern_byte(i * PAGE_SIZE));
}

/* Open @path in the current task (read-write if @prot writes) and map @nr pages shared. */
static unsigned long map_shared(const char *path, unsigned long nr, unsigned long prot, int *fd)
{
	*fd = open_file(path, prot & PROT_WRITE ? O_RDWR : O_RDONLY);
	return map_file(*fd, nr * PAGE_SIZE, prot, MAP_SHARED, 0);
}

/*
 * Clean pages mapped by two tasks: reclaim unmaps them from both, drops them
 * from the cache (nr_file_pages falls, the frames come back), and the next
 * access of either task reads the same bytes from the host file again.
 */
static void test_clean_page_reclaimed_and_read_back(void **state)
{
	const char *path = make_pattern_file("f", 4 * PAGE_SIZE, 0600);
	struct task_struct *a = start_task("a"), *b = start_task("b");
	unsigned long addr_a, addr_b, files, free_before, steal;
	int fd_a, fd_b;

	(void)state;
	set_current(b);
	addr_b = map_shared(path, 4, PROT_READ, &fd_b);
	set_current(a);
	addr_a = map_shared(path, 4, PROT_READ, &fd_a);
	assert_reads_pattern(addr_a, 4);
	set_current(b);
	assert_int_equal(user_byte(addr_b + PAGE_SIZE), 'B');
	set_current(a);
	assert_true(present(b, addr_b + PAGE_SIZE));
	files = stat_of(NR_FILE_PAGES);
	steal = stat_of(NR_PGSTEAL_DIRECT);
	free_before = sim_free_pages();
	assert_int_equal(sim_reclaim(4), 4);
	assert_int_equal(stat_of(NR_FILE_PAGES), files - 4);
	assert_int_equal(stat_of(NR_PGSTEAL_DIRECT), steal + 4);
	assert_int_equal(sim_free_pages(), free_before + 4);
	for (unsigned long i = 0; i < 4; i++) {
		assert_null(cache_entry(fd_a, i));
		assert_false(present(a, addr_a + i * PAGE_SIZE));
	}
	assert_false(present(b, addr_b + PAGE_SIZE));
	assert_int_equal(sim_check(NULL), 0);
	assert_reads_pattern(addr_a, 4);
	set_current(b);
	assert_int_equal(user_byte(addr_b + PAGE_SIZE), 'B');
	assert_int_equal(pfn_of(b, addr_b + PAGE_SIZE), pfn_of(a, addr_a + PAGE_SIZE));
	task_exit(b);
	set_current(a);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(a);
}

/* A page dirtied through a shared mapping is written to the host file, then reclaimed. */
static void test_dirty_page_written_then_reclaimed(void **state)
{
	const char *path = make_pattern_file("f", 2 * PAGE_SIZE, 0600);
	struct task_struct *t = start_task("t");
	int fd;
	unsigned long addr = map_shared(path, 2, RW, &fd);
	unsigned long writes = stat_of(NR_VMSCAN_WRITE);

	(void)state;
	write_user_byte(addr + PAGE_SIZE + 7, 'z');
	assert_int_equal(user_byte(addr), 'A');
	assert_int_equal(host_byte(path, PAGE_SIZE + 7), 'B');
	assert_int_equal(sim_reclaim(2), 2);
	assert_int_equal(host_byte(path, PAGE_SIZE + 7), 'z');
	assert_int_equal(stat_of(NR_VMSCAN_WRITE), writes + 1);
	assert_int_equal(stat_of(NR_FILE_DIRTY), 0);
	assert_null(cache_entry(fd, 1));
	assert_false(present(t, addr + PAGE_SIZE));
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(user_byte(addr + PAGE_SIZE + 7), 'z');
	assert_int_equal(user_byte(addr + PAGE_SIZE + 6), 'B');
	/* Nothing is left to write: fsync reports no error. */
	assert_int_equal(sys_fsync(fd), 0);
	task_exit(t);
}

/*
 * A pinned page is unmapped like any other (both profiles), but the refcount
 * freeze fails: it stays in the cache, and the next fault maps the pinned page
 * again, so the pin and the mapping see the same bytes.
 */
static void test_pinned_page_stays_coherent(void **state)
{
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	struct task_struct *t = start_task("t");
	int fd;
	unsigned long addr = map_shared(path, 1, RW, &fd);
	unsigned long files;
	struct page *pinned;

	(void)state;
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE, &pinned), 1);
	files = stat_of(NR_FILE_PAGES);
	assert_int_equal(sim_reclaim(1), 0);
	assert_ptr_equal(cache_entry(fd, 0), pinned);
	assert_int_equal(stat_of(NR_FILE_PAGES), files);
	assert_false(present(t, addr));
	assert_int_equal(sim_check(NULL), 0);
	/* The device writes through its pin; the task sees it, and the reverse. */
	((char *)page_address(pinned))[3] = 'p';
	assert_int_equal(user_byte(addr + 3), 'p');
	assert_int_equal(pfn_of(t, addr), page_to_pfn(pinned));
	write_user_byte(addr + 4, 'q');
	assert_int_equal(((char *)page_address(pinned))[4], 'q');
	unpin_user_pages_dirty_lock(&pinned, 1, true);
	/* Unpinned, it goes, and its bytes reach the host file on the way. */
	assert_int_equal(sim_reclaim(1), 1);
	assert_int_equal(host_byte(path, 3), 'p');
	assert_int_equal(host_byte(path, 4), 'q');
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* A failed write keeps the page in the cache, dirty; fsync reports the error once. */
static void test_write_error_keeps_page_dirty(void **state)
{
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	struct task_struct *t = start_task("t");
	int fd;
	unsigned long addr = map_shared(path, 1, RW, &fd);

	(void)state;
	write_user_byte(addr, 'x');
	/* Every write fails: reclaim's second pass tries the page again, and fails again. */
	assert_int_equal(host_io_inject("pwrite", "eio", 1, 0), 0);
	assert_int_equal(sim_reclaim(1), 0);
	assert_true(host_io_injected("pwrite") >= 1);
	host_io_inject_off();
	assert_non_null(cache_entry(fd, 0));
	assert_true(PageDirty(cache_entry(fd, 0)));
	assert_int_equal(host_byte(path, 0), 'A');
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sys_fsync(fd), -EIO);
	assert_int_equal(host_byte(path, 0), 'x'); /* fsync wrote it again, and it went */
	assert_int_equal(sys_fsync(fd), 0);
	assert_int_equal(sim_reclaim(1), 1);
	assert_int_equal(user_byte(addr), 'x');
	task_exit(t);
}

/* MADV_PAGEOUT reclaims the file pages the caller alone maps. */
static void test_madv_pageout_of_file_pages(void **state)
{
	const char *path = make_pattern_file("f", 3 * PAGE_SIZE, 0600);
	struct task_struct *t = start_task("t");
	int fd;
	unsigned long addr = map_shared(path, 3, RW, &fd);

	(void)state;
	assert_reads_pattern(addr, 3);
	write_user_byte(addr + 2 * PAGE_SIZE, 'w');
	assert_int_equal(sys_madvise(addr, 3 * PAGE_SIZE, MADV_PAGEOUT), 0);
	for (unsigned long i = 0; i < 3; i++) {
		assert_null(cache_entry(fd, i));
		assert_false(present(t, addr + i * PAGE_SIZE));
	}
	assert_int_equal(host_byte(path, 2 * PAGE_SIZE), 'w');
	assert_int_equal(user_byte(addr + 2 * PAGE_SIZE), 'w');
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* An mlocked file page stays, and so does a shmem page without a swap device. */
static void test_mlocked_and_shmem_pages_stay(void **state)
{
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	struct task_struct *t = start_task("t");
	int fd;
	unsigned long addr = map_shared(path, 1, PROT_READ, &fd);
	unsigned long shm = sys_mmap(0, PAGE_SIZE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	(void)state;
	assert_false(IS_ERR_VALUE(shm));
	assert_int_equal(sys_mlock(addr, PAGE_SIZE), 0);
	write_user_byte(shm, 's');
	assert_int_equal(sim_reclaim(8), 0);
	assert_true(present(t, addr));
	assert_true(present(t, shm));
	assert_non_null(cache_entry(fd, 0));
	assert_int_equal(user_byte(shm), 's');
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FILE_TEST(test_clean_page_reclaimed_and_read_back),
		FILE_TEST(test_dirty_page_written_then_reclaimed),
		FILE_TEST(test_pinned_page_stays_coherent),
		FILE_TEST(test_write_error_keeps_page_dirty),
		FILE_TEST(test_madv_pageout_of_file_pages),
		FILE_TEST(test_mlocked_and_shmem_pages_stay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
