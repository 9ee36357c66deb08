// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_filemap.c - host files through the page cache: open and close with
 * their errnos, pread64/pwrite64 copying to and from task memory, one page cache
 * per host file, fsync and close writing back, ftruncate, descriptor tables across
 * threads and fork, and host I/O errors and short reads injected at the seam.
 */
#include "file_harness.h"

#define RW (PROT_READ | PROT_WRITE)

static void test_open_errors_and_lowest_descriptor(void **state)
{
	struct task_struct *t = start_task("open");
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	int a, b;

	(void)state;
	assert_int_equal(sys_open(test_path("missing"), O_RDONLY, 0), -ENOENT);
	assert_int_equal(sys_open(NULL, O_RDONLY, 0), -EFAULT);
	assert_int_equal(sys_open(path, O_ACCMODE, 0), -EINVAL);
	assert_int_equal(sys_open(test_dir, O_RDWR, 0), -EISDIR);
	assert_int_equal(sys_open(path, O_CREAT | O_EXCL | O_RDWR, 0600), -EEXIST);
	assert_int_equal(sys_open("/dev/null", O_RDONLY, 0), -ENODEV);
	a = open_file(path, O_RDONLY);
	b = open_file(path, O_RDWR);
	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
	assert_int_equal(sys_close(a), 0);
	assert_int_equal(sys_close(a), -EBADF);
	assert_int_equal(sys_close(-1), -EBADF);
	assert_int_equal(open_file(path, O_RDONLY), 0); /* the lowest free one again */
	/* O_CREAT makes the host file; the page cache starts empty. */
	assert_int_equal(open_file(test_path("new"), O_CREAT | O_RDWR), 2);
	assert_int_equal(host_file_size(test_path("new")), 0);
	task_exit(t);
}

