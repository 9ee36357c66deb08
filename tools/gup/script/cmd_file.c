// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenario commands for files: host files in the run's private temporary
 * directory (tmpfile), open, close, truncate, pread, pwrite, fsync, msync, and
 * the host file's own bytes for `expect file`. The directory and its files go
 * at the end of the run, however it ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "script_int.h"

/* The files a back end without them (the host, for gup diff) leaves sim-only. */
static bool need_files(struct script *s)
{
	if (!s->be->file_open)
		return fail(s, "the %s back end has no files", s->be->name);
	return true;
}

struct file_slot *find_file(struct script *s, const char *name)
{
	if (name[0] == '$')
		name++;
	for (int i = 0; i < MAX_FILES; i++)
		if (s->files[i].name[0] && !strcmp(s->files[i].name, name))
			return &s->files[i];
	fail(s, "expected the name of a file (from tmpfile or open), got '%s'", name);
	return NULL;
}

/* A slot for @name: a new one, or the one a closed file of that name left. */
static struct file_slot *new_file_slot(struct script *s, const char *name)
{
	struct file_slot *free_slot = NULL;

	for (int i = 0; i < MAX_FILES; i++) {
		struct file_slot *f = &s->files[i];

		if (f->name[0] && !strcmp(f->name, name)) {
			if (f->fd >= 0) {
				fail(s, "file '%s' is open: close it first", name);
				return NULL;
			}
			return f;
		}
		if (!f->name[0] && !free_slot)
			free_slot = f;
	}
	if (!free_slot)
		fail(s, "more than %d named files", MAX_FILES);
	return free_slot;
}

/* The run's private directory, made on first use under $TMPDIR (or /tmp). */
static bool make_tmp_dir(struct script *s)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (s->tmp_dir)
		return true;
	if (!base || !*base)
		base = "/tmp";
	if (asprintf(&dir, "%s/gup-run-XXXXXX", base) < 0)
		return fail(s, "out of host memory");
	if (!mkdtemp(dir)) {
		fail(s, "cannot make a temporary directory under %s: %s", base, strerror(errno));
		free(dir);
		return false;
	}
	s->tmp_dir = dir;
	return true;
}

