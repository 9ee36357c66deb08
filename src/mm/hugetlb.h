/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hugetlb: the boot-time pools of 2 MiB and 1 GiB pages (struct hstate), the
 * hugetlbfs-like object behind MAP_HUGETLB, and the fault, fork, zap, mprotect and
 * GUP entry points the rest of src/mm calls for VM_HUGETLB VMAs, and the hugetlb side
 * of page migration (hugetlb.c).
 */
#ifndef GUP_MM_HUGETLB_H
#define GUP_MM_HUGETLB_H

#include <libgup.h>
#include <stdio.h>

#define HUGETLB_PAGE_DTOR 2 /* compound_dtor of a pool page, as the kernel's */
#define HUGETLB_1G_ORDER (PUD_SHIFT - PAGE_SHIFT)

/* One pool per huge page size, as the kernel's struct hstate. */
struct hstate {
	unsigned int order;
	const char *name; /* "hugepages-2048kB" */
	struct list_head
		free_lists[MAX_NR_ZONES]; /* free pool pages, by zone (the kernel's nodes) */
	struct list_head active_list;	  /* pages in use and not isolated */
	struct page **pages;		  /* every page of the pool, for the checker */
	unsigned long nr_huge_pages;	  /* the pool: fixed at boot */
	unsigned long free_huge_pages;
	unsigned long resv_huge_pages; /* free pages promised to mappings */
	/* 2 MiB migration targets from the buddy allocator, not counted in the pool */
	unsigned long temporary_huge_pages;
};

enum hstate_index { HSTATE_2M, HSTATE_1G, HUGE_MAX_HSTATE };

static inline unsigned long huge_page_size(const struct hstate *h)
{
	return PAGE_SIZE << h->order;
}

static inline unsigned long huge_page_mask(const struct hstate *h)
{
	return ~(huge_page_size(h) - 1);
}

static inline unsigned long pages_per_huge_page(const struct hstate *h)
{
	return 1UL << h->order;
}

static inline bool is_vm_hugetlb_page(const struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_HUGETLB;
}

/* A page of a hugetlb pool (any of its subpages). */
static inline bool PageHuge(struct page *page)
{
	struct page *head = compound_head(page);

	return PageHead(head) && head[1].compound_dtor == HUGETLB_PAGE_DTOR;
}

/* The pool of @vma's page size. */
struct hstate *hstate_vma(struct vm_area_struct *vma);

/* --- boot and shutdown (called from src/sim/machine.c) --- */

/*
 * Where the 1 GiB pool of @nr_1g pages is carved from ZONE_NORMAL's @normal_pages
 * (the top aligned gigabytes). Return: 0 with *@start set (*@start == @normal_pages
 * when @nr_1g is 0), or -EINVAL with a line on stderr when they do not fit.
 */
int hugetlb_gigantic_range(unsigned long nr_1g, unsigned long normal_pages, unsigned long *start);
/*
 * Set up both pools: the 1 GiB pages at [@gigantic_start, +@nr_1g GiB) (not given to
 * the buddy allocator) and @nr_2m pages of order 9 taken from it. Fewer 2 MiB pages
 * than asked for is not an error (the kernel's nr_hugepages answer): a line on
 * stderr unless @quiet.
 */
void hugetlb_init_pools(unsigned long nr_2m, unsigned long gigantic_start, unsigned long nr_1g,
			bool quiet);
/* Give the free pool pages back to the allocator; pages still in use stay (leaks). */
void hugetlb_release_pools(void);
/* Pool pages handed out and not yet back: the leak report's count. */
unsigned long hugetlb_pages_in_use(void);

/* --- mmap --- */

/*
 * The hstate MAP_HUGETLB's size bits (MAP_HUGE_2MB, MAP_HUGE_1GB, 0 for the default
 * 2 MiB) select. Return: the hstate, or NULL for any other size.
 */
struct hstate *hstate_from_mmap_flags(unsigned long flags);
/*
 * The hugetlbfs-like object behind one MAP_HUGETLB mapping of @len bytes (a multiple
 * of the huge page size): it reserves one pool page per huge page unless
 * @noreserve; a private one's reservations serve the faults of @owner only.
 * Return: the file, ERR_PTR-style -ENOMEM when the pool cannot cover the
 * reservation or memory ran out.
 */
struct file *hugetlb_file_setup(struct hstate *h, unsigned long len, bool shared, bool noreserve,
				struct mm_struct *owner);
extern const struct vm_operations_struct hugetlb_vm_ops;
/**
 * hugetlb_memfd_setup() - the file of memfd_create(MFD_HUGETLB): an empty, unlinked
 * hugetlbfs file whose huge pages are of 2^@size_log bytes (0: the default, 2 MiB),
 * sealed with F_SEAL_SEAL (the caller clears it for MFD_ALLOW_SEALING).
 * @err: out: the errno when NULL is returned.
 *
 * Return: the file; NULL with -ENODEV for a size no pool has (hugetlb_file_setup()'s
 * answer), -ENOMEM when memory ran out.
 */
struct file *hugetlb_memfd_setup(unsigned int size_log, int *err);
/* Is @file a hugetlbfs memfd? */
bool hugetlb_memfd_file(const struct file *file);
/* The hstate of a hugetlbfs memfd, or NULL for any other file. */
struct hstate *hugetlb_memfd_hstate(const struct file *file);
/* A VMA may only be cut at a huge page boundary: 0 or -EINVAL (vm_ops->split). */
int hugetlb_split_ok(struct vm_area_struct *vma, unsigned long addr);