static void test_pread_copies_file_bytes_to_task_memory(void **state)
{
	struct task_struct *t = start_task("pread");
	const char *path = make_pattern_file("f", 3 * PAGE_SIZE - 100, 0400);
	unsigned long buf = map_rw(4), before = global_node_page_state(NR_FILE_PAGES);
	int fd = open_file(path, O_RDONLY), wfd;
	struct page *page;
	char c;

	(void)state;
	/* Across a page boundary, and short at the end of the file. */
	assert_int_equal(sys_pread64(fd, buf, 2 * PAGE_SIZE, PAGE_SIZE - 10), 2 * PAGE_SIZE - 90);
	assert_int_equal(user_byte(buf), 'A');
	assert_int_equal(user_byte(buf + 10), 'B');
	assert_int_equal(user_byte(buf + PAGE_SIZE + 10), 'C');
	assert_int_equal(global_node_page_state(NR_FILE_PAGES), before + 3);
	/* The cached page says where it belongs. */
	page = find_get_page(t->files->fd[fd]->f_mapping, 1);
	assert_non_null(page);
	assert_ptr_equal(page->mapping, t->files->fd[fd]->f_mapping);
	assert_int_equal(page->index, 1);
	assert_int_equal(((char *)page_address(page))[0], 'B');
	put_page(page);
	assert_int_equal(sys_pread64(fd, buf, 10, 3 * PAGE_SIZE), 0); /* at or past EOF */
	assert_int_equal(sys_pread64(fd, buf, 10, -1), -EINVAL);
	assert_int_equal(sys_pread64(fd, 0, 10, 0), -EFAULT);
	assert_int_equal(sys_pread64(7, buf, 10, 0), -EBADF);
	/* Stopped where the buffer stops being writable: a short count. */
	assert_int_equal(sys_mprotect(buf + PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
	assert_int_equal(sys_pread64(fd, buf + PAGE_SIZE - 5, 100, 0), 5);
	wfd = open_file(test_path("w"), O_CREAT | O_WRONLY);
	assert_int_equal(sys_pread64(wfd, buf, 1, 0), -EBADF);
	c = 0;
	assert_int_equal(sys_pwrite64(fd, buf, 1, 0), -EBADF); /* opened read-only */
	(void)c;
	fd = open_file(test_dir, O_RDONLY);
	assert_int_equal(sys_pread64(fd, buf, 1, 0), -EISDIR);
	task_exit(t);
}

static void test_pwrite_reaches_host_at_fsync(void **state)
{
	struct task_struct *t = start_task("pwrite");
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	unsigned long buf = map_rw(1);
	int fd = open_file(path, O_RDWR);

	(void)state;
	assert_int_equal(copy_to_user(buf, "hello", 5), 0);
	assert_int_equal(sys_pwrite64(fd, buf, 5, 100), 5);
	assert_int_equal(global_node_page_state(NR_FILE_DIRTY), 1);
	assert_int_equal(host_byte(path, 100), 'A'); /* still only in the cache */
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sys_fsync(fd), 0);
	assert_int_equal(host_byte(path, 100), 'h');
	assert_int_equal(host_byte(path, 104), 'o');
	assert_int_equal(host_byte(path, 105), 'A');
	assert_int_equal(global_node_page_state(NR_FILE_DIRTY), 0);
	/* Past the end: the file grows, the gap reads as zeroes. */
	assert_int_equal(sys_pwrite64(fd, buf, 5, 3 * PAGE_SIZE), 5);
	assert_int_equal(sys_pread64(fd, buf, 1, 2 * PAGE_SIZE), 1);
	assert_int_equal(user_byte(buf), 0);
	assert_int_equal(sys_fsync(fd), 0);
	assert_int_equal(host_file_size(path), 3 * PAGE_SIZE + 5);
	assert_int_equal(sys_pwrite64(fd, buf, 1, -1), -EINVAL);
	assert_int_equal(sys_pwrite64(fd, 0, 1, 0), -EFAULT);
	assert_int_equal(sys_pwrite64(fd, buf, 0, 0), 0);
	assert_int_equal(sys_fsync(9), -EBADF);
	task_exit(t);
}

static void test_two_opens_share_one_page_cache(void **state)
{
	struct task_struct *t = start_task("share");
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	unsigned long buf = map_rw(1);
	int w = open_file(path, O_RDWR), r = open_file(path, O_RDONLY);

	(void)state;
	assert_ptr_equal(t->files->fd[w]->f_mapping, t->files->fd[r]->f_mapping);
	assert_int_equal(copy_to_user(buf, "x", 1), 0);
	assert_int_equal(sys_pwrite64(w, buf, 1, 7), 1);
	assert_int_equal(copy_to_user(buf, "?", 1), 0);
	assert_int_equal(sys_pread64(r, buf, 1, 7), 1);
	assert_int_equal(user_byte(buf), 'x');
	/* The last close writes back: nothing written is lost. */
	assert_int_equal(sys_close(w), 0);
	assert_int_equal(host_byte(path, 7), 'A'); /* r still holds the inode */
	assert_int_equal(sys_close(r), 0);
	assert_int_equal(host_byte(path, 7), 'x');
	assert_int_equal(global_node_page_state(NR_FILE_PAGES), 0);
	task_exit(t);
}

static void test_ftruncate_drops_cached_pages(void **state)
{
	struct task_struct *t = start_task("truncate");
	const char *path = make_pattern_file("f", 4 * PAGE_SIZE, 0600);
	unsigned long buf = map_rw(4);
	int fd = open_file(path, O_RDWR), ro = open_file(path, O_RDONLY);
	struct address_space *mapping = t->files->fd[fd]->f_mapping;
	struct page *page;

	(void)state;
	assert_int_equal(sys_pread64(fd, buf, 4 * PAGE_SIZE, 0), 4 * PAGE_SIZE);
	assert_int_equal(mapping->nrpages, 4);
	assert_int_equal(sys_ftruncate(fd, PAGE_SIZE + 10), 0);
	assert_int_equal(mapping->nrpages, 2);
	assert_null(find_get_page(mapping, 2));
	page = find_get_page(mapping, 1);
	assert_non_null(page);
	assert_int_equal(((char *)page_address(page))[10], 0); /* the tail is zeroed */
	assert_int_equal(((char *)page_address(page))[9], 'B');
	put_page(page);
	assert_int_equal(host_file_size(path), PAGE_SIZE + 10);
	assert_int_equal(sys_pread64(fd, buf, PAGE_SIZE, PAGE_SIZE), 10);
	assert_int_equal(sim_check(NULL), 0);
	/* Growing reads zeroes; the rules and errnos of do_sys_ftruncate(). */
	assert_int_equal(sys_ftruncate(fd, 3 * PAGE_SIZE), 0);
	assert_int_equal(sys_pread64(fd, buf, 1, 2 * PAGE_SIZE), 1);
	assert_int_equal(user_byte(buf), 0);
	assert_int_equal(sys_ftruncate(fd, -1), -EINVAL);
	assert_int_equal(sys_ftruncate(ro, 0), -EINVAL);
	assert_int_equal(sys_ftruncate(42, 0), -EBADF);
	/* O_TRUNC goes through the same path. */
	assert_int_equal(sys_open(path, O_RDWR | O_TRUNC, 0), 2);
	assert_int_equal(mapping->nrpages, 0);
	assert_int_equal(host_file_size(path), 0);
	task_exit(t);
}

static void *close_from_thread(void *arg)
{
	assert_int_equal(sys_close(*(int *)arg), 0);
	return NULL;
}

static void test_descriptors_shared_by_threads_copied_by_fork(void **state)
{
	struct task_struct *t = start_task("files"), *thread, *child;
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDONLY), other = open_file(path, O_RDONLY);
	unsigned long buf = map_rw(1);
	struct sim_thread *th;

	(void)state;
	child = sys_fork();
	assert_non_null(child);
	thread = task_clone_thread(t);
	assert_non_null(thread);
	assert_int_equal(sim_thread_spawn(thread, close_from_thread, &fd, &th), 0);
	assert_null(sim_thread_join(th));
	/* The thread closed our descriptor; the child's copy is its own. */
	assert_int_equal(sys_pread64(fd, buf, 1, 0), -EBADF);
	assert_int_equal(sys_pread64(other, buf, 1, 0), 1);
	set_current(child);
	buf = map_rw(1);
	assert_int_equal(sys_pread64(fd, buf, 1, 0), 1);
	assert_int_equal(user_byte(buf), 'A');
	assert_int_equal(sys_close(other), 0);
	set_current(t);
	assert_int_equal(sys_close(other), 0);
	task_exit(child);
	task_exit(thread);
	task_exit(t);
}

