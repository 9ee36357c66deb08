// SPDX-License-Identifier: GPL-2.0-only
/*
 * ZONE_DEVICE: memremap_pages()/memunmap_pages(), the pgmap reference, device
 * page free rules per profile, device-dax mappings at PTE, PMD and PUD size and
 * GUP (slow and fast) on them, long-term pins of device memory.
 */
#include "harness.h"
#include "mm/huge_mm.h"
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#define DEVICE_BYTES (16UL << 20)

static int boot_with_device(unsigned long mem, unsigned long device)
{
	struct sim_config cfg = {.mem_bytes = mem, .device_bytes = device};

	return sim_boot(&cfg);
}

static int device_setup(void **state)
{
	(void)state;
	return boot_with_device(64UL << 20, DEVICE_BYTES);
}

#define DEVICE_TEST(fn) cmocka_unit_test_setup_teardown(fn, device_setup, shutdown_left_machine)

/* A pgmap of @type over @bytes of device memory from byte @offset of it. */
static void init_pgmap(struct dev_pagemap *pgmap, enum memory_type type, unsigned long offset,
		       unsigned long bytes, unsigned long align)
{
	uint64_t base = (uint64_t)sim_device_start_pfn() << PAGE_SHIFT;

	memset(pgmap, 0, sizeof(*pgmap));
	pgmap->type = type;
	pgmap->range.start = base + offset;
	pgmap->range.end = base + offset + bytes - 1;
	pgmap->align = align;
}

static struct page *pgmap_page(struct dev_pagemap *pgmap, unsigned long i)
{
	return pfn_to_page(pgmap_start_pfn(pgmap) + i);
}

/*
 * The references a live pgmap holds with nobody using it: its own and its pages'
 * (6.18: one per folio, and a GENERIC range of 2M or 1G alignment is compound).
 */
static long idle_refs(struct dev_pagemap *pgmap)
{
	bool per_page = !profile_is_6_18() || pgmap->type == MEMORY_DEVICE_GENERIC ||
			pgmap->type == MEMORY_DEVICE_FS_DAX;
	bool folios = profile_is_6_18() && pgmap->type == MEMORY_DEVICE_GENERIC &&
		      pgmap->align > PAGE_SIZE;
	long nr = (long)pgmap_nr_pages(pgmap);

	return 1 + (per_page ? nr / (folios ? (long)(pgmap->align >> PAGE_SHIFT) : 1) : 0);
}

static void test_memremap_pages_basics(void **state)
{
	struct dev_pagemap pgmap, other;
	struct page *page;

	(void)state;
	init_pgmap(&pgmap, MEMORY_DEVICE_GENERIC, 0, 4UL << 20, 0);
	assert_int_equal(memremap_pages(&pgmap), 0);
	page = pgmap_page(&pgmap, 7);
	assert_true(is_zone_device_page(page));
	assert_ptr_equal(page->pgmap, &pgmap);
	assert_int_equal(page_ref_count(page), 1); /* GENERIC idles at 1 in both */
	assert_int_equal(dev_pagemap_refs(&pgmap), idle_refs(&pgmap));

	/* A lookup takes one reference; a cached pgmap that covers the pfn is kept as it is. */
	assert_ptr_equal(get_dev_pagemap(page_to_pfn(page), NULL), &pgmap);
	assert_int_equal(dev_pagemap_refs(&pgmap), idle_refs(&pgmap) + 1);
	assert_ptr_equal(get_dev_pagemap(page_to_pfn(page) + 1, &pgmap), &pgmap);
	assert_int_equal(dev_pagemap_refs(&pgmap), idle_refs(&pgmap) + 1);
	put_dev_pagemap(&pgmap);
	assert_int_equal(dev_pagemap_refs(&pgmap), idle_refs(&pgmap));
	/* Beyond the range: no pgmap, and the cached one's reference is dropped. */
	assert_ptr_equal(get_dev_pagemap(page_to_pfn(page), NULL), &pgmap);
	assert_null(get_dev_pagemap(pgmap_start_pfn(&pgmap) + pgmap_nr_pages(&pgmap), &pgmap));
	assert_int_equal(dev_pagemap_refs(&pgmap), idle_refs(&pgmap));
	assert_null(get_dev_pagemap(1, NULL)); /* RAM has no pgmap */

	init_pgmap(&other, MEMORY_DEVICE_GENERIC, 2UL << 20, 4UL << 20, 0);
	assert_int_equal(memremap_pages(&other), -EBUSY);
	init_pgmap(&other, MEMORY_DEVICE_GENERIC, PAGE_SIZE, 2UL << 20, 0);
	assert_int_equal(memremap_pages(&other), -EINVAL);
	init_pgmap(&other, MEMORY_DEVICE_GENERIC, DEVICE_BYTES - (2UL << 20), 4UL << 20, 0);
	assert_int_equal(memremap_pages(&other), -EINVAL);
	init_pgmap(&other, MEMORY_DEVICE_PRIVATE, 4UL << 20, 2UL << 20, 0);
	assert_int_equal(memremap_pages(&other), -EINVAL); /* PRIVATE needs page_free */
	init_pgmap(&other, MEMORY_DEVICE_GENERIC, 4UL << 20, 2UL << 20, PUD_SIZE);
	assert_int_equal(memremap_pages(&other), -EINVAL);

	assert_int_equal(sim_check(stderr), 0);
	memunmap_pages(&pgmap);
	assert_null(get_dev_pagemap(page_to_pfn(page), NULL));
	assert_int_equal(sim_shutdown(), 0);
}

