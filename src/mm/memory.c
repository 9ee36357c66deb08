// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fault path (anonymous, shared, COW, NUMA hinting), zapping, fork's page-table
 * copy with early COW of pinned pages, and raw pfn mappings.
 */
#include "mm/internal.h"

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
	atomic_long_add(delta, PageAnon(page) ? &mm->rss_anon : &mm->rss_shmem);
}

/*
 * A new page mapped into @vma: mlock it at once if the VMA is locked, as the
 * kernel's lru_cache_add_inactive_or_unevictable() does.
 */
static void mlock_new_page(struct page *page, struct vm_area_struct *vma)
{
	if ((vma->vm_flags & (VM_LOCKED | VM_SPECIAL)) == VM_LOCKED)
		mlock_vma_page(page);
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

/* --- faults on mappings with vm_ops (shared memory now, files later) --- */

/* Install @page (locked, referenced by the caller) at vmf->address; consumes the reference. */
static vm_fault_t finish_fault(struct vm_fault *vmf, struct page *page, bool anon)
{
	struct vm_area_struct *vma = vmf->vma;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	pte_t entry = mk_pte(page, vma->vm_page_prot);

	if (write)
		entry = maybe_mkwrite(pte_mkdirty(entry), vma);
	vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (!pte_none(ptep_get(vmf->pte))) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		put_page(page);
		return 0;
	}
	if (anon) {
		page_add_new_anon_rmap(page, vma, vmf->address);
		mlock_new_page(page, vma);
	} else {
		page_add_file_rmap(page);
		if (write)
			set_page_dirty(page);
	}
	inc_mm_counter(vma->vm_mm, page, 1);
	set_pte(vmf->pte, entry);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

static vm_fault_t do_cow_fault(struct vm_fault *vmf)
{
	struct page *copy;
	vm_fault_t ret;

	if (anon_vma_prepare(vmf->vma))
		return VM_FAULT_OOM;
	copy = alloc_page(GFP_HIGHUSER_MOVABLE);
	if (!copy)
		return VM_FAULT_OOM;
	ret = vmf->vma->vm_ops->fault(vmf);
	if (ret & VM_FAULT_ERROR) {
		put_page(copy);
		return ret;
	}
	copy_highpage(copy, vmf->page);
	unlock_page(vmf->page);
	put_page(vmf->page);
	return finish_fault(vmf, copy, true);
}

static vm_fault_t do_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	vm_fault_t ret;

	if (!vma->vm_ops->fault)
		return VM_FAULT_SIGBUS;
	if ((vmf->flags & FAULT_FLAG_WRITE) && !(vma->vm_flags & VM_SHARED))
		return do_cow_fault(vmf);
	ret = vma->vm_ops->fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		return ret;
	ret = finish_fault(vmf, vmf->page, false);
	unlock_page(vmf->page);
	return ret;
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

/* Replace the mapped page (or zero page) by a private copy. Entered without the PTE lock. */
static vm_fault_t wp_page_copy(struct vm_fault *vmf, struct page *old)
{
	struct vm_area_struct *vma = vmf->vma;
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
		entry = maybe_mkwrite(pte_mkdirty(mk_pte(new, vma->vm_page_prot)), vma);
		if (old) {
			page_remove_rmap(old);
			inc_mm_counter(vma->vm_mm, old, -1);
		}
		page_add_new_anon_rmap(new, vma, vmf->address);
		mlock_new_page(new, vma);
		inc_mm_counter(vma->vm_mm, new, 1);
		ptep_get_and_clear(vmf->pte);
		set_pte(vmf->pte, entry);
		count_vm_stat(NR_COW_FAULTS, 1);
		if (old)
			put_page(old); /* the reference the old PTE held */
		new = NULL;
		copied = true;
	}
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	if (new)
		put_page(new);
	if (old) {
		/* The locked VMA no longer maps it: the sharers left are not locked. */
		if (copied && (vma->vm_flags & VM_LOCKED)) {
			lock_page(old);
			munlock_vma_page(old);
			unlock_page(old);
		}
		put_page(old); /* ours, from do_wp_page */
	}
	/* Someone else changed the PTE first: no write happened through this fault. */
	return copied ? VM_FAULT_WRITE : 0;
oom:
	if (old)
		put_page(old);
	return VM_FAULT_OOM;
}

static vm_fault_t wp_page_shared(struct vm_fault *vmf, struct page *page)
{
	pte_t entry = pte_mkyoung(pte_mkdirty(pte_mkwrite(vmf->orig_pte)));

	set_pte(vmf->pte, entry);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	if (page)
		set_page_dirty(page);
	return VM_FAULT_WRITE;
}

