/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A reader/writer semaphore for mmap_lock. Waiters that are killed (task_kill)
 * are woken, so the killable variants can return -EINTR as the kernel's do.
 */
#ifndef GUP_RWSEM_H
#define GUP_RWSEM_H

#include <gup/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rw_semaphore {
	pthread_mutex_t lock;
	pthread_cond_t wait;
	int readers;	     /* holders in read mode */
	bool writer;	     /* held in write mode */
	int writers_waiting; /* new readers queue behind these */
};

void init_rwsem(struct rw_semaphore *sem);
void destroy_rwsem(struct rw_semaphore *sem);
void down_read(struct rw_semaphore *sem);
int down_read_killable(struct rw_semaphore *sem);
bool down_read_trylock(struct rw_semaphore *sem);
void up_read(struct rw_semaphore *sem);
void down_write(struct rw_semaphore *sem);
int down_write_killable(struct rw_semaphore *sem);
bool down_write_trylock(struct rw_semaphore *sem);
void up_write(struct rw_semaphore *sem);
void downgrade_write(struct rw_semaphore *sem);
bool rwsem_is_locked(struct rw_semaphore *sem);
/* Wake every waiter so killed ones can notice; used by task_kill(). */
void rwsem_wake_all(struct rw_semaphore *sem);

#ifdef __cplusplus
}
#endif

#endif /* GUP_RWSEM_H */
