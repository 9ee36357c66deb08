// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fault path (anonymous, shared, COW, NUMA hinting), zapping, fork's page-table
 * copy with early COW of pinned pages, and raw pfn mappings.
 */
#include "mm/internal.h"
#include <gup/pagemap.h>

struct page *vm_normal_page(struct vm_area_struct *vma, unsigned long addr, pte_t pte)
{
	unsigned long pfn = pte_pfn(pte);

	(void)vma;
	(void)addr;
	if (pte_special(pte))
		return NULL; /* the zero page, raw pfn maps and device entries */
	if (!pfn_valid(pfn)) {
		WARN_ON_ONCE(1);
		return NULL;
	}
	return pfn_to_page(pfn);
}

static pte_t maybe_mkwrite(pte_t pte, struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_WRITE) ? pte_mkwrite(pte) : pte;
}

static void inc_mm_counter(struct mm_struct *mm, struct page *page, long delta)
{
	atomic_long_add(delta, mm_rss_counter(mm, page));
}

/*
 * A new page mapped into @vma: mlock it at once if the VMA is locked, and add it
 * to the LRU (the unevictable list when mlocked), as the kernel's
 * lru_cache_add_inactive_or_unevictable() does.
 */
static void mlock_new_page(struct page *page, struct vm_area_struct *vma)
{
	if ((vma->vm_flags & (VM_LOCKED | VM_SPECIAL)) == VM_LOCKED)
		mlock_vma_page(page);
	lru_cache_add(page);
}

/* --- anonymous faults --- */

static vm_fault_t do_anonymous_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct page *page;
	pte_t entry;

	if (!(vmf->flags & FAULT_FLAG_WRITE)) {
		entry = pte_mkspecial(pfn_pte(zero_pfn(), vma->vm_page_prot));
		vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, vmf->address, &vmf->ptl);
		if (pte_none(ptep_get(vmf->pte)))
			set_pte(vmf->pte, entry);
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		return 0;
	}
	if (anon_vma_prepare(vma))
		return VM_FAULT_OOM;
	page = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_ZERO);
	if (!page)
		return VM_FAULT_OOM;
	entry = maybe_mkwrite(pte_mkdirty(mk_pte(page, vma->vm_page_prot)), vma);
	vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (!pte_none(ptep_get(vmf->pte))) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		put_page(page);
		return 0;
	}
	page_add_new_anon_rmap(page, vma, vmf->address);
	mlock_new_page(page, vma);
	inc_mm_counter(vma->vm_mm, page, 1);
	set_pte(vmf->pte, entry);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

/* --- faults on mappings with vm_ops: shmem and host files --- */

/* Map @page at @addr, whose entry @pte is none, under the PTE lock; the mapping takes the caller's reference. */
static void map_new_page(struct vm_area_struct *vma, pte_t *pte, unsigned long addr,
			 struct page *page, bool write, bool anon)
{
	pte_t entry = mk_pte(page, vma->vm_page_prot);

	if (write)
		entry = maybe_mkwrite(pte_mkdirty(entry), vma);
	if (anon) {
		page_add_new_anon_rmap(page, vma, addr);
		mlock_new_page(page, vma);
	} else {
		page_add_file_rmap(page);
		if (write)
			set_page_dirty(page);
	}
	inc_mm_counter(vma->vm_mm, page, 1);
	set_pte(pte, entry);
}

void do_set_pte(struct vm_area_struct *vma, pte_t *pte, unsigned long addr, struct page *page)
{
	map_new_page(vma, pte, addr, page, false, false);
}

/* Install @page (locked, referenced by the caller) at vmf->address; consumes the reference. */
static vm_fault_t finish_fault(struct vm_fault *vmf, struct page *page, bool anon)
{
	struct vm_area_struct *vma = vmf->vma;

	vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (!pte_none(ptep_get(vmf->pte))) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		put_page(page);
		return 0;
	}
	map_new_page(vma, vmf->pte, vmf->address, page, vmf->flags & FAULT_FLAG_WRITE, anon);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

/*
 * Before ->fault, map what the page cache already holds around the faulting
 * address: a window of sim.fault_around_pages aligned to its own size (so never
 * across a page table: it is at most PTRS_PER_PTE pages), cut to the VMA. This is
 * why a read fault on cached file pages costs Linux one fault per 16 pages.
 * Return: VM_FAULT_NOPAGE when the faulting address was mapped so, else 0.
 */
static vm_fault_t do_fault_around(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long window = (unsigned long)sim.fault_around_pages << PAGE_SHIFT;
	unsigned long addr = vmf->address & PAGE_MASK;
	unsigned long start = max_t(unsigned long, ALIGN_DOWN(addr, window), vma->vm_start);
	unsigned long end = min_t(unsigned long, ALIGN_DOWN(addr, window) + window, vma->vm_end);
	pgoff_t start_pgoff = vmf->pgoff - ((addr - start) >> PAGE_SHIFT);

	return vma->vm_ops->map_pages(vmf, start_pgoff,
				      start_pgoff + ((end - start) >> PAGE_SHIFT) - 1);
}

/* A read fault maps the page-cache page as it is (read-only unless shared-writable). */
static vm_fault_t do_read_fault(struct vm_fault *vmf)
{
	vm_fault_t ret;

	if (vmf->vma->vm_ops->map_pages && sim.fault_around_pages > 1) {
		ret = do_fault_around(vmf);
		if (ret)
			return ret;
	}
	ret = vmf->vma->vm_ops->fault(vmf);

	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		return ret;
	ret |= finish_fault(vmf, vmf->page, false);
	unlock_page(vmf->page);
	return ret & ~VM_FAULT_LOCKED;
}

