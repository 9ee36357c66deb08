// SPDX-License-Identifier: GPL-2.0-only
/*
 * Semantics profiles: the 5.11 answers to every decision of struct mm_profile,
 * the table of known profiles, and the choice sim_boot() makes between them
 * (struct sim_config.profile, else GUP_PROFILE, else 5.11).
 */
#include "mm/internal.h"
#include "mm/hugetlb.h"
#include <gup/pagemap.h>

const struct mm_profile *mm_profile = &profile_5_11;
__thread unsigned int memalloc_pin_depth;

/*
 * Reuse an anonymous page in place only when nobody else holds a reference at
 * all (the 5.9 rule). Called with the PTE lock held.
 */
static bool wp_can_reuse_anon_page_5_11(struct vm_fault *vmf, struct page *page)
{
	bool reuse;

	(void)vmf;
	if (page_count(page) != 1)
		return false;
	sim_point(SP_COW_BEFORE_PAGE_LOCK, page);
	if (!trylock_page(page))
		return false;
	sim_point(SP_COW_AFTER_PAGE_LOCK, page);
	/*
	 * Acquire: the last other holder may have just finished copying the page
	 * (wp_page_copy) and dropped its reference; our stores must come after.
	 */
	reuse = page_mapcount(page) == 1 &&
		__atomic_load_n(&compound_head(page)->_refcount.counter, __ATOMIC_ACQUIRE) == 1;
	unlock_page(page);
	return reuse;
}

/*
 * A writable PTE, or - for a forced write (ptrace into a read-only private
 * mapping) - a read-only one, but only once a write fault has broken COW for
 * it (FOLL_COW) and left it dirty: then the page is our private copy.
 */
static bool can_follow_write_pte_5_11(pte_t pte, struct page *page, struct vm_area_struct *vma,
				      unsigned int flags)
{
	bool forced_after_cow = (flags & FOLL_FORCE) && (flags & FOLL_COW) && pte_dirty(pte);

	(void)page;
	(void)vma;
	return pte_write(pte) || forced_after_cow;
}

/* As can_follow_write_pte_5_11(), for a huge pmd. */
static bool can_follow_write_pmd_5_11(pmd_t pmd, struct page *page, struct vm_area_struct *vma,
				      unsigned int flags)
{
	bool forced_after_cow = (flags & FOLL_FORCE) && (flags & FOLL_COW) && pmd_dirty(pmd);

	(void)page;
	(void)vma;
	return pmd_write(pmd) || forced_after_cow;
}

/*
 * Is the THP @head mapped exactly once, by one pmd and no PTE? That is what lets
 * 5.11 reuse it on a write fault (reuse_swap_page() of a THP: its largest
 * mapcount is 1).
 */
static bool wp_can_reuse_anon_thp_5_11(struct vm_area_struct *vma, struct page *head)
{
	(void)vma;
	for (int i = 0; i < HPAGE_PMD_NR; i++)
		if (page_mapcount(head + i) != 1)
			return false;
	return true;
}

/* A R/O pin of a COW-shared page keeps sharing it (not coherent after a write). */
static bool gup_must_unshare_5_11(struct vm_area_struct *vma, unsigned int flags, struct page *page)
{
	(void)vma;
	(void)flags;
	(void)page;
	return false;
}

/* No lookup asks to unshare under 5.11, so the fault is what the flags say. */
static unsigned int faultin_page_fault_flags_5_11(unsigned int fault_flags, bool unshare)
{
	WARN_ON_ONCE(unshare);
	return fault_flags;
}

/*
 * A write fault in a VMA without VM_WRITE (a forced write) broke COW but left
 * the PTE read-only. Looping until the PTE is writable would never end, so from
 * now on accept the dirty read-only PTE: it maps our copy. This is kept to
 * forced writes on purpose: an ordinary writable mapping must see a writable
 * PTE, or a later user write could COW again and leave us holding a page the
 * process no longer maps.
 */
static unsigned int faultin_page_foll_flags_5_11(struct vm_area_struct *vma, vm_fault_t ret,
						 unsigned int foll_flags)
{
	return gup_cow_left_pte_readonly(vma, ret) ? foll_flags | FOLL_COW : foll_flags;
}

