// SPDX-License-Identifier: GPL-2.0-only
/*
 * Transparent huge pages (anonymous, pmd-mapped): the huge fault and the huge zero
 * page, pmd split into a PTE table, zap, fork's copy and mprotect of a huge pmd. GUP's
 * huge branches are in gup.c. The pud-level slots still decline (no 1 GiB THP).
 */
#include "mm/internal.h"

/* --- the PTE table a huge pmd keeps in reserve so a split cannot fail --- */

static void pgtable_trans_huge_deposit(struct mm_struct *mm, struct page *table)
{
	table->lru.next = (struct list_head *)mm->pmd_huge_pte;
	mm->pmd_huge_pte = table;
}

static struct page *pgtable_trans_huge_withdraw(struct mm_struct *mm)
{
	struct page *table = mm->pmd_huge_pte;

	if (WARN_ON_ONCE(!table))
		return NULL;
	mm->pmd_huge_pte = (struct page *)table->lru.next;
	table->lru.next = NULL;
	return table;
}

/* --- the huge zero page --- */

bool is_huge_zero_page(struct page *page)
{
	return page && page == READ_ONCE(sim.huge_zero_page);
}

bool is_huge_zero_pmd(pmd_t pmd)
{
	return pmd_trans_huge(pmd) && is_huge_zero_page(pmd_page(pmd));
}

/*
 * The machine holds the one reference; mappings of it hold none and are not in its
 * rmap, as in the kernel (which also frees it under memory pressure; we keep it).
 */
static struct page *get_huge_zero_page(void)
{
	struct page *zero = READ_ONCE(sim.huge_zero_page);

	if (zero)
		return zero;
	zero = alloc_pages(GFP_TRANSHUGE | __GFP_ZERO | __GFP_NOWARN, HPAGE_PMD_ORDER);
	if (!zero)
		return NULL;
	if (!__atomic_compare_exchange_n(&sim.huge_zero_page, &(struct page *){NULL}, zero, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		__free_pages(zero, HPAGE_PMD_ORDER);
	return READ_ONCE(sim.huge_zero_page);
}

void huge_zero_page_release(void)
{
	struct page *zero = sim.huge_zero_page;

	/* Still pinned: leave it for the leak report to name. */
	if (!zero || page_ref_count(zero) != 1)
		return;
	sim.huge_zero_page = NULL;
	__free_pages(zero, HPAGE_PMD_ORDER);
}

/* --- the fault --- */

/* Map the huge zero page read-only at vmf's pmd, if it is still empty. */
static vm_fault_t map_huge_zero_page(struct vm_fault *vmf, unsigned long haddr)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct page *table = pte_alloc_one(mm);
	struct page *zero;
	spinlock_t *ptl;

	(void)haddr;
	if (!table)
		return VM_FAULT_OOM;
	zero = get_huge_zero_page();
	if (!zero) {
		pte_free(mm, table);
		return VM_FAULT_FALLBACK;
	}
	ptl = pmd_lock(mm);
	if (pmd_none(pmdp_get(vmf->pmd))) {
		pgtable_trans_huge_deposit(mm, table);
		set_pmd(vmf->pmd, pmd_wrprotect(mk_huge_pmd(zero, vma->vm_page_prot)));
		table = NULL;
	}
	spin_unlock(ptl);
	if (table)
		pte_free(mm, table);
	return 0;
}

static vm_fault_t do_huge_pmd_anonymous_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	unsigned long haddr = vmf->address & HPAGE_PMD_MASK;
	struct page *page, *table;
	spinlock_t *ptl;
	pmd_t entry;

