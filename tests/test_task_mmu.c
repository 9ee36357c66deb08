// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_task_mmu.c - /proc/PID/pagemap entries (fs/proc/task_mmu.c): present, pfn,
 * exclusive and file bits; the maps and smaps text of show_maps() and show_smaps().
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

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

/* show_smaps() (or show_maps()) of @mm as one string; the caller frees it. */
static char *smaps_text(struct mm_struct *mm, bool smaps)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	assert_int_equal(smaps ? show_smaps(out, mm) : show_maps(out, mm), 0);
	assert_int_equal(fclose(out), 0);
	return text;
}

static void test_smaps_counts_and_flags(void **state)
{
	struct task_struct *t = start_task("smaps");
	unsigned long addr = map_bytes(4 * PAGE_SIZE, RW, ANON);
	char line[128], *text;
	struct page *page;
	char c;

	(void)state;
	assert_int_equal(copy_to_user(addr, "ab", 1), 0);
	assert_int_equal(copy_to_user(addr + PAGE_SIZE, "b", 1), 0);
	assert_int_equal(copy_from_user(&c, addr + 2 * PAGE_SIZE, 1), 0); /* the zero page */
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE, &page), 1);
	text = smaps_text(t->mm, true);
	snprintf(line, sizeof(line), "%08lx-%08lx rw-p 00000000 00:00 0 \n", addr,
		 addr + 4 * PAGE_SIZE);
	assert_non_null(strstr(text, line));
	assert_non_null(strstr(text, "\nSize:                 16 kB\n"));
	assert_non_null(strstr(text, "\nRss:                   8 kB\n")); /* not the zero page */
	assert_non_null(strstr(text, "\nAnonymous:             8 kB\n"));
	assert_non_null(strstr(text, "\nLocked:                0 kB\n"));
	assert_non_null(strstr(text, "\nPinned:                4 kB\n"));
	assert_non_null(strstr(text, "\nVmFlags: rd wr mr mw me\n"));
	free(text);
	text = smaps_text(t->mm, false);
	assert_string_equal(text, line);
	free(text);
	assert_int_equal(show_smaps(NULL, t->mm), -EINVAL);
	assert_int_equal(show_maps(stdout, NULL), -EINVAL);
	unpin_user_page(page);
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_pagemap_bits),
		GUP_TEST(test_pagemap_exclusive_cleared_by_fork),
		GUP_TEST(test_pagemap_shared_anon_is_file),
		GUP_TEST(test_smaps_counts_and_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