/*
 * A page that may be pinned must not be shared with the child, or the child's
 * or parent's next write would COW it away from the pin: copy it now. Only mms
 * that have ever pinned pay for the check.
 */
static bool page_needs_cow_for_dma_5_11(struct vm_area_struct *src_vma, struct page *page,
					int nr_pages)
{
	(void)nr_pages;
	return READ_ONCE(src_vma->vm_mm->has_pinned) && page_maybe_dma_pinned(page);
}

/* 5.11 shares every hugetlb page with the child, pinned or not. */
static bool hugetlb_fork_copies_pinned_5_11(struct vm_area_struct *src_vma, struct page *head)
{
	(void)src_vma;
	(void)head;
	return false;
}

/* 5.12 on: a hugetlb page that may be pinned is copied for the child at fork. */
static bool hugetlb_fork_copies_pinned_5_12(struct vm_area_struct *src_vma, struct page *head)
{
	/* One page: the head's exclusivity bit speaks for a hugetlb page (6.x). */
	return page_needs_cow_for_dma(src_vma, head, 1);
}

/* 5.11 keeps no exclusivity bit: the refcount decides reuse. */
static void mark_new_anon_page_5_11(struct page *page, int nr_pages)
{
	(void)page;
	(void)nr_pages;
}

/* Nothing beyond the checks every profile makes in check_vma_flags(). */
static int check_vma_flags_5_11(struct vm_area_struct *vma, unsigned long gup_flags)
{
	(void)vma;
	(void)gup_flags;
	return 0;
}

/* Nothing beyond the checks every entry point makes itself. */
static bool is_valid_gup_args_5_11(struct page **pages, int *locked, unsigned int gup_flags,
				   unsigned int to_set)
{
	(void)pages;
	(void)locked;
	(void)gup_flags;
	(void)to_set;
	return true;
}

/* A NUMA hint is honoured by every lookup __get_user_pages() marked FOLL_NUMA. */
static bool gup_can_follow_protnone_5_11(struct vm_area_struct *vma, unsigned int flags)
{
	(void)vma;
	return !(flags & FOLL_NUMA);
}

/*
 * How far below a stack an address may be for GUP to say that it no longer
 * grows the stack there: further down, the access was not a stack access.
 */
#define STACK_GROWTH_WARN_GAP (64UL << 10)

/*
 * 6.5: GUP never grows a stack (that needs mmap_lock for write), so an address
 * below a VM_GROWSDOWN VMA has no VMA. Just below one, say so once per boot
 * (the kernel: once an hour), since a caller may have relied on the growth.
 */
static struct vm_area_struct *gup_vma_lookup_6_5(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);
	char msg[160];

	if (!vma || vma->vm_start <= addr)
		return vma;
	if (!(vma->vm_flags & VM_GROWSDOWN) || vma->vm_start - addr > STACK_GROWTH_WARN_GAP)
		return NULL;
	if (__atomic_exchange_n(&sim.warned_stack_growth, true, __ATOMIC_RELAXED))
		return NULL;
	snprintf(msg, sizeof(msg), "GUP no longer grows the stack in %s (%d): %lx-%lx (%lx)",
		 current->comm, current->pid, vma->vm_start, vma->vm_end, addr);
	__gup_warn(__FILE__, __LINE__, __func__, msg);
	return NULL;
}

/*
 * 6.6: a NUMA hint is the task's own access pattern; GUP follows it unless the
 * caller acts for the task (KVM) and asks to honour it. Not in a PROT_NONE VMA:
 * the fault handler takes no NUMA fault there, so FOLL_FORCE could never end.
 */
static bool gup_can_follow_protnone_6_6(struct vm_area_struct *vma, unsigned int flags)
{
	if (!(flags & FOLL_HONOR_NUMA_FAULT))
		return true;
	return !vma_is_accessible(vma);
}

/* The lockless walk may keep whatever it could grab. */
static bool gup_fast_folio_allowed_5_11(struct page *page, unsigned int flags)
{
	(void)page;
	(void)flags;
	return true;
}