/* --- host I/O errors and short transfers, injected at the seam --- */

static int failing_errno;

static ssize_t failing_pread(int fd, void *buf, size_t count, loff_t pos)
{
	(void)fd, (void)buf, (void)count, (void)pos;
	return -failing_errno;
}

static ssize_t failing_pwrite(int fd, const void *buf, size_t count, loff_t pos)
{
	(void)fd, (void)buf, (void)count, (void)pos;
	return -failing_errno;
}

static ssize_t one_byte_pread(int fd, void *buf, size_t count, loff_t pos)
{
	return host_io_default_ops.pread(fd, buf, count ? 1 : 0, pos);
}

static ssize_t one_byte_pwrite(int fd, const void *buf, size_t count, loff_t pos)
{
	return host_io_default_ops.pwrite(fd, buf, count ? 1 : 0, pos);
}

static void test_host_read_error_is_eio_and_leaves_no_locked_page(void **state)
{
	struct task_struct *t = start_task("eio");
	const char *path = make_pattern_file("f", 2 * PAGE_SIZE, 0600);
	struct host_io_ops ops = host_io_default_ops;
	unsigned long buf = map_rw(2);
	int fd = open_file(path, O_RDWR);

	(void)state;
	ops.pread = failing_pread;
	failing_errno = EIO;
	host_io_set_ops(&ops);
	assert_int_equal(sys_pread64(fd, buf, 10, 0), -EIO);
	/* A partial write needs the page read first: that fails too. */
	assert_int_equal(sys_pwrite64(fd, buf, 10, PAGE_SIZE + 5), -EIO);
	assert_int_equal(sim_check(NULL), 0); /* no page left locked, counts agree */
	host_io_set_ops(NULL);
	assert_int_equal(sys_pread64(fd, buf, 10, 0), 10); /* the next read tries again */
	assert_int_equal(user_byte(buf), 'A');
	task_exit(t);
}