/* Entered with the PTE lock held; returns with it released. */
static vm_fault_t do_wp_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	bool shared_writable = (vma->vm_flags & (VM_WRITE | VM_SHARED)) == (VM_WRITE | VM_SHARED);
	struct page *page = vm_normal_page(vma, vmf->address, vmf->orig_pte);

	if (!page) {
		if (shared_writable)
			return wp_page_shared(vmf, NULL);
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		return wp_page_copy(vmf, NULL);
	}
	if (PageAnon(page)) {
		if (wp_can_reuse_anon_page(vma, page))
			return wp_page_reuse(vmf);
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
		return VM_FAULT_SIGBUS; /* no swap device */
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
	if (vmf->flags & FAULT_FLAG_WRITE) {
		if (!pte_write(entry))
			return do_wp_page(vmf);
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

vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long address, unsigned int flags,
			   void *regs)
{
	struct vm_fault vmf = {
		.vma = vma,
		.flags = flags,
		.address = address & PAGE_MASK,
		.pgoff = ((address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff,
	};
	vm_fault_t ret;

	(void)regs;
	count_vm_stat(NR_PAGE_FAULTS, 1);
	ret = injected_fault(vma, flags);
	if (ret)
		return ret;
	if (vma->vm_flags & (VM_PFNMAP | VM_IO))
		return VM_FAULT_SIGBUS; /* raw pfn maps are populated at mmap time */
	vmf.pmd = mm_alloc_pmd(vma->vm_mm, address);
	if (!vmf.pmd || pte_alloc(vma->vm_mm, vmf.pmd))
		return VM_FAULT_OOM;
	return handle_pte_fault(&vmf);
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
		if (!pte_present(old))
			continue; /* migration entries hold no reference of their own */
		page = vm_normal_page(vma, addr, old);
		if (!page)
			continue;
		if (!PageAnon(page) && pte_dirty(old))
			set_page_dirty(page);
		inc_mm_counter(mm, page, -1);
		page_remove_rmap(page);
		put_page(page);
	}
	pte_unmap_unlock(pte, ptl);
}

void unmap_page_range(struct vm_area_struct *vma, unsigned long addr, unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;

	while (addr < end) {
		unsigned long next = pmd_addr_end(addr, end);
		pmd_t *pmd;

		if (mm_find_pte(mm, addr, &pmd))
			zap_pte_range(vma, pmd, addr, next);
		addr = next;
	}
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

		if (cow && is_write_migration_entry(entry)) {
			pte = swp_entry_to_pte(
				make_migration_entry(migration_entry_to_page(entry), false));
			set_pte(src_pte, pte);
		}
		set_pte(dst_pte, pte);
		return 0;
	}
	page = vm_normal_page(src_vma, addr, pte);
	if (page && PageAnon(page) && cow && page_needs_cow_for_dma(src_vma, page))
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

int copy_page_range(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma)
{
	struct mm_struct *src_mm = src_vma->vm_mm;
	bool cow = is_cow_mapping(src_vma->vm_flags);
	unsigned long addr = src_vma->vm_start, end = src_vma->vm_end;
	int ret = 0;

	/* Faults fill shared and never-written ranges correctly: nothing to copy. */
	if (!(src_vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) && !src_vma->anon_vma)
		return 0;
	if (cow)
		raw_write_seqcount_begin(&src_mm->write_protect_seq);
	while (addr < end && !ret) {
		unsigned long next = pmd_addr_end(addr, end);
		pmd_t *src_pmd, *dst_pmd;

		if (mm_find_pte(src_mm, addr, &src_pmd)) {
			dst_pmd = mm_alloc_pmd(dst_vma->vm_mm, addr);
			ret = dst_pmd ? copy_pte_range(dst_vma, src_vma, dst_pmd, src_pmd, addr,
						       next)
				      : -ENOMEM;
		}
		addr = next;
	}
	if (cow)
		raw_write_seqcount_end(&src_mm->write_protect_seq);
	return ret;
}

int remap_pfn_range(struct vm_area_struct *vma, unsigned long addr, unsigned long pfn,
		    unsigned long size, pgprot_t prot)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long end = addr + size;

	/*
	 * As the kernel's remap_pfn_range() does: the VMA now holds frames without
	 * struct pages, which GUP (check_vma_flags) and the page walkers refuse.
	 */
	vma->vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
	for (; addr < end; addr += PAGE_SIZE, pfn++) {
		pmd_t *pmd = mm_alloc_pmd(mm, addr);
		spinlock_t *ptl;
		pte_t *pte;

		if (!pmd || pte_alloc(mm, pmd))
			return -ENOMEM;
		pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
		set_pte(pte, pte_mkspecial(pfn_pte(pfn, prot)));
		pte_unmap_unlock(pte, ptl);
	}
	return 0;
}
