/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The generic page-table walker: walk_page_range() visits the entries of a range
 * level by level (pgd, p4d, pud, pmd, pte) inside the VMAs it covers and reports
 * the gaps, calling the callbacks of a struct mm_walk_ops at each level.
 */
#ifndef GUP_PAGEWALK_H
#define GUP_PAGEWALK_H

#include <libgup.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mm_walk;

/*
 * Callbacks, each optional. An entry callback gets each non-empty entry covering
 * [addr, next) before the walker judges it, so one that refuses garbage (setting
 * ACTION_CONTINUE) is never descended into nor warned about. pte_entry is called
 * for every PTE of a present table, empty ones included, with the PTE lock held
 * (in walk_page_range_novma() under mmap_lock alone). pte_hole gets a range with no table or no VMA behind it, and
 * the depth where it was found: -1 no VMA, 0 pgd, 1 p4d, 2 pud, 3 pmd. test_walk
 * may skip a VMA (return 1) or stop the walk (< 0); without it every VMA is walked
 * but a VM_PFNMAP one, which is one pte_hole at depth -1, as in the kernel.
 * A non-zero return from any other callback stops the walk and is returned.
 */
struct mm_walk_ops {
	int (*pgd_entry)(pgd_t *pgd, unsigned long addr, unsigned long next, struct mm_walk *walk);
	int (*p4d_entry)(p4d_t *p4d, unsigned long addr, unsigned long next, struct mm_walk *walk);
	int (*pud_entry)(pud_t *pud, unsigned long addr, unsigned long next, struct mm_walk *walk);
	int (*pmd_entry)(pmd_t *pmd, unsigned long addr, unsigned long next, struct mm_walk *walk);
	int (*pte_entry)(pte_t *pte, unsigned long addr, unsigned long next, struct mm_walk *walk);
	int (*pte_hole)(unsigned long addr, unsigned long next, int depth, struct mm_walk *walk);
	/*
	 * A hugetlb VMA is walked by this alone, one call per huge page whose entry
	 * (a pmd or pud used as a leaf, passed as a pte_t) exists, even if empty;
	 * @hmask is the huge page mask. Without it a hugetlb VMA is not walked.
	 */
	int (*hugetlb_entry)(pte_t *pte, unsigned long hmask, unsigned long addr,
			     unsigned long next, struct mm_walk *walk);
	int (*test_walk)(unsigned long addr, unsigned long next, struct mm_walk *walk);
};

/*
 * What an entry callback tells the walker to do next (walk->action, reset to
 * ACTION_SUBTREE before each call): descend, skip what lies below this entry (the
 * callback handled it, a huge pmd for instance), or call it again for the same entry.
 */
enum page_walk_action {
	ACTION_SUBTREE = 0,
	ACTION_CONTINUE = 1,
	ACTION_AGAIN = 2,
};

struct mm_walk {
	const struct mm_walk_ops *ops;
	struct mm_struct *mm;
	struct vm_area_struct *vma; /* NULL in a gap and in walk_page_range_novma() */
	enum page_walk_action action;
	void *private_data;
};

/**
 * walk_page_range() - walk [start, end) of @mm within its VMAs; mmap_lock held.
 *
 * Tables are only followed inside VMAs; each gap between them is one pte_hole call
 * at depth -1. A huge leaf that a pte_entry would need is split first (split_huge_pmd)
 * unless the level's callback set ACTION_CONTINUE; one that stays huge is skipped.
 *
 * Return: 0 when the walk finished; -EINVAL when @start >= @end or @end passes
 * TASK_SIZE; otherwise the first non-zero value a callback returned.
 */
int walk_page_range(struct mm_struct *mm, unsigned long start, unsigned long end,
		    const struct mm_walk_ops *ops, void *private_data);

/**
 * walk_page_vma() - walk all of @vma, as walk_page_range() over its bounds.
 *
 * Return: 0, or the first non-zero value a callback returned.
 */
int walk_page_vma(struct vm_area_struct *vma, const struct mm_walk_ops *ops, void *private_data);

/**
 * walk_page_range_novma() - walk the tables of [start, end) whether or not VMAs
 * cover it (page-table dumps, checkers); mmap_lock held. walk->vma stays NULL and
 * huge leaves are never split.
 *
 * Return: as walk_page_range().
 */
int walk_page_range_novma(struct mm_struct *mm, unsigned long start, unsigned long end,
			  const struct mm_walk_ops *ops, void *private_data);

#ifdef __cplusplus
}
#endif

#endif /* GUP_PAGEWALK_H */
