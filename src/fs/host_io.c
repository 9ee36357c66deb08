// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host I/O seam: pread, pwrite, fsync and ftruncate on an inode's host
 * descriptor through one ops table, which tests replace to inject errors, short
 * transfers and delays; sim_config.file_latency_us delays every read and write;
 * host_io_inject() arms failures of one operation (scripts' `inject host_io`).
 */
#include <string.h>
#include <unistd.h>

#include "fs/internal.h"
#include <gup/inject.h>

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

/* --- injected failures --- */

/* The swap device's reads and writes (swapfile.c) are ops of their own: scripts aim at one. */
enum host_io_op {
	HOST_IO_PREAD,
	HOST_IO_PWRITE,
	HOST_IO_FSYNC,
	HOST_IO_FTRUNCATE,
	HOST_IO_SWAP_READ,
	HOST_IO_SWAP_WRITE,
	NR_HOST_IO_OPS
};

static const char *const host_io_op_names[NR_HOST_IO_OPS] = {
	"pread", "pwrite", "fsync", "ftruncate", "swap_read", "swap_write"};

/* Only reads and writes transfer bytes: they alone can be short. */
static bool host_io_transfers(int op)
{
	return op != HOST_IO_FSYNC && op != HOST_IO_FTRUNCATE;
}

/* A failure to give: an errno, or (0) a short transfer. */
static const struct {
	const char *name;
	int err;
} host_io_faults[] = {{"eio", -EIO}, {"enospc", -ENOSPC}, {"short", 0}};

static struct {
	struct inject_rule rule;
	int err;
} host_io_armed[NR_HOST_IO_OPS];
static pthread_mutex_t host_io_inject_lock = PTHREAD_MUTEX_INITIALIZER;
static int host_io_any_armed;

static int host_io_op_by_name(const char *name)
{
	for (int i = 0; name && i < NR_HOST_IO_OPS; i++)
		if (!strcmp(host_io_op_names[i], name))
			return i;
	return -1;
}

static int host_io_fault_by_name(const char *name)
{
	for (int i = 0; name && i < (int)ARRAY_SIZE(host_io_faults); i++)
		if (!strcmp(host_io_faults[i].name, name))
			return i;
	return -1;
}

int host_io_inject(const char *op, const char *fault, unsigned long nth, unsigned long count)
{
	int o = host_io_op_by_name(op), f = host_io_fault_by_name(fault);

	if (o < 0 || f < 0 || nth < 1 || (!host_io_faults[f].err && !host_io_transfers(o)))
		return -EINVAL;
	pthread_mutex_lock(&host_io_inject_lock);
	host_io_armed[o].rule = (struct inject_rule){.nth = nth, .count = count};
	host_io_armed[o].err = host_io_faults[f].err;
	__atomic_store_n(&host_io_any_armed, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&host_io_inject_lock);
	return 0;
}

void host_io_inject_off(void)
{
	pthread_mutex_lock(&host_io_inject_lock);
	memset(host_io_armed, 0, sizeof(host_io_armed));
	__atomic_store_n(&host_io_any_armed, 0, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&host_io_inject_lock);
}

unsigned long host_io_injected(const char *op)
{
	int o = host_io_op_by_name(op);
	unsigned long fired;

	if (o < 0)
		return 0;
	pthread_mutex_lock(&host_io_inject_lock);
	fired = host_io_armed[o].rule.fired;
	pthread_mutex_unlock(&host_io_inject_lock);
	return fired;
}

/*
 * Does this call of @op fail? Return: false, or true with *@err the errno to
 * answer (0: transfer short, half of what was asked and at least a byte).
 */
static bool host_io_should_fail(enum host_io_op op, int *err)
{
	bool fail;

	if (likely(!__atomic_load_n(&host_io_any_armed, __ATOMIC_RELAXED)))
		return false;
	pthread_mutex_lock(&host_io_inject_lock);
	fail = inject_rule_hit(&host_io_armed[op].rule);
	*err = host_io_armed[op].err;
	pthread_mutex_unlock(&host_io_inject_lock);
	return fail;
}

static size_t short_count(size_t count)
{
	return count > 1 ? count / 2 : count;
}

/* One read of @op's: latency, then an injected failure or the seam's pread. */
static ssize_t host_read_as(enum host_io_op op, int fd, void *buf, size_t count, loff_t pos)
{
	int err;

	host_io_latency();
	if (host_io_should_fail(op, &err)) {
		if (err)
			return err;
		count = short_count(count);
	}
	return host_ops()->pread(fd, buf, count, pos);
}

static ssize_t host_write_as(enum host_io_op op, int fd, const void *buf, size_t count, loff_t pos)
{
	int err;

	host_io_latency();
	if (host_io_should_fail(op, &err)) {
		if (err)
			return err;
		count = short_count(count);
	}
	return host_ops()->pwrite(fd, buf, count, pos);
}

ssize_t host_pread(struct inode *inode, void *buf, size_t count, loff_t pos)
{
	return host_read_as(HOST_IO_PREAD, READ_ONCE(inode->host_fd), buf, count, pos);
}

ssize_t host_pwrite(struct inode *inode, const void *buf, size_t count, loff_t pos)
{
	return host_write_as(HOST_IO_PWRITE, READ_ONCE(inode->host_fd), buf, count, pos);
}

/* The swap device's I/O (swapfile.c): a host descriptor of its own, the same seam. */
ssize_t host_pread_fd(int fd, void *buf, size_t count, loff_t pos)
{
	return host_read_as(HOST_IO_SWAP_READ, fd, buf, count, pos);
}

ssize_t host_pwrite_fd(int fd, const void *buf, size_t count, loff_t pos)
{
	return host_write_as(HOST_IO_SWAP_WRITE, fd, buf, count, pos);
}

int host_fsync(struct inode *inode)
{
	int err;

	if (host_io_should_fail(HOST_IO_FSYNC, &err))
		return err;
	return host_ops()->fsync(READ_ONCE(inode->host_fd));
}

int host_ftruncate(struct inode *inode, loff_t length)
{
	int err;

	if (host_io_should_fail(HOST_IO_FTRUNCATE, &err))
		return err;
	return host_ops()->ftruncate(READ_ONCE(inode->host_fd), length);
}
