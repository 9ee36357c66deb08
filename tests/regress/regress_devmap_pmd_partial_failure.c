// SPDX-License-Identifier: GPL-2.0-only
/*
 * A failure in the middle of a devmap pmd range: GUP-fast's grab of one device
 * page fails part way through __gup_device_huge(). The pages taken before it go
 * back (undo_dev_pagemap) and no pgmap reference stays behind: 5.11 leaked the
 * one it held (fixed in 5.19), which would keep memunmap_pages() waiting forever.
 * Under 6.18 the pmd is one folio (devmap_pmd_is_folio): its one grab fails whole.
 */
#include "harness.h"

static void test_devmap_pmd_failure_leaves_no_pgmap_ref(void **state)
{
	struct sim_config cfg = {.mem_bytes = 64UL << 20, .device_bytes = 8UL << 20};
	struct dev_pagemap pgmap = {.type = MEMORY_DEVICE_GENERIC, .align = PMD_SIZE};
	struct page *pages[HPAGE_PMD_NR], *broken;
	unsigned long addr;
	unsigned char byte = 1;
	long refs;

	(void)state;
	assert_int_equal(sim_boot(&cfg), 0);
	pgmap.range.start = (uint64_t)sim_device_start_pfn() << PAGE_SHIFT;
	pgmap.range.end = pgmap.range.start + PMD_SIZE - 1;
	assert_int_equal(memremap_pages(&pgmap), 0);
	start_task("partial");
	addr = sim_mmap_device(&pgmap, 0, PMD_SIZE, PROT_READ | PROT_WRITE);
	assert_false(IS_ERR_VALUE(addr));
	assert_int_equal(copy_to_user(addr, &byte, 1), 0);
	refs = dev_pagemap_refs(&pgmap);

	/* A page whose grab must fail (refcount 0 under a mapping: try_grab_page() refuses). */
	broken = pfn_to_page(pgmap_start_pfn(&pgmap) + by_profile(100, 0));
	set_page_count(broken, 0);
	assert_int_equal(get_user_pages_fast_only(addr, HPAGE_PMD_NR, 0, pages), 0);
	assert_int_equal(dev_pagemap_refs(&pgmap), refs);
	for (unsigned long i = 0; i < 100; i++)
		assert_int_equal(page_ref_count(pfn_to_page(pgmap_start_pfn(&pgmap) + i)),
				 i && profile_is_6_18() ? 0 : by_profile(1, 0));
	set_page_count(broken, 1);

	/* The pmd pins whole again; the pgmap can go once the mapping has. */
	assert_int_equal(get_user_pages_fast_only(addr, HPAGE_PMD_NR, 0, pages), HPAGE_PMD_NR);
	put_pages(pages, HPAGE_PMD_NR);
	assert_int_equal(dev_pagemap_refs(&pgmap), refs);
	assert_int_equal(sys_munmap(addr, PMD_SIZE), 0);
	task_exit(current);
	set_current(NULL);
	assert_int_equal(memunmap_pages_try(&pgmap), 0);
	assert_int_equal(sim_shutdown(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_devmap_pmd_failure_leaves_no_pgmap_ref,
					  shutdown_left_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
