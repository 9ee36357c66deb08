// SPDX-License-Identifier: GPL-2.0-only
/*
 * A gup diff worker: one real process per scenario task. It runs only the
 * scenario's memory operations on itself (the driver, backend_host.c, decides
 * which), and the host GUP users a command stands for: vmsplice, io_uring
 * fixed buffers, O_DIRECT, process_vm_readv/writev. Exits on HW_EXIT or EOF.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#ifdef HAVE_LIBURING
#include <liburing.h>
#endif
#include <setjmp.h>
#include <stddef.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/magic.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "host_proto.h"

#define HW_PAGE 4096UL
/* x86-64 numbers, for C libraries whose headers predate the calls. */
#define NR_MEMFD_SECRET 447
#define NR_MSEAL 462
#define STACK_ROOM (4UL << 20) /* free below a scenario stack: more than the guard gap */

/*
 * What "the device" moves bytes through: a pipe, which io_uring reads and
 * writes inline (FMODE_NOWAIT). A file without it (a memfd) is punted to an
 * io-wq thread, whose request can still hold the fixed buffer's node after its
 * completion is seen; an unpin right after would then leave the pages pinned
 * until that request is freed, and a fork meanwhile would copy them.
 */
static int device_pipe[2] = {-1, -1};

/*
 * The scenario's descriptors: its number (lowest free from 0, as the simulator
 * numbers them) -> the worker's real descriptor, -1 when free. A fork child
 * inherits the table with the descriptors; threads share it.
 */
static int scenario_fd[HW_MAX_FILES];

/* Each thread's sockets to the driver: a fork child closes all but its own. */
static int thread_socks[HW_MAX_THREADS];
static int nr_thread_socks;
static pthread_mutex_t socks_lock = PTHREAD_MUTEX_INITIALIZER;

static __thread sigjmp_buf fault_jmp;
static __thread volatile sig_atomic_t in_access;

