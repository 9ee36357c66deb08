// SPDX-License-Identifier: GPL-2.0-only
/*
 * fsdax with device memory: files under sim_config.dax_dir keep their data in the
 * machine's FS_DAX pmem; shared mappings map the device pages with devmap PTEs
 * and PMDs, GUP returns them, long-term pins are refused, and the data reaches
 * the host file when the inode goes (its blocks held while a pin still reaches
 * them, 6.18); private mappings copy device pages on write.
 */
#include "file_harness.h"

#define PMEM_BYTES (8UL << 20)
#define FILE_BYTES (4UL << 20)

static int fsdax_setup(void **state)
{
	struct sim_config cfg = {.mem_bytes = 64UL << 20, .device_bytes = PMEM_BYTES};

	(void)state;
	make_test_dir();
	cfg.dax_dir = test_dir;
	return sim_boot(&cfg);
}

static int fsdax_teardown(void **state)
{
	int ret = sim_running() ? sim_shutdown() : 0;

	(void)state;
	remove_test_dir();
	return ret;
}

/* @fd mapped (@flags) at a 2 MiB-aligned address, so its first 2 MiB can be one pmd. */
static unsigned long map_aligned_as(int fd, unsigned long len, unsigned long flags)
{
	unsigned long area =
		sys_mmap(0, len + PMD_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long addr = ALIGN_UP(area, PMD_SIZE);

	assert_false(IS_ERR_VALUE(area));
	assert_int_equal(sys_munmap(area, len + PMD_SIZE), 0);
	return (unsigned long)sys_mmap(addr, len, PROT_READ | PROT_WRITE, flags | MAP_FIXED, fd, 0);
}

static unsigned long map_aligned(int fd, unsigned long len)
{
	return map_aligned_as(fd, len, MAP_SHARED);
}

static pmd_t pmd_at(unsigned long addr)
{
	pud_t *pud = pud_offset(p4d_offset(pgd_offset(current->mm, addr), addr), addr);

	return pmdp_get(pmd_offset(pud, addr));
}

/* The PTE at @addr, which a pte table maps. */
static pte_t pte_at(unsigned long addr)
{
	pud_t *pud = pud_offset(p4d_offset(pgd_offset(current->mm, addr), addr), addr);
	pmd_t pmd = pmdp_get(pmd_offset(pud, addr));

	assert_false(pmd_devmap(pmd));
	return ptep_get(pte_offset_map(&pmd, addr));
}

static void test_fsdax_maps_device_pages(void **state)
{
	const char *path = make_pattern_file("f", FILE_BYTES, 0600);
	struct task_struct *t = start_task("fsdax");
	int fd = open_file(path, O_RDWR);
	unsigned long addr = map_aligned(fd, FILE_BYTES);
	struct page *pages[HPAGE_PMD_NR], *page;
	long refs;

	(void)state;
	assert_false(IS_ERR_VALUE(addr));
	assert_true(vma_is_fsdax(vma_at(t, addr)));
	assert_int_equal(user_byte(addr + 3 * PAGE_SIZE), pattern_byte(3 * PAGE_SIZE));
	assert_true(pmd_devmap(pmd_at(addr)));

	refs = dev_pagemap_refs(sim_fsdax_pgmap());
	assert_int_equal(pin_user_pages_fast(addr, HPAGE_PMD_NR, FOLL_WRITE, pages), HPAGE_PMD_NR);
	assert_true(is_fsdax_page(pages[0]));
	assert_ptr_equal(pages[1], pages[0] + 1);
	assert_int_equal(*(char *)page_address(pages[5]), pattern_byte(5 * PAGE_SIZE));
	assert_int_equal(dev_pagemap_refs(sim_fsdax_pgmap()), refs);
	assert_int_equal(sim_check(stderr), 0);
	unpin_user_pages(pages, HPAGE_PMD_NR);

	/* Long-term pins of DAX are refused (check_vma_flags), fast and slow. */
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE | FOLL_LONGTERM, &page),
			 -EOPNOTSUPP);
	mmap_read_lock(t->mm);
	assert_int_equal(pin_user_pages(addr, 1, FOLL_WRITE | FOLL_LONGTERM, &page, NULL),
			 -EOPNOTSUPP);
	/* A lookup past the pmd, through the slow walk: its own device page. */
	assert_int_equal(get_user_pages(addr + PMD_SIZE + PAGE_SIZE, 1, 0, &page, NULL), 1);
	mmap_read_unlock(t->mm);
	assert_true(is_fsdax_page(page));
	assert_ptr_equal(page, pages[0] + HPAGE_PMD_NR + 1);
	put_page(page);

	/* Written through the mapping, the data is the file's once the inode goes. */
	assert_int_equal(copy_to_user(addr + 7, "Z", 1), 0);
	assert_int_equal(sys_munmap(addr, FILE_BYTES), 0);
	assert_int_equal(sys_close(fd), 0);
	assert_int_equal(host_byte(path, 7), 'Z');
	task_exit(t);
	set_current(NULL);
	assert_int_equal(sim_shutdown(), 0);
}

