// SPDX-License-Identifier: GPL-2.0-only
/*
 * process_vm_readv() and process_vm_writev(): copy between the current task's
 * memory and another task's without going through a pipe or ptrace, as the
 * kernel's mm/process_vm_access.c does (v5.10 on: remote pages are pinned with
 * pin_user_pages_remote()).
 */

/*
 * The remote side is pinned in batches and copied through the frames' bytes;
 * the local side is reached with copy_to_user()/copy_from_user() as current,
 * so it faults like any access of the task's own. A copy that fails part way
 * reports the bytes moved so far; only a failure before the first byte is
 * reported as an error.
 */
#include "mm/internal.h"

/* The kernel's limit on iovec counts (the host's <sys/uio.h> spells it too). */
#define PVM_UIO_MAXIOV 1024
/* The kernel caps one read/write call at INT_MAX rounded down to a page. */
#define MAX_RW_COUNT ((size_t)INT_MAX & PAGE_MASK)
/* At most this many remote pages are pinned at a time. */
#define PVM_MAX_PINNED_PAGES (2 * PAGE_SIZE / sizeof(struct page *))

/* A position in the local iovec array, as the kernel's iov_iter. */
struct local_iter {
	const struct iovec *iov;
	unsigned long nr_segs;
	size_t seg_offset; /* bytes consumed of iov[0] */
	size_t count;	   /* bytes left in the whole array */
};

/* Bytes left of the current local segment, after skipping empty ones. */
static size_t local_iter_seg_left(struct local_iter *it)
{
	while (it->nr_segs && it->seg_offset == it->iov->iov_len) {
		it->iov++;
		it->nr_segs--;
		it->seg_offset = 0;
	}
	return it->nr_segs ? it->iov->iov_len - it->seg_offset : 0;
}

/*
 * Move up to @len bytes between @kaddr (a remote frame) and the local iovecs:
 * into the local memory for a read, out of it for a write. Returns the bytes
 * moved; fewer than asked means a local fault or the local side is full.
 */
static size_t local_iter_copy(struct local_iter *it, char *kaddr, size_t len, bool vm_write)
{
	size_t moved = 0;

	while (moved < len && it->count) {
		size_t seg_left = local_iter_seg_left(it);
		size_t chunk = min_t(size_t, seg_left, min_t(size_t, len - moved, it->count));
		unsigned long uaddr = (unsigned long)it->iov->iov_base + it->seg_offset;
		unsigned long missed;

		if (vm_write)
			missed = copy_from_user(kaddr + moved, uaddr, chunk);
		else
			missed = copy_to_user(uaddr, kaddr + moved, chunk);
		chunk -= missed;
		moved += chunk;
		it->seg_offset += chunk;
		it->count -= chunk;
		if (missed)
			break;
	}
	return moved;
}

/*
 * Copy @len bytes, starting @offset into the first of @pages, between the
 * pinned remote pages and the local side. Returns 0, or -EFAULT when the local
 * side faulted while it still had room.
 */
static int process_vm_rw_pages(struct page **pages, size_t offset, size_t len,
			       struct local_iter *iter, bool vm_write)
{
	while (len && iter->count) {
		size_t want = min_t(size_t, PAGE_SIZE - offset, len);
		size_t moved = local_iter_copy(iter, (char *)page_address(*pages) + offset, want,
					       vm_write);

		len -= moved;
		if (moved < want && iter->count)
			return -EFAULT;
		offset = 0;
		pages++;
	}
	return 0;
}

/*
 * Copy one remote segment [addr, addr + len) in batches of pinned pages.
 * Returns 0, or -EFAULT when a remote page could not be pinned or the local
 * side faulted; the iterator records what was moved before that.
 */
static int process_vm_rw_single_vec(unsigned long addr, unsigned long len, struct local_iter *iter,
				    struct page **pinned, struct mm_struct *mm, bool vm_write)
{
	unsigned long page_addr = addr & PAGE_MASK;
	size_t offset = addr - page_addr;
	unsigned int gup_flags = vm_write ? FOLL_WRITE : 0;
	unsigned long nr_pages;
	int rc = 0;

	if (!len)
		return 0;
	nr_pages = (addr + len - 1) / PAGE_SIZE - addr / PAGE_SIZE + 1;

	while (!rc && nr_pages && iter->count) {
		unsigned long batch = min_t(unsigned long, nr_pages, PVM_MAX_PINNED_PAGES);
		int locked = 1;
		long got;
		size_t bytes;

		/* The remote mm is not current's: pin through it explicitly. */
		mmap_read_lock(mm);
		got = pin_user_pages_remote(mm, page_addr, batch, gup_flags, pinned, NULL, &locked);
		if (locked)
			mmap_read_unlock(mm);
		if (got <= 0)
			return -EFAULT;

		bytes = min_t(size_t, (size_t)got * PAGE_SIZE - offset, len);
		rc = process_vm_rw_pages(pinned, offset, bytes, iter, vm_write);
		len -= bytes;
		offset = 0;
		nr_pages -= (unsigned long)got;
		page_addr += (unsigned long)got * PAGE_SIZE;

		/* Pages we wrote into must reach their backing store. */
		unpin_user_pages_dirty_lock(pinned, (unsigned long)got, vm_write);
	}
	return rc;
}

/* The largest number of pages any remote segment spans. */
static unsigned long max_pages_per_vec(const struct iovec *rvec, unsigned long riovcnt)
{
	unsigned long i, most = 0;

	for (i = 0; i < riovcnt; i++) {
		unsigned long base = (unsigned long)rvec[i].iov_base;
		unsigned long span;

		if (!rvec[i].iov_len)
			continue;
		span = (base + rvec[i].iov_len) / PAGE_SIZE - base / PAGE_SIZE + 1;
		most = max_t(unsigned long, most, span);
	}
	return most;
}

