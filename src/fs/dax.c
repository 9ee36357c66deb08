// SPDX-License-Identifier: GPL-2.0-only
/*
 * fsdax (fs/dax.c): with sim_config.dax_dir and device_bytes, all device memory
 * is one MEMORY_DEVICE_FS_DAX "pmem" pgmap, and a file under dax_dir keeps its
 * data there: its shared mappings map the device pages with devmap PTEs and PMDs,
 * its private ones read-only with PTEs, copied on write.
 */
#include <gup/memremap.h>
#include "fs/internal.h"
#include <gup/pagemap.h>

/* The blocks of one file: a contiguous run of pmem, 2 MiB-aligned (i_private). */
struct dax_extent {
	unsigned long start_pfn, nr_pages;
	struct list_head deferred; /* on dax_deferred once its inode is gone */
};

/*
 * Which 2 MiB chunks of the pmem files hold (pgmap->owner), and the extents of
 * evicted files still referenced (dax_evict_defers_busy_blocks), under this lock.
 */
static pthread_mutex_t dax_alloc_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_HEAD(dax_deferred);

int fsdax_pmem_init(void)
{
	struct dev_pagemap *pgmap;
	int err;

	if (!sim.dax_dir || !sim.device_pages)
		return 0;
	pgmap = calloc(1, sizeof(*pgmap));
	if (!pgmap)
		return -ENOMEM;
	pgmap->type = MEMORY_DEVICE_FS_DAX;
	pgmap->range.start = (uint64_t)sim.device_start_pfn << PAGE_SHIFT;
	pgmap->range.end = ((uint64_t)(sim.device_start_pfn + sim.device_pages) << PAGE_SHIFT) - 1;
	pgmap->owner = calloc(sim.device_pages / HPAGE_PMD_NR, sizeof(bool));
	err = pgmap->owner ? memremap_pages(pgmap) : -ENOMEM;
	if (err) {
		free(pgmap->owner);
		free(pgmap);
		return err;
	}
	sim.fsdax_pgmap = pgmap;
	return 0;
}

void fsdax_pmem_free(struct dev_pagemap *pgmap)
{
	struct dax_extent *ext, *next;

	/* Extents still deferred at shutdown: their pages' references are the leak. */
	list_for_each_entry_safe(ext, next, &dax_deferred, deferred)
	{
		list_del(&ext->deferred);
		free(ext);
	}
	free(pgmap->owner);
	free(pgmap);
}

/* First fit of @nr chunks. Return: the first chunk's index, or -1. */
static long find_free_chunks(bool *used, unsigned long total, unsigned long nr)
{
	for (unsigned long i = 0, run = 0; i < total; i++) {
		run = used[i] ? 0 : run + 1;
		if (run == nr)
			return (long)(i + 1 - nr);
	}
	return -1;
}

/*
 * The file's blocks, allocated and filled from the host file at the first fault
 * (as a file system would have them on pmem already). 6.x counts a page the file
 * holds (idle at 0 otherwise); 5.11's fsdax pages simply stay at their idle 1.
 * Return: the extent, or NULL when the pmem is full or the host read failed.
 */
static struct dax_extent *dax_extent_get(struct inode *inode)
{
	struct dev_pagemap *pgmap = sim.fsdax_pgmap;
	unsigned long total = pgmap_nr_pages(pgmap) / HPAGE_PMD_NR, nr;
	struct dax_extent *ext;
	bool *used = pgmap->owner;
	long first;

	pthread_mutex_lock(&dax_alloc_lock);
	ext = inode->i_private;
	if (ext)
		goto out;
	nr = DIV_ROUND_UP((unsigned long)READ_ONCE(inode->i_size), PMD_SIZE);
	nr = nr ? nr : 1;
	first = find_free_chunks(used, total, nr);
	ext = first < 0 ? NULL : malloc(sizeof(*ext));
	if (!ext)
		goto out;
	ext->start_pfn = pgmap_start_pfn(pgmap) + (unsigned long)first * HPAGE_PMD_NR;
	ext->nr_pages = nr * HPAGE_PMD_NR;
	if (host_pread(inode, page_address(pfn_to_page(ext->start_pfn)),
		       (size_t)READ_ONCE(inode->i_size), 0) < 0) {
		free(ext);
		ext = NULL;
		goto out;
	}
	for (unsigned long i = 0; i < nr; i++)
		used[first + (long)i] = true;
	if (!mm_profile->devmap_idle_refcount(MEMORY_DEVICE_FS_DAX))
		for (unsigned long i = 0; i < ext->nr_pages; i++)
			set_page_count(pfn_to_page(ext->start_pfn + i), 1);
	inode->i_private = ext;
out:
	pthread_mutex_unlock(&dax_alloc_lock);
	return ext;
}

/* The pfn behind page @pgoff of the file, or 0 past its blocks (or end). */
static unsigned long dax_pgoff_to_pfn(struct vm_area_struct *vma, pgoff_t pgoff, unsigned long nr)
{
	struct inode *inode = vma->vm_file->f_inode;
	struct dax_extent *ext;

	if (pgoff + nr > DIV_ROUND_UP((unsigned long)READ_ONCE(inode->i_size), PAGE_SIZE) &&
	    nr == 1)
		return 0;
	ext = dax_extent_get(inode);
	if (!ext || pgoff + nr > ext->nr_pages)
		return 0;
	return ext->start_pfn + pgoff;
}

