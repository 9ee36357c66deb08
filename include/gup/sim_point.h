/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sim points: the named places in the memory manager where a test, a script or a
 * scheduler may step in. One table (src/sim/point.c) names each point, where it
 * is and which locks are held there; fault injection, hooks and yields go through it.
 */
#ifndef GUP_SIM_POINT_H
#define GUP_SIM_POINT_H

#include <gup/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The points. The first NR_INJECT_POINTS are the fault-injection points, in the
 * order of enum inject_point; the table in src/sim/point.c says what @ctx is at each.
 */
enum sim_point_id {
	SP_PAGE_ALLOC,
	SP_PGTABLE_ALLOC,
	SP_VMA_ALLOC,
	SP_FAULT_RETRY,
	SP_FAULT_OOM,
	SP_FAULT_SIGBUS,
	SP_GUP_SIGNAL,
	SP_HUGETLB_ALLOC,
	SP_THP_ALLOC,
	SP_THP_ZERO_PAGE_ALLOC,
	SP_MIGRATE_MOVE,
	SP_GUP_FAST_AFTER_GRAB,
	SP_GUP_FAST_WALK_END,
	SP_FORK_WRPROTECT,
	SP_FAULT_BEFORE_PTE_LOCK,
	SP_PGTABLE_FREE,
	SP_COW_BEFORE_PAGE_LOCK,
	SP_COW_AFTER_PAGE_LOCK,
	SP_GUP_AFTER_FAULTIN,
	SP_GUP_FAST_HUGE_GRAB,
	SP_FILE_READ,
	SP_MIGRATE_AFTER_UNMAP,
	SP_FILE_PAGE_WAIT,
	SP_SWAP_WRITE,
	SP_SWAP_READ,
	SP_THP_SPLIT_FROZEN,
	SP_MIGRATE_BEFORE_UNMAP,
	SP_MIGRATE_BEFORE_REMAP,
	SP_MIGRATE_AFTER_REMAP,
	SP_HUGETLB_COW_COPY,
	SP_HUGETLB_FAULT_WAIT,
	SP_GUP_FAST_BEFORE_GRAB,
	NR_SIM_POINTS
};

/* One row of the table. */
struct sim_point_info {
	const char *name;  /* what scripts and GUP_INJECT call it */
	const char *where; /* the function and moment */
	const char *locks; /* what the thread holds there */
	const char *ctx;   /* what the @ctx argument points to */
	bool can_fail;	   /* fault injection can make the operation fail here */
	bool section;	   /* brackets a section that sim_point_hold() can keep others out of */
};

/**
 * sim_point_info() - the table row of point @id.
 *
 * Return: the row, or NULL when @id is not a point.
 */
const struct sim_point_info *sim_point_info(enum sim_point_id id);

/**
 * sim_point_lookup() - find a point by its table name.
 *
 * Return: the point's id, -EINVAL for a NULL name, -ENOENT for an unknown one.
 */
int sim_point_lookup(const char *name);

/* A hook runs on the thread that reached point @id, with what the point passes as @ctx. */
typedef void (*sim_point_hook_fn)(enum sim_point_id id, void *ctx, void *arg);

/**
 * sim_point_set_hook() - run @fn(@id, ctx, @arg) each time a thread reaches @id.
 * @fn: the hook, or NULL to remove the one registered.
 *
 * One hook per point; a new one replaces the old. Safe from any thread, including
 * from inside a hook. A call that had already read the old hook may still be
 * running it when this returns. Hooks are removed at sim_shutdown().
 *
 * Return: 0, -EINVAL when @id is not a point, -ENOMEM.
 */
int sim_point_set_hook(enum sim_point_id id, sim_point_hook_fn fn, void *arg);

/* Remove every hook and the scheduler (sim_shutdown does this). */
void sim_point_reset(void);

/*
 * The scheduler seam: once installed, every thread calls @yield at every point it
 * reaches, after injection and the point's hook, so a scheduler can choose who runs next.
 */
struct sim_sched_ops {
	void (*yield)(enum sim_point_id id, void *ctx, void *arg);
	void *arg;
};

/* Install @ops (kept by pointer; NULL uninstalls). */
void sim_sched_install(const struct sim_sched_ops *ops);

/**
 * sim_point_hold() - keep every thread out of the section of point @id until
 * sim_point_release(); waits for a thread inside it to leave first.
 *
 * Return: 0, or -EINVAL when @id is not a section point.
 */
int sim_point_hold(enum sim_point_id id);
void sim_point_release(enum sim_point_id id);

/* Why sim_point() has to look further: any of these set. */
#define SIM_POINTS_INJECT 1U /* some injection point is armed */
#define SIM_POINTS_HOOKED 2U /* some point has a hook */
#define SIM_POINTS_SCHED 4U  /* a scheduler is installed */
/* Internal to sim_point(): which of the SIM_POINTS_* reasons hold now. */
extern unsigned int sim_points_active;
/* Internal: set or clear one SIM_POINTS_* reason (inject, hooks, scheduler). */
void sim_points_set_active(unsigned int bit, bool on);

/* Internal: sim_point()'s slow path. Return: as sim_point(). */
bool __sim_point(enum sim_point_id id, void *ctx);

/**
 * sim_point() - a thread reaches point @id: consult fault injection, run the
 * point's hook, yield to the scheduler, in that order. One relaxed load when
 * nothing is armed, hooked or installed.
 *
 * Return: true when injection says the operation at @id fails (only at points
 * whose row says can_fail), false otherwise.
 */
static inline bool sim_point(enum sim_point_id id, void *ctx)
{
	if (likely(!__atomic_load_n(&sim_points_active, __ATOMIC_RELAXED)))
		return false;
	return __sim_point(id, ctx);
}

/* Enter and leave the section of section point @id (sim_point() is called on entry). */
void sim_point_section_begin(enum sim_point_id id, void *ctx);
void sim_point_section_end(enum sim_point_id id);

#ifdef __cplusplus
}
#endif

#endif /* GUP_SIM_POINT_H */