/* Write @size bytes to the new host file @path: @text first, then @fill. */
static bool create_host_file(struct script *s, const char *path, long size, int fill,
			     const struct word *text)
{
	unsigned char chunk[4096];
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	size_t head = text ? (text->len < (size_t)size ? text->len : (size_t)size) : 0;
	bool ok = fd >= 0;

	memset(chunk, fill, sizeof(chunk));
	if (ok && head)
		ok = pwrite(fd, text->text, head, 0) == (ssize_t)head;
	for (long off = (long)head; ok && off < size;) {
		size_t n = size - off < (long)sizeof(chunk) ? (size_t)(size - off) : sizeof(chunk);
		ssize_t done = pwrite(fd, chunk, n, off);

		ok = done > 0;
		off += done;
	}
	if (!ok)
		fail(s, "cannot write the host file %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Open @path for the current task under @name; $NAME and ret are the descriptor. */
static bool open_named(struct script *s, struct file_slot *f, const char *name, char *path,
		       int flags)
{
	int fd = s->be->file_open(path, flags);

	report(s, "open", fd);
	if (fd < 0) {
		free(path);
		return true;
	}
	if (!set_value(s, name, fd)) {
		s->be->file_close(fd);
		free(path);
		return false;
	}
	free(f->path);
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->path = path;
	f->fd = fd;
	return true;
}

bool cmd_tmpfile(struct script *s, struct cmd_args *a)
{
	const char *name = a->arg[0].str;
	const struct word *text = a->arg[1].w;
	struct file_slot *f;
	char *path;

	if (!need_files(s) || !(f = new_file_slot(s, name)) || !make_tmp_dir(s))
		return false;
	if (f->path)
		return fail(s, "file '%s' was already made in this run: choose another name", name);
	if (asprintf(&path, "%s/%s", s->tmp_dir, name) < 0)
		return fail(s, "out of host memory");
	if (!create_host_file(s, path, a->opt[0].n, (int)a->opt[1].n, text)) {
		unlink(path);
		free(path);
		return false;
	}
	return open_named(s, f, name, path, O_RDWR);
}

bool cmd_open(struct script *s, struct cmd_args *a)
{
	const char *name = a->arg[0].str, *where = a->arg[1].str, *mode = a->arg[2].str;
	struct file_slot *f;
	char *path;
	int flags;

	if (!mode || !strcmp(mode, "rw"))
		flags = O_RDWR;
	else if (!strcmp(mode, "ro"))
		flags = O_RDONLY;
	else
		return fail(s, "expected ro or rw, got '%s'", mode);
	if (!need_files(s) || !(f = new_file_slot(s, name)))
		return false;
	/* A bare name is a file of this run's temporary directory. */
	if (strchr(where, '/'))
		path = strdup(where);
	else if (!s->tmp_dir)
		return fail(s, "no tmpfile '%s' in this run (a host path needs a '/')", where);
	else if (asprintf(&path, "%s/%s", s->tmp_dir, where) < 0)
		path = NULL;
	if (!path)
		return fail(s, "out of host memory");
	return open_named(s, f, name, path, flags);
}

bool cmd_close(struct script *s, struct cmd_args *a)
{
	struct file_slot *f = find_file(s, a->arg[0].str);

	if (!f || !need_files(s))
		return false;
	report(s, "close", s->be->file_close(f->fd));
	f->fd = -1;
	return true;
}

bool cmd_truncate(struct script *s, struct cmd_args *a)
{
	struct file_slot *f = find_file(s, a->arg[0].str);

	if (!f || !need_files(s))
		return false;
	report(s, "ftruncate", s->be->file_truncate(f->fd, a->arg[1].n));
	return true;
}

/* pread|pwrite NAME ADDR LEN OFF: the kernel's (fd, buf, count, pos). */
bool cmd_pread(struct script *s, struct cmd_args *a)
{
	bool write = !strcmp(a->cmd->name, "pwrite");
	struct file_slot *f = find_file(s, a->arg[0].str);
	unsigned long buf = a->arg[1].u, count = (unsigned long)a->arg[2].n;
	long pos = a->arg[3].n;

	if (!f || !need_files(s))
		return false;
	if (write)
		report(s, "pwrite64", s->be->file_pwrite(f->fd, buf, count, pos));
	else
		report(s, "pread64", s->be->file_pread(f->fd, buf, count, pos));
	return true;
}

bool cmd_pwrite(struct script *s, struct cmd_args *a)
{
	return cmd_pread(s, a);
}

bool cmd_fsync(struct script *s, struct cmd_args *a)
{
	struct file_slot *f = find_file(s, a->arg[0].str);

	if (!f || !need_files(s))
		return false;
	report(s, "fsync", s->be->file_fsync(f->fd));
	return true;
}

bool cmd_msync(struct script *s, struct cmd_args *a)
{
	const char *how = a->arg[2].str;
	int flags;

	if (!how || !strcmp(how, "sync"))
		flags = MS_SYNC;
	else if (!strcmp(how, "async"))
		flags = MS_ASYNC;
	else if (!strcmp(how, "invalidate"))
		flags = MS_INVALIDATE;
	else
		return fail(s, "expected sync, async or invalidate, got '%s'", how);
	if (!need_files(s))
		return false;
	report(s, "msync", s->be->msync(a->arg[0].u, a->arg[1].u, flags));
	return true;
}

unsigned char *host_file_read(struct script *s, const char *name, long off, long len, size_t *got)
{
	struct file_slot *f;
	unsigned char *buf;
	ssize_t n = 0;
	int fd;

	*got = 0;
	if (!s->be->file_open) {
		/* gup diff: the host made no files; the step is not compared. */
		note_sim_only(s, "files are sim-only");
		return calloc(1, 1);
	}
	if (!(f = find_file(s, name)))
		return NULL;
	fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fail(s, "cannot open the host file %s: %s", f->path, strerror(errno));
		return NULL;
	}
	buf = calloc(1, (size_t)len + 1);
	if (buf)
		n = pread(fd, buf, (size_t)len, off);
	if (!buf || n < 0) {
		if (buf)
			fail(s, "cannot read the host file %s: %s", f->path, strerror(errno));
		else
			fail(s, "out of host memory");
		free(buf);
		buf = NULL;
	}
	close(fd);
	*got = n > 0 ? (size_t)n : 0;
	return buf;
}

/* After the machine is gone (its writeback done): the temporary files and directory. */
void remove_script_files(struct script *s)
{
	size_t dir_len = s->tmp_dir ? strlen(s->tmp_dir) : 0;

	for (int i = 0; i < MAX_FILES; i++) {
		struct file_slot *f = &s->files[i];

		if (f->path && dir_len && !strncmp(f->path, s->tmp_dir, dir_len) &&
		    f->path[dir_len] == '/' && unlink(f->path) && errno != ENOENT)
			show(s, "%s: cannot remove %s: %s\n", s->file, f->path, strerror(errno));
		free(f->path);
		f->path = NULL;
	}
	if (s->tmp_dir && rmdir(s->tmp_dir))
		show(s, "%s: cannot remove %s: %s\n", s->file, s->tmp_dir, strerror(errno));
	free(s->tmp_dir);
	s->tmp_dir = NULL;
}
