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
	mark_new_anon_page(page);
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

void page_remove_rmap(struct page *page)
{
	if (atomic_add_return(-1, &page->_mapcount) >= 0)
		return;
	if (PageAnon(page))
		count_vm_stat(NR_ANON_MAPPED, -1);
	if (TestClearPageMlocked(page))
		count_vm_stat(NR_MLOCK, -1);
}

void mlock_vma_page(struct page *page)
{
	if (!TestSetPageMlocked(page))
		count_vm_stat(NR_MLOCK, 1);
}

void munlock_vma_page(struct page *page)
{
	if (TestClearPageMlocked(page))
		count_vm_stat(NR_MLOCK, -1);
}
