/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/hugetlb_harness.h - the hugetlb tests' common steps: boot with pools,
 * an anonymous MAP_HUGETLB mapping, a byte through the task, the head page
 * mapped at an address, the end with the invariant and leak checks, and a COW
 * with a second fault on the same huge page arriving in the middle of its copy.
 */
#ifndef GUP_TESTS_HUGETLB_HARNESS_H
#define GUP_TESTS_HUGETLB_HARNESS_H

#include <semaphore.h>
#include "harness.h"
#include "mm/internal.h"
#include <gup/sim_thread.h>

#define RW (PROT_READ | PROT_WRITE)
#define HUGE_PRIVATE (MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB)

/* Boot with @nr_2m 2 MiB and @nr_1g 1 GiB pool pages; the task "hugetlb" is current. */
static inline struct task_struct *boot_pools(unsigned long nr_2m, unsigned long nr_1g)
{
	struct sim_config cfg = {.hugetlb_2m_pages = nr_2m, .hugetlb_1g_pages = nr_1g};

	if (nr_1g)
		cfg.mem_bytes = (nr_1g + 1) << 30;
	assert_int_equal(sim_boot(&cfg), 0);
	return start_task("hugetlb");
}

/* A new mapping of @len bytes with @flags (MAP_HUGETLB among them), read-write. */
static inline unsigned long map_huge(unsigned long len, unsigned long flags)
{
	unsigned long addr = sys_mmap(0, len, RW, flags, -1, 0);

	assert_false(IS_ERR_VALUE(addr));
	return addr;
}

static inline void put_byte(unsigned long addr, char c)
{
	assert_int_equal(copy_to_user(addr, &c, 1), 0);
}

static inline char get_byte(unsigned long addr)
{
	char c = 0;

	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	return c;
}

/* The head page mapped at @addr, which must be present. */
static inline struct page *head_at(struct task_struct *t, unsigned long addr)
{
	return compound_head(pfn_to_page(pfn_of(t, addr)));
}

/* The invariants hold; @t exits and the machine shuts down without a leak. */
static inline void finish(struct task_struct *t)
{
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/*
 * A private hugetlb COW with a contender: the parent's write copies the page it
 * shares with a child; in the middle of the copy (the hugetlb_cow_copy point) the
 * child exits, which leaves the parent the page's only user, and a second thread
 * of the parent writes the same huge page. What the scenario saw is in here.
 */
struct hugetlb_cow_race {
	sim_point_hook_fn also; /* called at both points too, when set */
	struct task_struct *parent, *child, *contender;
	struct sim_thread *thread;
	unsigned long addr;
	sem_t contender_stopped; /* the contender waits at the fault mutex, or is done */
	int copies_seen, waits_seen;
	unsigned long old_pfn;
};

static inline void *hugetlb_race_contender(void *arg)
{
	struct hugetlb_cow_race *r = arg;

	put_byte(r->addr + 1, 'b');
	sem_post(&r->contender_stopped);
	return NULL;
}

static inline void hugetlb_race_hook(enum sim_point_id id, void *ctx, void *arg)
{
	struct hugetlb_cow_race *r = arg;

	if (r->also)
		r->also(id, ctx, NULL);
	if (id == SP_HUGETLB_FAULT_WAIT) {
		r->waits_seen++;
		sem_post(&r->contender_stopped); /* it blocks on the mutex next */
		return;
	}
	if (r->copies_seen++)
		return;
	task_exit(r->child);
	assert_int_equal(sim_thread_spawn(r->contender, hugetlb_race_contender, r, &r->thread), 0);
	sem_wait(&r->contender_stopped);
}

/* Run the scenario in the booted machine (a pool of two 2 MiB pages at least) as @parent. */
static inline void hugetlb_cow_race_run(struct hugetlb_cow_race *r, struct task_struct *parent)
{
	r->parent = parent;
	r->addr = map_huge(PMD_SIZE, HUGE_PRIVATE);
	put_byte(r->addr, 'p');
	r->old_pfn = pfn_of(parent, r->addr);
	r->child = sys_fork();
	assert_non_null(r->child);
	set_current(parent);
	r->contender = task_clone_thread(parent);
	assert_non_null(r->contender);
	assert_int_equal(sem_init(&r->contender_stopped, 0, 0), 0);
	assert_int_equal(sim_point_set_hook(SP_HUGETLB_COW_COPY, hugetlb_race_hook, r), 0);
	assert_int_equal(sim_point_set_hook(SP_HUGETLB_FAULT_WAIT, hugetlb_race_hook, r), 0);
	put_byte(r->addr, 'a');
	assert_non_null(r->thread);
	sim_thread_join(r->thread);
	assert_int_equal(sim_point_set_hook(SP_HUGETLB_COW_COPY, NULL, NULL), 0);
	assert_int_equal(sim_point_set_hook(SP_HUGETLB_FAULT_WAIT, NULL, NULL), 0);
	sem_destroy(&r->contender_stopped);
	task_exit(r->contender);
}

#endif /* GUP_TESTS_HUGETLB_HARNESS_H */