/* CMA must stay migratable; ZONE_MOVABLE may hold long-term pins in 5.11. */
static bool is_pinnable_page_5_11(struct page *page)
{
	return !is_migrate_cma_page(page);
}

/* Every device page rests at refcount 1 (the kernel's page_is_devmap_managed() era). */
static int devmap_idle_refcount_5_11(int type)
{
	(void)type;
	return 1;
}

/* GUP-fast leaves every long-term pin of device memory to the slow path. */
static bool gup_fast_devmap_longterm_ok_5_11(struct page *page)
{
	(void)page;
	return false;
}

/* memalloc_nocma_save(): movable still, but never from CMA pageblocks. */
static gfp_t memalloc_pin_gfp_5_11(gfp_t gfp)
{
	return gfp & ~__GFP_CMA;
}

/*
 * 5.11's change_pte_range(): only a mapping that tracks dirtying write-protects
 * clean pages on purpose, so a PTE already dirty there may be made writable
 * (dirty_accountable). Everything else waits for its write fault.
 */
static bool mprotect_may_make_writable_5_11(struct vm_area_struct *vma, unsigned long addr,
					    pte_t pte)
{
	(void)addr;
	return vma_wants_writenotify(vma) && pte_dirty(pte);
}

const struct mm_profile profile_5_11 = {
	.id = SIM_PROFILE_5_11,
	.name = "5.11",
	.wp_can_reuse_anon_page = wp_can_reuse_anon_page_5_11,
	.wp_can_reuse_anon_thp = wp_can_reuse_anon_thp_5_11,
	.can_follow_write_pte = can_follow_write_pte_5_11,
	.can_follow_write_pmd = can_follow_write_pmd_5_11,
	.gup_must_unshare = gup_must_unshare_5_11,
	.faultin_page_fault_flags = faultin_page_fault_flags_5_11,
	.faultin_page_foll_flags = faultin_page_foll_flags_5_11,
	.page_needs_cow_for_dma = page_needs_cow_for_dma_5_11,
	.hugetlb_fork_copies_pinned = hugetlb_fork_copies_pinned_5_11,
	.mark_new_anon_page = mark_new_anon_page_5_11,
	.gup_vma_lookup = find_extend_vma,
	.check_vma_flags = check_vma_flags_5_11,
	.is_valid_gup_args = is_valid_gup_args_5_11,
	.gup_can_follow_protnone = gup_can_follow_protnone_5_11,
	.gup_fast_folio_allowed = gup_fast_folio_allowed_5_11,
	.pins_zero_page = true,
	.is_pinnable_page = is_pinnable_page_5_11,
	.memalloc_pin_gfp = memalloc_pin_gfp_5_11,
	.mremap_dontunmap_anon_only = true,
	.longterm_unmigrated_errno = 0,
	.check_and_migrate_longterm = check_and_migrate_cma_pages,
	.later_foll_flags = 0,
	.calls = MM_CALL_PIN_USER_PAGES_FAST_ONLY,
	.access_remote_expands_stack = false,
	.follow_page_refuses_pin = false,
	.longterm_pin_may_unlock = false,
	.mprotect_may_make_writable = mprotect_may_make_writable_5_11,
	.thp_mlock_needs_sole_pmd_map = true,
	.write_seal_allows_ro_shared_mmap = false,
	.memfd_seals_before_unmap = false,
	.memfd_exec_seals = false,
	.devmap_idle_refcount = devmap_idle_refcount_5_11,
	.devmap_pages_hold_pgmap = true,
	.devmap_has_coherent = false,
	.gup_fast_devmap_longterm_ok = gup_fast_devmap_longterm_ok_5_11,
	.devmap_pmd_is_folio = false,
	.gup_takes_pgmap = true,
	.dax_evict_defers_busy_blocks = false,
	.unmap_keeps_pinned_exclusive = false,
	.swap_pte_exclusive = false,
	.write_prefaults_chunk = true,
	.migration_entry_exclusive = false,
	.longterm_target_gfp = (GFP_HIGHUSER_MOVABLE & ~__GFP_CMA) | __GFP_NOWARN,
	.migrate_splits_partially_mapped_thp = false,
	.contig_range_moves_hugetlb = false,
};