/* --- the memory manager's hugetlb paths --- */

vm_fault_t hugetlb_fault(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address,
			 unsigned int flags);
int copy_hugetlb_page_range(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma);
void __unmap_hugepage_range(struct vm_area_struct *vma, unsigned long start, unsigned long end);
unsigned long hugetlb_change_protection(struct vm_area_struct *vma, unsigned long start,
					unsigned long end, pgprot_t newprot);
/*
 * GUP's slow path over a hugetlb VMA (5.11 follow_hugetlb_page()): from *@position,
 * up to *@nr_pages pages, storing into @pages/@vmas from index @i. Return: the new
 * index; *@position and *@nr_pages are advanced (*@nr_pages is 0 when the walk
 * stopped early); *@err is what to fail with if nothing was done: a fault's errno,
 * -ENOMEM, -EFAULT (a fatal signal, a FOLL_DUMP hole), 0 after a fault retry.
 */
long follow_hugetlb_page(struct mm_struct *mm, struct vm_area_struct *vma, struct page **pages,
			 struct vm_area_struct **vmas, unsigned long *position,
			 unsigned long *nr_pages, long i, unsigned int flags, int *locked,
			 int *err);
/* follow_page_mask()'s huge leaves in a hugetlb VMA: the subpage, or NULL. */
struct page *follow_huge_pmd(struct mm_struct *mm, unsigned long address, pmd_t *pmd,
			     unsigned int flags);
struct page *follow_huge_pud(struct mm_struct *mm, unsigned long address, pud_t *pud,
			     unsigned int flags);

/*
 * The huge entry mapping @addr in a hugetlb VMA of @h's size, or NULL when the
 * tables above it are missing (walkers: pagemap, smaps, the tools).
 */
unsigned long *huge_pte_offset(struct mm_struct *mm, unsigned long addr, unsigned long sz);

/* --- migration (5.11 mm/hugetlb.c and mm/migrate.c's hugetlb parts) --- */

/* Is the huge entry @entry a migration entry (non-present, naming a locked page)? */
static inline bool is_hugetlb_entry_migration(unsigned long entry)
{
	pte_t pte = __pte(entry);

	return is_swap_pte(pte) && is_migration_entry(pte_to_swp_entry(pte));
}

/* The huge migration entry for @page: pmd or pud, the PTE encoding. */
unsigned long huge_migration_entry(struct page *page, bool write);

/**
 * isolate_huge_page() - take the in-use hugetlb page @page off hugetlb's active
 * list onto @list for migration, with a reference.
 *
 * Return: true; false when @page is no hugetlb head, is free, is being set up
 * (not mapped or cached yet) or is isolated already.
 */
bool isolate_huge_page(struct page *page, struct list_head *list);
/* Back onto the active list, dropping the isolation's (or the allocation's) reference. */
void putback_active_hugepage(struct page *page);
/**
 * alloc_hugetlb_migration_target() - a page to migrate the hugetlb page @page to
 * (5.11 alloc_huge_page_nodemask()).
 * @zone: the zone it must lie in, or MAX_NR_ZONES for any the allocation context allows.
 *
 * A free pool page of the same size nobody holds a reservation on, in an allowed
 * zone (not CMA in a 5.11 long-term pin, neither CMA nor ZONE_MOVABLE in 6.18's);
 * else, for 2 MiB, a temporary page fresh from the buddy allocator.
 * Return: the page, refcount 1, on the active list; NULL when there is none
 * (always for 1 GiB without a free gigantic pool page).
 */
struct page *alloc_hugetlb_migration_target(struct page *page, int zone);
/* After a successful copy: a temporary @new takes @old's place in the pool. */
void move_hugetlb_state(struct page *old, struct page *new);
/* rmap_one callbacks of try_to_unmap(TTU_MIGRATION) and remove_migration_ptes(). */
bool hugetlb_try_to_unmap_one(struct page *page, struct vm_area_struct *vma, unsigned long address,
			      void *arg);
bool hugetlb_remove_migration_pte(struct page *new, struct vm_area_struct *vma,
				  unsigned long address, void *arg);
/**
 * dissolve_free_huge_pages() - free pool pages overlapping [@start_pfn, @end_pfn)
 * leave the pool for the buddy allocator (an isolated range there keeps their
 * frames).
 * @replace: false (offlining, 5.11's dissolve_free_huge_pages()): the pool
 *           shrinks, never below the pages reservations were promised; true
 *           (5.13's alloc_and_dissolve_huge_page(), for alloc_contig_range()): a
 *           fresh page from outside takes each one's place, the pool keeps its
 *           size; gigantic pages, which have no replacement, stay.
 *
 * Return: how many pages left the pool.
 */
int dissolve_free_huge_pages(unsigned long start_pfn, unsigned long end_pfn, bool replace);
/* Wait for the page of the huge migration entry at @ptep to be migrated (migrate.c). */
void migration_entry_wait_huge(struct mm_struct *mm, unsigned long *ptep);

/* --- checker --- */

/* References hugetlb's migration holds on @head: its isolation, a target's allocation. */
unsigned int hugetlb_page_held_refs(struct page *head);

/* Pool accounting and the pool pages' counts; violations go to @out. Return: how many. */
int hugetlb_check_pools(FILE *out);
/* The head pfns of free pool pages are free (for the frame walk). */
bool hugetlb_page_is_free(struct page *head);

#endif /* GUP_MM_HUGETLB_H */
