// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/PID/pagemap: the 64-bit entry for one virtual page (present bit, pfn or
 * swap entry, file and exclusive-mapping bits).
 */
#include "mm/internal.h"

static uint64_t pagemap_entry(struct vm_area_struct *vma, unsigned long addr, pte_t pte)
{
	struct page *page;
	uint64_t entry;

	if (is_swap_pte(pte)) {
		swp_entry_t e = pte_to_swp_entry(pte);

		return PM_SWAP | ((uint64_t)swp_type(e) & 0x1f) | ((uint64_t)swp_offset(e) << 5);
	}
	if (!pte_present(pte))
		return 0;
	entry = PM_PRESENT | (pte_pfn(pte) & PM_PFRAME_MASK);
	page = vm_normal_page(vma, addr, pte);
	if (page && !PageAnon(page))
		entry |= PM_FILE;
	if (page && page_mapcount(page) == 1)
		entry |= PM_MMAP_EXCLUSIVE;
	return entry;
}

int pagemap_read(struct mm_struct *mm, unsigned long addr, uint64_t *entry)
{
	SIM_ENTER(sim_entry_err);
	struct vm_area_struct *vma;
	pte_t *ptep;

	if (addr >= TASK_SIZE || !entry)
		return -EINVAL;
	*entry = 0;
	mmap_read_lock(mm);
	vma = find_vma(mm, addr);
	ptep = (vma && vma->vm_start <= addr) ? mm_find_pte(mm, addr, NULL) : NULL;
	if (ptep)
		*entry = pagemap_entry(vma, addr, ptep_get(ptep));
	mmap_read_unlock(mm);
	return 0;
}
