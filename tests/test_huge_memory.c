// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_huge_memory.c - anonymous transparent huge pages: the boot knob and
 * MADV_(NO)HUGEPAGE, huge faults and the huge zero page, splits forced by munmap and
 * mprotect, fork (shared, or split under a pin), and GUP on a huge pmd.
 */
#include "harness.h"
#include "mm/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define THP_BASE 0x40000000UL /* 2 MiB aligned */

static void boot_thp(enum sim_thp thp, bool no_zero_page)
{
	struct sim_config cfg = {.thp = thp, .thp_no_zero_page = no_zero_page};

	assert_int_equal(sim_boot(&cfg), 0);
}

/* Two huge ranges at THP_BASE, advised MADV_HUGEPAGE when @advise. */
static unsigned long map_huge_area(unsigned long prot, bool advise)
{
	unsigned long addr = sys_mmap(THP_BASE, 2 * HPAGE_PMD_SIZE, prot, ANON | MAP_FIXED, -1, 0);

	assert_int_equal(addr, THP_BASE);
	if (advise)
		assert_int_equal(sys_madvise(addr, 2 * HPAGE_PMD_SIZE, MADV_HUGEPAGE), 0);
	return addr;
}

static pmd_t pmd_at(unsigned long addr)
{
	pmd_t *pmd = mm_alloc_pmd(current->mm, addr);

	assert_non_null(pmd);
	return pmdp_get(pmd);
}

static bool huge_at(unsigned long addr)
{
	return pmd_trans_huge(pmd_at(addr));
}

static char byte_at(unsigned long addr)
{
	char c = 0;

	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	return c;
}

/* current's smaps text contains @line. */
static void assert_smaps_has(const char *line)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	assert_int_equal(show_smaps(out, current->mm), 0);
	fclose(out);
	assert_non_null(strstr(text, line));
	free(text);
}

