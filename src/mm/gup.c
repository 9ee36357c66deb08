// SPDX-License-Identifier: GPL-2.0-only
/*
 * get_user_pages() and pin_user_pages(): turning user virtual addresses of a
 * simulated address space into referenced struct pages, as the kernel's
 * mm/gup.c (about v5.11) does.
 */

/*
 * Three layers live here:
 *
 *  - reference accounting ("grab" = FOLL_GET or FOLL_PIN, decided by the flags),
 *    with the FOLL_PIN bias on small pages and the exact compound pincount on
 *    compound pages of order > 1;
 *  - the slow path: walk the page tables under mmap_lock (follow_page_mask),
 *    fault in what is missing (faultin_page), and cope with faults that drop
 *    mmap_lock (the VM_FAULT_RETRY protocol of __get_user_pages_locked);
 *  - the fast path: a lockless walk under an RCU read-side section (page-table
 *    pages are freed through RCU), which takes speculative references and falls
 *    back to the slow path for whatever it cannot handle.
 *
 * Hugetlb VMAs take their own slow walk (follow_hugetlb_page(), in hugetlb.c);
 * GUP-fast meets their huge pmds and puds as leaves like a THP's. Device memory
 * (memremap.c) is referenced page by page with its dev_pagemap held.
 */
#include "mm/internal.h"

/*
 * Tell fork that this mm may hold pins. Stored only when not yet set: threads
 * pinning disjoint ranges must not bounce the mm's cache line on every call.
 */
static inline void mm_set_has_pinned(struct mm_struct *mm)
{
	if (!READ_ONCE(mm->has_pinned))
		WRITE_ONCE(mm->has_pinned, 1);
}
#include "lib/rcu.h"

/* Per-lookup state of follow_page_mask(): how many small pages the hit spans. */
struct follow_page_context {
	unsigned int page_mask;
	struct dev_pagemap *pgmap; /* held while the walk references device pages */
};

/* Error pointers, as the kernel's ERR_PTR() family, for page lookups only. */
static inline struct page *err_page(int err)
{
	return (struct page *)(long)err;
}

static inline bool is_err_page(const struct page *page)
{
	return IS_ERR_VALUE((unsigned long)page);
}

static inline int page_err(const struct page *page)
{
	return (int)(long)page;
}

/* ------------------------------------------------------------------------- */
/* Reference and pin accounting                                              */
/* ------------------------------------------------------------------------- */

/*
 * Keep the leak checker's view of GUP references in step: @delta references of
 * the kind named by @flags were taken (positive) or dropped (negative) on @head.
 */
static void gup_debug_account(struct page *head, unsigned int flags, int delta)
{
#ifdef CONFIG_DEBUG_VM /* two atomics per page and the owner records: debug builds only */
	unsigned int kind = flags & FOLL_PIN ? FOLL_PIN : FOLL_GET;

	if (!(flags & (FOLL_PIN | FOLL_GET)))
		return;
	atomic_add(delta, kind == FOLL_PIN ? &head->dbg_gup_pins : &head->dbg_gup_refs);
	pin_owner_account(head, kind, delta);
#else
	(void)head;
	(void)flags;
	(void)delta;
#endif
}

/* Adjust the exact pin count that compound pages of order > 1 carry. */
static void compound_pincount_mod(struct page *head, int delta)
{
	VM_BUG_ON_PAGE(!hpage_pincount_available(head), head);
	VM_BUG_ON_PAGE(head != compound_head(head), head);
	atomic_add(delta, compound_pincount_ptr(head));
}

/*
 * How much @pins pins add to the refcount of @page's head: one each when the
 * compound pincount records them exactly, GUP_PIN_COUNTING_BIAS each otherwise.
 */
static int pin_refcount_units(struct page *page, int pins)
{
	if (hpage_pincount_available(page))
		return pins;
	return pins * (int)GUP_PIN_COUNTING_BIAS;
}

/*
 * Drop @units references from the head page @head; the last one frees it, or
 * for a device page hands it back to its pgmap (memremap.c decides).
 */
static void drop_head_refs(struct page *head, int units)
{
	int left = page_ref_sub_return(head, units);

	if (unlikely(is_zone_device_page(head))) {
		put_devmap_page_refs(head, left);
		return;
	}
	if (left == 0) {
		pin_owner_settle(); /* its records go before the frame can have a new owner */
		__put_page(head);
	}
}

/*
 * Add @refs to the head's refcount unless the page is already on its way to
 * being freed (count zero): the caller found the page without holding anything
 * that keeps it alive. The page may have been split, or freed and reused,
 * between finding its head and the grab: then the reference is on a page that is
 * no longer @page's and goes back (Linux 5.13, c24d37322548, "fix
 * try_grab_compound_head() race with split_huge_page()"; both profiles carry it,
 * since our data pages are freed without waiting for a lockless walk).
 * Returns the head, or NULL when no reference was kept.
 */
static struct page *try_get_compound_head(struct page *page, int refs)
{
	struct page *head = compound_head(page);
	bool corrupt = page_ref_count(head) < 0;

	if (WARN_ON_ONCE(corrupt))
		return NULL;
	sim_point(SP_GUP_FAST_BEFORE_GRAB, page);
	if (unlikely(!page_cache_add_speculative(head, refs)))
		return NULL;
	if (unlikely(compound_head(page) != head)) {
		drop_head_refs(head, refs);
		return NULL;
	}
	return head;
}

/**
 * try_grab_compound_head() - speculatively take @refs GUP references on a page
 * @page: any page of the (possibly compound) page to reference.
 * @refs: number of references (subpages) to take.
 * @flags: FOLL_GET or FOLL_PIN selects the kind of reference.
 *
 * FOLL_GET adds @refs to the head's refcount. FOLL_PIN adds @refs times
 * GUP_PIN_COUNTING_BIAS to a page that has no compound pincount, or adds @refs
 * to both the refcount and the pincount of a compound page of order > 1, and
 * counts @refs pins in NR_FOLL_PIN_ACQUIRED.
 *
 * Return:
 * * the head page, referenced, on success;
 * * NULL if the page's refcount was zero (it is being freed) or negative, or
 *   if the page was split, or freed and reused, under the grab;
 * * NULL for FOLL_PIN | FOLL_LONGTERM on a page a long-term pin must not stay
 *   on (is_pinnable_page(): 5.11 refuses CMA), which must go through the slow
 *   path so it can be migrated first;
 * * the zero page, untouched, for a FOLL_PIN the profile does not count
 *   (never under 5.11);
 * * NULL, with a warning, if neither FOLL_GET nor FOLL_PIN is set.
 */
struct page *try_grab_compound_head(struct page *page, int refs, unsigned int flags)
{
	PIN_OWNER_SCOPE();
	struct page *head;
	int units, held_units;

	if (flags & FOLL_GET) {
		head = try_get_compound_head(page, refs);
		if (head)
			gup_debug_account(head, FOLL_GET, refs);
		return head;
	}
	if (WARN_ON_ONCE(!(flags & FOLL_PIN)))
		return NULL;

	if (unlikely(flags & FOLL_LONGTERM) && !is_pinnable_page(page))
		return NULL;
	/* 6.5 leaves the zero page's counts alone; 5.11 pins it like any page. */
	if (is_uncounted_pin(page, flags))
		return compound_head(page);

	/* The units are a guess: the page is not ours until the grab succeeds. */
	units = pin_refcount_units(page, refs);
	head = try_get_compound_head(page, units);
	if (!head)
		return NULL;
	/*
	 * Held now, the page stays what it is (no split, no free): if it changed
	 * between the guess and the grab, the count is put right before anyone can
	 * unpin (5.11 trusted the guess; later kernels decide on the held folio).
	 */
	held_units = pin_refcount_units(head, refs);
	if (unlikely(held_units != units))
		page_ref_add(head, held_units - units);
	if (hpage_pincount_available(head))
		compound_pincount_mod(head, refs);
	count_vm_stat(NR_FOLL_PIN_ACQUIRED, refs);
	gup_debug_account(head, FOLL_PIN, refs);
	return head;
}

/**
 * put_compound_head() - drop @refs GUP references taken with @flags
 * @page: the head page (a tail page is mapped to its head).
 * @refs: number of references to drop.
 * @flags: FOLL_PIN drops pins (and counts them in NR_FOLL_PIN_RELEASED);
 *         otherwise plain references are dropped.
 *
 * The undo of try_grab_compound_head(). If the refcount reaches zero the page
 * is freed through __put_page().
 *
 * Return: nothing.
 */
void put_compound_head(struct page *page, int refs, unsigned int flags)
{
	PIN_OWNER_SCOPE();
	int units = refs;

	page = compound_head(page);
	if (is_uncounted_pin(page, flags))
		return;
#ifdef CONFIG_DEBUG_VM
	/* Unpinning what holds no pin: a FOLL_GET page, or a second unpin. */
	if ((flags & FOLL_PIN) && sim_page_gup_pins(page) < refs)
		pin_owner_bad_unpin(page, __FILE__, __LINE__);
#endif
	if (flags & FOLL_PIN) {
		count_vm_stat(NR_FOLL_PIN_RELEASED, refs);
		if (hpage_pincount_available(page))
			compound_pincount_mod(page, -refs);
		units = pin_refcount_units(page, refs);
	}
	gup_debug_account(page, flags, -refs);

	VM_BUG_ON_PAGE(page_ref_count(page) < units, page);
	/* One atomic for all the units; whoever drops the last one frees the page. */
	drop_head_refs(page, units);
}

/**
 * try_grab_page() - take one GUP reference on a page known to be alive
 * @page: the page (any page of a compound page).
 * @flags: FOLL_GET, FOLL_PIN or neither.
 *
 * The caller holds the page-table lock of a PTE mapping @page, so the page
 * cannot be freed under us. FOLL_GET adds one to the head's refcount; FOLL_PIN
 * adds GUP_PIN_COUNTING_BIAS, or one plus one on the compound pincount for a
 * compound page of order > 1, and counts one pin in NR_FOLL_PIN_ACQUIRED.
 * Passing both flags is a bug: it warns and behaves as FOLL_GET.
 *
 * Return:
 * * true when the reference was taken;
 * * true, doing nothing, when neither FOLL_GET nor FOLL_PIN is set;
 * * false, with a warning, when the head's refcount is not positive.
 */
bool try_grab_page(struct page *page, unsigned int flags)
{
	PIN_OWNER_SCOPE();
	struct page *head = compound_head(page);

	WARN_ON_ONCE((flags & (FOLL_GET | FOLL_PIN)) == (FOLL_GET | FOLL_PIN));
	if (!(flags & (FOLL_GET | FOLL_PIN)))
		return true;
	if (WARN_ON_ONCE(page_ref_count(head) <= 0))
		return false;

	if (flags & FOLL_GET) {
		page_ref_add(head, 1);
		gup_debug_account(head, FOLL_GET, 1);
		return true;
	}
	if (is_uncounted_pin(head, flags))
		return true;

	if (hpage_pincount_available(head))
		compound_pincount_mod(head, 1);
	page_ref_add(head, pin_refcount_units(head, 1));
	count_vm_stat(NR_FOLL_PIN_ACQUIRED, 1);
	gup_debug_account(head, FOLL_PIN, 1);
	return true;
}

/**
 * unpin_user_page() - release one pin taken by a pin_user_pages*() call
 * @page: the page as returned by the pin call (may be a tail page).
 *
 * Pinned pages must come back through here (or unpin_user_pages*()), never
 * through put_page(), so the pin bias and the vmstat counters stay right.
 *
 * Return: nothing.
 */
void unpin_user_page(struct page *page)
{
	PIN_OWNER_SCOPE();
	put_compound_head(compound_head(page), 1, FOLL_PIN);
}

/**
 * unpin_user_pages_dirty_lock() - optionally dirty, then unpin, an array of pages
 * @pages: pages returned by a pin_user_pages*() call.
 * @npages: number of entries in @pages.
 * @make_dirty: mark each (head) page dirty first, unless it already is.
 *
 * Dirtying uses set_page_dirty_lock(). A page found dirty is left alone even
 * if writeback is about to clean it: writeback will then write our data, and a
 * page we dirty while it is written back is merely written again later.
 *
 * Return: nothing.
 */
void unpin_user_pages_dirty_lock(struct page **pages, unsigned long npages, bool make_dirty)
{
	PIN_OWNER_SCOPE();
	unsigned long idx;

	if (!make_dirty) {
		unpin_user_pages(pages, npages);
		return;
	}
	for (idx = 0; idx < npages; idx++) {
		struct page *head = compound_head(pages[idx]);

		if (!PageDirty(head))
			set_page_dirty_lock(head);
		unpin_user_page(head);
	}
}

/* Four page pointers side by side, compared as one (one AVX2 or two SSE2 registers). */
typedef unsigned long page_quad __attribute__((vector_size(4 * sizeof(unsigned long))));

/*
 * The AVX2 clone is chosen by an ifunc resolver that runs before the sanitizer
 * runtimes start; TSan builds (which crash in it) keep the default clone alone.
 */
#if defined(__SANITIZE_THREAD__)
#define GUP_NO_IFUNC 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GUP_NO_IFUNC 1
#endif
#endif

#if defined(__x86_64__) && !defined(GUP_NO_IFUNC)
#define AVX2_CLONE __attribute__((target_clones("avx2", "default")))
#else
#define AVX2_CLONE
#endif

/*
 * How many entries from @pages[0] on (at most @npages) are the consecutive
 * subpages of @head's compound page that a huge-leaf GUP records: they are
 * unpinned together, with one atomic on the head. Only the array is read, never
 * the tails' struct pages, 32 entries at a time with no branch between; built
 * for AVX2 too (picked at load time where the CPU has it), as that halves it.
 */
AVX2_CLONE static unsigned long compound_run(struct page **pages, unsigned long npages,
					     struct page *head)
{
	const unsigned long quad_step = 4 * sizeof(struct page);
	struct page *first = pages[0];
	unsigned long left = compound_nr(head) - (unsigned long)(first - head);
	unsigned long limit = npages < left ? npages : left, n = 0;
	page_quad want = {(unsigned long)first, (unsigned long)(first + 1),
			  (unsigned long)(first + 2), (unsigned long)(first + 3)};

	for (; n + 32 <= limit; n += 32) {
		page_quad differ = {0}, quad;

		for (int k = 0; k < 32; k += 4) {
			memcpy(&quad, pages + n + k, sizeof(quad));
			differ |= quad ^ want;
			want += quad_step;
		}
		if (differ[0] | differ[1] | differ[2] | differ[3])
			break;
	}
	while (n < limit && pages[n] == first + n)
		n++;
	return n;
}