	if (!transhuge_vma_suitable(vma, haddr))
		return VM_FAULT_FALLBACK;
	if (anon_vma_prepare(vma))
		return VM_FAULT_OOM;
	if (!(vmf->flags & FAULT_FLAG_WRITE) && !sim.thp_no_zero_page)
		return map_huge_zero_page(vmf, haddr);
	/* No free 2 MiB block (or an injected failure): small pages will do. */
	page = alloc_pages(GFP_TRANSHUGE | __GFP_ZERO | __GFP_NOWARN, HPAGE_PMD_ORDER);
	if (!page)
		return VM_FAULT_FALLBACK;
	table = pte_alloc_one(mm);
	if (!table) {
		put_page(page);
		return VM_FAULT_OOM;
	}
	entry = maybe_pmd_mkwrite(pmd_mkdirty(mk_huge_pmd(page, vma->vm_page_prot)), vma);
	ptl = pmd_lock(mm);
	if (!pmd_none(pmdp_get(vmf->pmd))) {
		spin_unlock(ptl);
		pte_free(mm, table);
		put_page(page);
		return 0;
	}
	page_add_new_anon_rmap_huge(page, vma, haddr);
	if ((vma->vm_flags & (VM_LOCKED | VM_SPECIAL)) == VM_LOCKED)
		mlock_vma_page(page);
	pgtable_trans_huge_deposit(mm, table);
	atomic_long_add(HPAGE_PMD_NR, &mm->rss_anon);
	set_pmd(vmf->pmd, entry);
	spin_unlock(ptl);
	return 0;
}

vm_fault_t create_huge_pmd(struct vm_fault *vmf)
{
	if (vma_is_anonymous(vmf->vma))
		return do_huge_pmd_anonymous_page(vmf);
	return VM_FAULT_FALLBACK;
}

/*
 * A write to a read-only huge pmd, as 5.8+ does it: reuse a THP mapped only here;
 * otherwise (the huge zero page, or a THP fork shares) split the pmd and let the
 * PTE-level fault copy the one small page written. An unsharing fault (5.19)
 * decides the same way but leaves a reusable pmd read-only.
 */
vm_fault_t wp_huge_pmd(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct page *page;
	spinlock_t *ptl;

	if (!huge_pmd_is_sane(vmf->orig_pmd))
		return VM_FAULT_FALLBACK; /* left huge: the fault gives SIGBUS */
	if (!vma_is_anonymous(vma) || is_huge_zero_pmd(vmf->orig_pmd))
		goto fallback;
	ptl = pmd_lock(vma->vm_mm);
	if (pmd_val(pmdp_get(vmf->pmd)) != pmd_val(vmf->orig_pmd)) {
		spin_unlock(ptl);
		return 0;
	}
	page = pmd_page(vmf->orig_pmd);
	if (trylock_page(page)) {
		if (wp_can_reuse_anon_thp(vma, page)) {
			bool write = !(vmf->flags & FAULT_FLAG_UNSHARE);
			pmd_t entry = pmd_mkyoung(vmf->orig_pmd);

			if (write)
				set_pmd(vmf->pmd, maybe_pmd_mkwrite(pmd_mkdirty(entry), vma));
			unlock_page(page);
			spin_unlock(ptl);
			if (!write)
				return 0; /* exclusive now, which is all unsharing wants */
			count_vm_stat(NR_COW_REUSES, 1);
			return VM_FAULT_WRITE;
		}
		unlock_page(page);
	}
	spin_unlock(ptl);
fallback:
	__split_huge_pmd(vma, vmf->pmd, vmf->address);
	return VM_FAULT_FALLBACK;
}

vm_fault_t huge_pmd_set_accessed(struct vm_fault *vmf)
{
	spinlock_t *ptl;
	pmd_t entry;

	if (!huge_pmd_is_sane(vmf->orig_pmd))
		return VM_FAULT_FALLBACK;
	ptl = pmd_lock(vmf->vma->vm_mm);
	if (pmd_val(pmdp_get(vmf->pmd)) == pmd_val(vmf->orig_pmd)) {
		entry = pmd_mkyoung(vmf->orig_pmd);
		if (vmf->flags & FAULT_FLAG_WRITE)
			entry = pmd_mkdirty(entry);
		set_pmd(vmf->pmd, entry);
	}
	spin_unlock(ptl);
	return 0;
}

/* change_huge_pmd() never makes a huge pmd protnone, so none can be here. */
vm_fault_t do_huge_pmd_numa_page(struct vm_fault *vmf)
{
	(void)vmf;
	WARN_ON_ONCE(1);
	return VM_FAULT_FALLBACK;
}

/* --- split --- */