/*
 * A private mapping of a DAX file: a read maps the device page read-only with a
 * devmap PTE (never a pmd); a write copies the device page into an anonymous page
 * (do_wp_page() on the devmap PTE, or do_cow_fault() with the block copied into
 * vmf->cow_page when nothing was mapped yet), and neither the device memory nor
 * the host file sees the write. A long-term pin is refused as for shared ones.
 */
static void test_fsdax_private_mapping_cows_from_device(void **state)
{
	const char *path = make_pattern_file("p", FILE_BYTES, 0600);
	struct task_struct *t = start_task("fsdax");
	int fd = open_file(path, O_RDWR);
	unsigned long addr = map_aligned_as(fd, FILE_BYTES, MAP_PRIVATE);
	struct page *page, *dev;
	unsigned long cows;
	pte_t pte;

	(void)state;
	assert_false(IS_ERR_VALUE(addr));
	assert_true(vma_is_fsdax(vma_at(t, addr)));

	/* A read: the device page itself, read-only, with no reference or mapcount. */
	assert_int_equal(user_byte(addr + 1), pattern_byte(1));
	pte = pte_at(addr);
	assert_true(pte_devmap(pte));
	assert_false(pte_write(pte));
	dev = pte_page(pte);
	assert_true(is_fsdax_page(dev));
	assert_int_equal(page_mapcount(dev), 0);
	assert_int_equal(get_user_pages_fast(addr, 1, 0, &page), 1);
	assert_ptr_equal(page, dev);
	put_page(page);

	/* A write to it: an anonymous copy of the device page; the device keeps its bytes. */
	cows = global_node_page_state(NR_COW_FAULTS);
	assert_int_equal(copy_to_user(addr + 1, "Q", 1), 0);
	assert_int_equal(global_node_page_state(NR_COW_FAULTS), cows + 1);
	pte = pte_at(addr);
	assert_false(pte_devmap(pte));
	assert_true(pte_write(pte));
	assert_true(PageAnon(pte_page(pte)));
	assert_int_equal(user_byte(addr + 1), 'Q');
	assert_int_equal(user_byte(addr + 2), pattern_byte(2));
	assert_int_equal(*((char *)page_address(dev) + 1), pattern_byte(1));

	/* A first touch that writes: do_cow_fault(), the block copied by the dax fault. */
	assert_int_equal(copy_to_user(addr + 5 * PAGE_SIZE, "W", 1), 0);
	assert_int_equal(global_node_page_state(NR_COW_FAULTS), cows + 1); /* no wp fault */
	pte = pte_at(addr + 5 * PAGE_SIZE);
	assert_true(PageAnon(pte_page(pte)));
	assert_int_equal(user_byte(addr + 5 * PAGE_SIZE + 1), pattern_byte(5 * PAGE_SIZE + 1));
	assert_int_equal(*((char *)page_address(dev + 5)), pattern_byte(5 * PAGE_SIZE));

	/* A write pin of a read-mapped page breaks COW first; a long-term one is refused. */
	assert_int_equal(user_byte(addr + 9 * PAGE_SIZE), pattern_byte(9 * PAGE_SIZE));
	assert_int_equal(pin_user_pages_fast(addr + 9 * PAGE_SIZE, 1, FOLL_WRITE, &page), 1);
	assert_true(PageAnon(page));
	assert_int_equal(*(char *)page_address(page), pattern_byte(9 * PAGE_SIZE));
	assert_int_equal(sim_check(stderr), 0);
	unpin_user_page(page);
	assert_int_equal(user_byte(addr + 12 * PAGE_SIZE), pattern_byte(12 * PAGE_SIZE));
	assert_int_equal(pin_user_pages_fast(addr + 12 * PAGE_SIZE, 1, FOLL_LONGTERM, &page),
			 -EOPNOTSUPP);

	assert_int_equal(sys_munmap(addr, FILE_BYTES), 0);
	assert_int_equal(sys_close(fd), 0);
	assert_int_equal(host_byte(path, 1), pattern_byte(1));
	assert_int_equal(host_byte(path, 5 * PAGE_SIZE), pattern_byte(5 * PAGE_SIZE));
	task_exit(t);
	set_current(NULL);
	assert_int_equal(sim_shutdown(), 0);
}

