// SPDX-License-Identifier: GPL-2.0-only
/*
 * File lifetime and descriptors: allocating a struct file and dropping its
 * references, the per-task descriptor table (fs/file.c), fget and close.
 */
#include "fs/internal.h"

#define NR_OPEN_MAX 1024 /* RLIMIT_NOFILE's usual soft limit */
#define NR_OPEN_DEFAULT 16

struct file *alloc_file(struct inode *inode, unsigned int f_mode, unsigned int f_flags,
			const struct file_operations *fop)
{
	struct file *file = calloc(1, sizeof(*file));

	if (!file)
		return NULL;
	atomic_set(&file->f_count, 1);
	file->f_mode = f_mode;
	file->f_flags = f_flags;
	file->f_inode = inode;
	file->f_mapping = &inode->i_data;
	file->f_op = fop;
	file->f_wb_err = file_sample_wb_err(inode);
	return file;
}

void fput(struct file *file)
{
	if (!atomic_dec_and_test(&file->f_count))
		return;
	if (file->f_op && file->f_op->release)
		file->f_op->release(file);
	iput(file->f_inode);
	free(file);
}

/* --- descriptor tables --- */

struct files_struct *files_alloc(void)
{
	struct files_struct *files = calloc(1, sizeof(*files));

	if (!files)
		return NULL;
	files->fd = calloc(NR_OPEN_DEFAULT, sizeof(*files->fd));
	if (!files->fd) {
		free(files);
		return NULL;
	}
	files->max_fds = NR_OPEN_DEFAULT;
	atomic_set(&files->count, 1);
	pthread_mutex_init(&files->file_lock, NULL);
	return files;
}

struct files_struct *dup_fd(struct files_struct *old)
{
	struct files_struct *files = files_alloc();
	struct file **fd;

	if (!files)
		return NULL;
	pthread_mutex_lock(&old->file_lock);
	fd = calloc(old->max_fds, sizeof(*fd));
	if (!fd) {
		pthread_mutex_unlock(&old->file_lock);
		put_files_struct(files);
		return NULL;
	}
	for (unsigned int i = 0; i < old->max_fds; i++)
		if (old->fd[i])
			fd[i] = get_file(old->fd[i]);
	free(files->fd);
	files->fd = fd;
	files->max_fds = old->max_fds;
	pthread_mutex_unlock(&old->file_lock);
	return files;
}

void put_files_struct(struct files_struct *files)
{
	if (!atomic_dec_and_test(&files->count))
		return;
	for (unsigned int i = 0; i < files->max_fds; i++)
		if (files->fd[i])
			fput(files->fd[i]);
	pthread_mutex_destroy(&files->file_lock);
	free(files->fd);
	free(files);
}

/* Double the table until @nr fits; file_lock held. Return 0, -EMFILE or -ENOMEM. */
static int expand_files(struct files_struct *files, unsigned int nr)
{
	unsigned int size = files->max_fds;
	struct file **fd;

	if (nr >= NR_OPEN_MAX)
		return -EMFILE;
	while (size <= nr)
		size *= 2;
	fd = realloc(files->fd, size * sizeof(*fd));
	if (!fd)
		return -ENOMEM;
	memset(fd + files->max_fds, 0, (size - files->max_fds) * sizeof(*fd));
	files->fd = fd;
	files->max_fds = size;
	return 0;
}

int fd_install_lowest(struct file *file)
{
	struct files_struct *files = current->files;
	unsigned int fd;
	int err = 0;

	pthread_mutex_lock(&files->file_lock);
	for (fd = 0; fd < files->max_fds && files->fd[fd]; fd++)
		;
	if (fd == files->max_fds)
		err = expand_files(files, fd);
	if (!err)
		files->fd[fd] = file;
	pthread_mutex_unlock(&files->file_lock);
	return err ? err : (int)fd;
}

struct file *fget(int fd)
{
	struct files_struct *files = current ? current->files : NULL;
	struct file *file = NULL;

	if (!files || fd < 0)
		return NULL;
	pthread_mutex_lock(&files->file_lock);
	if ((unsigned int)fd < files->max_fds && files->fd[fd])
		file = get_file(files->fd[fd]);
	pthread_mutex_unlock(&files->file_lock);
	return file;
}

int sys_close(int fd)
{
	SIM_ENTER(sim_entry_err);
	struct files_struct *files = current->files;
	struct file *file = NULL;

	pthread_mutex_lock(&files->file_lock);
	if (fd >= 0 && (unsigned int)fd < files->max_fds) {
		file = files->fd[fd];
		files->fd[fd] = NULL;
	}
	pthread_mutex_unlock(&files->file_lock);
	if (!file)
		return -EBADF;
	fput(file);
	return 0;
}
