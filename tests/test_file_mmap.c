// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_file_mmap.c - mappings of host files: private read faults map the
 * page-cache page and write faults copy it; shared mappings map clean pages
 * read-only, dirty them through page_mkwrite and reach the host at msync, munmap
 * and exit; SIGBUS beyond the end; the mmap and mprotect rules of read-only files;
 * truncation unmapping; writeback of pinned pages; and the VM_FAULT_RETRY
 * protocol driven by real page-cache reads, for every GUP entry point with `locked`.
 */
#include "file_harness.h"
#include "mm/internal.h"

#include <semaphore.h>

#define RW (PROT_READ | PROT_WRITE)

/* The page-cache page at @index of the file behind @fd (a reference the caller drops). */
static struct page *cached_page(int fd, pgoff_t index)
{
	return find_get_page(current->files->fd[fd]->f_mapping, index);
}

/* What the page cache holds at @index of @fd's file, without a reference (nothing runs). */
static struct page *cache_entry(int fd, pgoff_t index)
{
	return xa_load(&current->files->fd[fd]->f_mapping->i_pages, index);
}

/* Is the PTE at @addr writable? */
static bool pte_writable_at(unsigned long addr)
{
	spinlock_t *ptl;
	pte_t *ptep;
	bool w;

	mmap_read_lock(current->mm);
	assert_int_equal(follow_pte(current->mm, addr, &ptep, &ptl), 0);
	w = pte_write(ptep_get(ptep));
	pte_unmap_unlock(ptep, ptl);
	mmap_read_unlock(current->mm);
	return w;
}

