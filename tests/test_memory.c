// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_memory.c - the fault path: zero-page read faults, zeroed write
 * faults, copy-on-write after fork in both directions and its reuse shortcut,
 * shared anonymous memory, NUMA hinting faults, fault errors and their errnos.
 */
#include "harness.h"

#include <string.h>

#define RW (PROT_READ | PROT_WRITE)

/* Write @s at @addr as task @t. */
static void write_as(struct task_struct *t, unsigned long addr, const char *s)
{
	struct task_struct *prev = set_current(t);

	assert_int_equal(copy_to_user(addr, s, strlen(s) + 1), 0);
	set_current(prev);
}

static void assert_reads(struct task_struct *t, unsigned long addr, const char *s)
{
	struct task_struct *prev = set_current(t);
	char buf[64] = {0};

	assert_int_equal(copy_from_user(buf, addr, strlen(s) + 1), 0);
	assert_string_equal(buf, s);
	set_current(prev);
}

static void test_read_fault_maps_zero_page(void **state)
{
	struct task_struct *t = start_task("memory");
	unsigned long addr = map_pages(1, RW, MAP_PRIVATE);
	unsigned long anon = global_node_page_state(NR_ANON_MAPPED);
	uint64_t entry;

	(void)state;
	assert_reads(t, addr, "");
	assert_int_equal(pfn_of(t, addr), zero_pfn());
	assert_false(pte_write(ptep_get(mm_find_pte(t->mm, addr, NULL))));
	assert_int_equal(pagemap_read(t->mm, addr, &entry), 0);
	assert_false(entry & PM_MMAP_EXCLUSIVE);
	assert_int_equal(global_node_page_state(NR_ANON_MAPPED), anon);
	task_exit(t);
}

static void test_write_fault_allocates_zeroed_page(void **state)
{
	struct task_struct *t = start_task("memory");
	unsigned long addr = map_pages(2, RW, MAP_PRIVATE);
	unsigned long anon = global_node_page_state(NR_ANON_MAPPED);
	static char buf[PAGE_SIZE];
	static const char zeros[PAGE_SIZE - 1];
	struct page *page, *dirty;

	(void)state;
	/* Fault the neighbour first, so the page tables exist and take no frame below. */
	assert_int_equal(copy_to_user(addr + PAGE_SIZE, "n", 1), 0);
	/* Leave garbage in the frame the fault is about to get back (the lists are LIFO). */
	dirty = alloc_page(GFP_HIGHUSER_MOVABLE);
	memset(page_address(dirty), 0xee, PAGE_SIZE);
	__free_pages(dirty, 0);
	assert_int_equal(copy_to_user(addr, "w", 1), 0);
	page = pfn_to_page(pfn_of(t, addr));
	assert_ptr_equal(page, dirty);
	assert_true(PageAnon(page));
	assert_int_equal(page_mapcount(page), 1);
	assert_int_equal(page_count(page), 1);
	assert_int_equal(copy_from_user(buf, addr, PAGE_SIZE), 0);
	assert_int_equal(buf[0], 'w');
	assert_memory_equal(buf + 1, zeros, sizeof(zeros));
	assert_true(pte_dirty(ptep_get(mm_find_pte(t->mm, addr, NULL))));
	assert_int_equal(global_node_page_state(NR_ANON_MAPPED), anon + 2);
	assert_int_equal(atomic_long_read(&t->mm->rss_anon), 2);
	task_exit(t);
	assert_int_equal(global_node_page_state(NR_ANON_MAPPED), anon);
}

static void test_cow_parent_writes_child_keeps_old(void **state)
{
	struct task_struct *parent = start_task("memory"), *child;
	unsigned long addr = map_pages(1, RW, MAP_PRIVATE);
	unsigned long cows = global_node_page_state(NR_COW_FAULTS), shared_pfn;

	(void)state;
	write_as(parent, addr, "old");
	child = sys_fork();
	assert_non_null(child);
	shared_pfn = pfn_of(parent, addr);
	assert_int_equal(pfn_of(child, addr), shared_pfn);
	assert_int_equal(page_mapcount(pfn_to_page(shared_pfn)), 2);
	assert_false(pte_write(ptep_get(mm_find_pte(parent->mm, addr, NULL))));

	write_as(parent, addr, "new");
	assert_int_equal(global_node_page_state(NR_COW_FAULTS), cows + 1);
	assert_true(pfn_of(parent, addr) != shared_pfn);
	assert_int_equal(pfn_of(child, addr), shared_pfn);
	assert_reads(child, addr, "old");
	assert_reads(parent, addr, "new");
	task_exit(child);
	task_exit(parent);
}

