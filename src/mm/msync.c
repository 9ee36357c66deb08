// SPDX-License-Identifier: GPL-2.0-only
/*
 * msync: MS_SYNC writes back, through vfs_fsync_range(), the file range each
 * shared file mapping in the range covers; MS_ASYNC and MS_INVALIDATE write
 * nothing, as in Linux since 2.6.19.
 */
#include "fs/internal.h"

/* The bytes of @vma's file that [@start, @end) of it maps: [*@fstart, *@fend]. */
static void vma_file_range(struct vm_area_struct *vma, unsigned long start, unsigned long end,
			   loff_t *fstart, loff_t *fend)
{
	*fstart = ((loff_t)vma->vm_pgoff << PAGE_SHIFT) + (loff_t)(start - vma->vm_start);
	*fend = *fstart + (loff_t)(min_t(unsigned long, end, vma->vm_end) - start) - 1;
}

/* Writeback takes every mapper's mmap_lock: ours is dropped meanwhile. */
static int fsync_without_mmap_lock(struct mm_struct *mm, struct file *file, loff_t fstart,
				   loff_t fend)
{
	int err;

	get_file(file); /* the file outlives an munmap while the lock is away */
	mmap_read_unlock(mm);
	err = vfs_fsync_range(file, fstart, fend);
	fput(file);
	mmap_read_lock(mm);
	return err;
}

/*
 * Walk the VMAs over [start, end) with mmap_lock held for read; a shared file
 * VMA is written back with the lock dropped (writeback takes every mapper's lock),
 * and the walk goes on from the VMA's end. Return: 0 or -errno; a hole in the
 * range gives -ENOMEM after the rest was done.
 */
static int msync_range(struct mm_struct *mm, unsigned long start, unsigned long end, int flags)
{
	int hole = 0, err = 0;

	mmap_read_lock(mm);
	while (start < end) {
		struct vm_area_struct *vma = find_vma(mm, start);
		loff_t fstart, fend;
		struct file *file;

		if (!vma || vma->vm_start >= end) {
			err = -ENOMEM;
			break;
		}
		if (vma->vm_start > start) {
			hole = -ENOMEM;
			start = vma->vm_start;
		}
		if ((flags & MS_INVALIDATE) && (vma->vm_flags & VM_LOCKED)) {
			err = -EBUSY;
			break;
		}
		vma_file_range(vma, start, end, &fstart, &fend);
		file = vma->vm_file;
		start = vma->vm_end;
		if (!(flags & MS_SYNC) || !file || !(vma->vm_flags & VM_SHARED))
			continue;
		err = fsync_without_mmap_lock(mm, file, fstart, fend);
		if (err)
			break;
	}
	mmap_read_unlock(mm);
	return err ? err : hole;
}

int sys_msync(unsigned long start, size_t len, int flags)
{
	SIM_ENTER(sim_entry_err);
	unsigned long end;

	if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) || (start & ~PAGE_MASK))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	end = start + len;
	if (end < start)
		return -ENOMEM;
	return end == start ? 0 : msync_range(current->mm, start, end, flags);
}
