// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading and writing another address space through GUP: the machinery behind
 * /proc/pid/mem and ptrace's PEEK/POKE. (The kernel keeps these in mm/memory.c.)
 */

/*
 * Each page is looked up with get_user_pages_remote(), copied through its
 * frame's bytes, dirtied if it was written, and released. The copy stops at
 * the first page that cannot be got, and the bytes moved so far are reported.
 */
#include "mm/internal.h"

/*
 * Copy between @buf and the page at @addr, at most up to the end of that page
 * and @len bytes. Returns the number of bytes copied, or 0 when the page could
 * not be got.
 */
static int access_one_page(struct mm_struct *mm, unsigned long addr, void *buf, int len,
			   unsigned int gup_flags)
{
	unsigned long offset = addr & ~PAGE_MASK;
	int chunk = (int)min_t(unsigned long, (unsigned long)len, PAGE_SIZE - offset);
	struct vm_area_struct *vma;
	struct page *page = NULL;
	char *frame;

	if (get_user_pages_remote(mm, addr, 1, gup_flags, &page, &vma, NULL) <= 0)
		return 0;

	frame = (char *)page_address(page) + offset;
	if (gup_flags & FOLL_WRITE) {
		memcpy(frame, buf, (size_t)chunk);
		set_page_dirty_lock(page);
	} else {
		memcpy(buf, frame, (size_t)chunk);
	}
	pin_owner_put_page(page); /* a GUP reference: its owner record goes with it */
	return chunk;
}

/* The VMA holding @addr, or NULL (the kernel's vma_lookup()). */
static struct vm_area_struct *vma_covering(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return vma && vma->vm_start <= addr ? vma : NULL;
}

/*
 * The body of access_remote_vm() and access_process_vm(): @mm is kept alive by
 * the caller; its mmap_lock is taken here (killably: a killed caller moves
 * nothing).
 */
static int __access_remote_vm(struct mm_struct *mm, unsigned long addr, void *buf, int len,
			      unsigned int gup_flags)
{
	char *cursor = buf;

	if (len <= 0 || mmap_read_lock_killable(mm))
		return 0;
	/* 6.5: GUP grows no stack any more, so the access grows one itself first. */
	if (mm_profile->access_remote_expands_stack && !vma_covering(mm, addr) &&
	    !in_gate_area(mm, addr) && !expand_stack_unlocked(mm, addr))
		return 0;

	while (len > 0) {
		int copied = access_one_page(mm, addr, cursor, len, gup_flags);

		/* No I/O-memory ->access() fallback exists here: stop at the hole. */
		if (!copied)
			break;
		cursor += copied;
		addr += (unsigned long)copied;
		len -= copied;
	}
	mmap_read_unlock(mm);
	return (int)(cursor - (char *)buf);
}

/**
 * access_remote_vm() - copy bytes to or from another address space
 * @mm: the address space; the caller holds a reference (mmget) on it.
 * @addr: first user address in @mm.
 * @buf: local buffer to copy from (FOLL_WRITE) or into.
 * @len: number of bytes.
 * @gup_flags: FOLL_WRITE to write into @mm; FOLL_FORCE to override the
 *             mapping's protection as ptrace does (COW for private mappings).
 *
 * Return: the number of bytes copied: @len when everything was, fewer when a
 * page in the range could not be got (unmapped, refused, out of memory), 0 when
 * the first one could not or the caller was killed while waiting for the lock;
 * -ENODEV with no machine, -ESRCH (with a warning) from a thread running no task.
 */
int access_remote_vm(struct mm_struct *mm, unsigned long addr, void *buf, int len,
		     unsigned int gup_flags)
{
	SIM_ENTER(sim_entry_err);
	return __access_remote_vm(mm, addr, buf, len, gup_flags);
}

/**
 * access_process_vm() - copy bytes to or from a task's address space
 * @tsk: the task.
 * @addr: first user address in @tsk's address space.
 * @buf: local buffer.
 * @len: number of bytes.
 * @gup_flags: as for access_remote_vm().
 *
 * Return: as access_remote_vm(); 0 also when @tsk has no address space any
 * more (it exited).
 */
int access_process_vm(struct task_struct *tsk, unsigned long addr, void *buf, int len,
		      unsigned int gup_flags)
{
	SIM_ENTER(sim_entry_err);
	struct mm_struct *mm = tsk ? READ_ONCE(tsk->mm) : NULL;
	int copied;

	if (!mm || !mmget_not_zero(mm))
		return 0;
	copied = __access_remote_vm(mm, addr, buf, len, gup_flags);
	mmput(mm);
	return copied;
}
