// SPDX-License-Identifier: GPL-2.0-only
/*
 * Migration racing fork, munmap, MADV_DONTNEED, mprotect, mremap and a fault (issue
 * 15): each runs
 * inside the window a migration holds open between its unmap and its remap, on a
 * small page (PTE migration entry) and on a THP (pmd migration entry; partial
 * munmap, MADV_DONTNEED and mprotect split that entry into PTE migration entries). The fault runs
 * on a thread that sleeps on the entry. Afterwards the machine is consistent and
 * every mapping sees the data it should.
 */
#include "../migrate_window.h"

#define RACE_TEST(fn) cmocka_unit_test_setup_teardown(fn, boot_thp_movable, shutdown_checked)

/* The page or THP under test: one small page, or one pmd-mapped THP. */
static unsigned long nr_of(bool huge)
{
	return huge ? HPAGE_PMD_NR : 1;
}

static struct migrate_window window_on(bool huge, void (*during)(struct migrate_window *w))
{
	struct task_struct *t = start_task("race");
	struct migrate_window w = {.task = t, .during = during};

	w.addr = huge ? map_thp() : map_patterned(0, 1);
	assert_true(huge_at(w.addr) == huge);
	return w;
}

/* Every page of the range moved: none is at the old frames any more. */
static void assert_moved(struct migrate_window *w, unsigned long addr, unsigned long nr)
{
	for (unsigned long i = 0; i < nr; i++)
		assert_int_not_equal(pfn_of(w->task, addr + i * PAGE_SIZE), w->old_pfn + i);
}

static void finish(struct migrate_window *w)
{
	assert_int_equal(sim_check(NULL), 0);
	task_exit(w->task);
}

/* --- fork: the child gets the entry; a write entry becomes a read one in both --- */

static void fork_in_window(struct migrate_window *w)
{
	w->arg = sys_fork();
	assert_non_null(w->arg);
}

static void fork_during_migration(bool huge)
{
	struct migrate_window w = window_on(huge, fork_in_window);
	struct task_struct *child;
	char z = 'Z';

	migrate_with_window(&w);
	child = w.arg;
	assert_moved(&w, w.addr, nr_of(huge));
	assert_int_equal(pfn_of(child, w.addr), pfn_of(w.task, w.addr)); /* COW-shared */
	if (huge)
		assert_false(pmd_write(pmd_at(w.addr)));
	/* The parent's write must copy: the child keeps the old byte. */
	assert_int_equal(copy_to_user(w.addr, &z, 1), 0);
	assert_int_not_equal(pfn_of(child, w.addr), pfn_of(w.task, w.addr));
	set_current(child);
	assert_pattern(w.addr, nr_of(huge));
	set_current(w.task);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(child);
	finish(&w);
}

static void test_fork_during_pte_migration(void **state)
{
	(void)state;
	fork_during_migration(false);
}

static void test_fork_during_pmd_migration(void **state)
{
	(void)state;
	fork_during_migration(true);
}

/* --- munmap: the entry goes with no page reference; a partial one splits it --- */

static void munmap_all_in_window(struct migrate_window *w)
{
	assert_int_equal(sys_munmap(w->addr, vma_at(w->task, w->addr)->vm_end - w->addr), 0);
}

static void munmap_during_migration(bool huge)
{
	struct migrate_window w = window_on(huge, munmap_all_in_window);

	migrate_with_window(&w);
	assert_null(vma_at(w.task, w.addr));
	assert_int_equal(atomic_long_read(&w.task->mm->rss_anon), 0);
	finish(&w);
}

static void test_munmap_during_pte_migration(void **state)
{
	(void)state;
	munmap_during_migration(false);
}

static void test_munmap_during_pmd_migration(void **state)
{
	(void)state;
	munmap_during_migration(true);
}

static void munmap_one_in_window(struct migrate_window *w)
{
	assert_int_equal(sys_munmap(w->addr + 5 * PAGE_SIZE, PAGE_SIZE), 0);
	/* The pmd entry became 512 PTE entries, one of them zapped. */
	assert_false(is_pmd_migration_entry(pmd_at(w->addr)));
}

static void dontneed_one_in_window(struct migrate_window *w)
{
	assert_int_equal(sys_madvise(w->addr + 5 * PAGE_SIZE, PAGE_SIZE, MADV_DONTNEED), 0);
	assert_false(is_pmd_migration_entry(pmd_at(w->addr)));
}

/* Page 5 of the THP went in the window (munmap or MADV_DONTNEED); the rest moved. */
static void zap_one_during_pmd_migration(void (*during)(struct migrate_window *w))
{
	struct migrate_window w = window_on(true, during);

	migrate_with_window(&w);
	assert_false(huge_at(w.addr));
	assert_pattern(w.addr, 5);
	assert_false(addr_present(w.addr + 5 * PAGE_SIZE));
	assert_moved(&w, w.addr, 5);
	/* The new THP, mapped by PTEs, one subpage each where the old one was. */
	for (unsigned long i = 6; i < HPAGE_PMD_NR; i++) {
		assert_pattern_page(w.addr, i);
		assert_int_equal(pfn_of(w.task, w.addr + i * PAGE_SIZE),
				 pfn_of(w.task, w.addr) + i);
	}
	finish(&w);
}

static void test_partial_munmap_during_pmd_migration(void **state)
{
	(void)state;
	zap_one_during_pmd_migration(munmap_one_in_window);
}

static void test_madv_dontneed_during_pmd_migration(void **state)
{
	(void)state;
	zap_one_during_pmd_migration(dontneed_one_in_window);
}