/*
 * A write fault in a private file mapping: an anonymous copy; the cache stays
 * untouched. A DAX file fills vmf->cow_page itself from its device memory
 * (VM_FAULT_DONE_COW): it has no page-cache page to hand back.
 */
static vm_fault_t do_cow_fault(struct vm_fault *vmf)
{
	struct page *copy;
	vm_fault_t ret;

	if (anon_vma_prepare(vmf->vma))
		return VM_FAULT_OOM;
	copy = alloc_page(GFP_HIGHUSER_MOVABLE);
	if (!copy)
		return VM_FAULT_OOM;
	vmf->cow_page = copy;
	ret = vmf->vma->vm_ops->fault(vmf);
	vmf->cow_page = NULL;
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) {
		put_page(copy);
		return ret;
	}
	if (ret & VM_FAULT_DONE_COW)
		return finish_fault(vmf, copy, true);
	copy_highpage(copy, vmf->page);
	unlock_page(vmf->page);
	put_page(vmf->page);
	return finish_fault(vmf, copy, true);
}

/*
 * Tell the file that @vmf->page is about to be written (page_mkwrite). Return:
 * VM_FAULT_LOCKED with the page locked and still in its file, or the error
 * (VM_FAULT_NOPAGE when truncation took the page: the fault is simply retried).
 */
static vm_fault_t do_page_mkwrite(struct vm_fault *vmf)
{
	struct page *page = vmf->page;
	unsigned int old_flags = vmf->flags;
	vm_fault_t ret;

	vmf->flags = FAULT_FLAG_WRITE | FAULT_FLAG_MKWRITE;
	ret = vmf->vma->vm_ops->page_mkwrite(vmf);
	vmf->flags = old_flags;
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE))
		return ret;
	if (!(ret & VM_FAULT_LOCKED)) {
		lock_page(page);
		if (!page->mapping) {
			unlock_page(page);
			return VM_FAULT_NOPAGE;
		}
		ret |= VM_FAULT_LOCKED;
	}
	return ret;
}

/* A write fault in a shared mapping: the file learns of it before the PTE allows it. */
static vm_fault_t do_shared_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	vm_fault_t ret = vma->vm_ops->fault(vmf), tmp;

	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		return ret;
	if (vma->vm_ops->page_mkwrite) {
		unlock_page(vmf->page);
		tmp = do_page_mkwrite(vmf);
		if (tmp & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) {
			put_page(vmf->page);
			return tmp;
		}
	}
	ret = finish_fault(vmf, vmf->page, false);
	unlock_page(vmf->page);
	return ret;
}

static vm_fault_t do_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	if (!vma->vm_ops->fault)
		return VM_FAULT_SIGBUS;
	if (!(vmf->flags & FAULT_FLAG_WRITE))
		return do_read_fault(vmf);
	if (!(vma->vm_flags & VM_SHARED))
		return do_cow_fault(vmf);
	return do_shared_fault(vmf);
}

/* --- write-protect faults --- */

static vm_fault_t wp_page_reuse(struct vm_fault *vmf)
{
	pte_t entry = pte_mkyoung(vmf->orig_pte);

	entry = maybe_mkwrite(pte_mkdirty(entry), vmf->vma);
	set_pte(vmf->pte, entry);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	count_vm_stat(NR_COW_REUSES, 1);
	return VM_FAULT_WRITE;
}

/*
 * Unsharing (FAULT_FLAG_UNSHARE) found the page reusable: it is exclusive now,
 * which is all a R/O pin needs; the PTE stays as it was, read-only.
 */
static vm_fault_t wp_page_unshare_reuse(struct vm_fault *vmf)
{
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

/*
 * Replace the mapped page (or zero page) by a private copy. Entered without the
 * PTE lock. An unsharing fault maps the copy read-only and clean, as the entry
 * it replaces: only a write may make it writable.
 */
static vm_fault_t wp_page_copy(struct vm_fault *vmf, struct page *old)
{
	struct vm_area_struct *vma = vmf->vma;
	bool unshare = vmf->flags & FAULT_FLAG_UNSHARE;
	/* A devmap PTE (a private fsdax mapping) holds no reference and no mapcount. */
	bool counted = old && !is_zone_device_page(old);
	bool copied = false;
	struct page *new;
	pte_t entry;

	if (anon_vma_prepare(vma))
		goto oom;
	new = alloc_page(GFP_HIGHUSER_MOVABLE | (old ? 0 : __GFP_ZERO));
	if (!new)
		goto oom;
	if (old)
		copy_highpage(new, old);
	vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (pte_same(ptep_get(vmf->pte), vmf->orig_pte)) {
		entry = mk_pte(new, vma->vm_page_prot);
		if (!unshare)
			entry = maybe_mkwrite(pte_mkdirty(entry), vma);
		if (counted) {
			page_remove_rmap(old);
			inc_mm_counter(vma->vm_mm, old, -1);
		}
		page_add_new_anon_rmap(new, vma, vmf->address);
		mlock_new_page(new, vma);
		inc_mm_counter(vma->vm_mm, new, 1);
		ptep_get_and_clear(vmf->pte);
		set_pte(vmf->pte, entry);
		count_vm_stat(NR_COW_FAULTS, 1);
		if (counted)
			put_page(old); /* the reference the old PTE held */
		new = NULL;
		copied = true;
	}
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	if (new)
		put_page(new);
	if (old) {
		/* The locked VMA no longer maps it: the sharers left are not locked. */
		if (copied && counted && (vma->vm_flags & VM_LOCKED)) {
			lock_page(old);
			munlock_vma_page(old);
			unlock_page(old);
		}
		put_page(old); /* ours, from do_wp_page */
	}
	/* Someone else changed the PTE first, or we only unshared: nothing was written. */
	return copied && !unshare ? VM_FAULT_WRITE : 0;
oom:
	if (old)
		put_page(old);
	return VM_FAULT_OOM;
}

static void wp_pte_make_writable(struct vm_fault *vmf)
{
	set_pte(vmf->pte, pte_mkyoung(pte_mkdirty(pte_mkwrite(vmf->orig_pte))));
	pte_unmap_unlock(vmf->pte, vmf->ptl);
}

/*
 * A write to a clean shared file page mapped read-only: page_mkwrite dirties the
 * page first, then the PTE becomes writable if nobody changed it meanwhile.
 * Entered with the PTE lock held; returns with it released.
 */
static vm_fault_t wp_page_shared(struct vm_fault *vmf, struct page *page)
{
	struct vm_area_struct *vma = vmf->vma;
	vm_fault_t ret;

	if (!page || !vma->vm_ops || !vma->vm_ops->page_mkwrite) {
		wp_pte_make_writable(vmf);
		if (page)
			set_page_dirty(page);
		return VM_FAULT_WRITE;
	}
	get_page(page);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	vmf->page = page;
	ret = do_page_mkwrite(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) {
		put_page(page);
		return ret;
	}
	vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (!pte_same(ptep_get(vmf->pte), vmf->orig_pte)) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		ret = 0;
	} else {
		wp_pte_make_writable(vmf);
		ret = VM_FAULT_WRITE;
	}
	unlock_and_put_page(page);
	return ret;
}

