/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The memory-manager interface: VM flags, fault flags and results, VMA lookup,
 * the fault handler, the mapping system calls (mmap, munmap, mprotect, madvise,
 * mlock) on the current task, user access as the CPU does it, and pagemap.
 */
#ifndef GUP_MM_H
#define GUP_MM_H

#include <stdio.h>
#include <sys/mman.h>
#include <gup/mm_types.h>
#include <gup/mmap_lock.h>
#include <gup/sched.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TASK_SIZE_MAX ((1UL << 47) - PAGE_SIZE)

/* MAP_HUGETLB's page sizes, the host's encoding (linux/mman.h; glibc lacks these two). */
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21UL << MAP_HUGE_SHIFT)
#endif
#ifndef MAP_HUGE_1GB
#define MAP_HUGE_1GB (30UL << MAP_HUGE_SHIFT)
#endif
#define TASK_SIZE TASK_SIZE_MAX	    /* 0x7ffffffff000 */
#define VSYSCALL_ADDR (-10UL << 20) /* 0xffffffffff600000, the x86-64 gate page */

/* vm_flags, with the kernel's values. */
#define VM_NONE 0x00000000UL
#define VM_READ 0x00000001UL
#define VM_WRITE 0x00000002UL
#define VM_EXEC 0x00000004UL
#define VM_SHARED 0x00000008UL
#define VM_MAYREAD 0x00000010UL
#define VM_MAYWRITE 0x00000020UL
#define VM_MAYEXEC 0x00000040UL
#define VM_MAYSHARE 0x00000080UL
#define VM_GROWSDOWN 0x00000100UL
#define VM_UFFD_MISSING 0x00000200UL
#define VM_PFNMAP 0x00000400UL
#define VM_DENYWRITE 0x00000800UL
#define VM_UFFD_WP 0x00001000UL
#define VM_LOCKED 0x00002000UL
#define VM_IO 0x00004000UL
#define VM_SEQ_READ 0x00008000UL
#define VM_RAND_READ 0x00010000UL
#define VM_DONTCOPY 0x00020000UL
#define VM_DONTEXPAND 0x00040000UL
#define VM_LOCKONFAULT 0x00080000UL
#define VM_ACCOUNT 0x00100000UL
#define VM_NORESERVE 0x00200000UL
#define VM_HUGETLB 0x00400000UL
#define VM_SYNC 0x00800000UL
#define VM_ARCH_1 0x01000000UL
#define VM_WIPEONFORK 0x02000000UL
#define VM_DONTDUMP 0x04000000UL
#define VM_SOFTDIRTY 0x08000000UL
#define VM_MIXEDMAP 0x10000000UL
#define VM_HUGEPAGE 0x20000000UL
#define VM_NOHUGEPAGE 0x40000000UL
#define VM_MERGEABLE 0x80000000UL
#define VM_SEALED 0x8000000000000000UL /* 6.10 mseal(), 64-bit only */
#define VM_SPECIAL (VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP)
#define VM_LOCKED_CLEAR_MASK (~(VM_LOCKED | VM_LOCKONFAULT))
#define VM_ACCESS_FLAGS (VM_READ | VM_WRITE | VM_EXEC)

/* Fault flags (FAULT_FLAG_*), kernel values. */
#define FAULT_FLAG_WRITE 0x01u
#define FAULT_FLAG_MKWRITE 0x02u
#define FAULT_FLAG_ALLOW_RETRY 0x04u
#define FAULT_FLAG_RETRY_NOWAIT 0x08u
#define FAULT_FLAG_KILLABLE 0x10u
#define FAULT_FLAG_TRIED 0x20u
#define FAULT_FLAG_USER 0x40u
#define FAULT_FLAG_REMOTE 0x80u
#define FAULT_FLAG_INSTRUCTION 0x100u
#define FAULT_FLAG_INTERRUPTIBLE 0x200u
#define FAULT_FLAG_UNSHARE                                                                         \
	0x400u /* 5.19: make the mapped anonymous page exclusive, PTE stays R/O */
