// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_profile_extras.c - the 6.x rules of issue 13 beyond COW and pins,
 * each asserted under both profiles: the stack GUP no longer grows (6.5), NUMA
 * hints (6.6), the flags 6.x added (FOLL_NOFAULT, FOLL_UNLOCKABLE,
 * FOLL_MADV_POPULATE, FOLL_HONOR_NUMA_FAULT), MADV_POPULATE's 6.9 walk, and
 * pin_user_pages_fast_only(), which 6.18 no longer has.
 */
#include "harness.h"

static bool is_6_18(void)
{
	return sim_current_profile() == SIM_PROFILE_6_18;
}

/* A 4-page VM_GROWSDOWN stack with nothing mapped for 512 pages below it. */
static unsigned long map_stack(void)
{
	unsigned long hole = map_rw(520);
	unsigned long stack = hole + 516 * PAGE_SIZE;

	assert_int_equal(sys_munmap(hole, 516 * PAGE_SIZE), 0);
	assert_int_equal(sys_mmap(stack, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, -1, 0),
			 stack);
	return stack;
}

/* gup_vma_lookup: 5.11 grows the stack for GUP; 6.5 refuses, warning once just below it. */
static void test_gup_below_stack(void **state)
{
	struct task_struct *t = start_task("stack");
	unsigned long stack = map_stack();
	unsigned long warnings = sim_warn_count();
	struct page *page;

	(void)state;
	if (is_6_18()) {
		assert_int_equal(gup_under_lock(stack - PAGE_SIZE, 1, FOLL_WRITE, &page, NULL),
				 -EFAULT);
		assert_int_equal(sim_warn_count(), warnings + 1);
		assert_int_equal(vma_at(t, stack)->vm_start, stack);
		/* Rate-limited: the second time is silent. */
		assert_int_equal(gup_under_lock(stack - 2 * PAGE_SIZE, 1, 0, &page, NULL), -EFAULT);
		assert_int_equal(sim_warn_count(), warnings + 1);
	} else {
		assert_int_equal(gup_under_lock(stack - PAGE_SIZE, 1, FOLL_WRITE, &page, NULL), 1);
		put_page(page);
		assert_int_equal(vma_at(t, stack)->vm_start, stack - PAGE_SIZE);
		assert_int_equal(sim_warn_count(), warnings);
	}
	task_exit(t);
}

/* More than 64 KiB below a stack the access is no stack access: no warning in 6.5. */
static void test_gup_far_below_stack_is_silent(void **state)
{
	struct task_struct *t = start_task("stack");
	unsigned long stack = map_stack();
	unsigned long warnings = sim_warn_count();
	struct page *page;
	long got;

	(void)state;
	got = gup_under_lock(stack - 17 * PAGE_SIZE, 1, 0, &page, NULL);
	if (is_6_18()) {
		assert_int_equal(got, -EFAULT);
	} else {
		assert_int_equal(got, 1);
		put_page(page);
	}
	assert_int_equal(sim_warn_count(), warnings);
	task_exit(t);
}

/* fixup_user_fault uses the same lookup. */
static void test_fixup_below_stack(void **state)
{
	struct task_struct *t = start_task("stack");
	unsigned long stack = map_stack();
	int err;

	(void)state;
	mmap_read_lock(t->mm);
	err = fixup_user_fault(t->mm, stack - PAGE_SIZE, FAULT_FLAG_WRITE, NULL);
	mmap_read_unlock(t->mm);
	assert_int_equal(err, is_6_18() ? -EFAULT : 0);
	task_exit(t);
}

/* process_vm_readv: -EFAULT below the stack under 6.5 (GUP's lookup), grown under 5.11. */
static void test_process_vm_readv_below_stack(void **state)
{
	struct task_struct *t = start_task("stack");
	unsigned long buf = map_rw(1); /* first: it would land just below the stack */
	unsigned long stack = map_stack();
	struct iovec local = {.iov_base = (void *)buf, .iov_len = 8};
	struct iovec remote = {.iov_base = (void *)(stack - PAGE_SIZE), .iov_len = 8};
	long ret;

	(void)state;
	ret = sys_process_vm_readv(t, &local, 1, &remote, 1, 0);
	assert_int_equal(ret, is_6_18() ? -EFAULT : 8);
	assert_int_equal(vma_at(t, stack)->vm_start, is_6_18() ? stack : stack - PAGE_SIZE);
	task_exit(t);
}