/* --- Linux 6.18 ----------------------------------------------------------- */

/*
 * 5.19 ("mm: remember exclusively mapped anonymous pages with
 * PG_anon_exclusive"): an exclusive page is ours to write; otherwise a small
 * page is reused only when its refcount says nobody else holds it (5.9's
 * rule), checked again under the page lock (no swap cache holds one here).
 * Reuse makes the page exclusive. A subpage of a PTE-mapped THP is reused
 * under 6.15's rule (wp_can_reuse_large_anon_6_15). PTE lock held.
 */
static bool wp_can_reuse_small_anon_6_18(struct page *page)
{
	bool reuse;

	if (page_count(page) != 1)
		return false;
	sim_point(SP_COW_BEFORE_PAGE_LOCK, page);
	if (!trylock_page(page))
		return false;
	sim_point(SP_COW_AFTER_PAGE_LOCK, page);
	/* Acquire: a sharer that just copied the page away dropped its reference. */
	reuse = __atomic_load_n(&page->_refcount.counter, __ATOMIC_ACQUIRE) == 1;
	if (reuse)
		SetPageAnonExclusive(page);
	unlock_page(page);
	return reuse;
}

/*
 * 6.15 ("mm: COW reuse support for PTE-mapped THP with CONFIG_MM_ID"): a
 * subpage of a PTE-mapped THP is reused when every reference to the folio is
 * a mapping and no other mm maps it. The kernel knows the second part from
 * the folio's mm ids; here every mapping must be one of this fault's page
 * table's PTEs at the subpage's own offset (folio_mapped_only_here()), which
 * is the same answer except that a THP moved off its alignment is copied, as
 * before 6.15. Only the written subpage becomes exclusive.
 */
static bool wp_can_reuse_large_anon_6_15(struct vm_fault *vmf, struct page *page)
{
	struct page *head = compound_head(page);
	bool reuse;

	if (compound_order(head) != HPAGE_PMD_ORDER || page_count(head) != total_mapcount(head))
		return false;
	if (!trylock_page(head))
		return false;
	reuse = page_count(head) == total_mapcount(head) && folio_mapped_only_here(vmf, page);
	if (reuse)
		SetPageAnonExclusive(page);
	unlock_page(head);
	return reuse;
}

static bool wp_can_reuse_anon_page_6_18(struct vm_fault *vmf, struct page *page)
{
	if (PageAnonExclusive(page))
		return true;
	if (PageCompound(page))
		return wp_can_reuse_large_anon_6_15(vmf, page);
	return wp_can_reuse_small_anon_6_18(page);
}

/*
 * The THP @head (locked by the caller): exclusive, or nothing but its one pmd
 * holds a reference (then it becomes exclusive). The head's bit speaks for a
 * pmd-mapped THP; a split hands it to every subpage.
 */
static bool wp_can_reuse_anon_thp_6_18(struct vm_area_struct *vma, struct page *head)
{
	(void)vma;
	if (PageAnonExclusive(head))
		return true;
	if (page_count(head) != 1)
		return false;
	SetPageAnonExclusive(head);
	return true;
}

/*
 * 6.0 ("mm/gup: fix FOLL_FORCE COW security issue and remove FOLL_COW"): a
 * forced write may use a read-only entry only in a private mapping that could
 * be written (VM_MAYWRITE) but is not (VM_WRITE would just take the write
 * fault), and only once the fault left an exclusive anonymous page there: that
 * is our own copy. FOLL_FORCE does nothing for shared mappings.
 */
static bool forced_write_may_follow(struct page *page, struct vm_area_struct *vma,
				    unsigned int flags)
{
	vm_flags_t vm_flags = vma->vm_flags;

	if (!(flags & FOLL_FORCE) || (vm_flags & (VM_SHARED | VM_MAYSHARE)))
		return false;
	if (!(vm_flags & VM_MAYWRITE) || (vm_flags & VM_WRITE))
		return false;
	return page && PageAnon(page) && PageAnonExclusive(page);
}

static bool can_follow_write_pte_6_18(pte_t pte, struct page *page, struct vm_area_struct *vma,
				      unsigned int flags)
{
	return pte_write(pte) || forced_write_may_follow(page, vma, flags);
}

