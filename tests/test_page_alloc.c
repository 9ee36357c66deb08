// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_page_alloc.c - the buddy allocator (every order, split and merge, the movable
 * zone), __GFP_ZERO and init_on_free, compound pages, page references and the zero page. Boot and
 * the shutdown leak report are in test_machine.c.
 */
#include "harness.h"

#include <string.h>

static struct zone *normal_zone(void)
{
	struct page *page = alloc_page(GFP_KERNEL);
	struct zone *zone = page_zone(page);

	__free_pages(page, 0);
	return zone;
}

static void test_movable_zone_serves_movable_requests(void **state)
{
	struct sim_config cfg = {.mem_bytes = 16UL << 20, .movable_bytes = 8UL << 20};
	struct page *movable, *normal;

	(void)state;
	assert_int_equal(sim_boot(&cfg), 0);
	movable = alloc_page(GFP_HIGHUSER_MOVABLE);
	normal = alloc_page(GFP_KERNEL);
	assert_non_null(movable);
	assert_non_null(normal);
	assert_int_equal(page_zonenum(movable), ZONE_MOVABLE);
	assert_int_equal(page_zonenum(normal), ZONE_NORMAL);
	assert_true(page_to_pfn(movable) >= (16UL << 20) >> PAGE_SHIFT);
	__free_pages(movable, 0);
	__free_pages(normal, 0);
	assert_int_equal(sim_shutdown(), 0);
}

static void test_alloc_and_free_every_order(void **state)
{
	unsigned long base = sim_free_pages();

	(void)state;
	for (unsigned int order = 0; order < MAX_ORDER; order++) {
		struct page *page = alloc_pages(GFP_KERNEL, order);

		assert_non_null(page);
		assert_true(IS_ALIGNED(page_to_pfn(page), 1UL << order));
		assert_int_equal(page_ref_count(page), 1);
		assert_false(PageBuddy(page));
		assert_int_equal(sim_free_pages(), base - (1UL << order));
		__free_pages(page, order);
		assert_int_equal(sim_free_pages(), base);
		assert_true(PageBuddy(page) || page_ref_count(page) == 0);
	}
}

static void test_order_out_of_range_warns_and_fails(void **state)
{
	unsigned long warns = sim_warn_count();

	(void)state;
	assert_null(alloc_pages(GFP_KERNEL, MAX_ORDER));
	assert_true(sim_warn_count() > warns);
}

/* Splitting a top-order block into single pages and freeing them merges it back. */
static void test_split_then_merge_restores_free_lists(void **state)
{
	enum { NR = 1 << (MAX_ORDER - 1) };
	struct zone *zone = normal_zone();
	unsigned long base = sim_free_pages();
	unsigned long top_blocks = zone->free_area[MAX_ORDER - 1].nr_free;
	static struct page *pages[NR];

	(void)state;
	for (int i = 0; i < NR; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		assert_non_null(pages[i]);
	}
	assert_int_equal(sim_free_pages(), base - NR);
	assert_true(zone->free_area[MAX_ORDER - 1].nr_free < top_blocks);
	for (int i = NR - 1; i >= 0; i--)
		__free_pages(pages[i], 0);
	assert_int_equal(sim_free_pages(), base);
	assert_int_equal(zone->free_area[MAX_ORDER - 1].nr_free, top_blocks);
	assert_int_equal(sim_check(NULL), 0);
}

static bool bytes_are(const void *p, int c, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i] != (unsigned char)c)
			return false;
	return true;
}

static void test_gfp_zero_clears_recycled_frames(void **state)
{
	(void)state;
	for (unsigned int order = 0; order <= 2; order++) {
		struct page *dirty = alloc_pages(GFP_KERNEL, order), *clean;

		memset(page_address(dirty), 0xa5, PAGE_SIZE << order);
		__free_pages(dirty, order);
		clean = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
		/* The buddy lists are LIFO: the dirtied block comes straight back. */
		assert_ptr_equal(clean, dirty);
		assert_true(bytes_are(page_address(clean), 0, PAGE_SIZE << order));
		__free_pages(clean, order);
	}
}

/*
 * init_on_free=1: the zeroing happens at free, so a block comes back zero even
 * without __GFP_ZERO (the default boot hands back the dirt, above), and an
 * anonymous fault, which clears nothing then, still reads zeros where the last
 * owner wrote.
 */
