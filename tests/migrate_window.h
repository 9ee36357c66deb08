/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/migrate_window.h - holding a migration open between its unmap and its
 * remap (the migrate_after_unmap sim point) to run something there, and a thread
 * that blocks on the migration entry while the window is held.
 */
#ifndef GUP_TESTS_MIGRATE_WINDOW_H
#define GUP_TESTS_MIGRATE_WINDOW_H

#include <sched.h>

#include "harness.h"
#include "mm/internal.h"
#include <gup/memory_hotplug.h>
#include <gup/sim_thread.h>

#define MIB (1UL << 20)
#define THP_BASE 0x40000000UL /* 2 MiB aligned */

/* cmocka setup: a machine with a ZONE_MOVABLE to migrate into and THP always on. */
static inline int boot_thp_movable(void **state)
{
	struct sim_config cfg = {
		.mem_bytes = 64 * MIB, .movable_bytes = 16 * MIB, .thp = SIM_THP_ALWAYS};

	(void)state;
	return sim_boot(&cfg);
}

/* cmocka teardown: shutdown's leak and invariant check is the test's last assert. */
static inline int shutdown_checked(void **state)
{
	(void)state;
	return sim_shutdown();
}

/*
 * @nr pages at @addr (MAP_FIXED when @addr is set), each written with its own byte:
 * at THP_BASE with HPAGE_PMD_NR pages, one THP mapped by a pmd.
 */
static inline unsigned long map_patterned(unsigned long addr, unsigned long nr)
{
	unsigned long got = sys_mmap(addr, nr * PAGE_SIZE, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | (addr ? MAP_FIXED : 0), -1, 0);

	assert_false(IS_ERR_VALUE(got));
	for (unsigned long i = 0; i < nr; i++) {
		char c = (char)('a' + i % 26);

		assert_int_equal(copy_to_user(got + i * PAGE_SIZE, &c, 1), 0);
	}
	return got;
}

static inline unsigned long map_thp(void)
{
	return map_patterned(THP_BASE, HPAGE_PMD_NR);
}

/* Page @i of a map_patterned() range at @base still holds its byte. */
static inline void assert_pattern_page(unsigned long base, unsigned long i)
{
	char c = 0;

	assert_int_equal(copy_from_user(&c, base + i * PAGE_SIZE, 1), 0);
	assert_int_equal(c, 'a' + (int)(i % 26));
}

/* The first @nr pages at @addr still hold what map_patterned() wrote. */
static inline void assert_pattern(unsigned long addr, unsigned long nr)
{
	for (unsigned long i = 0; i < nr; i++)
		assert_pattern_page(addr, i);
}

static inline pmd_t pmd_at(unsigned long addr)
{
	pmd_t *pmd = mm_find_pmd(current->mm, addr);

	assert_non_null(pmd);
	return pmdp_get(pmd);
}

static inline bool huge_at(unsigned long addr)
{
	return pmd_trans_huge(pmd_at(addr));
}

/* One migration held open: @during runs once, between unmap and remap. */
struct migrate_window {
	struct task_struct *task; /* whose @addr is migrated */
	unsigned long addr;
	void (*during)(struct migrate_window *w);
	void *arg;
	struct page *old; /* the page under migration (a THP's head) */
	unsigned long old_pfn;
	int hits;
};

static inline void migrate_window_hook(enum sim_point_id id, void *ctx, void *arg)
{
	struct migrate_window *w = arg;

	(void)id;
	if (w->hits++)
		return;
	w->old = ctx;
	w->old_pfn = page_to_pfn(w->old);
	w->during(w);
	set_current(w->task);
}

/*
 * Migrate what @w->addr maps by taking its frames offline (which holds no mmap_lock,
 * so @during may fork, munmap, mprotect or mremap), then online again.
 */
static inline void migrate_with_window(struct migrate_window *w)
{
	struct page *head = compound_head(pfn_to_page(pfn_of(w->task, w->addr)));
	unsigned long start = page_to_pfn(head), nr = compound_nr(head);

	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, migrate_window_hook, w), 0);
	assert_int_equal(offline_range(start, nr, NULL), 0);
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, NULL, NULL), 0);
	assert_int_equal(online_range(start, nr), 0);
	assert_int_equal(w->hits, 1); /* a waiter does not make it retry */
	set_current(w->task);
	/* Before anything touches the range: no migration entry may be left behind. */
	assert_int_equal(sim_check(NULL), 0);
}

/* A thread of @task that runs @fn(@arg) and says when it is done. */
struct window_waiter {
	struct task_struct *task;
	void (*fn)(struct window_waiter *ww);
	unsigned long addr;
	struct page *page; /* what a GUP in @fn returned */
	long ret;
	char byte;
	int done;
	struct sim_thread *thread;
};

static inline void *window_waiter_main(void *arg)
{
	struct window_waiter *ww = arg;

	ww->fn(ww);
	__atomic_store_n(&ww->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Start @ww inside the window and return once it sleeps on the lock of @old (the
 * migration holds it): its access met the migration entry. A thread that finished
 * without sleeping fails the test instead of hanging it.
 */
static inline void window_waiter_start(struct window_waiter *ww, struct page *old)
{
	/* Not a timeout: a bound so that an access spinning on the entry fails, not hangs. */
	unsigned long spins = 10UL * 1000 * 1000;

	assert_int_equal(sim_thread_spawn(ww->task, window_waiter_main, ww, &ww->thread), 0);
	while (!PageWaiters(compound_head(old))) {
		if (__atomic_load_n(&ww->done, __ATOMIC_ACQUIRE) || !--spins)
			fail_msg("the access did not sleep on the migration entry");
		sched_yield();
	}
}

static inline void window_waiter_join(struct window_waiter *ww)
{
	sim_thread_join(ww->thread);
	assert_true(ww->done);
}

static inline void window_start_waiter(struct migrate_window *w)
{
	window_waiter_start(w->arg, w->old);
}

/*
 * Migrate @w's page with @fn running on a thread that meets the entry at
 * @w->addr + 7 pages, the window held until it sleeps; return once it is done.
 */
static inline struct window_waiter *wait_in_window(struct migrate_window *w,
						   struct window_waiter *ww,
						   void (*fn)(struct window_waiter *ww))
{
	*ww = (struct window_waiter){.task = w->task, .fn = fn, .addr = w->addr + 7 * PAGE_SIZE};
	w->during = window_start_waiter;
	w->arg = ww;
	migrate_with_window(w);
	window_waiter_join(ww);
	return ww;
}

/* The waiter bodies: a read fault, and a slow GUP with and without FOLL_MIGRATION. */
static inline void waiter_read_fault(struct window_waiter *ww)
{
	ww->ret = (long)copy_from_user(&ww->byte, ww->addr, 1);
}

static inline void waiter_follow_page_migration(struct window_waiter *ww)
{
	struct vm_area_struct *vma;

	mmap_read_lock(current->mm);
	vma = find_vma(current->mm, ww->addr);
	ww->page = follow_page(vma, ww->addr, FOLL_GET | FOLL_MIGRATION);
	mmap_read_unlock(current->mm);
}

static inline void waiter_gup_fast(struct window_waiter *ww)
{
	ww->ret = get_user_pages_fast(ww->addr, 1, 0, &ww->page);
}

#endif /* GUP_TESTS_MIGRATE_WINDOW_H */
