// SPDX-License-Identifier: GPL-2.0-only
/*
 * CVE-2016-5195 ("Dirty COW") as it was first used: a forced write through
 * access_remote_vm() into a private mapping of a read-only host file, racing
 * MADV_DONTNEED of that page, must only write a private copy. The page cache
 * page, what another process's shared mapping shows, and the host file's bytes
 * never change.
 */
#include "file_harness.h"
#include "race.h"

#define RACE_ITERATIONS 2000
#define FILE_PAGES 2

struct dirty_cow_file {
	struct task_struct *victim;   /* maps the file private, read-only */
	struct task_struct *observer; /* maps it shared: sees the page cache */
	struct task_struct *debugger, *zapper;
	const char *path;
	unsigned long addr, observed;
	unsigned int seed, window_seed;
	int cache_changed; /* iteration at which the observer saw a change, or -1 */
	int forced_writes;
};

/* The victim opens the file read-only (it is mode 0400 too) and maps it privately. */
static void setup(struct dirty_cow_file *dc)
{
	int fd;

	dc->path = make_pattern_file("passwd", FILE_PAGES * PAGE_SIZE, 0400);
	dc->victim = start_task("victim");
	fd = open_file(dc->path, O_RDONLY);
	dc->addr = map_file(fd, FILE_PAGES * PAGE_SIZE, PROT_READ, MAP_PRIVATE, 0);
	assert_int_equal(sys_close(fd), 0);
	assert_int_equal(user_byte(dc->addr), 'A'); /* the page-cache page is mapped */
	dc->observer = start_task("observer");
	fd = open_file(dc->path, O_RDONLY);
	dc->observed = map_file(fd, FILE_PAGES * PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	assert_int_equal(sys_close(fd), 0);
	set_current(NULL);
	dc->cache_changed = -1;
	dc->forced_writes = 0;
}

/* What the observer's shared mapping, i.e. the page cache, shows of page 0. */
static bool cache_is_original(struct dirty_cow_file *dc)
{
	unsigned char bytes[PAGE_SIZE];

	if (access_process_vm(dc->observer, dc->observed, bytes, PAGE_SIZE, 0) != PAGE_SIZE)
		return false;
	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (bytes[i] != 'A')
			return false;
	return true;
}

/* After everyone is gone (writeback at exit included), the host file is as made. */
static void assert_host_file_original(struct dirty_cow_file *dc)
{
	static char bytes[FILE_PAGES * PAGE_SIZE];

	host_file_read(dc->path, 0, bytes, sizeof(bytes));
	for (size_t i = 0; i < sizeof(bytes); i++)
		if (bytes[i] != pattern_byte(i))
			fail_msg("host file byte %zu is %#x", i, bytes[i]);
}

static void teardown(struct dirty_cow_file *dc)
{
	task_exit(dc->observer);
	task_exit(dc->victim);
	assert_host_file_original(dc);
}

static void test_forced_write_copies_and_dontneed_rereads_the_file(void **state)
{
	struct dirty_cow_file dc;
	char evil[] = "root::0:0", seen[sizeof(evil)];
	struct task_struct *debugger;

	(void)state;
	setup(&dc);
	debugger = start_task("debugger");
	assert_int_equal(
		access_process_vm(dc.victim, dc.addr, evil, sizeof(evil), FOLL_FORCE | FOLL_WRITE),
		sizeof(evil));
	assert_int_equal(access_process_vm(dc.victim, dc.addr, seen, sizeof(seen), 0),
			 sizeof(seen));
	assert_memory_equal(seen, evil, sizeof(evil));
	assert_true(cache_is_original(&dc));
	assert_int_equal(global_node_page_state(NR_FILE_DIRTY), 0);
	/* Dropping the copy maps the file's page again, with the file's bytes. */
	set_current(dc.victim);
	assert_int_equal(sys_madvise(dc.addr, PAGE_SIZE, MADV_DONTNEED), 0);
	set_current(debugger);
	assert_int_equal(access_process_vm(dc.victim, dc.addr, seen, sizeof(seen), 0),
			 sizeof(seen));
	assert_int_equal(seen[0], 'A');
	/* A page never read: the forced write's fault is a COW fault from the start. */
	assert_int_equal(access_process_vm(dc.victim, dc.addr + PAGE_SIZE, evil, sizeof(evil),
					   FOLL_FORCE | FOLL_WRITE),
			 sizeof(evil));
	assert_int_equal(sim_check(NULL), 0);
	task_exit(debugger);
	teardown(&dc);
}

static void *forced_writer(void *arg)
{
	struct dirty_cow_file *dc = arg;
	unsigned int seed = dc->seed;
	char bytes[64];

	for (int i = 0; i < RACE_ITERATIONS && dc->cache_changed < 0; i++) {
		size_t len = 1 + rand_r(&seed) % sizeof(bytes);
		unsigned long off = rand_r(&seed) % (PAGE_SIZE - len);

		memset(bytes, 'a' + i % 26, len);
		if (access_process_vm(dc->victim, dc->addr + off, bytes, (int)len,
				      FOLL_FORCE | FOLL_WRITE) == (int)len)
			dc->forced_writes++;
		if (!cache_is_original(dc))
			dc->cache_changed = i;
	}
	task_exit(current);
	return NULL;
}

static void *dontneed_loop(void *arg)
{
	struct dirty_cow_file *dc = arg;

	for (int i = 0; i < RACE_ITERATIONS; i++)
		sys_madvise(dc->addr, PAGE_SIZE, MADV_DONTNEED);
	task_exit(current);
	return NULL;
}

/* The window between the COW fault and the retried lookup, opened on a seeded half. */
static void zap_in_window(enum sim_point_id id, void *ctx, void *arg)
{
	struct vm_area_struct *vma = ctx;
	struct dirty_cow_file *dc = arg;

	(void)id;
	if (vma->vm_mm == dc->victim->mm && rand_r(&dc->window_seed) % 2)
		zap_page_range(vma, dc->addr, PAGE_SIZE);
}

static void test_race_forced_write_against_dontneed(void **state)
{
	struct dirty_cow_file dc;
	struct sim_thread *writer, *zapper;

	(void)state;
	setup(&dc);
	dc.seed = race_seed();
	dc.window_seed = dc.seed;
	dc.debugger = task_create("debugger");
	dc.zapper = task_clone_thread(dc.victim);
	assert_non_null(dc.debugger);
	assert_non_null(dc.zapper);
	assert_int_equal(sim_point_set_hook(SP_GUP_AFTER_FAULTIN, zap_in_window, &dc), 0);
	writer = race_start(dc.debugger, forced_writer, &dc);
	zapper = race_start(dc.zapper, dontneed_loop, &dc);
	race_join(writer);
	race_join(zapper);
	sim_point_set_hook(SP_GUP_AFTER_FAULTIN, NULL, NULL);
	if (dc.cache_changed >= 0)
		fail_msg("the file's page changed at iteration %d (seed %u)", dc.cache_changed,
			 dc.seed);
	assert_int_equal(dc.forced_writes, RACE_ITERATIONS);
	assert_int_equal(global_node_page_state(NR_FILE_DIRTY), 0);
	assert_int_equal(sim_check(NULL), 0);
	teardown(&dc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FILE_TEST(test_forced_write_copies_and_dontneed_rereads_the_file),
		FILE_TEST(test_race_forced_write_against_dontneed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
