// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_mremap.c - sys_mremap(): shrink and grow in place, moves that take the
 * page tables along (PTE entries, whole PTE tables, huge pmds), a pin across a move,
 * MREMAP_DONTUNMAP, VM_LOCKED accounting and the error answers.
 */
#include "harness.h"
#include "mm/internal.h"

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define OLD_BASE 0x40000000UL /* 2 MiB aligned */
#define NEW_BASE 0x80000000UL /* 2 MiB aligned */
#define MOVE (MREMAP_MAYMOVE | MREMAP_FIXED)

static void boot(void)
{
	struct sim_config cfg = {.thp = SIM_THP_MADVISE};

	assert_int_equal(sim_boot(&cfg), 0);
}

static unsigned long map_at(unsigned long addr, unsigned long len, unsigned long flags)
{
	assert_int_equal(sys_mmap(addr, len, RW, flags | MAP_FIXED, -1, 0), addr);
	return addr;
}

static char byte_at(unsigned long addr)
{
	char c = 0;

	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	return c;
}

static bool huge_at(unsigned long addr)
{
	pmd_t *pmd = mm_find_pmd(current->mm, addr);

	return pmd && pmd_trans_huge(pmdp_get(pmd));
}

static long rss(struct task_struct *t)
{
	return atomic_long_read(&t->mm->rss_anon);
}

static void finish(struct task_struct *t)
{
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/* --- in place --- */

static void test_shrink_in_place(void **state)
{
	struct task_struct *t;
	unsigned long addr;
	unsigned long total;

	(void)state;
	boot();
	t = start_task("mremap");
	addr = map_at(OLD_BASE, 8 * PAGE_SIZE, ANON);
	touch_pages(addr, 8);
	total = t->mm->total_vm;
	assert_int_equal(sys_mremap(addr, 8 * PAGE_SIZE, 3 * PAGE_SIZE, 0, 0), addr);
	assert_int_equal(rss(t), 3);
	assert_int_equal(t->mm->total_vm, total - 5);
	assert_int_equal(vma_at(t, addr)->vm_end, addr + 3 * PAGE_SIZE);
	assert_int_equal(byte_at(addr + 2 * PAGE_SIZE), 'c');
	assert_false(addr_present(addr + 3 * PAGE_SIZE));
	finish(t);
}

static void test_grow_in_place_or_refuse(void **state)
{
	struct task_struct *t;
	unsigned long addr, pfn;

	(void)state;
	boot();
	t = start_task("mremap");
	addr = map_at(OLD_BASE, 4 * PAGE_SIZE, ANON);
	touch_pages(addr, 4);
	pfn = pfn_of(t, addr + PAGE_SIZE);
	assert_int_equal(sys_mremap(addr, 4 * PAGE_SIZE, 8 * PAGE_SIZE, 0, 0), addr);
	assert_int_equal(vma_at(t, addr)->vm_end, addr + 8 * PAGE_SIZE);
	assert_int_equal(pfn_of(t, addr + PAGE_SIZE), pfn);
	touch_page(addr + 7 * PAGE_SIZE);
	/* Something mapped right after: no room to grow, and no leave to move. */
	map_at(addr + 8 * PAGE_SIZE, PAGE_SIZE, ANON | MAP_NORESERVE);
	assert_int_equal((long)sys_mremap(addr, 8 * PAGE_SIZE, 9 * PAGE_SIZE, 0, 0), -ENOMEM);
	assert_int_equal(vma_at(t, addr)->vm_end, addr + 8 * PAGE_SIZE);
	finish(t);
}

/* --- moves --- */

/* Growing with MAYMOVE moves the PTEs, not the pages: same frames, same RSS. */
static void test_maymove_moves_ptes(void **state)
{
	struct task_struct *t;
	unsigned long addr, moved, pfns[4];

	(void)state;
	boot();
	t = start_task("mremap");
	addr = map_at(OLD_BASE, 4 * PAGE_SIZE, ANON);
	map_at(addr + 4 * PAGE_SIZE, PAGE_SIZE, ANON | MAP_NORESERVE); /* blocks the grow */
	touch_pages(addr, 4);
	for (int i = 0; i < 4; i++)
		pfns[i] = pfn_of(t, addr + i * PAGE_SIZE);
	moved = sys_mremap(addr, 4 * PAGE_SIZE, 6 * PAGE_SIZE, MREMAP_MAYMOVE, 0);
	assert_false(IS_ERR_VALUE(moved));
	assert_int_not_equal(moved, addr);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pfn_of(t, moved + i * PAGE_SIZE), pfns[i]);
		assert_int_equal(byte_at(moved + i * PAGE_SIZE), 'a' + i);
		assert_int_equal(page_mapcount(pfn_to_page(pfns[i])), 1);
	}
	assert_int_equal(rss(t), 4);
	assert_true(find_vma(t->mm, addr)->vm_start == addr + 4 * PAGE_SIZE); /* old VMA gone */
	assert_false(addr_present(addr));
	assert_int_equal(byte_at(moved + 5 * PAGE_SIZE), 0);
	finish(t);
}

