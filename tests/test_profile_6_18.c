// SPDX-License-Identifier: GPL-2.0-only
/*
 * The anonymous-memory and pin rules Linux changed between 5.11 and 6.18, one
 * test per rule, each asserting the running profile's answer (CTest runs the
 * file under both): exclusivity, COW reuse, unsharing, FOLL_COW, long-term pins
 * and zones, argument checks, zero-page pins. docs/profiles.md is the table.
 */
#include "thp_harness.h"
#include "mm/internal.h"

#include <stdio.h>

#define RW (PROT_READ | PROT_WRITE)

static char byte_at(unsigned long addr)
{
	char c = 0;

	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	return c;
}

/* fork() from @parent, which stays current. */
static struct task_struct *fork_child(struct task_struct *parent)
{
	struct task_struct *child = sys_fork();

	assert_non_null(child);
	set_current(parent);
	return child;
}

/* --- PageAnonExclusive (5.19) --- */

/* A new anonymous page and a COW copy are exclusive under 6.18; 5.11 marks nothing. */
static void test_new_and_copied_pages_are_exclusive(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long addr = map_rw(2);

	(void)state;
	touch_page(addr);
	assert_true(PageAnonExclusive(page_at(parent, addr)) == profile_is_6_18());
	/* A read fault maps the zero page, which is never anonymous; the write copies it. */
	assert_int_equal(byte_at(addr + PAGE_SIZE), 0);
	assert_false(PageAnonExclusive(page_at(parent, addr + PAGE_SIZE)));
	touch_page(addr + PAGE_SIZE);
	assert_true(PageAnonExclusive(page_at(parent, addr + PAGE_SIZE)) == profile_is_6_18());
	/* Fork shares the page, which stops being exclusive; the child's write copies it. */
	child = fork_child(parent);
	assert_false(PageAnonExclusive(page_at(parent, addr)));
	set_current(child);
	touch_page(addr);
	assert_true(PageAnonExclusive(page_at(child, addr)) == profile_is_6_18());
	set_current(parent);
	/* The parent's page is its own again: the write reuses it, exclusive again. */
	touch_page(addr);
	assert_true(PageAnonExclusive(page_at(parent, addr)) == profile_is_6_18());
	assert_int_equal(sim_check(NULL), 0);
	task_exit(child);
	task_exit(parent);
}

/*
 * page_try_dup_anon_rmap: fork copies a pinned page for the child in both
 * profiles (5.11 by has_pinned + page_maybe_dma_pinned, 6.18 because the page is
 * exclusive and maybe pinned), and the parent's page stays exclusive and writable.
 * A page already shared before the pin is not copied under 6.18: it is not
 * exclusive, so nobody can have pinned it coherently.
 */
static void test_fork_copies_pinned_exclusive_page(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long addr = map_rw(1);
	unsigned long early = global_node_page_state(NR_FORK_EARLY_COW);
	struct page *pinned;

	(void)state;
	touch_page(addr);
	mmap_read_lock(parent->mm);
	assert_int_equal(pin_user_pages(addr, 1, FOLL_WRITE, &pinned, NULL), 1);
	mmap_read_unlock(parent->mm);
	child = fork_child(parent);
	assert_int_equal(global_node_page_state(NR_FORK_EARLY_COW), early + 1);
	assert_ptr_equal(page_at(parent, addr), pinned);
	assert_true(page_at(child, addr) != pinned);
	assert_true(pte_writable_at(parent, addr));
	assert_true(PageAnonExclusive(pinned) == profile_is_6_18());
	assert_true(PageAnonExclusive(page_at(child, addr)) == profile_is_6_18());
	write_byte(addr, 'p');
	assert_int_equal(*(char *)page_address(pinned), 'p');
	unpin_user_page(pinned);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(child);
	task_exit(parent);
}

/*
 * wp_can_reuse_anon_page: a FOLL_GET reference (the kind vmsplice takes) on an
 * exclusive page mapped read-only. 5.11 copies on the next write (the refcount
 * is 2), so the reference no longer sees the process's data; 6.18 reuses the
 * exclusive page.
 */