static void finish(struct task_struct *t)
{
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/* --- the knobs --- */

static void test_write_fault_maps_one_thp(void **state)
{
	struct task_struct *t;
	unsigned long addr;
	struct page *head;

	(void)state;
	boot_thp(SIM_THP_MADVISE, false);
	t = start_task("thp");
	addr = map_huge_area(RW, true);
	touch_page(addr + 5 * PAGE_SIZE);
	assert_true(huge_at(addr));
	head = pmd_page(pmd_at(addr));
	assert_true(PageHead(head));
	assert_int_equal(compound_order(head), HPAGE_PMD_ORDER);
	assert_int_equal(pfn_of(t, addr + 5 * PAGE_SIZE), page_to_pfn(head) + 5);
	assert_int_equal(global_node_page_state(NR_ANON_THPS), 1);
	assert_int_equal(global_node_page_state(NR_ANON_MAPPED), HPAGE_PMD_NR);
	assert_int_equal(atomic_long_read(&t->mm->rss_anon), HPAGE_PMD_NR);
	assert_int_equal(byte_at(addr + 5 * PAGE_SIZE), 'w');
	assert_int_equal(byte_at(addr + 6 * PAGE_SIZE), 0);
	assert_false(huge_at(addr + HPAGE_PMD_SIZE)); /* never touched */
	assert_smaps_has("\nAnonHugePages:      2048 kB\n");
	finish(t);
	assert_int_equal(global_node_page_state(NR_ANON_THPS), 0);
}

static void test_madvise_knob_needs_advice(void **state)
{
	struct task_struct *t;
	unsigned long addr;

	(void)state;
	boot_thp(SIM_THP_MADVISE, false);
	t = start_task("thp");
	addr = map_huge_area(RW, false);
	touch_page(addr);
	assert_false(huge_at(addr));
	assert_int_equal(global_node_page_state(NR_ANON_MAPPED), 1);
	finish(t);
}

static void test_always_and_never(void **state)
{
	struct task_struct *t;
	unsigned long addr;

	(void)state;
	boot_thp(SIM_THP_ALWAYS, false);
	t = start_task("thp");
	addr = map_huge_area(RW, false);
	touch_page(addr);
	assert_true(huge_at(addr));
	finish(t);

	boot_thp(SIM_THP_NEVER, false);
	t = start_task("thp");
	addr = map_huge_area(RW, true);
	touch_page(addr);
	assert_false(huge_at(addr));
	finish(t);
}

static void test_nohugepage_splits_vma_and_stays_small(void **state)
{
	struct task_struct *t;
	unsigned long addr;

	(void)state;
	boot_thp(SIM_THP_ALWAYS, false);
	t = start_task("thp");
	addr = map_huge_area(RW, false);
	assert_int_equal(sys_madvise(addr, HPAGE_PMD_SIZE, MADV_NOHUGEPAGE), 0);
	assert_true(vma_at(t, addr)->vm_flags & VM_NOHUGEPAGE);
	assert_int_equal(vma_at(t, addr)->vm_end, addr + HPAGE_PMD_SIZE);
	assert_false(vma_at(t, addr + HPAGE_PMD_SIZE)->vm_flags & VM_NOHUGEPAGE);
	touch_page(addr);
	touch_page(addr + HPAGE_PMD_SIZE);
	assert_false(huge_at(addr));
	assert_true(huge_at(addr + HPAGE_PMD_SIZE));
	/* MADV_HUGEPAGE clears it again, and the VMAs merge back. */
	assert_int_equal(sys_madvise(addr, HPAGE_PMD_SIZE, MADV_HUGEPAGE), 0);
	assert_int_equal(vma_at(t, addr)->vm_flags & VM_NOHUGEPAGE, 0);
	finish(t);
}

/* A VMA too small for one aligned huge range never gets a huge fault. */
static void test_unaligned_vma_stays_small(void **state)
{
	struct task_struct *t;
	unsigned long addr;

	(void)state;
	boot_thp(SIM_THP_ALWAYS, false);
	t = start_task("thp");
	addr = sys_mmap(THP_BASE + PAGE_SIZE, HPAGE_PMD_SIZE, RW, ANON | MAP_FIXED, -1, 0);
	assert_int_equal(addr, THP_BASE + PAGE_SIZE);
	touch_page(addr);
	assert_false(huge_at(addr));
	finish(t);
}

/* --- allocation failure, the huge zero page --- */

static void test_allocation_failure_falls_back(void **state)
{
	struct task_struct *t;
	unsigned long addr;

	(void)state;
	boot_thp(SIM_THP_MADVISE, false);
	t = start_task("thp");
	addr = map_huge_area(RW, true);
	touch_page(addr + HPAGE_PMD_SIZE); /* the upper tables exist: the next alloc is the THP */
	assert_int_equal(inject_arm("page_alloc", 1, 1), 0);
	touch_page(addr);
	inject_disarm_all();
	assert_false(huge_at(addr));
	assert_true(huge_at(addr + HPAGE_PMD_SIZE));
	assert_int_equal(byte_at(addr), 'w');
	assert_int_equal(global_node_page_state(NR_ANON_THPS), 1);
	assert_int_equal(global_node_page_state(NR_ANON_MAPPED), HPAGE_PMD_NR + 1);
	finish(t);
}

static void test_read_fault_maps_huge_zero_page(void **state)
{
	struct task_struct *t;
	unsigned long addr;

	(void)state;
	boot_thp(SIM_THP_MADVISE, false);
	t = start_task("thp");
	addr = map_huge_area(RW, true);
	assert_int_equal(byte_at(addr + 7 * PAGE_SIZE), 0);
	assert_true(huge_at(addr));
	assert_true(is_huge_zero_pmd(pmd_at(addr)));
	assert_false(pmd_write(pmd_at(addr)));
	assert_int_equal(atomic_long_read(&t->mm->rss_anon), 0);
	assert_smaps_has("\nAnonHugePages:         0 kB\n");
	/* A write splits it (5.8+): one small page, the rest the small zero page. */
	touch_page(addr + 7 * PAGE_SIZE);
	assert_false(huge_at(addr));
	assert_int_equal(byte_at(addr + 7 * PAGE_SIZE), 'w');
	assert_int_equal(pfn_of(t, addr), zero_pfn());
	assert_int_equal(global_node_page_state(NR_ANON_MAPPED), 1);
	finish(t);
}

static void test_no_zero_page_knob(void **state)
{
	struct task_struct *t;
	unsigned long addr;

	(void)state;
	boot_thp(SIM_THP_MADVISE, true);
	t = start_task("thp");
	addr = map_huge_area(RW, true);
	assert_int_equal(byte_at(addr), 0);
	assert_true(huge_at(addr));
	assert_false(is_huge_zero_pmd(pmd_at(addr)));
	assert_int_equal(global_node_page_state(NR_ANON_THPS), 1);
	finish(t);
}

/* CVE-2017-1000405: a forced write into a read-only huge zero page must copy. */
static void test_forced_write_never_changes_huge_zero_page(void **state)
{
	struct task_struct *t;
	unsigned long addr;
	struct page *page, *zero;
	static const char none[PAGE_SIZE];

	(void)state;
	boot_thp(SIM_THP_MADVISE, false);
	t = start_task("thp");
	addr = map_huge_area(PROT_READ, true);
	assert_int_equal(byte_at(addr), 0);
	zero = pmd_page(pmd_at(addr));
	assert_true(is_huge_zero_page(zero));
	assert_int_equal(get_user_pages(addr, 1, FOLL_WRITE | FOLL_FORCE, &page, NULL), 1);
	assert_true(page_to_pfn(page) < page_to_pfn(zero) ||
		    page_to_pfn(page) >= page_to_pfn(zero) + HPAGE_PMD_NR);
	memset(page_address(page), 'x', PAGE_SIZE);
	put_page(page);
	for (int i = 0; i < HPAGE_PMD_NR; i++)
		assert_memory_equal(page_address(zero + i), none, PAGE_SIZE);
	assert_int_equal(byte_at(addr), 'x');
	assert_int_equal(byte_at(addr + PAGE_SIZE), 0);
	finish(t);
}

/*
 * can_follow_write_pmd(): a read-only huge pmd takes a forced write only with FOLL_COW
 * and only while dirty, that is only once our own COW wrote it (5.11's Dirty COW rule).
 * 6.18 has no FOLL_COW: the THP must be exclusive, dirty or not.
 */
static void test_forced_write_follows_read_only_pmd_only_when_dirty(void **state)
{
	const unsigned int forced = FOLL_WRITE | FOLL_FORCE | FOLL_GET;
	struct vm_area_struct *vma;
	struct task_struct *t;
	unsigned long addr;
	struct page *page;
	pmd_t *pmdp;

	(void)state;
	boot_thp(SIM_THP_MADVISE, false);
	t = start_task("thp");
	addr = map_huge_area(RW, true);
	touch_page(addr);
	assert_int_equal(sys_mprotect(addr, HPAGE_PMD_SIZE, PROT_READ), 0);
	assert_true(huge_at(addr));
	mmap_read_lock(current->mm);
	vma = vma_at(current, addr);
	pmdp = mm_alloc_pmd(current->mm, addr);
	if (profile_is_6_18()) {
		struct page *head = pmd_page(pmdp_get(pmdp));

		set_pmd(pmdp, __pmd(pmd_val(pmdp_get(pmdp)) & ~_PAGE_DIRTY));
		page = follow_page(vma, addr, forced);
		assert_true(page && !IS_ERR_VALUE(page));
		put_page(page);
		ClearPageAnonExclusive(head); /* as if fork shared it */
		assert_null(follow_page(vma, addr, forced | FOLL_COW));
		SetPageAnonExclusive(head);
	} else {
		assert_null(follow_page(vma, addr, forced));
		page = follow_page(vma, addr, forced | FOLL_COW);
		assert_true(page && !IS_ERR_VALUE(page));
		put_page(page);
		set_pmd(pmdp, __pmd(pmd_val(pmdp_get(pmdp)) & ~_PAGE_DIRTY));
		assert_null(follow_page(vma, addr, forced | FOLL_COW));
	}
	mmap_read_unlock(current->mm);
	finish(t);
}

/* --- splits --- */

static void test_partial_munmap_splits_and_keeps_data(void **state)
{
	struct task_struct *t;
	unsigned long addr;

	(void)state;
	boot_thp(SIM_THP_MADVISE, false);
	t = start_task("thp");
	addr = map_huge_area(RW, true);
	touch_pages(addr, 26);
	assert_true(huge_at(addr));
	assert_int_equal(sys_munmap(addr + 3 * PAGE_SIZE, PAGE_SIZE), 0);
	assert_false(huge_at(addr));
	assert_int_equal(global_node_page_state(NR_ANON_THPS), 0);
	assert_int_equal(global_node_page_state(NR_ANON_MAPPED), HPAGE_PMD_NR - 1);
	assert_int_equal(atomic_long_read(&t->mm->rss_anon), HPAGE_PMD_NR - 1);
	for (unsigned long i = 0; i < 26; i++)
		if (i != 3)
			assert_int_equal(byte_at(addr + i * PAGE_SIZE), 'a' + i);
	assert_int_equal(sim_check(NULL), 0);
	/* MADV_DONTNEED of part of what is left, then the whole range. */
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_DONTNEED), 0);
	assert_int_equal(byte_at(addr + PAGE_SIZE), 'b');
	assert_int_equal(sys_munmap(addr, HPAGE_PMD_SIZE), 0);
	assert_int_equal(global_node_page_state(NR_ANON_MAPPED), 0);
	finish(t);
}