static void test_cow_child_writes_parent_keeps_old(void **state)
{
	struct task_struct *parent = start_task("memory"), *child;
	unsigned long addr = map_pages(1, RW, MAP_PRIVATE);
	unsigned long shared_pfn;

	(void)state;
	write_as(parent, addr, "old");
	child = sys_fork();
	shared_pfn = pfn_of(parent, addr);
	write_as(child, addr, "child");
	assert_true(pfn_of(child, addr) != shared_pfn);
	assert_int_equal(pfn_of(parent, addr), shared_pfn);
	assert_reads(parent, addr, "old");
	assert_reads(child, addr, "child");
	task_exit(child);
	task_exit(parent);
}

/* Once the other side has copied or gone, the last mapper writes in place. */
static void test_cow_reuses_sole_reference(void **state)
{
	struct task_struct *parent = start_task("memory"), *child;
	unsigned long addr = map_pages(1, RW, MAP_PRIVATE);
	unsigned long reuses = global_node_page_state(NR_COW_REUSES);
	unsigned long cows, shared_pfn;

	(void)state;
	write_as(parent, addr, "v1");
	child = sys_fork();
	shared_pfn = pfn_of(parent, addr);
	write_as(parent, addr, "v2"); /* copies: the child still maps it */
	cows = global_node_page_state(NR_COW_FAULTS);
	assert_int_equal(page_count(pfn_to_page(shared_pfn)), 1);
	write_as(child, addr, "c2"); /* sole user now: reused in place */
	assert_int_equal(pfn_of(child, addr), shared_pfn);
	assert_int_equal(global_node_page_state(NR_COW_REUSES), reuses + 1);
	assert_int_equal(global_node_page_state(NR_COW_FAULTS), cows);
	assert_reads(child, addr, "c2");

	task_exit(child);
	child = sys_fork();
	shared_pfn = pfn_of(parent, addr);
	task_exit(child); /* the child never touched it */
	write_as(parent, addr, "v3");
	assert_int_equal(pfn_of(parent, addr), shared_pfn);
	assert_int_equal(global_node_page_state(NR_COW_REUSES), reuses + 2);
	task_exit(parent);
}

static void test_cow_of_zero_page(void **state)
{
	struct task_struct *t = start_task("memory");
	unsigned long addr = map_pages(1, RW, MAP_PRIVATE);
	unsigned long cows = global_node_page_state(NR_COW_FAULTS);
	char buf[8];

	(void)state;
	assert_reads(t, addr, "");
	assert_int_equal(pfn_of(t, addr), zero_pfn());
	assert_int_equal(copy_to_user(addr + 4, "z", 1), 0);
	assert_true(pfn_of(t, addr) != zero_pfn());
	assert_int_equal(global_node_page_state(NR_COW_FAULTS), cows + 1);
	assert_int_equal(copy_from_user(buf, addr, sizeof(buf)), 0);
	assert_memory_equal(buf, "\0\0\0\0z\0\0\0", sizeof(buf));
	/* The zero page itself was never written. */
	assert_int_equal(((char *)page_address(zero_page()))[4], 0);
	task_exit(t);
}

static void test_shared_anon_is_shared_across_fork(void **state)
{
	struct task_struct *parent = start_task("memory"), *child;
	unsigned long addr = map_pages(2, RW, MAP_SHARED);
	unsigned long cows = global_node_page_state(NR_COW_FAULTS);
	uint64_t entry;

	(void)state;
	write_as(parent, addr, "from parent");
	child = sys_fork();
	assert_reads(child, addr, "from parent");
	write_as(child, addr, "from child");
	assert_reads(parent, addr, "from child");
	/* A page first touched after the fork is shared too. */
	write_as(parent, addr + PAGE_SIZE, "late");
	assert_reads(child, addr + PAGE_SIZE, "late");
	assert_int_equal(pfn_of(parent, addr), pfn_of(child, addr));
	assert_int_equal(pfn_of(parent, addr + PAGE_SIZE), pfn_of(child, addr + PAGE_SIZE));
	assert_int_equal(global_node_page_state(NR_COW_FAULTS), cows);
	assert_int_equal(global_node_page_state(NR_SHMEM), 2);
	assert_int_equal(pagemap_read(child->mm, addr, &entry), 0);
	assert_true(entry & PM_FILE);
	task_exit(child);
	task_exit(parent);
	assert_int_equal(global_node_page_state(NR_SHMEM), 0);
}