static unsigned long freed_pages;

static void count_page_free(struct page *page)
{
	(void)page;
	freed_pages++;
}

static const struct dev_pagemap_ops counting_ops = {.page_free = count_page_free};

/* A PRIVATE page handed out and given back: page_free runs when it is idle again. */
static void test_private_page_free_at_idle(void **state)
{
	struct dev_pagemap pgmap;
	struct page *page;
	int idle = (int)by_profile(1, 0);

	(void)state;
	freed_pages = 0;
	init_pgmap(&pgmap, MEMORY_DEVICE_PRIVATE, 0, 2UL << 20, 0);
	pgmap.ops = &counting_ops;
	assert_int_equal(memremap_pages(&pgmap), 0);
	page = pgmap_page(&pgmap, 3);
	assert_int_equal(page_ref_count(page), idle);
	assert_int_equal(dev_pagemap_refs(&pgmap), idle_refs(&pgmap));

	assert_int_equal(sim_device_page_get(page), 0);
	assert_int_equal(page_ref_count(page), idle + 1);
	assert_int_equal(sim_device_page_get(page), -EBUSY);
	/* 6.x: a handed-out page holds its pgmap; 5.11's pages hold theirs from the start. */
	assert_int_equal(dev_pagemap_refs(&pgmap), idle_refs(&pgmap) + by_profile(0, 1));
	assert_int_equal(sim_check(stderr), 0);
	get_page(page);
	put_page(page);
	assert_int_equal(freed_pages, 0);
	put_page(page);
	assert_int_equal(freed_pages, 1);
	assert_int_equal(page_ref_count(page), idle);
	assert_int_equal(dev_pagemap_refs(&pgmap), idle_refs(&pgmap));
	assert_int_equal(sim_device_page_get(pgmap_page(&pgmap, 0)), 0);
	assert_int_equal(memunmap_pages_try(&pgmap), -EBUSY);
	put_page(pgmap_page(&pgmap, 0));
	assert_int_equal(memunmap_pages_try(&pgmap), 0);
	assert_int_equal(sim_shutdown(), 0);
}

/* The first task's device-dax mapping of @pgmap, written so every entry is faulted in. */
static unsigned long map_device(struct dev_pagemap *pgmap, unsigned long len)
{
	unsigned long addr = sim_mmap_device(pgmap, 0, len, PROT_READ | PROT_WRITE);
	unsigned char byte = 0x5a;

	assert_false(IS_ERR_VALUE(addr));
	for (unsigned long off = 0; off < len; off += PAGE_SIZE)
		assert_int_equal(copy_to_user(addr + off, &byte, 1), 0);
	return addr;
}

static pmd_t *pmd_of(unsigned long addr)
{
	pud_t *pud = pud_offset(p4d_offset(pgd_offset(current->mm, addr), addr), addr);

	return pmd_offset(pud, addr);
}

/*
 * Pin @nr pages from @addr, page @first of a device mapping of @pgmap, fast and
 * slow; each is the device page its offset names.
 */
static void pin_device_range(struct dev_pagemap *pgmap, unsigned long addr, unsigned long first,
			     long nr)
{
	struct page **pages = calloc((size_t)nr, sizeof(*pages));
	long refs = dev_pagemap_refs(pgmap);

	assert_non_null(pages);
	assert_int_equal(pin_user_pages_fast(addr, (int)nr, FOLL_WRITE, pages), nr);
	for (long i = 0; i < nr; i++) {
		assert_ptr_equal(pages[i], pgmap_page(pgmap, first + (unsigned long)i));
		assert_true(page_maybe_dma_pinned(pages[i]));
	}
	/* The pgmap was held only while the pages were taken. */
	assert_int_equal(dev_pagemap_refs(pgmap), refs);
	assert_int_equal(sim_check(stderr), 0);
	assert_int_equal(memunmap_pages_try(pgmap), -EBUSY);
	unpin_user_pages(pages, (unsigned long)nr);
	assert_int_equal(page_count(pages[0]), 1); /* the folio's, under 6.18 */

	mmap_read_lock(current->mm);
	assert_int_equal(pin_user_pages(addr, nr, FOLL_WRITE, pages, NULL), nr);
	mmap_read_unlock(current->mm);
	assert_ptr_equal(pages[nr - 1], pgmap_page(pgmap, first + (unsigned long)nr - 1));
	assert_int_equal(dev_pagemap_refs(pgmap), refs);
	unpin_user_pages(pages, (unsigned long)nr);
	free(pages);
}

static void test_devdax_pte_pin(void **state)
{
	struct dev_pagemap pgmap;
	unsigned long addr;

	(void)state;
	init_pgmap(&pgmap, MEMORY_DEVICE_GENERIC, 0, 2UL << 20, PAGE_SIZE);
	assert_int_equal(memremap_pages(&pgmap), 0);
	start_task("devdax");
	addr = map_device(&pgmap, 8 * PAGE_SIZE);
	assert_true(pte_devmap(ptep_get(pte_offset_map(pmd_of(addr), addr))));
	assert_int_equal(*(unsigned char *)page_address(pgmap_page(&pgmap, 2)), 0x5a);
	pin_device_range(&pgmap, addr, 0, 8);
	/*
	 * A lookup that takes no reference: 5.11 gives no device page, a pfn mapping's
	 * answers; 6.17 on (gup_takes_pgmap false) returns it as any page, unreferenced.
	 */
	mmap_read_lock(current->mm);
	assert_int_equal((long)follow_page(vma_at(current, addr), addr + PAGE_SIZE, 0),
			 profile_is_6_18() ? (long)pgmap_page(&pgmap, 1) : -EEXIST);
	assert_int_equal((long)follow_page(vma_at(current, addr), addr + PAGE_SIZE, FOLL_DUMP),
			 profile_is_6_18() ? (long)pgmap_page(&pgmap, 1) : -EFAULT);
	mmap_read_unlock(current->mm);
	assert_int_equal(sys_munmap(addr, 8 * PAGE_SIZE), 0);
	task_exit(current);
	set_current(NULL);
	assert_int_equal(memunmap_pages_try(&pgmap), 0);
	assert_int_equal(sim_shutdown(), 0);
}

