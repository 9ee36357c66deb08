// SPDX-License-Identifier: GPL-2.0-only
/*
 * Opening host files and changing their size: sys_open (a struct file over the
 * host file's inode, at the lowest free descriptor) and sys_ftruncate.
 */
#include <fcntl.h>
#include <unistd.h>

#include "fs/internal.h"

/* The host's open with our O_TRUNC left out: truncation goes through the page cache. */
static int host_open(const char *path, int flags, mode_t mode)
{
	int fd = open(path, (flags & ~O_TRUNC) | O_CLOEXEC, mode);

	return fd < 0 ? -errno : fd;
}

int sys_open(const char *path, int flags, mode_t mode)
{
	SIM_ENTER(sim_entry_err);
	int acc = flags & O_ACCMODE, host_fd, fd, err;
	unsigned int f_mode;
	struct inode *inode;
	struct file *file;

	if (!path)
		return -EFAULT;
	if (acc == O_ACCMODE)
		return -EINVAL;
	f_mode = (acc != O_WRONLY ? FMODE_READ : 0) | (acc != O_RDONLY ? FMODE_WRITE : 0);
	host_fd = host_open(path, flags, mode);
	if (host_fd < 0)
		return host_fd;
	/* The page cache reads even for writers (partial pages): I/O wants O_RDWR. */
	if (acc == O_WRONLY) {
		int rw = host_open(path, (flags & ~(O_ACCMODE | O_CREAT | O_EXCL)) | O_RDWR, 0);

		if (rw >= 0) {
			close(host_fd);
			host_fd = rw;
		}
	}
	err = iget_host(host_fd, path, f_mode & FMODE_WRITE, &inode);
	if (err)
		return err;
	file = alloc_file(inode, f_mode, (unsigned int)flags, &host_file_operations);
	if (!file) {
		iput(inode);
		return -ENOMEM;
	}
	if ((flags & O_TRUNC) && (f_mode & FMODE_WRITE) && !inode->i_dir) {
		pthread_mutex_lock(&inode->i_rwsem);
		err = do_truncate(inode, 0);
		pthread_mutex_unlock(&inode->i_rwsem);
		if (err) {
			fput(file);
			return err;
		}
	}
	fd = fd_install_lowest(file);
	if (fd < 0)
		fput(file);
	return fd;
}

int sys_ftruncate(int fd, loff_t length)
{
	SIM_ENTER(sim_entry_err);
	struct file *file;
	struct inode *inode;
	int err;

	if (length < 0)
		return -EINVAL;
	file = fget(fd);
	if (!file)
		return -EBADF;
	inode = file_inode(file);
	/* As do_sys_ftruncate(): a directory or a descriptor not open for writing is EINVAL. */
	if (inode->i_dir || !(file->f_mode & FMODE_WRITE)) {
		err = -EINVAL;
	} else {
		pthread_mutex_lock(&inode->i_rwsem);
		err = file->f_op->setsize_allowed ? file->f_op->setsize_allowed(file, length) : 0;
		if (!err)
			err = file->f_op->setsize ? file->f_op->setsize(file, length)
						  : do_truncate(inode, length);
		pthread_mutex_unlock(&inode->i_rwsem);
	}
	fput(file);
	return err;
}
