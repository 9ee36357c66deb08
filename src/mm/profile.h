/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Semantics profiles: every decision where Linux 5.11 and later kernels differ,
 * as one ops table chosen at boot, and the kernel-named inlines call sites use.
 */
#ifndef GUP_MM_PROFILE_H
#define GUP_MM_PROFILE_H

#include <libgup.h>
#include <stdio.h>

/*
 * One kernel's answers. Every pointer is set (profile_is_valid() checks); a
 * profile that keeps 5.11's answer for a slot points at the 5.11 function.
 * docs/design.md ("Semantics profiles") has the table with the later commits.
 */
struct mm_profile {
	enum sim_profile id;
	const char *name; /* as GUP_PROFILE spells it */

	/*
	 * do_wp_page(): may a write fault make the read-only PTE of this anonymous
	 * page writable in place? PTE lock held. 5.11: only if nobody else holds a
	 * reference (page_count 1, mapcount 1, under the page lock; since 5.9).
	 * 5.19: if the page is PageAnonExclusive, else by the folio's refcount; a
	 * subpage of a large folio only if exclusive. 6.15: a PTE-mapped THP too,
	 * when its references are all mappings and all of them are this fault's.
	 */
	bool (*wp_can_reuse_anon_page)(struct vm_fault *vmf, struct page *page);

	/*
	 * wp_huge_pmd(): may a write fault make the read-only huge pmd of the THP
	 * @head writable in place (else the pmd is split and the PTE fault copies)?
	 * 5.11: only if every subpage is mapped exactly once (reuse_swap_page()).
	 * 5.19: if the page is PageAnonExclusive.
	 */
	bool (*wp_can_reuse_anon_thp)(struct vm_area_struct *vma, struct page *head);

	/*
	 * follow_page_pte(): may a FOLL_WRITE lookup use @pte (mapping @page, NULL
	 * without a struct page)? 5.11: writable, or FOLL_FORCE|FOLL_COW on a dirty
	 * PTE (the Dirty COW fix). 6.0: FOLL_COW is gone; a forced write takes a
	 * read-only PTE only of an exclusive anonymous page in a private mapping.
	 */
	bool (*can_follow_write_pte)(pte_t pte, struct page *page, struct vm_area_struct *vma,
				     unsigned int flags);
	/* follow_trans_huge_pmd(): the same question for a huge pmd (same versions). */
	bool (*can_follow_write_pmd)(pmd_t pmd, struct page *page, struct vm_area_struct *vma,
				     unsigned int flags);

	/*
	 * follow_page_pte() and GUP-fast on a read-only PTE: must this R/O lookup
	 * unshare @page first (fault with FAULT_FLAG_UNSHARE)? @vma is NULL in
	 * GUP-fast. 5.11: never. 5.19: a R/O FOLL_PIN of a non-exclusive anonymous
	 * page; 6.2: also a R/O long-term pin of anything in a COW mapping.
	 */
	bool (*gup_must_unshare)(struct vm_area_struct *vma, unsigned int flags, struct page *page);

	/*
	 * faultin_page(): the FAULT_FLAG_* to ask handle_mm_fault() for, given the
	 * ones the FOLL_* flags gave and whether the lookup asked to unshare.
	 * 5.11: the flags unchanged (nothing ever asks to unshare). 5.19:
	 * FAULT_FLAG_UNSHARE when @unshare.
	 */
	unsigned int (*faultin_page_fault_flags)(unsigned int fault_flags, bool unshare);

	/*
	 * faultin_page(), after a successful fault: the FOLL_* flags the next lookup
	 * of this page uses. 5.11: add FOLL_COW when a write fault broke COW in a
	 * VMA without VM_WRITE (a forced write), so the read-only PTE is accepted.
	 * 6.0: unchanged, there is no FOLL_COW.
	 */
	unsigned int (*faultin_page_foll_flags)(struct vm_area_struct *vma, vm_fault_t ret,
						unsigned int foll_flags);

