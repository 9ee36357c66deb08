// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_huge_follow.c - what GUP's huge pmd lookup does beyond the reference:
 * NUMA hinting on a huge pmd (change_huge_pmd's hint, the hinting fault, FOLL_NUMA
 * and 6.6's FOLL_HONOR_NUMA_FAULT, GUP-fast's fallback) and FOLL_MLOCK's rule for
 * THPs that fork shares or that are PTE-mapped elsewhere.
 */
#include "harness.h"
#include "mm/internal.h"

#define RW (PROT_READ | PROT_WRITE)
#define THP_BASE 0x40000000UL /* 2 MiB aligned */

static void boot_thp(void)
{
	struct sim_config cfg = {.thp = SIM_THP_MADVISE};

	assert_int_equal(sim_boot(&cfg), 0);
}

/* @nr advised huge ranges at THP_BASE with protection @prot. */
static unsigned long map_huge(unsigned long nr, unsigned long prot)
{
	unsigned long addr = sys_mmap(THP_BASE, nr * HPAGE_PMD_SIZE, prot,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	assert_int_equal(addr, THP_BASE);
	assert_int_equal(sys_madvise(addr, nr * HPAGE_PMD_SIZE, MADV_HUGEPAGE), 0);
	return addr;
}

static pmd_t pmd_at(unsigned long addr)
{
	pmd_t *pmd = mm_alloc_pmd(current->mm, addr);

	assert_non_null(pmd);
	return pmdp_get(pmd);
}

/* change_prot_numa() over the huge range at @addr, as task_numa_work would. */
static unsigned long hint_range(unsigned long addr)
{
	unsigned long changed;

	mmap_read_lock(current->mm);
	changed = change_prot_numa(find_vma(current->mm, addr), addr, addr + HPAGE_PMD_SIZE);
	mmap_read_unlock(current->mm);
	return changed;
}

/*
 * Boot with THPs on madvise, start task @comm and fault in one THP at THP_BASE
 * (its first @touched pages written). Return: the THP's head; *@t and *@addr set.
 */
static struct page *start_with_thp(const char *comm, unsigned long touched, struct task_struct **t,
				   unsigned long *addr)
{
	boot_thp();
	*t = start_task(comm);
	*addr = map_huge(1, RW);
	touch_pages(*addr, touched);
	return pmd_page(pmd_at(*addr));
}

/* As start_with_thp(), the THP then NUMA-hinted whole. */
static struct page *start_with_hinted_thp(unsigned long touched, struct task_struct **t,
					  unsigned long *addr)
{
	struct page *head = start_with_thp("numa", touched, t, addr);

	assert_int_equal(hint_range(*addr), HPAGE_PMD_NR);
	return head;
}

/* As start_with_thp(), the THP then read-only, so FOLL_MLOCK's walk does not COW it. */
static struct page *start_with_ro_thp(struct task_struct **t, unsigned long *addr)
{
	struct page *head = start_with_thp("mlock", 2, t, addr);

	assert_int_equal(sys_mprotect(*addr, HPAGE_PMD_SIZE, PROT_READ), 0);
	return head;
}

static void finish(struct task_struct *t)
{
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/* --- NUMA hinting --- */

static void test_numa_hint_makes_huge_pmd_protnone(void **state)
{
	struct task_struct *t;
	unsigned long addr;
	pmd_t pmd;

	(void)state;
	boot_thp();
	t = start_task("numa");
	addr = map_huge(2, RW);
	touch_pages(addr, 2);
	assert_true(pmd_write(pmd_at(addr)));
	assert_int_equal(hint_range(addr), HPAGE_PMD_NR);
	pmd = pmd_at(addr);
	assert_true(pmd_trans_huge(pmd));
	assert_true(pmd_protnone(pmd));
	assert_true(pmd_write(pmd)); /* the saved write the hint fault gives back */
	assert_int_equal(sim_check(NULL), 0);
	/* Already hinting: nothing to change. */
	assert_int_equal(hint_range(addr), 0);
	/* The huge zero page takes no hint. */
	assert_int_equal(copy_from_user(&(char){0}, addr + HPAGE_PMD_SIZE, 1), 0);
	assert_true(is_huge_zero_pmd(pmd_at(addr + HPAGE_PMD_SIZE)));
	assert_int_equal(hint_range(addr + HPAGE_PMD_SIZE), 0);
	assert_false(pmd_protnone(pmd_at(addr + HPAGE_PMD_SIZE)));
	finish(t);
}

/* The task's own access takes the hinting fault, which restores the writable pmd. */
static void test_numa_hint_fault_restores_huge_pmd(void **state)
{
	struct task_struct *t;
	unsigned long addr, faults;
	struct page *head;
	char c = 'x';

	(void)state;
	head = start_with_hinted_thp(2, &t, &addr);
	faults = page_faults();
	assert_int_equal(copy_to_user(addr + PAGE_SIZE, &c, 1), 0);
	assert_int_equal(page_faults(), faults + 1);
	assert_false(pmd_protnone(pmd_at(addr)));
	assert_true(pmd_write(pmd_at(addr)));
	assert_ptr_equal(pmd_page(pmd_at(addr)), head); /* one node: nothing migrates */
	assert_int_equal(*((char *)page_address(head + 1)), 'x');
	finish(t);
}

/*
 * FOLL_NUMA (5.11, every lookup not forced) faults the hint in; 6.6 follows it
 * unless FOLL_HONOR_NUMA_FAULT. Either way the subpage is the one addressed.
 */
static void test_gup_on_numa_hinted_huge_pmd(void **state)
{
	struct task_struct *t;
	unsigned long addr, faults;
	struct page *head, *page;

	(void)state;
	head = start_with_hinted_thp(4, &t, &addr);
	faults = page_faults();
	assert_int_equal(gup_under_lock(addr + 3 * PAGE_SIZE, 1, 0, &page, NULL), 1);
	assert_ptr_equal(page, head + 3);
	put_page(page);
	if (profile_is_6_18()) {
		assert_int_equal(page_faults(), faults);
		assert_true(pmd_protnone(pmd_at(addr)));
		assert_int_equal(gup_under_lock(addr, 1, FOLL_HONOR_NUMA_FAULT, &page, NULL), 1);
		assert_ptr_equal(page, head);
		put_page(page);
	}
	assert_int_equal(page_faults(), faults + 1);
	assert_false(pmd_protnone(pmd_at(addr)));
	/* A forced lookup follows the hint in both profiles, without a fault. */
	assert_int_equal(hint_range(addr), HPAGE_PMD_NR);
	faults = page_faults();
	assert_int_equal(gup_under_lock(addr, 1, FOLL_FORCE, &page, NULL), 1);
	assert_ptr_equal(page, head);
	put_page(page);
	assert_int_equal(page_faults(), faults);
	assert_true(pmd_protnone(pmd_at(addr)));
	finish(t);
}

/* GUP-fast never takes a hinted huge pmd; the slow path it falls back to does. */
static void test_gup_fast_falls_back_on_protnone_huge_pmd(void **state)
{
	static struct page *pages[HPAGE_PMD_NR];
	struct task_struct *t;
	unsigned long addr;
	struct page *head;

	(void)state;
	head = start_with_hinted_thp(2, &t, &addr);
	assert_int_equal(get_user_pages_fast_only(addr, 1, 0, pages), 0);
	assert_int_equal(pin_user_pages_fast(addr, HPAGE_PMD_NR, FOLL_WRITE, pages), HPAGE_PMD_NR);
	for (int i = 0; i < HPAGE_PMD_NR; i++)
		assert_ptr_equal(pages[i], head + i);
	assert_true(page_maybe_dma_pinned(head));
	/* A write pin goes through the hint fault in both profiles (6.6: can't follow write). */
	unpin_user_pages(pages, HPAGE_PMD_NR);
	if (!profile_is_6_18())
		assert_false(pmd_protnone(pmd_at(addr)));
	finish(t);
}

/* --- FOLL_MLOCK --- */

/* mlock a read-only THP the parent shares with a child made by fork. */
static void test_mlock_skips_thp_shared_by_fork(void **state)
{
	struct task_struct *parent, *child;
	unsigned long addr;
	struct page *head;

	(void)state;
	head = start_with_ro_thp(&parent, &addr);
	child = sys_fork();
	assert_non_null(child);
	set_current(parent);
	assert_ptr_equal(pmd_page(pmd_at(addr)), head);
	assert_int_equal(sys_mlock(addr, HPAGE_PMD_SIZE), 0);
	assert_true(pmd_trans_huge(pmd_at(addr)));
	/* 5.11 leaves it: the child's VMA is not VM_LOCKED. 6.18 mlocks the folio. */
	assert_int_equal(PageMlocked(head), by_profile(false, true));
	task_exit(child);
	set_current(parent);
	finish(parent);
}

/* mlock a THP this mm maps with its pmd while a child has it PTE-mapped. */
static void test_mlock_skips_thp_pte_mapped_elsewhere(void **state)
{
	struct task_struct *parent, *child;
	unsigned long addr;
	struct page *head;

	(void)state;
	head = start_with_ro_thp(&parent, &addr);
	child = sys_fork();
	assert_non_null(child);
	set_current(child);
	/* Half the range to PROT_NONE splits the child's pmd: PTEs map the THP there. */
	assert_int_equal(sys_mprotect(addr, HPAGE_PMD_SIZE / 2, PROT_NONE), 0);
	assert_false(pmd_trans_huge(pmd_at(addr)));
	set_current(parent);
	assert_true(pmd_trans_huge(pmd_at(addr)));
	assert_int_equal(page_mapcount(head), 2);
	assert_int_equal(sys_mlock(addr, HPAGE_PMD_SIZE), 0);
	assert_int_equal(PageMlocked(head), by_profile(false, true));
	task_exit(child);
	set_current(parent);
	finish(parent);
}

/* The pmd as the THP's one mapping: mlocked whole, in both profiles. */
static void test_mlock_locks_sole_pmd_mapped_thp(void **state)
{
	struct task_struct *t;
	unsigned long addr;
	struct page *head;

	(void)state;
	head = start_with_ro_thp(&t, &addr);
	assert_int_equal(sys_mlock(addr, HPAGE_PMD_SIZE), 0);
	assert_true(pmd_trans_huge(pmd_at(addr)));
	assert_true(PageMlocked(head));
	finish(t);
}

#define HUGE_TEST(fn) cmocka_unit_test_teardown(fn, shutdown_left_machine)

int main(void)
{
	const struct CMUnitTest tests[] = {
		HUGE_TEST(test_numa_hint_makes_huge_pmd_protnone),
		HUGE_TEST(test_numa_hint_fault_restores_huge_pmd),
		HUGE_TEST(test_gup_on_numa_hinted_huge_pmd),
		HUGE_TEST(test_gup_fast_falls_back_on_protnone_huge_pmd),
		HUGE_TEST(test_mlock_skips_thp_shared_by_fork),
		HUGE_TEST(test_mlock_skips_thp_pte_mapped_elsewhere),
		HUGE_TEST(test_mlock_locks_sole_pmd_mapped_thp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
