// SPDX-License-Identifier: GPL-2.0-only
/*
 * walk_page_range() and friends: one level-by-level page-table walker for the
 * introspection walks (pagemap, munlock, dumps), calling struct mm_walk_ops.
 */
#include "mm/internal.h"

static int walk_hole(unsigned long addr, unsigned long next, int depth, struct mm_walk *walk)
{
	return walk->ops->pte_hole ? walk->ops->pte_hole(addr, next, depth, walk) : 0;
}

static int walk_pte_entries(pte_t *pte, unsigned long addr, unsigned long end, struct mm_walk *walk)
{
	int err = 0;

	for (; addr != end; pte++, addr += PAGE_SIZE) {
		err = walk->ops->pte_entry(pte, addr, addr + PAGE_SIZE, walk);
		if (err)
			break;
	}
	return err;
}

/*
 * A VMA walk holds the PTE lock over the table. Only walk_page_range_novma()
 * walks with no VMA here (a gap never descends); like the kernel's, it reads
 * under mmap_lock alone, so a checker may run while a paused thread holds a PTL.
 */
static int walk_pte_range(pmd_t *pmd, unsigned long addr, unsigned long end, struct mm_walk *walk)
{
	spinlock_t *ptl;
	pte_t *pte;
	int err;

	if (!walk->vma) {
		pte = pte_offset_map(pmd, addr);
		err = walk_pte_entries(pte, addr, end, walk);
		pte_unmap(pte);
		return err;
	}
	pte = pte_offset_map_lock(walk->mm, pmd, addr, &ptl);
	err = walk_pte_entries(pte, addr, end, walk);
	pte_unmap_unlock(pte, ptl);
	return err;
}

static int walk_pmd_range(pud_t *pud, unsigned long addr, unsigned long end, struct mm_walk *walk)
{
	const struct mm_walk_ops *ops = walk->ops;
	pmd_t *pmd = pmd_offset(pud, addr);
	unsigned long next;
	int err = 0;

	do {
	again:
		next = pmd_addr_end(addr, end);
		if (pmd_none(pmdp_get(pmd))) {
			err = walk_hole(addr, next, 3, walk);
			if (err)
				break;
			continue;
		}
		walk->action = ACTION_SUBTREE;
		if (ops->pmd_entry)
			err = ops->pmd_entry(pmd, addr, next, walk);
		if (err)
			break;
		if (walk->action == ACTION_AGAIN)
			goto again;
		if (walk->action == ACTION_CONTINUE || !ops->pte_entry)
			continue;
		if (walk->vma)
			split_huge_pmd(walk->vma, pmd, addr);
		if (pmd_none_or_trans_huge_or_bad(pmd))
			continue; /* still huge: a pte_entry walk cannot see inside it */
		err = walk_pte_range(pmd, addr, next, walk);
		if (err)
			break;
	} while (pmd++, addr = next, addr != end);
	return err;
}

static int walk_pud_range(p4d_t *p4d, unsigned long addr, unsigned long end, struct mm_walk *walk)
{
	const struct mm_walk_ops *ops = walk->ops;
	pud_t *pud = pud_offset(p4d, addr);
	unsigned long next;
	int err = 0;

	do {
	again:
		next = pud_addr_end(addr, end);
		if (pud_none(pudp_get(pud))) {
			err = walk_hole(addr, next, 2, walk);
			if (err)
				break;
			continue;
		}
		walk->action = ACTION_SUBTREE;
		if (ops->pud_entry)
			err = ops->pud_entry(pud, addr, next, walk);
		if (err)
			break;
		if (walk->action == ACTION_AGAIN)
			goto again;
		if (walk->action == ACTION_CONTINUE || !(ops->pmd_entry || ops->pte_entry))
			continue;
		if (walk->vma)
			split_huge_pud(walk->vma, pud, addr);
		if (pud_none_or_trans_huge_or_bad(pud))
			continue;
		err = walk_pmd_range(pud, addr, next, walk);
		if (err)
			break;
	} while (pud++, addr = next, addr != end);
	return err;
}

static bool walk_needs_puds(const struct mm_walk_ops *ops)
{
	return ops->pud_entry || ops->pmd_entry || ops->pte_entry;
}

static int walk_p4d_range(pgd_t *pgd, unsigned long addr, unsigned long end, struct mm_walk *walk)
{
	const struct mm_walk_ops *ops = walk->ops;
	p4d_t *p4d = p4d_offset(pgd, addr);
	unsigned long next;
	int err = 0;

	do {
	again:
		next = p4d_addr_end(addr, end);
		if (p4d_none(p4dp_get(p4d))) {
			err = walk_hole(addr, next, 1, walk);
			if (err)
				break;
			continue;
		}
		walk->action = ACTION_SUBTREE;
		if (ops->p4d_entry)
			err = ops->p4d_entry(p4d, addr, next, walk);
		if (err)
			break;
		if (walk->action == ACTION_AGAIN)
			goto again;
		if (walk->action == ACTION_CONTINUE || !walk_needs_puds(ops))
			continue;
		if (p4d_none_or_bad(p4d))
			continue; /* garbage the callback let through: warned once */
		err = walk_pud_range(p4d, addr, next, walk);
		if (err)
			break;
	} while (p4d++, addr = next, addr != end);
	return err;
}

