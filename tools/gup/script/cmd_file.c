// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenario commands for files: host files in the run's private temporary
 * directory (tmpfile), open, close, truncate, pread, pwrite, fsync, msync, and
 * the host file's own bytes for `expect file`; memfds with their seals (memfd,
 * seal, `expect seals`). The directory and its files go at the end of the run,
 * however it ends.
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

/* --- memfds and seals --- */

struct bit_name {
	const char *name;
	unsigned int bits;
};

static const struct bit_name memfd_flag_names[] = {
	{"cloexec", MFD_CLOEXEC}, {"allow_sealing", MFD_ALLOW_SEALING},
	{"hugetlb", MFD_HUGETLB}, {"noexec_seal", MFD_NOEXEC_SEAL},
	{"exec", MFD_EXEC},
};

static const struct bit_name seal_names[] = {
	{"seal", F_SEAL_SEAL},
	{"shrink", F_SEAL_SHRINK},
	{"grow", F_SEAL_GROW},
	{"write", F_SEAL_WRITE},
	{"future_write", F_SEAL_FUTURE_WRITE},
	{"exec", F_SEAL_EXEC},
};

/* The bits a comma-separated list of @names gives in *@bits ("none" or "": 0). */
#define parse_names(s, list, table, what, bits)                                                    \
	parse_name_list(s, list, table, sizeof(table) / sizeof(table[0]), what, bits)
static bool parse_name_list(struct script *s, const char *list, const struct bit_name *names,
			    size_t n, const char *what, unsigned int *bits)
{
	const char *p = list ? list : "";

	*bits = 0;
	if (!strcmp(p, "none"))
		return true;
	while (*p) {
		size_t len = strcspn(p, ",");
		size_t i;

		for (i = 0; i < n; i++)
			if (strlen(names[i].name) == len && !strncmp(p, names[i].name, len))
				break;
		if (i == n)
			return fail(s, "expected %s, comma-separated, got '%.*s'", what, (int)len,
				    p);
		*bits |= names[i].bits;
		p += len + (p[len] == ',');
	}
	return true;
}

/* The files a back end without memfds (the host) leaves sim-only: false after noting it. */
static bool have_memfds(struct script *s)
{
	if (s->be->memfd_create)
		return true;
	note_sim_only(s, "memfds are sim-only");
	s->ret = -ENOSYS;
	return false;
}

/* memfd NAME [size=SIZE] [flags=...]: memfd_create(NAME, FLAGS), then ftruncate to SIZE. */
bool cmd_memfd(struct script *s, struct cmd_args *a)
{
	const char *name = a->arg[0].str;
	struct file_slot *f;
	unsigned int flags;
	int fd;

	if (!parse_names(s, a->opt[1].str, memfd_flag_names,
			 "cloexec allow_sealing hugetlb noexec_seal exec", &flags))
		return false;
	if (!have_memfds(s))
		return true;
	if (!(f = new_file_slot(s, name)))
		return false;
	fd = s->be->memfd_create(name, flags);
	if (fd >= 0 && a->opt[0].n) {
		int err = s->be->file_truncate(fd, a->opt[0].n);

		if (err) {
			s->be->file_close(fd);
			fd = err;
		}
	}
	report(s, "memfd_create", fd);
	if (fd < 0)
		return true;
	if (!set_value(s, name, fd)) {
		s->be->file_close(fd);
		return false;
	}
	free(f->path);
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->path = NULL; /* no host file behind it */
	f->fd = fd;
	return true;
}

/* seal NAME SEALS: fcntl($NAME, F_ADD_SEALS, SEALS). */
bool cmd_seal(struct script *s, struct cmd_args *a)
{
	struct file_slot *f;
	unsigned int seals;

	if (!parse_names(s, a->arg[1].str, seal_names, "seal shrink grow write future_write exec",
			 &seals))
		return false;
	if (!have_memfds(s))
		return true;
	if (!(f = find_file(s, a->arg[0].str)))
		return false;
	report(s, "fcntl(F_ADD_SEALS)", (int)s->be->file_fcntl(f->fd, F_ADD_SEALS, seals));
	return true;
}

char *file_seals_text(struct script *s, const char *name)
{
	struct file_slot *f;
	char text[80] = "";
	long seals;

	if (!s->be->file_fcntl) {
		note_sim_only(s, "memfds are sim-only");
		return strdup("");
	}
	if (!(f = find_file(s, name)))
		return NULL;
	seals = s->be->file_fcntl(f->fd, F_GET_SEALS, 0);
	if (seals < 0)
		return strdup(NUM(seals));
	for (size_t i = 0; i < sizeof(seal_names) / sizeof(seal_names[0]); i++)
		if (seals & seal_names[i].bits)
			snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s",
				 text[0] ? "," : "", seal_names[i].name);
	return strdup(text[0] ? text : "none");
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
	if (!f->path) {
		fail(s, "'%s' is a memfd, with no host file: read it with pread", name);
		return NULL;
	}
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