/*
 * dax_iomap_pte_fault(). A write fault of a private mapping copies the block
 * into the anonymous page do_cow_fault() brought (vmf->cow_page) and maps
 * nothing itself; every other fault maps the device page (read-only in a
 * private mapping, whose protection never allows writes).
 */
static vm_fault_t dax_fault(struct vm_fault *vmf)
{
	unsigned long pfn = dax_pgoff_to_pfn(vmf->vma, vmf->pgoff, 1);

	if (!pfn)
		return VM_FAULT_SIGBUS;
	if (vmf->cow_page) {
		copy_highpage(vmf->cow_page, pfn_to_page(pfn));
		return VM_FAULT_DONE_COW;
	}
	return devmap_insert_pte(vmf, pfn);
}

/*
 * dax_iomap_pmd_fault(): a whole aligned 2 MiB of the file inside the VMA, with
 * the file offset and the address equally aligned; else the PTE fault. File
 * systems map no 1 GiB DAX entries (PUD faults fall back), as 5.11's do. A
 * private mapping is mapped with PTEs only, each copied on its own write (the
 * kernel falls back for the writes alone and maps a read-only pmd for reads;
 * here a read maps PTEs too, so a pmd never has to be split for a COW).
 */
static vm_fault_t dax_huge_fault(struct vm_fault *vmf, enum page_entry_size pe_size)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long haddr = vmf->address & PMD_MASK, pfn;
	pgoff_t pgoff;

	if (pe_size != PE_SIZE_PMD || !(vma->vm_flags & VM_SHARED) || haddr < vma->vm_start ||
	    haddr + PMD_SIZE > vma->vm_end)
		return VM_FAULT_FALLBACK;
	pgoff = vma->vm_pgoff + ((haddr - vma->vm_start) >> PAGE_SHIFT);
	if (!IS_ALIGNED(pgoff, HPAGE_PMD_NR))
		return VM_FAULT_FALLBACK;
	pfn = dax_pgoff_to_pfn(vma, pgoff, HPAGE_PMD_NR);
	return pfn ? devmap_insert_huge(vmf, PE_SIZE_PMD, pfn) : VM_FAULT_FALLBACK;
}

static const char *dax_vma_name(struct vm_area_struct *vma)
{
	return vma->vm_file->f_inode->path;
}

static const struct vm_operations_struct dax_file_vm_ops = {
	.fault = dax_fault,
	.huge_fault = dax_huge_fault,
	.name = dax_vma_name,
};

int dax_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	(void)file;
	vma->vm_flags |= VM_HUGEPAGE;
	vma->vm_ops = &dax_file_vm_ops;
	return 0;
}

/* Give @ext's chunks back to the pmem and free it; dax_alloc_lock held. */
static void dax_release_blocks(struct dax_extent *ext)
{
	bool *used = sim.fsdax_pgmap->owner;
	unsigned long first = (ext->start_pfn - pgmap_start_pfn(sim.fsdax_pgmap)) / HPAGE_PMD_NR;

	for (unsigned long i = 0; i < ext->nr_pages / HPAGE_PMD_NR; i++)
		used[first + i] = false;
	free(ext);
}

/* Is every page of @ext back at its idle count (nothing references it)? */
static bool dax_extent_idle(const struct dax_extent *ext)
{
	int idle = mm_profile->devmap_idle_refcount(MEMORY_DEVICE_FS_DAX);

	for (unsigned long i = 0; i < ext->nr_pages; i++)
		if (page_ref_count(pfn_to_page(ext->start_pfn + i)) > idle)
			return false;
	return true;
}

/*
 * The last reference: the data goes back to the host file and the blocks to the
 * pmem (6.x: each page's reference goes, and the page is idle at 0 again). Blocks
 * with a page still referenced stay allocated until it is idle (6.15 waits for it
 * there), so no other file gets them while a pin can still reach them.
 */
void dax_evict(struct inode *inode)
{
	struct dax_extent *ext = inode->i_private;

	if (!ext || !sim.fsdax_pgmap)
		return;
	if (inode->host_fd >= 0 && inode->host_fd_rw)
		host_pwrite(inode, page_address(pfn_to_page(ext->start_pfn)),
			    (size_t)READ_ONCE(inode->i_size), 0);
	if (!mm_profile->devmap_idle_refcount(MEMORY_DEVICE_FS_DAX))
		for (unsigned long i = 0; i < ext->nr_pages; i++)
			put_page(pfn_to_page(ext->start_pfn + i));
	inode->i_private = NULL;
	/* Checked under the lock: a page going idle meanwhile finds the extent listed. */
	pthread_mutex_lock(&dax_alloc_lock);
	if (mm_profile->dax_evict_defers_busy_blocks && !dax_extent_idle(ext))
		list_add(&ext->deferred, &dax_deferred);
	else
		dax_release_blocks(ext);
	pthread_mutex_unlock(&dax_alloc_lock);
}

void dax_page_idle(struct page *page)
{
	unsigned long pfn = page_to_pfn(page);
	struct dax_extent *ext;

	pthread_mutex_lock(&dax_alloc_lock);
	list_for_each_entry(ext, &dax_deferred, deferred)
	{
		if (pfn - ext->start_pfn >= ext->nr_pages)
			continue;
		if (dax_extent_idle(ext)) {
			list_del(&ext->deferred);
			dax_release_blocks(ext);
		}
		break;
	}
	pthread_mutex_unlock(&dax_alloc_lock);
}