	/*
	 * copy_one_pte() and copy_huge_pmd() (fork) on an anonymous page of a COW
	 * mapping, the @nr_pages pages from @page (1, or a THP's HPAGE_PMD_NR from
	 * its head): copy it for the child now (true) instead of sharing it
	 * write-protected (false)? 5.11: copy if the mm has had pins and
	 * page_maybe_dma_pinned(). 5.19 (page_try_dup_anon_rmap): a page that is
	 * not PageAnonExclusive is shared as it is; an exclusive one is copied if
	 * maybe pinned, else shared, which clears PageAnonExclusive on every page
	 * of the range. Source PTE (or pmd) lock held.
	 */
	bool (*page_needs_cow_for_dma)(struct vm_area_struct *src_vma, struct page *page,
				       int nr_pages);

	/*
	 * copy_hugetlb_page_range() (fork) on a private hugetlb page: give the child
	 * its own copy now (true) instead of sharing it write-protected? 5.11: never,
	 * pinned or not. 5.12 ("hugetlb: do early cow when page pinned on src mm"):
	 * when it may be DMA-pinned, as page_needs_cow_for_dma() decides.
	 */
	bool (*hugetlb_fork_copies_pinned)(struct vm_area_struct *src_vma, struct page *head);

	/*
	 * page_add_new_anon_rmap(): mark the @nr_pages pages from @page newly
	 * mapped into one VMA only (an anonymous fault, a COW copy, fork's early
	 * copy; a THP marks every subpage). 5.11: nothing to mark. 5.19:
	 * SetPageAnonExclusive.
	 */
	void (*mark_new_anon_page)(struct page *page, int nr_pages);

	/*
	 * The VMA GUP and fixup_user_fault() use for @addr, or NULL. 5.11:
	 * find_extend_vma(), growing a VM_GROWSDOWN stack down to @addr. 6.5: no
	 * growing (vma_lookup, with a warning just below a stack).
	 */
	struct vm_area_struct *(*gup_vma_lookup)(struct mm_struct *mm, unsigned long addr);

	/*
	 * check_vma_flags(), after the checks every profile makes: 0 or the errno
	 * a later kernel refuses @vma with. 5.11: 0. 5.14 secretmem, 6.2
	 * FOLL_FORCE|FOLL_WRITE on hugetlb, 6.5 writable long-term pins of files
	 * that need dirty tracking.
	 */
	int (*check_vma_flags)(struct vm_area_struct *vma, unsigned long gup_flags);

	/*
	 * The entry points' argument check, made first, before the ones every
	 * profile makes (FOLL_GET to pin_*, FOLL_PIN to get_*, GUP-fast's flag
	 * mask): may a call with the caller's @gup_flags, @pages and @locked go
	 * on? @to_set is what the entry point adds (FOLL_PIN, FOLL_FAST_ONLY,
	 * FOLL_TOUCH, ...), which names the entry. 5.11: yes. 6.3
	 * (is_valid_gup_args): internal flags, FOLL_PIN with FOLL_GET, FOLL_LONGTERM
	 * without FOLL_PIN and GET/PIN without pages warn and give -EINVAL.
	 */
	bool (*is_valid_gup_args)(struct page **pages, int *locked, unsigned int gup_flags,
				  unsigned int to_set);

	/*
	 * follow_page_pte() on a PROT_NONE NUMA-hinting PTE: use it as it is
	 * (true) or fault first (false)? 5.11: fault when __get_user_pages() set
	 * FOLL_NUMA (every access but a forced one). 6.6: follow it unless the
	 * caller passed FOLL_HONOR_NUMA_FAULT. GUP-fast falls back in both.
	 */
	bool (*gup_can_follow_protnone)(struct vm_area_struct *vma, unsigned int flags);

	/*
	 * GUP-fast, after the speculative grab: may the lockless walk keep @page
	 * for @flags, or must the slow path take it? 5.11: always may. 6.5: a
	 * writable long-term pin only of anonymous, shmem or hugetlb pages.
	 */
	bool (*gup_fast_folio_allowed)(struct page *page, unsigned int flags);

	/*
	 * Does a FOLL_PIN of the zero page count (refcount, pincount, the
	 * nr_foll_pin_* counters, and the matching unpin)? 5.11: yes, like any page.
	 * 6.5: no, pinning and unpinning it changes nothing.
	 */
	bool pins_zero_page;

