// SPDX-License-Identifier: GPL-2.0-only
/*
 * 6.18's refusals that need files or hugetlb, under both profiles: writable
 * long-term pins of dirty-tracked file mappings (6.5, slow and fast paths) and
 * forced writes to read-only hugetlb mappings (6.2), and R/O long-term pins
 * unsharing page-cache pages of private mappings (6.2). 5.11 allows all of them.
 */
#include "file_harness.h"
#include "mm/internal.h"

#define RW (PROT_READ | PROT_WRITE)
#define LONGTERM_WRITE (FOLL_LONGTERM | FOLL_WRITE)

static long pin_locked(unsigned long addr, unsigned int flags, struct page **page)
{
	long ret;

	mmap_read_lock(current->mm);
	ret = pin_user_pages(addr, 1, flags, page, NULL);
	mmap_read_unlock(current->mm);
	return ret;
}

/* A shared mapping of a host file: 6.5 refuses the writable long-term pin, slow and fast. */
static void test_longterm_write_pin_of_shared_file(void **state)
{
	struct task_struct *t = start_task("file");
	int fd = open_file(make_pattern_file("f", PAGE_SIZE, 0600), O_RDWR);
	unsigned long addr = map_file(fd, PAGE_SIZE, RW, MAP_SHARED, 0);
	struct page *page;

	(void)state;
	assert_int_equal(copy_to_user(addr, "w", 1), 0); /* mapped writable and dirty */
	assert_int_equal(pin_locked(addr, LONGTERM_WRITE, &page), by_profile(1, -EFAULT));
	if (!profile_is_6_18())
		unpin_user_page(page);
	/* GUP-fast leaves the page-cache page to the slow path, which refuses it. */
	assert_int_equal(pin_user_pages_fast(addr, 1, LONGTERM_WRITE, &page),
			 by_profile(1, -EFAULT));
	if (!profile_is_6_18())
		unpin_user_page(page);
	/* Short-term and read-only long-term pins stay allowed. */
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE, &page), 1);
	unpin_user_page(page);
	assert_int_equal(pin_locked(addr, FOLL_LONGTERM, &page), 1);
	unpin_user_page(page);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sys_close(fd), 0);
	task_exit(t);
}

/* A private file mapping COWs into anonymous memory, and shmem tracks nothing: both pin. */
static void test_longterm_write_pin_of_private_file_and_shmem(void **state)
{
	struct task_struct *t = start_task("file");
	int fd = open_file(make_pattern_file("f", PAGE_SIZE, 0600), O_RDWR);
	unsigned long priv = map_file(fd, PAGE_SIZE, RW, MAP_PRIVATE, 0);
	unsigned long shm = sys_mmap(0, PAGE_SIZE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct page *page;

	(void)state;
	assert_false(IS_ERR_VALUE(shm));
	assert_int_equal(user_byte(priv), 'A');
	assert_int_equal(pin_locked(priv, LONGTERM_WRITE, &page), 1);
	assert_true(PageAnon(page));
	unpin_user_page(page);
	assert_int_equal(copy_to_user(shm, "s", 1), 0);
	assert_int_equal(pin_user_pages_fast(shm, 1, LONGTERM_WRITE, &page), 1);
	unpin_user_page(page);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sys_close(fd), 0);
	task_exit(t);
}

/*
 * 6.2 ("mm/gup: reliable R/O long-term pinning in COW mappings"): a R/O FOLL_LONGTERM pin of a page-cache page in
 * a private mapping takes an anonymous copy, which the PTE then maps, so a later
 * write through the mapping stays coherent with the pin. 5.11 pins the cache
 * page itself. A short-term R/O pin pins the cache page under both.
 */
static void test_longterm_ro_pin_unshares_private_file_page(void **state)
{
	struct task_struct *t = start_task("file");
	int fd = open_file(make_pattern_file("f", PAGE_SIZE, 0600), O_RDWR);
	unsigned long priv = map_file(fd, PAGE_SIZE, RW, MAP_PRIVATE, 0);
	struct page *page, *cached;

	(void)state;
	assert_int_equal(user_byte(priv), 'A'); /* a read fault maps the page-cache page */
	assert_int_equal(pin_locked(priv, 0, &cached), 1);
	assert_false(PageAnon(cached));
	unpin_user_page(cached);
	assert_int_equal(pin_locked(priv, FOLL_LONGTERM, &page), 1);
	assert_true(PageAnon(page) == profile_is_6_18());
	assert_true((page == cached) == !profile_is_6_18());
	assert_int_equal(*(char *)page_address(page), 'A');
	/* The write reuses the pinned copy under 6.18; 5.11 copies away from the pin. */
	assert_int_equal(copy_to_user(priv, "w", 1), 0);
	assert_true((*(char *)page_address(page) == 'w') == profile_is_6_18());
	assert_int_equal(*(char *)page_address(cached), 'A'); /* the file never changes */
	unpin_user_page(page);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sys_close(fd), 0);
	task_exit(t);
}

/* 6.2: FOLL_FORCE cannot write a read-only hugetlb mapping; 5.11 breaks COW for it. */
static void test_forced_write_to_read_only_hugetlb(void **state)
{
	struct sim_config cfg = {.hugetlb_2m_pages = 1};
	struct task_struct *t;
	unsigned long addr;
	struct page *page;
	char byte = 0;

	(void)state;
	assert_int_equal(sim_shutdown(), 0); /* file_setup's machine has no pool */
	assert_int_equal(sim_boot(&cfg), 0);
	t = start_task("hugetlb");
	addr = sys_mmap(0, PMD_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	assert_false(IS_ERR_VALUE(addr));
	assert_int_equal(copy_from_user(&byte, addr, 1), 0);
	mmap_read_lock(t->mm);
	assert_int_equal(get_user_pages(addr, 1, FOLL_WRITE | FOLL_FORCE, &page, NULL),
			 by_profile(1, -EFAULT));
	mmap_read_unlock(t->mm);
	if (!profile_is_6_18())
		put_page(page);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FILE_TEST(test_longterm_write_pin_of_shared_file),
		FILE_TEST(test_longterm_write_pin_of_private_file_and_shmem),
		FILE_TEST(test_forced_write_to_read_only_hugetlb),
		FILE_TEST(test_longterm_ro_pin_unshares_private_file_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