static void test_devdax_pmd_pin(void **state)
{
	struct dev_pagemap pgmap;
	unsigned long addr;

	(void)state;
	init_pgmap(&pgmap, MEMORY_DEVICE_GENERIC, 0, 4UL << 20, PMD_SIZE);
	assert_int_equal(memremap_pages(&pgmap), 0);
	start_task("devdax");
	assert_true(IS_ERR_VALUE(sim_mmap_device(&pgmap, PAGE_SIZE, PMD_SIZE, PROT_READ)));
	addr = map_device(&pgmap, 4UL << 20);
	assert_true(IS_ALIGNED(addr, PMD_SIZE));
	assert_true(pmd_devmap(pmdp_get(pmd_of(addr))));
	pin_device_range(&pgmap, addr, 0, HPAGE_PMD_NR + 3);
	assert_int_equal(sys_munmap(addr, 4UL << 20), 0);
	task_exit(current);
	set_current(NULL);
	assert_int_equal(memunmap_pages_try(&pgmap), 0);
	assert_int_equal(sim_shutdown(), 0);
}

static void test_devdax_pud_pin(void **state)
{
	struct dev_pagemap pgmap;
	struct page *pages[2];
	unsigned long addr;
	long refs;

	(void)state;
	assert_int_equal(boot_with_device(1UL << 30, 1UL << 30), 0);
	init_pgmap(&pgmap, MEMORY_DEVICE_GENERIC, 0, 1UL << 30, PUD_SIZE);
	assert_int_equal(memremap_pages(&pgmap), 0);
	start_task("devdax");
	addr = sim_mmap_device(&pgmap, 0, 1UL << 30, PROT_READ | PROT_WRITE);
	assert_false(IS_ERR_VALUE(addr));
	assert_true(IS_ALIGNED(addr, PUD_SIZE));
	pin_device_range(&pgmap, addr + PUD_SIZE - 4 * PAGE_SIZE, (PUD_SIZE >> PAGE_SHIFT) - 4,
			 4); /* faults it in */
	assert_true(pud_devmap(
		pudp_get(pud_offset(p4d_offset(pgd_offset(current->mm, addr), addr), addr))));
	/* Faulted in: the lockless walk takes the device pages through the pud itself. */
	refs = dev_pagemap_refs(&pgmap);
	assert_int_equal(get_user_pages_fast_only(addr + PAGE_SIZE, 2, FOLL_WRITE, pages), 2);
	assert_ptr_equal(pages[0], pgmap_page(&pgmap, 1));
	assert_ptr_equal(pages[1], pgmap_page(&pgmap, 2));
	assert_int_equal(dev_pagemap_refs(&pgmap), refs);
	put_page(pages[0]);
	put_page(pages[1]);
	assert_int_equal(sim_check(stderr), 0);
	assert_int_equal(sys_munmap(addr, 1UL << 30), 0);
	task_exit(current);
	set_current(NULL);
	assert_int_equal(memunmap_pages_try(&pgmap), 0);
	assert_int_equal(sim_shutdown(), 0);
}

/*
 * A long-term pin of device-dax memory: 5.11's GUP-fast leaves it to the slow
 * path (which keeps it: not CMA); 6.18 pins GENERIC memory in the lockless walk.
 */
static void test_devdax_longterm(void **state)
{
	struct dev_pagemap pgmap;
	struct page *page;
	unsigned long addr;

	(void)state;
	init_pgmap(&pgmap, MEMORY_DEVICE_GENERIC, 0, 2UL << 20, PMD_SIZE);
	assert_int_equal(memremap_pages(&pgmap), 0);
	start_task("devdax");
	addr = map_device(&pgmap, 2UL << 20);
	if (!profile_is_6_18()) {
		assert_int_equal(pin_user_pages_fast_only(addr, 1, FOLL_LONGTERM, &page), 0);
		assert_int_equal(pin_user_pages_fast_only(addr + PAGE_SIZE, 1, 0, &page), 1);
		unpin_user_page(page);
	}
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_LONGTERM | FOLL_WRITE, &page), 1);
	assert_ptr_equal(page, pgmap_page(&pgmap, 0));
	unpin_user_page(page);
	assert_int_equal(sys_munmap(addr, 2UL << 20), 0);
	task_exit(current);
	set_current(NULL);
	memunmap_pages(&pgmap);
	assert_int_equal(sim_shutdown(), 0);
}