static bool can_follow_write_pmd_6_18(pmd_t pmd, struct page *page, struct vm_area_struct *vma,
				      unsigned int flags)
{
	return pmd_write(pmd) || forced_write_may_follow(page, vma, flags);
}

/*
 * 5.19 ("mm/gup: trigger FAULT_FLAG_UNSHARE when R/O-pinning a possibly shared
 * anonymous page") and 6.2 ("mm/gup: reliable R/O long-term pinning in COW
 * mappings"). Only a R/O FOLL_PIN asks: a write lookup already needs a writable
 * entry, and a FOLL_GET reference promises no coherence. An anonymous page must
 * be exclusive. Anything else (the zero page; page-cache pages once files
 * exist) is unshared for a long-term pin in a COW mapping, whose next write
 * would replace it; GUP-fast (@vma NULL) cannot tell and falls back.
 */
static bool gup_must_unshare_6_18(struct vm_area_struct *vma, unsigned int flags, struct page *page)
{
	if ((flags & (FOLL_WRITE | FOLL_PIN)) != FOLL_PIN)
		return false;
	if (!PageAnon(page)) {
		if (!(flags & FOLL_LONGTERM))
			return false;
		return !vma || is_cow_mapping(vma->vm_flags);
	}
	/* Pairs with fork clearing the bit inside write_protect_seq (GUP-fast). */
	smp_rmb();
	return !PageAnonExclusive(page);
}

/* 5.19: a lookup that must unshare faults with FAULT_FLAG_UNSHARE, never for write. */
static unsigned int faultin_page_fault_flags_6_18(unsigned int fault_flags, bool unshare)
{
	if (!unshare)
		return fault_flags;
	WARN_ON_ONCE(fault_flags & FAULT_FLAG_WRITE);
	return fault_flags | FAULT_FLAG_UNSHARE;
}

/* 6.0: no FOLL_COW; a forced write is recognised by the exclusive page itself. */
static unsigned int faultin_page_foll_flags_6_18(struct vm_area_struct *vma, vm_fault_t ret,
						 unsigned int foll_flags)
{
	(void)vma;
	(void)ret;
	return foll_flags;
}

/*
 * 5.19 (page_try_dup_anon_rmap, now folio_try_dup_anon_rmap_ptes/_pmd): a page
 * already shared stays shared. An exclusive page that may be pinned (in an mm
 * that has pinned) is copied for the child, so the pin keeps the parent's page;
 * any other exclusive page is shared and loses the bit, page by page. Fork
 * holds write_protect_seq, which GUP-fast rechecks after its grab.
 */
static bool page_needs_cow_for_dma_6_18(struct vm_area_struct *src_vma, struct page *page,
					int nr_pages)
{
	if (!PageAnonExclusive(page))
		return false;
	if (READ_ONCE(src_vma->vm_mm->has_pinned) && page_maybe_dma_pinned(page))
		return true;
	for (int i = 0; i < nr_pages; i++)
		ClearPageAnonExclusive(page + i);
	return false;
}

/* 5.19: a page mapped by one VMA only is exclusive, each subpage of a THP too. */
static void mark_new_anon_page_6_18(struct page *page, int nr_pages)
{
	for (int i = 0; i < nr_pages; i++)
		SetPageAnonExclusive(page + i);
}

/*
 * Flags only GUP itself sets. 6.5 ("mm/gup: explicitly define and check
 * internal GUP flags, disallow FOLL_TOUCH") lists FOLL_TOUCH, FOLL_TRIED,
 * FOLL_REMOTE, FOLL_PIN and FOLL_FAST_ONLY; FOLL_COW (gone in 6.0) and the
 * mlock/populate/NUMA flags 6.18 no longer has are libgup's own here.
 */
#define GUP_INTERNAL_FLAGS_6_18                                                                    \
	(FOLL_TOUCH | FOLL_TRIED | FOLL_REMOTE | FOLL_PIN | FOLL_FAST_ONLY | FOLL_COW |            \
	 FOLL_MLOCK | FOLL_POPULATE | FOLL_NUMA | FOLL_UNLOCKABLE | FOLL_MADV_POPULATE)

