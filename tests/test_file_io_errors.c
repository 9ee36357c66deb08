// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host I/O errors injected with host_io_inject() (what scripts' `inject host_io`
 * arms) get Linux's answers: a failed read is SIGBUS to a fault (-EFAULT to GUP)
 * and -EIO to pread; a failed writeback is the errno of msync and fsync, sticky in
 * the inode and reported once per open file (errseq); short transfers lose nothing.
 * No page is left locked and nothing leaks.
 */
#include "file_harness.h"
#include "mm/internal.h"

#define RW (PROT_READ | PROT_WRITE)

static struct page *cached_page(int fd, pgoff_t index)
{
	struct file *file = fget(fd);
	struct page *page;

	assert_non_null(file);
	page = find_get_page(file->f_mapping, index);
	fput(file);
	return page;
}

static void assert_not_locked_or_absent(int fd, pgoff_t index)
{
	struct page *page = cached_page(fd, index);

	if (page) {
		assert_false(PageLocked(page));
		put_page(page);
	}
}

static void test_injection_rules(void **state)
{
	(void)state;
	assert_int_equal(host_io_inject("pread", "eio", 0, 1), -EINVAL);
	assert_int_equal(host_io_inject("read", "eio", 1, 1), -EINVAL);
	assert_int_equal(host_io_inject("pread", "eperm", 1, 1), -EINVAL);
	assert_int_equal(host_io_inject("fsync", "short", 1, 1), -EINVAL);
	assert_int_equal(host_io_inject(NULL, "eio", 1, 1), -EINVAL);
	assert_int_equal(host_io_inject("pwrite", "short", 1, 0), 0);
	host_io_inject_off();
	assert_int_equal(host_io_injected("pwrite"), 0);
}

