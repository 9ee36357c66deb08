/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * get_user_pages / pin_user_pages: FOLL_* flags with the kernel's values, pin
 * accounting, and every entry point of the kernel's mm/gup.c (about v5.11).
 */

/*
 * Every entry point that walks an address space (all but the grab/put/unpin
 * helpers) returns -ENODEV with no machine booted and -ESRCH, with a WARNING once,
 * when the calling thread runs no task (get_dump_page(): NULL); the return rules
 * below are for a call that runs.
 */
#ifndef GUP_GUP_H
#define GUP_GUP_H

#include <sys/uio.h>
#include <gup/mm.h>
#include <gup/pin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FOLL_WRITE 0x01	      /* check pte is writable */
#define FOLL_TOUCH 0x02	      /* mark page accessed */
#define FOLL_GET 0x04	      /* do get_page on page */
#define FOLL_DUMP 0x08	      /* give error on hole if it would be zero */
#define FOLL_FORCE 0x10	      /* get_user_pages read/write w/o permission */
#define FOLL_NOWAIT 0x20      /* if a disk transfer is needed, start the IO and return */
#define FOLL_POPULATE 0x40    /* fault in page */
#define FOLL_SPLIT 0x80	      /* don't return transhuge pages, split them */
#define FOLL_HWPOISON 0x100   /* check page is hwpoisoned */
#define FOLL_NUMA 0x200	      /* force NUMA hinting page fault */
#define FOLL_MIGRATION 0x400  /* wait for page to replace migration entry */
#define FOLL_TRIED 0x800      /* a retry, previous pass started an IO */
#define FOLL_MLOCK 0x1000     /* lock present pages */
#define FOLL_REMOTE 0x2000    /* we are working on non-current tsk/mm */
#define FOLL_COW 0x4000	      /* internal GUP flag */
#define FOLL_ANON 0x8000      /* don't do file mappings */
#define FOLL_LONGTERM 0x10000 /* mapping lifetime is indefinite */
#define FOLL_SPLIT_PMD 0x20000
#define FOLL_PIN 0x40000       /* pages must be released via unpin_user_page */
#define FOLL_FAST_ONLY 0x80000 /* gup_fast: prevent fall-back to slow gup */

/*
 * Flags later kernels added. Only the 6.18 profile gives them meaning; under
 * 5.11 they are unknown bits, ignored as 5.11 ignores any unknown bit (GUP-fast
 * refuses them as it refuses every flag outside its mask). FOLL_UNLOCKABLE and
 * FOLL_MADV_POPULATE keep their 6.x values; FOLL_NOFAULT's and
 * FOLL_HONOR_NUMA_FAULT's 6.x values (0x20, 0x1000) are FOLL_NOWAIT and
 * FOLL_MLOCK here, so they take free bits above every kernel's flags.
 */
#define FOLL_UNLOCKABLE 0x200000	/* internal (6.3): faults may drop mmap_lock */
#define FOLL_MADV_POPULATE 0x400000	/* internal (6.9): MADV_POPULATE_(READ|WRITE) */
#define FOLL_NOFAULT 0x1000000		/* 5.16: never fault, -EFAULT instead */
#define FOLL_HONOR_NUMA_FAULT 0x2000000 /* 6.6: take NUMA hinting faults */

bool try_grab_page(struct page *page, unsigned int flags);
struct page *try_grab_compound_head(struct page *page, int refs, unsigned int flags);
void put_compound_head(struct page *page, int refs, unsigned int flags);
void unpin_user_page(struct page *page);
void unpin_user_pages(struct page **pages, unsigned long npages);
void unpin_user_pages_dirty_lock(struct page **pages, unsigned long npages, bool make_dirty);

struct page *follow_page(struct vm_area_struct *vma, unsigned long address,
			 unsigned int foll_flags);

long get_user_pages_remote(struct mm_struct *mm, unsigned long start, unsigned long nr_pages,
			   unsigned int gup_flags, struct page **pages,
			   struct vm_area_struct **vmas, int *locked);
long pin_user_pages_remote(struct mm_struct *mm, unsigned long start, unsigned long nr_pages,
			   unsigned int gup_flags, struct page **pages,
			   struct vm_area_struct **vmas, int *locked);
long get_user_pages(unsigned long start, unsigned long nr_pages, unsigned int gup_flags,
		    struct page **pages, struct vm_area_struct **vmas);
long pin_user_pages(unsigned long start, unsigned long nr_pages, unsigned int gup_flags,
		    struct page **pages, struct vm_area_struct **vmas);
long get_user_pages_locked(unsigned long start, unsigned long nr_pages, unsigned int gup_flags,
			   struct page **pages, int *locked);
long pin_user_pages_locked(unsigned long start, unsigned long nr_pages, unsigned int gup_flags,
			   struct page **pages, int *locked);
long get_user_pages_unlocked(unsigned long start, unsigned long nr_pages, struct page **pages,
			     unsigned int gup_flags);
long pin_user_pages_unlocked(unsigned long start, unsigned long nr_pages, struct page **pages,
			     unsigned int gup_flags);
int get_user_pages_fast(unsigned long start, int nr_pages, unsigned int gup_flags,
			struct page **pages);
int get_user_pages_fast_only(unsigned long start, int nr_pages, unsigned int gup_flags,
			     struct page **pages);
int pin_user_pages_fast(unsigned long start, int nr_pages, unsigned int gup_flags,
			struct page **pages);
int pin_user_pages_fast_only(unsigned long start, int nr_pages, unsigned int gup_flags,
			     struct page **pages);

int fixup_user_fault(struct mm_struct *mm, unsigned long address, unsigned int fault_flags,
		     bool *unlocked);
long populate_vma_page_range(struct vm_area_struct *vma, unsigned long start, unsigned long end,
			     int *locked);
struct page *get_dump_page(unsigned long addr);

/* Consumers of GUP that make it observable: /proc/pid/mem, ptrace, process_vm_*. */
int access_remote_vm(struct mm_struct *mm, unsigned long addr, void *buf, int len,
		     unsigned int gup_flags);
int access_process_vm(struct task_struct *tsk, unsigned long addr, void *buf, int len,
		      unsigned int gup_flags);
/*
 * process_vm_readv/writev: @lvec describes the current task's (simulated) memory,
 * @rvec @task's. Return: bytes copied, or a negative errno if nothing was.
 */
long sys_process_vm_readv(struct task_struct *task, const struct iovec *lvec, unsigned long liovcnt,
			  const struct iovec *rvec, unsigned long riovcnt, unsigned long flags);
long sys_process_vm_writev(struct task_struct *task, const struct iovec *lvec,
			   unsigned long liovcnt, const struct iovec *rvec, unsigned long riovcnt,
			   unsigned long flags);

#ifdef __cplusplus
}
#endif

#endif /* GUP_GUP_H */
