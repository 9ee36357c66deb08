// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host I/O seam: pread, pwrite, fsync and ftruncate on an inode's host
 * descriptor through one ops table, which tests replace to inject errors, short
 * transfers and delays; sim_config.file_latency_us delays every read and write.
 */
#include <unistd.h>

#include "fs/internal.h"

static ssize_t real_pread(int fd, void *buf, size_t count, loff_t pos)
{
	ssize_t n = pread(fd, buf, count, pos);

	return n < 0 ? -errno : n;
}

static ssize_t real_pwrite(int fd, const void *buf, size_t count, loff_t pos)
{
	ssize_t n = pwrite(fd, buf, count, pos);

	return n < 0 ? -errno : n;
}

static int real_fsync(int fd)
{
	return fsync(fd) ? -errno : 0;
}

static int real_ftruncate(int fd, loff_t length)
{
	return ftruncate(fd, length) ? -errno : 0;
}

const struct host_io_ops host_io_default_ops = {
	.pread = real_pread,
	.pwrite = real_pwrite,
	.fsync = real_fsync,
	.ftruncate = real_ftruncate,
};

static const struct host_io_ops *host_io = &host_io_default_ops;

const struct host_io_ops *host_io_set_ops(const struct host_io_ops *ops)
{
	const struct host_io_ops *old = host_io;

	__atomic_store_n(&host_io, ops ? ops : &host_io_default_ops, __ATOMIC_RELEASE);
	return old;
}

/* The simulated device's access time, so that I/O stays in flight long enough to race. */
static void host_io_latency(void)
{
	if (sim.file_latency_us)
		usleep(sim.file_latency_us);
}

static const struct host_io_ops *host_ops(void)
{
	return __atomic_load_n(&host_io, __ATOMIC_ACQUIRE);
}

ssize_t host_pread(struct inode *inode, void *buf, size_t count, loff_t pos)
{
	host_io_latency();
	return host_ops()->pread(READ_ONCE(inode->host_fd), buf, count, pos);
}

ssize_t host_pwrite(struct inode *inode, const void *buf, size_t count, loff_t pos)
{
	host_io_latency();
	return host_ops()->pwrite(READ_ONCE(inode->host_fd), buf, count, pos);
}

/* The swap device's I/O (swapfile.c): a host descriptor of its own, the same seam. */
ssize_t host_pread_fd(int fd, void *buf, size_t count, loff_t pos)
{
	host_io_latency();
	return host_ops()->pread(fd, buf, count, pos);
}

ssize_t host_pwrite_fd(int fd, const void *buf, size_t count, loff_t pos)
{
	host_io_latency();
	return host_ops()->pwrite(fd, buf, count, pos);
}

int host_fsync(struct inode *inode)
{
	return host_ops()->fsync(READ_ONCE(inode->host_fd));
}

int host_ftruncate(struct inode *inode, loff_t length)
{
	return host_ops()->ftruncate(READ_ONCE(inode->host_fd), length);
}
