// SPDX-License-Identifier: GPL-2.0-only
/*
 * mprotect: change the protection of a range of VMAs, splitting and merging them,
 * and rewrite the present PTEs with the new protection.
 */
#include "mm/internal.h"

static unsigned long change_pte_range(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr,
				      unsigned long end, pgprot_t newprot, bool prot_numa)
{
	spinlock_t *ptl;
	pte_t *pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);
	unsigned long changed = 0;

	for (; addr != end; pte++, addr += PAGE_SIZE) {
		pte_t old = ptep_get(pte), ptent;

		if (pte_none(old))
			continue;
		if (!pte_present(old)) {
			swp_entry_t entry = pte_to_swp_entry(old);

			/* Checking whether the new protection allows writes is hard; just don't. */
			if (is_write_migration_entry(entry)) {
				/* 5.19 on, an anonymous page stays exclusive (readable-exclusive). */
				bool keep = mm_profile->migration_entry_exclusive &&
					    PageAnon(migration_entry_to_page(entry));

				set_pte(pte, swp_pte_soft_dirty_from(
						     swp_entry_to_pte(
							     migration_entry_readable(entry, keep)),
						     old));
				changed++;
			}
			continue;
		}
		if (prot_numa) {
			struct page *page;

			if (pte_protnone(old))
				continue; /* already hinting */
			page = vm_normal_page(vma, addr, old);
			if (!page)
				continue; /* the zero page or a raw pfn */
			/* Shared copy-on-write pages are not worth a hinting fault. */
			if (is_cow_mapping(vma->vm_flags) && page_mapcount(page) != 1)
				continue;
		}
		ptent = pte_modify(old, newprot);
		/* A hinting entry remembers it was writable, so the hint fault restores that. */
		if (prot_numa && pte_write(old))
			ptent = pte_mkwrite(ptent);
		/* Spare the write fault where the profile says it could only reuse the page. */
		else if (!prot_numa && (vma->vm_flags & VM_WRITE) && !pte_write(ptent) &&
			 mm_profile->mprotect_may_make_writable(vma, addr, ptent))
			ptent = pte_mkwrite(ptent);
		set_pte(pte, ptent);
		changed++;
	}
	pte_unmap_unlock(pte, ptl);
	return changed;
}

/*
 * A huge pmd wholly inside the range is rewritten by its slot; one the range only
 * covers part of is split first, and its PTEs are changed below.
 */
static unsigned long change_pmd_range(struct vm_area_struct *vma, pud_t *pud, unsigned long addr,
				      unsigned long end, pgprot_t newprot, bool prot_numa)
{
	pmd_t *pmd = pmd_offset(pud, addr);
	unsigned long next, changed = 0;

	do {
		next = pmd_addr_end(addr, end);
		if (pmd_is_huge_leaf(pmdp_get(pmd))) {
			if (next - addr != HPAGE_PMD_SIZE) {
				__split_huge_pmd(vma, pmd, addr);
			} else {
				int nr = change_huge_pmd(vma, pmd, addr, newprot, prot_numa);

				if (nr) {
					changed += nr == HPAGE_PMD_NR ? HPAGE_PMD_NR : 0;
					continue;
				}
			}
		}
		if (pmd_none_or_trans_huge_or_bad(pmd))
			continue;
		changed += change_pte_range(vma, pmd, addr, next, newprot, prot_numa);
	} while (pmd++, addr = next, addr != end);
	return changed;
}

static unsigned long change_pud_range(struct vm_area_struct *vma, p4d_t *p4d, unsigned long addr,
				      unsigned long end, pgprot_t newprot, bool prot_numa)
{
	pud_t *pud = pud_offset(p4d, addr);
	unsigned long next, changed = 0;

	do {
		next = pud_addr_end(addr, end);
		if (pud_is_huge_leaf(pudp_get(pud))) {
			if (next - addr != HPAGE_PUD_SIZE) {
				__split_huge_pud(vma, pud, addr);
			} else {
				int nr = change_huge_pud(vma, pud, addr, newprot, prot_numa);

				if (nr) {
					changed += nr > 1 ? nr : 0;
					continue;
				}
			}
		}
		if (pud_none_or_trans_huge_or_bad(pud))
			continue;
		changed += change_pmd_range(vma, pud, addr, next, newprot, prot_numa);
	} while (pud++, addr = next, addr != end);
	return changed;
}

static unsigned long change_p4d_range(struct vm_area_struct *vma, pgd_t *pgd, unsigned long addr,
				      unsigned long end, pgprot_t newprot, bool prot_numa)
{
	p4d_t *p4d = p4d_offset(pgd, addr);
	unsigned long next, changed = 0;

	do {
		next = p4d_addr_end(addr, end);
		if (p4d_none_or_bad(p4d))
			continue;
		changed += change_pud_range(vma, p4d, addr, next, newprot, prot_numa);
	} while (p4d++, addr = next, addr != end);
	return changed;
}