	/*
	 * May a FOLL_LONGTERM pin stay on @page, or must it be migrated first (and
	 * GUP-fast fall back)? 5.11: not in CMA. 5.13: neither in ZONE_MOVABLE nor
	 * in CMA (the zero page always may).
	 */
	bool (*is_pinnable_page)(struct page *page);

	/*
	 * The gfp of an allocation made while a FOLL_LONGTERM GUP runs (between
	 * memalloc_pin_save() and memalloc_pin_restore()), so faults do not put
	 * the pages to be pinned where they would have to migrate. 5.11
	 * (memalloc_nocma_save): keep out of CMA only: clear __GFP_CMA.
	 * 5.13: clear __GFP_MOVABLE.
	 */
	gfp_t (*memalloc_pin_gfp)(gfp_t gfp);

	/*
	 * mremap(MREMAP_DONTUNMAP): only of a private anonymous VMA (true), or of
	 * any VMA but a VM_DONTEXPAND / VM_PFNMAP one (false)? 5.11: the 5.7 rule,
	 * private anonymous only. 5.13: any mapping.
	 */
	bool mremap_dontunmap_anon_only;

	/*
	 * check_and_migrate_movable_pages(), when pages is_pinnable_page() refused
	 * could not be migrated (always, until migration exists): 0 keeps every
	 * pin (5.11 gets the pages again without migrating), else the -errno the
	 * whole call fails with after every pin is dropped (6.18,
	 * migrate_longterm_unpinnable_folios(): -ENOMEM).
	 */
	int longterm_unmigrated_errno;

	/*
	 * __gup_longterm_locked(), after the pages are taken: move the ones a
	 * long-term pin may not keep and take the range again. 5.11:
	 * check_and_migrate_cma_pages() (CMA only; a failed migration keeps the
	 * pins where they are). 5.13 on: check_and_migrate_movable_pages() (CMA
	 * and ZONE_MOVABLE; a failure drops every pin and fails the call; -EAGAIN
	 * asks the caller to take the range again). Both in gup.c.
	 */
	long (*check_and_migrate_longterm)(struct mm_struct *mm, unsigned long start,
					   unsigned long nr_pages, struct page **pages,
					   struct vm_area_struct **vmas, unsigned int gup_flags);

	/*
	 * The FOLL_* bits added after 5.11 that this kernel gives meaning
	 * (LATER_FOLL_FLAGS: FOLL_NOFAULT 5.16, FOLL_UNLOCKABLE 6.3,
	 * FOLL_HONOR_NUMA_FAULT 6.6, FOLL_MADV_POPULATE 6.9). 5.11: none, so such
	 * a bit is ignored as 5.11 ignores any unknown bit.
	 */
	unsigned int later_foll_flags;

	/*
	 * The calls this kernel has of those that differ (MM_CALL_*): 5.11 has
	 * pin_user_pages_fast_only() only; 6.18 has memfd_secret (5.14), mseal
	 * (6.10) and memfd_pin_folios() (6.11) and no pin_user_pages_fast_only() (gone by 6.18).
	 */
	unsigned int calls;

	/*
	 * Does __access_remote_vm() grow a VM_GROWSDOWN stack itself, under the
	 * mmap_lock taken for write (expand_stack())? 5.11: no, GUP's lookup grows
	 * it. 6.5: yes, as GUP no longer does; process_vm_readv/writev do not.
	 */
	bool access_remote_expands_stack;

	/*
	 * follow_page() with FOLL_PIN: 5.11 takes the pin like any GUP (nobody
	 * does). 5.19 ("mm/gup: disallow follow_page(FOLL_PIN)"): a warning and
	 * NULL, since a pin must go through the unsharing logic of the real walk.
	 */
	bool follow_page_refuses_pin;

	/*
	 * May a FOLL_LONGTERM pin be taken with a droppable mmap_lock (@locked of
	 * pin_user_pages_remote(), pin_user_pages_unlocked())? 5.11: no, -EINVAL
	 * with a warning (the DAX check needed the VMAs). 6.3 ("mm/gup: remove the
	 * restriction on locked with FOLL_LONGTERM"): yes.
	 */
	bool longterm_pin_may_unlock;