static void test_write_reuses_exclusive_page_despite_reference(void **state)
{
	struct task_struct *t = start_task("reuse");
	unsigned long addr = map_rw(1);
	struct page *ref;

	(void)state;
	touch_page(addr);
	assert_int_equal(get_user_pages_fast(addr, 1, 0, &ref), 1);
	assert_int_equal(sys_mprotect(addr, PAGE_SIZE, PROT_READ), 0);
	assert_int_equal(sys_mprotect(addr, PAGE_SIZE, RW), 0);
	write_byte(addr, 'n');
	assert_true((page_at(t, addr) == ref) == profile_is_6_18());
	assert_int_equal(*(char *)page_address(ref), by_profile('w', 'n'));
	put_page(ref);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* --- unsharing R/O pins (5.19, 6.2) --- */

/*
 * gup_must_unshare: a R/O pin of a page that is still shared after fork. 6.18
 * faults with FAULT_FLAG_UNSHARE: the parent gets its own copy, still mapped
 * read-only, and the pin holds it; the child keeps the old page. 5.11 pins the
 * shared page. A FOLL_GET reference never unshares, and GUP-fast leaves the
 * unsharing to the slow path.
 */
static void test_ro_pin_unshares_shared_page(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long addr = map_rw(1);
	struct page *old, *pinned, *ref;
	unsigned long faults;

	(void)state;
	touch_page(addr);
	child = fork_child(parent);
	old = page_at(parent, addr);
	assert_int_equal(get_user_pages_fast(addr, 1, 0, &ref), 1);
	assert_ptr_equal(ref, old);
	put_page(ref);
	/* 5.11's lockless pin shares the page; 6.18's falls back (counted below). */
	if (!profile_is_6_18()) {
		assert_int_equal(pin_user_pages_fast_only(addr, 1, 0, &pinned), 1);
		unpin_user_page(pinned);
	}
	faults = page_faults();
	assert_int_equal(pin_user_pages_fast(addr, 1, 0, &pinned), 1);
	assert_int_equal(page_faults(), faults + by_profile(0, 1));
	assert_ptr_equal(page_at(parent, addr), pinned);
	assert_true((pinned == old) == !profile_is_6_18());
	assert_ptr_equal(page_at(child, addr), old);
	assert_false(pte_writable_at(parent, addr)); /* unsharing is no write */
	assert_true(PageAnonExclusive(pinned) == profile_is_6_18());
	/* Unsharing happened once: the next R/O pin finds the page exclusive. */
	if (profile_is_6_18()) {
		struct page *again;

		faults = page_faults();
		assert_int_equal(pin_user_pages_fast(addr, 1, 0, &again), 1);
		assert_int_equal(page_faults(), faults);
		assert_ptr_equal(again, pinned);
		unpin_user_page(again);
	}
	write_byte(addr, 'x');
	assert_true((*(char *)page_address(pinned) == 'x') == profile_is_6_18());
	unpin_user_page(pinned);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(child);
	task_exit(parent);
}

/*
 * Unsharing a page nobody else holds any more (the child exited) reuses it: no
 * copy, the page just becomes exclusive, its PTE stays read-only.
 */
static void test_unshare_reuses_previously_shared_page(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long addr = map_rw(1);
	unsigned long copies = global_node_page_state(NR_COW_FAULTS);
	struct page *old, *pinned;

	(void)state;
	touch_page(addr);
	child = fork_child(parent);
	task_exit(child);
	old = page_at(parent, addr);
	assert_false(PageAnonExclusive(old));
	mmap_read_lock(parent->mm);
	assert_int_equal(pin_user_pages(addr, 1, 0, &pinned, NULL), 1);
	mmap_read_unlock(parent->mm);
	assert_ptr_equal(pinned, old);
	assert_int_equal(global_node_page_state(NR_COW_FAULTS), copies);
	assert_true(PageAnonExclusive(old) == profile_is_6_18());
	assert_false(pte_writable_at(parent, addr));
	unpin_user_page(pinned);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(parent);
}

/*
 * 6.2: a R/O long-term pin in a private mapping unshares the zero page too (the
 * pin gets a fresh zeroed anonymous page, mapped read-only); a short-term one
 * pins the zero page itself. 5.11 pins the zero page either way.
 */
static void test_longterm_ro_pin_unshares_zero_page(void **state)
{
	struct task_struct *t = start_task("zero");
	unsigned long addr = map_rw(1);
	struct page *page;

	(void)state;
	assert_int_equal(byte_at(addr), 0);
	assert_int_equal(pin_user_pages_fast(addr, 1, 0, &page), 1);
	assert_ptr_equal(page, zero_page());
	unpin_user_page(page);
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_LONGTERM, &page), 1);
	assert_true((page == zero_page()) == !profile_is_6_18());
	assert_true(PageAnon(page) == profile_is_6_18());
	assert_ptr_equal(page_at(t, addr), page);
	assert_false(pte_writable_at(t, addr));
	write_byte(addr, 'z');
	assert_true((*(char *)page_address(page) == 'z') == profile_is_6_18());
	unpin_user_page(page);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/*
 * A COW-shared THP: the R/O pin unshares it too (6.18). The shared pmd cannot
 * be reused, so it is split and the one small page is copied.
 */
