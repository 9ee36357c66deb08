// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_rmap_file.c - the file reverse map: every VMA mapping a file is on its
 * i_mmap, through fork, split, merge, mremap and munmap, so rmap_walk() finds each
 * PTE of a page-cache page; page_mkclean() and writeback write-protect every
 * shared PTE; truncation unmaps through it; munlock keeps a page another
 * VM_LOCKED VMA maps mlocked (try_to_munlock).
 */
#include "file_harness.h"
#include "mm/internal.h"

#define RW (PROT_READ | PROT_WRITE)

struct visits {
	int nr; /* (vma, address) pairs whose PTE maps the page */
	struct mm_struct *mms[8];
	unsigned long addrs[8];
};

static bool record_mapping(struct page *page, struct vm_area_struct *vma, unsigned long address,
			   void *arg)
{
	struct visits *v = arg;
	pte_t *pte = mm_find_pte(vma->vm_mm, address, NULL);

	if (pte && pte_present(ptep_get(pte)) && pte_pfn(ptep_get(pte)) == page_to_pfn(page) &&
	    v->nr < 8) {
		v->mms[v->nr] = vma->vm_mm;
		v->addrs[v->nr++] = address;
	}
	return true;
}

static struct visits walk_page(struct page *page)
{
	struct visits v = {0};
	struct rmap_walk_control rwc = {.arg = &v, .rmap_one = record_mapping};

	lock_page(page);
	rmap_walk(page, &rwc);
	unlock_page(page);
	return v;
}

static bool visited(const struct visits *v, struct mm_struct *mm, unsigned long addr)
{
	for (int i = 0; i < v->nr; i++)
		if (v->mms[i] == mm && v->addrs[i] == addr)
			return true;
	return false;
}

/* The page-cache page at @index of @fd's file, with a reference. */
static struct page *cached_page(int fd, pgoff_t index)
{
	struct page *page = find_get_page(current->files->fd[fd]->f_mapping, index);

	assert_non_null(page);
	return page;
}

static struct address_space *mapping_of(int fd)
{
	return current->files->fd[fd]->f_mapping;
}

static int i_mmap_length(struct address_space *mapping)
{
	struct vm_area_struct *vma;
	int n = 0;

	i_mmap_lock_read(mapping);
	list_for_each_entry(vma, &mapping->i_mmap, shared) n++;
	i_mmap_unlock_read(mapping);
	return n;
}

static bool pte_writable_in(struct task_struct *t, unsigned long addr)
{
	pte_t *pte = mm_find_pte(t->mm, addr, NULL);

	assert_non_null(pte);
	return pte_present(ptep_get(pte)) && pte_write(ptep_get(pte));
}