static void test_numa_hinting_fault_restores_pte(void **state)
{
	struct task_struct *t = start_task("memory");
	unsigned long addr = map_pages(2, RW, MAP_PRIVATE);
	unsigned long pfn, faults;
	struct vm_area_struct *vma;
	pte_t pte;

	(void)state;
	write_as(t, addr, "numa");
	assert_reads(t, addr + PAGE_SIZE, ""); /* the zero page is never made a hint */
	pfn = pfn_of(t, addr);
	mmap_read_lock(t->mm);
	vma = find_vma(t->mm, addr);
	assert_int_equal(change_prot_numa(vma, addr, addr + 2 * PAGE_SIZE), 1);
	mmap_read_unlock(t->mm);
	pte = ptep_get(mm_find_pte(t->mm, addr, NULL));
	assert_true(pte_protnone(pte));
	assert_int_equal(pte_pfn(pte), pfn);
	assert_false(pte_protnone(ptep_get(mm_find_pte(t->mm, addr + PAGE_SIZE, NULL))));

	faults = page_faults();
	assert_reads(t, addr, "numa");
	assert_int_equal(page_faults(), faults + 1);
	pte = ptep_get(mm_find_pte(t->mm, addr, NULL));
	assert_false(pte_protnone(pte));
	assert_true(pte_flags(pte) & _PAGE_PRESENT);
	assert_int_equal(pte_pfn(pte), pfn);
	write_as(t, addr, "more");
	assert_int_equal(pfn_of(t, addr), pfn);
	task_exit(t);
}

static void test_vm_fault_to_errno(void **state)
{
	(void)state;
	assert_int_equal(vm_fault_to_errno(0, 0), 0);
	assert_int_equal(vm_fault_to_errno(VM_FAULT_WRITE, 0), 0);
	assert_int_equal(vm_fault_to_errno(VM_FAULT_OOM, 0), -ENOMEM);
	assert_int_equal(vm_fault_to_errno(VM_FAULT_OOM | VM_FAULT_SIGBUS, 0), -ENOMEM);
	assert_int_equal(vm_fault_to_errno(VM_FAULT_SIGBUS, 0), -EFAULT);
	assert_int_equal(vm_fault_to_errno(VM_FAULT_SIGSEGV, 0), -EFAULT);
	assert_int_equal(vm_fault_to_errno(VM_FAULT_HWPOISON, 0), -EFAULT);
	assert_int_equal(vm_fault_to_errno(VM_FAULT_HWPOISON, FOLL_HWPOISON), -EHWPOISON);
	assert_int_equal(vm_fault_to_errno(VM_FAULT_HWPOISON_LARGE, FOLL_HWPOISON), -EHWPOISON);
}

/* An injected fault error stops the copy at the faulting page. */
static void check_injected_fault_stops_copy(const char *point, enum inject_point id)
{
	struct task_struct *t = start_task("memory");
	unsigned long addr = map_pages(2, RW, MAP_PRIVATE);
	static char buf[2 * PAGE_SIZE];

	assert_int_equal(copy_to_user(addr, "ok", 2), 0); /* page 0 is mapped now */
	assert_int_equal(inject_arm(point, 1, 1), 0);
	assert_int_equal(copy_to_user(addr, buf, sizeof(buf)), PAGE_SIZE);
	assert_int_equal(inject_fired(id), 1);
	assert_int_equal(copy_to_user(addr, buf, sizeof(buf)), 0);
	inject_disarm_all();
	task_exit(t);
}

static void test_fault_oom_fails_copy(void **state)
{
	(void)state;
	check_injected_fault_stops_copy("fault_oom", INJECT_FAULT_OOM);
}