/**
 * unpin_user_pages() - unpin every page of an array
 * @pages: pages returned by a pin_user_pages*() call.
 * @npages: number of entries in @pages.
 *
 * An @npages that looks like a negative errno is almost certainly a caller
 * passing on a failed pin call's return value: that warns and does nothing.
 * A run of consecutive subpages of one compound page (what a huge pmd gave)
 * drops its pins with one atomic on the head, as each page's own unpin would.
 *
 * Return: nothing.
 */
void unpin_user_pages(struct page **pages, unsigned long npages)
{
	PIN_OWNER_SCOPE();
	unsigned long idx, nr;

	if (WARN_ON(IS_ERR_VALUE(npages)))
		return;
	for (idx = 0; idx < npages; idx += nr) {
		struct page *head = compound_head(pages[idx]);

		/* A small page is a run of one: no call to find it out. */
		nr = PageHead(head) ? compound_run(pages + idx, npages - idx, head) : 1;
		put_compound_head(head, (int)nr, FOLL_PIN);
	}
}

/* ------------------------------------------------------------------------- */
/* The slow walk: follow_page_mask() and its levels                          */
/* ------------------------------------------------------------------------- */

/*
 * Nothing is mapped at the address. Normally that means "fault it in" (NULL).
 * A core dump, though, wants a hole rather than freshly allocated zeroes, so
 * FOLL_DUMP gets -EFAULT where a fault could only have produced zero-filled
 * memory: anonymous VMAs and mappings without a ->fault handler.
 */
static struct page *no_page_table(struct vm_area_struct *vma, unsigned int flags)
{
	bool fault_gives_zeroes = vma_is_anonymous(vma) || !vma->vm_ops->fault;

	if ((flags & FOLL_DUMP) && fault_gives_zeroes)
		return err_page(-EFAULT);
	return NULL;
}

/*
 * A present PTE maps a frame without a struct page we could reference (a raw
 * pfn mapping). FOLL_GET callers get -EFAULT. Everyone else, FOLL_PIN included
 * as in the reference (v5.11 follow_pfn_pte() tests FOLL_GET alone), gets
 * -EEXIST, meaning "mapped, skip it", after FOLL_TOUCH has set the young (and,
 * for a write, dirty) bits; no pin is taken. __get_user_pages() skips such a
 * page, but never meets one with a page array: check_vma_flags() refuses the
 * VM_IO|VM_PFNMAP VMAs that hold these PTEs first. The caller holds the PTE
 * lock; the bits are set with one atomic OR so nothing set concurrently by the
 * simulated CPU is lost.
 */
static int follow_pfn_pte(struct vm_area_struct *vma, unsigned long address, pte_t *ptep,
			  unsigned int flags)
{
	unsigned long want = _PAGE_ACCESSED;

	(void)vma;
	(void)address;
	if (flags & FOLL_GET)
		return -EFAULT;

	if (flags & FOLL_TOUCH) {
		if (flags & FOLL_WRITE)
			want |= _PAGE_DIRTY;
		if ((pte_val(ptep_get(ptep)) & want) != want)
			__atomic_fetch_or(&ptep->pte, want, __ATOMIC_RELAXED);
	}
	return -EEXIST;
}

/* Is @pte a migration entry that FOLL_MIGRATION wants us to wait out? */
static bool should_wait_for_migration(pte_t pte, unsigned int flags)
{
	if (!(flags & FOLL_MIGRATION) || pte_none(pte) || pte_present(pte))
		return false;
	return is_migration_entry(pte_to_swp_entry(pte));
}

/*
 * The PTE is present but vm_normal_page() found no struct page for it. Return
 * the page to use (the shared zero page, or a device page as the profile's pgmap
 * rule allows) or an error pointer; never NULL, as the entry is mapped.
 */
static struct page *follow_pageless_pte(struct vm_area_struct *vma, unsigned long address,
					pte_t *ptep, pte_t pte, unsigned int flags,
					struct dev_pagemap **pgmap)
{
	/*
	 * 5.11: a device page may only be referenced while its dev_pagemap is
	 * held, so only callers that take a reference get one. A pgmap already
	 * killed while its mapping is still there gives -EFAULT: the kernel's
	 * drivers zap their mappings first, and a fault here could only map the
	 * same entry. 6.17: the page is a folio like any other, whatever the flags.
	 */
	if (pte_devmap(pte) && !mm_profile->gup_takes_pgmap)
		return pte_page(pte);
	if (pte_devmap(pte) && (flags & (FOLL_GET | FOLL_PIN))) {
		*pgmap = get_dev_pagemap(pte_pfn(pte), *pgmap);
		return *pgmap ? pte_page(pte) : err_page(-EFAULT);
	}
	/* Core dumps leave holes for the zero page and other special pages. */
	if (flags & FOLL_DUMP)
		return err_page(-EFAULT);
	if (is_zero_pfn(pte_pfn(pte)))
		return pte_page(pte);
	return err_page(follow_pfn_pte(vma, address, ptep, flags));
}

/* FOLL_TOUCH on a page: record the access (and the write) in the page flags. */
static void touch_followed_page(struct page *page, pte_t pte, unsigned int flags)
{
	bool already_dirty = pte_dirty(pte) || PageDirty(page);

	if ((flags & FOLL_WRITE) && !already_dirty)
		set_page_dirty(page);
	/*
	 * Making the PTE young would need an atomic update that keeps the dirty
	 * bit; the page's accessed state serves reclaim just as well.
	 */
	mark_page_accessed(page);
}

/*
 * FOLL_MLOCK in a VM_LOCKED VMA: mlock the page now. PTE-mapped pieces of a
 * compound page are skipped, as is anything without a mapping (the zero page).
 * A page someone else holds locked is left for reclaim to mlock when it meets
 * it. The PTE reference keeps the page from being migrated or truncated while
 * we hold its lock, so nothing needs rechecking.
 */
static void mlock_followed_page(struct page *page)
{
	/* A device page is on no LRU for reclaim to spare (6.17's walk returns them). */
	if (PageCompound(page) || is_zone_device_page(page) || !READ_ONCE(page->mapping))
		return;
	if (!trylock_page(page))
		return;
	mlock_vma_page(page);
	unlock_page(page);
}

static struct page *follow_page_pte(struct vm_area_struct *vma, unsigned long address, pmd_t *pmd,
				    unsigned int flags, struct dev_pagemap **pgmap)
{
	struct mm_struct *mm = vma->vm_mm;
	spinlock_t *ptl = NULL;
	struct page *page;
	pte_t pte, *ptep;

	if (WARN_ON_ONCE((flags & (FOLL_GET | FOLL_PIN)) == (FOLL_GET | FOLL_PIN)))
		return err_page(-EINVAL);

retry:
	for (;;) {
		/* Untested: follow_pmd_mask() saw a table, and nothing here turns one into junk. */
		if (unlikely(pmd_bad(pmdp_get(pmd))))
			return no_page_table(vma, flags);
		ptep = pte_offset_map_lock(mm, pmd, address, &ptl);
		pte = ptep_get(ptep);
		if (!should_wait_for_migration(pte, flags))
			break;
		/* The page is moving; sleep until it has landed, then look again. */
		pte_unmap_unlock(ptep, ptl);
		migration_entry_wait(mm, pmd, address);
	}

	if (!pte_present(pte))
		goto not_mapped;
	/* A NUMA hinting entry must take its fault unless the access is forced. */
	if (pte_protnone(pte) && !gup_can_follow_protnone(vma, flags))
		goto not_mapped;
	page = vm_normal_page(vma, address, pte);
	if ((flags & FOLL_WRITE) && !can_follow_write_pte(pte, page, vma, flags)) {
		page = NULL; /* fault it writable (or break COW) first */
		goto unlock;
	}
	if (!page) {
		page = follow_pageless_pte(vma, address, ptep, pte, flags, pgmap);
		if (is_err_page(page))
			goto unlock;
	}
	/* A R/O pin that must not share the page: fault with unshare first. */
	if (!pte_write(pte) && gup_must_unshare(vma, flags, page)) {
		page = err_page(-EMLINK);
		goto unlock;
	}

	/* FOLL_SPLIT of a PTE-mapped THP: split the compound page, then look again. */
	if ((flags & FOLL_SPLIT) && PageCompound(page)) {
		int ret;

		get_page(page);
		pte_unmap_unlock(ptep, ptl);
		ret = split_referenced_huge_page(page);
		if (ret)
			return err_page(ret);
		goto retry;
	}
	/* Untested: a mapped page holds a reference; only a corrupt refcount fails. */
	if (unlikely(!try_grab_page(page, flags))) {
		page = err_page(-ENOMEM);
		goto unlock;
	}
	if (flags & FOLL_TOUCH)
		touch_followed_page(page, pte, flags);
	if ((flags & FOLL_MLOCK) && (vma->vm_flags & VM_LOCKED))
		mlock_followed_page(page);
unlock:
	pte_unmap_unlock(ptep, ptl);
	return page;

not_mapped:
	pte_unmap_unlock(ptep, ptl);
	/* A swap or migration entry wants a fault; an empty one may be a dump hole. */
	return pte_none(pte) ? no_page_table(vma, flags) : NULL;
}

/* FOLL_TOUCH on a huge pmd: young, and dirty for a write; pmd lock held. */
static void touch_pmd(pmd_t *pmdp, pmd_t pmd, unsigned int flags)
{
	pmd_t entry = pmd_mkyoung(pmd);

	if (flags & FOLL_WRITE)
		entry = pmd_mkdirty(entry);
	set_pmd(pmdp, entry);
}

/*
 * May FOLL_MLOCK mlock the pmd-mapped anonymous THP @head? Under 5.11 only when this
 * pmd is its one mapping: a THP shared over fork (a read-only mapping, as mlock's
 * populate breaks COW of writable ones) or PTE-mapped somewhere too (what 5.11's
 * PageDoubleMap marks) would leave an mlocked page in VMAs that are not VM_LOCKED.
 */
static bool thp_mlock_allowed(struct page *head)
{
	if (!mm_profile->thp_mlock_needs_sole_pmd_map)
		return true;
	if (atomic_read(&head[1].compound_mapcount) + 1 != 1)
		return false;
	/* A subpage's own mapcount counts PTE mappings only. */
	for (int i = 0; i < HPAGE_PMD_NR; i++)
		if (atomic_read(&head[i]._mapcount) >= 0)
			return false;
	return true;
}

/*
 * The subpage of a THP mapped by the huge pmd @pmdp at @address, referenced as @flags
 * ask. pmd lock held. Return: the subpage; NULL when the access needs a fault first
 * (a write the pmd does not allow, a NUMA hinting entry); -EFAULT for the huge zero
 * page under FOLL_DUMP (a dump writes a hole); -EMLINK when a R/O pin must unshare
 * the THP first (gup_must_unshare(), on the head, whose bit speaks for the pmd);
 * -ENOMEM if no reference could be had.
 */
static struct page *follow_trans_huge_pmd(struct vm_area_struct *vma, unsigned long address,
					  pmd_t *pmdp, unsigned int flags)
{
	pmd_t pmd = pmdp_get(pmdp);
	struct page *page;

	if ((flags & FOLL_WRITE) && !can_follow_write_pmd(pmd, pmd_page(pmd), vma, flags))
		return NULL;
	if ((flags & FOLL_DUMP) && is_huge_zero_pmd(pmd))
		return err_page(-EFAULT);
	/* Untested: follow_pmd_mask() checked before the lock; only a change meanwhile gets here. */
	if (pmd_protnone(pmd) && !gup_can_follow_protnone(vma, flags))
		return NULL;
	page = pmd_page(pmd);
	VM_BUG_ON_PAGE(!PageHead(page), page);
	if (!pmd_write(pmd) && gup_must_unshare(vma, flags, page))
		return err_page(-EMLINK);
	if (!try_grab_page(page, flags))
		return err_page(-ENOMEM);
	if (flags & FOLL_TOUCH)
		touch_pmd(pmdp, pmd, flags);
	/* A locked VMA's THP is mlocked whole, on its head; the huge zero page has no mapping. */
	if ((flags & FOLL_MLOCK) && (vma->vm_flags & VM_LOCKED) && PageAnon(page) &&
	    thp_mlock_allowed(page) && trylock_page(page)) {
		/* Checked again under the page lock: another mm may have split meanwhile. */
		if (thp_mlock_allowed(page))
			mlock_vma_page(page);
		unlock_page(page);
	}
	return page + ((address & ~HPAGE_PMD_MASK) >> PAGE_SHIFT);
}

/*
 * FOLL_SPLIT of a THP: split the compound page (its pmd goes with it), then follow
 * the PTE; a pinned THP is not split and gives split_huge_page()'s -EBUSY. Called
 * with the pmd lock held on a THP pmd, which it drops.
 */
static struct page *follow_split_thp(struct vm_area_struct *vma, unsigned long address, pmd_t *pmdp,
				     unsigned int flags, spinlock_t *ptl,
				     struct dev_pagemap **pgmap)
{
	struct page *page = pmd_page(pmdp_get(pmdp));
	int ret;

	if (unlikely(!page_ref_add_unless_zero(page, 1))) {
		spin_unlock(ptl);
		return err_page(-ENOMEM);
	}
	spin_unlock(ptl);
	ret = split_referenced_huge_page(page);
	if (pmd_none(pmdp_get(pmdp)))
		return no_page_table(vma, flags);
	if (ret)
		return err_page(ret);
	return follow_page_pte(vma, address, pmdp, flags, pgmap);
}

/*
 * FOLL_SPLIT_PMD (and FOLL_SPLIT on the huge zero page): split the pmd, then follow
 * the PTE.
 */
static struct page *follow_split_huge_pmd(struct vm_area_struct *vma, unsigned long address,
					  pmd_t *pmdp, unsigned int flags,
					  struct dev_pagemap **pgmap)
{
	split_huge_pmd(vma, pmdp, address);
	/*
	 * Untested: -EBUSY needs a fault to map a huge pmd again between the split and
	 * this look; the split leaves the deposited table, so pte_alloc() allocates nothing.
	 */
	if (pmd_is_huge_leaf(pmdp_get(pmdp)))
		return err_page(-EBUSY);
	if (pte_alloc(vma->vm_mm, pmdp))
		return err_page(-ENOMEM);
	return follow_page_pte(vma, address, pmdp, flags, pgmap);
}

/*
 * A THP under migration at @pmdp (@pmd as read): with FOLL_MIGRATION wait until
 * the migration ends and return true, so the caller reads the pmd again; false
 * otherwise, and the caller answers no_page_table() (GUP's fault then waits).
 */
static bool follow_pmd_migration_wait(struct vm_area_struct *vma, pmd_t *pmdp, pmd_t pmd,
				      unsigned int flags)
{
	if (!(flags & FOLL_MIGRATION) || !is_pmd_migration_entry(pmd))
		return false;
	pmd_migration_entry_wait(vma->vm_mm, pmdp);
	return true;
}

