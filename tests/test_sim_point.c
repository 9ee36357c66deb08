// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sim points: the table (unique names, lookups), hooks reached through real
 * operations at every point, injection and the scheduler seam going through the
 * points; then two windows only a point makes deterministic: Dirty COW's zap
 * between the fault and the retry, and a reference taken inside the COW reuse check.
 */
#include "file_harness.h"
#include "hugetlb_harness.h"
#include "mm/internal.h"

#include <semaphore.h>
#include <string.h>

#define ORIGINAL 'o'

/* --- the table --- */

static void test_table_names_are_unique_and_round_trip(void **state)
{
	(void)state;
	for (int i = 0; i < NR_SIM_POINTS; i++) {
		const struct sim_point_info *info = sim_point_info(i);

		assert_non_null(info);
		assert_non_null(info->name);
		assert_non_null(info->where);
		assert_non_null(info->locks);
		assert_non_null(info->ctx);
		assert_int_equal(sim_point_lookup(info->name), i);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(sim_point_info(j)->name, info->name);
		/* The injection points are exactly the rows that can fail, by the same name. */
		assert_int_equal(info->can_fail, i < NR_INJECT_POINTS);
		if (i < NR_INJECT_POINTS)
			assert_string_equal(inject_point_name(i), info->name);
	}
	assert_null(sim_point_info(NR_SIM_POINTS));
	assert_null(sim_point_info(-1));
	assert_int_equal(sim_point_lookup("no_such_point"), -ENOENT);
	assert_int_equal(sim_point_lookup(NULL), -EINVAL);
	assert_int_equal(sim_point_set_hook(NR_SIM_POINTS, NULL, NULL), -EINVAL);
	/* Only section points can be held. */
	assert_int_equal(sim_point_hold(SP_PAGE_ALLOC), -EINVAL);
	assert_int_equal(sim_point_hold(SP_PGTABLE_FREE), 0);
	sim_point_release(SP_PGTABLE_FREE);
}

/* --- hooks at every point --- */

static unsigned long hits[NR_SIM_POINTS];

static void count_hit(enum sim_point_id id, void *ctx, void *arg)
{
	(void)ctx;
	(void)arg;
	__atomic_fetch_add(&hits[id], 1, __ATOMIC_RELAXED);
}

static unsigned long hits_of(enum sim_point_id id)
{
	return __atomic_load_n(&hits[id], __ATOMIC_RELAXED);
}

static struct page *any_new_page(struct page *page, unsigned long private_data)
{
	(void)page;
	(void)private_data;
	return alloc_page(GFP_HIGHUSER_MOVABLE);
}

/* Move the mapped anonymous @page to a new frame. */
static void migrate_one(struct page *page)
{
	LIST_HEAD(pages);

	assert_int_equal(migrate_isolate_page(page, &pages), 0);
	assert_int_equal(migrate_pages(&pages, any_new_page, NULL, 0, MIGRATE_SYNC, MR_SYSCALL), 0);
	assert_true(list_empty(&pages));
}

/*
 * Walk through the operations that reach every point: mmap, first-touch faults,
 * fast and slow GUP, fork with a writable page, COW copy and reuse, munmap.
 */
/*
 * A huge write fault (thp_alloc), a huge read fault (thp_zero_page_alloc), a fast huge
 * pin, a split.
 */
