/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Memory-manager internals shared between src/mm files: page-table allocation and RCU freeing, rmap accounting, VMA plumbing and
 * the debug validity checkers.
 */
#ifndef GUP_MM_INTERNAL_H
#define GUP_MM_INTERNAL_H

#include <libgup.h>
#include <gup/testing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/machine.h"
#include "mm/profile.h"
#include "mm/huge_mm.h"
#include "mm/hugetlb.h"
#include <gup/pagewalk.h>
#include <gup/rmap.h>
#include <gup/migrate.h>
#include "mm/swap.h"
#include "sim/entry.h"

/* ZONE_DEVICE (memremap.c). */
bool vma_is_device_dax(const struct vm_area_struct *vma);
/* The checker's accounting of pgmap references. Return: true or prints why not. */
bool dev_pagemaps_are_valid(FILE *out, long *pins);
/* Shutdown: release every pgmap; Return: how many were leaked (a test's, or a busy pmem). */
unsigned long dev_pagemaps_release_all(FILE *out);
/* Boot: the fsdax pmem over all device memory when dax_dir is set. Return 0 or -ENOMEM. */
int fsdax_pmem_init(void);
void fsdax_pmem_free(struct dev_pagemap *pgmap);
/* Map device pfn @pfn at the fault's address: a devmap PTE, or an aligned PMD/PUD. */
vm_fault_t devmap_insert_pte(struct vm_fault *vmf, unsigned long pfn);
/* Map file page @page as a read fault would, at @addr whose entry @pte is none (PTE lock held). */
void do_set_pte(struct vm_area_struct *vma, pte_t *pte, unsigned long addr, struct page *page);
vm_fault_t devmap_insert_huge(struct vm_fault *vmf, enum page_entry_size pe_size,
			      unsigned long pfn);
/* fsdax files (fs/dax.c): a shared mapping's VMA, and the inode's last reference. */
int dax_file_mmap(struct file *file, struct vm_area_struct *vma);
void dax_evict(struct inode *inode);
/* An fsdax page went idle: free the blocks of an evicted file once all of them are. */
void dax_page_idle(struct page *page);

/*
 * Per-thread vmstat deltas, the kernel's per-cpu vm_node_stat_diff: the owner
 * updates its own line without a locked instruction, so counting a pin per page
 * does not bounce one cache line between threads. Readers sum every thread.
 */
struct vmstat_thread {
	long diff[NR_VM_NODE_STAT_ITEMS];
	struct list_head node;
};

extern __thread struct vmstat_thread *vmstat_this_thread;
struct vmstat_thread *vmstat_register_thread(void);

static inline void count_vm_stat(enum node_stat_item item, long delta)
{
	struct vmstat_thread *v = vmstat_this_thread;

	if (unlikely(!v))
		v = vmstat_register_thread();
	__atomic_store_n(&v->diff[item], v->diff[item] + delta, __ATOMIC_RELAXED);
}

/* Page freeing and preparation (page_alloc.c). */
void free_unref_page(struct page *page, unsigned int order);
void prep_compound_page(struct page *page, unsigned int order);
void copy_highpage(struct page *to, struct page *from);
/*
 * hugetlb's pool pages: note a pool page's frames and struct pages as touched since
 * boot; make [pfn, pfn + 2^order) one compound page outside the buddy allocator (a
 * 1 GiB page, beyond MAX_ORDER), and give such a page back to it.
 */
void page_alloc_note_used(struct page *page, unsigned int order);
void prep_gigantic_page(unsigned long pfn, unsigned int order);
void free_gigantic_page(struct page *page, unsigned int order);
/* A hugetlb page's last reference went (hugetlb.c). */
void free_huge_page(struct page *page);
/* alloc_pages() from zone @zone alone (migration targets). Return: as alloc_pages(). */
struct page *alloc_pages_zone(gfp_t gfp, unsigned int order, enum zone_type zone);
/* The frame behind the vsyscall gate page. */
struct page *gate_page(void);
void gate_vma_init(enum sim_vsyscall mode);
/* The FAULT_FLAG_* GUP faults with for @foll_flags (@locked: mmap_lock may go). */
unsigned int gup_fault_flags(unsigned int foll_flags, const int *locked);
/* Return: true when a fault's result @ret in @vma must set FOLL_COW (see gup.c). */
bool gup_cow_left_pte_readonly(const struct vm_area_struct *vma, vm_fault_t ret);
/* Lift ASan's poison from freed frames before the frames' host mapping goes. */
void frames_unpoison_all(void);
/*
 * Boot: describe a zone's pfns (its free lists start empty), give the struct pages
 * of [start, end) their just-booted state (zone bits, unmapped, nothing else),
 * then hand [start, end) to the buddy allocator.
 */
