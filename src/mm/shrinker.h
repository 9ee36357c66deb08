/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shrinkers: caches that can give memory back when the page allocator runs short
 * (the kernel's include/linux/shrinker.h). Each says how many objects it could
 * free and frees some when asked; shrink_slab() asks every registered one.
 */
#ifndef GUP_MM_SHRINKER_H
#define GUP_MM_SHRINKER_H

#include <gup/page.h>

struct shrink_control {
	gfp_t gfp_mask;		  /* the allocation that needs the memory */
	unsigned long nr_to_scan; /* objects scan_objects() should look at */
	unsigned long nr_scanned; /* what it did look at; scan_objects may lower it */
};

/* scan_objects(): nothing can be freed now, do not call again this pass. */
#define SHRINK_STOP (~0UL)
/* Objects scanned per scan_objects() call unless the shrinker sets batch. */
#define SHRINK_BATCH 128

struct shrinker {
	/* Return: how many objects could be freed (0: nothing to do). */
	unsigned long (*count_objects)(struct shrinker *shrinker, struct shrink_control *sc);
	/* Return: how many objects were freed, or SHRINK_STOP. */
	unsigned long (*scan_objects)(struct shrinker *shrinker, struct shrink_control *sc);
	long batch;	       /* 0: SHRINK_BATCH */
	struct shrinker *next; /* on the registered list, under shrinker_rwsem */
	bool registered;
};

/**
 * register_shrinker() - add @shrinker to those shrink_slab() asks.
 * @shrinker: count_objects and scan_objects set, not registered yet.
 *
 * Return: 0; -EINVAL (with a warning) for a missing callback, -EBUSY for a
 * shrinker already registered.
 */
int register_shrinker(struct shrinker *shrinker);

/**
 * unregister_shrinker() - remove @shrinker; once it returns no scan of it runs.
 * @shrinker: registered, or never registered (then nothing happens, as the kernel).
 */
void unregister_shrinker(struct shrinker *shrinker);

/**
 * shrink_slab() - ask every registered shrinker to free up to @nr_to_scan objects.
 * @gfp_mask: the allocation's gfp, handed to each shrinker.
 * @nr_to_scan: objects to scan per shrinker, in batches.
 *
 * A thread already inside shrink_slab() (a shrinker allocating) and a pass racing
 * a registration skip the work, as the kernel's PF_MEMALLOC and trylock do.
 * Return: the objects freed, summed over the shrinkers.
 */
unsigned long shrink_slab(gfp_t gfp_mask, unsigned long nr_to_scan);

/* Is this thread inside shrink_slab() (the kernel's PF_MEMALLOC during reclaim)? */
bool current_in_reclaim(void);

#endif /* GUP_MM_SHRINKER_H */