/* access_remote_vm (/proc/pid/mem) still grows the stack in 6.5: it expands it itself. */
static void test_access_remote_vm_below_stack_grows(void **state)
{
	struct task_struct *t = start_task("stack");
	unsigned long stack = map_stack();
	unsigned long warnings = sim_warn_count();
	char buf[8] = "";

	(void)state;
	assert_int_equal(access_remote_vm(t->mm, stack - PAGE_SIZE, buf, 8, FOLL_FORCE), 8);
	assert_int_equal(vma_at(t, stack)->vm_start, stack - PAGE_SIZE);
	assert_int_equal(sim_warn_count(), warnings);
	/* Where no stack is above, nothing grows in either profile. */
	assert_int_equal(access_remote_vm(t->mm, 1UL << 30, buf, 8, 0), 0);
	task_exit(t);
}

/* A present page behind a NUMA hint (change_prot_numa). */
static unsigned long map_numa_hinted(struct task_struct *t)
{
	unsigned long addr = map_rw(1);

	touch_page(addr);
	mmap_read_lock(t->mm);
	assert_int_equal(change_prot_numa(find_vma(t->mm, addr), addr, addr + PAGE_SIZE), 1);
	mmap_read_unlock(t->mm);
	return addr;
}

static bool numa_hinted(struct task_struct *t, unsigned long addr)
{
	return pte_protnone(ptep_get(mm_find_pte(t->mm, addr, NULL)));
}

/* gup_can_follow_protnone: 5.11 faults the hint (FOLL_NUMA); 6.6 follows it. */
static void test_numa_hint_followed_unless_honoured(void **state)
{
	struct task_struct *t = start_task("numa");
	unsigned long addr = map_numa_hinted(t);
	unsigned long faults = page_faults();
	struct page *page;

	(void)state;
	assert_int_equal(gup_under_lock(addr, 1, 0, &page, NULL), 1);
	put_page(page);
	if (is_6_18()) {
		assert_int_equal(page_faults(), faults);
		assert_true(numa_hinted(t, addr));
		/* KVM's FOLL_HONOR_NUMA_FAULT takes the hinting fault. */
		assert_int_equal(gup_under_lock(addr, 1, FOLL_HONOR_NUMA_FAULT, &page, NULL), 1);
		put_page(page);
		assert_int_equal(page_faults(), faults + 1);
	} else {
		assert_int_equal(page_faults(), faults + 1);
		/* FOLL_HONOR_NUMA_FAULT is an unknown bit: a forced access still follows. */
		addr = map_numa_hinted(t);
		faults = page_faults();
		assert_int_equal(
			gup_under_lock(addr, 1, FOLL_FORCE | FOLL_HONOR_NUMA_FAULT, &page, NULL),
			1);
		put_page(page);
		assert_int_equal(page_faults(), faults);
	}
	task_exit(t);
}

/* GUP-fast never takes a NUMA-hinted page: it falls back in both profiles. */
static void test_numa_hint_gup_fast_falls_back(void **state)
{
	struct task_struct *t = start_task("numa");
	unsigned long addr = map_numa_hinted(t);
	struct page *page;

	(void)state;
	assert_int_equal(get_user_pages_fast_only(addr, 1, 0, &page), 0);
	assert_int_equal(get_user_pages_fast(addr, 1, 0, &page), 1);
	put_page(page);
	task_exit(t);
}

