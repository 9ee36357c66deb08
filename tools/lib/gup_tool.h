/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The gup command-line tool: the subcommands main.c dispatches to (run, bench,
 * stress), each taking the arguments after its own name, and the shared usage text.
 */
#ifndef GUP_TOOL_H
#define GUP_TOOL_H

#include <stdio.h>

/* Exit statuses shared by every subcommand. */
#define GUP_EXIT_OK 0	  /* everything held */
#define GUP_EXIT_FAILED 1 /* an expectation, check or leak check failed */
#define GUP_EXIT_USAGE 2  /* bad arguments or script, or not available */

/* `gup run [-q] FILE|-...` (script.c). */
int gup_run_main(int argc, char **argv);
/* `gup diff FILE...`: a scenario on libgup and on the host kernel, compared (diff.c). */
int gup_diff_main(int argc, char **argv);
/* `gup bench ...`: gup_test-style benchmarks (bench.c). */
int gup_bench_main(int argc, char **argv);
/* `gup stress ...`: randomized concurrent GUP stress (stress.c). */
int gup_stress_main(int argc, char **argv);

/* Print the whole command summary (the one docs/gup.1 expands on). */
void gup_print_usage(FILE *out);

#endif /* GUP_TOOL_H */