void init_zone(struct zone *zone, const char *name, unsigned long start_pfn,
	       unsigned long nr_pages);
void init_memmap(unsigned long start, unsigned long end);
/* Boot: the top @nr_pages of @zone become MIGRATE_CMA pageblocks (before they are freed). */
void zone_init_cma(struct zone *zone, unsigned long nr_pages);
/* Make every pageblock of @zone MIGRATE_CMA (@all_cma) or none but its CMA area again. */
void zone_set_all_cma(struct zone *zone, bool all_cma);
/*
 * The zones' min/low/high watermarks from @min_free_kbytes (0: the kernel's
 * default, sqrt(16 * memory in KiB)); @enforce makes the allocator keep to them
 * (sim_config.kswapd), else they are only reported.
 */
void setup_per_zone_wmarks(unsigned long min_free_kbytes, bool enforce);
/* Would @zone keep @mark free pages after an order-@order allocation? */
bool zone_watermark_ok(struct zone *zone, unsigned int order, enum zone_watermarks mark);
/* Is every zone of RAM at or above @mark (kswapd's pgdat_balanced)? */
bool zones_balanced(enum zone_watermarks mark);
/*
 * memalloc_nocma_save() (5.11): until the matching restore, this thread's
 * allocations keep out of CMA pageblocks. Return: the state to restore.
 */
unsigned int memalloc_nocma_save(void);
void memalloc_nocma_restore(unsigned int depth);
void free_pfn_range(unsigned long start, unsigned long end);

/*
 * The rss counter a mapped @page counts in, as the kernel's mm_counter():
 * anonymous (MM_ANONPAGES), shmem (swap-backed cache, MM_SHMEMPAGES), else a
 * file's page cache (MM_FILEPAGES).
 */
static inline atomic_long_t *mm_rss_counter(struct mm_struct *mm, struct page *page)
{
	if (PageAnon(page))
		return &mm->rss_anon;
	return PageSwapBacked(page) ? &mm->rss_shmem : &mm->rss_file;
}

/* The page lock's waitqueues, set up once per process (filemap.c). */
void pagecache_init(void);

/* Reads that do not wait (readahead.c): one I/O worker runs them. */
int read_page_async(struct file *file, struct page *page);
/* Wait until every read submitted so far has completed. */
void async_reads_wait(void);
/* Reads the worker has completed since boot. */
unsigned long async_reads_completed(void);
/* Finish the queued reads and stop the worker (shutdown). */
void async_reads_stop(void);

/* Page tables (pgtable.c). */
pgd_t *pgd_alloc(struct mm_struct *mm);
/* The p4d level is folded into the pgd: there is nothing to allocate. */
static inline p4d_t *p4d_alloc(struct mm_struct *mm, pgd_t *pgd, unsigned long addr)
{
	(void)mm;
	return p4d_offset(pgd, addr);
}
void pgd_free(struct mm_struct *mm, pgd_t *pgd);
pud_t *pud_alloc(struct mm_struct *mm, p4d_t *p4d, unsigned long addr);
pmd_t *pmd_alloc(struct mm_struct *mm, pud_t *pud, unsigned long addr);
int __pte_alloc(struct mm_struct *mm, pmd_t *pmd);
static inline bool pte_alloc(struct mm_struct *mm, pmd_t *pmd)
{
	return pmd_none(pmdp_get(pmd)) && __pte_alloc(mm, pmd);
}
/*
 * A PTE table not yet linked anywhere (a huge pmd deposits one), its release (through
 * RCU, as unlinked tables go), and linking one under an empty or huge @pmd.
 */
struct page *pte_alloc_one(struct mm_struct *mm);
void pte_free(struct mm_struct *mm, struct page *table);
void pmd_populate(pmd_t *pmd, struct page *table);
/* Walk to (and create) the pmd entry covering @addr; NULL when out of memory. */
pmd_t *mm_alloc_pmd(struct mm_struct *mm, unsigned long addr);
/* Free page tables under [start, end) that map nothing; caller holds mmap_lock for write. */
void free_pgtables_range(struct mm_struct *mm, unsigned long start, unsigned long end);
/* Free every table of the mm (exit). */
void free_all_pgtables(struct mm_struct *mm);
/* Wait for RCU-deferred table frees to finish (shutdown, leak checks). */
void pgtable_rcu_barrier(void);