/* Fill @table with the small entries the huge pmd @old stood for; pmd lock held. */
static void fill_split_table(struct vm_area_struct *vma, pmd_t old, struct page *table,
			     unsigned long haddr)
{
	pte_t *pte = page_address(table);
	struct page *page = pmd_page(old);
	bool zero = is_huge_zero_page(page);
	/* The head's bit speaks for a pmd-mapped THP (6.x); each PTE gets its own. */
	bool exclusive = !zero && PageAnonExclusive(page);

	for (int i = 0; i < HPAGE_PMD_NR; i++) {
		pte_t entry;

		if (zero) {
			/* The huge zero page splits into the small one, as kernels do. */
			entry = pte_mkspecial(pfn_pte(zero_pfn(), vma->vm_page_prot));
		} else {
			entry = mk_pte(page + i, vma->vm_page_prot);
			if (pmd_write(old))
				entry = pte_mkwrite(entry);
			else
				entry = pte_wrprotect(entry);
			if (!(pmd_val(old) & _PAGE_ACCESSED))
				entry = pte_mkold(entry);
			atomic_inc(&page[i]._mapcount);
			if (exclusive)
				SetPageAnonExclusive(page + i);
			else
				ClearPageAnonExclusive(page + i);
		}
		set_pte(pte + i, entry);
		(void)haddr;
	}
}

/*
 * Replace the huge pmd by its deposited table of 512 PTEs. Each subpage's PTE gets a
 * mapcount and a reference on the head; the pmd's compound mapcount goes. The pmd
 * changes in one store, from the huge entry to the table, so a lockless walker that
 * grabbed the huge page sees it change and backs off.
 */
void __split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long address)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long haddr = address & HPAGE_PMD_MASK;
	spinlock_t *ptl = pmd_lock(mm);
	pmd_t old = pmdp_get(pmd);
	struct page *page, *table;

	if (!pmd_trans_huge(old) || !huge_pmd_is_sane(old))
		goto out;
	table = pgtable_trans_huge_withdraw(mm);
	if (!table)
		goto out;
	page = pmd_page(old);
	fill_split_table(vma, old, table, haddr);
	if (!is_huge_zero_page(page)) {
		if (pmd_dirty(old))
			SetPageDirty(page);
		page_ref_add(page, HPAGE_PMD_NR - 1);
		page_remove_rmap_huge(page);
	}
	pmd_populate(pmd, table);
out:
	spin_unlock(ptl);
}

void split_huge_pmd_address(struct vm_area_struct *vma, unsigned long address)
{
	struct mm_struct *mm = vma->vm_mm;
	pgd_t *pgd = pgd_offset(mm, address);
	p4d_t *p4d = pgd_none_or_bad(pgd) ? NULL : p4d_offset(pgd, address);
	pud_t *pud = !p4d || p4d_none_or_bad(p4d) ? NULL : pud_offset(p4d, address);
	pmd_t *pmd;

	if (!pud || pud_none(pudp_get(pud)) || pud_is_huge_leaf(pudp_get(pud)))
		return;
	pmd = pmd_offset(pud, address);
	if (pmd_trans_huge(pmdp_get(pmd)))
		__split_huge_pmd(vma, pmd, address);
}

void vma_adjust_trans_huge(struct vm_area_struct *vma, unsigned long address)
{
	unsigned long haddr = address & HPAGE_PMD_MASK;

	/* Only a cut inside a huge range that lies in this VMA can meet a huge pmd. */
	if (IS_ALIGNED(address, HPAGE_PMD_SIZE) || haddr < vma->vm_start ||
	    haddr + HPAGE_PMD_SIZE > vma->vm_end)
		return;
	split_huge_pmd_address(vma, address);
}

void __split_huge_pud(struct vm_area_struct *vma, pud_t *pud, unsigned long address)
{
	(void)vma;
	(void)pud;
	(void)address;
	WARN_ON_ONCE(1);
}

/* --- zap, fork, mprotect --- */