static void on_fault(int sig)
{
	if (in_access)
		siglongjmp(fault_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * The task's own loads and stores, byte by byte so that a fault stops at the
 * exact byte: returns the bytes not copied. Not instrumented: the bytes are
 * the scenario's mappings, which the sanitizer knows nothing about.
 */
__attribute__((no_sanitize("address"), noinline)) static unsigned long
guarded_copy(volatile unsigned char *dst, const volatile unsigned char *src, unsigned long len)
{
	static __thread volatile unsigned long done;

	done = 0;
	if (sigsetjmp(fault_jmp, 1)) {
		in_access = 0;
		return len - done;
	}
	in_access = 1;
	for (; done < len; done++)
		dst[done] = src[done];
	in_access = 0;
	return 0;
}

static long neg_errno(long ret)
{
	return ret < 0 ? -errno : ret;
}

static int send_reply(int sock, const struct hw_reply *r, int fd)
{
	size_t len = offsetof(struct hw_reply, data) + r->data_len;
	struct iovec iov = {.iov_base = (void *)r, .iov_len = len};
	char ctl[CMSG_SPACE(sizeof(int))] = {0};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};

	if (fd >= 0) {
		struct cmsghdr *c;

		msg.msg_control = ctl;
		msg.msg_controllen = sizeof(ctl);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* A forked worker must not hold its parent's pins, nor the device's file. */
static void drop_rings(void);

static void drop_inherited(void)
{
	drop_rings();
	for (int i = 0; i < 2; i++) {
		if (device_pipe[i] >= 0)
			close(device_pipe[i]);
		device_pipe[i] = -1;
	}
}

/* HW_FORK: the child becomes a worker on a new socket whose other end goes to the driver. */
static int do_fork(int *sock, struct hw_reply *r, int *pass_fd)
{
	int sp[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp))
		return r->ret = -errno, 0;
	pid = fork();
	if (pid < 0) {
		r->ret = -errno;
		close(sp[0]);
		close(sp[1]);
		return 0;
	}
	if (!pid) {
		/* Only the forking thread lives on in the child: no other thread's socket. */
		for (int i = 0; i < nr_thread_socks; i++)
			close(thread_socks[i]);
		nr_thread_socks = 0;
		close(*sock);
		close(sp[0]);
		*sock = sp[1];
		thread_socks[nr_thread_socks++] = sp[1];
		drop_inherited();
		return 1; /* the child answers nothing: the driver talks to it next */
	}
	close(sp[1]);
	r->ret = pid;
	*pass_fd = sp[0];
	return 0;
}

#ifdef HAVE_LIBURING
/* Long-term pins: one io_uring instance with one registered buffer each. */
static struct io_uring rings[HW_MAX_RINGS];
static struct iovec ring_buf[HW_MAX_RINGS];
static bool ring_used[HW_MAX_RINGS];

static void drop_rings(void)
{
	for (int i = 0; i < HW_MAX_RINGS; i++) {
		if (ring_used[i])
			io_uring_queue_exit(&rings[i]);
		ring_used[i] = false;
	}
}

static long ring_unpin(int id)
{
	long ret;

	if (id < 0 || id >= HW_MAX_RINGS || !ring_used[id])
		return -EINVAL;
	ret = io_uring_unregister_buffers(&rings[id]);
	io_uring_queue_exit(&rings[id]);
	ring_used[id] = false;
	return ret;
}

static int free_ring(void)
{
	for (int i = 0; i < HW_MAX_RINGS; i++)
		if (!ring_used[i])
			return i;
	return -ENOSPC;
}

static long ring_pin(const struct hw_req *q)
{
	int id = free_ring(), err;

	if (id < 0)
		return id;
	err = io_uring_queue_init(4, &rings[id], 0);
	if (err)
		return err;
	ring_buf[id] = (struct iovec){.iov_base = (void *)q->addr, .iov_len = q->len};
	err = io_uring_register_buffers(&rings[id], &ring_buf[id], 1);
	if (err) {
		io_uring_queue_exit(&rings[id]);
		return err;
	}
	ring_used[id] = true;
	return id;
}

/* One fixed-buffer transfer between page @index of ring @id's buffer and the memfd. */
static long ring_transfer(int id, int index, unsigned long len, bool device_writes)
{
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	char *at;
	long res;

	if (id < 0 || id >= HW_MAX_RINGS || !ring_used[id] ||
	    (unsigned long)(index + 1) * HW_PAGE > ring_buf[id].iov_len || len > HW_PAGE)
		return -EINVAL;
	at = (char *)ring_buf[id].iov_base + (unsigned long)index * HW_PAGE;
	sqe = io_uring_get_sqe(&rings[id]);
	if (!sqe)
		return -EBUSY;
	if (device_writes)
		io_uring_prep_read_fixed(sqe, device_pipe[0], at, (unsigned int)len, -1, 0);
	else
		io_uring_prep_write_fixed(sqe, device_pipe[1], at, (unsigned int)len, -1, 0);
	res = io_uring_submit_and_wait(&rings[id], 1);
	if (res < 0)
		return res;
	res = io_uring_wait_cqe(&rings[id], &cqe);
	if (res < 0)
		return res;
	res = cqe->res;
	io_uring_cqe_seen(&rings[id], cqe);
	return res;
}

static long device_io(const struct hw_req *q, struct hw_reply *r, bool device_writes)
{
	long ret;

	if (device_pipe[0] < 0 && pipe2(device_pipe, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	if (device_writes && write(device_pipe[1], q->data, q->data_len) != (long)q->data_len)
		return -EIO;
	ret = ring_transfer(q->ring, q->index, device_writes ? q->data_len : q->len, device_writes);
	if (ret > 0 && !device_writes) {
		ret = neg_errno(read(device_pipe[0], r->data, (size_t)ret));
		if (ret > 0)
			r->data_len = (unsigned int)ret;
	}
	/* A short transfer leaves bytes behind: none may reach the next one. */
	while (read(device_pipe[0], r->data + r->data_len, HW_PAGE) > 0)
		;
	return ret;
}

#else /* built without liburing: no long-term pins on the host */
static void drop_rings(void)
{
}

static long ring_pin(const struct hw_req *q)
{
	(void)q;
	return -EOPNOTSUPP;
}

static long ring_unpin(int id)
{
	(void)id;
	return -EOPNOTSUPP;
}

static long device_io(const struct hw_req *q, struct hw_reply *r, bool device_writes)
{
	(void)q, (void)r, (void)device_writes;
	return -EOPNOTSUPP;
}
#endif

/*
 * A short-term pin: O_DIRECT I/O on an unnamed temporary file. A write pin is a
 * direct read into the range (the bytes it held are staged into the file first,
 * so they stay, but for the device's own bytes in .data, put at the start); a
 * read pin is a direct write from it, whose bytes come back in @r (what the
 * device read). Returns pages done.
 */
static long direct_io(const struct hw_req *q, struct hw_reply *r)
{
	int fd = open(q->tmpdir, O_TMPFILE | O_RDWR, 0600);
	unsigned char *bounce = NULL;
	struct statfs fs;
	long ret;

	if (fd < 0)
		return -errno;
	/* tmpfs takes O_DIRECT but copies the bytes: no GUP, so no short-term pin. */
	if (!fstatfs(fd, &fs) && fs.f_type == TMPFS_MAGIC) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	if (q->write) {
		bounce = malloc(q->len);
		ret = bounce ? 0 : -ENOMEM;
		if (!ret && guarded_copy(bounce, (unsigned char *)q->addr, q->len))
			ret = -EFAULT;
		if (!ret && q->data_len <= q->len)
			memcpy(bounce, q->data, q->data_len);
		if (!ret && pwrite(fd, bounce, q->len, 0) != (long)q->len)
			ret = -EIO;
		free(bounce);
		if (ret)
			goto out;
	}
	if (fcntl(fd, F_SETFL, O_DIRECT)) {
		ret = -errno == -EINVAL ? -EOPNOTSUPP : -errno;
		goto out;
	}
	if (q->write)
		ret = neg_errno(pread(fd, (void *)q->addr, q->len, 0));
	else
		ret = neg_errno(pwrite(fd, (void *)q->addr, q->len, 0));
	if (ret > 0 && !q->write && fcntl(fd, F_SETFL, 0) == 0) {
		long got = pread(fd, r->data, q->len < HW_MAX_DATA ? q->len : HW_MAX_DATA, 0);

		r->data_len = got > 0 ? (unsigned int)got : 0;
	}
	if (ret > 0)
		ret /= (long)HW_PAGE;
out:
	close(fd);
	return ret;
}

static long do_vmsplice(const struct hw_req *q, int *pass_fd)
{
	struct iovec iov = {.iov_base = (void *)q->addr, .iov_len = q->len};
	int p[2];
	long ret;

	if (pipe(p))
		return -errno;
	if (fcntl(p[1], F_SETPIPE_SZ, (int)(q->len > HW_PAGE ? q->len : HW_PAGE)) < 0) {
		ret = -errno;
	} else {
		ret = neg_errno(vmsplice(p[1], &iov, 1, SPLICE_F_NONBLOCK));
		if (ret > 0)
			*pass_fd = p[0];
	}
	close(p[1]);
	if (*pass_fd < 0)
		close(p[0]);
	return ret;
}

static long process_vm(const struct hw_req *q)
{
	struct iovec local = {.iov_base = (void *)q->local, .iov_len = q->len};
	struct iovec remote = {.iov_base = (void *)q->addr, .iov_len = q->len};

	if (q->write)
		return neg_errno(process_vm_writev(q->pid, &local, 1, &remote, 1, 0));
	return neg_errno(process_vm_readv(q->pid, &local, 1, &remote, 1, 0));
}

/* ------------------------------------------------ the scenario's files -- */

static int real_fd(int fd)
{
	return fd >= 0 && fd < HW_MAX_FILES ? scenario_fd[fd] : -1;
}

/*
 * open(@q->data, @q->flags), or memfd_create(@q->data, @q->flags) for
 * HW_MEMFD_CREATE: the scenario's descriptor number (its lowest free one, as
 * libgup's), or -errno.
 */
static long file_open(struct hw_req *q)
{
	int fd, real;

	for (fd = 0; fd < HW_MAX_FILES && scenario_fd[fd] >= 0; fd++)
		;
	if (fd == HW_MAX_FILES)
		return -EMFILE;
	if (q->data_len >= sizeof(q->data) || (!q->data_len && q->op != HW_MEMFD_CREATE))
		return -EINVAL;
	q->data[q->data_len] = '\0';
	if (q->op == HW_MEMFD_CREATE)
		real = memfd_create((const char *)q->data, (unsigned int)q->flags);
	else
		real = open((const char *)q->data, (int)q->flags | O_CLOEXEC, 0600);
	if (real < 0)
		return -errno;
	scenario_fd[fd] = real;
	return fd;
}

static long file_close(int fd)
{
	int real = real_fd(fd);

	if (real < 0)
		return -EBADF;
	scenario_fd[fd] = -1;
	return neg_errno(close(real));
}

/* The file calls on a scenario descriptor (-EBADF for a number it never had). */
static long file_call(const struct hw_req *q)
{
	int fd = real_fd(q->fd);
	void *p;

	if (fd < 0)
		return -EBADF;
	switch (q->op) {
	case HW_FILE_TRUNCATE:
		return neg_errno(ftruncate(fd, (off_t)q->len));
	case HW_FILE_PREAD: /* the kernel's copy into the task: no guarded copy here */
		return neg_errno(pread(fd, (void *)q->addr, q->len, (off_t)q->off));
	case HW_FILE_PWRITE:
		return neg_errno(pwrite(fd, (const void *)q->addr, q->len, (off_t)q->off));
	case HW_FILE_FSYNC:
		return neg_errno(fsync(fd));
	case HW_MMAP_FILE:
		p = mmap((void *)q->addr, q->len, (int)q->prot, (int)q->flags, fd, (off_t)q->off);
		return p == MAP_FAILED ? -errno : (long)p;
	case HW_FILE_FCNTL:
		/* Only the seal calls: no other fcntl reaches here from a scenario. */
		if (q->flags != F_ADD_SEALS && q->flags != F_GET_SEALS)
			return -EINVAL;
		return neg_errno(fcntl(fd, (int)q->flags, (unsigned int)q->len));
	default:
		return -EINVAL;
	}
}

static void serve_loop(int sock) __attribute__((noreturn));
static void thread_exit(int sock) __attribute__((noreturn));

/* A new thread first says its tid on its socket, then serves it. */
static void *thread_main(void *arg)
{
	int sock = (int)(long)arg;
	pid_t tid = gettid();

	if (send(sock, &tid, sizeof(tid), MSG_NOSIGNAL) != sizeof(tid))
		thread_exit(sock);
	serve_loop(sock);
}

/* HW_THREAD: a real thread of this worker, answering on a socket of its own. */
static long new_thread(int *pass_fd)
{
	pthread_t thread;
	int sp[2];

	if (nr_thread_socks == HW_MAX_THREADS)
		return -EAGAIN;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp))
		return -errno;
	pthread_mutex_lock(&socks_lock);
	thread_socks[nr_thread_socks++] = sp[1];
	pthread_mutex_unlock(&socks_lock);
	if (pthread_create(&thread, NULL, thread_main, (void *)(long)sp[1])) {
		close(sp[0]);
		close(sp[1]);
		return -EAGAIN;
	}
	pthread_detach(thread);
	*pass_fd = sp[0];
	return 0;
}

/* A thread's exit: its socket closes (the driver waits for that), then it ends. */
static void thread_exit(int sock)
{
	pthread_mutex_lock(&socks_lock);
	for (int i = 0; i < nr_thread_socks; i++)
		if (thread_socks[i] == sock)
			thread_socks[i] = thread_socks[--nr_thread_socks];
	pthread_mutex_unlock(&socks_lock);
	close(sock);
	pthread_exit(NULL);
}

/* Run one request; true when the worker is a fresh fork child that must not answer. */
/*
 * An anonymous mapping. A stack (MAP_GROWSDOWN, no fixed address) gets a
 * process stack's room below it: the kernel grows a stack only with its guard
 * gap (stack_guard_gap, 1 MiB by default) to the next accessible VMA kept free.
 */
static long map_anon(const struct hw_req *q)
{
	int flags = (int)q->flags | MAP_ANONYMOUS;
	void *hint = (void *)q->addr, *p;

	if ((flags & MAP_GROWSDOWN) && !(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))) {
		p = mmap(NULL, q->len + STACK_ROOM, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		munmap(p, q->len + STACK_ROOM);
		hint = (char *)p + STACK_ROOM;
		flags |= MAP_FIXED_NOREPLACE;
	}
	p = mmap(hint, q->len, (int)q->prot, flags, -1, 0);
	return p == MAP_FAILED ? -errno : (long)p;
}

/* memfd_secret's memory, mapped shared; the descriptor goes (the mapping holds the file). */
static long secretmem_map(unsigned long len, int prot)
{
	long fd = syscall(NR_MEMFD_SECRET, 0);
	void *p;

	if (fd < 0)
		return -errno;
	if (ftruncate((int)fd, (off_t)len)) {
		int err = errno;

		close((int)fd);
		return -err;
	}
	p = mmap(NULL, len, prot, MAP_SHARED, (int)fd, 0);
	close((int)fd);
	return p == MAP_FAILED ? -errno : (long)p;
}

static bool serve(int *sock, struct hw_req *q, struct hw_reply *r, int *pass_fd)
{
	void *p;

	switch (q->op) {
	case HW_MMAP:
		r->ret = map_anon(q);
		break;
	case HW_MUNMAP:
		r->ret = neg_errno(munmap((void *)q->addr, q->len));
		break;
	case HW_MPROTECT:
		r->ret = neg_errno(mprotect((void *)q->addr, q->len, (int)q->prot));
		break;
	case HW_MADVISE:
		r->ret = neg_errno(madvise((void *)q->addr, q->len, q->advice));
		break;
	case HW_MLOCK:
		/* Raw syscalls: the sanitizer's mlock interceptors do nothing. */
		r->ret = neg_errno(q->onfault ? syscall(SYS_mlock2, q->addr, q->len, MLOCK_ONFAULT)
					      : syscall(SYS_mlock, q->addr, q->len));
		break;
	case HW_MUNLOCK:
		r->ret = neg_errno(syscall(SYS_munlock, q->addr, q->len));
		break;
	case HW_STORE:
		r->left = guarded_copy((unsigned char *)q->addr, q->data, q->data_len);
		break;
	case HW_LOAD:
		r->left = guarded_copy(r->data, (unsigned char *)q->addr, q->len);
		r->data_len = (unsigned int)q->len;
		break;
	case HW_FORK:
		return do_fork(sock, r, pass_fd);
	case HW_EXIT:
		if (q->flags)
			thread_exit(*sock);
		_exit(0);
	case HW_THREAD:
		r->ret = new_thread(pass_fd);
		break;
	case HW_PROCESS_VM:
		r->ret = process_vm(q);
		break;
	case HW_VMSPLICE:
		r->ret = do_vmsplice(q, pass_fd);
		break;
	case HW_RING_PIN:
		r->ret = ring_pin(q);
		break;
	case HW_RING_UNPIN:
		r->ret = ring_unpin(q->ring);
		break;
	case HW_RING_READ:
	case HW_RING_WRITE:
		r->ret = device_io(q, r, q->op == HW_RING_WRITE);
		break;
	case HW_DIRECT_IO:
		r->ret = direct_io(q, r);
		break;
	case HW_MREMAP:
		p = mremap((void *)q->addr, q->len, q->new_len, (int)q->flags, (void *)q->new_addr);
		r->ret = p == MAP_FAILED ? -errno : (long)p;
		break;
	case HW_MSEAL:
		r->ret = neg_errno(syscall(NR_MSEAL, q->addr, q->len, q->flags));
		break;
	case HW_SECRETMEM:
		r->ret = secretmem_map(q->len, (int)q->prot);
		break;
	case HW_FILE_OPEN:
	case HW_MEMFD_CREATE:
		r->ret = file_open(q);
		break;
	case HW_FILE_CLOSE:
		r->ret = file_close(q->fd);
		break;
	case HW_FILE_TRUNCATE:
	case HW_FILE_PREAD:
	case HW_FILE_PWRITE:
	case HW_FILE_FSYNC:
	case HW_MMAP_FILE:
	case HW_FILE_FCNTL:
		r->ret = file_call(q);
		break;
	case HW_MSYNC:
		r->ret = neg_errno(msync((void *)q->addr, q->len, (int)q->flags));
		break;
	case HW_HANG:
		for (;;)
			pause();
	}
	return false;
}

/* One thread's requests, one at a time, until HW_EXIT or the driver's end closes. */
static void serve_loop(int sock)
{
	struct hw_req *q = malloc(sizeof(*q));
	struct hw_reply *r = malloc(sizeof(*r));

	if (!q || !r)
		_exit(1);
	for (;;) {
		ssize_t n = recv(sock, q, sizeof(*q), 0);
		int pass_fd = -1;

		if (n <= 0 || (size_t)n < offsetof(struct hw_req, data))
			_exit(0); /* the driver is gone (or broke the protocol): so are we */
		memset(r, 0, offsetof(struct hw_reply, data));
		if (serve(&sock, q, r, &pass_fd))
			continue;
		if (send_reply(sock, r, pass_fd))
			_exit(0);
		if (pass_fd >= 0)
			close(pass_fd);
	}
}

void host_worker_main(int sock)
{
	struct sigaction sa = {.sa_handler = on_fault};

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGINT, SIG_IGN); /* Ctrl-C reaches the driver, which ends the workers */
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	thread_socks[nr_thread_socks++] = sock;
	for (int i = 0; i < HW_MAX_FILES; i++)
		scenario_fd[i] = -1;
	serve_loop(sock);
}