/* A pin taken before the move stays on the page, which the new address maps. */
static void test_pin_survives_move(void **state)
{
	struct task_struct *t;
	struct page *pin;
	unsigned long addr;
	char c = 'n';

	(void)state;
	boot();
	t = start_task("mremap");
	addr = map_at(OLD_BASE, 4 * PAGE_SIZE, ANON);
	touch_pages(addr, 4);
	assert_int_equal(pin_user_pages(addr + 2 * PAGE_SIZE, 1, FOLL_WRITE, &pin, NULL), 1);
	assert_int_equal(sys_mremap(addr, 4 * PAGE_SIZE, 4 * PAGE_SIZE, MOVE, NEW_BASE), NEW_BASE);
	assert_int_equal(pfn_of(t, NEW_BASE + 2 * PAGE_SIZE), page_to_pfn(pin));
	assert_true(page_maybe_dma_pinned(pin));
	*(char *)page_address(pin) = 'p';
	assert_int_equal(byte_at(NEW_BASE + 2 * PAGE_SIZE), 'p');
	assert_int_equal(copy_to_user(NEW_BASE + 2 * PAGE_SIZE, &c, 1), 0);
	assert_int_equal(*(char *)page_address(pin), 'n');
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_page(pin);
	finish(t);
}

/* An aligned 2 MiB of small pages moves by its pmd: the PTE table goes along. */
static void test_aligned_move_takes_the_pte_table(void **state)
{
	struct task_struct *t;
	unsigned long pfn;
	pmd_t table;

	(void)state;
	boot();
	t = start_task("mremap");
	map_at(OLD_BASE, PMD_SIZE, ANON);
	touch_pages(OLD_BASE, 3);
	touch_page(OLD_BASE + PMD_SIZE - PAGE_SIZE);
	pfn = pfn_of(t, OLD_BASE + PAGE_SIZE);
	table = pmdp_get(mm_find_pmd(t->mm, OLD_BASE));
	assert_int_equal(sys_mremap(OLD_BASE, PMD_SIZE, PMD_SIZE, MOVE, NEW_BASE), NEW_BASE);
	assert_int_equal(pmd_val(pmdp_get(mm_find_pmd(t->mm, NEW_BASE))), pmd_val(table));
	assert_int_equal(pfn_of(t, NEW_BASE + PAGE_SIZE), pfn);
	assert_int_equal(byte_at(NEW_BASE + PMD_SIZE - PAGE_SIZE), 'w');
	assert_int_equal(rss(t), 4);
	finish(t);
}

