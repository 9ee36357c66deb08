// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shared anonymous memory: the object behind MAP_SHARED|MAP_ANONYMOUS, as the
 * kernel's shmem: a file whose mapping holds the pages, indexed by offset; every
 * VMA mapping the file faults the same page in through vm_ops->fault.
 */
#include "mm/internal.h"

static int shmem_set_page_dirty(struct page *page)
{
	return !TestSetPageDirty(page);
}

static const struct address_space_operations shmem_aops = {
	.set_page_dirty = shmem_set_page_dirty,
};

static void shmem_evict_mapping(struct address_space *mapping)
{
	for (unsigned long i = 0; i < mapping->nr_slots; i++) {
		struct page *page = mapping->i_pages[i];

		if (!page)
			continue;
		WRITE_ONCE(page->mapping, NULL);
		count_vm_stat(NR_SHMEM, -1);
		put_page(page);
	}
	free(mapping->i_pages);
	pthread_spin_destroy(&mapping->i_pages_lock);
	free(mapping);
	atomic_long_add(-1, &sim.nr_mappings);
}

/* The object dies with its file, i.e. its last mapping; pinned pages outlive it, unowned. */
void shmem_release(struct file *file)
{
	shmem_evict_mapping(file->f_mapping);
}

static const struct file_operations shmem_file_operations = {
	.release = shmem_release,
};

static struct address_space *shmem_alloc_mapping(unsigned long size)
{
	struct address_space *mapping = calloc(1, sizeof(*mapping));

	if (!mapping)
		return NULL;
	mapping->nr_slots = size >> PAGE_SHIFT;
	mapping->i_pages = calloc(mapping->nr_slots, sizeof(struct page *));
	if (!mapping->i_pages) {
		free(mapping);
		return NULL;
	}
	spin_lock_init(&mapping->i_pages_lock);
	mapping->a_ops = &shmem_aops;
	atomic_long_add(1, &sim.nr_mappings);
	return mapping;
}

struct file *shmem_file_setup(unsigned long size)
{
	struct address_space *mapping = shmem_alloc_mapping(size);
	struct file *file;

	if (!mapping)
		return NULL;
	file = alloc_file(mapping, &shmem_file_operations);
	if (!file)
		shmem_evict_mapping(mapping);
	return file;
}

/* Find or create the page at @index; returned locked with a reference. */
static struct page *shmem_getpage(struct address_space *mapping, unsigned long index)
{
	struct page *page, *fresh = NULL;

	for (;;) {
		spin_lock(&mapping->i_pages_lock);
		page = mapping->i_pages[index];
		if (!page && fresh) {
			mapping->i_pages[index] = page = fresh;
			WRITE_ONCE(fresh->mapping, mapping);
			fresh->index = index;
			SetPageUptodate(fresh);
			SetPageSwapBacked(fresh);
			/* The allocation's reference becomes the object's. */
			mapping->nrpages++;
			count_vm_stat(NR_SHMEM, 1);
			fresh = NULL;
		}
		if (page)
			get_page(page);
		spin_unlock(&mapping->i_pages_lock);
		if (page)
			break;
		fresh = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_ZERO);
		if (!fresh)
			return NULL;
	}
	if (fresh)
		put_page(fresh);
	lock_page(page);
	return page;
}

static vm_fault_t shmem_fault(struct vm_fault *vmf)
{
	struct address_space *mapping = vmf->vma->vm_file->f_mapping;

	if (vmf->pgoff >= mapping->nr_slots)
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
