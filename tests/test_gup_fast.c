// SPDX-License-Identifier: GPL-2.0-only
/*
 * get_user_pages_fast / pin_user_pages_fast: the lockless walk takes what is
 * mapped, bails out where the kernel's does (NUMA hints, read-only, special, CMA,
 * a fork in progress) for the slow path to finish; *_fast_only never falls back.
 */
#include "harness.h"
#include "mm/internal.h"

#include <pthread.h>
#include <string.h>

#define NR 4

/* --- the lockless walk --- */

/*
 * Does the profile's kernel have pin_user_pages_fast_only()? 6.18 has not (it
 * refuses: tests/test_profile_extras.c), and no other call observes a lockless
 * pin that never falls back, so those assertions are 5.11's only.
 */
static bool has_pin_fast_only(void)
{
	return sim_current_profile() != SIM_PROFILE_6_18;
}

static void test_fast_takes_present_pages_without_faulting(void **state)
{
	struct task_struct *t = start_task("fast");
	unsigned long addr = map_rw(NR), before, acquired;
	struct page *pages[NR];

	(void)state;
	touch_pages(addr, NR);
	before = page_faults();
	assert_int_equal(get_user_pages_fast(addr, NR, FOLL_WRITE, pages), NR);
	assert_int_equal(page_faults(), before);
	for (int i = 0; i < NR; i++) {
		assert_int_equal(page_to_pfn(pages[i]), pfn_of(current, addr + i * PAGE_SIZE));
		assert_int_equal(page_count(pages[i]), 2);
		assert_int_equal(sim_page_gup_refs(pages[i]), 1);
		assert_true(PageReferenced(pages[i]));
	}
	put_pages(pages, NR);
	assert_int_equal(READ_ONCE(current->mm->has_pinned), 0);

	acquired = pins_acquired();
	assert_int_equal(pin_user_pages_fast(addr, NR, FOLL_WRITE, pages), NR);
	assert_int_equal(page_faults(), before);
	assert_int_equal(pins_acquired(), acquired + NR);
	assert_int_equal(READ_ONCE(current->mm->has_pinned), 1);
	for (int i = 0; i < NR; i++) {
		assert_int_equal(page_count(pages[i]), 1 + (int)GUP_PIN_COUNTING_BIAS);
		assert_int_equal(sim_page_gup_pins(pages[i]), 1);
	}
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_pages(pages, NR);

	assert_int_equal(get_user_pages_fast_only(addr, NR, FOLL_WRITE, pages), NR);
	put_pages(pages, NR);
	if (has_pin_fast_only()) {
		assert_int_equal(pin_user_pages_fast_only(addr + 100, NR, 0, pages), NR);
		assert_int_equal(page_to_pfn(pages[0]), pfn_of(current, addr));
		unpin_user_pages(pages, NR);
	}
	assert_int_equal(page_faults(), before);
	assert_int_equal(pins_acquired(), pins_released());
	task_exit(t);
}

static void test_fallback_finishes_the_range(void **state)
{
	struct task_struct *t = start_task("fallback");
	unsigned long addr = map_rw(NR), mixed = map_rw(NR), before;
	struct page *pages[NR];

	(void)state;
	/* Nothing mapped yet: fast-only gets nothing, the full call faults it all in. */
	before = page_faults();
	assert_int_equal(get_user_pages_fast_only(addr, NR, FOLL_WRITE, pages), 0);
	assert_int_equal(page_faults(), before);
	assert_int_equal(get_user_pages_fast(addr, NR, FOLL_WRITE, pages), NR);
	assert_true(page_faults() >= before + NR);
	for (int i = 0; i < NR; i++)
		assert_int_equal(page_to_pfn(pages[i]), pfn_of(current, addr + i * PAGE_SIZE));
	put_pages(pages, NR);

	/* A missing page in the middle: the walk stops there, the slow path goes on. */
	touch_pages(mixed, 2);
	touch_page(mixed + 3 * PAGE_SIZE);
	assert_int_equal(get_user_pages_fast_only(mixed, NR, FOLL_WRITE, pages), 2);
	put_pages(pages, 2);
	if (has_pin_fast_only()) {
		assert_int_equal(pin_user_pages_fast_only(mixed, NR, FOLL_WRITE, pages), 2);
		unpin_user_pages(pages, 2);
	}
	assert_int_equal(pin_user_pages_fast(mixed, NR, FOLL_WRITE, pages), NR);
	for (int i = 0; i < NR; i++)
		assert_int_equal(page_to_pfn(pages[i]), pfn_of(current, mixed + i * PAGE_SIZE));
	unpin_user_pages(pages, NR);
	task_exit(t);
}