static void test_ro_pin_unshares_shared_thp(void **state)
{
	struct task_struct *parent, *child;
	struct page *head, *pinned;
	unsigned long addr;

	(void)state;
	head = boot_parent_with_thp(&parent, &addr);
	assert_true(PageHead(head));
	assert_true(PageAnonExclusive(head + 7) == profile_is_6_18());
	child = fork_child(parent);
	assert_false(PageAnonExclusive(head));
	assert_false(PageAnonExclusive(head + 7));
	assert_int_equal(pin_user_pages_fast(addr + 7 * PAGE_SIZE, 1, 0, &pinned), 1);
	assert_true((pinned == head + 7) == !profile_is_6_18());
	assert_ptr_equal(page_at(parent, addr + 7 * PAGE_SIZE), pinned);
	assert_ptr_equal(page_at(child, addr + 7 * PAGE_SIZE), head + 7);
	write_byte(addr + 7 * PAGE_SIZE, 'h');
	assert_true((*(char *)page_address(pinned) == 'h') == profile_is_6_18());
	unpin_user_page(pinned);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(child);
	task_exit(parent);
	assert_int_equal(sim_shutdown(), 0);
}

/*
 * A pmd-mapped THP's exclusivity is its head's bit: reusing the THP after the
 * child left sets the head's alone, and the split that mprotect() makes of part
 * of it hands the bit to every subpage, so a R/O pin of one is no unshare.
 */
static void test_split_hands_head_exclusivity_to_subpages(void **state)
{
	struct task_struct *parent, *child;
	struct page *head, *pinned;
	unsigned long addr;

	(void)state;
	head = boot_parent_with_thp(&parent, &addr);
	child = fork_child(parent);
	task_exit(child);
	assert_false(PageAnonExclusive(head + 7));
	touch_page(addr); /* reuses the whole THP: the pmd is ours alone again */
	assert_ptr_equal(page_at(parent, addr), head);
	assert_true(PageAnonExclusive(head) == profile_is_6_18());
	assert_int_equal(sys_mprotect(addr, 16 * PAGE_SIZE, PROT_READ), 0);
	assert_true(PageAnonExclusive(head + 7) == profile_is_6_18());
	assert_int_equal(pin_user_pages_fast(addr + 7 * PAGE_SIZE, 1, 0, &pinned), 1);
	assert_ptr_equal(pinned, head + 7);
	unpin_user_page(pinned);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(parent);
	assert_int_equal(sim_shutdown(), 0);
}

/* --- no FOLL_COW (6.0) --- */

/*
 * can_follow_write_pte: a forced write through a dirty read-only PTE. 5.11
 * takes it with FOLL_COW whatever the page; 6.18 ignores FOLL_COW and takes it
 * only for an exclusive anonymous page, so a page fork shares is never written
 * behind the child's back (the Dirty COW family).
 */
