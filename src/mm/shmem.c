// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shared anonymous memory: the object behind MAP_SHARED|MAP_ANONYMOUS, as the
 * kernel's shmem. Pages live in the object, indexed by offset, and every mapping
 * of the object faults the same page in through vm_ops->fault.
 */
#include "mm/internal.h"

static int shmem_set_page_dirty(struct page *page)
{
	return !TestSetPageDirty(page);
}

static const struct address_space_operations shmem_aops = {
	.set_page_dirty = shmem_set_page_dirty,
};

struct address_space *shmem_create(unsigned long size)
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
	atomic_set(&mapping->refcount, 1);
	spin_lock_init(&mapping->i_pages_lock);
	mapping->a_ops = &shmem_aops;
	atomic_long_add(1, &sim.nr_mappings);
	return mapping;
}

void mapping_get(struct address_space *mapping)
{
	atomic_inc(&mapping->refcount);
}

/* The object dies with its last mapping; pages still pinned outlive it, unowned. */
void mapping_put(struct address_space *mapping)
{
	if (!mapping || !atomic_dec_and_test(&mapping->refcount))
		return;
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
	struct address_space *mapping = vmf->vma->vm_file;

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
