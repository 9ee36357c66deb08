// SPDX-License-Identifier: GPL-2.0-only
/*
 * get_user_pages / pin_user_pages through the slow path: check_vma_flags, forced
 * COW, the zero page, pin accounting, partial counts, misuse, pfn mappings,
 * core-dump lookups, fixup_user_fault, signals, VM_FAULT_RETRY and FOLL_LONGTERM.
 */
#include "harness.h"

#include <string.h>

#define NR 4

/* --- helpers --- */

/* Read one byte of the page, so a read fault maps the zero page. */
static void read_page(unsigned long addr)
{
	char c;

	assert_int_equal(copy_from_user(&c, addr, 1), 0);
}

static long pup(unsigned long start, unsigned long nr, unsigned int flags, struct page **pages)
{
	long ret;

	mmap_read_lock(current->mm);
	ret = pin_user_pages(start, nr, flags, pages, NULL);
	mmap_read_unlock(current->mm);
	return ret;
}

/* --- basic lookups --- */

static void test_rw_anon_read_and_write(void **state)
{
	struct task_struct *t = start_task("rw");
	unsigned long addr = map_pages(NR, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	struct vm_area_struct *vmas[NR];
	struct page *pages[NR];

	(void)state;
	touch_pages(addr, NR);
	assert_int_equal(gup_under_lock(addr, NR, FOLL_WRITE, pages, vmas), NR);
	for (int i = 0; i < NR; i++) {
		assert_true(PageAnon(pages[i]));
		assert_int_equal(page_to_pfn(pages[i]), pfn_of(current, addr + i * PAGE_SIZE));
		assert_int_equal(*(char *)page_address(pages[i]), 'a' + i);
		assert_ptr_equal(vmas[i], vmas[0]);
		assert_true(vmas[i]->vm_start <= addr && addr + NR * PAGE_SIZE <= vmas[i]->vm_end);
		/* The page table's reference and ours. */
		assert_int_equal(page_count(pages[i]), 2);
	}
	put_pages(pages, NR);

	/* A read lookup of the same memory finds the same pages. */
	assert_int_equal(gup_under_lock(addr + 1, NR - 1, 0, pages, NULL), NR - 1);
	assert_int_equal(page_to_pfn(pages[0]), pfn_of(current, addr));
	put_pages(pages, NR - 1);
	task_exit(t);
}

static void test_write_gup_faults_in_private_pages(void **state)
{
	struct task_struct *t = start_task("fault");
	unsigned long addr = map_pages(NR, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	struct page *pages[NR];

	(void)state;
	assert_false(addr_present(addr));
	assert_int_equal(gup_under_lock(addr, NR, FOLL_WRITE, pages, NULL), NR);
	for (int i = 0; i < NR; i++) {
		assert_ptr_not_equal(pages[i], zero_page());
		assert_true(PageAnon(pages[i]));
		assert_int_equal(page_to_pfn(pages[i]), pfn_of(current, addr + i * PAGE_SIZE));
	}
	put_pages(pages, NR);
	task_exit(t);
}

static void test_read_of_untouched_memory_is_the_zero_page(void **state)
{
	struct task_struct *t = start_task("zero");
	unsigned long addr = map_pages(2, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	struct page *pages[2];
	int zero_refs = page_count(zero_page());

	(void)state;
	assert_int_equal(gup_under_lock(addr, 2, 0, pages, NULL), 2);
	assert_ptr_equal(pages[0], zero_page());
	assert_ptr_equal(pages[1], zero_page());
	assert_int_equal(page_count(zero_page()), zero_refs + 2);
	put_pages(pages, 2);
	assert_int_equal(pfn_of(current, addr), zero_pfn());

	/* A write lookup then replaces the zero page by a private page. */
	assert_int_equal(gup_under_lock(addr, 1, FOLL_WRITE, pages, NULL), 1);
	assert_ptr_not_equal(pages[0], zero_page());
	assert_int_equal(page_to_pfn(pages[0]), pfn_of(current, addr));
	put_pages(pages, 1);
	assert_int_equal(page_count(zero_page()), zero_refs);
	task_exit(t);
}

/*
 * check_vma_flags: what reads and writes, forced or not, may do to private
 * rw, read-only, PROT_NONE and exec-only mappings, and to shared read-only ones.
 */
static void test_permission_matrix(void **state)
{
	static const struct {
		unsigned long prot;
		unsigned long flags;
		unsigned int foll;
		long expect;
	} cases[] = {
		{PROT_READ | PROT_WRITE, MAP_PRIVATE, 0, 1},
		{PROT_READ | PROT_WRITE, MAP_PRIVATE, FOLL_WRITE, 1},
		{PROT_READ | PROT_WRITE, MAP_PRIVATE, FOLL_FORCE, 1},
		{PROT_READ | PROT_WRITE, MAP_PRIVATE, FOLL_WRITE | FOLL_FORCE, 1},
		{PROT_READ, MAP_PRIVATE, 0, 1},
		{PROT_READ, MAP_PRIVATE, FOLL_WRITE, -EFAULT},
		{PROT_READ, MAP_PRIVATE, FOLL_FORCE, 1},
		{PROT_READ, MAP_PRIVATE, FOLL_WRITE | FOLL_FORCE, 1}, /* COW */
		{PROT_NONE, MAP_PRIVATE, 0, -EFAULT},
		{PROT_NONE, MAP_PRIVATE, FOLL_WRITE, -EFAULT},
		{PROT_NONE, MAP_PRIVATE, FOLL_FORCE, 1}, /* VM_MAYREAD suffices */
		{PROT_NONE, MAP_PRIVATE, FOLL_WRITE | FOLL_FORCE, 1},
		{PROT_EXEC, MAP_PRIVATE, 0, -EFAULT},
		{PROT_EXEC, MAP_PRIVATE, FOLL_WRITE, -EFAULT},
		{PROT_EXEC, MAP_PRIVATE, FOLL_FORCE, 1},
		{PROT_EXEC, MAP_PRIVATE, FOLL_WRITE | FOLL_FORCE, 1},
		{PROT_READ, MAP_SHARED, 0, 1},
		{PROT_READ, MAP_SHARED, FOLL_FORCE, 1},
		{PROT_READ, MAP_SHARED, FOLL_WRITE, -EFAULT},
		{PROT_READ, MAP_SHARED, FOLL_WRITE | FOLL_FORCE, -EFAULT}, /* no COW there */
		{PROT_READ | PROT_WRITE, MAP_SHARED, FOLL_WRITE, 1},
		{PROT_NONE, MAP_SHARED, FOLL_FORCE, 1},
		{PROT_NONE, MAP_SHARED, FOLL_WRITE | FOLL_FORCE, -EFAULT},
	};
	struct task_struct *t = start_task("perm");

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned long addr = map_pages(1, cases[i].prot, cases[i].flags);
		struct page *page = NULL;
		long ret = gup_under_lock(addr, 1, cases[i].foll, &page, NULL);

		if (ret != cases[i].expect)
			fail_msg("case %zu (prot %#lx flags %#lx foll %#x): got %ld, expected %ld",
				 i, cases[i].prot, cases[i].flags, cases[i].foll, ret,
				 cases[i].expect);
		if (ret == 1) {
			/* Forced writes into private memory always land in an anon copy. */
			if ((cases[i].foll & FOLL_WRITE) && cases[i].flags == MAP_PRIVATE)
				assert_true(PageAnon(page));
			put_page(page);
		}
		/* The same rules hold for pins. */
		ret = pup(addr, 1, cases[i].foll, &page);
		assert_int_equal(ret, cases[i].expect);
		if (ret == 1)
			unpin_user_page(page);
		assert_int_equal(sys_munmap(addr, PAGE_SIZE), 0);
	}
	task_exit(t);
}

/* ptrace's poke into read-only text: a private copy, never the child's page. */
static void test_forced_write_breaks_cow_and_spares_the_child(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long addr = map_pages(1, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned long shared_pfn;
	struct page *page;
	char buf[16];

	(void)state;
	assert_int_equal(copy_to_user(addr, "original", 9), 0);
	assert_int_equal(sys_mprotect(addr, PAGE_SIZE, PROT_READ), 0);
	child = sys_fork();
	assert_non_null(child);
	set_current(parent);
	shared_pfn = pfn_of(current, addr);

	/* Without FOLL_FORCE a write to read-only memory is refused. */
	assert_int_equal(gup_under_lock(addr, 1, FOLL_WRITE, &page, NULL), -EFAULT);

	assert_int_equal(gup_under_lock(addr, 1, FOLL_WRITE | FOLL_FORCE, &page, NULL), 1);
	assert_int_not_equal(page_to_pfn(page), shared_pfn);
	assert_int_equal(page_to_pfn(page), pfn_of(current, addr));
	assert_memory_equal(page_address(page), "original", 9);
	memcpy(page_address(page), "poked", 6);
	set_page_dirty_lock(page);
	put_page(page);

	assert_int_equal(copy_from_user(buf, addr, 9), 0);
	assert_string_equal(buf, "poked");
	/* The mapping itself stays read-only for the task. */
	assert_int_equal(copy_to_user(addr, "x", 1), 1);

	set_current(child);
	assert_int_equal(pfn_of(current, addr), shared_pfn);
	assert_int_equal(copy_from_user(buf, addr, 9), 0);
	assert_string_equal(buf, "original");

	/* A second forced write in the parent reuses its now private copy. */
	set_current(parent);
	shared_pfn = pfn_of(current, addr);
	assert_int_equal(gup_under_lock(addr, 1, FOLL_WRITE | FOLL_FORCE, &page, NULL), 1);
	assert_int_equal(page_to_pfn(page), shared_pfn);
	put_page(page);

	task_exit(child);
	task_exit(parent);
}

static void test_forced_write_to_shared_readonly_fails(void **state)
{
	struct task_struct *t = start_task("shared");
	unsigned long addr = map_pages(1, PROT_READ | PROT_WRITE, MAP_SHARED);
	struct page *page;

	(void)state;
	touch_pages(addr, 1);
	assert_int_equal(sys_mprotect(addr, PAGE_SIZE, PROT_READ), 0);
	assert_int_equal(gup_under_lock(addr, 1, FOLL_WRITE | FOLL_FORCE, &page, NULL), -EFAULT);
	assert_int_equal(pup(addr, 1, FOLL_WRITE | FOLL_FORCE, &page), -EFAULT);
	/* Reading it is fine and gives the shared (non-anonymous) page. */
	assert_int_equal(gup_under_lock(addr, 1, FOLL_FORCE, &page, NULL), 1);
	assert_false(PageAnon(page));
	assert_int_equal(*(char *)page_address(page), 'a');
	put_page(page);
	task_exit(t);
}

/* --- accounting --- */

static void test_pin_adds_bias_and_counts_vmstat(void **state)
{
	struct task_struct *t = start_task("pin");
	unsigned long addr = map_pages(1, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned long acquired = pins_acquired(), released = pins_released();
	struct page *page, *got;
	int base;

	(void)state;
	touch_pages(addr, 1);
	page = pfn_to_page(pfn_of(current, addr));
	base = page_count(page);
	assert_false(page_maybe_dma_pinned(page));
	assert_int_equal(READ_ONCE(current->mm->has_pinned), 0);

	assert_int_equal(pup(addr, 1, FOLL_WRITE, &got), 1);
	assert_ptr_equal(got, page);
	assert_int_equal(page_count(page), base + (int)GUP_PIN_COUNTING_BIAS);
	assert_true(page_maybe_dma_pinned(page));
	assert_int_equal(sim_page_gup_pins(page), 1);
	assert_int_equal(pins_acquired(), acquired + 1);
	assert_int_equal(pins_released(), released);
	assert_int_equal(READ_ONCE(current->mm->has_pinned), 1);
	assert_int_equal(sim_check(NULL), 0);

	unpin_user_page(got);
	assert_int_equal(page_count(page), base);
	assert_false(page_maybe_dma_pinned(page));
	assert_int_equal(sim_page_gup_pins(page), 0);
	assert_int_equal(pins_released(), released + 1);

	/* A get adds exactly one reference and no pin. */
	assert_int_equal(gup_under_lock(addr, 1, 0, &got, NULL), 1);
	assert_int_equal(page_count(page), base + 1);
	assert_int_equal(sim_page_gup_refs(page), 1);
	assert_int_equal(pins_acquired(), acquired + 1);
	assert_int_equal(sim_check(NULL), 0);
	put_page(got);
	assert_int_equal(page_count(page), base);
	task_exit(t);
}

static void test_unpin_dirty_lock_dirties_clean_pages_only_when_asked(void **state)
{
	struct task_struct *t = start_task("dirty");
	unsigned long addr = map_pages(2, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	struct page *pages[2];

	(void)state;
	touch_pages(addr, 2);
	assert_int_equal(pup(addr, 2, 0, pages), 2);
	ClearPageDirty(pages[0]);
	ClearPageDirty(pages[1]);
	unpin_user_pages_dirty_lock(pages, 2, false);
	assert_false(PageDirty(pfn_to_page(pfn_of(current, addr))));

	assert_int_equal(pup(addr, 2, 0, pages), 2);
	unpin_user_pages_dirty_lock(pages, 2, true);
	assert_true(PageDirty(pfn_to_page(pfn_of(current, addr))));
	assert_true(PageDirty(pfn_to_page(pfn_of(current, addr + PAGE_SIZE))));
	assert_int_equal(pins_acquired(), pins_released());
	task_exit(t);
}

static void test_grab_and_put_compound_head_on_order2_page(void **state)
{
	struct page *head = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);
	unsigned long acquired = pins_acquired();

	(void)state;
	assert_non_null(head);
	assert_true(hpage_pincount_available(head));
	/* A pin of a big compound page counts exactly, in the pincount. */
	assert_ptr_equal(try_grab_compound_head(head + 1, 3, FOLL_PIN), head);
	assert_int_equal(page_count(head), 1 + 3);
	assert_int_equal(compound_pincount(head), 3);
	assert_true(page_maybe_dma_pinned(head + 3));
	assert_int_equal(pins_acquired(), acquired + 3);
	assert_true(try_grab_page(head + 2, FOLL_PIN));
	assert_int_equal(compound_pincount(head), 4);
	assert_int_equal(sim_page_gup_pins(head), 4);
	put_compound_head(head, 4, FOLL_PIN);
	assert_int_equal(compound_pincount(head), 0);
	assert_int_equal(page_count(head), 1);

	assert_ptr_equal(try_grab_compound_head(head + 3, 2, FOLL_GET), head);
	assert_int_equal(page_count(head), 3);
	put_compound_head(head, 2, FOLL_GET);
	assert_int_equal(page_count(head), 1);
	__free_pages(head, 2);
}

/* --- partial results --- */

static void test_partial_count_at_hole_and_efault_on_first_page(void **state)
{
	struct task_struct *t = start_task("hole");
	unsigned long addr = map_pages(NR, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	struct page *pages[NR];

	(void)state;
	assert_int_equal(sys_munmap(addr + 2 * PAGE_SIZE, 2 * PAGE_SIZE), 0);
	assert_int_equal(gup_under_lock(addr, NR, FOLL_WRITE, pages, NULL), 2);
	put_pages(pages, 2);
	assert_int_equal(pup(addr, NR, FOLL_WRITE, pages), 2);
	unpin_user_pages(pages, 2);
	assert_int_equal(gup_under_lock(addr + 2 * PAGE_SIZE, 2, 0, pages, NULL), -EFAULT);
	assert_int_equal(pup(addr + 2 * PAGE_SIZE, 2, 0, pages), -EFAULT);

	/* A refused VMA part way also ends the walk with the count so far. */
	assert_int_equal(sys_mprotect(addr + PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
	assert_int_equal(gup_under_lock(addr, 2, FOLL_WRITE, pages, NULL), 1);
	put_pages(pages, 1);
	assert_int_equal(gup_under_lock(addr, 2, 0, pages, NULL), 2);
	put_pages(pages, 2);

	/* Populating without a page array works the same way. */
	assert_int_equal(gup_under_lock(addr, NR, 0, NULL, NULL), 2);
	task_exit(t);
}

/*
 * GUP below a MAP_GROWSDOWN mapping grows it, as a fault on the stack would
 * (5.11; from 6.5 it is -EFAULT: tests/test_profile_extras.c).
 */
static void test_gup_grows_the_stack(void **state)
{
	struct task_struct *t = start_task("stack");
	unsigned long stack = map_pages(4, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_GROWSDOWN);
	unsigned long below = stack - 2 * PAGE_SIZE;
	struct vm_area_struct *vma = NULL;
	struct page *page;

	(void)state;
	if (sim_current_profile() == SIM_PROFILE_6_18) {
		assert_int_equal(gup_under_lock(below, 1, FOLL_WRITE, &page, &vma), -EFAULT);
		assert_int_equal(vma_at(t, stack)->vm_start, stack);
		task_exit(t);
		return;
	}
	assert_int_equal(gup_under_lock(below, 1, FOLL_WRITE, &page, &vma), 1);
	assert_ptr_equal(vma, vma_at(t, stack));
	assert_int_equal(vma->vm_start, below);
	assert_true(addr_present(below));
	put_page(page);
	/* Growth stops at a page: far below the guard gap nothing is found. */
	assert_int_equal(gup_under_lock(below - (1UL << 30), 1, 0, &page, NULL), -EFAULT);
	task_exit(t);
}

/* --- misuse --- */

static void test_misuse_is_refused_with_one_warning(void **state)
{
	struct task_struct *t = start_task("misuse");
	unsigned long addr = map_pages(2, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	struct mm_struct *mm = current->mm;
	struct page *pages[2];
	int locked = 1;

	(void)state;
	touch_pages(addr, 2);
	mmap_read_lock(mm);
	/*
	 * FOLL_PIN belongs to pin_user_pages*(); each site warns once. 6.18 makes
	 * the checks in one place for every entry point (is_valid_gup_args), so
	 * each rule warns once whichever entry point breaks it first.
	 */
	assert_warned(get_user_pages(addr, 1, FOLL_GET | FOLL_PIN, pages, NULL), -EINVAL, 1);
	assert_warned(get_user_pages(addr, 1, FOLL_PIN, pages, NULL), -EINVAL, 0);
	assert_warned(get_user_pages_remote(mm, addr, 1, FOLL_LONGTERM, pages, NULL, NULL), -EINVAL,
		      1);
	assert_warned(pin_user_pages(addr, 1, FOLL_GET, pages, NULL), -EINVAL, 1);
	assert_warned(pin_user_pages_remote(mm, addr, 1, FOLL_GET, pages, NULL, NULL), -EINVAL,
		      by_profile(1, 0));
	/* FOLL_LONGTERM cannot be combined with a droppable lock (until 6.3). */
	assert_warned(pin_user_pages_remote(mm, addr, 1, FOLL_LONGTERM, pages, NULL, &locked),
		      by_profile(-EINVAL, 1), by_profile(1, 0));
	assert_int_equal(locked, 1);
	if (profile_is_6_18())
		unpin_user_page(pages[0]);
	assert_warned(get_user_pages_locked(addr, 1, FOLL_LONGTERM, pages, &locked), -EINVAL,
		      by_profile(1, 0));
	assert_warned(get_user_pages_locked(addr, 1, FOLL_PIN, pages, &locked), -EINVAL,
		      by_profile(1, 0));
	assert_warned(pin_user_pages_locked(addr, 1, FOLL_LONGTERM, pages, &locked), -EINVAL, 1);
	assert_warned(pin_user_pages_locked(addr, 1, FOLL_GET, pages, &locked), -EINVAL,
		      by_profile(1, 0));
	/* Pins need a page array. */
	assert_warned(pin_user_pages(addr, 1, 0, NULL, NULL), -EINVAL, 1);
	assert_warned(pin_user_pages(addr, 1, 0, NULL, NULL), -EINVAL, 0);
	/* Nothing asked, nothing done, nothing said. */
	assert_warned(get_user_pages(addr, 0, 0, pages, NULL), 0, 0);
	assert_warned(pin_user_pages(addr, 0, 0, pages, NULL), 0, 0);
	/* A range at the top of the address space. */
	assert_warned(get_user_pages(-PAGE_SIZE, 2, 0, pages, NULL), -EFAULT, 0);
	assert_warned(pin_user_pages(TASK_SIZE, 1, 0, pages, NULL), -EFAULT, 0);
	mmap_read_unlock(mm);

	assert_warned(get_user_pages_unlocked(addr, 1, pages, FOLL_LONGTERM), -EINVAL,
		      by_profile(1, 0));
	assert_warned(pin_user_pages_unlocked(addr, 1, pages, FOLL_GET), -EINVAL, by_profile(1, 0));

	/* Passing a failed call's -errno as a count warns (every time) and does nothing. */
	assert_warned((unpin_user_pages(pages, (unsigned long)-EFAULT), 0), 0, 1);
	assert_warned((unpin_user_pages(pages, (unsigned long)-EINVAL), 0), 0, 1);

	/* GET and PIN together: a warning, and the reference is a plain one. */
	{
		struct page *page = pfn_to_page(pfn_of(current, addr));
		int count = page_count(page);

		assert_warned(try_grab_page(page, FOLL_GET | FOLL_PIN), true, 1);
		assert_int_equal(page_count(page), count + 1);
		put_compound_head(page, 1, FOLL_GET);
		assert_warned(try_grab_compound_head(page, 1, 0) == NULL, true, 1);
	}
	assert_int_equal(pins_acquired(), pins_released());
	task_exit(t);
}

/* --- pfn mappings --- */

static void test_io_pfnmap_is_refused(void **state)
{
	struct task_struct *t = start_task("pfnmap");
	struct page *frame = alloc_page(GFP_KERNEL | __GFP_ZERO);
	unsigned long addr;
	struct vm_area_struct *vma;
	struct page *page;

	(void)state;
	assert_non_null(frame);
	addr = sys_mmap_pfn(page_to_pfn(frame), 1, PROT_READ | PROT_WRITE);
	assert_false(IS_ERR_VALUE(addr));
	assert_int_equal(gup_under_lock(addr, 1, 0, &page, NULL), -EFAULT);
	assert_int_equal(gup_under_lock(addr, 1, FOLL_WRITE | FOLL_FORCE, &page, NULL), -EFAULT);
	assert_int_equal(gup_under_lock(addr, 1, 0, NULL, NULL), -EFAULT);
	assert_int_equal(pup(addr, 1, 0, &page), -EFAULT);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_POPULATE_READ), -EINVAL);
	assert_null(get_dump_page(addr));

	/* follow_page() sees the special PTE: skip it, or refuse a reference. */
	mmap_read_lock(current->mm);
	vma = find_vma(current->mm, addr);
	page = follow_page(vma, addr, FOLL_TOUCH);
	assert_true(IS_ERR_VALUE((unsigned long)page));
	assert_int_equal((long)page, -EEXIST);
	assert_int_equal((long)follow_page(vma, addr, FOLL_GET), -EFAULT);
	mmap_read_unlock(current->mm);

	assert_int_equal(page_count(frame), 1);
	assert_int_equal(sys_munmap(addr, PAGE_SIZE), 0);
	task_exit(t);
	__free_pages(frame, 0);
}

/* --- core dumps --- */

static void test_get_dump_page_leaves_holes(void **state)
{
	struct task_struct *t = start_task("dump");
	unsigned long addr = map_pages(3, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned long free_before;
	struct page *page;

	(void)state;
	/* Untouched anonymous memory is a hole, and nothing gets allocated for it. */
	free_before = sim_free_pages();
	assert_null(get_dump_page(addr));
	assert_int_equal(sim_free_pages(), free_before);
	assert_false(addr_present(addr));

	touch_pages(addr + PAGE_SIZE, 1);
	page = get_dump_page(addr + PAGE_SIZE);
	assert_non_null(page);
	assert_int_equal(page_to_pfn(page), pfn_of(current, addr + PAGE_SIZE));
	put_page(page);

	/* The zero page is left out of dumps too. */
	read_page(addr + 2 * PAGE_SIZE);
	assert_int_equal(pfn_of(current, addr + 2 * PAGE_SIZE), zero_pfn());
	assert_null(get_dump_page(addr + 2 * PAGE_SIZE));

	assert_null(get_dump_page(unmapped_address()));

	/* Dumps see through PROT_NONE, as FOLL_FORCE does. */
	assert_int_equal(sys_mprotect(addr + PAGE_SIZE, PAGE_SIZE, PROT_NONE), 0);
	page = get_dump_page(addr + PAGE_SIZE);
	assert_non_null(page);
	put_page(page);
	task_exit(t);
}

/* --- fixup_user_fault --- */

static void test_fixup_user_fault(void **state)
{
	struct task_struct *t = start_task("fixup");
	unsigned long rw = map_pages(3, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned long ro = map_pages(1, PROT_READ, MAP_PRIVATE);
	unsigned long hole = unmapped_address();
	struct mm_struct *mm = current->mm;
	bool unlocked = false;

	(void)state;
	mmap_read_lock(mm);
	assert_int_equal(fixup_user_fault(mm, rw, FAULT_FLAG_WRITE, NULL), 0);
	assert_int_equal(fixup_user_fault(mm, ro, FAULT_FLAG_WRITE, NULL), -EFAULT);
	assert_int_equal(fixup_user_fault(mm, ro, 0, NULL), 0);
	assert_int_equal(fixup_user_fault(mm, hole, 0, NULL), -EFAULT);
	mmap_read_unlock(mm);
	assert_int_not_equal(pfn_of(current, rw), zero_pfn());
	assert_int_equal(pfn_of(current, ro), zero_pfn());

	/* A fault that drops mmap_lock is retried; the lock is held again after. */
	assert_int_equal(inject_arm("fault_retry", 1, 1), 0);
	mmap_read_lock(mm);
	assert_int_equal(fixup_user_fault(mm, rw + PAGE_SIZE, FAULT_FLAG_WRITE, &unlocked), 0);
	assert_true(unlocked);
	assert_true(rwsem_is_locked(&mm->mmap_lock));
	mmap_read_unlock(mm);
	assert_int_equal(inject_fired(INJECT_FAULT_RETRY), 1);
	assert_true(addr_present(rw + PAGE_SIZE));

	/* Fault errors map to errnos. */
	assert_int_equal(inject_arm("fault_sigbus", 1, 1), 0);
	mmap_read_lock(mm);
	assert_int_equal(fixup_user_fault(mm, rw + 2 * PAGE_SIZE, 0, NULL), -EFAULT);
	assert_int_equal(inject_arm("fault_oom", 1, 1), 0);
	assert_int_equal(fixup_user_fault(mm, rw + 2 * PAGE_SIZE, 0, NULL), -ENOMEM);
	mmap_read_unlock(mm);

	/* A killable fixup gives up for a dying task. */
	task_kill(t);
	mmap_read_lock(mm);
	assert_int_equal(fixup_user_fault(mm, rw + 2 * PAGE_SIZE, 0, &unlocked), -EINTR);
	mmap_read_unlock(mm);
	task_exit(t);
}

/*
 * FOLL_GET and FOLL_PIN together are a caller's bug: 5.11's follow_page_pte() warns
 * and answers -EINVAL; from 5.19 follow_page() refuses any FOLL_PIN (NULL). No
 * reference is taken either way.
 */
static void test_follow_page_get_and_pin_is_refused(void **state)
{
	struct task_struct *t = start_task("both");
	unsigned long addr = map_pages(1, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	struct page *page;

	(void)state;
	touch_pages(addr, 1);
	page = pfn_to_page(pfn_of(t, addr));
	mmap_read_lock(t->mm);
	assert_warned((long)follow_page(vma_at(t, addr), addr, FOLL_GET | FOLL_PIN),
		      by_profile(-EINVAL, 0), 1);
	mmap_read_unlock(t->mm);
	assert_int_equal(page_ref_count(page), 1);
	assert_false(page_maybe_dma_pinned(page));
	task_exit(t);
}

/* --- signals and the retry protocol --- */

static void test_fatal_signal_stops_the_walk(void **state)
{
	struct task_struct *t = start_task("killed");
	unsigned long addr = map_pages(NR, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	struct task_struct *u;
	struct page *pages[NR];

	(void)state;
	/* The signal arrives at the third page's iteration: two pages are reported. */
	touch_pages(addr, NR);
	assert_int_equal(inject_arm("gup_signal", 3, 1), 0);
	assert_int_equal(gup_under_lock(addr, NR, 0, pages, NULL), 2);
	assert_true(fatal_signal_pending(t));
	put_pages(pages, 2);

	/* Already dying: nothing at all. */
	assert_int_equal(gup_under_lock(addr, NR, 0, pages, NULL), -EINTR);
	assert_int_equal(pup(addr, NR, 0, pages), -EINTR);
	assert_int_equal(get_user_pages_unlocked(addr, NR, pages, 0), -EINTR);
	assert_int_equal(pin_user_pages_unlocked(addr, NR, pages, 0), -EINTR);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_POPULATE_READ), -EINTR);
	task_exit(t);

	/* The signal arrives while retrying a fault that dropped the lock. */
	u = start_task("killed2");
	addr = map_pages(NR, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	touch_pages(addr, 1);
	assert_int_equal(inject_arm("fault_retry", 1, 1), 0);
	assert_int_equal(inject_arm("gup_signal", 3, 1), 0);
	assert_int_equal(get_user_pages_unlocked(addr, NR, pages, 0), 1);
	put_pages(pages, 1);
	task_exit(u);
	assert_int_equal(pins_acquired(), pins_released());
}

static void test_retry_protocol(void **state)
{
	struct task_struct *t = start_task("retry");
	unsigned long addr = map_pages(NR, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	struct mm_struct *mm = current->mm;
	struct page *pages[NR];
	int locked;

	(void)state;
	/* _unlocked: a fault dropping the lock costs nothing visible. */
	assert_int_equal(inject_arm("fault_retry", 2, 1), 0);
	assert_int_equal(pin_user_pages_unlocked(addr, NR, pages, FOLL_WRITE), NR);
	assert_int_equal(inject_fired(INJECT_FAULT_RETRY), 1);
	for (int i = 0; i < NR; i++)
		assert_int_equal(page_to_pfn(pages[i]), pfn_of(current, addr + i * PAGE_SIZE));
	unpin_user_pages(pages, NR);
	assert_false(rwsem_is_locked(&mm->mmap_lock));

	/* _locked: all pages, but the caller learns the lock is gone. */
	assert_int_equal(sys_madvise(addr, NR * PAGE_SIZE, MADV_DONTNEED), 0);
	assert_int_equal(inject_arm("fault_retry", 3, 1), 0);
	locked = 1;
	mmap_read_lock(mm);
	assert_int_equal(get_user_pages_locked(addr, NR, FOLL_WRITE, pages, &locked), NR);
	assert_int_equal(locked, 0);
	assert_false(rwsem_is_locked(&mm->mmap_lock));
	put_pages(pages, NR);

	/* No fault dropped it: the lock stays held. */
	locked = 1;
	mmap_read_lock(mm);
	assert_int_equal(pin_user_pages_locked(addr, NR, FOLL_WRITE, pages, &locked), NR);
	assert_int_equal(locked, 1);
	mmap_read_unlock(mm);
	unpin_user_pages(pages, NR);

	/* FOLL_NOWAIT: the fault keeps the lock and the call returns 0 pages. */
	assert_int_equal(sys_madvise(addr, NR * PAGE_SIZE, MADV_DONTNEED), 0);
	assert_int_equal(inject_arm("fault_retry", 1, 1), 0);
	locked = 1;
	mmap_read_lock(mm);
	assert_int_equal(get_user_pages_locked(addr, NR, FOLL_NOWAIT, pages, &locked), 0);
	assert_int_equal(locked, 1);
	mmap_read_unlock(mm);

	/* Without @locked no fault is allowed to drop the lock. */
	assert_int_equal(inject_arm("fault_retry", 1, 0), 0);
	assert_int_equal(gup_under_lock(addr, NR, FOLL_WRITE, pages, NULL), NR);
	put_pages(pages, NR);
	inject_disarm_all();
	task_exit(t);
}

static void test_longterm_pins(void **state)
{
	struct task_struct *t = start_task("longterm");
	unsigned long addr = map_pages(2, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	struct page *pages[2];

	(void)state;
	assert_int_equal(pup(addr, 2, FOLL_LONGTERM | FOLL_WRITE, pages), 2);
	assert_true(page_maybe_dma_pinned(pages[0]));
	unpin_user_pages(pages, 2);
	mmap_read_lock(current->mm);
	assert_int_equal(
		pin_user_pages_remote(current->mm, addr, 2, FOLL_LONGTERM, pages, NULL, NULL), 2);
	mmap_read_unlock(current->mm);
	unpin_user_pages(pages, 2);
	/* Long-term pins of a shared mapping are fine too (no DAX here). */
	addr = map_pages(1, PROT_READ | PROT_WRITE, MAP_SHARED);
	assert_int_equal(pup(addr, 1, FOLL_LONGTERM | FOLL_WRITE, pages), 1);
	unpin_user_page(pages[0]);
	task_exit(t);
}

/* --- partial counts, vmas and partial transfers across every entry point --- */

/*
 * Every slow-path entry point reports the pages before a hole (never the
 * -EFAULT the walk ended with), and -EFAULT when the hole comes first. With a
 * droppable lock the count must also survive a fault that dropped mmap_lock
 * before the walk reached the hole. Pins count in the vmstat, gets do not.
 */
static void test_partial_count_at_hole_for_every_entry_point(void **state)
{
	struct task_struct *t = start_task("holes");
	unsigned long addr = map_pages(NR, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned long hole = addr + 2 * PAGE_SIZE;
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma, *vmas[NR];
	struct page *pages[NR];
	unsigned long acquired;
	int locked;

	(void)state;
	touch_pages(addr, 2);
	assert_int_equal(sys_munmap(hole, 2 * PAGE_SIZE), 0);
	vma = vma_at(t, addr);
	assert_non_null(vma);
	acquired = pins_acquired();

	mmap_read_lock(mm);
	memset(vmas, 0, sizeof(vmas));
	assert_int_equal(get_user_pages_remote(mm, addr, NR, FOLL_WRITE, pages, vmas, NULL), 2);
	assert_ptr_equal(vmas[0], vma);
	assert_ptr_equal(vmas[1], vma);
	assert_int_equal(pins_acquired(), acquired);
	put_pages(pages, 2);
	assert_int_equal(pin_user_pages_remote(mm, addr, NR, FOLL_WRITE, pages, NULL, NULL), 2);
	assert_int_equal(pins_acquired(), acquired + 2);
	unpin_user_pages(pages, 2);

	locked = 1;
	assert_int_equal(get_user_pages_remote(mm, addr, NR, 0, pages, NULL, &locked), 2);
	assert_int_equal(locked, 1);
	put_pages(pages, 2);
	assert_int_equal(pin_user_pages_remote(mm, addr, NR, 0, pages, NULL, &locked), 2);
	assert_int_equal(locked, 1);
	unpin_user_pages(pages, 2);
	assert_int_equal(get_user_pages_locked(addr, NR, 0, pages, &locked), 2);
	assert_int_equal(locked, 1);
	put_pages(pages, 2);
	assert_int_equal(pin_user_pages_locked(addr, NR, FOLL_WRITE, pages, &locked), 2);
	assert_int_equal(locked, 1);
	unpin_user_pages(pages, 2);

	/* The hole first: the error, and nothing taken. */
	assert_int_equal(get_user_pages_remote(mm, hole, 2, 0, pages, NULL, NULL), -EFAULT);
	assert_int_equal(pin_user_pages_remote(mm, hole, 2, 0, pages, NULL, NULL), -EFAULT);
	assert_int_equal(get_user_pages_remote(mm, hole, 2, 0, pages, NULL, &locked), -EFAULT);
	assert_int_equal(get_user_pages_locked(hole, 2, 0, pages, &locked), -EFAULT);
	assert_int_equal(pin_user_pages_locked(hole, 2, 0, pages, &locked), -EFAULT);
	assert_int_equal(locked, 1);
	mmap_read_unlock(mm);

	assert_int_equal(get_user_pages_unlocked(addr, NR, pages, 0), 2);
	put_pages(pages, 2);
	assert_int_equal(pin_user_pages_unlocked(addr, NR, pages, FOLL_WRITE), 2);
	unpin_user_pages(pages, 2);
	assert_int_equal(get_user_pages_unlocked(hole, 2, pages, 0), -EFAULT);
	assert_int_equal(pin_user_pages_unlocked(hole, 2, pages, 0), -EFAULT);
	assert_int_equal(pins_acquired(), acquired + 8);

	/* Page 1 faults and drops the lock; the walk resumes and stops at the hole. */
	assert_int_equal(sys_madvise(addr + PAGE_SIZE, PAGE_SIZE, MADV_DONTNEED), 0);
	assert_int_equal(inject_arm("fault_retry", 1, 1), 0);
	locked = 1;
	mmap_read_lock(mm);
	assert_int_equal(get_user_pages_locked(addr, NR, FOLL_WRITE, pages, &locked), 2);
	assert_int_equal(inject_fired(INJECT_FAULT_RETRY), 1);
	assert_int_equal(locked, 0);
	assert_false(rwsem_is_locked(&mm->mmap_lock));
	assert_int_equal(page_to_pfn(pages[1]), pfn_of(current, addr + PAGE_SIZE));
	put_pages(pages, 2);

	assert_int_equal(sys_madvise(addr + PAGE_SIZE, PAGE_SIZE, MADV_DONTNEED), 0);
	assert_int_equal(inject_arm("fault_retry", 1, 1), 0);
	assert_int_equal(pin_user_pages_unlocked(addr, NR, pages, FOLL_WRITE), 2);
	assert_int_equal(inject_fired(INJECT_FAULT_RETRY), 1);
	unpin_user_pages(pages, 2);

	assert_int_equal(sys_madvise(addr + PAGE_SIZE, PAGE_SIZE, MADV_DONTNEED), 0);
	assert_int_equal(inject_arm("fault_retry", 1, 1), 0);
	locked = 1;
	mmap_read_lock(mm);
	assert_int_equal(pin_user_pages_remote(mm, addr, NR, FOLL_WRITE, pages, NULL, &locked), 2);
	assert_int_equal(inject_fired(INJECT_FAULT_RETRY), 1);
	assert_int_equal(locked, 0);
	unpin_user_pages(pages, 2);
	inject_disarm_all();
	assert_int_equal(pins_acquired(), pins_released());
	task_exit(t);
}

/*
 * FOLL_LONGTERM pins fill the caller's vmas[], also when the walk ends at a
 * hole. (Checked after mmap_lock is released, so a failure cannot leave it held.)
 */
static void test_longterm_pins_fill_vmas(void **state)
{
	struct task_struct *t = start_task("ltvmas");
	unsigned long addr = map_pages(NR, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma, *vmas[NR], *rvmas[NR];
	struct page *pages[NR], *rpages[NR];
	unsigned long acquired = pins_acquired();
	long ret, rret;

	(void)state;
	vma = vma_at(t, addr);
	assert_non_null(vma);
	memset(vmas, 0, sizeof(vmas));
	memset(rvmas, 0, sizeof(rvmas));
	mmap_read_lock(mm);
	ret = pin_user_pages(addr, NR, FOLL_LONGTERM | FOLL_WRITE, pages, vmas);
	rret = pin_user_pages_remote(mm, addr, NR, FOLL_LONGTERM, rpages, rvmas, NULL);
	mmap_read_unlock(mm);
	assert_int_equal(ret, NR);
	assert_int_equal(rret, NR);
	for (int i = 0; i < NR; i++) {
		assert_ptr_equal(vmas[i], vma);
		assert_ptr_equal(rvmas[i], vma);
		assert_true(page_maybe_dma_pinned(pages[i]));
	}
	unpin_user_pages(pages, NR);
	unpin_user_pages(rpages, NR);
	assert_int_equal(pins_acquired(), acquired + 2 * NR);

	assert_int_equal(sys_munmap(addr + 2 * PAGE_SIZE, 2 * PAGE_SIZE), 0);
	vma = vma_at(t, addr);
	memset(vmas, 0, sizeof(vmas));
	mmap_read_lock(mm);
	ret = pin_user_pages(addr, NR, FOLL_LONGTERM, pages, vmas);
	rret = pin_user_pages(addr + 2 * PAGE_SIZE, 1, FOLL_LONGTERM, rpages, rvmas);
	mmap_read_unlock(mm);
	assert_int_equal(ret, 2);
	assert_int_equal(rret, -EFAULT);
	assert_ptr_equal(vmas[0], vma);
	assert_ptr_equal(vmas[1], vma);
	assert_null(vmas[2]);
	unpin_user_pages(pages, 2);
	assert_int_equal(pins_acquired(), pins_released());
	task_exit(t);
}

/* make_dirty=false leaves every clean page clean; true dirties every page. */
static void test_unpin_dirty_lock_false_leaves_all_pages_clean(void **state)
{
	struct task_struct *t = start_task("clean");
	unsigned long addr = map_pages(NR, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned long released = pins_released();
	struct page *pages[NR];
	int base;

	(void)state;
	touch_pages(addr, NR);
	for (int i = 0; i < NR; i++)
		ClearPageDirty(pfn_to_page(pfn_of(current, addr + i * PAGE_SIZE)));
	base = page_count(pfn_to_page(pfn_of(current, addr)));
	assert_int_equal(pup(addr, NR, FOLL_WRITE, pages), NR);
	for (int i = 0; i < NR; i++)
		assert_false(PageDirty(pages[i]));
	unpin_user_pages_dirty_lock(pages, NR, false);
	assert_int_equal(pins_released(), released + NR);
	for (int i = 0; i < NR; i++) {
		struct page *page = pfn_to_page(pfn_of(current, addr + i * PAGE_SIZE));

		assert_false(PageDirty(page));
		assert_false(page_maybe_dma_pinned(page));
		assert_int_equal(page_count(page), base);
	}
	assert_int_equal(pup(addr, NR, 0, pages), NR);
	unpin_user_pages_dirty_lock(pages, NR, true);
	for (int i = 0; i < NR; i++)
		assert_true(PageDirty(pfn_to_page(pfn_of(current, addr + i * PAGE_SIZE))));
	assert_int_equal(pins_acquired(), pins_released());
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_rw_anon_read_and_write),
		GUP_TEST(test_write_gup_faults_in_private_pages),
		GUP_TEST(test_read_of_untouched_memory_is_the_zero_page),
		GUP_TEST(test_permission_matrix),
		GUP_TEST(test_forced_write_breaks_cow_and_spares_the_child),
		GUP_TEST(test_forced_write_to_shared_readonly_fails),
		GUP_TEST(test_pin_adds_bias_and_counts_vmstat),
		GUP_TEST(test_unpin_dirty_lock_dirties_clean_pages_only_when_asked),
		GUP_TEST(test_grab_and_put_compound_head_on_order2_page),
		GUP_TEST(test_partial_count_at_hole_and_efault_on_first_page),
		GUP_TEST(test_gup_grows_the_stack),
		GUP_TEST(test_misuse_is_refused_with_one_warning),
		GUP_TEST(test_io_pfnmap_is_refused),
		GUP_TEST(test_get_dump_page_leaves_holes),
		GUP_TEST(test_fixup_user_fault),
		GUP_TEST(test_follow_page_get_and_pin_is_refused),
		GUP_TEST(test_fatal_signal_stops_the_walk),
		GUP_TEST(test_retry_protocol),
		GUP_TEST(test_longterm_pins),
		GUP_TEST(test_partial_count_at_hole_for_every_entry_point),
		GUP_TEST(test_longterm_pins_fill_vmas),
		GUP_TEST(test_unpin_dirty_lock_false_leaves_all_pages_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
