// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page-cache reads that a fault does not wait for: FOLL_NOWAIT starts the read on
 * the I/O worker and returns at once with mmap_lock kept; and a second thread's
 * fault on a page whose read is in flight (kept there by sim_config.file_latency_us
 * and the file_read point) drops mmap_lock, waits and retries.
 */
#include "file_harness.h"
#include "mm/internal.h"
#include <pthread.h>
#include <semaphore.h>

/* A read held at the file_read point until the test lets it go. */
struct held_read {
	sem_t in_flight, go;
	pthread_t reader;
	pthread_t submitter; /* a read on this thread is not held (it would wait for itself) */
	bool submitter_set;
	int reads;
};

static void hold_read(enum sim_point_id id, void *ctx, void *arg)
{
	struct held_read *h = arg;

	(void)id;
	(void)ctx;
	h->reader = pthread_self();
	h->reads++;
	sem_post(&h->in_flight);
	if (!h->submitter_set || !pthread_equal(h->submitter, pthread_self()))
		sem_wait(&h->go);
}

static void held_read_init(struct held_read *h)
{
	memset(h, 0, sizeof(*h));
	sem_init(&h->in_flight, 0, 0);
	sem_init(&h->go, 0, 0);
}

static void held_read_destroy(struct held_read *h)
{
	sem_destroy(&h->in_flight);
	sem_destroy(&h->go);
}

static struct page *cached_page(int fd, pgoff_t index)
{
	struct file *file = fget(fd);
	struct page *page;

	assert_non_null(file);
	page = find_get_page(file->f_mapping, index);
	fput(file);
	return page;
}

/*
 * FOLL_NOWAIT on a page not in the cache (5.11 faultin_page: RETRY with the lock
 * kept is -EBUSY, and __get_user_pages answers the pages done so far, 0): the read
 * was started by the I/O worker, which the file_read point holds, so the call
 * returned without waiting for it. The page is in the cache, locked, until the
 * read completes; then the same call pins it.
 */