/*
 * The pmd level: a table is walked on; a transparent huge pmd is followed under the
 * pmd lock, and ctx->page_mask tells __get_user_pages() how many more small pages
 * this one entry covers. A pmd migration entry is waited out with FOLL_MIGRATION
 * and is a hole without it; what is not a table or a THP reads as a hole.
 */
static struct page *follow_pmd_mask(struct vm_area_struct *vma, unsigned long address, pud_t *pudp,
				    unsigned int flags, struct follow_page_context *ctx)
{
	pmd_t *pmdp = pmd_offset(pudp, address);
	spinlock_t *ptl;
	struct page *page;
	pmd_t pmd;

retry:
	pmd = pmdp_get(pmdp); /* one read: the entry may change under us */
	if (!pmd_none(pmd) && pmd_huge(pmd) && is_vm_hugetlb_page(vma)) {
		page = follow_huge_pmd(vma->vm_mm, address, pmdp, flags);
		return page ? page : no_page_table(vma, flags);
	}
	if (is_swap_pmd(pmd)) {
		if (follow_pmd_migration_wait(vma, pmdp, pmd, flags))
			goto retry;
		return no_page_table(vma, flags);
	}
	if (pmd_devmap(pmd)) {
		/* DAX: each small page is looked up on its own, under the pmd lock. */
		ptl = pmd_lock(vma->vm_mm);
		page = follow_devmap_pmd(vma, address, pmdp, flags, &ctx->pgmap);
		spin_unlock(ptl);
		return page ? page : no_page_table(vma, flags);
	}
	if (pmd_none(pmd) || !pmd_present(pmd))
		return no_page_table(vma, flags);
	if (!pmd_trans_huge(pmd)) {
		/* Untested: a leaf that is neither THP, devmap nor hugetlb has no writer. */
		if (pmd_huge(pmd))
			return no_page_table(vma, flags);
		return follow_page_pte(vma, address, pmdp, flags, &ctx->pgmap);
	}
	if (!huge_pmd_maps_thp(pmd))
		return no_page_table(vma, flags); /* nothing a fault installed: a hole */
	if (pmd_protnone(pmd) && !gup_can_follow_protnone(vma, flags))
		return no_page_table(vma, flags);
	ptl = pmd_lock(vma->vm_mm);
	pmd = pmdp_get(pmdp);
	/* Untested (none, migration): a zap or a migration between the read above and the lock. */
	if (pmd_none(pmd)) {
		spin_unlock(ptl);
		return no_page_table(vma, flags);
	}
	if (is_swap_pmd(pmd)) {
		/* Its migration began meanwhile. */
		spin_unlock(ptl);
		if (follow_pmd_migration_wait(vma, pmdp, pmd, flags))
			goto retry;
		return no_page_table(vma, flags);
	}
	if (!pmd_trans_huge(pmd)) {
		/* Split (or zapped and refilled) meanwhile: the PTE level has it. */
		spin_unlock(ptl);
		return follow_page_pte(vma, address, pmdp, flags, &ctx->pgmap);
	}
	if ((flags & FOLL_SPLIT) && !is_huge_zero_pmd(pmd))
		return follow_split_thp(vma, address, pmdp, flags, ptl, &ctx->pgmap);
	if (flags & (FOLL_SPLIT | FOLL_SPLIT_PMD)) {
		spin_unlock(ptl);
		return follow_split_huge_pmd(vma, address, pmdp, flags, &ctx->pgmap);
	}
	/* The mask is set whatever the answer: the walk can step over the whole pmd. */
	ctx->page_mask = HPAGE_PMD_NR - 1;
	page = follow_trans_huge_pmd(vma, address, pmdp, flags);
	spin_unlock(ptl);
	return page;
}

/* The pud level: huge and device puds cannot exist; a bad entry is a hole. */
static struct page *follow_pud_mask(struct vm_area_struct *vma, unsigned long address, p4d_t *p4dp,
				    unsigned int flags, struct follow_page_context *ctx)
{
	pud_t *pudp = pud_offset(p4dp, address);
	pud_t pud = pudp_get(pudp);
	struct page *page;
	spinlock_t *ptl;

	if (pud_huge(pud) && is_vm_hugetlb_page(vma)) {
		page = follow_huge_pud(vma->vm_mm, address, pudp, flags);
		return page ? page : no_page_table(vma, flags);
	}
	if (pud_devmap(pud)) {
		ptl = pmd_lock(vma->vm_mm);
		page = follow_devmap_pud(vma, address, pudp, flags, &ctx->pgmap);
		spin_unlock(ptl);
		return page ? page : no_page_table(vma, flags);
	}
	if (pud_none(pud) || pud_huge(pud) || pud_devmap(pud))
		return no_page_table(vma, flags);
	if (unlikely(pud_bad(pud))) /* untested: nothing writes such a pud */
		return no_page_table(vma, flags);
	return follow_pmd_mask(vma, address, pudp, flags, ctx);
}

/* The p4d level, folded into the pgd on x86-64 with four-level paging. */
static struct page *follow_p4d_mask(struct vm_area_struct *vma, unsigned long address, pgd_t *pgdp,
				    unsigned int flags, struct follow_page_context *ctx)
{
	p4d_t *p4dp = p4d_offset(pgdp, address);
	p4d_t p4d = p4dp_get(p4dp);

	if (p4d_none(p4d) || unlikely(p4d_bad(p4d)))
		return no_page_table(vma, flags);
	return follow_pud_mask(vma, address, p4dp, flags, ctx);
}

/**
 * follow_page_mask() - find the page mapped at a user address
 * @vma: the VMA containing @address; mmap_lock is held.
 * @address: the user address.
 * @flags: FOLL_* flags: which reference to take, write/touch/dump rules...
 * @ctx: receives in ->page_mask how many further small pages the mapping
 *       covers (HPAGE_PMD_NR - 1 for a huge pmd, else 0).
 *
 * Return:
 * * the page, referenced as @flags ask, when one is mapped and usable;
 * * NULL when nothing usable is mapped, so the caller should fault;
 * * ERR_PTR-style -EFAULT for holes under FOLL_DUMP, for special pages and the
 *   huge zero page under FOLL_DUMP, and for pfn mappings under FOLL_GET;
 * * -EBUSY when FOLL_SPLIT could not split a THP (it is pinned or otherwise
 *   referenced: split_huge_page()), or FOLL_SPLIT_PMD could not split a huge pmd;
 * * -EEXIST for pfn mappings otherwise (FOLL_PIN too: nothing is pinned);
 * * -ENOMEM when the reference could not be taken, -EINVAL for FOLL_GET|FOLL_PIN.
 * * -EMLINK when gup_must_unshare() says a R/O pin must fault the page
 *   unshared first (never under the 5.11 profile, never without FOLL_PIN).
 */
static struct page *follow_page_mask(struct vm_area_struct *vma, unsigned long address,
				     unsigned int flags, struct follow_page_context *ctx)
{
	pgd_t *pgdp = pgd_offset(vma->vm_mm, address);
	pgd_t pgd = pgdp_get(pgdp);

	ctx->page_mask = 0;
	if (pgd_none(pgd) || unlikely(pgd_bad(pgd)))
		return no_page_table(vma, flags);
	return follow_p4d_mask(vma, address, pgdp, flags, ctx);
}

/**
 * follow_page() - look up the page mapped at @address without faulting
 * @vma: the VMA containing @address; the caller holds mmap_lock.
 * @address: the user address.
 * @foll_flags: FOLL_* flags, typically FOLL_GET to take a reference.
 *
 * Return: the page (referenced if FOLL_GET/FOLL_PIN was given), NULL if nothing
 * usable is mapped, or an error pointer (test with IS_ERR_VALUE): -EFAULT or
 * -EEXIST for mappings without a struct page (see follow_page_mask()),
 * -ENOMEM when no reference could be taken; NULL with a warning for FOLL_PIN
 * under a profile from 5.19 on, which only the GUP walk may take.
 */
struct page *follow_page(struct vm_area_struct *vma, unsigned long address, unsigned int foll_flags)
{
	SIM_ENTER(err_page(sim_entry_err));
	struct page *found;
	struct follow_page_context ctx = {.page_mask = 0};

	/* Secret memory has no page for the kernel to look at (5.14). */
	if (vma_is_secretmem(vma))
		return NULL;
	/* 5.19: a pin needs the walk's unsharing, which a bare lookup skips. */
	if (mm_profile->follow_page_refuses_pin && WARN_ON_ONCE(foll_flags & FOLL_PIN))
		return NULL;
	found = follow_page_mask(vma, address, foll_flags, &ctx);
	/* A device page's pgmap is held for the lookup only: the page reference keeps it. */
	put_dev_pagemap(ctx.pgmap);
	return found;
}

/*
 * The vsyscall gate page has no VMA in the mm and no PTE in its tables: the
 * gate VMA carries the frame in ->vm_private_data. It is read-only to
 * everyone, forced access included. On success *vma is the gate VMA and, if
 * @page is given, *page the frame, referenced as @gup_flags ask.
 */
static int get_gate_page(struct mm_struct *mm, unsigned long address, unsigned int gup_flags,
			 struct vm_area_struct **vma, struct page **page)
{
	struct vm_area_struct *gate_vma;
	struct page *frame;

	(void)address;
	if (gup_flags & FOLL_WRITE)
		return -EFAULT;
	gate_vma = get_gate_vma(mm);
	frame = gate_vma ? gate_vma->vm_private_data : NULL;
	if (!frame)
		return -EFAULT;

	*vma = gate_vma;
	if (!page)
		return 0;
	if (unlikely(!try_grab_page(frame, gup_flags)))
		return -ENOMEM;
	*page = frame;
	return 0;
}

/* The FAULT_FLAG_* with which GUP faults an address for @foll_flags. */
unsigned int gup_fault_flags(unsigned int foll_flags, const int *locked)
{
	unsigned int fault_flags = 0;

	if (foll_flags & FOLL_WRITE)
		fault_flags |= FAULT_FLAG_WRITE;
	if (foll_flags & FOLL_REMOTE)
		fault_flags |= FAULT_FLAG_REMOTE;
	/*
	 * A caller that can cope with losing mmap_lock lets the fault drop it
	 * (6.3: the entry points say so with FOLL_UNLOCKABLE).
	 */
	if (locked &&
	    (!(mm_profile->later_foll_flags & FOLL_UNLOCKABLE) || (foll_flags & FOLL_UNLOCKABLE)))
		fault_flags |= FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE;
	/* FOLL_NOWAIT: start any I/O but come back at once, lock still held. */
	if (foll_flags & FOLL_NOWAIT)
		fault_flags |= FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_RETRY_NOWAIT;
	/* A second attempt after a retry; it may still be allowed to retry. */
	if (foll_flags & FOLL_TRIED)
		fault_flags |= FAULT_FLAG_TRIED;
	return fault_flags;
}

/* The errno for a failed fault; every VM_FAULT_ERROR bit has one. */
static int gup_fault_error(vm_fault_t ret, unsigned int foll_flags)
{
	int err = vm_fault_to_errno(ret, (int)foll_flags);

	BUG_ON(!err);
	return err;
}

/*
 * A write fault in a VMA without VM_WRITE (a forced write) broke COW but left
 * the PTE read-only. Looping until the PTE is writable would never end, so the
 * retry accepts the dirty read-only PTE (FOLL_COW): it maps our copy. This is
 * kept to forced writes on purpose: an ordinary writable mapping must see a
 * writable PTE, or a later user write could COW again and leave us holding a
 * page the process no longer maps.
 */
bool gup_cow_left_pte_readonly(const struct vm_area_struct *vma, vm_fault_t ret)
{
	return (ret & VM_FAULT_WRITE) && !(vma->vm_flags & VM_WRITE);
}

/*
 * Fault in @address for a lookup that found nothing usable, or (@unshare) a
 * page a R/O pin must not share. mmap_lock is held for read. Returns 0 when
 * the caller should look again, -ENOENT when the page is to be skipped (mlock
 * of present pages only), -EBUSY when the fault asked for a retry (and then,
 * unless FOLL_NOWAIT kept it, mmap_lock is gone and *locked is 0), or the errno
 * of a failed fault.
 */
static int faultin_page(struct vm_area_struct *vma, unsigned long address, unsigned int *flags,
			bool unshare, int *locked)
{
	unsigned int fault_flags;
	vm_fault_t ret;

	/* 5.16: a caller that may not fault (it holds a page lock) hears -EFAULT. */
	if (foll_later_flag(*flags, FOLL_NOFAULT))
		return -EFAULT;
	/* VM_LOCKONFAULT: mlock what is already there, fault nothing in. */
	if ((*flags & (FOLL_POPULATE | FOLL_MLOCK)) == FOLL_MLOCK)
		return -ENOENT;

	fault_flags =
		mm_profile->faultin_page_fault_flags(gup_fault_flags(*flags, locked), unshare);
	ret = handle_mm_fault(vma, address, fault_flags, NULL);
	if (ret & VM_FAULT_ERROR)
		return gup_fault_error(ret, *flags);

	if (ret & VM_FAULT_RETRY) {
		bool lock_kept = fault_flags & FAULT_FLAG_RETRY_NOWAIT;

		if (locked && !lock_kept)
			*locked = 0;
		return -EBUSY;
	}

	/* What the next lookup accepts: 5.11 adds FOLL_COW after a forced-write COW. */
	*flags = mm_profile->faultin_page_foll_flags(vma, ret, *flags);
	return 0;
}

/*
 * May GUP with @gup_flags touch @vma at all? Returns 0 or the errno to fail with:
 * -EFAULT for I/O and pfn mappings, for FOLL_ANON on a file mapping, and for
 * accesses the VMA's protection refuses; -EOPNOTSUPP for a long-term pin of
 * filesystem DAX memory.
 */
static int check_vma_flags(struct vm_area_struct *vma, unsigned long gup_flags)
{
	vm_flags_t vm_flags = vma->vm_flags;
	bool forced = gup_flags & FOLL_FORCE;
	int err;

	if (vm_flags & (VM_IO | VM_PFNMAP))
		return -EFAULT;
	if ((gup_flags & FOLL_ANON) && !vma_is_anonymous(vma))
		return -EFAULT;
	/* DAX pages are the file: a long-term pin would block truncation forever. */
	if ((gup_flags & FOLL_LONGTERM) && vma_is_fsdax(vma))
		return -EOPNOTSUPP;
	/* 5.14: secret memory is out of the kernel's reach (only 6.18 can map it). */
	if (vma_is_secretmem(vma))
		return -EFAULT;
	/* Refusals later kernels added (secretmem, hugetlb, file pins); none in 5.11. */
	err = mm_profile->check_vma_flags(vma, gup_flags);
	if (err)
		return err;

	if (gup_flags & FOLL_WRITE) {
		if (vm_flags & VM_WRITE)
			return 0;
		/*
		 * A forced write may only COW a private mapping (a debugger
		 * planting a breakpoint in read-only text). Writing anonymous
		 * pages into a shared mapping behind its back is refused.
		 */
		if (!forced || !is_cow_mapping(vm_flags))
			return -EFAULT;
		return 0;
	}

	if (vm_flags & VM_READ)
		return 0;
	/* A forced read still needs a mapping that could be made readable. */
	if (!forced || !(vm_flags & VM_MAYREAD))
		return -EFAULT;
	/* GUP accesses are data accesses: no protection keys here to refuse them. */
	return 0;
}

