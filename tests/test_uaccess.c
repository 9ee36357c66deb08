// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_uaccess.c - user access as the CPU performs it: copy_to_user and
 * copy_from_user byte counts at VMA ends, on PROT_NONE and read-only memory and
 * across pages.
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_copy_stops_at_vma_end),
		GUP_TEST(test_copy_across_pages),
		GUP_TEST(test_prot_none_refuses_everything),
		GUP_TEST(test_read_only_refuses_writes),
		GUP_TEST(test_bad_addresses_copy_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
