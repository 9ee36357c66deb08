// SPDX-License-Identifier: GPL-2.0-only
/*
 * The file reverse map's index: the VMAs on an address_space's i_mmap, looked up
 * by the range of file pages [first, last] they map, and the i_mmap_rwsem helpers.
 */
#include "mm/internal.h"

/*
 * The kernel keeps i_mmap as an augmented rbtree keyed by vm_pgoff. Here it is a
 * list in link order with the tree's interface: a lookup tests every VMA for
 * overlap. A file is mapped by a handful of VMAs on this machine, and a list needs
 * no re-sorting when split_vma() or a merge moves a VMA's vm_pgoff.
 */
static unsigned long vma_last_pgoff(struct vm_area_struct *vma)
{
	return vma->vm_pgoff + vma_pages(vma) - 1;
}

static bool vma_overlaps(struct vm_area_struct *vma, unsigned long first, unsigned long last)
{
	return vma->vm_pgoff <= last && vma_last_pgoff(vma) >= first;
}

void vma_interval_tree_insert(struct vm_area_struct *vma, struct list_head *root)
{
	list_add_tail(&vma->shared, root);
}

void vma_interval_tree_remove(struct vm_area_struct *vma, struct list_head *root)
{
	(void)root;
	list_del(&vma->shared);
	INIT_LIST_HEAD(&vma->shared);
}

/* The first VMA after @pos (the list head to start) mapping part of [first, last]. */
static struct vm_area_struct *overlapping_after(struct list_head *pos, struct list_head *root,
						unsigned long first, unsigned long last)
{
	for (pos = pos->next; pos != root; pos = pos->next) {
		struct vm_area_struct *vma = list_entry(pos, struct vm_area_struct, shared);

		if (vma_overlaps(vma, first, last))
			return vma;
	}
	return NULL;
}

struct vm_area_struct *vma_interval_tree_iter_first(struct list_head *root, unsigned long first,
						    unsigned long last)
{
	return overlapping_after(root, root, first, last);
}

struct vm_area_struct *vma_interval_tree_iter_next(struct vm_area_struct *vma,
						   struct list_head *root, unsigned long first,
						   unsigned long last)
{
	return overlapping_after(&vma->shared, root, first, last);
}

void i_mmap_lock_write(struct address_space *mapping)
{
	down_write(&mapping->i_mmap_rwsem);
}

void i_mmap_unlock_write(struct address_space *mapping)
{
	up_write(&mapping->i_mmap_rwsem);
}

void i_mmap_lock_read(struct address_space *mapping)
{
	down_read(&mapping->i_mmap_rwsem);
}

void i_mmap_unlock_read(struct address_space *mapping)
{
	up_read(&mapping->i_mmap_rwsem);
}

void __vma_link_file(struct vm_area_struct *vma)
{
	if (vma->vm_file && list_empty(&vma->shared))
		vma_interval_tree_insert(vma, &vma->vm_file->f_mapping->i_mmap);
}

/*
 * A VMA's own i_mmap node changes when a neighbour on the list is unlinked, under
 * i_mmap_rwsem only: so whether it is linked is read under that lock too.
 */
void vma_link_file(struct vm_area_struct *vma)
{
	struct address_space *mapping;

	if (!vma->vm_file)
		return;
	mapping = vma->vm_file->f_mapping;
	i_mmap_lock_write(mapping);
	__vma_link_file(vma);
	i_mmap_unlock_write(mapping);
}

void unlink_file_vma(struct vm_area_struct *vma)
{
	struct address_space *mapping;

	if (!vma->vm_file)
		return;
	mapping = vma->vm_file->f_mapping;
	i_mmap_lock_write(mapping);
	if (!list_empty(&vma->shared))
		vma_interval_tree_remove(vma, &mapping->i_mmap);
	i_mmap_unlock_write(mapping);
}

struct address_space *vma_lock_file_range(struct vm_area_struct *vma)
{
	struct address_space *mapping = vma->vm_file ? vma->vm_file->f_mapping : NULL;

	if (mapping)
		i_mmap_lock_write(mapping);
	return mapping;
}

void vma_unlock_file_range(struct address_space *mapping)
{
	if (mapping)
		i_mmap_unlock_write(mapping);
}
