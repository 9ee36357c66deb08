// SPDX-License-Identifier: GPL-2.0-only
/*
 * Transparent huge pages: the pmd- and pud-level slots of zap, fork, mprotect, the
 * page walker and the fault path. Empty for now: nothing maps a huge page yet, so
 * each slot warns once if reached and declines (see huge_mm.h for what each returns).
 */
#include "mm/internal.h"

void __split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long address)
{
	(void)vma;
	(void)pmd;
	(void)address;
	WARN_ON_ONCE(1);
}

void __split_huge_pud(struct vm_area_struct *vma, pud_t *pud, unsigned long address)
{
	(void)vma;
	(void)pud;
	(void)address;
	WARN_ON_ONCE(1);
}

int zap_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr)
{
	(void)vma;
	(void)pmd;
	(void)addr;
	WARN_ON_ONCE(1);
	return 0;
}

int zap_huge_pud(struct vm_area_struct *vma, pud_t *pud, unsigned long addr)
{
	(void)vma;
	(void)pud;
	(void)addr;
	WARN_ON_ONCE(1);
	return 0;
}

int copy_huge_pmd(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma, pmd_t *dst_pmd,
		  pmd_t *src_pmd, unsigned long addr)
{
	(void)dst_vma;
	(void)src_vma;
	(void)dst_pmd;
	(void)src_pmd;
	(void)addr;
	WARN_ON_ONCE(1);
	return -ENOMEM;
}

int copy_huge_pud(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma, pud_t *dst_pud,
		  pud_t *src_pud, unsigned long addr)
{
	(void)dst_vma;
	(void)src_vma;
	(void)dst_pud;
	(void)src_pud;
	(void)addr;
	WARN_ON_ONCE(1);
	return -ENOMEM;
}

int change_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr, pgprot_t newprot,
		    bool prot_numa)
{
	(void)vma;
	(void)pmd;
	(void)addr;
	(void)newprot;
	(void)prot_numa;
	WARN_ON_ONCE(1);
	return 0;
}

int change_huge_pud(struct vm_area_struct *vma, pud_t *pud, unsigned long addr, pgprot_t newprot,
		    bool prot_numa)
{
	(void)vma;
	(void)pud;
	(void)addr;
	(void)newprot;
	(void)prot_numa;
	WARN_ON_ONCE(1);
	return 0;
}

/* No huge allocation yet: a legitimate answer, so no warning. */
vm_fault_t create_huge_pud(struct vm_fault *vmf)
{
	(void)vmf;
	return VM_FAULT_FALLBACK;
}

vm_fault_t wp_huge_pud(struct vm_fault *vmf, pud_t orig_pud)
{
	(void)vmf;
	(void)orig_pud;
	WARN_ON_ONCE(1);
	return VM_FAULT_FALLBACK;
}

vm_fault_t huge_pud_set_accessed(struct vm_fault *vmf, pud_t orig_pud)
{
	(void)vmf;
	(void)orig_pud;
	WARN_ON_ONCE(1);
	return VM_FAULT_FALLBACK;
}

vm_fault_t create_huge_pmd(struct vm_fault *vmf)
{
	(void)vmf;
	return VM_FAULT_FALLBACK;
}

vm_fault_t wp_huge_pmd(struct vm_fault *vmf)
{
	(void)vmf;
	WARN_ON_ONCE(1);
	return VM_FAULT_FALLBACK;
}

vm_fault_t huge_pmd_set_accessed(struct vm_fault *vmf)
{
	(void)vmf;
	WARN_ON_ONCE(1);
	return VM_FAULT_FALLBACK;
}

vm_fault_t do_huge_pmd_numa_page(struct vm_fault *vmf)
{
	(void)vmf;
	WARN_ON_ONCE(1);
	return VM_FAULT_FALLBACK;
}