	/*
	 * change_pte_range(): may mprotect() make the present, read-only @pte of a
	 * VM_WRITE @vma writable at once, sparing the write fault? 5.11: only a
	 * dirty PTE of a shared mapping that tracks dirtying (dirty_accountable).
	 * 5.19 ("mm/mprotect: try avoiding write faults for exclusive anonymous
	 * pages when changing protection"): also a PageAnonExclusive page of a
	 * private mapping.
	 */
	bool (*mprotect_may_make_writable)(struct vm_area_struct *vma, unsigned long addr,
					   pte_t pte);

	/*
	 * Does FOLL_MLOCK mlock a pmd-mapped anonymous THP only when that pmd is its
	 * one mapping? 5.11 (follow_trans_huge_pmd): yes, it skips a THP fork shares
	 * (compound mapcount not 1) or one also PTE-mapped (PageDoubleMap). 6.18
	 * (mlock_pte_range): no, a huge pmd in a VM_LOCKED VMA mlocks its folio.
	 */
	bool thp_mlock_needs_sole_pmd_map;

	/*
	 * May a write-sealed memfd (F_SEAL_WRITE) be mapped MAP_SHARED read-only?
	 * 5.11: no, mmap_region() counts every VM_SHARED mapping as writable
	 * before the file's mmap runs, so the deny count refuses it (-EPERM). 6.7
	 * ("mm: perform the mapping_map_writable() check after call_mmap()",
	 * "mm: update memfd seal write check to include F_SEAL_WRITE"): yes, the
	 * seal clears VM_MAYWRITE (mprotect to writable is then -EACCES) and only
	 * VM_SHARED|VM_MAYWRITE mappings count.
	 */
	bool write_seal_allows_ro_shared_mmap;

	/*
	 * Are a memfd's write seals checked in do_mmap(), before MAP_FIXED unmaps
	 * the range? 5.11: no, shmem_mmap() and mapping_map_writable() refuse the
	 * mapping in mmap_region(), after the old one went: a hole is left. 6.13
	 * ("mm: reinstate ability to map write-sealed memfd mappings read-only"):
	 * yes, memfd_check_seals_mmap() in do_mmap(); the old mapping stays.
	 */
	bool memfd_seals_before_unmap;

	/*
	 * Does memfd know exec sealing? 5.11: no (MFD_EXEC, MFD_NOEXEC_SEAL and
	 * F_SEAL_EXEC are -EINVAL). 6.3 ("mm/memfd: add F_SEAL_EXEC", "mm/memfd:
	 * add MFD_NOEXEC_SEAL and MFD_EXEC"): yes; MFD_NOEXEC_SEAL makes a
	 * sealable file sealed F_SEAL_EXEC, and F_SEAL_EXEC on an executable one
	 * brings the shrink, grow, write and future-write seals with it.
	 */
	bool memfd_exec_seals;

	/*
	 * ZONE_DEVICE (memremap.c): the refcount a device page of @type (enum
	 * memory_type) rests at while nobody uses it, where the device's free
	 * callback runs. 5.11: 1 for every type (put_devmap_managed_page()). 6.x
	 * ("mm: remove the extra ZONE_DEVICE struct page refcount", 5.19; fsdax
	 * refcounted as other pages, 6.15): 0, but 1 for GENERIC.
	 */
	int (*devmap_idle_refcount)(int type);

	/*
	 * Does each device page hold a pgmap reference from memremap_pages() until
	 * its refcount reaches 0 (5.11: memunmap_pages() put_page()s every page and
	 * waits for them)? 6.x: no; memremap_pages() takes the range's references in
	 * bulk, and PRIVATE and COHERENT pages one each while a driver hands them out.
	 */
	bool devmap_pages_hold_pgmap;

	/* Is there MEMORY_DEVICE_COHERENT (6.0)? 5.11: no. */
	bool devmap_has_coherent;

