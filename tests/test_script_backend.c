// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_script_backend.c - the scenario language on a back end that cannot
 * see page tables (as a host back end will be): `pagetable ... dot=FILE` is
 * refused with a script error naming the back end, and the machine still shuts
 * down clean.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "gup_tool.h"
#include "script.h"

static const char picture_script[] = "task t\n"
				     "mmap a len=4K\n"
				     "touch $a 4K\n"
				     "pagetable $a dot=never.dot\n";

static int refusing_walk(struct bk_task *task, unsigned long start, unsigned long end,
			 unsigned long *root, bk_pt_visit_fn fn, void *ctx)
{
	(void)task, (void)start, (void)end, (void)root, (void)fn, (void)ctx;
	return -EOPNOTSUPP;
}

/* Run the picture script on @be; its output, which the caller frees. */
static char *run_picture_script(const struct backend_ops *be, int *ret)
{
	struct script_options opts = {.backend = be, .no_files = true};
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	*ret = script_run_buffer_opts(picture_script, sizeof(picture_script) - 1, "pic", out,
				      &opts);
	assert_int_equal(fclose(out), 0);
	assert_false(sim_running());
	return text;
}

static void test_backend_without_walk_refuses_picture(void **state)
{
	struct backend_ops be = sim_backend;
	char *text;
	int ret;

	(void)state;
	be.name = "host";
	be.walk_pagetable = NULL;
	text = run_picture_script(&be, &ret);
	assert_int_equal(ret, GUP_EXIT_USAGE);
	assert_non_null(strstr(text, "pic:4: the host back end cannot draw page tables\n"));
	assert_non_null(strstr(text, "shutdown clean"));
	free(text);
}

static void test_backend_walk_error_refuses_picture(void **state)
{
	struct backend_ops be = sim_backend;
	char *text;
	int ret;

	(void)state;
	be.name = "host";
	be.walk_pagetable = refusing_walk;
	text = run_picture_script(&be, &ret);
	assert_int_equal(ret, GUP_EXIT_USAGE);
	assert_non_null(
		strstr(text, "pic:4: the host back end cannot draw page tables (-EOPNOTSUPP)"));
	free(text);
}

static void test_sim_backend_draws_picture(void **state)
{
	char *text;
	int ret;

	(void)state;
	text = run_picture_script(&sim_backend, &ret);
	assert_int_equal(ret, GUP_EXIT_OK);
	assert_non_null(strstr(text, "wrote never.dot: 1 task(s), 4 entries"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backend_without_walk_refuses_picture),
		cmocka_unit_test(test_backend_walk_error_refuses_picture),
		cmocka_unit_test(test_sim_backend_draws_picture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
