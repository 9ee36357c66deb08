// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shared memory: the object behind MAP_SHARED|MAP_ANONYMOUS and memfd_create(),
 * as the kernel's shmem: an inode whose page cache holds the pages, indexed by
 * offset; every VMA mapping the file faults the same page in through
 * vm_ops->fault; pread and pwrite go through the same cache, under the seals.
 * Reclaim swaps its pages out (shmem_writepage()): the slot of a page swapped
 * out holds its swap entry until a fault or read swaps it back in.
 */
#include <fcntl.h>

#include "fs/internal.h"
#include "lib/rcu.h"
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
	return shmem_getpage(file->f_mapping, (pgoff_t)(pos >> PAGE_SHIFT), SGP_CACHE, pagep, NULL);
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

bool shmem_mapping(const struct address_space *mapping)
{
	return mapping->a_ops == &shmem_aops;
}

/* --- swap --- */

int shmem_writepage(struct page *page)
{
	struct address_space *mapping = page->mapping;
	swp_entry_t entry;
	int err;

	VM_BUG_ON_PAGE(!PageLocked(page) || page_mapped(page) || PageSwapCache(page), page);
	err = get_swap_page(&entry); /* the slot, its cache bit set */
	if (err)
		return err;
	/* The mapping's slot names it: the kernel's swap_shmem_alloc() count. */
	err = swap_duplicate(entry);
	if (!err) {
		err = add_to_swap_cache(page, entry);
		if (err)
			swap_free(entry);
	}
	if (err) {
		swapcache_free_entry(entry);
		return err;
	}
	/* shmem_delete_from_page_cache(): one store puts the entry in the page's place. */
	spin_lock(&mapping->i_pages_lock);
	page_cache_delete(page, xa_mk_value(entry.val));
	WRITE_ONCE(mapping->swapped, mapping->swapped + 1);
	spin_unlock(&mapping->i_pages_lock);
	put_page(page); /* the page cache's; the swap cache holds its own */
	return swap_pageout(page);
}

/*
 * shmem_swapin_page(): the page of slot @entry, which @mapping's slot @index
 * names, from the swap cache or read from the device (*@fault_type gets
 * VM_FAULT_MAJOR), put back in the entry's place in one store; it leaves the swap
 * cache and its slot is freed: the page, dirty, is the only copy now. Return: 0
 * with *@pagep locked and referenced; -EAGAIN when the slot changed meanwhile
 * (swapped in by another thread, truncated: look again); -EIO (not uptodate: the
 * read failed); -ENOMEM.
 */
static int shmem_swapin(struct address_space *mapping, pgoff_t index, swp_entry_t entry,
			struct page **pagep, vm_fault_t *fault_type)
{
	struct page *page = lookup_swap_cache(entry);
	int err;

	if (!page) {
		err = swapin_page(entry, &page);
		if (err == -ENOENT || err == -EEXIST)
			return -EAGAIN;
		if (err)
			return err;
		if (fault_type)
			*fault_type |= VM_FAULT_MAJOR;
	} else {
		lock_page(page);
	}
	err = -EAGAIN;
	if (!PageSwapCache(page) || page->private_data != entry.val)
		goto out;
	err = -EIO;
	if (!PageUptodate(page))
		goto out;
	err = -EAGAIN;
	spin_lock(&mapping->i_pages_lock);
	if (xa_load(&mapping->i_pages, index) == xa_mk_value(entry.val)) {
		get_page(page); /* the page cache's */
		page->index = index;
		WRITE_ONCE(page->mapping, mapping);
		xa_replace(&mapping->i_pages, index, page);
		mapping->nrpages++;
		WRITE_ONCE(mapping->swapped, mapping->swapped - 1);
		err = 0;
	}
	spin_unlock(&mapping->i_pages_lock);
	if (err)
		goto out;
	count_vm_stat(NR_FILE_PAGES, 1);
	count_vm_stat(NR_SHMEM, 1);
	delete_from_swap_cache(page);
	SetPageDirty(page);
	swap_free(entry); /* the mapping's count: the slot is free */
	*pagep = page;
	return 0;
out:
	unlock_and_put_page(page);
	return err;
}

