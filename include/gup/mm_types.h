/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The address-space structures: mm_struct, vm_area_struct with its vm_ops fault
 * hook and the vm_fault descriptor passed down the fault path.
 */
#ifndef GUP_MM_TYPES_H
#define GUP_MM_TYPES_H

#include <bsd/sys/tree.h>
#include <gup/fs.h>
#include <gup/pgtable.h>
#include <gup/rwsem.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vm_area_struct;
struct task_struct;

/*
 * The anonymous memory a VMA and its fork descendants share; rmap hangs off it.
 * Each fork gives the child VMA an anon_vma of its own whose parent is the
 * parent VMA's, and anon_vma_chain links tie every VMA to its anon_vma and all
 * its ancestors: a page the parent made is found in every descendant mapping it.
 */
struct anon_vma {
	atomic_t refcount; /* one per chain link and per VMA pointing here, and holders */
	struct anon_vma *root;
	struct anon_vma *parent;
	struct list_head vmas; /* anon_vma_chain.same_anon_vma: the kernel's interval tree */
};

/* One link between a VMA and an anon_vma it may find pages of (mm/rmap.c). */
struct anon_vma_chain {
	struct vm_area_struct *vma;
	struct anon_vma *anon_vma;
	struct list_head same_vma;	/* on vma->anon_vma_chain */
	struct list_head same_anon_vma; /* on anon_vma->vmas */
};

typedef unsigned int vm_fault_t;

struct vm_fault {
	struct vm_area_struct *vma;
	unsigned int flags; /* FAULT_FLAG_* */
	unsigned long pgoff;
	unsigned long address; /* page aligned */
	pud_t *pud;
	pmd_t *pmd;
	pmd_t orig_pmd; /* the pmd as the huge-page slots saw it */
	pte_t orig_pte;
	struct page *cow_page;
	struct page *page; /* ->fault sets this, locked, with a reference */
	pte_t *pte;
	spinlock_t *ptl;
};

/* The size a huge fault asks a driver to map (->huge_fault). */
enum page_entry_size {
	PE_SIZE_PTE = 0,
	PE_SIZE_PMD,
	PE_SIZE_PUD,
};

struct vm_operations_struct {
	void (*open)(struct vm_area_struct *vma);
	void (*close)(struct vm_area_struct *vma);
	vm_fault_t (*fault)(struct vm_fault *vmf);
	vm_fault_t (*page_mkwrite)(struct vm_fault *vmf);
	/*
	 * Fault-around: map what is cached of [start, end] of the file before
	 * ->fault; VM_FAULT_NOPAGE when that mapped the faulting address.
	 */
	vm_fault_t (*map_pages)(struct vm_fault *vmf, unsigned long start_pgoff,
				unsigned long end_pgoff);
	const char *(*name)(struct vm_area_struct *vma);
	/* A PMD or PUD fault in a DAX mapping; VM_FAULT_FALLBACK for the next size down. */
	vm_fault_t (*huge_fault)(struct vm_fault *vmf, enum page_entry_size pe_size);
	/* May the VMA be cut at @addr (munmap, mprotect, madvise)? 0, or -EINVAL (5.11 ->split). */
	int (*may_split)(struct vm_area_struct *vma, unsigned long addr);
};

typedef unsigned long vm_flags_t;

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end; /* first byte after */
	struct vm_area_struct *vm_next, *vm_prev;
	RB_ENTRY(vm_area_struct) vm_rb;
	struct mm_struct *vm_mm;
	pgprot_t vm_page_prot;
	vm_flags_t vm_flags;
	struct anon_vma *anon_vma;
	struct list_head anon_vma_chain; /* anon_vma_chain.same_vma, under the anon_vma lock */
	const struct vm_operations_struct *vm_ops;
	unsigned long vm_pgoff;
	struct file *vm_file; /* shared backing (one reference), or NULL for anonymous */
	void *vm_private_data;
	struct list_head shared; /* on vm_file's i_mmap (empty when not linked), i_mmap_rwsem */
};

RB_HEAD(vma_tree, vm_area_struct);

struct mm_struct {
	struct vma_tree mm_rb;
	struct vm_area_struct *mmap; /* sorted list of VMAs */
	int map_count;
	unsigned long mmap_base;
	unsigned long task_size;
	unsigned long highest_vm_end;
	pgd_t *pgd;
	atomic_t mm_users; /* tasks using the address space */
	atomic_t mm_count; /* references to the struct itself */
	struct rw_semaphore mmap_lock;
	spinlock_t page_table_lock; /* guards populating upper levels */
	seqcount_t write_protect_seq;
	int has_pinned; /* a FOLL_PIN path has run on this mm */
	atomic_long_t pgtables_bytes;
	struct page *pmd_huge_pte; /* PTE tables deposited by huge pmds: a stack */
	atomic_long_t rss_anon;
	atomic_long_t rss_shmem;
	atomic_long_t rss_file; /* page-cache pages of files (MM_FILEPAGES); shmem has its own */
	unsigned long total_vm;
	unsigned long locked_vm;
	unsigned long def_flags;
	unsigned long stack_vm;
	struct task_struct *owner;
	unsigned int id; /* stable number for output */
};

#ifdef __cplusplus
}
#endif

#endif /* GUP_MM_TYPES_H */
