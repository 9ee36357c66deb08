// SPDX-License-Identifier: GPL-2.0-only
/*
 * GUP-fast racing memunmap_pages(): the lockless walk has grabbed every page of
 * a devmap pmd (the gup_fast_huge_grab point) when the pgmap is killed. The pins it took
 * stand and memunmap_pages() waits for them. A new walk of the still-mapped
 * pmd: 5.11 finds the pgmap killed (-EFAULT); 6.18 never looks at it
 * (gup_takes_pgmap; the driver is to zap first) and pins the folio again.
 */
#include "harness.h"
#include <pthread.h>
#include <sched.h>
#include <string.h>

/* memunmap_pages() on another thread has killed @pgmap (it then waits for us). */
static void wait_until_killed(struct dev_pagemap *pgmap)
{
	while (!dev_pagemap_dying(pgmap))
		sched_yield();
}

struct race {
	struct dev_pagemap pgmap;
	pthread_t unmapper;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool unmapped, fired;
};

static void *unmap_thread(void *arg)
{
	struct race *r = arg;

	memunmap_pages(&r->pgmap);
	pthread_mutex_lock(&r->lock);
	r->unmapped = true;
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* Inside GUP-fast, after the grabs: start memunmap_pages() and wait for its kill. */
static void kill_during_walk(enum sim_point_id id, void *ctx, void *arg)
{
	struct race *r = arg;

	(void)id;
	(void)ctx;
	if (r->fired)
		return;
	r->fired = true;
	assert_int_equal(pthread_create(&r->unmapper, NULL, unmap_thread, r), 0);
	wait_until_killed(&r->pgmap);
}

static void test_gup_fast_racing_memunmap(void **state)
{
	struct sim_config cfg = {.mem_bytes = 64UL << 20, .device_bytes = 8UL << 20};
	struct race r = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
	uint64_t base;
	struct page *pages[HPAGE_PMD_NR], *again;
	unsigned long addr;
	unsigned char byte = 1;

	(void)state;
	assert_int_equal(sim_boot(&cfg), 0);
	base = (uint64_t)sim_device_start_pfn() << PAGE_SHIFT;
	r.pgmap.type = MEMORY_DEVICE_GENERIC;
	r.pgmap.range.start = base;
	r.pgmap.range.end = base + PMD_SIZE - 1;
	r.pgmap.align = PMD_SIZE;
	assert_int_equal(memremap_pages(&r.pgmap), 0);
	start_task("race");
	addr = sim_mmap_device(&r.pgmap, 0, PMD_SIZE, PROT_READ | PROT_WRITE);
	assert_false(IS_ERR_VALUE(addr));
	assert_int_equal(copy_to_user(addr, &byte, 1), 0);

	assert_int_equal(sim_point_set_hook(SP_GUP_FAST_HUGE_GRAB, kill_during_walk, &r), 0);
	assert_int_equal(pin_user_pages_fast(addr, HPAGE_PMD_NR, 0, pages), HPAGE_PMD_NR);
	assert_true(r.fired);
	sim_point_set_hook(SP_GUP_FAST_HUGE_GRAB, NULL, NULL);
	for (int i = 0; i < HPAGE_PMD_NR; i++)
		assert_ptr_equal(pages[i],
				 pfn_to_page(pgmap_start_pfn(&r.pgmap) + (unsigned long)i));

	/* Killed: memunmap_pages() waits for our pins, and for a new walk's (6.18). */
	assert_int_equal(pin_user_pages_fast(addr, 1, 0, &again), by_profile(-EFAULT, 1));
	pthread_mutex_lock(&r.lock);
	assert_false(r.unmapped);
	pthread_mutex_unlock(&r.lock);
	unpin_user_pages(pages, HPAGE_PMD_NR);
	if (profile_is_6_18()) {
		assert_ptr_equal(again, pages[0]);
		unpin_user_page(again);
	}
	assert_int_equal(sys_munmap(addr, PMD_SIZE), 0);
	assert_int_equal(pthread_join(r.unmapper, NULL), 0);
	assert_true(r.unmapped);
	task_exit(current);
	set_current(NULL);
	assert_int_equal(sim_shutdown(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_gup_fast_racing_memunmap, shutdown_left_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