static void test_numa_hinting_ptes_go_to_the_slow_path(void **state)
{
	struct task_struct *t = start_task("numa");
	unsigned long addr = map_rw(2), pfn0, pfn1;
	struct vm_area_struct *vma;
	struct page *pages[2];

	(void)state;
	touch_pages(addr, 2);
	pfn0 = pfn_of(current, addr);
	pfn1 = pfn_of(current, addr + PAGE_SIZE);
	mmap_read_lock(current->mm);
	vma = find_vma(current->mm, addr);
	assert_int_equal(change_prot_numa(vma, addr, addr + 2 * PAGE_SIZE), 2);
	mmap_read_unlock(current->mm);

	assert_int_equal(get_user_pages_fast_only(addr, 2, 0, pages), 0);
	if (has_pin_fast_only())
		assert_int_equal(pin_user_pages_fast_only(addr, 2, 0, pages), 0);
	/*
	 * The slow path takes the hinting fault, which makes the PTEs normal
	 * again (5.11); 6.6's follows the hint and leaves it for the task.
	 */
	assert_int_equal(get_user_pages_fast(addr, 2, 0, pages), 2);
	assert_int_equal(page_to_pfn(pages[0]), pfn0);
	assert_int_equal(page_to_pfn(pages[1]), pfn1);
	put_pages(pages, 2);
	if (sim_current_profile() == SIM_PROFILE_6_18) {
		assert_int_equal(get_user_pages_fast_only(addr, 2, 0, pages), 0);
	} else {
		assert_int_equal(get_user_pages_fast_only(addr, 2, 0, pages), 2);
		put_pages(pages, 2);
	}
	task_exit(t);
}

static void test_write_to_readonly_pte_goes_to_the_slow_path(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long addr = map_rw(1), shared_pfn;
	struct page *page;

	(void)state;
	touch_page(addr);
	child = sys_fork(); /* write-protects the parent's PTE */
	assert_non_null(child);
	set_current(parent);
	shared_pfn = pfn_of(current, addr);

	assert_int_equal(get_user_pages_fast_only(addr, 1, FOLL_WRITE, &page), 0);
	if (has_pin_fast_only())
		assert_int_equal(pin_user_pages_fast_only(addr, 1, FOLL_WRITE, &page), 0);
	/* Reads may share the page... */
	assert_int_equal(get_user_pages_fast_only(addr, 1, 0, &page), 1);
	assert_int_equal(page_to_pfn(page), shared_pfn);
	put_page(page);
	/* ...writes get the slow path's COW copy, and the child keeps its page. */
	assert_int_equal(get_user_pages_fast(addr, 1, FOLL_WRITE, &page), 1);
	assert_int_not_equal(page_to_pfn(page), shared_pfn);
	assert_int_equal(page_to_pfn(page), pfn_of(current, addr));
	put_page(page);
	assert_int_equal(get_user_pages_fast_only(addr, 1, FOLL_WRITE, &page), 1);
	put_page(page);
	set_current(child);
	assert_int_equal(pfn_of(current, addr), shared_pfn);
	task_exit(child);
	task_exit(parent);
}

static void test_special_ptes_go_to_the_slow_path(void **state)
{
	struct task_struct *t = start_task("special");
	unsigned long addr = map_rw(1), pfnmap;
	struct page *frame = alloc_page(GFP_KERNEL);
	struct page *page;
	char c;

	(void)state;
	/* The zero page is mapped with a special PTE. */
	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	assert_int_equal(pfn_of(current, addr), zero_pfn());
	assert_int_equal(get_user_pages_fast_only(addr, 1, 0, &page), 0);
	assert_int_equal(get_user_pages_fast(addr, 1, 0, &page), 1);
	assert_ptr_equal(page, zero_page());
	put_page(page);

	/* Raw pfn mappings: the fast walk bails and the slow path refuses. */
	assert_non_null(frame);
	pfnmap = sys_mmap_pfn(page_to_pfn(frame), 1, PROT_READ | PROT_WRITE);
	assert_false(IS_ERR_VALUE(pfnmap));
	assert_int_equal(get_user_pages_fast_only(pfnmap, 1, 0, &page), 0);
	assert_int_equal(get_user_pages_fast(pfnmap, 1, 0, &page), -EFAULT);
	assert_int_equal(pin_user_pages_fast(pfnmap, 1, 0, &page), -EFAULT);
	assert_int_equal(page_count(frame), 1);
	task_exit(t);
	__free_pages(frame, 0);
}

