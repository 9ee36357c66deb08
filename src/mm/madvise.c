// SPDX-License-Identifier: GPL-2.0-only
/*
 * madvise: DONTNEED (zap), DONTFORK/DOFORK, WIPEONFORK/KEEPONFORK, HUGEPAGE/NOHUGEPAGE
 * the POPULATE_READ/WRITE prefaulting that goes through GUP, and COLD/PAGEOUT
 * (deactivation and reclaim of the range's pages).
 */
#include "mm/internal.h"

static bool madvise_behavior_valid(int behavior)
{
	switch (behavior) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_DONTFORK:
	case MADV_DOFORK:
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK:
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_COLD:
	case MADV_PAGEOUT:
		return true;
	default:
		return false;
	}
}

/* Whether @behavior takes the write side of mmap_lock (it changes VMAs). */
static bool madvise_need_mmap_write(int behavior)
{
	return behavior != MADV_DONTNEED && behavior != MADV_WILLNEED &&
	       behavior != MADV_POPULATE_READ && behavior != MADV_POPULATE_WRITE &&
	       behavior != MADV_COLD && behavior != MADV_PAGEOUT;
}

static int madvise_vma_flags(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long start,
			     unsigned long end, int behavior)
{
	vm_flags_t newflags = vma->vm_flags;
	int err;

	switch (behavior) {
	case MADV_DONTFORK:
		newflags |= VM_DONTCOPY;
		break;
	case MADV_DOFORK:
		if (vma->vm_flags & VM_IO)
			return -EINVAL;
		newflags &= ~VM_DONTCOPY;
		break;
	case MADV_WIPEONFORK:
		if (vma->vm_file || (vma->vm_flags & VM_SHARED))
			return -EINVAL;
		newflags |= VM_WIPEONFORK;
		break;
	case MADV_KEEPONFORK:
		newflags &= ~VM_WIPEONFORK;
		break;
	case MADV_RANDOM:
		newflags = (newflags & ~VM_SEQ_READ) | VM_RAND_READ;
		break;
	case MADV_SEQUENTIAL:
		newflags = (newflags & ~VM_RAND_READ) | VM_SEQ_READ;
		break;
	case MADV_NORMAL:
		newflags &= ~(VM_RAND_READ | VM_SEQ_READ);
		break;
	case MADV_HUGEPAGE:
		/* 5.11 hugepage_madvise(): only flags, no error for VMAs THP never serves. */
		newflags = (newflags & ~VM_NOHUGEPAGE) | VM_HUGEPAGE;
		break;
	case MADV_NOHUGEPAGE:
		newflags = (newflags & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
		break;
	}
	if (newflags == vma->vm_flags)
		return 0;
	/* madvise reports a shortage of kernel resources as temporary; a cut inside a
	 * hugetlb page stays -EINVAL. */
	err = split_vma(mm, vma, start, 1);
	if (!err)
		err = split_vma(mm, vma, end, 0);
	if (err)
		return err == -ENOMEM ? -EAGAIN : err;
	vma->vm_flags = newflags;
	vma_merge_neighbours(mm, vma);
	return 0;
}

static int madvise_dontneed(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
	if (vma->vm_flags & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB))
		return -EINVAL;
	zap_page_range(vma, start, end - start);
	return 0;
}

/*
 * MADV_COLD and MADV_PAGEOUT (5.4): pages this VMA alone maps lose their young
 * bit; COLD moves them to the inactive list, PAGEOUT reclaims them (anonymous
 * pages to swap, page-cache pages written back and dropped; 5.11's can_do_pageout()
 * asks for a file the caller owns, which every task here does). Locked, hugetlb and
 * PFN-map VMAs are skipped
 * (can_madv_lru_vma), as are huge pmds (no split here).
 */
static int madvise_cold_or_pageout(struct vm_area_struct *vma, unsigned long start,
				   unsigned long end, bool pageout)
{
	LIST_HEAD(isolated);

	if (vma->vm_flags & (VM_LOCKED | VM_HUGETLB | VM_PFNMAP))
		return -EINVAL;
	lru_add_drain();
	for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) {
		pte_t *ptep, pte;
		spinlock_t *ptl;
		struct page *lru_page;

		if (follow_pte(vma->vm_mm, addr, &ptep, &ptl))
			continue;
		pte = ptep_get(ptep);
		lru_page = vm_normal_page(vma, addr, pte);
		if (lru_page && !PageCompound(lru_page) && page_mapcount(lru_page) == 1) {
			if (pte_young(pte))
				set_pte(ptep, pte_mkold(pte));
			if (!pageout)
				deactivate_page(lru_page);
			else if (!isolate_lru_page(lru_page))
				list_add(&lru_page->lru, &isolated);
		}
		pte_unmap_unlock(ptep, ptl);
	}
	if (pageout)
		reclaim_pages(&isolated);
	return 0;
}

/* GUP's errors as MADV_POPULATE_* reports them (Linux 5.14): the rest read as -ENOMEM. */
static int populate_error(long err)
{
	bool passed_through =
		err == -EINTR || err == -EINVAL || err == -EHWPOISON || err == -EFAULT;

	return passed_through ? (int)err : -ENOMEM;
}

