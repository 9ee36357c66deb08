/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fault injection: the sim points that can be made to fail on their Nth hit,
 * armed by API, by GUP_INJECT in the environment, or by scripts.
 */
#ifndef GUP_INJECT_H
#define GUP_INJECT_H

#include <gup/types.h>
#include <gup/sim_point.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The first rows of enum sim_point_id; the code reaches them through sim_point(). */
enum inject_point {
	INJECT_PAGE_ALLOC = SP_PAGE_ALLOC,	 /* "page_alloc": alloc_pages returns NULL */
	INJECT_PGTABLE_ALLOC = SP_PGTABLE_ALLOC, /* "pgtable_alloc": no page-table page */
	INJECT_VMA_ALLOC = SP_VMA_ALLOC,	 /* "vma_alloc": a VMA cannot be allocated */
	INJECT_FAULT_RETRY = SP_FAULT_RETRY,	 /* "fault_retry": drops mmap_lock, returns RETRY */
	INJECT_FAULT_OOM = SP_FAULT_OOM,	 /* "fault_oom": a fault returns VM_FAULT_OOM */
	INJECT_FAULT_SIGBUS = SP_FAULT_SIGBUS, /* "fault_sigbus": a fault returns VM_FAULT_SIGBUS */
	INJECT_GUP_SIGNAL = SP_GUP_SIGNAL,     /* "gup_signal": a fatal signal at a GUP iteration */
	INJECT_HUGETLB_ALLOC = SP_HUGETLB_ALLOC, /* "hugetlb_alloc": the hugetlb pool is empty */
	INJECT_THP_ALLOC = SP_THP_ALLOC,	 /* "thp_alloc": no THP for a huge fault */
	INJECT_THP_ZERO_PAGE_ALLOC =
		SP_THP_ZERO_PAGE_ALLOC,	       /* "thp_zero_page_alloc": no huge zero page */
	INJECT_MIGRATE_MOVE = SP_MIGRATE_MOVE, /* "migrate_move": a page will not move (-EAGAIN) */
	NR_INJECT_POINTS
};

/**
 * inject_arm() - make point @name fail on its @nth hit from now (1 = next), for
 * @count hits in a row (0 = every hit from then on).
 *
 * Return: 0, or -EINVAL for an unknown name or nth < 1.
 */
int inject_arm(const char *name, unsigned long nth, unsigned long count);
/* Parse "name:nth=N[:count=M][,name:...]" (the GUP_INJECT syntax). Return 0 or -EINVAL. */
int inject_parse(const char *spec);
void inject_disarm_all(void);
/* Hits and failures of a point since it was armed. */
unsigned long inject_hits(enum inject_point point);
unsigned long inject_fired(enum inject_point point);
const char *inject_point_name(enum inject_point point);

/* How one armed failure counts: the sim points' rules, and host I/O's (src/fs/host_io.c). */
struct inject_rule {
	unsigned long nth;   /* fail from this hit on; 0 = disarmed */
	unsigned long count; /* failures to give; 0 = unlimited */
	unsigned long hits;
	unsigned long fired;
};

/*
 * inject_rule_hit() - count a hit of @rule; the caller serialises its hits.
 * Return: true when this hit is to fail (armed, at or past nth, count not used up).
 */
bool inject_rule_hit(struct inject_rule *rule);

extern int inject_armed_any;
bool __inject_should_fail(enum inject_point point);

/* Cheap when nothing is armed: one load of a global. */
static inline bool inject_should_fail(enum inject_point point)
{
	if (likely(!__atomic_load_n(&inject_armed_any, __ATOMIC_RELAXED)))
		return false;
	return __inject_should_fail(point);
}

#ifdef __cplusplus
}
#endif

#endif /* GUP_INJECT_H */