static void test_walk_finds_every_mapping_through_fork_split_mremap_munmap(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	const char *path = make_pattern_file("f", 4 * PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long a = map_file(fd, 4 * PAGE_SIZE, RW, MAP_SHARED, 0);
	unsigned long b = map_file(fd, 2 * PAGE_SIZE, PROT_READ, MAP_SHARED, 2 * PAGE_SIZE);
	unsigned long moved;
	struct page *page;
	struct visits v;

	(void)state;
	assert_int_equal(user_byte(a + 2 * PAGE_SIZE), 'C');
	assert_int_equal(user_byte(b), 'C');
	page = cached_page(fd, 2);
	v = walk_page(page);
	assert_int_equal(v.nr, 2);
	assert_true(visited(&v, parent->mm, a + 2 * PAGE_SIZE));
	assert_true(visited(&v, parent->mm, b));
	/* fork: the child's VMAs are on i_mmap too, and its faulted PTE is found. */
	child = sys_fork();
	assert_non_null(child);
	set_current(child);
	assert_int_equal(user_byte(a + 2 * PAGE_SIZE), 'C');
	set_current(parent);
	assert_int_equal(i_mmap_length(mapping_of(fd)), 4);
	v = walk_page(page);
	assert_int_equal(v.nr, 3);
	assert_true(visited(&v, child->mm, a + 2 * PAGE_SIZE));
	/* A split in the middle: three VMAs where one was, each with its own pgoff. */
	assert_int_equal(sys_mprotect(a + PAGE_SIZE, 2 * PAGE_SIZE, PROT_READ), 0);
	assert_int_equal(i_mmap_length(mapping_of(fd)), 6);
	v = walk_page(page);
	assert_int_equal(v.nr, 3);
	assert_true(visited(&v, parent->mm, a + 2 * PAGE_SIZE));
	/* The merge back leaves one VMA on i_mmap again. */
	assert_int_equal(sys_mprotect(a + PAGE_SIZE, 2 * PAGE_SIZE, RW), 0);
	assert_int_equal(i_mmap_length(mapping_of(fd)), 4);
	/* mremap moves the PTE: found at its new address, not at the old one. */
	moved = sys_mremap(b, 2 * PAGE_SIZE, 2 * PAGE_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED,
			   a + 64 * PAGE_SIZE);
	assert_int_equal(moved, a + 64 * PAGE_SIZE);
	v = walk_page(page);
	assert_int_equal(v.nr, 3);
	assert_true(visited(&v, parent->mm, moved));
	assert_false(visited(&v, parent->mm, b));
	/* munmap and exit take their VMAs off. */
	assert_int_equal(sys_munmap(moved, 2 * PAGE_SIZE), 0);
	task_exit(child);
	assert_int_equal(i_mmap_length(mapping_of(fd)), 1);
	v = walk_page(page);
	assert_int_equal(v.nr, 1);
	assert_true(visited(&v, parent->mm, a + 2 * PAGE_SIZE));
	put_page(page);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(parent);
}

static void test_page_mkclean_write_protects_every_shared_pte(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long a = map_file(fd, PAGE_SIZE, RW, MAP_SHARED, 0);
	unsigned long p = map_file(fd, PAGE_SIZE, RW, MAP_PRIVATE, 0);
	struct page *page;

	(void)state;
	assert_int_equal(copy_to_user(a, "x", 1), 0);
	assert_int_equal(user_byte(p), 'x'); /* the private mapping reads the cache's page */
	child = sys_fork();
	assert_non_null(child);
	set_current(child);
	assert_int_equal(copy_to_user(a, "y", 1), 0);
	set_current(parent);
	assert_true(pte_writable_in(parent, a));
	assert_true(pte_writable_in(child, a));
	page = cached_page(fd, 0);
	lock_page(page);
	/* Both shared PTEs; the private read-only one is not the file's to clean. */
	assert_int_equal(page_mkclean(page), 2);
	assert_int_equal(page_mkclean(page), 0);
	unlock_page(page);
	assert_false(pte_writable_in(parent, a));
	assert_false(pte_writable_in(child, a));
	assert_int_equal(pfn_of(parent, p), page_to_pfn(page));
	put_page(page);
	task_exit(child);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(parent);
}

/*
 * Writeback cleans the page in every mapping before writing it: a store after the
 * write faults, dirties the page again and reaches the host at the next fsync
 * (without page_mkclean the PTE stays writable and the store is lost).
 */
static void test_writeback_write_protects_before_writing(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	const char *path = make_pattern_file("f", 2 * PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long a = map_file(fd, 2 * PAGE_SIZE, RW, MAP_SHARED, 0);
	struct page *page;

	(void)state;
	child = sys_fork();
	assert_non_null(child);
	set_current(child);
	assert_int_equal(copy_to_user(a + PAGE_SIZE, "c", 1), 0);
	set_current(parent);
	assert_int_equal(copy_to_user(a + PAGE_SIZE + 1, "p", 1), 0);
	page = cached_page(fd, 1);
	assert_true(PageDirty(page));
	assert_int_equal(sys_fsync(fd), 0);
	assert_false(PageDirty(page));
	assert_int_equal(host_byte(path, PAGE_SIZE), 'c');
	assert_int_equal(host_byte(path, PAGE_SIZE + 1), 'p');
	assert_false(pte_writable_in(parent, a + PAGE_SIZE));
	assert_false(pte_writable_in(child, a + PAGE_SIZE));
	/* The child's next store is seen. */
	set_current(child);
	assert_int_equal(copy_to_user(a + PAGE_SIZE, "d", 1), 0);
	set_current(parent);
	assert_true(PageDirty(page));
	assert_int_equal(sys_fsync(fd), 0);
	assert_int_equal(host_byte(path, PAGE_SIZE), 'd');
	/* The writeback of an munmap (no range pass before it) cleans the other PTEs too. */
	assert_int_equal(copy_to_user(a + PAGE_SIZE, "e", 1), 0);
	unsigned long b = map_file(fd, 2 * PAGE_SIZE, PROT_READ, MAP_SHARED, 0);

	assert_int_equal(sys_munmap(b, 2 * PAGE_SIZE), 0);
	assert_int_equal(host_byte(path, PAGE_SIZE), 'e');
	assert_false(PageDirty(page));
	assert_false(pte_writable_in(parent, a + PAGE_SIZE));
	put_page(page);
	task_exit(child);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(parent);
}

/* Truncation finds a child's and a second VMA's mappings through i_mmap. */
static void test_truncate_unmaps_every_mapping(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	const char *path = make_pattern_file("f", 4 * PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long a = map_file(fd, 4 * PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	unsigned long b = map_file(fd, 2 * PAGE_SIZE, PROT_READ, MAP_SHARED, 2 * PAGE_SIZE);

	(void)state;
	assert_int_equal(user_byte(b + PAGE_SIZE), 'D');
	child = sys_fork();
	assert_non_null(child);
	set_current(child);
	assert_int_equal(user_byte(a + 3 * PAGE_SIZE), 'D');
	assert_int_equal(user_byte(a), 'A');
	set_current(parent);
	assert_int_equal(sys_ftruncate(fd, 2 * PAGE_SIZE), 0);
	assert_false(addr_present(b + PAGE_SIZE));
	set_current(child);
	assert_false(addr_present(a + 3 * PAGE_SIZE));
	assert_true(addr_present(a)); /* below the new size: left mapped */
	set_current(parent);
	task_exit(child);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(parent);
}

/*
 * munlock of one VMA leaves a page mlocked while another VM_LOCKED VMA maps it:
 * a file page in two locked mappings, and a COW-shared anonymous page the child
 * locked after fork (fork does not inherit VM_LOCKED).
 */
static void test_munlock_keeps_page_another_locked_vma_maps(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long a = map_file(fd, PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	unsigned long b = map_file(fd, PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	unsigned long anon = map_rw(1);
	unsigned long mlocked = global_node_page_state(NR_MLOCK);
	struct page *page, *anon_page;

	(void)state;
	assert_int_equal(sys_mlock(a, PAGE_SIZE), 0);
	assert_int_equal(sys_mlock(b, PAGE_SIZE), 0);
	page = cached_page(fd, 0);
	assert_true(PageMlocked(page));
	assert_int_equal(sys_munlock(a, PAGE_SIZE), 0);
	assert_true(PageMlocked(page)); /* b still locks it */
	assert_int_equal(global_node_page_state(NR_MLOCK), mlocked + 1);
	assert_int_equal(sys_munlock(b, PAGE_SIZE), 0);
	assert_false(PageMlocked(page));
	assert_int_equal(global_node_page_state(NR_MLOCK), mlocked);
	put_page(page);

	/* Read-only, so the child's mlock populates without breaking COW. */
	touch_page(anon);
	assert_int_equal(sys_mprotect(anon, PAGE_SIZE, PROT_READ), 0);
	assert_int_equal(sys_mlock(anon, PAGE_SIZE), 0);
	anon_page = pfn_to_page(pfn_of(parent, anon));
	child = sys_fork();
	assert_non_null(child);
	set_current(child);
	assert_int_equal(sys_mlock(anon, PAGE_SIZE), 0);
	assert_int_equal(pfn_of(child, anon), page_to_pfn(anon_page)); /* still COW-shared */
	set_current(parent);
	assert_int_equal(sys_munlock(anon, PAGE_SIZE), 0);
	assert_true(PageMlocked(anon_page));
	assert_int_equal(global_node_page_state(NR_MLOCK), mlocked + 1);
	task_exit(child);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(parent);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FILE_TEST(test_walk_finds_every_mapping_through_fork_split_mremap_munmap),
		FILE_TEST(test_page_mkclean_write_protects_every_shared_pte),
		FILE_TEST(test_writeback_write_protects_before_writing),
		FILE_TEST(test_truncate_unmaps_every_mapping),
		FILE_TEST(test_munlock_keeps_page_another_locked_vma_maps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
