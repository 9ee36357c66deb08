// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_swap.c - reclaim to a swap device: MADV_PAGEOUT and sim_reclaim()
 * write anonymous pages out and free them, swap entries replace their PTEs
 * (pagemap shows them), faults read them back (the same data), fork shares the
 * slots and zap frees them; a maybe-pinned page comes back as the page its pin
 * holds, by profile; swap I/O errors keep the page (write) or fail the access
 * (read); an allocation that finds memory full reclaims directly; a page in the
 * swap cache migrates with its slot.
 */
#include "swap_harness.h"

static bool swapped(struct task_struct *t, unsigned long addr)
{
	uint64_t e = pagemap_entry(t, addr);

	return (e & PM_SWAP) && !(e & PM_PRESENT);
}

/* The swap entry in @t's PTE at @addr. */
static swp_entry_t entry_at(struct task_struct *t, unsigned long addr)
{
	return swp_entry(0, (pagemap_entry(t, addr) & PM_PFRAME_MASK) >> 5);
}

static void test_boot_rejects_bad_swap_size(void **state)
{
	struct sim_config unaligned = {.mem_bytes = 64 * MIB, .swap_bytes = 4 * MIB + 1};
	struct sim_config tiny = {.mem_bytes = 64 * MIB, .swap_bytes = PAGE_SIZE};

	(void)state;
	assert_int_equal(sim_boot(&unaligned), -EINVAL);
	assert_int_equal(sim_boot(&tiny), -EINVAL);
}

