// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_vmscan.c - the LRU lists and the per-thread LRU-add batches: a new
 * page waits in its thread's batch (holding a reference, not PG_lru, not
 * isolatable) until the batch fills or is drained, here or from another thread;
 * aging moves pages between the lists; a long-term pin of a CMA page still in a
 * batch drains every batch once and migrates it (5.11's check_and_migrate_cma_pages);
 * the checker catches a page on the wrong list.
 */
#include <pthread.h>

#include "harness.h"
#include "mm/internal.h"

#define MIB (1UL << 20)

static int boot_batched(void **state)
{
	struct sim_config cfg = {.mem_bytes = 64 * MIB, .lru_batch = PAGEVEC_SIZE};

	(void)state;
	return sim_boot(&cfg);
}

static int boot_unbatched(void **state)
{
	struct sim_config cfg = {.mem_bytes = 64 * MIB};

	(void)state;
	return sim_boot(&cfg);
}

static int boot_batched_cma(void **state)
{
	struct sim_config cfg = {
		.mem_bytes = 24 * MIB, .cma_bytes = 16 * MIB, .lru_batch = PAGEVEC_SIZE};

	(void)state;
	return sim_boot(&cfg);
}

static struct page *page_at(struct task_struct *t, unsigned long addr)
{
	return pfn_to_page(pfn_of(t, addr));
}

static void test_new_page_waits_in_batch(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1);
	unsigned long inactive = lru_page_count(LRU_INACTIVE_ANON);
	struct page *page;

	(void)state;
	touch_page(addr);
	page = page_at(t, addr);
	assert_true(page_in_lru_batch(page));
	assert_false(PageLRU(page));
	assert_int_equal(page_count(page), 2); /* the PTE's and the batch's */
	assert_int_equal(isolate_lru_page(page), -EBUSY);
	assert_int_equal(sim_check(NULL), 0);
	lru_add_drain();
	assert_false(page_in_lru_batch(page));
	assert_true(PageLRU(page));
	assert_int_equal(page_count(page), 1);
	assert_int_equal(lru_page_count(LRU_INACTIVE_ANON), inactive + 1);
	assert_int_equal(isolate_lru_page(page), 0);
	assert_false(PageLRU(page));
	assert_int_equal(lru_page_count(LRU_INACTIVE_ANON), inactive);
	assert_int_equal(isolate_lru_page(page), -EBUSY);
	putback_lru_page(page);
	lru_add_drain();
	assert_true(PageLRU(page));
	assert_int_equal(page_count(page), 1);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(lru_page_count(LRU_INACTIVE_ANON), inactive);
	assert_int_equal(sim_shutdown(), 0);
}

