// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shared anonymous memory: the object behind MAP_SHARED|MAP_ANONYMOUS, as the
 * kernel's shmem: an inode whose page cache holds the pages, indexed by offset;
 * every VMA mapping the file faults the same page in through vm_ops->fault.
 */
#include <fcntl.h>

#include "fs/internal.h"
#include <gup/pagemap.h>

static int shmem_set_page_dirty(struct page *page)
{
	return !TestSetPageDirty(page);
}

static const struct address_space_operations shmem_aops = {
	.set_page_dirty = shmem_set_page_dirty,
};

static int shmem_mmap(struct file *file, struct vm_area_struct *vma)
{
	(void)file;
	vma->vm_ops = &shmem_vm_ops;
	return 0;
}

/* The object dies with its inode, i.e. its last file; pinned pages outlive it, unowned. */
static const struct file_operations shmem_file_operations = {
	.mmap = shmem_mmap,
};

struct file *shmem_file_setup(unsigned long size)
{
	struct inode *inode = new_shmem_inode((loff_t)size, &shmem_aops);
	struct file *file;

	if (!inode)
		return NULL;
	file = alloc_file(inode, FMODE_READ | FMODE_WRITE, O_RDWR, &shmem_file_operations);
	if (!file)
		iput(inode);
	return file;
}

/* Find or create the page at @index; returned locked with a reference. */
static struct page *shmem_getpage(struct address_space *mapping, pgoff_t index)
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
	(void)vma;
	return "/dev/zero (deleted)";
}

const struct vm_operations_struct shmem_vm_ops = {
	.fault = shmem_fault,
	.name = shmem_vma_name,
};
