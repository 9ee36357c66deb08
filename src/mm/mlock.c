// SPDX-License-Identifier: GPL-2.0-only
/*
 * mlock, mlock2 and munlock: set or clear VM_LOCKED (and VM_LOCKONFAULT) on the
 * VMAs of a range; locking then populates through GUP's __mm_populate, unlocking
 * munlocks the pages mapped (a pmd-mapped THP whole, without splitting it) unless
 * another VM_LOCKED VMA still maps them (try_to_munlock's rmap walk).
 */
#include "mm/internal.h"

/*
 * The pages an munlock met, each with a reference: they are munlocked after the
 * walk, under their page lock, which the page-table lock the walk holds forbids.
 */
struct munlock_batch {
	struct page **pages;
	size_t nr, cap;
};

static void munlock_batch_add(struct munlock_batch *batch, struct page *page)
{
	if (!PageMlocked(page))
		return;
	if (batch->nr == batch->cap) {
		size_t cap = batch->cap ? 2 * batch->cap : 16;
		struct page **pages = realloc(batch->pages, cap * sizeof(*pages));

		if (!pages) {
			munlock_vma_page(
				page); /* out of memory: munlocked without the rmap check */
			return;
		}
		batch->pages = pages;
		batch->cap = cap;
	}
	get_page(page);
	batch->pages[batch->nr++] = page;
}

static int munlock_pte(pte_t *pte, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	pte_t entry = ptep_get(pte);
	struct page *page;

	(void)next;
	if (!pte_present(entry))
		return 0;
	page = vm_normal_page(walk->vma, addr, entry);
	if (page)
		munlock_batch_add(walk->private_data, compound_head(page));
	return 0;
}

/*
 * A THP mapped by a huge pmd is munlocked whole, on its head, and stays huge: 5.11's
 * munlock_vma_pages_range() follows it and munlocks thp_nr_pages() at once. (A cut
 * inside the huge range has split the pmd already, at split_vma().)
 */
static int munlock_pmd(pmd_t *pmd, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	spinlock_t *ptl;
	pmd_t entry;

	(void)addr;
	(void)next;
	if (!pmd_trans_huge(pmdp_get(pmd)))
		return 0;
	ptl = pmd_lock(walk->mm);
	entry = pmdp_get(pmd);
	if (pmd_trans_huge(entry)) {
		if (huge_pmd_maps_thp(entry) && !is_huge_zero_pmd(entry))
			munlock_batch_add(walk->private_data, pmd_page(entry));
		walk->action = ACTION_CONTINUE;
	}
	spin_unlock(ptl);
	return 0;
}

static const struct mm_walk_ops munlock_walk_ops = {
	.pmd_entry = munlock_pmd,
	.pte_entry = munlock_pte,
};

/*
 * Munlock the pages mapped in [start, end) of @vma, which is no longer VM_LOCKED.
 * As 5.11's munlock_vma_page(): PG_mlocked goes, then the rmap walk of
 * try_to_munlock() puts it back if another VM_LOCKED VMA still maps the page.
 * A page met twice (mapped twice in the range) is looked at twice, harmlessly.
 */
static void munlock_range(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
	struct munlock_batch batch = {0};

	walk_page_range(vma->vm_mm, start, end, &munlock_walk_ops, &batch);
	for (size_t i = 0; i < batch.nr; i++) {
		struct page *page = batch.pages[i];

		lock_page(page);
		munlock_vma_page(page);
		try_to_munlock(page);
		unlock_page(page);
		put_page(page);
	}
	free(batch.pages);
}

