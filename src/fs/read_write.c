// SPDX-License-Identifier: GPL-2.0-only
/*
 * pread64 and pwrite64: the checks of the kernel's ksys_pread64/ksys_pwrite64,
 * then the copy through the page cache to or from the current task's memory.
 */
#include "fs/internal.h"

#define MAX_RW_COUNT (INT32_MAX & PAGE_MASK)

ssize_t sys_pread64(int fd, unsigned long buf, size_t count, loff_t pos)
{
	SIM_ENTER(sim_entry_err);
	struct file *file;
	ssize_t ret;

	if (pos < 0)
		return -EINVAL;
	file = fget(fd);
	if (!file)
		return -EBADF;
	if (!(file->f_mode & FMODE_READ))
		ret = -EBADF;
	else if (file_inode(file)->i_dir)
		ret = -EISDIR;
	else
		ret = (file->f_op->read ?: generic_file_read)(
			file, buf, min_t(size_t, count, MAX_RW_COUNT), pos);
	fput(file);
	return ret;
}

/* Has @file a write method (its own, or the page cache's through write_begin)? */
static bool file_can_write(struct file *file)
{
	const struct address_space_operations *a_ops = file->f_mapping->a_ops;

	return file->f_op->write || (a_ops && a_ops->write_begin);
}

ssize_t sys_pwrite64(int fd, unsigned long buf, size_t count, loff_t pos)
{
	SIM_ENTER(sim_entry_err);
	struct file *file;
	struct inode *inode;
	ssize_t ret;

	if (pos < 0)
		return -EINVAL;
	file = fget(fd);
	if (!file)
		return -EBADF;
	inode = file_inode(file);
	count = min_t(size_t, count, MAX_RW_COUNT);
	if (!(file->f_mode & FMODE_WRITE)) {
		ret = -EBADF;
	} else if (inode->i_dir) {
		ret = -EISDIR;
	} else if (!file_can_write(file)) {
		ret = -EINVAL; /* vfs_write()'s FMODE_CAN_WRITE: hugetlbfs, whatever the count */
	} else if ((loff_t)count > INT64_MAX - pos) {
		ret = -EFBIG;
	} else if (!count) {
		ret = 0;
	} else {
		pthread_mutex_lock(&inode->i_rwsem);
		ret = (file->f_op->write ?: generic_file_write)(file, buf, count, pos);
		pthread_mutex_unlock(&inode->i_rwsem);
	}
	fput(file);
	return ret;
}
