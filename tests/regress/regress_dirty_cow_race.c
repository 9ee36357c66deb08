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
	struct task_struct *victim;  /* maps the page read-only */
	struct task_struct *sibling; /* forked from it: shares the page */
	unsigned long addr;
	unsigned int seed;
	int sibling_changed; /* iteration at which the sibling's page changed, or -1 */
	int forced_writes;   /* forced writes that went through: the race really ran */
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
	struct task_struct *self = task_create("debugger");
	unsigned int seed = dc->seed;
	char bytes[64];

	set_current(self);
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
	task_exit(self);
	set_current(NULL);
	return NULL;
}

/* A thread of the victim: throws its copy away again and again. */
static void *dontneed_loop(void *arg)
{
	struct dirty_cow *dc = arg;
	struct task_struct *self = task_clone_thread(dc->victim);
	unsigned int seed = dc->seed ^ 0x9e3779b9u;

	set_current(self);
	for (int i = 0; i < RACE_ITERATIONS; i++) {
		sys_madvise(dc->addr, PAGE_SIZE, MADV_DONTNEED);
		race_jitter(&seed);
	}
	task_exit(self);
	set_current(NULL);
	return NULL;
}

static void test_race_forced_write_against_dontneed(void **state)
{
	struct dirty_cow dc;
	pthread_t writer, zapper;

	(void)state;
	setup_victim(&dc);
	dc.seed = race_seed();
	writer = race_start(forced_writer, &dc);
	zapper = race_start(dontneed_loop, &dc);
	race_join(writer);
	race_join(zapper);
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
