// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shrinker list and shrink_slab() (the kernel's mm/shrinker.c; vmscan.c in 5.11):
 * caches registered here are asked to give objects back when the page allocator is
 * short of memory.
 */
#include "mm/internal.h"
#include "mm/shrinker.h"

static struct rw_semaphore shrinker_rwsem = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wait = PTHREAD_COND_INITIALIZER,
};
static struct shrinker *shrinker_list; /* under shrinker_rwsem */

/* Set while this thread runs shrinkers: what they allocate must not reclaim again. */
static __thread bool in_shrink_slab;

bool current_in_reclaim(void)
{
	return in_shrink_slab;
}

int register_shrinker(struct shrinker *shrinker)
{
	if (WARN_ON_ONCE(!shrinker || !shrinker->count_objects || !shrinker->scan_objects))
		return -EINVAL;
	down_write(&shrinker_rwsem);
	if (shrinker->registered) {
		up_write(&shrinker_rwsem);
		return -EBUSY;
	}
	shrinker->next = shrinker_list;
	shrinker_list = shrinker;
	shrinker->registered = true;
	up_write(&shrinker_rwsem);
	return 0;
}

void unregister_shrinker(struct shrinker *shrinker)
{
	struct shrinker **link;

	if (!shrinker)
		return;
	down_write(&shrinker_rwsem);
	for (link = &shrinker_list; *link; link = &(*link)->next) {
		if (*link == shrinker) {
			*link = shrinker->next;
			break;
		}
	}
	shrinker->next = NULL;
	shrinker->registered = false;
	up_write(&shrinker_rwsem);
}

/*
 * One shrinker: as many objects as it has, at most @nr_to_scan, in batches; stops
 * when it answers SHRINK_STOP. Return: the objects it freed.
 */
static unsigned long do_shrink_slab(struct shrinker *shrinker, gfp_t gfp_mask,
				    unsigned long nr_to_scan)
{
	unsigned long batch = shrinker->batch > 0 ? (unsigned long)shrinker->batch : SHRINK_BATCH;
	struct shrink_control sc = {.gfp_mask = gfp_mask};
	unsigned long freeable = shrinker->count_objects(shrinker, &sc);
	unsigned long total = min_t(unsigned long, freeable, nr_to_scan), freed = 0;

	while (total) {
		unsigned long ret;

		sc.nr_to_scan = min_t(unsigned long, batch, total);
		sc.nr_scanned = sc.nr_to_scan;
		ret = shrinker->scan_objects(shrinker, &sc);
		if (ret == SHRINK_STOP)
			break;
		freed += ret;
		/* A shrinker that looked at nothing would loop forever. */
		if (!sc.nr_scanned)
			break;
		total -= min_t(unsigned long, sc.nr_scanned, total);
	}
	return freed;
}

unsigned long shrink_slab(gfp_t gfp_mask, unsigned long nr_to_scan)
{
	unsigned long freed = 0;

	if (in_shrink_slab || !nr_to_scan)
		return 0;
	/* A registration in progress: this pass gives up, as the kernel's trylock. */
	if (!down_read_trylock(&shrinker_rwsem))
		return 0;
	in_shrink_slab = true;
	for (struct shrinker *s = shrinker_list; s; s = s->next)
		freed += do_shrink_slab(s, gfp_mask, nr_to_scan);
	in_shrink_slab = false;
	up_read(&shrinker_rwsem);
	return freed;
}