int mlock_fixup_range(struct mm_struct *mm, unsigned long start, unsigned long end, vm_flags_t set,
		      vm_flags_t clear)
{
	struct vm_area_struct *vma = find_vma(mm, start);
	unsigned long nstart = start;

	if (!vma || vma->vm_start > start)
		return -ENOMEM;
	while (nstart < end) {
		unsigned long tmp = min_t(unsigned long, vma->vm_end, end);
		vm_flags_t newflags = (vma->vm_flags & ~clear) | set;

		if (vma->vm_flags & VM_SPECIAL)
			newflags &= ~(VM_LOCKED | VM_LOCKONFAULT); /* never locked, silently */
		if (newflags != vma->vm_flags) {
			bool unlocking = (vma->vm_flags & VM_LOCKED) && !(newflags & VM_LOCKED);

			if (split_vma(mm, vma, nstart, 1) || split_vma(mm, vma, tmp, 0))
				return -ENOMEM;
			if ((newflags ^ vma->vm_flags) & VM_LOCKED)
				mm->locked_vm +=
					(newflags & VM_LOCKED) ? vma_pages(vma) : -vma_pages(vma);
			vma->vm_flags = newflags;
			/* After the flags: the rmap check must not count this VMA as locked. */
			if (unlocking)
				munlock_range(vma, nstart, tmp);
			vma = vma_merge_neighbours(mm, vma);
		}
		/* A merge with the next VMA already gave it the new flags: skip it. */
		nstart = max_t(unsigned long, tmp, vma->vm_end);
		if (nstart >= end)
			break;
		vma = find_vma(mm, nstart);
		if (!vma || vma->vm_start != nstart)
			return -ENOMEM;
	}
	return 0;
}

static int apply_lock(unsigned long start, size_t len, vm_flags_t set, vm_flags_t clear)
{
	struct mm_struct *mm = current->mm;
	unsigned long end;
	int ret;

	len = ALIGN_UP(len + (start & ~PAGE_MASK), PAGE_SIZE);
	start &= PAGE_MASK;
	end = start + len;
	if (end < start || end > TASK_SIZE)
		return -ENOMEM;
	if (!len)
		return 0;
	if (mmap_write_lock_killable(mm))
		return -EINTR;
	ret = mlock_fixup_range(mm, start, end, set, clear);
	mmap_write_unlock(mm);
	return ret;
}

/* mlock reports population failures in POSIX terms. */
static int mlock_posix_error(int error)
{
	if (error == -EFAULT)
		return -ENOMEM;
	if (error == -ENOMEM)
		return -EAGAIN;
	return error;
}

/**
 * sys_mlock2() - lock [start, start+len) into memory, now or (MLOCK_ONFAULT) on fault.
 *
 * Return: 0; -EINVAL for unknown flags; -ENOMEM when part of the range is not
 * mapped (or population hit a bad address); -EAGAIN when population ran out of
 * memory; -EINTR on a fatal signal.
 */
int sys_mlock2(unsigned long start, size_t len, int flags)
{
	SIM_ENTER(sim_entry_err);
	vm_flags_t set = VM_LOCKED;
	int ret;

	if (flags & ~MLOCK_ONFAULT)
		return -EINVAL;
	if (flags & MLOCK_ONFAULT)
		set |= VM_LOCKONFAULT;
	ret = apply_lock(start, len, set, flags & MLOCK_ONFAULT ? 0 : VM_LOCKONFAULT);
	if (ret)
		return ret;
	ret = __mm_populate(start & PAGE_MASK, ALIGN_UP(len + (start & ~PAGE_MASK), PAGE_SIZE), 0);
	return ret ? mlock_posix_error(ret) : 0;
}

int sys_mlock(unsigned long start, size_t len)
{
	SIM_ENTER(sim_entry_err);
	return sys_mlock2(start, len, 0);
}

/**
 * sys_munlock() - clear VM_LOCKED over the range.
 *
 * Return: 0, or -ENOMEM when part of the range is not mapped.
 */
int sys_munlock(unsigned long start, size_t len)
{
	SIM_ENTER(sim_entry_err);
	return apply_lock(start, len, 0, VM_LOCKED | VM_LOCKONFAULT);
}