static void test_mprotect_half_splits_whole_stays_huge(void **state)
{
	struct task_struct *t;
	unsigned long addr;
	char c = 'z';

	(void)state;
	boot_thp(SIM_THP_MADVISE, false);
	t = start_task("thp");
	addr = map_huge_area(RW, true);
	touch_page(addr);
	touch_page(addr + HPAGE_PMD_SIZE);
	assert_int_equal(sys_mprotect(addr, HPAGE_PMD_SIZE / 2, PROT_READ), 0);
	assert_false(huge_at(addr));
	assert_int_equal(copy_to_user(addr, &c, 1), 1);
	assert_int_equal(copy_to_user(addr + HPAGE_PMD_SIZE / 2, &c, 1), 0);
	assert_int_equal(sys_mprotect(addr + HPAGE_PMD_SIZE, HPAGE_PMD_SIZE, PROT_READ), 0);
	assert_true(huge_at(addr + HPAGE_PMD_SIZE));
	assert_false(pmd_write(pmd_at(addr + HPAGE_PMD_SIZE)));
	assert_int_equal(copy_to_user(addr + HPAGE_PMD_SIZE, &c, 1), 1);
	assert_int_equal(byte_at(addr + HPAGE_PMD_SIZE), 'w');
	finish(t);
}