/*
 * Is every mapping of the THP holding @page one of the PTEs of the table
 * vmf->pte points into, each subpage at its own offset from a 2 MiB-aligned
 * start inside the VMA? Then no other mm and no other address maps it. The
 * PTE lock of that table is held, so the count cannot change under us; a THP
 * mapped anywhere else (by a pmd, another table, another mm) gives false.
 */
bool folio_mapped_only_here(struct vm_fault *vmf, struct page *page)
{
	struct page *head = compound_head(page);
	unsigned long index = (unsigned long)(page - head);
	unsigned long start = vmf->address - index * PAGE_SIZE;
	unsigned long head_pfn = page_to_pfn(head);
	pte_t *first = vmf->pte - index;
	int here = 0;

	if (start & ~HPAGE_PMD_MASK || start < vmf->vma->vm_start ||
	    start + HPAGE_PMD_SIZE > vmf->vma->vm_end)
		return false;
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		pte_t pte = ptep_get(first + i);

		if (pte_present(pte) && pte_pfn(pte) == head_pfn + i)
			here++;
	}
	return here == total_mapcount(head);
}

/*
 * A write to a read-only PTE, or (FAULT_FLAG_UNSHARE, 5.19) a R/O pin's demand
 * for an exclusive page, which GUP only makes in COW mappings. Entered with the
 * PTE lock held; returns with it released.
 */
static vm_fault_t do_wp_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	bool unshare = vmf->flags & FAULT_FLAG_UNSHARE;
	bool shared_writable =
		!unshare && (vma->vm_flags & (VM_WRITE | VM_SHARED)) == (VM_WRITE | VM_SHARED);
	struct page *page = vm_normal_page(vma, vmf->address, vmf->orig_pte);

	/*
	 * A private fsdax mapping maps the device page read-only: the copy comes
	 * from it (5.11's vm_normal_page() returns the page of a devmap PTE).
	 */
	if (!page && pte_devmap(vmf->orig_pte) && !shared_writable)
		page = pte_page(vmf->orig_pte);
	if (!page) {
		if (shared_writable)
			return wp_page_shared(vmf, NULL);
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		return wp_page_copy(vmf, NULL);
	}
	if (PageAnon(page)) {
		if (wp_can_reuse_anon_page(vmf, page))
			return unshare ? wp_page_unshare_reuse(vmf) : wp_page_reuse(vmf);
	} else if (shared_writable) {
		return wp_page_shared(vmf, page);
	}
	get_page(page);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return wp_page_copy(vmf, page);
}

/* --- NUMA hinting and migration entries --- */

static vm_fault_t do_numa_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	pte_t entry;

	vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (pte_same(ptep_get(vmf->pte), vmf->orig_pte)) {
		entry = pte_mkyoung(pte_modify(vmf->orig_pte, vma->vm_page_prot));
		if (pte_write(vmf->orig_pte))
			entry = pte_mkwrite(entry);
		set_pte(vmf->pte, entry);
	}
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

/* --- swap entries --- */

/*
 * Lock a swap-cache page another thread may be reading in or writing out (5.11's
 * lock_page_or_retry): RETRY_NOWAIT gives up with mmap_lock kept; a first try
 * drops mmap_lock and waits for the I/O. Return: true with the page locked,
 * false when the fault must return VM_FAULT_RETRY.
 */
static bool swap_lock_page_or_retry(struct vm_fault *vmf, struct page *page)
{
	struct mm_struct *mm = vmf->vma->vm_mm;
	unsigned int flags = vmf->flags;

	if (trylock_page(page))
		return true;
	if ((flags & (FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_TRIED)) != FAULT_FLAG_ALLOW_RETRY) {
		lock_page(page);
		return true;
	}
	if (!(flags & FAULT_FLAG_RETRY_NOWAIT)) {
		mmap_read_unlock(mm);
		wait_on_page_locked(page);
	}
	return false;
}

