/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The huge-page side of the walkers and the fault path: which upper-level entries a
 * walker may descend into, and the slots (in huge_memory.c) where zap, fork, mprotect,
 * the page walker and the fault handle a pmd or pud that maps a huge page.
 */
#ifndef GUP_MM_HUGE_MM_H
#define GUP_MM_HUGE_MM_H

#include <libgup.h>

#define HPAGE_PMD_SIZE PMD_SIZE
#define HPAGE_PUD_SIZE PUD_SIZE

/* --- entry predicates the architecture header does not have --- */

/* A non-empty pmd that maps nothing present: a pmd migration entry. */
static inline bool is_swap_pmd(pmd_t pmd)
{
	return !pmd_none(pmd) && !pmd_present(pmd);
}

static inline bool pud_trans_huge(pud_t pud)
{
	return (pud_val(pud) & (_PAGE_PSE | _PAGE_DEVMAP)) == _PAGE_PSE;
}

/* There is no huge zero page yet: no pmd can map it. */
static inline bool is_huge_zero_pmd(pmd_t pmd)
{
	(void)pmd;
	return false;
}

/* The boot knob of the huge-page issue; until then no VMA gets huge faults. */
static inline bool transparent_hugepage_enabled(struct vm_area_struct *vma)
{
	(void)vma;
	return false;
}

/* A pmd a huge-page slot has to handle rather than a walker descend through. */
static inline bool pmd_is_huge_leaf(pmd_t pmd)
{
	return is_swap_pmd(pmd) || pmd_trans_huge(pmd) || pmd_devmap(pmd);
}

static inline bool pud_is_huge_leaf(pud_t pud)
{
	return pud_trans_huge(pud) || pud_devmap(pud);
}

/*
 * What a walker may descend into. Each returns true when the entry is not a pointer
 * to a lower table: empty, a huge leaf, or garbage. Garbage warns once; the kernel's
 * pXd_clear_bad() would also clear it, here it stays so the checker can name it.
 */
static inline bool pgd_none_or_bad(pgd_t *pgdp)
{
	pgd_t pgd = pgdp_get(pgdp);

	return pgd_none(pgd) || WARN_ON_ONCE(pgd_bad(pgd));
}

static inline bool p4d_none_or_bad(p4d_t *p4dp)
{
	p4d_t p4d = p4dp_get(p4dp);

	return p4d_none(p4d) || WARN_ON_ONCE(p4d_bad(p4d));
}

static inline bool pud_none_or_trans_huge_or_bad(pud_t *pudp)
{
	pud_t pud = pudp_get(pudp);

	return pud_none(pud) || pud_is_huge_leaf(pud) || WARN_ON_ONCE(pud_bad(pud));
}

static inline bool pmd_none_or_trans_huge_or_bad(pmd_t *pmdp)
{
	pmd_t pmd = pmdp_get(pmdp);

	return pmd_none(pmd) || pmd_is_huge_leaf(pmd) || WARN_ON_ONCE(pmd_bad(pmd));
}

/*
 * --- the slots (huge_memory.c) ---
 *
 * Nothing creates a huge mapping yet, so a walker reaching one of these has found an
 * entry nobody should have written: each warns once and answers so that its caller
 * leaves the entry alone instead of reading a huge page as a table.
 */

/* Split a huge pmd (pud) into a table of small entries. Stub: leaves it huge. */
void __split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long address);
void __split_huge_pud(struct vm_area_struct *vma, pud_t *pud, unsigned long address);

static inline void split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long address)
{
	if (pmd_is_huge_leaf(pmdp_get(pmd)))
		__split_huge_pmd(vma, pmd, address);
}

static inline void split_huge_pud(struct vm_area_struct *vma, pud_t *pud, unsigned long address)
{
	if (pud_is_huge_leaf(pudp_get(pud)))
		__split_huge_pud(vma, pud, address);
}

/* Zap a whole huge pmd (pud). Return: 1 if zapped, 0 if the caller must go on. Stub: 0. */
int zap_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr);
int zap_huge_pud(struct vm_area_struct *vma, pud_t *pud, unsigned long addr);

/*
 * fork: share (or, when it may be pinned, split) a huge pmd (pud) into the child.
 * Return: 0 when copied, -EAGAIN when the entry changed and the caller should copy at
 * the lower level, -ENOMEM. Stub: -ENOMEM, so fork fails rather than leave the
 * child a hole where the parent has memory.
 */
int copy_huge_pmd(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma, pmd_t *dst_pmd,
		  pmd_t *src_pmd, unsigned long addr);
int copy_huge_pud(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma, pud_t *dst_pud,
		  pud_t *src_pud, unsigned long addr);

/*
 * mprotect: rewrite a whole huge pmd (pud) with @newprot. Return: the number of base
 * pages changed (HPAGE_PMD_NR), 1 when handled without a change, 0 when the entry was
 * not handled and the caller must look again. Stub: 0.
 */
int change_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr, pgprot_t newprot,
		    bool prot_numa);
int change_huge_pud(struct vm_area_struct *vma, pud_t *pud, unsigned long addr, pgprot_t newprot,
		    bool prot_numa);

/*
 * The fault path. Each returns VM_FAULT_FALLBACK when the fault is to go on at the
 * level below (which is what every stub does); the create slots are only called for
 * VMAs where transparent_hugepage_enabled(), the others only on a huge entry, which
 * warns once while nothing can create one.
 */
vm_fault_t create_huge_pud(struct vm_fault *vmf);
vm_fault_t wp_huge_pud(struct vm_fault *vmf, pud_t orig_pud);
vm_fault_t huge_pud_set_accessed(struct vm_fault *vmf, pud_t orig_pud);
vm_fault_t create_huge_pmd(struct vm_fault *vmf);
vm_fault_t wp_huge_pmd(struct vm_fault *vmf);
vm_fault_t huge_pmd_set_accessed(struct vm_fault *vmf);
vm_fault_t do_huge_pmd_numa_page(struct vm_fault *vmf);

#endif /* GUP_MM_HUGE_MM_H */
