// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_sched.c - tasks and threads: creation, pids, mm_users, exit order,
 * set_current, and SIGKILL interrupting killable mmap_lock waits (while plain
 * waits ride it out).
 */
#include "harness.h"

#include <string.h>

static void test_task_create(void **state)
{
	struct task_struct *t = task_create("a-rather-long-task-name");

	(void)state;
	assert_non_null(t);
	assert_true(t->pid > 0);
	assert_int_equal(t->tgid, t->pid);
	assert_non_null(t->mm);
	assert_int_equal(atomic_read(&t->mm->mm_users), 1);
	assert_ptr_equal(t->mm->owner, t);
	assert_int_equal(strlen(t->comm), TASK_COMM_LEN - 1);
	assert_ptr_equal(find_task_by_pid(t->pid), t);
	assert_false(fatal_signal_pending(t));
	task_exit(t);
}

static void test_set_current_returns_previous(void **state)
{
	struct task_struct *a = task_create("a"), *b = task_create("b");

	(void)state;
	assert_null(set_current(a));
	assert_ptr_equal(current, a);
	assert_ptr_equal(set_current(b), a);
	assert_ptr_equal(set_current(NULL), b);
	assert_null(current);
	errno = 0;
	assert_null(sys_fork()); /* nobody to fork: a thread running no task (warns once) */
	assert_int_equal(errno, ESRCH);
	task_exit(a);
	task_exit(b);
}

static void test_threads_share_the_mm(void **state)
{
	struct task_struct *leader = task_create("proc"), *thread;
	struct mm_struct *mm = leader->mm;
	unsigned long addr;
	int pid;
	char c = 0;

	(void)state;
	thread = task_clone_thread(leader);
	assert_non_null(thread);
	assert_ptr_equal(thread->mm, mm);
	assert_int_equal(thread->tgid, leader->pid);
	assert_true(thread->pid != leader->pid);
	assert_int_equal(atomic_read(&mm->mm_users), 2);

	set_current(leader);
	addr = sys_mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_int_equal(copy_to_user(addr, "t", 1), 0);
	/* The leader goes first; the thread keeps the address space alive. */
	pid = leader->pid;
	task_exit(leader);
	assert_null(current);
	assert_null(find_task_by_pid(pid));
	assert_int_equal(atomic_read(&mm->mm_users), 1);
	assert_null(mm->owner);
	set_current(thread);
	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	assert_int_equal(c, 't');
	task_exit(thread);
}

static void test_killed_task_fails_killable_lock_at_once(void **state)
{
	struct task_struct *t = task_create("victim");

	(void)state;
	set_current(t);
	task_kill(t);
	assert_true(fatal_signal_pending(t));
	assert_int_equal(mmap_read_lock_killable(t->mm), -EINTR);
	assert_int_equal(mmap_write_lock_killable(t->mm), -EINTR);
	assert_int_equal(
		(long)sys_mmap(0, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
		-EINTR);
	/* Plain locks still work: a dying task must be able to clean up. */
	mmap_read_lock(t->mm);
	mmap_read_unlock(t->mm);
	task_exit(t);
}

struct waiter {
	struct task_struct *task;
	pthread_barrier_t started;
	bool killable;
	int ret;
};

static void *wait_for_read_lock(void *arg)
{
	struct waiter *w = arg;

	pthread_barrier_wait(&w->started);
	if (w->killable) {
		w->ret = mmap_read_lock_killable(w->task->mm);
	} else {
		mmap_read_lock(w->task->mm);
		w->ret = 0;
	}
	if (!w->ret)
		mmap_read_unlock(w->task->mm);
	return NULL;
}

/* Yield until @t sleeps on @sem: a wait for a state, not for time. */
static void wait_until_blocked_on(struct task_struct *t, struct rw_semaphore *sem)
{
	for (;;) {
		bool blocked;

		pthread_mutex_lock(&t->blocked_lock);
		blocked = t->blocked_on == sem;
		pthread_mutex_unlock(&t->blocked_lock);
		if (blocked)
			return;
		sched_yield();
	}
}

/* Start a thread that waits for @leader's mmap_lock while this one holds it for write. */
static struct sim_thread *start_waiter(struct waiter *w, struct task_struct *leader, bool killable)
{
	struct sim_thread *thread;

	w->task = task_clone_thread(leader);
	w->killable = killable;
	w->ret = 1;
	pthread_barrier_init(&w->started, NULL, 2);
	assert_int_equal(sim_thread_spawn(w->task, wait_for_read_lock, w, &thread), 0);
	pthread_barrier_wait(&w->started);
	wait_until_blocked_on(w->task, &leader->mm->mmap_lock);
	return thread;
}

static void test_kill_interrupts_killable_read_lock(void **state)
{
	struct task_struct *leader = task_create("holder");
	struct waiter w;
	struct sim_thread *thread;

	(void)state;
	mmap_write_lock(leader->mm);
	thread = start_waiter(&w, leader, true);
	task_kill(w.task);
	sim_thread_join(thread);
	assert_int_equal(w.ret, -EINTR);
	mmap_write_unlock(leader->mm);
	/* The leader was not killed and can take the lock. */
	assert_false(fatal_signal_pending(leader));
	assert_int_equal(mmap_read_lock_killable(leader->mm), 0);
	mmap_read_unlock(leader->mm);
	pthread_barrier_destroy(&w.started);
	task_exit(w.task);
	task_exit(leader);
}

static void test_kill_does_not_break_plain_read_lock(void **state)
{
	struct task_struct *leader = task_create("holder");
	struct waiter w;
	struct sim_thread *thread;

	(void)state;
	mmap_write_lock(leader->mm);
	thread = start_waiter(&w, leader, false);
	task_kill(w.task);
	/* Still asleep on the lock; it gets it once the writer leaves. */
	mmap_write_unlock(leader->mm);
	sim_thread_join(thread);
	assert_int_equal(w.ret, 0);
	assert_false(rwsem_is_locked(&leader->mm->mmap_lock));
	pthread_barrier_destroy(&w.started);
	task_exit(w.task);
	task_exit(leader);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_task_create),
		GUP_TEST(test_set_current_returns_previous),
		GUP_TEST(test_threads_share_the_mm),
		GUP_TEST(test_killed_task_fails_killable_lock_at_once),
		GUP_TEST(test_kill_interrupts_killable_read_lock),
		GUP_TEST(test_kill_does_not_break_plain_read_lock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