/* A pmd-mapped THP moves as one huge pmd: the same frame, no split. */
static void test_thp_moves_as_huge_pmd(void **state)
{
	struct task_struct *t;
	struct page *head, *pin;

	(void)state;
	boot();
	t = start_task("mremap");
	map_at(OLD_BASE, PMD_SIZE, ANON);
	assert_int_equal(sys_madvise(OLD_BASE, PMD_SIZE, MADV_HUGEPAGE), 0);
	touch_pages(OLD_BASE, 2);
	assert_true(huge_at(OLD_BASE));
	head = pmd_page(pmdp_get(mm_find_pmd(t->mm, OLD_BASE)));
	assert_int_equal(pin_user_pages(OLD_BASE + PAGE_SIZE, 1, FOLL_WRITE, &pin, NULL), 1);
	assert_int_equal(sys_mremap(OLD_BASE, PMD_SIZE, PMD_SIZE, MOVE, NEW_BASE), NEW_BASE);
	assert_true(huge_at(NEW_BASE));
	assert_ptr_equal(pmd_page(pmdp_get(mm_find_pmd(t->mm, NEW_BASE))), head);
	assert_true(PageHead(head));
	assert_int_equal(global_node_page_state(NR_ANON_THPS), 1);
	assert_int_equal(rss(t), HPAGE_PMD_NR);
	assert_int_equal(pfn_of(t, NEW_BASE + PAGE_SIZE), page_to_pfn(pin));
	assert_int_equal(byte_at(NEW_BASE + PAGE_SIZE), 'b');
	assert_false(addr_present(OLD_BASE));
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_page(pin);
	finish(t);
}

/*
 * Moved to an address that is not 2 MiB aligned, the THP cannot keep its pmd: the
 * pmd splits and the PTEs move; the compound page stays, PTE-mapped, and can still
 * be split at its new place (the new VMA keeps the pages' linear index).
 */
static void test_thp_moved_unaligned_is_pte_mapped(void **state)
{
	struct task_struct *t;
	unsigned long to = NEW_BASE + 16 * PAGE_SIZE;
	struct page *head;

	(void)state;
	boot();
	t = start_task("mremap");
	map_at(OLD_BASE, PMD_SIZE, ANON);
	assert_int_equal(sys_madvise(OLD_BASE, PMD_SIZE, MADV_HUGEPAGE), 0);
	touch_pages(OLD_BASE, 3);
	head = pmd_page(pmdp_get(mm_find_pmd(t->mm, OLD_BASE)));
	assert_int_equal(sys_mremap(OLD_BASE, PMD_SIZE, PMD_SIZE, MOVE, to), to);
	assert_false(huge_at(to));
	assert_true(PageHead(head));
	for (int i = 0; i < HPAGE_PMD_NR; i += 97)
		assert_int_equal(pfn_of(t, to + i * PAGE_SIZE), page_to_pfn(head) + i);
	assert_int_equal(byte_at(to + 2 * PAGE_SIZE), 'c');
	assert_int_equal(rss(t), HPAGE_PMD_NR);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sim_split_huge_page_at(t->mm, to + PAGE_SIZE), 0);
	assert_false(PageCompound(head + 1));
	assert_int_equal(pfn_of(t, to + HPAGE_PMD_NR * PAGE_SIZE - PAGE_SIZE),
			 page_to_pfn(head) + HPAGE_PMD_NR - 1);
	finish(t);
}

/*
 * Half a THP moved away (the kernel's own THP tests make PTE-mapped THPs so): one
 * compound page mapped from two VMAs at two places. The split finds both halves.
 */
static void test_half_moved_thp_splits_in_both_places(void **state)
{
	struct task_struct *t;
	unsigned long half = PMD_SIZE / 2;
	struct page *head;

	(void)state;
	boot();
	t = start_task("mremap");
	map_at(OLD_BASE, PMD_SIZE, ANON);
	assert_int_equal(sys_madvise(OLD_BASE, PMD_SIZE, MADV_HUGEPAGE), 0);
	touch_page(OLD_BASE);
	touch_page(OLD_BASE + half);
	head = pmd_page(pmdp_get(mm_find_pmd(t->mm, OLD_BASE)));
	assert_int_equal(sys_mremap(OLD_BASE + half, half, half, MOVE, NEW_BASE), NEW_BASE);
	assert_true(PageHead(head));
	assert_int_equal(pfn_of(t, NEW_BASE), page_to_pfn(head) + HPAGE_PMD_NR / 2);
	assert_int_equal(byte_at(NEW_BASE), 'w');
	assert_int_equal(rss(t), HPAGE_PMD_NR);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sim_split_huge_page_at(t->mm, NEW_BASE), 0);
	assert_false(PageCompound(head));
	assert_int_equal(page_mapcount(head + HPAGE_PMD_NR - 1), 1);
	assert_int_equal(page_ref_count(head), 1);
	assert_int_equal(byte_at(OLD_BASE), 'w');
	assert_int_equal(rss(t), HPAGE_PMD_NR);
	finish(t);
}