static void test_foll_nowait_starts_the_read_and_returns(void **state)
{
	struct task_struct *t = start_task("nowait");
	const char *path = make_pattern_file("f", 2 * PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDONLY);
	unsigned long addr = map_file(fd, 2 * PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	unsigned long done = async_reads_completed();
	struct held_read h;
	struct page *page, *cached;

	(void)state;
	held_read_init(&h);
	h.submitter = pthread_self();
	h.submitter_set = true;
	assert_int_equal(sim_point_set_hook(SP_FILE_READ, hold_read, &h), 0);
	mmap_read_lock(t->mm);
	assert_int_equal(pin_user_pages(addr + PAGE_SIZE, 1, FOLL_NOWAIT, &page, NULL), 0);
	assert_true(rwsem_is_locked(&t->mm->mmap_lock)); /* kept, as RETRY_NOWAIT does */
	sem_wait(&h.in_flight); /* the read runs elsewhere and waits for us: we did not wait */
	assert_false(pthread_equal(h.reader, pthread_self()));
	cached = cached_page(fd, 1);
	assert_non_null(cached);
	assert_true(PageLocked(cached));
	assert_false(PageUptodate(cached));
	/* A second try while the read is in flight finds the page locked: 0 again. */
	assert_int_equal(get_user_pages(addr + PAGE_SIZE, 1, FOLL_GET | FOLL_NOWAIT, &page, NULL),
			 0);
	assert_int_equal(async_reads_completed(), done);
	mmap_read_unlock(t->mm);
	sem_post(&h.go);
	async_reads_wait();
	assert_int_equal(async_reads_completed(), done + 1);
	assert_false(PageLocked(cached));
	assert_true(PageUptodate(cached));
	put_page(cached);
	/* The read is done: the same call pins the cached page, no second read. */
	mmap_read_lock(t->mm);
	assert_int_equal(pin_user_pages(addr + PAGE_SIZE, 1, FOLL_NOWAIT, &page, NULL), 1);
	mmap_read_unlock(t->mm);
	assert_int_equal(((char *)page_address(page))[0], 'B');
	unpin_user_page(page);
	assert_int_equal(h.reads, 1);
	assert_int_equal(sim_point_set_hook(SP_FILE_READ, NULL, NULL), 0);
	assert_int_equal(sim_check(NULL), 0);
	held_read_destroy(&h);
	task_exit(t);
}

static ssize_t eio_pread(int fd, void *buf, size_t count, loff_t pos)
{
	(void)fd, (void)buf, (void)count, (void)pos;
	return -EIO;
}

/*
 * A started read that fails leaves the page unlocked and !Uptodate: the next
 * fault reads it again itself (filemap_fault's page_not_uptodate) and, failing
 * again, is SIGBUS: -EFAULT. Nothing stays locked.
 */
static void test_failed_async_read_is_read_again_then_sigbus(void **state)
{
	struct task_struct *t = start_task("nowait-eio");
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	struct host_io_ops ops = host_io_default_ops;
	int fd = open_file(path, O_RDONLY);
	unsigned long addr = map_file(fd, PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	struct page *page;

	(void)state;
	ops.pread = eio_pread;
	host_io_set_ops(&ops);
	mmap_read_lock(t->mm);
	assert_int_equal(get_user_pages(addr, 1, FOLL_GET | FOLL_NOWAIT, &page, NULL), 0);
	mmap_read_unlock(t->mm);
	async_reads_wait();
	page = cached_page(fd, 0);
	assert_non_null(page);
	assert_false(PageLocked(page));
	assert_false(PageUptodate(page));
	put_page(page);
	mmap_read_lock(t->mm);
	assert_int_equal(get_user_pages(addr, 1, FOLL_GET | FOLL_NOWAIT, &page, NULL), -EFAULT);
	mmap_read_unlock(t->mm);
	assert_int_equal(sim_check(NULL), 0);
	host_io_set_ops(NULL);
	assert_int_equal(user_byte(addr), 'A');
	task_exit(t);
}

/* --- a second fault on a read in flight, with the device's latency --- */

struct page_waiter {
	sem_t waiting;
	int waits;
	unsigned int flags; /* the waiting fault's */
};

static void note_page_wait(enum sim_point_id id, void *ctx, void *arg)
{
	struct page_waiter *w = arg;
	struct vm_fault *vmf = ctx;

	(void)id;
	/*
	 * The first wait is the one the test arranged; its flags are the ones checked.
	 * A's retry may wait too, on another thread at the same time: count atomically.
	 */
	if (!__atomic_fetch_add(&w->waits, 1, __ATOMIC_RELAXED)) {
		w->flags = vmf->flags;
		sem_post(&w->waiting);
	}
}

struct faulter {
	unsigned long addr;
	long ret;
	char byte;
};

static void *fault_in(void *arg)
{
	struct faulter *f = arg;
	struct page *page;

	f->ret = get_user_pages_unlocked(f->addr, 1, &page, 0);
	if (f->ret == 1) {
		f->byte = ((char *)page_address(page))[0];
		put_page(page);
	}
	return NULL;
}

/*
 * With file_latency_us every host read stays in flight for a while; the gates
 * make the overlap certain: A's fault is held at file_read (page locked, A's
 * mmap_lock dropped), B's fault finds the page locked (file_page_wait), drops
 * mmap_lock (a writer gets in) and sleeps on the page; A's read then takes the
 * device's latency and completes. B's first fault answers VM_FAULT_RETRY, and
 * its retry (FAULT_FLAG_TRIED) maps the page: one wait, no second read.
 */
static void test_latency_makes_a_second_fault_wait_and_retry(void **state)
{
	struct task_struct *t = start_task("latency"), *a = task_clone_thread(t),
			   *b = task_clone_thread(t);
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDONLY);
	unsigned long addr = map_file(fd, PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	struct faulter fa = {.addr = addr}, fb = {.addr = addr};
	struct page_waiter w = {0};
	struct sim_thread *ta, *tb;
	unsigned long faults = page_faults();
	struct held_read h;

	(void)state;
	held_read_init(&h);
	sem_init(&w.waiting, 0, 0);
	assert_int_equal(sim_point_set_hook(SP_FILE_READ, hold_read, &h), 0);
	assert_int_equal(sim_point_set_hook(SP_FILE_PAGE_WAIT, note_page_wait, &w), 0);
	assert_int_equal(sim_thread_spawn(a, fault_in, &fa, &ta), 0);
	sem_wait(&h.in_flight);
	assert_int_equal(sim_thread_spawn(b, fault_in, &fb, &tb), 0);
	sem_wait(&w.waiting);
	/* Both faults let mmap_lock go: A for its I/O, B to wait on the page. */
	mmap_write_lock(t->mm);
	mmap_write_unlock(t->mm);
	sem_post(&h.go);
	sim_thread_join(ta);
	sim_thread_join(tb);
	assert_int_equal(fa.ret, 1);
	assert_int_equal(fb.ret, 1);
	assert_int_equal(fb.byte, 'A');
	assert_int_equal(h.reads, 1);
	/*
	 * The arranged wait, and as many more as the retries find the page locked again,
	 * briefly, by each other's lookups (how many is the scheduler's: a slow one
	 * such as TSan's saw three); each such wait is one more RETRY and fault.
	 */
	assert_true(__atomic_load_n(&w.waits, __ATOMIC_RELAXED) >= 1);
	/* A's and B's first faults answered RETRY, and a retry mapped the page: three at least. */
	assert_true(page_faults() - faults >= 3);
	assert_true(w.flags & FAULT_FLAG_ALLOW_RETRY);
	assert_false(w.flags & (FAULT_FLAG_TRIED | FAULT_FLAG_RETRY_NOWAIT));
	assert_int_equal(sim_point_set_hook(SP_FILE_PAGE_WAIT, NULL, NULL), 0);
	assert_int_equal(sim_point_set_hook(SP_FILE_READ, NULL, NULL), 0);
	sem_destroy(&w.waiting);
	held_read_destroy(&h);
	task_exit(b);
	task_exit(a);
	task_exit(t);
}

static int latency_setup(void **state)
{
	struct sim_config cfg = {.file_latency_us = 2000};

	(void)state;
	make_test_dir();
	return sim_boot(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FILE_TEST(test_foll_nowait_starts_the_read_and_returns),
		FILE_TEST(test_failed_async_read_is_read_again_then_sigbus),
		cmocka_unit_test_setup_teardown(test_latency_makes_a_second_fault_wait_and_retry,
						latency_setup, file_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
