// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reverse map: mapcounts, the anon_vma objects anonymous pages point at and
 * the chain links fork makes between them, and the walk from a page to every
 * PTE mapping it, through the anon_vma or the file's i_mmap (try_to_unmap,
 * remove_migration_ptes, page_referenced, page_mkclean, try_to_munlock).
 */
#include "mm/internal.h"

/*
 * One lock for every anon_vma's list of chain links, standing in for the kernel's
 * per-root rwsem. It also covers the last put of an anon_vma, so a reference taken
 * with it held (page_get_anon_vma) never meets a freed one.
 */
static pthread_mutex_t anon_vma_lock = PTHREAD_MUTEX_INITIALIZER;

static struct anon_vma *anon_vma_alloc(struct anon_vma *parent)
{
	struct anon_vma *anon_vma = calloc(1, sizeof(*anon_vma));

	if (!anon_vma)
		return NULL;
	atomic_set(&anon_vma->refcount, 1);
	INIT_LIST_HEAD(&anon_vma->vmas);
	anon_vma->parent = parent ? parent : anon_vma;
	anon_vma->root = parent ? parent->root : anon_vma;
	/* A child keeps its root alive: the root names the family the walk covers. */
	if (parent)
		anon_vma_get(anon_vma->root);
	return anon_vma;
}

static struct anon_vma_chain *avc_alloc(void)
{
	return calloc(1, sizeof(struct anon_vma_chain));
}

/* Link @vma to @anon_vma through @avc, which takes a reference; anon_vma_lock held. */
static void avc_link(struct anon_vma_chain *avc, struct vm_area_struct *vma,
		     struct anon_vma *anon_vma)
{
	avc->vma = vma;
	avc->anon_vma = anon_vma;
	anon_vma_get(anon_vma);
	list_add_tail(&avc->same_vma, &vma->anon_vma_chain);
	list_add_tail(&avc->same_anon_vma, &anon_vma->vmas);
}

int anon_vma_prepare(struct vm_area_struct *vma)
{
	struct anon_vma *anon_vma;
	struct anon_vma_chain *avc;

	/* Acquire: pairs with the release below, so the anon_vma behind it is linked. */
	if (__atomic_load_n(&vma->anon_vma, __ATOMIC_ACQUIRE))
		return 0;
	anon_vma = anon_vma_alloc(NULL);
	avc = avc_alloc();
	if (!anon_vma || !avc) {
		free(anon_vma);
		free(avc);
		return -ENOMEM;
	}
	/* Faults run under the read lock, so two may race to set it up. */
	pthread_mutex_lock(&anon_vma_lock);
	if (!vma->anon_vma) {
		avc_link(avc, vma, anon_vma);
		__atomic_store_n(&vma->anon_vma, anon_vma, __ATOMIC_RELEASE);
		anon_vma = NULL;
		avc = NULL;
	}
	pthread_mutex_unlock(&anon_vma_lock);
	free(anon_vma);
	free(avc);
	return 0;
}

void anon_vma_get(struct anon_vma *anon_vma)
{
	if (anon_vma)
		atomic_inc(&anon_vma->refcount);
}

void anon_vma_put(struct anon_vma *anon_vma)
{
	struct anon_vma *root;

	if (!anon_vma || !atomic_dec_and_test(&anon_vma->refcount))
		return;
	WARN_ON_ONCE(!list_empty(&anon_vma->vmas));
	root = anon_vma->root;
	/* Under the lock: page_get_anon_vma() may be looking at it. */
	pthread_mutex_lock(&anon_vma_lock);
	pthread_mutex_unlock(&anon_vma_lock);
	free(anon_vma);
	if (root != anon_vma)
		anon_vma_put(root);
}

int anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct anon_vma_chain *pavc;
	int ret = 0;

	INIT_LIST_HEAD(&dst->anon_vma_chain);
	pthread_mutex_lock(&anon_vma_lock);
	list_for_each_entry(pavc, &src->anon_vma_chain, same_vma)
	{
		struct anon_vma_chain *avc = avc_alloc();

		if (!avc) {
			ret = -ENOMEM;
			break;
		}
		avc_link(avc, dst, pavc->anon_vma);
	}
	pthread_mutex_unlock(&anon_vma_lock);
	return ret;
}

