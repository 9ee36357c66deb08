/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Simulated threads: every host thread that runs a task starts here, so that the
 * task binding and the per-thread RCU and vmstat state are set up in one place.
 */
#ifndef GUP_SIM_THREAD_H
#define GUP_SIM_THREAD_H

#include <gup/sched.h>

#ifdef __cplusplus
extern "C" {
#endif

struct sim_thread;

/**
 * sim_thread_spawn() - run @fn(@arg) on a new host thread bound to @task.
 * @task: the task the thread runs (current there); NULL for a thread with no task.
 * @handle: receives the thread, for sim_thread_join().
 *
 * The thread registers with RCU and vmstat before @fn runs and unbinds from @task
 * after it returns; the task itself is the caller's to exit.
 *
 * Return: 0, -EINVAL for a NULL @fn or @handle, -ENOMEM, or -EAGAIN when the host
 * refused a thread (*@handle is then NULL).
 */
int sim_thread_spawn(struct task_struct *task, void *(*fn)(void *arg), void *arg,
		     struct sim_thread **handle);

/* Wait for @thread to finish and free it. Return: what its fn returned. */
void *sim_thread_join(struct sim_thread *thread);

#ifdef __cplusplus
}
#endif

#endif /* GUP_SIM_THREAD_H */
