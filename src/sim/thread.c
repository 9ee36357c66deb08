// SPDX-License-Identifier: GPL-2.0-only
/*
 * sim_thread_spawn(): the one way a simulated thread starts. It binds the task,
 * sets up the thread's RCU and vmstat state, runs the body and unbinds.
 */
#include "mm/internal.h"
#include "lib/rcu.h"

struct sim_thread {
	pthread_t thread;
	struct task_struct *task;
	void *(*fn)(void *arg);
	void *arg;
};

static void *sim_thread_main(void *arg)
{
	struct sim_thread *thread = arg;
	void *ret;

	set_current(thread->task);
	/* liburcu-bp registers a thread at its first read-side section: do it now. */
	sim_rcu_read_lock();
	sim_rcu_read_unlock();
	if (!vmstat_this_thread)
		vmstat_register_thread();
	ret = thread->fn(thread->arg);
	set_current(NULL);
	return ret;
}

int sim_thread_spawn(struct task_struct *task, void *(*fn)(void *arg), void *arg,
		     struct sim_thread **handle)
{
	struct sim_thread *thread;
	int err;

	if (!fn || !handle)
		return -EINVAL;
	*handle = NULL;
	thread = malloc(sizeof(*thread));
	if (!thread)
		return -ENOMEM;
	*thread = (struct sim_thread){.task = task, .fn = fn, .arg = arg};
	err = pthread_create(&thread->thread, NULL, sim_thread_main, thread);
	if (err) {
		free(thread);
		return -EAGAIN;
	}
	*handle = thread;
	return 0;
}

void *sim_thread_join(struct sim_thread *thread)
{
	void *ret = NULL;

	pthread_join(thread->thread, &ret);
	free(thread);
	return ret;
}