#define FAULT_FLAG_DEFAULT (FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE | FAULT_FLAG_INTERRUPTIBLE)

/* Fault results (VM_FAULT_*), kernel values. */
#define VM_FAULT_OOM 0x000001u
#define VM_FAULT_SIGBUS 0x000002u
#define VM_FAULT_MAJOR 0x000004u
#define VM_FAULT_WRITE 0x000008u
#define VM_FAULT_HWPOISON 0x000010u
#define VM_FAULT_HWPOISON_LARGE 0x000020u
#define VM_FAULT_SIGSEGV 0x000040u
#define VM_FAULT_NOPAGE 0x000100u
#define VM_FAULT_LOCKED 0x000200u
#define VM_FAULT_RETRY 0x000400u
#define VM_FAULT_FALLBACK 0x000800u
#define VM_FAULT_DONE_COW 0x001000u
#define VM_FAULT_NEEDDSYNC 0x002000u
#define VM_FAULT_ERROR                                                                             \
	(VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | VM_FAULT_HWPOISON |                   \
	 VM_FAULT_HWPOISON_LARGE | VM_FAULT_FALLBACK)

/* Translate a fault result to the errno the kernel's callers return. */
static inline int vm_fault_to_errno(vm_fault_t vm_fault, int foll_flags)
{
	if (vm_fault & VM_FAULT_OOM)
		return -ENOMEM;
	if (vm_fault & (VM_FAULT_HWPOISON | VM_FAULT_HWPOISON_LARGE))
		return (foll_flags & 0x100 /* FOLL_HWPOISON */) ? -EHWPOISON : -EFAULT;
	if (vm_fault & (VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV))
		return -EFAULT;
	return 0;
}

/*
 * Address-space lifetime, as in the kernel: mm_users counts the tasks (and
 * mmget() callers) using the address space, mm_count the references to the
 * struct. The last mmput() tears the mappings and page tables down; the last
 * mmdrop() frees the struct and its pgd.
 */
/**
 * mm_alloc() - a new, empty address space with a pgd.
 *
 * Return: the mm with mm_users = mm_count = 1, or NULL when no memory (or no
 * frame for the pgd) was available.
 */
struct mm_struct *mm_alloc(void);
void mmget(struct mm_struct *mm);
/**
 * mmget_not_zero() - take a user reference unless the address space is exiting.
 *
 * Return: true with mm_users raised; false if it had already dropped to zero.
 */
bool mmget_not_zero(struct mm_struct *mm);
void mmput(struct mm_struct *mm);
void mmgrab(struct mm_struct *mm);
void mmdrop(struct mm_struct *mm);

/* VMA lookup. */
/**
 * find_vma() - the first VMA that ends above @addr (O(log n)); mmap_lock held.
 *
 * Return: the VMA containing @addr, or else the next one above it, or NULL when
 * no VMA ends above @addr. Callers check vm_start <= addr themselves.
 */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
/**
 * find_vma_prev() - find_vma() that also reports the VMA before the result.
 *
 * Return: as find_vma(); *@pprev is the VMA below the result (or the last VMA
 * when the result is NULL), NULL if there is none.
 */
struct vm_area_struct *find_vma_prev(struct mm_struct *mm, unsigned long addr,
				     struct vm_area_struct **pprev);
/**
 * find_extend_vma() - the VMA for @addr, growing a VM_GROWSDOWN stack down to it.
 *
 * Return: the VMA now containing @addr (a locked stack's new pages are
 * populated), or NULL when @addr is unmapped and no stack may grow to it.
 */
struct vm_area_struct *find_extend_vma(struct mm_struct *mm, unsigned long addr);
/**
 * expand_stack() - move a VM_GROWSDOWN VMA's start down to @address.
 *
 * Return: 0 (also when @address is already inside); -EFAULT if @vma does not
 * grow down; -EPERM below the first page; -ENOMEM when the guard gap to the VMA
 * below or the 8 MiB stack limit would be crossed.
 */
