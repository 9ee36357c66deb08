// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/PID/pagemap: the 64-bit entry for one virtual page (present bit, pfn or
 * swap entry, file and exclusive-mapping bits), read through walk_page_range().
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

/* Holes (no VMA, no table) leave the entry at 0: not present. */
static int pagemap_pte(pte_t *pte, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	uint64_t *entry = walk->private_data;

	(void)next;
	*entry = pagemap_entry(walk->vma, addr, ptep_get(pte));
	return 0;
}

static const struct mm_walk_ops pagemap_walk_ops = {
	.pte_entry = pagemap_pte,
};

int pagemap_read(struct mm_struct *mm, unsigned long addr, uint64_t *entry)
{
	SIM_ENTER(sim_entry_err);
	unsigned long start = addr & PAGE_MASK;

	if (addr >= TASK_SIZE || !entry)
		return -EINVAL;
	*entry = 0;
	mmap_read_lock(mm);
	/*
	 * walk_page_range() never descends into a VM_PFNMAP VMA (no struct page
	 * stands behind it), so pagemap reports its pages as holes, not present,
	 * even where a PTE maps a frame. Linux 5.11 and 6.18 both do.
	 */
	walk_page_range(mm, start, start + PAGE_SIZE, &pagemap_walk_ops, entry);
	mmap_read_unlock(mm);
	return 0;
}
