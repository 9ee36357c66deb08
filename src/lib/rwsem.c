// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reader/writer semaphore behind mmap_lock. Writers are preferred once waiting,
 * as the kernel's rwsem hands off to a queued writer; killable waits give up with
 * -EINTR when the waiting task gets SIGKILL (task_kill wakes the queue).
 */
#include <gup/rwsem.h>
#include <gup/sched.h>

void init_rwsem(struct rw_semaphore *sem)
{
	pthread_mutex_init(&sem->lock, NULL);
	pthread_cond_init(&sem->wait, NULL);
	sem->readers = 0;
	sem->writer = false;
	sem->writers_waiting = 0;
}

void destroy_rwsem(struct rw_semaphore *sem)
{
	pthread_cond_destroy(&sem->wait);
	pthread_mutex_destroy(&sem->lock);
}

static void set_blocked_on(struct rw_semaphore *sem)
{
	if (!current)
		return;
	pthread_mutex_lock(&current->blocked_lock);
	current->blocked_on = sem;
	pthread_mutex_unlock(&current->blocked_lock);
}

static bool reader_may_enter(struct rw_semaphore *sem)
{
	return !sem->writer && !sem->writers_waiting;
}

static bool writer_may_enter(struct rw_semaphore *sem)
{
	return !sem->writer && !sem->readers;
}

/*
 * Take @sem->lock and wait until @can_enter holds; with @killable, give up on a
 * fatal signal. Returns with @sem->lock held. The task advertises the semaphore
 * it sleeps on before taking @sem->lock, so task_kill never nests the two locks
 * the other way round. @waiters counts queued writers, which hold off new readers.
 */
static int rwsem_wait(struct rw_semaphore *sem, bool (*can_enter)(struct rw_semaphore *),
		      bool killable, int *waiters)
{
	int ret = 0;

	pthread_mutex_lock(&sem->lock);
	if (can_enter(sem))
		return 0;
	pthread_mutex_unlock(&sem->lock);
	set_blocked_on(sem);
	pthread_mutex_lock(&sem->lock);
	if (waiters)
		(*waiters)++;
	while (!can_enter(sem)) {
		if (killable && fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		pthread_cond_wait(&sem->wait, &sem->lock);
	}
	if (waiters)
		(*waiters)--;
	if (ret)
		pthread_cond_broadcast(&sem->wait); /* readers queued behind us may go */
	else if (waiters)
		return 0; /* a writer takes the lock now, still holding sem->lock */
	pthread_mutex_unlock(&sem->lock);
	set_blocked_on(NULL);
	pthread_mutex_lock(&sem->lock);
	if (!ret && !can_enter(sem)) {
		/* Someone slipped in while the lock was dropped: queue again. */
		pthread_mutex_unlock(&sem->lock);
		return rwsem_wait(sem, can_enter, killable, waiters);
	}
	return ret;
}

static int __down_read(struct rw_semaphore *sem, bool killable)
{
	int ret = rwsem_wait(sem, reader_may_enter, killable, NULL);

	if (!ret)
		sem->readers++;
	pthread_mutex_unlock(&sem->lock);
	return ret;
}

void down_read(struct rw_semaphore *sem)
{
	__down_read(sem, false);
}

int down_read_killable(struct rw_semaphore *sem)
{
	if (fatal_signal_pending(current))
		return -EINTR;
	return __down_read(sem, true);
}

bool down_read_trylock(struct rw_semaphore *sem)
{
	bool ok;

	pthread_mutex_lock(&sem->lock);
	ok = reader_may_enter(sem);
	if (ok)
		sem->readers++;
	pthread_mutex_unlock(&sem->lock);
	return ok;
}

void up_read(struct rw_semaphore *sem)
{
	pthread_mutex_lock(&sem->lock);
	if (--sem->readers == 0)
		pthread_cond_broadcast(&sem->wait);
	pthread_mutex_unlock(&sem->lock);
}

static int __down_write(struct rw_semaphore *sem, bool killable)
{
	int ret = rwsem_wait(sem, writer_may_enter, killable, &sem->writers_waiting);

	if (!ret)
		sem->writer = true;
	pthread_mutex_unlock(&sem->lock);
	if (!ret && current && current->blocked_on)
		set_blocked_on(NULL);
	return ret;
}

void down_write(struct rw_semaphore *sem)
{
	__down_write(sem, false);
}

int down_write_killable(struct rw_semaphore *sem)
{
	if (fatal_signal_pending(current))
		return -EINTR;
	return __down_write(sem, true);
}

bool down_write_trylock(struct rw_semaphore *sem)
{
	bool ok;

	pthread_mutex_lock(&sem->lock);
	ok = writer_may_enter(sem);
	if (ok)
		sem->writer = true;
	pthread_mutex_unlock(&sem->lock);
	return ok;
}

void up_write(struct rw_semaphore *sem)
{
	pthread_mutex_lock(&sem->lock);
	sem->writer = false;
	pthread_cond_broadcast(&sem->wait);
	pthread_mutex_unlock(&sem->lock);
}

void downgrade_write(struct rw_semaphore *sem)
{
	pthread_mutex_lock(&sem->lock);
	sem->writer = false;
	sem->readers++;
	pthread_cond_broadcast(&sem->wait);
	pthread_mutex_unlock(&sem->lock);
}

bool rwsem_is_locked(struct rw_semaphore *sem)
{
	bool locked;

	pthread_mutex_lock(&sem->lock);
	locked = sem->writer || sem->readers;
	pthread_mutex_unlock(&sem->lock);
	return locked;
}

void rwsem_wake_all(struct rw_semaphore *sem)
{
	pthread_mutex_lock(&sem->lock);
	pthread_cond_broadcast(&sem->wait);
	pthread_mutex_unlock(&sem->lock);
}