/* --- mprotect: a write entry becomes a read one; a partial one splits it --- */

static void mprotect_in_window(struct migrate_window *w)
{
	unsigned long len = vma_at(w->task, w->addr)->vm_end - w->addr;

	assert_int_equal(pagemap_entry(w->task, w->addr) & 0x1f, SWP_MIGRATION_WRITE);
	assert_int_equal(sys_mprotect(w->addr, len, PROT_READ), 0);
	/* No write entry is left; 6.18 keeps the anonymous page's exclusivity in it. */
	assert_int_equal(pagemap_entry(w->task, w->addr) & 0x1f,
			 by_profile(SWP_MIGRATION_READ, SWP_MIGRATION_READ_EXCLUSIVE));
}

static void mprotect_during_migration(bool huge)
{
	struct migrate_window w = window_on(huge, mprotect_in_window);
	unsigned long len = nr_of(huge) * PAGE_SIZE;
	char z = 'Z';

	migrate_with_window(&w);
	assert_moved(&w, w.addr, nr_of(huge));
	assert_true(huge_at(w.addr) == huge);
	if (huge)
		assert_false(pmd_write(pmd_at(w.addr)));
	assert_int_not_equal(copy_to_user(w.addr, &z, 1), 0); /* read-only now */
	assert_pattern(w.addr, nr_of(huge));
	assert_int_equal(sys_mprotect(w.addr, len, PROT_READ | PROT_WRITE), 0);
	assert_int_equal(copy_to_user(w.addr, &z, 1), 0);
	finish(&w);
}

static void test_mprotect_during_pte_migration(void **state)
{
	(void)state;
	mprotect_during_migration(false);
}

static void test_mprotect_during_pmd_migration(void **state)
{
	(void)state;
	mprotect_during_migration(true);
}

static void mprotect_one_in_window(struct migrate_window *w)
{
	assert_int_equal(sys_mprotect(w->addr, PAGE_SIZE, PROT_READ), 0);
}

/* The VMA is cut through the entry: its PTE entries end up in two VMAs, both remapped. */
static void test_partial_mprotect_during_pmd_migration(void **state)
{
	struct migrate_window w = window_on(true, mprotect_one_in_window);
	char z = 'Z';

	(void)state;
	migrate_with_window(&w);
	assert_false(huge_at(w.addr));
	assert_moved(&w, w.addr, HPAGE_PMD_NR);
	assert_pattern(w.addr, HPAGE_PMD_NR);
	assert_int_not_equal(copy_to_user(w.addr, &z, 1), 0);
	assert_int_equal(copy_to_user(w.addr + PAGE_SIZE, &z, 1), 0);
	finish(&w);
}

/* --- mremap: the entry moves and is remapped at its new address --- */

#define MREMAP_TARGET (THP_BASE + 8 * HPAGE_PMD_SIZE)

static void mremap_in_window(struct migrate_window *w)
{
	unsigned long len = vma_at(w->task, w->addr)->vm_end - w->addr;

	assert_int_equal(
		sys_mremap(w->addr, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, MREMAP_TARGET),
		MREMAP_TARGET);
}

static void mremap_during_migration(bool huge)
{
	struct migrate_window w = window_on(huge, mremap_in_window);

	migrate_with_window(&w);
	assert_null(vma_at(w.task, w.addr));
	assert_true(huge_at(MREMAP_TARGET) == huge);
	assert_moved(&w, MREMAP_TARGET, nr_of(huge));
	assert_pattern(MREMAP_TARGET, nr_of(huge));
	finish(&w);
}

static void test_mremap_during_pte_migration(void **state)
{
	(void)state;
	mremap_during_migration(false);
}

static void test_mremap_during_pmd_migration(void **state)
{
	(void)state;
	mremap_during_migration(true);
}

/* --- a fault on another thread sleeps on the entry and reads the new page --- */

static void fault_in_window(struct migrate_window *w)
{
	window_waiter_start(w->arg, w->old);
}

static void fault_during_migration(bool huge)
{
	struct migrate_window w = window_on(huge, fault_in_window);
	struct window_waiter ww = {.task = w.task, .fn = waiter_read_fault, .addr = w.addr};

	w.arg = &ww;
	migrate_with_window(&w);
	window_waiter_join(&ww);
	assert_int_equal(ww.ret, 0);
	assert_int_equal(ww.byte, 'a');
	assert_moved(&w, w.addr, nr_of(huge));
	assert_true(huge_at(w.addr) == huge);
	finish(&w);
}

static void test_fault_during_pte_migration(void **state)
{
	(void)state;
	fault_during_migration(false);
}

static void test_fault_during_pmd_migration(void **state)
{
	(void)state;
	fault_during_migration(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		RACE_TEST(test_fork_during_pte_migration),
		RACE_TEST(test_fork_during_pmd_migration),
		RACE_TEST(test_munmap_during_pte_migration),
		RACE_TEST(test_munmap_during_pmd_migration),
		RACE_TEST(test_partial_munmap_during_pmd_migration),
		RACE_TEST(test_madv_dontneed_during_pmd_migration),
		RACE_TEST(test_mprotect_during_pte_migration),
		RACE_TEST(test_mprotect_during_pmd_migration),
		RACE_TEST(test_partial_mprotect_during_pmd_migration),
		RACE_TEST(test_mremap_during_pte_migration),
		RACE_TEST(test_mremap_during_pmd_migration),
		RACE_TEST(test_fault_during_pte_migration),
		RACE_TEST(test_fault_during_pmd_migration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
