/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the racing regression tests: a printed, overridable seed
 * (GUP_REGRESS_SEED) and a pair of host threads, each bound to its own task.
 */
#ifndef GUP_TESTS_REGRESS_RACE_H
#define GUP_TESTS_REGRESS_RACE_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* The seed of this run, printed so that a failure can be replayed. */
static inline unsigned int race_seed(void)
{
	const char *env = getenv("GUP_REGRESS_SEED");
	unsigned int seed = env ? (unsigned int)strtoul(env, NULL, 0) : (unsigned int)time(NULL);

	printf("race seed %u (rerun with GUP_REGRESS_SEED=%u)\n", seed, seed);
	return seed;
}

/* Spin (no sleeping) for a seeded number of rounds, to vary the interleaving. */
static inline void race_jitter(unsigned int *seed)
{
	for (volatile unsigned int n = rand_r(seed) % 512; n; n--)
		;
}

/* Run @fn(@arg) on a new host thread; race_join() waits for it. */
static inline pthread_t race_start(void *(*fn)(void *), void *arg)
{
	pthread_t thread;

	if (pthread_create(&thread, NULL, fn, arg))
		abort();
	return thread;
}

static inline void race_join(pthread_t thread)
{
	pthread_join(thread, NULL);
}

#endif /* GUP_TESTS_REGRESS_RACE_H */
