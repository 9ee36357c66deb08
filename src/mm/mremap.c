// SPDX-License-Identifier: GPL-2.0-only
/*
 * mremap: shrink a mapping in place, grow it in place when the room after it is free,
 * or move it (MREMAP_MAYMOVE, MREMAP_FIXED, MREMAP_DONTUNMAP) by moving its page
 * tables, whole PTE tables and huge pmds where aligned, PTE entries otherwise.
 */
#include "mm/internal.h"

/* --- moving page tables --- */

/*
 * Move the PTEs of [old_addr, old_end) from the table under @old_pmd to the table
 * under @new_pmd. The pages keep their mapcount, refcount and index (the new VMA's
 * vm_pgoff keeps every page's linear index), so a pin stays on the page it had.
 */
static void move_ptes(struct mm_struct *mm, pmd_t *old_pmd, unsigned long old_addr,
		      unsigned long old_end, pmd_t *new_pmd, unsigned long new_addr)
{
	spinlock_t *old_ptl, *new_ptl;
	pte_t *old_pte = pte_offset_map_lock(mm, old_pmd, old_addr, &old_ptl);
	pte_t *new_pte = pte_offset_map(new_pmd, new_addr);

	new_ptl = pte_lockptr(mm, new_pmd);
	if (new_ptl != old_ptl)
		spin_lock(new_ptl);
	for (; old_addr < old_end; old_pte++, new_pte++, old_addr += PAGE_SIZE) {
		if (pte_none(ptep_get(old_pte)))
			continue;
		/* The move is a write as far as soft-dirty goes (move_soft_dirty_pte). */
		set_pte(new_pte, move_soft_dirty_pte(ptep_get_and_clear(old_pte)));
	}
	if (new_ptl != old_ptl)
		spin_unlock(new_ptl);
	pte_unmap(new_pte);
	pte_unmap_unlock(old_pte, old_ptl);
}

/*
 * A whole PTE table moves by its pmd when old and new pmd extents are both full and
 * nothing is mapped at the new one (x86's HAVE_MOVE_PMD). Return: true when moved.
 */
static bool move_normal_pmd(struct mm_struct *mm, pmd_t *old_pmd, pmd_t *new_pmd)
{
	spinlock_t *ptl;
	pmd_t entry;

	if (WARN_ON_ONCE(!pmd_none(pmdp_get(new_pmd))))
		return false;
	ptl = pmd_lock(mm);
	entry = pmdp_get(old_pmd);
	if (pmd_none(entry) || pmd_is_huge_leaf(entry)) {
		spin_unlock(ptl);
		return false;
	}
	set_pmd(old_pmd, __pmd(0));
	set_pmd(new_pmd, entry);
	spin_unlock(ptl);
	return true;
}

/*
 * Move the page tables of [old_addr, old_addr + len) in @vma to @new_addr in the same
 * mm, one pmd extent at a time: a huge pmd whole when the extent is, else split; a
 * full PTE table by its pmd; otherwise entry by entry.
 *
 * Return: how many bytes were moved (@len unless a table allocation failed).
 */
static unsigned long move_page_tables(struct vm_area_struct *vma, unsigned long old_addr,
				      unsigned long new_addr, unsigned long len)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long old_end = old_addr + len, extent;
	/* A file rmap walk must not miss a PTE in flight (the kernel's take_rmap_locks()). */
	struct address_space *mapping = vma_lock_file_range(vma);

	for (; old_addr < old_end; old_addr += extent, new_addr += extent) {
		pmd_t *old_pmd, *new_pmd;

		extent = pmd_addr_end(old_addr, old_end) - old_addr;
		extent = min_t(unsigned long, extent, pmd_addr_end(new_addr, ~0UL) - new_addr);
		old_pmd = mm_find_pmd(mm, old_addr);
		if (!old_pmd || pmd_none(pmdp_get(old_pmd)))
			continue;
		new_pmd = mm_alloc_pmd(mm, new_addr); /* with its upper tables */
		if (!new_pmd)
			break;
		if (pmd_is_huge_leaf(pmdp_get(old_pmd))) {
			if (extent == HPAGE_PMD_SIZE && move_huge_pmd(vma, old_pmd, new_pmd))
				continue;
			split_huge_pmd(vma, old_pmd, old_addr);
			if (pmd_none_or_trans_huge_or_bad(old_pmd))
				continue;
		} else if (extent == PMD_SIZE && move_normal_pmd(mm, old_pmd, new_pmd)) {
			continue;
		}
		if (pte_alloc(mm, new_pmd))
			break;
		move_ptes(mm, old_pmd, old_addr, old_addr + extent, new_pmd, new_addr);
	}
	vma_unlock_file_range(mapping);
	return len - (old_end - old_addr);
}