/* rmap accounting (rmap.c). */
void page_add_new_anon_rmap(struct page *page, struct vm_area_struct *vma, unsigned long address);
void page_dup_rmap(struct page *page);
void page_add_file_rmap(struct page *page);
void page_remove_rmap(struct page *page);
/* The same for a whole compound page mapped by one pmd (compound mapcount). */
void page_add_new_anon_rmap_huge(struct page *head, struct vm_area_struct *vma,
				 unsigned long haddr);
void page_dup_rmap_huge(struct page *head);
void page_remove_rmap_huge(struct page *head);
/* A pmd maps @head again (remove_migration_pmd()): the compound mapcount and its counts. */
void page_add_anon_rmap_huge(struct page *head);
int anon_vma_prepare(struct vm_area_struct *vma);
void anon_vma_get(struct anon_vma *anon_vma);
void anon_vma_put(struct anon_vma *anon_vma);
/*
 * The chain links (rmap.c): a duplicated VMA links to every anon_vma of @src
 * (split, fork), a forked one gets an anon_vma of its own under its parent's,
 * a freed one drops its links, a merge moves @from's to @vma when @vma had none.
 * Return (clone, fork): 0, or -ENOMEM with nothing linked.
 */
int anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src);
int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma);
void unlink_anon_vmas(struct vm_area_struct *vma);
void anon_vma_merge_chain(struct vm_area_struct *vma, struct vm_area_struct *from);
/* One more PTE maps the anonymous @page, whose mapping and index are set. */
void page_add_anon_rmap(struct page *page, struct vm_area_struct *vma, unsigned long address);

/* VMAs (mmap.c). */
struct vm_area_struct *vm_area_alloc(struct mm_struct *mm);
struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig);
void vm_area_free(struct vm_area_struct *vma);
void vma_link(struct mm_struct *mm, struct vm_area_struct *vma);
void vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma);
int split_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr, int new_below);
struct vm_area_struct *vma_merge_neighbours(struct mm_struct *mm, struct vm_area_struct *vma);
int do_munmap(struct mm_struct *mm, unsigned long start, size_t len);
/* A free range of @len: @hint if it is free, else the top-down search. Return: -ENOMEM. */
unsigned long get_unmapped_area(struct mm_struct *mm, unsigned long hint, unsigned long len);
void exit_mmap(struct mm_struct *mm);
unsigned long do_mmap(struct file *file, unsigned long addr, unsigned long len, unsigned long prot,
		      unsigned long flags, unsigned long pgoff, unsigned long *populate);
/* Set vm_page_prot from vm_flags (read-only PTEs where writes must be noticed). */
void vma_set_page_prot(struct vm_area_struct *vma);
bool vma_wants_writenotify(const struct vm_area_struct *vma);
/* memory.c: all of the THP's mappings are PTEs of vmf->pte's table (6.15 reuse). */
bool folio_mapped_only_here(struct vm_fault *vmf, struct page *page);
int mlock_fixup_range(struct mm_struct *mm, unsigned long start, unsigned long end,
		      vm_flags_t newflags_set, vm_flags_t newflags_clear);

/*
 * Fault in [start, end) of @vma for MADV_POPULATE_* (mm/gup.c). Permission problems
 * and incompatible mappings give -EINVAL. Return: pages done, or -errno.
 */
long faultin_vma_page_range(struct vm_area_struct *vma, unsigned long start, unsigned long end,
			    bool write, int *locked);
struct vm_area_struct *expand_stack_unlocked(struct mm_struct *mm, unsigned long addr);
long faultin_page_range(struct mm_struct *mm, unsigned long start, unsigned long end, bool write,
			int *locked);

/*
 * Find the present PTE mapping @address and take its lock; mmap_lock held.
 * Return: 0 with *@ptepp and *@ptlp set (release with pte_unmap_unlock()), or
 * -EINVAL when a level above is empty, huge or bad, or the PTE maps nothing.
 */
int follow_pte(struct mm_struct *mm, unsigned long address, pte_t **ptepp, spinlock_t **ptlp);
/* Zap PTEs of [start, end) in @vma, dropping rmap and references. */
void unmap_page_range(struct vm_area_struct *vma, unsigned long start, unsigned long end);
/* Copy the page tables of @src_vma into @dst_vma (fork). Return 0 or -ENOMEM. */
int copy_page_range(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma);
/* Rewrite the present PTEs of [start, end) with @newprot (mprotect.c). */
unsigned long change_protection(struct vm_area_struct *vma, unsigned long start, unsigned long end,
				pgprot_t newprot, bool prot_numa);