void shmem_truncate_swap(struct address_space *mapping, pgoff_t start, pgoff_t end)
{
	pgoff_t index = start;

	while (index <= end && READ_ONCE(mapping->swapped)) {
		void *entry;

		spin_lock(&mapping->i_pages_lock);
		entry = xa_find(&mapping->i_pages, &index, end);
		if (entry && xa_is_value(entry)) {
			xa_erase(&mapping->i_pages, index);
			WRITE_ONCE(mapping->swapped, mapping->swapped - 1);
		}
		spin_unlock(&mapping->i_pages_lock);
		if (!entry)
			break;
		/* shmem_free_swap(): a swap-cache copy nobody holds goes with its slot. */
		if (xa_is_value(entry))
			free_swap_and_cache((swp_entry_t){xa_to_value(entry)});
		if (index++ == end)
			break;
	}
}

int shmem_getpage(struct address_space *mapping, pgoff_t index, enum sgp_type sgp,
		  struct page **pagep, vm_fault_t *fault_type)
{
	for (;;) {
		struct page *page = find_lock_page(mapping, index);
		void *entry;
		int err;

		if (page) {
			*pagep = page;
			return 0;
		}
		sim_rcu_read_lock();
		entry = xa_load(&mapping->i_pages, index);
		sim_rcu_read_unlock();
		if (xa_is_value(entry)) {
			err = shmem_swapin(mapping, index, (swp_entry_t){xa_to_value(entry)}, pagep,
					   fault_type);
			if (err == -EAGAIN)
				continue;
			return err;
		}
		if (entry)
			continue; /* a page came meanwhile */
		if (sgp == SGP_READ) {
			*pagep = NULL;
			return 0;
		}
		page = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_ZERO);
		if (!page)
			return -ENOMEM;
		SetPageUptodate(page);
		SetPageSwapBacked(page);
		err = add_to_page_cache_lru(page, mapping, index, GFP_HIGHUSER_MOVABLE);
		if (!err) {
			*pagep = page;
			return 0;
		}
		ClearPageSwapBacked(page);
		put_page(page);
		if (err != -EEXIST)
			return err;
	}
}

/* --- pread and pwrite --- */

static const char shmem_zeroes[PAGE_SIZE];

/*
 * As shmem_file_read_iter(): a hole reads as zeroes and stays a hole; a page
 * swapped out is swapped in (a failed read: -EIO, or what was read before it).
 */
static ssize_t shmem_file_read(struct file *file, unsigned long buf, size_t count, loff_t pos)
{
	struct inode *inode = file_inode(file);
	ssize_t done = 0;

	while (count) {
		loff_t size = READ_ONCE(inode->i_size);
		unsigned long offset = pos & ~PAGE_MASK, nr, left;
		struct page *page;
		int err;

		if (pos >= size)
			break;
		nr = min_t(unsigned long, PAGE_SIZE - offset, count);
		nr = min_t(unsigned long, nr, (unsigned long)(size - pos));
		err = shmem_getpage(file->f_mapping, (pgoff_t)(pos >> PAGE_SHIFT), SGP_READ, &page,
				    NULL);
		if (err)
			return done ? done : err;
		/* No page lock held: the copy may fault on a mapping of this very page. */
		if (page)
			unlock_page(page);
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
	vm_fault_t ret = 0;
	int err;

	if (vmf->pgoff >= DIV_ROUND_UP((pgoff_t)READ_ONCE(mapping->host->i_size), PAGE_SIZE))
		return VM_FAULT_SIGBUS;
	err = shmem_getpage(mapping, vmf->pgoff, SGP_CACHE, &vmf->page, &ret);
	/* vmf_error(): a failed swap-in read is SIGBUS. */
	if (err)
		return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
	return ret | VM_FAULT_LOCKED;
}

static const char *shmem_vma_name(struct vm_area_struct *vma)
{
	const char *name = vma->vm_file->f_inode->path;

	return name ? name : "/dev/zero (deleted)";
}

const struct vm_operations_struct shmem_vm_ops = {
	.fault = shmem_fault,
	.map_pages = filemap_map_pages,
	.name = shmem_vma_name,
};
