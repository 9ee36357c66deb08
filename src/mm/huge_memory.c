// SPDX-License-Identifier: GPL-2.0-only
/*
 * Transparent huge pages (anonymous, pmd-mapped): the huge fault and the huge zero
 * page, pmd split into a PTE table, the compound split (split_huge_page) with its
 * deferred queue, zap, fork's copy, mprotect and mremap of a huge pmd, and the pmd
 * migration entries of whole-THP migration (set, remove, and what those walkers do
 * with one). GUP's huge branches are in gup.c. The pud-level slots still decline (no 1 GiB THP).
 */
#include "mm/internal.h"
#include "mm/shrinker.h"

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

/*
 * A zeroed order-9 compound page. The huge allocation's own injection @point may
 * fail it first; then page_alloc is not reached, so it counts each try once.
 */
static struct page *alloc_thp(enum sim_point_id point, void *ctx)
{
	if (sim_point(point, ctx))
		return NULL;
	return alloc_pages(GFP_TRANSHUGE | __GFP_ZERO | __GFP_NOWARN, HPAGE_PMD_ORDER);
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
 * Nothing migrates the huge zero page, so it comes from neither ZONE_MOVABLE nor
 * CMA (the kernel allocates it without __GFP_MOVABLE): there it would keep a range
 * from going offline, or a cma_alloc() window busy, for good.
 */
static struct page *alloc_huge_zero_page(void)
{
	if (sim_point(SP_THP_ZERO_PAGE_ALLOC, NULL))
		return NULL;
	return alloc_pages((GFP_TRANSHUGE | __GFP_ZERO | __GFP_NOWARN) &
				   ~(__GFP_MOVABLE | __GFP_CMA),
			   HPAGE_PMD_ORDER);
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
	zero = alloc_huge_zero_page();
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
	page = alloc_thp(SP_THP_ALLOC, vma);
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
	if (vmf->vma->vm_ops->huge_fault)
		return vmf->vma->vm_ops->huge_fault(vmf, PE_SIZE_PMD);
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

	if (pmd_devmap(vmf->orig_pmd) && vma->vm_ops->huge_fault)
		return vma->vm_ops->huge_fault(vmf, PE_SIZE_PMD);
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

	if (!pmd_devmap(vmf->orig_pmd) && !huge_pmd_is_sane(vmf->orig_pmd))
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

/*
 * The NUMA hinting fault on a huge pmd change_prot_numa() made protnone. There is
 * one node, so no THP migrates: the pmd gets the VMA's protection back, young, and
 * writable again if the hint kept the write bit (the saved write of change_huge_pmd).
 * Return: 0 (a pmd changed meanwhile is left to the retried access).
 */
vm_fault_t do_huge_pmd_numa_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	spinlock_t *ptl;
	pmd_t entry;