/* The device page @addr's file page maps, found by the slow walk (no reference kept). */
static struct page *device_page_at(struct task_struct *t, unsigned long addr)
{
	struct page *page;

	mmap_read_lock(t->mm);
	assert_int_equal(get_user_pages(addr, 1, 0, &page, NULL), 1);
	mmap_read_unlock(t->mm);
	put_page(page);
	assert_true(is_fsdax_page(page));
	return page;
}

/*
 * A pin that outlives its file's inode: under 5.11 the blocks go back at eviction
 * and the next file is given the pinned block (the kernel's bug then, which
 * dax_break_layout_final() closed in 6.15). Under 6.18 they stay allocated while
 * the page is referenced, the pin's count is untouched by a later file, and the
 * blocks come back at the unpin.
 */
static void test_fsdax_evicted_file_keeps_pinned_blocks(void **state)
{
	const char *first = make_pattern_file("first", PMD_SIZE, 0600);
	const char *second = make_pattern_file("second", PMD_SIZE, 0600);
	const char *third = make_pattern_file("third", PMD_SIZE, 0600);
	struct task_struct *t = start_task("evict");
	int fd = open_file(first, O_RDWR);
	unsigned long addr = map_aligned(fd, PMD_SIZE);
	struct page *pinned, *page;
	int count;

	(void)state;
	assert_false(IS_ERR_VALUE(addr));
	assert_int_equal(pin_user_pages_fast(addr + PAGE_SIZE, 1, FOLL_WRITE, &pinned), 1);
	assert_int_equal(sys_munmap(addr, PMD_SIZE), 0);
	assert_int_equal(sys_close(fd), 0); /* the last reference: the inode is evicted */
	count = page_ref_count(pinned);

	/* The next file's blocks: the pinned ones again (5.11) or the next chunk (6.18). */
	fd = open_file(second, O_RDWR);
	addr = map_aligned(fd, PMD_SIZE);
	assert_false(IS_ERR_VALUE(addr));
	page = device_page_at(t, addr + PAGE_SIZE);
	assert_ptr_equal(page, pinned + (profile_is_6_18() ? HPAGE_PMD_NR : 0));
	assert_int_equal(page_ref_count(pinned), count);
	assert_true(page_maybe_dma_pinned(pinned));
	assert_int_equal(sim_check(stderr), 0);
	assert_int_equal(sys_munmap(addr, PMD_SIZE), 0);
	assert_int_equal(sys_close(fd), 0);

	/* Unpinned, the deferred blocks are free again: first fit hands them out. */
	unpin_user_page(pinned);
	fd = open_file(third, O_RDWR);
	addr = map_aligned(fd, PMD_SIZE);
	assert_false(IS_ERR_VALUE(addr));
	assert_ptr_equal(device_page_at(t, addr + PAGE_SIZE), pinned);
	assert_int_equal(user_byte(addr + PAGE_SIZE), pattern_byte(PAGE_SIZE));
	assert_int_equal(sys_munmap(addr, PMD_SIZE), 0);
	assert_int_equal(sys_close(fd), 0);
	task_exit(t);
	set_current(NULL);
	assert_int_equal(sim_shutdown(), 0);
}

