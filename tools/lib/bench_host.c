// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host kernel's side of `gup bench --vs-kernel`: vmsplice into a pipe (the
 * kernel's get_user_pages_fast user), io_uring buffer registration (it pins with
 * FOLL_WRITE | FOLL_LONGTERM) and MADV_POPULATE_WRITE (the kernel's GUP slow
 * walk), each over real host memory.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "bench.h"

#ifdef HAVE_LIBURING
#include <liburing.h>
#endif

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define HOST_PAGE_SIZE 4096UL
#define IOURING_MAX_IOVECS 16384UL  /* UIO_MAXIOV: the kernel's per-call limit */
#define IOURING_MAX_BUF (1UL << 30) /* io_uring refuses larger single buffers */

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* /proc/sys/fs/pipe-max-size: how large an unprivileged pipe may grow (1 MiB by default). */
static unsigned long read_pipe_max_size(void)
{
	FILE *f = fopen("/proc/sys/fs/pipe-max-size", "r");
	unsigned long max = 1UL << 20;

	if (f) {
		if (fscanf(f, "%lu", &max) != 1)
			max = 1UL << 20;
		fclose(f);
	}
	return max > (1UL << 30) ? 1UL << 30 : max;
}

#define HOST_HUGE_SIZE (2UL << 20)

