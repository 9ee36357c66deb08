// SPDX-License-Identifier: GPL-2.0-only
/*
 * Replays every input kept under tests/fuzz/regressions/ (inputs that once found
 * a bug) and the seed corpus tests/fuzz/corpus_model/ through the model-based
 * fuzzing decoder; each must run without diverging from the model or leaking.
 */
#include "harness.h"
#include <dirent.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz/model_ops.h"

#define MAX_INPUT_BYTES (64 * 1024)

static void input_dir(char *path, size_t size, const char *name)
{
	char here[PATH_MAX];

	snprintf(here, sizeof(here), "%s", __FILE__);
	snprintf(path, size, "%s/../fuzz/%s", dirname(here), name);
}

/* Run one input; returns the model's verdict (0: agreed). */
static int replay_file(const char *path)
{
	static uint8_t data[MAX_INPUT_BYTES];
	FILE *f = fopen(path, "rb");
	size_t size;

	assert_non_null(f);
	size = fread(data, 1, sizeof(data), f);
	fclose(f);
	if (!model_run(data, size, SIM_PROFILE_DEFAULT, NULL))
		return 0;
	return model_run(data, size, SIM_PROFILE_DEFAULT, stderr); /* again, with the trace */
}

static void replay_dir(const char *name)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	struct dirent *e;
	int replayed = 0;
	DIR *d;

	input_dir(dir, sizeof(dir), name);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (replay_file(path))
			fail_msg("%s diverged from the model", path);
		replayed++;
	}
	closedir(d);
	printf("replayed %d input(s) from %s\n", replayed, dir);
}

static void test_regression_inputs_replay_cleanly(void **state)
{
	(void)state;
	replay_dir("regressions");
}

static void test_seed_corpus_replays_cleanly(void **state)
{
	(void)state;
	replay_dir("corpus_model");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regression_inputs_replay_cleanly),
		cmocka_unit_test(test_seed_corpus_replays_cleanly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