static void test_fault_sigbus_fails_copy(void **state)
{
	(void)state;
	check_injected_fault_stops_copy("fault_sigbus", INJECT_FAULT_SIGBUS);
}

static void test_handle_mm_fault_on_pfnmap_is_sigbus(void **state)
{
	struct task_struct *t = start_task("memory");
	struct page *frame = alloc_page(GFP_KERNEL);
	unsigned long addr = sys_mmap_pfn(page_to_pfn(frame), 1, PROT_READ);
	struct vm_area_struct *vma;

	(void)state;
	mmap_read_lock(t->mm);
	vma = find_vma(t->mm, addr);
	assert_int_equal(handle_mm_fault(vma, addr, FAULT_FLAG_USER, NULL), VM_FAULT_SIGBUS);
	mmap_read_unlock(t->mm);
	task_exit(t);
	__free_pages(frame, 0);
}

/* A COW fault in a locked VMA mlocks the copy and munlocks the page left behind. */
static void test_cow_in_locked_vma_moves_mlock(void **state)
{
	struct task_struct *parent = start_task("memory"), *child;
	unsigned long addr = map_pages(1, RW, MAP_PRIVATE);
	unsigned long mlocked = global_node_page_state(NR_MLOCK), old_pfn, new_pfn;

	(void)state;
	assert_int_equal(sys_mlock(addr, PAGE_SIZE), 0);
	old_pfn = pfn_of(parent, addr);
	assert_true(PageMlocked(pfn_to_page(old_pfn)));
	child = sys_fork(); /* the child's VMA is not locked */
	assert_non_null(child);
	write_as(parent, addr, "new");
	new_pfn = pfn_of(parent, addr);
	assert_int_not_equal(new_pfn, old_pfn);
	assert_true(PageMlocked(pfn_to_page(new_pfn)));
	assert_false(PageMlocked(pfn_to_page(old_pfn)));
	assert_int_equal(global_node_page_state(NR_MLOCK), mlocked + 1);
	task_exit(child);
	assert_int_equal(global_node_page_state(NR_MLOCK), mlocked + 1);
	task_exit(parent);
	assert_int_equal(global_node_page_state(NR_MLOCK), mlocked);
}

/* NUMA hinting leaves pages shared copy-on-write with a child alone. */
static void test_numa_hinting_skips_shared_cow_pages(void **state)
{
	struct task_struct *parent = start_task("memory"), *child;
	unsigned long addr = map_pages(2, RW, MAP_PRIVATE);
	unsigned long changed;

	(void)state;
	write_as(parent, addr, "shared");
	child = sys_fork();
	assert_non_null(child);
	write_as(parent, addr + PAGE_SIZE, "own"); /* only the parent maps this one */
	mmap_read_lock(parent->mm);
	changed = change_prot_numa(find_vma(parent->mm, addr), addr, addr + 2 * PAGE_SIZE);
	mmap_read_unlock(parent->mm);
	assert_int_equal(changed, 1);
	assert_false(pte_protnone(ptep_get(mm_find_pte(parent->mm, addr, NULL))));
	assert_true(pte_protnone(ptep_get(mm_find_pte(parent->mm, addr + PAGE_SIZE, NULL))));
	task_exit(child);
	task_exit(parent);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_read_fault_maps_zero_page),
		GUP_TEST(test_write_fault_allocates_zeroed_page),
		GUP_TEST(test_cow_parent_writes_child_keeps_old),
		GUP_TEST(test_cow_child_writes_parent_keeps_old),
		GUP_TEST(test_cow_reuses_sole_reference),
		GUP_TEST(test_cow_of_zero_page),
		GUP_TEST(test_shared_anon_is_shared_across_fork),
		GUP_TEST(test_numa_hinting_fault_restores_pte),
		cmocka_unit_test(test_vm_fault_to_errno),
		GUP_TEST(test_fault_oom_fails_copy),
		GUP_TEST(test_fault_sigbus_fails_copy),
		GUP_TEST(test_handle_mm_fault_on_pfnmap_is_sigbus),
		GUP_TEST(test_cow_in_locked_vma_moves_mlock),
		GUP_TEST(test_numa_hinting_skips_shared_cow_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