int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma)
{
	struct anon_vma *anon_vma;
	struct anon_vma_chain *avc;

	if (!pvma->anon_vma)
		return 0;
	anon_vma = anon_vma_alloc(pvma->anon_vma);
	avc = avc_alloc();
	if (!anon_vma || !avc) {
		anon_vma_put(anon_vma);
		free(avc);
		return -ENOMEM;
	}
	pthread_mutex_lock(&anon_vma_lock);
	avc_link(avc, vma, anon_vma);
	pthread_mutex_unlock(&anon_vma_lock);
	/* The child's new pages go to its own anon_vma; the parent's stay findable. */
	anon_vma_put(vma->anon_vma);
	vma->anon_vma = anon_vma;
	return 0;
}

void unlink_anon_vmas(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc, *next;
	LIST_HEAD(gone);

	pthread_mutex_lock(&anon_vma_lock);
	list_for_each_entry_safe(avc, next, &vma->anon_vma_chain, same_vma)
	{
		list_del(&avc->same_anon_vma);
		list_move(&avc->same_vma, &gone);
	}
	pthread_mutex_unlock(&anon_vma_lock);
	list_for_each_entry_safe(avc, next, &gone, same_vma)
	{
		anon_vma_put(avc->anon_vma);
		free(avc);
	}
	anon_vma_put(vma->anon_vma);
	vma->anon_vma = NULL;
}