static void test_pageout_and_swapin(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(4);

	(void)state;
	write_and_page_out(addr, 4);
	for (unsigned long i = 0; i < 4; i++)
		assert_true(swapped(t, addr + i * PAGE_SIZE));
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(read_back_pages(addr, 4), 4);
	/* Read back, the pages stay in the swap cache: their slots still hold the data. */
	assert_int_equal(cached_pages(), 4);
	assert_int_equal(used_slots(), 4);
	assert_int_equal(sim_check(NULL), 0);
	/*
	 * A write to a read-back page: 5.11 copies it (the swap cache holds a
	 * reference), 6.18 reuses it (exclusive); the cached copy keeps its slot
	 * either way until the page is zapped or reclaimed.
	 */
	touch_page(addr);
	assert_int_equal(used_slots(), 4);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sys_munmap(addr, PAGE_SIZE), 0);
	assert_int_equal(used_slots(), profile_is_6_18() ? 3 : 4);
	assert_int_equal(sys_munmap(addr, 4 * PAGE_SIZE), 0);
	/* 5.11's copied-away page is still cached, unmapped: reclaim frees it and its slot. */
	assert_int_equal(used_slots(), profile_is_6_18() ? 0 : 1);
	assert_int_equal(sim_reclaim(4), profile_is_6_18() ? 0 : 1);
	assert_int_equal(used_slots(), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/* A write fault on a swap entry maps the page writable at once (5.11's reuse_swap_page). */
static void test_write_fault_on_swap_entry(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1);
	char c = 'z';

	(void)state;
	touch_page(addr);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_true(swapped(t, addr));
	assert_int_equal(copy_to_user(addr, &c, 1), 0);
	assert_int_equal(used_slots(), 0);
	assert_int_equal(cached_pages(), 0);
	assert_int_equal(byte_at(addr), 'z');
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

static void test_fork_shares_swap_slots(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long addr = map_rw(2);
	swp_entry_t entry;

	(void)state;
	touch_pages(addr, 2);
	assert_int_equal(sys_madvise(addr, 2 * PAGE_SIZE, MADV_PAGEOUT), 0);
	entry = swp_entry(0, (pagemap_entry(parent, addr) & PM_PFRAME_MASK) >> 5);
	assert_int_equal(swap_count(entry), 1);
	child = sys_fork();
	assert_non_null(child);
	assert_int_equal(swap_count(entry), 2);
	assert_true(swapped(child, addr));
	assert_int_equal(sim_check(NULL), 0);
	set_current(child);
	assert_int_equal(byte_at(addr), 'a');
	assert_int_equal(swap_count(entry), 1);
	touch_page(addr); /* the child's copy: the parent's data stays */
	assert_int_equal(sim_check(NULL), 0);
	task_exit(child);
	set_current(parent);
	assert_int_equal(byte_at(addr), 'a');
	assert_int_equal(byte_at(addr + PAGE_SIZE), 'b');
	assert_int_equal(sim_check(NULL), 0);
	task_exit(parent);
	assert_int_equal(used_slots(), 0);
	assert_int_equal(sim_shutdown(), 0);
}

static void test_munmap_frees_slots(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(8);

	(void)state;
	touch_pages(addr, 8);
	assert_int_equal(sys_madvise(addr, 8 * PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(used_slots(), 8);
	assert_int_equal(sys_munmap(addr, 8 * PAGE_SIZE), 0);
	assert_int_equal(used_slots(), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/* Both profiles: a maybe-pinned page not yet in the swap cache is not reclaimed. */
static void test_pinned_page_is_not_swapped(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1), pfn;
	struct page *page;

	(void)state;
	touch_page(addr);
	pfn = pfn_of(t, addr);
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE, &page), 1);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(sim_reclaim(16), 0);
	assert_false(swapped(t, addr));
	assert_int_equal(pfn_of(t, addr), pfn);
	assert_int_equal(used_slots(), 0);
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_page(page);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_true(swapped(t, addr));
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/*
 * A page already in the swap cache when it is pinned (read back after a swap-out
 * and pinned read-only): 5.11 unmaps it again, and the fault that follows finds
 * the very page in the swap cache; 6.18 refuses to unmap the exclusive pinned
 * page. Either way the mapping and the pin agree.
 */
static void test_pinned_swap_cache_page_comes_back(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1);
	struct page *pinned;

	(void)state;
	touch_page(addr);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(byte_at(addr), 'w'); /* back, and still in the swap cache */
	assert_int_equal(cached_pages(), 1);
	assert_int_equal(pin_user_pages_fast(addr, 1, 0, &pinned), 1);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(swapped(t, addr), !profile_is_6_18());
	assert_int_equal(cached_pages(), 1);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(byte_at(addr), 'w');
	assert_int_equal(pfn_of(t, addr), page_to_pfn(pinned));
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_page(pinned);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

static ssize_t failing_pwrite(int fd, const void *buf, size_t count, loff_t pos)
{
	(void)fd;
	(void)buf;
	(void)count;
	(void)pos;
	return -EIO;
}

static ssize_t failing_pread(int fd, void *buf, size_t count, loff_t pos)
{
	(void)fd;
	(void)buf;
	(void)count;
	(void)pos;
	return -EIO;
}

/* A failed swap-out write keeps the data in the page, in the swap cache. */
static void test_swap_write_error_keeps_page(void **state)
{
	struct host_io_ops ops = host_io_default_ops;
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1), free_before;

	(void)state;
	touch_page(addr);
	free_before = sim_free_pages();
	ops.pwrite = failing_pwrite;
	host_io_set_ops(&ops);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_PAGEOUT), 0);
	host_io_set_ops(NULL);
	assert_int_equal(sim_free_pages(), free_before);
	assert_int_equal(cached_pages(), 1);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(byte_at(addr), 'w');
	/* The next reclaim writes it. */
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(sim_free_pages(), free_before + 1);
	assert_int_equal(byte_at(addr), 'w');
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/*
 * A failed swap-in read (5.11's and 6.18's do_swap_page(): the page is not
 * uptodate): SIGBUS for the access, -EFAULT for uaccess and GUP. The copy stays
 * in the swap cache, so every later fault fails the same way without reading
 * again, until reclaim drops the copy; then the next fault reads the slot.
 */
static void test_swap_read_error_faults(void **state)
{
	struct host_io_ops ops = host_io_default_ops;
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1);
	struct page *page;
	char c;

	(void)state;
	touch_page(addr);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_PAGEOUT), 0);
	ops.pread = failing_pread;
	host_io_set_ops(&ops);
	assert_int_not_equal(copy_from_user(&c, addr, 1), 0);
	host_io_set_ops(NULL);
	assert_int_equal(get_user_pages_fast(addr, 1, 0, &page), -EFAULT);
	assert_int_not_equal(copy_from_user(&c, addr, 1), 0);
	assert_true(swapped(t, addr));
	assert_int_equal(cached_pages(), 1);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sim_reclaim(1), 1);
	assert_int_equal(cached_pages(), 0);
	assert_int_equal(byte_at(addr), 'w');
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/*
 * The same two answers armed as scripts do (`inject host_io swap_write|swap_read
 * eio`): the swap device's ops alone fail, file I/O is untouched.
 */