/*
 * Sleep until the migration entry in the PTE at @address (under @pmd) is gone,
 * then return so the caller can look again (migrate.c).
 */
void migration_entry_wait(struct mm_struct *mm, pmd_t *pmd, unsigned long address);
/*
 * A migration target for @page (5.11's alloc_migration_target()): a small page, or
 * for a THP head an order-9 compound page, with @gfp, from zone @zone alone unless
 * it is MAX_NR_ZONES. Return: the page, or NULL (migrate_pages() then splits a THP).
 */
struct page *migration_alloc_target(struct page *page, gfp_t gfp, enum zone_type zone);
/*
 * The unmap of @page for migration: does its entry say exclusive? Where the profile
 * keeps the mark (5.19 on), PageAnonExclusive moves from the page into the entry.
 */
static inline bool migration_takes_anon_exclusive(struct page *page)
{
	return mm_profile->migration_entry_exclusive && PageAnon(page) &&
	       TestClearPageAnonExclusive(page);
}
/* The same for a pmd migration entry at @pmd (a whole THP under migration). */
void pmd_migration_entry_wait(struct mm_struct *mm, pmd_t *pmd);
/* Migrations between their unmap and remap (migrate.c); the checker reads it. */
extern atomic_t migrations_in_flight;

/* Shared anonymous memory (shmem.c). */
/* A new shared-anonymous object of @size bytes: a file with one reference, or NULL. */
struct file *shmem_file_setup(unsigned long size);
/* Is @file a shmem file (shared anonymous memory or a memfd)? */
bool shmem_file(const struct file *file);
/* What shmem_getpage() does with a hole (the kernel's enum sgp_type). */
enum sgp_type {
	SGP_READ,  /* leave it: *pagep is NULL (a read of a hole reads zeroes) */
	SGP_CACHE, /* fill it with a new zeroed page */
};
/*
 * The page at @index of a shmem @mapping, locked and referenced in *@pagep: from
 * the page cache, swapped in when the slot holds a swap entry (VM_FAULT_MAJOR in
 * *@fault_type, which may be NULL, when read from the device), or per @sgp.
 * Return: 0; -ENOMEM; -EIO when the swap-in read failed (the copy stays in the
 * swap cache, as the kernel's shmem_swapin_page() leaves it).
 */
int shmem_getpage(struct address_space *mapping, unsigned long index, enum sgp_type sgp,
		  struct page **pagep, vm_fault_t *fault_type);
/* Is @mapping a shmem object's (shared anonymous memory or a memfd)? */
bool shmem_mapping(const struct address_space *mapping);
/*
 * shmem_writepage(), from reclaim: the locked, unmapped, dirty shmem @page moves
 * to the swap cache, its slot in the mapping now holding the swap entry, and is
 * written out. Return: 0 (the page is clean in the swap cache, for reclaim to
 * free); -EIO (written and failed: in the swap cache, dirty, PG_error); -ENODEV,
 * -ENOSPC or -ENOMEM (no slot: the page stays in its mapping, dirty).
 */
int shmem_writepage(struct page *page);
/* Truncation: free the swap entries of @mapping's slots [@start, @end]. */
void shmem_truncate_swap(struct address_space *mapping, unsigned long start, unsigned long end);

/*
 * Seals and the writable-mapping count (memfd.c). mapping_map_writable():
 * 0, or -EPERM when F_SEAL_WRITE denies new writable mappings.
 */
int mapping_map_writable(struct address_space *mapping);
/* Count @vma's mapping of its file as writable if the profile says it is (mmap.c). */
int vma_map_writable(struct vm_area_struct *vma);
/* vm_area_dup()'s: the copy of a counted mapping is counted, whatever the seals. */
void vma_dup_writable(struct vm_area_struct *vma);
void vma_unmap_writable(struct vm_area_struct *vma);
/*
 * The page of the memfd @memfd at @index with a reference, faulted into its
 * cache if missing (memfd_alloc_folio()), swapped in if swapped out. NULL with
 * *@err = -EINVAL (at or beyond the end of the file), -ENOMEM or -EIO (the
 * swap-in read failed).
 */
struct page *memfd_get_page(struct file *memfd, unsigned long index, int *err);
/* shmem_mmap()'s seal check: 0 (VM_MAYWRITE maybe cleared) or -EPERM. */
int memfd_check_seals_mmap(struct file *file, struct vm_area_struct *vma);
/* The same on the flags a mapping of @file will get (6.13's do_mmap() asks before unmapping). */
int memfd_check_seals_flags(struct file *file, vm_flags_t *vm_flags);