static void test_pins_bail_while_fork_write_protects(void **state)
{
	struct task_struct *t = start_task("seq");
	unsigned long addr = map_rw(2);
	struct mm_struct *mm = current->mm;
	unsigned long acquired;
	struct page *pages[2];

	(void)state;
	touch_pages(addr, 2);
	/* An odd count: fork() is copying the page tables right now. */
	raw_write_seqcount_begin(&mm->write_protect_seq);
	acquired = pins_acquired();
	if (has_pin_fast_only())
		assert_int_equal(pin_user_pages_fast_only(addr, 2, FOLL_WRITE, pages), 0);
	assert_int_equal(pins_acquired(), acquired);
	/* Plain references are not affected. */
	assert_int_equal(get_user_pages_fast_only(addr, 2, FOLL_WRITE, pages), 2);
	put_pages(pages, 2);
	/* The slow path, serialised by mmap_lock, still pins. */
	assert_int_equal(pin_user_pages_fast(addr, 2, FOLL_WRITE, pages), 2);
	assert_int_equal(page_to_pfn(pages[1]), pfn_of(current, addr + PAGE_SIZE));
	unpin_user_pages(pages, 2);
	raw_write_seqcount_end(&mm->write_protect_seq);

	if (has_pin_fast_only()) {
		assert_int_equal(pin_user_pages_fast_only(addr, 2, FOLL_WRITE, pages), 2);
		unpin_user_pages(pages, 2);
	}
	assert_int_equal(pins_acquired(), pins_released());
	task_exit(t);
}

static void test_longterm_pin_of_cma_page_takes_the_slow_path(void **state)
{
	struct task_struct *t = start_task("cma");
	unsigned long addr = map_rw(1);
	struct page *page;
	struct zone *zone;

	(void)state;
	touch_page(addr);
	zone = page_zone(pfn_to_page(pfn_of(current, addr)));
	zone_set_all_cma(zone, true);
	if (has_pin_fast_only()) {
		assert_int_equal(pin_user_pages_fast_only(addr, 1, FOLL_LONGTERM, &page), 0);
		/* Without FOLL_LONGTERM, or for plain references, CMA does not matter. */
		assert_int_equal(pin_user_pages_fast_only(addr, 1, 0, &page), 1);
		unpin_user_page(page);
	}
	assert_int_equal(get_user_pages_fast_only(addr, 1, 0, &page), 1);
	put_page(page);
	/*
	 * The slow path would migrate it away. With no migration yet, 5.11 keeps
	 * the page pinned where it is; 6.18 fails the pin as a failed migration
	 * does (-ENOMEM), holding nothing.
	 */
	if (profile_is_6_18()) {
		assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_LONGTERM | FOLL_WRITE, &page),
				 -ENOMEM);
		assert_int_equal(pins_acquired(), pins_released());
	} else {
		assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_LONGTERM | FOLL_WRITE, &page),
				 1);
		assert_int_equal(page_to_pfn(page), pfn_of(current, addr));
		unpin_user_page(page);
	}
	zone_set_all_cma(zone, false);
	if (has_pin_fast_only()) {
		assert_int_equal(pin_user_pages_fast_only(addr, 1, FOLL_LONGTERM, &page), 1);
		unpin_user_page(page);
	}
	task_exit(t);
}

/*
 * A hook at the end of the lockless walk (the gup_fast_walk_end point): play
 * fork() (bump write_protect_seq by a full write section) after the pages were
 * pinned and before the walker rechecks the count. It runs once.
 */
static void fork_during_walk(enum sim_point_id id, void *ctx, void *arg)
{
	struct mm_struct *mm = ctx;
	int *ran = arg;

	sim_point_set_hook(id, NULL, NULL);
	raw_write_seqcount_begin(&mm->write_protect_seq);
	raw_write_seqcount_end(&mm->write_protect_seq);
	(*ran)++;
}

