// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_fork.c - fork's copy of an address space: VM_DONTCOPY and
 * VM_WIPEONFORK VMAs, write-protection of private pages, early COW of pages that
 * may be pinned (the pin stays coherent with the parent), write_protect_seq, and
 * cleanup when the copy runs out of memory.
 */
#include "harness.h"

#include <string.h>

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static unsigned long map_written(unsigned long len, const char *s)
{
	unsigned long addr = map_bytes(len, RW, ANON);

	for (unsigned long off = 0; off < len; off += PAGE_SIZE)
		assert_int_equal(copy_to_user(addr + off, s, strlen(s) + 1), 0);
	return addr;
}

/* The pfn mapped at @addr in @t, or 0 if nothing is. */
static unsigned long pfn_or_zero(struct task_struct *t, unsigned long addr)
{
	uint64_t entry = pagemap_entry(t, addr);

	return entry & PM_PRESENT ? entry & PM_PFRAME_MASK : 0;
}

static void read_as(struct task_struct *t, unsigned long addr, char *buf, size_t len)
{
	struct task_struct *prev = set_current(t);

	assert_int_equal(copy_from_user(buf, addr, len), 0);
	set_current(prev);
}

static void test_fork_makes_a_new_process(void **state)
{
	struct task_struct *parent = start_task("fork"), *child;
	unsigned long addr = map_written(2 * PAGE_SIZE, "data");
	char buf[8];

	(void)state;
	child = sys_fork();
	assert_non_null(child);
	assert_ptr_not_equal(child->mm, parent->mm);
	assert_true(child->pid != parent->pid);
	assert_int_equal(child->tgid, child->pid);
	assert_int_equal(atomic_read(&child->mm->mm_users), 1);
	assert_int_equal(child->mm->map_count, parent->mm->map_count);
	assert_int_equal(child->mm->total_vm, parent->mm->total_vm);
	/* Private pages are shared, write-protected on both sides. */
	assert_int_equal(pfn_or_zero(child, addr), pfn_or_zero(parent, addr));
	assert_false(pte_write(ptep_get(mm_find_pte(parent->mm, addr, NULL))));
	assert_false(pte_write(ptep_get(mm_find_pte(child->mm, addr, NULL))));
	read_as(child, addr + PAGE_SIZE, buf, 5);
	assert_string_equal(buf, "data");
	assert_ptr_equal(current, parent);
	task_exit(child);
	task_exit(parent);
}

static void test_fork_skips_dontcopy_vma(void **state)
{
	struct task_struct *parent = start_task("fork"), *child;
	unsigned long addr = map_written(PAGE_SIZE, "private");

	(void)state;
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_DONTFORK), 0);
	child = sys_fork();
	assert_null(vma_at(child, addr));
	assert_int_equal(child->mm->map_count, parent->mm->map_count - 1);
	assert_int_equal(pfn_or_zero(child, addr), 0);
	/* The parent's page was not shared, so it stays writable and exclusive. */
	assert_true(pte_write(ptep_get(mm_find_pte(parent->mm, addr, NULL))));
	assert_int_equal(page_mapcount(pfn_to_page(pfn_or_zero(parent, addr))), 1);
	task_exit(child);
	task_exit(parent);
}

static void test_fork_wipes_wipeonfork_vma(void **state)
{
	struct task_struct *parent = start_task("fork"), *child;
	unsigned long addr = map_written(PAGE_SIZE, "secret");
	struct vm_area_struct *vma;
	char buf[7];

	(void)state;
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_WIPEONFORK), 0);
	child = sys_fork();
	vma = vma_at(child, addr);
	assert_non_null(vma);
	assert_true(vma->vm_flags & VM_WIPEONFORK);
	assert_null(vma->anon_vma);
	assert_null(mm_find_pte(child->mm, addr, NULL));
	read_as(child, addr, buf, sizeof(buf));
	assert_memory_equal(buf, "\0\0\0\0\0\0", sizeof(buf));
	read_as(parent, addr, buf, sizeof(buf));
	assert_string_equal(buf, "secret");
	task_exit(child);
	task_exit(parent);
}

