// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_shrinker.c - the shrinker list (register/unregister, shrink_slab's
 * batches and SHRINK_STOP), the THP deferred split queue as a shrinker, and the page
 * allocator's slow path reclaiming through it before an allocation fails.
 */
#include "harness.h"
#include "mm/internal.h"
#include "mm/shrinker.h"

#include <stdlib.h>

#define THP_BASE 0x40000000UL /* 2 MiB aligned */

/* A cache of @objects objects that frees what it is asked to, counting the calls. */
struct fake_cache {
	struct shrinker shrinker;
	unsigned long objects;
	unsigned long scans;
	unsigned long largest_scan;
	bool stop; /* answer SHRINK_STOP instead */
};

static unsigned long fake_count(struct shrinker *shrinker, struct shrink_control *sc)
{
	struct fake_cache *cache = (struct fake_cache *)shrinker;

	(void)sc;
	return cache->objects;
}

static unsigned long fake_scan(struct shrinker *shrinker, struct shrink_control *sc)
{
	struct fake_cache *cache = (struct fake_cache *)shrinker;
	unsigned long nr = min_t(unsigned long, sc->nr_to_scan, cache->objects);

	cache->scans++;
	if (sc->nr_to_scan > cache->largest_scan)
		cache->largest_scan = sc->nr_to_scan;
	if (cache->stop)
		return SHRINK_STOP;
	cache->objects -= nr;
	return nr;
}

static void init_cache(struct fake_cache *cache, unsigned long objects, long batch)
{
	*cache = (struct fake_cache){.objects = objects};
	cache->shrinker.count_objects = fake_count;
	cache->shrinker.scan_objects = fake_scan;
	cache->shrinker.batch = batch;
}

static void test_shrink_slab_scans_in_batches(void **state)
{
	struct fake_cache a, b;

	(void)state;
	assert_int_equal(sim_boot(NULL), 0);
	init_cache(&a, 300, 0);
	init_cache(&b, 10, 4);
	assert_int_equal(register_shrinker(&a.shrinker), 0);
	assert_int_equal(register_shrinker(&a.shrinker), -EBUSY);
	assert_int_equal(register_shrinker(&b.shrinker), 0);
	/* At most 200 objects of each: a in batches of 128, b of 4. */
	assert_int_equal(shrink_slab(GFP_KERNEL, 200), 200 + 10);
	assert_int_equal(a.objects, 100);
	assert_int_equal(a.scans, 2);
	assert_int_equal(a.largest_scan, SHRINK_BATCH);
	assert_int_equal(b.objects, 0);
	assert_int_equal(b.scans, 3);
	assert_int_equal(b.largest_scan, 4);
	/* Nothing left to count: no scan. */
	assert_int_equal(shrink_slab(GFP_KERNEL, 200), 100);
	assert_int_equal(b.scans, 3);
	unregister_shrinker(&b.shrinker);
	unregister_shrinker(&b.shrinker); /* not registered: nothing happens */
	a.objects = 50;
	a.stop = true;
	/* SHRINK_STOP ends that shrinker's pass and frees nothing. */
	assert_int_equal(shrink_slab(GFP_KERNEL, ULONG_MAX), 0);
	assert_int_equal(a.scans, 4);
	unregister_shrinker(&a.shrinker);
	a.stop = false;
	assert_int_equal(shrink_slab(GFP_KERNEL, ULONG_MAX), 0);
	assert_int_equal(a.objects, 50);
	assert_int_equal(sim_shutdown(), 0);
}

static void test_register_shrinker_refuses_missing_callback(void **state)
{
	struct shrinker bad = {.count_objects = fake_count};

	(void)state;
	assert_int_equal(sim_boot(NULL), 0);
	assert_warned(register_shrinker(&bad), -EINVAL, 1);
	assert_int_equal(sim_shutdown(), 0);
}