	if (!huge_pmd_is_sane(vmf->orig_pmd))
		return VM_FAULT_FALLBACK;
	ptl = pmd_lock(vma->vm_mm);
	if (pmd_val(pmdp_get(vmf->pmd)) == pmd_val(vmf->orig_pmd)) {
		entry = pmd_mkyoung(pmd_modify(vmf->orig_pmd, vma->vm_page_prot));
		if (pmd_write(vmf->orig_pmd))
			entry = pmd_mkwrite(entry);
		set_pmd(vmf->pmd, entry);
	}
	spin_unlock(ptl);
	return 0;
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
			if (pmd_soft_dirty(old))
				entry = pte_mksoft_dirty(entry);
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
 * A pmd migration entry split (MADV_DONTNEED or mprotect of part of it, a VMA cut
 * through it): its deposited table gets one PTE migration entry per subpage, each
 * with the pmd entry's type (write, read, readable-exclusive) and soft-dirty bit, as 5.11's
 * __split_huge_pmd_locked(). Entries hold no reference and no mapcount; the rss
 * stays counted. The remap finds them (remove_migration_ptes()). Pmd lock held.
 */
static void split_migration_pmd(struct mm_struct *mm, pmd_t *pmd, pmd_t old)
{
	swp_entry_t entry = pmd_to_swp_entry(old);
	struct page *head = migration_entry_to_page(entry), *table;
	bool write = is_write_migration_entry(entry);
	bool exclusive = is_exclusive_migration_entry(entry);
	pte_t *pte;

	table = pgtable_trans_huge_withdraw(mm);
	if (!table)
		return;
	pte = page_address(table);
	for (int i = 0; i < HPAGE_PMD_NR; i++) {
		pte_t swp = swp_entry_to_pte(make_migration_entry_excl(head + i, write, exclusive));

		set_pte(pte + i, pmd_swp_soft_dirty(old) ? pte_swp_mksoft_dirty(swp) : swp);
	}
	pmd_populate(pmd, table);
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

	/* A DAX pmd has no table to split into: the PTE level faults the range in again. */
	if (pmd_devmap(old)) {
		pmdp_huge_get_and_clear(pmd);
		goto out;
	}
	if (is_pmd_migration_entry(old)) {
		split_migration_pmd(mm, pmd, old);
		goto out;
	}
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

pmd_t *mm_find_pmd(struct mm_struct *mm, unsigned long address)
{
	pgd_t *pgd = pgd_offset(mm, address);
	p4d_t *p4d = pgd_none_or_bad(pgd) ? NULL : p4d_offset(pgd, address);
	pud_t *pud = !p4d || p4d_none_or_bad(p4d) ? NULL : pud_offset(p4d, address);

	if (!pud || pud_none(pudp_get(pud)) || pud_is_huge_leaf(pudp_get(pud)))
		return NULL;
	return pmd_offset(pud, address);
}

void split_huge_pmd_address(struct vm_area_struct *vma, unsigned long address)
{
	pmd_t *pmd = mm_find_pmd(vma->vm_mm, address);

	if (pmd && (pmd_trans_huge(pmdp_get(pmd)) || is_pmd_migration_entry(pmdp_get(pmd))))
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
	spinlock_t *ptl;

	(void)address;
	if (!pud_devmap(pudp_get(pud))) {
		WARN_ON_ONCE(1);
		return;
	}
	/* As a DAX pmd: cleared, refaulted at the size below. */
	ptl = pmd_lock(vma->vm_mm);
	__atomic_exchange_n(&pud->pud, 0UL, __ATOMIC_SEQ_CST);
	spin_unlock(ptl);
}

/* --- split_huge_page: the compound page into HPAGE_PMD_NR small ones --- */

/*
 * The queue of THPs some subpage of which was unmapped (5.11's deferred_split_queue,
 * which the shrinker splits under memory pressure). It holds head pfns and no
 * reference: an entry may name a THP since freed or split, so the scan checks each
 * before it splits. A full queue drops new entries, as a shrinker may skip work.
 */
#define DEFERRED_SPLIT_MAX 64

static struct {
	pthread_mutex_t lock;
	unsigned long pfns[DEFERRED_SPLIT_MAX];
	unsigned int nr;
} deferred_split = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int deferred_split_find(unsigned long pfn)
{
	for (unsigned int i = 0; i < deferred_split.nr; i++)
		if (deferred_split.pfns[i] == pfn)
			return (int)i;
	return -1;
}

void deferred_split_huge_page(struct page *head)
{
	unsigned long pfn = page_to_pfn(head);

	if (!PageHead(head) || compound_order(head) != HPAGE_PMD_ORDER || !PageAnon(head))
		return;
	pthread_mutex_lock(&deferred_split.lock);
	if (deferred_split_find(pfn) < 0 && deferred_split.nr < DEFERRED_SPLIT_MAX)
		deferred_split.pfns[deferred_split.nr++] = pfn;
	pthread_mutex_unlock(&deferred_split.lock);
}

void deferred_split_queue_reset(void)
{
	pthread_mutex_lock(&deferred_split.lock);
	deferred_split.nr = 0;
	pthread_mutex_unlock(&deferred_split.lock);
}

static void deferred_split_forget(struct page *head)
{
	int i;

	pthread_mutex_lock(&deferred_split.lock);
	i = deferred_split_find(page_to_pfn(head));
	if (i >= 0)
		deferred_split.pfns[i] = deferred_split.pfns[--deferred_split.nr];
	pthread_mutex_unlock(&deferred_split.lock);
}

/* Pmd mappings plus every subpage's PTE mappings: 5.11's total_mapcount(). */
int total_mapcount(struct page *head)
{
	int nr = atomic_read(&head[1].compound_mapcount) + 1;

	for (int i = 0; i < HPAGE_PMD_NR; i++)
		nr += atomic_read(&head[i]._mapcount) + 1;
	return nr;
}

/*
 * Only the mappings and the caller's one reference hold @head: no pin, no GUP
 * reference, nobody else about to touch the subpages (anonymous memory has no swap
 * cache here, so 5.11's extra_pins is 0).
 */
bool can_split_huge_page(struct page *head)
{
	return total_mapcount(head) == page_count(head) - 1;
}

bool thp_partially_mapped(struct page *head)
{
	if (atomic_read(&head[1].compound_mapcount) >= 0)
		return false;
	for (int i = 0; i < HPAGE_PMD_NR; i++)
		if (atomic_read(&head[i]._mapcount) < 0)
			return total_mapcount(head) > 0;
	return false;
}

/*
 * The rmap walk of a split, as 5.11's unmap_page()/remap_page(): every PTE mapping a
 * subpage becomes a migration entry (its mapcount, reference and RSS go), and after
 * the split each entry becomes a PTE of the small page again, old, writable if it
 * was. A huge pmd mapping the THP is split first by the walker (the pte_entry needs
 * the PTEs); other huge pmds in the range are left alone.
 */
struct thp_rmap_walk {
	struct page *head;
	struct mm_struct *mms[64]; /* the mms whose mmap_lock the split holds */
	unsigned int nr_mms;
};

static struct page *thp_subpage_of(struct thp_rmap_walk *w, unsigned long pfn)
{
	unsigned long first = page_to_pfn(w->head);

	return pfn >= first && pfn < first + HPAGE_PMD_NR ? pfn_to_page(pfn) : NULL;
}

static int thp_rmap_pmd(pmd_t *pmd, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	struct thp_rmap_walk *w = walk->private_data;
	pmd_t entry = pmdp_get(pmd);

	(void)addr;
	(void)next;
	if (pmd_trans_huge(entry) && pmd_page(entry) != w->head)
		walk->action = ACTION_CONTINUE;
	return 0;
}

static int thp_unmap_pte(pte_t *pte, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	struct thp_rmap_walk *w = walk->private_data;
	pte_t old = ptep_get(pte);
	struct page *page;

	(void)addr;
	(void)next;
	if (!pte_present(old) || pte_special(old) || !(page = thp_subpage_of(w, pte_pfn(old))))
		return 0;
	old = ptep_get_and_clear(pte);
	if (pte_dirty(old))
		SetPageDirty(w->head); /* every subpage inherits the head's flags */
	set_pte(pte, swp_pte_soft_dirty_from(
			     swp_entry_to_pte(make_migration_entry(page, pte_write(old))), old));
	page_remove_rmap(page);
	/* The rss counters keep counting a migration entry (a zap of it uncounts it). */
	put_page(w->head);
	return 0;
}

/* The anonymous mapcount of @page is back: counted again unless a pmd still maps it. */
static void thp_readd_rmap(struct page *page)
{
	if (atomic_add_return(1, &page->_mapcount) != 0)
		return;
	if (!PageCompound(page) || atomic_read(&compound_head(page)[1].compound_mapcount) < 0)
		count_vm_stat(NR_ANON_MAPPED, 1);
}

static int thp_remap_pte(pte_t *pte, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	struct thp_rmap_walk *w = walk->private_data;
	pte_t old = ptep_get(pte), entry;
	swp_entry_t swp;
	struct page *page;

	(void)addr;
	(void)next;
	if (!is_swap_pte(old))
		return 0;
	swp = pte_to_swp_entry(old);
	if (!is_migration_entry(swp) ||
	    !(page = thp_subpage_of(w, page_to_pfn(migration_entry_to_page(swp)))))
		return 0;
	entry = pte_mkold(mk_pte(page, walk->vma->vm_page_prot));
	if (is_write_migration_entry(swp) && (walk->vma->vm_flags & VM_WRITE))
		entry = pte_mkwrite(entry);
	if (pte_swp_soft_dirty(old))
		entry = pte_mksoft_dirty(entry);
	get_page(page);
	thp_readd_rmap(page);
	set_pte(pte, entry);
	return 0;
}

static const struct mm_walk_ops thp_unmap_ops = {
	.pmd_entry = thp_rmap_pmd,
	.pte_entry = thp_unmap_pte,
};

static const struct mm_walk_ops thp_remap_ops = {
	.pmd_entry = thp_rmap_pmd,
	.pte_entry = thp_remap_pte,
};

/* Where the subpages of @head would be mapped in @vma (its linear index), if anywhere. */
static bool thp_range_in_vma(struct vm_area_struct *vma, struct page *head, unsigned long *start,
			     unsigned long *end)
{
	unsigned long first = max_t(unsigned long, head->index, vma->vm_pgoff);
	unsigned long last =
		min_t(unsigned long, head->index + HPAGE_PMD_NR, vma->vm_pgoff + vma_pages(vma));

	if (!vma_is_anonymous(vma) || first >= last)
		return false;
	*start = vma->vm_start + ((first - vma->vm_pgoff) << PAGE_SHIFT);
	*end = *start + ((last - first) << PAGE_SHIFT);
	return true;
}

/*
 * Every place the THP may be mapped: each mm on the task list, each anonymous VMA
 * whose linear index covers the THP's. The kernel finds them through the anon_vma
 * tree without mmap_lock; we have no such tree, so the split holds the task list and
 * each mm's mmap_lock for read from the unmap to the remap. Those are trylocks (the
 * page lock is held, and mmap_lock ranks above it): an mm that cannot be had is left
 * alone, its mappings stay, and the split is refused as 5.11 refuses it when
 * unmap_page() leaves a mapping behind.
 */
static void thp_rmap_lock(struct thp_rmap_walk *w)
{
	struct task_struct *t;

	pthread_mutex_lock(&sim.tasks_lock);
	list_for_each_entry(t, &sim.tasks, tasks)
	{
		bool dup = false;

		for (unsigned int i = 0; i < w->nr_mms; i++)
			dup |= w->mms[i] == t->mm;
		if (!dup && w->nr_mms < ARRAY_SIZE(w->mms) && mmap_read_trylock(t->mm))
			w->mms[w->nr_mms++] = t->mm;
	}
}

static void thp_rmap_unlock(struct thp_rmap_walk *w)
{
	for (unsigned int i = 0; i < w->nr_mms; i++)
		mmap_read_unlock(w->mms[i]);
	pthread_mutex_unlock(&sim.tasks_lock);
}

static void thp_rmap_run(struct thp_rmap_walk *w, const struct mm_walk_ops *ops)
{
	for (unsigned int i = 0; i < w->nr_mms; i++) {
		struct vm_area_struct *vma;

		for (vma = w->mms[i]->mmap; vma; vma = vma->vm_next) {
			unsigned long start, end;

			if (thp_range_in_vma(vma, w->head, &start, &end))
				walk_page_range(w->mms[i], start, end, ops, w);
		}
	}
}

/* Take the count to 0 if it is @count: no one can get a reference meanwhile. */
static bool page_ref_freeze(struct page *page, int count)
{
	return __atomic_compare_exchange_n(&page->_refcount.counter, &count, 0, false,
					   __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

/* Head flags each subpage keeps after the split (5.11's __split_huge_page_tail()). */
#define THP_TAIL_FLAGS                                                                             \
	((1UL << PG_referenced) | (1UL << PG_swapbacked) | (1UL << PG_mlocked) |                   \
	 (1UL << PG_uptodate) | (1UL << PG_active) | (1UL << PG_workingset) | (1UL << PG_locked) | \
	 (1UL << PG_unevictable) | (1UL << PG_dirty))

/*
 * Make subpage @i of the frozen @head a page of its own: the head's mapping, its index
 * plus @i, the head's flags above, one reference (the split's, dropped at the end).
 * Its mapcount is its own already. The compound fields it held go.
 */
static void split_huge_page_tail(struct page *head, int i, struct list_head *list)
{
	struct page *tail = head + i;
	/* Atomic: a waiter that found this tail split already may set PG_waiters on it. */
	unsigned long zone_bits = READ_ONCE(tail->flags) & (~0UL << ZONES_PGSHIFT);

	WRITE_ONCE(tail->flags, zone_bits | (READ_ONCE(head->flags) & THP_TAIL_FLAGS));
	/*
	 * Atomic: on the first tail this word holds compound_order and the compound
	 * mapcount, which a lockless look at a stale huge pmd may still be reading.
	 */
	WRITE_ONCE(tail->lru.prev, NULL);
	tail->private_data = 0;
	tail->index = head->index + (unsigned long)i;
	WRITE_ONCE(tail->mapping, head->mapping);
	/* A tail put on @list keeps a reference of its own there (5.11's lru_add_page_tail()). */
	set_page_count(tail, list ? 2 : 1);
	/* Release: a lockless reader that sees no compound_head finds the count set. */
	__atomic_store_n(&tail->compound_head, 0, __ATOMIC_RELEASE);
	if (list)
		list_add_tail(&tail->lru, list);
}

static void __split_huge_page(struct page *page, struct thp_rmap_walk *w, struct list_head *list)
{
	struct page *head = w->head;

	deferred_split_forget(head);
	for (int i = HPAGE_PMD_NR - 1; i > 0; i--)
		split_huge_page_tail(head, i, list);
	/* mlock stays counted per base page: 512 pages locked before and after. */
	ClearPageHead(head);
	set_page_count(head, 1);
	thp_rmap_run(w, &thp_remap_ops);
	thp_rmap_unlock(w);
	/*
	 * Every subpage held one reference of the split; the caller's goes to @page,
	 * which stays locked for the caller to unlock. A subpage nobody maps is freed.
	 */
	for (int i = 0; i < HPAGE_PMD_NR; i++) {
		if (!list)
			lru_cache_add(head + i); /* small pages now: onto the LRU (reclaim) */
		if (head + i == page)
			continue;
		unlock_page(head + i);
		put_page(head + i);
	}
}

int split_huge_page_to_list(struct page *page, struct list_head *list)
{
	struct page *head = compound_head(page);
	struct thp_rmap_walk w = {.nr_mms = 0};

	if (WARN_ON_ONCE(!PageLocked(head)))
		return -EINVAL;
	if (!PageHead(head) || compound_order(head) != HPAGE_PMD_ORDER || !PageAnon(head) ||
	    is_huge_zero_page(head))
		return -EBUSY;
	if (!can_split_huge_page(head))
		return -EBUSY;
	w.head = head;
	thp_rmap_lock(&w);
	thp_rmap_run(&w, &thp_unmap_ops);
	sim_point(SP_THP_SPLIT_FROZEN, head);
	/* A reference taken meanwhile (a racing GUP-fast), or a mapping we could not reach. */
	if (total_mapcount(head) || !page_ref_freeze(head, 1)) {
		thp_rmap_run(&w, &thp_remap_ops);
		thp_rmap_unlock(&w);
		return -EBUSY;
	}
	__split_huge_page(page, &w, list);
	return 0;
}

int split_huge_page(struct page *page)
{
	return split_huge_page_to_list(page, NULL);
}

int split_referenced_huge_page(struct page *page)
{
	int err = 0; /* split by someone else meanwhile: done */

	lock_page(page);
	if (PageCompound(page))
		err = split_huge_page_to_list(page, NULL);
	unlock_page(page);
	put_page(page); /* the caller's reference, now on @page alone */
	return err;
}

/* The deferred split queue's length: every queued THP may give memory back. */
static unsigned long deferred_split_count(struct shrinker *shrinker, struct shrink_control *sc)
{
	(void)shrinker;
	(void)sc;
	return sim_deferred_split_queued();
}

/*
 * Split up to sc->nr_to_scan THPs from the front of the queue, freeing the subpages
 * nothing maps. An entry freed, split or reused since it was queued is dropped; one
 * whose split is refused (pinned, or its page lock busy) is queued again.
 * Return: the THPs split, or SHRINK_STOP when none was and the queue is empty.
 */
static unsigned long deferred_split_scan(struct shrinker *shrinker, struct shrink_control *sc)
{
	unsigned long pfns[DEFERRED_SPLIT_MAX], split = 0;
	unsigned int nr;
	bool empty;

	(void)shrinker;
	pthread_mutex_lock(&deferred_split.lock);
	nr = (unsigned int)min_t(unsigned long, deferred_split.nr, sc->nr_to_scan);
	memcpy(pfns, deferred_split.pfns, nr * sizeof(pfns[0]));
	deferred_split.nr -= nr;
	memmove(deferred_split.pfns, deferred_split.pfns + nr, deferred_split.nr * sizeof(pfns[0]));
	pthread_mutex_unlock(&deferred_split.lock);
	sc->nr_scanned = nr;
	for (unsigned int i = 0; i < nr; i++) {
		struct page *head;

		if (!pfn_valid(pfns[i]))
			continue;
		head = pfn_to_page(pfns[i]);
		/* Freed, split or reused since it was queued: nothing to do. */
		if (!page_ref_add_unless_zero(head, 1))
			continue;
		if (PageHead(head) && compound_order(head) == HPAGE_PMD_ORDER && PageAnon(head) &&
		    thp_partially_mapped(head)) {
			if (trylock_page(head)) {
				if (!split_huge_page(head))
					split++;
				else
					deferred_split_huge_page(
						head); /* pinned: try again later */
				unlock_page(head);
			} else {
				deferred_split_huge_page(head);
			}
		}
		put_page(head);
	}
	empty = !sim_deferred_split_queued();
	return !split && empty ? SHRINK_STOP : split;
}

static struct shrinker deferred_split_shrinker = {
	.count_objects = deferred_split_count,
	.scan_objects = deferred_split_scan,
};

void deferred_split_shrinker_register(void)
{
	WARN_ON_ONCE(register_shrinker(&deferred_split_shrinker));
}

void deferred_split_shrinker_unregister(void)
{
	unregister_shrinker(&deferred_split_shrinker);
}

/* The shrinker's scan over the whole queue, without memory pressure. */
unsigned long sim_deferred_split_scan(void)
{
	struct shrink_control sc = {.gfp_mask = GFP_KERNEL, .nr_to_scan = DEFERRED_SPLIT_MAX};
	unsigned long split = deferred_split_scan(&deferred_split_shrinker, &sc);

	return split == SHRINK_STOP ? 0 : split;
}

unsigned long sim_deferred_split_queued(void)
{
	unsigned long nr;

	pthread_mutex_lock(&deferred_split.lock);
	nr = deferred_split.nr;
	pthread_mutex_unlock(&deferred_split.lock);
	return nr;
}

/* The page mapped at @addr in @mm, referenced; NULL when nothing is. */
static struct page *get_mapped_page(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma;
	struct page *found = NULL;

	mmap_read_lock(mm);
	vma = find_vma(mm, addr);
	if (vma && vma->vm_start <= addr)
		found = follow_page(vma, addr, 0);
	if (IS_ERR_VALUE(found) || (found && !page_ref_add_unless_zero(compound_head(found), 1)))
		found = NULL;
	mmap_read_unlock(mm);
	return found;
}

int sim_split_huge_page_at(struct mm_struct *mm, unsigned long addr)
{
	struct page *page = get_mapped_page(mm, addr);
	bool thp = page && PageCompound(page) && !is_huge_zero_page(compound_head(page));

	if (page && !thp)
		put_page(page);
	if (!thp)
		return page ? -EINVAL : -EFAULT;
	return split_referenced_huge_page(page);
}

/* --- zap, fork, mprotect --- */

int zap_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr)
{
	struct mm_struct *mm = vma->vm_mm;
	spinlock_t *ptl = pmd_lock(mm);
	pmd_t old = pmdp_get(pmd);
	struct page *page;

	(void)addr;
	/* A DAX pmd: no table deposited, no rmap, no reference (vma_is_special_huge()). */
	if (pmd_devmap(old)) {
		pmdp_huge_get_and_clear(pmd);
		spin_unlock(ptl);
		return 1;
	}
	if (is_pmd_migration_entry(old)) {
		/* The entry holds no reference and no mapcount: its table and rss go. */
		pmdp_huge_get_and_clear(pmd);
		pte_free(mm, pgtable_trans_huge_withdraw(mm));
		spin_unlock(ptl);
		atomic_long_add(-HPAGE_PMD_NR, &mm->rss_anon);
		return 1;
	}
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
	spinlock_t *ptl;

	(void)addr;
	if (WARN_ON_ONCE(!pud_devmap(pudp_get(pud))))
		return 0;
	ptl = pmd_lock(vma->vm_mm);
	__atomic_exchange_n(&pud->pud, 0UL, __ATOMIC_SEQ_CST);
	spin_unlock(ptl);
	return 1;
}

/*
 * fork meets a THP under migration: the child gets the entry (no reference, no
 * mapcount: the remap's rmap walk finds the child's VMA and maps it there too) and
 * its rss. A write (or readable-exclusive) entry of a COW mapping becomes a read
 * entry in both, so neither maps the new THP writable or exclusive behind the
 * other's back. Both pmd locks held.
 */
static void copy_migration_pmd(struct mm_struct *dst_mm, struct vm_area_struct *src_vma,
			       pmd_t *dst_pmd, pmd_t *src_pmd, pmd_t pmd, struct page *table)
{
	swp_entry_t entry = pmd_to_swp_entry(pmd);

	if (is_exclusive_migration_entry(entry) && is_cow_mapping(src_vma->vm_flags)) {
		pmd = pmd_migration_entry_from(migration_entry_readable(entry, false), pmd);
		set_pmd(src_pmd, pmd);
	}
	atomic_long_add(HPAGE_PMD_NR, &dst_mm->rss_anon);
	pgtable_trans_huge_deposit(dst_mm, table);
	set_pmd(dst_pmd, pmd);
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
	if (is_pmd_migration_entry(pmd)) {
		copy_migration_pmd(dst_mm, src_vma, dst_pmd, src_pmd, pmd, table);
		spin_unlock(src_ptl);
		spin_unlock(dst_ptl);
		return 0;
	}
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
 * mremap of a whole huge pmd: the entry moves as it is, the THP (or the huge zero
 * page) and its deposited table stay the mm's. Same mm, so the one pmd lock covers
 * both ends.
 */
bool move_huge_pmd(struct vm_area_struct *vma, pmd_t *old_pmd, pmd_t *new_pmd)
{
	spinlock_t *ptl;
	pmd_t entry;

	if (WARN_ON_ONCE(!pmd_none(pmdp_get(new_pmd))))
		return false;
	ptl = pmd_lock(vma->vm_mm);
	entry = pmdp_get(old_pmd);
	if (!pmd_devmap(entry) && !is_pmd_migration_entry(entry) &&
	    (!pmd_trans_huge(entry) || !huge_pmd_is_sane(entry))) {
		spin_unlock(ptl);
		return false;
	}
	/* A migration entry moves as it is: the remap finds it at the new address. */
	set_pmd(new_pmd, pmdp_huge_get_and_clear(old_pmd));
	spin_unlock(ptl);
	return true;
}

/*
 * mprotect of a whole huge pmd, or its NUMA hint (@prot_numa): the pmd becomes
 * protnone and keeps its write bit for do_huge_pmd_numa_page() to restore. A hint
 * leaves the huge zero page and a pmd already hinting alone (1: handled, no change),
 * as 5.11; unlike the PTE level it does not look at the mapcount of a THP fork
 * shares. The huge zero page keeps its write protection whatever the new protection.
 * Return: HPAGE_PMD_NR when the pmd changed, 1 when left as it was, 0 when the pmd
 * is no longer huge (the caller goes on at the PTE level).
 */
int change_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr, pgprot_t newprot,
		    bool prot_numa)
{
	spinlock_t *ptl = pmd_lock(vma->vm_mm);
	pmd_t old = pmdp_get(pmd), entry;

	(void)addr;
	if (is_pmd_migration_entry(old)) {
		/*
		 * 5.11 cannot tell here whether the new protection writes, so a write
		 * entry becomes a read one whatever it is: the remap maps the THP
		 * read-only and a write faults (and reuses it) after the migration.
		 */
		swp_entry_t swp = pmd_to_swp_entry(old);

		/* 5.19 on, an anonymous THP stays exclusive (readable-exclusive). */
		if (is_write_migration_entry(swp))
			set_pmd(pmd, pmd_migration_entry_from(
					     migration_entry_readable(
						     swp, mm_profile->migration_entry_exclusive),
					     old));
		spin_unlock(ptl);
		return 1;
	}
	if (!pmd_devmap(old) && (!pmd_trans_huge(old) || !huge_pmd_is_sane(old))) {
		spin_unlock(ptl);
		return 0;
	}
	if (prot_numa && (is_huge_zero_pmd(old) || pmd_protnone(old))) {
		spin_unlock(ptl);
		return 1;
	}
	entry = pmd_modify(old, newprot);
	if (is_huge_zero_pmd(old))
		entry = pmd_wrprotect(entry);
	else if (prot_numa && pmd_write(old))
		entry = pmd_mkwrite(entry);
	set_pmd(pmd, entry);
	spin_unlock(ptl);
	return HPAGE_PMD_NR;
}

int change_huge_pud(struct vm_area_struct *vma, pud_t *pud, unsigned long addr, pgprot_t newprot,
		    bool prot_numa)
{
	spinlock_t *ptl;
	pud_t old;

	(void)addr;
	if (WARN_ON_ONCE(!pud_devmap(pudp_get(pud))))
		return 0;
	if (prot_numa)
		return 1;
	ptl = pmd_lock(vma->vm_mm);
	old = pudp_get(pud);
	set_pud(pud,
		__pud((pud_val(old) & _PAGE_CHG_MASK) | (pgprot_val(newprot) & ~_PAGE_CHG_MASK)));
	spin_unlock(ptl);
	return (int)(PUD_SIZE >> PAGE_SHIFT);
}

/* --- pmd migration entries (whole-THP migration, migrate.c) --- */

/* The pmd at @haddr when the huge range there lies wholly in @vma; NULL otherwise. */
static pmd_t *vma_huge_pmd(struct vm_area_struct *vma, unsigned long haddr)
{
	if (!IS_ALIGNED(haddr, HPAGE_PMD_SIZE) || haddr < vma->vm_start ||
	    haddr + HPAGE_PMD_SIZE > vma->vm_end)
		return NULL;
	return mm_find_pmd(vma->vm_mm, haddr);
}

bool set_pmd_migration_entry(struct page *head, struct vm_area_struct *vma, unsigned long haddr)
{
	struct mm_struct *mm = vma->vm_mm;
	pmd_t *pmd = vma_huge_pmd(vma, haddr);
	spinlock_t *ptl;
	pmd_t old;

	if (!pmd)
		return false;
	ptl = pmd_lock(mm);
	old = pmdp_get(pmd);
	if (!pmd_trans_huge(old) || pmd_page(old) != head) {
		spin_unlock(ptl);
		return false;
	}
	old = pmdp_huge_get_and_clear(pmd);
	if (pmd_dirty(old))
		SetPageDirty(head);
	/* The deposited table and the rss stay with the entry, as the kernel keeps them. */
	set_pmd(pmd, pmd_migration_entry_from(
			     make_migration_entry_excl(head, pmd_write(old),
						       migration_takes_anon_exclusive(head)),
			     old));
	page_remove_rmap_huge(head);
	put_page(head);
	spin_unlock(ptl);
	return true;
}

bool remove_migration_pmd(struct page *old, struct page *new, struct vm_area_struct *vma,
			  unsigned long haddr)
{
	pmd_t *pmd = vma_huge_pmd(vma, haddr);
	spinlock_t *ptl;
	swp_entry_t swp;
	pmd_t cur, entry;

	if (!pmd)
		return false;
	ptl = pmd_lock(vma->vm_mm);
	cur = pmdp_get(pmd);
	swp = pmd_to_swp_entry(cur);
	if (!is_pmd_migration_entry(cur) || migration_entry_to_page(swp) != old) {
		spin_unlock(ptl);
		return false;
	}
	entry = pmd_mkold(mk_huge_pmd(new, vma->vm_page_prot));
	if (pmd_swp_soft_dirty(cur))
		entry = __pmd(pmd_val(entry) | soft_dirty_bit());
	if (is_write_migration_entry(swp))
		entry = maybe_pmd_mkwrite(entry, vma);
	get_page(new);
	page_add_anon_rmap_huge(new);
	if (is_exclusive_migration_entry(swp))
		mark_new_anon_page(new, HPAGE_PMD_NR); /* 5.19 on: exclusive again */
	if ((vma->vm_flags & (VM_LOCKED | VM_SPECIAL)) == VM_LOCKED)
		mlock_vma_page(new);
	set_pmd(pmd, entry);
	spin_unlock(ptl);
	return true;
}

/* --- the pud fault slots: no 1 GiB THP --- */

/* No huge allocation at this level: a legitimate answer, so no warning. */
vm_fault_t create_huge_pud(struct vm_fault *vmf)
{
	if (!vma_is_anonymous(vmf->vma) && vmf->vma->vm_ops->huge_fault)
		return vmf->vma->vm_ops->huge_fault(vmf, PE_SIZE_PUD);
	return VM_FAULT_FALLBACK;
}

/* Only DAX maps puds: its driver makes the entry writable (or the fault fails). */
vm_fault_t wp_huge_pud(struct vm_fault *vmf, pud_t orig_pud)
{
	if (WARN_ON_ONCE(!pud_devmap(orig_pud) || !vmf->vma->vm_ops->huge_fault))
		return VM_FAULT_FALLBACK;
	return vmf->vma->vm_ops->huge_fault(vmf, PE_SIZE_PUD);
}

vm_fault_t huge_pud_set_accessed(struct vm_fault *vmf, pud_t orig_pud)
{
	if (WARN_ON_ONCE(!pud_devmap(orig_pud) || !vmf->vma->vm_ops->huge_fault))
		return VM_FAULT_FALLBACK;
	return vmf->vma->vm_ops->huge_fault(vmf, PE_SIZE_PUD);
}

/* --- DAX: GUP's lookups of device pages mapped by a pmd or pud --- */

/* An error pointer, as gup.c's lookups return them. */
static struct page *devmap_err(int err)
{
	return (struct page *)(long)err;
}

/*
 * One small page of the device memory a devmap pmd or pud (@entry at @entryp) maps
 * at @addr, referenced as @flags ask with the pgmap held in *@pgmap; under 6.17's
 * rules (gup_takes_pgmap false) taken as any folio's subpage would be, with no
 * pgmap and whatever the flags (unreferenced without FOLL_GET or FOLL_PIN, as
 * follow_huge_pmd() returns it). Lock held.
 */
static struct page *follow_devmap_entry(unsigned long *entryp, unsigned long entry,
					unsigned long size, unsigned long addr, unsigned int flags,
					struct dev_pagemap **pgmap)
{
	unsigned long pfn =
		((entry & PTE_PFN_MASK) >> PAGE_SHIFT) + ((addr & (size - 1)) >> PAGE_SHIFT);
	struct page *page;

	/*
	 * Both at once is the caller's bug and nothing is taken. 5.11 returns NULL
	 * here and its follow_pmd_mask() goes on to follow_page_pte(), whose same
	 * check answers -EINVAL: the walk's answer, given here at once.
	 */
	if (WARN_ON_ONCE((flags & (FOLL_GET | FOLL_PIN)) == (FOLL_GET | FOLL_PIN)))
		return devmap_err(-EINVAL);
	if ((flags & FOLL_WRITE) && !(entry & _PAGE_RW))
		return NULL;
	/* Untested: the caller saw a devmap entry; only a change before its lock gets here. */
	if (!(entry & _PAGE_PRESENT) || !(entry & _PAGE_DEVMAP))
		return NULL;
	if (flags & FOLL_TOUCH) {
		unsigned long want = _PAGE_ACCESSED | ((flags & FOLL_WRITE) ? _PAGE_DIRTY : 0);

		if ((entry & want) != want)
			__atomic_fetch_or(entryp, want, __ATOMIC_RELAXED);
	}
	page = pfn_to_page(pfn);
	if (!mm_profile->gup_takes_pgmap)
		return try_grab_page(page, flags) ? page : devmap_err(-ENOMEM);
	/* Device pages are handed out only to callers that manage the reference. */
	if (!(flags & (FOLL_GET | FOLL_PIN)))
		return devmap_err(-EEXIST);
	*pgmap = get_dev_pagemap(pfn, *pgmap);
	if (!*pgmap)
		return devmap_err(-EFAULT);
	if (!try_grab_page(page, flags))
		page = devmap_err(-ENOMEM);
	return page;
}

struct page *follow_devmap_pmd(struct vm_area_struct *vma, unsigned long addr, pmd_t *pmd,
			       unsigned int flags, struct dev_pagemap **pgmap)
{
	(void)vma;
	return follow_devmap_entry(&pmd->pmd, pmd_val(pmdp_get(pmd)), PMD_SIZE, addr, flags, pgmap);
}

struct page *follow_devmap_pud(struct vm_area_struct *vma, unsigned long addr, pud_t *pud,
			       unsigned int flags, struct dev_pagemap **pgmap)
{
	(void)vma;
	return follow_devmap_entry(&pud->pud, pud_val(pudp_get(pud)), PUD_SIZE, addr, flags, pgmap);
}
