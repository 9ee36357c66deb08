/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What src/fs and the page cache share: the host I/O seam, inode lookup by host
 * file, descriptors, and the page-cache operations behind read and write.
 */
#ifndef GUP_FS_INTERNAL_H
#define GUP_FS_INTERNAL_H

#include <fcntl.h>

#include "mm/internal.h"

/* Host I/O (host_io.c): every byte between a host file and a page goes through here. */
ssize_t host_pread(struct inode *inode, void *buf, size_t count, loff_t pos);
ssize_t host_pwrite(struct inode *inode, const void *buf, size_t count, loff_t pos);
int host_fsync(struct inode *inode);
/* The same for a descriptor no inode owns (the swap device). Return: bytes or -errno. */
ssize_t host_pread_fd(int fd, void *buf, size_t count, loff_t pos);
ssize_t host_pwrite_fd(int fd, const void *buf, size_t count, loff_t pos);
int host_ftruncate(struct inode *inode, loff_t length);

/* Inodes (inode.c). */
/*
 * The inode of the host file open at @host_fd (which it takes over, or closes when
 * the inode already has a descriptor as good), with a reference in *@inodep.
 * Return: 0; -ENOMEM; -ENODEV for a host file neither regular nor a directory
 * (@host_fd is closed on failure).
 */
int iget_host(int host_fd, const char *path, bool writable, struct inode **inodep);
/* A new shmem inode of @size bytes, one reference; NULL when out of memory. */
struct inode *new_shmem_inode(loff_t size, const struct address_space_operations *a_ops);
/*
 * An inode of @size bytes that no lookup finds (a MAP_HUGETLB object, whose owner
 * empties its cache itself before the last iput()). NULL: no memory.
 */
struct inode *new_pseudo_inode(loff_t size);
static inline void ihold(struct inode *inode)
{
	atomic_inc(&inode->i_count);
}
/* Host files: the ops of their files and page caches (filemap.c). */
extern const struct file_operations host_file_operations;
extern const struct address_space_operations host_aops;
extern const struct vm_operations_struct generic_file_vm_ops;

/* Descriptors (file_table.c). */
/* Install @file at the lowest free descriptor (taking over the reference). Return it or -EMFILE/-ENOMEM. */
int fd_install_lowest(struct file *file);

/* Seals (mm/memfd.c): F_ADD_SEALS and F_GET_SEALS of sys_fcntl(); other @cmd -EINVAL. */
long memfd_fcntl(struct file *file, unsigned int cmd, unsigned long arg);
/*
 * Writeback errors (filemap.c), as the kernel's errseq_t: a failed writeback is
 * recorded in the inode and stays; each open file reports it once, at its first
 * fsync (or msync) after it, and a file opened while nobody has seen it yet reports
 * it too.
 */
void mapping_set_wb_err(struct inode *inode, int err);
unsigned int file_sample_wb_err(struct inode *inode);
/* Return: the error @file has not reported yet (and now has), or 0. */
int file_check_and_advance_wb_err(struct file *file);

/* Page cache I/O (filemap.c). Caller holds inode->i_rwsem for writes. */
ssize_t generic_file_read(struct file *file, unsigned long buf, size_t count, loff_t pos);
ssize_t generic_file_write(struct file *file, unsigned long buf, size_t count, loff_t pos);
/* Truncation (truncate.c), i_rwsem held: new size, pages, host. Return 0 or -errno. */
int do_truncate(struct inode *inode, loff_t length);
/*
 * Write back the dirty pages of bytes [@start, @end] (@end -1: to the end), those
 * dirtied through shared mappings included, and fsync the host; Return 0 or the
 * first errno (a writeback error since the last fsync is reported once).
 */
int vfs_fsync_range(struct file *file, loff_t start, loff_t end);
int vfs_fsync(struct file *file);

#endif /* GUP_FS_INTERNAL_H */