static void test_writeback_error_reported_once_data_kept(void **state)
{
	struct task_struct *t = start_task("enospc");
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	struct host_io_ops ops = host_io_default_ops;
	unsigned long buf = map_rw(1);
	int fd = open_file(path, O_RDWR);

	(void)state;
	assert_int_equal(copy_to_user(buf, "z", 1), 0);
	assert_int_equal(sys_pwrite64(fd, buf, 1, 0), 1);
	ops.pwrite = failing_pwrite;
	failing_errno = ENOSPC;
	host_io_set_ops(&ops);
	assert_int_equal(sys_fsync(fd), -ENOSPC);
	assert_int_equal(global_node_page_state(NR_FILE_DIRTY), 1); /* still to be written */
	host_io_set_ops(NULL);
	assert_int_equal(sys_fsync(fd), 0);
	assert_int_equal(host_byte(path, 0), 'z');
	task_exit(t);
}

static void test_short_host_transfers_are_completed(void **state)
{
	struct task_struct *t = start_task("short");
	const char *path = make_pattern_file("f", 2 * PAGE_SIZE, 0600);
	struct host_io_ops ops = host_io_default_ops;
	unsigned long buf = map_rw(2);
	int fd = open_file(path, O_RDWR);

	(void)state;
	ops.pread = one_byte_pread;
	ops.pwrite = one_byte_pwrite;
	host_io_set_ops(&ops);
	assert_int_equal(sys_pread64(fd, buf, 2 * PAGE_SIZE, 0), 2 * PAGE_SIZE);
	assert_int_equal(user_byte(buf + PAGE_SIZE + 7), 'B');
	assert_int_equal(sys_pwrite64(fd, buf, 1, PAGE_SIZE), 1); /* 'A' over 'B' */
	assert_int_equal(sys_fsync(fd), 0);
	host_io_set_ops(NULL);
	assert_int_equal(host_byte(path, PAGE_SIZE), 'A');
	assert_int_equal(host_byte(path, PAGE_SIZE + 1), 'B');
	task_exit(t);
}

/* What the counters and the page said while the host write was in flight. */
static struct {
	unsigned long writeback, dirty;
	bool page_writeback, page_dirty;
	struct page *page;
} seen_in_write;

static ssize_t sampling_pwrite(int fd, const void *buf, size_t count, loff_t pos)
{
	seen_in_write.writeback = global_node_page_state(NR_WRITEBACK);
	seen_in_write.dirty = global_node_page_state(NR_FILE_DIRTY);
	seen_in_write.page_writeback = PageWriteback(seen_in_write.page);
	seen_in_write.page_dirty = PageDirty(seen_in_write.page);
	return host_io_default_ops.pwrite(fd, buf, count, pos);
}

/*
 * Writeback moves a page from nr_dirty to nr_writeback for as long as its bytes
 * are on their way to the host file (clear_page_dirty_for_io, then
 * set_page_writeback), and out of both once they are there.
 */
static void test_writeback_in_flight_is_counted(void **state)
{
	struct task_struct *t = start_task("inflight");
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	struct host_io_ops ops = host_io_default_ops;
	unsigned long buf = map_rw(1);
	int fd = open_file(path, O_RDWR);

	(void)state;
	assert_int_equal(copy_to_user(buf, "w", 1), 0);
	assert_int_equal(sys_pwrite64(fd, buf, 1, 0), 1);
	seen_in_write.page = find_get_page(t->files->fd[fd]->f_mapping, 0);
	assert_non_null(seen_in_write.page);
	assert_int_equal(global_node_page_state(NR_FILE_DIRTY), 1);
	assert_int_equal(global_node_page_state(NR_WRITEBACK), 0);
	ops.pwrite = sampling_pwrite;
	host_io_set_ops(&ops);
	assert_int_equal(sys_fsync(fd), 0);
	host_io_set_ops(NULL);
	assert_int_equal(seen_in_write.writeback, 1);
	assert_int_equal(seen_in_write.dirty, 0);
	assert_true(seen_in_write.page_writeback);
	assert_false(seen_in_write.page_dirty);
	assert_int_equal(global_node_page_state(NR_WRITEBACK), 0);
	assert_int_equal(global_node_page_state(NR_FILE_DIRTY), 0);
	assert_false(PageWriteback(seen_in_write.page));
	assert_int_equal(host_byte(path, 0), 'w');
	put_page(seen_in_write.page);
	task_exit(t);
}

/*
 * A write meant to cover a page whole, whose user bytes end halfway (the rest
 * of the buffer unmapped): 5.11 faults the chunk in first and writes none of
 * it; 6.15 writes the half it has and leaves the rest of the page as the host
 * file has it (read in, not left half zeroes). A write of no readable byte
 * beyond the end leaves no page there.
 */
