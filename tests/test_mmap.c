// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_mmap.c - the mapping system calls on the current task: mmap errors,
 * VMA lookup, munmap, stack growth (also locked) and raw pfn mappings. mprotect,
 * madvise and mlock have their own test files.
 */
#include "harness.h"

#include <string.h>

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static void test_mmap_errors(void **state)
{
	struct task_struct *t = start_task("mmap");
	unsigned long addr = map_bytes(PAGE_SIZE, RW, ANON);

	(void)state;
	assert_int_equal((long)sys_mmap(0, 0, RW, ANON, -1, 0), -EINVAL);
	assert_int_equal((long)sys_mmap(0, PAGE_SIZE, RW, MAP_ANONYMOUS, -1, 0), -EINVAL);
	assert_int_equal((long)sys_mmap(0, PAGE_SIZE, 0x1000, ANON, -1, 0), -EINVAL);
	assert_int_equal((long)sys_mmap(0, PAGE_SIZE, RW, ANON, -1, 100), -EINVAL);
	assert_int_equal((long)sys_mmap(addr + 1, PAGE_SIZE, RW, ANON | MAP_FIXED, -1, 0), -EINVAL);
	assert_int_equal((long)sys_mmap(addr, PAGE_SIZE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0),
			 -EEXIST);
	assert_int_equal((long)sys_mmap(0, PAGE_SIZE, RW, MAP_PRIVATE, 3, 0), -EBADF);
	assert_int_equal(
		(long)sys_mmap(0, PAGE_SIZE, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0),
		-EINVAL);
	assert_int_equal(
		(long)sys_mmap(0, PAGE_SIZE, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0),
		-EINVAL);
	assert_int_equal((long)sys_mmap(0, TASK_SIZE + PAGE_SIZE, RW, ANON, -1, 0), -ENOMEM);
	assert_int_equal((long)sys_mmap(0, -1UL, RW, ANON, -1, 0), -ENOMEM);
	assert_int_equal((long)sys_mmap(TASK_SIZE, PAGE_SIZE, RW, ANON | MAP_FIXED, -1, 0),
			 -ENOMEM);
	assert_int_equal(current->mm->map_count, 1);
	task_exit(t);
}

static void test_map_fixed_replaces(void **state)
{
	struct task_struct *t = start_task("mmap");
	unsigned long addr = map_bytes(2 * PAGE_SIZE, RW, ANON);
	char c = 1;

	(void)state;
	assert_int_equal(copy_to_user(addr, "x", 1), 0);
	assert_int_equal(sys_mmap(addr, PAGE_SIZE, RW, ANON | MAP_FIXED, -1, 0), addr);
	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	assert_int_equal(c, 0); /* a fresh mapping: the old page is gone */
	task_exit(t);
}

static void test_find_vma(void **state)
{
	struct task_struct *t = start_task("mmap");
	unsigned long lo = map_bytes(PAGE_SIZE, RW, ANON);
	unsigned long hi = map_bytes(PAGE_SIZE, PROT_READ, ANON); /* different flags: no merge */
	struct vm_area_struct *vma, *prev;

	(void)state;
	if (lo > hi) {
		unsigned long tmp = lo;

		lo = hi;
		hi = tmp;
	}
	mmap_read_lock(t->mm);
	assert_int_equal(find_vma(t->mm, lo)->vm_start, lo);
	assert_int_equal(find_vma(t->mm, lo + PAGE_SIZE - 1)->vm_start, lo);
	assert_int_equal(find_vma(t->mm, 0)->vm_start, lo); /* the first one above */
	assert_int_equal(find_vma(t->mm, hi)->vm_start, hi);
	assert_null(find_vma(t->mm, hi + PAGE_SIZE));
	vma = find_vma_prev(t->mm, hi, &prev);
	assert_int_equal(vma->vm_start, hi);
	assert_int_equal(prev->vm_start, lo);
	mmap_read_unlock(t->mm);
	task_exit(t);
}

