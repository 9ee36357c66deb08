// SPDX-License-Identifier: GPL-2.0-only
/*
 * One PTE table over two device-dax pgmaps. 5.11: GUP-fast's PTE walk swaps its
 * pgmap reference at the boundary, and when the second pgmap is being torn down
 * the walk gives back the first one's pages it took (undo_dev_pagemap) and the
 * slow path takes the range again, stopping at the dead pgmap with the pages
 * before it. 6.18 (gup_takes_pgmap false) takes no pgmap reference at all and,
 * the pages still mapped, pins the whole range across the dying pgmap.
 */
#include "harness.h"
#include <pthread.h>
#include <sched.h>

#define HALF (PMD_SIZE / 2)
#define HALF_NR (HPAGE_PMD_NR / 2)

struct teardown {
	struct dev_pagemap *pgmap;
	pthread_t thread;
};

static void *unmap_thread(void *arg)
{
	memunmap_pages(((struct teardown *)arg)->pgmap);
	return NULL;
}

/* Map @len bytes of @pgmap from @offset at the fixed address @at (over a reservation). */
static void map_device_at(struct dev_pagemap *pgmap, unsigned long offset, unsigned long len,
			  unsigned long at)
{
	unsigned long addr = sim_mmap_device(pgmap, offset, len, PROT_READ | PROT_WRITE);

	assert_false(IS_ERR_VALUE(addr));
	assert_int_equal(sys_mremap(addr, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, at), at);
}

static void snapshot_counts(unsigned long pfn, int *counts)
{
	for (int i = 0; i < HPAGE_PMD_NR; i++)
		counts[i] = page_ref_count(pfn_to_page(pfn + (unsigned long)i));
}

static void assert_counts(unsigned long pfn, const int *counts)
{
	for (int i = 0; i < HPAGE_PMD_NR; i++)
		assert_int_equal(page_ref_count(pfn_to_page(pfn + (unsigned long)i)), counts[i]);
}

static void test_pte_range_spanning_two_pgmaps(void **state)
{
	struct sim_config cfg = {.mem_bytes = 64UL << 20, .device_bytes = 8UL << 20};
	/* Static: a failed assertion leaves them on the machine's list for the teardown. */
	static struct dev_pagemap a = {.type = MEMORY_DEVICE_GENERIC};
	static struct dev_pagemap b = {.type = MEMORY_DEVICE_GENERIC};
	struct teardown td = {.pgmap = &b};
	static struct page *pages[HPAGE_PMD_NR];
	static int counts_a[HPAGE_PMD_NR], counts_b[HPAGE_PMD_NR];
	unsigned long resv, addr, a_pfn, b_pfn;
	unsigned char byte = 1;
	long refs_a, refs_b;

	(void)state;
	assert_int_equal(sim_boot(&cfg), 0);
	/* Two adjacent 4 KiB-aligned pgmaps, one subsection (2 MiB) each. */
	a.range.start = (uint64_t)sim_device_start_pfn() << PAGE_SHIFT;
	a.range.end = a.range.start + PMD_SIZE - 1;
	b.range.start = a.range.end + 1;
	b.range.end = b.range.start + PMD_SIZE - 1;
	assert_int_equal(memremap_pages(&a), 0);
	assert_int_equal(memremap_pages(&b), 0);
	a_pfn = pgmap_start_pfn(&a);
	b_pfn = pgmap_start_pfn(&b);
	start_task("two-pgmaps");

	/* One 2 MiB-aligned range, one PTE table: a's last half, then b's first half. */
	resv = sys_mmap(0, 2 * PMD_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_false(IS_ERR_VALUE(resv));
	addr = ALIGN_UP(resv, PMD_SIZE);
	map_device_at(&a, HALF, HALF, addr);
	map_device_at(&b, 0, HALF, addr + HALF);
	for (unsigned long off = 0; off < PMD_SIZE; off += PAGE_SIZE)
		assert_int_equal(copy_to_user(addr + off, &byte, 1), 0);
	refs_a = dev_pagemap_refs(&a);
	refs_b = dev_pagemap_refs(&b);
	snapshot_counts(a_pfn, counts_a);
	snapshot_counts(b_pfn, counts_b);

	/* Both live: the walk drops a's reference for b's at the boundary, keeps none. */
	assert_int_equal(get_user_pages_fast_only(addr, HPAGE_PMD_NR, 0, pages), HPAGE_PMD_NR);
	assert_ptr_equal(pages[HALF_NR - 1], pfn_to_page(a_pfn + HPAGE_PMD_NR - 1));
	assert_ptr_equal(pages[HALF_NR], pfn_to_page(b_pfn));
	assert_int_equal(dev_pagemap_refs(&a), refs_a);
	assert_int_equal(dev_pagemap_refs(&b), refs_b);
	put_pages(pages, HPAGE_PMD_NR);
	assert_counts(a_pfn, counts_a);
	assert_counts(b_pfn, counts_b);

	/*
	 * b is being torn down: killed, and memunmap_pages() waits for its mapping to
	 * go. The kill drops b's own references meanwhile, so b's counts are not
	 * compared from here; its lookup fails before any grab, and the join below
	 * only returns once nothing holds b.
	 */
	assert_int_equal(pthread_create(&td.thread, NULL, unmap_thread, &td), 0);
	while (!dev_pagemap_dying(&b))
		sched_yield();

	if (profile_is_6_18()) {
		/* No pgmap is asked for: both walks take every page still mapped. */
		assert_int_equal(get_user_pages_fast_only(addr, HPAGE_PMD_NR, 0, pages),
				 HPAGE_PMD_NR);
		assert_ptr_equal(pages[HALF_NR], pfn_to_page(b_pfn));
		put_pages(pages, HPAGE_PMD_NR);
		assert_int_equal(pin_user_pages_fast(addr, HPAGE_PMD_NR, FOLL_WRITE, pages),
				 HPAGE_PMD_NR);
		assert_int_equal(dev_pagemap_refs(&a), refs_a);
		unpin_user_pages(pages, HPAGE_PMD_NR);
		assert_counts(a_pfn, counts_a);
		goto unmap;
	}
	/* GUP-fast took a's half, met no pgmap for b: all of it goes back, and a's ref. */
	assert_int_equal(get_user_pages_fast_only(addr, HPAGE_PMD_NR, 0, pages), 0);
	assert_int_equal(dev_pagemap_refs(&a), refs_a);
	assert_counts(a_pfn, counts_a);

	/* The fallback: the slow path pins a's half and stops at b (-EFAULT after it). */
	assert_int_equal(pin_user_pages_fast(addr, HPAGE_PMD_NR, FOLL_WRITE, pages), HALF_NR);
	for (int i = 0; i < HALF_NR; i++)
		assert_ptr_equal(pages[i], pfn_to_page(a_pfn + HALF_NR + (unsigned long)i));
	assert_int_equal(pin_user_pages_fast(addr + HALF, 1, 0, pages + HALF_NR), -EFAULT);
	assert_int_equal(dev_pagemap_refs(&a), refs_a);
	unpin_user_pages(pages, HALF_NR);
	assert_counts(a_pfn, counts_a);
unmap:

	/* Unmapping lets b's teardown finish; a goes once nothing holds it. */
	assert_int_equal(sys_munmap(resv, 2 * PMD_SIZE), 0);
	assert_int_equal(pthread_join(td.thread, NULL), 0);
	task_exit(current);
	set_current(NULL);
	assert_int_equal(memunmap_pages_try(&a), 0);
	assert_int_equal(sim_shutdown(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_pte_range_spanning_two_pgmaps,
					  shutdown_left_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