/* Boot a small machine, and map @nr THPs with their second halves unmapped. */
static unsigned long map_half_unmapped_thps(unsigned long nr)
{
	struct sim_config cfg = {.mem_bytes = 16UL << 20, .thp = SIM_THP_MADVISE};
	unsigned long addr;

	assert_int_equal(sim_boot(&cfg), 0);
	start_task("shrink");
	addr = sys_mmap(THP_BASE, nr * HPAGE_PMD_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	assert_int_equal(addr, THP_BASE);
	assert_int_equal(sys_madvise(addr, nr * HPAGE_PMD_SIZE, MADV_HUGEPAGE), 0);
	for (unsigned long i = 0; i < nr; i++) {
		unsigned long thp = addr + i * HPAGE_PMD_SIZE;
		pmd_t *pmd;

		touch_page(thp);
		pmd = mm_alloc_pmd(current->mm, thp);
		assert_true(pmd_trans_huge(pmdp_get(pmd)));
		assert_int_equal(
			sys_madvise(thp + HPAGE_PMD_SIZE / 2, HPAGE_PMD_SIZE / 2, MADV_DONTNEED),
			0);
	}
	assert_int_equal(sim_deferred_split_queued(), nr);
	return addr;
}

/*
 * Every free page taken, one more allocation still succeeds: the slow path ran the
 * deferred split shrinker, whose splits freed the unmapped halves. The mapped halves
 * keep their data.
 */
static void test_allocation_succeeds_by_splitting_deferred_thps(void **state)
{
	unsigned long addr = map_half_unmapped_thps(2);
	unsigned long nr_free = sim_free_pages(), taken = 0;
	struct page **pages = calloc(nr_free + 1, sizeof(*pages));
	struct page *extra;

	(void)state;
	assert_non_null(pages);
	while (taken < nr_free && (pages[taken] = alloc_page(GFP_KERNEL)))
		taken++;
	assert_int_equal(taken, nr_free);
	assert_int_equal(sim_free_pages(), 0);
	assert_int_equal(sim_deferred_split_queued(), 2);
	extra = alloc_page(GFP_KERNEL);
	assert_non_null(extra);
	/* Both THPs split (the loop retries while the shrinker frees); 2 x 256 came back. */
	assert_int_equal(sim_deferred_split_queued(), 0);
	assert_int_equal(sim_free_pages(), 2 * HPAGE_PMD_NR / 2 - 1);
	for (unsigned long i = 0; i < 2; i++) {
		char c = 0;

		assert_int_equal(copy_from_user(&c, addr + i * HPAGE_PMD_SIZE, 1), 0);
		assert_int_equal(c, 'w');
	}
	__free_pages(extra, 0);
	for (unsigned long i = 0; i < taken; i++)
		__free_pages(pages[i], 0);
	free(pages);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(current);
	assert_int_equal(sim_shutdown(), 0);
}

/* An allocation that may not reclaim fails as before, and the queue stays. */
static void test_no_reclaim_without_direct_reclaim(void **state)
{
	unsigned long nr_free, taken = 0;
	struct page **pages;

	(void)state;
	map_half_unmapped_thps(1);
	nr_free = sim_free_pages();
	pages = calloc(nr_free + 1, sizeof(*pages));
	assert_non_null(pages);
	while (taken < nr_free && (pages[taken] = alloc_page(GFP_KERNEL)))
		taken++;
	assert_int_equal(taken, nr_free);
	assert_null(alloc_page(GFP_KERNEL & ~__GFP_DIRECT_RECLAIM));
	assert_int_equal(sim_deferred_split_queued(), 1);
	for (unsigned long i = 0; i < taken; i++)
		__free_pages(pages[i], 0);
	free(pages);
	task_exit(current);
	assert_int_equal(sim_shutdown(), 0);
}

#define SHRINK_TEST(fn) cmocka_unit_test_teardown(fn, shutdown_left_machine)

int main(void)
{
	const struct CMUnitTest tests[] = {
		SHRINK_TEST(test_shrink_slab_scans_in_batches),
		SHRINK_TEST(test_register_shrinker_refuses_missing_callback),
		SHRINK_TEST(test_allocation_succeeds_by_splitting_deferred_thps),
		SHRINK_TEST(test_no_reclaim_without_direct_reclaim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