static void test_munmap_middle(void **state)
{
	struct task_struct *t = start_task("mmap");
	unsigned long addr = map_bytes(3 * PAGE_SIZE, RW, ANON);
	char buf[3] = {0};

	(void)state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(copy_to_user(addr + i * PAGE_SIZE, &"abc"[i], 1), 0);
	assert_int_equal(sys_munmap(addr + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(t->mm->map_count, 2);
	assert_null(vma_at(current, addr + PAGE_SIZE));
	assert_int_equal(copy_from_user(buf, addr + PAGE_SIZE, 1), 1);
	assert_int_equal(copy_from_user(&buf[0], addr, 1), 0);
	assert_int_equal(copy_from_user(&buf[2], addr + 2 * PAGE_SIZE, 1), 0);
	assert_int_equal(buf[0], 'a');
	assert_int_equal(buf[2], 'c');
	assert_int_equal(sys_munmap(addr + 1, PAGE_SIZE), -EINVAL);
	assert_int_equal(sys_munmap(addr, 0), -EINVAL);
	assert_int_equal(sys_munmap(addr + PAGE_SIZE, PAGE_SIZE), 0); /* already a hole */
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

static void test_growsdown_stack_extends(void **state)
{
	struct task_struct *t = start_task("mmap");
	unsigned long stack = map_bytes(4 * PAGE_SIZE, RW, ANON | MAP_GROWSDOWN);
	unsigned long lower = stack - 260 * PAGE_SIZE;
	struct vm_area_struct *vma;

	(void)state;
	assert_int_equal(sys_mmap(lower, PAGE_SIZE, RW, ANON | MAP_FIXED, -1, 0), lower);
	mmap_write_lock(t->mm);
	vma = find_extend_vma(t->mm, stack - PAGE_SIZE + 8);
	assert_non_null(vma);
	assert_true(vma->vm_flags & VM_GROWSDOWN);
	assert_int_equal(vma->vm_start, stack - PAGE_SIZE);
	assert_ptr_equal(find_extend_vma(t->mm, stack - 2 * PAGE_SIZE), vma);
	assert_int_equal(vma->vm_start, stack - 2 * PAGE_SIZE);
	/* Within the 256-page guard gap above the lower mapping: refused. */
	assert_null(find_extend_vma(t->mm, stack - 10 * PAGE_SIZE));
	assert_int_equal(vma->vm_start, stack - 2 * PAGE_SIZE);
	/* An ordinary VMA never grows down. */
	assert_null(find_extend_vma(t->mm, lower - PAGE_SIZE));
	mmap_write_unlock(t->mm);
	/* A PROT_NONE neighbour is itself a guard: the gap no longer applies. */
	assert_int_equal(sys_mprotect(lower, PAGE_SIZE, PROT_NONE), 0);
	mmap_write_lock(t->mm);
	assert_ptr_equal(find_extend_vma(t->mm, stack - 10 * PAGE_SIZE), vma);
	assert_int_equal(vma->vm_start, stack - 10 * PAGE_SIZE);
	mmap_write_unlock(t->mm);
	assert_int_equal(copy_to_user(stack - 2 * PAGE_SIZE, "s", 1), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

static void test_mmap_pfn_maps_special_ptes(void **state)
{
	struct task_struct *t = start_task("mmap");
	struct page *frames = alloc_pages(GFP_KERNEL, 1);
	unsigned long pfn = page_to_pfn(frames), addr;
	struct vm_area_struct *vma;
	char buf[4] = {0};

	(void)state;
	assert_int_equal((long)sys_mmap_pfn(sim_total_pages(), 1, PROT_READ), -EINVAL);
	assert_int_equal((long)sys_mmap_pfn(pfn, 0, PROT_READ), -EINVAL);
	strcpy((char *)page_address(frames + 1), "io!");
	addr = sys_mmap_pfn(pfn, 2, RW);
	assert_false(IS_ERR_VALUE(addr));
	vma = vma_at(current, addr);
	assert_int_equal(vma->vm_flags & (VM_IO | VM_PFNMAP), VM_IO | VM_PFNMAP);
	for (int i = 0; i < 2; i++) {
		pte_t pte = ptep_get(mm_find_pte(t->mm, addr + i * PAGE_SIZE, NULL));

		assert_true(pte_present(pte));
		assert_true(pte_special(pte));
		assert_int_equal(pte_pfn(pte), pfn + i);
		assert_null(vm_normal_page(vma, addr + i * PAGE_SIZE, pte));
	}
	assert_int_equal(copy_from_user(buf, addr + PAGE_SIZE, sizeof(buf)), 0);
	assert_string_equal(buf, "io!");
	/* mlock leaves special mappings alone. */
	assert_int_equal(sys_mlock(addr, 2 * PAGE_SIZE), 0);
	assert_false(vma_at(current, addr)->vm_flags & VM_LOCKED);
	assert_int_equal(sys_munmap(addr, 2 * PAGE_SIZE), 0);
	assert_int_equal(page_ref_count(frames), 1); /* special PTEs hold no reference */
	__free_pages(frames, 1);
	task_exit(t);
}

/* A locked stack grown by several pages at once gets all of them populated and counted. */
static void test_locked_stack_growth_populates_whole_gap(void **state)
{
	struct task_struct *t = start_task("mmap");
	unsigned long stack = map_bytes(PAGE_SIZE, RW, ANON | MAP_GROWSDOWN | MAP_LOCKED);
	unsigned long mlocked = global_node_page_state(NR_MLOCK);
	struct vm_area_struct *vma;

	(void)state;
	assert_int_equal(t->mm->locked_vm, 1);
	mmap_read_lock(t->mm); /* GUP grows stacks under the read lock */
	vma = find_extend_vma(t->mm, stack - 3 * PAGE_SIZE);
	mmap_read_unlock(t->mm);
	assert_non_null(vma);
	assert_int_equal(vma->vm_start, stack - 3 * PAGE_SIZE);
	for (int i = 1; i <= 3; i++)
		assert_true(PageMlocked(pfn_to_page(pfn_of(t, stack - i * PAGE_SIZE))));
	assert_int_equal(global_node_page_state(NR_MLOCK), mlocked + 3);
	assert_int_equal(t->mm->locked_vm, 4);
	assert_int_equal(t->mm->total_vm, 4);
	task_exit(t);
}

/* An mmap hint is rounded down to its page, as round_hint_to_min() does. */
static void test_mmap_hint_rounds_down(void **state)
{
	struct task_struct *t = start_task("mmap");
	unsigned long addr = map_bytes(PAGE_SIZE, RW, ANON);

	(void)state;
	assert_int_equal(sys_munmap(addr, PAGE_SIZE), 0);
	assert_int_equal(sys_mmap(addr + 123, PAGE_SIZE, RW, ANON, -1, 0), addr);
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_mmap_errors),
		GUP_TEST(test_map_fixed_replaces),
		GUP_TEST(test_find_vma),
		GUP_TEST(test_munmap_middle),
		GUP_TEST(test_growsdown_stack_extends),
		GUP_TEST(test_mmap_pfn_maps_special_ptes),
		GUP_TEST(test_locked_stack_growth_populates_whole_gap),
		GUP_TEST(test_mmap_hint_rounds_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
