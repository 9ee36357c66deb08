// SPDX-License-Identifier: GPL-2.0-only
/*
 * The `gup stress` engine as a CTest entry: a bounded run with a fixed seed and
 * one with a time-derived seed (printed, so a failure can be replayed with
 * `gup stress --seed X`). Any violation the engine reports fails the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include "stress.h"

#define FIXED_SEED 0x6775707374726573ULL /* "gupstres" */
#define DEFAULT_SECONDS_PER_RUN 10.0
#define THREADS 4

/* CI asks for longer runs through GUP_STRESS_SECONDS; a plain `make test` stays quick. */
static double seconds_per_run(void)
{
	const char *env = getenv("GUP_STRESS_SECONDS");
	double seconds = env ? strtod(env, NULL) : 0;

	return seconds > 0 ? seconds : DEFAULT_SECONDS_PER_RUN;
}

static void run_stress(unsigned long long seed)
{
	struct stress_opts opts;

	stress_opts_default(&opts);
	opts.seed = seed;
	opts.seconds = seconds_per_run();
	opts.threads = THREADS;
	assert_int_equal(gup_stress_run(&opts, stdout), 0);
}

static void stress_fixed_seed(void **state)
{
	(void)state;
	run_stress(FIXED_SEED);
}

static void stress_time_seed(void **state)
{
	struct stress_opts defaults;

	(void)state;
	stress_opts_default(&defaults); /* time-based; gup_stress_run prints it */
	run_stress(defaults.seed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stress_fixed_seed),
		cmocka_unit_test(stress_time_seed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