static void test_private_mapping_reads_cache_and_copies_on_write(void **state)
{
	struct task_struct *t = start_task("private");
	const char *path = make_pattern_file("f", 3 * PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long addr = map_file(fd, 3 * PAGE_SIZE, RW, MAP_PRIVATE, 0);
	struct page *page;

	(void)state;
	/* A COW fault that may retry: its read drops mmap_lock, the retry makes the copy. */
	assert_int_equal(get_user_pages_unlocked(addr + 2 * PAGE_SIZE, 1, &page, FOLL_WRITE), 1);
	assert_true(PageAnon(page));
	assert_int_equal(((char *)page_address(page))[0], 'C');
	put_page(page);
	assert_int_equal(user_byte(addr + PAGE_SIZE), 'B');
	page = cached_page(fd, 1);
	assert_non_null(page);
	assert_int_equal(pfn_of(t, addr + PAGE_SIZE), page_to_pfn(page)); /* the cache's page */
	assert_false(pte_writable_at(addr + PAGE_SIZE));
	assert_true(pagemap_entry(t, addr + PAGE_SIZE) & PM_FILE);
	/* A write copies it: the cache page and the host file stay as they were. */
	assert_int_equal(copy_to_user(addr + PAGE_SIZE, "w", 1), 0);
	assert_int_not_equal(pfn_of(t, addr + PAGE_SIZE), page_to_pfn(page));
	assert_int_equal(((char *)page_address(page))[0], 'B');
	assert_int_equal(global_node_page_state(NR_FILE_DIRTY), 0);
	put_page(page);
	/* A write to a page never read: do_cow_fault, straight to an anonymous copy. */
	assert_int_equal(copy_to_user(addr, "v", 1), 0);
	assert_int_equal(user_byte(addr), 'v');
	assert_int_equal(sys_msync(addr, 2 * PAGE_SIZE, MS_SYNC), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(host_byte(path, 0), 'A');
	assert_int_equal(host_byte(path, PAGE_SIZE), 'B');
}

static void test_shared_mapping_dirty_tracking_and_msync(void **state)
{
	struct task_struct *t = start_task("shared");
	const char *path = make_pattern_file("f", 2 * PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long addr = map_file(fd, 2 * PAGE_SIZE, RW, MAP_SHARED, 0);
	struct page *page;

	(void)state;
	/* A read maps the clean page read-only, so that the first write is noticed. */
	assert_int_equal(user_byte(addr), 'A');
	assert_false(pte_writable_at(addr));
	assert_int_equal(global_node_page_state(NR_FILE_DIRTY), 0);
	assert_int_equal(copy_to_user(addr, "one", 3), 0);
	assert_true(pte_writable_at(addr));
	assert_int_equal(sim_check(NULL), 0);
	page = cache_entry(fd, 0);
	assert_true(PageDirty(page));
	assert_int_equal(global_node_page_state(NR_FILE_DIRTY), 1);
	assert_int_equal(host_byte(path, 0), 'A');
	assert_int_equal(sys_msync(addr, PAGE_SIZE, MS_SYNC), 0);
	assert_int_equal(host_byte(path, 2), 'e');
	assert_false(PageDirty(page));
	assert_false(pte_writable_at(addr)); /* write-protected again by writeback */
	/* A second write faults again and is written at the next msync. */
	assert_int_equal(copy_to_user(addr + 1, "X", 1), 0);
	assert_true(PageDirty(page));
	assert_int_equal(sys_msync(addr, 2 * PAGE_SIZE, MS_SYNC), 0);
	assert_int_equal(host_byte(path, 1), 'X');
	/* A write fault on a page never read: do_shared_fault, through page_mkwrite. */
	assert_int_equal(copy_to_user(addr + PAGE_SIZE, "s", 1), 0);
	assert_int_equal(global_node_page_state(NR_FILE_DIRTY), 1);
	assert_int_equal(sys_msync(addr, 2 * PAGE_SIZE, MS_ASYNC), 0); /* writes nothing */
	assert_int_equal(host_byte(path, PAGE_SIZE), 'B');
	/* munmap writes back what it unmapped. */
	assert_int_equal(sys_munmap(addr, 2 * PAGE_SIZE), 0);
	assert_int_equal(host_byte(path, PAGE_SIZE), 's');
	assert_int_equal(sys_msync(addr, PAGE_SIZE, MS_SYNC), -ENOMEM);
	assert_int_equal(sys_msync(addr + 1, PAGE_SIZE, MS_SYNC), -EINVAL);
	assert_int_equal(sys_msync(addr, PAGE_SIZE, MS_SYNC | MS_ASYNC), -EINVAL);
	task_exit(t);
}

static void test_exit_writes_back_and_fork_shares(void **state)
{
	struct task_struct *t = start_task("exit"), *child;
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long addr = map_file(fd, PAGE_SIZE, RW, MAP_SHARED, 0);

	(void)state;
	assert_int_equal(sys_close(fd), 0); /* the mapping keeps the file */
	child = sys_fork();
	assert_non_null(child);
	set_current(child);
	assert_int_equal(copy_to_user(addr, "c", 1), 0);
	set_current(t);
	assert_int_equal(user_byte(addr), 'c'); /* one page cache page for both */
	task_exit(child);
	assert_int_equal(copy_to_user(addr + 1, "p", 1), 0);
	task_exit(t);
	assert_int_equal(host_byte(path, 0), 'c');
	assert_int_equal(host_byte(path, 1), 'p');
}

static void test_access_beyond_eof_is_sigbus(void **state)
{
	struct task_struct *t = start_task("eof");
	const char *path = make_pattern_file("f", PAGE_SIZE + 1, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long addr = map_file(fd, 4 * PAGE_SIZE, RW, MAP_SHARED, 0);
	struct page *page;
	char c;

	(void)state;
	assert_int_equal(user_byte(addr + PAGE_SIZE), 'B'); /* the partial last page maps */
	assert_int_equal(user_byte(addr + PAGE_SIZE + 1), 0);
	assert_int_equal(copy_from_user(&c, addr + 2 * PAGE_SIZE, 1), 1);
	assert_int_equal(get_user_pages_fast(addr + 2 * PAGE_SIZE, 1, 0, &page), -EFAULT);
	assert_int_equal(gup_under_lock(addr + 3 * PAGE_SIZE, 1, FOLL_GET, &page, NULL), -EFAULT);
	/* /proc/pid/mem-style access: the short count up to the end, then nothing (EIO). */
	{
		char bytes[16];

		assert_int_equal(access_process_vm(t, addr + 2 * PAGE_SIZE - 8, bytes, 16, 0), 8);
		assert_int_equal(access_process_vm(t, addr + 2 * PAGE_SIZE, bytes, 16, 0), 0);
	}
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

static void test_mmap_rules_of_read_only_files(void **state)
{
	struct task_struct *t = start_task("rules");
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	int ro = open_file(path, O_RDONLY), wo = open_file(path, O_WRONLY);
	int dir = open_file(test_dir, O_RDONLY);
	unsigned long addr;

	(void)state;
	assert_int_equal((long)sys_mmap(0, PAGE_SIZE, RW, MAP_SHARED, ro, 0), -EACCES);
	assert_int_equal((long)sys_mmap(0, PAGE_SIZE, PROT_READ, MAP_PRIVATE, wo, 0), -EACCES);
	assert_int_equal((long)sys_mmap(0, PAGE_SIZE, PROT_READ, MAP_PRIVATE, dir, 0), -ENODEV);
	assert_int_equal((long)sys_mmap(0, PAGE_SIZE, PROT_READ, MAP_SHARED, 99, 0), -EBADF);
	assert_int_equal((long)sys_mmap(0, PAGE_SIZE, PROT_READ, MAP_SHARED | MAP_GROWSDOWN, ro, 0),
			 -EINVAL);
	/* do_mmap() refuses before MAP_FIXED unmaps: the mapping there stays. */
	addr = map_rw(1);
	assert_int_equal(copy_to_user(addr, "m", 1), 0);
	assert_int_equal((long)sys_mmap(addr, PAGE_SIZE, RW, MAP_SHARED | MAP_FIXED, ro, 0),
			 -EACCES);
	assert_non_null(vma_at(t, addr));
	assert_int_equal(user_byte(addr), 'm');
	/* Shared and read-only: it may never become writable. */
	addr = map_file(ro, PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	assert_int_equal(sys_mprotect(addr, PAGE_SIZE, RW), -EACCES);
	assert_false(vma_at(t, addr)->vm_flags & (VM_SHARED | VM_MAYWRITE));
	assert_true(vma_at(t, addr)->vm_flags & VM_MAYSHARE);
	/* Private: it may, and writes stay private. */
	addr = map_file(ro, PAGE_SIZE, PROT_READ, MAP_PRIVATE, 0);
	assert_int_equal(sys_mprotect(addr, PAGE_SIZE, RW), 0);
	assert_int_equal(copy_to_user(addr, "p", 1), 0);
	task_exit(t);
	assert_int_equal(host_byte(path, 0), 'A');
}

static void test_maps_show_the_file(void **state)
{
	struct task_struct *t = start_task("maps");
	const char *path = make_pattern_file("mapped", 2 * PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDONLY);
	unsigned long addr = map_file(fd, PAGE_SIZE, PROT_READ, MAP_PRIVATE, PAGE_SIZE);
	char line[256], expect[64], real[PATH_MAX];
	struct stat st;
	FILE *out = tmpfile();

	(void)state;
	assert_int_equal(stat(path, &st), 0);
	assert_non_null(realpath(path, real));
	assert_int_equal(show_maps(out, t->mm), 0);
	rewind(out);
	assert_non_null(fgets(line, sizeof(line), out));
	snprintf(expect, sizeof(expect), "%08lx-%08lx r--p 00001000 %02x:%02x %lu", addr,
		 addr + PAGE_SIZE, major(st.st_dev), minor(st.st_dev), (unsigned long)st.st_ino);
	assert_memory_equal(line, expect, strlen(expect));
	assert_int_equal(strlen(line), 73 + strlen(real) + 1); /* the name at column 73 */
	assert_string_equal(line + 73, strcat(real, "\n"));
	fclose(out);
	task_exit(t);
}

/* --- truncation of mapped files --- */

static void test_truncate_unmaps_and_drops_pages(void **state)
{
	struct task_struct *t = start_task("truncate");
	const char *path = make_pattern_file("f", 3 * PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long shared = map_file(fd, 3 * PAGE_SIZE, RW, MAP_SHARED, 0);
	unsigned long priv = map_file(fd, 3 * PAGE_SIZE, RW, MAP_PRIVATE, 0);
	struct page *pinned;
	char c;

	(void)state;
	touch_pages(shared, 3);
	assert_int_equal(copy_to_user(priv + 2 * PAGE_SIZE, "p", 1), 0);
	assert_int_equal(pin_user_pages_fast(shared + 2 * PAGE_SIZE, 1, FOLL_WRITE, &pinned), 1);
	assert_int_equal(sys_ftruncate(fd, PAGE_SIZE), 0);
	/* Beyond the end: unmapped everywhere, COW copies too, out of the cache. */
	assert_false(addr_present(shared + PAGE_SIZE));
	assert_false(addr_present(priv + 2 * PAGE_SIZE));
	assert_null(cached_page(fd, 2));
	assert_null(pinned->mapping); /* the pin keeps the frame, not its place */
	assert_int_equal(copy_from_user(&c, shared + PAGE_SIZE, 1), 1);
	assert_int_equal(copy_from_user(&c, priv + 2 * PAGE_SIZE, 1), 1);
	assert_true(addr_present(shared));
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_pages_dirty_lock(&pinned, 1, true);
	assert_int_equal(sys_fsync(fd), 0);
	assert_int_equal(host_file_size(path), PAGE_SIZE);
	task_exit(t);
}

/* --- pins and writeback --- */

static void test_pinned_page_written_back_and_redirtied_by_unpin(void **state)
{
	struct task_struct *t = start_task("pin");
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long addr = map_file(fd, PAGE_SIZE, RW, MAP_SHARED, 0);
	struct page *page;

	(void)state;
	/* Not FOLL_LONGTERM: 6.5 and later refuse writable long-term pins of files. */
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE, &page), 1);
	assert_int_equal(copy_to_user(addr, "cpu", 3), 0);
	assert_int_equal(sys_msync(addr, PAGE_SIZE, MS_SYNC), 0);
	assert_int_equal(host_byte(path, 2), 'u');
	/* Written, and still there: in the cache, pinned. */
	assert_ptr_equal(cache_entry(fd, 0), page);
	assert_true(page_maybe_dma_pinned(page));
	/* The "device" writes through the pin; unpinning dirty makes it reach the host. */
	memcpy((char *)page_address(page) + 8, "dma", 3);
	unpin_user_pages_dirty_lock(&page, 1, true);
	assert_int_equal(global_node_page_state(NR_FILE_DIRTY), 1);
	assert_int_equal(sys_fsync(fd), 0);
	assert_int_equal(host_byte(path, 10), 'a');
	task_exit(t);
}

/* --- GUP's file rules --- */

static void test_gup_file_rules(void **state)
{
	struct task_struct *t = start_task("rules");
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	int ro = open_file(path, O_RDONLY);
	unsigned long shared = map_file(ro, PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	unsigned long priv = map_file(ro, PAGE_SIZE, PROT_READ, MAP_PRIVATE, 0);
	struct page *page;

	(void)state;
	assert_int_equal(gup_under_lock(priv, 1, FOLL_GET | FOLL_ANON, &page, NULL), -EFAULT);
	/* A forced write to a read-only shared mapping is refused. */
	assert_int_equal(gup_under_lock(shared, 1, FOLL_GET | FOLL_WRITE | FOLL_FORCE, &page, NULL),
			 -EFAULT);
	/* To a private one it COWs: the cache keeps the file's bytes. */
	assert_int_equal(access_process_vm(t, priv, "F", 1, FOLL_FORCE | FOLL_WRITE), 1);
	assert_int_equal(user_byte(priv), 'F');
	page = cached_page(ro, 0);
	assert_int_equal(((char *)page_address(page))[0], 'A');
	put_page(page);
	/* A core dump reads the file page itself. */
	assert_int_equal(user_byte(shared), 'A');
	page = get_dump_page(shared);
	assert_non_null(page);
	assert_ptr_equal(page, cached_page(ro, 0));
	put_page(page);
	put_page(page);
	task_exit(t);
	assert_int_equal(host_byte(path, 0), 'A');
}

static void test_fsdax_refuses_longterm_pins(void **state)
{
	struct sim_config cfg = {.dax_dir = NULL};
	struct task_struct *t;
	struct page *page;
	const char *path;
	unsigned long addr;
	int fd;

	(void)state;
	assert_int_equal(sim_shutdown(), 0);
	cfg.dax_dir = test_dir;
	assert_int_equal(sim_boot(&cfg), 0);
	t = start_task("dax");
	path = make_pattern_file("f", PAGE_SIZE, 0600);
	fd = open_file(path, O_RDWR);
	addr = map_file(fd, PAGE_SIZE, RW, MAP_SHARED, 0);
	assert_true(vma_is_fsdax(vma_at(t, addr)));
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE | FOLL_LONGTERM, &page),
			 -EOPNOTSUPP);
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE, &page), 1);
	unpin_user_page(page);
	task_exit(t);
}

static void test_madvise_dontneed_and_populate_on_files(void **state)
{
	struct task_struct *t = start_task("madvise");
	const char *path = make_pattern_file("f", 4 * PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long shared = map_file(fd, 2 * PAGE_SIZE, RW, MAP_SHARED, 0);
	unsigned long priv = map_file(fd, 2 * PAGE_SIZE, RW, MAP_PRIVATE, 2 * PAGE_SIZE);
	unsigned long popul;

	(void)state;
	assert_int_equal(copy_to_user(shared, "s", 1), 0);
	assert_int_equal(copy_to_user(priv, "p", 1), 0);
	assert_int_equal(sys_madvise(shared, 2 * PAGE_SIZE, MADV_DONTNEED), 0);
	assert_int_equal(sys_madvise(priv, 2 * PAGE_SIZE, MADV_DONTNEED), 0);
	assert_false(addr_present(shared));
	assert_int_equal(user_byte(shared), 's'); /* the shared write is in the cache */
	assert_int_equal(user_byte(priv), 'C');	  /* the private copy is gone */
	assert_int_equal(sys_madvise(priv, 2 * PAGE_SIZE, MADV_POPULATE_READ), 0);
	assert_true(addr_present(priv + PAGE_SIZE));
	popul = sys_mmap(0, 2 * PAGE_SIZE, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
	assert_false(IS_ERR_VALUE(popul));
	assert_true(addr_present(popul + PAGE_SIZE));
	assert_int_equal(sys_mlock(shared, 2 * PAGE_SIZE), 0);
	assert_true(addr_present(shared + PAGE_SIZE));
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(host_byte(path, 0), 's');
	assert_int_equal(host_byte(path, 2 * PAGE_SIZE), 'C');
}

/* --- the retry protocol, driven by reads of the host file --- */

struct read_probe {
	struct mm_struct *mm;
	int reads, reads_under_mmap_lock;
};

static void probe_read(enum sim_point_id id, void *ctx, void *arg)
{
	struct read_probe *p = arg;

	(void)id;
	(void)ctx;
	p->reads++;
	p->reads_under_mmap_lock += rwsem_is_locked(&p->mm->mmap_lock);
}

enum entry {
	E_GET_LOCKED,
	E_PIN_LOCKED,
	E_GET_UNLOCKED,
	E_PIN_UNLOCKED,
	E_GET_REMOTE,
	E_PIN_REMOTE,
	E_GET_FAST,
	E_PIN_FAST,
	E_GET_DUMP,
	E_FIXUP,
	E_POPULATE_MMAP,
	E_MLOCK,
	E_MADV_POPULATE,
	NR_ENTRIES
};

static const char *const entry_names[NR_ENTRIES] = {
	"get_user_pages_locked",   "pin_user_pages_locked", "get_user_pages_unlocked",
	"pin_user_pages_unlocked", "get_user_pages_remote", "pin_user_pages_remote",
	"get_user_pages_fast",	   "pin_user_pages_fast",   "get_dump_page",
	"fixup_user_fault",	   "MAP_POPULATE",	    "mlock",
	"MADV_POPULATE_READ",
};

/* Fault @addr's first page in through @e. Return: pages (or 1 for success) got. */
static long fault_in_through(enum entry e, int fd, unsigned long addr)
{
	struct mm_struct *mm = current->mm;
	struct page *page = NULL;
	int locked = 1;
	bool unlocked = false;
	long ret;

	switch (e) {
	case E_GET_LOCKED:
	case E_PIN_LOCKED:
		mmap_read_lock(mm);
		ret = e == E_GET_LOCKED ? get_user_pages_locked(addr, 1, 0, &page, &locked)
					: pin_user_pages_locked(addr, 1, 0, &page, &locked);
		if (locked)
			mmap_read_unlock(mm);
		break;
	case E_GET_UNLOCKED:
		ret = get_user_pages_unlocked(addr, 1, &page, 0);
		break;
	case E_PIN_UNLOCKED:
		ret = pin_user_pages_unlocked(addr, 1, &page, 0);
		break;
	case E_GET_REMOTE:
	case E_PIN_REMOTE:
		mmap_read_lock(mm);
		ret = e == E_GET_REMOTE
			      ? get_user_pages_remote(mm, addr, 1, 0, &page, NULL, &locked)
			      : pin_user_pages_remote(mm, addr, 1, 0, &page, NULL, &locked);
		if (locked)
			mmap_read_unlock(mm);
		break;
	case E_GET_FAST:
		ret = get_user_pages_fast(addr, 1, 0, &page);
		break;
	case E_PIN_FAST:
		ret = pin_user_pages_fast(addr, 1, 0, &page);
		break;
	case E_GET_DUMP:
		page = get_dump_page(addr);
		ret = page ? 1 : 0;
		e = E_GET_FAST; /* a FOLL_GET reference */
		break;
	case E_FIXUP:
		mmap_read_lock(mm);
		ret = fixup_user_fault(mm, addr, 0, &unlocked) == 0;
		mmap_read_unlock(mm);
		break;
	case E_POPULATE_MMAP: {
		unsigned long a = sys_mmap(addr, PAGE_SIZE, PROT_READ,
					   MAP_SHARED | MAP_FIXED | MAP_POPULATE, fd, 0);

		ret = a == addr;
		break;
	}
	case E_MLOCK:
		ret = sys_mlock(addr, PAGE_SIZE) == 0;
		break;
	default:
		ret = sys_madvise(addr, PAGE_SIZE, MADV_POPULATE_READ) == 0;
		break;
	}
	if (page &&
	    (e == E_PIN_LOCKED || e == E_PIN_UNLOCKED || e == E_PIN_REMOTE || e == E_PIN_FAST))
		unpin_user_page(page);
	else if (page)
		put_page(page);
	return ret;
}

static void test_every_locked_entry_point_retries_on_a_file_read(void **state)
{
	struct task_struct *t = start_task("retry");
	struct read_probe probe = {.mm = t->mm};
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	struct page *page;

	(void)state;
	assert_int_equal(sim_point_set_hook(SP_FILE_READ, probe_read, &probe), 0);
	for (int e = 0; e < NR_ENTRIES; e++) {
		int fd = open_file(path, O_RDONLY);
		unsigned long addr = map_file(fd, PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
		unsigned long faults = page_faults();

		probe.reads = probe.reads_under_mmap_lock = 0;
		assert_int_equal(fault_in_through(e, fd, addr), 1);
		/* The read ran without mmap_lock: the fault dropped it, then was retried. */
		if (probe.reads != 1 || probe.reads_under_mmap_lock != 0)
			fail_msg("%s: %d reads, %d with mmap_lock held", entry_names[e],
				 probe.reads, probe.reads_under_mmap_lock);
		assert_true(page_faults() - faults >= 2);
		assert_true(addr_present(addr) || e == E_FIXUP || e == E_GET_DUMP);
		assert_int_equal(sys_munmap(addr, PAGE_SIZE), 0);
		assert_int_equal(sys_close(fd), 0); /* the inode goes, and its cache */
	}
	/* Without `locked` the read happens under mmap_lock: nothing may drop it. */
	{
		int fd = open_file(path, O_RDONLY);
		unsigned long addr = map_file(fd, PAGE_SIZE, PROT_READ, MAP_SHARED, 0);

		probe.reads = probe.reads_under_mmap_lock = 0;
		assert_int_equal(gup_under_lock(addr, 1, FOLL_GET, &page, NULL), 1);
		put_page(page);
		assert_int_equal(probe.reads, 1);
		assert_int_equal(probe.reads_under_mmap_lock, 1);
	}
	assert_int_equal(sim_point_set_hook(SP_FILE_READ, NULL, NULL), 0);
	task_exit(t);
}

/* A read held in flight at the file_read point until the test lets it go. */
struct held_read {
	sem_t in_flight, go;
	struct task_struct *task;
	unsigned long addr;
	long ret;
};

static void hold_read(enum sim_point_id id, void *ctx, void *arg)
{
	struct held_read *h = arg;

	(void)id;
	(void)ctx;
	sem_post(&h->in_flight);
	sem_wait(&h->go);
}

static void *reader_thread(void *arg)
{
	struct held_read *h = arg;
	struct page *page;

	h->ret = get_user_pages_unlocked(h->addr, 1, &page, 0);
	if (h->ret == 1)
		put_page(page);
	return NULL;
}

static void *waiter_thread(void *arg)
{
	struct held_read *h = arg;
	struct page *page;

	h->ret = get_user_pages_unlocked(h->addr, 1, &page, 0);
	if (h->ret == 1)
		put_page(page);
	return NULL;
}

static void test_fault_on_page_in_flight_drops_mmap_lock_or_returns_nowait(void **state)
{
	struct task_struct *t = start_task("inflight"), *a, *b;
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDONLY);
	unsigned long addr = map_file(fd, PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	struct held_read h = {.addr = addr}, w = {.addr = addr};
	struct sim_thread *ta, *tb;
	struct page *page;

	(void)state;
	sem_init(&h.in_flight, 0, 0);
	sem_init(&h.go, 0, 0);
	a = task_clone_thread(t);
	b = task_clone_thread(t);
	assert_int_equal(sim_point_set_hook(SP_FILE_READ, hold_read, &h), 0);
	assert_int_equal(sim_thread_spawn(a, reader_thread, &h, &ta), 0);
	sem_wait(&h.in_flight); /* a's read is in flight, the page locked */
	assert_int_equal(sim_point_set_hook(SP_FILE_READ, NULL, NULL), 0);
	/* FOLL_NOWAIT: back at once, nothing got, mmap_lock still ours. */
	mmap_read_lock(t->mm);
	assert_int_equal(get_user_pages(addr, 1, FOLL_GET | FOLL_NOWAIT, &page, NULL), 0);
	mmap_read_unlock(t->mm);
	/* With `locked` the waiter sleeps on the page without mmap_lock: a writer gets in. */
	assert_int_equal(sim_thread_spawn(b, waiter_thread, &w, &tb), 0);
	mmap_write_lock(t->mm);
	mmap_write_unlock(t->mm);
	sem_post(&h.go);
	sim_thread_join(ta);
	sim_thread_join(tb);
	assert_int_equal(h.ret, 1);
	assert_int_equal(w.ret, 1);
	task_exit(b);
	task_exit(a);
	task_exit(t);
	sem_destroy(&h.in_flight);
	sem_destroy(&h.go);
}

/* --- host read errors under a fault, and writeback racing stores --- */

static ssize_t eio_pread(int fd, void *buf, size_t count, loff_t pos)
{
	(void)fd, (void)buf, (void)count, (void)pos;
	return -EIO;
}

static void test_read_error_under_a_fault_is_sigbus(void **state)
{
	struct task_struct *t = start_task("eio");
	const char *path = make_pattern_file("f", 2 * PAGE_SIZE, 0600);
	struct host_io_ops ops = host_io_default_ops;
	int fd = open_file(path, O_RDWR);
	unsigned long addr = map_file(fd, 2 * PAGE_SIZE, RW, MAP_SHARED, 0);
	struct page *page;
	char c;

	(void)state;
	ops.pread = eio_pread;
	host_io_set_ops(&ops);
	assert_int_equal(copy_from_user(&c, addr, 1), 1);
	/* With `locked`: the first read drops mmap_lock and fails, the retry reads again. */
	assert_int_equal(get_user_pages_unlocked(addr + PAGE_SIZE, 1, &page, 0), -EFAULT);
	assert_int_equal(get_user_pages_fast(addr, 1, FOLL_WRITE, &page), -EFAULT);
	assert_int_equal(sim_check(NULL), 0); /* nothing locked, nothing mapped */
	host_io_set_ops(NULL);
	assert_int_equal(user_byte(addr + PAGE_SIZE), 'B');
	task_exit(t);
}

#define STORES 3000

struct store_race {
	unsigned long addr;
	int fd;
	unsigned int last;
};

static void *storer(void *arg)
{
	struct store_race *r = arg;

	for (unsigned int i = 1; i <= STORES; i++)
		assert_int_equal(copy_to_user(r->addr, &i, sizeof(i)), 0);
	__atomic_store_n(&r->last, STORES, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Writeback write-protects the PTE before it writes the page, so a store racing
 * it either is in the bytes written or faults and dirties the page again; and it
 * moves a dirty PTE's bit to the page. After a last msync the host holds the last
 * store, whatever the interleaving: the test fails only with both rules broken,
 * as either alone keeps every store.
 */
static void test_msync_racing_stores_loses_none(void **state)
{
	struct task_struct *t = start_task("race"), *thread;
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	struct store_race r = {.fd = open_file(path, O_RDWR)};
	struct sim_thread *th;
	unsigned int host;

	(void)state;
	r.addr = map_file(r.fd, PAGE_SIZE, RW, MAP_SHARED, 0);
	thread = task_clone_thread(t);
	assert_int_equal(sim_thread_spawn(thread, storer, &r, &th), 0);
	while (!__atomic_load_n(&r.last, __ATOMIC_ACQUIRE))
		assert_int_equal(sys_msync(r.addr, PAGE_SIZE, MS_SYNC), 0);
	sim_thread_join(th);
	assert_int_equal(sys_msync(r.addr, PAGE_SIZE, MS_SYNC), 0);
	host_file_read(path, 0, &host, sizeof(host));
	assert_int_equal(host, STORES);
	assert_int_equal(global_node_page_state(NR_FILE_DIRTY), 0);
	task_exit(thread);
	task_exit(t);
}

#define TRUNCATE_ROUNDS 300
#define RACE_PAGES 8

struct truncate_race {
	unsigned long addr;
	bool stop;
	unsigned long faults_failed;
};

static void *toucher(void *arg)
{
	struct truncate_race *r = arg;
	char c;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE))
		for (unsigned long i = 0; i < RACE_PAGES; i++)
			if (copy_from_user(&c, r->addr + i * PAGE_SIZE, 1))
				r->faults_failed++; /* beyond the end just then: SIGBUS */
	return NULL;
}

/* Faults racing truncation never leave a page cached or mapped beyond the end. */
static void test_truncate_racing_faults(void **state)
{
	struct task_struct *t = start_task("trunc"), *thread;
	const char *path = make_pattern_file("f", RACE_PAGES * PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	struct truncate_race r = {0};
	struct sim_thread *th;

	(void)state;
	r.addr = map_file(fd, RACE_PAGES * PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	thread = task_clone_thread(t);
	assert_int_equal(sim_thread_spawn(thread, toucher, &r, &th), 0);
	for (int i = 0; i < TRUNCATE_ROUNDS; i++) {
		assert_int_equal(sys_ftruncate(fd, (i % RACE_PAGES) * PAGE_SIZE), 0);
		assert_int_equal(sys_ftruncate(fd, RACE_PAGES * PAGE_SIZE), 0);
	}
	assert_int_equal(sys_ftruncate(fd, PAGE_SIZE), 0);
	__atomic_store_n(&r.stop, true, __ATOMIC_RELEASE);
	sim_thread_join(th);
	for (unsigned long i = 1; i < RACE_PAGES; i++)
		assert_false(addr_present(r.addr + i * PAGE_SIZE));
	assert_int_equal(sim_check(NULL), 0);
	task_exit(thread);
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FILE_TEST(test_private_mapping_reads_cache_and_copies_on_write),
		FILE_TEST(test_shared_mapping_dirty_tracking_and_msync),
		FILE_TEST(test_exit_writes_back_and_fork_shares),
		FILE_TEST(test_access_beyond_eof_is_sigbus),
		FILE_TEST(test_mmap_rules_of_read_only_files),
		FILE_TEST(test_maps_show_the_file),
		FILE_TEST(test_truncate_unmaps_and_drops_pages),
		FILE_TEST(test_pinned_page_written_back_and_redirtied_by_unpin),
		FILE_TEST(test_gup_file_rules),
		FILE_TEST(test_fsdax_refuses_longterm_pins),
		FILE_TEST(test_madvise_dontneed_and_populate_on_files),
		FILE_TEST(test_every_locked_entry_point_retries_on_a_file_read),
		FILE_TEST(test_fault_on_page_in_flight_drops_mmap_lock_or_returns_nowait),
		FILE_TEST(test_read_error_under_a_fault_is_sigbus),
		FILE_TEST(test_msync_racing_stores_loses_none),
		FILE_TEST(test_truncate_racing_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