/*
 * 6.9: MADV_POPULATE_(READ|WRITE) reports a hole as -ENOMEM and a VMA it may
 * not fault as -EINVAL, and grows no stack: its own errors, not GUP's.
 */
static int madv_populate_vma_lookup(struct mm_struct *mm, unsigned long start,
				    unsigned int gup_flags, struct vm_area_struct **vmap)
{
	struct vm_area_struct *vma = find_vma(mm, start);

	if (!vma || vma->vm_start > start)
		return -ENOMEM;
	*vmap = vma;
	return check_vma_flags(vma, gup_flags) ? -EINVAL : 0;
}

/* FOLL_UNLOCKABLE (6.3) for a caller that lets faults drop mmap_lock. */
static unsigned int gup_unlockable(const int *locked)
{
	return locked ? FOLL_UNLOCKABLE & mm_profile->later_foll_flags : 0;
}

/*
 * Stop faulting and allocating for a task that is being killed. The
 * "gup_signal" injection point delivers such a signal at this moment.
 */
static bool gup_fatal_signal_pending(void)
{
	if (sim_point(SP_GUP_SIGNAL, NULL))
		task_kill(current);
	return fatal_signal_pending(current);
}

/*
 * Get the page at @start in @vma, faulting it in until the lookup succeeds.
 * Returns the page, or an error pointer: a lookup error (-EEXIST for a mapping
 * without a struct page, -EFAULT, -ENOMEM), a fault error, -ENOENT when the
 * page is absent and only mlock was asked for, -EBUSY when FOLL_SPLIT could not
 * split a THP, or -EINTR for a fatal signal. NULL when a fault asked for a retry
 * (see faultin_page() for *locked).
 */
static struct page *follow_or_fault_page(struct vm_area_struct *vma, unsigned long start,
					 unsigned int foll_flags, int *locked,
					 struct follow_page_context *ctx)
{
	for (;;) {
		struct page *page;
		int err;

		if (gup_fatal_signal_pending())
			return err_page(-EINTR);
		page = follow_page_mask(vma, start, foll_flags, ctx);
		if (page && page != err_page(-EMLINK))
			return page;
		/* faultin_page() may add FOLL_COW for the next lookup. */
		err = faultin_page(vma, start, &foll_flags, page == err_page(-EMLINK), locked);
		if (err == -EBUSY)
			return NULL;
		if (err)
			return err_page(err);
		sim_point(SP_GUP_AFTER_FAULTIN, vma);
	}
}

/**
 * __get_user_pages() - the core page-table walk with faulting
 * @mm: the address space; mmap_lock is held (for read if @locked is given).
 * @start: first user address (rounded down to its page).
 * @nr_pages: number of pages.
 * @gup_flags: FOLL_* flags.
 * @pages: receives the pages, or NULL to fault them in only; must be given
 *         exactly when FOLL_GET or FOLL_PIN is set.
 * @vmas: receives the VMA of each page, or NULL.
 * @locked: NULL if mmap_lock must not be dropped; otherwise a fault may drop
 *          it, setting *@locked to 0.
 *
 * Return:
 * * 0 when @nr_pages is 0;
 * * the number of pages processed when at least one was (possibly fewer than
 *   @nr_pages: the walk stops at the first failure, or at a fault that
 *   dropped mmap_lock);
 * * 0 when a fault on the first page asked for a retry;
 * * otherwise -errno: -EFAULT (no VMA, refused access, bad address),
 *   -ENOMEM, -EHWPOISON, -EOPNOTSUPP, -EINTR for a fatal signal, -EBUSY when
 *   FOLL_SPLIT found a THP it could not split (pinned or otherwise referenced).
 */
static long __get_user_pages(struct mm_struct *mm, unsigned long start, unsigned long nr_pages,
			     unsigned int gup_flags, struct page **pages,
			     struct vm_area_struct **vmas, int *locked)
{
	struct follow_page_context ctx = {.page_mask = 0};
	struct vm_area_struct *vma = NULL;
	long done = 0;
	long err = 0;

	if (!nr_pages)
		return 0;

	VM_BUG_ON(!!pages != !!(gup_flags & (FOLL_GET | FOLL_PIN)));

	/*
	 * NUMA hinting faults describe the task's own access pattern; a forced
	 * access by someone else (a debugger) should not trigger them.
	 */
	if (!(gup_flags & FOLL_FORCE))
		gup_flags |= FOLL_NUMA;

	while (nr_pages) {
		bool gate = false;
		unsigned long advance;
		struct page *page;

		if ((!vma || vma->vm_end <= start) &&
		    foll_later_flag(gup_flags, FOLL_MADV_POPULATE)) {
			err = madv_populate_vma_lookup(mm, start, gup_flags, &vma);
			if (err)
				break;
		} else if (!vma || vma->vm_end <= start) {
			vma = gup_vma_lookup(mm, start);
			gate = !vma && in_gate_area(mm, start);
			if (gate)
				err = get_gate_page(mm, start & PAGE_MASK, gup_flags, &vma,
						    pages ? &pages[done] : NULL);
			else
				err = vma ? check_vma_flags(vma, gup_flags) : -EFAULT;
			if (err)
				break;
			if (!gate && is_vm_hugetlb_page(vma)) {
				int hugetlb_err;

				done = follow_hugetlb_page(mm, vma, pages, vmas, &start, &nr_pages,
							   done, gup_flags, locked, &hugetlb_err);
				err = done ? 0 : hugetlb_err;
				/* A fault that dropped mmap_lock ends the walk here. */
				if ((locked && *locked == 0) || err)
					break;
				continue;
			}
		}

		if (gate) {
			ctx.page_mask = 0;
		} else {
			page = follow_or_fault_page(vma, start, gup_flags, locked, &ctx);
			if (!page) {
				err = 0; /* the fault wants a retry: the walk ends, no error */
				break;
			}
			if (is_err_page(page)) {
				err = page_err(page);
				/*
				 * -EEXIST (mapped without a struct page) and -ENOENT
				 * (mlock of an absent page) skip the page; any other
				 * error (FOLL_SPLIT's -EBUSY too) ends the walk.
				 */
				if (err != -EEXIST && err != -ENOENT)
					break;
			} else if (pages) {
				pages[done] = page;
				ctx.page_mask = 0;
			}
		}

		if (vmas) {
			vmas[done] = vma;
			ctx.page_mask = 0;
		}
		/* Skip the rest of a huge mapping in one go (page_mask is 0 otherwise). */
		advance = 1 + (~(start >> PAGE_SHIFT) & ctx.page_mask);
		advance = min_t(unsigned long, advance, nr_pages);
		done += advance;
		start += advance * PAGE_SIZE;
		nr_pages -= advance;
	}
	put_dev_pagemap(ctx.pgmap);
	return done ? done : err;
}

/* Does @vma allow the access a fixup_user_fault() with @fault_flags makes? */
static bool vma_permits_fault(struct vm_area_struct *vma, unsigned int fault_flags)
{
	vm_flags_t needed = (fault_flags & FAULT_FLAG_WRITE) ? VM_WRITE : VM_READ;

	/* Data access only (never an instruction fetch), and no protection keys. */
	return (vma->vm_flags & needed) != 0;
}

/**
 * fixup_user_fault() - resolve a user fault by hand, as the CPU would raise it
 * @mm: the address space; mmap_lock is held for read.
 * @address: the faulting user address.
 * @fault_flags: FAULT_FLAG_* (FAULT_FLAG_WRITE for a store).
 * @unlocked: NULL if mmap_lock must not be dropped (then @fault_flags must not
 *            contain FAULT_FLAG_ALLOW_RETRY); otherwise the fault may drop and
 *            retake it, and *@unlocked is set to true when that happened.
 *
 * Unlike GUP this always calls handle_mm_fault(), so the PTE's young and dirty
 * bits are updated as by a real access. mmap_lock is held again on return.
 *
 * Return:
 * * 0 when the fault was resolved;
 * * -EFAULT when no VMA covers @address or it does not permit the access, or
 *   the fault failed with SIGBUS/SIGSEGV;
 * * -ENOMEM when the fault ran out of memory, -EFAULT for hardware poison;
 * * -EINTR when a fatal signal is pending and the fault was killable.
 */
int fixup_user_fault(struct mm_struct *mm, unsigned long address, unsigned int fault_flags,
		     bool *unlocked)
{
	SIM_ENTER(sim_entry_err);
	struct vm_area_struct *vma;
	vm_fault_t ret;

	if (unlocked)
		fault_flags |= FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE;

	for (;;) {
		vma = gup_vma_lookup(mm, address);
		if (!vma || address < vma->vm_start || !vma_permits_fault(vma, fault_flags))
			return -EFAULT;
		if ((fault_flags & FAULT_FLAG_KILLABLE) && fatal_signal_pending(current))
			return -EINTR;

		ret = handle_mm_fault(vma, address, fault_flags, NULL);
		if (ret & VM_FAULT_ERROR)
			return gup_fault_error(ret, 0);
		if (!(ret & VM_FAULT_RETRY))
			return 0;

		/* The fault dropped mmap_lock: take it back and try once more. */
		mmap_read_lock(mm);
		fault_flags |= FAULT_FLAG_TRIED;

		if (unlocked)
			*unlocked = true;
	}
}

/*
 * A fault dropped mmap_lock (*locked is 0). Take the lock again and fault the
 * page at @start once more with FOLL_TRIED, as often as the fault keeps
 * dropping the lock. Returns 1 with the page in *pages (if given) and the lock
 * held, or 0 / -errno; *locked tells whether the lock is held.
 */
static long gup_refault_one_page(struct mm_struct *mm, unsigned long start, unsigned int flags,
				 struct page **pages, int *locked)
{
	long ret;
	int err;

	for (;;) {
		/* GUP must stay killable, or this loop could spin forever. */
		if (fatal_signal_pending(current))
			return -EINTR;
		err = mmap_read_lock_killable(mm);
		if (err)
			return err;

		*locked = 1;
		ret = __get_user_pages(mm, start, 1, flags | FOLL_TRIED, pages, NULL, locked);
		if (!*locked) {
			/* Dropped again; a retry never comes with a result. */
			BUG_ON(ret != 0);
			continue;
		}
		BUG_ON(ret > 1);
		return ret;
	}
}

/* How far a multi-pass GUP call has got. */
struct gup_cursor {
	unsigned long start;	/* next address to get */
	unsigned long nr_pages; /* pages still to get */
	struct page **pages;	/* slot for the next page, or NULL */
	long done;		/* pages got so far */
};

static void gup_cursor_advance(struct gup_cursor *cur, unsigned long n)
{
	cur->start += n << PAGE_SHIFT;
	cur->nr_pages -= n;
	cur->done += n;
	if (cur->pages)
		cur->pages += n;
}

/* The call ends with @ret: report the pages got, or @ret if there are none. */
static long gup_cursor_result(const struct gup_cursor *cur, long ret)
{
	return cur->done ? cur->done : ret;
}

/*
 * The VM_FAULT_RETRY protocol around __get_user_pages(). Without @locked it is
 * a single call. With @locked (*locked must be 1, @vmas must be NULL) a fault
 * may drop mmap_lock; the pages got so far are kept, the faulting page is
 * retried with FOLL_TRIED under a retaken lock, and the walk continues. If the
 * lock was dropped at any point, it is released before returning and *locked
 * is 0, so the caller knows its critical section was broken.
 *
 * FOLL_PIN marks the mm as having had pins. A page array without FOLL_PIN
 * implies FOLL_GET. Passing FOLL_GET or FOLL_PIN without a page array warns.
 *
 * Return: the number of pages got (never 0 for @nr_pages > 0 unless FOLL_NOWAIT
 * was given), or -errno if none was: -EINTR for a fatal signal, -EINVAL for the
 * misuse above, or an error of __get_user_pages().
 */
static long __get_user_pages_locked(struct mm_struct *mm, unsigned long start,
				    unsigned long nr_pages, struct page **pages,
				    struct vm_area_struct **vmas, int *locked, unsigned int flags)
{
	struct gup_cursor cur = {.start = start, .nr_pages = nr_pages, .pages = pages};
	bool lock_dropped = false;
	long ret;

	if (locked) {
		/* vmas[] would go stale whenever the lock is dropped. */
		BUG_ON(vmas);
		/* The caller must hold the lock and say so. */
		BUG_ON(*locked != 1);
	}
	if (flags & FOLL_PIN)
		mm_set_has_pinned(mm);
	/* References need somewhere to go (the kernel would BUG further down). */
	if (WARN_ON_ONCE((flags & (FOLL_GET | FOLL_PIN)) && !pages))
		return -EINVAL;
	/* Legacy callers pass a page array without FOLL_GET; pin callers never do. */
	if (pages && !(flags & FOLL_PIN))
		flags |= FOLL_GET;
	flags |= gup_unlockable(locked);

	for (;;) {
		ret = __get_user_pages(mm, cur.start, cur.nr_pages, flags, cur.pages, vmas, locked);
		if (!locked)
			return ret; /* no fault could drop the lock */

		if (!*locked) {
			/* A dropped lock comes with a partial count, never an error. */
			BUG_ON(ret < 0);
			BUG_ON(ret >= (long)cur.nr_pages);
		}
		if (ret > 0)
			gup_cursor_advance(&cur, ret);
		if (!cur.nr_pages)
			break;
		/* Stopped with the lock held: an error, or FOLL_NOWAIT kept it. */
		if (*locked) {
			ret = gup_cursor_result(&cur, ret);
			goto out;
		}

		/* The page at cur.start faulted and dropped the lock. */
		lock_dropped = true;
		ret = gup_refault_one_page(mm, cur.start, flags, cur.pages, locked);
		if (ret != 1) {
			ret = gup_cursor_result(&cur, ret);
			goto out;
		}
		gup_cursor_advance(&cur, 1);
		if (!cur.nr_pages)
			break;
	}
	ret = cur.done;
out:
	if (!lock_dropped || !*locked)
		return ret;
	mmap_read_unlock(mm);

	*locked = 0;
	return ret;
}

