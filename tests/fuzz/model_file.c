// SPDX-License-Identifier: GPL-2.0-only
/*
 * The model fuzzer's file mode: two files (a host file in a temporary directory,
 * and a second host file or a memfd) whose page-cache bytes the model keeps, the
 * file operations on them, and the checks of the real host file's bytes against
 * the model after every writeback the model can name (fsync, msync, the last
 * reference) and after munmap and exit (nothing may have reached the file since);
 * and with config bit 7 a hugetlbfs memfd, whose huge pages the model samples.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libgup.h>
#include "fs/internal.h"
#include "model_int.h"
#include "gup_calls.h"

/* The largest access a file operation makes: a page offset and two pages, rounded up. */
#define FILE_IO_MAX (3 * PAGE_SIZE)

/* --- the model files --- */

/* The byte at @off of a host file as the model creates it. */
static unsigned char initial_byte(int file, unsigned long off)
{
	return (unsigned char)(0x30 + file * 0x40 + (off >> PAGE_SHIFT) * 3 + off % 251);
}

static bool is_host(const struct model_file *f)
{
	return !f->memfd;
}

bool file_page_in_eof(const struct model_page *p)
{
	return p->fpage < p->file->size;
}

size_t file_mode_config(const uint8_t *data, size_t size, struct sim_config *cfg)
{
	if (size < MODEL_OP_BYTES || memcmp(data, MODEL_FILE_MAGIC, 3))
		return 0;
	cfg->swap_bytes = 4UL << 20; /* for file_pageout: shmem pages go to swap */
	if (data[3] & 0x80) { /* the hugetlbfs memfd's pool; else the default 16 MiB machine */
		cfg->mem_bytes = 48UL << 20;
		cfg->hugetlb_2m_pages = HFILE_POOL;
	}
	return MODEL_OP_BYTES;
}