static void test_pins_are_dropped_when_fork_ran_during_the_walk(void **state)
{
	struct task_struct *t = start_task("seqmove");
	unsigned long addr = map_rw(2);
	unsigned long acquired, released;
	struct page *pages[2];
	int count, walk_end_hook_ran = 0;

	(void)state;
	touch_pages(addr, 2);
	count = page_count(pfn_to_page(pfn_of(current, addr)));
	acquired = pins_acquired();
	released = pins_released();

	if (has_pin_fast_only()) {
		assert_int_equal(sim_point_set_hook(SP_GUP_FAST_WALK_END, fork_during_walk,
						    &walk_end_hook_ran),
				 0);
		assert_int_equal(pin_user_pages_fast_only(addr, 2, FOLL_WRITE, pages), 0);
		assert_int_equal(walk_end_hook_ran, 1);
		/* Both pages were pinned by the walk and unpinned again. */
		assert_int_equal(pins_acquired(), acquired + 2);
		assert_int_equal(pins_released(), released + 2);
		assert_int_equal(page_count(pfn_to_page(pfn_of(current, addr))), count);
	}

	/* The full call then pins through the slow path. */
	sim_point_set_hook(SP_GUP_FAST_WALK_END, fork_during_walk, &walk_end_hook_ran);
	assert_int_equal(pin_user_pages_fast(addr, 2, FOLL_WRITE, pages), 2);
	assert_int_equal(walk_end_hook_ran, has_pin_fast_only() ? 2 : 1);
	assert_int_equal(page_to_pfn(pages[0]), pfn_of(current, addr));
	unpin_user_pages(pages, 2);

	/* Plain references do not care about fork's write protection. */
	sim_point_set_hook(SP_GUP_FAST_WALK_END, fork_during_walk, &walk_end_hook_ran);
	assert_int_equal(get_user_pages_fast_only(addr, 2, FOLL_WRITE, pages), 2);
	assert_int_equal(walk_end_hook_ran, has_pin_fast_only() ? 3 : 2);
	put_pages(pages, 2);
	assert_int_equal(pins_acquired(), pins_released());
	task_exit(t);
}

/* --- results and range rules --- */

static void test_partial_fast_result_survives_slow_error(void **state)
{
	struct task_struct *t = start_task("partial");
	unsigned long addr = map_rw(NR);
	struct page *pages[NR];

	(void)state;
	assert_int_equal(sys_munmap(addr + 2 * PAGE_SIZE, 2 * PAGE_SIZE), 0);
	touch_page(addr);
	/* Page 0 from the fast walk, page 1 from the slow path, then the hole. */
	assert_int_equal(get_user_pages_fast(addr, NR, FOLL_WRITE, pages), 2);
	put_pages(pages, 2);
	touch_page(addr + PAGE_SIZE);
	/* Both from the fast walk; the slow path's -EFAULT is not reported. */
	assert_int_equal(pin_user_pages_fast(addr, NR, FOLL_WRITE, pages), 2);
	unpin_user_pages(pages, 2);
	/* Nothing got at all: the error. */
	assert_int_equal(get_user_pages_fast(addr + 2 * PAGE_SIZE, 2, 0, pages), -EFAULT);
	assert_int_equal(pin_user_pages_fast(addr + 2 * PAGE_SIZE, 2, 0, pages), -EFAULT);
	assert_int_equal(get_user_pages_fast_only(addr + 2 * PAGE_SIZE, 2, 0, pages), 0);
	/* Unmapped ranges whose tables are gone read as holes too. */
	assert_int_equal(sys_munmap(addr, 2 * PAGE_SIZE), 0);
	assert_int_equal(get_user_pages_fast(addr, 1, 0, pages), -EFAULT);
	task_exit(t);
}