/*
 * 6.3 ("mm/gup: simplify the external interface functions and consolidate
 * invariants", is_valid_gup_args): every entry point refuses, with one warning
 * per rule, internal flags from its caller, FOLL_GET with FOLL_PIN,
 * FOLL_LONGTERM without FOLL_PIN, references without a page array, and a
 * @locked that is not 1.
 */
static bool is_valid_gup_args_6_18(struct page **pages, int *locked, unsigned int gup_flags,
				   unsigned int to_set)
{
	if (WARN_ON_ONCE(gup_flags & GUP_INTERNAL_FLAGS_6_18))
		return false;
	gup_flags |= to_set;
	if (locked && WARN_ON_ONCE(*locked != 1))
		return false;
	if (WARN_ON_ONCE((gup_flags & (FOLL_PIN | FOLL_GET)) == (FOLL_PIN | FOLL_GET)))
		return false;
	if (WARN_ON_ONCE(!(gup_flags & FOLL_PIN) && (gup_flags & FOLL_LONGTERM)))
		return false;
	return !WARN_ON_ONCE((gup_flags & (FOLL_GET | FOLL_PIN)) && !pages);
}

/*
 * 5.13 ("mm/gup: migrate pinned pages out of movable zone", and "mm: make
 * pin_user_pages() and friends use memalloc_pin_save()"): neither CMA nor
 * ZONE_MOVABLE may hold a long-term pin; the zero page is never migrated.
 */
static bool is_pinnable_page_6_18(struct page *page)
{
	enum zone_type zone = page_zonenum(page);
	unsigned long pfn = page_to_pfn(page);

	/*
	 * ZONE_NORMAL outside CMA is answered by is_pinnable_page() before this.
	 * folio_is_longterm_pinnable(): fsdax must stay evictable, coherent memory moves.
	 */
	if (zone == ZONE_DEVICE)
		return !is_fsdax_page(page) && !is_device_coherent_page(page);
	/* MIGRATE_CMA pageblocks of any zone. */
	if (zone_pfn_is_cma(&node_zones[zone], pfn))
		return false;
	/* The zero page is not movable. */
	return zone != ZONE_MOVABLE || is_zero_pfn(pfn);
}

/* Only GENERIC idles at 1 (free_zone_device_folio() sets it back); the rest at 0. */
static int devmap_idle_refcount_6_18(int type)
{
	return type == MEMORY_DEVICE_GENERIC ? 1 : 0;
}

/* GUP-fast pins what folio_is_longterm_pinnable() allows. */
static bool gup_fast_devmap_longterm_ok_6_18(struct page *page)
{
	return is_pinnable_page_6_18(page);
}

/*
 * 6.5 ("mm/gup: disallow FOLL_LONGTERM GUP-nonfast writing to file-backed
 * mappings"): a shared mapping of a file whose dirty pages the filesystem tracks
 * and writes back. shmem and hugetlb keep their pages in memory and track nothing.
 */
static bool vma_needs_dirty_tracking(const struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_SHARED) || !vma->vm_file || vma_is_shmem(vma) ||
	    is_vm_hugetlb_page(vma))
		return false;
	return mapping_accounts_dirty(vma->vm_file->f_mapping);
}

/*
 * 6.2 ("mm/gup: disallow FOLL_FORCE|FOLL_WRITE on hugetlb mappings"): a forced
 * write cannot break COW of a read-only hugetlb mapping. 6.5: a writable
 * long-term pin of a dirty-tracked file mapping would dirty pages behind the
 * filesystem's back (the fast path's half is gup_fast_folio_allowed_6_18()).
 */
static int check_vma_flags_6_18(struct vm_area_struct *vma, unsigned long gup_flags)
{
	if (!(gup_flags & FOLL_WRITE))
		return 0;
	if ((gup_flags & FOLL_LONGTERM) && !vma_is_anonymous(vma) && vma_needs_dirty_tracking(vma))
		return -EFAULT;
	if (!(vma->vm_flags & VM_WRITE) && (gup_flags & FOLL_FORCE) && is_vm_hugetlb_page(vma))
		return -EFAULT;
	return 0;
}

