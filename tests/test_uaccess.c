// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_uaccess.c - user access as the CPU performs it: copy_to_user and
 * copy_from_user byte counts at VMA ends, on PROT_NONE and read-only memory and
 * across pages; and the pagemap bits (present, pfn, exclusive, file).
 */
#include "harness.h"

#include <string.h>

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

/* A mapping of @pages pages with nothing mapped right after it. */
static unsigned long map_before_hole(unsigned long pages)
{
	unsigned long addr = map_bytes((pages + 1) * PAGE_SIZE, RW, ANON);

	assert_int_equal(sys_munmap(addr + pages * PAGE_SIZE, PAGE_SIZE), 0);
	return addr;
}

static void test_copy_stops_at_vma_end(void **state)
{
	struct task_struct *t = start_task("uaccess");
	unsigned long addr = map_before_hole(1);
	char in[30], out[30];

	(void)state;
	memset(in, 'x', sizeof(in));
	memset(out, 0, sizeof(out));
	assert_int_equal(copy_to_user(addr + PAGE_SIZE - 10, in, sizeof(in)), 20);
	assert_int_equal(copy_from_user(out, addr + PAGE_SIZE - 10, sizeof(out)), 20);
	assert_memory_equal(out, in, 10);
	assert_int_equal(copy_from_user(out, addr + PAGE_SIZE, 1), 1);
	task_exit(t);
}

static void test_copy_across_pages(void **state)
{
	struct task_struct *t = start_task("uaccess");
	unsigned long addr = map_bytes(4 * PAGE_SIZE, RW, ANON);
	static unsigned char in[3 * PAGE_SIZE], out[3 * PAGE_SIZE];

	(void)state;
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 7 + 3);
	assert_int_equal(copy_to_user(addr + 100, in, sizeof(in)), 0);
	assert_int_equal(copy_from_user(out, addr + 100, sizeof(out)), 0);
	assert_memory_equal(in, out, sizeof(in));
	for (int i = 0; i < 4; i++)
		assert_true(pagemap_entry(t, addr + i * PAGE_SIZE) & PM_PRESENT);
	task_exit(t);
}

