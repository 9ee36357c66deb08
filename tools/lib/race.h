/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the racing regression tests: a printed, overridable seed
 * (GUP_REGRESS_SEED), simulated threads each bound to its own task, and a seeded
 * hook that widens a race's window at the sim point where it opens.
 */
#ifndef GUP_TESTS_REGRESS_RACE_H
#define GUP_TESTS_REGRESS_RACE_H

#include <libgup.h>
#include <sched.h>
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

/* Run @fn(@arg) as @task on a new simulated thread; race_join() waits for it. */
static inline struct sim_thread *race_start(struct task_struct *task, void *(*fn)(void *),
					    void *arg)
{
	struct sim_thread *thread;

	if (sim_thread_spawn(task, fn, arg, &thread))
		abort();
	return thread;
}

static inline void race_join(struct sim_thread *thread)
{
	sim_thread_join(thread);
}

/*
 * Each thread reaching the widened point draws from its own sequence, started
 * from the run's seed, whether and how often to give up the CPU right there: the
 * other side of the race gets to run inside the window, and the seed decides how often.
 */
static __thread unsigned int race_thread_seed;
static __thread bool race_thread_seeded;

static inline void race_widen_hook(enum sim_point_id id, void *ctx, void *arg)
{
	unsigned int *seed = arg;

	(void)id;
	(void)ctx;
	if (!race_thread_seeded) {
		race_thread_seed = __atomic_fetch_add(seed, 0x9e3779b9u, __ATOMIC_RELAXED);
		race_thread_seeded = true;
	}
	for (unsigned int n = rand_r(&race_thread_seed) % 4; n; n--)
		sched_yield();
}

/* Widen the window at @point from now on; @seed must outlive the race. */
static inline void race_widen(enum sim_point_id point, unsigned int *seed)
{
	if (sim_point_set_hook(point, race_widen_hook, seed))
		abort();
}

#endif /* GUP_TESTS_REGRESS_RACE_H */
