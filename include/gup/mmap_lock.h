/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The mmap_lock API: mm->mmap_lock taken through the kernel's wrappers, so call
 * sites read as the kernel's do.
 */
#ifndef GUP_MMAP_LOCK_H
#define GUP_MMAP_LOCK_H

#include <gup/mm_types.h>
#include <gup/rwsem.h>

#ifdef __cplusplus
extern "C" {
#endif

static inline void mmap_read_lock(struct mm_struct *mm)
{
	down_read(&mm->mmap_lock);
}

/**
 * mmap_read_lock_killable() - take mmap_lock for read unless the task is killed.
 * @mm: the address space.
 *
 * Return: 0 with the lock held; -EINTR, without it, if current has a fatal signal
 * pending on entry or receives one (task_kill) while waiting.
 */
static inline int mmap_read_lock_killable(struct mm_struct *mm)
{
	return down_read_killable(&mm->mmap_lock);
}

/* Return: true with the read lock held, false if a writer holds or waits for it. */
static inline bool mmap_read_trylock(struct mm_struct *mm)
{
	return down_read_trylock(&mm->mmap_lock);
}

static inline void mmap_read_unlock(struct mm_struct *mm)
{
	up_read(&mm->mmap_lock);
}

static inline void mmap_write_lock(struct mm_struct *mm)
{
	down_write(&mm->mmap_lock);
}

/**
 * mmap_write_lock_killable() - take mmap_lock for write unless the task is killed.
 * @mm: the address space.
 *
 * Return: 0 with the lock held; -EINTR, without it, on a fatal signal.
 */
static inline int mmap_write_lock_killable(struct mm_struct *mm)
{
	return down_write_killable(&mm->mmap_lock);
}

static inline void mmap_write_unlock(struct mm_struct *mm)
{
	up_write(&mm->mmap_lock);
}

static inline void mmap_write_downgrade(struct mm_struct *mm)
{
	downgrade_write(&mm->mmap_lock);
}

#ifdef __cplusplus
}
#endif

#endif /* GUP_MMAP_LOCK_H */