static void test_prot_none_refuses_everything(void **state)
{
	struct task_struct *t = start_task("uaccess");
	unsigned long addr = map_bytes(PAGE_SIZE, PROT_NONE, ANON);
	char buf[8] = "none";

	(void)state;
	assert_int_equal(copy_to_user(addr, buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(copy_from_user(buf, addr, sizeof(buf)), sizeof(buf));
	assert_int_equal(pagemap_entry(t, addr), 0);
	task_exit(t);
}

static void test_read_only_refuses_writes(void **state)
{
	struct task_struct *t = start_task("uaccess");
	unsigned long addr = map_bytes(2 * PAGE_SIZE, RW, ANON);
	char buf[16];

	(void)state;
	assert_int_equal(copy_to_user(addr + PAGE_SIZE, "kept", 5), 0);
	assert_int_equal(sys_mprotect(addr + PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
	/* Only the writable first page takes the bytes; the rest are not copied. */
	assert_int_equal(copy_to_user(addr + PAGE_SIZE - 8, "overwrite-attempt", 16), 8);
	assert_int_equal(copy_from_user(buf, addr + PAGE_SIZE, 5), 0);
	assert_string_equal(buf, "kept");
	assert_int_equal(copy_from_user(buf, addr + PAGE_SIZE - 8, 8), 0);
	assert_memory_equal(buf, "overwrit", 8);
	/* A present, written page made read-only refuses writes as well. */
	assert_int_equal(sys_mprotect(addr, PAGE_SIZE, PROT_READ), 0);
	assert_int_equal(copy_to_user(addr, "x", 1), 1);
	task_exit(t);
}

static void test_bad_addresses_copy_nothing(void **state)
{
	struct task_struct *t = start_task("uaccess");
	unsigned long addr = map_bytes(PAGE_SIZE, RW, ANON);
	char buf[16] = {0};

	(void)state;
	assert_int_equal(copy_to_user(TASK_SIZE, buf, 1), 1);
	assert_int_equal(copy_from_user(buf, TASK_SIZE - 4, 8), 8);
	assert_int_equal(copy_from_user(buf, -4096UL, 8), 8);
	assert_int_equal(copy_to_user(0, buf, sizeof(buf)), sizeof(buf));
	set_current(NULL);
	assert_int_equal(copy_to_user(addr, buf, sizeof(buf)), sizeof(buf)); /* no task */
	set_current(t);
	assert_int_equal(copy_to_user(addr, buf, 0), 0);
	task_exit(t);
}

static void test_pagemap_bits(void **state)
{
	struct task_struct *t = start_task("uaccess");
	unsigned long addr = map_bytes(3 * PAGE_SIZE, RW, ANON);
	uint64_t entry;

	(void)state;
	assert_int_equal(copy_to_user(addr, "p", 1), 0);
	entry = pagemap_entry(t, addr);
	assert_true(entry & PM_PRESENT);
	assert_true(entry & PM_MMAP_EXCLUSIVE);
	assert_false(entry & (PM_FILE | PM_SWAP));
	assert_true(pfn_valid(entry & PM_PFRAME_MASK));
	assert_true(PageAnon(pfn_to_page(entry & PM_PFRAME_MASK)));
	assert_int_equal(pagemap_entry(t, addr + PAGE_SIZE), 0); /* never touched */
	assert_int_equal(pagemap_entry(t, addr + 16 * PAGE_SIZE) & PM_PRESENT, 0);
	assert_int_equal(pagemap_read(t->mm, TASK_SIZE, &entry), -EINVAL);
	assert_int_equal(pagemap_read(t->mm, -1UL, &entry), -EINVAL);
	assert_int_equal(pagemap_read(t->mm, addr, NULL), -EINVAL);
	task_exit(t);
}

static void test_pagemap_exclusive_cleared_by_fork(void **state)
{
	struct task_struct *parent = start_task("uaccess"), *child;
	unsigned long addr = map_bytes(PAGE_SIZE, RW, ANON);
	uint64_t before;

	(void)state;
	assert_int_equal(copy_to_user(addr, "e", 1), 0);
	before = pagemap_entry(parent, addr);
	child = sys_fork();
	assert_false(pagemap_entry(parent, addr) & PM_MMAP_EXCLUSIVE);
	assert_false(pagemap_entry(child, addr) & PM_MMAP_EXCLUSIVE);
	assert_int_equal(pagemap_entry(child, addr) & PM_PFRAME_MASK, before & PM_PFRAME_MASK);
	task_exit(child);
	assert_true(pagemap_entry(parent, addr) & PM_MMAP_EXCLUSIVE);
	task_exit(parent);
}

static void test_pagemap_shared_anon_is_file(void **state)
{
	struct task_struct *t = start_task("uaccess");
	unsigned long addr = map_bytes(PAGE_SIZE, RW, MAP_SHARED | MAP_ANONYMOUS);
	char c = 0;

	(void)state;
	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	assert_true(pagemap_entry(t, addr) & PM_FILE);
	assert_true(pagemap_entry(t, addr) & PM_PRESENT);
	assert_true((pagemap_entry(t, addr) & PM_PFRAME_MASK) != zero_pfn());
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_copy_stops_at_vma_end),
		GUP_TEST(test_copy_across_pages),
		GUP_TEST(test_prot_none_refuses_everything),
		GUP_TEST(test_read_only_refuses_writes),
		GUP_TEST(test_bad_addresses_copy_nothing),
		GUP_TEST(test_pagemap_bits),
		GUP_TEST(test_pagemap_exclusive_cleared_by_fork),
		GUP_TEST(test_pagemap_shared_anon_is_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