static void test_injected_swap_io_errors(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(2), free_before, kept, gone;
	struct page *page;
	char c;

	(void)state;
	assert_int_equal(host_io_inject("swap_write", "short", 1, 1), 0);
	assert_int_equal(host_io_inject("swap_read", "enospc", 1, 1), 0);
	assert_int_equal(host_io_inject("fsync", "short", 1, 1), -EINVAL);
	touch_pages(addr, 2);
	free_before = sim_free_pages();
	/*
	 * Both are unmapped before their writes. The first write is short: that
	 * page stays in the swap cache, dirty, with PG_error; the second goes.
	 */
	assert_int_equal(sys_madvise(addr, 2 * PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(host_io_injected("swap_write"), 1);
	assert_int_equal(sim_free_pages(), free_before + 1);
	assert_true(swapped(t, addr) && swapped(t, addr + PAGE_SIZE));
	assert_int_equal(cached_pages(), 1);
	kept = swap_cache_peek(entry_at(t, addr)) ? addr : addr + PAGE_SIZE;
	gone = kept == addr ? addr + PAGE_SIZE : addr;
	page = swap_cache_peek(entry_at(t, kept));
	assert_non_null(page);
	assert_true(PageDirty(page) && PageError(page) && PageUptodate(page));
	assert_int_equal(sim_check(NULL), 0);
	/* The kept one comes back from memory; the other's read fails: SIGBUS, GUP -EFAULT. */
	assert_int_equal(byte_at(kept), kept == addr ? 'a' : 'b');
	assert_int_not_equal(copy_from_user(&c, gone, 1), 0);
	assert_int_equal(get_user_pages_fast(gone, 1, 0, &page), -EFAULT);
	assert_int_equal(host_io_injected("swap_read"), 1);
	assert_int_equal(host_io_injected("pread"), 0);
	assert_int_equal(sim_check(NULL), 0);
	/* Reclaim writes the kept page out now and drops the failed copy; both read back. */
	assert_int_equal(sim_reclaim(2), 2);
	assert_int_equal(cached_pages(), 0);
	assert_int_equal(byte_at(addr), 'a');
	assert_int_equal(byte_at(addr + PAGE_SIZE), 'b');
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

static void test_sim_reclaim(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(8), free_before;

	(void)state;
	assert_int_equal(sim_reclaim(0), -EINVAL);
	touch_pages(addr, 8);
	free_before = sim_free_pages();
	assert_int_equal(sim_reclaim(8), 8);
	assert_int_equal(sim_free_pages(), free_before + 8);
	assert_int_equal(sim_check(NULL), 0);
	for (unsigned long i = 0; i < 8; i++)
		assert_int_equal(byte_at(addr + i * PAGE_SIZE), 'a' + (int)i);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

static void test_no_swap_no_reclaim(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(2);

	(void)state;
	touch_pages(addr, 2);
	assert_int_equal(sim_reclaim(2), 0);
	assert_int_equal(sys_madvise(addr, 2 * PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_false(swapped(t, addr));
	assert_int_equal(byte_at(addr), 'a');
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/* A fault that finds no free frame reclaims directly and succeeds. */
static void test_direct_reclaim_when_memory_is_full(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long nr = 64, addr = map_rw(nr + 1), hog = 0, more = addr + nr * PAGE_SIZE;
	struct page *page;

	(void)state;
	touch_pages(addr, nr);
	/* Its page table stays after the zap: the fault below needs a data page only. */
	touch_page(more);
	assert_int_equal(sys_madvise(more, PAGE_SIZE, MADV_DONTNEED), 0);
	/* Take every free frame, so the next fault has to reclaim. */
	while ((page = alloc_page(GFP_KERNEL))) {
		page->index = hog;
		hog = (unsigned long)page;
	}
	touch_page(more);
	assert_false(swapped(t, more));
	assert_true(used_slots() > 0);
	while (hog) {
		page = (struct page *)hog;
		hog = page->index;
		page->index = 0;
		put_page(page);
	}
	for (unsigned long i = 0; i < nr; i++)
		assert_int_equal(byte_at(addr + i * PAGE_SIZE), (char)('a' + i));
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/* The checker: a slot whose count does not match the entries naming it. */
static unsigned long swap_writes;

/*
 * A page read back from swap stays in the swap cache (both profiles, on a read
 * fault); migration moves it there too (5.11's migrate_page_move_mapping() with
 * the swap cache's mapping): the new page takes its slot, so a later reclaim
 * frees the clean copy without writing it again.
 */
static void test_swap_cache_page_migrates(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1), old;
	struct page *page;

	(void)state;
	touch_page(addr);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(byte_at(addr), 'w');
	old = pfn_of(t, addr);
	assert_int_equal(page_zonenum(pfn_to_page(old)), ZONE_MOVABLE);
	assert_true(PageSwapCache(pfn_to_page(old)));
	assert_int_equal(sim_migrate_range(addr, PAGE_SIZE, ZONE_NORMAL), 0);
	page = pfn_to_page(pfn_of(t, addr));
	assert_int_not_equal(page_to_pfn(page), old);
	assert_int_equal(page_zonenum(page), ZONE_NORMAL);
	assert_true(PageSwapCache(page));
	assert_ptr_equal(swap_cache_peek((swp_entry_t){page->private_data}), page);
	assert_false(PageSwapCache(pfn_to_page(old)));
	assert_int_equal(cached_pages(), 1);
	assert_int_equal(byte_at(addr), 'w');
	assert_int_equal(sim_check(NULL), 0);
	swap_writes = 0;
	assert_int_equal(sim_point_set_hook(SP_SWAP_WRITE, count_swap_io, &swap_writes), 0);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(sim_point_set_hook(SP_SWAP_WRITE, NULL, NULL), 0);
	assert_int_equal(swap_writes, 0);
	assert_true(swapped(t, addr));
	assert_int_equal(cached_pages(), 0);
	assert_int_equal(byte_at(addr), 'w');
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

static void test_checker_catches_swap_count(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_rw(1);
	swp_entry_t entry;

	(void)state;
	touch_page(addr);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_PAGEOUT), 0);
	entry = swp_entry(0, (pagemap_entry(t, addr) & PM_PFRAME_MASK) >> 5);
	assert_int_equal(swap_duplicate(entry), 0);
	assert_int_not_equal(sim_check(NULL), 0);
	swap_free(entry);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_rejects_bad_swap_size),
		cmocka_unit_test_setup_teardown(test_pageout_and_swapin, boot_with_swap,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_write_fault_on_swap_entry, boot_with_swap,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_fork_shares_swap_slots, boot_with_swap,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_munmap_frees_slots, boot_with_swap,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_pinned_page_is_not_swapped, boot_with_swap,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_pinned_swap_cache_page_comes_back,
						boot_with_swap, shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_swap_write_error_keeps_page, boot_with_swap,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_swap_read_error_faults, boot_with_swap,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_injected_swap_io_errors, boot_with_swap,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_sim_reclaim, boot_with_swap,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_no_swap_no_reclaim, sim_setup,
						shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_direct_reclaim_when_memory_is_full,
						boot_with_swap, shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_swap_cache_page_migrates,
						boot_with_swap_movable, shutdown_left_machine),
		cmocka_unit_test_setup_teardown(test_checker_catches_swap_count, boot_with_swap,
						shutdown_left_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