/**
 * populate_vma_page_range() - fault in (and mlock, for VM_LOCKED) part of a VMA
 * @vma: the VMA; its mm's mmap_lock is held.
 * @start: page-aligned start, inside @vma.
 * @end: page-aligned end, inside @vma.
 * @locked: NULL if mmap_lock (held for read or write) must stay held; otherwise
 *          it is held for read and may be dropped, setting *@locked to 0.
 *
 * Writable private mappings are faulted for write, to break COW now; shared
 * ones only for read, so they are not dirtied for nothing. Any VMA that is not
 * PROT_NONE is faulted with FOLL_FORCE, so mlock works on read-only or
 * exec-only memory. VM_LOCKONFAULT VMAs only mlock what is already present.
 *
 * Return: the number of pages processed (fewer than asked if the lock was
 * dropped or a page failed after some succeeded), or -errno if the first page
 * failed: -EFAULT, -ENOMEM, -EINTR...
 */
long populate_vma_page_range(struct vm_area_struct *vma, unsigned long start, unsigned long end,
			     int *locked)
{
	SIM_ENTER(sim_entry_err);
	unsigned long nr_pages = (end - start) >> PAGE_SHIFT;
	unsigned int gup_flags = FOLL_TOUCH | FOLL_MLOCK;

	VM_BUG_ON(!IS_ALIGNED(start, PAGE_SIZE));
	VM_BUG_ON(!IS_ALIGNED(end, PAGE_SIZE));
	VM_BUG_ON(start < vma->vm_start);
	VM_BUG_ON(end > vma->vm_end);
	VM_BUG_ON(!rwsem_is_locked(&vma->vm_mm->mmap_lock));

	/* VM_LOCKONFAULT: mlock only what is present, populate nothing. */
	if (!(vma->vm_flags & VM_LOCKONFAULT))
		gup_flags |= FOLL_POPULATE;
	/* Break COW now in private writable mappings; shared ones stay clean. */
	if ((vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
		gup_flags |= FOLL_WRITE;
	/* mlock must work on anything but PROT_NONE, read-only and exec-only too. */
	if (vma_is_accessible(vma))
		gup_flags |= FOLL_FORCE;

	gup_flags |= gup_unlockable(locked);
	/* The range lies inside @vma, so no stack expansion can recurse here. */
	return __get_user_pages(vma->vm_mm, start, nr_pages, gup_flags, NULL, NULL, locked);
}

/*
 * The VMA __mm_populate() continues in for @addr: the current one or its
 * successor while the lock stayed held; otherwise take the lock again and
 * look it up afresh, the old VMA may be gone.
 */
static struct vm_area_struct *populate_next_vma(struct mm_struct *mm, struct vm_area_struct *vma,
						unsigned long addr, int *locked)
{
	if (*locked)
		return addr < vma->vm_end ? vma : vma->vm_next;
	mmap_read_lock(mm);
	*locked = 1;
	return find_vma(mm, addr);
}

/**
 * __mm_populate() - fault in and/or mlock a range of the current address space
 * @start: page-aligned start address.
 * @len: page-aligned length.
 * @ignore_errors: carry on with the next VMA after a failure.
 *
 * Backs mlock(), MAP_POPULATE and MAP_LOCKED: the VMAs already carry their
 * final vm_flags. Takes mmap_lock for read itself (it must not be held).
 * Gaps between VMAs and VM_IO/VM_PFNMAP VMAs are skipped silently.
 *
 * Return:
 * * 0 when every page was populated, or always with @ignore_errors;
 * * otherwise the first -errno from populate_vma_page_range(): -ENOMEM,
 *   -EFAULT, -EINTR...
 */
int __mm_populate(unsigned long start, unsigned long len, int ignore_errors)
{
	SIM_ENTER(sim_entry_err);
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma = NULL;
	unsigned long end = start + len;
	unsigned long nstart, nend;
	int locked = 0;
	long ret = 0;

	for (nstart = start; nstart < end; nstart = nend) {
		vma = populate_next_vma(mm, vma, nstart, &locked);
		if (!vma || vma->vm_start >= end)
			break;

		nend = min_t(unsigned long, end, vma->vm_end);
		if (vma->vm_flags & (VM_IO | VM_PFNMAP))
			continue;
		nstart = max_t(unsigned long, nstart, vma->vm_start);

		/* populate_vma_page_range() rechecks VM_LOCKED under the lock. */
		ret = populate_vma_page_range(vma, nstart, nend, &locked);
		if (ret < 0) {
			if (!ignore_errors)
				break;
			ret = 0;
			continue; /* on to the next VMA */
		}
		nend = nstart + ret * PAGE_SIZE;
		ret = 0;
	}
	if (locked)
		mmap_read_unlock(mm);
	return (int)ret;
}

/**
 * get_dump_page() - take a reference on a user page for a core dump
 * @addr: user address in the current task.
 *
 * Takes and releases mmap_lock itself. The page must be released with
 * put_page().
 *
 * Return: the page, referenced; or NULL for anything that should be a hole in
 * the dump: failures of any kind, a fatal signal, untouched anonymous memory
 * (and mappings without ->fault), and the zero page or other special pages.
 */
struct page *get_dump_page(unsigned long addr)
{
	SIM_ENTER(NULL);
	const unsigned int dump_flags = FOLL_GET | FOLL_FORCE | FOLL_DUMP;
	struct mm_struct *mm = current->mm;
	struct page *page = NULL;
	int locked = 1;
	long got;

	if (mmap_read_lock_killable(mm))
		return NULL;
	got = __get_user_pages_locked(mm, addr, 1, &page, NULL, &locked, dump_flags);
	if (locked)
		mmap_read_unlock(mm);
	return got == 1 ? page : NULL;
}

/*
 * The target of a page a long-term pin may not keep (alloc_migration_target()):
 * @private_data is its gfp, the profile's longterm_target_gfp, which keeps it
 * out of memory the pin may not stay in even outside the memalloc_pin context;
 * otherwise the pass could move a page into CMA or ZONE_MOVABLE again, forever.
 */
static struct page *alloc_longterm_target(struct page *page, unsigned long private_data)
{
	return migration_alloc_target(page, (gfp_t)private_data, MAX_NR_ZONES);
}

/* migrate_pages() of @list to targets a long-term pin may stay in. Return: true if all moved. */
static bool migrate_longterm_unpinnable(struct list_head *list, int reason)
{
	return !migrate_pages(list, alloc_longterm_target, NULL,
			      (unsigned long)mm_profile->longterm_target_gfp, MIGRATE_SYNC, reason);
}

/*
 * Take the pages among @pages that a long-term pin may not keep
 * (!is_pinnable_page(): CMA in 5.11, ZONE_MOVABLE too from 5.13) off for
 * migration onto @list. Return: how many such pages there were, and in
 * *@stuck how many of them could not be isolated (already isolated by someone
 * else, or being freed: -EBUSY). A page not on the LRU (sitting in some thread's
 * LRU-add batch) drains every batch first, once while *@drain_allow, as 5.11 does.
 */
static unsigned long isolate_unpinnable_pages(unsigned long nr_pages, struct page **pages,
					      struct list_head *list, unsigned long *stuck,
					      bool *drain_allow)
{
	unsigned long found = 0;

	*stuck = 0;
	for (unsigned long i = 0; i < nr_pages;) {
		struct page *head = compound_head(pages[i]);

		/* A run of subpages of one compound page is looked at once. */
		i += compound_nr(head) - (unsigned long)(pages[i] - head);
		if (is_pinnable_page(head))
			continue;
		found++;
		/* A hugetlb page is on hugetlb's active list, never in an LRU batch. */
		if (!PageHuge(head) && !PageLRU(head) && !PageIsolated(head) && *drain_allow) {
			lru_add_drain_all();
			*drain_allow = false;
		}
		/* Isolated already: by someone else (a range's pages are distinct heads). */
		if (migrate_isolate_page(head, list))
			(*stuck)++;
	}
	return found;
}

/* Is one of the @nr_pages @pages device-coherent (which a long-term pin must move)? */
static bool has_device_coherent_page(unsigned long nr_pages, struct page **pages)
{
	for (unsigned long i = 0; i < nr_pages; i++)
		if (is_device_coherent_page(pages[i]))
			return true;
	return false;
}

/* Drop what __get_user_pages_locked() took: pins or plain references. */
static void release_gup_pages(unsigned long nr_pages, struct page **pages, unsigned int gup_flags)
{
	if (gup_flags & FOLL_PIN) {
		unpin_user_pages(pages, nr_pages);
		return;
	}
	/* Untested: get_user_pages*() refuse FOLL_LONGTERM, so only pins get here. */
	for (unsigned long i = 0; i < nr_pages; i++)
		put_page(pages[i]);
}

/*
 * 5.11's FOLL_LONGTERM pass: CMA pages among the ones just taken are isolated,
 * every pin (or reference) is dropped, the isolated pages migrate out of CMA (the
 * targets' gfp keeps them out, memalloc_pin or not), and the whole range is
 * taken again, looking once more for CMA pages a fault brought in meanwhile.
 * When any page fails to migrate (a pin elsewhere), the range is taken again
 * without migrating: the pins then stay in CMA, as 5.11 leaves them.
 * Return: what the last __get_user_pages_locked() returned (@nr_pages when
 * nothing was in CMA): pages taken, or -errno.
 */
long check_and_migrate_cma_pages(struct mm_struct *mm, unsigned long start, unsigned long nr_pages,
				 struct page **pages, struct vm_area_struct **vmas,
				 unsigned int gup_flags)
{
	long ret = (long)nr_pages;
	bool drain_allow = true;
	LIST_HEAD(cma_pages);

	if (!pages) /* untested: FOLL_LONGTERM needs FOLL_PIN, which needs @pages */
		return ret;
	for (;;) {
		unsigned long stuck;
		bool all_moved;

		isolate_unpinnable_pages(nr_pages, pages, &cma_pages, &stuck, &drain_allow);
		if (list_empty(&cma_pages))
			return ret;
		release_gup_pages(nr_pages, pages, gup_flags);
		all_moved = migrate_longterm_unpinnable(&cma_pages, MR_CONTIG_RANGE);
		putback_movable_pages(&cma_pages);
		ret = __get_user_pages_locked(mm, start, nr_pages, pages, vmas, NULL, gup_flags);
		if (ret <= 0 || !all_moved)
			return ret;
		nr_pages = (unsigned long)ret;
		drain_allow = true; /* 5.11's check_again: a new pass may drain once more */
	}
}

/*
 * 5.13's pass ("mm/gup: migrate pinned pages out of movable zone"; 6.18's
 * check_and_migrate_movable_folios): when any page taken is one a long-term
 * pin may not keep (CMA or ZONE_MOVABLE; never the zero page), every pin is
 * dropped and those pages migrate to memory a pin may stay in (the caller's
 * targets' gfp keeps them out of CMA and ZONE_MOVABLE).
 * Return: @nr_pages when every page may stay; -EAGAIN when all of them moved,
 * so the caller takes the range again; the profile's longterm_unmigrated_errno
 * (6.18: -ENOMEM) when one could not be isolated or migrated, nothing held.
 */
long check_and_migrate_movable_pages(struct mm_struct *mm, unsigned long start,
				     unsigned long nr_pages, struct page **pages,
				     struct vm_area_struct **vmas, unsigned int gup_flags)
{
	LIST_HEAD(unpinnable);
	bool drain_allow = true;
	unsigned long stuck;
	bool all_moved;

	(void)mm;
	(void)start;
	(void)vmas;
	if (!pages)
		return (long)nr_pages;
	/*
	 * Device-coherent memory moves with migrate_device_coherent_folio(), which
	 * the machine does not have: it fails, and 6.x then drops every pin, -EBUSY.
	 */
	if (has_device_coherent_page(nr_pages, pages)) {
		release_gup_pages(nr_pages, pages, gup_flags);
		return -EBUSY;
	}
	if (!isolate_unpinnable_pages(nr_pages, pages, &unpinnable, &stuck, &drain_allow))
		return (long)nr_pages;
	/* Only pins get here: get_user_pages*() refuse FOLL_LONGTERM. */
	VM_WARN_ON_ONCE(!(gup_flags & FOLL_PIN));
	release_gup_pages(nr_pages, pages, gup_flags);
	all_moved = list_empty(&unpinnable) ||
		    migrate_longterm_unpinnable(&unpinnable, MR_LONGTERM_PIN);
	putback_movable_pages(&unpinnable);
	if (stuck || !all_moved)
		return mm_profile->longterm_unmigrated_errno;
	return -EAGAIN;
}

/*
 * __get_user_pages_locked() without lock dropping, plus FOLL_LONGTERM
 * handling: the DAX refusal happens in check_vma_flags(), and pages that a
 * long-term pin must not hold are migrated afterwards. Faults meanwhile
 * allocate in the memalloc_pin context, which keeps them out of memory the
 * profile would have to migrate pins from.
 */
static long __gup_longterm_locked(struct mm_struct *mm, unsigned long start, unsigned long nr_pages,
				  struct page **pages, struct vm_area_struct **vmas, int *locked,
				  unsigned int gup_flags)
{
	unsigned int pin_ctx = 0;
	long rc;

	if (gup_flags & FOLL_LONGTERM)
		pin_ctx = memalloc_pin_save();
	rc = __get_user_pages_locked(mm, start, nr_pages, pages, vmas, locked, gup_flags);
	/* 5.13 on: -EAGAIN after a migration that moved everything: take the range again. */
	while ((gup_flags & FOLL_LONGTERM) && rc > 0) {
		rc = mm_profile->check_and_migrate_longterm(mm, start, (unsigned long)rc, pages,
							    vmas, gup_flags);
		if (rc != -EAGAIN)
			break;
		/* 6.3: a fault may have dropped the lock (@locked); the next walk needs it. */
		if (locked && !*locked) {
			mmap_read_lock(mm);
			*locked = 1;
		}
		rc = __get_user_pages_locked(mm, start, nr_pages, pages, vmas, locked, gup_flags);
	}
	if (gup_flags & FOLL_LONGTERM)
		memalloc_pin_restore(pin_ctx);
	return rc;
}

/*
 * A FOLL_LONGTERM request with a lock the walk may drop: refused with a
 * warning until 6.3, when the DAX check stopped needing the VMAs afterwards.
 */
static bool longterm_with_unlock_refused(unsigned int gup_flags, bool may_unlock)
{
	return (gup_flags & FOLL_LONGTERM) && may_unlock &&
	       WARN_ON_ONCE(!mm_profile->longterm_pin_may_unlock);
}

/*
 * Flags a get_user_pages*() caller may not pass: FOLL_PIN belongs to the
 * pin_user_pages*() family alone, and FOLL_LONGTERM only makes sense with it.
 */
static bool is_valid_gup_flags(unsigned int gup_flags)
{
	return !WARN_ON_ONCE(gup_flags & FOLL_PIN) && !WARN_ON_ONCE(gup_flags & FOLL_LONGTERM);
}

/*
 * Common body of get_user_pages_remote() and pin_user_pages_remote().
 * FOLL_LONGTERM with a droppable lock (@locked) warns and fails with -EINVAL
 * where the profile refuses it (5.11). Otherwise everything goes through
 * __gup_longterm_locked() and, with @locked, the retry protocol.
 */
static long __get_user_pages_remote(struct mm_struct *mm, unsigned long start,
				    unsigned long nr_pages, unsigned int gup_flags,
				    struct page **pages, struct vm_area_struct **vmas, int *locked)
{
	unsigned int flags = gup_flags | FOLL_TOUCH | FOLL_REMOTE;

	if (longterm_with_unlock_refused(gup_flags, locked))
		return -EINVAL;
	return __gup_longterm_locked(mm, start, nr_pages, pages, vmas, locked, flags);
}

/**
 * get_user_pages_remote() - take references on pages of any address space
 * @mm: the target address space; its mmap_lock is held (read or write).
 * @start: first user address.
 * @nr_pages: number of pages.
 * @gup_flags: FOLL_* flags (FOLL_WRITE, FOLL_FORCE, ...); FOLL_TOUCH and
 *             FOLL_REMOTE are added.
 * @pages: receives the referenced pages (release each with put_page()), or
 *         NULL just to fault the range in.
 * @vmas: receives each page's VMA (valid while mmap_lock is held), or NULL.
 * @locked: NULL, or points to 1 to let faults drop mmap_lock (then @vmas must
 *          be NULL); *@locked is 0 on return if the lock was dropped.
 *
 * The pages are those a user access would have reached at the time; they may
 * be unmapped or replaced afterwards but will not be freed while referenced.
 * A page written through must be dirtied (set_page_dirty_lock()) before it is
 * released.
 *
 * Return:
 * * 0 when @nr_pages is 0;
 * * the number of pages got, possibly fewer than @nr_pages when the walk ran
 *   into a hole, a refused VMA or a failure after the first page;
 * * -EINVAL, with a warning, when @gup_flags contains FOLL_PIN or FOLL_LONGTERM;
 * * -errno when the first page failed: -EFAULT, -ENOMEM, -EHWPOISON, -EINTR.
 */
long get_user_pages_remote(struct mm_struct *mm, unsigned long start, unsigned long nr_pages,
			   unsigned int gup_flags, struct page **pages,
			   struct vm_area_struct **vmas, int *locked)
{
	SIM_ENTER(sim_entry_err);
	if (!is_valid_gup_args(pages, locked, gup_flags, FOLL_TOUCH | FOLL_REMOTE) ||
	    !is_valid_gup_flags(gup_flags))
		return -EINVAL;
	return __get_user_pages_remote(mm, start, nr_pages, gup_flags, pages, vmas, locked);
}

/**
 * get_user_pages() - take references on pages of the current address space
 * @start: first user address.
 * @nr_pages: number of pages.
 * @gup_flags: FOLL_* flags; FOLL_TOUCH is added.
 * @pages: receives the referenced pages (release with put_page()), or NULL.
 * @vmas: receives each page's VMA, or NULL.
 *
 * get_user_pages_remote() on current->mm, with mmap_lock held by the caller
 * and never dropped.
 *
 * Return: as get_user_pages_remote(): 0 for @nr_pages 0, the (possibly
 * partial) number of pages, -EINVAL with a warning for FOLL_PIN or
 * FOLL_LONGTERM, or -errno when the first page failed.
 */
long get_user_pages(unsigned long start, unsigned long nr_pages, unsigned int gup_flags,
		    struct page **pages, struct vm_area_struct **vmas)
{
	SIM_ENTER(sim_entry_err);
	if (!is_valid_gup_args(pages, NULL, gup_flags, FOLL_TOUCH) ||
	    !is_valid_gup_flags(gup_flags))
		return -EINVAL;
	return __gup_longterm_locked(current->mm, start, nr_pages, pages, vmas, NULL,
				     gup_flags | FOLL_TOUCH);
}

/**
 * get_user_pages_locked() - get_user_pages() that may drop mmap_lock
 * @start: first user address.
 * @nr_pages: number of pages.
 * @gup_flags: FOLL_* flags; FOLL_TOUCH is added.
 * @pages: receives the referenced pages, or NULL.
 * @locked: must point to 1, with current->mm's mmap_lock held for read. If a
 *          fault dropped the lock, it is not held on return and *@locked is 0.
 *
 * Return:
 * * the number of pages got (possibly partial), 0 for @nr_pages 0;
 * * -EINVAL, with a warning, for FOLL_LONGTERM or FOLL_PIN;
 * * -errno when the first page failed.
 */
long get_user_pages_locked(unsigned long start, unsigned long nr_pages, unsigned int gup_flags,
			   struct page **pages, int *locked)
{
	SIM_ENTER(sim_entry_err);
	if (!is_valid_gup_args(pages, locked, gup_flags, FOLL_TOUCH))
		return -EINVAL;
	/* FOLL_LONGTERM needs the VMAs, which a dropped lock would invalidate. */
	if (WARN_ON_ONCE(gup_flags & FOLL_LONGTERM) || WARN_ON_ONCE(gup_flags & FOLL_PIN))
		return -EINVAL;
	return __get_user_pages_locked(current->mm, start, nr_pages, pages, NULL, locked,
				       gup_flags | FOLL_TOUCH);
}

/*
 * The body of get_user_pages_unlocked(), also used by pin_user_pages_unlocked()
 * and the GUP-fast fallback, which pass FOLL_PIN and have checked their
 * arguments already: take mmap_lock, get the pages with the retry protocol
 * (and, for a 6.3 long-term pin, the long-term pass).
 */
static long __get_user_pages_unlocked(unsigned long start, unsigned long nr_pages,
				      struct page **pages, unsigned int gup_flags)
{
	struct mm_struct *mm = current->mm;
	int locked = 1;
	long got;

	mmap_read_lock(mm);
	got = __gup_longterm_locked(mm, start, nr_pages, pages, NULL, &locked,
				    gup_flags | FOLL_TOUCH);
	/* A fault that dropped the lock left it dropped. */
	if (!locked)
		return got;
	mmap_read_unlock(mm);
	return got;
}

/**
 * get_user_pages_unlocked() - get_user_pages() that takes mmap_lock itself
 * @start: first user address.
 * @nr_pages: number of pages.
 * @pages: receives the referenced pages, or NULL.
 * @gup_flags: FOLL_* flags; FOLL_TOUCH is added. (pin_user_pages_unlocked()
 *             passes FOLL_PIN through here.)
 *
 * The caller must not hold current->mm's mmap_lock. Faults may drop and retake
 * it. Prefer get_user_pages_fast() unless special flags are needed.
 *
 * Return:
 * * the number of pages got (possibly partial), 0 for @nr_pages 0;
 * * -EINVAL, with a warning, for FOLL_LONGTERM;
 * * -errno when the first page failed (-EINTR for a fatal signal).
 */
long get_user_pages_unlocked(unsigned long start, unsigned long nr_pages, struct page **pages,
			     unsigned int gup_flags)
{
	SIM_ENTER(sim_entry_err);
	if (!is_valid_gup_args(pages, NULL, gup_flags, FOLL_TOUCH) ||
	    WARN_ON_ONCE(gup_flags & FOLL_LONGTERM))
		return -EINVAL;
	return __get_user_pages_unlocked(start, nr_pages, pages, gup_flags);
}

/* ------------------------------------------------------------------------- */
/* The fast path                                                             */
/* ------------------------------------------------------------------------- */

/*
 * get_user_pages_fast() walks current->mm's page tables without mmap_lock or
 * page-table locks. Two things make that safe:
 *
 *  - page-table pages are freed through RCU (pgtable.c), and the walk runs in
 *    an RCU read-side section, so any table it reaches through an entry it
 *    read stays a table until the walk is over (the kernel disables
 *    interrupts to the same end);
 *  - each entry is read exactly once and only that value is used; a page is
 *    referenced speculatively (refused if it is already being freed) and the
 *    PTE is read again afterwards: if it changed, the reference is dropped and
 *    the walk gives up.
 *
 * Whatever the walk cannot do (absent or non-present entries, NUMA hinting,
 * writes to read-only PTEs, special mappings) ends it, and the rest of the
 * range goes to the slow path unless FOLL_FAST_ONLY forbids that.
 */

/*
 * Drop the references taken since the walk reached *nr == @nr_start: a device
 * pagemap vanished (or a grab failed) part way through a range, and the slow
 * path takes the whole range again.
 */
static void undo_dev_pagemap(int *nr, int nr_start, unsigned int flags, struct page **pages)
{
	while (*nr > nr_start) {
		struct page *page = pages[--(*nr)];

		ClearPageReferenced(page);
		put_compound_head(page, 1, flags);
	}
}

/*
 * Reference one page through the PTE at @ptep whose value was @pte. Returns
 * false (taking nothing) if the walk has to stop here.
 */
static bool gup_fast_one_pte(pte_t *ptep, pte_t pte, unsigned int flags, struct page **pages,
			     int *nr, int nr_start, struct dev_pagemap **pgmap)
{
	struct page *page;
	struct page *head;

	/* NUMA hinting and any access the entry refuses need a real fault: slow path. */
	if (pte_protnone(pte) || !pte_access_permitted(pte, flags & FOLL_WRITE))
		return false;
	if (pte_devmap(pte)) {
		/*
		 * 5.11: the pgmap is held (and kept for the next PTE) while the page
		 * is grabbed. 6.17: the page is grabbed as any folio.
		 */
		if (mm_profile->gup_takes_pgmap) {
			*pgmap = get_dev_pagemap(pte_pfn(pte), *pgmap);
			if (unlikely(!*pgmap)) {
				undo_dev_pagemap(nr, nr_start, flags, pages);
				return false;
			}
		}
		if (unlikely(flags & FOLL_LONGTERM) &&
		    !mm_profile->gup_fast_devmap_longterm_ok(pte_page(pte)))
			return false;
	} else if (pte_special(pte)) {
		/* Special PTEs (the zero page, pfn mappings) have no page to take. */
		return false;
	}

	VM_BUG_ON(!pfn_valid(pte_pfn(pte)));

	page = pte_page(pte);
	head = try_grab_compound_head(page, 1, flags);
	if (unlikely(!head))
		return false;
	sim_point(SP_GUP_FAST_AFTER_GRAB, ptep);
	/* Recheck: if the PTE moved on meanwhile our page may not be the mapped one. */
	if (unlikely(pte_val(ptep_get(ptep)) != pte_val(pte))) {
		put_compound_head(head, 1, flags);
		return false;
	}
	VM_BUG_ON_PAGE(compound_head(page) != head, page);
	/* Secret memory is not in the direct map: never, and the slow path refuses it. */
	if (unlikely(page_is_secretmem(page))) {
		put_compound_head(head, 1, flags);
		return false;
	}
	/* Pages the profile lets only the slow path pin (6.5: dirty-tracked files). */
	if (!gup_fast_folio_allowed(page, flags)) {
		put_compound_head(head, 1, flags);
		return false;
	}
	/* A R/O pin that must unshare takes the slow path, which can fault. */
	if (!pte_write(pte) && gup_must_unshare(NULL, flags, page)) {
		put_compound_head(head, 1, flags);
		return false;
	}

	/* Test first: a locked op per page only when the bit really changes. */
	if (!PageReferenced(page))
		SetPageReferenced(page);
	pages[(*nr)++] = page;
	return true;
}

/* Reference the small pages of [addr, end) under the pmd whose value is @pmd. */
static int gup_pte_range(pmd_t pmd, unsigned long addr, unsigned long end, unsigned int flags,
			 struct page **pages, int *nr)
{
	pte_t *ptep = pte_offset_map(&pmd, addr);
	struct dev_pagemap *pgmap = NULL;
	int nr_start = *nr, ret = 1;

	for (; addr != end; addr += PAGE_SIZE, ptep++) {
		if (!gup_fast_one_pte(ptep, ptep_get(ptep), flags, pages, nr, nr_start, &pgmap)) {
			ret = 0;
			break;
		}
	}
	put_dev_pagemap(pgmap);
	return ret;
}

/* Two page pointers side by side, stored as one (SSE2 on x86-64). */
typedef unsigned long page_pair __attribute__((vector_size(2 * sizeof(unsigned long))));

/*
 * Fill @pages with the subpages from @page on that map [addr, end).
 * Returns how many were recorded.
 */
static int record_subpages(struct page *page, unsigned long addr, unsigned long end,
			   struct page **pages)
{
	int count = (int)((end - addr) >> PAGE_SHIFT), i;
	page_pair pair = {(unsigned long)page, (unsigned long)(page + 1)};

	/* Two entries a store: a THP's 512 entries are most of GUP-fast's work on it. */
	for (i = 0; i + 2 <= count; i += 2) {
		memcpy(pages + i, &pair, sizeof(pair));
		pair += 2 * sizeof(struct page);
	}
	if (i < count)
		pages[i] = page + i;
	return count;
}

/*
 * A huge entry at @entryp, read as @orig, maps the compound page @head_page of
 * @size bytes. Reference the subpages of [addr, end) with one speculative grab
 * on the head, then make sure the entry did not change meanwhile.
 */
static bool gup_huge_leaf(unsigned long *entryp, unsigned long orig, struct page *head_page,
			  unsigned long size, unsigned long addr, unsigned long end,
			  unsigned int flags, struct page **pages, int *nr)
{
	struct page *first = head_page + ((addr & (size - 1)) >> PAGE_SHIFT);
	int refs = record_subpages(first, addr, end, pages + *nr);
	struct page *head = try_grab_compound_head(head_page, refs, flags);

	if (!head)
		return false;
	sim_point(SP_GUP_FAST_HUGE_GRAB, entryp);
	if (unlikely(READ_ONCE(*entryp) != orig)) {
		put_compound_head(head, refs, flags);
		return false;
	}
	/* A R/O pin that must unshare the THP takes the slow path, which can fault. */
	if (!(orig & _PAGE_RW) && gup_must_unshare(NULL, flags, head)) {
		put_compound_head(head, refs, flags);
		return false;
	}

	SetPageReferenced(head);
	*nr += refs;

	return true;
}

/*
 * The small device pages from @pfn that map [addr, end), each grabbed with the
 * pgmap held (5.11; from 6.17, gup_takes_pgmap false, without it). A pgmap gone
 * or a grab refused undoes the range (and drops the pgmap: 5.11 left it held
 * when the grab failed, fixed in 5.19 by "mm: gup: fix potential pgmap refcnt
 * leak in __gup_device_huge()").
 */
static int __gup_device_huge(unsigned long pfn, unsigned long addr, unsigned long end,
			     unsigned int flags, struct page **pages, int *nr)
{
	bool takes_pgmap = mm_profile->gup_takes_pgmap;
	struct dev_pagemap *pgmap = NULL;
	int first = *nr;

	for (; addr != end; addr += PAGE_SIZE, pfn++) {
		struct page *page = pfn_to_page(pfn);
		bool longterm_refused;

		if (takes_pgmap) {
			pgmap = get_dev_pagemap(pfn, pgmap);
			if (unlikely(!pgmap)) {
				undo_dev_pagemap(nr, first, flags, pages);
				return 0;
			}
		}
		longterm_refused =
			(flags & FOLL_LONGTERM) && !mm_profile->gup_fast_devmap_longterm_ok(page);
		if (unlikely(longterm_refused || !try_grab_page(page, flags))) {
			put_dev_pagemap(pgmap);
			undo_dev_pagemap(nr, first, flags, pages);
			return 0;
		}
		if (!PageReferenced(page))
			SetPageReferenced(page);
		pages[(*nr)++] = page;
	}
	put_dev_pagemap(pgmap);
	return 1;
}

/*
 * A devmap pmd or pud (@orig at @entryp, mapping @size bytes): its device pages,
 * then the entry read again; if it changed, everything taken goes back.
 */
static int __gup_device_huge_entry(unsigned long *entryp, unsigned long orig, unsigned long size,
				   unsigned long addr, unsigned long end, unsigned int flags,
				   struct page **pages, int *nr)
{
	unsigned long pfn =
		((orig & PTE_PFN_MASK) >> PAGE_SHIFT) + ((addr & (size - 1)) >> PAGE_SHIFT);
	int nr_start = *nr;

	if (!__gup_device_huge(pfn, addr, end, flags, pages, nr))
		return 0;
	sim_point(SP_GUP_FAST_HUGE_GRAB, entryp);
	if (unlikely(READ_ONCE(*entryp) != orig)) {
		undo_dev_pagemap(nr, nr_start, flags, pages);
		return 0;
	}
	return 1;
}

/*
 * A devmap leaf over one compound device page (devmap_pmd_is_folio, 6.x): as a
 * THP, one grab of the folio for every subpage in range (6.17's
 * gup_fast_pmd_leaf()), with the pgmap held meanwhile only where GUP takes it
 * (gup_takes_pgmap: 5.17-6.16). Without it a killed pgmap is not looked at: a
 * walker that grabs late is what memunmap_pages() looks for again after a
 * grace period.
 */
static int gup_device_folio(unsigned long *entryp, unsigned long orig, unsigned long size,
			    unsigned long addr, unsigned long end, unsigned int flags,
			    struct page **pages, int *nr)
{
	struct page *head = pfn_to_page((orig & PTE_PFN_MASK) >> PAGE_SHIFT);
	struct dev_pagemap *pgmap = NULL;
	int ret;

	if (unlikely(flags & FOLL_LONGTERM) && !mm_profile->gup_fast_devmap_longterm_ok(head))
		return 0;
	if (mm_profile->gup_takes_pgmap) {
		pgmap = get_dev_pagemap(page_to_pfn(head), NULL);
		if (unlikely(!pgmap))
			return 0;
	}
	ret = gup_huge_leaf(entryp, orig, head, size, addr, end, flags, pages, nr);
	put_dev_pagemap(pgmap);
	return ret;
}

/* Is the devmap leaf @orig one folio (6.x's compound device-dax pages)? */
static bool devmap_leaf_is_folio(unsigned long orig)
{
	return mm_profile->devmap_pmd_is_folio &&
	       PageHead(pfn_to_page((orig & PTE_PFN_MASK) >> PAGE_SHIFT));
}

static int __gup_device_huge_pmd(pmd_t orig, pmd_t *pmdp, unsigned long addr, unsigned long end,
				 unsigned int flags, struct page **pages, int *nr)
{
	if (devmap_leaf_is_folio(pmd_val(orig)))
		return gup_device_folio(&pmdp->pmd, pmd_val(orig), PMD_SIZE, addr, end, flags,
					pages, nr);
	return __gup_device_huge_entry(&pmdp->pmd, pmd_val(orig), PMD_SIZE, addr, end, flags, pages,
				       nr);
}

static int __gup_device_huge_pud(pud_t orig, pud_t *pudp, unsigned long addr, unsigned long end,
				 unsigned int flags, struct page **pages, int *nr)
{
	if (devmap_leaf_is_folio(pud_val(orig)))
		return gup_device_folio(&pudp->pud, pud_val(orig), PUD_SIZE, addr, end, flags,
					pages, nr);
	return __gup_device_huge_entry(&pudp->pud, pud_val(orig), PUD_SIZE, addr, end, flags, pages,
				       nr);
}

/*
 * A huge pmd (a THP, or the huge zero page): one grab of the head for all the
 * subpages in range; a devmap pmd references each device page. A pmd that maps
 * no compound head (only a hand-written one can) is left to the slow path.
 */
static int gup_huge_pmd(pmd_t orig, pmd_t *pmdp, unsigned long addr, unsigned long end,
			unsigned int flags, struct page **pages, int *nr)
{
	if (!pmd_access_permitted(orig, flags & FOLL_WRITE))
		return 0;
	if (pmd_devmap(orig))
		return __gup_device_huge_pmd(orig, pmdp, addr, end, flags, pages, nr);
	if (!PageHead(pmd_page(orig))) /* untested: only a hand-written pmd */
		return 0;
	return gup_huge_leaf(&pmdp->pmd, pmd_val(orig), pmd_page(orig), PMD_SIZE, addr, end, flags,
			     pages, nr);
}

/* A huge (1 GiB) pud; as gup_huge_pmd(). */
static int gup_huge_pud(pud_t orig, pud_t *pudp, unsigned long addr, unsigned long end,
			unsigned int flags, struct page **pages, int *nr)
{
	if (!pud_access_permitted(orig, flags & FOLL_WRITE))
		return 0;
	if (pud_devmap(orig))
		return __gup_device_huge_pud(orig, pudp, addr, end, flags, pages, nr);
	return gup_huge_leaf(&pudp->pud, pud_val(orig), pud_page(orig), PUD_SIZE, addr, end, flags,
			     pages, nr);
}

static int gup_pmd_range(pud_t *pudp, pud_t pud, unsigned long addr, unsigned long end,
			 unsigned int flags, struct page **pages, int *nr)
{
	pmd_t *pmdp = pmd_offset_lockless(pudp, pud, addr);
	int ok;

	for (; addr != end; pmdp++) {
		unsigned long next = pmd_addr_end(addr, end);
		pmd_t pmd = pmdp_get(pmdp);
		bool leaf = pmd_trans_huge(pmd) || pmd_huge(pmd) || pmd_devmap(pmd);

		if (!pmd_present(pmd))
			return 0;
		if (unlikely(leaf)) {
			/* NUMA hinting and THP migration are serialised in the slow path. */
			ok = !pmd_protnone(pmd) &&
			     gup_huge_pmd(pmd, pmdp, addr, next, flags, pages, nr);
		} else {
			ok = gup_pte_range(pmd, addr, next, flags, pages, nr);
		}
		if (!ok)
			return 0;
		addr = next;
	}
	return 1;
}

static int gup_pud_range(p4d_t *p4dp, p4d_t p4d, unsigned long addr, unsigned long end,
			 unsigned int flags, struct page **pages, int *nr)
{
	pud_t *pudp = pud_offset_lockless(p4dp, p4d, addr);
	int ok;

	for (; addr != end; pudp++) {
		unsigned long next = pud_addr_end(addr, end);
		pud_t pud = pudp_get(pudp);

		if (unlikely(!pud_present(pud)))
			return 0;
		if (unlikely(pud_huge(pud)))
			ok = gup_huge_pud(pud, pudp, addr, next, flags, pages, nr);
		else
			ok = gup_pmd_range(pudp, pud, addr, next, flags, pages, nr);
		if (!ok)
			return 0;
		addr = next;
	}
	return 1;
}

/*
 * The p4d level is folded into the pgd: the p4d entry is the pgd entry we
 * already read, so it is not read a second time.
 */
static int gup_p4d_range(pgd_t *pgdp, pgd_t pgd, unsigned long addr, unsigned long end,
			 unsigned int flags, struct page **pages, int *nr)
{
	p4d_t *p4dp = p4d_offset(pgdp, addr);
	p4d_t p4d = __p4d(pgd_val(pgd));

	_Static_assert(PTRS_PER_P4D == 1, "the p4d level must be folded");
	if (p4d_none(p4d))
		return 0;
	return gup_pud_range(p4dp, p4d, addr, end, flags, pages, nr);
}

static void gup_pgd_range(struct mm_struct *mm, unsigned long addr, unsigned long end,
			  unsigned int flags, struct page **pages, int *nr)
{
	pgd_t *pgdp = pgd_offset(mm, addr);
	unsigned long next;

	for (; addr != end; addr = next, pgdp++) {
		pgd_t pgd = pgdp_get(pgdp);

		next = pgd_addr_end(addr, end);
		if (pgd_none(pgd) || pgd_huge(pgd))
			return;
		if (!gup_p4d_range(pgdp, pgd, addr, next, flags, pages, nr))
			return;
	}
}

/* x86-64: the lockless walk only covers the lower half of the address space. */
static bool gup_fast_permitted(unsigned long start, unsigned long end)
{
	(void)start;
	return (end >> 47) == 0;
}

/*
 * The slow-path fallback for what the lockless walk left: FOLL_LONGTERM keeps
 * mmap_lock for the whole call (it cannot use the retry protocol), the rest
 * goes through get_user_pages_unlocked().
 */
static int __gup_longterm_unlocked(unsigned long start, int nr_pages, unsigned int gup_flags,
				   struct page **pages)
{
	struct mm_struct *mm = current->mm;
	long ret;

	if (!(gup_flags & FOLL_LONGTERM))
		return (int)__get_user_pages_unlocked(start, nr_pages, pages, gup_flags);

	mmap_read_lock(mm);
	ret = __gup_longterm_locked(mm, start, nr_pages, pages, NULL, NULL, gup_flags);
	mmap_read_unlock(mm);
	return (int)ret;
}

/*
 * The lockless walk of [start, end) in current->mm. For FOLL_PIN it is bracketed
 * by mm->write_protect_seq: fork() write-protects the parent's PTEs inside that
 * seqcount, and a pin taken while fork() runs could end up on a page the child
 * shares. So a walk that starts during a fork gets nothing, and one that raced
 * with a fork gives everything back. Returns the number of pages referenced.
 */
static unsigned long lockless_pages_from_mm(unsigned long start, unsigned long end,
					    unsigned int gup_flags, struct page **pages)
{
	struct mm_struct *mm = current->mm;
	unsigned int seq = 0;
	int nr_pinned = 0;

	if (!gup_fast_permitted(start, end))
		return 0;

	if (gup_flags & FOLL_PIN) {
		seq = raw_read_seqcount(&mm->write_protect_seq);
		if (seq & 1)
			return 0;
	}

	sim_rcu_read_lock();
	gup_pgd_range(mm, start, end, gup_flags, pages, &nr_pinned);
	sim_point(SP_GUP_FAST_WALK_END, mm);
	sim_rcu_read_unlock();

	if ((gup_flags & FOLL_PIN) && read_seqcount_retry(&mm->write_protect_seq, seq)) {
		unpin_user_pages(pages, nr_pinned);
		return 0;
	}
	return nr_pinned;
}

/* access_ok(): does [start, start + len) lie inside user space, without wrapping? */
static bool gup_range_ok(unsigned long start, unsigned long len)
{
	return len <= TASK_SIZE && start <= TASK_SIZE - len;
}

#define GUP_FAST_FLAGS                                                                             \
	(FOLL_WRITE | FOLL_LONGTERM | FOLL_FORCE | FOLL_PIN | FOLL_GET | FOLL_FAST_ONLY)
/* The later flags GUP-fast accepts too, where the kernel knows them. */
#define GUP_FAST_LATER_FLAGS (FOLL_NOFAULT | FOLL_HONOR_NUMA_FAULT)

/*
 * Common body of the *_fast() calls: the lockless walk, then the slow path for
 * the remainder unless FOLL_FAST_ONLY. Returns the number of pages got; 0 for
 * a non-positive @nr_pages or a range that wraps around; -EINVAL (warning) for
 * flags outside GUP_FAST_FLAGS or a missing page array; -EFAULT for a range
 * outside user space; or the slow path's -errno when no page at all was got.
 */
static int internal_get_user_pages_fast(unsigned long start, unsigned long nr_pages,
					unsigned int gup_flags, struct page **pages)
{
	unsigned long len, end, nr_pinned;
	int ret;

	if (WARN_ON_ONCE(gup_flags &
			 ~(GUP_FAST_FLAGS | (GUP_FAST_LATER_FLAGS & mm_profile->later_foll_flags))))
		return -EINVAL;
	if (gup_flags & FOLL_PIN)
		mm_set_has_pinned(current->mm);

	/* The callers take an int: zero or negative asks for nothing. */
	if ((long)nr_pages <= 0)
		return 0;
	if (WARN_ON_ONCE(!pages))
		return -EINVAL;

	start &= PAGE_MASK;
	len = nr_pages << PAGE_SHIFT;
	if ((len >> PAGE_SHIFT) != nr_pages || __builtin_add_overflow(start, len, &end))
		return 0;
	if (unlikely(!gup_range_ok(start, len)))
		return -EFAULT;

	nr_pinned = lockless_pages_from_mm(start, end, gup_flags, pages);
	if (nr_pinned == nr_pages || (gup_flags & FOLL_FAST_ONLY))
		return (int)nr_pinned;

	ret = __gup_longterm_unlocked(start + (nr_pinned << PAGE_SHIFT),
				      (int)(nr_pages - nr_pinned), gup_flags, pages + nr_pinned);
	/* Pages already taken must reach the caller, who has to release them. */
	if (ret < 0)
		return nr_pinned ? (int)nr_pinned : ret;
	return ret + (int)nr_pinned;
}

/**
 * get_user_pages_fast_only() - lockless get_user_pages() that never falls back
 * @start: first user address (rounded down to its page).
 * @nr_pages: number of pages.
 * @gup_flags: FOLL_WRITE, FOLL_FORCE...; FOLL_GET and FOLL_FAST_ONLY are added.
 * @pages: receives the referenced pages (release with put_page()).
 *
 * Never sleeps and never takes mmap_lock: it gets what the page tables map
 * right now and stops at the first page it cannot take. A read may see a page
 * that a later write fault would COW away.
 *
 * Return: the number of pages got, from 0 to @nr_pages; never negative (every
 * error, including misuse, reads as 0).
 */
int get_user_pages_fast_only(unsigned long start, int nr_pages, unsigned int gup_flags,
			     struct page **pages)
{
	SIM_ENTER(sim_entry_err);
	int got;

	if (!is_valid_gup_args(pages, NULL, gup_flags, FOLL_GET | FOLL_FAST_ONLY))
		return 0;
	got = internal_get_user_pages_fast(start, (unsigned long)nr_pages,
					   gup_flags | FOLL_GET | FOLL_FAST_ONLY, pages);
	return got < 0 ? 0 : got;
}

/**
 * get_user_pages_fast() - take references on current's pages, locklessly if possible
 * @start: first user address (rounded down to its page).
 * @nr_pages: number of pages.
 * @gup_flags: FOLL_WRITE, FOLL_FORCE; FOLL_GET is implied.
 * @pages: receives the referenced pages (release with put_page()).
 *
 * Walks the page tables without mmap_lock; whatever that cannot get is got by
 * the slow path, which takes mmap_lock.
 *
 * Return:
 * * the number of pages got, possibly fewer than @nr_pages;
 * * 0 when @nr_pages is 0 or negative, or the range wraps around;
 * * -EINVAL, with a warning, for FOLL_PIN, FOLL_LONGTERM or other flags the
 *   fast path does not take;
 * * -EFAULT for a range outside user space;
 * * -errno from the slow path when no page was got.
 */
int get_user_pages_fast(unsigned long start, int nr_pages, unsigned int gup_flags,
			struct page **pages)
{
	SIM_ENTER(sim_entry_err);
	if (!is_valid_gup_args(pages, NULL, gup_flags, FOLL_GET) || !is_valid_gup_flags(gup_flags))
		return -EINVAL;
	return internal_get_user_pages_fast(start, (unsigned long)nr_pages, gup_flags | FOLL_GET,
					    pages);
}

/**
 * pin_user_pages_fast() - pin current's pages, locklessly if possible
 * @start: first user address (rounded down to its page).
 * @nr_pages: number of pages.
 * @gup_flags: FOLL_WRITE, FOLL_FORCE, FOLL_LONGTERM; FOLL_PIN is implied.
 * @pages: receives the pinned pages (release with unpin_user_page*()).
 *
 * Return: as get_user_pages_fast(), except that FOLL_GET is the flag refused
 * with -EINVAL and a warning.
 */
int pin_user_pages_fast(unsigned long start, int nr_pages, unsigned int gup_flags,
			struct page **pages)
{
	SIM_ENTER(sim_entry_err);
	if (!is_valid_gup_args(pages, NULL, gup_flags, FOLL_PIN) ||
	    WARN_ON_ONCE(gup_flags & FOLL_GET))
		return -EINVAL;
	return internal_get_user_pages_fast(start, (unsigned long)nr_pages, gup_flags | FOLL_PIN,
					    pages);
}

/**
 * pin_user_pages_fast_only() - lockless pin_user_pages() that never falls back
 * @start: first user address (rounded down to its page).
 * @nr_pages: number of pages.
 * @gup_flags: FOLL_WRITE, FOLL_FORCE, FOLL_LONGTERM; FOLL_PIN is implied.
 * @pages: receives the pinned pages (release with unpin_user_page*()).
 *
 * Return: the number of pages pinned, 0 to @nr_pages; never negative:
 * FOLL_GET (which warns) and every other error give 0. Under a profile whose
 * kernel no longer has the call (6.18): -EINVAL, with a warning once.
 */
int pin_user_pages_fast_only(unsigned long start, int nr_pages, unsigned int gup_flags,
			     struct page **pages)
{
	SIM_ENTER(sim_entry_err);
	int got;

	/* Removed before 6.18 (no user was left): a caller written for 6.18 must not rely on it. */
	if (WARN_ON_ONCE(!mm_has_call(MM_CALL_PIN_USER_PAGES_FAST_ONLY)))
		return -EINVAL;

	if (!is_valid_gup_args(pages, NULL, gup_flags, FOLL_PIN | FOLL_FAST_ONLY) ||
	    WARN_ON_ONCE(gup_flags & FOLL_GET))
		return 0;
	got = internal_get_user_pages_fast(start, (unsigned long)nr_pages,
					   gup_flags | FOLL_PIN | FOLL_FAST_ONLY, pages);
	return got < 0 ? 0 : got;
}

/* ------------------------------------------------------------------------- */
/* The remaining pin_user_pages*() entry points                              */
/* ------------------------------------------------------------------------- */

/**
 * pin_user_pages_remote() - pin pages of any address space
 * @mm: the target address space; its mmap_lock is held.
 * @start: first user address.
 * @nr_pages: number of pages.
 * @gup_flags: FOLL_* flags; FOLL_PIN is implied, FOLL_TOUCH and FOLL_REMOTE added.
 * @pages: receives the pinned pages (release with unpin_user_page*()).
 * @vmas: receives each page's VMA, or NULL.
 * @locked: as for get_user_pages_remote(); under 5.11 it must be NULL with
 *          FOLL_LONGTERM (6.3 lifted that).
 *
 * Return:
 * * the number of pages pinned (possibly partial), 0 for @nr_pages 0;
 * * -EINVAL, with a warning, for FOLL_GET, for FOLL_LONGTERM with @locked
 *   under 5.11, or for a NULL @pages;
 * * -errno when the first page failed.
 */
long pin_user_pages_remote(struct mm_struct *mm, unsigned long start, unsigned long nr_pages,
			   unsigned int gup_flags, struct page **pages,
			   struct vm_area_struct **vmas, int *locked)
{
	SIM_ENTER(sim_entry_err);
	if (!is_valid_gup_args(pages, locked, gup_flags, FOLL_PIN | FOLL_TOUCH | FOLL_REMOTE) ||
	    WARN_ON_ONCE(gup_flags & FOLL_GET))
		return -EINVAL;
	return __get_user_pages_remote(mm, start, nr_pages, gup_flags | FOLL_PIN, pages, vmas,
				       locked);
}

/**
 * pin_user_pages() - pin pages of the current address space
 * @start: first user address.
 * @nr_pages: number of pages.
 * @gup_flags: FOLL_* flags; FOLL_PIN is implied (FOLL_TOUCH is not added).
 * @pages: receives the pinned pages (release with unpin_user_page*()).
 * @vmas: receives each page's VMA, or NULL.
 *
 * The caller holds current->mm's mmap_lock; it is never dropped.
 *
 * Return:
 * * the number of pages pinned (possibly partial), 0 for @nr_pages 0;
 * * -EINVAL, with a warning, for FOLL_GET or a NULL @pages;
 * * -errno when the first page failed.
 */
long pin_user_pages(unsigned long start, unsigned long nr_pages, unsigned int gup_flags,
		    struct page **pages, struct vm_area_struct **vmas)
{
	SIM_ENTER(sim_entry_err);
	if (!is_valid_gup_args(pages, NULL, gup_flags, FOLL_PIN) ||
	    WARN_ON_ONCE(gup_flags & FOLL_GET))
		return -EINVAL;
	return __gup_longterm_locked(current->mm, start, nr_pages, pages, vmas, NULL,
				     gup_flags | FOLL_PIN);
}

/**
 * pin_user_pages_unlocked() - pin_user_pages() that takes mmap_lock itself
 * @start: first user address.
 * @nr_pages: number of pages.
 * @pages: receives the pinned pages.
 * @gup_flags: FOLL_* flags; FOLL_PIN is implied, FOLL_TOUCH added.
 *
 * FOLL_LONGTERM is allowed from 6.3 on (the profile's longterm_pin_may_unlock):
 * the long-term pass then runs with the retry protocol.
 *
 * Return: as get_user_pages_unlocked(); FOLL_GET, and FOLL_LONGTERM under
 * 5.11, are also refused with -EINVAL and a warning.
 */
long pin_user_pages_unlocked(unsigned long start, unsigned long nr_pages, struct page **pages,
			     unsigned int gup_flags)
{
	SIM_ENTER(sim_entry_err);
	if (!is_valid_gup_args(pages, NULL, gup_flags, FOLL_PIN | FOLL_TOUCH) ||
	    WARN_ON_ONCE(gup_flags & FOLL_GET) || longterm_with_unlock_refused(gup_flags, true))
		return -EINVAL;
	return __get_user_pages_unlocked(start, nr_pages, pages, gup_flags | FOLL_PIN);
}

/**
 * pin_user_pages_locked() - pin_user_pages() that may drop mmap_lock
 * @start: first user address.
 * @nr_pages: number of pages.
 * @gup_flags: FOLL_* flags; FOLL_PIN is implied, FOLL_TOUCH added.
 * @pages: receives the pinned pages.
 * @locked: as for get_user_pages_locked().
 *
 * Return: as get_user_pages_locked(): the (possibly partial) count, -EINVAL
 * with a warning for FOLL_LONGTERM or FOLL_GET, or -errno when the first page
 * failed.
 */
long pin_user_pages_locked(unsigned long start, unsigned long nr_pages, unsigned int gup_flags,
			   struct page **pages, int *locked)
{
	SIM_ENTER(sim_entry_err);
	if (!is_valid_gup_args(pages, locked, gup_flags, FOLL_PIN | FOLL_TOUCH) ||
	    WARN_ON_ONCE(gup_flags & FOLL_LONGTERM) || WARN_ON_ONCE(gup_flags & FOLL_GET))
		return -EINVAL;
	return __get_user_pages_locked(current->mm, start, nr_pages, pages, NULL, locked,
				       gup_flags | FOLL_PIN | FOLL_TOUCH);
}

/**
 * faultin_vma_page_range() - fault in [start, end) of @vma for MADV_POPULATE_*.
 * @vma: the VMA holding the whole range; mmap_lock held for read.
 * @start: page-aligned start.
 * @end: page-aligned end, at most vma->vm_end.
 * @write: fault for write (MADV_POPULATE_WRITE), breaking COW.
 * @locked: in: 1; out: 0 if mmap_lock was dropped.
 *
 * Unlike mlock population this never forces access: the mapping's own
 * permissions decide, and VM_LOCKONFAULT ranges are populated all the same.
 *
 * Return:
 * * the number of pages faulted in (fewer if the lock was dropped);
 * * -EINVAL when the VMA's type or permissions rule the access out;
 * * otherwise GUP's -errno for the first page: -EFAULT, -ENOMEM, -EINTR...
 */
long faultin_vma_page_range(struct vm_area_struct *vma, unsigned long start, unsigned long end,
			    bool write, int *locked)
{
	unsigned int gup_flags = FOLL_TOUCH | FOLL_POPULATE | FOLL_MLOCK | FOLL_HWPOISON;

	if (write)
		gup_flags |= FOLL_WRITE;
	if (check_vma_flags(vma, gup_flags))
		return -EINVAL; /* madvise reports bad mappings as invalid, not as faults */
	return __get_user_pages(vma->vm_mm, start, (end - start) >> PAGE_SHIFT, gup_flags, NULL,
				NULL, locked);
}

/**
 * faultin_page_range() - fault in [start, end) of @mm for MADV_POPULATE_* (6.9)
 * @mm: the address space; mmap_lock held for read.
 * @start: page-aligned start.
 * @end: page-aligned end.
 * @write: fault for write (MADV_POPULATE_WRITE), breaking COW.
 * @locked: in: 1; out: 0 if mmap_lock was dropped (and is not held).
 *
 * The 6.18 profile's population: one walk over every VMA in the range through
 * the retry protocol (a fault that drops the lock is retried with FOLL_TRIED,
 * so the walk always makes progress). The mapping's permissions decide, never
 * FOLL_FORCE.
 *
 * Return:
 * * the number of pages faulted in (fewer if a page failed after some did);
 * * -ENOMEM for a hole at @start, -EINVAL for a VMA the access is refused in;
 * * otherwise the fault's -errno: -EFAULT (SIGBUS/SIGSEGV), -EHWPOISON,
 *   -ENOMEM, -EINTR.
 */
long faultin_page_range(struct mm_struct *mm, unsigned long start, unsigned long end, bool write,
			int *locked)
{
	unsigned int gup_flags = FOLL_TOUCH | FOLL_HWPOISON | FOLL_MADV_POPULATE;

	VM_BUG_ON(!IS_ALIGNED(start, PAGE_SIZE) || !IS_ALIGNED(end, PAGE_SIZE) || end <= start);
	if (write)
		gup_flags |= FOLL_WRITE;
	return __get_user_pages_locked(mm, start, (end - start) >> PAGE_SHIFT, NULL, NULL, locked,
				       gup_flags);
}

/* ------------------------------------------------------------------------- */

/* One pass over the range: every page pinned, or none (Return: the number, or -errno). */
static long memfd_pin_range(struct file *memfd, loff_t start, loff_t end, struct page **folios,
			    unsigned int max_folios)
{
	unsigned long index = (unsigned long)(start >> PAGE_SHIFT);
	unsigned long last = (unsigned long)(end >> PAGE_SHIFT);
	unsigned int nr = 0;
	int err = 0;

	for (; index <= last && nr < max_folios; index++) {
		struct page *page = memfd_get_page(memfd, index, &err);

		if (!page)
			break;
		/* Our reference keeps the count positive: the grab cannot fail. */
		try_grab_page(page, FOLL_PIN);
		put_page(page);
		folios[nr++] = page;
	}
	if (err) {
		unpin_user_pages(folios, nr);
		return err;
	}
	return nr;
}

long memfd_pin_folios(struct file *memfd, loff_t start, loff_t end, struct page **folios,
		      unsigned int max_folios, unsigned long *offset)
{
	SIM_ENTER(sim_entry_err);
	unsigned int pin_ctx;
	long ret;

	if (!mm_has_call(MM_CALL_MEMFD_PIN_FOLIOS))
		return -ENOSYS;
	if (start < 0 || start > end || !max_folios)
		return -EINVAL;
	if (!memfd || !shmem_file(memfd))
		return -EINVAL;
	/* Long-term pins: what the faults allocate stays out of memory they may not hold. */
	pin_ctx = memalloc_pin_save();
	do {
		ret = memfd_pin_range(memfd, start, end, folios, max_folios);
		if (ret > 0)
			ret = check_and_migrate_movable_pages(NULL, 0, (unsigned long)ret, folios,
							      NULL, FOLL_PIN | FOLL_LONGTERM);
	} while (ret == -EAGAIN);
	memalloc_pin_restore(pin_ctx);
	if (ret > 0)
		*offset = (unsigned long)(start & ~PAGE_MASK);
	return ret;
}

void unpin_folios(struct page **folios, unsigned long nr)
{
	PIN_OWNER_SCOPE();
	unpin_user_pages(folios, nr);
}