static void test_short_copy_over_whole_page_keeps_file_bytes(void **state)
{
	struct task_struct *t = start_task("shortcopy");
	const char *path = make_pattern_file("f", 2 * PAGE_SIZE, 0600);
	unsigned long buf = map_rw(2);
	unsigned long half = buf + PAGE_SIZE / 2;
	int fd = open_file(path, O_RDWR);
	char zs[PAGE_SIZE / 2];

	(void)state;
	memset(zs, 'z', sizeof(zs));
	assert_int_equal(copy_to_user(half, zs, sizeof(zs)), 0);
	assert_int_equal(sys_munmap(buf + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(sys_pwrite64(fd, half, PAGE_SIZE, 0), by_profile(-EFAULT, PAGE_SIZE / 2));
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sys_pread64(fd, buf, PAGE_SIZE, 0), PAGE_SIZE);
	assert_int_equal(user_byte(buf + PAGE_SIZE / 2 - 1), by_profile('A', 'z'));
	assert_int_equal(user_byte(buf + PAGE_SIZE / 2), 'A');
	assert_int_equal(user_byte(buf + PAGE_SIZE - 1), 'A');
	assert_int_equal(sys_fsync(fd), 0);
	assert_int_equal(host_byte(path, 0), by_profile('A', 'z'));
	assert_int_equal(host_byte(path, PAGE_SIZE / 2), 'A');
	assert_int_equal(sys_pwrite64(fd, unmapped_address(), 1, 4 * PAGE_SIZE), -EFAULT);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(t->files->fd[fd]->f_mapping->nrpages, 1);
	assert_int_equal(host_file_size(path), 2 * PAGE_SIZE);
	task_exit(t);
}

/* --- the checker's page-cache section: each rule broken by hand is reported --- */

static void test_checker_reports_page_cache_violations(void **state)
{
	struct task_struct *t = start_task("check");
	const char *path = make_pattern_file("f", 2 * PAGE_SIZE, 0600);
	unsigned long buf = map_rw(2);
	int fd = open_file(path, O_RDWR);
	struct address_space *mapping = t->files->fd[fd]->f_mapping;
	struct page *page;

	(void)state;
	assert_int_equal(sys_pread64(fd, buf, 2 * PAGE_SIZE, 0), 2 * PAGE_SIZE);
	assert_int_equal(sim_check(NULL), 0);
	page = xa_load(&mapping->i_pages, 1);
	/* A page that says it sits elsewhere. */
	page->index = 5;
	assert_true(sim_check(NULL) > 0);
	page->index = 1;
	/* Dirty behind nr_dirty's back. */
	SetPageDirty(page);
	assert_true(sim_check(NULL) > 0);
	ClearPageDirty(page);
	/* A cached page beyond the end of the file. */
	mapping->host->i_size = PAGE_SIZE;
	assert_true(sim_check(NULL) > 0);
	mapping->host->i_size = 2 * PAGE_SIZE;
	/* nrpages out of step with the tree. */
	mapping->nrpages++;
	assert_true(sim_check(NULL) > 0);
	mapping->nrpages--;
	/* A page left locked with no read in flight. */
	SetPageLocked(page);
	assert_true(sim_check(NULL) > 0);
	ClearPageLocked(page);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FILE_TEST(test_open_errors_and_lowest_descriptor),
		FILE_TEST(test_pread_copies_file_bytes_to_task_memory),
		FILE_TEST(test_pwrite_reaches_host_at_fsync),
		FILE_TEST(test_two_opens_share_one_page_cache),
		FILE_TEST(test_ftruncate_drops_cached_pages),
		FILE_TEST(test_descriptors_shared_by_threads_copied_by_fork),
		FILE_TEST(test_host_read_error_is_eio_and_leaves_no_locked_page),
		FILE_TEST(test_writeback_error_reported_once_data_kept),
		FILE_TEST(test_short_host_transfers_are_completed),
		FILE_TEST(test_writeback_in_flight_is_counted),
		FILE_TEST(test_short_copy_over_whole_page_keeps_file_bytes),
		FILE_TEST(test_checker_reports_page_cache_violations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
