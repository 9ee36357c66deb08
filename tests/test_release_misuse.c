// SPDX-License-Identifier: GPL-2.0-only
/*
 * Releasing a GUP reference the wrong way aborts (a BUG, as in the kernel), and
 * the message says which page, which operation, and who took the reference.
 * Each misuse runs in a forked child; the parent checks it died of SIGABRT and
 * what it printed on stderr.
 */
#include "harness.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Call sites the messages must name: not static, not inlined (dladdr, -rdynamic). */
__attribute__((noinline)) struct page *take_with_get(unsigned long addr)
{
	struct page *page = NULL;
	long got = get_user_pages_unlocked(addr, 1, &page, 0);

	return got == 1 ? page : NULL;
}

__attribute__((noinline)) struct page *take_with_pin(unsigned long addr)
{
	struct page *page = NULL;
	long got = pin_user_pages_unlocked(addr, 1, &page, 0);

	return got == 1 ? page : NULL;
}

typedef void (*misuse_fn)(void);

static struct page *touched_page_by(struct page *(*take)(unsigned long))
{
	unsigned long addr;

	start_task("misuser");
	addr = map_rw(1);
	touch_page(addr);
	return take(addr);
}

__attribute__((noinline)) void unpin_a_get_reference(void)
{
	struct page *page = touched_page_by(take_with_get);

	if (page)
		unpin_user_page(page);
}

__attribute__((noinline)) void put_a_pinned_page(void)
{
	struct page *page = touched_page_by(take_with_pin);

	if (page)
		put_page(page);
}

__attribute__((noinline)) void unpin_twice(void)
{
	struct page *page = touched_page_by(take_with_pin);

	if (!page)
		return;
	unpin_user_page(page);
	unpin_user_page(page);
}

/* Run @fn in a child with stderr on a pipe; returns its stderr (caller frees). */
static char *run_in_child(misuse_fn fn, int *status)
{
	size_t len = 0, cap = 4096;
	char *text = malloc(cap);
	int fds[2];
	pid_t pid;
	ssize_t n;

	assert_non_null(text);
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], STDERR_FILENO);
		fn();
		_exit(0); /* the misuse went unnoticed */
	}
	close(fds[1]);
	while ((n = read(fds[0], text + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 512) {
			cap *= 2;
			text = realloc(text, cap);
			assert_non_null(text);
		}
	}
	close(fds[0]);
	text[len] = '\0';
	assert_int_equal(waitpid(pid, status, 0), pid);
	return text;
}

static void assert_dies_saying(misuse_fn fn, const char *const needles[])
{
	int status = 0;
	char *text = run_in_child(fn, &status);
	bool all = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;

	for (int i = 0; needles[i]; i++)
		all = all && strstr(text, needles[i]);
	if (!all)
		fprintf(stderr, "child status %#x, stderr:\n%s", status, text);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	for (int i = 0; needles[i]; i++)
		assert_non_null(strstr(text, needles[i]));
	free(text);
}

static void test_unpin_of_a_get_reference_aborts_naming_the_getter(void **state)
{
	(void)state;
	assert_dies_saying(
		unpin_a_get_reference,
		(const char *const[]){"unpin_user_page() called from unpin_a_get_reference+0x",
				      "unpin of a FOLL_GET reference", "page:pfn=0x",
				      "1 FOLL_GET reference(s) held, taken at take_with_get+0x",
				      "kernel BUG", NULL});
}

static void test_put_of_a_pinned_page_aborts_naming_the_pinner(void **state)
{
	(void)state;
	assert_dies_saying(put_a_pinned_page,
			   (const char *const[]){"put_page() called from put_a_pinned_page+0x",
						 "put_page() of a pinned page", "page:pfn=0x",
						 "1 pin(s) held, taken at take_with_pin+0x",
						 "kernel BUG", NULL});
}

static void test_second_unpin_aborts_naming_pinner_and_first_unpin(void **state)
{
	(void)state;
	assert_dies_saying(unpin_twice,
			   (const char *const[]){
				   "unpin_user_page() called from unpin_twice+0x", "unpinned twice",
				   "page:pfn=0x", "pin taken at take_with_pin+0x",
				   "all released by unpin_twice+0x", "kernel BUG", NULL});
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_unpin_of_a_get_reference_aborts_naming_the_getter),
		GUP_TEST(test_put_of_a_pinned_page_aborts_naming_the_pinner),
		GUP_TEST(test_second_unpin_aborts_naming_pinner_and_first_unpin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
