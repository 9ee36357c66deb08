// SPDX-License-Identifier: GPL-2.0-only
/*
 * A file arena under racing threads: stores and loads through a shared mapping,
 * truncation down and back up, msync/fsync, short-term pins (through every pin
 * entry point that passes `locked`) written through and unpinned dirty, FOLL_NOWAIT
 * lookups starting asynchronous reads. Each call gets one of its Linux answers
 * (success, or SIGBUS/-EFAULT beyond the end); at the end the checker is clean,
 * nothing is dirty after a last msync and the host file holds what the mapping shows.
 */
#include "../file_harness.h"
#include "mm/internal.h"

/*
 * The device's write into a pinned page races the CPU's loads and stores and the
 * writeback's reads on purpose, as DMA does; TSan is told to ignore that one store
 * (its stack is not always restorable, so a suppression cannot name it).
 */
#if defined(__SANITIZE_THREAD__)
void AnnotateIgnoreWritesBegin(const char *file, int line);
void AnnotateIgnoreWritesEnd(const char *file, int line);
#define device_writes_begin() AnnotateIgnoreWritesBegin(__FILE__, __LINE__)
#define device_writes_end() AnnotateIgnoreWritesEnd(__FILE__, __LINE__)
#else
#define device_writes_begin() ((void)0)
#define device_writes_end() ((void)0)
#endif

#define ARENA_PAGES 16
#define ROUNDS 1500
#define RW (PROT_READ | PROT_WRITE)

struct arena {
	unsigned long addr;
	int fd;
	struct mm_struct *mm;
};

struct worker {
	struct arena *arena;
	unsigned int seed;
	int role;
	unsigned long failures; /* beyond the end at the time: SIGBUS or -EFAULT */
};

enum { ROLE_STORE, ROLE_TRUNCATE, ROLE_SYNC, ROLE_PIN, ROLE_NOWAIT, NR_ROLES };

static unsigned long random_page(struct worker *w)
{
	return w->arena->addr + (rand_r(&w->seed) % ARENA_PAGES) * PAGE_SIZE;
}

static void store_or_load(struct worker *w)
{
	unsigned long at = random_page(w) + (rand_r(&w->seed) % (PAGE_SIZE - 8));
	unsigned int v = (unsigned int)rand_r(&w->seed);

	if ((rand_r(&w->seed) & 1 ? copy_to_user(at, &v, sizeof(v)) : copy_from_user(&v, at, 4)))
		w->failures++;
}

static void truncate_down_and_up(struct worker *w)
{
	loff_t size = (loff_t)(1 + rand_r(&w->seed) % ARENA_PAGES) * PAGE_SIZE;

	assert_int_equal(sys_ftruncate(w->arena->fd, size), 0);
	assert_int_equal(sys_ftruncate(w->arena->fd, ARENA_PAGES * PAGE_SIZE), 0);
}

static void sync_some(struct worker *w)
{
	int how = rand_r(&w->seed) % 3;
	int ret = how == 2 ? sys_fsync(w->arena->fd)
			   : sys_msync(w->arena->addr, ARENA_PAGES * PAGE_SIZE,
				       how ? MS_SYNC : MS_ASYNC | MS_INVALIDATE);

	assert_int_equal(ret, 0);
}

/*
 * A write pin through one of the entry points that pass `locked`, so a read in
 * flight (after a truncate) makes the fault drop mmap_lock and the call retry.
 */
static long pin_through_any(struct worker *w, unsigned long addr, struct page **page)
{
	struct mm_struct *mm = w->arena->mm;
	int locked = 1;
	long ret;

	switch (rand_r(&w->seed) % 4) {
	case 0:
		return pin_user_pages_fast(addr, 1, FOLL_WRITE, page);
	case 1:
		return pin_user_pages_unlocked(addr, 1, page, FOLL_WRITE);
	case 2:
		mmap_read_lock(mm);
		ret = pin_user_pages_locked(addr, 1, FOLL_WRITE, page, &locked);
		break;
	default:
		mmap_read_lock(mm);
		ret = pin_user_pages_remote(mm, addr, 1, FOLL_WRITE, page, NULL, &locked);
		break;
	}
	if (locked) /* still held: the call did not have to drop it */
		mmap_read_unlock(w->arena->mm);
	return ret;
}

