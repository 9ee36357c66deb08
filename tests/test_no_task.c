// SPDX-License-Identifier: GPL-2.0-only
/*
 * Calls made with nobody to make them: every sys_*, GUP entry point, user copy,
 * access_*_vm and pagemap_read refuses a thread running no task (-ESRCH, one
 * WARNING naming the call) and a process with no machine (-ENODEV), never crashing.
 */
#include "harness.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define COPY_BYTES 8

/* What a call is made on: a real task's mapped page, so only "who calls" is wrong. */
struct target {
	struct task_struct *task;
	struct mm_struct *mm;
	unsigned long addr;
};

typedef long (*entry_call)(const struct target *t);

static long call_sys_mmap(const struct target *t)
{
	return (long)sys_mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			      0);
}

static long call_sys_munmap(const struct target *t)
{
	return sys_munmap(t->addr, PAGE_SIZE);
}

static long call_sys_mprotect(const struct target *t)
{
	return sys_mprotect(t->addr, PAGE_SIZE, PROT_READ);
}

static long call_sys_madvise(const struct target *t)
{
	return sys_madvise(t->addr, PAGE_SIZE, MADV_DONTNEED);
}

static long call_sys_mlock(const struct target *t)
{
	return sys_mlock(t->addr, PAGE_SIZE);
}

static long call_sys_mlock2(const struct target *t)
{
	return sys_mlock2(t->addr, PAGE_SIZE, MLOCK_ONFAULT);
}

static long call_sys_munlock(const struct target *t)
{
	return sys_munlock(t->addr, PAGE_SIZE);
}

static long call_sys_mmap_pfn(const struct target *t)
{
	return (long)sys_mmap_pfn(16, 1, PROT_READ);
}

static long call_sys_fork(const struct target *t)
{
	struct task_struct *child = sys_fork();

	return child ? 0 : -errno;
}

static long call_process_vm(const struct target *t, bool write)
{
	char buf[COPY_BYTES] = {0};
	struct iovec local = {.iov_base = (void *)t->addr, .iov_len = sizeof(buf)};
	struct iovec remote = {.iov_base = (void *)t->addr, .iov_len = sizeof(buf)};

	if (write)
		return sys_process_vm_writev(t->task, &local, 1, &remote, 1, 0);
	return sys_process_vm_readv(t->task, &local, 1, &remote, 1, 0);
}

static long call_sys_process_vm_readv(const struct target *t)
{
	return call_process_vm(t, false);
}

static long call_sys_process_vm_writev(const struct target *t)
{
	return call_process_vm(t, true);
}

static long call_get_user_pages_remote(const struct target *t)
{
	struct page *page = NULL;

	return get_user_pages_remote(t->mm, t->addr, 1, 0, &page, NULL, NULL);
}

static long call_pin_user_pages_remote(const struct target *t)
{
	struct page *page = NULL;

	return pin_user_pages_remote(t->mm, t->addr, 1, 0, &page, NULL, NULL);
}

static long call_get_user_pages(const struct target *t)
{
	struct page *page = NULL;

	return get_user_pages(t->addr, 1, 0, &page, NULL);
}

static long call_pin_user_pages(const struct target *t)
{
	struct page *page = NULL;

	return pin_user_pages(t->addr, 1, 0, &page, NULL);
}

static long call_get_user_pages_locked(const struct target *t)
{
	struct page *page = NULL;
	int locked = 1;

	return get_user_pages_locked(t->addr, 1, 0, &page, &locked);
}

static long call_pin_user_pages_locked(const struct target *t)
{
	struct page *page = NULL;
	int locked = 1;

	return pin_user_pages_locked(t->addr, 1, 0, &page, &locked);
}

static long call_get_user_pages_unlocked(const struct target *t)
{
	struct page *page = NULL;

	return get_user_pages_unlocked(t->addr, 1, &page, 0);
}

static long call_pin_user_pages_unlocked(const struct target *t)
{
	struct page *page = NULL;

	return pin_user_pages_unlocked(t->addr, 1, &page, 0);
}

static long call_get_user_pages_fast(const struct target *t)
{
	struct page *page = NULL;

	return get_user_pages_fast(t->addr, 1, 0, &page);
}

static long call_get_user_pages_fast_only(const struct target *t)
{
	struct page *page = NULL;

	return get_user_pages_fast_only(t->addr, 1, 0, &page);
}

static long call_pin_user_pages_fast(const struct target *t)
{
	struct page *page = NULL;

	return pin_user_pages_fast(t->addr, 1, 0, &page);
}

static long call_pin_user_pages_fast_only(const struct target *t)
{
	struct page *page = NULL;

	return pin_user_pages_fast_only(t->addr, 1, 0, &page);
}

static long call_fixup_user_fault(const struct target *t)
{
	return fixup_user_fault(t->mm, t->addr, 0, NULL);
}

