// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer entry point for model-based fuzzing: each input is a sequence of
 * operations (see model_ops.h); a divergence from the model is replayed with its
 * trace on stderr, then aborts so libFuzzer keeps the input.
 */
#include <stdlib.h>
#include "model_ops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (model_run(data, size, NULL)) {
		model_run(data, size, stderr);
		abort();
	}
	return 0;
}
