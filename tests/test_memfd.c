// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_memfd.c - memfd_create() and its seals: flags and names, pread and
 * pwrite, shared and private mappings, fork, each seal's rule (memfd_add_seals,
 * the write-seal rules of 5.11 and 6.7+), pins against F_SEAL_WRITE, and
 * memfd_pin_folios() (6.11; -ENOSYS under 5.11), and hugetlbfs memfds (MFD_HUGETLB).
 */
#include "file_harness.h"

#include <string.h>

#define NAME_MAX_MEMFD 249 /* NAME_MAX less "memfd:" */

/* A new memfd of @pages pages with sealing allowed. */
static int new_memfd(unsigned long pages)
{
	int fd = sys_memfd_create("test", MFD_ALLOW_SEALING);

	assert_true(fd >= 0);
	assert_int_equal(sys_ftruncate(fd, (loff_t)(pages * PAGE_SIZE)), 0);
	return fd;
}

/* mmap(@fd) of @pages pages from offset 0, as a raw result (an address or -errno). */
static long map_fd(int fd, unsigned long pages, unsigned long prot, unsigned long flags)
{
	return (long)sys_mmap(0, pages * PAGE_SIZE, prot, flags, fd, 0);
}

static long add_seals(int fd, unsigned long seals)
{
	return sys_fcntl(fd, F_ADD_SEALS, seals);
}

/* Write @s at @pos of @fd through a one-page user buffer. */
static long write_str(int fd, const char *s, loff_t pos)
{
	unsigned long buf = map_rw(1);
	long ret;

	assert_int_equal(copy_to_user(buf, s, strlen(s)), 0);
	ret = sys_pwrite64(fd, buf, strlen(s), pos);
	assert_int_equal(sys_munmap(buf, PAGE_SIZE), 0);
	return ret;
}

/* Read @len bytes at @pos of @fd into @out (NUL-terminated); Return: pread's answer. */
static long read_str(int fd, char *out, size_t len, loff_t pos)
{
	unsigned long buf = map_rw(1);
	long ret = sys_pread64(fd, buf, len, pos);

	memset(out, 0, len + 1);
	if (ret > 0)
		assert_int_equal(copy_from_user(out, buf, (unsigned long)ret), 0);
	assert_int_equal(sys_munmap(buf, PAGE_SIZE), 0);
	return ret;
}

static loff_t file_size(int fd)
{
	struct file *file = fget(fd);
	loff_t size = READ_ONCE(file_inode(file)->i_size);

	fput(file);
	return size;
}

static unsigned long cached_pages(int fd)
{
	struct file *file = fget(fd);
	unsigned long nr = file->f_mapping->nrpages;

	fput(file);
	return nr;
}