static int walk_pgd_range(unsigned long addr, unsigned long end, struct mm_walk *walk)
{
	const struct mm_walk_ops *ops = walk->ops;
	pgd_t *pgd = pgd_offset(walk->mm, addr);
	unsigned long next;
	int err = 0;

	do {
	again:
		next = pgd_addr_end(addr, end);
		if (pgd_none(pgdp_get(pgd))) {
			err = walk_hole(addr, next, 0, walk);
			if (err)
				break;
			continue;
		}
		walk->action = ACTION_SUBTREE;
		if (ops->pgd_entry)
			err = ops->pgd_entry(pgd, addr, next, walk);
		if (err)
			break;
		if (walk->action == ACTION_AGAIN)
			goto again;
		if (walk->action == ACTION_CONTINUE || !(ops->p4d_entry || walk_needs_puds(ops)))
			continue;
		if (pgd_none_or_bad(pgd))
			continue; /* garbage the callback let through: warned once */
		err = walk_p4d_range(pgd, addr, next, walk);
		if (err)
			break;
	} while (pgd++, addr = next, addr != end);
	return err;
}

/*
 * Whether to walk [start, end) of walk->vma: test_walk decides when the caller
 * gave one; otherwise a VM_PFNMAP VMA, whose frames have no struct page, is a
 * hole, as the kernel's walker treats it. Return: 0 to walk, 1 to skip, -errno.
 */
static int walk_vma_test(unsigned long start, unsigned long end, struct mm_walk *walk)
{
	if (walk->ops->test_walk)
		return walk->ops->test_walk(start, end, walk);
	if (walk->vma->vm_flags & VM_PFNMAP) {
		int err = walk->ops->pte_hole ? walk->ops->pte_hole(start, end, -1, walk) : 0;

		return err ? err : 1;
	}
	return 0;
}

/* A hugetlb VMA: one hugetlb_entry per huge page with an entry, a hole elsewhere. */
static int walk_hugetlb_range(unsigned long addr, unsigned long end, struct mm_walk *walk)
{
	unsigned long sz = huge_page_size(hstate_vma(walk->vma)), hmask = ~(sz - 1), next;
	int err = 0;

	for (; addr < end && !err; addr = next) {
		unsigned long *entry = huge_pte_offset(walk->mm, addr & hmask, sz);

		next = min_t(unsigned long, (addr & hmask) + sz, end);
		if (entry)
			err = walk->ops->hugetlb_entry((pte_t *)entry, hmask, addr, next, walk);
		else
			err = walk_hole(addr, next, -1, walk);
	}
	return err;
}

/* Walk [start, end) of walk->vma unless walk_vma_test() says to skip it. */
static int walk_vma_range(unsigned long start, unsigned long end, struct mm_walk *walk)
{
	int err = walk_vma_test(start, end, walk);

	if (err > 0)
		return 0;
	if (err < 0)
		return err;
	if (is_vm_hugetlb_page(walk->vma))
		return walk->ops->hugetlb_entry ? walk_hugetlb_range(start, end, walk) : 0;
	return walk_pgd_range(start, end, walk);
}

static bool walk_range_ok(unsigned long start, unsigned long end)
{
	return start < end && end <= TASK_SIZE;
}

int walk_page_range(struct mm_struct *mm, unsigned long start, unsigned long end,
		    const struct mm_walk_ops *ops, void *private_data)
{
	struct mm_walk walk = {.ops = ops, .mm = mm, .private_data = private_data};
	struct vm_area_struct *vma;
	unsigned long next;
	int err = 0;

	if (!walk_range_ok(start, end))
		return -EINVAL;
	/* Alternate between the VMAs the range meets and the gaps before them. */
	for (vma = find_vma(mm, start); start < end && !err; start = next) {
		if (vma && vma->vm_start <= start) {
			walk.vma = vma;
			next = min_t(unsigned long, end, vma->vm_end);
			vma = vma->vm_next;
			err = walk_vma_range(start, next, &walk);
		} else {
			walk.vma = NULL;
			next = vma ? min_t(unsigned long, end, vma->vm_start) : end;
			err = walk_hole(start, next, -1, &walk);
		}
	}
	return err;
}

int walk_page_vma(struct vm_area_struct *vma, const struct mm_walk_ops *ops, void *private_data)
{
	struct mm_walk walk = {
		.ops = ops, .mm = vma->vm_mm, .vma = vma, .private_data = private_data};

	return walk_vma_range(vma->vm_start, vma->vm_end, &walk);
}

int walk_page_range_novma(struct mm_struct *mm, unsigned long start, unsigned long end,
			  const struct mm_walk_ops *ops, void *private_data)
{
	struct mm_walk walk = {.ops = ops, .mm = mm, .private_data = private_data};

	if (!walk_range_ok(start, end))
		return -EINVAL;
	return walk_pgd_range(start, end, &walk);
}
