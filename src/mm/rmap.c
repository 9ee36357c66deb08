// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reverse-map accounting: mapcounts and the anon_vma objects that anonymous
 * pages point at. Enough for mapcount invariants now; the rmap walk that
 * migration needs will hang off struct anon_vma.
 */
#include "mm/internal.h"

int anon_vma_prepare(struct vm_area_struct *vma)
{
	struct anon_vma *anon_vma;

	/* Acquire: pairs with the CAS below, so the anon_vma behind it is initialised. */
	if (__atomic_load_n(&vma->anon_vma, __ATOMIC_ACQUIRE))
		return 0;
	anon_vma = calloc(1, sizeof(*anon_vma));
	if (!anon_vma)
		return -ENOMEM;
	atomic_set(&anon_vma->refcount, 1);
	anon_vma->root = anon_vma;
	/* Faults run under the read lock, so two may race to set it up. */
	if (!__atomic_compare_exchange_n(&vma->anon_vma, &(struct anon_vma *){NULL}, anon_vma,
					 false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		free(anon_vma);
	return 0;
}

void anon_vma_get(struct anon_vma *anon_vma)
{
	if (anon_vma)
		atomic_inc(&anon_vma->refcount);
}

void anon_vma_put(struct anon_vma *anon_vma)
{
	if (anon_vma && atomic_dec_and_test(&anon_vma->refcount))
		free(anon_vma);
}

static void set_anon_mapping(struct page *page, struct vm_area_struct *vma, unsigned long address)
{
	WRITE_ONCE(page->mapping, (struct address_space *)((unsigned long)READ_ONCE(vma->anon_vma) |
							   PAGE_MAPPING_ANON));
	page->index = ((address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
}

void page_add_new_anon_rmap(struct page *page, struct vm_area_struct *vma, unsigned long address)
{
	SetPageSwapBacked(page);
	atomic_set(&page->_mapcount, 0);
	set_anon_mapping(page, vma, address);
	/* Mapped by this VMA alone; 6.x records that as PageAnonExclusive. */
	mark_new_anon_page(page, 1);
	count_vm_stat(NR_ANON_MAPPED, 1);
}

void page_dup_rmap(struct page *page)
{
	atomic_inc(&page->_mapcount);
}

void page_add_file_rmap(struct page *page)
{
	atomic_inc(&page->_mapcount);
}

static atomic_t *compound_mapcount_ptr(struct page *head)
{
	return &head[1].compound_mapcount;
}

/* Is some pmd still mapping the compound page @page belongs to? */
static bool pmd_mapped(struct page *page)
{
	return PageCompound(page) && atomic_read(compound_mapcount_ptr(compound_head(page))) >= 0;
}

/*
 * A PTE stopped mapping @page (a small page, or one subpage of a compound page).
 * nr_anon_pages counts pages mapped at all: a subpage a pmd still maps stays in it,
 * and mlock belongs to the head, which the last reference or pmd unmap clears.
 */
void page_remove_rmap(struct page *page)
{
	if (atomic_add_return(-1, &page->_mapcount) >= 0)
		return;
	if (PageAnon(page) && !pmd_mapped(page))
		count_vm_stat(NR_ANON_MAPPED, -1);
	if (!PageCompound(page) && TestClearPageMlocked(page))
		count_vm_stat(NR_MLOCK, -1);
	/* Part of a THP unmapped: queue it for the deferred split, as 5.11. */
	if (PageCompound(page))
		deferred_split_huge_page(compound_head(page));
}

/* Subpages of @head no PTE maps: the ones a pmd mapping alone makes mapped. */
static long subpages_not_pte_mapped(struct page *head)
{
	long nr = 0;

	for (int i = 0; i < HPAGE_PMD_NR; i++)
		nr += atomic_read(&head[i]._mapcount) < 0;
	return nr;
}

void page_add_new_anon_rmap_huge(struct page *head, struct vm_area_struct *vma, unsigned long haddr)
{
	SetPageSwapBacked(head);
	atomic_set(compound_mapcount_ptr(head), 0);
	set_anon_mapping(head, vma, haddr);
	mark_new_anon_page(head, HPAGE_PMD_NR);
	count_vm_stat(NR_ANON_MAPPED, HPAGE_PMD_NR);
	count_vm_stat(NR_ANON_THPS, 1);
}

void page_dup_rmap_huge(struct page *head)
{
	atomic_inc(compound_mapcount_ptr(head));
}

void page_remove_rmap_huge(struct page *head)
{
	if (atomic_add_return(-1, compound_mapcount_ptr(head)) >= 0)
		return;
	long unmapped = subpages_not_pte_mapped(head);

	count_vm_stat(NR_ANON_THPS, -1);
	count_vm_stat(NR_ANON_MAPPED, -unmapped);
	if (unmapped && unmapped < HPAGE_PMD_NR)
		deferred_split_huge_page(head); /* PTE-mapped in part elsewhere */
	if (TestClearPageMlocked(head))
		count_vm_stat(NR_MLOCK, -(long)compound_nr(head));
}

/* A compound page is mlocked as a whole, on its head (5.11: thp_nr_pages()). */
void mlock_vma_page(struct page *page)
{
	if (!TestSetPageMlocked(page))
		count_vm_stat(NR_MLOCK, (long)compound_nr(page));
}

void munlock_vma_page(struct page *page)
{
	if (TestClearPageMlocked(page))
		count_vm_stat(NR_MLOCK, -(long)compound_nr(page));
}