/*
 * The first mapping of a page read from swap: exclusive like a new fault's page
 * when no other PTE names its slot, else shared through the root anon_vma, which
 * every process forked from it can reach (5.11's __page_set_anon_rmap).
 */
static void swapin_add_rmap(struct page *page, struct vm_area_struct *vma, unsigned long address,
			    bool exclusive)
{
	if (PageAnon(page)) {
		page_add_anon_rmap(page, vma, address);
		if (exclusive)
			mark_new_anon_page(page, 1);
		return;
	}
	page_add_new_anon_rmap(page, vma, address);
	if (!exclusive) {
		WRITE_ONCE(page->mapping,
			   (struct address_space *)((unsigned long)vma->anon_vma->root |
						    PAGE_MAPPING_ANON));
		ClearPageAnonExclusive(page);
	}
}

/*
 * A fault on a swap entry: the page from the swap cache, or read from the device
 * (VM_FAULT_MAJOR). A write fault by the slot's only user takes the page out of
 * the swap cache and maps it writable (5.11's reuse_swap_page); otherwise the page
 * stays cached and a write breaks COW as usual. Return: the fault's result; 0 when
 * the PTE changed meanwhile (the access simply faults again).
 */
static vm_fault_t do_swap_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	swp_entry_t entry = pte_to_swp_entry(vmf->orig_pte);
	bool write = vmf->flags & FAULT_FLAG_WRITE, exclusive;
	vm_fault_t ret = 0;
	struct page *page;
	pte_t pte;

	if (!is_swapfile_entry(entry))
		return VM_FAULT_SIGBUS;
	page = lookup_swap_cache(entry);
	if (!page) {
		int err = swapin_page(entry, &page);

		if (err == -ENOENT || err == -EEXIST)
			return 0;
		if (err)
			return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
		ret = VM_FAULT_MAJOR;
	} else if (!swap_lock_page_or_retry(vmf, page)) {
		put_page(page);
		return VM_FAULT_RETRY;
	}
	if (!PageSwapCache(page) || page->private_data != entry.val)
		goto out_page; /* swapped in and out again meanwhile */
	if (!PageUptodate(page)) {
		ret = VM_FAULT_SIGBUS;
		goto out_page;
	}
	if (anon_vma_prepare(vma)) {
		ret = VM_FAULT_OOM;
		goto out_page;
	}
	vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (!pte_same(ptep_get(vmf->pte), vmf->orig_pte)) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		goto out_page;
	}
	/*
	 * 5.11's reuse_swap_page(): no other mapping and no other swap PTE. 5.19 on:
	 * the swap PTE says (fork cleared its mark when it shared the slot).
	 */
	if (mm_profile->swap_pte_exclusive)
		exclusive = pte_swp_exclusive(vmf->orig_pte);
	else
		exclusive = page_mapcount(page) == 0 && swap_count(entry) == 1;
	pte = mk_pte(page, vma->vm_page_prot);
	if (write && exclusive && !PageWriteback(page)) {
		delete_from_swap_cache(page);
		SetPageDirty(page);
		pte = maybe_mkwrite(pte_mkdirty(pte), vma);
		ret |= VM_FAULT_WRITE;
		write = false;
	}
	swapin_add_rmap(page, vma, vmf->address, exclusive);
	inc_mm_counter(vma->vm_mm, page, 1);
	set_pte(vmf->pte, pte);
	swap_free(entry);
	if ((vma->vm_flags & (VM_LOCKED | VM_SPECIAL)) == VM_LOCKED)
		mlock_vma_page(page);
	if (PageSwapCache(page) && (vma->vm_flags & VM_LOCKED))
		try_to_free_swap(page);
	unlock_page(page);
	/* The lookup's reference is the PTE's now. */
	if (write) {
		vmf->orig_pte = ptep_get(vmf->pte);
		return ret | do_wp_page(vmf);
	}
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return ret;
out_page:
	unlock_and_put_page(page);
	return ret;
}

/* --- the dispatcher --- */

static vm_fault_t handle_pte_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	pte_t entry;

	vmf->pte = pte_offset_map(vmf->pmd, vmf->address);
	vmf->orig_pte = ptep_get(vmf->pte);
	if (pte_none(vmf->orig_pte))
		return vma_is_anonymous(vma) ? do_anonymous_page(vmf) : do_fault(vmf);
	if (!pte_present(vmf->orig_pte)) {
		if (is_migration_entry(pte_to_swp_entry(vmf->orig_pte))) {
			migration_entry_wait(vma->vm_mm, vmf->pmd, vmf->address);
			return 0;
		}
		return do_swap_page(vmf);
	}
	if (pte_protnone(vmf->orig_pte) && vma_is_accessible(vma))
		return do_numa_page(vmf);
	sim_point(SP_FAULT_BEFORE_PTE_LOCK, vmf);
	vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, vmf->address, &vmf->ptl);
	entry = ptep_get(vmf->pte);
	if (!pte_same(entry, vmf->orig_pte)) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		return 0;
	}
	if (vmf->flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) {
		if (!pte_write(entry))
			return do_wp_page(vmf);
		/* A writable PTE maps an exclusive page: nothing to unshare. */
		if (vmf->flags & FAULT_FLAG_WRITE)
			entry = pte_mkdirty(entry);
	}
	set_pte(vmf->pte, pte_mkyoung(entry));
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