/* --- moving the VMA --- */

/* A VMA like @vma at [addr, addr + len), with @pgoff, linked into the mm. */
static struct vm_area_struct *copy_vma(struct vm_area_struct *vma, unsigned long addr,
				       unsigned long len, unsigned long pgoff)
{
	struct vm_area_struct *new = vm_area_dup(vma);

	if (!new)
		return NULL;
	new->vm_start = addr;
	new->vm_end = addr + len;
	new->vm_pgoff = pgoff;
	vma_link(vma->vm_mm, new);
	return new;
}

/*
 * Move [old_addr, old_addr + old_len) of @vma to a new VMA at [new_addr, new_addr +
 * new_len): the tables move, then the old range is unmapped (MREMAP_DONTUNMAP keeps
 * it, empty and unlocked). *@locked tells the caller to populate the grown part.
 */
static unsigned long move_vma(struct vm_area_struct *vma, unsigned long old_addr,
			      unsigned long old_len, unsigned long new_len, unsigned long new_addr,
			      unsigned long flags, bool *locked)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long pgoff = vma->vm_pgoff + ((old_addr - vma->vm_start) >> PAGE_SHIFT);
	vm_flags_t vm_flags = vma->vm_flags;
	struct vm_area_struct *new_vma;
	unsigned long moved;

	/* DONTUNMAP leaves the old range a VMA of its own, which loses VM_LOCKED. */
	if (flags & MREMAP_DONTUNMAP) {
		if (split_vma(mm, vma, old_addr, 1) || split_vma(mm, vma, old_addr + old_len, 0))
			return -ENOMEM;
		vma = find_vma(mm, old_addr);
	}
	new_vma = copy_vma(vma, new_addr, new_len, pgoff);
	if (!new_vma)
		return -ENOMEM;
	moved = move_page_tables(vma, old_addr, new_addr, old_len);
	if (moved < old_len) {
		/* Put back what moved; the new VMA goes with the tables left. */
		move_page_tables(new_vma, new_addr, old_addr, moved);
		mm->total_vm += new_len >> PAGE_SHIFT; /* do_munmap() takes it off again */
		if (vm_flags & VM_LOCKED)
			mm->locked_vm += new_len >> PAGE_SHIFT;
		do_munmap(mm, new_addr, new_len);
		return -ENOMEM;
	}
	mm->total_vm += new_len >> PAGE_SHIFT;
	if (flags & MREMAP_DONTUNMAP) {
		/* The locked pages moved, and locked_vm with them: only the flag goes. */
		vma->vm_flags &= ~(VM_LOCKED | VM_LOCKONFAULT);
		return new_addr;
	}
	do_munmap(mm, old_addr, old_len);
	if (vm_flags & VM_LOCKED) {
		mm->locked_vm += new_len >> PAGE_SHIFT;
		*locked = true;
	}
	vma_merge_neighbours(mm, new_vma);
	return new_addr;
}

/* May MREMAP_DONTUNMAP move out of @vma? Which VMAs may is a profile's answer. */
static bool dontunmap_allowed(struct vm_area_struct *vma)
{
	if (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP))
		return false;
	return !mm_profile->mremap_dontunmap_anon_only ||
	       (vma_is_anonymous(vma) && !(vma->vm_flags & VM_SHARED));
}

/*
 * The VMA [addr, addr + old_len) lies in, if it may become @new_len long. Return: the
 * VMA, or an errno as a pointer (-EFAULT: not mapped, crossing a VMA's end, or a
 * VM_DONTEXPAND / VM_PFNMAP VMA asked to grow; -EINVAL: the offset would wrap, or
 * DONTUNMAP of a VMA that is not private anonymous).
 */
static struct vm_area_struct *vma_to_resize(struct mm_struct *mm, unsigned long addr,
					    unsigned long old_len, unsigned long new_len,
					    unsigned long flags)
{
	struct vm_area_struct *vma = find_vma(mm, addr);
	unsigned long pgoff;

	if (!vma || vma->vm_start > addr)
		return (struct vm_area_struct *)-EFAULT;
	if ((flags & MREMAP_DONTUNMAP) && !dontunmap_allowed(vma))
		return (struct vm_area_struct *)-EINVAL;
	if (old_len > vma->vm_end - addr)
		return (struct vm_area_struct *)-EFAULT;
	if (new_len == old_len)
		return vma;
	pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
	if (pgoff + (new_len >> PAGE_SHIFT) < pgoff)
		return (struct vm_area_struct *)-EINVAL;
	if (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP))
		return (struct vm_area_struct *)-EFAULT;
	return vma;
}

