// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shared memory: the object behind MAP_SHARED|MAP_ANONYMOUS and memfd_create(),
 * as the kernel's shmem: an inode whose page cache holds the pages, indexed by
 * offset; every VMA mapping the file faults the same page in through
 * vm_ops->fault; pread and pwrite go through the same cache, under the seals.
 */
#include <fcntl.h>

#include "fs/internal.h"
#include <gup/pagemap.h>

static int shmem_set_page_dirty(struct page *page)
{
	return !TestSetPageDirty(page);
}

/*
 * As shmem_write_begin(): a write seal refuses every write, a grow seal each
 * chunk that would end beyond the file (so a write across the end is short);
 * then the page, a hole filled with zeroes. Caller holds i_rwsem, which
 * F_ADD_SEALS takes too. Return 0 with *@pagep locked, -EPERM or -ENOMEM.
 */
static int shmem_write_begin(struct file *file, loff_t pos, unsigned long len, struct page **pagep)
{
	struct inode *inode = file_inode(file);

	if (inode->i_seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		return -EPERM;
	if ((inode->i_seals & F_SEAL_GROW) && pos + (loff_t)len > inode->i_size)
		return -EPERM;
	*pagep = shmem_getpage(file->f_mapping, (pgoff_t)(pos >> PAGE_SHIFT));
	return *pagep ? 0 : -ENOMEM;
}

static const struct address_space_operations shmem_aops = {
	.set_page_dirty = shmem_set_page_dirty,
	.write_begin = shmem_write_begin,
};

static int shmem_mmap(struct file *file, struct vm_area_struct *vma)
{
	int err = memfd_check_seals_mmap(file, vma);

	if (err)
		return err;
	vma->vm_ops = &shmem_vm_ops;
	return 0;
}

struct page *shmem_getpage(struct address_space *mapping, pgoff_t index)
{
	for (;;) {
		struct page *page = find_lock_page(mapping, index);
		int err;

		if (page)
			return page;
		page = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_ZERO);
		if (!page)
			return NULL;
		SetPageUptodate(page);
		SetPageSwapBacked(page);
		err = add_to_page_cache_lru(page, mapping, index, GFP_HIGHUSER_MOVABLE);
		if (!err)
			return page;
		ClearPageSwapBacked(page);
		put_page(page);
		if (err != -EEXIST)
			return NULL;
	}
}

/* --- pread and pwrite --- */

static const char shmem_zeroes[PAGE_SIZE];

/* As shmem_file_read_iter(): a hole reads as zeroes and stays a hole. */
static ssize_t shmem_file_read(struct file *file, unsigned long buf, size_t count, loff_t pos)
{
	struct inode *inode = file_inode(file);
	ssize_t done = 0;

	while (count) {
		loff_t size = READ_ONCE(inode->i_size);
		unsigned long offset = pos & ~PAGE_MASK, nr, left;
		struct page *page;

		if (pos >= size)
			break;
		nr = min_t(unsigned long, PAGE_SIZE - offset, count);
		nr = min_t(unsigned long, nr, (unsigned long)(size - pos));
		page = find_get_page(file->f_mapping, (pgoff_t)(pos >> PAGE_SHIFT));
		/* No page lock held: the copy may fault on a mapping of this very page. */
		left = copy_to_user(buf + done,
				    page ? (char *)page_address(page) + offset : shmem_zeroes, nr);
		if (page)
			put_page(page);
		done += nr - left;
		pos += nr - left;
		count -= nr - left;
		if (left)
			return done ? done : -EFAULT;
	}
	return done;
}

/* As shmem_setattr(): a shrink or grow seal refuses the new size with -EPERM. */
static int shmem_setsize_allowed(struct file *file, loff_t size)
{
	struct inode *inode = file_inode(file);

	if (size < inode->i_size && (inode->i_seals & F_SEAL_SHRINK))
		return -EPERM;
	if (size > inode->i_size && (inode->i_seals & F_SEAL_GROW))
		return -EPERM;
	return 0;
}

/* The object dies with its inode, i.e. its last file; pinned pages outlive it, unowned. */
static const struct file_operations shmem_file_operations = {
	.mmap = shmem_mmap,
	.read = shmem_file_read,
	.setsize_allowed = shmem_setsize_allowed,
};

bool shmem_file(const struct file *file)
{
	return file->f_op == &shmem_file_operations;
}

struct file *shmem_file_setup(unsigned long size)
{
	struct inode *inode = new_shmem_inode((loff_t)size, &shmem_aops);
	struct file *file;

	if (!inode)
		return NULL;
	/* As shmem_get_inode(): sealing is memfd_create(MFD_ALLOW_SEALING)'s to allow. */
	inode->i_seals = F_SEAL_SEAL;
	file = alloc_file(inode, FMODE_READ | FMODE_WRITE, O_RDWR, &shmem_file_operations);
	if (!file)
		iput(inode);
	return file;
}

/* --- faults --- */

static vm_fault_t shmem_fault(struct vm_fault *vmf)
{
	struct address_space *mapping = vmf->vma->vm_file->f_mapping;

	if (vmf->pgoff >= DIV_ROUND_UP((pgoff_t)READ_ONCE(mapping->host->i_size), PAGE_SIZE))
		return VM_FAULT_SIGBUS;
	vmf->page = shmem_getpage(mapping, vmf->pgoff);
	if (!vmf->page)
		return VM_FAULT_OOM;
	return VM_FAULT_LOCKED;
}

static const char *shmem_vma_name(struct vm_area_struct *vma)
{
	const char *name = vma->vm_file->f_inode->path;

	return name ? name : "/dev/zero (deleted)";
}

const struct vm_operations_struct shmem_vm_ops = {
	.fault = shmem_fault,
	.name = shmem_vma_name,
};