static void test_range_checks(void **state)
{
	struct task_struct *t = start_task("range");
	unsigned long addr = map_rw(1);
	struct page *pages[2];

	(void)state;
	touch_page(addr);
	assert_warned(get_user_pages_fast(addr, 0, 0, pages), 0, 0);
	assert_warned(get_user_pages_fast(addr, -1, 0, pages), 0, 0);
	assert_warned(pin_user_pages_fast(addr, -5, 0, pages), 0, 0);
	/* Past the end of user space. */
	assert_int_equal(get_user_pages_fast(TASK_SIZE - PAGE_SIZE, 2, 0, pages), -EFAULT);
	assert_int_equal(pin_user_pages_fast(TASK_SIZE, 1, 0, pages), -EFAULT);
	assert_int_equal(get_user_pages_fast_only(TASK_SIZE, 1, 0, pages), 0);
	/* A range that wraps around: nothing, and no error. */
	assert_int_equal(get_user_pages_fast(-PAGE_SIZE, 2, 0, pages), 0);
	assert_int_equal(pin_user_pages_fast(-PAGE_SIZE, 2, 0, pages), 0);
	/* The start is rounded down to its page. */
	assert_int_equal(get_user_pages_fast(addr + PAGE_SIZE - 1, 1, 0, pages), 1);
	assert_int_equal(page_to_pfn(pages[0]), pfn_of(current, addr));
	put_page(pages[0]);
	task_exit(t);
}

static void test_misuse(void **state)
{
	struct task_struct *t = start_task("misuse");
	unsigned long addr = map_rw(1);
	struct page *pages[1];

	(void)state;
	touch_page(addr);
	/* 6.18 checks each rule once for every entry point (is_valid_gup_args). */
	assert_warned(get_user_pages_fast(addr, 1, FOLL_PIN, pages), -EINVAL, 1);
	assert_warned(get_user_pages_fast(addr, 1, FOLL_LONGTERM, pages), -EINVAL, 1);
	assert_warned(get_user_pages_fast(addr, 1, FOLL_PIN, pages), -EINVAL, 0);
	assert_warned(pin_user_pages_fast(addr, 1, FOLL_GET, pages), -EINVAL, 1);
	/* Flags the fast path does not take (6.18: FOLL_TOUCH is internal, already warned). */
	assert_warned(get_user_pages_fast(addr, 1, FOLL_TOUCH, pages), -EINVAL, by_profile(1, 0));
	/* The fast path always needs a page array. */
	assert_warned(get_user_pages_fast(addr, 1, 0, NULL), -EINVAL, 1);
	/* *_fast_only never return a negative value, misuse included (5.11). */
	if (has_pin_fast_only()) {
		assert_warned(pin_user_pages_fast_only(addr, 1, FOLL_GET, pages), 0, 1);
		assert_warned(get_user_pages_fast_only(addr, 1, FOLL_DUMP, pages), 0, 0);
		assert_warned(pin_user_pages_fast_only(addr, 1, 0, NULL), 0, 0);
	} else {
		/* 6.18 refuses the call it no longer has, warning once. */
		assert_warned(pin_user_pages_fast_only(addr, 1, 0, pages), -EINVAL, 1);
		assert_warned(pin_user_pages_fast_only(addr, 1, FOLL_GET, pages), -EINVAL, 0);
		/* The fast path's own flag check meets its first misuse here. */
		assert_warned(get_user_pages_fast_only(addr, 1, FOLL_DUMP, pages), 0, 1);
	}
	assert_int_equal(pins_acquired(), pins_released());
	task_exit(t);
}

/* --- concurrency --- */

/*
 * The walker's recheck of a PTE that changed after the speculative reference is
 * hit deterministically by test_entry_changed_after_grab_drops_the_page (a hook
 * at gup_fast_after_grab). This test races a thread that zaps and refaults the
 * page against the walker for interleavings nobody planned, and checks that every
 * outcome is consistent (the call completes, no reference or pin leaks); which
 * branches ran in a given run is not asserted.
 */
#define RACE_ROUNDS 2000

struct race {
	struct task_struct *task; /* a thread of the walker's process */
	unsigned long addr;
	int stop;
};

static void *zap_and_refault(void *arg)
{
	struct race *race = arg;

	while (!__atomic_load_n(&race->stop, __ATOMIC_ACQUIRE)) {
		char c = 'z';

		sys_madvise(race->addr, PAGE_SIZE, MADV_DONTNEED);
		copy_to_user(race->addr, &c, 1);
	}
	return NULL;
}

static void run_race(void *(*other)(void *), void (*walker)(unsigned long addr))
{
	struct task_struct *t = start_task("walker");
	struct race race = {.addr = map_rw(2)};
	struct sim_thread *thread;

	touch_pages(race.addr, 2);
	race.task = task_clone_thread(t);
	assert_non_null(race.task);
	assert_int_equal(sim_thread_spawn(race.task, other, &race, &thread), 0);
	for (int i = 0; i < RACE_ROUNDS; i++)
		walker(race.addr);
	__atomic_store_n(&race.stop, 1, __ATOMIC_RELEASE);
	sim_thread_join(thread);
	task_exit(race.task);
	task_exit(t);
	assert_int_equal(pins_acquired(), pins_released());
}