/* Secret memory (secretmem.c). */
bool vma_is_secretmem(const struct vm_area_struct *vma);
bool page_is_secretmem(const struct page *page);

/* Sealed VMAs (mseal.c): may [start, end) change? true when nothing sealed forbids it. */
bool can_modify_mm(struct mm_struct *mm, unsigned long start, unsigned long end);
bool can_modify_mm_madv(struct mm_struct *mm, unsigned long start, unsigned long end, int behavior);
extern const struct vm_operations_struct shmem_vm_ops;
static inline bool vma_is_shmem(const struct vm_area_struct *vma)
{
	return vma->vm_ops == &shmem_vm_ops;
}

/* FOLL_LONGTERM's migration passes (gup.c), the profiles' check_and_migrate_longterm. */
long check_and_migrate_cma_pages(struct mm_struct *mm, unsigned long start, unsigned long nr_pages,
				 struct page **pages, struct vm_area_struct **vmas,
				 unsigned int gup_flags);
long check_and_migrate_movable_pages(struct mm_struct *mm, unsigned long start,
				     unsigned long nr_pages, struct page **pages,
				     struct vm_area_struct **vmas, unsigned int gup_flags);

/* Tasks (kernel/fork.c). */
struct mm_struct *dup_mm(struct task_struct *tsk, struct mm_struct *oldmm);
unsigned long sim_live_tasks(void);
void sim_reap_tasks(void);

/* Debug validity checkers; each returns true or prints why not. */
bool page_is_valid(struct page *page, FILE *out);
bool vma_is_valid(struct vm_area_struct *vma, FILE *out);
bool mm_is_valid(struct mm_struct *mm, FILE *out);
bool pgtable_is_valid(struct mm_struct *mm, FILE *out);

#ifdef CONFIG_DEBUG_VM
#define VM_CHECK(expr) BUG_ON(!(expr))
#else
#define VM_CHECK(expr) ((void)0)
#endif

void vmstat_reset(void);
/*
 * sim_check() (or, @used_only, sim_check_used()) that stays silent when @out is
 * NULL and does not hold RCU table frees off.
 */
int __sim_check(FILE *out, bool used_only);

/*
 * The file reverse map (interval_tree.c): the VMAs on mapping->i_mmap by the file
 * pages they map, under i_mmap_rwsem. A VMA with a file is linked when vma_link()
 * first puts it in an mm and unlinked when it is freed, before its page tables go.
 */
void vma_interval_tree_insert(struct vm_area_struct *vma, struct list_head *root);
void vma_interval_tree_remove(struct vm_area_struct *vma, struct list_head *root);
struct vm_area_struct *vma_interval_tree_iter_first(struct list_head *root, unsigned long first,
						    unsigned long last);
struct vm_area_struct *vma_interval_tree_iter_next(struct vm_area_struct *vma,
						   struct list_head *root, unsigned long first,
						   unsigned long last);
#define vma_interval_tree_foreach(vma, root, first, last)                                          \
	for (vma = vma_interval_tree_iter_first(root, first, last); vma;                           \
	     vma = vma_interval_tree_iter_next(vma, root, first, last))
void i_mmap_lock_write(struct address_space *mapping);
void i_mmap_unlock_write(struct address_space *mapping);
void i_mmap_lock_read(struct address_space *mapping);
void i_mmap_unlock_read(struct address_space *mapping);
/* Link @vma into its file's i_mmap if it has a file and is not linked: i_mmap_rwsem held. */
void __vma_link_file(struct vm_area_struct *vma);
/* The same, taking i_mmap_rwsem. */
void vma_link_file(struct vm_area_struct *vma);
/* Take @vma off its file's i_mmap, if it is on it. */
void unlink_file_vma(struct vm_area_struct *vma);
/*
 * Hold off rmap walks of @vma's file while its range or vm_pgoff changes (the
 * kernel's vma_adjust() under i_mmap_lock_write). Return: the mapping locked, or
 * NULL for a VMA without a file; give it to vma_unlock_file_range().
 */
struct address_space *vma_lock_file_range(struct vm_area_struct *vma);
void vma_unlock_file_range(struct address_space *mapping);

/* The head of a transparent huge page (not a hugetlb page), as the kernel's PageTransHuge(). */
static inline bool PageTransHuge(struct page *page)
{
	return PageHead(page) && compound_order(page) == HPAGE_PMD_ORDER && !PageHuge(page);
}

#endif /* GUP_MM_INTERNAL_H */
