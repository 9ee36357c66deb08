/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The huge-page side of the walkers and the fault path: which upper-level entries a
 * walker may descend into, and the slots (in huge_memory.c) where zap, fork, mprotect,
 * the page walker and the fault handle a pmd or pud that maps a huge page.
 */
#ifndef GUP_MM_HUGE_MM_H
#define GUP_MM_HUGE_MM_H

#include <libgup.h>
#include "sim/machine.h"

#define HPAGE_PMD_SIZE PMD_SIZE
#define HPAGE_PUD_SIZE PUD_SIZE
#define HPAGE_PMD_MASK PMD_MASK

/* --- entry predicates the architecture header does not have --- */

/* A non-empty pmd that maps nothing present: a pmd migration entry. */
static inline bool is_swap_pmd(pmd_t pmd)
{
	return !pmd_none(pmd) && !pmd_present(pmd);
}

/* A pmd migration entry uses the PTE's swap encoding (x86: the same bits at both levels). */
static inline swp_entry_t pmd_to_swp_entry(pmd_t pmd)
{
	return pte_to_swp_entry(__pte(pmd_val(pmd)));
}

static inline pmd_t swp_entry_to_pmd(swp_entry_t entry)
{
	return __pmd(pte_val(swp_entry_to_pte(entry)));
}

/* A huge pmd a THP migration unmapped: it stands for the whole THP until the remap. */
static inline bool is_pmd_migration_entry(pmd_t pmd)
{
	return is_swap_pmd(pmd) && is_migration_entry(pmd_to_swp_entry(pmd));
}

/* The soft-dirty bit of a swap pmd, kept where the PTE level keeps it (_PAGE_SWP_SOFT_DIRTY). */
static inline bool pmd_swp_soft_dirty(pmd_t pmd)
{
	return pte_swp_soft_dirty(__pte(pmd_val(pmd)));
}

static inline pmd_t pmd_swp_mksoft_dirty(pmd_t pmd)
{
	return __pmd(pte_val(pte_swp_mksoft_dirty(__pte(pmd_val(pmd)))));
}

/* The pmd of migration entry @swp, carrying the soft-dirty bit of @old (present or not). */
static inline pmd_t pmd_migration_entry_from(swp_entry_t swp, pmd_t old)
{
	pmd_t entry = swp_entry_to_pmd(swp);
	bool soft_dirty =
		pmd_present(old) ? pmd_val(old) & _PAGE_SOFT_DIRTY : pmd_swp_soft_dirty(old);

	return soft_dirty ? pmd_swp_mksoft_dirty(entry) : entry;
}

static inline bool pud_trans_huge(pud_t pud)
{
	return (pud_val(pud) & (_PAGE_PSE | _PAGE_DEVMAP)) == _PAGE_PSE;
}

/* The huge zero page (huge_memory.c): a read fault's THP; none before the first. */
bool is_huge_zero_page(struct page *page);
bool is_huge_zero_pmd(pmd_t pmd);
/* Free it at shutdown unless someone still holds it. */
void huge_zero_page_release(void);

/*
 * The huge page at @haddr (aligned) lies wholly inside @vma, and the VMA's offset
 * keeps huge pages aligned: 5.11's transhuge_vma_suitable().
 */
static inline bool transhuge_vma_suitable(struct vm_area_struct *vma, unsigned long haddr)
{
	if (!IS_ALIGNED((vma->vm_start >> PAGE_SHIFT) - vma->vm_pgoff, HPAGE_PMD_NR))
		return false;
	return haddr >= vma->vm_start && haddr + HPAGE_PMD_SIZE <= vma->vm_end;
}

/*
 * May faults in @vma map huge pages? As 5.11 decides for anonymous memory: the VMA
 * holds at least one aligned huge range, is not under MADV_NOHUGEPAGE, and the boot
 * knob says always, or madvise with MADV_HUGEPAGE on the VMA. Each fault checks its
 * own range again (transhuge_vma_suitable()).
 */