/* --- MREMAP_DONTUNMAP --- */

static void test_dontunmap_leaves_old_range_empty(void **state)
{
	struct task_struct *t;
	unsigned long addr, pfn, locked;

	(void)state;
	boot();
	t = start_task("mremap");
	addr = map_at(OLD_BASE, 4 * PAGE_SIZE, ANON);
	assert_int_equal(sys_mlock(addr, 4 * PAGE_SIZE), 0);
	touch_pages(addr, 4);
	pfn = pfn_of(t, addr + 3 * PAGE_SIZE);
	locked = t->mm->locked_vm;
	assert_int_equal(sys_mremap(addr + 2 * PAGE_SIZE, 2 * PAGE_SIZE, 2 * PAGE_SIZE,
				    MREMAP_MAYMOVE | MREMAP_DONTUNMAP | MREMAP_FIXED, NEW_BASE),
			 NEW_BASE);
	assert_int_equal(pfn_of(t, NEW_BASE + PAGE_SIZE), pfn);
	assert_true(vma_at(t, NEW_BASE)->vm_flags & VM_LOCKED);
	/* The old range is still mapped, empty and no longer locked; locked_vm moved. */
	assert_non_null(vma_at(t, addr + 2 * PAGE_SIZE));
	assert_false(vma_at(t, addr + 2 * PAGE_SIZE)->vm_flags & VM_LOCKED);
	assert_true(vma_at(t, addr)->vm_flags & VM_LOCKED);
	assert_int_equal(t->mm->locked_vm, locked);
	assert_false(addr_present(addr + 3 * PAGE_SIZE));
	assert_int_equal(byte_at(addr + 3 * PAGE_SIZE), 0);
	assert_int_equal(byte_at(addr + PAGE_SIZE), 'b');
	assert_int_equal(byte_at(NEW_BASE + PAGE_SIZE), 'd');
	assert_int_equal(rss(t), 4);
	finish(t);
}

/* --- VM_LOCKED --- */

static void test_locked_move_populates_and_counts(void **state)
{
	struct task_struct *t;
	unsigned long addr, locked;

	(void)state;
	boot();
	t = start_task("mremap");
	addr = map_at(OLD_BASE, 2 * PAGE_SIZE, ANON);
	assert_int_equal(sys_mlock(addr, 2 * PAGE_SIZE), 0);
	locked = t->mm->locked_vm;
	assert_int_equal(sys_mremap(addr, 2 * PAGE_SIZE, 5 * PAGE_SIZE, MOVE, NEW_BASE), NEW_BASE);
	assert_int_equal(t->mm->locked_vm, locked + 3);
	/* The grown part is populated and locked at once. */
	assert_true(addr_present(NEW_BASE + 4 * PAGE_SIZE));
	assert_int_equal(global_node_page_state(NR_MLOCK), 5);
	assert_int_equal(rss(t), 5);
	finish(t);
}

/* --- errors --- */

