// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_fault_around.c - fault-around (do_fault_around, filemap_map_pages):
 * a read fault on a file or shmem mapping also maps the neighbours already cached,
 * within the fault_around_bytes window aligned to its size and cut to the VMA; what
 * it skips (uncached, locked, already mapped); the knob's rounding and its limit.
 */
#include "file_harness.h"

#define RW (PROT_READ | PROT_WRITE)
#define FILE_PAGES 64

static long rss(atomic_long_t *counter)
{
	return atomic_long_read(counter);
}

/* How many of the @nr pages from @addr a PTE maps. */
static int present_pages(unsigned long addr, int nr)
{
	int n = 0;

	for (int i = 0; i < nr; i++)
		n += addr_present(addr + (unsigned long)i * PAGE_SIZE);
	return n;
}

/* The default window around @addr: 64 KiB aligned in the address space, as the kernel's. */
static unsigned long window_of(unsigned long addr)
{
	return ALIGN_DOWN(addr, 16 * PAGE_SIZE);
}

/* map_file() at an address aligned to 64 KiB, so that the windows fall on known pages. */
static unsigned long map_file_aligned(int fd, unsigned long len, unsigned long prot,
				      unsigned long flags, unsigned long off)
{
	unsigned long span = len + 16 * PAGE_SIZE;
	unsigned long hole = sys_mmap(0, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long addr;

	assert_false(IS_ERR_VALUE(hole));
	assert_int_equal(sys_munmap(hole, span), 0);
	addr = ALIGN_UP(hole, 16 * PAGE_SIZE);
	assert_int_equal(sys_mmap(addr, len, prot, flags | MAP_FIXED, fd, off), addr);
	return addr;
}

/* A FILE_PAGES-page host file, opened read-write and read whole into the page cache. */
static int cached_file(struct task_struct *t)
{
	const char *path = make_pattern_file("f", FILE_PAGES * PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long buf = map_rw(FILE_PAGES);

	(void)t;
	assert_int_equal(sys_pread64(fd, buf, FILE_PAGES * PAGE_SIZE, 0), FILE_PAGES * PAGE_SIZE);
	assert_int_equal(sys_munmap(buf, FILE_PAGES * PAGE_SIZE), 0);
	return fd;
}

/*
 * The host kernel's answer (probed on 6.18 with /proc/self/pagemap): one read of
 * a cached file maps 16 pages, the 64 KiB window around it aligned in the address
 * space (not in the file), wherever in the window it lands, and nothing outside.
 */
static void test_read_fault_maps_the_cached_window(void **state)
{
	struct task_struct *t = start_task("window");
	int fd = cached_file(t);
	unsigned long addr = map_file(fd, FILE_PAGES * PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	unsigned long faults = page_faults();

	(void)state;
	assert_int_equal(user_byte(addr + 20 * PAGE_SIZE), pattern_byte(20 * PAGE_SIZE));
	assert_int_equal(page_faults() - faults, 1);
	assert_int_equal(present_pages(addr, FILE_PAGES), 16);
	assert_int_equal(present_pages(window_of(addr + 20 * PAGE_SIZE), 16), 16);
	/* Each neighbour is mapped as a fault would map it: one mapcount, one RssFile page. */
	assert_int_equal(rss(&t->mm->rss_file), 16);
	assert_int_equal(sim_check(NULL), 0);
	/* Reading the rest of the window costs no more faults. */
	for (unsigned long a = window_of(addr + 20 * PAGE_SIZE), i = 0; i < 16; i++)
		assert_int_equal(user_byte(a + i * PAGE_SIZE),
				 pattern_byte(a + i * PAGE_SIZE - addr));
	assert_int_equal(page_faults() - faults, 1);
	task_exit(t);
}

/* The window never reaches outside the VMA, whose file offset need not be aligned. */
static void test_window_is_cut_to_the_vma(void **state)
{
	struct task_struct *t = start_task("vma");
	int fd = cached_file(t);
	unsigned long addr =
		map_file_aligned(fd, 4 * PAGE_SIZE, PROT_READ, MAP_PRIVATE, 5 * PAGE_SIZE);

	(void)state;
	assert_int_equal(user_byte(addr + PAGE_SIZE), pattern_byte(6 * PAGE_SIZE));
	assert_int_equal(present_pages(addr, 4), 4);
	assert_int_equal(rss(&t->mm->rss_file), 4);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/*
 * Only pages that need nothing more are mapped: a page not in the cache is left
 * to its own fault (fault-around reads nothing), a locked one (under I/O or
 * truncation) is not waited for, and an entry already present stays as it is.
 */
static void test_uncached_locked_and_present_pages_are_skipped(void **state)
{
	struct task_struct *t = start_task("skip");
	const char *path = make_pattern_file("f", 16 * PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long buf = map_rw(16), addr;
	struct address_space *mapping = t->files->fd[fd]->f_mapping;
	struct page *locked;
	bool locked_present;
	int nr_present;

	(void)state;
	/* Pages 0-7 cached; page 3 locked by someone else. */
	assert_int_equal(sys_pread64(fd, buf, 8 * PAGE_SIZE, 0), 8 * PAGE_SIZE);
	assert_int_equal(sys_munmap(buf, 16 * PAGE_SIZE), 0);
	locked = find_get_page(mapping, 3);
	assert_non_null(locked);
	lock_page(locked);
	addr = map_file_aligned(fd, 16 * PAGE_SIZE, RW, MAP_PRIVATE, 0);
	/* A private COW copy at page 1 is present before the fault-around. */
	assert_int_equal(copy_to_user(addr + PAGE_SIZE, "c", 1), 0);
	assert_int_equal(user_byte(addr), pattern_byte(0));
	/* What the fault mapped, read before the lock goes (a failed assert would keep it). */
	nr_present = present_pages(addr, 16);
	locked_present = addr_present(addr + 3 * PAGE_SIZE);
	unlock_page(locked);
	put_page(locked);
	assert_false(locked_present);
	assert_int_equal(nr_present, 7); /* 0-2 and 4-7 */
	assert_true(addr_present(addr + 2 * PAGE_SIZE));
	assert_int_equal(user_byte(addr + PAGE_SIZE), 'c'); /* the copy stayed */
	assert_int_equal(rss(&t->mm->rss_anon), 1);
	assert_int_equal(rss(&t->mm->rss_file), 6);
	/* Page 9 was never read: its own fault reads it in and maps it alone. */
	assert_int_equal(user_byte(addr + 9 * PAGE_SIZE), pattern_byte(9 * PAGE_SIZE));
	assert_int_equal(present_pages(addr + 8 * PAGE_SIZE, 8), 1);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/*
 * Neighbours come in as a read fault maps them: read-only in a shared writable
 * mapping, so a later write still tells the file (page_mkwrite, nr_dirty), and
 * read-only in a private one, so a write copies and the cache stays as it was.
 */
static void test_neighbours_stay_read_only(void **state)
{
	struct task_struct *t = start_task("ro");
	int fd = cached_file(t);
	unsigned long shared = map_file_aligned(fd, 16 * PAGE_SIZE, RW, MAP_SHARED, 0);
	unsigned long priv = map_file_aligned(fd, 16 * PAGE_SIZE, RW, MAP_PRIVATE, 0);
	unsigned long buf = map_rw(1);

	(void)state;
	assert_int_equal(user_byte(shared), pattern_byte(0));
	assert_true(addr_present(shared + 5 * PAGE_SIZE));
	assert_int_equal(global_node_page_state(NR_FILE_DIRTY), 0);
	assert_int_equal(copy_to_user(shared + 5 * PAGE_SIZE, "s", 1), 0);
	assert_int_equal(global_node_page_state(NR_FILE_DIRTY), 1);
	assert_int_equal(user_byte(priv), pattern_byte(0));
	assert_true(addr_present(priv + 7 * PAGE_SIZE));
	assert_int_equal(copy_to_user(priv + 7 * PAGE_SIZE, "p", 1), 0);
	assert_int_equal(sys_pread64(fd, buf, 1, 7 * PAGE_SIZE), 1);
	assert_int_equal(user_byte(buf), pattern_byte(7 * PAGE_SIZE));
	assert_int_equal(rss(&t->mm->rss_anon), 2); /* the copy, and buf's page */
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* shmem maps around too: a memfd's pages, as the host kernel does. */
static void test_shmem_maps_around(void **state)
{
	struct task_struct *t = start_task("shmem");
	int fd = sys_memfd_create("around", 0);
	unsigned long buf = map_rw(FILE_PAGES), addr;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(copy_to_user(buf, "x", 1), 0);
	for (int i = 0; i < FILE_PAGES; i++)
		assert_int_equal(sys_pwrite64(fd, buf, PAGE_SIZE, (loff_t)i * PAGE_SIZE),
				 PAGE_SIZE);
	addr = map_file(fd, FILE_PAGES * PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	assert_int_equal(user_byte(addr + 40 * PAGE_SIZE), 'x');
	assert_int_equal(present_pages(addr, FILE_PAGES), 16);
	assert_int_equal(present_pages(window_of(addr + 40 * PAGE_SIZE), 16), 16);
	assert_int_equal(rss(&t->mm->rss_shmem), 16);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* Boot with fault_around_bytes = @bytes; read page 20 of a cached file; how many pages map? */
static int mapped_by_one_fault(unsigned long bytes)
{
	struct sim_config cfg = {.fault_around_bytes = bytes};
	struct task_struct *t;
	unsigned long addr;
	int fd, n;

	assert_int_equal(sim_shutdown(), 0);
	assert_int_equal(sim_boot(&cfg), 0);
	t = start_task("knob");
	fd = cached_file(t);
	addr = map_file(fd, FILE_PAGES * PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	assert_int_equal(user_byte(addr + 20 * PAGE_SIZE), pattern_byte(20 * PAGE_SIZE));
	n = present_pages(addr, FILE_PAGES);
	assert_true(addr_present(addr + 20 * PAGE_SIZE));
	task_exit(t);
	return n;
}

/* The knob as the kernel's debugfs file takes it: rounded down to a power of two. */
static void test_fault_around_bytes_knob(void **state)
{
	struct sim_config too_big = {.fault_around_bytes = PTRS_PER_PTE * PAGE_SIZE + 1};

	(void)state;
	assert_int_equal(mapped_by_one_fault(0), 16); /* the default, 64 KiB */
	assert_int_equal(mapped_by_one_fault(PAGE_SIZE), 1);
	assert_int_equal(mapped_by_one_fault(1), 1);
	assert_int_equal(mapped_by_one_fault(3 * PAGE_SIZE), 2);
	assert_int_equal(mapped_by_one_fault(PTRS_PER_PTE * PAGE_SIZE), FILE_PAGES);
	assert_int_equal(sim_shutdown(), 0);
	assert_int_equal(sim_boot(&too_big), -EINVAL);
	assert_int_equal(sim_boot(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FILE_TEST(test_read_fault_maps_the_cached_window),
		FILE_TEST(test_window_is_cut_to_the_vma),
		FILE_TEST(test_uncached_locked_and_present_pages_are_skipped),
		FILE_TEST(test_neighbours_stay_read_only),
		FILE_TEST(test_shmem_maps_around),
		FILE_TEST(test_fault_around_bytes_knob),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