/* 6.x's device-coherent memory: a long-term pin must migrate it, which fails: -EBUSY. */
static void test_coherent_longterm(void **state)
{
	struct dev_pagemap pgmap;
	struct page *pages[4];
	unsigned long addr;

	(void)state;
	freed_pages = 0;
	init_pgmap(&pgmap, MEMORY_DEVICE_COHERENT, 0, 2UL << 20, PAGE_SIZE);
	pgmap.ops = &counting_ops;
	if (!profile_is_6_18()) {
		assert_int_equal(memremap_pages(&pgmap), -EINVAL); /* no such type in 5.11 */
		assert_int_equal(sim_shutdown(), 0);
		return;
	}
	assert_int_equal(memremap_pages(&pgmap), 0);
	for (unsigned long i = 0; i < 4; i++)
		assert_int_equal(sim_device_page_get(pgmap_page(&pgmap, i)), 0);
	start_task("coherent");
	addr = map_device(&pgmap, 4 * PAGE_SIZE);
	assert_int_equal(pin_user_pages_fast(addr, 4, FOLL_WRITE, pages), 4);
	assert_ptr_equal(pages[3], pgmap_page(&pgmap, 3));
	unpin_user_pages(pages, 4);
	assert_int_equal(pin_user_pages_fast(addr, 4, FOLL_LONGTERM | FOLL_WRITE, pages), -EBUSY);
	assert_int_equal(pins_acquired(), pins_released());
	assert_int_equal(page_ref_count(pgmap_page(&pgmap, 0)), 1);
	assert_int_equal(sys_munmap(addr, 4 * PAGE_SIZE), 0);
	task_exit(current);
	set_current(NULL);
	for (unsigned long i = 0; i < 4; i++)
		put_page(pgmap_page(&pgmap, i));
	assert_int_equal(freed_pages, 4);
	memunmap_pages(&pgmap);
	assert_int_equal(sim_shutdown(), 0);
}

/* memunmap_pages() on another thread has killed @pgmap (it then waits for us). */
static void wait_until_killed(struct dev_pagemap *pgmap)
{
	while (!dev_pagemap_dying(pgmap))
		sched_yield();
}

struct unmapper {
	struct dev_pagemap *pgmap;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
};

static void *run_memunmap(void *arg)
{
	struct unmapper *u = arg;

	memunmap_pages(u->pgmap);
	pthread_mutex_lock(&u->lock);
	u->done = true;
	pthread_mutex_unlock(&u->lock);
	return NULL;
}

/*
 * memunmap_pages() waits for the pinned page and the mapping. Meanwhile the
 * killed pgmap refuses new lookups; 5.11's GUP asks for it and fails (-EFAULT),
 * 6.18's never asks (gup_takes_pgmap: the driver zaps first) and pins the page
 * still mapped, which memunmap_pages() then waits for too.
 */
static void test_memunmap_waits_for_references(void **state)
{
	struct unmapper u = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
	struct dev_pagemap pgmap;
	struct page *page, *other;
	unsigned long addr;

	(void)state;
	init_pgmap(&pgmap, MEMORY_DEVICE_GENERIC, 0, 2UL << 20, PAGE_SIZE);
	assert_int_equal(memremap_pages(&pgmap), 0);
	start_task("devdax");
	addr = map_device(&pgmap, 2 * PAGE_SIZE);
	assert_int_equal(pin_user_pages_fast(addr, 1, 0, &page), 1);
	u.pgmap = &pgmap;
	assert_int_equal(pthread_create(&u.thread, NULL, run_memunmap, &u), 0);
	wait_until_killed(&pgmap);

	/* Killed: the pgmap lookup fails; GUP of the second page, fast then slow. */
	assert_null(get_dev_pagemap(pgmap_start_pfn(&pgmap), NULL));
	assert_int_equal(pin_user_pages_fast(addr + PAGE_SIZE, 1, 0, &other),
			 by_profile(-EFAULT, 1));
	if (profile_is_6_18()) {
		assert_ptr_equal(other, pgmap_page(&pgmap, 1));
		unpin_user_page(other);
		mmap_read_lock(current->mm);
		assert_int_equal(pin_user_pages(addr + PAGE_SIZE, 1, 0, &other, NULL), 1);
		mmap_read_unlock(current->mm);
	}
	pthread_mutex_lock(&u.lock);
	assert_false(u.done);
	pthread_mutex_unlock(&u.lock);
	unpin_user_page(page);
	if (profile_is_6_18()) {
		pthread_mutex_lock(&u.lock);
		assert_false(u.done);
		pthread_mutex_unlock(&u.lock);
		unpin_user_page(other);
	}
	assert_int_equal(sys_munmap(addr, 2 * PAGE_SIZE), 0);
	assert_int_equal(pthread_join(u.thread, NULL), 0);
	assert_true(u.done);
	task_exit(current);
	set_current(NULL);
	assert_int_equal(sim_shutdown(), 0);
}

/* A pgmap left behind is a leak at shutdown. */
static void test_shutdown_reports_pgmap(void **state)
{
	struct sim_config cfg = {
		.mem_bytes = 64UL << 20, .device_bytes = DEVICE_BYTES, .quiet = true};
	struct dev_pagemap pgmap;

	(void)state;
	sim_shutdown();
	assert_int_equal(sim_boot(&cfg), 0);
	init_pgmap(&pgmap, MEMORY_DEVICE_GENERIC, 0, 2UL << 20, 0);
	assert_int_equal(memremap_pages(&pgmap), 0);
	assert_int_equal(sim_shutdown(), -EBUSY);
	assert_int_equal(sim_boot(&cfg), 0);
	assert_int_equal(sim_shutdown(), 0);
}

static void test_device_bytes_unaligned(void **state)
{
	(void)state;
	sim_shutdown();
	assert_int_equal(boot_with_device(64UL << 20, PAGE_SIZE), -EINVAL);
	assert_int_equal(boot_with_device(64UL << 20, 0), 0);
	assert_null(get_dev_pagemap(1, NULL));
	assert_int_equal(sim_shutdown(), 0);
}