static void test_errors(void **state)
{
	struct task_struct *t;
	unsigned long addr, pfnmap, moved;

	(void)state;
	boot();
	t = start_task("mremap");
	addr = map_at(OLD_BASE, 4 * PAGE_SIZE, ANON);
	map_at(addr + 4 * PAGE_SIZE, 4 * PAGE_SIZE, MAP_SHARED | MAP_ANONYMOUS);
	assert_int_equal((long)sys_mremap(addr + 1, PAGE_SIZE, PAGE_SIZE, 0, 0), -EINVAL);
	assert_int_equal((long)sys_mremap(addr, PAGE_SIZE, PAGE_SIZE, 8, 0), -EINVAL);
	assert_int_equal((long)sys_mremap(addr, PAGE_SIZE, PAGE_SIZE, MREMAP_FIXED, NEW_BASE),
			 -EINVAL);
	assert_int_equal((long)sys_mremap(addr, PAGE_SIZE, 0, MREMAP_MAYMOVE, 0), -EINVAL);
	assert_int_equal((long)sys_mremap(addr, 0, PAGE_SIZE, MREMAP_MAYMOVE, 0), -EINVAL);
	/* A shrink only unmaps the tail: nothing mapped there is no error. */
	assert_int_equal(sys_mremap(NEW_BASE, 2 * PAGE_SIZE, PAGE_SIZE, 0, 0), NEW_BASE);
	assert_int_equal((long)sys_mremap(addr, PAGE_SIZE, PAGE_SIZE, MREMAP_DONTUNMAP, 0),
			 -EINVAL);
	assert_int_equal((long)sys_mremap(addr, PAGE_SIZE, 2 * PAGE_SIZE,
					  MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0),
			 -EINVAL);
	/* DONTUNMAP: private anonymous memory only in 5.11; any mapping from 5.13. */
	moved = sys_mremap(addr + 4 * PAGE_SIZE, PAGE_SIZE, PAGE_SIZE,
			   MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
	if (sim_current_profile() == SIM_PROFILE_6_18) {
		assert_false(IS_ERR_VALUE(moved));
		assert_int_equal(sys_munmap(moved, PAGE_SIZE), 0);
	} else {
		assert_int_equal((long)moved, -EINVAL);
	}
	/* The new range overlaps the old one; the new one leaves user space. */
	assert_int_equal(
		(long)sys_mremap(addr, 2 * PAGE_SIZE, 2 * PAGE_SIZE, MOVE, addr + PAGE_SIZE),
		-EINVAL);
	assert_int_equal((long)sys_mremap(addr, PAGE_SIZE, PAGE_SIZE, MOVE, TASK_SIZE), -EINVAL);
	assert_int_equal((long)sys_mremap(addr, PAGE_SIZE, PAGE_SIZE, MOVE, NEW_BASE + 1), -EINVAL);
	/* Nothing mapped; a range crossing the VMA's end. */
	assert_int_equal((long)sys_mremap(NEW_BASE, PAGE_SIZE, 2 * PAGE_SIZE, MREMAP_MAYMOVE, 0),
			 -EFAULT);
	assert_int_equal((long)sys_mremap(addr, 6 * PAGE_SIZE, 8 * PAGE_SIZE, MREMAP_MAYMOVE, 0),
			 -EFAULT);
	/* A pfn mapping may move but not grow. */
	pfnmap = sys_mmap_pfn(page_to_pfn(zero_page()), 1, PROT_READ);
	assert_false(IS_ERR_VALUE(pfnmap));
	assert_int_equal((long)sys_mremap(pfnmap, PAGE_SIZE, 2 * PAGE_SIZE, MREMAP_MAYMOVE, 0),
			 -EFAULT);
	assert_int_equal(sys_mremap(pfnmap, PAGE_SIZE, PAGE_SIZE, MOVE, NEW_BASE), NEW_BASE);
	assert_true(vma_at(t, NEW_BASE)->vm_flags & VM_PFNMAP);
	assert_int_equal(vma_at(t, addr)->vm_end, addr + 4 * PAGE_SIZE);
	finish(t);
}

#define MREMAP_TEST(fn) cmocka_unit_test_teardown(fn, shutdown_left_machine)

int main(void)
{
	const struct CMUnitTest tests[] = {
		MREMAP_TEST(test_shrink_in_place),
		MREMAP_TEST(test_grow_in_place_or_refuse),
		MREMAP_TEST(test_maymove_moves_ptes),
		MREMAP_TEST(test_pin_survives_move),
		MREMAP_TEST(test_aligned_move_takes_the_pte_table),
		MREMAP_TEST(test_thp_moves_as_huge_pmd),
		MREMAP_TEST(test_thp_moved_unaligned_is_pte_mapped),
		MREMAP_TEST(test_half_moved_thp_splits_in_both_places),
		MREMAP_TEST(test_dontunmap_leaves_old_range_empty),
		MREMAP_TEST(test_locked_move_populates_and_counts),
		MREMAP_TEST(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