static void test_forced_write_follows_only_exclusive_page(void **state)
{
	const unsigned int forced = FOLL_WRITE | FOLL_FORCE | FOLL_GET;
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long addr = map_rw(1);
	struct vm_area_struct *vma;
	struct page *page;

	(void)state;
	touch_page(addr);
	assert_int_equal(sys_mprotect(addr, PAGE_SIZE, PROT_READ), 0);
	vma = vma_at(parent, addr);
	mmap_read_lock(parent->mm);
	page = follow_page(vma, addr, forced);
	assert_true((page != NULL) == profile_is_6_18()); /* exclusive: ours to write */
	if (page)
		put_page(page);
	mmap_read_unlock(parent->mm);
	child = fork_child(parent);
	mmap_read_lock(parent->mm);
	page = follow_page(vma, addr, forced | FOLL_COW);
	assert_true((page != NULL) == !profile_is_6_18()); /* shared: 5.11 trusts FOLL_COW */
	if (page)
		put_page(page);
	mmap_read_unlock(parent->mm);
	/* Either way a real forced write copies the page and leaves the child's alone. */
	assert_int_equal(access_process_vm(parent, addr, "f", 1, FOLL_WRITE | FOLL_FORCE), 1);
	assert_int_equal(byte_at(addr), 'f');
	set_current(child);
	assert_int_equal(byte_at(addr), 'w');
	set_current(parent);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(child);
	task_exit(parent);
}

/* FOLL_FORCE cannot write a read-only shared mapping in either kernel. */
static void test_forced_write_to_shared_mapping_is_refused(void **state)
{
	struct task_struct *t = start_task("shared");
	unsigned long addr = map_pages(1, PROT_READ, MAP_SHARED);
	struct page *page;

	(void)state;
	assert_int_equal(gup_under_lock(addr, 1, FOLL_WRITE | FOLL_FORCE, &page, NULL), -EFAULT);
	assert_int_equal(access_process_vm(t, addr, "s", 1, FOLL_WRITE | FOLL_FORCE), 0);
	task_exit(t);
}

/* --- long-term pins and zones (5.13) --- */

/*
 * is_pinnable_page: ZONE_MOVABLE may hold a long-term pin in 5.11, not in
 * 6.18, where the zero page stays pinnable wherever it is; CMA never. With no
 * migration, 6.18's pin fails as migration failing does: -ENOMEM, and every
 * page of the call unpinned, the pinnable ones too.
 */