static vm_fault_t injected_fault(struct vm_area_struct *vma, unsigned int flags)
{
	if (sim_point(SP_FAULT_OOM, vma))
		return VM_FAULT_OOM;
	if (sim_point(SP_FAULT_SIGBUS, vma))
		return VM_FAULT_SIGBUS;
	if ((flags & FAULT_FLAG_ALLOW_RETRY) && sim_point(SP_FAULT_RETRY, vma)) {
		/* As if the fault had to wait for I/O: drop the lock unless told not to. */
		if (!(flags & FAULT_FLAG_RETRY_NOWAIT))
			mmap_read_unlock(vma->vm_mm);
		return VM_FAULT_RETRY;
	}
	return 0;
}

/*
 * The pud level of a fault: a huge pud is faulted in or handled here. Return:
 * VM_FAULT_FALLBACK to go on at the pmd level, else the fault's result.
 */
static vm_fault_t huge_pud_fault(struct vm_fault *vmf)
{
	pud_t orig_pud = pudp_get(vmf->pud);

	if (pud_none(orig_pud))
		return transparent_hugepage_enabled(vmf->vma) ? create_huge_pud(vmf)
							      : VM_FAULT_FALLBACK;
	if (!pud_is_huge_leaf(orig_pud))
		return VM_FAULT_FALLBACK;
	if ((vmf->flags & FAULT_FLAG_WRITE) && !pud_write(orig_pud))
		return wp_huge_pud(vmf, orig_pud);
	return huge_pud_set_accessed(vmf, orig_pud);
}

/* The pmd level, likewise: VM_FAULT_FALLBACK goes on at the PTE level. */
static vm_fault_t huge_pmd_fault(struct vm_fault *vmf)
{
	vmf->orig_pmd = pmdp_get(vmf->pmd);
	if (pmd_none(vmf->orig_pmd))
		return transparent_hugepage_enabled(vmf->vma) ? create_huge_pmd(vmf)
							      : VM_FAULT_FALLBACK;
	if (!pmd_is_huge_leaf(vmf->orig_pmd))
		return VM_FAULT_FALLBACK;
	if (is_swap_pmd(vmf->orig_pmd)) {
		/* A THP under migration: wait it out, then the access is tried again. */
		if (!is_pmd_migration_entry(vmf->orig_pmd))
			return VM_FAULT_SIGBUS; /* no other swap pmd exists */
		pmd_migration_entry_wait(vmf->vma->vm_mm, vmf->pmd);
		return 0;
	}
	if (pmd_protnone(vmf->orig_pmd) && vma_is_accessible(vmf->vma))
		return do_huge_pmd_numa_page(vmf);
	if ((vmf->flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) && !pmd_write(vmf->orig_pmd))
		return wp_huge_pmd(vmf);
	return huge_pmd_set_accessed(vmf);
}

/*
 * Walk down to the PTE, giving each level's huge-page slot its turn. A huge entry
 * its slot neither handled nor split cannot be read as a table: SIGBUS, where
 * returning 0 would have GUP retry it forever.
 */