/* FOLL_NOFAULT (5.16): no fault, -EFAULT; under 5.11 an unknown bit, so GUP faults. */
static void test_nofault(void **state)
{
	struct task_struct *t = start_task("nofault");
	unsigned long addr = map_rw(2);
	unsigned long faults = page_faults();
	struct page *page;

	(void)state;
	if (is_6_18()) {
		assert_int_equal(gup_under_lock(addr, 1, FOLL_NOFAULT, &page, NULL), -EFAULT);
		assert_int_equal(page_faults(), faults);
		assert_false(addr_present(addr));
		/* A present page is got without a fault. */
		touch_page(addr + PAGE_SIZE);
		assert_int_equal(gup_under_lock(addr + PAGE_SIZE, 1, FOLL_NOFAULT, &page, NULL), 1);
		put_page(page);
		/* GUP-fast knows the flag too (and falls back to the slow walk). */
		assert_int_equal(get_user_pages_fast(addr, 1, FOLL_NOFAULT, &page), -EFAULT);
	} else {
		assert_int_equal(gup_under_lock(addr, 1, FOLL_NOFAULT, &page, NULL), 1);
		put_page(page);
		assert_int_equal(page_faults(), faults + 1);
		/* GUP-fast refuses every bit outside its mask. */
		assert_warned(get_user_pages_fast(addr, 1, FOLL_NOFAULT, &page), -EINVAL, 1);
	}
	task_exit(t);
}

/* MADV_POPULATE_*: the same errors from 5.14's VMA walk (5.11 profile) and 6.9's GUP walk. */
static void test_populate_errors(void **state)
{
	struct task_struct *t = start_task("populate");
	unsigned long rw = map_rw(4);
	unsigned long ro = map_pages(1, PROT_READ, MAP_PRIVATE);
	unsigned long hole = rw + 2 * PAGE_SIZE;

	(void)state;
	assert_int_equal(sys_munmap(hole, PAGE_SIZE), 0);
	/* The pages before the hole are populated, the hole reported. */
	assert_int_equal(sys_madvise(rw, 4 * PAGE_SIZE, MADV_POPULATE_WRITE), -ENOMEM);
	assert_true(addr_present(rw + PAGE_SIZE));
	assert_false(addr_present(rw + 3 * PAGE_SIZE));
	assert_int_equal(sys_madvise(ro, PAGE_SIZE, MADV_POPULATE_WRITE), -EINVAL);
	assert_int_equal(sys_madvise(ro, PAGE_SIZE, MADV_POPULATE_READ), 0);
	assert_int_equal(inject_arm("fault_sigbus", 1, 1), 0);
	assert_int_equal(sys_madvise(rw + 3 * PAGE_SIZE, PAGE_SIZE, MADV_POPULATE_READ), -EFAULT);
	/* A fault that dropped mmap_lock is retried (6.9: with FOLL_TRIED) and done. */
	assert_int_equal(inject_arm("fault_retry", 1, 1), 0);
	assert_int_equal(sys_madvise(rw + 3 * PAGE_SIZE, PAGE_SIZE, MADV_POPULATE_WRITE), 0);
	assert_true(addr_present(rw + 3 * PAGE_SIZE));
	task_exit(t);
}

/* pin_user_pages_fast_only(): 5.11 has it; 6.18 no longer does and refuses, warning once. */
static void test_pin_user_pages_fast_only(void **state)
{
	struct task_struct *t = start_task("fastonly");
	unsigned long addr = map_rw(1);
	unsigned long warnings;
	struct page *page;

	(void)state;
	touch_page(addr);
	warnings = sim_warn_count();
	if (is_6_18()) {
		assert_int_equal(pin_user_pages_fast_only(addr, 1, 0, &page), -EINVAL);
		assert_int_equal(pin_user_pages_fast_only(addr, 1, 0, &page), -EINVAL);
		assert_int_equal(sim_warn_count(), warnings + 1);
		assert_int_equal(pins_acquired(), pins_released());
	} else {
		assert_int_equal(pin_user_pages_fast_only(addr, 1, 0, &page), 1);
		unpin_user_page(page);
		assert_int_equal(sim_warn_count(), warnings);
	}
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_gup_below_stack),
		GUP_TEST(test_gup_far_below_stack_is_silent),
		GUP_TEST(test_fixup_below_stack),
		GUP_TEST(test_process_vm_readv_below_stack),
		GUP_TEST(test_access_remote_vm_below_stack_grows),
		GUP_TEST(test_numa_hint_followed_unless_honoured),
		GUP_TEST(test_numa_hint_gup_fast_falls_back),
		GUP_TEST(test_nofault),
		GUP_TEST(test_populate_errors),
		GUP_TEST(test_pin_user_pages_fast_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