unsigned long change_protection(struct vm_area_struct *vma, unsigned long start, unsigned long end,
				pgprot_t newprot, bool prot_numa)
{
	unsigned long addr = start, next, changed = 0;
	pgd_t *pgd;

	if (start >= end)
		return 0;
	if (is_vm_hugetlb_page(vma))
		return prot_numa ? 0 : hugetlb_change_protection(vma, start, end, newprot);
	pgd = pgd_offset(vma->vm_mm, addr);
	do {
		next = pgd_addr_end(addr, end);
		if (pgd_none_or_bad(pgd))
			continue;
		changed += change_p4d_range(vma, pgd, addr, next, newprot, prot_numa);
	} while (pgd++, addr = next, addr != end);
	return changed;
}

unsigned long change_prot_numa(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
	return change_protection(vma, start, end, PAGE_NONE, true);
}

static int mprotect_fixup(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long start,
			  unsigned long end, vm_flags_t newflags)
{
	vm_flags_t oldflags = vma->vm_flags;
	int err;

	if (newflags == oldflags)
		return 0;
	/* -ENOMEM, or -EINVAL for a cut inside a hugetlb page. */
	err = split_vma(mm, vma, start, 1);
	if (!err)
		err = split_vma(mm, vma, end, 0);
	if (err)
		return err;
	vma->vm_flags = newflags;
	vma_set_page_prot(vma);
	change_protection(vma, start, end, vma->vm_page_prot, false);
	/* A private locked VMA turning writable: break COW now, as mlock would have. */
	if ((oldflags & (VM_WRITE | VM_SHARED | VM_LOCKED)) == VM_LOCKED && (newflags & VM_WRITE))
		populate_vma_page_range(vma, start, end, NULL);
	vma_merge_neighbours(mm, vma);
	return 0;
}

/* The VM_MAY* bits sit four above the access bits they allow. */
static bool prot_allowed(vm_flags_t newflags)
{
	return !((newflags & ~(newflags >> 4)) & VM_ACCESS_FLAGS);
}

/**
 * sys_mprotect() - set the protection of [start, start+len) in the current task.
 *
 * Return: 0; -EINVAL for an unaligned start or unknown prot bits; -ENOMEM when the
 * range wraps, passes TASK_SIZE or is not fully mapped (VMAs before the hole are
 * changed, as in the kernel); -EACCES when a VMA does not allow the protection.
 */
int sys_mprotect(unsigned long start, size_t len, unsigned long prot)
{
	SIM_ENTER(sim_entry_err);
	struct mm_struct *mm = current->mm;
	vm_flags_t want = 0;
	unsigned long end, nstart;
	struct vm_area_struct *vma;
	int error = 0;

	if (!IS_ALIGNED(start, PAGE_SIZE))
		return -EINVAL;
	if (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (!len)
		return 0;
	len = ALIGN_UP(len, PAGE_SIZE);
	end = start + len;
	if (end <= start || end > TASK_SIZE)
		return -ENOMEM;
	want |= (prot & PROT_READ) ? VM_READ : 0;
	want |= (prot & PROT_WRITE) ? VM_WRITE : 0;
	want |= (prot & PROT_EXEC) ? VM_EXEC : 0;
	if (mmap_write_lock_killable(mm))
		return -EINTR;
	/* 6.10: a sealed VMA in the range refuses the change, even to its own protection. */
	if (!can_modify_mm(mm, start, end)) {
		error = -EPERM;
		goto out;
	}
	vma = find_vma(mm, start);
	if (!vma || vma->vm_start > start) {
		error = -ENOMEM;
		goto out;
	}
	for (nstart = start; nstart < end;) {
		vm_flags_t newflags = want | (vma->vm_flags & ~VM_ACCESS_FLAGS);
		unsigned long tmp = min_t(unsigned long, vma->vm_end, end);
		struct vm_area_struct *next;

		if (!prot_allowed(newflags)) {
			error = -EACCES;
			break;
		}
		error = mprotect_fixup(mm, vma, nstart, tmp, newflags);
		if (error || tmp >= end)
			break;
		/* The changed range may have merged with the next VMA: skip what it took. */
		nstart = max_t(unsigned long, tmp, find_vma(mm, tmp - 1)->vm_end);
		if (nstart >= end)
			break;
		next = find_vma(mm, nstart);
		if (!next || next->vm_start != nstart) {
			error = -ENOMEM;
			break;
		}
		vma = next;
	}
out:
	mmap_write_unlock(mm);
	return error;
}