	/*
	 * GUP-fast meets a devmap entry under FOLL_LONGTERM: may it pin @page there
	 * (else the slow path decides)? 5.11: never. 6.x: as
	 * folio_is_longterm_pinnable(): not fsdax, not device-coherent.
	 */
	bool (*gup_fast_devmap_longterm_ok)(struct page *page);

	/*
	 * Is a device-dax range of 2 MiB or 1 GiB alignment made of compound pages,
	 * one folio per devmap pmd or pud, its refcount on the head? 5.11: no, every
	 * device page is order 0 and __gup_device_huge() references each. 6.x: yes
	 * ("mm/memremap: add ZONE_DEVICE support for compound pages", 5.17, and
	 * "device-dax: compound devmap support"; "mm: allow compound zone device
	 * pages", 6.15): GUP-fast grabs such a leaf's folio once.
	 */
	bool devmap_pmd_is_folio;

	/*
	 * Does GUP look up a device page's dev_pagemap and hold it while it takes the
	 * page reference, at every level (follow_page_pte(), follow_devmap_pmd/pud(),
	 * GUP-fast's devmap PTEs and leaves)? 5.11: yes; a pgmap being torn down is
	 * found killed, GUP-fast undoes its range and the slow walk gives -EFAULT.
	 * 6.17 ("mm/gup: remove pXX_devmap usage from get_user_pages()", in the
	 * series ending with "mm: remove devmap related functions and page table
	 * bits"): no; device pages are refcounted folios (6.15) grabbed as any
	 * other, and keeping mapped pages alive is the driver's job (it zaps its
	 * mappings before memunmap_pages()), so GUP never asks whether the pgmap
	 * is killed, and memunmap_pages() waits a grace period for a lockless
	 * walker that grabbed late.
	 */
	bool gup_takes_pgmap;
	/*
	 * When an fsdax inode is evicted while a page of it is still referenced (a
	 * pin that outlived the mapping), do its blocks stay allocated until every
	 * page is idle, so no other file is given them meanwhile? 5.11: no; eviction
	 * frees them at once and a new file may reuse a pinned block. 6.15 (the series
	 * "fs/dax: Fix ZONE_DEVICE page reference counts": file systems call
	 * dax_break_layout_final() at eviction) waits for the pages to go idle before
	 * the blocks are freed; a machine that cannot sleep there defers the free to
	 * the last put instead (dax_page_idle()).
	 */
	bool dax_evict_defers_busy_blocks;
	/*
	 * Does reclaim's try_to_unmap() keep the PTE of an exclusive anonymous page
	 * that may be pinned? 5.11: no; only a page not yet in the swap cache is
	 * spared ("mm: don't put pinned pages into the swap cache", in both
	 * profiles), so a pinned swap-cache page is unmapped and comes back through
	 * the cache. 5.19 on ("mm: remember exclusively mapped anonymous pages
	 * with PG_anon_exclusive": page_try_share_anon_rmap; 6.18's
	 * folio_try_share_anon_rmap_pte): yes, the unmap fails and the page stays.
	 */
	bool unmap_keeps_pinned_exclusive;

	/*
	 * Which swap-in may map its page exclusive (do_swap_page)? 5.11
	 * (reuse_swap_page): the one finding no other mapping and no other swap PTE
	 * of the slot, whatever else holds the page. 5.19 on ("mm/swap: remember
	 * PG_anon_exclusive via a swp pte bit"): the one whose swap PTE carries the
	 * exclusive mark that the unmap of an exclusive page left and fork cleared.
	 */
	bool swap_pte_exclusive;

	/*
	 * generic_perform_write(): are a chunk's user bytes faulted in before the
	 * mapping's write_begin? 5.11: yes, all of them (fault_in_pages_readable):
	 * a chunk not readable whole is -EFAULT before any check of the mapping
	 * (a seal), none of it written. 6.14 ("filemap: move prefaulting out of hot
	 * write path", after 5.16's partial fault_in_iov_iter_readable): no,
	 * write_begin decides first (-EPERM under a seal); a short copy writes
	 * what it got, and only a chunk of which nothing is readable is -EFAULT.
	 */
	bool write_prefaults_chunk;

