// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the `gup run` scenario language: every input runs as a
 * script on a freshly booted machine. Crashes, sanitizer reports and hangs are
 * bugs in the interpreter (or the library beneath it); script errors are not.
 */
#include <stdint.h>
#include <stdio.h>

#include "script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Inputs name files (pagetable dot=FILE): draw them, write nothing. */
	static const struct script_options opts = {.no_files = true};
	static FILE *sink;

	if (!sink)
		sink = fopen("/dev/null", "w");
	script_run_buffer_opts((const char *)data, size, "fuzz", sink ? sink : stdout, &opts);
	return 0;
}
