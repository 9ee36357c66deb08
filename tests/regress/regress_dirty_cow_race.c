// SPDX-License-Identifier: GPL-2.0-only
/*
 * CVE-2016-5195 ("Dirty COW"): a forced write through access_remote_vm() into a
 * read-only private mapping, racing MADV_DONTNEED of that page, must only ever
 * write a private copy: the page a forked sibling still shares never changes.
 */
#include "harness.h"
#include <string.h>
#include "race.h"

#define RACE_ITERATIONS 2000
#define ORIGINAL 'o'

struct dirty_cow {
	struct task_struct *victim;	       /* maps the page read-only */
	struct task_struct *sibling;	       /* forked from it: shares the page */
	struct task_struct *debugger, *zapper; /* the racing threads' tasks */
	unsigned long addr;
	unsigned int seed;
	unsigned int window_seed; /* the writer's draws: zap inside its window or not */
	int sibling_changed;	  /* iteration at which the sibling's page changed, or -1 */
	int forced_writes;	  /* forced writes that went through: the race really ran */
};

/* The victim: a private page of ORIGINAL bytes, made read-only, then forked. */
static void setup_victim(struct dirty_cow *dc)
{
	static unsigned char bytes[PAGE_SIZE];

	dc->victim = start_task("victim");
	dc->addr = map_rw(1);
	memset(bytes, ORIGINAL, sizeof(bytes));
	assert_int_equal(copy_to_user(dc->addr, bytes, sizeof(bytes)), 0);
	assert_int_equal(sys_mprotect(dc->addr, PAGE_SIZE, PROT_READ), 0);
	dc->sibling = sys_fork();
	assert_non_null(dc->sibling);
	set_current(NULL);
	dc->sibling_changed = -1;
	dc->forced_writes = 0;
}

static bool sibling_page_is_original(struct dirty_cow *dc)
{
	unsigned char bytes[PAGE_SIZE];

	if (access_process_vm(dc->sibling, dc->addr, bytes, PAGE_SIZE, 0) != PAGE_SIZE)
		return false;
	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (bytes[i] != ORIGINAL)
			return false;
	return true;
}

static void teardown_tasks(struct dirty_cow *dc)
{
	task_exit(dc->sibling);
	task_exit(dc->victim);
}

static void test_forced_write_copies(void **state)
{
	struct dirty_cow dc;
	char evil[] = "EVIL", seen[sizeof(evil)];
	struct task_struct *debugger;

	(void)state;
	setup_victim(&dc);
	debugger = start_task("debugger");
	assert_int_equal(
		access_process_vm(dc.victim, dc.addr, evil, sizeof(evil), FOLL_FORCE | FOLL_WRITE),
		sizeof(evil));
	assert_int_equal(access_process_vm(dc.victim, dc.addr, seen, sizeof(seen), 0),
			 sizeof(seen));
	assert_memory_equal(seen, evil, sizeof(evil));
	assert_true(sibling_page_is_original(&dc));

	/* Dropping the victim's copy gives it a zero page, never the shared one back. */
	set_current(dc.victim);
	assert_int_equal(sys_madvise(dc.addr, PAGE_SIZE, MADV_DONTNEED), 0);
	set_current(debugger); /* access_process_vm() runs in a task, as ptrace does */
	assert_int_equal(access_process_vm(dc.victim, dc.addr, seen, sizeof(seen), 0),
			 sizeof(seen));
	assert_int_equal(seen[0], 0);
	assert_true(sibling_page_is_original(&dc));
	task_exit(debugger);
	teardown_tasks(&dc);
}

/* The debugger: forced writes into the victim, checking the sibling after each. */
static void *forced_writer(void *arg)
{
	struct dirty_cow *dc = arg;
	unsigned int seed = dc->seed;
	char bytes[64];

	for (int i = 0; i < RACE_ITERATIONS && dc->sibling_changed < 0; i++) {
		size_t len = 1 + rand_r(&seed) % sizeof(bytes);
		unsigned long off = rand_r(&seed) % (PAGE_SIZE - len);

		memset(bytes, 'A' + i % 26, len);
		if (access_process_vm(dc->victim, dc->addr + off, bytes, (int)len,
				      FOLL_FORCE | FOLL_WRITE) == (int)len)
			dc->forced_writes++;
		if (!sibling_page_is_original(dc))
			dc->sibling_changed = i;
	}
	task_exit(current);
	return NULL;
}

/* A thread of the victim: throws its copy away again and again. */
static void *dontneed_loop(void *arg)
{
	struct dirty_cow *dc = arg;

	for (int i = 0; i < RACE_ITERATIONS; i++)
		sys_madvise(dc->addr, PAGE_SIZE, MADV_DONTNEED);
	task_exit(current);
	return NULL;
}

/*
 * Dirty COW's window is between the COW fault and the retried lookup: on a
 * seeded half of the forced writes, drop the fresh copy right there, as the
 * zapper would if it ran at that moment (the writer holds mmap_lock for read,
 * which is all MADV_DONTNEED takes).
 */
static void zap_in_window(enum sim_point_id id, void *ctx, void *arg)
{
	struct vm_area_struct *vma = ctx;
	struct dirty_cow *dc = arg;

	(void)id;
	if (vma->vm_mm == dc->victim->mm && rand_r(&dc->window_seed) % 2)
		zap_page_range(vma, dc->addr, PAGE_SIZE);
}

static void test_race_forced_write_against_dontneed(void **state)
{
	struct dirty_cow dc;
	struct sim_thread *writer, *zapper;

	(void)state;
	setup_victim(&dc);
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
	if (dc.sibling_changed >= 0)
		fail_msg("sibling's page changed at iteration %d (seed %u)", dc.sibling_changed,
			 dc.seed);
	/* Every forced write breaks COW into a private copy, zapped or not: none may fail. */
	assert_int_equal(dc.forced_writes, RACE_ITERATIONS);
	assert_int_equal(sim_check(NULL), 0);
	teardown_tasks(&dc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_forced_write_copies),
		GUP_TEST(test_race_forced_write_against_dontneed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