/* A VMA cut that touches no page table (madvise, mlock) still splits the pmd it cuts. */
static void test_vma_cut_by_madvise_or_mlock_splits(void **state)
{
	struct task_struct *t;
	unsigned long addr;

	(void)state;
	boot_thp(SIM_THP_MADVISE, false);
	t = start_task("thp");
	addr = map_huge_area(RW, true);
	touch_pages(addr, 3);
	touch_page(addr + HPAGE_PMD_SIZE);
	assert_int_equal(sys_madvise(addr, HPAGE_PMD_SIZE / 2, MADV_NOHUGEPAGE), 0);
	assert_false(huge_at(addr));
	assert_int_equal(byte_at(addr + 2 * PAGE_SIZE), 'c');
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sys_mlock(addr + HPAGE_PMD_SIZE + PAGE_SIZE, PAGE_SIZE), 0);
	assert_false(huge_at(addr + HPAGE_PMD_SIZE));
	assert_int_equal(byte_at(addr + HPAGE_PMD_SIZE), 'w');
	finish(t);
}

/* --- fork --- */

static void test_fork_shares_thp_and_cow_splits(void **state)
{
	struct task_struct *parent, *child;
	unsigned long addr;
	struct page *head;

	(void)state;
	boot_thp(SIM_THP_MADVISE, false);
	parent = start_task("thp");
	addr = map_huge_area(RW, true);
	touch_pages(addr, 4);
	head = pmd_page(pmd_at(addr));
	child = sys_fork();
	assert_non_null(child);
	assert_false(pmd_write(pmd_at(addr)));
	assert_int_equal(page_mapcount(head), 2);
	set_current(child);
	assert_true(huge_at(addr));
	assert_ptr_equal(pmd_page(pmd_at(addr)), head);
	assert_int_equal(byte_at(addr + PAGE_SIZE), 'b');
	assert_int_equal(sim_check(NULL), 0);
	touch_page(addr + PAGE_SIZE); /* COW: the child's pmd splits, one page copied */
	assert_false(huge_at(addr));
	assert_int_equal(byte_at(addr + PAGE_SIZE), 'w');
	assert_int_equal(byte_at(addr + 2 * PAGE_SIZE), 'c');
	assert_int_equal(sim_check(NULL), 0);
	set_current(parent);
	assert_int_equal(byte_at(addr + PAGE_SIZE), 'b');
	task_exit(child);
	set_current(parent);
	/* Mapped once again: the write reuses the THP in place. */
	touch_page(addr);
	assert_true(huge_at(addr));
	assert_true(pmd_write(pmd_at(addr)));
	finish(parent);
}

