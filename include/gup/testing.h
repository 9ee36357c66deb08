/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test seams: what tests and tools may look at that a kernel caller would not.
 * libgup.h does not include this; tests, tools and bench include it explicitly.
 */
#ifndef GUP_TESTING_H
#define GUP_TESTING_H

#include <libgup.h>

/*
 * sim_check() for a caller that checks after every step: the same invariants, but
 * only over the frames the allocator touched since boot and the reserved ones
 * (the rest are as boot left them), so its cost follows what the machine used,
 * not its size. sim_shutdown() still checks every frame.
 * Return: the number of violations.
 */
int sim_check_used(FILE *out);

/*
 * Follow @addr's page tables without allocating; mmap_lock held.
 * Return: the PTE pointer (and the pmd in *@pmdp if given), or NULL when a level
 * above is empty or huge.
 */
pte_t *mm_find_pte(struct mm_struct *mm, unsigned long addr, pmd_t **pmdp);

/*
 * Make the range's PTEs NUMA-hinting (protnone), as task_numa_work would; mmap_lock
 * held. Skips the zero page, raw pfns and pages still shared copy-on-write.
 * Return: the number of PTEs changed.
 */
unsigned long change_prot_numa(struct vm_area_struct *vma, unsigned long start, unsigned long end);

/*
 * Exact GUP reference counts on @page's head, which only CONFIG_DEBUG_VM builds of
 * the library keep (two atomics per page).
 * Return: the FOLL_GET references (sim_page_gup_refs) or FOLL_PIN pins
 * (sim_page_gup_pins) held on the head, or -1 when the library keeps no exact count.
 */
int sim_page_gup_refs(struct page *page);
int sim_page_gup_pins(struct page *page);
/*
 * Pretend @delta pins were taken (or dropped) on @page's head without touching its
 * refcount, so a test can make the checker see a pin nobody accounted for. A no-op
 * where no exact count is kept.
 */
void sim_page_fake_gup_pins(struct page *page, int delta);

#endif /* GUP_TESTING_H */
