// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_swap_shmem.c - reclaim of shmem pages (MAP_SHARED|MAP_ANONYMOUS and
 * memfd) to swap as the kernel's shmem_writepage(): the slot in the object holds
 * the swap entry, a fault or pread swaps the page back in and frees the slot; a
 * clean page is dropped; truncation and the last close free the slots; a pinned
 * page stays in the swap cache and comes back as the page its pin holds; swap I/O
 * errors keep the page (write) or fail the access (read); the checker counts the
 * entries; a shmem page left in the swap cache migrates with its slot; smaps
 * counts swapped pages on its Swap line.
 */
#include "swap_harness.h"
#include <gup/memory_hotplug.h>

/* cmocka teardown: shutdown's leak and invariant check is each test's last assert. */
static int shutdown_checked(void **state)
{
	(void)state;
	return sim_shutdown();
}

static unsigned long map_shared(unsigned long nr)
{
	return map_pages(nr, PROT_READ | PROT_WRITE, MAP_SHARED);
}

/* The shmem object behind the shared mapping at @addr. */
static struct address_space *mapping_at(struct task_struct *t, unsigned long addr)
{
	return vma_at(t, addr)->vm_file->f_mapping;
}

/* Written pages go to swap; faults read them back, and their slots are freed. */
static void test_pageout_and_fault_back(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_shared(4);
	struct address_space *mapping = mapping_at(t, addr);

	(void)state;
	write_and_page_out(addr, 4);
	assert_int_equal(mapping->nrpages, 0);
	assert_int_equal(mapping->swapped, 4);
	assert_int_equal(atomic_long_read(&t->mm->rss_shmem), 0);
	for (unsigned long i = 0; i < 4; i++) {
		assert_false(addr_present(addr + i * PAGE_SIZE));
		assert_true(xa_is_value(xa_load(&mapping->i_pages, i)));
	}
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(read_back_pages(addr, 4), 4);
	/* Back in the object, out of the swap cache, the slots freed (shmem_swapin_page). */
	assert_int_equal(used_slots(), 0);
	assert_int_equal(cached_pages(), 0);
	assert_int_equal(mapping->nrpages, 4);
	assert_int_equal(mapping->swapped, 0);
	assert_int_equal(sim_check(NULL), 0);
	/* Dirty again (the only copy): the next pageout writes them once more. */
	assert_int_equal(sys_madvise(addr, 4 * PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(used_slots(), 4);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sys_munmap(addr, 4 * PAGE_SIZE), 0);
	/* The object went with its last mapping, and its swap entries with it. */
	assert_int_equal(used_slots(), 0);
	task_exit(t);
}

/* A shared mapping in two processes: one swap-out, one swap-in seen by both. */
static void test_fork_sees_one_copy(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long addr = map_shared(1);

	(void)state;
	touch_page(addr);
	child = sys_fork();
	assert_non_null(child);
	/* fork copies no PTE of a shared mapping: the child faults it in. */
	set_current(child);
	assert_int_equal(byte_at(addr), 'w');
	assert_int_equal(pfn_of(parent, addr), pfn_of(child, addr));
	set_current(parent);
	/* Mapped twice: MADV_PAGEOUT leaves it (mapcount 2), reclaim unmaps both. */
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(used_slots(), 0);
	assert_int_equal(sim_reclaim(1), 1);
	assert_int_equal(used_slots(), 1);
	set_current(child);
	assert_false(addr_present(addr));
	assert_int_equal(copy_to_user(addr, "c", 1), 0);
	set_current(parent);
	assert_int_equal(byte_at(addr), 'c');
	assert_int_equal(pfn_of(parent, addr), pfn_of(child, addr));
	assert_int_equal(used_slots(), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(child);
	set_current(parent);
	task_exit(parent);
}

/* Read-faulted and never written: no slot, the page is dropped, the hole reads zero. */
static void test_clean_page_is_dropped(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_shared(1), free_before;

	(void)state;
	assert_int_equal(byte_at(addr), 0);
	free_before = sim_free_pages();
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(sim_free_pages(), free_before + 1);
	assert_int_equal(used_slots(), 0);
	assert_int_equal(mapping_at(t, addr)->nrpages, 0);
	assert_int_equal(byte_at(addr), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* A memfd: pread swaps in; truncation and the last close free the slots. */
static void test_memfd_read_truncate_close(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long buf = map_rw(1), addr;
	int fd = sys_memfd_create("swapme", 0);
	char c = 0;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(sys_ftruncate(fd, 4 * PAGE_SIZE), 0);
	addr = sys_mmap(0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_false(IS_ERR_VALUE(addr));
	touch_pages(addr, 4);
	assert_int_equal(copy_to_user(addr + PAGE_SIZE - 1, "z", 1), 0);
	assert_int_equal(sys_madvise(addr, 4 * PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(sys_munmap(addr, 4 * PAGE_SIZE), 0);
	assert_int_equal(used_slots(), 4);
	/* pread of page 1 swaps it in (its slot is freed); the others stay out. */
	assert_int_equal(sys_pread64(fd, buf, 1, PAGE_SIZE), 1);
	assert_int_equal(copy_from_user(&c, buf, 1), 0);
	assert_int_equal(c, 'b');
	assert_int_equal(used_slots(), 3);
	assert_int_equal(sim_check(NULL), 0);
	/*
	 * Half a page: pages 1 to 3 go (one cached, two slots), and page 0, swapped
	 * out, is swapped in to be cut (shmem_undo_range()): its last byte is zero.
	 */
	assert_int_equal(sys_ftruncate(fd, PAGE_SIZE / 2), 0);
	assert_int_equal(used_slots(), 0);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sys_ftruncate(fd, 4 * PAGE_SIZE), 0);
	assert_int_equal(sys_pread64(fd, buf, 1, PAGE_SIZE - 1), 1);
	assert_int_equal(copy_from_user(&c, buf, 1), 0);
	assert_int_equal(c, 0);
	assert_int_equal(sys_pread64(fd, buf, 1, 3 * PAGE_SIZE), 1);
	assert_int_equal(copy_from_user(&c, buf, 1), 0);
	assert_int_equal(c, 0);
	assert_int_equal(sys_pread64(fd, buf, 1, 0), 1);
	assert_int_equal(copy_from_user(&c, buf, 1), 0);
	assert_int_equal(c, 'a');
	/* Out again, then the last close: the object's slots are freed with it. */
	addr = sys_mmap(0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_false(IS_ERR_VALUE(addr));
	touch_pages(addr, 2);
	assert_int_equal(sys_madvise(addr, 2 * PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(sys_munmap(addr, 2 * PAGE_SIZE), 0);
	assert_int_equal(used_slots(), 2);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sys_close(fd), 0);
	assert_int_equal(used_slots(), 0);
	assert_int_equal(cached_pages(), 0);
	task_exit(t);
}

/*
 * Both profiles: a maybe-pinned shmem page is unmapped and moved to the swap
 * cache like any other (the kernel keeps only anonymous pinned pages out of it),
 * written, and kept there by its pin; the next fault finds that very page, so a
 * store through the pin is what the mapping reads.
 */
static void test_pinned_page_comes_back(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_shared(1), pfn, free_before;
	struct page *page;

	(void)state;
	touch_page(addr);
	pfn = pfn_of(t, addr);
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE | FOLL_LONGTERM, &page), 1);
	free_before = sim_free_pages();
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(sim_free_pages(), free_before);
	assert_false(addr_present(addr));
	assert_int_equal(used_slots(), 1);
	assert_int_equal(cached_pages(), 1);
	assert_true(PageSwapCache(page) && !PageDirty(page));
	assert_int_equal(sim_check(NULL), 0);
	/* Reclaim again: still held, it stays. */
	assert_int_equal(sim_reclaim(16), 0);
	assert_int_equal(cached_pages(), 1);
	*((char *)page_address(page)) = 'p';
	set_page_dirty_lock(page);
	assert_int_equal(byte_at(addr), 'p');
	assert_int_equal(pfn_of(t, addr), pfn);
	assert_int_equal(page_to_pfn(page), pfn);
	assert_int_equal(used_slots(), 0);
	assert_int_equal(cached_pages(), 0);
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_page(page);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(used_slots(), 1);
	assert_int_equal(cached_pages(), 0);
	assert_int_equal(byte_at(addr), 'p');
	task_exit(t);
}

/* Unpinned while in the swap cache: reclaim frees it, its data stays in the slot. */
static void test_unpinned_swap_cache_page_is_freed(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_shared(1);
	struct page *page;

	(void)state;
	touch_page(addr);
	assert_int_equal(pin_user_pages_fast(addr, 1, 0, &page), 1);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(cached_pages(), 1);
	unpin_user_page(page);
	assert_int_equal(sim_reclaim(16), 1);
	assert_int_equal(cached_pages(), 0);
	assert_int_equal(used_slots(), 1);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(byte_at(addr), 'w');
	assert_int_equal(used_slots(), 0);
	task_exit(t);
}

/*
 * A failed swap-out write: the page stays in the swap cache, dirty with PG_error,
 * the object's slot naming it; the data comes back from memory, and a later
 * reclaim writes it again and frees it.
 */
static void test_write_error_keeps_page(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_shared(2), free_before;
	struct address_space *mapping = mapping_at(t, addr);
	struct page *page;

	(void)state;
	touch_pages(addr, 2);
	free_before = sim_free_pages();
	assert_int_equal(host_io_inject("swap_write", "eio", 1, 1), 0);
	assert_int_equal(sys_madvise(addr, 2 * PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(host_io_injected("swap_write"), 1);
	assert_int_equal(sim_free_pages(), free_before + 1);
	assert_int_equal(mapping->swapped, 2);
	assert_int_equal(cached_pages(), 1);
	page = swap_cache_peek((swp_entry_t){xa_to_value(xa_load(&mapping->i_pages, 0))});
	if (!page)
		page = swap_cache_peek((swp_entry_t){xa_to_value(xa_load(&mapping->i_pages, 1))});
	assert_non_null(page);
	assert_true(PageDirty(page) && PageError(page) && PageUptodate(page));
	assert_int_equal(sim_check(NULL), 0);
	/* The next reclaim writes the kept page and frees it. */
	assert_int_equal(sim_reclaim(16), 1);
	assert_int_equal(cached_pages(), 0);
	assert_int_equal(sim_free_pages(), free_before + 2);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(byte_at(addr), 'a');
	assert_int_equal(byte_at(addr + PAGE_SIZE), 'b');
	task_exit(t);
}

/*
 * A failed swap-in read (shmem_swapin_page(): not uptodate, -EIO): SIGBUS for the
 * access (vmf_error), -EFAULT for GUP, -EIO for pread; the copy stays in the swap
 * cache and the slot in the object, until reclaim drops the copy and the next
 * access reads the slot again.
 */
static void test_read_error_fails_access(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long buf = map_rw(1), addr;
	int fd = sys_memfd_create("swapme", 0);
	struct page *page;
	char c;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(sys_ftruncate(fd, PAGE_SIZE), 0);
	addr = sys_mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_false(IS_ERR_VALUE(addr));
	touch_page(addr);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(host_io_inject("swap_read", "eio", 1, 1), 0);
	assert_int_not_equal(copy_from_user(&c, addr, 1), 0);
	assert_int_equal(host_io_injected("swap_read"), 1);
	assert_int_equal(get_user_pages_fast(addr, 1, 0, &page), -EFAULT);
	assert_int_equal(sys_pread64(fd, buf, 1, 0), -EIO);
	assert_int_equal(host_io_injected("swap_read"), 1); /* the copy answers, no new read */
	assert_int_equal(cached_pages(), 1);
	assert_int_equal(used_slots(), 1);
	assert_int_equal(sim_check(NULL), 0);
	/* The buffer's page, if pread faulted it in, may go too. */
	assert_in_range(sim_reclaim(16), 1, 2);
	assert_int_equal(cached_pages(), 0);
	assert_int_equal(byte_at(addr), 'w');
	assert_int_equal(sys_munmap(addr, PAGE_SIZE), 0);
	assert_int_equal(sys_close(fd), 0);
	task_exit(t);
}

/* Without a slot to write to, a dirty shmem page stays where it is. */
static void test_no_swap_keeps_dirty_page(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_shared(1), pfn;

	(void)state;
	touch_page(addr);
	pfn = pfn_of(t, addr);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(mapping_at(t, addr)->nrpages, 1);
	assert_int_equal(byte_at(addr), 'w');
	assert_int_equal(pfn_of(t, addr), pfn);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* The checker counts the object's swap entries against the slots and its own count. */
static void test_checker_counts_shmem_entries(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_shared(1);
	struct address_space *mapping = mapping_at(t, addr);
	swp_entry_t entry;

	(void)state;
	touch_page(addr);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(sim_check(NULL), 0);
	entry.val = xa_to_value(xa_load(&mapping->i_pages, 0));
	assert_int_equal(swap_duplicate(entry), 0);
	assert_int_not_equal(sim_check(NULL), 0);
	swap_free(entry);
	mapping->swapped++;
	assert_int_not_equal(sim_check(NULL), 0);
	mapping->swapped--;
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* The swap-cache page naming the swap entry in slot @index of @mapping, or NULL. */
static struct page *swapped_page(struct address_space *mapping, unsigned long index)
{
	void *entry = xa_load(&mapping->i_pages, index);

	assert_true(xa_is_value(entry));
	return swap_cache_peek((swp_entry_t){xa_to_value(entry)});
}

/*
 * A shmem page in the swap cache (nothing maps it) still sits in its frame:
 * offlining moves it with its slot (migrate_page_move_mapping() with the swap
 * cache), unless a pin holds it: then -EBUSY names the pin.
 */
static void test_swap_cache_page_offline(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long addr = map_shared(2), pfn;
	struct address_space *mapping = mapping_at(t, addr);
	struct range_busy busy;
	struct page *pin, *page;

	(void)state;
	touch_pages(addr, 2);
	sim_set_call_site("nic.c:3");
	assert_int_equal(pin_user_pages_fast(addr, 1, 0, &pin), 1);
	sim_set_call_site(NULL);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_PAGEOUT), 0);
	/* Page 1's write fails: it stays in the swap cache, dirty, PG_error. */
	assert_int_equal(host_io_inject("swap_write", "eio", 1, 1), 0);
	assert_int_equal(sys_madvise(addr + PAGE_SIZE, PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(cached_pages(), 2);
	assert_ptr_equal(swapped_page(mapping, 0), pin);
	assert_int_equal(page_zonenum(pin), ZONE_MOVABLE);
	assert_int_equal(offline_range(page_to_pfn(pin), 1, &busy), -EBUSY);
	assert_int_equal(busy.nr_pinned, 1);
	assert_string_equal(busy.records[0].site, "nic.c:3");
	page = swapped_page(mapping, 1);
	pfn = page_to_pfn(page);
	assert_true(PageDirty(page) && PageError(page));
	assert_int_equal(page_zonenum(page), ZONE_MOVABLE);
	assert_int_equal(offline_range(pfn, 1, &busy), 0);
	page = swapped_page(mapping, 1);
	assert_non_null(page);
	assert_int_not_equal(page_to_pfn(page), pfn);
	assert_true(PageDirty(page));
	assert_int_equal(cached_pages(), 2);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(byte_at(addr + PAGE_SIZE), 'b');
	assert_int_equal(byte_at(addr), 'a');
	assert_int_equal(pfn_of(t, addr), page_to_pfn(pin));
	assert_int_equal(online_range(pfn, 1), 0);
	unpin_user_page(pin);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/*
 * smaps' Swap line: an anonymous page's swap PTE counts, and so does a shmem slot
 * behind an unmapped offset, whether a page table covers it (a none PTE) or not (a
 * hole); a page faulted back in is resident, not swap.
 */
static void test_smaps_swap_line(void **state)
{
	struct task_struct *t = start_task("t");
	unsigned long anon = map_rw(3), whole, part;
	int fd = sys_memfd_create("smaps", 0);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(sys_ftruncate(fd, 4 * PAGE_SIZE), 0);
	whole = sys_mmap(0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_false(IS_ERR_VALUE(whole));
	write_and_page_out(whole, 4);
	/* Pages 1 and 2 of the file, mapped 1 GiB away: where no page table was ever made. */
	part = sys_mmap(ALIGN_UP(whole, PUD_SIZE) + PUD_SIZE, 2 * PAGE_SIZE, PROT_READ,
			MAP_SHARED | MAP_FIXED, fd, PAGE_SIZE);
	assert_false(IS_ERR_VALUE(part));
	assert_int_equal(smaps_field_kb(t, whole, "Swap"), 16);
	assert_int_equal(smaps_field_kb(t, part, "Swap"), 8);
	assert_int_equal(byte_at(part), 'b'); /* page 1 swapped in through the second mapping */
	assert_int_equal(smaps_field_kb(t, whole, "Swap"), 12);
	assert_int_equal(smaps_field_kb(t, part, "Swap"), 4);
	assert_int_equal(smaps_field_kb(t, part, "Rss"), 4);
	touch_pages(anon, 3);
	assert_int_equal(sys_madvise(anon, 3 * PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_int_equal(smaps_field_kb(t, anon, "Swap"), 12);
	assert_int_equal(byte_at(anon + PAGE_SIZE), 'b');
	assert_int_equal(smaps_field_kb(t, anon, "Swap"), 8);
	assert_int_equal(smaps_field_kb(t, anon, "Rss"), 4);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sys_close(fd), 0);
	task_exit(t);
}

#define SWAP_TEST(fn) cmocka_unit_test_setup_teardown(fn, boot_with_swap, shutdown_checked)

int main(void)
{
	const struct CMUnitTest tests[] = {
		SWAP_TEST(test_pageout_and_fault_back),
		SWAP_TEST(test_smaps_swap_line),
		SWAP_TEST(test_fork_sees_one_copy),
		SWAP_TEST(test_clean_page_is_dropped),
		SWAP_TEST(test_memfd_read_truncate_close),
		SWAP_TEST(test_pinned_page_comes_back),
		SWAP_TEST(test_unpinned_swap_cache_page_is_freed),
		SWAP_TEST(test_write_error_keeps_page),
		SWAP_TEST(test_read_error_fails_access),
		cmocka_unit_test_setup_teardown(test_no_swap_keeps_dirty_page, sim_setup,
						shutdown_checked),
		SWAP_TEST(test_checker_counts_shmem_entries),
		cmocka_unit_test_setup_teardown(test_swap_cache_page_offline,
						boot_with_swap_movable, shutdown_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