static vm_fault_t __handle_mm_fault(struct vm_area_struct *vma, unsigned long address,
				    unsigned int flags)
{
	struct vm_fault vmf = {
		.vma = vma,
		.flags = flags,
		.address = address & PAGE_MASK,
		.pgoff = ((address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff,
	};
	struct mm_struct *mm = vma->vm_mm;
	p4d_t *p4d = p4d_alloc(mm, pgd_offset(mm, address), address);
	vm_fault_t ret;

	vmf.pud = p4d ? pud_alloc(mm, p4d, address) : NULL;
	if (!vmf.pud)
		return VM_FAULT_OOM;
	ret = huge_pud_fault(&vmf);
	if (!(ret & VM_FAULT_FALLBACK))
		return ret;
	if (pud_is_huge_leaf(pudp_get(vmf.pud)))
		return VM_FAULT_SIGBUS;
	vmf.pmd = pmd_alloc(mm, vmf.pud, address);
	if (!vmf.pmd)
		return VM_FAULT_OOM;
	ret = huge_pmd_fault(&vmf);
	if (!(ret & VM_FAULT_FALLBACK))
		return ret;
	/* A sane huge pmd here was installed by a racing huge fault: retry from the top. */
	if (pmd_is_huge_leaf(pmdp_get(vmf.pmd)))
		return huge_pmd_maps_thp(pmdp_get(vmf.pmd)) ? 0 : VM_FAULT_SIGBUS;
	if (pte_alloc(mm, vmf.pmd))
		return VM_FAULT_OOM;
	/*
	 * pte_alloc() installs nothing over a huge pmd, and one may have been zapped
	 * since (MADV_DONTNEED, mmap_lock for read), or refilled: only a table is stable.
	 */
	if (pmd_none(pmdp_get(vmf.pmd)) || pmd_is_huge_leaf(pmdp_get(vmf.pmd)))
		return 0;
	return handle_pte_fault(&vmf);
}

vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long address, unsigned int flags,
			   void *regs)
{
	vm_fault_t ret;

	(void)regs;
	count_vm_stat(NR_PAGE_FAULTS, 1);
	ret = injected_fault(vma, flags);
	if (ret)
		return ret;
	if (vma->vm_flags & (VM_PFNMAP | VM_IO))
		return VM_FAULT_SIGBUS; /* raw pfn maps are populated at mmap time */
	if (is_vm_hugetlb_page(vma))
		return hugetlb_fault(vma->vm_mm, vma, address, flags);
	direct_reclaim_allow(true);
	ret = __handle_mm_fault(vma, address, flags);
	direct_reclaim_allow(false);
	return ret;
}

/* --- looking one address up --- */

int follow_pte(struct mm_struct *mm, unsigned long address, pte_t **ptepp, spinlock_t **ptlp)
{
	pgd_t *pgd = pgd_offset(mm, address);
	p4d_t *p4d = pgd_none_or_bad(pgd) ? NULL : p4d_offset(pgd, address);
	pud_t *pud = !p4d || p4d_none_or_bad(p4d) ? NULL : pud_offset(p4d, address);
	pmd_t *pmd = !pud || pud_none_or_trans_huge_or_bad(pud) ? NULL : pmd_offset(pud, address);

	if (!pmd || pmd_none_or_trans_huge_or_bad(pmd))
		return -EINVAL;
	*ptepp = pte_offset_map_lock(mm, pmd, address, ptlp);
	if (pte_present(ptep_get(*ptepp)))
		return 0;
	pte_unmap_unlock(*ptepp, *ptlp);
	return -EINVAL;
}

/* --- zapping --- */

static void zap_pte_range(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr,
			  unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;
	spinlock_t *ptl;
	pte_t *pte = pte_offset_map_lock(mm, pmd, addr, &ptl);

	for (; addr != end; pte++, addr += PAGE_SIZE) {
		pte_t old = ptep_get(pte);
		struct page *page;

		if (pte_none(old))
			continue;
		old = ptep_get_and_clear(pte);
		if (!pte_present(old)) {
			/* A migration entry holds no reference, but rss still counts it. */
			if (is_migration_entry(pte_to_swp_entry(old)))
				inc_mm_counter(mm, migration_entry_to_page(pte_to_swp_entry(old)),
					       -1);
			else
				free_swap_and_cache(pte_to_swp_entry(old));
			continue;
		}
		page = vm_normal_page(vma, addr, old);
		if (!page)
			continue;
		if (!PageAnon(page) && pte_dirty(old))
			set_page_dirty(page);
		inc_mm_counter(mm, page, -1);
		page_remove_rmap(page);
		if (PageAnon(page))
			free_swap_cache(page);
		put_page(page);
	}
	pte_unmap_unlock(pte, ptl);
}

/*
 * A huge pmd wholly inside the range is zapped by its slot; one the range only
 * covers part of is split first, and its PTEs are zapped below.
 */
static void zap_pmd_range(struct vm_area_struct *vma, pud_t *pud, unsigned long addr,
			  unsigned long end)
{
	pmd_t *pmd = pmd_offset(pud, addr);
	unsigned long next;

	do {
		next = pmd_addr_end(addr, end);
		if (pmd_is_huge_leaf(pmdp_get(pmd))) {
			if (next - addr != HPAGE_PMD_SIZE)
				__split_huge_pmd(vma, pmd, addr);
			else if (zap_huge_pmd(vma, pmd, addr))
				continue;
		}
		if (pmd_none_or_trans_huge_or_bad(pmd))
			continue;
		zap_pte_range(vma, pmd, addr, next);
	} while (pmd++, addr = next, addr != end);
}

static void zap_pud_range(struct vm_area_struct *vma, p4d_t *p4d, unsigned long addr,
			  unsigned long end)
{
	pud_t *pud = pud_offset(p4d, addr);
	unsigned long next;

	do {
		next = pud_addr_end(addr, end);
		if (pud_is_huge_leaf(pudp_get(pud))) {
			if (next - addr != HPAGE_PUD_SIZE)
				__split_huge_pud(vma, pud, addr);
			else if (zap_huge_pud(vma, pud, addr))
				continue;
		}
		if (pud_none_or_trans_huge_or_bad(pud))
			continue;
		zap_pmd_range(vma, pud, addr, next);
	} while (pud++, addr = next, addr != end);
}

static void zap_p4d_range(struct vm_area_struct *vma, pgd_t *pgd, unsigned long addr,
			  unsigned long end)
{
	p4d_t *p4d = p4d_offset(pgd, addr);
	unsigned long next;

	do {
		next = p4d_addr_end(addr, end);
		if (p4d_none_or_bad(p4d))
			continue;
		zap_pud_range(vma, p4d, addr, next);
	} while (p4d++, addr = next, addr != end);
}

void unmap_page_range(struct vm_area_struct *vma, unsigned long addr, unsigned long end)
{
	pgd_t *pgd;
	unsigned long next;

	if (addr >= end)
		return;
	if (is_vm_hugetlb_page(vma)) {
		__unmap_hugepage_range(vma, addr, end);
		return;
	}
	pgd = pgd_offset(vma->vm_mm, addr);
	do {
		next = pgd_addr_end(addr, end);
		if (pgd_none_or_bad(pgd))
			continue;
		zap_p4d_range(vma, pgd, addr, next);
	} while (pgd++, addr = next, addr != end);
}

void zap_page_range(struct vm_area_struct *vma, unsigned long start, unsigned long size)
{
	unmap_page_range(vma, start, start + size);
}

/* --- fork --- */

/* A page that may be pinned must not be shared with the child: copy it now. */
static int copy_pinned_page(struct vm_area_struct *dst_vma, pte_t *dst_pte, unsigned long addr,
			    struct page *page)
{
	struct page *new = alloc_page(GFP_HIGHUSER_MOVABLE);

	if (!new)
		return -ENOMEM;
	copy_highpage(new, page);
	page_add_new_anon_rmap(new, dst_vma, addr);
	lru_cache_add(new);
	inc_mm_counter(dst_vma->vm_mm, new, 1);
	set_pte(dst_pte, maybe_mkwrite(pte_mkdirty(mk_pte(new, dst_vma->vm_page_prot)), dst_vma));
	count_vm_stat(NR_FORK_EARLY_COW, 1);
	return 0;
}

static int copy_one_pte(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma,
			pte_t *dst_pte, pte_t *src_pte, unsigned long addr)
{
	bool cow = is_cow_mapping(src_vma->vm_flags);
	pte_t pte = ptep_get(src_pte);
	struct page *page;

	if (!pte_present(pte)) {
		swp_entry_t entry = pte_to_swp_entry(pte);

		/* Shared with the child now: read, and exclusive for neither. */
		if (cow && is_exclusive_migration_entry(entry)) {
			pte = swp_pte_soft_dirty_from(
				swp_entry_to_pte(migration_entry_readable(entry, false)), pte);
			set_pte(src_pte, pte);
		}
		if (is_migration_entry(entry))
			inc_mm_counter(dst_vma->vm_mm, migration_entry_to_page(entry), 1);
		else if (is_swapfile_entry(entry)) {
			if (swap_duplicate(entry))
				return -ENOMEM;
			/* Shared with the child now: neither side's swap-in is exclusive. */
			if (pte_swp_exclusive(pte)) {
				pte = pte_swp_clear_exclusive(pte);
				set_pte(src_pte, pte);
			}
		}
		set_pte(dst_pte, pte);
		return 0;
	}
	page = vm_normal_page(src_vma, addr, pte);
	if (page && PageAnon(page) && cow && page_needs_cow_for_dma(src_vma, page, 1))
		return copy_pinned_page(dst_vma, dst_pte, addr, page);
	if (cow && pte_write(pte)) {
		ptep_set_wrprotect(src_pte);
		pte = pte_wrprotect(pte);
		sim_point(SP_FORK_WRPROTECT, src_pte);
	}
	if (src_vma->vm_flags & VM_SHARED)
		pte = pte_mkclean(pte);
	pte = pte_mkold(pte);
	if (page) {
		get_page(page);
		page_dup_rmap(page);
		inc_mm_counter(dst_vma->vm_mm, page, 1);
	}
	set_pte(dst_pte, pte);
	return 0;
}

static int copy_pte_range(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma,
			  pmd_t *dst_pmd, pmd_t *src_pmd, unsigned long addr, unsigned long end)
{
	spinlock_t *dst_ptl, *src_ptl;
	pte_t *dst_pte, *src_pte;
	int ret = 0;

	if (pte_alloc(dst_vma->vm_mm, dst_pmd))
		return -ENOMEM;
	dst_pte = pte_offset_map_lock(dst_vma->vm_mm, dst_pmd, addr, &dst_ptl);
	src_pte = pte_offset_map_lock(src_vma->vm_mm, src_pmd, addr, &src_ptl);
	for (; addr != end && !ret; addr += PAGE_SIZE, dst_pte++, src_pte++)
		if (!pte_none(ptep_get(src_pte)))
			ret = copy_one_pte(dst_vma, src_vma, dst_pte, src_pte, addr);
	pte_unmap_unlock(src_pte, src_ptl);
	pte_unmap_unlock(dst_pte, dst_ptl);
	return ret;
}

/*
 * The child's tables are allocated as the parent's are found, one level down at a
 * time: a range the parent has no table for costs the child nothing.
 */
static int copy_pmd_range(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma,
			  pud_t *dst_pud, pud_t *src_pud, unsigned long addr, unsigned long end)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm;
	pmd_t *src_pmd = pmd_offset(src_pud, addr);
	unsigned long next;
	int err;

	do {
		pmd_t *dst_pmd;

		next = pmd_addr_end(addr, end);
		if (pmd_none(pmdp_get(src_pmd)))
			continue;
		dst_pmd = pmd_alloc(dst_mm, dst_pud, addr);
		if (!dst_pmd)
			return -ENOMEM;
		if (pmd_is_huge_leaf(pmdp_get(src_pmd))) {
			/* A VMA split must split the huge pmd it cuts, so this one is whole. */
			err = copy_huge_pmd(dst_vma, src_vma, dst_pmd, src_pmd, addr);
			if (err == -ENOMEM)
				return -ENOMEM;
			if (!err)
				continue;
		}
		if (pmd_none_or_trans_huge_or_bad(src_pmd))
			continue;
		err = copy_pte_range(dst_vma, src_vma, dst_pmd, src_pmd, addr, next);
		if (err)
			return err;
	} while (src_pmd++, addr = next, addr != end);
	return 0;
}

