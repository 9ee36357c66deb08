// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page migration, as far as libgup has it: waiting for a migration entry to be
 * replaced before a fault or GUP looks at the PTE again.
 */
#include "mm/internal.h"

void migration_entry_wait(struct mm_struct *mm, pmd_t *pmd, unsigned long address)
{
	spinlock_t *ptl;
	pte_t *ptep = pte_offset_map_lock(mm, pmd, address, &ptl);
	pte_t pte = ptep_get(ptep);
	struct page *page;

	if (!is_swap_pte(pte) || !is_migration_entry(pte_to_swp_entry(pte))) {
		pte_unmap_unlock(ptep, ptl);
		return;
	}
	page = migration_entry_to_page(pte_to_swp_entry(pte));
	if (!page_ref_add_unless_zero(compound_head(page), 1)) {
		pte_unmap_unlock(ptep, ptl);
		return;
	}
	pte_unmap_unlock(ptep, ptl);
	wait_on_page_locked(page);
	put_page(page);
}