static void walk_changing_pte(unsigned long addr)
{
	struct page *page;
	int got = get_user_pages_fast(addr, 1, FOLL_WRITE, &page);

	assert_int_equal(got, 1);
	assert_ptr_not_equal(page, zero_page());
	put_page(page);
	got = pin_user_pages_fast(addr, 1, FOLL_WRITE, &page);
	assert_int_equal(got, 1);
	unpin_user_page(page);
	got = get_user_pages_fast_only(addr, 1, FOLL_WRITE, &page);
	assert_true(got == 0 || got == 1);
	if (got)
		put_page(page);
}

static void test_race_pte_changes_under_the_walker(void **state)
{
	(void)state;
	run_race(zap_and_refault, walk_changing_pte);
}

/*
 * A PTE still naming a page whose last reference is being dropped: the walker's
 * speculative reference must fail on the zero count, and the slow path (which
 * holds the PTE lock) takes over. The count is faked for the duration of one call.
 */
static void test_zero_refcount_page_is_not_grabbed(void **state)
{
	struct task_struct *t = start_task("refzero");
	unsigned long addr = map_rw(1);
	struct page *mapped, *page;

	(void)state;
	touch_page(addr);
	mapped = pfn_to_page(pfn_of(t, addr));
	set_page_count(mapped, 0);
	assert_int_equal(get_user_pages_fast_only(addr, 1, 0, &page), 0);
	if (has_pin_fast_only())
		assert_int_equal(pin_user_pages_fast_only(addr, 1, 0, &page), 0);
	assert_int_equal(page_ref_count(mapped), 0); /* nothing was added and left behind */
	set_page_count(mapped, 1);
	assert_int_equal(get_user_pages_fast_only(addr, 1, 0, &page), 1);
	assert_ptr_equal(page, mapped);
	put_page(page);
	task_exit(t);
}

/* Play the racing munmap once: the PTE goes away after the walker grabbed its page. */
static void zap_after_grab(enum sim_point_id id, void *ctx, void *arg)
{
	struct vm_area_struct *zap_target = arg;
	struct mm_struct *mm = zap_target->vm_mm;

	(void)ctx;
	sim_point_set_hook(id, NULL, NULL);
	mmap_read_lock(mm);
	zap_page_range(zap_target, zap_target->vm_start, PAGE_SIZE);
	mmap_read_unlock(mm);
}

/* Without the re-check the walker would return a page nobody maps any more. */
static void test_entry_changed_after_grab_drops_the_page(void **state)
{
	struct task_struct *t = start_task("recheck");
	unsigned long addr = map_rw(1);
	struct page *page;
	unsigned long acquired = pins_acquired();

	(void)state;
	touch_page(addr);
	assert_int_equal(
		sim_point_set_hook(SP_GUP_FAST_AFTER_GRAB, zap_after_grab, find_vma(t->mm, addr)),
		0);
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE, &page), 1);
	/* The slow path faulted a fresh page in: the pin is on what the PTE maps now. */
	assert_int_equal(page_to_pfn(page), pfn_of(current, addr));
	assert_int_equal(page_count(page), 1 + GUP_PIN_COUNTING_BIAS);
	/* The speculative pin was taken and given back, then the real one. */
	assert_int_equal(pins_acquired() - acquired, 2);
	unpin_user_page(page);
	task_exit(t);
}

/* --- fallback results --- */

/*
 * Read GUP of never-touched memory: the lockless walk finds no PTE, the slow
 * path's read fault maps the zero page, and that is what the caller gets (a
 * reference on the zero page, no new anonymous page). Once mapped, the zero
 * page's special PTE still sends the walk to the slow path, which needs no fault.
 */