	/*
	 * Does a migration entry remember that its anonymous page was mapped
	 * exclusively (try_to_unmap_one(), set_pmd_migration_entry(): the page's
	 * PageAnonExclusive moves into the entry, and the remap gives it to the
	 * new page)? 5.11: there is no such mark; read and write entries only.
	 * 5.19 on ("mm: remember exclusively mapped anonymous pages with
	 * PG_anon_exclusive"): yes, a write entry or a readable-exclusive one;
	 * fork turns both into plain read entries, mprotect a write entry of an
	 * anonymous page into a readable-exclusive one.
	 */
	bool migration_entry_exclusive;

	/*
	 * The gfp of a long-term pin's migration target, named by the target itself
	 * (alloc_migration_target()'s mtc.gfp_mask) so that it never lands where the
	 * pin may not stay, whatever the calling context. 5.11: movable but never
	 * CMA (the kernel got that from memalloc_nocma_save() around the pass).
	 * 5.13 on ("mm/gup: migrate pinned pages out of movable zone"; 6.18's
	 * migrate_longterm_unpinnable_folios(): GFP_USER | __GFP_NOWARN): neither
	 * CMA nor ZONE_MOVABLE.
	 */
	gfp_t longterm_target_gfp;

	/*
	 * migrate_pages() on an anonymous THP that is partially mapped (some
	 * subpages mapped, others by nothing, no pmd: thp_partially_mapped()):
	 * split it first and move the pieces (the unmapped ones are freed)? 5.11:
	 * no, it moves whole like any THP, its unmapped subpages copied too. 6.10
	 * ("mm/migrate: split source folio if it is on deferred split list"; 6.12,
	 * "mm: introduce a pageflag for partially mapped folios", narrows it to
	 * partially mapped ones): yes; one that cannot split (pinned) goes on to
	 * move whole.
	 */
	bool migrate_splits_partially_mapped_thp;

	/*
	 * Does alloc_contig_range() (cma_alloc()) empty a range of hugetlb pages?
	 * 5.11: no, they are not on the LRU and its isolation skips them (the range
	 * stays busy). 5.13 on ("mm: make alloc_contig_range handle in-use hugetlb
	 * pages", "mm: make alloc_contig_range handle free hugetlb pages";
	 * isolate_or_dissolve_huge_page()): in-use 2 MiB pages migrate out and free
	 * ones are replaced by fresh pages outside; gigantic pages stay. Offlining
	 * moves them in both (do_migrate_range()).
	 */
	bool contig_range_moves_hugetlb;
};

#define LATER_FOLL_FLAGS                                                                           \
	(FOLL_NOFAULT | FOLL_UNLOCKABLE | FOLL_HONOR_NUMA_FAULT | FOLL_MADV_POPULATE)

#define MM_CALL_PIN_USER_PAGES_FAST_ONLY 0x1
#define MM_CALL_MEMFD_SECRET 0x2
#define MM_CALL_MSEAL 0x4
#define MM_CALL_MEMFD_PIN_FOLIOS 0x8 /* 6.11 */

extern const struct mm_profile profile_5_11;
extern const struct mm_profile profile_6_18;

/* The running machine's profile; &profile_5_11 outside sim_boot()..sim_shutdown(). */
extern const struct mm_profile *mm_profile;

/* Resolve @cfg_profile (and GUP_PROFILE) for sim_boot(). Return: the table or NULL. */
const struct mm_profile *mm_profile_select(enum sim_profile cfg_profile);

/* Validity checker: every slot of @profile set. Returns true or prints why not. */
bool profile_is_valid(const struct mm_profile *profile, FILE *out);

/* --- call sites read as the kernel does --------------------------------- */

static inline bool wp_can_reuse_anon_page(struct vm_fault *vmf, struct page *page)
{
	return mm_profile->wp_can_reuse_anon_page(vmf, page);
}

static inline bool wp_can_reuse_anon_thp(struct vm_area_struct *vma, struct page *head)
{
	return mm_profile->wp_can_reuse_anon_thp(vma, head);
}