/* Write the host file @f of @pages pages with the initial pattern. Return: 0 or -1. */
static int create_host_file(struct model_file *f, int index, int pages)
{
	int fd = open(f->path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	int ret = 0;

	if (fd < 0)
		return -1;
	for (int i = 0; i < pages; i++) {
		for (unsigned long b = 0; b < PAGE_SIZE; b++)
			f->bytes[i][b] = initial_byte(index, i * PAGE_SIZE + b);
		if (pwrite(fd, f->bytes[i], PAGE_SIZE, (off_t)i * PAGE_SIZE) != (ssize_t)PAGE_SIZE)
			ret = -1;
	}
	close(fd);
	return ret;
}

/* Open (or, for the memfd, install) every file in the current task at its descriptor. */
static int open_files(struct model *m)
{
	for (int i = 0; i < MODEL_FILES; i++) {
		struct model_file *f = &m->files[i];
		int fd = f->memfd ? fd_install_lowest(get_file(f->keep))
				  : sys_open(f->path, O_RDWR, 0);

		if (fd < 0 && f->memfd)
			fput(f->keep);
		if (fd != f->fd) {
			diverged(m, "file %d opened at descriptor %d, expected %d", i, fd, f->fd);
			return -1;
		}
	}
	if (m->has_hfile) {
		int fd = fd_install_lowest(get_file(m->hfile.keep));

		if (fd < 0)
			fput(m->hfile.keep);
		if (fd != m->hfile.fd) {
			diverged(m, "the hugetlbfs memfd opened at %d, expected %d", fd,
				 m->hfile.fd);
			return -1;
		}
	}
	return 0;
}

int file_mode_setup(struct model *m, uint8_t config)
{
	int sizes[MODEL_FILES] = {(config & 7) * 2, ((config >> 4) & 7) * 2};

	snprintf(m->file_dir, sizeof(m->file_dir), "/tmp/gup-model-file-XXXXXX");
	if (!mkdtemp(m->file_dir)) {
		m->file_dir[0] = '\0';
		diverged(m, "mkdtemp failed");
		return -1;
	}
	m->files[1].memfd = config & 8;
	for (int i = 0; i < MODEL_FILES; i++) {
		struct model_file *f = &m->files[i];

		f->size = sizes[i];
		for (int p = 0; p < FILE_PAGES; p++)
			f->synced[p] = true;
		if (f->memfd) {
			f->fd = sys_memfd_create("model", MFD_ALLOW_SEALING);
			if (f->fd < 0 || sys_ftruncate(f->fd, (loff_t)f->size * PAGE_SIZE)) {
				diverged(m, "memfd setup failed (%d)", f->fd);
				return -1;
			}
			f->keep = fget(f->fd);
			continue;
		}
		snprintf(f->path, sizeof(f->path), "%s/file%d", m->file_dir, i);
		if (create_host_file(f, i, f->size)) {
			diverged(m, "cannot create %s", f->path);
			return -1;
		}
		f->fd = sys_open(f->path, O_RDWR, 0);
		if (f->fd < 0) {
			diverged(m, "sys_open(%s) returned %d", f->path, f->fd);
			return -1;
		}
	}
	m->has_hfile = config & 0x80;
	if (m->has_hfile) {
		m->hfile.fd = sys_memfd_create("model-huge", MFD_HUGETLB);
		if (m->hfile.fd < 0) {
			diverged(m, "memfd_create(MFD_HUGETLB) returned %d", m->hfile.fd);
			m->has_hfile = false;
			return -1;
		}
		m->hfile.keep = fget(m->hfile.fd);
	}
	if (m->log)
		fprintf(m->log, "model: file mode, file 0 %d pages, file 1 %s %d pages%s\n",
			sizes[0], m->files[1].memfd ? "memfd" : "host", sizes[1],
			m->has_hfile ? ", a hugetlbfs memfd" : "");
	return 0;
}

void file_mode_task_started(struct model *m)
{
	if (m->files[0].path[0] && !m->failed)
		open_files(m);
}

/* --- the host file against the model --- */

/* Pages [first, first + n) of host file @f the model knows written back must match. */
static void check_host_pages(struct model *m, struct model_file *f, int first, int n)
{
	unsigned char buf[PAGE_SIZE];
	int fd;

	if (!is_host(f))
		return;
	fd = open(f->path, O_RDONLY);
	if (fd < 0) {
		diverged(m, "cannot open %s on the host", f->path);
		return;
	}
	for (int i = first; i < first + n && i < f->size; i++) {
		ssize_t got;

		if (!f->synced[i])
			continue;
		/*
		 * The host size may lag (a pwrite's growth is written back with its
		 * pages): bytes beyond the host's end read as the hole they are.
		 */
		memset(buf, 0, sizeof(buf));
		got = pread(fd, buf, PAGE_SIZE, (off_t)i * PAGE_SIZE);
		if (got < 0 || memcmp(buf, f->bytes[i], PAGE_SIZE)) {
			diverged(m,
				 "host file %d page %d (read %zd of %ld bytes) differs from the "
				 "model",
				 (int)(f - m->files), i, got, (long)lseek(fd, 0, SEEK_END));
			break;
		}
	}
	close(fd);
}

/* After a writeback of all of @f: every page the host holds, and its size. */
static void check_host_file(struct model *m, struct model_file *f)
{
	struct stat st;

	if (!is_host(f))
		return;
	for (int i = 0; i < FILE_PAGES; i++)
		f->synced[i] = true;
	check_host_pages(m, f, 0, f->size);
	if (stat(f->path, &st) || st.st_size != (off_t)f->size * (off_t)PAGE_SIZE)
		diverged(m, "host file %d has %ld bytes, the model %lu", (int)(f - m->files),
			 (long)st.st_size, (unsigned long)f->size * PAGE_SIZE);
}

void file_check_synced(struct model *m)
{
	for (int i = 0; i < MODEL_FILES && !m->failed; i++)
		check_host_pages(m, &m->files[i], 0, FILE_PAGES);
}

void file_mode_all_exited(struct model *m)
{
	for (int i = 0; i < MODEL_FILES && !m->failed; i++)
		check_host_file(m, &m->files[i]);
}

void file_mode_tear_down(struct model *m)
{
	if (m->hfile.keep) {
		fput(m->hfile.keep);
		m->hfile.keep = NULL;
	}
	for (int i = 0; i < MODEL_FILES; i++)
		if (m->files[i].keep) {
			fput(m->files[i].keep);
			m->files[i].keep = NULL;
		}
	if (m->file_dir[0])
		file_mode_all_exited(m);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void file_mode_remove_dir(struct model *m)
{
	if (m->file_dir[0])
		nftw(m->file_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	m->file_dir[0] = '\0';
}

/* --- the operations --- */

static struct model_file *file_of(struct model *m, uint8_t byte)
{
	return &m->files[(byte >> 4) & 1];
}

/*
 * The seals that make a new shared mapping read-only for good (shmem_mmap()
 * clears VM_MAYWRITE): F_SEAL_FUTURE_WRITE; under 6.18 F_SEAL_WRITE too (6.7's
 * "mm: update memfd seal write check to include F_SEAL_WRITE").
 */
static unsigned int write_seals(const struct model *m)
{
	return F_SEAL_FUTURE_WRITE | (m->seals_as_6_18 ? F_SEAL_WRITE : 0);
}

/*
 * Does a write seal refuse a shared mapping of @f with @prot (-EPERM)? A
 * writable one under either seal; under 5.11 any one once F_SEAL_WRITE is set
 * (mmap_region() counts every shared mapping as writable).
 * Return: 0 (allowed); 1: refused after MAP_FIXED unmapped the range (5.11);
 * -1: refused before (6.18, do_mmap()'s memfd_check_seals_mmap(), 6.13).
 */
static int write_seal_refuses_mmap(const struct model *m, const struct model_file *f, int prot)
{
	bool refused = (f->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) && (prot & PROT_WRITE);

	refused |= !m->seals_as_6_18 && (f->seals & F_SEAL_WRITE);
	return !refused ? 0 : m->seals_as_6_18 ? -1 : 1;
}

/*
 * mmap of file pages [pgoff, pgoff + n) over arena slots [slot, slot + n), shared
 * or private (MAP_FIXED; pages beyond EOF are mapped and fault with SIGBUS).
 * a: bit 4 file, bit 5 shared, bits 6-7 prot; b: slot, n; c: bits 0-3 pgoff, bit 4 populate.
 */
static void file_mmap(struct model *m, const struct model_op *op)
{
	struct model_file *f = file_of(m, op->a);
	int slot = slot_of(op->b), n = count_of(op->b >> 4, slot), prot = prot_of(op->a >> 6);
	int pgoff = op->c & 15;
	bool shared = op->a & 0x20, populate = op->c & 0x10;
	unsigned long flags =
		MAP_FIXED | (shared ? MAP_SHARED : MAP_PRIVATE) | (populate ? MAP_POPULATE : 0);
	unsigned long ret = sys_mmap(slot_addr(slot), n * PAGE_SIZE, prot, flags, f->fd,
				     (unsigned long)pgoff * PAGE_SIZE);
	int refused = shared ? write_seal_refuses_mmap(m, f, prot) : 0;

	trace(m, "mmap file %d pgoff %d slot %d n %d prot %d %s%s", (int)(f - m->files), pgoff,
	      slot, n, prot, shared ? "shared" : "private", populate ? " populate" : "");
	if (range_sealed(m->cur, slot, n)) {
		if (ret != (unsigned long)-EPERM)
			diverged(m, "mmap over a sealed page returned %#lx, expected -EPERM", ret);
		return;
	}
	if (refused) {
		if (ret != (unsigned long)-EPERM)
			diverged(m, "mmap refused by a write seal returned %#lx", ret);
		/* 5.11 refuses it in mmap_region(), after MAP_FIXED unmapped the range. */
		for (int i = 0; refused > 0 && i < n; i++)
			drop_page(&m->cur->pages[slot + i]);
		file_check_synced(m);
		return;
	}
	if (ret != slot_addr(slot)) {
		diverged(m, "file mmap returned %#lx, expected %#lx", ret, slot_addr(slot));
		return;
	}
	for (int i = 0; i < n; i++) {
		struct model_page *p = &m->cur->pages[slot + i];

		drop_page(p);
		*p = (struct model_page){.mapped = true,
					 .shared = shared,
					 .prot = prot,
					 .incarnation = new_incarnation(),
					 .file = f,
					 .fpage = pgoff + i,
					 .ro_sealed = shared && (f->seals & write_seals(m))};
	}
}

/* The decoded I/O of pread/pwrite: file position, user buffer with the same page offset. */
struct file_io {
	struct model_file *f;
	loff_t pos;
	unsigned long buf;
	size_t count;
};

/* b: bits 0-4 file page, 5-7 offset / 512; c: bits 0-3 buffer slot, 4-7 count / 512. */
static struct file_io file_io_of(struct model *m, const struct model_op *op)
{
	unsigned long off = (op->b >> 5) * 512UL;
	struct file_io io = {.f = file_of(m, op->a)};

	io.pos = (loff_t)(op->b & 31) * PAGE_SIZE + off;
	io.buf = slot_addr(slot_of(op->c)) + off;
	io.count = min_t(size_t, 1 + (op->c >> 4) * 512UL, ARENA_END - io.buf);
	return io;
}

/* Is any page of the user buffer @io's file itself at a page the I/O reads or writes? */
static bool io_overlaps_file(struct model *m, const struct file_io *io, size_t len)
{
	long first = io->pos >> PAGE_SHIFT, last = (io->pos + (loff_t)len - 1) >> PAGE_SHIFT;

	for (unsigned long a = io->buf & PAGE_MASK; len && a < io->buf + len; a += PAGE_SIZE) {
		const struct model_page *p = &m->cur->pages[(a - ARENA_BASE) >> PAGE_SHIFT];

		if (p->mapped && p->file == io->f && p->fpage >= first && p->fpage <= last)
			return true;
	}
	return false;
}

static void file_pread(struct model *m, const struct model_op *op)
{
	struct file_io io = file_io_of(m, op);
	loff_t end = (loff_t)io.f->size * PAGE_SIZE;
	size_t want = io.pos >= end ? 0 : min_t(size_t, io.count, (size_t)(end - io.pos));
	unsigned char from[FILE_IO_MAX];
	size_t done;
	long expect;
	ssize_t ret;

	if (io_overlaps_file(m, &io, want))
		return;
	done = accessible_prefix(m->cur, io.buf, want, true, false, false);
	expect = !want ? 0 : done ? (long)done : -EFAULT;
	trace(m, "pread file %d pos %#lx count %zu into %#lx", (int)(io.f - m->files),
	      (unsigned long)io.pos, io.count, io.buf);
	ret = sys_pread64(io.f->fd, io.buf, io.count, io.pos);
	if (ret != expect) {
		diverged(m, "pread returned %zd, expected %ld", ret, expect);
		return;
	}
	for (size_t i = 0; i < done; i++)
		from[i] = io.f->bytes[(io.pos + i) >> PAGE_SHIFT][(io.pos + i) & ~PAGE_MASK];
	model_copy(m->cur, io.buf, from, done, true);
}

/* Can the first chunk of @io (its bytes up to the buffer's page end) be read? */
static bool first_chunk_readable(struct model *m, const struct file_io *io)
{
	size_t chunk = min_t(size_t, io->count, PAGE_SIZE - (io->buf & ~PAGE_MASK));

	return accessible_prefix(m->cur, io->buf, chunk, false, false, false) == chunk;
}

/*
 * pwrite: a write that extends the file ends on a page boundary (the model keeps
 * sizes page-aligned), and its buffer has the file position's page offset, so a
 * short write (the buffer stops being readable) ends on one too. A memfd sealed
 * against growing writes up to its end, one sealed against writing nothing.
 */
static void file_pwrite(struct model *m, const struct model_op *op)
{
	struct file_io io = file_io_of(m, op);
	struct model_file *f = io.f;
	loff_t end = (loff_t)f->size * PAGE_SIZE, last;
	unsigned char buf[FILE_IO_MAX];
	size_t done, allowed;
	long expect;
	ssize_t ret;

	if (io.pos + (loff_t)io.count > end) {
		io.count = ALIGN_UP(io.pos + io.count, PAGE_SIZE) - io.pos;
		io.count = min_t(size_t, io.count, ARENA_END - io.buf);
		io.count = min_t(size_t, io.count, (size_t)FILE_PAGES * PAGE_SIZE - io.pos);
	}
	if (io_overlaps_file(m, &io, io.count))
		return;
	allowed = io.count;
	if (f->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		allowed = 0; /* shmem_write_begin() refuses every chunk */
	else if (f->seals & F_SEAL_GROW)
		allowed = io.pos >= end ? 0 : min_t(size_t, io.count, (size_t)(end - io.pos));
	done = accessible_prefix(m->cur, io.buf, allowed, false, false, false);
	expect = done ? (long)done : !io.count ? 0 : !allowed ? -EPERM : -EFAULT;
	if (!allowed && io.count && m->write_prefaults && !first_chunk_readable(m, &io))
		expect = -EFAULT; /* 5.11 faults the user bytes in before the seal check */
	trace(m, "pwrite file %d pos %#lx count %zu from %#lx", (int)(f - m->files),
	      (unsigned long)io.pos, io.count, io.buf);
	model_copy(m->cur, io.buf, buf, done, false);
	ret = sys_pwrite64(f->fd, io.buf, io.count, io.pos);
	if (ret != expect) {
		diverged(m, "pwrite returned %zd, expected %ld", ret, expect);
		return;
	}
	for (size_t i = 0; i < done; i++) {
		loff_t at = io.pos + (loff_t)i;

		f->bytes[at >> PAGE_SHIFT][at & ~PAGE_MASK] = buf[i];
		f->synced[at >> PAGE_SHIFT] = false;
	}
	last = io.pos + (loff_t)done;
	if (done && last > end) {
		if (last & ~PAGE_MASK)
			diverged(m, "the model's pwrite extended the file to %#lx",
				 (unsigned long)last);
		f->size = (int)(last >> PAGE_SHIFT);
	}
}

/*
 * The file shrinks to @size pages: pages beyond it leave every mapping (the COW
 * copies of private ones too) and the cache; growing again they read zeros, as the
 * host file does.
 */
static void model_truncate(struct model *m, struct model_file *f, int size)
{
	for (int i = size; i < f->size; i++) {
		memset(f->bytes[i], 0, PAGE_SIZE);
		f->synced[i] = true;
	}
	for (int i = 0; i < m->nr_held; i++) /* a pinned page leaves the cache too */
		if (m->held[i].file == f && m->held[i].fpage >= size)
			m->held[i].file = NULL;
	for (int t = 0; t < MAX_TASKS; t++)
		for (int i = 0; m->tasks[t].task && i < ARENA_PAGES; i++) {
			struct model_page *p = &m->tasks[t].pages[i];

			if (!p->mapped || p->file != f || p->fpage < size)
				continue;
			free(p->bytes);
			p->bytes = NULL;
			p->incarnation = new_incarnation();
		}
}

/* b: the new size in pages (0 to FILE_PAGES). */
static void file_ftruncate(struct model *m, const struct model_op *op)
{
	struct model_file *f = file_of(m, op->a);
	int size = op->b % (FILE_PAGES + 1), expect = 0, ret;

	if ((size < f->size && (f->seals & F_SEAL_SHRINK)) ||
	    (size > f->size && (f->seals & F_SEAL_GROW)))
		expect = -EPERM;
	trace(m, "ftruncate file %d to %d pages", (int)(f - m->files), size);
	ret = sys_ftruncate(f->fd, (loff_t)size * PAGE_SIZE);
	if (ret != expect) {
		diverged(m, "ftruncate returned %d, expected %d", ret, expect);
		return;
	}
	if (expect)
		return;
	if (size < f->size)
		model_truncate(m, f, size);
	f->size = size;
	check_host_pages(m, f, 0, FILE_PAGES);
}

static void file_fsync(struct model *m, const struct model_op *op)
{
	struct model_file *f = file_of(m, op->a);
	int ret;

	trace(m, "fsync file %d", (int)(f - m->files));
	ret = sys_fsync(f->fd);
	if (ret) {
		diverged(m, "fsync returned %d", ret);
		return;
	}
	check_host_file(m, f);
}

/*
 * msync of arena slots: MS_SYNC writes back what the range's shared file
 * mappings map; MS_ASYNC writes nothing. b: slot, n; c: bits 0-1 the flags.
 */
static void file_msync(struct model *m, const struct model_op *op)
{
	static const int flag_sets[] = {MS_SYNC, MS_ASYNC, MS_SYNC | MS_INVALIDATE, MS_SYNC};
	int slot = slot_of(op->b), n = count_of(op->b >> 4, slot), flags = flag_sets[op->c & 3];
	int expect = 0, ret;

	trace(m, "msync slot %d n %d flags %d", slot, n, flags);
	ret = sys_msync(slot_addr(slot), n * PAGE_SIZE, flags);
	for (int i = slot; i < slot + n; i++) {
		struct model_page *p = &m->cur->pages[i];

		if (!p->mapped)
			expect = -ENOMEM;
		else if ((flags & MS_SYNC) && p->shared && p->file && file_page_in_eof(p))
			p->file->synced[p->fpage] = true;
	}
	if (ret != expect) {
		diverged(m, "msync returned %d, expected %d", ret, expect);
		return;
	}
	file_check_synced(m);
}

/*
 * May a GUP with FOLL_LONGTERM reach @p? 6.18 refuses a writable long-term pin
 * of a shared mapping of a host file (it writes back); memfds are shmem.
 */
static bool longterm_may_access(const struct model *m, const struct model_page *p, bool write)
{
	return !(m->has_mseal && write && p->shared && p->file && is_host(p->file));
}

/*
 * 6.18 unshares a read-only long-term pin of a page-cache page in a private
 * mapping: the pin gets a copy, as a write fault would make.
 */
static void longterm_unshare(struct model *m, struct model_page *p)
{
	if (!m->has_mseal || !p->file || p->shared || p->bytes)
		return;
	p->bytes = malloc(PAGE_SIZE);
	memcpy(p->bytes, p->file->bytes[p->fpage], PAGE_SIZE);
	p->incarnation = new_incarnation();
}

/*
 * GUP of arena slots with FOLL_LONGTERM possible: b: slot, n - 1 (bits 4-7);
 * c: bits 0-1 flavour (plain, fast, remote), bit 2 pin, bit 4 write, bit 5
 * long-term (always a pin), bit 6 force, bit 7 the remote task's parity.
 */
static void file_gup(struct model *m, const struct model_op *op)
{
	static const enum gup_flavour flavours[] = {GUP_PLAIN, GUP_FAST, GUP_REMOTE, GUP_FAST};
	bool write = op->c & 0x10, longterm = op->c & 0x20, force = op->c & 0x40;
	bool pin = longterm || (op->c & 4);
	enum gup_entry v = gup_entry_of(pin, flavours[op->c & 3]);
	struct model_task *mt =
		gup_entry_flavour(v) == GUP_REMOTE ? task_of(m, op->c >> 7) : m->cur;
	int slot = slot_of(op->b), n = min_t(int, 1 + (op->b >> 4), ARENA_PAGES - slot);
	unsigned int flags = (write ? FOLL_WRITE : 0) | (force ? FOLL_FORCE : 0) |
			     (longterm ? FOLL_LONGTERM : 0);
	struct page *pages[ARENA_PAGES];
	long accessible = 0, got, expect;
	int locked = 1;

	if (m->nr_held + n > MAX_HELD)
		return;
	while (accessible < n && gup_may_access(&mt->pages[slot + accessible], write, force) &&
	       (!longterm || longterm_may_access(m, &mt->pages[slot + accessible], write)))
		accessible++;
	trace(m, "file gup variant %d of task %d slot %d n %d%s%s%s", v, (int)(mt - m->tasks), slot,
	      n, write ? " write" : "", force ? " force" : "", longterm ? " longterm" : "");
	got = gup_call_entry(v, mt->task->mm, slot_addr(slot), n, flags, pages, NULL,
			     v == GUP_GET_REMOTE && !longterm ? &locked : NULL);
	expect = expected_gup(accessible, n);
	if (got != expect) {
		diverged(m, "file gup variant %d returned %ld, expected %ld", v, got, expect);
		for (long i = 0; i < got;
		     i++) /* hand them back: the leak check is not what failed */
			pin ? unpin_user_page(pages[i]) : put_page(pages[i]);
		return;
	}
	if (longterm && !write)
		for (long i = 0; i < got; i++)
			longterm_unshare(m, &mt->pages[slot + i]);
	check_got_pages(m, mt, slot, got, pages, write);
	hold_got_pages(m, mt, slot, got, pages, pin, write);
}

/* Release a held page as a driver finishing DMA does: dirty or not (c bit 0). */
static void file_release(struct model *m, const struct model_op *op)
{
	if (!m->nr_held)
		return;
	trace(m, "release held %d%s", op->b % m->nr_held, op->c & 1 ? " dirty" : "");
	release_held_dirty(m, op->b % m->nr_held, op->c & 1);
}

/*
 * Does a mapping or a reference keep F_SEAL_WRITE off @f (-EBUSY)? A shared
 * mapping that counts as writable: under 5.11 every one, under 6.18 one that
 * may still become writable (6.7's "mm: drop the assumption that VM_SHARED
 * always implies writable"); else a GUP reference or pin on a page of its cache
 * (memfd_wait_for_pins() gives up on it).
 */
static bool write_seal_busy(const struct model *m, const struct model_file *f)
{
	for (int t = 0; t < MAX_TASKS; t++)
		for (int i = 0; m->tasks[t].task && i < ARENA_PAGES; i++) {
			const struct model_page *p = &m->tasks[t].pages[i];

			if (p->mapped && p->file == f && p->shared &&
			    !(m->seals_as_6_18 && p->ro_sealed))
				return true;
		}
	for (int i = 0; i < m->nr_held; i++)
		if (m->held[i].file == f)
			return true;
	return false;
}

/*
 * F_ADD_SEALS on the memfd (b bits 0-2): SHRINK, GROW or both; WRITE,
 * FUTURE_WRITE, or one of them with SHRINK or GROW. A new F_SEAL_WRITE may be
 * -EBUSY, and then no seal of the call is added.
 */
static void file_seal(struct model *m, const struct model_op *op)
{
	static const unsigned int seal_sets[] = {
		F_SEAL_SHRINK,
		F_SEAL_GROW,
		F_SEAL_SHRINK | F_SEAL_GROW,
		F_SEAL_GROW,
		F_SEAL_WRITE,
		F_SEAL_FUTURE_WRITE,
		F_SEAL_WRITE | F_SEAL_SHRINK,
		F_SEAL_FUTURE_WRITE | F_SEAL_GROW,
	};
	struct model_file *f = &m->files[1];
	unsigned int seals = seal_sets[op->b & 7];
	long ret, expect = 0;

	if (!f->memfd)
		return;
	if ((seals & F_SEAL_WRITE) && !(f->seals & F_SEAL_WRITE) && write_seal_busy(m, f))
		expect = -EBUSY;
	trace(m, "seal memfd %#x", seals);
	ret = sys_fcntl(f->fd, F_ADD_SEALS, seals);
	if (ret != expect) {
		diverged(m, "F_ADD_SEALS(%#x) returned %ld, expected %ld", seals, ret, expect);
		return;
	}
	if (!expect)
		f->seals |= seals;
	ret = sys_fcntl(f->fd, F_GET_SEALS, 0);
	if (ret != (long)f->seals)
		diverged(m, "F_GET_SEALS returned %#lx, the model has %#x", ret, f->seals);
}

/* --- the hugetlbfs memfd (config bit 7) --- */

static unsigned long hfile_slot_addr(int slot)
{
	return HUGETLB_BASE + (unsigned long)slot * HUGETLB_SLOT_SIZE;
}

/* The bytes @h shows now (NULL: nothing yet, a fault decides). */
static struct hugetlb_bytes *hmap_bytes(struct model *m, struct model_hmap *h)
{
	if (h->shared || h->state == HMAP_FILE)
		return &m->hfile.bytes[h->fpage];
	return h->state == HMAP_PRIVATE ? &h->bytes : NULL;
}

/*
 * The fault of an access that may reach @h (inside the file's end): a shared one
 * puts the page in the cache; a private one maps the cache's page read-only, or
 * a new zeroed page of its own when the file has a hole there, and a write copies.
 */
static struct hugetlb_bytes *hmap_fault(struct model *m, struct model_hmap *h, bool write)
{
	struct model_hfile *hf = &m->hfile;

	if (h->shared) {
		hf->cached[h->fpage] = true;
	} else if (h->state == HMAP_UNFAULTED && !hf->cached[h->fpage]) {
		h->state = HMAP_PRIVATE;
		memset(&h->bytes, 0, sizeof(h->bytes));
	} else if (h->state != HMAP_PRIVATE) {
		h->state = write ? HMAP_PRIVATE : HMAP_FILE;
		h->bytes = hf->bytes[h->fpage];
	}
	return hmap_bytes(m, h);
}

static bool hmap_may_access(struct model *m, const struct model_hmap *h, bool write)
{
	return h->mapped && h->fpage < m->hfile.size && (!write || (h->prot & PROT_WRITE));
}

/*
 * ftruncate to 0 to HFILE_PAGES huge pages (c): pages beyond leave the cache and every
 * mapping, a private copy too (hugetlb_vmtruncate() zaps them all); a pin keeps its page.
 */
static void hfile_truncate(struct model *m, const struct model_op *op)
{
	struct model_hfile *hf = &m->hfile;
	int size = op->c % (HFILE_PAGES + 1), ret;

	trace(m, "hugetlbfs memfd ftruncate to %d huge pages", size);
	ret = sys_ftruncate(hf->fd, (loff_t)size * HPAGE_PMD_SIZE);
	if (ret) {
		diverged(m, "ftruncate of the hugetlbfs memfd returned %d", ret);
		return;
	}
	for (int i = size; i < HFILE_PAGES; i++) {
		hf->cached[i] = false;
		memset(&hf->bytes[i], 0, sizeof(hf->bytes[i]));
	}
	for (int t = 0; t < MAX_TASKS; t++)
		if (m->tasks[t].task && m->tasks[t].hmap.fpage >= size)
			m->tasks[t].hmap.state = HMAP_UNFAULTED;
	hf->size = size;
}

/* mmap of one huge page (c bit 1: the second) shared or private (bit 0), read-only (bit 2). */
static void hfile_mmap(struct model *m, const struct model_op *op)
{
	struct model_hmap *h = &m->cur->hmap;
	bool shared = op->c & 1;
	int fpage = (op->c >> 1) & 1, prot = op->c & 4 ? PROT_READ : PROT_READ | PROT_WRITE;
	unsigned long ret;

	trace(m, "hugetlbfs memfd mmap page %d prot %d %s", fpage, prot,
	      shared ? "shared" : "private");
	ret = sys_mmap(HUGETLB_BASE, HPAGE_PMD_SIZE, prot,
		       MAP_FIXED | (shared ? MAP_SHARED : MAP_PRIVATE), m->hfile.fd,
		       (unsigned long)fpage * HPAGE_PMD_SIZE);
	*h = (struct model_hmap){0};
	if (ret != HUGETLB_BASE) {
		diverged(m, "hugetlbfs memfd mmap returned %#lx, expected %#lx", ret, HUGETLB_BASE);
		return;
	}
	*h = (struct model_hmap){.mapped = true, .shared = shared, .prot = prot, .fpage = fpage};
	/* hugetlbfs_file_mmap(): a writable mapping makes the file reach its end. */
	if ((prot & PROT_WRITE) && m->hfile.size < fpage + 1)
		m->hfile.size = fpage + 1;
}

/* A load or store of GUP_MARK_BYTES at a sample offset (c bits 0-2; bit 7: a load). */
static void hfile_touch(struct model *m, const struct model_op *op)
{
	struct model_hmap *h = &m->cur->hmap;
	int slot = op->c % HUGETLB_SLOTS;
	bool write = !(op->c & 0x80), may = hmap_may_access(m, h, write);
	unsigned char buf[GUP_MARK_BYTES];
	unsigned long left, addr = hfile_slot_addr(slot);
	struct hugetlb_bytes *b;

	trace(m, "hugetlbfs memfd %s slot %d", write ? "write" : "read", slot);
	if (write) {
		fill_pattern(m, buf, sizeof(buf));
		left = copy_to_user(addr, buf, sizeof(buf));
	} else {
		left = copy_from_user(buf, addr, sizeof(buf));
	}
	if ((left == 0) != may) {
		diverged(m, "hugetlbfs memfd %s left %lu, expected %s", write ? "write" : "read",
			 left, may ? "success" : "a fault");
		return;
	}
	if (!may)
		return;
	b = hmap_fault(m, h, write);
	if (write)
		memcpy(b->slot[slot], buf, sizeof(buf));
	else if (memcmp(buf, b->slot[slot], sizeof(buf)))
		diverged(m, "hugetlbfs memfd read at slot %d differs from the model", slot);
}

/*
 * pread (b bit 0 clear) of GUP_MARK_BYTES at a sample offset of page c bit 3 into
 * arena slot c bits 4-7 (holes read as zeroes, nothing beyond the end); pwrite
 * (b bit 0 set) is -EINVAL.
 */
static void hfile_io(struct model *m, const struct model_op *op)
{
	struct model_hfile *hf = &m->hfile;
	bool write = op->b & 1;
	int slot = op->c % HUGETLB_SLOTS, fpage = (op->c >> 3) & 1;
	loff_t pos = (loff_t)fpage * HPAGE_PMD_SIZE + (loff_t)slot * HUGETLB_SLOT_SIZE;
	unsigned long buf = slot_addr(slot_of(op->c >> 4));
	long expect = fpage >= hf->size ? 0 : GUP_MARK_BYTES;
	ssize_t ret;

	if (!write && expect &&
	    accessible_prefix(m->cur, buf, GUP_MARK_BYTES, true, false, false) < GUP_MARK_BYTES)
		expect = -EFAULT;
	trace(m, "hugetlbfs memfd %s pos %#lx buf %#lx", write ? "pwrite" : "pread",
	      (unsigned long)pos, buf);
	ret = write ? sys_pwrite64(hf->fd, buf, GUP_MARK_BYTES, pos)
		    : sys_pread64(hf->fd, buf, GUP_MARK_BYTES, pos);
	if (write)
		expect = -EINVAL; /* hugetlbfs has no write_iter */
	if (ret != expect) {
		diverged(m, "hugetlbfs memfd %s returned %zd, expected %ld",
			 write ? "pwrite" : "pread", ret, expect);
		return;
	}
	if (ret > 0)
		model_copy(m->cur, buf, hf->bytes[fpage].slot[slot], GUP_MARK_BYTES, true);
}

/*
 * GUP (c bit 5: fast; bit 4: pin; bit 3: write) of 1 to 4 subpages (bits 6-7) from
 * a sample offset (bits 0-2): consecutive subpages, the first holding the model's
 * bytes; a write one takes a mark the task reads next.
 */
static void hfile_gup(struct model *m, const struct model_op *op)
{
	struct model_hmap *h = &m->cur->hmap;
	struct huge_batch *batch = &m->hugetlb_batch;
	bool write = op->c & 8, pin = op->c & 0x10, fast = op->c & 0x20;
	int slot = op->c % HUGETLB_SLOTS, n = 1 + (op->c >> 6);
	unsigned long addr = hfile_slot_addr(slot);
	unsigned int flags = write ? FOLL_WRITE : 0;
	long got, expect = expected_gup(hmap_may_access(m, h, write) ? n : 0, n);
	struct hugetlb_bytes *b;
	unsigned char *frame;

	if (batch->nr)
		return;
	trace(m, "hugetlbfs memfd %s%s slot %d n %d%s", fast ? "fast " : "", pin ? "pin" : "get",
	      slot, n, write ? " write" : "");
	got = batch_gup(m, batch, addr, n, flags, fast, pin);
	if (got != expect) {
		diverged(m, "hugetlbfs memfd gup returned %ld, expected %ld", got, expect);
		return;
	}
	if (!batch->nr)
		return;
	b = hmap_fault(m, h, write);
	for (int i = 1; i < batch->nr; i++)
		if (batch->pages[i] != batch->pages[0] + i)
			diverged(m, "hugetlbfs memfd gup page %d is not the next subpage", i);
	frame = page_address(batch->pages[0]);
	if (memcmp(frame, b->slot[slot], GUP_MARK_BYTES)) {
		diverged(m, "hugetlbfs memfd gup page does not hold the model's bytes");
		return;
	}
	if (write) { /* a device writes into the page: the task sees it */
		fill_pattern(m, frame, GUP_MARK_BYTES);
		memcpy(b->slot[slot], frame, GUP_MARK_BYTES);
	}
}

static void hfile_unmap(struct model *m, const struct model_op *op)
{
	(void)op;
	trace(m, "hugetlbfs memfd munmap");
	if (sys_munmap(HUGETLB_BASE, HPAGE_PMD_SIZE))
		diverged(m, "munmap of the hugetlbfs memfd's range failed");
	m->cur->hmap = (struct model_hmap){0};
}

/*
 * MADV_PAGEOUT (c bit 0) or MADV_COLD over arena slots, b: slot, n (as msync's):
 * a shared memfd's or MAP_SHARED|MAP_ANONYMOUS page leaves for swap, a later
 * load, pread or GUP must bring the model's bytes back, and a pinned page stays
 * the page a fault maps (op_pageout checks it).
 */
static void file_pageout(struct model *m, const struct model_op *op)
{
	op_pageout(m, &(struct model_op){op->code, op->b, op->b >> 4, op->c});
}

/* The hugetlbfs memfd's operations (b bits 0-2), in place of a page-out. */
static void op_hfile(struct model *m, const struct model_op *op)
{
	static const model_op_fn ops[] = {hfile_truncate, hfile_mmap, hfile_unmap, hfile_touch,
					  hfile_io,	  hfile_io,   hfile_gup,   hugetlb_release};

	MODEL_DISPATCH(m, op, op->b, ops);
}

void op_file(struct model *m, const struct model_op *op)
{
	static const model_op_fn ops[] = {
		file_mmap,   file_mmap,	     file_mmap,	   file_pread, file_pread, file_pwrite,
		file_pwrite, file_ftruncate, file_fsync,   file_msync, file_gup,   file_gup,
		file_gup,    file_release,   file_pageout, file_seal,
	};

	if ((op->a & 15) == 14 && m->has_hfile) {
		op_hfile(m, op);
		return;
	}
	MODEL_DISPATCH(m, op, op->a, ops);
}
