/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/file_harness.h - host files for the file-backed memory tests: a private
 * mkdtemp directory per test, files with a known pattern, reading the host bytes
 * back, and removing everything at the end.
 */
#ifndef GUP_TESTS_FILE_HARNESS_H
#define GUP_TESTS_FILE_HARNESS_H

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "harness.h"
#include <gup/pagemap.h>

static char test_dir[64];

/* The byte at @off of a pattern file: each page has its own letter. */
static inline char pattern_byte(unsigned long off)
{
	return (char)('A' + (off >> PAGE_SHIFT) % 26);
}

/* Create the test's directory. */
static inline void make_test_dir(void)
{
	strcpy(test_dir, "/tmp/gup-file-test-XXXXXX");
	assert_non_null(mkdtemp(test_dir));
}

__attribute__((unused)) static int remove_entry(const char *path, const struct stat *st, int flag,
						struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove the test's directory and everything in it. */
static inline void remove_test_dir(void)
{
	if (test_dir[0])
		assert_int_equal(nftw(test_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
	test_dir[0] = '\0';
}

/* The host path of @name in the test's directory (a static buffer per call site is enough). */
static inline const char *test_path(const char *name)
{
	static char path[2][128];
	static int which;

	which ^= 1;
	snprintf(path[which], sizeof(path[which]), "%s/%s", test_dir, name);
	return path[which];
}

/* Create host file @name of @size bytes holding the page pattern; @mode its permissions. */
static inline const char *make_pattern_file(const char *name, unsigned long size, mode_t mode)
{
	const char *path = test_path(name);
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	char *buf = malloc(size + 1);

	assert_true(fd >= 0);
	assert_non_null(buf);
	for (unsigned long i = 0; i < size; i++)
		buf[i] = pattern_byte(i);
	assert_int_equal(write(fd, buf, size), (ssize_t)size);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	free(buf);
	return path;
}

/* Read @len bytes at @off of the host file itself (not through the simulation). */
static inline void host_file_read(const char *path, unsigned long off, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, len, (off_t)off), (ssize_t)len);
	close(fd);
}

/* The host file's size. */
static inline long host_file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (long)st.st_size;
}

/* The host byte at @off. */
static inline char host_byte(const char *path, unsigned long off)
{
	char c;

	host_file_read(path, off, &c, 1);
	return c;
}

/* sys_open() that must succeed. */
static inline int open_file(const char *path, int flags)
{
	int fd = sys_open(path, flags, 0600);

	assert_true(fd >= 0);
	return fd;
}

/* sys_mmap() of @fd that must succeed. */
static inline unsigned long map_file(int fd, unsigned long len, unsigned long prot,
				     unsigned long flags, unsigned long off)
{
	unsigned long addr = sys_mmap(0, len, prot, flags, fd, off);

	assert_false(IS_ERR_VALUE(addr));
	return addr;
}

/* The byte at user address @addr of the current task. */
static inline char user_byte(unsigned long addr)
{
	char c = 0;

	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	return c;
}

__attribute__((unused)) static int file_setup(void **state)
{
	(void)state;
	make_test_dir();
	return sim_boot(NULL);
}

__attribute__((unused)) static int file_teardown(void **state)
{
	int ret;

	(void)state;
	ret = sim_shutdown();
	remove_test_dir();
	return ret;
}

#define FILE_TEST(fn) cmocka_unit_test_setup_teardown(fn, file_setup, file_teardown)

#endif /* GUP_TESTS_FILE_HARNESS_H */