static void test_init_on_free_zeroes_at_free(void **state)
{
	struct sim_config cfg = {.init_on_free = true};
	struct task_struct *t;
	unsigned long addr, pfn;
	char c = 1;

	(void)state;
	assert_int_equal(sim_boot(&cfg), 0);
	for (unsigned int order = 0; order <= 2; order++) {
		struct page *dirty = alloc_pages(GFP_KERNEL, order), *again;

		memset(page_address(dirty), 0xa5, PAGE_SIZE << order);
		__free_pages(dirty, order);
		again = alloc_pages(GFP_KERNEL, order);
		assert_ptr_equal(again, dirty);
		assert_true(bytes_are(page_address(again), 0, PAGE_SIZE << order));
		__free_pages(again, order);
	}
	t = start_task("init_on_free");
	/* Two pages, so the page table outlives the first one's munmap. */
	addr = sys_mmap(0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			0);
	assert_int_equal(copy_to_user(addr + PAGE_SIZE, &c, 1), 0);
	assert_int_equal(copy_to_user(addr + 100, &c, 1), 0);
	pfn = pfn_of(t, addr);
	memset(page_address(pfn_to_page(pfn)), 0x5a, PAGE_SIZE); /* as the task would */
	assert_int_equal(sys_munmap(addr, PAGE_SIZE), 0);
	assert_int_equal(sys_mmap(addr, PAGE_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
			 addr);
	assert_int_equal(copy_to_user(addr + 200, &c, 1), 0);
	assert_int_equal(pfn_of(t, addr), pfn); /* the same frame, LIFO */
	assert_int_equal(copy_from_user(&c, addr + 100, 1), 0);
	assert_int_equal(c, 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

static void test_compound_page_layout(void **state)
{
	const unsigned int order = 3;
	struct page *head = alloc_pages(GFP_KERNEL | __GFP_COMP, order);

	(void)state;
	assert_non_null(head);
	assert_true(PageHead(head));
	assert_false(PageTail(head));
	assert_int_equal(compound_order(head), order);
	assert_int_equal(compound_nr(head), 1UL << order);
	for (unsigned long i = 1; i < (1UL << order); i++) {
		assert_true(PageTail(head + i));
		assert_true(PageCompound(head + i));
		assert_ptr_equal(compound_head(head + i), head);
	}
	assert_true(hpage_pincount_available(head + 5));
	assert_int_equal(compound_pincount(head + 5), 0);
	assert_int_equal(page_mapcount(head), 0);
	__free_pages(head, order);
	assert_false(PageHead(head));
	assert_false(PageTail(head + 1));
}

static void test_order1_compound_has_no_pincount(void **state)
{
	struct page *head = alloc_pages(GFP_KERNEL | __GFP_COMP, 1);

	(void)state;
	assert_true(PageHead(head));
	assert_false(hpage_pincount_available(head));
	__free_pages(head, 1);
}

static void test_tail_references_go_to_head(void **state)
{
	struct page *head = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);
	unsigned long base = sim_free_pages();

	(void)state;
	get_page(head + 3);
	assert_int_equal(page_ref_count(head), 2);
	assert_int_equal(page_count(head + 3), 2);
	assert_int_equal(page_ref_count(head + 3), 0);
	put_page(head + 2);
	assert_int_equal(page_ref_count(head), 1);
	put_page(head + 1); /* the last reference frees the whole block */
	assert_int_equal(sim_free_pages(), base + 4);
}

static void test_get_put_page_frees_on_last_reference(void **state)
{
	struct page *page = alloc_page(GFP_KERNEL);
	unsigned long base = sim_free_pages();

	(void)state;
	get_page(page);
	assert_int_equal(page_count(page), 2);
	put_page(page);
	assert_int_equal(page_count(page), 1);
	assert_int_equal(sim_free_pages(), base);
	put_page(page);
	assert_int_equal(sim_free_pages(), base + 1);
	assert_true(PageBuddy(page) || page_ref_count(page) == 0);
}

static void test_page_address_is_distinct_per_pfn(void **state)
{
	struct page *a = alloc_page(GFP_KERNEL), *b = alloc_page(GFP_KERNEL);
	long pfn_delta = (long)page_to_pfn(b) - (long)page_to_pfn(a);

	(void)state;
	assert_true(pfn_delta != 0);
	assert_int_equal((char *)page_address(b) - (char *)page_address(a), pfn_delta * PAGE_SIZE);
	assert_ptr_equal(virt_to_page((char *)page_address(a) + 100), a);
	assert_ptr_equal(pfn_to_page(page_to_pfn(b)), b);
	assert_true(pfn_valid(page_to_pfn(b)));
	assert_false(pfn_valid(sim_total_pages()));
	memset(page_address(a), 1, PAGE_SIZE);
	memset(page_address(b), 2, PAGE_SIZE);
	assert_true(bytes_are(page_address(a), 1, PAGE_SIZE));
	__free_pages(a, 0);
	__free_pages(b, 0);
}

static void test_zero_page_is_reserved_and_zero(void **state)
{
	struct page *zp = zero_page();

	(void)state;
	assert_ptr_equal(ZERO_PAGE(0), zp);
	assert_int_equal(page_to_pfn(zp), zero_pfn());
	assert_true(is_zero_pfn(page_to_pfn(zp)));
	assert_true(PageReserved(zp));
	assert_true(bytes_are(page_address(zp), 0, PAGE_SIZE));
}

static void test_injected_alloc_failure(void **state)
{
	struct page *page;

	(void)state;
	assert_int_equal(inject_arm("page_alloc", 1, 1), 0);
	assert_null(alloc_page(GFP_KERNEL));
	page = alloc_page(GFP_KERNEL);
	assert_non_null(page);
	assert_int_equal(inject_fired(INJECT_PAGE_ALLOC), 1);
	__free_pages(page, 0);
	inject_disarm_all();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_movable_zone_serves_movable_requests),
		GUP_TEST(test_alloc_and_free_every_order),
		GUP_TEST(test_order_out_of_range_warns_and_fails),
		GUP_TEST(test_split_then_merge_restores_free_lists),
		GUP_TEST(test_gfp_zero_clears_recycled_frames),
		cmocka_unit_test(test_init_on_free_zeroes_at_free),
		GUP_TEST(test_compound_page_layout),
		GUP_TEST(test_order1_compound_has_no_pincount),
		GUP_TEST(test_tail_references_go_to_head),
		GUP_TEST(test_get_put_page_frees_on_last_reference),
		GUP_TEST(test_page_address_is_distinct_per_pfn),
		GUP_TEST(test_zero_page_is_reserved_and_zero),
		GUP_TEST(test_injected_alloc_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