static void reach_huge_points(void)
{
	unsigned long base = 0x40000000UL; /* 2 MiB aligned, away from the other areas */
	struct page *page;

	assert_int_equal(sys_mmap(base, 2 * HPAGE_PMD_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
			 base);
	assert_int_equal(sys_madvise(base, 2 * HPAGE_PMD_SIZE, MADV_HUGEPAGE), 0);
	touch_page(base);
	assert_int_equal(get_user_pages_fast(base + HPAGE_PMD_SIZE, 1, 0, &page), 1);
	put_page(page);
	assert_int_equal(pin_user_pages_fast(base, 1, FOLL_WRITE, &page), 1);
	unpin_user_page(page);
	assert_int_equal(sim_split_huge_page_at(current->mm, base), 0); /* thp_split_frozen */
	assert_int_equal(sys_munmap(base, 2 * HPAGE_PMD_SIZE), 0);
}

/* A fault on a cached page someone holds locked: file_page_wait (FOLL_NOWAIT returns at once). */
static void reach_file_page_wait(int fd)
{
	unsigned long at = sys_mmap(0, PAGE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	struct file *file = fget(fd);
	struct page *cached, *page;

	assert_false(IS_ERR_VALUE(at));
	assert_non_null(file);
	cached = find_lock_page(file->f_mapping, 0);
	fput(file);
	assert_non_null(cached);
	mmap_read_lock(current->mm);
	assert_int_equal(get_user_pages(at, 1, FOLL_GET | FOLL_NOWAIT, &page, NULL), 0);
	mmap_read_unlock(current->mm);
	unlock_and_put_page(cached);
	assert_int_equal(sys_munmap(at, PAGE_SIZE), 0);
}

/* The swap points need a swap device, the hugetlb ones a pool. */
static int boot_with_swap(void **state)
{
	struct sim_config cfg = {.swap_bytes = 1UL << 20, .hugetlb_2m_pages = 2};

	(void)state;
	return sim_boot(&cfg);
}

static void reach_every_point(void)
{
	struct task_struct *t = start_task("points");
	unsigned long addr = map_rw(2), fresh = map_rw(1);
	struct hugetlb_cow_race race = {0};
	struct task_struct *child;
	struct page *page;
	char byte = 'x';
	int fd;

	touch_pages(addr, 2); /* vma_alloc (mmap), fault_*, pgtable_alloc, page_alloc */
	assert_int_equal(get_user_pages_fast(addr, 1, 0, &page), 1); /* the lockless walk */
	put_page(page);
	migrate_one(page); /* the migrate_* phase points: unmap, move, remap */
	/* A slow GUP that must fault first: gup_signal, gup_after_faultin, fault_retry. */
	assert_int_equal(get_user_pages_unlocked(fresh, 1, &page, FOLL_WRITE), 1);
	put_page(page);
	reach_huge_points();
	child = sys_fork(); /* fork_wrprotect */
	assert_non_null(child);
	set_current(t);
	/* COW with the child still sharing: fault_before_pte_lock, a copy. */
	assert_int_equal(copy_to_user(addr, &byte, 1), 0);
	task_exit(child);
	/* The second page's only user now: the reuse check (both cow points). */
	assert_int_equal(copy_to_user(addr + PAGE_SIZE, &byte, 1), 0);
	/*
	 * hugetlb faults (hugetlb_alloc), a COW of a huge page (hugetlb_cow_copy) and a
	 * second fault meeting it (hugetlb_fault_wait); the scenario hooks those two
	 * points itself and passes each hit on to count_hit.
	 */
	race.also = count_hit;
	hugetlb_cow_race_run(&race, t);
	assert_int_equal(sys_munmap(race.addr, PMD_SIZE), 0);
	/* A read of a host file through the page cache: file_read. */
	make_test_dir();
	fd = open_file(make_pattern_file("points", PAGE_SIZE, 0600), O_RDONLY);
	assert_int_equal(sys_pread64(fd, addr, 1, 0), 1);
	reach_file_page_wait(fd);
	assert_int_equal(sys_close(fd), 0);
	remove_test_dir();
	/* A swap-out and a swap-in (the machine boots with swap): swap_write, swap_read. */
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(copy_from_user(&byte, addr, 1), 0);
	/* Unmapping everything frees the tables through RCU: pgtable_free. */
	assert_int_equal(sys_munmap(addr, 2 * PAGE_SIZE), 0);
	assert_int_equal(sys_munmap(fresh, PAGE_SIZE), 0);
	task_exit(t);
	pgtable_rcu_barrier();
}

static void test_hook_runs_at_every_point(void **state)
{
	(void)state;
	memset(hits, 0, sizeof(hits));
	for (int i = 0; i < NR_SIM_POINTS; i++)
		assert_int_equal(sim_point_set_hook(i, count_hit, NULL), 0);
	reach_every_point();
	for (int i = 0; i < NR_SIM_POINTS; i++)
		if (!hits_of(i))
			fail_msg("point %s was never reached", sim_point_info(i)->name);
}

static void test_removed_hook_is_not_called(void **state)
{
	unsigned long before;

	(void)state;
	memset(hits, 0, sizeof(hits));
	assert_int_equal(sim_point_set_hook(SP_PAGE_ALLOC, count_hit, NULL), 0);
	put_page(alloc_page(GFP_KERNEL));
	before = hits_of(SP_PAGE_ALLOC);
	assert_int_equal(before, 1);
	assert_int_equal(sim_point_set_hook(SP_PAGE_ALLOC, NULL, NULL), 0);
	put_page(alloc_page(GFP_KERNEL));
	reach_every_point();
	assert_int_equal(hits_of(SP_PAGE_ALLOC), before);
}

/* Injection goes through the point: the operation fails and the hook still runs. */
static void test_injection_fires_through_the_point(void **state)
{
	(void)state;
	memset(hits, 0, sizeof(hits));
	assert_int_equal(sim_point_set_hook(SP_PAGE_ALLOC, count_hit, NULL), 0);
	assert_int_equal(inject_arm("page_alloc", 1, 1), 0);
	assert_true(sim_point(SP_PAGE_ALLOC, NULL));
	assert_false(sim_point(SP_PAGE_ALLOC, NULL));
	assert_int_equal(inject_arm("page_alloc", 1, 1), 0);
	assert_null(alloc_page(GFP_KERNEL));
	assert_int_equal(inject_fired(INJECT_PAGE_ALLOC), 1);
	assert_int_equal(hits_of(SP_PAGE_ALLOC), 3);
	/* A point that cannot fail never says so, armed injection or not. */
	assert_false(sim_point(SP_GUP_FAST_AFTER_GRAB, NULL));
	inject_disarm_all();
}

/* --- the scheduler seam --- */

struct yield_counts {
	unsigned long total;
	unsigned long at[NR_SIM_POINTS];
};

static void count_yield(enum sim_point_id id, void *ctx, void *arg)
{
	struct yield_counts *counts = arg;

	(void)ctx;
	__atomic_fetch_add(&counts->total, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&counts->at[id], 1, __ATOMIC_RELAXED);
}

static void test_scheduler_yields_at_points(void **state)
{
	struct yield_counts counts = {0};
	struct sim_sched_ops ops = {.yield = count_yield, .arg = &counts};
	unsigned long total;

	(void)state;
	sim_sched_install(&ops);
	reach_every_point();
	sim_sched_install(NULL);
	total = __atomic_load_n(&counts.total, __ATOMIC_RELAXED);
	for (int i = 0; i < NR_SIM_POINTS; i++)
		if (!counts.at[i])
			fail_msg("no yield at %s", sim_point_info(i)->name);
	reach_every_point();
	assert_int_equal(__atomic_load_n(&counts.total, __ATOMIC_RELAXED), total);
}

/* --- Dirty COW's window: the private copy goes between the fault and the retry --- */

struct dirty_cow {
	struct task_struct *victim, *sibling;
	unsigned long addr;
	int faultins; /* times the forced write came back from faultin_page */
};

/*
 * At the first return from faultin_page (the COW fault made a private dirty copy):
 * drop the copy as MADV_DONTNEED would (it takes mmap_lock for read, which the
 * writer holds), and read the address again as the victim would, which maps the
 * zero page: a clean read-only PTE for the retry to find.
 */
static void zap_copy_then_read(enum sim_point_id id, void *ctx, void *arg)
{
	struct vm_area_struct *vma = ctx;
	struct dirty_cow *dc = arg;

	(void)id;
	if (vma->vm_mm != dc->victim->mm || dc->faultins++)
		return;
	zap_page_range(vma, dc->addr, PAGE_SIZE);
	assert_int_equal(handle_mm_fault(vma, dc->addr, 0, NULL), 0);
	assert_int_equal(pfn_of(dc->victim, dc->addr), page_to_pfn(zero_page()));
}

static bool page_is_filled(struct page *page, int byte)
{
	const unsigned char *bytes = page_address(page);

	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (bytes[i] != byte)
			return false;
	return true;
}

static void test_dirty_cow_retry_faults_again_after_zap(void **state)
{
	static unsigned char bytes[PAGE_SIZE];
	struct dirty_cow dc = {0};
	struct task_struct *debugger;
	char evil[] = "EVIL", seen[sizeof(evil)];
	struct page *original;

	(void)state;
	dc.victim = start_task("victim");
	dc.addr = map_rw(1);
	memset(bytes, ORIGINAL, sizeof(bytes));
	assert_int_equal(copy_to_user(dc.addr, bytes, sizeof(bytes)), 0);
	assert_int_equal(sys_mprotect(dc.addr, PAGE_SIZE, PROT_READ), 0);
	dc.sibling = sys_fork(); /* the original page is now shared with the sibling */
	assert_non_null(dc.sibling);
	original = pfn_to_page(pfn_of(dc.victim, dc.addr));
	debugger = start_task("debugger");

	assert_int_equal(sim_point_set_hook(SP_GUP_AFTER_FAULTIN, zap_copy_then_read, &dc), 0);
	assert_int_equal(
		access_process_vm(dc.victim, dc.addr, evil, sizeof(evil), FOLL_FORCE | FOLL_WRITE),
		sizeof(evil));
	assert_int_equal(sim_point_set_hook(SP_GUP_AFTER_FAULTIN, NULL, NULL), 0);

	/* The retry found the clean zero-page PTE, did not follow it, and faulted again. */
	assert_int_equal(dc.faultins, 2);
	/* The write went into a new private page; neither shared page changed. */
	assert_int_equal(access_process_vm(dc.victim, dc.addr, seen, sizeof(seen), 0),
			 sizeof(seen));
	assert_memory_equal(seen, evil, sizeof(evil));
	assert_int_not_equal(pfn_of(dc.victim, dc.addr), page_to_pfn(original));
	assert_int_not_equal(pfn_of(dc.victim, dc.addr), page_to_pfn(zero_page()));
	assert_true(page_is_filled(original, ORIGINAL));
	assert_true(page_is_filled(zero_page(), 0));
	assert_int_equal(pfn_of(dc.sibling, dc.addr), page_to_pfn(original));
	task_exit(debugger);
	task_exit(dc.sibling);
	task_exit(dc.victim);
}

/* --- the COW reuse check re-reads the count under the page lock --- */

struct racing_gup {
	struct task_struct *thread; /* another thread of the writer's process */
	unsigned long addr;
	sem_t go, done;
	struct page *page; /* what the racing GUP took */
	int ret;
};

/* The other thread: one lockless GUP when told, then report. */
static void *gup_when_told(void *arg)
{
	struct racing_gup *race = arg;

	sem_wait(&race->go);
	/* Lockless only: the writer holds the PTE lock, which the slow path would need. */
	race->ret = get_user_pages_fast_only(race->addr, 1, 0, &race->page);
	sem_post(&race->done);
	return NULL;
}

/* Between the unlocked count check and the page lock: let the other GUP happen now. */
static void gup_between_check_and_lock(enum sim_point_id id, void *ctx, void *arg)
{
	struct racing_gup *race = arg;

	(void)ctx;
	sim_point_set_hook(id, NULL, NULL);
	sem_post(&race->go);
	sem_wait(&race->done);
}

static void test_reference_taken_before_page_lock_forces_copy(void **state)
{
	struct task_struct *t = start_task("writer");
	struct racing_gup race = {.addr = map_rw(1)};
	unsigned long copies = global_node_page_state(NR_COW_FAULTS);
	unsigned long reuses = global_node_page_state(NR_COW_REUSES);
	struct sim_thread *thread;
	struct task_struct *child;
	struct page *before;
	char byte = 'n';

	(void)state;
	touch_page(race.addr);
	child = sys_fork(); /* write-protects the page; the child's exit leaves it ours */
	assert_non_null(child);
	set_current(t);
	task_exit(child);
	before = pfn_to_page(pfn_of(t, race.addr));
	assert_int_equal(page_count(before), 1);

	race.thread = task_clone_thread(t);
	assert_non_null(race.thread);
	sem_init(&race.go, 0, 0);
	sem_init(&race.done, 0, 0);
	assert_int_equal(sim_thread_spawn(race.thread, gup_when_told, &race, &thread), 0);
	assert_int_equal(
		sim_point_set_hook(SP_COW_BEFORE_PAGE_LOCK, gup_between_check_and_lock, &race), 0);
	assert_int_equal(copy_to_user(race.addr, &byte, 1), 0);
	sim_thread_join(thread);

	/* The reference came in after the unlocked check; the locked one saw it and copied. */
	assert_int_equal(race.ret, 1);
	assert_ptr_equal(race.page, before);
	assert_int_not_equal(pfn_of(t, race.addr), page_to_pfn(before));
	assert_int_equal(global_node_page_state(NR_COW_FAULTS), copies + 1);
	assert_int_equal(global_node_page_state(NR_COW_REUSES), reuses);
	assert_int_equal(*(char *)page_address(race.page), 'w'); /* it keeps the old data */
	put_page(race.page);
	sem_destroy(&race.go);
	sem_destroy(&race.done);
	task_exit(race.thread);
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_table_names_are_unique_and_round_trip),
		cmocka_unit_test_setup_teardown(test_hook_runs_at_every_point, boot_with_swap,
						sim_teardown),
		cmocka_unit_test_setup_teardown(test_removed_hook_is_not_called, boot_with_swap,
						sim_teardown),
		GUP_TEST(test_injection_fires_through_the_point),
		cmocka_unit_test_setup_teardown(test_scheduler_yields_at_points, boot_with_swap,
						sim_teardown),
		GUP_TEST(test_dirty_cow_retry_faults_again_after_zap),
		GUP_TEST(test_reference_taken_before_page_lock_forces_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