/* A read error: the fault is SIGBUS (copy fails, GUP -EFAULT), pread(2) -EIO. */
static void test_read_eio_is_sigbus_to_faults_and_eio_to_pread(void **state)
{
	struct task_struct *t = start_task("read-eio");
	const char *path = make_pattern_file("f", 3 * PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long addr = map_file(fd, 3 * PAGE_SIZE, RW, MAP_SHARED, 0);
	unsigned long buf = sys_mmap(0, PAGE_SIZE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct page *page;
	char c;

	(void)state;
	assert_int_equal(host_io_inject("pread", "eio", 1, 0), 0);
	assert_int_equal(copy_from_user(&c, addr, 1), 1);
	assert_int_equal(get_user_pages_unlocked(addr + PAGE_SIZE, 1, &page, 0), -EFAULT);
	assert_int_equal(pin_user_pages_fast(addr + PAGE_SIZE, 1, FOLL_WRITE, &page), -EFAULT);
	assert_int_equal(sys_pread64(fd, buf, 16, 2 * PAGE_SIZE), -EIO);
	assert_true(host_io_injected("pread") >= 4);
	for (pgoff_t i = 0; i < 3; i++)
		assert_not_locked_or_absent(fd, i);
	assert_int_equal(sim_check(NULL), 0);
	host_io_inject_off();
	/* The next read reads again: the error did not stick to the page. */
	assert_int_equal(user_byte(addr), 'A');
	assert_int_equal(sys_pread64(fd, buf, 16, 2 * PAGE_SIZE), 16);
	assert_int_equal(user_byte(buf), 'C');
	task_exit(t);
}

/* One read failing of several: pread returns the bytes before it. */
static void test_read_eio_after_some_pages_is_a_short_pread(void **state)
{
	struct task_struct *t = start_task("read-part");
	const char *path = make_pattern_file("f", 3 * PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDONLY);
	unsigned long buf = sys_mmap(0, 3 * PAGE_SIZE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)state;
	assert_int_equal(host_io_inject("pread", "eio", 2, 1), 0);
	assert_int_equal(sys_pread64(fd, buf, 3 * PAGE_SIZE, 0), PAGE_SIZE);
	assert_int_equal(host_io_injected("pread"), 1);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sys_pread64(fd, buf, 3 * PAGE_SIZE, 0), 3 * PAGE_SIZE);
	assert_int_equal(user_byte(buf + 2 * PAGE_SIZE), 'C');
	task_exit(t);
}

/* Short transfers, every one of them: reads and writes go on until done; no byte lost. */
static void test_short_transfers_lose_nothing(void **state)
{
	struct task_struct *t = start_task("short");
	const char *path = make_pattern_file("f", 2 * PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long addr = map_file(fd, 2 * PAGE_SIZE, RW, MAP_SHARED, 0);

	(void)state;
	assert_int_equal(host_io_inject("pread", "short", 1, 0), 0);
	assert_int_equal(user_byte(addr + PAGE_SIZE - 1), 'A');
	assert_int_equal(user_byte(addr + PAGE_SIZE), 'B');
	assert_true(host_io_injected("pread") >= 2);
	assert_int_equal(host_io_inject("pwrite", "short", 1, 0), 0);
	assert_int_equal(copy_to_user(addr + PAGE_SIZE - 2, "xyzw", 4), 0);
	assert_int_equal(sys_msync(addr, 2 * PAGE_SIZE, MS_SYNC), 0);
	assert_true(host_io_injected("pwrite") >= 2);
	host_io_inject_off();
	assert_int_equal(host_byte(path, PAGE_SIZE - 2), 'x');
	assert_int_equal(host_byte(path, PAGE_SIZE + 1), 'w');
	assert_int_equal(host_byte(path, 2 * PAGE_SIZE - 1), 'B');
	task_exit(t);
}

/*
 * A writeback error: msync(MS_SYNC) answers it; the page stays dirty and a later
 * writeback that works writes it. ENOSPC is reported as ENOSPC.
 */
static void test_writeback_error_is_msyncs_errno_and_data_stays(void **state)
{
	struct task_struct *t = start_task("wb-err");
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long addr = map_file(fd, PAGE_SIZE, RW, MAP_SHARED, 0);
	struct page *page;

	(void)state;
	assert_int_equal(copy_to_user(addr, "E", 1), 0);
	assert_int_equal(host_io_inject("pwrite", "eio", 1, 1), 0);
	assert_int_equal(sys_msync(addr, PAGE_SIZE, MS_SYNC), -EIO);
	assert_int_equal(host_byte(path, 0), 'A');
	page = cached_page(fd, 0);
	assert_true(PageDirty(page));
	assert_false(PageLocked(page));
	assert_false(PageWriteback(page));
	put_page(page);
	assert_int_equal(global_node_page_state(NR_WRITEBACK), 0);
	/* msync reported it for this file: fsync of the same file writes and is clean. */
	assert_int_equal(sys_fsync(fd), 0);
	assert_int_equal(host_byte(path, 0), 'E');
	assert_int_equal(copy_to_user(addr, "N", 1), 0);
	assert_int_equal(host_io_inject("pwrite", "enospc", 1, 1), 0);
	assert_int_equal(sys_fsync(fd), -ENOSPC);
	assert_int_equal(sys_fsync(fd), 0);
	assert_int_equal(host_byte(path, 0), 'N');
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/*
 * A writeback nobody waits for (munmap's) fails: the error stays in the inode
 * and each open file's next fsync reports it once (errseq): the descriptor open
 * then and one opened after it, while nobody had seen it yet; one opened after
 * it was reported does not.
 */
static void test_unreported_writeback_error_is_reported_once_per_file(void **state)
{
	struct task_struct *t = start_task("errseq");
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR), fd2, fd3;
	unsigned long addr = map_file(fd, PAGE_SIZE, RW, MAP_SHARED, 0);

	(void)state;
	assert_int_equal(copy_to_user(addr, "U", 1), 0);
	assert_int_equal(host_io_inject("pwrite", "eio", 1, 1), 0);
	assert_int_equal(sys_munmap(addr, PAGE_SIZE), 0);
	assert_int_equal(host_io_injected("pwrite"), 1);
	fd2 = open_file(path, O_RDWR);
	assert_int_equal(sys_fsync(fd), -EIO);
	assert_int_equal(sys_fsync(fd), 0);
	assert_int_equal(host_byte(path, 0), 'U'); /* the dirty page was written this time */
	fd3 = open_file(path, O_RDWR);
	assert_int_equal(sys_fsync(fd2), -EIO);
	assert_int_equal(sys_fsync(fd2), 0);
	assert_int_equal(sys_fsync(fd3), 0);
	/* The host's own fsync failing is fsync's answer too. */
	assert_int_equal(host_io_inject("fsync", "eio", 1, 1), 0);
	assert_int_equal(sys_fsync(fd3), -EIO);
	assert_int_equal(sys_fsync(fd3), 0);
	assert_int_equal(sys_close(fd3), 0);
	assert_int_equal(sys_close(fd2), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* A pinned page whose writeback fails keeps its bytes and pin; unpin_dirty, then fsync, writes it. */
static void test_writeback_error_under_a_pin(void **state)
{
	struct task_struct *t = start_task("pin-err");
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long addr = map_file(fd, PAGE_SIZE, RW, MAP_SHARED, 0);
	struct page *page;

	(void)state;
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE, &page), 1);
	memcpy(page_address(page), "DMA", 3);
	assert_int_equal(host_io_inject("pwrite", "eio", 1, 0), 0);
	unpin_user_pages_dirty_lock(&page, 1, true);
	assert_int_equal(sys_fsync(fd), -EIO);
	assert_int_equal(host_byte(path, 0), 'A');
	host_io_inject_off();
	assert_int_equal(sys_fsync(fd), 0);
	assert_int_equal(host_byte(path, 2), 'A'); /* "DMA" */
	assert_int_equal(host_byte(path, 1), 'M');
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FILE_TEST(test_injection_rules),
		FILE_TEST(test_read_eio_is_sigbus_to_faults_and_eio_to_pread),
		FILE_TEST(test_read_eio_after_some_pages_is_a_short_pread),
		FILE_TEST(test_short_transfers_lose_nothing),
		FILE_TEST(test_writeback_error_is_msyncs_errno_and_data_stays),
		FILE_TEST(test_unreported_writeback_error_is_reported_once_per_file),
		FILE_TEST(test_writeback_error_under_a_pin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