void anon_vma_merge_chain(struct vm_area_struct *vma, struct vm_area_struct *from)
{
	struct anon_vma_chain *avc;

	if (vma->anon_vma || !from->anon_vma)
		return;
	pthread_mutex_lock(&anon_vma_lock);
	list_for_each_entry(avc, &from->anon_vma_chain, same_vma) avc->vma = vma;
	list_splice_init(&from->anon_vma_chain, &vma->anon_vma_chain);
	vma->anon_vma = from->anon_vma;
	from->anon_vma = NULL;
	pthread_mutex_unlock(&anon_vma_lock);
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

void page_add_anon_rmap_huge(struct page *head)
{
	if (!atomic_inc_and_test(compound_mapcount_ptr(head)))
		return;
	count_vm_stat(NR_ANON_THPS, 1);
	count_vm_stat(NR_ANON_MAPPED, subpages_not_pte_mapped(head));
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

/* --- the walk from a page to its mappings --- */

void page_add_anon_rmap(struct page *page, struct vm_area_struct *vma, unsigned long address)
{
	(void)vma;
	(void)address;
	/*
	 * The mapping and index are already the page's (set by migration or first fault).
	 * A subpage a pmd maps too is counted already, as page_remove_rmap() leaves it.
	 */
	if (atomic_inc_and_test(&page->_mapcount) && !pmd_mapped(page))
		count_vm_stat(NR_ANON_MAPPED, 1);
}

static struct anon_vma *page_anon_vma(struct page *page)
{
	unsigned long mapping = (unsigned long)READ_ONCE(compound_head(page)->mapping);

	if (!(mapping & PAGE_MAPPING_ANON))
		return NULL;
	return (struct anon_vma *)(mapping & ~PAGE_MAPPING_ANON);
}

struct anon_vma *page_get_anon_vma(struct page *page)
{
	struct anon_vma *anon_vma;

	pthread_mutex_lock(&anon_vma_lock);
	anon_vma = page_anon_vma(page);
	/* Mapped: some VMA's chain link still holds the anon_vma. */
	if (anon_vma && (!page_mapped(page) || !atomic_add_unless(&anon_vma->refcount, 1, 0)))
		anon_vma = NULL;
	pthread_mutex_unlock(&anon_vma_lock);
	return anon_vma;
}

/*
 * The page's offset in base pages: a hugetlb page of a shared object is indexed
 * by huge page in its cache, as 5.11's page_to_pgoff() knows.
 */
static unsigned long page_to_pgoff(struct page *page)
{
	if (PageHuge(page) && !PageAnon(page))
		return page->index << compound_order(page);
	return page->index;
}

/* Where @page would sit in @vma, or -EFAULT when its index falls outside it. */
static unsigned long vma_address(struct page *page, struct vm_area_struct *vma)
{
	unsigned long pgoff = page_to_pgoff(page);
	unsigned long address;

	if (pgoff < vma->vm_pgoff || pgoff - vma->vm_pgoff >= vma_pages(vma))
		return -EFAULT;
	address = vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
	return address;
}

/*
 * Every VMA linked to the page's anon_vma: its own, and those of the descendants
 * forked since it was made. The kernel keeps them in an interval tree by pgoff;
 * a list filtered by vma_address() finds the same ones.
 */
/*
 * Where the head of the THP @head would sit in @vma, when any of its subpages falls
 * inside it (the address may then lie before vm_start: a migration pmd split and
 * mremapped in part leaves its PTEs in several VMAs). -EFAULT when none does.
 */
static unsigned long thp_span_address(struct page *head, struct vm_area_struct *vma)
{
	unsigned long first = head->index, last = first + compound_nr(head) - 1;

	if (last < vma->vm_pgoff || first >= vma->vm_pgoff + vma_pages(vma))
		return -EFAULT;
	return vma->vm_start + ((first - vma->vm_pgoff) << PAGE_SHIFT); /* may wrap: mod 2^64 */
}

static void rmap_walk_anon(struct page *page, struct rmap_walk_control *rwc)
{
	struct anon_vma *anon_vma = page_anon_vma(page);
	struct anon_vma_chain *avc;

	if (!anon_vma)
		return;
	pthread_mutex_lock(&anon_vma_lock);
	list_for_each_entry(avc, &anon_vma->vmas, same_anon_vma)
	{
		struct vm_area_struct *vma = avc->vma;
		unsigned long address = rwc->thp_span && PageTransHuge(page)
						? thp_span_address(page, vma)
						: vma_address(page, vma);

		if (IS_ERR_VALUE(address))
			continue;
		if (!rwc->rmap_one(page, vma, address, rwc->arg))
			break;
		if (rwc->done && rwc->done(page))
			break;
	}
	pthread_mutex_unlock(&anon_vma_lock);
}

/*
 * Every VMA on the file's i_mmap that maps the page's index. The page lock keeps
 * page->mapping (truncation clears it under the lock); i_mmap_rwsem keeps the VMAs.
 */
static void rmap_walk_file(struct page *page, struct rmap_walk_control *rwc)
{
	struct address_space *mapping = page->mapping;
	unsigned long first = page_to_pgoff(page), last = first + compound_nr(page) - 1;
	struct vm_area_struct *vma;

	if (!mapping)
		return;
	i_mmap_lock_read(mapping);
	vma_interval_tree_foreach(vma, &mapping->i_mmap, first, last)
	{
		unsigned long address = vma_address(page, vma);

		if (IS_ERR_VALUE(address))
			continue;
		if (!rwc->rmap_one(page, vma, address, rwc->arg))
			break;
		if (rwc->done && rwc->done(page))
			break;
	}
	i_mmap_unlock_read(mapping);
}

void rmap_walk(struct page *page, struct rmap_walk_control *rwc)
{
	page = compound_head(page);
	if (PageAnon(page))
		rmap_walk_anon(page, rwc);
	else
		rmap_walk_file(page, rwc);
}

/*
 * The PTE in @vma at @address that maps @page (or, @migration, holds a migration
 * entry for it), with its table lock taken; NULL when there is none. Huge pmds
 * are skipped: their PMD-level entries come with the huge-page migration.
 */
static pte_t *page_vma_pte(struct page *page, struct vm_area_struct *vma, unsigned long address,
			   bool migration, spinlock_t **ptlp)
{
	pmd_t *pmd;
	pte_t *pte = mm_find_pte(vma->vm_mm, address, &pmd);
	pte_t entry;

	if (!pte)
		return NULL;
	pte = pte_offset_map_lock(vma->vm_mm, pmd, address, ptlp);
	entry = ptep_get(pte);
	if (migration ? is_swap_pte(entry) && is_migration_entry(pte_to_swp_entry(entry)) &&
				migration_entry_to_page(pte_to_swp_entry(entry)) == page
		      : pte_present(entry) && pte_pfn(entry) == page_to_pfn(page))
		return pte;
	pte_unmap_unlock(pte, *ptlp);
	return NULL;
}

static bool page_not_mapped(struct page *page)
{
	return !page_mapped(page);
}

/*
 * The PTE at @address in @vma, if it maps @page (a small page, or one subpage of
 * a THP): a migration entry for it, or (reclaim) a swap entry. Return: false when
 * the page stays mapped there and the walk should stop.
 */
static bool try_to_unmap_pte(struct page *page, struct vm_area_struct *vma, unsigned long address,
			     unsigned int flags)
{
	spinlock_t *ptl;
	pte_t *pte;
	pte_t old;

	pte = page_vma_pte(page, vma, address, false, &ptl);
	if (!pte)
		return true;
	if (!(flags & TTU_IGNORE_MLOCK) && (vma->vm_flags & VM_LOCKED)) {
		pte_unmap_unlock(pte, ptl);
		return false; /* stays mapped: munlock or a migration may take it */
	}
	if (PageAnon(page) && !(flags & TTU_MIGRATION)) {
		/* To swap (vmscan.c) when the page is in the swap cache; else nowhere to go. */
		bool unmapped = PageSwapCache(page) && try_to_unmap_swap_pte(page, vma, pte);

		pte_unmap_unlock(pte, ptl);
		return unmapped;
	}
	old = ptep_get_and_clear(pte);
	if (pte_dirty(old))
		set_page_dirty(page);
	/* The rss counters keep counting a migration entry, as the kernel's do. */
	if (flags & TTU_MIGRATION)
		set_pte(pte, swp_pte_soft_dirty_from(swp_entry_to_pte(make_migration_entry_excl(
							     page, pte_write(old),
							     migration_takes_anon_exclusive(page))),
						     old));
	else
		atomic_long_add(-1, mm_rss_counter(vma->vm_mm, page)); /* read back on fault */
	page_remove_rmap(page);
	put_page(page);
	pte_unmap_unlock(pte, ptl);
	return true;
}

/*
 * A THP under migration moves whole, however @vma maps it (5.11's
 * page_vma_mapped_walk() over the THP's span, x86-64 having
 * ARCH_ENABLE_THP_MIGRATION): the huge pmd at @haddr becomes a pmd migration
 * entry; where PTEs map it instead (the pmd split by mprotect, mremap or munmap
 * of part, or by fork's copy of a pinned THP), each subpage's PTE inside @vma
 * becomes a migration entry of its own, with its own write and exclusive bits.
 */
static bool try_to_unmap_thp(struct page *head, struct vm_area_struct *vma, unsigned long haddr,
			     unsigned int flags)
{
	if (!(flags & TTU_IGNORE_MLOCK) && (vma->vm_flags & VM_LOCKED))
		return false;
	if (set_pmd_migration_entry(head, vma, haddr))
		return true;
	for (unsigned long i = 0; i < compound_nr(head); i++) {
		unsigned long addr = haddr + (i << PAGE_SHIFT); /* haddr may lie before vm_start */

		if (addr >= vma->vm_start && addr < vma->vm_end &&
		    !try_to_unmap_pte(head + i, vma, addr, flags))
			return false;
	}
	return true;
}

static bool try_to_unmap_one(struct page *page, struct vm_area_struct *vma, unsigned long address,
			     void *arg)
{
	unsigned int flags = *(unsigned int *)arg;

	if (PageTransHuge(page) && (flags & TTU_MIGRATION))
		return try_to_unmap_thp(page, vma, address, flags);
	return try_to_unmap_pte(page, vma, address, flags);
}

bool try_to_unmap(struct page *page, unsigned int flags)
{
	struct rmap_walk_control rwc = {
		.arg = &flags,
		.rmap_one = try_to_unmap_one,
		.done = page_not_mapped,
		.thp_span = true, /* a THP: every VMA one of its subpages falls in */
	};

	if (PageHuge(page))
		rwc.rmap_one = hugetlb_try_to_unmap_one; /* a huge entry, not PTEs */

	VM_BUG_ON_PAGE(!PageLocked(page), page);
	rmap_walk(page, &rwc);
	return !page_mapped(page);
}

static bool remove_migration_pte(struct page *new, struct vm_area_struct *vma,
				 unsigned long address, void *arg)
{
	struct page *old = arg;
	spinlock_t *ptl;
	pte_t *pte = page_vma_pte(old, vma, address, true, &ptl);
	pte_t entry;

	if (!pte)
		return true;
	entry = pte_mkold(mk_pte(new, vma->vm_page_prot));
	if (is_write_migration_entry(pte_to_swp_entry(ptep_get(pte))) && (vma->vm_flags & VM_WRITE))
		entry = pte_mkwrite(entry);
	if (PageAnon(new) && is_exclusive_migration_entry(pte_to_swp_entry(ptep_get(pte))))
		mark_new_anon_page(new, 1); /* 5.19 on: the mark the unmap took */
	if (pte_swp_soft_dirty(ptep_get(pte)))
		entry = pte_mksoft_dirty(entry);
	get_page(new);
	if (PageAnon(new))
		page_add_anon_rmap(new, vma, address);
	else
		page_add_file_rmap(new);
	/* A THP is mlocked on its head by a pmd mapping only, as 5.11. */
	if ((vma->vm_flags & (VM_LOCKED | VM_SPECIAL)) == VM_LOCKED && !PageCompound(new))
		mlock_vma_page(new);
	set_pte(pte, entry);
	pte_unmap_unlock(pte, ptl);
	return true;
}

/*
 * The THP @new takes the place of @old (the THP itself after a failed move) in @vma:
 * the pmd migration entry at @haddr, or, where a split of that entry during the
 * migration left PTE migration entries (MADV_DONTNEED or mprotect of part), each
 * subpage's entry that lies inside @vma.
 */
static bool remove_migration_thp(struct page *new, struct vm_area_struct *vma, unsigned long haddr,
				 void *arg)
{
	struct page *old = arg;

	if (remove_migration_pmd(old, new, vma, haddr))
		return true;
	for (unsigned long i = 0; i < compound_nr(new); i++) {
		unsigned long addr = haddr + (i << PAGE_SHIFT);

		if (addr >= vma->vm_start && addr < vma->vm_end)
			remove_migration_pte(new + i, vma, addr, old + i);
	}
	return true;
}

void remove_migration_ptes(struct page *old, struct page *new)
{
	struct rmap_walk_control rwc = {
		.arg = old,
		.rmap_one = PageTransHuge(new) ? remove_migration_thp : remove_migration_pte,
		.thp_span = true,
	};

	if (PageHuge(new))
		rwc.rmap_one = hugetlb_remove_migration_pte;

	rmap_walk(new, &rwc);
}

struct referenced_arg {
	int referenced;
	unsigned long vm_flags;
};

static bool page_referenced_one(struct page *page, struct vm_area_struct *vma,
				unsigned long address, void *arg)
{
	struct referenced_arg *ra = arg;
	spinlock_t *ptl;
	pte_t *pte = page_vma_pte(page, vma, address, false, &ptl);

	if (!pte)
		return true;
	if (pte_young(ptep_get(pte))) {
		set_pte(pte, pte_mkold(ptep_get(pte)));
		ra->referenced++;
		ra->vm_flags |= vma->vm_flags;
	}
	pte_unmap_unlock(pte, ptl);
	return true;
}

int page_referenced(struct page *page, unsigned long *vm_flags)
{
	struct referenced_arg ra = {0};
	struct rmap_walk_control rwc = {
		.arg = &ra,
		.rmap_one = page_referenced_one,
	};

	struct anon_vma *anon_vma = PageAnon(page) ? page_get_anon_vma(page) : NULL;

	/* The reference keeps the anon_vma while an munmap may unmap the page meanwhile. */
	if (anon_vma)
		rmap_walk(page, &rwc);
	else if (!PageAnon(page) && page_mapped(page))
		rmap_walk(page, &rwc); /* a file page: the caller's page lock keeps its mapping */
	anon_vma_put(anon_vma);
	if (vm_flags)
		*vm_flags = ra.vm_flags;
	return ra.referenced;
}

static bool page_mkclean_one(struct page *page, struct vm_area_struct *vma, unsigned long address,
			     void *arg)
{
	int *cleaned = arg;
	spinlock_t *ptl;
	pte_t *pte, entry;

	if (!(vma->vm_flags & VM_SHARED))
		return true; /* a private mapping never writes to the file's page */
	pte = page_vma_pte(page, vma, address, false, &ptl);
	if (!pte)
		return true;
	entry = ptep_get(pte);
	if (pte_dirty(entry) || pte_write(entry)) {
		/* The next store faults, and the write fault dirties the page again. */
		set_pte(pte, pte_wrprotect(pte_mkclean(entry)));
		(*cleaned)++;
	}
	pte_unmap_unlock(pte, ptl);
	return true;
}

int page_mkclean(struct page *page)
{
	struct rmap_walk_control rwc = {
		.rmap_one = page_mkclean_one,
	};
	int cleaned = 0;

	if (!page_mapped(page) || PageAnon(page) || !page->mapping)
		return 0;
	VM_BUG_ON_PAGE(!PageLocked(page), page);
	rwc.arg = &cleaned;
	rmap_walk(page, &rwc);
	return cleaned;
}

/* Does a PTE or a huge pmd in @vma at @address map (part of) @page? */
static bool page_mapped_in_vma_at(struct page *page, struct vm_area_struct *vma,
				  unsigned long address)
{
	struct page *head = compound_head(page);
	pmd_t *pmd = mm_find_pmd(vma->vm_mm, address & HPAGE_PMD_MASK);
	spinlock_t *ptl;
	bool mapped = false;

	if (PageTransHuge(head) && pmd) {
		ptl = pmd_lock(vma->vm_mm);
		mapped = pmd_trans_huge(pmdp_get(pmd)) && pmd_page(pmdp_get(pmd)) == head;
		spin_unlock(ptl);
		if (mapped)
			return true;
	}
	for (unsigned long i = 0; i < compound_nr(head) && !mapped; i++) {
		pte_t *pte = page_vma_pte(head + i, vma, address + (i << PAGE_SHIFT), false, &ptl);

		if (pte) {
			mapped = true;
			pte_unmap_unlock(pte, ptl);
		}
	}
	return mapped;
}

static bool try_to_munlock_one(struct page *page, struct vm_area_struct *vma, unsigned long address,
			       void *arg)
{
	(void)arg;
	if (!(vma->vm_flags & VM_LOCKED) || !page_mapped_in_vma_at(page, vma, address))
		return true;
	mlock_vma_page(page); /* another locked VMA keeps it: mlocked again, counted again */
	return false;
}

void try_to_munlock(struct page *page)
{
	struct rmap_walk_control rwc = {
		.rmap_one = try_to_munlock_one,
	};
	struct anon_vma *anon_vma = NULL;

	VM_BUG_ON_PAGE(!PageLocked(page), page);
	page = compound_head(page);
	if (!page_mapped(page))
		return;
	if (PageAnon(page) && !(anon_vma = page_get_anon_vma(page)))
		return;
	rmap_walk(page, &rwc);
	anon_vma_put(anon_vma);
}