/* Pin @task's address space for the copy, or return NULL if it has none. */
static struct mm_struct *process_vm_get_mm(struct task_struct *task)
{
	struct mm_struct *mm = task ? READ_ONCE(task->mm) : NULL;

	if (!mm || !mmget_not_zero(mm))
		return NULL;
	return mm;
}

static long process_vm_rw_core(struct task_struct *task, struct local_iter *iter,
			       const struct iovec *rvec, unsigned long riovcnt, bool vm_write)
{
	size_t total = iter->count;
	unsigned long nr_pages = max_pages_per_vec(rvec, riovcnt);
	struct page **pinned;
	struct mm_struct *mm;
	unsigned long i;
	long rc = 0;

	if (!nr_pages)
		return 0;
	pinned = calloc(min_t(unsigned long, nr_pages, PVM_MAX_PINNED_PAGES), sizeof(*pinned));
	if (!pinned)
		return -ENOMEM;

	mm = process_vm_get_mm(task);
	if (!mm) {
		free(pinned);
		return -ESRCH;
	}

	for (i = 0; i < riovcnt && iter->count && !rc; i++)
		rc = process_vm_rw_single_vec((unsigned long)rvec[i].iov_base, rvec[i].iov_len,
					      iter, pinned, mm, vm_write);
	mmput(mm);
	free(pinned);

	/* Anything moved at all is reported as a count, not as the error. */
	total -= iter->count;
	return total ? (long)total : rc;
}

/*
 * Validate the local iovecs as import_iovec() does: at most UIO_MAXIOV of
 * them, no length that is negative as a ssize_t (-EINVAL), every segment
 * inside user space (-EFAULT), and the total capped at MAX_RW_COUNT.
 */
static int import_local_iovec(const struct iovec *lvec, unsigned long liovcnt,
			      struct local_iter *iter)
{
	size_t total = 0;
	unsigned long i;

	if (liovcnt > PVM_UIO_MAXIOV)
		return -EINVAL;
	if (liovcnt && !lvec)
		return -EFAULT;
	for (i = 0; i < liovcnt; i++) {
		unsigned long base = (unsigned long)lvec[i].iov_base;
		size_t len = lvec[i].iov_len;

		if ((ssize_t)len < 0)
			return -EINVAL;
		if (len > TASK_SIZE || base > TASK_SIZE - len)
			return -EFAULT;
		total += min_t(size_t, len, MAX_RW_COUNT - total);
	}
	*iter = (struct local_iter){.iov = lvec, .nr_segs = liovcnt, .count = total};
	return 0;
}

static long process_vm_rw(struct task_struct *task, const struct iovec *lvec, unsigned long liovcnt,
			  const struct iovec *rvec, unsigned long riovcnt, unsigned long flags,
			  bool vm_write)
{
	struct local_iter iter;
	int err;

	if (flags != 0)
		return -EINVAL;
	err = import_local_iovec(lvec, liovcnt, &iter);
	if (err)
		return err;
	if (!iter.count)
		return 0;
	if (riovcnt > PVM_UIO_MAXIOV)
		return -EINVAL;
	if (riovcnt && !rvec)
		return -EFAULT;
	return process_vm_rw_core(task, &iter, rvec, riovcnt, vm_write);
}

/**
 * sys_process_vm_readv() - copy from @task's memory into the current task's
 * @task: the task to read from.
 * @lvec: local (current task) destination segments.
 * @liovcnt: number of @lvec entries.
 * @rvec: remote (@task) source segments.
 * @riovcnt: number of @rvec entries.
 * @flags: must be 0.
 *
 * The remote segments are read in order until the local segments are full.
 *
 * Return:
 * * the number of bytes copied, which may be short when a remote page could
 *   not be got or a local page faulted after some bytes were copied;
 * * 0 when there is nothing to copy;
 * * -EINVAL for non-zero @flags, more than UIO_MAXIOV (1024) segments on either
 *   side, or a local length that overflows;
 * * -EFAULT for a local segment outside user space, or when the very first
 *   byte could not be copied;
 * * -ESRCH when @task has no address space; -ENOMEM when out of memory.
 */
long sys_process_vm_readv(struct task_struct *task, const struct iovec *lvec, unsigned long liovcnt,
			  const struct iovec *rvec, unsigned long riovcnt, unsigned long flags)
{
	SIM_ENTER(sim_entry_err);
	return process_vm_rw(task, lvec, liovcnt, rvec, riovcnt, flags, false);
}

/**
 * sys_process_vm_writev() - copy from the current task's memory into @task's
 * @task: the task to write to.
 * @lvec: local (current task) source segments.
 * @liovcnt: number of @lvec entries.
 * @rvec: remote (@task) destination segments.
 * @riovcnt: number of @rvec entries.
 * @flags: must be 0.
 *
 * The remote pages are pinned with FOLL_WRITE, so they must be writable (no
 * FOLL_FORCE: read-only memory is refused), and are dirtied when unpinned.
 *
 * Return: as sys_process_vm_readv().
 */
long sys_process_vm_writev(struct task_struct *task, const struct iovec *lvec,
			   unsigned long liovcnt, const struct iovec *rvec, unsigned long riovcnt,
			   unsigned long flags)
{
	SIM_ENTER(sim_entry_err);
	return process_vm_rw(task, lvec, liovcnt, rvec, riovcnt, flags, true);
}