static inline bool transparent_hugepage_enabled(struct vm_area_struct *vma)
{
	unsigned long last = (vma->vm_end & HPAGE_PMD_MASK) - HPAGE_PMD_SIZE;

	/* DAX: the driver decides each fault's size (5.11's vma_is_dax() answer). */
	if (!vma_is_anonymous(vma) && vma->vm_ops->huge_fault)
		return true;
	if (!vma_is_anonymous(vma) || !transhuge_vma_suitable(vma, last))
		return false;
	if (vma->vm_flags & VM_NOHUGEPAGE)
		return false;
	if (sim.thp == SIM_THP_ALWAYS)
		return true;
	return sim.thp == SIM_THP_MADVISE && (vma->vm_flags & VM_HUGEPAGE);
}

/* --- huge pmd entries (the x86 pmd_* helpers the architecture header lacks) --- */

static inline pmd_t mk_huge_pmd(struct page *page, pgprot_t prot)
{
	return __pmd(pte_val(mk_pte(page, prot)) | _PAGE_PSE);
}

static inline pmd_t pmd_wrprotect(pmd_t pmd)
{
	return __pmd(pmd_val(pmd) & ~_PAGE_RW);
}

static inline pmd_t pmd_mkwrite(pmd_t pmd)
{
	return __pmd(pmd_val(pmd) | _PAGE_RW);
}

static inline pmd_t pmd_mkyoung(pmd_t pmd)
{
	return __pmd(pmd_val(pmd) | _PAGE_ACCESSED);
}

static inline pmd_t pmd_mkold(pmd_t pmd)
{
	return __pmd(pmd_val(pmd) & ~_PAGE_ACCESSED);
}

/* As pte_mkdirty(): the kernel's dirtying sets soft-dirty too. */
static inline pmd_t pmd_mkdirty(pmd_t pmd)
{
	return __pmd(pmd_val(pmd) | _PAGE_DIRTY | soft_dirty_bit());
}

static inline bool pmd_soft_dirty(pmd_t pmd)
{
	return pmd_val(pmd) & _PAGE_SOFT_DIRTY;
}

static inline pmd_t pmd_clear_soft_dirty(pmd_t pmd)
{
	return __pmd(pmd_val(pmd) & ~_PAGE_SOFT_DIRTY);
}

static inline bool pmd_dirty(pmd_t pmd)
{
	return pmd_val(pmd) & _PAGE_DIRTY;
}

static inline pmd_t maybe_pmd_mkwrite(pmd_t pmd, struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_WRITE) ? __pmd(pmd_val(pmd) | _PAGE_RW) : pmd;
}

/* The new protection keeps the pfn, PSE and the accessed/dirty state, as pte_modify(). */
static inline pmd_t pmd_modify(pmd_t pmd, pgprot_t newprot)
{
	return __pmd((pmd_val(pmd) & _PAGE_CHG_MASK) | (pgprot_val(newprot) & ~_PAGE_CHG_MASK));
}

static inline pmd_t pmdp_huge_get_and_clear(pmd_t *pmdp)
{
	return __pmd(__atomic_exchange_n(&pmdp->pmd, 0UL, __ATOMIC_SEQ_CST));
}

/*
 * Huge pmds are changed under mm->page_table_lock, the kernel's pmd lock without
 * split pmd locks: it is also what populating a table under an empty pmd takes, so
 * a huge fault and a PTE-table allocation cannot both fill the same pmd.
 */
static inline spinlock_t *pmd_lock(struct mm_struct *mm)
{
	spin_lock(&mm->page_table_lock);
	return &mm->page_table_lock;
}

/*
 * Does the huge pmd @pmd map what only a huge fault can install: a THP head of order
 * 9 or the huge zero page? Anything else was written by someone else (a test, a bug);
 * the slots warn once and leave it alone rather than account it as a THP.
 */
static inline bool huge_pmd_maps_thp(pmd_t pmd)
{
	struct page *page;

	if (!pmd_trans_huge(pmd) || !pfn_valid(pmd_pfn(pmd)))
		return false;
	page = pmd_page(pmd);
	return is_huge_zero_page(page) ||
	       (PageHead(page) && compound_order(page) == HPAGE_PMD_ORDER);
}

static inline bool huge_pmd_is_sane(pmd_t pmd)
{
	return !WARN_ON_ONCE(!huge_pmd_maps_thp(pmd));
}