static int copy_pud_range(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma,
			  p4d_t *dst_p4d, p4d_t *src_p4d, unsigned long addr, unsigned long end)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm;
	pud_t *src_pud = pud_offset(src_p4d, addr);
	unsigned long next;
	int err;

	do {
		pud_t *dst_pud;

		next = pud_addr_end(addr, end);
		if (pud_none(pudp_get(src_pud)))
			continue;
		dst_pud = pud_alloc(dst_mm, dst_p4d, addr);
		if (!dst_pud)
			return -ENOMEM;
		if (pud_is_huge_leaf(pudp_get(src_pud))) {
			err = copy_huge_pud(dst_vma, src_vma, dst_pud, src_pud, addr);
			if (err == -ENOMEM)
				return -ENOMEM;
			if (!err)
				continue;
		}
		if (pud_none_or_trans_huge_or_bad(src_pud))
			continue;
		err = copy_pmd_range(dst_vma, src_vma, dst_pud, src_pud, addr, next);
		if (err)
			return err;
	} while (src_pud++, addr = next, addr != end);
	return 0;
}

static int copy_p4d_range(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma,
			  pgd_t *dst_pgd, pgd_t *src_pgd, unsigned long addr, unsigned long end)
{
	p4d_t *src_p4d = p4d_offset(src_pgd, addr);
	unsigned long next;
	int err;

	do {
		p4d_t *dst_p4d;

		next = p4d_addr_end(addr, end);
		if (p4d_none_or_bad(src_p4d))
			continue;
		dst_p4d = p4d_alloc(dst_vma->vm_mm, dst_pgd, addr);
		if (!dst_p4d)
			return -ENOMEM;
		err = copy_pud_range(dst_vma, src_vma, dst_p4d, src_p4d, addr, next);
		if (err)
			return err;
	} while (src_p4d++, addr = next, addr != end);
	return 0;
}

