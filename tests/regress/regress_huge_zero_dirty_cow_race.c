// SPDX-License-Identifier: GPL-2.0-only
/*
 * CVE-2017-1000405 ("Huge Dirty COW"): a forced write (FOLL_FORCE | FOLL_WRITE, the
 * /proc/pid/mem path of access_remote_vm()) into a read-only private mapping whose
 * pmd maps the huge zero page must write a private copy and never the huge zero
 * page: with the pmd refilled inside the COW window, and racing MADV_DONTNEED.
 */
#include "harness.h"
#include <string.h>
#include "mm/internal.h"
#include "race.h"

#define THP_BASE 0x40000000UL /* 2 MiB aligned */
#define RACE_ROUNDS 60	      /* fresh huge zero mappings raced over */
#define RACE_OPS 24	      /* forced writes (and zaps) per round */

static const unsigned char zeros[PAGE_SIZE];

/* A read-only private huge range at THP_BASE in @victim; read once (huge zero) if @read. */
static void map_read_only_huge(struct task_struct *victim, bool read)
{
	struct task_struct *prev = set_current(victim);
	char byte = 1;

	assert_int_equal(sys_mmap(THP_BASE, HPAGE_PMD_SIZE, PROT_READ,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
			 THP_BASE);
	assert_int_equal(sys_madvise(THP_BASE, HPAGE_PMD_SIZE, MADV_HUGEPAGE), 0);
	if (read) {
		assert_int_equal(copy_from_user(&byte, THP_BASE, 1), 0);
		assert_int_equal(byte, 0);
	}
	set_current(prev);
}

static pmd_t pmd_of(struct task_struct *t, unsigned long addr)
{
	pmd_t *pmd = mm_alloc_pmd(t->mm, addr);

	assert_non_null(pmd);
	return pmdp_get(pmd);
}

/* Is every byte of the huge zero page still zero? (Its subpages from @first to @last.) */
static bool huge_zero_is_clean(int first, int last)
{
	struct page *zero = READ_ONCE(sim.huge_zero_page);

	for (int i = first; zero && i <= last; i++)
		if (memcmp(page_address(zero + i), zeros, PAGE_SIZE))
			return false;
	return true;
}

static void test_forced_write_through_proc_mem_copies(void **state)
{
	struct task_struct *victim, *other, *debugger;
	char evil[] = "EVIL", seen[sizeof(evil)];
	unsigned long target = THP_BASE + 17 * PAGE_SIZE + 100;
	char byte = 1;

	(void)state;
	victim = start_task("victim");
	other = task_create("other"); /* another process reading the huge zero page */
	assert_non_null(other);
	map_read_only_huge(victim, true);
	map_read_only_huge(other, true);
	assert_true(is_huge_zero_pmd(pmd_of(victim, THP_BASE)));
	debugger = start_task("debugger");

	assert_int_equal(
		access_remote_vm(victim->mm, target, evil, sizeof(evil), FOLL_FORCE | FOLL_WRITE),
		sizeof(evil));
	assert_int_equal(access_remote_vm(victim->mm, target, seen, sizeof(seen), 0), sizeof(seen));
	assert_memory_equal(seen, evil, sizeof(evil));
	assert_true(huge_zero_is_clean(0, HPAGE_PMD_NR - 1));
	/* The copy is the victim's alone: the rest of its range, and the other's, read zero. */
	set_current(victim);
	assert_int_equal(copy_from_user(&byte, target + PAGE_SIZE, 1), 0);
	assert_int_equal(byte, 0);
	set_current(other);
	assert_int_equal(copy_from_user(&byte, target, 1), 0);
	assert_int_equal(byte, 0);
	assert_true(is_huge_zero_pmd(pmd_of(other, THP_BASE)));
	assert_int_equal(sim_check(NULL), 0);
	task_exit(debugger);
	task_exit(other);
	task_exit(victim);
	set_current(NULL);
}

/* The bug's first half: a read through GUP (FOLL_TOUCH) must not dirty the huge zero pmd. */
static void test_touching_huge_zero_pmd_leaves_it_clean(void **state)
{
	struct task_struct *victim;
	struct page *page;
	char seen[8];

	(void)state;
	victim = start_task("victim");
	map_read_only_huge(victim, true);
	assert_int_equal(access_process_vm(victim, THP_BASE, seen, sizeof(seen), FOLL_FORCE),
			 sizeof(seen));
	/* 6.3 made FOLL_TOUCH internal (every lookup touches); 5.11 takes it from callers. */
	assert_int_equal(get_user_pages(THP_BASE + PAGE_SIZE, 1,
					sim_current_profile() == SIM_PROFILE_6_18 ? 0 : FOLL_TOUCH,
					&page, NULL),
			 1);
	assert_true(is_huge_zero_page(compound_head(page)));
	put_page(page);
	assert_true(is_huge_zero_pmd(pmd_of(victim, THP_BASE)));
	assert_false(pmd_dirty(pmd_of(victim, THP_BASE)));
	assert_false(pmd_write(pmd_of(victim, THP_BASE)));
	task_exit(victim);
	set_current(NULL);
}

struct refill {
	struct task_struct *victim;
	int hits;  /* returns from faultin_page() in the victim's mm */
	int acted; /* times the window was used */
};

/*
 * The window: the forced write's second fault reused its fresh THP and set FOLL_COW.
 * Before the retried lookup, drop the THP as MADV_DONTNEED would (mmap_lock for read
 * is all it takes), let a reader fault the huge zero page back in, and touch it
 * through GUP as a reader would. The retry then meets the huge zero pmd with FOLL_COW
 * set: only a clean pmd sends it back to fault (and copy).
 */
static void refill_with_huge_zero(enum sim_point_id id, void *ctx, void *arg)
{
	struct vm_area_struct *vma = ctx;
	struct refill *r = arg;
	pmd_t pmd = pmd_of(r->victim, THP_BASE);
	struct page *page;

	(void)id;
	if (vma->vm_mm != r->victim->mm || ++r->hits != 2 || !pmd_trans_huge(pmd) ||
	    is_huge_zero_pmd(pmd))
		return;
	zap_page_range(vma, THP_BASE, HPAGE_PMD_SIZE);
	assert_int_equal(handle_mm_fault(vma, THP_BASE, 0, NULL), 0);
	assert_true(is_huge_zero_pmd(pmd_of(r->victim, THP_BASE)));
	page = follow_page(vma, THP_BASE, FOLL_GET | FOLL_TOUCH);
	assert_true(page && !IS_ERR_VALUE(page));
	put_page(page);
	r->acted++;
}

static void test_huge_zero_refilled_in_cow_window(void **state)
{
	struct refill r = {0};
	struct task_struct *debugger;
	char evil[] = "EVIL", seen[sizeof(evil)];

	(void)state;
	r.victim = start_task("victim");
	map_read_only_huge(r.victim, false); /* empty: the forced write's fault makes a THP */
	debugger = start_task("debugger");
	assert_int_equal(sim_point_set_hook(SP_GUP_AFTER_FAULTIN, refill_with_huge_zero, &r), 0);
	assert_int_equal(
		access_process_vm(r.victim, THP_BASE, evil, sizeof(evil), FOLL_FORCE | FOLL_WRITE),
		sizeof(evil));
	sim_point_set_hook(SP_GUP_AFTER_FAULTIN, NULL, NULL);
	if (sim_current_profile() == SIM_PROFILE_5_11)
		assert_int_equal(r.acted, 1); /* the window was really reached */
	assert_true(huge_zero_is_clean(0, HPAGE_PMD_NR - 1));
	assert_int_equal(access_process_vm(r.victim, THP_BASE, seen, sizeof(seen), 0),
			 sizeof(seen));
	assert_memory_equal(seen, evil, sizeof(evil));
	assert_int_equal(sim_check(NULL), 0);
	task_exit(debugger);
	task_exit(r.victim);
	set_current(NULL);
}

/* --- the race --- */

struct huge_cow_race {
	struct task_struct *victim, *debugger;
	unsigned int draws; /* the writer's offsets and windows */
	int forced_writes;  /* that went through */
	int dirtied;	    /* round at which the huge zero page changed, or -1 */
	int round;
	unsigned long zap_cycles; /* drop-read-touch cycles the zapper finished */
	bool zapper_done;
};

/*
 * Between the writer's fault and its retried lookup, on a seeded half of its
 * faults: wait (yielding) until the zapper finished one more drop-read-touch cycle,
 * so the zap really lands in the window rather than maybe. The zapper needs only
 * mmap_lock for read, which the writer holds too.
 */
static void zap_cycle_in_window(enum sim_point_id id, void *ctx, void *arg)
{
	struct huge_cow_race *hr = arg;
	unsigned long seen;

	(void)id;
	(void)ctx;
	if (current != hr->debugger || rand_r(&hr->draws) % 2)
		return;
	seen = __atomic_load_n(&hr->zap_cycles, __ATOMIC_ACQUIRE);
	while (__atomic_load_n(&hr->zap_cycles, __ATOMIC_ACQUIRE) == seen &&
	       !__atomic_load_n(&hr->zapper_done, __ATOMIC_ACQUIRE))
		sched_yield();
}

/* The debugger: forced writes at seeded offsets, checking the subpage written each time. */
static void *forced_writer(void *arg)
{
	struct huge_cow_race *hr = arg;
	char bytes[32];

	for (int i = 0; i < RACE_OPS; i++) {
		int subpage = (int)(rand_r(&hr->draws) % HPAGE_PMD_NR);
		unsigned long off = rand_r(&hr->draws) % (PAGE_SIZE - sizeof(bytes));

		memset(bytes, 'A' + i % 26, sizeof(bytes));
		if (access_process_vm(hr->victim, THP_BASE + subpage * PAGE_SIZE + off, bytes,
				      sizeof(bytes), FOLL_FORCE | FOLL_WRITE) == sizeof(bytes))
			hr->forced_writes++;
		if (!huge_zero_is_clean(subpage, subpage) && hr->dirtied < 0)
			hr->dirtied = hr->round;
	}
	task_exit(current);
	return NULL;
}

/*
 * A thread of the victim: drops the whole range (a huge pmd goes at once, so the
 * next read maps the huge zero page again), reads it back and touches it via GUP.
 */
static void *dontneed_and_read(void *arg)
{
	struct huge_cow_race *hr = arg;
	char seen[4];

	for (int i = 0; i < RACE_OPS; i++) {
		sys_madvise(THP_BASE, HPAGE_PMD_SIZE, MADV_DONTNEED);
		copy_from_user(seen, THP_BASE + (unsigned long)i * PAGE_SIZE, sizeof(seen));
		access_process_vm(hr->victim, THP_BASE, seen, sizeof(seen), 0);
		__atomic_fetch_add(&hr->zap_cycles, 1, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&hr->zapper_done, true, __ATOMIC_RELEASE);
	task_exit(current);
	return NULL;
}

static void test_race_forced_write_against_dontneed(void **state)
{
	struct huge_cow_race hr = {.dirtied = -1};

	(void)state;
	hr.draws = race_seed();
	hr.victim = task_create("victim");
	assert_non_null(hr.victim);
	assert_int_equal(sim_point_set_hook(SP_GUP_AFTER_FAULTIN, zap_cycle_in_window, &hr), 0);
	for (hr.round = 0; hr.round < RACE_ROUNDS && hr.dirtied < 0; hr.round++) {
		struct sim_thread *writer, *zapper;
		struct task_struct *thread = task_clone_thread(hr.victim);

		hr.debugger = task_create("debugger");
		assert_non_null(hr.debugger);
		assert_non_null(thread);
		hr.zapper_done = false;
		/*
		 * Each round starts from a fresh mapping: the huge zero pmd, or (odd rounds)
		 * nothing, where the forced write's own fault makes a THP it reuses (the
		 * fault that sets FOLL_COW on a huge pmd) unless the zapper is faster.
		 */
		map_read_only_huge(hr.victim, !(hr.round & 1));
		writer = race_start(hr.debugger, forced_writer, &hr);
		zapper = race_start(thread, dontneed_and_read, &hr);
		race_join(writer);
		race_join(zapper);
		if (!huge_zero_is_clean(0, HPAGE_PMD_NR - 1) && hr.dirtied < 0)
			hr.dirtied = hr.round;
	}
	sim_point_set_hook(SP_GUP_AFTER_FAULTIN, NULL, NULL);
	if (hr.dirtied >= 0)
		fail_msg("the huge zero page changed in round %d (see the seed above)", hr.dirtied);
	/* Every forced write finds or makes a private copy, zapped or not: none may fail. */
	assert_int_equal(hr.forced_writes, RACE_ROUNDS * RACE_OPS);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(hr.victim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_forced_write_through_proc_mem_copies),
		GUP_TEST(test_touching_huge_zero_pmd_leaves_it_clean),
		GUP_TEST(test_huge_zero_refilled_in_cow_window),
		GUP_TEST(test_race_forced_write_against_dontneed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