static void test_pinned_thp_across_fork_stays_coherent(void **state)
{
	struct task_struct *parent, *child;
	unsigned long addr;
	struct page *page;
	char c = 'p';

	(void)state;
	boot_thp(SIM_THP_MADVISE, false);
	parent = start_task("thp");
	addr = map_huge_area(RW, true);
	touch_pages(addr, 2);
	assert_int_equal(pin_user_pages(addr, 1, FOLL_WRITE, &page, NULL), 1);
	child = sys_fork();
	assert_non_null(child);
	/* 5.11: the parent's pmd was split, the child got its own small pages. */
	assert_false(huge_at(addr));
	assert_int_equal(pfn_of(parent, addr), page_to_pfn(page));
	assert_int_not_equal(pfn_of(child, addr), page_to_pfn(page));
	assert_int_equal(copy_to_user(addr, &c, 1), 0);
	assert_int_equal(*(char *)page_address(page), 'p');
	*(char *)page_address(page) = 'q';
	assert_int_equal(byte_at(addr), 'q');
	set_current(child);
	assert_int_equal(byte_at(addr), 'a');
	assert_int_equal(byte_at(addr + PAGE_SIZE), 'b');
	task_exit(child);
	set_current(parent);
	unpin_user_page(page);
	finish(parent);
}

/* --- GUP --- */

static void test_slow_gup_pins_subpages_exactly(void **state)
{
	static struct page *pages[HPAGE_PMD_NR];
	struct task_struct *t;
	unsigned long addr;
	struct page *head;
	int ref;

	(void)state;
	boot_thp(SIM_THP_MADVISE, false);
	t = start_task("thp");
	addr = map_huge_area(RW, true);
	touch_page(addr);
	head = pmd_page(pmd_at(addr));
	ref = page_ref_count(head);
	assert_int_equal(
		pin_user_pages(addr + PAGE_SIZE, HPAGE_PMD_NR - 1, FOLL_WRITE, pages, NULL),
		HPAGE_PMD_NR - 1);
	for (int i = 0; i < HPAGE_PMD_NR - 1; i++)
		assert_ptr_equal(pages[i], head + 1 + i);
	assert_int_equal(compound_pincount(head), HPAGE_PMD_NR - 1);
	assert_int_equal(page_ref_count(head), ref + HPAGE_PMD_NR - 1);
	assert_true(page_maybe_dma_pinned(head + 9));
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_pages(pages, HPAGE_PMD_NR - 1);
	assert_int_equal(compound_pincount(head), 0);
	assert_false(page_maybe_dma_pinned(head));
	/* Without a page array the walk takes the rest of the huge page in one step. */
	assert_int_equal(get_user_pages(addr, HPAGE_PMD_NR, FOLL_WRITE, NULL, NULL), HPAGE_PMD_NR);
	finish(t);
}

static void test_fast_gup_pins_subpages_exactly(void **state)
{
	static struct page *pages[HPAGE_PMD_NR + 2];
	struct task_struct *t;
	unsigned long addr, faults;
	struct page *head;

	(void)state;
	boot_thp(SIM_THP_MADVISE, false);
	t = start_task("thp");
	addr = map_huge_area(RW, true);
	touch_page(addr);
	touch_page(addr + HPAGE_PMD_SIZE);
	head = pmd_page(pmd_at(addr));
	faults = page_faults();
	/* Across the pmd boundary: the tail of one THP and the head of the next. */
	assert_int_equal(
		pin_user_pages_fast(addr + HPAGE_PMD_SIZE - 2 * PAGE_SIZE, 4, FOLL_WRITE, pages),
		4);
	assert_int_equal(page_faults(), faults);
	assert_ptr_equal(pages[0], head + HPAGE_PMD_NR - 2);
	assert_ptr_equal(pages[1], head + HPAGE_PMD_NR - 1);
	assert_ptr_equal(pages[2], pmd_page(pmd_at(addr + HPAGE_PMD_SIZE)));
	assert_int_equal(compound_pincount(head), 2);
	assert_int_equal(compound_pincount(pages[2]), 2);
	unpin_user_pages(pages, 4);
	assert_int_equal(compound_pincount(head), 0);
	assert_int_equal(pin_user_pages_fast(addr, HPAGE_PMD_NR, FOLL_WRITE, pages), HPAGE_PMD_NR);
	assert_int_equal(compound_pincount(head), HPAGE_PMD_NR);
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_pages(pages, HPAGE_PMD_NR);
	finish(t);
}

