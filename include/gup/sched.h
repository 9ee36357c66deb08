/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tasks: simulated processes and threads. Each host pthread binds itself to a task
 * with set_current(); `current` is then that task, as on a CPU running it.
 */
#ifndef GUP_SCHED_H
#define GUP_SCHED_H

#include <gup/mm_types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TASK_COMM_LEN 16

struct task_struct {
	char comm[TASK_COMM_LEN];
	int pid;
	int tgid;
	struct mm_struct *mm;
	struct files_struct *files;	 /* descriptors: shared by threads, copied by fork */
	unsigned long fatal_signal;	 /* bit 0: SIGKILL pending */
	struct rw_semaphore *blocked_on; /* the rwsem this task sleeps on, for task_kill */
	pthread_mutex_t blocked_lock;
	struct list_head tasks;
};

extern __thread struct task_struct *current_task;
#ifdef __cplusplus
/* Standard C++ headers have members named current: a per-thread reference, not a macro. */
__attribute__((unused)) static thread_local struct task_struct *&current = current_task;
#else
#define current (current_task)
#endif

/**
 * task_create() - a new process with an empty address space.
 * @comm: name shown in dumps (truncated to 15 characters).
 *
 * Return: the task, or NULL when memory for it (or its page tables) ran out.
 */
struct task_struct *task_create(const char *comm);

/**
 * task_clone_thread() - a new thread sharing @t's address space.
 *
 * Return: the task, or NULL on allocation failure.
 */
struct task_struct *task_clone_thread(struct task_struct *t);

/* Bind the calling pthread to @t (NULL unbinds); returns the previous task. */
struct task_struct *set_current(struct task_struct *t);

/**
 * sys_fork() - fork the current task.
 *
 * Return: the child task, or NULL with errno set: ENOMEM when the copy failed,
 * ENODEV with no machine, ESRCH (and a warning) when the caller runs no task.
 */
struct task_struct *sys_fork(void);

/* The task exits: its address space goes when its last user does. */
void task_exit(struct task_struct *t);

/* Send SIGKILL: killable waits of the task return -EINTR from now on. */
void task_kill(struct task_struct *t);

static inline bool fatal_signal_pending(struct task_struct *t)
{
	return t && (READ_ONCE(t->fatal_signal) & 1);
}

static inline bool signal_pending(struct task_struct *t)
{
	return fatal_signal_pending(t);
}

/* Find a live task by pid, or NULL. */
struct task_struct *find_task_by_pid(int pid);

#ifdef __cplusplus
}
#endif

#endif /* GUP_SCHED_H */