static void pin_write_unpin(struct worker *w)
{
	struct page *page;
	long ret = pin_through_any(w, random_page(w), &page);

	if (ret != 1) {
		assert_int_equal(ret, -EFAULT);
		w->failures++;
		return;
	}
	device_writes_begin();
	((char *)page_address(page))[rand_r(&w->seed) % PAGE_SIZE] = (char)rand_r(&w->seed);
	device_writes_end();
	unpin_user_pages_dirty_lock(&page, 1, true);
}

static void nowait_lookup(struct worker *w)
{
	struct page *page;
	long ret;

	mmap_read_lock(w->arena->mm);
	ret = get_user_pages(random_page(w), 1, FOLL_GET | FOLL_NOWAIT, &page, NULL);
	mmap_read_unlock(w->arena->mm);
	if (ret == 1)
		put_page(page);
	else if (ret)
		assert_int_equal(ret, -EFAULT);
}

/* Faults that found a page's read in flight and waited or retried (file_page_wait). */
static unsigned long waits_on_reads;

static void count_wait_on_read(enum sim_point_id id, void *ctx, void *arg)
{
	(void)id;
	(void)ctx;
	(void)arg;
	__atomic_fetch_add(&waits_on_reads, 1, __ATOMIC_RELAXED);
}

static void *work(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < ROUNDS; i++) {
		switch (w->role) {
		case ROLE_STORE:
			store_or_load(w);
			break;
		case ROLE_TRUNCATE:
			truncate_down_and_up(w);
			break;
		case ROLE_SYNC:
			sync_some(w);
			break;
		case ROLE_PIN:
			pin_write_unpin(w);
			break;
		default:
			nowait_lookup(w);
		}
	}
	return NULL;
}

static void stress_file_arena_races(void **state)
{
	struct task_struct *t = start_task("file-arena"), *threads[NR_ROLES];
	const char *path = make_pattern_file("arena", ARENA_PAGES * PAGE_SIZE, 0600);
	struct arena arena = {.fd = open_file(path, O_RDWR), .mm = t->mm};
	struct worker workers[NR_ROLES];
	struct sim_thread *handles[NR_ROLES];
	char *host = malloc(ARENA_PAGES * PAGE_SIZE), *mapped = malloc(ARENA_PAGES * PAGE_SIZE);

	(void)state;
	assert_non_null(host);
	assert_non_null(mapped);
	arena.addr = map_file(arena.fd, ARENA_PAGES * PAGE_SIZE, RW, MAP_SHARED, 0);
	assert_int_equal(sim_point_set_hook(SP_FILE_PAGE_WAIT, count_wait_on_read, NULL), 0);
	for (int r = 0; r < NR_ROLES; r++) {
		workers[r] = (struct worker){.arena = &arena, .seed = 0x51f1e + r, .role = r};
		threads[r] = task_clone_thread(t);
		assert_int_equal(sim_thread_spawn(threads[r], work, &workers[r], &handles[r]), 0);
	}
	for (int r = 0; r < NR_ROLES; r++)
		sim_thread_join(handles[r]);
	async_reads_wait();
	assert_int_equal(sim_point_set_hook(SP_FILE_PAGE_WAIT, NULL, NULL), 0);
	/* How often the race made the retry protocol run: a figure, not a pass mark. */
	printf("stress_file: %lu faults found a read in flight\n", waits_on_reads);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sys_msync(arena.addr, ARENA_PAGES * PAGE_SIZE, MS_SYNC), 0);
	assert_int_equal(global_node_page_state(NR_FILE_DIRTY), 0);
	assert_int_equal(host_file_size(path), ARENA_PAGES * PAGE_SIZE);
	assert_int_equal(copy_from_user(mapped, arena.addr, ARENA_PAGES * PAGE_SIZE), 0);
	host_file_read(path, 0, host, ARENA_PAGES * PAGE_SIZE);
	assert_memory_equal(host, mapped, ARENA_PAGES * PAGE_SIZE);
	printf("file arena: %lu stores/loads and %lu pins beyond the end at the time\n",
	       workers[ROLE_STORE].failures, workers[ROLE_PIN].failures);
	free(host);
	free(mapped);
	for (int r = 0; r < NR_ROLES; r++)
		task_exit(threads[r]);
	task_exit(t);
}

/* Every host read stays in flight a little while, so faults meet it and retry. */
static int file_setup_slow_reads(void **state)
{
	struct sim_config cfg = {.file_latency_us = 20};

	(void)state;
	make_test_dir();
	return sim_boot(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(stress_file_arena_races, file_setup_slow_reads,
						file_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
