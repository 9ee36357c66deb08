// SPDX-License-Identifier: GPL-2.0-only
/*
 * copy_to_user / copy_from_user: a user access of current's memory as the CPU
 * makes it, through the PTE (or huge pmd) where it allows the access, else through
 * a fault.
 */
#include "mm/internal.h"

/* What x86's access_error() allows a user access to do in @vma. */
static bool user_access_permitted(struct vm_area_struct *vma, bool write)
{
	if (write)
		return vma->vm_flags & VM_WRITE;
	return vma->vm_flags & (VM_READ | VM_EXEC | VM_WRITE);
}

/* The pmd entry covering @addr, if the tables down to it exist. */
static pmd_t *find_pmd(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d = pgd_none_or_bad(pgd) ? NULL : p4d_offset(pgd, addr);
	pud_t *pud = !p4d || p4d_none_or_bad(p4d) ? NULL : pud_offset(p4d, addr);

	return !pud || pud_none_or_trans_huge_or_bad(pud) ? NULL : pmd_offset(pud, addr);
}

/*
 * The devmap pmd or pud mapping @addr (DAX), if one does: the CPU reaches device
 * memory through it as through any huge leaf.
 */
static unsigned long *find_devmap_leaf(struct mm_struct *mm, unsigned long addr,
				       unsigned long *size)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d = pgd_none_or_bad(pgd) ? NULL : p4d_offset(pgd, addr);
	pud_t *pud = !p4d || p4d_none_or_bad(p4d) ? NULL : pud_offset(p4d, addr);
	pmd_t *pmd;

	if (!pud || pud_none(pudp_get(pud)))
		return NULL;
	if (pud_devmap(pudp_get(pud))) {
		*size = PUD_SIZE;
		return &pud->pud;
	}
	pmd = find_pmd(mm, addr);
	if (!pmd || !pmd_devmap(pmdp_get(pmd)))
		return NULL;
	*size = PMD_SIZE;
	return &pmd->pmd;
}

/* The same through a devmap leaf of @size bytes, under the pmd lock. */
static bool access_devmap_leaf(struct mm_struct *mm, unsigned long *entryp, unsigned long size,
			       unsigned long addr, void *buf, size_t len, bool write)
{
	unsigned long entry;
	bool ok;

	spin_lock(&mm->page_table_lock);
	entry = READ_ONCE(*entryp);
	ok = (entry & _PAGE_PRESENT) && (entry & _PAGE_DEVMAP) && (!write || (entry & _PAGE_RW));
	if (ok) {
		unsigned char *bytes = (unsigned char *)page_address(
					       pfn_to_page((entry & PTE_PFN_MASK) >> PAGE_SHIFT)) +
				       (addr & (size - 1));

		if (write)
			memcpy(bytes, buf, len);
		else
			memcpy(buf, bytes, len);
		WRITE_ONCE(*entryp, entry | _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0));
	}
	spin_unlock(&mm->page_table_lock);
	return ok;
}

/* The same through a huge pmd mapping a THP, under the pmd lock. */
static bool access_huge_page(struct mm_struct *mm, pmd_t *pmdp, unsigned long addr, void *buf,
			     size_t len, bool write)
{
	pmd_t pmd;
	bool ok;

	spin_lock(&mm->page_table_lock);
	pmd = pmdp_get(pmdp);
	ok = huge_pmd_maps_thp(pmd) && !pmd_protnone(pmd) && (!write || pmd_write(pmd));
	if (ok) {
		unsigned char *bytes =
			(unsigned char *)page_address(pmd_page(pmd)) + (addr & ~HPAGE_PMD_MASK);

		if (write)
			memcpy(bytes, buf, len);
		else
			memcpy(buf, bytes, len);
		/* The CPU sets the hardware dirty bit only, never soft-dirty. */
		pmd = pmd_mkyoung(pmd);
		set_pmd(pmdp, write ? __pmd(pmd_val(pmd) | _PAGE_DIRTY) : pmd);
	}
	spin_unlock(&mm->page_table_lock);
	return ok;
}