int expand_stack(struct vm_area_struct *vma, unsigned long address);
/*
 * Return: true for addresses in the x86-64 vsyscall page (above TASK_SIZE);
 * always false when the machine booted with vsyscall none.
 */
bool in_gate_area(struct mm_struct *mm, unsigned long addr);
/*
 * Return: the gate VMA shared by every mm, or NULL with vsyscall none. With
 * emulate it is read-exec and vm_private_data is its page; with xonly (the
 * default) it is exec-only and vm_private_data is NULL: nothing can read it.
 */
struct vm_area_struct *get_gate_vma(struct mm_struct *mm);

static inline bool vma_is_anonymous(const struct vm_area_struct *vma)
{
	return !vma->vm_ops;
}
static inline bool vma_is_accessible(const struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_ACCESS_FLAGS;
}
static inline bool is_cow_mapping(vm_flags_t flags)
{
	return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}
/* A mapping of a file under sim_config.dax_dir, which the machine treats as fsdax. */
static inline bool vma_is_fsdax(const struct vm_area_struct *vma)
{
	return vma->vm_file && vma->vm_file->f_inode && vma->vm_file->f_inode->i_dax;
}
static inline unsigned long vma_pages(const struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
}

/* The file page index that @address of @vma maps (the kernel's linear_page_index()). */
static inline unsigned long linear_page_index(const struct vm_area_struct *vma,
					      unsigned long address)
{
	return ((address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
}
/* Return: the x86-64 PTE protection for @vm_flags (private writable is read-only). */
pgprot_t vm_get_page_prot(vm_flags_t vm_flags);

/* Faults. */
/**
 * handle_mm_fault() - resolve a fault at @address in @vma, as the CPU would raise it.
 * @vma: the VMA containing @address; caller holds mmap_lock for read.
 * @address: faulting address.
 * @flags: FAULT_FLAG_*.
 * @regs: unused (kept for the kernel's signature).
 *
 * Return: VM_FAULT_* bits. With VM_FAULT_RETRY the mmap_lock has been released
 * (unless FAULT_FLAG_RETRY_NOWAIT was set), as in the kernel.
 */
vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long address, unsigned int flags,
			   void *regs);
/**
 * vm_normal_page() - the struct page a present PTE maps, if it is a normal one.
 *
 * Return: the page; NULL for special PTEs (the zero page, VM_PFNMAP frames,
 * device entries) and, with a warning, for a pfn outside memory.
 */
struct page *vm_normal_page(struct vm_area_struct *vma, unsigned long addr, pte_t pte);
void mark_page_accessed(struct page *page);
void mlock_vma_page(struct page *page);
void munlock_vma_page(struct page *page);
/*
 * Map raw frames with special PTEs into @vma, as drivers do; mmap_lock held for
 * write. The VMA becomes VM_IO|VM_PFNMAP|VM_DONTEXPAND|VM_DONTDUMP, as in Linux.
 * Return: 0; -ENOMEM when a page table could not be allocated; -EINVAL (warned
 * once) for an unaligned @addr.
 */
int remap_pfn_range(struct vm_area_struct *vma, unsigned long addr, unsigned long pfn,
		    unsigned long size, pgprot_t prot);
void zap_page_range(struct vm_area_struct *vma, unsigned long start, unsigned long size);

/* Page-table locking. */
/* Return: the split lock of the PTE table @pmd points to (it must point to one). */
spinlock_t *pte_lockptr(struct mm_struct *mm, pmd_t *pmd);
/* Return: the PTE for @addr in @pmd's table, with that table's lock taken in *@ptlp. */
pte_t *pte_offset_map_lock(struct mm_struct *mm, pmd_t *pmd, unsigned long addr, spinlock_t **ptlp);
void pte_unmap_unlock(pte_t *pte, spinlock_t *ptl);
static inline pgd_t *pgd_offset(struct mm_struct *mm, unsigned long addr)
{
	return pgd_offset_pgd(mm->pgd, addr);
}

/* The mapping system calls, acting on current->mm with the host's constants. */
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_COLD
#define MADV_COLD 20
#define MADV_PAGEOUT 21
#endif

/*
 * The sys_*() calls, the user copies and pagemap_read() act for the current task:
 * with no machine they return -ENODEV, from a thread running no task -ESRCH with a
 * WARNING once per call (the copies: every byte uncopied). Rules below assume a task.
 */
/**
 * sys_mmap() - map anonymous memory, or @fd's file from byte @off, in the current task.
 *
 * Return: the start address, or a negative errno cast to unsigned long (test with
 * IS_ERR_VALUE): -EINVAL for bad lengths, flags or alignment, -ENOMEM when no
 * room or memory, -EEXIST for MAP_FIXED_NOREPLACE over a mapping, -EBADF when @fd
 * is not open (without MAP_ANONYMOUS); for files -EACCES (a shared writable
 * mapping of a file not open for writing, any mapping of one not open for
 * reading), -ENODEV for a directory, -EOVERFLOW when the offset wraps,
 * -EOPNOTSUPP for unknown flags with MAP_SHARED_VALIDATE.
 * MAP_HUGETLB (with MAP_HUGE_2MB, MAP_HUGE_1GB or neither: 2 MiB) rounds the length
 * up to the huge page size and reserves pool pages for it: -ENOMEM when the pool
 * cannot cover it (unless MAP_NORESERVE), -EINVAL for another size or an unaligned
 * MAP_FIXED address.
 */
unsigned long sys_mmap(unsigned long addr, unsigned long len, unsigned long prot,
		       unsigned long flags, int fd, unsigned long off);
int sys_munmap(unsigned long addr, size_t len);
#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
/**
 * sys_mremap() - resize and/or move the mapping at [@old, @old+@old_len), as Linux 5.11.
 * @flags: MREMAP_MAYMOVE (may move when it cannot grow in place), MREMAP_FIXED (move
 *         to @new_addr, unmapping what is there; needs MAYMOVE), MREMAP_DONTUNMAP
 *         (move, leave the old range mapped but empty; needs MAYMOVE, @new_len ==
 *         @old_len, a private anonymous VMA under 5.11: the profile's
 *         mremap_dontunmap_anon_only).
 *
 * A shrink unmaps the tail in place; a grow extends in place when the room after is
 * free, else moves. A move takes the page tables with it (PTE entries and huge pmds),
 * never the pages: a pin taken before stays on the same page, RSS is unchanged.
 *
 * Return: the (new) start address, or a negative errno cast to unsigned long:
 * -EINVAL for unknown flags, an unaligned @old or @new_addr, FIXED or DONTUNMAP
 * without MAYMOVE, DONTUNMAP with a length change or on a VMA that is not private
 * anonymous (5.11), overlapping old and new ranges, a zero @new_len, lengths past user
 * space, or a zero @old_len (Linux duplicates a shared mapping with it; private ones
 * it refuses too);
 * -EFAULT when @old is not mapped, [@old, @old+@old_len) spans more than one VMA, or
 * a VM_DONTEXPAND / VM_PFNMAP VMA would grow; -ENOMEM when it cannot grow in place
 * without MAYMOVE, when no room is found, or when memory ran out (nothing is moved
 * then); -EINTR on a fatal signal. No RLIMIT_MEMLOCK here, so no -EAGAIN. Shrinking
 * never fails on an unmapped range: it unmaps the tail and returns @old, as Linux.
 */
unsigned long sys_mremap(unsigned long old, unsigned long old_len, unsigned long new_len,
			 unsigned long flags, unsigned long new_addr);
int sys_mprotect(unsigned long start, size_t len, unsigned long prot);
int sys_madvise(unsigned long start, size_t len, int behavior);
/* sys_mlock2() with no flags: the same return rules. */
int sys_mlock(unsigned long start, size_t len);
/**
 * sys_mlock2() - lock [start, start+len) into memory, now or (MLOCK_ONFAULT) on fault.
 *
 * Return: 0; -EINVAL for unknown flags; -ENOMEM when part of the range is not
 * mapped (or population hit a bad address); -EAGAIN when population ran out of
 * memory; -EINTR on a fatal signal.
 */
int sys_mlock2(unsigned long start, size_t len, int flags);
/* Return: 0, or -ENOMEM when part of the range is not mapped. */
int sys_munlock(unsigned long start, size_t len);
/**
 * sim_split_huge_page_at() - split the THP mapped at @addr in @mm, the debug hook
 * Linux has as debugfs split_huge_pages; takes @mm's mmap_lock for reading to look.
 *
 * Return: 0 when split; -EFAULT when nothing is mapped at @addr; -EINVAL when what is
 * mapped there is not a THP (a small page, the huge zero page); otherwise
 * split_huge_page()'s answer (-EBUSY while pinned).
 */
int sim_split_huge_page_at(struct mm_struct *mm, unsigned long addr);
/**
 * sim_deferred_split_scan() - split the queued partially-mapped THPs, as the deferred
 * split shrinker does under memory pressure. An entry freed, split or mapped whole
 * since is dropped; one split refuses (pinned) is queued again.
 *
 * Return: how many THPs were split.
 */
unsigned long sim_deferred_split_scan(void);
/* Return: how many THPs the deferred split queue holds. */
unsigned long sim_deferred_split_queued(void);
/* Map @nr_pages frames starting at @pfn as a VM_IO|VM_PFNMAP region (a driver mmap). */
/*
 * Return: the address of the new shared VM_IO|VM_PFNMAP mapping, or -EINVAL (as an
 * unsigned long) for an empty or out-of-memory pfn range, -ENOMEM when there is no
 * room, -EINTR on a fatal signal.
 */
unsigned long sys_mmap_pfn(unsigned long pfn, unsigned long nr_pages, unsigned long prot);

/*
 * Calls later kernels added; under the 5.11 profile each returns -ENOSYS.
 * sim_mmap_secretmem() stands in for memfd_secret() + ftruncate() + mmap() of the
 * fd until libgup has file descriptors (src/mm/secretmem.c has the return rules).
 * sys_mseal(): src/mm/mseal.c. Sealed VMAs make munmap, mmap over them, mprotect
 * and discarding madvise of read-only anonymous memory fail with -EPERM.
 */
unsigned long sim_mmap_secretmem(unsigned long len, unsigned long prot);
int sys_mseal(unsigned long start, size_t len, unsigned long flags);

/**
 * copy_to_user() - store @n bytes at user address @to, as the current task's CPU would.
 *
 * Each page is written under its PTE lock if the PTE allows it; otherwise the
 * access faults (allocating, breaking COW) and is retried. The copy stops at the
 * first address that is unmapped, not writable by the VMA, or whose fault fails.
 *
 * Return: the number of bytes NOT copied (0 on success; @n when nothing was, no
 * current task, or the range leaves user space).
 */
unsigned long copy_to_user(unsigned long to, const void *from, unsigned long n);
/**
 * copy_from_user() - load @n bytes from user address @from, as a CPU would.
 *
 * Reads need VM_READ, VM_EXEC or VM_WRITE (x86); untouched anonymous memory reads
 * as zeros through the zero page.
 *
 * Return: the number of bytes NOT copied, as copy_to_user().
 */
unsigned long copy_from_user(void *to, unsigned long from, unsigned long n);

/*
 * /proc/pid/pagemap: one 64-bit entry per page (bit 63 present, 0..54 pfn,
 * 55 soft-dirty, 56 exclusively mapped, 61 file-page or shared-anon).
 * Return: 0, or -EINVAL for an address outside user space.
 */
#define PM_PFRAME_MASK ((1ULL << 55) - 1)
#define PM_SOFT_DIRTY (1ULL << 55)
#define PM_MMAP_EXCLUSIVE (1ULL << 56)
#define PM_FILE (1ULL << 61)
#define PM_SWAP (1ULL << 62)
#define PM_PRESENT (1ULL << 63)
int pagemap_read(struct mm_struct *mm, unsigned long addr, uint64_t *entry);

/* What writing a number to /proc/PID/clear_refs asks for. */
enum clear_refs_types {
	CLEAR_REFS_ALL = 1,	   /* the young bits of every mapping */
	CLEAR_REFS_ANON,	   /* of anonymous mappings */
	CLEAR_REFS_MAPPED,	   /* of file mappings */
	CLEAR_REFS_SOFT_DIRTY,	   /* soft-dirty, write-protecting what it clears */
	CLEAR_REFS_MM_HIWATER_RSS, /* the RSS high-water mark (none here) */
	CLEAR_REFS_LAST,
};

/**
 * clear_refs_write() - /proc/PID/clear_refs: write @type for @mm.
 *
 * CLEAR_REFS_SOFT_DIRTY clears VM_SOFTDIRTY on every VMA and, in every PTE and
 * huge pmd, soft-dirty and the write bit, so that the next write faults and
 * marks the page again; a writable PTE of a private mapping whose page may be
 * pinned is left alone (clearing it would COW the page away from the pin).
 * Types 1-3 clear the young bits (all, anonymous, file mappings).
 *
 * Return: 0; -EINVAL for a type outside 1..5; -ESRCH for no @mm.
 */
int clear_refs_write(struct mm_struct *mm, int type);

/**
 * show_maps() - /proc/PID/maps of @mm: one line per VMA, `start-end perms
 * offset dev inode name`.
 * @out: where the lines go.
 * @mm: the address space; its mmap_lock is taken for reading.
 *
 * Return: 0; -EINVAL when @out or @mm is NULL (nothing printed).
 */
int show_maps(FILE *out, struct mm_struct *mm);

/**
 * show_smaps() - /proc/PID/smaps of @mm: each VMA's maps line followed by
 * Size, Rss, Anonymous, AnonHugePages (anonymous memory mapped by huge pmds),
 * Locked, Pinned (libgup's addition: pages that may be DMA-pinned) in kB, and
 * VmFlags as two-letter mnemonics ("lf" is libgup's VM_LOCKONFAULT). Rss counts the
 * pages the VMA's page tables map that have a struct page (a PMD-mapped huge page
 * counts whole); the zero pages (small and huge) and PFN mappings are not counted,
 * as in the kernel.
 * @out: where the lines go.
 * @mm: the address space; its mmap_lock is taken for reading.
 *
 * Return: 0; -EINVAL when @out or @mm is NULL (nothing printed).
 */
int show_smaps(FILE *out, struct mm_struct *mm);

/**
 * show_status() - the memory lines of /proc/PID/status of @mm, as the kernel's
 * task_mem() prints them: VmRSS (the sum of the three below), RssAnon (anonymous
 * pages, private COW copies of file pages included), RssFile (page-cache pages of
 * files), RssShmem (shmem and memfd pages, MAP_SHARED|MAP_ANONYMOUS included) and
 * HugetlbPages (the hugetlb pages @mm maps, which the Rss lines leave out), in kB.
 * The Rss lines are the mm's counters (MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES).
 * @out: where the lines go.
 * @mm: the address space; its mmap_lock is taken for reading.
 *
 * Return: 0; -EINVAL when @out or @mm is NULL (nothing printed).
 */
int show_status(FILE *out, struct mm_struct *mm);

/* Populate hooks GUP provides (mm/gup.c). */
int __mm_populate(unsigned long start, unsigned long len, int ignore_errors);
static inline void mm_populate(unsigned long addr, unsigned long len)
{
	(void)__mm_populate(addr, len, 1);
}

#ifdef __cplusplus
}
#endif

#endif /* GUP_MM_H */
