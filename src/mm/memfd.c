// SPDX-License-Identifier: GPL-2.0-only
/*
 * memfd_create() and file sealing (the kernel's mm/memfd.c): a shmem file at a
 * descriptor, the F_ADD_SEALS / F_GET_SEALS rules, the count of writable shared
 * mappings that F_SEAL_WRITE must find at zero, and the wait for pinned pages.
 */
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>

#include "fs/internal.h"
#include <gup/pagemap.h>

#define MFD_NAME_PREFIX "memfd:"
#define MFD_NAME_PREFIX_LEN (sizeof(MFD_NAME_PREFIX) - 1)
#define MFD_NAME_MAX_LEN (255 - MFD_NAME_PREFIX_LEN) /* NAME_MAX with the prefix */
#define MFD_ALL_FLAGS (MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB)

#define MFD_HUGE_SHIFT_BITS 26
#define MFD_HUGE_MASK_BITS 0x3fU
/* The seals 5.11 knows; 6.3 adds F_SEAL_EXEC (memfd_known_seals()). */
#define F_ALL_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)
#define F_WRITE_SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)
/* memfd_wait_for_pins() looks this many more times before it gives up. */
#define LAST_SCAN 4

/* --- the writable-mapping count (include/linux/fs.h's i_mmap_writable) --- */