static long call_populate_vma_page_range(const struct target *t)
{
	/* No VMA can be found without a task; the call must refuse before looking at it. */
	return populate_vma_page_range(NULL, t->addr, t->addr + PAGE_SIZE, NULL);
}

static long call___mm_populate(const struct target *t)
{
	return __mm_populate(t->addr, PAGE_SIZE, 0);
}

static long call_get_dump_page(const struct target *t)
{
	return (long)get_dump_page(t->addr); /* NULL: a hole in the dump */
}

static long call_follow_page(const struct target *t)
{
	return (long)follow_page(NULL, t->addr, FOLL_GET); /* an error pointer */
}

/* The copies report bytes not copied: all of them, and the buffer is untouched. */
static long call_copy_to_user(const struct target *t)
{
	char buf[COPY_BYTES] = "written";

	return (long)copy_to_user(t->addr, buf, sizeof(buf));
}

static long call_copy_from_user(const struct target *t)
{
	char buf[COPY_BYTES];
	unsigned long left;

	memset(buf, 0x5a, sizeof(buf));
	left = copy_from_user(buf, t->addr, sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		if (buf[i] != 0x5a)
			return -EFAULT; /* something was copied */
	return (long)left;
}

static long call_access_remote_vm(const struct target *t)
{
	char buf[COPY_BYTES];

	return access_remote_vm(t->mm, t->addr, buf, sizeof(buf), 0);
}

static long call_access_process_vm(const struct target *t)
{
	char buf[COPY_BYTES];

	return access_process_vm(t->task, t->addr, buf, sizeof(buf), 0);
}

static long call_pagemap_read(const struct target *t)
{
	uint64_t entry = 0;

	return pagemap_read(t->mm, t->addr, &entry);
}

/* Which errno a refusal shows as in each call's return convention. */
enum refusal { AS_ERRNO, AS_NULL, AS_ALL_BYTES };

struct entry_point {
	const char *name;
	entry_call call;
	enum refusal shape;
};

#define ENTRY(fn, shape)                                                                           \
	{                                                                                          \
#fn, call_##fn, shape                                                              \
	}

static const struct entry_point entry_points[] = {
	ENTRY(sys_mmap, AS_ERRNO),
	ENTRY(sys_munmap, AS_ERRNO),
	ENTRY(sys_mprotect, AS_ERRNO),
	ENTRY(sys_madvise, AS_ERRNO),
	ENTRY(sys_mlock, AS_ERRNO),
	ENTRY(sys_mlock2, AS_ERRNO),
	ENTRY(sys_munlock, AS_ERRNO),
	ENTRY(sys_mmap_pfn, AS_ERRNO),
	ENTRY(sys_fork, AS_ERRNO),
	ENTRY(sys_process_vm_readv, AS_ERRNO),
	ENTRY(sys_process_vm_writev, AS_ERRNO),
	ENTRY(get_user_pages_remote, AS_ERRNO),
	ENTRY(pin_user_pages_remote, AS_ERRNO),
	ENTRY(get_user_pages, AS_ERRNO),
	ENTRY(pin_user_pages, AS_ERRNO),
	ENTRY(get_user_pages_locked, AS_ERRNO),
	ENTRY(pin_user_pages_locked, AS_ERRNO),
	ENTRY(get_user_pages_unlocked, AS_ERRNO),
	ENTRY(pin_user_pages_unlocked, AS_ERRNO),
	ENTRY(get_user_pages_fast, AS_ERRNO),
	ENTRY(get_user_pages_fast_only, AS_ERRNO),
	ENTRY(pin_user_pages_fast, AS_ERRNO),
	ENTRY(pin_user_pages_fast_only, AS_ERRNO),
	ENTRY(fixup_user_fault, AS_ERRNO),
	ENTRY(populate_vma_page_range, AS_ERRNO),
	ENTRY(__mm_populate, AS_ERRNO),
	ENTRY(get_dump_page, AS_NULL),
	ENTRY(follow_page, AS_ERRNO),
	ENTRY(copy_to_user, AS_ALL_BYTES),
	ENTRY(copy_from_user, AS_ALL_BYTES),
	ENTRY(access_remote_vm, AS_ERRNO),
	ENTRY(access_process_vm, AS_ERRNO),
	ENTRY(pagemap_read, AS_ERRNO),
};

#define NR_ENTRY_POINTS (sizeof(entry_points) / sizeof(entry_points[0]))

static long expected(const struct entry_point *e, int err)
{
	switch (e->shape) {
	case AS_NULL:
		return 0;
	case AS_ALL_BYTES:
		return COPY_BYTES;
	default:
		return err;
	}
}

/* One call from a brand-new pthread that never ran a task. */
struct fresh_call {
	const struct entry_point *entry;
	const struct target *target;
	long ret;
};

static void *call_in_fresh_thread(void *arg)
{
	struct fresh_call *fc = arg;

	fc->ret = fc->entry->call(fc->target);
	return NULL;
}

static long call_from_fresh_pthread(const struct entry_point *e, const struct target *t)
{
	struct fresh_call fc = {.entry = e, .target = t};
	pthread_t thread;

	assert_int_equal(pthread_create(&thread, NULL, call_in_fresh_thread, &fc), 0);
	assert_int_equal(pthread_join(thread, NULL), 0);
	return fc.ret;
}

/* A task with one touched page, mapped by the calling thread, which then lets go of it. */
static struct target make_target(void)
{
	struct target t;

	t.task = start_task("target");
	t.mm = t.task->mm;
	t.addr = map_rw(2);
	touch_pages(t.addr, 2);
	set_current(NULL);
	return t;
}

/* stderr into a temporary file for the duration of one call. */
struct stderr_capture {
	int saved;
	FILE *file;
};

static void capture_stderr(struct stderr_capture *c)
{
	c->file = tmpfile();
	assert_non_null(c->file);
	c->saved = dup(STDERR_FILENO);
	assert_true(c->saved >= 0);
	assert_true(dup2(fileno(c->file), STDERR_FILENO) >= 0);
}

/* Restore stderr; returns what was written (caller frees). */
static char *release_stderr(struct stderr_capture *c)
{
	long len;
	char *text;

	assert_true(dup2(c->saved, STDERR_FILENO) >= 0);
	close(c->saved);
	len = ftell(c->file);
	assert_true(len >= 0);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	rewind(c->file);
	assert_int_equal(fread(text, 1, (size_t)len, c->file), (size_t)len);
	fclose(c->file);
	return text;
}

/*
 * Runs first (the warnings are once per entry point and process): each entry point,
 * from a fresh pthread, refuses with -ESRCH and prints one WARNING naming itself;
 * a second refusal from another fresh thread stays silent.
 */
static void test_fresh_pthread_is_refused_with_one_warning(void **state)
{
	struct target t = make_target();

	(void)state;
	for (size_t i = 0; i < NR_ENTRY_POINTS; i++) {
		const struct entry_point *e = &entry_points[i];
		unsigned long warns = sim_warn_count();
		struct stderr_capture cap;
		char *text, needle[64];
		long ret;

		capture_stderr(&cap);
		ret = call_from_fresh_pthread(e, &t);
		text = release_stderr(&cap);
		snprintf(needle, sizeof(needle), " %s(): ", e->name);
		if (ret != expected(e, -ESRCH) || !strstr(text, needle))
			fprintf(stderr, "%s: returned %ld, printed \"%s\"\n", e->name, ret, text);
		assert_int_equal(ret, expected(e, -ESRCH));
		assert_int_equal(sim_warn_count(), warns + 1);
		assert_non_null(strstr(text, "WARNING: "));
		assert_non_null(strstr(text, needle));
		free(text);

		assert_int_equal(call_from_fresh_pthread(e, &t), expected(e, -ESRCH));
		assert_int_equal(sim_warn_count(), warns + 1);
	}
	set_current(t.task);
	task_exit(t.task);
}

/* The main thread before its first set_current(), and after its task exited. */
static void test_thread_without_its_task_is_refused(void **state)
{
	struct target t = make_target();
	struct task_struct *gone;

	(void)state;
	for (size_t i = 0; i < NR_ENTRY_POINTS; i++)
		assert_int_equal(entry_points[i].call(&t), expected(&entry_points[i], -ESRCH));

	gone = task_clone_thread(t.task);
	assert_non_null(gone);
	set_current(gone);
	task_exit(current);
	assert_null(current);
	for (size_t i = 0; i < NR_ENTRY_POINTS; i++)
		assert_int_equal(entry_points[i].call(&t), expected(&entry_points[i], -ESRCH));

	set_current(t.task);
	task_exit(t.task);
}

/* With no machine booted: -ENODEV from every entry point, from any thread, silently. */
static void test_no_machine_is_enodev(void **state)
{
	const struct target none = {.task = NULL, .mm = NULL, .addr = 0x400000};
	unsigned long warns = sim_warn_count();

	(void)state;
	assert_false(sim_running());
	for (size_t i = 0; i < NR_ENTRY_POINTS; i++) {
		const struct entry_point *e = &entry_points[i];

		assert_int_equal(e->call(&none), expected(e, -ENODEV));
		assert_int_equal(call_from_fresh_pthread(e, &none), expected(e, -ENODEV));
	}
	assert_int_equal(sim_warn_count(), warns);
	/* And the machine boots and shuts down cleanly afterwards. */
	assert_int_equal(sim_boot(NULL), 0);
	assert_int_equal(sim_shutdown(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_fresh_pthread_is_refused_with_one_warning),
		GUP_TEST(test_thread_without_its_task_is_refused),
		cmocka_unit_test(test_no_machine_is_enodev),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
