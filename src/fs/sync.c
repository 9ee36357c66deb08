// SPDX-License-Identifier: GPL-2.0-only
/*
 * fsync: every dirty page of a file (dirty PTEs of shared mappings included) to
 * the host file, then the host's fsync; a writeback error is reported once.
 */
#include "fs/internal.h"
#include <gup/pagemap.h>

int vfs_fsync_range(struct file *file, loff_t start, loff_t end)
{
	struct inode *inode = file_inode(file);
	struct address_space *mapping = file->f_mapping;
	pgoff_t first = (pgoff_t)(start >> PAGE_SHIFT);
	pgoff_t last = end < 0 ? ~0UL : (pgoff_t)(end >> PAGE_SHIFT);
	int err, wb_err;

	if (inode->host_fd < 0)
		return 0;
	mapping_mkclean_range(mapping, first, last);
	err = filemap_write_range(mapping, first, last);
	wb_err = file_check_and_advance_wb_err(file);
	if (!err && !inode->i_dir)
		err = host_fsync(inode);
	return err ? err : wb_err;
}

int vfs_fsync(struct file *file)
{
	return vfs_fsync_range(file, 0, -1);
}

int sys_fsync(int fd)
{
	SIM_ENTER(sim_entry_err);
	struct file *file = fget(fd);
	int err;

	if (!file)
		return -EBADF;
	err = vfs_fsync(file);
	fput(file);
	return err;
}
