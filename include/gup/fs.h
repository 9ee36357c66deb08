/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Files and the page caches behind them: struct file, which a shared VMA maps
 * through vm_file, and the address_space it reaches through f_mapping.
 */
#ifndef GUP_FS_H
#define GUP_FS_H

#include <gup/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct page;
struct file;
struct vm_area_struct;

/*
 * An object that shared mappings map pages of: shared anonymous memory (the
 * kernel's shmem) now, host files later. Pages are indexed by page offset. It
 * lives as long as the file that owns it.
 */
struct address_space {
	spinlock_t i_pages_lock;
	struct page **i_pages; /* nr_slots entries */
	unsigned long nr_slots;
	unsigned long nrpages;
	const struct address_space_operations *a_ops;
	void *host; /* owner-defined */
};

struct address_space_operations {
	int (*set_page_dirty)(struct page *page);
	void (*release)(struct address_space *mapping);
};

struct file_operations {
	/* The last fput(): free what the file owns (its mapping). */
	void (*release)(struct file *file);
	/* mmap(): set up @vma, which maps the file (vm_ops, flags). 0 or -errno. */
	int (*mmap)(struct file *file, struct vm_area_struct *vma);
};

/* An open file. Each VMA mapping it holds one reference. */
struct file {
	atomic_t f_count;
	struct address_space *f_mapping;
	const struct file_operations *f_op;
};

/* Take a reference on @file; drop it with fput(). Return: @file. */
static inline struct file *get_file(struct file *file)
{
	atomic_inc(&file->f_count);
	return file;
}

/*
 * alloc_file() - a file with one reference on @mapping, which it owns from now on.
 * Return: the file, or NULL when out of memory.
 */
struct file *alloc_file(struct address_space *mapping, const struct file_operations *fop);
/* Drop a reference; the last one releases the file and what it owns. */
void fput(struct file *file);

#ifdef __cplusplus
}
#endif

#endif /* GUP_FS_H */