/*
 * 6.5 (same commit, folio_fast_pin_allowed()): GUP-fast takes a writable
 * long-term pin only of anonymous, shmem (both swap-backed) and hugetlb pages;
 * anything else falls back to the slow path, which can see the VMA.
 */
static bool gup_fast_folio_allowed_6_18(struct page *page, unsigned int flags)
{
	struct page *head = compound_head(page);

	if ((flags & (FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE)) !=
	    (FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE))
		return true;
	return PageSwapBacked(head) || PageHuge(head); /* anonymous pages answer first */
}

/* 5.13: what a long-term pin faults in comes from memory it may stay in. */
static gfp_t memalloc_pin_gfp_6_18(gfp_t gfp)
{
	return gfp & ~(gfp_t)(__GFP_MOVABLE | __GFP_CMA);
}

/*
 * Linux 6.18. A slot still pointing at a 5.11 function gives the same answer in
 * 6.18; docs/profiles.md has the table.
 */
/*
 * 5.19's can_change_pte_writable(): besides 5.11's dirty shared pages, a
 * private mapping's exclusive anonymous page is ours alone, so the write
 * fault that would only reuse it can be spared. NUMA hints keep their fault.
 */
static bool mprotect_may_make_writable_6_18(struct vm_area_struct *vma, unsigned long addr,
					    pte_t pte)
{
	struct page *page;

	if (pte_protnone(pte))
		return false;
	if (vma->vm_flags & VM_SHARED)
		return mprotect_may_make_writable_5_11(vma, addr, pte);
	page = vm_normal_page(vma, addr, pte);
	return page && PageAnon(page) && PageAnonExclusive(page);
}

const struct mm_profile profile_6_18 = {
	.id = SIM_PROFILE_6_18,
	.name = "6.18",
	.wp_can_reuse_anon_page = wp_can_reuse_anon_page_6_18,
	.wp_can_reuse_anon_thp = wp_can_reuse_anon_thp_6_18,
	.can_follow_write_pte = can_follow_write_pte_6_18,
	.can_follow_write_pmd = can_follow_write_pmd_6_18,
	.gup_must_unshare = gup_must_unshare_6_18,
	.faultin_page_fault_flags = faultin_page_fault_flags_6_18,
	.faultin_page_foll_flags = faultin_page_foll_flags_6_18,
	.page_needs_cow_for_dma = page_needs_cow_for_dma_6_18,
	.hugetlb_fork_copies_pinned = hugetlb_fork_copies_pinned_5_12,
	.mark_new_anon_page = mark_new_anon_page_6_18,
	.gup_vma_lookup = gup_vma_lookup_6_5,
	.check_vma_flags = check_vma_flags_6_18,
	.is_valid_gup_args = is_valid_gup_args_6_18,
	.gup_can_follow_protnone = gup_can_follow_protnone_6_6,
	.gup_fast_folio_allowed = gup_fast_folio_allowed_6_18,
	.pins_zero_page = false,
	.is_pinnable_page = is_pinnable_page_6_18,
	.memalloc_pin_gfp = memalloc_pin_gfp_6_18,
	.mremap_dontunmap_anon_only = false,
	.longterm_unmigrated_errno = -ENOMEM,
	.check_and_migrate_longterm = check_and_migrate_movable_pages,
	.later_foll_flags = LATER_FOLL_FLAGS,
	.calls = MM_CALL_MEMFD_SECRET | MM_CALL_MSEAL | MM_CALL_MEMFD_PIN_FOLIOS,
	.access_remote_expands_stack = true,
	.follow_page_refuses_pin = true,
	.longterm_pin_may_unlock = true,
	.mprotect_may_make_writable = mprotect_may_make_writable_6_18,
	.thp_mlock_needs_sole_pmd_map = false,
	.write_seal_allows_ro_shared_mmap = true,
	.memfd_seals_before_unmap = true,
	.memfd_exec_seals = true,
	.devmap_idle_refcount = devmap_idle_refcount_6_18,
	.devmap_pages_hold_pgmap = false,
	.devmap_has_coherent = true,
	.gup_fast_devmap_longterm_ok = gup_fast_devmap_longterm_ok_6_18,
	.devmap_pmd_is_folio = true,
	.gup_takes_pgmap = false,
	.dax_evict_defers_busy_blocks = true,
	.unmap_keeps_pinned_exclusive = true,
	.swap_pte_exclusive = true,
	.write_prefaults_chunk = false,
	.migration_entry_exclusive = true,
	.longterm_target_gfp = GFP_HIGHUSER | __GFP_NOWARN,
	.migrate_splits_partially_mapped_thp = true,
	.contig_range_moves_hugetlb = true,
};