/*
 * follow_devmap_pmd() / follow_devmap_pud(): the small device page a devmap entry
 * maps at @addr, with a reference as @flags ask (FOLL_GET or FOLL_PIN) and the
 * pgmap held in *@pgmap (a cached one is kept when it covers the page); under the
 * profile's gup_takes_pgmap false (6.17) no pgmap is looked up or held. Lock held.
 * Return: the page (6.17: unreferenced with neither flag); NULL when a fault must
 * come first (a write the entry does not allow, or no device entry any more);
 * 5.11: -EEXIST with neither flag (nothing to reference), -EFAULT when the pgmap
 * is gone; -ENOMEM when no reference could be taken.
 */
struct page *follow_devmap_pmd(struct vm_area_struct *vma, unsigned long addr, pmd_t *pmd,
			       unsigned int flags, struct dev_pagemap **pgmap);
struct page *follow_devmap_pud(struct vm_area_struct *vma, unsigned long addr, pud_t *pud,
			       unsigned int flags, struct dev_pagemap **pgmap);

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
 * Anonymous THPs are mapped by pmds. Nothing creates a huge pud yet, so the pud
 * slots have found an entry nobody should have written: each warns once and answers
 * so that its caller leaves the entry alone instead of reading a huge page as a table.
 */

/*
 * Split a huge pmd into its deposited table of 512 PTEs (the huge zero page into
 * zero-page PTEs); anything else is left alone. The pud one is a stub that warns.
 */
void __split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long address);
/* The pmd covering @address in @mm, without allocating; NULL if no table reaches it. */
pmd_t *mm_find_pmd(struct mm_struct *mm, unsigned long address);
/*
 * mremap: move the huge pmd @old_pmd to the empty @new_pmd of the same mm. Return:
 * true when moved; false when @old_pmd is no longer a THP pmd (the caller splits or
 * moves PTEs), or @new_pmd is not empty (warns once).
 */
bool move_huge_pmd(struct vm_area_struct *vma, pmd_t *old_pmd, pmd_t *new_pmd);
/* Split the huge pmd mapping @address in @vma, if there is one. */
void split_huge_pmd_address(struct vm_area_struct *vma, unsigned long address);
/* A VMA is about to be cut at @address: split a huge pmd the cut would go through. */
void vma_adjust_trans_huge(struct vm_area_struct *vma, unsigned long address);
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

/**
 * split_huge_page_to_list() - split the anonymous THP @page belongs to into
 * HPAGE_PMD_NR order-0 pages, as 5.11: unmap every mapping (a huge pmd is split into
 * PTEs, each PTE becomes a migration entry), freeze the refcount, hand each subpage
 * the head's mapping, index + i, flags and its own mapcount, release the compound
 * state, map the PTEs again. A subpage nobody maps is freed.
 * @page: any subpage; the caller holds a reference and the page lock. @page stays
 *        locked and keeps the caller's reference; every other subpage is unlocked.
 * @list: if non-NULL, the tail pages are added to it (page->lru), each with a
 *        reference the list owns, still there when nobody maps the tail.
 *
 * Return: 0 when split; -EBUSY when the THP holds references beyond its mappings and
 * the caller's (a pin, a GUP reference), when a mapping could not be reached (an mm
 * whose mmap_lock is contended), or when @page is not an anonymous THP (the huge zero
 * page included); -EINVAL (and a warning) when the page lock is not held.
 */
int split_huge_page_to_list(struct page *page, struct list_head *list);
/* split_huge_page_to_list() without a list: the same return rules. */
int split_huge_page(struct page *page);
/*
 * Split the THP of @page, on which the caller took a reference it hands over: the
 * page lock is taken around the split and the reference dropped after. Return: as
 * split_huge_page().
 */
int split_referenced_huge_page(struct page *page);
/* Only the mappings and one caller reference hold @head (5.11's can_split_huge_page()). */
bool can_split_huge_page(struct page *head);

/* Return: how many times the THP @head is mapped, by pmds and by PTEs of its subpages. */
int total_mapcount(struct page *head);
/*
 * Is the THP @head mapped, but not every subpage, and by no pmd (what the deferred
 * split queue is for, 6.12's folio_test_partially_mapped())? Return: true if so.
 */