static void test_memfd_create_flags_and_names(void **state)
{
	struct task_struct *t = start_task("memfd");
	char name[NAME_MAX_MEMFD + 2];
	int fd, sealed;

	(void)state;
	fd = sys_memfd_create("plain", 0);
	assert_true(fd >= 0);
	/* Without MFD_ALLOW_SEALING the file is sealed against sealing from the start. */
	assert_int_equal(sys_fcntl(fd, F_GET_SEALS, 0), F_SEAL_SEAL);
	assert_int_equal(add_seals(fd, F_SEAL_GROW), -EPERM);
	sealed = sys_memfd_create("sealable", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	assert_int_equal(sealed, fd + 1);
	assert_int_equal(sys_fcntl(sealed, F_GET_SEALS, 0), 0);
	/* Empty at first: nothing to read. */
	assert_int_equal(read_str(sealed, name, 4, 0), 0);

	assert_int_equal(sys_memfd_create("x", 0x100), -EINVAL);
	/* A huge page size only comes with MFD_HUGETLB. */
	assert_int_equal(sys_memfd_create("x", 21U << 26), -EINVAL);
	/* A size no pool has (64 KiB) is hugetlb_file_setup()'s -ENODEV. */
	assert_int_equal(sys_memfd_create("x", MFD_HUGETLB | (16U << 26)), -ENODEV);
	assert_int_equal(sys_memfd_create(NULL, 0), -EFAULT);
	memset(name, 'n', sizeof(name));
	name[NAME_MAX_MEMFD + 1] = '\0';
	assert_int_equal(sys_memfd_create(name, 0), -EINVAL);
	name[NAME_MAX_MEMFD] = '\0';
	fd = sys_memfd_create(name, 0);
	assert_true(fd >= 0);
	assert_int_equal(sys_close(fd), 0);

	assert_int_equal(sys_fcntl(99, F_GET_SEALS, 0), -EBADF);
	assert_int_equal(sys_fcntl(sealed, 12345, 0), -EINVAL);
	assert_int_equal(add_seals(sealed, 0x100), -EINVAL);
	assert_int_equal(add_seals(sealed, 1UL << 32), -EINVAL);
	task_exit(t);
}

/* The maps line names the object as /proc does; fcntl's seals are a memfd's only. */
static void test_memfd_name_and_other_files(void **state)
{
	struct task_struct *t = start_task("memfd");
	int fd = sys_memfd_create("shown", 0), host;
	struct vm_area_struct *vma;
	long addr;

	(void)state;
	assert_int_equal(sys_ftruncate(fd, PAGE_SIZE), 0);
	addr = map_fd(fd, 1, PROT_READ, MAP_SHARED);
	assert_false(IS_ERR_VALUE(addr));
	vma = vma_at(t, (unsigned long)addr);
	assert_string_equal(vma->vm_ops->name(vma), "/memfd:shown (deleted)");
	make_test_dir();
	host = sys_open(make_pattern_file("f", PAGE_SIZE, 0600), O_RDWR, 0);
	assert_true(host >= 0);
	assert_int_equal(sys_fcntl(host, F_GET_SEALS, 0), -EINVAL);
	assert_int_equal(add_seals(host, F_SEAL_GROW), -EINVAL);
	task_exit(t);
	remove_test_dir();
}

static void test_memfd_pread_pwrite(void **state)
{
	struct task_struct *t = start_task("memfd");
	int fd = sys_memfd_create("rw", 0);
	char got[16];

	(void)state;
	assert_int_equal(write_str(fd, "hello", 0), 5);
	assert_int_equal(read_str(fd, got, 8, 0), 5); /* the write grew the file to 5 bytes */
	assert_string_equal(got, "hello");
	assert_int_equal(read_str(fd, got, 8, 5), 0);
	/* A hole reads as zeroes and stays a hole. */
	assert_int_equal(sys_ftruncate(fd, 3 * PAGE_SIZE), 0);
	assert_int_equal(cached_pages(fd), 1);
	assert_int_equal(read_str(fd, got, 4, 2 * PAGE_SIZE), 4);
	assert_memory_equal(got, "\0\0\0\0", 4);
	assert_int_equal(cached_pages(fd), 1);
	assert_int_equal(write_str(fd, "far", 2 * PAGE_SIZE + 10), 3);
	assert_int_equal(cached_pages(fd), 2);
	/* Shrinking drops the pages beyond the end and zeroes the tail. */
	assert_int_equal(sys_ftruncate(fd, 2), 0);
	assert_int_equal(cached_pages(fd), 1);
	assert_int_equal(read_str(fd, got, 8, 0), 2);
	assert_string_equal(got, "he");
	assert_int_equal(sys_pread64(fd, 0, 1, -1), -EINVAL);
	task_exit(t);
}

static void test_memfd_mmap_shared_and_private(void **state)
{
	struct task_struct *t = start_task("memfd");
	int fd = new_memfd(2);
	long shared, priv;
	struct page *page;
	char got[8];

	(void)state;
	assert_int_equal(write_str(fd, "file", 0), 4);
	shared = map_fd(fd, 2, PROT_READ | PROT_WRITE, MAP_SHARED);
	priv = map_fd(fd, 2, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	assert_false(IS_ERR_VALUE(shared));
	assert_false(IS_ERR_VALUE(priv));
	assert_int_equal(copy_from_user(got, (unsigned long)shared, 4), 0);
	assert_memory_equal(got, "file", 4);
	/* A store through the shared mapping is the file's; one through the private one is not. */
	assert_int_equal(copy_to_user((unsigned long)shared + 1, "I", 1), 0);
	assert_int_equal(read_str(fd, got, 4, 0), 4);
	assert_string_equal(got, "fIle");
	assert_int_equal(copy_to_user((unsigned long)priv, "P", 1), 0);
	assert_int_equal(read_str(fd, got, 4, 0), 4);
	assert_string_equal(got, "fIle");
	/* Both mappings reach the same shmem page until the private one writes. */
	touch_page((unsigned long)shared + PAGE_SIZE);
	assert_int_equal(copy_from_user(got, (unsigned long)priv + PAGE_SIZE, 1), 0);
	assert_int_equal(got[0], 'w');
	assert_int_equal(pfn_of(t, (unsigned long)priv + PAGE_SIZE),
			 pfn_of(t, (unsigned long)shared + PAGE_SIZE));
	/* Beyond the end of the file: SIGBUS, which GUP reports as -EFAULT. */
	assert_int_equal(sys_ftruncate(fd, PAGE_SIZE), 0);
	assert_int_equal(gup_under_lock((unsigned long)shared + PAGE_SIZE, 1, 0, &page, NULL),
			 -EFAULT);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

static void test_memfd_shrink_and_grow_seals(void **state)
{
	struct task_struct *t = start_task("memfd");
	int fd = sys_memfd_create("size", MFD_ALLOW_SEALING);
	char got[8];

	(void)state;
	assert_int_equal(sys_ftruncate(fd, PAGE_SIZE + 10), 0);
	assert_int_equal(add_seals(fd, F_SEAL_SHRINK), 0);
	assert_int_equal(sys_ftruncate(fd, PAGE_SIZE), -EPERM);
	assert_int_equal(sys_ftruncate(fd, PAGE_SIZE + 10), 0); /* no change is no shrink */
	assert_int_equal(sys_ftruncate(fd, 2 * PAGE_SIZE), 0);
	assert_int_equal(add_seals(fd, F_SEAL_GROW), 0);
	assert_int_equal(sys_fcntl(fd, F_GET_SEALS, 0), F_SEAL_SHRINK | F_SEAL_GROW);
	assert_int_equal(sys_ftruncate(fd, 3 * PAGE_SIZE), -EPERM);
	/* Writes inside the file go on; a chunk that would end beyond it is refused. */
	assert_int_equal(write_str(fd, "in", 0), 2);
	assert_int_equal(write_str(fd, "out", 2 * PAGE_SIZE), -EPERM);
	assert_int_equal(write_str(fd, "edge", 2 * PAGE_SIZE - 2), 2);
	assert_int_equal(read_str(fd, got, 2, 0), 2);
	assert_string_equal(got, "in");
	task_exit(t);
}

static void test_memfd_seal_seal(void **state)
{
	struct task_struct *t = start_task("memfd");
	int fd = new_memfd(1);

	(void)state;
	assert_int_equal(add_seals(fd, F_SEAL_SEAL), 0);
	assert_int_equal(add_seals(fd, F_SEAL_SHRINK), -EPERM);
	assert_int_equal(add_seals(fd, 0), -EPERM);
	assert_int_equal(sys_fcntl(fd, F_GET_SEALS, 0), F_SEAL_SEAL);
	task_exit(t);
}

/* F_SEAL_WRITE: refused while a shared mapping may write; then no write of any kind. */
static void test_memfd_write_seal(void **state)
{
	struct task_struct *t = start_task("memfd");
	int fd = new_memfd(1);
	long shared, ro, priv;
	char got[4];

	(void)state;
	assert_int_equal(write_str(fd, "abc", 0), 3);
	shared = map_fd(fd, 1, PROT_READ | PROT_WRITE, MAP_SHARED);
	assert_false(IS_ERR_VALUE(shared));
	assert_int_equal(add_seals(fd, F_SEAL_WRITE), -EBUSY);
	assert_int_equal(sys_munmap((unsigned long)shared, PAGE_SIZE), 0);
	/* A read-only shared mapping may still be mprotect()ed writable: it counts too. */
	ro = map_fd(fd, 1, PROT_READ, MAP_SHARED);
	assert_false(IS_ERR_VALUE(ro));
	assert_int_equal(add_seals(fd, F_SEAL_WRITE), -EBUSY);
	assert_int_equal(sys_munmap((unsigned long)ro, PAGE_SIZE), 0);
	/* A private mapping never writes the file. */
	priv = map_fd(fd, 1, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	assert_false(IS_ERR_VALUE(priv));
	assert_int_equal(add_seals(fd, F_SEAL_WRITE), 0);
	assert_int_equal(sys_fcntl(fd, F_GET_SEALS, 0), F_SEAL_WRITE);
	assert_int_equal(add_seals(fd, F_SEAL_WRITE), 0); /* again: nothing to wait for */

	assert_int_equal(write_str(fd, "x", 0), -EPERM);
	/* A bad buffer: 5.11 faults the user bytes in first, 6.15 asks write_begin first. */
	assert_int_equal(sys_pwrite64(fd, unmapped_address(), 1, 0), by_profile(-EFAULT, -EPERM));
	assert_int_equal(map_fd(fd, 1, PROT_READ | PROT_WRITE, MAP_SHARED), -EPERM);
	/* 5.11 counts every shared mapping as writable; 6.7 lets a read-only one in. */
	ro = map_fd(fd, 1, PROT_READ, MAP_SHARED);
	if (!profile_is_6_18()) {
		assert_int_equal(ro, -EPERM);
	} else {
		assert_false(IS_ERR_VALUE(ro));
		assert_int_equal(vma_at(t, (unsigned long)ro)->vm_flags & VM_MAYWRITE, 0);
		assert_int_equal(sys_mprotect((unsigned long)ro, PAGE_SIZE, PROT_READ | PROT_WRITE),
				 -EACCES);
		assert_int_equal(copy_from_user(got, (unsigned long)ro, 3), 0);
		assert_memory_equal(got, "abc", 3);
	}
	/* Private mappings stay COW-writable, and the file keeps its bytes. */
	assert_int_equal(copy_to_user((unsigned long)priv, "P", 1), 0);
	assert_false(IS_ERR_VALUE(map_fd(fd, 1, PROT_READ | PROT_WRITE, MAP_PRIVATE)));
	assert_int_equal(read_str(fd, got, 3, 0), 3);
	assert_string_equal(got, "abc");
	/* Sizes may still change: shrink and grow are seals of their own. */
	assert_int_equal(sys_ftruncate(fd, 2 * PAGE_SIZE), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* F_SEAL_WRITE waits for pages held through GUP (memfd_wait_for_pins), 5.11 and 6.18 alike. */
static void test_memfd_write_seal_vs_pins(void **state)
{
	struct task_struct *t = start_task("memfd");
	int fd = new_memfd(2);
	struct page *pages[2];
	long addr;

	(void)state;
	addr = map_fd(fd, 2, PROT_READ | PROT_WRITE, MAP_SHARED);
	assert_false(IS_ERR_VALUE(addr));
	assert_int_equal(pin_user_pages_fast((unsigned long)addr, 2, FOLL_WRITE, pages), 2);
	/* The pins outlive the mapping; the mapping no longer counts. */
	assert_int_equal(sys_munmap((unsigned long)addr, 2 * PAGE_SIZE), 0);
	assert_int_equal(add_seals(fd, F_SEAL_WRITE), -EBUSY);
	assert_int_equal(sys_fcntl(fd, F_GET_SEALS, 0), 0);
	/* A refused seal leaves writable mappings allowed. */
	addr = map_fd(fd, 2, PROT_READ | PROT_WRITE, MAP_SHARED);
	assert_false(IS_ERR_VALUE(addr));
	assert_int_equal(sys_munmap((unsigned long)addr, 2 * PAGE_SIZE), 0);
	unpin_user_page(pages[0]);
	assert_int_equal(add_seals(fd, F_SEAL_WRITE), -EBUSY); /* one page is still pinned */
	unpin_user_page(pages[1]);

	/* A plain FOLL_GET reference is an extra reference too. */
	addr = map_fd(fd, 1, PROT_READ, MAP_PRIVATE);
	assert_int_equal(gup_under_lock((unsigned long)addr, 1, 0, pages, NULL), 1);
	assert_int_equal(add_seals(fd, F_SEAL_WRITE), -EBUSY);
	put_page(pages[0]);
	/* Mapped pages are no extra references: the private mapping still maps page 0. */
	assert_int_equal(add_seals(fd, F_SEAL_WRITE), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* F_SEAL_FUTURE_WRITE: the mappings that exist keep writing; nothing new may. */
static void test_memfd_future_write_seal(void **state)
{
	struct task_struct *t = start_task("memfd");
	int fd = new_memfd(1);
	struct page *page;
	long rw, ro;
	char got[4];

	(void)state;
	rw = map_fd(fd, 1, PROT_READ | PROT_WRITE, MAP_SHARED);
	assert_false(IS_ERR_VALUE(rw));
	assert_int_equal(add_seals(fd, F_SEAL_FUTURE_WRITE), 0);
	assert_int_equal(copy_to_user((unsigned long)rw, "old", 3), 0);
	assert_int_equal(read_str(fd, got, 3, 0), 3);
	assert_string_equal(got, "old");
	/* GUP writes through the old mapping too. */
	assert_int_equal(pin_user_pages_fast((unsigned long)rw, 1, FOLL_WRITE, &page), 1);
	unpin_user_page(page);

	assert_int_equal(write_str(fd, "new", 0), -EPERM);
	assert_int_equal(map_fd(fd, 1, PROT_READ | PROT_WRITE, MAP_SHARED), -EPERM);
	ro = map_fd(fd, 1, PROT_READ, MAP_SHARED);
	assert_false(IS_ERR_VALUE(ro));
	assert_int_equal(sys_mprotect((unsigned long)ro, PAGE_SIZE, PROT_READ | PROT_WRITE),
			 -EACCES);
	assert_false(IS_ERR_VALUE(map_fd(fd, 1, PROT_READ | PROT_WRITE, MAP_PRIVATE)));
	/* The old writable mapping is still there: F_SEAL_WRITE must wait for it. */
	assert_int_equal(add_seals(fd, F_SEAL_WRITE), -EBUSY);
	assert_int_equal(sys_munmap((unsigned long)rw, PAGE_SIZE), 0);
	/* The read-only one: VM_SHARED, counted by 5.11; without VM_MAYWRITE, not by 6.7. */
	assert_int_equal(add_seals(fd, F_SEAL_WRITE), by_profile(-EBUSY, 0));
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/*
 * A MAP_FIXED mapping a write seal refuses, over one that exists: 5.11 refuses it
 * in mmap_region(), after the range was unmapped; 6.13 in do_mmap(), before.
 */
static void test_memfd_sealed_fixed_mmap_over_mapping(void **state)
{
	struct task_struct *t = start_task("memfd");
	int fd = new_memfd(1);
	unsigned long old = map_rw(2);
	char got = 0;

	(void)state;
	assert_int_equal(copy_to_user(old, "o", 1), 0);
	assert_int_equal(add_seals(fd, F_SEAL_FUTURE_WRITE), 0);
	assert_int_equal((long)sys_mmap(old, PAGE_SIZE, PROT_READ | PROT_WRITE,
					MAP_SHARED | MAP_FIXED, fd, 0),
			 -EPERM);
	if (!profile_is_6_18()) {
		assert_null(vma_at(t, old));
		assert_int_equal(copy_from_user(&got, old, 1), 1);
	} else {
		assert_non_null(vma_at(t, old));
		assert_int_equal(copy_from_user(&got, old, 1), 0);
		assert_int_equal(got, 'o');
	}
	/* The page after the range was never part of it. */
	assert_non_null(vma_at(t, old + PAGE_SIZE));
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* The child's copy of the descriptor table and of the shared mapping. */
static void test_memfd_fork(void **state)
{
	struct task_struct *parent = start_task("memfd"), *child;
	int fd = new_memfd(1);
	long addr;
	char got[4];

	(void)state;
	addr = map_fd(fd, 1, PROT_READ | PROT_WRITE, MAP_SHARED);
	assert_false(IS_ERR_VALUE(addr));
	child = sys_fork();
	assert_non_null(child);
	assert_int_equal(sys_munmap((unsigned long)addr, PAGE_SIZE), 0);
	set_current(child);
	assert_int_equal(copy_to_user((unsigned long)addr, "kid", 3), 0);
	assert_int_equal(read_str(fd, got, 3, 0), 3);
	/* The child's writable mapping keeps F_SEAL_WRITE out, for the parent too. */
	set_current(parent);
	assert_int_equal(read_str(fd, got, 3, 0), 3);
	assert_string_equal(got, "kid");
	assert_int_equal(add_seals(fd, F_SEAL_WRITE), -EBUSY);
	task_exit(child);
	set_current(parent);
	assert_int_equal(add_seals(fd, F_SEAL_WRITE), 0);
	task_exit(parent);
}

static void test_memfd_pin_folios(void **state)
{
	struct task_struct *t = start_task("memfd");
	int fd = new_memfd(3), secret;
	unsigned long acquired = pins_acquired(), offset = 7;
	struct page *folios[4];
	struct file *file;

	(void)state;
	file = fget(fd);
	if (!profile_is_6_18()) {
		/* 5.11 had no such call. */
		assert_int_equal(memfd_pin_folios(file, 0, PAGE_SIZE - 1, folios, 4, &offset),
				 -ENOSYS);
		fput(file);
		task_exit(t);
		return;
	}
	assert_int_equal(write_str(fd, "one", PAGE_SIZE), 3);
	/* Missing pages are faulted into the cache; each page is pinned once. */
	assert_int_equal(memfd_pin_folios(file, 100, 3 * PAGE_SIZE - 1, folios, 4, &offset), 3);
	assert_int_equal(offset, 100);
	assert_int_equal(cached_pages(fd), 3);
	assert_int_equal(pins_acquired() - acquired, 3);
	for (int i = 0; i < 3; i++) {
		assert_true(page_maybe_dma_pinned(folios[i]));
		assert_int_equal(folios[i]->index, i);
	}
	assert_memory_equal((char *)page_address(folios[1]), "one", 3);
	assert_int_equal(add_seals(fd, F_SEAL_WRITE), -EBUSY);
	unpin_folios(folios, 3);
	/* Fewer folios than the range: as many as fit. */
	assert_int_equal(memfd_pin_folios(file, 0, 3 * PAGE_SIZE - 1, folios, 2, &offset), 2);
	unpin_folios(folios, 2);
	assert_int_equal(pins_acquired(), pins_released());

	assert_int_equal(memfd_pin_folios(file, 10, 9, folios, 4, &offset), -EINVAL);
	assert_int_equal(memfd_pin_folios(file, -1, 9, folios, 4, &offset), -EINVAL);
	assert_int_equal(memfd_pin_folios(file, 0, 9, folios, 0, &offset), -EINVAL);
	assert_int_equal(memfd_pin_folios(NULL, 0, 9, folios, 4, &offset), -EINVAL);
	/* Beyond the end of the file: refused, with nothing left pinned. */
	assert_int_equal(memfd_pin_folios(file, 0, 4 * PAGE_SIZE - 1, folios, 4, &offset), -EINVAL);
	assert_int_equal(pins_acquired(), pins_released());
	fput(file);
	/* Only shmem (and hugetlbfs) files: secretmem is neither. */
	secret = sys_memfd_secret(0);
	assert_true(secret >= 0);
	assert_int_equal(sys_ftruncate(secret, PAGE_SIZE), 0);
	file = fget(secret);
	assert_int_equal(memfd_pin_folios(file, 0, 9, folios, 4, &offset), -EINVAL);
	fput(file);
	assert_int_equal(add_seals(fd, F_SEAL_WRITE), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* 6.3's exec sealing, as the host's 6.18 answers it; 5.11 knows none of it. */
static void test_memfd_exec_seals(void **state)
{
	struct task_struct *t = start_task("memfd");
	int noexec = sys_memfd_create("noexec", MFD_NOEXEC_SEAL), exec, busy;
	long addr;

	(void)state;
	if (!profile_is_6_18()) {
		assert_int_equal(noexec, -EINVAL);
		assert_int_equal(sys_memfd_create("exec", MFD_EXEC), -EINVAL);
		assert_int_equal(add_seals(new_memfd(1), F_SEAL_EXEC), -EINVAL);
		task_exit(t);
		return;
	}
	/* Sealed F_SEAL_EXEC, and sealable though MFD_ALLOW_SEALING was not given. */
	assert_true(noexec >= 0);
	assert_int_equal(sys_fcntl(noexec, F_GET_SEALS, 0), F_SEAL_EXEC);
	assert_int_equal(add_seals(noexec, F_SEAL_GROW), 0);
	assert_int_equal(sys_fcntl(noexec, F_GET_SEALS, 0), F_SEAL_EXEC | F_SEAL_GROW);
	assert_int_equal(sys_memfd_create("both", MFD_EXEC | MFD_NOEXEC_SEAL), -EINVAL);
	exec = sys_memfd_create("exec", MFD_EXEC | MFD_ALLOW_SEALING);
	assert_int_equal(sys_fcntl(exec, F_GET_SEALS, 0), 0);
	/* W^X: on an executable file F_SEAL_EXEC brings the write seals, and their rules. */
	busy = new_memfd(1);
	addr = map_fd(busy, 1, PROT_READ | PROT_WRITE, MAP_SHARED);
	assert_false(IS_ERR_VALUE(addr));
	assert_int_equal(add_seals(busy, F_SEAL_EXEC), -EBUSY);
	assert_int_equal(sys_fcntl(busy, F_GET_SEALS, 0), 0);
	assert_int_equal(sys_munmap((unsigned long)addr, PAGE_SIZE), 0);
	assert_int_equal(add_seals(busy, F_SEAL_EXEC), 0);
	assert_int_equal(sys_fcntl(busy, F_GET_SEALS, 0), F_SEAL_EXEC | F_SEAL_SHRINK |
								  F_SEAL_GROW | F_SEAL_WRITE |
								  F_SEAL_FUTURE_WRITE);
	assert_int_equal(write_str(busy, "x", 0), -EPERM);
	/* On a non-executable one it is only itself. */
	assert_int_equal(add_seals(noexec, F_SEAL_EXEC), 0);
	assert_int_equal(sys_fcntl(noexec, F_GET_SEALS, 0), F_SEAL_EXEC | F_SEAL_GROW);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* --- MFD_HUGETLB --- */

#define HUGE_2M (2UL << 20)

/* Reboot with a pool of @nr 2 MiB pages. */
static void boot_with_pool(unsigned long nr)
{
	struct sim_config cfg = {.mem_bytes = 64UL << 20, .hugetlb_2m_pages = nr};

	assert_int_equal(sim_shutdown(), 0);
	assert_int_equal(sim_boot(&cfg), 0);
}

static unsigned long free_huge_pages(void)
{
	struct sim_hugepages hp;

	assert_int_equal(sim_hugepages(HUGE_2M, &hp), 0);
	return hp.free;
}

/* A hugetlbfs memfd: sizes, seals at creation, the huge page sizes it takes. */
static void test_memfd_hugetlb_create(void **state)
{
	struct task_struct *t;
	int fd, sealable;

	(void)state;
	boot_with_pool(2);
	t = start_task("memfd-huge");
	fd = sys_memfd_create("huge", MFD_HUGETLB);
	assert_true(fd >= 0);
	assert_int_equal(sys_fcntl(fd, F_GET_SEALS, 0), F_SEAL_SEAL);
	sealable = sys_memfd_create("huge2m", MFD_HUGETLB | MFD_ALLOW_SEALING | (21U << 26));
	assert_true(sealable >= 0);
	assert_int_equal(sys_fcntl(sealable, F_GET_SEALS, 0), 0);
	/* 1 GiB pages: the size is known, the (empty) pool gives SIGBUS at the fault. */
	assert_true(sys_memfd_create("huge1g", MFD_HUGETLB | (30U << 26)) >= 0);
	assert_int_equal(sys_memfd_create("x", MFD_HUGETLB | (16U << 26)), -ENODEV);
	/* Whole huge pages only; nothing is allocated by a size. */
	assert_int_equal(sys_ftruncate(fd, PAGE_SIZE), -EINVAL);
	assert_int_equal(sys_ftruncate(fd, HUGE_2M + PAGE_SIZE), -EINVAL);
	assert_int_equal(sys_ftruncate(fd, 2 * HUGE_2M), 0);
	assert_int_equal(free_huge_pages(), 2);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/*
 * Shared and private mappings of a hugetlbfs memfd: pool pages, aligned
 * addresses and offsets, pread through the cache, pwrite -EINVAL, a private
 * write COWs, ftruncate shrinks (SIGBUS beyond) and grows (zeroes), a pin.
 */
static void test_memfd_hugetlb_map_read_truncate(void **state)
{
	struct task_struct *t;
	unsigned long shared, priv, buf;
	struct page *page;
	char out[8];
	int fd;

	(void)state;
	boot_with_pool(4);
	t = start_task("memfd-huge");
	fd = sys_memfd_create("huge", MFD_HUGETLB);
	assert_int_equal(sys_ftruncate(fd, 2 * HUGE_2M), 0);
	/* Lengths round up to whole huge pages; offsets must be aligned. */
	shared = sys_mmap(0, HUGE_2M + 1, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_false(IS_ERR_VALUE(shared));
	assert_true(IS_ALIGNED(shared, HUGE_2M));
	assert_int_equal((long)sys_mmap(0, HUGE_2M, PROT_READ, MAP_SHARED, fd, PAGE_SIZE), -EINVAL);
	assert_int_equal((long)sys_mmap(shared + PAGE_SIZE, HUGE_2M, PROT_READ,
					MAP_SHARED | MAP_FIXED, fd, 0),
			 -EINVAL);
	assert_int_equal(copy_to_user(shared + 5, "huge", 4), 0);
	assert_int_equal(copy_to_user(shared + HUGE_2M + 7, "tail", 4), 0);
	assert_int_equal(free_huge_pages(), 2);
	/* pread reads the pages (holes as zeroes), pwrite is refused. */
	assert_int_equal(read_str(fd, out, 4, 5), 4);
	assert_string_equal(out, "huge");
	assert_int_equal(read_str(fd, out, 4, HUGE_2M + 7), 4);
	assert_string_equal(out, "tail");
	assert_int_equal(read_str(fd, out, 4, 2 * HUGE_2M), 0);
	assert_int_equal(write_str(fd, "no", 0), -EINVAL);
	assert_int_equal(write_str(fd, "", 0), -EINVAL); /* no write at all, not even of 0 bytes */
	/* A private mapping reads the file's page and copies it at the first write. */
	priv = sys_mmap(0, 2 * HUGE_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	assert_false(IS_ERR_VALUE(priv));
	assert_int_equal(user_byte(priv + 5), 'h');
	assert_int_equal(free_huge_pages(), 2);
	assert_int_equal(copy_to_user(priv + 5, "HUGE", 4), 0);
	assert_int_equal(free_huge_pages(), 1);
	assert_int_equal(user_byte(shared + 5), 'h');
	assert_int_equal(read_str(fd, out, 4, 5), 4);
	assert_string_equal(out, "huge");
	/* A long-term write pin of the shared mapping (hugetlb: allowed by both kernels). */
	assert_int_equal(pin_user_pages_fast(shared, 1, FOLL_WRITE | FOLL_LONGTERM, &page), 1);
	unpin_user_page(page);
	/* Shrink: the second huge page leaves the cache and both mappings. */
	assert_int_equal(sys_ftruncate(fd, HUGE_2M), 0);
	assert_int_equal(sim_check(NULL), 0); /* no page left in the cache beyond the end */
	assert_int_equal(free_huge_pages(), 2);
	buf = 0;
	assert_int_not_equal(copy_from_user(&buf, shared + HUGE_2M, 1), 0);
	assert_int_not_equal(copy_from_user(&buf, priv + HUGE_2M, 1), 0);
	assert_int_equal(user_byte(shared + 5), 'h');
	/* Grow again: a hole, zeroes. */
	assert_int_equal(sys_ftruncate(fd, 2 * HUGE_2M), 0);
	assert_int_equal(user_byte(shared + HUGE_2M + 7), 0);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sys_munmap(priv, 2 * HUGE_2M), 0);
	assert_int_equal(sys_munmap(shared, 2 * HUGE_2M), 0);
	assert_int_equal(sys_close(fd), 0);
	assert_int_equal(free_huge_pages(), 4);
	task_exit(t);
}

/* hugetlbfs_file_mmap(): a writable mapping makes the file as long as the mapping. */
static void test_memfd_hugetlb_writable_mmap_extends(void **state)
{
	struct task_struct *t;
	unsigned long m;
	char c;
	int fd;

	(void)state;
	boot_with_pool(2);
	t = start_task("memfd-huge");
	fd = sys_memfd_create("huge", MFD_HUGETLB | MFD_ALLOW_SEALING);
	/* A read-only mapping beyond the end changes nothing, and faults SIGBUS. */
	m = sys_mmap(0, HUGE_2M, PROT_READ, MAP_SHARED, fd, HUGE_2M);
	assert_false(IS_ERR_VALUE(m));
	assert_int_equal(file_size(fd), 0);
	assert_int_not_equal(copy_from_user(&c, m, 1), 0);
	/* A writable private one does, even under a grow seal; the first mapping reads zeroes. */
	assert_int_equal(add_seals(fd, F_SEAL_GROW), 0);
	assert_false(IS_ERR_VALUE(
		sys_mmap(0, HUGE_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, HUGE_2M)));
	assert_int_equal(file_size(fd), 2 * HUGE_2M);
	assert_int_equal(user_byte(m + 9), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* Seals on a hugetlbfs memfd: grow and shrink, and F_SEAL_WRITE against a mapping. */
static void test_memfd_hugetlb_seals(void **state)
{
	struct task_struct *t;
	unsigned long m;
	int fd;

	(void)state;
	boot_with_pool(2);
	t = start_task("memfd-huge");
	fd = sys_memfd_create("huge", MFD_HUGETLB | MFD_ALLOW_SEALING);
	assert_int_equal(sys_ftruncate(fd, HUGE_2M), 0);
	assert_int_equal(add_seals(fd, F_SEAL_GROW | F_SEAL_SHRINK), 0);
	assert_int_equal(sys_ftruncate(fd, 2 * HUGE_2M), -EPERM);
	assert_int_equal(sys_ftruncate(fd, 0), -EPERM);
	/* An unaligned size is -EINVAL before the seals are looked at. */
	assert_int_equal(sys_ftruncate(fd, PAGE_SIZE), -EINVAL);
	m = sys_mmap(0, HUGE_2M, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_false(IS_ERR_VALUE(m));
	assert_int_equal(copy_to_user(m, "x", 1), 0);
	assert_int_equal(add_seals(fd, F_SEAL_WRITE), -EBUSY);
	assert_int_equal(sys_munmap(m, HUGE_2M), 0);
	assert_int_equal(add_seals(fd, F_SEAL_WRITE), 0);
	assert_int_equal((long)sys_mmap(0, HUGE_2M, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
			 -EPERM);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_memfd_create_flags_and_names),
		GUP_TEST(test_memfd_name_and_other_files),
		GUP_TEST(test_memfd_pread_pwrite),
		GUP_TEST(test_memfd_mmap_shared_and_private),
		GUP_TEST(test_memfd_shrink_and_grow_seals),
		GUP_TEST(test_memfd_seal_seal),
		GUP_TEST(test_memfd_write_seal),
		GUP_TEST(test_memfd_write_seal_vs_pins),
		GUP_TEST(test_memfd_future_write_seal),
		GUP_TEST(test_memfd_sealed_fixed_mmap_over_mapping),
		GUP_TEST(test_memfd_fork),
		GUP_TEST(test_memfd_pin_folios),
		GUP_TEST(test_memfd_exec_seals),
		GUP_TEST(test_memfd_hugetlb_create),
		GUP_TEST(test_memfd_hugetlb_map_read_truncate),
		GUP_TEST(test_memfd_hugetlb_seals),
		GUP_TEST(test_memfd_hugetlb_writable_mmap_extends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