/* Every known profile, indexed by enum sim_profile. */
static const struct mm_profile *const known_profiles[NR_SIM_PROFILES] = {
	[SIM_PROFILE_5_11] = &profile_5_11,
	[SIM_PROFILE_6_18] = &profile_6_18,
};

static const struct mm_profile *profile_by_id(enum sim_profile id)
{
	if ((unsigned int)id >= NR_SIM_PROFILES)
		return NULL;
	return known_profiles[id];
}

const char *sim_profile_name(enum sim_profile profile)
{
	const struct mm_profile *p = profile_by_id(profile);

	return p ? p->name : NULL;
}

int sim_profile_from_name(const char *name, enum sim_profile *profile)
{
	if (!name)
		return -EINVAL;
	for (unsigned int id = 0; id < NR_SIM_PROFILES; id++) {
		const struct mm_profile *p = known_profiles[id];

		if (p && !strcmp(p->name, name)) {
			*profile = p->id;
			return 0;
		}
	}
	return -EINVAL;
}

const char *sim_profile_names(void)
{
	static char names[64];

	if (!names[0]) {
		size_t len = 0;

		for (unsigned int id = 0; id < NR_SIM_PROFILES; id++)
			if (known_profiles[id])
				len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
							len ? ", " : "", known_profiles[id]->name);
	}
	return names;
}

bool sim_pin_is_counted(struct page *page)
{
	return !is_uncounted_pin(page, FOLL_PIN);
}

enum sim_profile sim_current_profile(void)
{
	return sim_running() ? mm_profile->id : SIM_PROFILE_DEFAULT;
}

const struct mm_profile *mm_profile_select(enum sim_profile cfg_profile)
{
	const char *env = getenv("GUP_PROFILE");
	enum sim_profile id = SIM_PROFILE_5_11;

	if (cfg_profile != SIM_PROFILE_DEFAULT) {
		if (!profile_by_id(cfg_profile)) {
			fprintf(stderr,
				"libgup: unknown profile %d in sim_config.profile (known: %s)\n",
				(int)cfg_profile, sim_profile_names());
			return NULL;
		}
		id = cfg_profile;
	} else if (env && *env && sim_profile_from_name(env, &id)) {
		fprintf(stderr, "libgup: unknown profile GUP_PROFILE=%s (known: %s)\n", env,
			sim_profile_names());
		return NULL;
	}
	return profile_by_id(id);
}

bool profile_is_valid(const struct mm_profile *p, FILE *out)
{
	bool ok = p && p->name && p->wp_can_reuse_anon_page && p->wp_can_reuse_anon_thp &&
		  p->can_follow_write_pte && p->can_follow_write_pmd && p->gup_must_unshare &&
		  p->faultin_page_fault_flags && p->faultin_page_foll_flags &&
		  p->page_needs_cow_for_dma && p->hugetlb_fork_copies_pinned &&
		  p->mark_new_anon_page && p->gup_vma_lookup && p->check_vma_flags &&
		  p->is_valid_gup_args && p->is_pinnable_page && p->memalloc_pin_gfp &&
		  p->gup_can_follow_protnone && p->gup_fast_folio_allowed &&
		  p->longterm_unmigrated_errno <= 0 && p->check_and_migrate_longterm &&
		  p->mprotect_may_make_writable && p->devmap_idle_refcount &&
		  p->gup_fast_devmap_longterm_ok && p->longterm_target_gfp &&
		  profile_by_id(p->id) == p;

	if (!ok && out)
		fprintf(out, "profile %s: a decision is unset or the id does not name it\n",
			p && p->name ? p->name : "(null)");
	return ok;
}
