// SPDX-License-Identifier: GPL-2.0-only
/*
 * A FOLL_PIN fast walk racing fork() in another thread of the same process must
 * never leave a pin on a page the parent then COWs away: after every race, a
 * write by the parent lands in the page it pinned (the pin stays coherent).
 */
#include "harness.h"
#include <string.h>
#include "race.h"

#define RACE_ITERATIONS 500

struct fork_pin {
	struct task_struct *parent;
	struct task_struct *forker; /* another thread of the parent */
	unsigned long addr;
	unsigned int seed;
	bool stop;
};

static struct fork_pin *setup_parent(struct fork_pin *fp)
{
	char zero = 0;

	fp->parent = start_task("parent");
	fp->addr = map_rw(1);
	assert_int_equal(copy_to_user(fp->addr, &zero, 1), 0);
	return fp;
}

/* Pin the page fast, write through the mapping, and see the write in the pin. */
static bool pin_then_write_is_coherent(struct fork_pin *fp, unsigned char mark)
{
	struct page *page;
	bool coherent;

	/* A fork in flight only sends the pin down the slow path: it must still succeed. */
	assert_int_equal(pin_user_pages_fast(fp->addr, 1, FOLL_WRITE, &page), 1);
	assert_int_equal(copy_to_user(fp->addr, &mark, 1), 0);
	coherent = *(unsigned char *)page_address(page) == mark;
	unpin_user_page(page);
	return coherent;
}

static void test_pin_survives_fork(void **state)
{
	struct fork_pin fp = {0};
	struct task_struct *child;
	struct page *page;
	unsigned char mark = 'p';

	(void)state;
	setup_parent(&fp);
	assert_int_equal(pin_user_pages_fast(fp.addr, 1, FOLL_WRITE, &page), 1);
	child = sys_fork();
	assert_non_null(child);
	assert_int_equal(global_node_page_state(NR_FORK_EARLY_COW), 1);
	assert_int_equal(copy_to_user(fp.addr, &mark, 1), 0);
	assert_int_equal(*(unsigned char *)page_address(page), mark);
	unpin_user_page(page);
	task_exit(child);
	assert_true(pin_then_write_is_coherent(&fp, 'q'));
	task_exit(fp.parent);
	set_current(NULL);
}

/* Another thread of the parent: fork and reap, until told to stop. */
static void *forker(void *arg)
{
	struct fork_pin *fp = arg;

	for (int i = 0; i < RACE_ITERATIONS && !__atomic_load_n(&fp->stop, __ATOMIC_ACQUIRE); i++) {
		struct task_struct *child = sys_fork();

		if (child)
			task_exit(child);
	}
	task_exit(current);
	return NULL;
}

static void test_race_fast_pin_against_fork(void **state)
{
	struct fork_pin fp = {0};
	struct sim_thread *thread;
	int incoherent = -1;

	(void)state;
	fp.seed = race_seed();
	setup_parent(&fp);
	fp.forker = task_clone_thread(fp.parent);
	assert_non_null(fp.forker);
	/* The pin is exposed between the speculative grab and the seqcount recheck. */
	race_widen(SP_GUP_FAST_AFTER_GRAB, &fp.seed);
	thread = race_start(fp.forker, forker, &fp);
	for (int i = 0; i < RACE_ITERATIONS && incoherent < 0; i++) {
		if (!pin_then_write_is_coherent(&fp, (unsigned char)(i | 1)))
			incoherent = i;
	}
	__atomic_store_n(&fp.stop, true, __ATOMIC_RELEASE);
	race_join(thread);
	sim_point_set_hook(SP_GUP_FAST_AFTER_GRAB, NULL, NULL);
	if (incoherent >= 0)
		fail_msg("iteration %d: the parent's write missed its pinned page (seed %u)",
			 incoherent, fp.seed);
	task_exit(fp.parent);
	set_current(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_pin_survives_fork),
		GUP_TEST(test_race_fast_pin_against_fork),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
