/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `gup stress`: the concurrency torture engine. Threads pinning and getting pages
 * race threads remapping, protecting, zapping, forking and writing one address
 * space; after every round the machine's invariants and pin coherence are checked.
 */
#ifndef GUP_TOOL_STRESS_H
#define GUP_TOOL_STRESS_H

#include <stdbool.h>
#include <stdio.h>

#if __has_include("gup_tool.h")
#include "gup_tool.h"
#else
#define GUP_EXIT_OK 0
#define GUP_EXIT_FAILED 1
#define GUP_EXIT_USAGE 2
int gup_stress_main(int argc, char **argv);
#endif

struct stress_opts {
	double seconds;		 /* wall-clock budget; rounds stop once it is spent */
	int threads;		 /* worker threads, at least 2 (half pin, half mutate) */
	unsigned long long seed; /* PRNG seed; each run with the same seed makes the same ops */
	unsigned long max_ops;	 /* operations budget over all threads; 0: unbounded */
	bool deterministic;	 /* workers take turns, one operation each: a seed and
				  * max_ops then reproduce the run exactly; no time budget */
	bool verbose;		 /* one line per round */
};

/* Fill @opts with the defaults: 10 s, 4 threads, a time-based seed, no ops bound. */
void stress_opts_default(struct stress_opts *opts);

/**
 * gup_stress_run() - boot a machine, torture it, check it, shut it down.
 * @opts: budget and seed.
 * @out: where the plan, every violation (with the seed) and the summary go.
 *
 * The machine must not be running already: the engine boots its own.
 *
 * Return: the number of violations found (0: clean), or a negative errno when
 * the run could not be set up.
 */
int gup_stress_run(const struct stress_opts *opts, FILE *out);

/*
 * stress_request_stop() - end the run after the round in flight, as SIGINT does.
 * @sig: the signal that asked (0: none), named in the summary.
 *
 * Async-signal-safe; the run then checks the machine and prints its summary.
 */
void stress_request_stop(int sig);

#endif /* GUP_TOOL_STRESS_H */