/* What a hook saw of the fsdax pgmap's reference from inside a GUP walk. */
static long refs_seen;
static int refs_hits;

static void record_fsdax_refs(enum sim_point_id id, void *ctx, void *arg)
{
	(void)id;
	(void)ctx;
	(void)arg;
	if (refs_hits++ == 0)
		refs_seen = dev_pagemap_refs(sim_fsdax_pgmap());
}

/*
 * fsdax pages mapped by 4 KiB devmap PTEs, pinned with the pgmap's reference read
 * from inside the walks: 5.11 holds one more while it grabs, fast or slow; 6.18
 * (gup_takes_pgmap false) takes none.
 */
static void test_fsdax_pte_pin_pgmap_ref(void **state)
{
	const char *path = make_pattern_file("p", 4 * PAGE_SIZE, 0600);
	struct task_struct *t = start_task("fsdax");
	int fd = open_file(path, O_RDWR);
	unsigned long addr = (unsigned long)sys_mmap(0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE,
						     MAP_SHARED, fd, 0);
	struct page *pages[2];
	long idle;

	(void)state;
	assert_false(IS_ERR_VALUE(addr));
	assert_int_equal(user_byte(addr), pattern_byte(0)); /* the first page only */
	assert_true(pte_devmap(pte_at(addr)));
	idle = dev_pagemap_refs(sim_fsdax_pgmap());

	refs_hits = 0;
	assert_int_equal(sim_point_set_hook(SP_GUP_FAST_AFTER_GRAB, record_fsdax_refs, NULL), 0);
	assert_int_equal(pin_user_pages_fast(addr, 1, 0, pages), 1);
	sim_point_set_hook(SP_GUP_FAST_AFTER_GRAB, NULL, NULL);
	assert_int_equal(refs_hits, 1);
	assert_int_equal(refs_seen, idle + by_profile(1, 0));
	assert_true(is_fsdax_page(pages[0]));
	unpin_user_page(pages[0]);

	/* The slow walk: the first page taken, the second faulted in after it. */
	refs_hits = 0;
	assert_int_equal(sim_point_set_hook(SP_GUP_AFTER_FAULTIN, record_fsdax_refs, NULL), 0);
	mmap_read_lock(t->mm);
	assert_int_equal(pin_user_pages(addr, 2, 0, pages, NULL), 2);
	mmap_read_unlock(t->mm);
	sim_point_set_hook(SP_GUP_AFTER_FAULTIN, NULL, NULL);
	assert_int_equal(refs_hits, 1);
	assert_int_equal(refs_seen, idle + by_profile(1, 0));
	assert_int_equal(dev_pagemap_refs(sim_fsdax_pgmap()), idle);
	assert_int_equal(*(char *)page_address(pages[1]), pattern_byte(PAGE_SIZE));
	assert_int_equal(sim_check(stderr), 0);
	unpin_user_pages(pages, 2);

	assert_int_equal(sys_munmap(addr, 4 * PAGE_SIZE), 0);
	assert_int_equal(sys_close(fd), 0);
	task_exit(t);
	set_current(NULL);
	assert_int_equal(sim_shutdown(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fsdax_maps_device_pages, fsdax_setup,
						fsdax_teardown),
		cmocka_unit_test_setup_teardown(test_fsdax_private_mapping_cows_from_device,
						fsdax_setup, fsdax_teardown),
		cmocka_unit_test_setup_teardown(test_fsdax_pte_pin_pgmap_ref, fsdax_setup,
						fsdax_teardown),
		cmocka_unit_test_setup_teardown(test_fsdax_evicted_file_keeps_pinned_blocks,
						fsdax_setup, fsdax_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