static void test_longterm_pin_refuses_movable_zone(void **state)
{
	struct sim_config cfg = {.mem_bytes = 16UL << 20, .movable_bytes = 16UL << 20};
	struct task_struct *t;
	struct page *pages[2], *other;
	unsigned long addr, acquired, held;

	(void)state;
	assert_int_equal(sim_boot(&cfg), 0);
	t = start_task("movable");
	addr = map_rw(2);
	/*
	 * The first page comes from a long-term pin's fault: not movable under 6.18,
	 * because the fault allocates in the pin's context (memalloc_pin_save()), so
	 * nothing migrates: one pin, not a pin, a migration and a second pin.
	 */
	acquired = pins_acquired();
	mmap_read_lock(t->mm);
	assert_int_equal(pin_user_pages(addr, 1, FOLL_LONGTERM | FOLL_WRITE, pages, NULL), 1);
	mmap_read_unlock(t->mm);
	assert_int_equal(pins_acquired(), acquired + 1);
	unpin_user_page(pages[0]);
	touch_page(addr + PAGE_SIZE);
	assert_int_equal(page_zonenum(page_at(t, addr + PAGE_SIZE)), ZONE_MOVABLE);
	assert_int_equal(page_zonenum(page_at(t, addr)), by_profile(ZONE_MOVABLE, ZONE_NORMAL));
	assert_true(is_pinnable_page(page_at(t, addr + PAGE_SIZE)) == !profile_is_6_18());
	assert_true(is_pinnable_page(zero_page()));
	acquired = pins_acquired();
	mmap_read_lock(t->mm);
	assert_int_equal(pin_user_pages(addr, 2, FOLL_LONGTERM | FOLL_WRITE, pages, NULL), 2);
	mmap_read_unlock(t->mm);
	/* 6.18 pinned both, dropped them, migrated the movable page out and pinned again. */
	assert_int_equal(pins_acquired(), acquired + by_profile(2, 4));
	assert_int_equal(page_zonenum(pages[1]), by_profile(ZONE_MOVABLE, ZONE_NORMAL));
	assert_ptr_equal(pages[1], page_at(t, addr + PAGE_SIZE));
	unpin_user_pages(pages, 2);
	assert_int_equal(pins_acquired(), pins_released());
	/* A movable page another pin holds cannot migrate: 6.18 fails, holding nothing. */
	held = map_rw(1);
	touch_page(held);
	assert_int_equal(page_zonenum(page_at(t, held)), ZONE_MOVABLE);
	assert_int_equal(pin_user_pages_fast(held, 1, FOLL_WRITE, &other), 1);
	mmap_read_lock(t->mm);
	assert_int_equal(pin_user_pages(held, 1, FOLL_LONGTERM | FOLL_WRITE, pages, NULL),
			 by_profile(1, -ENOMEM));
	mmap_read_unlock(t->mm);
	if (!profile_is_6_18())
		unpin_user_page(pages[0]);
	assert_ptr_equal(page_at(t, held), other); /* not migrated */
	unpin_user_page(other);
	assert_int_equal(pins_acquired(), pins_released());
	/* Short-term pins do not care about zones. */
	assert_int_equal(pin_user_pages_fast(addr + PAGE_SIZE, 1, FOLL_WRITE, pages), 1);
	unpin_user_page(pages[0]);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/*
 * The long-term pass names its targets' gfp (the profile's longterm_target_gfp)
 * instead of leaning on the memalloc_pin context: run here without the context,
 * over a page in CMA (unpinnable in both profiles; CMA holds most free memory, so
 * a movable allocation would take CMA first), the page still leaves CMA and the
 * pass ends. Without the named gfp, 5.11's pass would move it into CMA forever
 * and 6.18's would hand back a CMA page.
 */
static void test_longterm_target_names_its_gfp(void **state)
{
	struct sim_config cfg = {.mem_bytes = 24UL << 20, .cma_bytes = 16UL << 20};
	const unsigned int flags = FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE;
	struct task_struct *t;
	struct page *page;
	unsigned long addr;
	long rc;

	(void)state;
	assert_int_equal(sim_boot(&cfg), 0);
	t = start_task("target");
	addr = map_rw(1);
	touch_page(addr);
	assert_true(is_migrate_cma_page(page_at(t, addr)));
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE, &page), 1);
	assert_int_equal(memalloc_pin_depth, 0);
	mmap_read_lock(t->mm);
	rc = mm_profile->check_and_migrate_longterm(t->mm, addr, 1, &page, NULL, flags);
	mmap_read_unlock(t->mm);
	/* 5.11 took the range again itself; 6.18 asks its caller to (-EAGAIN), nothing held. */
	assert_int_equal(rc, by_profile(1, -EAGAIN));
	if (!profile_is_6_18()) {
		assert_false(is_migrate_cma_page(page));
		assert_ptr_equal(page, page_at(t, addr));
		unpin_user_page(page);
	}
	assert_false(is_migrate_cma_page(page_at(t, addr)));
	assert_int_equal(page_zonenum(page_at(t, addr)), ZONE_NORMAL);
	assert_int_equal(pins_acquired(), pins_released());
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/* --- argument checks (6.3) --- */

/*
 * is_valid_gup_args: each rule warns once and gives -EINVAL under 6.18, before
 * anything is done; 5.11 only has the checks of the individual entry points.
 */
static void test_argument_checks(void **state)
{
	struct task_struct *t = start_task("args");
	unsigned long addr = map_rw(1);
	struct page *page = NULL;
	int locked = 2;

	(void)state;
	touch_page(addr);
	/* An internal flag: 5.11 takes it. */
	mmap_read_lock(t->mm);
	assert_warned(pin_user_pages(addr, 1, FOLL_TRIED, &page, NULL), by_profile(1, -EINVAL),
		      by_profile(0, 1));
	if (page)
		unpin_user_page(page);
	assert_warned(pin_user_pages(addr, 1, FOLL_TRIED, &page, NULL), by_profile(1, -EINVAL), 0);
	mmap_read_unlock(t->mm);
	if (!profile_is_6_18())
		unpin_user_page(page);
	/* *locked must be 1 on entry: 5.11 BUG()s further down, 6.18 refuses it. */
	if (profile_is_6_18()) {
		mmap_read_lock(t->mm);
		assert_warned(get_user_pages_locked(addr, 1, 0, &page, &locked), -EINVAL, 1);
		mmap_read_unlock(t->mm);
		assert_int_equal(locked, 2);
	}
	/* Pins without an array: refused by both. */
	assert_warned(pin_user_pages_unlocked(addr, 1, NULL, 0), -EINVAL, 1);
	/*
	 * FOLL_PIN through get_user_pages_unlocked(): 5.11 pins (its pin_ twin
	 * passed FOLL_PIN through it); 6.18 refuses the internal flag, whose
	 * warning was given above already.
	 */
	assert_warned(get_user_pages_unlocked(addr, 1, &page, FOLL_PIN), by_profile(1, -EINVAL), 0);
	if (!profile_is_6_18())
		unpin_user_page(page);
	assert_int_equal(pins_acquired(), pins_released());
	task_exit(t);
}