static inline bool can_follow_write_pte(pte_t pte, struct page *page, struct vm_area_struct *vma,
					unsigned int flags)
{
	return mm_profile->can_follow_write_pte(pte, page, vma, flags);
}

static inline bool can_follow_write_pmd(pmd_t pmd, struct page *page, struct vm_area_struct *vma,
					unsigned int flags)
{
	return mm_profile->can_follow_write_pmd(pmd, page, vma, flags);
}

static inline bool gup_must_unshare(struct vm_area_struct *vma, unsigned int flags,
				    struct page *page)
{
	return mm_profile->gup_must_unshare(vma, flags, page);
}

static inline bool page_needs_cow_for_dma(struct vm_area_struct *src_vma, struct page *page,
					  int nr_pages)
{
	return mm_profile->page_needs_cow_for_dma(src_vma, page, nr_pages);
}

static inline bool hugetlb_fork_copies_pinned(struct vm_area_struct *src_vma, struct page *head)
{
	return mm_profile->hugetlb_fork_copies_pinned(src_vma, head);
}

static inline void mark_new_anon_page(struct page *page, int nr_pages)
{
	mm_profile->mark_new_anon_page(page, nr_pages);
}

static inline struct vm_area_struct *gup_vma_lookup(struct mm_struct *mm, unsigned long addr)
{
	return mm_profile->gup_vma_lookup(mm, addr);
}

static inline bool is_valid_gup_args(struct page **pages, int *locked, unsigned int gup_flags,
				     unsigned int to_set)
{
	return mm_profile->is_valid_gup_args(pages, locked, gup_flags, to_set);
}

static inline bool gup_can_follow_protnone(struct vm_area_struct *vma, unsigned int flags)
{
	return mm_profile->gup_can_follow_protnone(vma, flags);
}

static inline bool gup_fast_folio_allowed(struct page *page, unsigned int flags)
{
	return mm_profile->gup_fast_folio_allowed(page, flags);
}

/* A FOLL_PIN grab or unpin of @page that the profile does not count (6.5's zero page). */
static inline bool is_uncounted_pin(struct page *page, unsigned int flags)
{
	return (flags & FOLL_PIN) && !mm_profile->pins_zero_page && is_zero_pfn(page_to_pfn(page));
}

/* Does the running kernel have the call @call (MM_CALL_*)? */
static inline bool mm_has_call(unsigned int call)
{
	return mm_profile->calls & call;
}

/*
 * Is the later flag @flag (one of LATER_FOLL_FLAGS) set in @flags and known to
 * the running kernel? A bit the kernel does not know means nothing.
 */
static inline bool foll_later_flag(unsigned int flags, unsigned int flag)
{
	return flags & flag & mm_profile->later_foll_flags;
}

/*
 * Every profile lets a long-term pin stay on a ZONE_NORMAL page outside CMA, the
 * common case GUP-fast asks about for each page: answered here from the pfn with
 * one compare (the zone is one pfn range, its CMA area at the top), without the
 * page's flags or the profile's call; any other page goes to the profile.
 */
static inline bool is_pinnable_page(struct page *page)
{
	const struct zone *normal = &node_zones[ZONE_NORMAL];

	if (likely(page_to_pfn(page) - normal->zone_start_pfn < normal->below_cma_pages)) {
		VM_BUG_ON_PAGE(page_zonenum(page) != ZONE_NORMAL || is_migrate_cma_page(page),
			       page);
		return true;
	}
	return mm_profile->is_pinnable_page(page);
}

/* Inside a FOLL_LONGTERM GUP on this thread (the kernel's PF_MEMALLOC_PIN). */
extern __thread unsigned int memalloc_pin_depth;

static inline unsigned int memalloc_pin_save(void)
{
	return memalloc_pin_depth++;
}

static inline void memalloc_pin_restore(unsigned int depth)
{
	memalloc_pin_depth = depth;
}

/* The gfp an allocation really uses in the current allocation context. */
static inline gfp_t current_gfp_context(gfp_t gfp)
{
	return memalloc_pin_depth ? mm_profile->memalloc_pin_gfp(gfp) : gfp;
}

#endif /* GUP_MM_PROFILE_H */