/* Bytes of AnonHugePages in the smaps entry of the host VMA holding @p, or 0. */
static unsigned long host_thp_bytes(const void *p)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	unsigned long start, end, kb = 0;
	bool inside = false;
	char line[256];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			inside = (unsigned long)p >= start && (unsigned long)p < end;
		else if (inside && sscanf(line, "AnonHugePages: %lu kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb << 10;
}

const char *host_thp_enabled(char *buf, size_t len)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	snprintf(buf, len, "unknown");
	if (f) {
		if (fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = 0;
		fclose(f);
	}
	return buf;
}

/* @size bytes of anonymous host memory starting on a 2 MiB boundary. */
static void *host_map_aligned(unsigned long size)
{
	unsigned long len = size + HOST_HUGE_SIZE, start, lead;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	start = ((unsigned long)p + HOST_HUGE_SIZE - 1) & ~(HOST_HUGE_SIZE - 1);
	lead = start - (unsigned long)p;
	if (lead)
		munmap(p, lead);
	munmap((char *)start + size, HOST_HUGE_SIZE - lead);
	return (void *)start;
}

/*
 * Anonymous host memory with every page already faulted in for writing: hugetlb
 * pages for -H, huge pages as far as the host gives them for BENCH_THP_ON, 4 KiB
 * pages otherwise.
 */
static void *host_populated_region(unsigned long size, const struct host_run *run,
				   struct host_sample *out)
{
	enum bench_thp thp = run->thp;
	void *p = thp == BENCH_THP_ON
			  ? host_map_aligned(size)
			  : mmap(NULL, size, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | run->hugetlb_flags, -1, 0);

	if (!p || p == MAP_FAILED)
		return NULL;
	/* -H: hugetlb pages from the host's pool (mmap fails without one). */
	if (run->hugetlb_flags) {
		memset(p, 1, size);
		return p;
	}
	if (madvise(p, size, thp == BENCH_THP_ON ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) ||
	    madvise(p, size, MADV_POPULATE_WRITE))
		memset(p, 1, size); /* older kernels: fault it in by hand */
	out->thp_bytes = host_thp_bytes(p);
	return p;
}

/* How many timed passes @run makes: its repeats, at most HOST_MAX_REPEATS. */
static int host_passes(const struct host_run *run)
{
	return run->repeats < 1			 ? 1
	       : run->repeats > HOST_MAX_REPEATS ? HOST_MAX_REPEATS
						 : run->repeats;
}

/* After pass @i: keep in @out the fastest get and the fastest put so far, and the calls. */
static void keep_fastest(struct host_sample *out, const struct host_sample *pass, int i)
{
	if (!i || pass->get_us < out->get_us)
		out->get_us = pass->get_us;
	if (!i || pass->put_us < out->put_us)
		out->put_us = pass->put_us;
	out->calls = pass->calls;
}

void host_bench_populate(const struct host_run *run, struct host_sample *out)
{
	unsigned long size = run->size;
	int ret = 0;
	void *p;

	memset(out, 0, sizeof(*out));
	p = host_populated_region(size, run, out);
	out->put_us = -1;
	out->mechanism = "madvise(MADV_POPULATE_WRITE): the kernel's GUP slow walk";
	if (!p) {
		snprintf(out->note, sizeof(out->note), "host mmap failed: %s", strerror(errno));
		return;
	}
	for (int i = 0; i < host_passes(run) && !ret; i++) {
		struct host_sample pass = {.calls = 1, .put_us = -1};
		double t0 = now_us();

		ret = madvise(p, size, MADV_POPULATE_WRITE);
		pass.get_us = now_us() - t0;
		if (!ret)
			keep_fastest(out, &pass, i);
	}
	if (ret) {
		snprintf(out->note, sizeof(out->note), "MADV_POPULATE_WRITE unavailable: %s",
			 strerror(errno));
	} else {
		out->ok = true;
		snprintf(out->note, sizeof(out->note),
			 "madvise(MADV_POPULATE_WRITE) over populated memory, THP %s, best of %d",
			 run->thp == BENCH_THP_ON ? "on" : "off", host_passes(run));
	}
	munmap(p, size);
}

#ifdef HAVE_LIBURING
/* Registered buffers count against RLIMIT_MEMLOCK unless CAP_IPC_LOCK: lift it if we may. */
static void raise_memlock_limit(void)
{
	struct rlimit unlimited = {RLIM_INFINITY, RLIM_INFINITY};

	(void)setrlimit(RLIMIT_MEMLOCK, &unlimited);
}

/* Describe [p, p + size) as iovecs of @chunk bytes. */
static struct iovec *chunk_iovecs(char *p, unsigned long size, unsigned long chunk,
				  unsigned long *nr)
{
	struct iovec *iov;

	*nr = (size + chunk - 1) / chunk;
	iov = calloc(*nr, sizeof(*iov));
	if (!iov)
		return NULL;
	for (unsigned long i = 0; i < *nr; i++) {
		iov[i].iov_base = p + i * chunk;
		iov[i].iov_len = size - i * chunk < chunk ? size - i * chunk : chunk;
	}
	return iov;
}

/* Register then unregister @nr iovecs in batches, timing each phase. Returns 0 or -errno. */
static int register_in_batches(struct io_uring *ring, struct iovec *iov, unsigned long nr,
			       struct host_sample *out)
{
	for (unsigned long done = 0; done < nr; done += IOURING_MAX_IOVECS) {
		unsigned long batch =
			nr - done < IOURING_MAX_IOVECS ? nr - done : IOURING_MAX_IOVECS;
		double t0 = now_us(), t1;
		int ret = io_uring_register_buffers(ring, iov + done, (unsigned int)batch);

		t1 = now_us();
		if (ret)
			return ret;
		out->get_us += t1 - t0;
		io_uring_unregister_buffers(ring);
		out->put_us += now_us() - t1;
		out->calls++;
	}
	return 0;
}

void host_bench_pin(const struct host_run *run, struct host_sample *out)
{
	unsigned long size = run->size, chunk, nr;
	struct io_uring ring;
	struct iovec *iov;
	char *p;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	out->mechanism = "io_uring_register_buffers: pin_user_pages FOLL_WRITE|FOLL_LONGTERM";
	chunk = run->pages_per_call < 0 ? size
					: (unsigned long)run->pages_per_call * HOST_PAGE_SIZE;
	if (chunk > IOURING_MAX_BUF)
		chunk = IOURING_MAX_BUF;
	raise_memlock_limit();
	ret = io_uring_queue_init(1, &ring, 0);
	if (ret) {
		snprintf(out->note, sizeof(out->note), "io_uring unavailable: %s", strerror(-ret));
		return;
	}
	p = host_populated_region(size, run, out);
	iov = p ? chunk_iovecs(p, size, chunk, &nr) : NULL;
	for (int i = 0; iov && i < host_passes(run) && !ret; i++) {
		struct host_sample pass = {0};

		ret = register_in_batches(&ring, iov, nr, &pass);
		keep_fastest(out, &pass, i);
	}
	if (!iov) {
		snprintf(out->note, sizeof(out->note), "host memory: %s", strerror(ENOMEM));
	} else if (ret) {
		snprintf(out->note, sizeof(out->note), "io_uring_register_buffers: %s",
			 strerror(-ret));
	} else {
		out->ok = true;
		snprintf(out->note, sizeof(out->note),
			 "io_uring_register_buffers: %lu iovecs of %lu KiB in %lu call(s) of <= "
			 "%lu, "
			 "best of %d",
			 nr, chunk >> 10, out->calls, IOURING_MAX_IOVECS, host_passes(run));
	}
	free(iov);
	if (p)
		munmap(p, size);
	io_uring_queue_exit(&ring);
}
#else
void host_bench_pin(const struct host_run *run, struct host_sample *out)
{
	(void)run;
	memset(out, 0, sizeof(*out));
	out->mechanism = "io_uring_register_buffers: pin_user_pages FOLL_WRITE|FOLL_LONGTERM";
	snprintf(out->note, sizeof(out->note), "io_uring unavailable: built without liburing");
}
#endif

/* ------------------------------------------------------------------------- */
/* vmsplice: get_user_pages_fast and put_page in the host kernel              */
/* ------------------------------------------------------------------------- */

/* A pipe as large as we may make it; returns its capacity in pages, or 0. */
static unsigned long open_large_pipe(int fds[2])
{
	unsigned long max = read_pipe_max_size();
	int size;

	if (pipe(fds))
		return 0;
	(void)fcntl(fds[1], F_SETPIPE_SZ, (int)max);
	size = fcntl(fds[1], F_GETPIPE_SZ);
	return size > 0 ? (unsigned long)size / HOST_PAGE_SIZE : 0;
}

/* Move everything in the pipe to /dev/null: the kernel drops each page with put_page(). */
static int drain_pipe(int pipe_rd, int null_fd, size_t bytes)
{
	while (bytes) {
		ssize_t n = splice(pipe_rd, NULL, null_fd, NULL, bytes, 0);

		if (n <= 0)
			return n ? -errno : -EIO;
		bytes -= (size_t)n;
	}
	return 0;
}

/* Splice @len bytes at @p in; returns 0 or -errno. */
static int vmsplice_all(int pipe_wr, char *p, size_t len)
{
	while (len) {
		struct iovec iov = {.iov_base = p, .iov_len = len};
		ssize_t n = vmsplice(pipe_wr, &iov, 1, 0);

		if (n <= 0)
			return n ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int time_vmsplice(char *p, unsigned long size, unsigned long chunk, int fds[2], int null_fd,
			 struct host_sample *out)
{
	for (unsigned long off = 0; off < size; off += chunk) {
		size_t len = size - off < chunk ? size - off : chunk;
		double t0 = now_us(), t1;
		int ret = vmsplice_all(fds[1], p + off, len);

		t1 = now_us();
		if (ret)
			return ret;
		out->get_us += t1 - t0;
		ret = drain_pipe(fds[0], null_fd, len);
		out->put_us += now_us() - t1;
		if (ret)
			return ret;
		out->calls++;
	}
	return 0;
}

void host_bench_gup_fast(const struct host_run *run, struct host_sample *out)
{
	int fds[2] = {-1, -1}, null_fd = open("/dev/null", O_WRONLY);
	unsigned long size = run->size, pipe_pages = 0, chunk;
	long pages_per_call = run->pages_per_call;
	char *p = NULL;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	out->mechanism = "vmsplice(2) into a pipe: the kernel's get_user_pages_fast, no "
			 "FOLL_WRITE; drained by splice(2) to /dev/null: put_page";
	if (null_fd >= 0)
		pipe_pages = open_large_pipe(fds);
	if (pipe_pages)
		p = host_populated_region(size, run, out);
	if (!p) {
		snprintf(out->note, sizeof(out->note), "host setup (pipe, /dev/null, mmap): %s",
			 strerror(errno));
		goto out;
	}
	chunk = pages_per_call < 0 || (unsigned long)pages_per_call > pipe_pages
			? pipe_pages
			: (unsigned long)pages_per_call;
	for (int i = 0; i < host_passes(run) && !ret; i++) {
		struct host_sample pass = {0};

		ret = time_vmsplice(p, size, chunk * HOST_PAGE_SIZE, fds, null_fd, &pass);
		keep_fastest(out, &pass, i);
	}
	if (ret) {
		snprintf(out->note, sizeof(out->note), "vmsplice/splice: %s", strerror(-ret));
	} else {
		out->ok = true;
		snprintf(out->note, sizeof(out->note),
			 "%lu calls of %lu pages; the pipe holds %lu pages; best of %d", out->calls,
			 chunk, pipe_pages, host_passes(run));
	}
	munmap(p, size);
out:
	if (fds[0] >= 0) {
		close(fds[0]);
		close(fds[1]);
	}
	if (null_fd >= 0)
		close(null_fd);
}