int mapping_map_writable(struct address_space *mapping)
{
	int old = atomic_read(&mapping->i_mmap_writable);

	do {
		if (old < 0)
			return -EPERM;
	} while (!__atomic_compare_exchange_n(&mapping->i_mmap_writable.counter, &old, old + 1,
					      false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	return 0;
}

static void mapping_unmap_writable(struct address_space *mapping)
{
	atomic_dec(&mapping->i_mmap_writable);
}

/* F_SEAL_WRITE's side: Return 0 with new writable mappings denied, or -EBUSY while one exists. */
static int mapping_deny_writable(struct address_space *mapping)
{
	int old = atomic_read(&mapping->i_mmap_writable);

	do {
		if (old > 0)
			return -EBUSY;
	} while (!__atomic_compare_exchange_n(&mapping->i_mmap_writable.counter, &old, old - 1,
					      false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	return 0;
}

static void mapping_allow_writable(struct address_space *mapping)
{
	atomic_inc(&mapping->i_mmap_writable);
}

/*
 * Does @vma count as a writable mapping of its file? 5.11: every VM_SHARED one
 * (it may be mprotect()ed writable). 6.7: only one that may still become
 * writable (VM_SHARED|VM_MAYWRITE), which a write seal's read-only mapping is not.
 */
static bool vma_counts_writable(const struct vm_area_struct *vma)
{
	if (!vma->vm_file || !(vma->vm_flags & VM_SHARED))
		return false;
	return !mm_profile->write_seal_allows_ro_shared_mmap || (vma->vm_flags & VM_MAYWRITE);
}

int vma_map_writable(struct vm_area_struct *vma)
{
	return vma_counts_writable(vma) ? mapping_map_writable(vma->vm_file->f_mapping) : 0;
}

void vma_dup_writable(struct vm_area_struct *vma)
{
	if (vma_counts_writable(vma))
		atomic_inc(&vma->vm_file->f_mapping->i_mmap_writable);
}

void vma_unmap_writable(struct vm_area_struct *vma)
{
	if (vma_counts_writable(vma))
		mapping_unmap_writable(vma->vm_file->f_mapping);
}

/* --- seals --- */

int memfd_check_seals_flags(struct file *file, vm_flags_t *vm_flags)
{
	unsigned int seals = READ_ONCE(file_inode(file)->i_seals);
	/* 5.11's seal_check_future_write(); 6.7's seal_check_write() adds F_SEAL_WRITE. */
	unsigned int mask = mm_profile->write_seal_allows_ro_shared_mmap
				    ? F_SEAL_WRITE | F_SEAL_FUTURE_WRITE
				    : F_SEAL_FUTURE_WRITE;

	if (!(seals & mask) || !(*vm_flags & VM_SHARED))
		return 0; /* a private mapping stays COW-writable */
	if (*vm_flags & VM_WRITE)
		return -EPERM;
	/* Read-only for good: mprotect() to writable is -EACCES. */
	*vm_flags &= ~VM_MAYWRITE;
	return 0;
}

int memfd_check_seals_mmap(struct file *file, struct vm_area_struct *vma)
{
	return memfd_check_seals_flags(file, &vma->vm_flags);
}

/*
 * Pages of @mapping that someone besides the cache and the PTEs mapping them
 * holds: a GUP reference or pin through which the page may still be written.
 */
static unsigned long memfd_count_pinned(struct address_space *mapping)
{
	unsigned long index, busy = 0;
	struct page *page;

	spin_lock(&mapping->i_pages_lock);
	/* A swap entry is no page (memfd_wait_for_pins() looks at pages only). */
	xa_for_each(&mapping->i_pages, index, page) busy +=
		!xa_is_value(page) && page_count(page) - page_mapcount(page) != 1;
	spin_unlock(&mapping->i_pages_lock);
	return busy;
}

/*
 * memfd_wait_for_pins(): F_SEAL_WRITE must not leave a writer behind, so a page
 * with an extra reference is waited for, looking again LAST_SCAN times (the
 * kernel sleeps 10 to 80 ms between looks; we let the other threads run).
 * Return: 0, or -EBUSY when a page is still held at the last look.
 */
static int memfd_wait_for_pins(struct address_space *mapping)
{
	for (int scan = 0; scan <= LAST_SCAN; scan++) {
		if (!memfd_count_pinned(mapping))
			return 0;
		if (scan < LAST_SCAN)
			sched_yield();
	}
	return -EBUSY;
}

/* The seals of @file, or NULL for a file that cannot be sealed (only shmem can). */
static unsigned int *memfd_file_seals_ptr(struct file *file)
{
	return shmem_file(file) || hugetlb_memfd_file(file) ? &file_inode(file)->i_seals : NULL;
}

static unsigned int memfd_known_seals(void)
{
	return F_ALL_SEALS | (mm_profile->memfd_exec_seals ? F_SEAL_EXEC : 0);
}

static int memfd_add_seals(struct file *file, unsigned int seals)
{
	struct inode *inode = file_inode(file);
	unsigned int *file_seals;
	int err = 0;

	if (!(file->f_mode & FMODE_WRITE))
		return -EPERM;
	if (seals & ~memfd_known_seals())
		return -EINVAL;
	pthread_mutex_lock(&inode->i_rwsem);
	file_seals = memfd_file_seals_ptr(file);
	/*
	 * W^X: F_SEAL_EXEC on an executable file seals it against writes too. A file
	 * still without F_SEAL_EXEC is executable here (MFD_NOEXEC_SEAL files start
	 * with the seal, and there is no chmod).
	 */
	if (file_seals && (seals & F_SEAL_EXEC) && !(*file_seals & F_SEAL_EXEC))
		seals |= F_WRITE_SEALS;
	if (!file_seals) {
		err = -EINVAL;
	} else if (*file_seals & F_SEAL_SEAL) {
		err = -EPERM;
	} else if ((seals & F_SEAL_WRITE) && !(*file_seals & F_SEAL_WRITE)) {
		err = mapping_deny_writable(file->f_mapping);
		if (!err) {
			err = memfd_wait_for_pins(file->f_mapping);
			if (err)
				mapping_allow_writable(file->f_mapping);
		}
	}
	if (!err)
		WRITE_ONCE(*file_seals, *file_seals | seals);
	pthread_mutex_unlock(&inode->i_rwsem);
	return err;
}

static int memfd_get_seals(struct file *file)
{
	unsigned int *seals = memfd_file_seals_ptr(file);

	return seals ? (int)READ_ONCE(*seals) : -EINVAL;
}

long memfd_fcntl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case F_ADD_SEALS:
		if (arg > UINT32_MAX)
			return -EINVAL;
		return memfd_add_seals(file, (unsigned int)arg);
	case F_GET_SEALS:
		return memfd_get_seals(file);
	default:
		return -EINVAL;
	}
}

/* --- memfd_pin_folios()'s pages --- */

struct page *memfd_get_page(struct file *memfd, unsigned long index, int *err)
{
	struct address_space *mapping = memfd->f_mapping;
	struct page *page = find_get_page(mapping, index);

	if (page)
		return page;
	/* shmem_read_folio() refuses an index at or beyond the end of the file. */
	if ((loff_t)index << PAGE_SHIFT >= READ_ONCE(mapping->host->i_size)) {
		*err = -EINVAL;
		return NULL;
	}
	*err = shmem_getpage(mapping, index, SGP_CACHE, &page, NULL);
	if (!*err)
		unlock_page(page); /* the caller wants the reference alone */
	return *err ? NULL : page;
}

/* --- memfd_create --- */

/* Are @flags ones memfd_create() knows (a huge page size only with MFD_HUGETLB)? */
static bool memfd_flags_valid(unsigned int flags)
{
	unsigned int allowed = MFD_ALL_FLAGS;

	if (mm_profile->memfd_exec_seals) {
		allowed |= MFD_EXEC | MFD_NOEXEC_SEAL;
		if ((flags & MFD_EXEC) && (flags & MFD_NOEXEC_SEAL))
			return false;
	}
	if (flags & MFD_HUGETLB)
		allowed |= MFD_HUGE_MASK_BITS << MFD_HUGE_SHIFT_BITS;
	return !(flags & ~allowed);
}

int sys_memfd_create(const char *name, unsigned int flags)
{
	SIM_ENTER(sim_entry_err);
	struct inode *inode;
	struct file *file;
	int fd, err = -ENOMEM;
	size_t len;

	if (!memfd_flags_valid(flags))
		return -EINVAL;
	if (!name)
		return -EFAULT;
	len = strnlen(name, MFD_NAME_MAX_LEN + 1);
	if (len > MFD_NAME_MAX_LEN)
		return -EINVAL;
	if (flags & MFD_HUGETLB)
		file = hugetlb_memfd_setup((flags >> MFD_HUGE_SHIFT_BITS) & MFD_HUGE_MASK_BITS,
					   &err);
	else
		file = shmem_file_setup(0);
	if (!file)
		return err;
	inode = file_inode(file);
	/* maps shows the object as /proc does: "/memfd:NAME (deleted)". */
	if (asprintf(&inode->path, "/" MFD_NAME_PREFIX "%s (deleted)", name) < 0) {
		inode->path = NULL;
		fput(file);
		return -ENOMEM;
	}
	file->f_flags |= O_LARGEFILE;
	if (flags & MFD_CLOEXEC)
		file->f_flags |= O_CLOEXEC; /* no exec here: recorded, changes nothing */
	/* Not executable and sealed so (6.3); sealing is then allowed too. */
	if (flags & MFD_NOEXEC_SEAL)
		inode->i_seals = F_SEAL_EXEC;
	else if (flags & MFD_ALLOW_SEALING)
		inode->i_seals &= ~(unsigned int)F_SEAL_SEAL;
	fd = fd_install_lowest(file);
	if (fd < 0)
		fput(file);
	return fd;
}
