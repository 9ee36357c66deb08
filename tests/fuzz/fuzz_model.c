// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer entry point for model-based fuzzing: each input is a sequence of
 * operations (see model_ops.h), run under the GUP_PROFILE profile or, when that
 * is unset (CI, ClusterFuzzLite), under every profile in turn. A divergence from
 * the model is replayed with its trace on stderr, then aborts so libFuzzer
 * keeps the input.
 */
#include <stdlib.h>
#include "model_ops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run_under(const uint8_t *data, size_t size, enum sim_profile profile)
{
	if (model_run(data, size, profile, NULL)) {
		model_run(data, size, profile, stderr);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *env = getenv("GUP_PROFILE");

	if (env && *env) {
		run_under(data, size, SIM_PROFILE_DEFAULT);
		return 0;
	}
	run_under(data, size, SIM_PROFILE_5_11);
	run_under(data, size, SIM_PROFILE_6_18);
	return 0;
}
