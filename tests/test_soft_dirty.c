// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_soft_dirty.c - x86-64 CONFIG_MEM_SOFT_DIRTY: pagemap bit 55 on new
 * mappings and written pages, clear_refs "4" write-protecting so that the next
 * write faults and marks the page again, the pinned-page exception (5.11-rc4,
 * kept by 6.18), and soft-dirty kept across mremap, migration entries and fork.
 */
#include <string.h>

#include "harness.h"

#define MIB (1UL << 20)

/* Each test boots its machine with soft-dirty (CONFIG_MEM_SOFT_DIRTY=y). */
static int boot_soft_dirty(void **state)
{
	struct sim_config cfg = {.soft_dirty = true};

	(void)state;
	return sim_boot(&cfg);
}

#define SD_TEST(fn) cmocka_unit_test_setup_teardown(fn, boot_soft_dirty, sim_teardown)

static bool soft_dirty(struct task_struct *t, unsigned long addr)
{
	return pagemap_entry(t, addr) & PM_SOFT_DIRTY;
}

static void store(unsigned long addr, char c)
{
	assert_int_equal(copy_to_user(addr, &c, 1), 0);
}

static char load(unsigned long addr)
{
	char c = 0;

	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	return c;
}

static void test_new_mapping_is_soft_dirty_until_cleared(void **state)
{
	struct task_struct *t = start_task("sd");
	unsigned long addr = map_rw(2);

	(void)state;
	/* VM_SOFTDIRTY: every page of a new mapping, present or not. */
	assert_true(vma_at(t, addr)->vm_flags & VM_SOFTDIRTY);
	assert_true(soft_dirty(t, addr));
	store(addr, 'a');
	assert_true(soft_dirty(t, addr));

	assert_int_equal(clear_refs_write(t->mm, CLEAR_REFS_SOFT_DIRTY), 0);
	assert_false(vma_at(t, addr)->vm_flags & VM_SOFTDIRTY);
	assert_false(soft_dirty(t, addr));
	assert_false(soft_dirty(t, addr + PAGE_SIZE));
	/* A load leaves it clean; a store faults on the write-protected PTE and marks it. */
	assert_int_equal(load(addr), 'a');
	assert_false(soft_dirty(t, addr));
	unsigned long faults = page_faults();

	store(addr, 'b');
	assert_true(page_faults() > faults);
	assert_true(soft_dirty(t, addr));
	assert_false(soft_dirty(t, addr + PAGE_SIZE));
	/* A new fault in the cleared VMA is soft-dirty by its pte_mkdirty. */
	store(addr + PAGE_SIZE, 'c');
	assert_true(soft_dirty(t, addr + PAGE_SIZE));
	assert_int_equal(sys_munmap(addr, 2 * PAGE_SIZE), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

static void test_clear_refs_arguments_and_merge(void **state)
{
	struct task_struct *t = start_task("sd");
	unsigned long addr = map_rw(1), next;

	(void)state;
	assert_int_equal(clear_refs_write(t->mm, 0), -EINVAL);
	assert_int_equal(clear_refs_write(t->mm, CLEAR_REFS_LAST), -EINVAL);
	assert_int_equal(clear_refs_write(NULL, CLEAR_REFS_SOFT_DIRTY), -ESRCH);
	assert_int_equal(clear_refs_write(t->mm, CLEAR_REFS_MM_HIWATER_RSS), 0);
	assert_int_equal(clear_refs_write(t->mm, CLEAR_REFS_SOFT_DIRTY), 0);
	/* VM_SOFTDIRTY keeps no VMAs apart: the new neighbour merges, soft-dirty all over. */
	next = sys_mmap(addr + PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	assert_int_equal(next, addr + PAGE_SIZE);
	assert_ptr_equal(vma_at(t, addr), vma_at(t, next));
	assert_true(vma_at(t, addr)->vm_flags & VM_SOFTDIRTY);
	assert_int_equal(sys_munmap(addr, 2 * PAGE_SIZE), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/*
 * A writable page of a private mapping that may be pinned keeps its PTE: write-
 * protecting it would make the next write COW it away from the pin (under 5.11,
 * where a pinned page is never reused). Its unpinned neighbour is cleared.
 */
static void test_pinned_page_is_left_alone(void **state)
{
	struct task_struct *t = start_task("sd");
	unsigned long addr = map_rw(2), pfn;
	struct page *page;
	char seen;

	(void)state;
	touch_pages(addr, 2);
	assert_int_equal(pin_user_pages(addr, 1, FOLL_WRITE | FOLL_LONGTERM, &page, NULL), 1);
	pfn = pfn_of(t, addr);
	assert_int_equal(clear_refs_write(t->mm, CLEAR_REFS_SOFT_DIRTY), 0);
	assert_true(soft_dirty(t, addr));
	assert_false(soft_dirty(t, addr + PAGE_SIZE));
	store(addr, 'p');
	assert_int_equal(pfn_of(t, addr), pfn);
	memcpy(&seen, page_address(page), 1);
	assert_int_equal(seen, 'p'); /* the device still sees the task's writes */
	unpin_user_page(page);
	assert_int_equal(sys_munmap(addr, 2 * PAGE_SIZE), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* A shared mapping whose bits were cleared is write-notified: its writes fault too. */
static void test_shared_mapping_write_faults_after_clear(void **state)
{
	struct task_struct *t = start_task("sd");
	unsigned long addr = map_pages(1, PROT_READ | PROT_WRITE, MAP_SHARED);
	unsigned long faults;

	(void)state;
	store(addr, 's');
	assert_int_equal(clear_refs_write(t->mm, CLEAR_REFS_SOFT_DIRTY), 0);
	assert_false(soft_dirty(t, addr));
	faults = page_faults();
	store(addr, 't');
	assert_true(page_faults() > faults);
	assert_true(soft_dirty(t, addr));
	assert_int_equal(sys_munmap(addr, PAGE_SIZE), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* mremap moves PTEs as writes (move_soft_dirty_pte); fork copies the bits. */
static void test_mremap_and_fork_keep_soft_dirty(void **state)
{
	struct task_struct *t = start_task("sd"), *child;
	unsigned long addr = map_rw(2), moved;

	(void)state;
	touch_pages(addr, 2);
	assert_int_equal(clear_refs_write(t->mm, CLEAR_REFS_SOFT_DIRTY), 0);
	moved = sys_mremap(addr, PAGE_SIZE, PAGE_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED,
			   addr + 64 * PAGE_SIZE);
	assert_int_equal(moved, addr + 64 * PAGE_SIZE);
	assert_true(soft_dirty(t, moved));
	assert_false(soft_dirty(t, addr + PAGE_SIZE));
	child = sys_fork();
	assert_non_null(child);
	assert_true(soft_dirty(child, moved));
	assert_false(soft_dirty(child, addr + PAGE_SIZE));
	task_exit(child);
	set_current(t);
	assert_int_equal(sys_munmap(moved, PAGE_SIZE), 0);
	assert_int_equal(sys_munmap(addr + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

static int boot_with_movable(void **state)
{
	struct sim_config cfg = {
		.mem_bytes = 64 * MIB, .movable_bytes = 16 * MIB, .soft_dirty = true};

	(void)state;
	return sim_boot(&cfg);
}

/* A migration entry carries the bit (_PAGE_SWP_SOFT_DIRTY) to the new page's PTE. */
static void test_migration_keeps_soft_dirty(void **state)
{
	struct task_struct *t = start_task("sd");
	unsigned long addr = map_rw(2), old;

	(void)state;
	touch_pages(addr, 2);
	assert_int_equal(clear_refs_write(t->mm, CLEAR_REFS_SOFT_DIRTY), 0);
	store(addr, 'm');
	old = pfn_of(t, addr);
	assert_int_equal(sim_migrate_range(addr, 2 * PAGE_SIZE, ZONE_NORMAL), 0);
	assert_int_not_equal(pfn_of(t, addr), old);
	assert_true(soft_dirty(t, addr));
	assert_false(soft_dirty(t, addr + PAGE_SIZE));
	assert_int_equal(load(addr), 'm');
	assert_int_equal(sys_munmap(addr, 2 * PAGE_SIZE), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* Built without it (the default): no bit anywhere, and clear_refs "4" protects nothing. */
static void test_without_soft_dirty_nothing_changes(void **state)
{
	struct task_struct *t = start_task("sd");
	unsigned long addr = map_rw(1), faults;

	(void)state;
	store(addr, 'a');
	assert_false(vma_at(t, addr)->vm_flags & VM_SOFTDIRTY);
	assert_false(soft_dirty(t, addr));
	assert_int_equal(clear_refs_write(t->mm, CLEAR_REFS_SOFT_DIRTY), 0);
	faults = page_faults();
	store(addr, 'b');
	assert_int_equal(page_faults(), faults);
	assert_false(soft_dirty(t, addr));
	assert_int_equal(sys_munmap(addr, PAGE_SIZE), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SD_TEST(test_new_mapping_is_soft_dirty_until_cleared),
		SD_TEST(test_clear_refs_arguments_and_merge),
		SD_TEST(test_pinned_page_is_left_alone),
		SD_TEST(test_shared_mapping_write_faults_after_clear),
		SD_TEST(test_mremap_and_fork_keep_soft_dirty),
		cmocka_unit_test_setup_teardown(test_migration_keeps_soft_dirty, boot_with_movable,
						sim_teardown),
		GUP_TEST(test_without_soft_dirty_nothing_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