/*
 * Device memory keeps its bytes when its pgmap goes and comes back (a driver
 * unbound and bound again): memunmap_pages() only takes the struct pages away.
 * Found by the model fuzzer (tests/fuzz/regressions/device_bytes_survive_memunmap).
 */
static void test_device_bytes_survive_memunmap(void **state)
{
	struct dev_pagemap pgmap;
	unsigned char byte = 0;
	unsigned long addr;

	(void)state;
	init_pgmap(&pgmap, MEMORY_DEVICE_GENERIC, 0, 2UL << 20, PAGE_SIZE);
	assert_int_equal(memremap_pages(&pgmap), 0);
	start_task("devdax");
	addr = map_device(&pgmap, 2 * PAGE_SIZE); /* writes 0x5a into each page */
	assert_int_equal(sys_munmap(addr, 2 * PAGE_SIZE), 0);
	memunmap_pages(&pgmap);
	init_pgmap(&pgmap, MEMORY_DEVICE_GENERIC, 0, 2UL << 20, PAGE_SIZE);
	assert_int_equal(memremap_pages(&pgmap), 0);
	addr = sim_mmap_device(&pgmap, 0, 2 * PAGE_SIZE, PROT_READ);
	assert_false(IS_ERR_VALUE(addr));
	assert_int_equal(copy_from_user(&byte, addr + PAGE_SIZE, 1), 0);
	assert_int_equal(byte, 0x5a);
	assert_int_equal(sys_munmap(addr, 2 * PAGE_SIZE), 0);
	task_exit(current);
	set_current(NULL);
	memunmap_pages(&pgmap);
	assert_int_equal(sim_shutdown(), 0);
}

/*
 * FOLL_GET references on device-dax pages given back with put_page(): the checker
 * stays clean (their debug count is only an upper bound, as for RAM), fast and slow.
 * Found by the model fuzzer (tests/fuzz/regressions/device_get_put_page).
 */
static void test_devdax_get_then_put_page(void **state)
{
	struct dev_pagemap pgmap;
	struct page *pages[4];
	unsigned long addr;

	(void)state;
	init_pgmap(&pgmap, MEMORY_DEVICE_GENERIC, 0, 2UL << 20, PAGE_SIZE);
	assert_int_equal(memremap_pages(&pgmap), 0);
	start_task("devdax");
	addr = map_device(&pgmap, 4 * PAGE_SIZE);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(get_user_pages_fast(addr, 4, FOLL_WRITE, pages), 4);
		put_pages(pages, 4);
		assert_int_equal(sim_check(stderr), 0);
		mmap_read_lock(current->mm);
		assert_int_equal(get_user_pages(addr, 4, 0, pages, NULL), 4);
		mmap_read_unlock(current->mm);
		put_pages(pages, 4);
		assert_int_equal(sim_check(stderr), 0);
	}
	assert_int_equal(page_ref_count(pgmap_page(&pgmap, 0)), 1);
	assert_int_equal(sys_munmap(addr, 4 * PAGE_SIZE), 0);
	task_exit(current);
	set_current(NULL);
	assert_int_equal(memunmap_pages_try(&pgmap), 0);
	assert_int_equal(sim_shutdown(), 0);
}

/*
 * A device-dax mapping is cut only at its alignment (5.11 dev_dax_split(), 6.x
 * dev_dax_may_split()): munmap or mprotect of part of a 2 MiB unit is -EINVAL and
 * leaves it mapped; at a unit boundary it is cut. Found by the model fuzzer
 * (tests/fuzz/regressions/device_pmd_split_refused).
 */