static void test_read_of_untouched_memory_falls_back_to_the_zero_page(void **state)
{
	struct task_struct *t = start_task("zero");
	unsigned long addr = map_rw(2), before = page_faults();
	unsigned long anon = global_node_page_state(NR_ANON_MAPPED);
	int zero_refs = page_count(zero_page());
	struct page *pages[2];

	(void)state;
	assert_int_equal(get_user_pages_fast_only(addr, 2, 0, pages), 0);
	assert_int_equal(get_user_pages_fast(addr, 2, 0, pages), 2);
	assert_true(page_faults() > before);
	assert_ptr_equal(pages[0], zero_page());
	assert_ptr_equal(pages[1], zero_page());
	assert_int_equal(page_count(zero_page()), zero_refs + 2);
	assert_int_equal(global_node_page_state(NR_ANON_MAPPED), anon);
	put_pages(pages, 2);
	assert_int_equal(pfn_of(current, addr), zero_pfn());
	assert_int_equal(pfn_of(current, addr + PAGE_SIZE), zero_pfn());

	before = page_faults();
	assert_int_equal(get_user_pages_fast_only(addr, 2, 0, pages), 0);
	assert_int_equal(get_user_pages_fast(addr, 2, 0, pages), 2);
	assert_int_equal(page_faults(), before);
	assert_ptr_equal(pages[1], zero_page());
	put_pages(pages, 2);
	assert_int_equal(page_count(zero_page()), zero_refs);
	task_exit(t);
}

/*
 * Pages the lockless walk took must reach the caller even when the slow path
 * then fails (-EFAULT at a hole, -EINTR for a fatal signal), for gets and pins;
 * with nothing taken, the slow path's error is the result.
 */
static void test_fast_pages_survive_slow_efault_and_eintr(void **state)
{
	struct task_struct *t = start_task("partial2");
	unsigned long addr = map_rw(NR), more = map_rw(NR), acquired;
	struct page *pages[NR];

	(void)state;
	touch_pages(addr, 2);
	assert_int_equal(sys_munmap(addr + 2 * PAGE_SIZE, 2 * PAGE_SIZE), 0);
	/* Both pages from the walk; the slow path starts right at the hole. */
	assert_int_equal(get_user_pages_fast(addr, NR, 0, pages), 2);
	assert_int_equal(page_to_pfn(pages[1]), pfn_of(current, addr + PAGE_SIZE));
	put_pages(pages, 2);

	/* The signal arrives as the slow path starts on page 2. */
	touch_pages(more, 2);
	acquired = pins_acquired();
	assert_int_equal(inject_arm("gup_signal", 1, 1), 0);
	assert_int_equal(pin_user_pages_fast(more, NR, FOLL_WRITE, pages), 2);
	assert_int_equal(inject_fired(INJECT_GUP_SIGNAL), 1);
	assert_true(fatal_signal_pending(t));
	assert_int_equal(pins_acquired(), acquired + 2);
	assert_int_equal(page_to_pfn(pages[1]), pfn_of(current, more + PAGE_SIZE));
	unpin_user_pages(pages, 2);
	assert_int_equal(get_user_pages_fast(more, NR, FOLL_WRITE, pages), 2);
	put_pages(pages, 2);
	/* Dying, with nothing for the walk to take: -EINTR. */
	assert_int_equal(get_user_pages_fast(more + 2 * PAGE_SIZE, 2, 0, pages), -EINTR);
	assert_int_equal(pin_user_pages_fast(more + 2 * PAGE_SIZE, 2, 0, pages), -EINTR);
	inject_disarm_all();
	assert_int_equal(pins_acquired(), pins_released());
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_fast_takes_present_pages_without_faulting),
		GUP_TEST(test_fallback_finishes_the_range),
		GUP_TEST(test_numa_hinting_ptes_go_to_the_slow_path),
		GUP_TEST(test_write_to_readonly_pte_goes_to_the_slow_path),
		GUP_TEST(test_special_ptes_go_to_the_slow_path),
		GUP_TEST(test_pins_bail_while_fork_write_protects),
		GUP_TEST(test_pins_are_dropped_when_fork_ran_during_the_walk),
		GUP_TEST(test_longterm_pin_of_cma_page_takes_the_slow_path),
		GUP_TEST(test_partial_fast_result_survives_slow_error),
		GUP_TEST(test_range_checks),
		GUP_TEST(test_misuse),
		GUP_TEST(test_race_pte_changes_under_the_walker),
		GUP_TEST(test_zero_refcount_page_is_not_grabbed),
		GUP_TEST(test_read_of_untouched_memory_falls_back_to_the_zero_page),
		GUP_TEST(test_fast_pages_survive_slow_efault_and_eintr),
		GUP_TEST(test_entry_changed_after_grab_drops_the_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