int zap_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr)
{
	struct mm_struct *mm = vma->vm_mm;
	spinlock_t *ptl = pmd_lock(mm);
	pmd_t old = pmdp_get(pmd);
	struct page *page;

	(void)addr;
	if (!pmd_trans_huge(old) || !huge_pmd_is_sane(old)) {
		spin_unlock(ptl);
		return 0;
	}
	old = pmdp_huge_get_and_clear(pmd);
	pte_free(mm, pgtable_trans_huge_withdraw(mm));
	page = pmd_page(old);
	spin_unlock(ptl);
	if (is_huge_zero_page(page))
		return 1;
	atomic_long_add(-HPAGE_PMD_NR, &mm->rss_anon);
	page_remove_rmap_huge(page);
	put_page(page);
	return 1;
}

int zap_huge_pud(struct vm_area_struct *vma, pud_t *pud, unsigned long addr)
{
	(void)vma;
	(void)pud;
	(void)addr;
	WARN_ON_ONCE(1);
	return 0;
}

/*
 * fork, as 5.11 copy_huge_pmd(): the THP is shared with the child and write-protected
 * in both; the huge zero page is simply mapped again. A THP that may be pinned in an
 * mm that pinned is not shared: the parent's pmd is split and -EAGAIN sends the
 * caller to the PTE copy, which gives the child its own small pages.
 */
int copy_huge_pmd(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma, pmd_t *dst_pmd,
		  pmd_t *src_pmd, unsigned long addr)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm, *src_mm = src_vma->vm_mm;
	struct page *table = pte_alloc_one(dst_mm);
	spinlock_t *dst_ptl, *src_ptl;
	struct page *page;
	pmd_t pmd;

	if (!table)
		return -ENOMEM;
	dst_ptl = pmd_lock(dst_mm);
	src_ptl = pmd_lock(src_mm);
	pmd = pmdp_get(src_pmd);
	if (pmd_trans_huge(pmd) && !huge_pmd_is_sane(pmd)) {
		spin_unlock(src_ptl);
		spin_unlock(dst_ptl);
		pte_free(dst_mm, table);
		return -ENOMEM; /* fork fails rather than copy what nobody accounts */
	}
	if (!pmd_trans_huge(pmd)) {
		spin_unlock(src_ptl);
		spin_unlock(dst_ptl);
		pte_free(dst_mm, table);
		return -EAGAIN;
	}
	page = pmd_page(pmd);
	if (!is_huge_zero_page(page)) {
		if (page_needs_cow_for_dma(src_vma, page, HPAGE_PMD_NR)) {
			spin_unlock(src_ptl);
			spin_unlock(dst_ptl);
			pte_free(dst_mm, table);
			__split_huge_pmd(src_vma, src_pmd, addr);
			return -EAGAIN;
		}
		get_page(page);
		page_dup_rmap_huge(page);
		atomic_long_add(HPAGE_PMD_NR, &dst_mm->rss_anon);
		__atomic_fetch_and(&src_pmd->pmd, ~_PAGE_RW, __ATOMIC_SEQ_CST);
		pmd = pmd_wrprotect(pmd);
	}
	pgtable_trans_huge_deposit(dst_mm, table);
	set_pmd(dst_pmd, pmd_mkold(pmd));
	spin_unlock(src_ptl);
	spin_unlock(dst_ptl);
	return 0;
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

/*
 * mprotect of a whole huge pmd. NUMA hinting leaves huge pmds alone (1: handled, no
 * change), so no protnone pmd exists for do_huge_pmd_numa_page() to meet. The huge
 * zero page keeps its write protection whatever the new protection says.
 */
int change_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr, pgprot_t newprot,
		    bool prot_numa)
{
	spinlock_t *ptl = pmd_lock(vma->vm_mm);
	pmd_t old = pmdp_get(pmd), entry;

	(void)addr;
	if (!pmd_trans_huge(old) || !huge_pmd_is_sane(old)) {
		spin_unlock(ptl);
		return 0;
	}
	if (prot_numa) {
		spin_unlock(ptl);
		return 1;
	}
	entry = pmd_modify(old, newprot);
	if (is_huge_zero_pmd(old))
		entry = pmd_wrprotect(entry);
	set_pmd(pmd, entry);
	spin_unlock(ptl);
	return HPAGE_PMD_NR;
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

/* --- the pud fault slots: no 1 GiB THP --- */

/* No huge allocation at this level: a legitimate answer, so no warning. */
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