/*
 * GUP-fast on the huge zero page: a read pin takes it (5.11 pins zero pages like any
 * page); a write pin cannot go through the read-only pmd, so the slow path faults,
 * which splits the pmd and gives a small page of its own.
 */
static void test_fast_gup_on_huge_zero_page(void **state)
{
	struct task_struct *t;
	unsigned long addr;
	struct page *page, *zero;

	(void)state;
	boot_thp(SIM_THP_MADVISE, false);
	t = start_task("thp");
	addr = map_huge_area(RW, true);
	assert_int_equal(byte_at(addr), 0);
	zero = pmd_page(pmd_at(addr));
	assert_true(is_huge_zero_page(zero));
	assert_int_equal(pin_user_pages_fast(addr + PAGE_SIZE, 1, 0, &page), 1);
	assert_ptr_equal(page, zero + 1);
	assert_int_equal(compound_pincount(zero), 1);
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_page(page);
	assert_int_equal(pin_user_pages_fast(addr + PAGE_SIZE, 1, FOLL_WRITE, &page), 1);
	assert_false(huge_at(addr));
	assert_false(PageCompound(page));
	assert_int_equal(compound_pincount(zero), 0);
	unpin_user_page(page);
	finish(t);
}

static void test_foll_split_pmd(void **state)
{
	struct task_struct *t;
	unsigned long addr;
	struct page *page, *head;

	(void)state;
	boot_thp(SIM_THP_MADVISE, false);
	t = start_task("thp");
	addr = map_huge_area(RW, true);
	touch_page(addr);
	head = pmd_page(pmd_at(addr));
	assert_int_equal(get_user_pages(addr + 3 * PAGE_SIZE, 1, FOLL_SPLIT_PMD, &page, NULL), 1);
	assert_ptr_equal(page, head + 3);
	assert_false(huge_at(addr));
	assert_int_equal(page_mapcount(head + 3), 1);
	put_page(page);
	finish(t);
}

/* FOLL_DUMP on the huge zero page gives a hole (-EFAULT), as for an empty range. */
static void test_dump_skips_huge_zero_page(void **state)
{
	struct task_struct *t;
	unsigned long addr;
	struct page *page;

	(void)state;
	boot_thp(SIM_THP_MADVISE, false);
	t = start_task("thp");
	addr = map_huge_area(RW, true);
	assert_int_equal(byte_at(addr), 0);
	assert_true(is_huge_zero_pmd(pmd_at(addr)));
	mmap_read_lock(t->mm);
	page = follow_page(vma_at(t, addr), addr, FOLL_GET | FOLL_DUMP);
	mmap_read_unlock(t->mm);
	assert_int_equal((long)page, -EFAULT);
	finish(t);
}

#define THP_TEST(fn) cmocka_unit_test_teardown(fn, shutdown_left_machine)

int main(void)
{
	const struct CMUnitTest tests[] = {
		THP_TEST(test_write_fault_maps_one_thp),
		THP_TEST(test_madvise_knob_needs_advice),
		THP_TEST(test_always_and_never),
		THP_TEST(test_nohugepage_splits_vma_and_stays_small),
		THP_TEST(test_unaligned_vma_stays_small),
		THP_TEST(test_allocation_failure_falls_back),
		THP_TEST(test_read_fault_maps_huge_zero_page),
		THP_TEST(test_no_zero_page_knob),
		THP_TEST(test_forced_write_never_changes_huge_zero_page),
		THP_TEST(test_forced_write_follows_read_only_pmd_only_when_dirty),
		THP_TEST(test_partial_munmap_splits_and_keeps_data),
		THP_TEST(test_mprotect_half_splits_whole_stays_huge),
		THP_TEST(test_vma_cut_by_madvise_or_mlock_splits),
		THP_TEST(test_fork_shares_thp_and_cow_splits),
		THP_TEST(test_pinned_thp_across_fork_stays_coherent),
		THP_TEST(test_slow_gup_pins_subpages_exactly),
		THP_TEST(test_fast_gup_pins_subpages_exactly),
		THP_TEST(test_fast_gup_on_huge_zero_page),
		THP_TEST(test_foll_split_pmd),
		THP_TEST(test_dump_skips_huge_zero_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