static void test_fork_drops_mlock_in_child(void **state)
{
	struct task_struct *parent = start_task("fork"), *child;
	unsigned long addr = map_written(PAGE_SIZE, "locked");

	(void)state;
	assert_int_equal(sys_mlock(addr, PAGE_SIZE), 0);
	child = sys_fork();
	assert_true(vma_at(parent, addr)->vm_flags & VM_LOCKED);
	assert_false(vma_at(child, addr)->vm_flags & (VM_LOCKED | VM_LOCKONFAULT));
	task_exit(child);
	task_exit(parent);
}

/*
 * A page pinned for DMA must stay the parent's: fork gives the child a copy at
 * once instead of sharing it, so the parent's later writes reach the pinned page.
 */
static void test_fork_copies_pinned_page_early(void **state)
{
	struct task_struct *parent = start_task("fork"), *child;
	unsigned long addr = map_written(2 * PAGE_SIZE, "before");
	unsigned long early = global_node_page_state(NR_FORK_EARLY_COW);
	unsigned int seq = raw_read_seqcount(&parent->mm->write_protect_seq);
	struct page *pinned;
	char buf[8];

	(void)state;
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE | FOLL_LONGTERM, &pinned), 1);
	assert_true(page_maybe_dma_pinned(pinned));
	child = sys_fork();
	assert_non_null(child);
	assert_int_equal(global_node_page_state(NR_FORK_EARLY_COW), early + 1);
	assert_int_equal(raw_read_seqcount(&parent->mm->write_protect_seq), seq + 2);

	assert_int_equal(pfn_or_zero(parent, addr), page_to_pfn(pinned));
	assert_true(pfn_or_zero(child, addr) != page_to_pfn(pinned));
	read_as(child, addr, buf, 7);
	assert_string_equal(buf, "before");
	/* The unpinned neighbour is shared as usual. */
	assert_int_equal(pfn_or_zero(child, addr + PAGE_SIZE),
			 pfn_or_zero(parent, addr + PAGE_SIZE));

	assert_int_equal(copy_to_user(addr, "after", 6), 0);
	assert_int_equal(pfn_or_zero(parent, addr), page_to_pfn(pinned));
	assert_string_equal((char *)page_address(pinned), "after");
	read_as(child, addr, buf, 7);
	assert_string_equal(buf, "before");

	unpin_user_page(pinned);
	task_exit(child);
	task_exit(parent);
}

static void test_fork_without_pins_copies_nothing_early(void **state)
{
	struct task_struct *parent = start_task("fork"), *child;
	unsigned long addr = map_written(4 * PAGE_SIZE, "plain");
	unsigned long early = global_node_page_state(NR_FORK_EARLY_COW);
	unsigned long free_before = sim_free_pages();

	(void)state;
	(void)addr;
	child = sys_fork();
	assert_int_equal(global_node_page_state(NR_FORK_EARLY_COW), early);
	/* Only page tables (and the child's pgd) were allocated, no data pages. */
	assert_true(free_before - sim_free_pages() <= 4);
	task_exit(child);
	task_exit(parent);
}

static void test_fork_out_of_memory_leaves_nothing_behind(void **state)
{
	struct task_struct *parent = start_task("fork"), *child;
	unsigned long addr = map_written(PAGE_SIZE, "survive");
	unsigned long pfn = pfn_or_zero(parent, addr);
	char buf[8];

	(void)state;
	/* The child's pgd is the first table; its pud the second. */
	assert_int_equal(inject_arm("pgtable_alloc", 2, 1), 0);
	errno = 0;
	child = sys_fork();
	inject_disarm_all();
	assert_null(child);
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(page_mapcount(pfn_to_page(pfn)), 1);
	assert_int_equal(copy_to_user(addr, "survive", 8), 0);
	assert_int_equal(pfn_or_zero(parent, addr), pfn);
	assert_int_equal(copy_from_user(buf, addr, sizeof(buf)), 0);
	assert_string_equal(buf, "survive");
	assert_int_equal(sim_check(NULL), 0);
	task_exit(parent);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_fork_makes_a_new_process),
		GUP_TEST(test_fork_skips_dontcopy_vma),
		GUP_TEST(test_fork_wipes_wipeonfork_vma),
		GUP_TEST(test_fork_drops_mlock_in_child),
		GUP_TEST(test_fork_copies_pinned_page_early),
		GUP_TEST(test_fork_without_pins_copies_nothing_early),
		GUP_TEST(test_fork_out_of_memory_leaves_nothing_behind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