/* MREMAP_FIXED or MREMAP_DONTUNMAP: move to @new_addr (a hint for DONTUNMAP alone). */
static unsigned long mremap_to(struct mm_struct *mm, unsigned long addr, unsigned long old_len,
			       unsigned long new_addr, unsigned long new_len, unsigned long flags,
			       bool *locked)
{
	struct vm_area_struct *vma;
	long err;

	if (!IS_ALIGNED(new_addr, PAGE_SIZE))
		return -EINVAL;
	if (new_len > TASK_SIZE || new_addr > TASK_SIZE - new_len)
		return -EINVAL;
	if (addr + old_len > new_addr && new_addr + new_len > addr)
		return -EINVAL; /* the ranges overlap */
	if (flags & MREMAP_FIXED) {
		err = do_munmap(mm, new_addr, new_len);
		if (err)
			return err;
	}
	if (old_len > new_len) {
		err = do_munmap(mm, addr + new_len, old_len - new_len);
		if (err)
			return err;
		old_len = new_len;
	}
	vma = vma_to_resize(mm, addr, old_len, new_len, flags);
	if (IS_ERR_VALUE(vma))
		return (unsigned long)vma;
	if (!(flags & MREMAP_FIXED)) {
		new_addr = get_unmapped_area(mm, new_addr, new_len);
		if (IS_ERR_VALUE(new_addr))
			return new_addr;
	}
	return move_vma(vma, addr, old_len, new_len, new_addr, flags, locked);
}

/* Is the room after @vma free for @delta more bytes? */
static bool vma_expandable(struct vm_area_struct *vma, unsigned long delta)
{
	unsigned long end = vma->vm_end + delta;

	if (end < vma->vm_end || end > TASK_SIZE)
		return false;
	return !vma->vm_next || vma->vm_next->vm_start >= end;
}

static unsigned long do_mremap(struct mm_struct *mm, unsigned long addr, unsigned long old_len,
			       unsigned long new_len, unsigned long flags, unsigned long new_addr,
			       bool *locked)
{
	struct vm_area_struct *vma;
	long err;

	if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))
		return mremap_to(mm, addr, old_len, new_addr, new_len, flags, locked);
	/* Shrinking (or the same size) always stays in place, mapped or not. */
	if (old_len >= new_len) {
		err = old_len > new_len ? do_munmap(mm, addr + new_len, old_len - new_len) : 0;
		return err ? (unsigned long)err : addr;
	}
	vma = vma_to_resize(mm, addr, old_len, new_len, flags);
	if (IS_ERR_VALUE(vma))
		return (unsigned long)vma;
	if (old_len == vma->vm_end - addr && vma_expandable(vma, new_len - old_len)) {
		unsigned long pages = (new_len - old_len) >> PAGE_SHIFT;

		vma->vm_end = addr + new_len;
		if (!vma->vm_next)
			mm->highest_vm_end = vma->vm_end;
		mm->total_vm += pages;
		if (vma->vm_flags & VM_LOCKED) {
			mm->locked_vm += pages;
			*locked = true;
		}
		vma_merge_neighbours(mm, vma);
		return addr;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	new_addr = get_unmapped_area(mm, 0, new_len);
	if (IS_ERR_VALUE(new_addr))
		return new_addr;
	return move_vma(vma, addr, old_len, new_len, new_addr, flags, locked);
}

unsigned long sys_mremap(unsigned long addr, unsigned long old_len, unsigned long new_len,
			 unsigned long flags, unsigned long new_addr)
{
	SIM_ENTER(sim_entry_err);
	struct mm_struct *mm = current->mm;
	bool locked = false;
	unsigned long ret;

	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || old_len != new_len))
		return -EINVAL;
	if (!IS_ALIGNED(addr, PAGE_SIZE))
		return -EINVAL;
	old_len = ALIGN_UP(old_len, PAGE_SIZE);
	new_len = ALIGN_UP(new_len, PAGE_SIZE);
	/* No shared anonymous memory to duplicate with an old_len of 0 (nor overflow). */
	if (!new_len || !old_len || old_len > TASK_SIZE || new_len > TASK_SIZE)
		return -EINVAL;
	if (mmap_write_lock_killable(mm))
		return -EINTR;
	ret = do_mremap(mm, addr, old_len, new_len, flags, new_addr, &locked);
	VM_CHECK(mm_is_valid(mm, stderr));
	mmap_write_unlock(mm);
	if (locked && !IS_ERR_VALUE(ret) && new_len > old_len)
		mm_populate(ret + old_len, new_len - old_len);
	return ret;
}