/* --- the zero page (6.5) --- */

/*
 * pins_zero_page: 6.18 pins the zero page without touching it (refcount,
 * pincount, counters, the checker's records), and unpins it the same way; every
 * pin path: slow, fast, the unpin variants.
 */
static void test_zero_page_pins_count_nothing(void **state)
{
	struct task_struct *t = start_task("zero");
	unsigned long addr = map_rw(2);
	unsigned long acquired = pins_acquired();
	int refs = page_count(zero_page());
	struct page *pages[2];
	long counted = by_profile(1, 0);

	(void)state;
	assert_int_equal(byte_at(addr), 0);
	assert_int_equal(byte_at(addr + PAGE_SIZE), 0);
	mmap_read_lock(t->mm);
	assert_int_equal(pin_user_pages(addr, 2, 0, pages, NULL), 2);
	mmap_read_unlock(t->mm);
	assert_ptr_equal(pages[1], zero_page());
	assert_int_equal(page_count(zero_page()), refs + 2 * counted * GUP_PIN_COUNTING_BIAS);
	assert_int_equal(pins_acquired(), acquired + 2 * counted);
	/* The checker's records (-1: a build that keeps none). */
	if (sim_page_gup_pins(zero_page()) >= 0)
		assert_int_equal(sim_page_gup_pins(zero_page()), 2 * counted);
	assert_true(sim_pin_is_counted(zero_page()) == !profile_is_6_18());
	assert_true(sim_pin_is_counted(page_at(t, addr) /* the zero page too */) ==
		    !profile_is_6_18());
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_pages_dirty_lock(pages, 2, false);
	assert_int_equal(page_count(zero_page()), refs);
	assert_int_equal(pins_acquired(), pins_released());
	/* A FOLL_GET reference is an ordinary one in both. */
	assert_int_equal(get_user_pages_fast(addr, 1, 0, pages), 1);
	assert_int_equal(page_count(zero_page()), refs + 1);
	put_page(pages[0]);
	task_exit(t);
}

/* The checker: an exclusive page is anonymous and mapped once (any profile). */
static void test_checker_knows_exclusivity(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long addr = map_rw(1);
	struct page *page;
	FILE *devnull = fopen("/dev/null", "w");

	(void)state;
	assert_non_null(devnull);
	touch_page(addr);
	child = fork_child(parent);
	page = page_at(parent, addr);
	SetPageAnonExclusive(page); /* what fork must have cleared */
	assert_int_equal(sim_check(devnull), 1);
	ClearPageAnonExclusive(page);
	SetPageAnonExclusive(zero_page());
	assert_int_equal(sim_check(devnull), 1);
	ClearPageAnonExclusive(zero_page());
	assert_int_equal(sim_check(NULL), 0);
	fclose(devnull);
	task_exit(child);
	task_exit(parent);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_new_and_copied_pages_are_exclusive),
		GUP_TEST(test_fork_copies_pinned_exclusive_page),
		GUP_TEST(test_write_reuses_exclusive_page_despite_reference),
		GUP_TEST(test_ro_pin_unshares_shared_page),
		GUP_TEST(test_unshare_reuses_previously_shared_page),
		GUP_TEST(test_longterm_ro_pin_unshares_zero_page),
		cmocka_unit_test(test_ro_pin_unshares_shared_thp),
		cmocka_unit_test(test_split_hands_head_exclusivity_to_subpages),
		GUP_TEST(test_forced_write_follows_only_exclusive_page),
		GUP_TEST(test_forced_write_to_shared_mapping_is_refused),
		cmocka_unit_test(test_longterm_pin_refuses_movable_zone),
		cmocka_unit_test(test_longterm_target_names_its_gfp),
		GUP_TEST(test_argument_checks),
		GUP_TEST(test_zero_page_pins_count_nothing),
		GUP_TEST(test_checker_knows_exclusivity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