static void test_full_batch_drains_itself(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(PAGEVEC_SIZE);

	(void)state;
	touch_pages(addr, PAGEVEC_SIZE - 1);
	assert_int_equal(lru_batch_count(), PAGEVEC_SIZE - 1);
	touch_page(addr + (PAGEVEC_SIZE - 1) * PAGE_SIZE);
	assert_int_equal(lru_batch_count(), 0);
	for (unsigned long i = 0; i < PAGEVEC_SIZE; i++)
		assert_true(PageLRU(page_at(t, addr + i * PAGE_SIZE)));
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/* Task "t" (current) with one touched anonymous page, already on its LRU list. */
static struct page *start_with_lru_page(struct task_struct **t)
{
	unsigned long addr;
	struct page *page;

	*t = start_task("t");
	addr = map_rw(1);
	touch_page(addr);
	page = page_at(*t, addr);
	assert_true(PageLRU(page));
	return page;
}

/* Without sim_config.lru_batch every page reaches its list at once. */
static void test_unbatched_page_is_on_lru_at_once(void **state)
{
	struct task_struct *t;
	struct page *page;

	(void)state;
	page = start_with_lru_page(&t);
	assert_int_equal(page_count(page), 1);
	assert_int_equal(lru_batch_count(), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

struct remote {
	unsigned long addr;
	pthread_barrier_t faulted, drained;
	bool in_batch_before, lru_after;
};

static void *fault_and_wait(void *arg)
{
	struct remote *r = arg;
	struct page *page;

	touch_page(r->addr);
	page = pfn_to_page(pfn_of(current, r->addr));
	r->in_batch_before = page_in_lru_batch(page) && !PageLRU(page);
	pthread_barrier_wait(&r->faulted);
	pthread_barrier_wait(&r->drained);
	r->lru_after = PageLRU(page);
	return NULL;
}

/* lru_add_drain_all() empties a batch of a thread that is still running. */
static void test_drain_all_reaches_other_threads(void **state)
{
	struct task_struct *t = start_task("t");
	struct remote r = {.addr = map_rw(1)};
	struct sim_thread *thread;

	(void)state;
	pthread_barrier_init(&r.faulted, NULL, 2);
	pthread_barrier_init(&r.drained, NULL, 2);
	assert_int_equal(sim_thread_spawn(t, fault_and_wait, &r, &thread), 0);
	pthread_barrier_wait(&r.faulted);
	lru_add_drain(); /* this thread's own batch holds nothing of it */
	assert_int_equal(lru_batch_count(), 1);
	lru_add_drain_all();
	assert_int_equal(lru_batch_count(), 0);
	pthread_barrier_wait(&r.drained);
	sim_thread_join(thread);
	assert_true(r.in_batch_before);
	assert_true(r.lru_after);
	pthread_barrier_destroy(&r.faulted);
	pthread_barrier_destroy(&r.drained);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

static void test_aging_moves_between_lists(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1);
	unsigned long active = lru_page_count(LRU_ACTIVE_ANON);
	struct page *page;

	(void)state;
	touch_page(addr);
	page = page_at(t, addr);
	mark_page_accessed(page);
	assert_true(PageReferenced(page));
	assert_false(PageActive(page));
	mark_page_accessed(page);
	assert_true(PageActive(page));
	assert_false(PageReferenced(page));
	assert_int_equal(lru_page_count(LRU_ACTIVE_ANON), active + 1);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_COLD), 0);
	assert_false(PageActive(page));
	assert_int_equal(lru_page_count(LRU_ACTIVE_ANON), active);
	assert_int_equal(page_lru(page), LRU_INACTIVE_ANON);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/* An mlocked VMA's new pages go to the unevictable list, MADV_COLD refuses the VMA. */
static void test_mlocked_page_is_unevictable(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1);
	unsigned long unevictable = lru_page_count(LRU_UNEVICTABLE);

	(void)state;
	assert_int_equal(sys_mlock(addr, PAGE_SIZE), 0);
	assert_int_equal(page_lru(page_at(t, addr)), LRU_UNEVICTABLE);
	assert_int_equal(lru_page_count(LRU_UNEVICTABLE), unevictable + 1);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_COLD), -EINVAL);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/*
 * A long-term pin of a page just faulted into CMA: the page sits in the LRU-add
 * batch and cannot be isolated, so 5.11 drains every batch once and isolates it
 * then; 6.18 (collect_longterm_unpinnable_folios) does the same for a page in
 * ZONE_MOVABLE (its CMA pageblock check is not this test's). Either way the pin
 * ends where a long-term pin may stay.
 */
static void test_longterm_pin_of_batched_cma_page_moves_it(void **state)
{
	struct sim_config movable = {
		.mem_bytes = 24 * MIB, .movable_bytes = 16 * MIB, .lru_batch = PAGEVEC_SIZE};
	struct task_struct *t;
	struct page *page, *pinned;
	unsigned long addr;

	(void)state;
	if (profile_is_6_18()) {
		assert_int_equal(sim_shutdown(), 0);
		assert_int_equal(sim_boot(&movable), 0);
	}
	t = start_task("t");
	addr = map_rw(1);
	touch_page(addr);
	page = page_at(t, addr);
	assert_false(is_pinnable_page(page));
	assert_true(page_in_lru_batch(page));
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE | FOLL_LONGTERM, &pinned), 1);
	assert_true(is_pinnable_page(pinned));
	assert_ptr_not_equal(pinned, page);
	assert_int_equal(pfn_of(t, addr), page_to_pfn(pinned));
	assert_int_equal(*(char *)page_address(pinned), 'w');
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_page(pinned);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/* The checker: a page whose flags name another list than the one it is on. */
static void test_checker_catches_wrong_list(void **state)
{
	struct task_struct *t;
	struct page *page;

	(void)state;
	page = start_with_lru_page(&t);
	SetPageActive(page);
	assert_int_not_equal(sim_check(NULL), 0);
	ClearPageActive(page);
	ClearPageLRU(page);
	assert_int_not_equal(sim_check(NULL), 0);
	SetPageLRU(page);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_page_waits_in_batch, boot_batched,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_full_batch_drains_itself, boot_batched,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_unbatched_page_is_on_lru_at_once,
						boot_unbatched, shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_drain_all_reaches_other_threads, boot_batched,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_aging_moves_between_lists, boot_unbatched,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_mlocked_page_is_unevictable, boot_unbatched,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_longterm_pin_of_batched_cma_page_moves_it,
						boot_batched_cma, shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_checker_catches_wrong_list, boot_unbatched,
						shutdown_left_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