static void test_devdax_split_at_alignment(void **state)
{
	struct dev_pagemap pgmap;
	unsigned long addr;
	unsigned char byte = 0;

	(void)state;
	init_pgmap(&pgmap, MEMORY_DEVICE_GENERIC, 0, 4UL << 20, PMD_SIZE);
	assert_int_equal(memremap_pages(&pgmap), 0);
	start_task("devdax");
	addr = map_device(&pgmap, 4UL << 20);
	assert_int_equal(sys_munmap(addr + PAGE_SIZE, PAGE_SIZE), -EINVAL);
	assert_int_equal(sys_munmap(addr, PAGE_SIZE), -EINVAL);
	assert_int_equal(sys_munmap(addr + PMD_SIZE - PAGE_SIZE, 2 * PAGE_SIZE), -EINVAL);
	assert_int_equal(sys_mprotect(addr, PAGE_SIZE, PROT_READ), -EINVAL);
	assert_int_equal(copy_from_user(&byte, addr + PAGE_SIZE, 1), 0);
	assert_int_equal(byte, 0x5a);
	assert_int_equal(sys_munmap(addr, PMD_SIZE), 0);
	assert_int_not_equal(copy_from_user(&byte, addr, 1), 0);
	assert_int_equal(copy_from_user(&byte, addr + PMD_SIZE + PAGE_SIZE, 1), 0);
	assert_int_equal(byte, 0x5a);
	assert_int_equal(sys_munmap(addr + PMD_SIZE, PMD_SIZE), 0);
	assert_int_equal(sim_check(stderr), 0);
	task_exit(current);
	set_current(NULL);
	memunmap_pages(&pgmap);

	/* At 4 KiB alignment any page boundary will do. */
	init_pgmap(&pgmap, MEMORY_DEVICE_GENERIC, 0, 2UL << 20, PAGE_SIZE);
	assert_int_equal(memremap_pages(&pgmap), 0);
	start_task("devdax");
	addr = map_device(&pgmap, 4 * PAGE_SIZE);
	assert_int_equal(sys_munmap(addr + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(sys_munmap(addr, 4 * PAGE_SIZE), 0);
	task_exit(current);
	set_current(NULL);
	memunmap_pages(&pgmap);
	assert_int_equal(sim_shutdown(), 0);
}

/*
 * The shape of a pinned devmap pmd. 5.11: 512 order-0 pages, each pinned with the
 * bias. 6.18: one compound page whose head counts the 512 pins exactly (order > 1)
 * and whose tails hold nothing, one pgmap reference for the folio.
 */
static void test_devdax_pmd_pin_shape(void **state)
{
	struct page *pages[HPAGE_PMD_NR], *head;
	struct dev_pagemap pgmap;
	unsigned long addr;

	(void)state;
	init_pgmap(&pgmap, MEMORY_DEVICE_GENERIC, 0, 4UL << 20, PMD_SIZE);
	assert_int_equal(memremap_pages(&pgmap), 0);
	head = pgmap_page(&pgmap, 0);
	assert_int_equal(dev_pagemap_refs(&pgmap), 1 + by_profile(2 * HPAGE_PMD_NR, 2));
	assert_int_equal(PageHead(head), profile_is_6_18());
	assert_ptr_equal(compound_head(pgmap_page(&pgmap, 7)), by_profile(0, 1) ? head : head + 7);
	assert_ptr_equal(page_pgmap(pgmap_page(&pgmap, 7)), &pgmap);
	assert_true(is_zone_device_page(pgmap_page(&pgmap, 7)));
	start_task("devdax");
	addr = map_device(&pgmap, 2UL << 20);

	assert_int_equal(pin_user_pages_fast(addr, HPAGE_PMD_NR, FOLL_WRITE, pages), HPAGE_PMD_NR);
	assert_ptr_equal(pages[9], pgmap_page(&pgmap, 9));
	if (profile_is_6_18()) {
		assert_int_equal(page_ref_count(head), 1 + HPAGE_PMD_NR);
		assert_int_equal(compound_pincount(head), HPAGE_PMD_NR);
		assert_int_equal(page_ref_count(pgmap_page(&pgmap, 9)), 0);
	} else {
		assert_int_equal(page_ref_count(head), 1 + GUP_PIN_COUNTING_BIAS);
		assert_int_equal(page_ref_count(pgmap_page(&pgmap, 9)), 1 + GUP_PIN_COUNTING_BIAS);
	}
	assert_true(page_maybe_dma_pinned(pages[HPAGE_PMD_NR - 1]));
	assert_int_equal(sim_check(stderr), 0);
	assert_int_equal(memunmap_pages_try(&pgmap), -EBUSY);
	unpin_user_pages(pages, HPAGE_PMD_NR);
	assert_int_equal(page_ref_count(head), 1);

	/* The slow walk takes its references on the same head. */
	mmap_read_lock(current->mm);
	assert_int_equal(pin_user_pages(addr + PAGE_SIZE, 2, FOLL_WRITE, pages, NULL), 2);
	mmap_read_unlock(current->mm);
	assert_int_equal(page_ref_count(head), by_profile(1, 3));
	unpin_user_pages(pages, 2);
	assert_int_equal(sys_munmap(addr, 2UL << 20), 0);
	task_exit(current);
	set_current(NULL);
	assert_int_equal(memunmap_pages_try(&pgmap), 0);
	assert_false(PageHead(head)); /* the struct pages are gone with the pgmap */
	assert_int_equal(sim_shutdown(), 0);
}

/* Clear @bits of the devmap pmd mapping @addr, under the pmd lock. */
static void clear_pmd_bits(unsigned long addr, unsigned long bits)
{
	spinlock_t *ptl = pmd_lock(current->mm);
	pmd_t *pmdp = pmd_of(addr);

	set_pmd(pmdp, __pmd(pmd_val(pmdp_get(pmdp)) & ~bits));
	spin_unlock(ptl);
}

/*
 * A devmap pmd left read-only, clean and old (as fsdax write-back's mkclean and
 * reclaim's aging leave one): a read GUP makes it young (FOLL_TOUCH); a write GUP
 * finds no page through it (follow_devmap_pmd()), faults, and takes the page
 * through the pmd the fault made writable and dirty.
 */
static void test_devdax_write_through_read_only_pmd(void **state)
{
	struct dev_pagemap pgmap;
	struct page *page;
	unsigned long addr, pmd;

	(void)state;
	init_pgmap(&pgmap, MEMORY_DEVICE_GENERIC, 0, 2UL << 20, PMD_SIZE);
	assert_int_equal(memremap_pages(&pgmap), 0);
	start_task("devdax");
	addr = map_device(&pgmap, 2UL << 20);
	clear_pmd_bits(addr, _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED);

	assert_int_equal(gup_under_lock(addr + 3 * PAGE_SIZE, 1, 0, &page, NULL), 1);
	assert_ptr_equal(page, pgmap_page(&pgmap, 3));
	pmd = pmd_val(pmdp_get(pmd_of(addr)));
	assert_true(pmd & _PAGE_ACCESSED);
	assert_false(pmd & (_PAGE_RW | _PAGE_DIRTY));
	put_page(page);

	assert_int_equal(gup_under_lock(addr + 3 * PAGE_SIZE, 1, FOLL_WRITE, &page, NULL), 1);
	assert_ptr_equal(page, pgmap_page(&pgmap, 3));
	pmd = pmd_val(pmdp_get(pmd_of(addr)));
	assert_int_equal(pmd & (_PAGE_RW | _PAGE_DIRTY), _PAGE_RW | _PAGE_DIRTY);
	assert_true(pmd_devmap(pmdp_get(pmd_of(addr))));
	put_page(page);
	assert_int_equal(sim_check(stderr), 0);
	assert_int_equal(sys_munmap(addr, 2UL << 20), 0);
	task_exit(current);
	set_current(NULL);
	assert_int_equal(memunmap_pages_try(&pgmap), 0);
	assert_int_equal(sim_shutdown(), 0);
}

/*
 * FOLL_GET with FOLL_PIN on a devmap pmd: a warning and no reference; 5.11's walk
 * answers follow_page_pte()'s -EINVAL, 6.18's follow_page() refuses the pin (NULL).
 */
static void test_devdax_follow_page_get_and_pin_is_refused(void **state)
{
	struct dev_pagemap pgmap;
	unsigned long addr;
	int refs;
	long pgmap_refs;

	(void)state;
	init_pgmap(&pgmap, MEMORY_DEVICE_GENERIC, 0, 2UL << 20, PMD_SIZE);
	assert_int_equal(memremap_pages(&pgmap), 0);
	start_task("devdax");
	addr = map_device(&pgmap, 2UL << 20);
	refs = page_ref_count(compound_head(pgmap_page(&pgmap, 6)));
	pgmap_refs = dev_pagemap_refs(&pgmap);
	mmap_read_lock(current->mm);
	assert_warned(
		(long)follow_page(vma_at(current, addr), addr + 6 * PAGE_SIZE, FOLL_GET | FOLL_PIN),
		by_profile(-EINVAL, 0), 1);
	mmap_read_unlock(current->mm);
	assert_int_equal(page_ref_count(compound_head(pgmap_page(&pgmap, 6))), refs);
	assert_int_equal(dev_pagemap_refs(&pgmap), pgmap_refs);
	assert_int_equal(sys_munmap(addr, 2UL << 20), 0);
	task_exit(current);
	set_current(NULL);
	assert_int_equal(memunmap_pages_try(&pgmap), 0);
	assert_int_equal(sim_shutdown(), 0);
}

static int aged_at_grab;

/* GUP-fast's recheck point: the entry ages meanwhile (reclaim's test-and-clear-young). */
static void age_entry_at_grab(enum sim_point_id id, void *ctx, void *arg)
{
	(void)id;
	(void)arg;
	if (aged_at_grab++)
		return;
	__atomic_fetch_and((unsigned long *)ctx, ~_PAGE_ACCESSED, __ATOMIC_RELAXED);
}

/*
 * A devmap pmd that changes after GUP-fast took its pages: every reference goes
 * back (undo_dev_pagemap(); 6.x's folio drops its one grab), the pgmap too, and
 * the caller's fallback takes the pages in the slow path.
 */
static void test_devdax_pmd_changed_under_fast_walk(void **state)
{
	struct page *pages[3], *head, *page;
	struct dev_pagemap pgmap;
	int head_refs, page_refs;
	unsigned long addr;
	long refs;

	(void)state;
	init_pgmap(&pgmap, MEMORY_DEVICE_GENERIC, 0, 2UL << 20, PMD_SIZE);
	assert_int_equal(memremap_pages(&pgmap), 0);
	start_task("devdax");
	addr = map_device(&pgmap, 2UL << 20);
	head = pgmap_page(&pgmap, 0);
	page = pgmap_page(&pgmap, 4);
	refs = dev_pagemap_refs(&pgmap);
	head_refs = page_ref_count(head);
	page_refs = page_ref_count(page);

	aged_at_grab = 0;
	assert_int_equal(sim_point_set_hook(SP_GUP_FAST_HUGE_GRAB, age_entry_at_grab, NULL), 0);
	assert_int_equal(get_user_pages_fast_only(addr + 4 * PAGE_SIZE, 3, 0, pages), 0);
	assert_int_equal(sim_point_set_hook(SP_GUP_FAST_HUGE_GRAB, NULL, NULL), 0);
	assert_int_equal(aged_at_grab, 1);
	assert_int_equal(dev_pagemap_refs(&pgmap), refs);
	assert_int_equal(page_ref_count(head), head_refs);
	assert_int_equal(page_ref_count(page), page_refs);
	assert_int_equal(sim_check(stderr), 0);

	assert_int_equal(pin_user_pages_fast(addr + 4 * PAGE_SIZE, 3, 0, pages), 3);
	assert_ptr_equal(pages[0], page);
	assert_true(page_maybe_dma_pinned(pages[2]));
	unpin_user_pages(pages, 3);
	assert_int_equal(page_ref_count(page), page_refs);
	assert_int_equal(sys_munmap(addr, 2UL << 20), 0);
	task_exit(current);
	set_current(NULL);
	assert_int_equal(memunmap_pages_try(&pgmap), 0);
	assert_int_equal(sim_shutdown(), 0);
}

/*
 * The checker accounts a pgmap's references against its pages' and mappings':
 * a lookup never put back, and a pinned device page that lost its references,
 * are both reported; put right, the machine checks clean.
 */
static void test_checker_accounts_pgmap_refs(void **state)
{
	struct dev_pagemap pgmap;
	struct page *page, *head;
	unsigned long addr;
	int units;

	(void)state;
	init_pgmap(&pgmap, MEMORY_DEVICE_GENERIC, 0, 2UL << 20, PMD_SIZE);
	assert_int_equal(memremap_pages(&pgmap), 0);
	start_task("devdax");
	addr = map_device(&pgmap, 2UL << 20);
	assert_int_equal(sim_check(NULL), 0);

	assert_ptr_equal(get_dev_pagemap(pgmap_start_pfn(&pgmap), NULL), &pgmap);
	assert_int_not_equal(sim_check(NULL), 0);
	put_dev_pagemap(&pgmap);
	assert_int_equal(sim_check(NULL), 0);

	assert_int_equal(pin_user_pages_fast(addr + 5 * PAGE_SIZE, 1, FOLL_WRITE, &page), 1);
	head = compound_head(page);
	units = profile_is_6_18() ? 1 : (int)GUP_PIN_COUNTING_BIAS;
	page_ref_sub(head, units); /* a stray put behind GUP's back */
	assert_int_not_equal(sim_check(NULL), 0);
	page_ref_add(head, units);
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_page(page);

	assert_int_equal(sys_munmap(addr, 2UL << 20), 0);
	task_exit(current);
	set_current(NULL);
	memunmap_pages(&pgmap);
	assert_int_equal(sim_shutdown(), 0);
}

/* What a hook saw of a pgmap's reference from inside a GUP walk. */
struct refs_seen {
	struct dev_pagemap *pgmap;
	long refs;
	int hits;
};

static void record_pgmap_refs(enum sim_point_id id, void *ctx, void *arg)
{
	struct refs_seen *seen = arg;

	(void)id;
	(void)ctx;
	if (seen->hits++ == 0)
		seen->refs = dev_pagemap_refs(seen->pgmap);
}

/*
 * A 4 KiB devmap PTE pinned, the pgmap's reference read from inside each walk:
 * 5.11 holds one more while it grabs (GUP-fast's per-range pgmap, the slow
 * walk's follow_page_context one until the walk ends); 6.18 takes none.
 */
static void test_devdax_pte_pin_pgmap_ref(void **state)
{
	struct dev_pagemap pgmap;
	struct refs_seen seen = {.pgmap = &pgmap};
	struct page *pages[2];
	unsigned long addr;
	long idle;

	(void)state;
	init_pgmap(&pgmap, MEMORY_DEVICE_GENERIC, 0, 2UL << 20, PAGE_SIZE);
	assert_int_equal(memremap_pages(&pgmap), 0);
	start_task("devdax");
	addr = sim_mmap_device(&pgmap, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE);
	assert_false(IS_ERR_VALUE(addr));
	assert_int_equal(copy_to_user(addr, "x", 1), 0); /* the first page only */
	idle = dev_pagemap_refs(&pgmap);

	/* GUP-fast, after its grab of the mapped page. */
	assert_int_equal(sim_point_set_hook(SP_GUP_FAST_AFTER_GRAB, record_pgmap_refs, &seen), 0);
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE, pages), 1);
	sim_point_set_hook(SP_GUP_FAST_AFTER_GRAB, NULL, NULL);
	assert_int_equal(seen.hits, 1);
	assert_int_equal(seen.refs, idle + by_profile(1, 0));
	assert_int_equal(dev_pagemap_refs(&pgmap), idle);
	unpin_user_page(pages[0]);

	/* The slow walk: the first page taken, the second faulted in after it. */
	seen.hits = 0;
	assert_int_equal(sim_point_set_hook(SP_GUP_AFTER_FAULTIN, record_pgmap_refs, &seen), 0);
	mmap_read_lock(current->mm);
	assert_int_equal(pin_user_pages(addr, 2, FOLL_WRITE, pages, NULL), 2);
	mmap_read_unlock(current->mm);
	sim_point_set_hook(SP_GUP_AFTER_FAULTIN, NULL, NULL);
	assert_int_equal(seen.hits, 1);
	assert_int_equal(seen.refs, idle + by_profile(1, 0));
	assert_int_equal(dev_pagemap_refs(&pgmap), idle);
	assert_ptr_equal(pages[1], pgmap_page(&pgmap, 1));
	assert_int_equal(sim_check(stderr), 0);
	unpin_user_pages(pages, 2);

	assert_int_equal(sys_munmap(addr, 2 * PAGE_SIZE), 0);
	task_exit(current);
	set_current(NULL);
	assert_int_equal(memunmap_pages_try(&pgmap), 0);
	assert_int_equal(sim_shutdown(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		DEVICE_TEST(test_memremap_pages_basics),
		DEVICE_TEST(test_private_page_free_at_idle),
		DEVICE_TEST(test_devdax_pte_pin),
		DEVICE_TEST(test_devdax_pmd_pin),
		cmocka_unit_test_teardown(test_devdax_pud_pin, shutdown_left_machine),
		DEVICE_TEST(test_devdax_longterm),
		DEVICE_TEST(test_coherent_longterm),
		DEVICE_TEST(test_memunmap_waits_for_references),
		DEVICE_TEST(test_shutdown_reports_pgmap),
		DEVICE_TEST(test_device_bytes_unaligned),
		DEVICE_TEST(test_device_bytes_survive_memunmap),
		DEVICE_TEST(test_devdax_get_then_put_page),
		DEVICE_TEST(test_devdax_split_at_alignment),
		DEVICE_TEST(test_devdax_pmd_pin_shape),
		DEVICE_TEST(test_devdax_write_through_read_only_pmd),
		DEVICE_TEST(test_devdax_pmd_changed_under_fast_walk),
		DEVICE_TEST(test_devdax_follow_page_get_and_pin_is_refused),
		DEVICE_TEST(test_checker_accounts_pgmap_refs),
		DEVICE_TEST(test_devdax_pte_pin_pgmap_ref),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