/*
 * 6.9: one GUP walk over the whole range (faultin_page_range()), which reports
 * holes and refused VMAs itself; a dropped lock is taken again and the walk
 * goes on from where it stopped.
 */
static int madvise_populate_6_9(struct mm_struct *mm, unsigned long start, unsigned long end,
				bool write)
{
	int held = 1;

	while (start < end) {
		long done = faultin_page_range(mm, start, end, write, &held);

		/* A fault dropped the lock: take it back first, the error path unlocks too. */
		if (!held && mmap_read_lock_killable(mm))
			return -EINTR;
		held = 1;
		if (done < 0) {
			mmap_read_unlock(mm);
			return populate_error(done);
		}
		start += (unsigned long)done << PAGE_SHIFT;
	}
	mmap_read_unlock(mm);
	return 0;
}

/*
 * Fault in [start, end) VMA by VMA; a hole anywhere gives -ENOMEM. The 5.14
 * call as libgup's 5.11 profile has it (docs/profiles.md); kernels that know
 * FOLL_MADV_POPULATE take madvise_populate_6_9().
 */
static int madvise_populate(struct mm_struct *mm, unsigned long start, unsigned long end,
			    int behavior)
{
	bool write = behavior == MADV_POPULATE_WRITE;
	int locked = 1, ret = 0;

	if (mm_profile->later_foll_flags & FOLL_MADV_POPULATE)
		return madvise_populate_6_9(mm, start, end, write);
	while (start < end && !ret) {
		struct vm_area_struct *vma;
		long done;

		if (!locked) {
			if (mmap_read_lock_killable(mm))
				return -EINTR; /* nothing held: the fault path dropped the lock */
			locked = 1;
		}
		vma = find_vma(mm, start);
		if (vma == NULL || vma->vm_start > start) {
			ret = -ENOMEM;
			break;
		}
		done = faultin_vma_page_range(vma, start, min_t(unsigned long, end, vma->vm_end),
					      write, &locked);
		if (done < 0)
			ret = populate_error(done);
		else
			start += done * PAGE_SIZE;
	}
	if (locked)
		mmap_read_unlock(mm);
	return ret; /* 0 once the whole range is in */
}

/**
 * sys_madvise() - advise on [start, start+len) of the current task.
 *
 * Return: 0; -EINVAL for an unaligned start, an unknown behaviour, or a VMA the
 * advice cannot apply to; -ENOMEM when part of the range is unmapped (the mapped
 * parts are still advised); -EAGAIN when a VMA could not be split; for
 * MADV_POPULATE_*: -EFAULT when a fault failed
 * (SIGBUS/SIGSEGV), -EINVAL for VM_IO/VM_PFNMAP or missing permissions, -ENOMEM
 * for holes or memory shortage, -EINTR on a fatal signal.
 */
int sys_madvise(unsigned long start, size_t len_in, int behavior)
{
	SIM_ENTER(sim_entry_err);
	struct mm_struct *mm = current->mm;
	bool write = madvise_need_mmap_write(behavior);
	size_t len = ALIGN_UP(len_in, PAGE_SIZE);
	unsigned long end, pos;
	int unmapped_error = 0, error = 0;

	if (!IS_ALIGNED(start, PAGE_SIZE) || !madvise_behavior_valid(behavior))
		return -EINVAL;
	/* A length that rounds up to zero was a small negative one. */
	if (len_in && !len)
		return -EINVAL;
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	if (behavior == MADV_POPULATE_READ || behavior == MADV_POPULATE_WRITE) {
		if (mmap_read_lock_killable(mm))
			return -EINTR;
		return madvise_populate(mm, start, end, behavior);
	}
	if (write ? mmap_write_lock_killable(mm) : mmap_read_lock_killable(mm))
		return -EINTR;
	/* 6.10: sealed read-only anonymous memory may not be discarded. */
	if (!can_modify_mm_madv(mm, start, end, behavior))
		error = -EPERM;
	for (pos = start; pos < end && !error;) {
		struct vm_area_struct *vma = find_vma(mm, pos);
		unsigned long tmp;

		if (!vma || vma->vm_start >= end) {
			unmapped_error = -ENOMEM;
			break;
		}
		if (vma->vm_start > pos) {
			unmapped_error = -ENOMEM;
			pos = vma->vm_start;
		}
		tmp = min_t(unsigned long, vma->vm_end, end);
		if (behavior == MADV_DONTNEED)
			error = madvise_dontneed(vma, pos, tmp);
		else if (behavior == MADV_COLD || behavior == MADV_PAGEOUT)
			error = madvise_cold_or_pageout(vma, pos, tmp, behavior == MADV_PAGEOUT);
		else if (behavior != MADV_WILLNEED)
			error = madvise_vma_flags(mm, vma, pos, tmp, behavior);
		pos = tmp;
	}
	if (write)
		mmap_write_unlock(mm);
	else
		mmap_read_unlock(mm);
	return error ? error : unmapped_error;
}
