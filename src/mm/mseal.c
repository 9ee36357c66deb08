// SPDX-License-Identifier: GPL-2.0-only
/*
 * mseal (Linux 6.10): sealing VMAs against change. A sealed VMA cannot be
 * unmapped, moved, mapped over, reprotected, or (read-only anonymous memory)
 * discarded by madvise: -EPERM. 6.18 profile only: 5.11 has no such call.
 */
#include "mm/internal.h"

static bool vma_is_sealed(const struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_SEALED;
}

/*
 * Does any VMA in [start, end) of @mm refuse change? mmap_lock held. Return:
 * true when the range may be changed (nothing sealed in it).
 */
bool can_modify_mm(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	for (struct vm_area_struct *vma = find_vma(mm, start); vma && vma->vm_start < end;
	     vma = vma->vm_next)
		if (vma_is_sealed(vma))
			return false;
	return true;
}

/* The madvise advice that throws data away (of those libgup has). */
static bool is_madv_discard(int behavior)
{
	return behavior == MADV_DONTNEED || behavior == MADV_DONTFORK ||
	       behavior == MADV_WIPEONFORK;
}

/*
 * Private anonymous memory the task cannot write: discarding it would be the
 * same as writing zeroes to it, which the seal is there to prevent.
 */
static bool is_ro_anon(const struct vm_area_struct *vma)
{
	return !vma->vm_file && !(vma->vm_flags & VM_SHARED) && !(vma->vm_flags & VM_WRITE);
}

/*
 * May madvise(@behavior) act on [start, end)? Only discarding advice on sealed
 * read-only anonymous memory is refused; writable memory the task could zero
 * itself anyway. mmap_lock held. Return: true when allowed.
 */
bool can_modify_mm_madv(struct mm_struct *mm, unsigned long start, unsigned long end, int behavior)
{
	if (!is_madv_discard(behavior))
		return true;
	for (struct vm_area_struct *vma = find_vma(mm, start); vma && vma->vm_start < end;
	     vma = vma->vm_next)
		if (vma_is_sealed(vma) && is_ro_anon(vma))
			return false;
	return true;
}

/* Is every byte of [start, end) mapped? */
static bool range_is_mapped(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start);
	unsigned long covered = start;

	for (; vma && vma->vm_start <= covered && covered < end; vma = vma->vm_next)
		covered = vma->vm_end;
	return covered >= end;
}

/* Seal [start, end) of @vma, splitting it where the range ends inside it. */
static int seal_vma_range(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long start,
			  unsigned long end)
{
	if (vma_is_sealed(vma))
		return 0;
	if (split_vma(mm, vma, start, 1) || split_vma(mm, vma, end, 0))
		return -ENOMEM;
	vma->vm_flags |= VM_SEALED;
	vma_merge_neighbours(mm, vma);
	return 0;
}

/**
 * sys_mseal() - seal [start, start+len) of the current task
 * @start: page-aligned first address.
 * @len: bytes, rounded up to pages.
 * @flags: must be 0.
 *
 * Return: 0 (also for a zero @len); -ENOSYS when the running profile has no
 * mseal (5.11); -EINVAL for @flags, an unaligned @start or a range that wraps;
 * -ENOMEM when part of the range is unmapped (nothing is sealed then) or a
 * split ran out of memory; -EINTR when killed waiting for mmap_lock.
 */
int sys_mseal(unsigned long start, size_t len, unsigned long flags)
{
	SIM_ENTER(sim_entry_err);
	struct mm_struct *mm = current->mm;
	size_t aligned = ALIGN_UP(len, PAGE_SIZE);
	unsigned long end, pos;
	int err = 0;

	if (!mm_has_call(MM_CALL_MSEAL))
		return -ENOSYS;
	if (flags || !IS_ALIGNED(start, PAGE_SIZE) || aligned < len)
		return -EINVAL;
	if (__builtin_add_overflow(start, aligned, &end))
		return -EINVAL;
	if (end == start)
		return 0;
	if (mmap_write_lock_killable(mm))
		return -EINTR;
	if (!range_is_mapped(mm, start, end)) {
		mmap_write_unlock(mm);
		return -ENOMEM;
	}
	for (pos = start; pos < end && !err;) {
		struct vm_area_struct *vma = find_vma(mm, pos);
		unsigned long stop = min_t(unsigned long, vma->vm_end, end);

		err = seal_vma_range(mm, vma, pos, stop);
		pos = stop;
	}
	mmap_write_unlock(mm);
	return err;
}