/* The same through the huge pmd or pud of a hugetlb VMA, under the page-table lock. */
static bool access_hugetlb_page(struct mm_struct *mm, struct vm_area_struct *vma,
				unsigned long addr, void *buf, size_t len, bool write)
{
	unsigned long sz = huge_page_size(hstate_vma(vma));
	unsigned long *ptep = huge_pte_offset(mm, addr & ~(sz - 1), sz), entry;
	bool ok;

	if (!ptep)
		return false;
	spin_lock(&mm->page_table_lock);
	entry = __atomic_load_n(ptep, __ATOMIC_ACQUIRE);
	ok = (entry & _PAGE_PRESENT) && (!write || (entry & _PAGE_RW));
	if (ok) {
		unsigned char *bytes = (unsigned char *)page_address(
					       pfn_to_page((entry & PTE_PFN_MASK) >> PAGE_SHIFT)) +
				       (addr & (sz - 1));

		if (write)
			memcpy(bytes, buf, len);
		else
			memcpy(buf, bytes, len);
		entry |= _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0);
		__atomic_store_n(ptep, entry, __ATOMIC_RELEASE);
	}
	spin_unlock(&mm->page_table_lock);
	return ok;
}

/*
 * Copy within one page under its PTE lock, as a CPU store or load through the
 * TLB would: true if the PTE allowed the access, false if a fault is needed.
 */
static bool access_mapped_page(struct mm_struct *mm, unsigned long addr, void *buf, size_t len,
			       bool write)
{
	pte_t *ptep, pte;
	spinlock_t *ptl;
	struct vm_area_struct *vma = find_vma(mm, addr);
	unsigned long *leaf, leaf_size;
	pmd_t *pmdp;
	bool ok;

	if (vma && vma->vm_start <= addr && is_vm_hugetlb_page(vma))
		return access_hugetlb_page(mm, vma, addr, buf, len, write);
	leaf = find_devmap_leaf(mm, addr, &leaf_size);
	if (leaf)
		return access_devmap_leaf(mm, leaf, leaf_size, addr, buf, len, write);
	pmdp = find_pmd(mm, addr);
	if (pmdp && pmd_trans_huge(pmdp_get(pmdp)))
		return access_huge_page(mm, pmdp, addr, buf, len, write);
	if (follow_pte(mm, addr, &ptep, &ptl))
		return false;
	pte = ptep_get(ptep);
	ok = !pte_protnone(pte) && (!write || pte_write(pte));
	if (ok) {
		unsigned char *bytes = (unsigned char *)page_address(pfn_to_page(pte_pfn(pte))) +
				       (addr & ~PAGE_MASK);

		if (write)
			memcpy(bytes, buf, len);
		else
			memcpy(buf, bytes, len);
		/* The CPU sets the hardware dirty bit only, never soft-dirty. */
		pte = pte_mkyoung(pte);
		set_pte(ptep, write ? __pte(pte_val(pte) | _PAGE_DIRTY) : pte);
	}
	pte_unmap_unlock(ptep, ptl);
	return ok;
}

static unsigned long user_access(unsigned long uaddr, void *buf, unsigned long n, bool write)
{
	struct mm_struct *mm = current ? current->mm : NULL;
	unsigned char *p = buf;

	if (!mm || uaddr >= TASK_SIZE || n > TASK_SIZE - uaddr)
		return n;
	mmap_read_lock(mm);
	while (n) {
		size_t chunk = min_t(size_t, n, PAGE_SIZE - (uaddr & ~PAGE_MASK));
		struct vm_area_struct *vma;
		vm_fault_t ret;

		if (access_mapped_page(mm, uaddr, p, chunk, write)) {
			uaddr += chunk;
			p += chunk;
			n -= chunk;
			continue;
		}
		vma = find_vma(mm, uaddr);
		if (!vma || vma->vm_start > uaddr || !user_access_permitted(vma, write))
			break;
		ret = handle_mm_fault(vma, uaddr, FAULT_FLAG_USER | (write ? FAULT_FLAG_WRITE : 0),
				      NULL);
		if (ret & VM_FAULT_ERROR)
			break;
	}
	mmap_read_unlock(mm);
	return n;
}

unsigned long copy_to_user(unsigned long to, const void *from, unsigned long n)
{
	SIM_ENTER(n);
	return user_access(to, (void *)from, n, true);
}

unsigned long copy_from_user(void *to, unsigned long from, unsigned long n)
{
	SIM_ENTER(n);
	return user_access(from, to, n, false);
}
