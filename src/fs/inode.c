// SPDX-License-Identifier: GPL-2.0-only
/*
 * Inodes: one per host file (found again by device and inode number, so two opens
 * share a page cache) or shmem object; the last reference writes the dirty pages
 * back, empties the page cache and closes the host descriptor.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/internal.h"
#include <gup/pagemap.h>

static struct inode *inode_alloc(const struct address_space_operations *a_ops)
{
	struct inode *inode = calloc(1, sizeof(*inode));

	if (!inode)
		return NULL;
	atomic_set(&inode->i_count, 1);
	pthread_mutex_init(&inode->i_rwsem, NULL);
	spin_lock_init(&inode->i_data.i_pages_lock);
	init_rwsem(&inode->i_data.i_mmap_rwsem);
	INIT_LIST_HEAD(&inode->i_data.i_mmap);
	inode->i_data.a_ops = a_ops;
	inode->i_data.host = inode;
	inode->host_fd = inode->host_fd_retired = -1;
	INIT_LIST_HEAD(&inode->i_hash);
	atomic_long_add(1, &sim.nr_mappings);
	return inode;
}

static void inode_free(struct inode *inode)
{
	xa_destroy(&inode->i_data.i_pages);
	WARN_ON_ONCE(!list_empty(&inode->i_data.i_mmap)); /* every VMA holds a reference */
	destroy_rwsem(&inode->i_data.i_mmap_rwsem);
	pthread_spin_destroy(&inode->i_data.i_pages_lock);
	pthread_mutex_destroy(&inode->i_rwsem);
	if (inode->host_fd >= 0)
		close(inode->host_fd);
	if (inode->host_fd_retired >= 0)
		close(inode->host_fd_retired);
	free(inode->path);
	free(inode);
	atomic_long_add(-1, &sim.nr_mappings);
}

struct inode *new_shmem_inode(loff_t size, const struct address_space_operations *a_ops)
{
	static unsigned long next_shmem_ino = 1;
	struct inode *inode = inode_alloc(a_ops);

	if (!inode)
		return NULL;
	inode->i_size = size;
	inode->i_ino = __atomic_fetch_add(&next_shmem_ino, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&sim.inodes_lock);
	list_add(&inode->i_hash, &sim.inodes);
	pthread_mutex_unlock(&sim.inodes_lock);
	return inode;
}

struct inode *new_pseudo_inode(loff_t size)
{
	struct inode *inode = inode_alloc(NULL);

	if (!inode)
		return NULL;
	inode->i_size = size;
	/* Listed, so the checker counts the object's reference on each of its pages. */
	pthread_mutex_lock(&sim.inodes_lock);
	list_add(&inode->i_hash, &sim.inodes);
	pthread_mutex_unlock(&sim.inodes_lock);
	return inode;
}

/* Is @path inside the fsdax directory? */
static bool path_is_dax(const char *path)
{
	size_t n = sim.dax_dir ? strlen(sim.dax_dir) : 0;

	return n && !strncmp(path, sim.dax_dir, n) && (path[n] == '/' || path[n] == '\0');
}

/* The live inode of (@dev, @ino) with a new reference, or NULL; inodes_lock held. */
static struct inode *find_host_inode(dev_t dev, ino_t ino)
{
	struct inode *inode;

	list_for_each_entry(inode, &sim.inodes, i_hash) if (inode->host_fd >= 0 &&
							    inode->i_dev == dev &&
							    inode->i_ino == ino)
	{
		ihold(inode);
		return inode;
	}
	return NULL;
}

/*
 * A later open whose descriptor reads and writes upgrades the inode's read-only
 * one; otherwise the new descriptor goes.
 */
static void keep_better_fd(struct inode *inode, int host_fd, bool writable)
{
	writable = writable && (fcntl(host_fd, F_GETFL) & O_ACCMODE) == O_RDWR;
	spin_lock(&inode->i_data.i_pages_lock);
	if (writable && !inode->host_fd_rw) {
		/* I/O in flight may still use the old one: it is closed with the inode. */
		inode->host_fd_retired = inode->host_fd;
		WRITE_ONCE(inode->host_fd, host_fd);
		inode->host_fd_rw = true;
		host_fd = -1;
	}
	spin_unlock(&inode->i_data.i_pages_lock);
	if (host_fd >= 0)
		close(host_fd);
}

int iget_host(int host_fd, const char *path, bool writable, struct inode **inodep)
{
	struct inode *inode;
	struct stat st;

	if (fstat(host_fd, &st)) {
		int err = -errno;

		close(host_fd);
		return err;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		close(host_fd);
		return -ENODEV;
	}
	pthread_mutex_lock(&sim.inodes_lock);
	inode = find_host_inode(st.st_dev, st.st_ino);
	if (inode) {
		pthread_mutex_unlock(&sim.inodes_lock);
		keep_better_fd(inode, host_fd, writable);
		*inodep = inode;
		return 0;
	}
	inode = inode_alloc(&host_aops);
	if (inode)
		inode->path = realpath(path, NULL);
	if (!inode || !inode->path) {
		pthread_mutex_unlock(&sim.inodes_lock);
		if (inode)
			inode_free(inode);
		close(host_fd);
		return -ENOMEM;
	}
	inode->host_fd = host_fd;
	inode->host_fd_rw = writable && (fcntl(host_fd, F_GETFL) & O_ACCMODE) == O_RDWR;
	inode->i_dev = st.st_dev;
	inode->i_ino = st.st_ino;
	inode->i_size = st.st_size;
	inode->i_dir = S_ISDIR(st.st_mode);
	inode->i_dax = path_is_dax(inode->path);
	list_add(&inode->i_hash, &sim.inodes);
	pthread_mutex_unlock(&sim.inodes_lock);
	*inodep = inode;
	return 0;
}

/* The last reference: nothing maps the file any more; pinned pages outlive it, unowned. */
static void evict(struct inode *inode)
{
	if (inode->i_dax)
		dax_evict(inode);
	truncate_inode_pages_range(&inode->i_data, 0, -1);
	inode_free(inode);
}

void iput(struct inode *inode)
{
	/* Written back while still findable: a new open cannot read stale host bytes. */
	if (inode->host_fd >= 0 && atomic_read(&inode->i_count) == 1)
		filemap_write_and_wait_range(&inode->i_data, 0, -1);
	pthread_mutex_lock(&sim.inodes_lock);
	if (!atomic_dec_and_test(&inode->i_count)) {
		pthread_mutex_unlock(&sim.inodes_lock);
		return;
	}
	list_del(&inode->i_hash);
	pthread_mutex_unlock(&sim.inodes_lock);
	evict(inode);
}