bool thp_partially_mapped(struct page *head);
/*
 * A subpage of the THP @head was unmapped: queue it for a later split
 * (deferred_split_scan(), the shrinker). Not an anonymous THP: nothing happens.
 */
void deferred_split_huge_page(struct page *head);
/* Shutdown: forget the queue, whose pfns mean nothing to the next machine. */
void deferred_split_queue_reset(void);
/* Boot and shutdown: the queue as a shrinker shrink_slab() asks (5.11's hugepage_init). */
void deferred_split_shrinker_register(void);
void deferred_split_shrinker_unregister(void);

/* Zap a whole huge pmd (pud). Return: 1 if zapped, 0 if the caller must go on. Pud: 0. */
int zap_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr);
int zap_huge_pud(struct vm_area_struct *vma, pud_t *pud, unsigned long addr);

/*
 * fork: share (or, when it may be pinned, split) a huge pmd (pud) into the child.
 * Return: 0 when copied, -EAGAIN when the entry changed and the caller should copy at
 * the lower level (the pmd changed, or a maybe-pinned THP was split), -ENOMEM. The
 * pud stub: -ENOMEM, so fork fails rather than leave the child a hole.
 */
int copy_huge_pmd(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma, pmd_t *dst_pmd,
		  pmd_t *src_pmd, unsigned long addr);
int copy_huge_pud(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma, pud_t *dst_pud,
		  pud_t *src_pud, unsigned long addr);

/*
 * mprotect: rewrite a whole huge pmd (pud) with @newprot. Return: the number of base
 * pages changed (HPAGE_PMD_NR), 1 when handled without a change, 0 when the entry was
 * not handled and the caller must look again. Pud stub: 0.
 */
int change_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr, pgprot_t newprot,
		    bool prot_numa);
int change_huge_pud(struct vm_area_struct *vma, pud_t *pud, unsigned long addr, pgprot_t newprot,
		    bool prot_numa);

/*
 * Whole-THP migration (try_to_unmap()'s TTU_MIGRATION on a pmd-mapped THP): the
 * huge pmd at @haddr in @vma, if it maps @head, becomes a migration entry for it
 * (write entry if the pmd was writable, soft-dirty kept); the compound mapcount and
 * the pmd's reference go, the deposited table and the rss stay. Anything else
 * there is left alone. Page lock held.
 * Return: true when a huge pmd there mapped @head, false otherwise (the caller
 * looks for the PTEs of a PTE-mapped THP).
 */
bool set_pmd_migration_entry(struct page *head, struct vm_area_struct *vma, unsigned long haddr);
/*
 * The remap: a pmd migration entry for @old at @haddr in @vma becomes a huge pmd of
 * @new (old; writable if the entry was a write entry and @vma writes; soft-dirty
 * kept), with its reference, compound mapcount and mlock. Return: true when there
 * was such an entry, false otherwise (the caller looks for PTE entries).
 */
bool remove_migration_pmd(struct page *old, struct page *new, struct vm_area_struct *vma,
			  unsigned long haddr);

/*
 * The fault path. Each returns VM_FAULT_FALLBACK when the fault is to go on at the
 * level below (no huge page could be had, or the huge pmd was split); the create
 * slots are only called for VMAs where transparent_hugepage_enabled(), the others
 * only on a huge entry. The pud ones, and the NUMA one, warn once and fall back.
 */
vm_fault_t create_huge_pud(struct vm_fault *vmf);
vm_fault_t wp_huge_pud(struct vm_fault *vmf, pud_t orig_pud);
vm_fault_t huge_pud_set_accessed(struct vm_fault *vmf, pud_t orig_pud);
vm_fault_t create_huge_pmd(struct vm_fault *vmf);
vm_fault_t wp_huge_pmd(struct vm_fault *vmf);
vm_fault_t huge_pmd_set_accessed(struct vm_fault *vmf);
vm_fault_t do_huge_pmd_numa_page(struct vm_fault *vmf);

#endif /* GUP_MM_HUGE_MM_H */