int copy_page_range(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma)
{
	struct mm_struct *src_mm = src_vma->vm_mm;
	bool cow = is_cow_mapping(src_vma->vm_flags);
	unsigned long addr = src_vma->vm_start, end = src_vma->vm_end, next;
	pgd_t *src_pgd, *dst_pgd;
	int ret = 0;

	/* Faults fill shared and never-written ranges correctly: nothing to copy. */
	if (!(src_vma->vm_flags & (VM_HUGETLB | VM_PFNMAP | VM_MIXEDMAP)) && !src_vma->anon_vma)
		return 0;
	/* As 5.11: before write_protect_seq, which hugetlb's fork does not take. */
	if (is_vm_hugetlb_page(src_vma))
		return copy_hugetlb_page_range(dst_vma, src_vma);
	if (cow)
		raw_write_seqcount_begin(&src_mm->write_protect_seq);
	src_pgd = pgd_offset(src_mm, addr);
	dst_pgd = pgd_offset(dst_vma->vm_mm, addr);
	do {
		next = pgd_addr_end(addr, end);
		if (pgd_none_or_bad(src_pgd))
			continue;
		ret = copy_p4d_range(dst_vma, src_vma, dst_pgd, src_pgd, addr, next);
		if (ret)
			break;
	} while (dst_pgd++, src_pgd++, addr = next, addr != end);
	if (cow)
		raw_write_seqcount_end(&src_mm->write_protect_seq);
	return ret;
}

/* Raw pfn maps: every level is allocated as needed and every PTE is written. */
static int remap_pte_range(struct mm_struct *mm, pmd_t *pmd, unsigned long addr, unsigned long end,
			   unsigned long pfn, pgprot_t prot)
{
	spinlock_t *ptl;
	pte_t *pte;

	if (pte_alloc(mm, pmd))
		return -ENOMEM;
	pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	for (; addr != end; pte++, addr += PAGE_SIZE, pfn++)
		set_pte(pte, pte_mkspecial(pfn_pte(pfn, prot)));
	pte_unmap_unlock(pte, ptl);
	return 0;
}

static int remap_pmd_range(struct mm_struct *mm, pud_t *pud, unsigned long addr, unsigned long end,
			   unsigned long pfn, pgprot_t prot)
{
	pmd_t *pmd = pmd_alloc(mm, pud, addr);
	unsigned long next;

	if (!pmd)
		return -ENOMEM;
	do {
		next = pmd_addr_end(addr, end);
		if (remap_pte_range(mm, pmd, addr, next, pfn, prot))
			return -ENOMEM;
		pfn += (next - addr) >> PAGE_SHIFT;
	} while (pmd++, addr = next, addr != end);
	return 0;
}

static int remap_pud_range(struct mm_struct *mm, p4d_t *p4d, unsigned long addr, unsigned long end,
			   unsigned long pfn, pgprot_t prot)
{
	pud_t *pud = pud_alloc(mm, p4d, addr);
	unsigned long next;

	if (!pud)
		return -ENOMEM;
	do {
		next = pud_addr_end(addr, end);
		if (remap_pmd_range(mm, pud, addr, next, pfn, prot))
			return -ENOMEM;
		pfn += (next - addr) >> PAGE_SHIFT;
	} while (pud++, addr = next, addr != end);
	return 0;
}

static int remap_p4d_range(struct mm_struct *mm, pgd_t *pgd, unsigned long addr, unsigned long end,
			   unsigned long pfn, pgprot_t prot)
{
	p4d_t *p4d = p4d_alloc(mm, pgd, addr);
	unsigned long next;

	if (!p4d)
		return -ENOMEM;
	do {
		next = p4d_addr_end(addr, end);
		if (remap_pud_range(mm, p4d, addr, next, pfn, prot))
			return -ENOMEM;
		pfn += (next - addr) >> PAGE_SHIFT;
	} while (p4d++, addr = next, addr != end);
	return 0;
}

int remap_pfn_range(struct vm_area_struct *vma, unsigned long addr, unsigned long pfn,
		    unsigned long size, pgprot_t prot)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long end = addr + ALIGN_UP(size, PAGE_SIZE), next;
	pgd_t *pgd;

	/*
	 * As the kernel's remap_pfn_range() does: the VMA now holds frames without
	 * struct pages, which GUP (check_vma_flags) and the page walkers refuse.
	 */
	if (WARN_ON_ONCE(!IS_ALIGNED(addr, PAGE_SIZE)))
		return -EINVAL;
	vma->vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
	if (addr >= end)
		return 0;
	pgd = pgd_offset(mm, addr);
	do {
		next = pgd_addr_end(addr, end);
		if (remap_p4d_range(mm, pgd, addr, next, pfn, prot))
			return -ENOMEM;
		pfn += (next - addr) >> PAGE_SHIFT;
	} while (pgd++, addr = next, addr != end);
	return 0;
}
